"""The word-by-word soft match (coach.search.soft_match) on the real notes, model and index."""

import numpy as np
import pytest

from coach.app import Coach
from coach.search.soft_match import CACHED, SoftMatcher
from coach.settings import Settings
from coach.types import Chunk
from helpers import ROOT

# (question, a phrase of the passage that answers it): keyword and vector search alone rank that
# passage lower; the soft match lifts it into the top 3. The first was written for this suite after
# the method was chosen; the other two are from the style set's tune half (s10, s11).
LIFTED = [
    ("the xgboost story where the trees were made deeper and then the folds disagreed", "increased `max_depth`"),
    ("in my interview prep for the networking company, when did I say to go with retrieval instead of training",
     "you want instant updates"),
    ("when to pick full fine tunning over adapters", "you need maximum quality (and have budget)"),
]


def _rank(coach, question: str, phrase: str) -> int | None:
    hits = coach.search(question, 10)
    return next((i + 1 for i, h in enumerate(hits) if phrase.lower() in h.chunk.text.lower()), None)


@pytest.fixture(scope="module")
def without(shared_index, embedder):
    """The same index and model, keyword and vector search alone (COACH_SOFT_MATCH=false)."""
    c = Coach(Settings(index=shared_index, soft_match=False))
    c.__dict__["embedder"] = c.__dict__["base_embedder"] = embedder
    return c


@pytest.mark.slow
@pytest.mark.parametrize("question,phrase", LIFTED)
def test_a_passage_that_says_the_question_in_other_words_is_lifted(coach, without, question, phrase):
    assert coach.settings.soft_match and coach.searcher.soft is not None  # on by default
    before, after = _rank(without, question, phrase), _rank(coach, question, phrase)
    assert after is not None and after <= 3, (before, after)
    assert before is None or before > after, (before, after)


@pytest.mark.slow
def test_the_style_sets_tune_half_ranks_better_and_loses_nothing_from_its_top_5(coach, without):
    gold = ROOT / "tests" / "data" / "style_questions.jsonl"
    rows_off, off = without.evaluate(gold, half="tune")
    rows_on, on = coach.evaluate(gold, half="tune")
    assert on["mrr@10"] > off["mrr@10"] and on["recall@5"] > off["recall@5"], (off, on)
    top5_off = {r["id"] for r in rows_off if r["rank"] and r["rank"] <= 5}
    top5_on = {r["id"] for r in rows_on if r["rank"] and r["rank"] <= 5}
    assert top5_off <= top5_on, top5_off - top5_on


class _Counting:
    """A stand-in embedder that counts the passages it is asked for (the cache's unit test; the
    real model runs the same path in the tests above)."""

    def __init__(self):
        self.passages = 0

    def token_vectors(self, texts, max_tokens=None):
        self.passages += len(texts)
        rng = np.random.default_rng(len(texts))
        return [rng.standard_normal((3, 4)).astype(np.float32) for _ in texts]


def test_passages_are_embedded_once_and_the_cache_stays_bounded():
    chunks = [Chunk(f"c{i}", "n.md", (f"T{i}",), "", f"text {i}", 1, 2) for i in range(CACHED + 40)]
    fake = _Counting()
    soft = SoftMatcher(fake, chunks)
    ranked = [(1.0 - i / 100, i) for i in range(20)]
    soft.rerank("q", ranked, list(range(len(chunks))))
    asked = fake.passages
    soft.rerank("another question", ranked, list(range(len(chunks))))
    assert asked == 1 + soft.depth and fake.passages == asked + 1  # the second search: its question only
    for start in range(0, len(chunks), soft.depth):
        soft.rerank("q", [(1.0, p) for p in range(start, min(start + soft.depth, len(chunks)))],
                    list(range(len(chunks))))
    assert len(soft._cache) == CACHED
