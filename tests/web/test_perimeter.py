"""The running app's perimeter, checked from outside: host names, cross-origin writes, upload
size, login throttling, and no outbound connection from start to answer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import httpx
import pytest

from helpers import ROOT, SHARED_CORPUS, free_port

pytestmark = pytest.mark.slow
USER, PASSWORD = "candidate", "s3cret-pass"


@pytest.fixture(scope="module")
def app(tmp_path_factory, shared_index):
    base = tmp_path_factory.mktemp("perimeter")
    shutil.copytree(shared_index, base / "index")
    shutil.copytree(SHARED_CORPUS, base / "notes")
    for f in (base / "notes").iterdir():
        f.chmod(0o644)
    port = free_port()
    net_log = base / "net.log"
    env = {**os.environ, "COACH_HOME": str(base / "home"), "COACH_ADAPT_EMBEDDER": "false",
           "COACH_AUTH": f"{USER}:{PASSWORD}", "COACH_NET_LOG": str(net_log),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "netguard"), os.environ.get("PYTHONPATH", "")])}
    for name in ("HF_HUB_OFFLINE", "GRADIO_ANALYTICS_ENABLED", "TRANSFORMERS_OFFLINE"):
        env.pop(name, None)  # the app must switch these off itself
    log = open(base / "ui.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "coach.cli", "ui", "--port", str(port), "--index",
                             str(base / "index"), "--corpus", str(base / "notes")],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    deadline = time.time() + 180
    while time.time() < deadline:
        assert proc.poll() is None, (base / "ui.log").read_text()[-2000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code < 500:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    yield {"url": f"http://127.0.0.1:{port}", "net_log": net_log}
    proc.terminate()
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


def test_nothing_reaches_the_network_from_start_to_page(session, app):
    assert session.get("/").status_code == 200
    assert session.get("/gradio_api/info").status_code == 200
    outbound = app["net_log"].read_text() if app["net_log"].exists() else ""
    assert outbound == "", outbound
