"""What a user reads must read well, whatever the model writes: no lead-in without its list, no
sentence twice, no question or markdown, no opening that points at nothing, stories in order,
arithmetic and quotes shown as written. Real notes, the real embedder and retrieval; a scripted
engine writes the draft, so these hold with any model (the real-model tests cover the engine)."""

import json

import pytest

from coach.answer.compose import REPEAT_SIM, announces, points_back
from coach.answer.pipeline import AnswerPipeline
from coach.search.retrieve import covers
from helpers import ROOT

QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "tests" / "data" / "dev_answers.jsonl").read_text()
             .splitlines() if "history" not in json.loads(line)] + [
    "explain LoRA to me", "what's the difference between prompt tuning and prefix tuning",
    "tell me about a time I disagreed with my team", "how do you detect hallucination in llm outputs",
    "what are the weaknesses of averaging the 12 panel features in my ECG model",
    "how do you keep a finetuned llm from losing what it already knew", "how would i know my rag thing is actually working",
    "how do i handle missing values",
]
# a draft full of what a weak model writes: a question, markdown, a hanging lead-in, a repeat
DRAFT = ("Why does QLoRA matter? 3. **Modular & reusable Adapters**: Here's what they have in common: "
         "LoRA trains small adapter matrices. LoRA trains small adapter matrices.")


def _ask(coach, fake_engine, question):
    fake_engine.reply = DRAFT
    return AnswerPipeline(coach.searcher.search, fake_engine, coach.base_embedder, coach.settings).ask(question)


@pytest.fixture(scope="module")
def answers(coach):
    from conftest import FakeEngine

    engine = FakeEngine()
    return {q: _ask(coach, engine, q) for q in QUESTIONS}


def test_no_question_markdown_or_hanging_lead_in_is_shown(answers, coach):
    from coach.answer.readability import defects

    for q, a in answers.items():
        shown = a.sentences
        for k, s in enumerate(shown):
            text = s.text.strip()
            assert not text.endswith("?"), (q, text)
            assert "**" not in text and not text.startswith(("#", "|", "- ")), (q, text)
            if announces(text):  # a lead-in is said with what it leads into, right after it
                assert s.origin == "notes" and k + 1 < len(shown) and shown[k + 1].unit == s.unit + 1, (q, text)
        assert defects(a, coach.base_embedder) == [], q


def test_no_sentence_is_said_twice_even_in_other_words(answers, coach):
    for q, a in answers.items():
        texts = [s.text for s in a.sentences]
        assert len(texts) == len(set(texts)), q
        if len(texts) > 1:
            vecs = coach.base_embedder.encode(texts)
            sims = vecs @ vecs.T
            for i in range(len(texts)):
                for j in range(i):
                    assert sims[i, j] < REPEAT_SIM, (q, texts[j], texts[i])


def test_an_opening_that_points_back_follows_what_it_points_to(answers):
    for q, a in answers.items():
        shown = a.sentences
        for k, s in enumerate(shown):
            if s.origin != "notes" or not points_back(s.text):
                continue
            before = a.checker.units[s.unit - 1] if s.unit else None
            assert before is not None and (before.kind == "question" or (
                k > 0 and shown[k - 1].unit == s.unit - 1)), (q, s.text)


def test_a_story_is_told_from_its_start_in_order(answers):
    text = answers["tell me about a time I disagreed with my team"].text
    marks = [text.find(m) for m in ("Situation", "Task", "Action", "Result")]
    assert all(m >= 0 for m in marks) and marks == sorted(marks), text
    assert text.startswith("S – Situation I was part of a team"), text


def test_a_question_naming_the_notes_terms_is_covered(answers, coach):
    a = answers["what are the weaknesses of averaging the 12 panel features in my ECG model"]
    assert a.covered and a.citations[0]["source"] == "002_3311060c06bf2bdb.txt"
    assert "averaging destroys panel-specific patterns" in a.text
    far = coach.search("how do I bake sourdough bread at home?", 5)
    assert not covers(far, coach.settings.min_relevance, "how do I bake sourdough bread at home?")


def test_arithmetic_and_repaired_quotes_are_shown_as_written(coach, answers):
    batch = [a for q, a in answers.items() if "batch size" in q][0]
    assert "12*3*128*128 = 6M pixels" in batch.text
    assert not any("†" in c.text or "\ufffd" in c.text for c in coach.index.chunks)
    assert any('act as "task-specific context" that influence' in c.text for c in coach.index.chunks)


def test_the_opening_says_what_must_follow_it_before_any_draft(coach, answers):
    """With a real model a replacement once came between "Both are PEFT techniques..." and the
    "Instead, they inject..." that points back at it."""
    from coach.answer.compose import lead_group

    a = answers["what's the difference between prompt tuning and prefix tuning"]
    lead = [a.checker.units[i].text for i in lead_group(a.checker, a.picks)]
    assert [t[:22] for t in lead[:2]] == ["Both are Parameter-Eff", "Instead, they inject s"]
    assert [s.text[:22] for s in a.sentences[:2]] == ["Both are Parameter-Eff", "Instead, they inject s"]


def test_how_to_questions_get_the_ways_not_the_definition(answers):
    """"How do I prevent / measure X" is answered with the remedies and the metrics the section
    gives, which notes usually put after the topic's definition."""
    forgetting = answers["how do you keep a finetuned llm from losing what it already knew"]
    assert "keeping base weights frozen" in forgetting.text, forgetting.text
    assert "it can forget previously learned knowledge" not in forgetting.sentences[0].text, forgetting.text
    rag = answers["how would i know my rag thing is actually working"]
    assert "Recall@k" in rag.text and "BLEU" in rag.text, rag.text
    missing = answers["how do i handle missing values"]
    assert "imputation" in missing.text.lower(), missing.text
