"""A question in a conversation -> (the query searched, hits), and the one rule for "covered".

A follow-up is searched as its standalone query and as the question alone, fused, so a topic
carried over from the conversation does not drown what the question itself asks.
"""

from __future__ import annotations

from typing import Callable

from coach.search.followup import rewrite
from coach.search.hybrid import fuse_hits
from coach.text import stems
from coach.types import Hit

FOLLOW_UP_WEIGHT = 0.75  # the standalone query's share when fused with the question alone
# Keyword evidence: a question that names the notes' own terms is covered by the passage that
# holds them even when its similarity falls a little short ("weaknesses of averaging the 12
# panel features in my ECG model" against the mean pooling fusion section, 0.34).
KEYWORD_MARGIN = 0.1  # how far below COACH_MIN_RELEVANCE keyword evidence may carry a question
KEYWORD_SHARE = 0.75  # share of the question's content words the best passage must hold
KEYWORD_MIN_WORDS = 3

Search = Callable[[str, int], list[Hit]]


def retrieve(search: Search, question: str, history: list[str] | None, k: int) -> tuple[str, list[Hit]]:
    """(standalone query, hits) for `question` after the earlier standalone queries `history`."""
    query = rewrite(question, history or [])
    if query == question.strip():
        return query, search(query, k)
    return query, fuse_hits(search(query, 2 * k), search(question, 2 * k), FOLLOW_UP_WEIGHT)[:k]


def covers(hits: list[Hit], min_relevance: float, query: str = "", topic: bool = False) -> bool:
    """The notes cover a question when its best passage is similar enough, or nearly so and
    holding most of the question's own words (at least three of them). With `topic`, a passage's
    similarity is that of its heading and opening only: what it is about, not a line of it.

    >>> from coach.types import Chunk
    >>> ecg = Hit(Chunk("c", "ecg.md", ("Mean pooling fusion",), "", "Averaging the 12 panel features of the ECG "
    ...           "model loses where each lead is.", 1, 2), 0.9, 0.30)
    >>> covers([ecg], 0.35), covers([ecg], 0.35, "weaknesses of averaging the 12 panel features in my ECG model")
    (False, True)
    >>> covers([ecg], 0.35, "how do I bake sourdough bread at home?")
    False
    """
    if not hits:
        return False
    best = max(h.topic_similarity if topic else h.similarity for h in hits)
    if best >= min_relevance:
        return True
    asked = stems(query)
    if best < min_relevance - KEYWORD_MARGIN or len(asked) < KEYWORD_MIN_WORDS:
        return False
    top = hits[0].chunk
    return len(asked & stems(f"{top.heading} {top.text}")) >= KEYWORD_SHARE * len(asked)
