"""No call leaves this machine from any command, watched below Python: strace sees every
process's connect/sendto/sendmsg, so a C library's traffic (ONNX Runtime's telemetry lookup,
llama.cpp, tokenizers) counts as much as Python's."""

from __future__ import annotations

import os
import shutil

import pytest

from helpers import OFFLINE_SWITCHES, ROOT, outbound, run_cli, strace_prefix

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (make browser-deps)")]


@pytest.fixture
def bare_env(tmp_path):
    """The environment of a user who never heard of HF_HUB_OFFLINE or ORT_DISABLE_TELEMETRY."""
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_SWITCHES}
    env["COACH_HOME"] = str(tmp_path / "home")
    return env


def _quiet(tmp_path, env, *args, timeout=300):
    trace = tmp_path / f"{args[0]}.trace"
    proc = run_cli(*args, env=env, timeout=timeout, prefix=strace_prefix(trace), inherit=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert trace.exists() and trace.stat().st_size > 0, "strace wrote nothing: the trace proves nothing"
    return outbound(trace)


def test_ingest_search_ask_and_drill_stay_on_this_machine(tmp_path, bare_env):
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "corpus", notes)  # the starter notes: small, so the trace stays short
    index = tmp_path / "index"
    bare_env["COACH_ADAPT_EMBEDDER"] = "false"
    calls = {
        "ingest": _quiet(tmp_path, bare_env, "ingest", notes, "--index", index),
        "search": _quiet(tmp_path, bare_env, "search", "how does LoRA work", "--index", index),
        "ask": _quiet(tmp_path, bare_env, "ask", "explain LoRA to me", "--index", index),
        "drill": _quiet(tmp_path, {**bare_env, "COACH_INDEX": str(index)}, "drill", "next"),
    }
    assert calls == {name: [] for name in calls}, calls
