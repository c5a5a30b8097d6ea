"""Answers through an OpenAI-compatible server: llama-cpp-python's own server on 127.0.0.1 with the
packaged SmolLM2, asked through the CLI and the app; a server that is down, slow or in error
gets one line and the answer still comes from the notes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from coach.engines.packaged import small_llm
from helpers import ROOT, run_cli, free_port

pytestmark = pytest.mark.slow


def wait_for(url: str, proc, log, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        assert proc.poll() is None, log.read_text()[-2000:]
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not come up: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(small_llm()),
                                 "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--seed", "0"],
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    wait_for(url + "/models", proc, log)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_cli_answers_through_the_server(llm_server, shared_index):
    env = {"COACH_INDEX": str(shared_index), "COACH_ADAPT_EMBEDDER": "false", "COACH_LLM_URL": llm_server}
    out = run_cli("ask", "what is lora and why is it cheap", "--json", env=env, check=True)
    data = json.loads(out.stdout)
    assert data["covered"] and data["answer"] and data["model_error"] is None
    assert data["draft"]["raw"].strip()  # the server's model wrote the draft
    assert data["citations"]  # every shown sentence is cited to the notes


def test_app_answers_through_the_server(llm_server, shared_index, tmp_path):
    from gradio_client import Client

    port = free_port()
    log = tmp_path / "ui.log"
    env = {**os.environ, "COACH_LLM_URL": llm_server, "COACH_ADAPT_EMBEDDER": "false", "COACH_HOME": str(tmp_path)}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "coach.cli", "ui", "--port", str(port), "--index",
                                 str(shared_index)], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    try:
        wait_for(f"http://127.0.0.1:{port}/", proc, log)
        result = Client(f"http://127.0.0.1:{port}/", verbose=False).predict("what does deepspeed zero solve?",
                                                                           api_name="/ask")
        assert result["answer"] and "error" not in result and result["citations"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("setting, says", [
    ({"COACH_LLM_URL": "http://127.0.0.1:9/v1"}, "is not answering"),
    ({"COACH_LLM_TIMEOUT_S": "0.001"}, "did not answer within"),
    ({"COACH_LLM_PATH_SUFFIX": "/nope"}, "answered with an error (404"),
])
def test_a_down_slow_or_failing_server_gets_one_line(llm_server, shared_index, setting, says):
    url = llm_server.replace("/v1", "/nope/v1") if "COACH_LLM_PATH_SUFFIX" in setting else llm_server
    env = {"COACH_INDEX": str(shared_index), "COACH_ADAPT_EMBEDDER": "false", "COACH_LLM_URL": url,
           **{k: v for k, v in setting.items() if k != "COACH_LLM_PATH_SUFFIX"}}
    proc = run_cli("ask", "what is lora", env=env)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert says in proc.stderr, proc.stderr[-800:]
    assert "[1]" in proc.stdout  # the answer still comes from the notes, cited
