"""Grade an answer against the reference answer from the notes: reproducible, no LLM.

The reference is split into key points with the notes' structure (coach.answer.units): each sentence
and each bullet says something; headers, labels, list lead-ins ("ResNet18 considerations:") and
the question itself are not points. Each point earns credit from 0 to 1: full when one sentence
of the answer is close to it in meaning or repeats most of its content words, part when part of
it is said. The score weighs two things an interviewer hears:
- the main point: did the answer say one of the points that answer the question most directly
  (MAIN_SHARE of the score);
- coverage: the credit over all points, the ones closer to the question weighing more.
So a right one-sentence answer scores at least MAIN_SHARE, "I don't know" about 0, and the
reference itself 1.

>>> key_points("**ResNet18 considerations:**\\n- Pros: fast inference\\n- Decision: ResNet18 balances speed.")
['fast inference.', 'ResNet18 balances speed.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from coach.answer.restates import missing_terms
from coach.answer.units import note_units
from coach.practice.speech import clean
from coach.text import split_sentences, stems, strip_markup

MAX_POINTS = 10
SIM_NONE, SIM_FULL = 0.50, 0.75  # similarity that earns no credit / full credit
WORDS_FULL = 0.6  # share of a point's content words that earns full credit
MAIN_SHARE = 0.4
MAIN_POINTS = 3  # at least this many of the points most relevant to the question (or half of them)
# may be "the main point": a short question ("What is RLHF?") says little about which one it is
OTHER_MAIN = 0.75  # credit for the main point when the point said is not among those
FULL, PART = 0.75, 0.3  # credit reported as covered / covered in part
MAX_ANSWER_CHARS = 5000  # an interview answer is a few sentences; longer is refused, not graded
SENTENCE_WORDS = 60  # a "sentence" longer than this is a list of words, not something said
NON_ANSWER = re.compile(r"^\s*(i\s+(don'?t|do not)\s+know|no idea|not sure|pass|idk|skip)\b", re.IGNORECASE)


def key_points(reference: str, question: str = "", limit: int = MAX_POINTS) -> list[str]:
    """What the reference says, in its order: sentences and bullets, never a header, a label
    with nothing after it, a list's lead-in or the question."""
    q_words = stems(question)
    points: list[str] = []
    for u in note_units(reference):
        if not u.answers:
            continue
        texts = [f"{i.rstrip('.')}." for i in u.items] if u.kind == "list" else [u.text]
        for t in texts:
            t = clean(strip_markup(t))
            words = stems(t)
            if len(words) < 2 or t.rstrip(" .").endswith(":"):
                continue  # a header or a lead-in: "ResNet18 considerations:"
            if q_words and len(words & q_words) / len(words) >= 0.8:
                continue  # the question said again
            if t.lower() not in (p.lower() for p in points):
                points.append(t)
    return points[:limit]


@dataclass
class Grade:
    score: float
    covered: list[str]
    missed: list[str]
    partial: list[str] = field(default_factory=list)
    main: str = ""  # the point that answers the question most directly


def _credit(sim: float, overlap: float) -> float:
    by_meaning = (sim - SIM_NONE) / (SIM_FULL - SIM_NONE)
    return float(np.clip(max(by_meaning, overlap / WORDS_FULL), 0.0, 1.0))


def grade(answer: str, reference: str, embedder, question: str = "") -> Grade:
    points = key_points(reference, question)
    if not points:
        return Grade(0.0, [], [])
    # words count only inside real sentences: a pasted list of keywords is not an answer
    sentences = [s for s in split_sentences(answer) if 2 <= len(s.split()) <= SENTENCE_WORDS]
    if not sentences or NON_ANSWER.match(answer):
        return Grade(0.0, [], points, main=points[0])
    vectors = embedder.encode(points + sentences + [question or points[0]])
    p_vec, s_vec, q_vec = vectors[: len(points)], vectors[len(points): -1], vectors[-1]
    sims = (p_vec @ s_vec.T).max(axis=1)
    said = [stems(s) for s in sentences]
    credit = np.array([
        _credit(float(sims[i]), max(len(stems(p) & w) for w in said) / max(1, len(stems(p))))
        for i, p in enumerate(points)
    ])
    relevance = p_vec @ q_vec
    main = np.argsort(-relevance)[: max(MAIN_POINTS, (len(points) + 1) // 2)]
    near = np.full(len(points), OTHER_MAIN)  # any point may be the main one, those nearer the question more so
    near[main] = 1.0
    weights = 0.5 + np.clip(relevance, 0, 1)
    coverage = float((credit * weights).sum() / weights.sum())
    score = MAIN_SHARE * float((credit * near).max()) + (1 - MAIN_SHARE) * coverage
    return Grade(
        round(min(1.0, score), 3),
        [p for p, c in zip(points, credit) if c >= FULL],
        [p for p, c in zip(points, credit) if c < PART],
        [p for p, c in zip(points, credit) if PART <= c < FULL],
        points[int(np.argmax(relevance))],
    )


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
    total = len(g.covered) + len(g.partial) + len(g.missed)
    if total == 0:
        return "This note has no answer to compare with."
    head = f"You covered {len(g.covered)} of {total} key points from your notes"
    head += f", {len(g.partial)} in part." if g.partial else "."
    if not g.missed and not g.partial:
        return head + " Complete."
    return head + " Add: " + "; ".join(g.missed[:3]) + ("…" if len(g.missed) > 3 else "")


_NUMBER = re.compile(r"(?<![\w.])(\d[\d.,]*(?:\s*[-–]\s*\d[\d.,]*)?)(%|x\b)?\s*([A-Za-z]+)?")


def _numbers(text: str) -> list[tuple[str, str]]:
    """(the number's digits, its unit: "%", "x" or the word after it, lower case)."""
    return [(m.group(1).rstrip(".,"), (m.group(2) or m.group(3) or "").lower()) for m in _NUMBER.finditer(text)]


def _shown(number: str, unit: str) -> str:
    return number + (unit if unit in ("%", "x") else "")


def not_in_notes(answer: str, reference: str) -> list[str]:
    """The numbers and names said that the reference note does not hold, by the rule the answer
    check uses (coach.answer.restates.missing_terms), each with what the note says instead.

    >>> not_in_notes("Accuracy went to 97% with 12 panels and Pinecone.", "Accuracy: 94% on 12 panels.")
    ['you said 97%; your notes say 94%', "you said Pinecone; your notes don't name it"]
    """
    out = []
    said = dict(_numbers(answer))
    for term in missing_terms(answer, reference):
        bare = term.rstrip(".,%")
        if bare[:1].isdigit():
            unit = said.get(bare, "")
            theirs = list(dict.fromkeys(_shown(n, u) for n, u in _numbers(reference) if unit and u == unit))
            mine = _shown(bare, unit)
            out.append(f"you said {mine}; your notes say {', '.join(theirs[:3])}" if theirs
                       else f"you said {mine}; your notes don't give that number")
        elif len(bare) >= 3:  # missing_terms gives only the answer's names and numbers
            out.append(f"you said {bare}; your notes don't name it")
    return out
