"""The command line as a user meets it: streamed answers offline, one-line errors."""

import json
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest

from helpers import COACH, ROOT, run_cli

pytestmark = pytest.mark.slow


def assert_one_line_error(proc, *words):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for w in words:
        assert w in lines[0]


def test_ask_offline_streams_cited_answer(shared_index):
    prefix = ("unshare", "-n") if shutil.which("unshare") else ()
    proc = run_cli("ask", "explain LoRA to me", "--index", shared_index, "--json", prefix=prefix, check=True)
    *streamed, last = proc.stdout.strip().splitlines()
    data = json.loads(last)
    assert data["standalone_query"] == "explain LoRA to me"
    assert data["sources"] and all({"source", "heading"} <= set(s) for s in data["sources"])
    assert data["answer"] and all(c["n"] <= len(data["sources"]) for c in data["citations"])
    assert data["citations"] and "⚠" not in data["answer"]
    assert all(s["supported"] and s["citations"] for s in data["sentences"])
    assert data["draft"]["raw"] and {"text", "sentences"} <= set(data["draft"])

    text = run_cli("ask", "explain LoRA to me", "--index", shared_index, "--draft", prefix=prefix, check=True).stdout
    answer_part, _, rest = text.partition("Model's draft")
    assert "⚠" not in answer_part and "[1]" in answer_part
    assert rest and "Sources:" in rest
    assert "[1] 003_8b1fafab6b5431bf.txt" in text or "[1] 004_c435e3b4ff183602.txt" in text


def test_eval_answers_scores_grounded_answers(shared_index, tmp_path):
    from helpers import ROOT

    gold = tmp_path / "few.jsonl"
    lines = (ROOT / "tests" / "data" / "dev_answers.jsonl").read_text().splitlines()
    gold.write_text("\n".join(lines[:4] + lines[-2:]) + "\n")  # four questions and two follow-ups
    proc = run_cli("eval", "--answers", gold, "--index", shared_index, "--json", check=True)
    data = json.loads(proc.stdout)
    m = data["summary"]
    assert m["questions"] == 6 and len(data["questions"]) == 6
    assert m["supported_share"] >= 0.95 and m["supported_per_answer"] >= 2
    assert m["gold_cited"] >= 0.8 and m["gold_coverage"] >= 0.5
    follow = data["questions"][-1]
    assert follow["standalone_query"] == "what problems does deepspeed zero solve?"
    assert_one_line_error(run_cli("eval", "--index", shared_index), "--answers")


def test_errors_are_one_line_with_the_fix(tmp_path, shared_index):
    assert_one_line_error(run_cli("search", "lora", "--index", tmp_path / "none"), "coach ingest")

    broken = tmp_path / "broken"
    shutil.copytree(shared_index, broken)
    live = broken / (broken / "CURRENT").read_text()
    (live / "chunks.jsonl").write_text((live / "chunks.jsonl").read_text()[:1000])
    assert_one_line_error(run_cli("search", "lora", "--index", broken), "coach ingest --rebuild")

    assert_one_line_error(
        run_cli("ask", "explain LoRA", "--index", shared_index, "--llm", tmp_path / "missing.gguf"), "--llm"
    )
    fake = tmp_path / "fake.gguf"
    fake.write_text("not a model")
    assert_one_line_error(run_cli("ask", "explain LoRA", "--index", shared_index, "--llm", fake), "GGUF")

    (tmp_path / "empty").mkdir()
    assert_one_line_error(run_cli("ingest", tmp_path / "empty", "--index", tmp_path / "i1"), "No notes")
    assert_one_line_error(run_cli("ingest", tmp_path / "nope", "--index", tmp_path / "i2"), "No such file")
    assert_one_line_error(run_cli("search", "--index", shared_index), "QUERY")
    assert_one_line_error(run_cli("eval", tmp_path / "nope.jsonl", "--index", shared_index), "gold")


def test_ingest_json_summary_and_noop(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# LoRA\nLow-rank adapters.\n")
    (notes / "b.bin.txt").write_bytes(b"\x00\x01\x02")
    first = json.loads(run_cli("ingest", notes, "--index", tmp_path / "idx", "--json", check=True).stdout)
    assert set(first) == {"files", "added", "changed", "removed", "unchanged", "skipped", "chunks", "adapted",
                          "seconds", "repaired"}
    assert (first["files"], first["added"], first["skipped"], first["chunks"]) == (2, 1, 1, 1)
    again = json.loads(run_cli("ingest", notes, "--index", tmp_path / "idx", "--json", check=True).stdout)
    assert (again["added"], again["unchanged"], again["skipped"]) == (0, 1, 1)


def test_chat_ctrl_c_stops_the_answer_not_the_conversation(shared_index):
    proc = subprocess.Popen([*COACH, "chat", "--index", str(shared_index)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    out: list[str] = []
    threading.Thread(target=lambda: out.extend(iter(lambda: proc.stdout.read(1), "")), daemon=True).start()

    def wait_for(text: str, count: int = 1, timeout: float = 180) -> None:
        deadline = time.time() + timeout
        while "".join(out).count(text) < count:
            assert time.time() < deadline and proc.poll() is None, f"no {text!r}: {''.join(out)[-800:]}"
            time.sleep(0.05)

    try:
        wait_for("you> ")
        proc.stdin.write("explain LoRA to me\n")
        proc.stdin.flush()
        wait_for("coach> ")
        proc.send_signal(signal.SIGINT)  # the notes' first sentence is said at once; the model is reading its prompt
        wait_for("you> ", 2)
        proc.stdin.write("and what are its drawbacks?\n\n")
        proc.stdin.flush()
        assert proc.wait(timeout=180) == 0, proc.stderr.read()[-1500:]
    finally:
        proc.kill()
    shown = "".join(out)
    first, second = shown.split("you> ")[1:3]
    assert "(stopped)" in first and "Sources:" in first.split("(stopped)")[1]  # stopped, its sources still shown
    assert "(searching:" in second and "lora" in second.split("(searching:")[1].splitlines()[0].lower()  # topic kept
    assert "coach> " in second and "Sources:" in second and "(stopped)" not in second  # nothing swallowed
