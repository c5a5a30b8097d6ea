"""The grounded answer: which note units to say, and how a model's draft is folded into them.

`pick_units` chooses what the notes say about the question: the best passage's units (retrieval
puts the answering passage first), the most relevant first and not two alike (MMR), shown in the
notes' own order so a label keeps its bullets and a story keeps its order (a section short
enough is said whole); a lower passage fills in when the best one says too little, and the
second passage adds its best units when retrieval scored it nearly as high as the first; for
"X vs Y" each side gets its unit.

`Merger` folds a model's checked draft into the answer: the first picked unit opens it at once;
a supported model sentence that says something new is kept with its citation; an unsupported
one is replaced by the picked unit it was clearly paraphrasing, or dropped; then every picked
unit that nothing shown conveys yet is added. Whatever the model, every sentence shown is in
the notes.

>>> is_comparison("adam vs sgd"), is_comparison("how should I measure whether retrieval works?")
(True, False)
>>> compare_sides("what is the difference between LoRA and QLoRA?")
['LoRA', 'QLoRA']
"""

from __future__ import annotations

import re

import numpy as np

from coach.answer.support import Sentence, SupportChecker
from coach.text import is_instruction, stems

MAX_UNITS = 5
MAX_CHARS = 900
MIN_UNITS = 2
MMR_LAMBDA = 0.75
CLOSE_SCORE = 0.05  # fused retrieval scores this close: the second passage may be the answer too
SECOND_UNITS = 2
PARAPHRASE_SIM = 0.7  # an unsupported model sentence this close to a picked unit is replaced by it
CONVEYED_SIM = 0.8  # a kept sentence this close to a unit already says it
REPEAT_SIM = 0.85  # a supported model sentence this close to a shown one says it again
MAX_SENTENCES = 7

_COMPARE = re.compile(r"\b(vs\.?|versus|differen\w*|compare\w*|better than)\b", re.I)


def is_comparison(question: str) -> bool:
    return bool(_COMPARE.search(question))


def compare_sides(question: str) -> list[str]:
    """The two things compared, when the question names them: 'adam vs sgd' -> ['adam', 'sgd']."""
    q = re.sub(r"^\s*(what('s| is| are)\s+(the\s+)?differences?\s+between|compare|difference between)\s+", "",
               question.strip().rstrip("?"), flags=re.I)
    parts = re.split(r"\s+(?:vs\.?|versus|and|or|compared to|over)\s+", q, maxsplit=1, flags=re.I)
    return [p.strip(" ,") for p in parts if p.strip(" ,")] if len(parts) == 2 else []


def pick_units(query: str, checker: SupportChecker, query_vec: np.ndarray) -> list[int]:
    """Indices of the units to say, in the order to say them."""
    if checker.vectors is None:
        return []
    rel = checker.vectors @ query_vec
    # a line that addresses the model ("ignore previous instructions...") is never said, nor sent to it
    answers = [i for i, u in enumerate(checker.units)
               if u.answers and len(u.text.split()) >= 4 and not is_instruction(u.text)]
    if not answers:
        return []
    # Retrieval ranks whole passages with their headings, which beats judging lone units:
    # the answer comes from the best passage; the next ones fill a thin first one, and the
    # second joins when retrieval could barely tell the two apart (scores within CLOSE_SCORE).
    by_passage: dict[int, list[int]] = {}
    for i in answers:
        by_passage.setdefault(checker.owner[i], []).append(i)
    ranked = sorted(by_passage)
    pool: list[int] = []
    for n in ranked:
        if len(pool) >= MIN_UNITS:
            break
        pool += by_passage[n]
    chosen = pool if len(pool) <= MAX_UNITS else _mmr(pool, rel, checker.vectors, MAX_UNITS)
    if len(ranked) > 1 and ranked[1] not in {checker.owner[i] for i in chosen}:
        first, second = (checker.passages[n - 1].get("score", 0.0) for n in ranked[:2])
        if second >= first - CLOSE_SCORE:
            chosen = chosen[: MAX_UNITS - SECOND_UNITS] + _mmr(by_passage[ranked[1]], rel, checker.vectors, SECOND_UNITS)
    if is_comparison(query):
        chosen = _cover_sides(query, chosen, answers, rel, checker)
    chosen = _fit(chosen, checker)
    return sorted(chosen, key=lambda i: (checker.owner[i], i))  # the notes' order, best passage first


def _mmr(pool: list[int], rel: np.ndarray, vectors: np.ndarray, limit: int) -> list[int]:
    """Relevant and not alike: maximal marginal relevance, at most `limit` units."""
    chosen: list[int] = []
    rest = list(pool)
    while rest and len(chosen) < limit:
        def gain(i: int) -> float:
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            return MMR_LAMBDA * float(rel[i]) - (1 - MMR_LAMBDA) * redundancy

        best = max(rest, key=gain)
        if chosen and float(rel[best]) < 0.5 * float(rel[chosen[0]]) and len(chosen) >= MIN_UNITS:
            break  # the rest is off the question
        chosen.append(best)
        rest.remove(best)
    return chosen


def _cover_sides(query: str, chosen: list[int], answers: list[int], rel: np.ndarray, checker) -> list[int]:
    for side in compare_sides(query):
        want = stems(side)
        if not want or any(want <= stems(checker.units[i].text) for i in chosen):
            continue
        having = [i for i in answers if want <= stems(checker.units[i].text)]
        if having:
            chosen = chosen + [max(having, key=lambda i: rel[i])]
    return chosen


def _fit(chosen: list[int], checker: SupportChecker) -> list[int]:
    """Keep the best units within MAX_CHARS (at least one)."""
    kept, total = [], 0
    for i in chosen:
        size = len(checker.units[i].text)
        if kept and total + size > MAX_CHARS:
            continue
        kept.append(i)
        total += size
    return kept


class Merger:
    """Builds the shown answer while the draft streams: `add(draft_sentence)` returns what to
    show now (maybe nothing); `finish()` returns the picked units still to be said."""

    def __init__(self, checker: SupportChecker, picks: list[int]):
        self.checker = checker
        self.picks = picks
        self.shown: list[Sentence] = []

    def _conveyed(self, i: int) -> bool:
        for s in self.shown:
            if s.unit == i:
                return True
            if s.vector is not None and float(s.vector @ self.checker.vectors[i]) >= CONVEYED_SIM:
                return True
        return False

    def lead(self) -> list[Sentence]:
        """The first picked unit, said at once: the answer starts before the model has read its prompt."""
        if not self.picks:
            return []
        s = self.checker.unit_sentence(self.picks[0])
        self.shown.append(s)
        return [s]

    def add(self, s: Sentence) -> list[Sentence]:
        if s.trivial or s.repeat or len(self.shown) >= MAX_SENTENCES:
            return []
        if s.supported:
            if s.vector is not None and any(
                t.vector is not None and float(t.vector @ s.vector) >= REPEAT_SIM for t in self.shown
            ):
                return []  # says again what is shown
            self.shown.append(s)
            return [s]
        if s.unit is not None and s.unit in self.picks and s.similarity >= PARAPHRASE_SIM and not self._conveyed(s.unit):
            replacement = self.checker.unit_sentence(s.unit)
            self.shown.append(replacement)
            return [replacement]
        return []

    def finish(self) -> list[Sentence]:
        added = []
        for i in self.picks:
            if len(self.shown) >= MAX_SENTENCES:
                break
            if not self._conveyed(i):
                s = self.checker.unit_sentence(i)
                self.shown.append(s)
                added.append(s)
        return added
