"""The default model a user gets (Qwen2.5-Coder-0.5B, packaged), answering for real: each unit
it restates is shown only when the restatement holds to that unit, and what it shows reads well."""

import pytest

from coach.answer.readability import defects
from coach.answer.verbalize import holds

pytestmark = pytest.mark.slow

QUESTIONS = ["explain LoRA to me", "how does deepspeed zero save gpu memory",
             "tell me about a time I disagreed with my team"]


@pytest.fixture(scope="module")
def answers(default_coach):
    out = {}
    for q in QUESTIONS:
        a = default_coach.ask(q)
        a.text  # noqa: B018  reads the whole stream
        out[q] = a
    return out


def test_every_shown_sentence_holds_to_its_own_unit(answers, default_coach):
    for q, a in answers.items():
        assert a.covered and a.model_error is None, q
        assert a.sentences and all(s.supported and s.citations and holds(s, a.checker) for s in a.sentences), q
        assert defects(a, default_coach.base_embedder) == [], q
        assert len(a.sentences) == len({s.unit for s in a.sentences})  # no unit said twice


def test_the_default_model_restates_and_its_refusals_stay_in_the_draft(answers):
    judged = [d for a in answers.values() for d in a.draft_sentences]
    shown = [s for a in answers.values() for s in a.sentences if s.origin == "model"]
    assert judged and shown, "the default model restated nothing that held"
    for d in judged:
        assert d.supported == (d.reason == "")
    for a in answers.values():
        assert len(a.prompts) == len(a.draft_sentences)  # one prompt per restated unit
        for messages, options in a.prompts:
            assert options["repeat_penalty"] == 1.0 and options["max_tokens"] <= 200
