"""Reviews are never lost under concurrency: six processes reviewing one card at once move its
schedule six times, exactly as six reviews one after the other do."""

import json
import multiprocessing as mp
import sqlite3
from datetime import datetime, timezone

from fsrs import Rating

from coach.practice.questions import Question
from coach.practice.store import Store

AT = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
CARD = Question(id="q1", question="What is LoRA?", reference="", source="a.md", topic="LoRA", heading="LoRA")


def _review(home, start):
    start.wait()
    Store(home).review("q1", 0.9, Rating.Good, "LoRA trains low-rank adapters", at=AT)


def _schedule(home):
    with sqlite3.connect(home / "coach.db") as db:
        fsrs, due = db.execute("SELECT fsrs, due FROM cards WHERE id = 'q1'").fetchone()
        reviews = db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    return json.loads(fsrs), due, reviews


def test_six_processes_reviewing_one_card_move_it_six_times(tmp_path):
    together, in_turn = tmp_path / "together", tmp_path / "in-turn"
    for home in (together, in_turn):
        Store(home).sync([CARD])
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_review, args=(together, start)) for _ in range(6)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    store = Store(in_turn)
    for _ in range(6):
        store.review("q1", 0.9, Rating.Good, "LoRA trains low-rank adapters", at=AT)
    got, want = _schedule(together), _schedule(in_turn)
    assert got[2] == want[2] == 6
    assert got[1] == want[1] and got[0]["stability"] == want[0]["stability"]
