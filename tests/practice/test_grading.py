"""The grader held to a calibration set written from ../shared/corpus: 52 (question, answer, band)
triples — the reference itself, a right one-sentence answer of the main point, a part answer,
"I don't know", an answer about something else."""

import json
from pathlib import Path

import pytest

from coach.practice.grading import grade, key_points

pytestmark = pytest.mark.slow
CALIBRATION = Path(__file__).parents[1] / "data" / "grading_calibration.jsonl"


def _rows():
    return [json.loads(line) for line in CALIBRATION.read_text().splitlines() if line.strip()]


def test_calibration_set_is_broad():
    rows = _rows()
    assert len(rows) >= 40
    kinds = {r["kind"] for r in rows}
    assert {"reference", "main point", "part", "don't know", "off topic"} <= kinds
    assert len({r["question"] for r in rows}) >= 10


def test_grader_scores_every_calibration_answer_in_its_band(coach):
    questions = list(coach.drill.questions.values())
    out_of_band = []
    for r in _rows():
        q = next(q for q in questions if q.question.startswith(r["question"].rstrip("?.")))
        answer = q.reference if r["answer"] is None else r["answer"]
        g = grade(answer, q.reference, coach.base_embedder, q.question)
        lo, hi = r["band"]
        if not lo <= g.score <= hi:
            out_of_band.append((r["kind"], r["question"], g.score, r["band"]))
    assert not out_of_band, out_of_band


def test_key_points_skip_headers_labels_lead_ins_and_the_question(coach):
    q = next(q for q in coach.drill.questions.values() if q.question.startswith("Why did you choose ResNet18"))
    points = key_points(q.reference, q.question)
    assert "ResNet18 provides good balance of expressiveness and efficiency." in points
    assert not any(p.rstrip(".").endswith(":") or p.startswith("ResNet18 considerations") for p in points)
    assert not any(p.startswith("Decision:") for p in points)
    q = next(q for q in coach.drill.questions.values() if q.question.startswith("How do you handle missing data"))
    assert not any(p.rstrip(" .").endswith(":") for p in key_points(q.reference, q.question))  # "Common Strategies:"
    assert key_points("What is L2?\nA penalty on squared weights.", "What is L2?") == ["A penalty on squared weights."]


def test_part_of_a_point_earns_part_credit(coach):
    q = next(q for q in coach.drill.questions.values() if q.question.startswith("Explain the bias-variance"))
    one = grade("Complex models like deep nets tend to have high variance.", q.reference, coach.base_embedder, q.question)
    two = grade("Complex models like deep nets have low bias but high variance, while simple models like linear "
                "regression have high bias but low variance.", q.reference, coach.base_embedder, q.question)
    assert 0 < one.score < two.score < 1
    assert one.partial or one.covered


def test_a_keyword_salad_is_not_an_answer(coach):
    q = next(q for q in coach.drill.questions.values() if q.question.startswith("Explain the bias-variance"))
    words = " ".join(sorted({w for w in q.reference.replace("\n", " ").split() if w.isalpha()}))
    salad = (words + " ") * (100_000 // (len(words) + 1))
    assert grade(salad[:4900], q.reference, coach.base_embedder, q.question).score <= 0.2
    with pytest.raises(Exception, match="not graded"):
        coach.drill.answer(q.id, salad)
    assert coach.drill.history(q.id) == []  # refused, not stored
