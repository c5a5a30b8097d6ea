"""A question in a conversation -> (the query searched, hits), and the one rule for "covered".

A follow-up is searched as its standalone query and as the question alone, fused, so a topic
carried over from the conversation does not drown what the question itself asks.
"""

from __future__ import annotations

from typing import Callable

from coach.search.followup import rewrite
from coach.search.hybrid import fuse_hits
from coach.types import Hit

FOLLOW_UP_WEIGHT = 0.75  # the standalone query's share when fused with the question alone

Search = Callable[[str, int], list[Hit]]


def retrieve(search: Search, question: str, history: list[str] | None, k: int) -> tuple[str, list[Hit]]:
    """(standalone query, hits) for `question` after the earlier standalone queries `history`."""
    query = rewrite(question, history or [])
    if query == question.strip():
        return query, search(query, k)
    return query, fuse_hits(search(query, 2 * k), search(question, 2 * k), FOLLOW_UP_WEIGHT)[:k]


def covers(hits: list[Hit], min_relevance: float) -> bool:
    """The notes cover a question when its best passage is similar enough."""
    return bool(hits) and max(h.similarity for h in hits) >= min_relevance
