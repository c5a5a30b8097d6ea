"""Hybrid search: dense (FAISS, several vectors per chunk) + BM25, fused by relative score.

Each list's scores are min-max normalised over its top candidates, then combined as
DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * bm25. Unlike reciprocal rank fusion this keeps
the margin: a passage far more similar than the rest stays first even when its words differ
from the question's. On the dev set both reach R@1 0.967; on paraphrased probes RRF put 5 of
7 first, this fusion 7 of 7 (flat for dense weights 0.65-0.8). A decisive keyword match (BM25
DECISIVE times the next passage) stays first too.

The best pieces are then reordered by how much of the question each says, word by word
(coach.search.soft_match; `soft_match`, on in the app and CLI), before sections are grouped.

The pieces of one long section are scored together: the section is listed once, at its best
piece, as that piece and the earliest one scored within SECTION_MARGIN of it, in the notes'
order (so "story about a difficult stakeholder" opens on the situation even when a line of the
action is the closest match, and the story's next piece comes with it); its other pieces come
after the other sections', so one long section does not fill the list.

>>> relative_scores({"a": 0.9, "b": 0.5, "c": 0.1})
{'a': 1.0, 'b': 0.5, 'c': 0.0}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from coach.notes import keyword
from coach.notes.index import Index
from coach.search.soft_match import SoftMatcher
from coach.search.spelling import Speller
from coach.types import Hit

DENSE_DEPTH = 400  # vector rows looked at per query (a chunk has a vector per two lines: coach.notes.views)
BM25_DEPTH = 50
DENSE_WEIGHT = 0.7  # measured flat from 0.65 to 0.8 on the dev set and paraphrased probes
# A passage whose BM25 score is this many times the next one's holds the question's rare words
# (a few terms one bullet list holds): it stays first. On the tune halves, 40 of 41 such
# passages answered (the one that did not was not first in the fused order either).
DECISIVE = 1.7
# Measured on the tune halves and the users' set: 0.15 kept a section's opening first where the
# questions asked for it (users' set R@1 0.84 -> 0.88) and moved no answering later piece out of
# the top 5; 0.05 did nothing, 1.0 cost the style sets' later-piece answers.
SECTION_MARGIN = 0.15


def _decisive(keyword: dict[int, float]) -> int | None:
    """The passage BM25 scores DECISIVE times above any other, if there is one.

    >>> _decisive({1: 6.7, 2: 3.8, 3: 1.0}), _decisive({1: 5.3, 2: 4.8})
    (1, None)
    """
    if len(keyword) < 2:
        return None
    (first, top), (_, second) = sorted(keyword.items(), key=lambda kv: -kv[1])[:2]
    return first if top >= DECISIVE * second else None


def sections_of(chunks: list) -> list[int]:
    """For each chunk position, the position of its section's first piece (chunks are in the
    notes' order, a section's pieces one after another, numbered from 0).

    >>> from types import SimpleNamespace as C
    >>> sections_of([C(part=0), C(part=0), C(part=1), C(part=2), C(part=0)])
    [0, 1, 1, 1, 4]
    """
    out: list[int] = []
    for p, chunk in enumerate(chunks):
        out.append(out[-1] if chunk.part and out else p)
    return out


def by_section(ranked: list[tuple[float, int]], section: list[int], margin: float) -> list[tuple[float, int]]:
    """Each section listed once, where its best piece ranks, as at most two pieces in the notes'
    order: the best, and the earliest piece scored within `margin` of it (the opening before
    the detail; the next best within `margin` when the best is the earliest). The section's
    other pieces come after every other section's, so one long section does not fill the list.

    >>> by_section([(0.9, 3), (0.85, 2), (0.8, 7), (0.6, 1), (0.5, 5)], [0, 1, 1, 1, 4, 5, 6, 7], 0.15)
    [(0.85, 2), (0.9, 3), (0.8, 7), (0.5, 5), (0.6, 1)]
    >>> by_section([(0.9, 1), (0.85, 3), (0.8, 2), (0.7, 7)], [0, 1, 1, 1, 4, 5, 6, 7], 0.15)
    [(0.9, 1), (0.85, 3), (0.7, 7), (0.8, 2)]
    >>> by_section([(0.9, 3), (0.85, 2), (0.8, 7)], [0, 1, 1, 1, 4, 5, 6, 7], 0.01)
    [(0.9, 3), (0.8, 7), (0.85, 2)]
    """
    out, later, seen = [], [], set()
    for score, p in ranked:
        if section[p] in seen:
            later.append((score, p))
            continue
        seen.add(section[p])
        near = [(s, q) for s, q in ranked if section[q] == section[p] and s >= score - margin]
        opening = min(near, key=lambda sq: sq[1])
        if opening[1] == p and len(near) > 1:
            opening = max((sq for sq in near if sq[1] != p), key=lambda sq: sq[0])
        out.extend(sorted({(score, p), opening}, key=lambda sq: sq[1]))
    return out + [item for item in later if item not in out]


def relative_scores(scores: dict[Any, float]) -> dict[Any, float]:
    """Min-max normalise to [0, 1]; one candidate or equal scores give 1.0."""
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    return {key: (v - lo) / (hi - lo) if hi > lo else 1.0 for key, v in scores.items()}


class HybridSearcher:
    """Built once per process over a loaded Index; `search` is cheap."""

    def __init__(self, index: Index, embedder, dense_weight: float = DENSE_WEIGHT, correct_spelling: bool = False,
                 soft_match: bool = False):
        self.index = index
        self.embedder = embedder
        self.dense_weight = dense_weight
        # saved at ingest and loaded; an index from before that is indexed here, once
        self.bm25 = index.bm25() or keyword.build(index.chunks)
        # misspelt words matched to the notes' spelling
        self.speller = Speller(self.bm25.vocab_dict, (c.text for c in index.chunks)) if correct_spelling else None
        self.section = sections_of(index.chunks)
        # the best pieces reordered by how much of the question they say, word by word
        self.soft = SoftMatcher(embedder, index.chunks) if soft_match else None

    def searched(self, query: str) -> str:
        """The query as searched: misspelt words in the notes' spelling."""
        return self.speller.correct(query) if self.speller else query

    def _dense(self, query_vec: np.ndarray) -> dict[int, float]:
        """chunk position -> best cosine similarity among its vectors, for the closest rows."""
        depth = min(DENSE_DEPTH, self.index.faiss_index.ntotal)
        sims, rows = self.index.faiss_index.search(query_vec[None, :], depth)
        best: dict[int, float] = {}
        for sim, row in zip(sims[0], rows[0]):
            if row < 0:
                continue
            owner = int(self.index.owners[row])
            if owner not in best:
                best[owner] = float(sim)  # rows come best first: the first is the max
        return best

    def _bm25(self, query: str) -> dict[int, float]:
        """chunk position -> BM25 score, for the best-scoring chunks with any query word."""
        ids = keyword.query_ids(self.bm25, query)
        if not ids:
            return {}
        scores = self.bm25.get_scores(ids)
        top = np.argsort(-scores)[:BM25_DEPTH]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def search(self, query: str, k: int = 5) -> list[Hit]:
        query = self.searched(query)
        query_vec = self.embedder.encode([query])[0]
        dense = self._dense(query_vec)
        keyword = self._bm25(query)
        missing = [p for p in keyword if p not in dense]
        if missing:  # keyword-only candidates: their exact similarity, for fusion and display
            rows, which = self.index.vectors_of(missing)
            for row_sim, i in zip(rows @ query_vec, which):
                dense[missing[i]] = max(dense.get(missing[i], -1.0), float(row_sim))
        d, b = relative_scores(dense), relative_scores(keyword)
        w = self.dense_weight
        fused = sorted(((w * d[p] + (1 - w) * b.get(p, 0.0), p) for p in dense), reverse=True)
        if self.soft is not None:
            fused = self.soft.rerank(query, fused, self.section)
        fused = by_section(fused, self.section, SECTION_MARGIN)
        decisive = _decisive(keyword)
        if decisive is not None and fused[0][1] != decisive:  # kept first, not averaged away
            fused = [(fused[0][0], decisive)] + [(sc, p) for sc, p in fused if p != decisive]
        top = fused[:k]
        about = self._about(query_vec, [p for _, p in top])
        return [Hit(self.index.chunks[p], score, dense[p], about.get(p)) for score, p in top]

    def _about(self, query_vec: np.ndarray, positions: list[int]) -> dict[int, float]:
        """chunk position -> best similarity over its opening and question vectors."""
        rows = self.index.rows_of(positions)
        rows = rows[self.index.topic_rows()[rows]]
        best: dict[int, float] = {}
        for row, sim in zip(rows, self.index.vectors[rows] @ query_vec):
            owner = int(self.index.owners[row])
            best[owner] = max(best.get(owner, -1.0), float(sim))
        return best


def fuse_hits(first: list[Hit], second: list[Hit], weight: float) -> list[Hit]:
    """Two result lists as one: weight * score in `first` + (1 - weight) * score in `second`."""
    by_id: dict[str, list] = {}
    for hits, w in ((first, weight), (second, 1 - weight)):
        for h in hits:
            entry = by_id.setdefault(h.chunk.id, [h, 0.0])
            entry[1] += w * h.score
    ranked = sorted(by_id.values(), key=lambda e: -e[1])
    return [Hit(h.chunk, score, h.similarity, h.about) for h, score in ranked]
