"""Practice mode on the real notes and model: questions, grading, scheduling, persistence, points."""

import json
from datetime import timedelta

import pytest

from coach.app import Coach
from coach.practice.grading import grade, key_points, rating_for
from coach.practice.questions import extract
from coach.settings import Settings
from coach.practice.store import Store, now
from helpers import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
def drill_coach(shared_index, embedder, tmp_path):
    c = Coach(Settings(index=shared_index, home=tmp_path / "home"))
    c.__dict__["embedder"] = c.__dict__["base_embedder"] = embedder
    return c


def test_questions_found_in_every_style(drill_coach):
    qs = list(drill_coach.drill.questions.values())
    assert len(qs) > 200
    texts = {q.question for q in qs}
    assert "Why did you choose LoRA over full fine-tuning?" in texts  # 1. "quoted" heading
    assert "Tell me about your Medical AI Classification project." in texts  # **Q1: "..."**
    assert any(t.startswith("Why use ConvTranspose1d") for t in texts)  # plain-text Q:/A:
    assert any(t.startswith("How does LightGBM work") for t in texts)  # #### Q: heading
    q = next(q for q in qs if q.question.startswith("Why use ConvTranspose1d"))
    assert q.source == "002_3311060c06bf2bdb.txt" and q.reference.startswith("ConvTranspose1d")
    assert "SECTION 1" in q.topic
    # ids are stable: extracting again from the same chunks gives the same ids
    assert [x.id for x in extract(drill_coach.index.chunks)] == [x.id for x in qs]


def test_grading_orders_non_answer_partial_and_reference(drill_coach, embedder):
    q = next(q for q in drill_coach.drill.questions.values() if q.question.startswith("How did you handle the lack of real medical data"))
    points = key_points(q.reference, q.question)
    assert len(points) >= 3
    nothing = grade("I don't know.", q.reference, embedder, q.question)
    partial = grade("I generated 200 synthetic examples following medical education standards.", q.reference, embedder,
                    q.question)
    full = grade(q.reference, q.reference, embedder, q.question)
    assert nothing.score <= 0.1
    assert full.score >= 0.9
    assert nothing.score < partial.score < full.score
    assert partial.covered and partial.missed


def test_schedule_brings_weak_answers_back_sooner(tmp_path, drill_coach):
    qs = list(drill_coach.drill.questions.values())[:2]
    store = Store(tmp_path / "sched")
    store.sync(qs)
    t = now()
    weak = store.review(qs[0].id, 0.1, rating_for(0.1), "no idea", at=t)
    strong = store.review(qs[1].id, 0.95, rating_for(0.95), "all of it", at=t)
    assert weak < strong
    assert weak - t <= timedelta(minutes=15) and strong - t >= timedelta(days=1)
    # the weak card is the next one due, once its short interval has passed
    assert store.next_due(at=weak + timedelta(seconds=1))["id"] == qs[0].id


def test_drill_persists_across_processes(tmp_path, shared_index):
    env = {"COACH_HOME": str(tmp_path / "home"), "COACH_INDEX": str(shared_index)}
    listed = json.loads(run_cli("drill", "list", "--json", "--topic", "ECG", env=env, check=True).stdout)
    assert listed and all({"id", "question", "source", "topic"} == set(q) for q in listed)
    nxt = json.loads(run_cli("drill", "next", "--json", env=env, check=True).stdout)
    assert set(nxt) == {"id", "question", "source", "topic", "due"}
    result = json.loads(run_cli("drill", "answer", nxt["id"], "I don't know", "--json", env=env, check=True).stdout)
    assert set(result) == {"score", "covered", "partial", "missed", "reference", "feedback", "follow_up", "next_due",
                           "star", "seconds", "history", "not_in_notes", "delivery"}
    assert result["score"] <= 0.3 and result["follow_up"] and result["delivery"] is None  # typed, not spoken
    stats = json.loads(run_cli("drill", "stats", "--json", env=env, check=True).stdout)  # a new process
    assert stats["reviews"] == 1 and stats["streak_days"] == 1 and stats["delivery"] == []
    assert stats["topics"][nxt["topic"]]["reviewed"] == 1
    bad = run_cli("drill", "answer", "nope", "text", env=env)
    assert bad.returncode != 0 and "coach drill list" in bad.stderr and "Traceback" not in bad.stderr


def test_hint_history_timer_and_star(drill_coach):
    d = drill_coach.drill
    q = next(q for q in d.questions.values() if q.question.startswith("Tell me about a challenging technical problem"))
    hint = d.hint(q.id)
    assert hint and hint in q.reference.replace("**", "") or hint.rstrip(".") in q.reference
    assert hint != q.reference  # a nudge, not the answer
    first = d.answer(q.id, "I made the model faster.", seconds=42.5)
    # behavioural question: the STAR check says what is missing
    assert first["star"]["parts"] == {"situation": False, "task": False, "action": True, "result": False}
    assert len(first["star"]["advice"]) == 3
    second = d.answer(q.id, "In my medical classifier project, inference took 2-3 seconds. I needed to cut latency. "
                            "I reduced TF-IDF features and cached the model. Prediction time dropped by 90%.")
    assert all(second["star"]["parts"].values()) and second["star"]["advice"] == []
    history = d.history(q.id)
    assert [h["seconds"] for h in history] == [42.5, None]
    assert history[1]["score"] > history[0]["score"]
    # a knowledge question gets no STAR check
    k = next(q for q in d.questions.values() if q.question.startswith("Explain batch normalization"))
    assert d.answer(k.id, "It normalizes activations.")["star"] is None
    with pytest.raises(Exception, match="empty"):
        d.answer(k.id, "   ")
