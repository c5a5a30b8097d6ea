"""Grade an answer against the reference answer from the notes: reproducible, no LLM.

The reference is split into key points (its sentences and bullet lines); a key point is
covered when one sentence of the answer is close to it in meaning (embedding similarity)
or shares most of its content words. The score is the share of key points covered.

>>> key_points("- Adds a penalty.\\n- Shrinks weights toward zero.\\n**Why:** it helps.")
['Adds a penalty.', 'Shrinks weights toward zero.', 'Why: it helps.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.text import split_sentences, stems, strip_markup

MAX_POINTS = 10
SIM_COVERED = 0.6
WORDS_COVERED = 0.6


def key_points(reference: str, limit: int = MAX_POINTS) -> list[str]:
    points = []
    for line in split_sentences(reference):
        text = strip_markup(line)
        if len(re.findall(r"[A-Za-z]{2,}", text)) >= 2 and text.lower() not in (p.lower() for p in points):
            points.append(text)
    return points[:limit]


@dataclass
class Grade:
    score: float
    covered: list[str]
    missed: list[str]


def grade(answer: str, reference: str, embedder) -> Grade:
    points = key_points(reference)
    sentences = [s for s in split_sentences(answer) if len(s.split()) >= 2] or [answer.strip() or "-"]
    if not points:
        return Grade(0.0, [], [])
    vectors = embedder.encode(points + sentences)
    sims = vectors[: len(points)] @ vectors[len(points):].T
    answer_words = stems(answer)
    covered, missed = [], []
    for i, point in enumerate(points):
        words = stems(point)
        overlap = len(words & answer_words) / len(words) if words else 0.0
        (covered if sims[i].max() >= SIM_COVERED or overlap >= WORDS_COVERED else missed).append(point)
    return Grade(round(len(covered) / len(points), 3), covered, missed)


def rating_for(score: float):
    """Score -> FSRS rating: weak answers come back soon, strong ones later."""
    from fsrs import Rating

    if score < 0.3:
        return Rating.Again
    if score < 0.6:
        return Rating.Hard
    if score < 0.85:
        return Rating.Good
    return Rating.Easy


def feedback(g: Grade) -> str:
    total = len(g.covered) + len(g.missed)
    if total == 0:
        return "This note has no answer to compare with."
    head = f"You covered {len(g.covered)} of {total} key points from your notes."
    if not g.missed:
        return head + " Complete."
    return head + " Add: " + "; ".join(g.missed[:3]) + ("…" if len(g.missed) > 3 else "")
