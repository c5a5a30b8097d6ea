"""Bad input and damaged files get one line that says what to do, never a traceback; nothing is lost."""

import json
import sqlite3

import pytest

from coach.errors import StoreDamaged, UsageError
from coach.evals.retrieval import load_gold
from coach.settings import Settings
from coach.practice.store import Store
from helpers import run_cli

pytestmark = pytest.mark.slow


def one_line_error(proc, *says):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr[-1500:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.startswith(("Warning", "WARNING"))]
    assert len(lines) <= 3, proc.stderr  # click adds a usage line to its own errors
    for s in says:
        assert s in proc.stderr, proc.stderr


@pytest.mark.parametrize("env, says", [
    ({"COACH_N_CTX": "64"}, "COACH_N_CTX=64"),
    ({"COACH_MAX_TOKENS": "4000", "COACH_N_CTX": "2048"}, "COACH_MAX_TOKENS=4000"),
    ({"COACH_TOP_K": "0"}, "COACH_TOP_K=0"),
    ({"COACH_TEMPERATURE": "hot"}, "COACH_TEMPERATURE=hot"),
])
def test_impossible_settings_are_refused_up_front(shared_index, env, says):
    one_line_error(run_cli("ask", "what is lora", env={"COACH_INDEX": str(shared_index), **env}), says)


@pytest.mark.parametrize("k", ["0", "-1", "100000"])
def test_search_k_is_checked(shared_index, k):
    one_line_error(run_cli("search", "lora", "-k", k, env={"COACH_INDEX": str(shared_index)}), "-k")


def test_search_k_defaults_to_the_setting(shared_index):
    env = {"COACH_INDEX": str(shared_index), "COACH_TOP_K": "3", "COACH_ADAPT_EMBEDDER": "false"}
    out = json.loads(run_cli("search", "lora", "--json", env=env, check=True).stdout)
    assert len(out["results"]) == 3


@pytest.mark.parametrize("content, says", [
    ('{"question": "q", "gold": {"source": "a.md"}}\n', '"gold" must be a non-empty list'),
    ('{"question": "q", "gold": [{"source": "a.md"}]}\n', '"any"'),
    ('{"question": "q"}\n', '"gold"'),
    ("not json\n", "is not JSON"),
    ("\n", "no gold lines"),
])
def test_gold_files_are_checked(tmp_path, content, says):
    path = tmp_path / "gold.jsonl"
    path.write_text(content)
    with pytest.raises(UsageError, match=says):
        load_gold(path)


def test_gold_file_not_utf8(tmp_path, shared_index):
    path = tmp_path / "gold.jsonl"
    path.write_bytes('{"question": "qué", "gold": []}'.encode("utf-16"))
    with pytest.raises(UsageError, match="not UTF-8"):
        load_gold(path)
    one_line_error(run_cli("eval", path, env={"COACH_INDEX": str(shared_index)}), "not UTF-8")


def test_a_damaged_history_is_named_kept_and_can_be_set_aside(tmp_path, shared_index):
    home = tmp_path / "home"
    home.mkdir()
    db = home / "coach.db"
    db.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreDamaged, match="coach.db is damaged.*--new-history"):
        Store(home)
    assert db.read_bytes().startswith(b"this is not")  # left as it is
    env = {"COACH_HOME": str(home), "COACH_INDEX": str(shared_index)}
    proc = run_cli("drill", "stats", env=env)
    one_line_error(proc, "coach.db is damaged", "--new-history")
    out = run_cli("drill", "--new-history", "stats", "--json", env=env, check=True)
    assert "kept the old history" in out.stderr and json.loads(out.stdout)["reviews"] == 0
    kept = [p for p in home.iterdir() if p.name.startswith("coach.db.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"this is not")


def _history_with_reviews(home, n=150):
    from fsrs import Rating

    from coach.practice.questions import Question

    store = Store(home)
    store.sync([Question(id="q1", question="What is LoRA?", reference="", source="a.md", topic="LoRA", heading="LoRA")])
    for k in range(n):
        store.review("q1", 0.8, Rating.Good, "LoRA trains low-rank adapters " * 5)
    with sqlite3.connect(home / "coach.db") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
        page = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'reviews'").fetchone()[0]
    return store, page, root


def test_a_damaged_reviews_page_is_one_line_in_every_drill_command(tmp_path, shared_index):
    """A damaged page of the reviews table once gave a 45-line traceback in drill stats/next/history/answer."""
    home = tmp_path / "home"
    _, page, root = _history_with_reviews(home)
    raw = bytearray((home / "coach.db").read_bytes())
    raw[(root - 1) * page:(root - 1) * page + 64] = b"\x0d" + b"\xee" * 63  # the table's root page header
    (home / "coach.db").write_bytes(bytes(raw))
    with pytest.raises(StoreDamaged, match="coach.db is damaged.*--new-history"):
        Store(home)
    env = {"COACH_HOME": str(home), "COACH_INDEX": str(shared_index), "COACH_ADAPT_EMBEDDER": "false"}
    real = json.loads(run_cli("drill", "list", "--json", env=env, check=True).stdout)[0]["id"]  # never opens it
    for args in (["stats"], ["next"], ["history", real], ["answer", real, "LoRA trains adapters"]):
        one_line_error(run_cli("drill", *args, env=env), "coach.db is damaged", "--new-history")


def test_a_malformed_history_and_an_empty_one_are_said(tmp_path):
    home = tmp_path / "home"
    Store(home)
    with sqlite3.connect(home / "coach.db") as db:
        db.execute("PRAGMA journal_mode=DELETE")
    raw = bytearray((home / "coach.db").read_bytes())
    raw[100:4096] = b"\xff" * 3996  # the schema page damaged, the header intact
    (home / "coach.db").write_bytes(bytes(raw))
    with pytest.raises(StoreDamaged, match="damaged"):
        Store(home)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "coach.db").write_bytes(b"")
    with pytest.raises(StoreDamaged, match="empty"):
        Store(empty)


def test_a_truncated_gguf_gets_one_line(tmp_path, shared_index):
    from coach.engines.packaged import small_llm

    good = small_llm()
    bad = tmp_path / "half.gguf"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    proc = run_cli("ask", "what is lora", "--llm", bad, env={"COACH_INDEX": str(shared_index),
                                                             "COACH_ADAPT_EMBEDDER": "false"})
    assert "damaged or incomplete" in proc.stderr or "damaged or incomplete" in proc.stdout, proc.stderr[-800:]
    assert "Traceback" not in proc.stderr


def test_a_huge_question_fits_the_context(coach):
    answer = coach.ask("why " * 5000 + "does LoRA train so few parameters?")
    text = "".join(v for k, v in answer.events() if k == "token")
    assert answer.model_error is None and answer.text and text is not None


def test_settings_doctest_still_builds():
    assert Settings.checked(top_k=3).top_k == 3


def test_file_names_with_control_characters_are_printed_escaped(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "evil\x1b[31mred\nname.md").write_text("# Zebra\nThe zebra protocol stripes requests.\n")
    (notes / "bin\x1b[2Jary.md").write_bytes(b"\x00\x01binary")
    env = {"COACH_INDEX": str(tmp_path / "index"), "COACH_ADAPT_EMBEDDER": "false"}
    out = run_cli("ingest", notes, env=env, check=True)
    assert "\x1b" not in out.stdout + out.stderr and "bin\\x1b[2Jary.md" in out.stderr
    found = run_cli("search", "zebra protocol", env=env, check=True)
    assert "\x1b" not in found.stdout and "evil\\x1b[31mred\\nname.md" in found.stdout


def test_ingest_json_stays_json_when_stderr_is_a_terminal(tmp_path):
    import os
    import pty
    import subprocess

    from helpers import COACH, ROOT

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\nLoRA trains adapters.\n")
    (notes / "b.md").write_bytes(b"\x00\x01binary")
    master, slave = pty.openpty()
    env = {**os.environ, "COACH_INDEX": str(tmp_path / "index"), "COACH_ADAPT_EMBEDDER": "false"}
    proc = subprocess.run([*COACH, "ingest", str(notes), "--json"], stdout=subprocess.PIPE, stderr=slave,
                          env=env, cwd=ROOT, timeout=300, text=True)
    os.close(slave)
    os.close(master)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["skipped"] == 1  # the skip note went to the terminal, not into the JSON


def test_a_long_question_in_a_small_context_is_fitted_not_failed(shared_index):
    env = {"COACH_INDEX": str(shared_index), "COACH_ADAPT_EMBEDDER": "false", "COACH_N_CTX": "512",
           "COACH_MAX_TOKENS": "100"}
    out = run_cli("ask", "what is lora and why is it cheap? " * 250, "--json", env=env, check=True)
    data = json.loads(out.stdout)
    assert data["model_error"] is None and data["draft"]["raw"].strip()  # the model ran on a fitted prompt


def test_an_empty_question_asks_for_one(tmp_path, shared_index):
    """`coach ask ""` once answered "your notes don't cover this"."""
    env = {"COACH_INDEX": str(shared_index), "COACH_ADAPT_EMBEDDER": "false"}
    for q in ("", "   "):
        one_line_error(run_cli("ask", q, env=env), "Ask a question")


def test_terminal_escapes_in_notes_are_shown_not_obeyed(tmp_path):
    """A question in the notes held an escape sequence that set the terminal's title."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "evil.md").write_text("# Evil\n\n## What is \x1b]0;pwned\x07LoRA?\nLoRA trains small low-rank adapters.\n")
    env = {"COACH_INDEX": str(tmp_path / "index"), "COACH_ADAPT_EMBEDDER": "false", "COACH_HOME": str(tmp_path / "h")}
    run_cli("ingest", notes, env=env, check=True)
    out = run_cli("drill", "list", env=env, check=True).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;pwned\\x07LoRA" in out  # shown, escaped


def test_an_index_built_with_another_embedding_model_is_named_not_searched(tmp_path, shared_index):
    import shutil

    from coach.embed.embedder import resolve_embed_model

    other = tmp_path / "my-minilm"  # the same weights in another folder: another model as far as the index knows
    shutil.copytree(resolve_embed_model(None), other)
    for command in (("search", "lora"), ("ask", "what is lora")):
        proc = run_cli(*command, env={"COACH_INDEX": str(shared_index), "COACH_EMBED_MODEL": str(other)})
        one_line_error(proc, "was built with the default all-MiniLM-L6-v2", "my-minilm (384-d)", "coach ingest")
