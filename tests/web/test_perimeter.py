"""The running app's perimeter, checked from outside: host names, cross-origin writes, upload
size, login throttling, and no outbound connection from start to answer."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import httpx
import pytest

from helpers import OFFLINE_SWITCHES, ROOT, SHARED_CORPUS, free_port, outbound, run_cli, strace_prefix

pytestmark = pytest.mark.slow
USER, PASSWORD = "candidate", "s3cret-pass"


@pytest.fixture(scope="module")
def app(tmp_path_factory, shared_index):
    base = tmp_path_factory.mktemp("perimeter")
    shutil.copytree(shared_index, base / "index")
    shutil.copytree(SHARED_CORPUS, base / "notes")
    for f in (base / "notes").iterdir():
        f.chmod(0o644)
    # As a user's `coach ingest` leaves it: with the ONNX export, so the app starts on onnxruntime.
    run_cli("ingest", base / "notes", "--index", base / "index", env={"COACH_ADAPT_EMBEDDER": "false"}, check=True)
    port = free_port()
    trace = base / "net.trace"
    env = {**os.environ, "COACH_HOME": str(base / "home"), "COACH_ADAPT_EMBEDDER": "false",
           "COACH_AUTH": f"{USER}:{PASSWORD}"}
    for name in OFFLINE_SWITCHES:
        env.pop(name, None)  # the app must switch these off itself
    log = open(base / "ui.log", "w")
    # Under strace when it is there: every network call of every thread, C libraries' included.
    watch = strace_prefix(trace) if shutil.which("strace") else []
    proc = subprocess.Popen([*watch, sys.executable, "-m", "coach.cli", "ui", "--port", str(port), "--index",
                             str(base / "index"), "--corpus", str(base / "notes")],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 180
    while time.time() < deadline:
        assert proc.poll() is None, (base / "ui.log").read_text()[-2000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code < 500:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    yield {"url": f"http://127.0.0.1:{port}", "trace": trace, "started": time.time()}
    os.killpg(proc.pid, signal.SIGTERM)  # the app and, when traced, strace with it
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def session(app):
    with httpx.Client(base_url=app["url"], timeout=30) as client:
        r = client.post("/login", data={"username": USER, "password": PASSWORD})
        assert r.status_code == 200, r.text
        yield client


def test_other_host_names_are_refused(app):
    assert httpx.get(app["url"] + "/", headers={"Host": "evil.example"}).status_code == 421
    assert httpx.get(app["url"] + "/", headers={"Host": "evil.example:7860"}).status_code == 421
    assert httpx.get(app["url"] + "/").status_code == 200
    assert httpx.get(app["url"].replace("127.0.0.1", "localhost") + "/").status_code == 200


def test_uploads_are_same_origin_and_size_limited(session, app):
    ok = session.post("/gradio_api/upload", files={"files": ("a.md", b"# A\nnote\n", "text/markdown")})
    assert ok.status_code == 200, ok.text
    evil = session.post("/gradio_api/upload", files={"files": ("b.md", b"# B\n", "text/markdown")},
                        headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403
    sandboxed = session.post("/gradio_api/upload", files={"files": ("n.md", b"# N\n", "text/markdown")},
                             headers={"Origin": "null"})  # a sandboxed iframe on another site
    assert sandboxed.status_code == 403
    same = session.post("/gradio_api/upload", files={"files": ("c.md", b"# C\n", "text/markdown")},
                        headers={"Origin": app["url"]})
    assert same.status_code == 200
    big = session.post("/gradio_api/upload", files={"files": ("big.md", b"x" * (6 * 1024 * 1024), "text/markdown")})
    assert big.status_code == 413


def test_wrong_passwords_are_slowed_down(app):
    codes = []
    with httpx.Client(base_url=app["url"], timeout=30) as client:
        for _ in range(10):
            codes.append(client.post("/login", data={"username": USER, "password": "wrong"}).status_code)
        assert codes[:5] == [codes[0]] * 5 and codes[0] in (400, 401)
        assert 429 in codes[5:]
        blocked = client.post("/login", data={"username": USER, "password": PASSWORD})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (make browser-deps)")
def test_nothing_reaches_the_network_from_start_to_answer(session, app):
    assert session.get("/").status_code == 200
    assert session.get("/gradio_api/info").status_code == 200
    started = session.post("/gradio_api/call/ask", json={"data": ["explain LoRA to me"]})
    assert started.status_code == 200, started.text
    result = session.get(f"/gradio_api/call/ask/{started.json()['event_id']}", timeout=120).text
    assert "event: complete" in result and '"citations": [{' in result, result[-1000:]
    # ONNX Runtime's telemetry looked its host up some seconds after start: wait past that.
    time.sleep(max(0.0, app["started"] + 20 - time.time()))
    assert app["trace"].stat().st_size > 0, "strace wrote nothing: the trace proves nothing"
    assert outbound(app["trace"]) == []
