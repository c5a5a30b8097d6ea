"""Hybrid search quality on the real notes and the dev questions."""

import json

import pytest

from coach.search.hybrid import relative_scores
from helpers import DEV_QUESTIONS, run_cli


def test_relative_scores_keep_the_margin():
    scores = relative_scores({"a": 0.91, "b": 0.73, "c": 0.70})
    assert scores["a"] == 1.0 and scores["c"] == 0.0
    assert scores["b"] == pytest.approx(0.03 / 0.21)
    assert relative_scores({"only": 0.4}) == {"only": 1.0}


@pytest.mark.slow
def test_dev_questions_meet_the_recall_targets(coach):
    _, m = coach.evaluate(DEV_QUESTIONS)
    assert m["questions"] == 30
    assert m["recall@1"] >= 0.90, m
    assert m["recall@5"] >= 0.95, m
    assert m["mrr@10"] >= 0.95, m


@pytest.mark.slow
def test_paraphrased_questions_find_their_notes(coach):
    # Worded unlike the notes, so neither the dev answers nor exact keywords carry them.
    cases = {
        "why might a model shine in training but flop on unseen data": "overfit",
        "how should I talk about money when the recruiter asks what I want to earn": "salary",
        "which ecg network did I pick for the image encoder and why": "resnet18",
    }
    for query, word in cases.items():
        top = " ".join(h.chunk.heading + " " + h.chunk.text for h in coach.search(query, 3)).lower()
        assert word in top, query


@pytest.mark.slow
def test_instruction_words_do_not_steer_keyword_search(coach):
    top = coach.search("explain LoRA to me", 1)[0]
    assert "LoRA" in top.chunk.heading and "Mixture of Experts" not in top.chunk.heading


@pytest.mark.slow
def test_cli_search_batch_and_eval(tmp_path, shared_index):
    queries = tmp_path / "q.txt"
    queries.write_text("what is peft\n\nadam vs sgd\n")
    proc = run_cli("search", "--batch", queries, "-k", "3", "--index", shared_index, check=True)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["what is peft", "adam vs sgd"]
    for line in lines:
        assert len(line["results"]) == 3
        assert set(line["results"][0]) >= {"source", "heading", "text", "score"}
    full = [c for c in lines[0]["results"] if "PEFT" in c["heading"]]
    assert full and len(full[0]["text"]) > 200  # the chunk's full text, not a snippet

    proc = run_cli("eval", DEV_QUESTIONS, "--index", shared_index, "--json", check=True)
    m = json.loads(proc.stdout)
    assert m["recall@1"] >= 0.9 and m["mrr@10"] >= 0.95
