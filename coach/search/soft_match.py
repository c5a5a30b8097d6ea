"""Word-by-word soft match: how much of the question a passage says, in any words.

A passage's sentence vectors (coach.notes.views) say what it is about as a whole; a question
written in other words ("time based inputs" for "temporal features", "how much of the network
gets trained" for "only 0.1-1% of parameters") can sit close to many of them. Here each of the
question's tokens is matched to its closest token of the passage, both as the embedding model
sees them in context (its output before pooling), and the closeness is averaged over the
question: BERTScore's recall, read as "how much of what was asked does this passage hold".

It reorders what the keyword and vector search found, and only its best SOFT_DEPTH pieces: their
token vectors come from one more pass of the model at search time (p50 / p95 0.47 / 0.55 s for
10 pieces of up to 256 tokens on 2 cores, bench/README.md). A section gains its best piece's match, the
same for each of its pieces, so the section stays listed as coach.search.hybrid lists it (its
opening before its detail).

Measured before it was kept (R@1 / R@5 / MRR@10, bench/README.md), chosen on the tune halves and
the older sets, then checked once on the report halves: no set lost on any of the three.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

SOFT_DEPTH = 10  # pieces matched word by word; 5 cannot lift a passage from 6-10 into the top 5
SOFT_WEIGHT = 0.3  # share of the fused score (0.2 and 0.3 measured alike; 0.5 lost R@5)
PASSAGE_TOKENS = 256  # MiniLM's own limit; 128 lost R@5 on a tune half
CACHED = 128  # passages whose token vectors are kept (about 0.2 MB each as float16)


def soft_recall(question: np.ndarray, passage: np.ndarray) -> float:
    """Mean over the question's token vectors of the best cosine to any passage token vector
    (rows L2-normalised).

    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> soft_recall(q, np.array([[1.0, 0.0], [0.6, 0.8]])), soft_recall(q, np.array([[1.0, 0.0]]))
    (0.9, 0.5)
    """
    if not len(question) or not len(passage):
        return 0.0
    return float((question @ passage.T).max(axis=1).mean())


def with_section_match(ranked: list[tuple[float, int]], section: list[int], match: dict[int, float],
                       weight: float) -> list[tuple[float, int]]:
    """`ranked` (score, position) re-sorted after adding `weight` x the match of each piece's
    section: its best piece's, min-max normalised over the pieces matched (`match`).

    >>> with_section_match([(0.9, 0), (0.8, 1), (0.7, 2)], [0, 1, 1], {0: 0.5, 2: 0.7}, 0.3)
    [(1.1, 1), (1.0, 2), (0.9, 0)]
    """
    if not match:
        return ranked
    lo, hi = min(match.values()), max(match.values())
    best: dict[int, float] = {}
    for p, m in match.items():
        relative = (m - lo) / (hi - lo) if hi > lo else 1.0
        best[section[p]] = max(best.get(section[p], 0.0), relative)
    return sorted(((round(s + weight * best.get(section[p], 0.0), 12), p) for s, p in ranked), reverse=True)


class SoftMatcher:
    """Token vectors of the question and of the best pieces, from the search's own embedder;
    the pieces' are cached (the same passages come back for follow-ups and drills)."""

    def __init__(self, embedder, chunks: list, weight: float = SOFT_WEIGHT, depth: int = SOFT_DEPTH,
                 cached: int = CACHED):
        self.embedder = embedder
        self.chunks = chunks
        self.weight = weight
        self.depth = depth
        self.cached = cached  # 0: every search embeds its passages (the bench's worst case)
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()

    def rerank(self, query: str, ranked: list[tuple[float, int]], section: list[int]) -> list[tuple[float, int]]:
        top = [p for _, p in ranked[: self.depth]]
        if len(top) < 2:
            return ranked
        question = self.embedder.token_vectors([query])[0]
        passages = self._passages(top)
        match = {p: soft_recall(question, passages[p].astype(np.float32)) for p in top}
        return with_section_match(ranked, section, match, self.weight)

    def _passages(self, positions: list[int]) -> dict[int, np.ndarray]:
        missing = [p for p in positions if p not in self._cache]
        if missing:
            texts = [f"{self.chunks[p].heading}\n{self.chunks[p].text}" for p in missing]
            for p, rows in zip(missing, self.embedder.token_vectors(texts, PASSAGE_TOKENS)):
                self._cache[p] = rows.astype(np.float16)
        out = {}
        for p in positions:
            self._cache.move_to_end(p)
            out[p] = self._cache[p]
        while len(self._cache) > self.cached:
            self._cache.popitem(last=False)
        return out
