"""The support check held to near-twin statements written from the shared notes
(tests/data/twin_statements.jsonl): each pair is a true restatement of one note and its false
twin (a property moved to the twin concept, a negation added or dropped, a number changed, two
table columns merged into one claim). The check sees the passages that hold both concepts, as
an answer does."""

import json

import pytest

from coach.answer.support import SupportChecker
from helpers import ROOT

def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / "tests" / "data" / name).read_text().splitlines()]


TWINS = _load("twin_statements.jsonl")
# written after the check's rules were fixed, never tuned on: the check must refuse every false
# twin; a true one it refuses is said in the notes' own words instead (kept share, not correctness)
HELD_OUT = _load("twin_statements_heldout.jsonl")


def test_the_twin_set_covers_the_near_twin_concepts():
    assert len(TWINS) >= 40 and len({t["id"] for t in TWINS}) == len(TWINS)
    concepts = {t["twins"] for t in TWINS}
    for pair in ("prompt vs prefix tuning", "bagging vs boosting", "L1 vs L2", "LayerNorm vs BatchNorm",
                 "data vs model parallelism", "LoRA vs QLoRA", "precision vs recall", "ZeRO stages",
                 "MCAR / MAR / MNAR", "MoE vs ensembles"):
        assert pair in concepts
    kinds = {t["kind"] for t in TWINS}
    assert {"property moved to the twin", "negation added", "changed number", "two table columns merged"} <= kinds


def _judge(coach, twins):
    refused, passed = [], []
    for t in twins:
        chunks = [c for c in coach.index.chunks
                  if any(n.lower() in f"{c.heading} {c.text}".lower() for n in t["notes"])]
        assert chunks, f"{t['id']}: no note holds {t['notes']}"
        passages = [{"source": c.source, "heading": c.heading, "text": c.text, "line_start": c.line_start}
                    for c in chunks]
        checker = SupportChecker(passages, coach.base_embedder, coach.settings.support_threshold)
        if not checker.check(t["true"]).supported:
            refused.append(f"{t['id']}: {t['true']}")
        if checker.check(t["false"]).supported:
            passed.append(f"{t['id']} ({t['kind']}): {t['false']}")
    return refused, passed


@pytest.mark.slow
def test_true_restatements_pass_and_false_twins_are_refused(coach):
    refused, passed = _judge(coach, TWINS)
    assert passed == [], "false twins shown as supported"
    assert refused == [], "true restatements refused"


@pytest.mark.slow
def test_held_out_false_twins_are_refused(coach):
    refused, passed = _judge(coach, HELD_OUT)
    assert len(HELD_OUT) >= 10 and passed == [], "false twins shown as supported"
    assert len(refused) <= len(HELD_OUT) // 2, refused  # measured: 4 of 10 true ones said in the notes' words
