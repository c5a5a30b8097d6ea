"""A drill answered out loud, end to end on the real notes: the packaged Whisper transcribes
espeak-ng's speech, the answer is graded like a typed one, its delivery is stored with the review
(migration m005) and a weak delivery brings the card back sooner."""

from __future__ import annotations

import json
import sqlite3

import pytest
from fsrs import Rating

from coach.app import Coach
from coach.practice.drill import sooner
from coach.practice.grading import rating_for
from coach.practice.store import MIGRATIONS, Store
from coach.settings import Settings
from helpers import run_cli
from speech_maker import needs_espeak, speak

pytestmark = [pytest.mark.slow, needs_espeak]

LORA = "107a14e9b13f"  # "What is LoRA?" in ../shared/corpus (ids are stable across ingests)
SPOKEN = ["Um, so LoRA is low rank adaptation. It freezes the original model, uh, and adds small adapter matrices "
          "that are trained.", "You know, basically only 97 percent of the parameters are trained, and the results "
          "are nearly as good as full fine-tuning."]


@pytest.fixture
def voice_coach(shared_index, embedder, tmp_path):
    c = Coach(Settings(index=shared_index, home=tmp_path / "home"))
    c.__dict__["embedder"] = c.__dict__["base_embedder"] = embedder
    return c


def test_a_spoken_answer_is_graded_and_its_delivery_kept(voice_coach, tmp_path):
    wav, starts = speak(tmp_path / "lora.wav", SPOKEN, rate=150, gaps=[2.0])
    d = voice_coach.drill
    assert d.question(LORA).question == "What is LoRA?"
    heard = d.listen(LORA, wav)
    assert "LoRA" in heard["transcript"] and "matrices" in heard["transcript"]  # LoRA: the notes' spelling
    assert {f["word"] for f in heard["fillers"]} >= {"um", "uh", "you know", "basically"}
    assert len(heard["pauses"]) == 1 and abs(heard["pauses"][0]["at_s"] - starts[0]) <= 0.4
    assert heard["kind"] == "technical" and any(line.startswith("Length:") for line in heard["lines"])
    r = d.answer(LORA, heard["transcript"], delivery=heard)
    assert r["score"] >= 0.4, r
    # the number said is checked against the note: "only train ~0.1-1% of total parameters"
    assert "you said 97%; your notes say 0.1-1%" in r["not_in_notes"], r["not_in_notes"]
    kept = d.history(LORA)[-1]["delivery"]
    assert kept["wpm"] == heard["wpm"] and kept["fillers"] == heard["fillers"] and kept["weak"] == heard["weak"]
    shown = d.stats()["delivery"]
    assert len(shown) == 1 and shown[0]["fillers_per_min"] == heard["fillers_per_min"]
    # short (under 15 s of a 30-90 s answer) and full of fillers: weak, so one FSRS step sooner
    assert heard["weak"]
    with sqlite3.connect(d.store.path) as db:
        rating = db.execute("SELECT rating FROM reviews ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert rating == int(sooner(rating_for(r["score"])))


def test_sooner_steps_down_to_again():
    assert [sooner(r) for r in (Rating.Easy, Rating.Good, Rating.Hard, Rating.Again)] == \
        [Rating.Good, Rating.Hard, Rating.Again, Rating.Again]


def test_the_delivery_migration_keeps_older_history(tmp_path):
    db = sqlite3.connect(tmp_path / "coach.db")
    for n, migration in enumerate(MIGRATIONS[:4], start=1):
        migration(db)
        db.execute(f"PRAGMA user_version = {n}")
    db.execute("INSERT INTO cards VALUES ('c1', 'What is LoRA?', 'a.md', 'LoRA', '{}', '2026-01-01', '')")
    db.execute("INSERT INTO reviews (card_id, at, score, rating, answer, seconds) VALUES ('c1', '2026-01-01', 0.5, 2, 'x', NULL)")
    db.commit()
    db.close()
    store = Store(tmp_path)
    assert store.history("c1") == [{"at": "2026-01-01", "score": 0.5, "answer": "x", "seconds": None, "delivery": None}]
    assert store.deliveries() == []


def test_drill_answer_audio_on_the_command_line(shared_index, tmp_path):
    wav, _ = speak(tmp_path / "lora.wav", SPOKEN, rate=150, gaps=[2.0])
    env = {"COACH_INDEX": str(shared_index), "COACH_HOME": str(tmp_path / "home")}
    out = run_cli("drill", "answer", LORA, "--audio", wav, "--json", env=env, check=True)
    r = json.loads(out.stdout)
    assert {"transcript", "duration_s", "wpm", "fillers", "pauses", "hedges", "score", "delivery"} <= set(r)
    assert all(set(f) == {"word", "at_s"} for f in r["fillers"]) and all(set(p) == {"at_s", "length_s"} for p in r["pauses"])
    plain = run_cli("transcribe", wav, env=env, check=True).stdout
    assert "Pace:" in plain and "Fillers:" in plain and "Pauses of 1.5 s or more: 1" in plain
    graded = run_cli("drill", "answer", LORA, "--audio", wav, env=env, check=True).stdout
    assert "you said: " in graded and "check: you said 97%; your notes say 0.1-1%" in graded
    assert "delivery: Fillers:" in graded and "delivery: weak — this question comes back sooner" in graded
    # bad audio: one line, exit 2, nothing stored
    fake = tmp_path / "answer.mp3"
    fake.write_text("not a recording")
    bad = run_cli("drill", "answer", LORA, "--audio", fake, env=env)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "not audio" in bad.stderr
    assert len(Store(tmp_path / "home").history(LORA)) == 2  # the two graded answers, not the bad one
    both = run_cli("drill", "answer", LORA, "text too", "--audio", wav, env=env)
    assert both.returncode == 2 and "one of the two" in both.stderr
