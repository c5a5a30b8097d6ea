"""The grounded answer: which note units to say, and how a model's draft is folded into them.

`pick_units` chooses what the notes say about the question: the best passage's units (retrieval
puts the answering passage first), the most relevant first and not two alike (MMR), shown in the
notes' own order so a label keeps its bullets and a story keeps its order (a section short
enough is said whole); a lower passage fills in when the best one says too little, and the
second passage adds its best units when retrieval scored it nearly as high as the first; for
"X vs Y" each side gets its unit.

What is picked must read on its own: a lead-in ("I use a few strategies:") is said with what it
leads into or not at all; a unit that points back ("Instead, ...", "It also ...") is said after
the unit it points to or not at all; two units that say the same thing are not both said; and a
story ("tell me about a time...") is told from its start, each part of it in order.

How each picked unit is said (the model's restatement, checked against that unit, or the
unit's own words) is `coach.answer.verbalize` and `coach.answer.grounded`.

>>> is_comparison("adam vs sgd"), is_comparison("how should I measure whether retrieval works?")
(True, False)
>>> compare_sides("what is the difference between LoRA and QLoRA?")
['LoRA', 'QLoRA']
"""

from __future__ import annotations

import re

import numpy as np

from coach.answer.intent import intent_of, is_definition, ways_in
from coach.answer.support import SupportChecker
from coach.text import is_instruction, stems

MAX_UNITS = 5
MAX_CHARS = 900
MIN_UNITS = 2
MMR_LAMBDA = 0.75
CLOSE_SCORE = 0.05  # fused retrieval scores this close: the second passage may be the answer too
SECOND_UNITS = 2
REPEAT_SIM = 0.85  # a unit this close to one already picked says it again
MAX_SENTENCES = 7
INTENT_PASSAGES = 3  # the passages a "how do I ..." question's ways are looked for in
INTENT_BONUS = 0.1  # relevance added per word of the ways a unit gives (a metric, a remedy; at most 3)

STORY_CHARS = 1400  # a story told in order needs more room than an explanation
STORY_PART_UNITS = 2  # units said from each part of a story (situation, task, action, result)

# Openings that point back at the unit before: said only after it.
_POINTS_BACK = re.compile(
    r"^(?:instead|however|also|then|so|thus|therefore|hence|otherwise|additionally|moreover|furthermore|but|"
    r"this|these|that|those|it|its|they|their|them|such)\b", re.I)
# A bullet that opens on its verb ("Prevents the model from drifting ...") has its subject in the
# unit before: said only after it, like a pronoun.
_NO_SUBJECT = re.compile(
    r"^(?:prevents|adds|uses|helps|allows|reduces|makes|keeps|avoids|ensures|requires|enables|provides|improves|"
    r"works|stabilizes|stabilises|shrinks|gives|takes|lets|causes|leads|penalizes|penalises|removes|increases|"
    r"decreases|captures|learns|needs|means|encourages|forces|handles|supports|achieves)\b", re.I)
_ANNOUNCES = re.compile(r":\s*\.?\s*$")
_STORY = re.compile(r"\b(?:tell me about a time|describe a (?:time|situation)|give (?:me )?an example of a time|"
                    r"a time (?:when )?(?:you|i)\b|walk me through a (?:time|situation))", re.I)
_STAR_PART = re.compile(r"^\s*(?:[STAR]\s*[–—-]\s*)?(situation|task|action|result)\b", re.I)
_COMPARE = re.compile(r"\b(vs\.?|versus|differen\w*|compare\w*|better than)\b", re.I)


def is_comparison(question: str) -> bool:
    return bool(_COMPARE.search(question))


def compare_sides(question: str) -> list[str]:
    """The two things compared, when the question names them: 'adam vs sgd' -> ['adam', 'sgd']."""
    q = re.sub(r"^\s*(what('s| is| are)\s+(the\s+)?differences?\s+between|compare|difference between)\s+", "",
               question.strip().rstrip("?"), flags=re.I)
    parts = re.split(r"\s+(?:vs\.?|versus|and|or|compared to|over)\s+", q, maxsplit=1, flags=re.I)
    return [p.strip(" ,") for p in parts if p.strip(" ,")] if len(parts) == 2 else []


def is_story(question: str) -> bool:
    """A behavioural question, answered with a story.

    >>> is_story("tell me about a time I disagreed with my team"), is_story("what is a time series?")
    (True, False)
    """
    return bool(_STORY.search(question))


def is_lead_in(unit) -> bool:
    """A sentence that announces what follows ("I use a few complementary strategies:")."""
    return unit.kind != "list" and announces(unit.text)


def announces(text: str) -> bool:
    """Ends on the colon of a lead-in (a unit built from a list item may add a full stop after it).

    >>> announces("I first analyze whether data is:."), announces("Dropout: random deactivation.")
    (True, False)
    """
    return bool(_ANNOUNCES.search(text))


def points_back(text: str) -> bool:
    """A unit that opens on a connective, a pronoun or its own verb (its subject is in the unit
    before), so it means nothing without the one before.

    >>> points_back("Instead, they inject small trainable parameters."), points_back("Inference is fast.")
    (True, False)
    >>> points_back("Prevents the model from drifting toward the new data.")
    True
    """
    text = text.strip()
    return bool(_POINTS_BACK.match(text) or _NO_SUBJECT.match(text))


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
    answer_set = set(answers)
    if is_story(query):
        story = _story(checker, answer_set)
        if story:
            return story
    # Retrieval ranks whole passages with their headings, which beats judging lone units:
    # the answer comes from the best passage; the next ones fill a thin first one, and the
    # second joins when retrieval could barely tell the two apart (scores within CLOSE_SCORE),
    # unless the first already gives MAX_UNITS of the ways a "how do I ..." question asks for.
    by_passage: dict[int, list[int]] = {}
    for i in answers:
        by_passage.setdefault(checker.owner[i], []).append(i)
    ranked = sorted(by_passage)
    pool: list[int] = []
    for n in ranked:
        if len(pool) >= MIN_UNITS:
            break
        pool += by_passage[n]
    intent, on_question = intent_of(query), set()
    if intent:
        section = _section(checker, ranked[:INTENT_PASSAGES], by_passage)
        pool, rel, on_question = _on_intent(intent, pool, section, rel, checker)
    chosen = pool if len(pool) <= MAX_UNITS else _mmr(pool, rel, checker.vectors, MAX_UNITS, on_question)
    # a "how do I ..." question the best passage gives enough ways for is answered from it alone
    answered = sum(1 for i in on_question if checker.owner[i] == ranked[0]) >= MAX_UNITS
    if len(ranked) > 1 and ranked[1] not in {checker.owner[i] for i in chosen} and not answered:
        first, second = (checker.passages[n - 1].get("score", 0.0) for n in ranked[:2])
        if second >= first - CLOSE_SCORE:
            chosen = chosen[: MAX_UNITS - SECOND_UNITS] + _mmr(by_passage[ranked[1]], rel, checker.vectors, SECOND_UNITS)
    if is_comparison(query):
        chosen = _cover_sides(query, chosen, answers, rel, checker)
    groups = _distinct([_readable(i, checker, answer_set) for i in chosen], checker)
    chosen = [i for g in _fit([g for g in groups if g], checker) for i in g]
    return sorted(set(chosen), key=lambda i: (checker.owner[i], i))  # the notes' order, best passage first


def _on_intent(intent: str, pool: list[int], section: list[int], rel: np.ndarray,
               checker: SupportChecker) -> tuple[list[int], np.ndarray, set[int]]:
    """For "how do I measure / prevent / fix / choose": the units that give the ways, from the best
    passage or, when it only defines the topic, from the rest of its section; the definition is
    left out unless too little else is said. A unit's relevance is raised by how much of the
    ways it gives, and those units are never cut as off the question (they answer it)."""
    ways = {i: ways_in(checker.units[i].text, intent) for i in section}
    gives = {i for i, n in ways.items() if n}
    if not gives:
        return pool, rel, set()
    rel = rel.copy()
    for i, n in ways.items():
        rel[i] += INTENT_BONUS * n
    answering = [i for i in pool if i in gives] or [i for i in section if i in gives]
    rest = sorted((i for i in pool if i not in gives and not is_definition(checker.units[i].text)),
                  key=lambda i: -rel[i])
    return answering + rest[: max(0, MIN_UNITS - len(answering))], rel, gives


def _section(checker: SupportChecker, passages: list[int], by_passage: dict[int, list[int]]) -> list[int]:
    """The units of the passages among `passages` that share the best passage's file and heading."""
    first = checker.passages[passages[0] - 1]
    return [i for n in passages for i in by_passage[n]
            if checker.passages[n - 1]["source"] == first["source"]
            and checker.passages[n - 1].get("heading") == first.get("heading")]


def _readable(i: int, checker: SupportChecker, answers: set[int]) -> list[int]:
    """Unit `i` with what it needs to be understood: the unit it points back to before it, the
    list a lead-in announces after it; empty when what it needs is not in the passage."""
    group = [i]
    while points_back(checker.units[group[0]].text):
        before = group[0] - 1
        if before >= 0 and checker.owner[before] == checker.owner[i] and checker.units[before].kind == "question":
            break  # it points at the question the section asks, which the user just asked
        if before < 0 or checker.owner[before] != checker.owner[i] or before not in answers or len(group) > 2:
            return []
        group.insert(0, before)
    if is_lead_in(checker.units[group[-1]]):
        after = group[-1] + 1
        if after >= len(checker.units) or checker.owner[after] != checker.owner[i] or after not in answers:
            return []
        group.append(after)
    return group


def _distinct(groups: list[list[int]], checker: SupportChecker) -> list[list[int]]:
    """Groups whose units say something not said by an earlier group (paraphrases included)."""
    kept: list[list[int]] = []
    seen: list[int] = []
    for g in groups:
        fresh = [i for i in g if i not in seen]
        if not fresh:
            continue
        if seen and all(max(float(checker.vectors[i] @ checker.vectors[j]) for j in seen) >= REPEAT_SIM
                        for i in fresh):
            continue
        kept.append(g)
        seen += fresh
    return kept


def _story(checker: SupportChecker, answers: set[int]) -> list[int]:
    """A story from its start: the best passage and the parts of the same section after it, in the
    notes' order; from each part (situation, task, action, result) its first units."""
    first = checker.passages[0]
    same = [n for n, p in enumerate(checker.passages, 1)
            if p["source"] == first["source"] and p.get("heading") == first.get("heading")]
    units = sorted((i for i in answers if checker.owner[i] in same),
                   key=lambda i: (checker.passages[checker.owner[i] - 1].get("line_start", 0), i))
    picked, total, part, in_part = [], 0, None, 0
    for i in units:
        marker = _STAR_PART.match(checker.units[i].text)
        if marker:
            part, in_part = marker.group(1).lower(), 0
        if in_part >= STORY_PART_UNITS or points_back(checker.units[i].text) and not picked:
            continue
        size = len(checker.units[i].text)
        if picked and total + size > STORY_CHARS:
            break
        picked.append(i)
        total += size
        in_part += 1
    return picked


def _mmr(pool: list[int], rel: np.ndarray, vectors: np.ndarray, limit: int, answering: set[int] = frozenset()) -> list[int]:
    """Relevant and not alike: maximal marginal relevance, at most `limit` units; a unit in
    `answering` is never cut as off the question."""
    chosen: list[int] = []
    rest = list(pool)
    while rest and len(chosen) < limit:
        def gain(i: int) -> float:
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            return MMR_LAMBDA * float(rel[i]) - (1 - MMR_LAMBDA) * redundancy

        best = max(rest, key=gain)
        if chosen and float(rel[best]) < 0.5 * float(rel[chosen[0]]) and len(chosen) >= MIN_UNITS \
                and best not in answering:
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


def _fit(groups: list[list[int]], checker: SupportChecker) -> list[list[int]]:
    """Keep the best groups of units within MAX_CHARS (at least one); a group is kept or left whole."""
    kept, total = [], 0
    for g in groups:
        size = sum(len(checker.units[i].text) for i in g)
        if kept and total + size > MAX_CHARS:
            continue
        kept.append(g)
        total += size
    return kept


def lead_group(checker: SupportChecker, picks: list[int]) -> list[int]:
    """The first picked unit with what must follow it before anything else is said: the list a
    lead-in announces, the units that point back at it ("Instead, they inject ..."). Said at once,
    in the notes' words, so the answer starts before the model has read its prompt."""
    if not picks:
        return []
    first = picks[:1]
    for nxt in picks[1:]:
        last = checker.units[first[-1]]
        if nxt != first[-1] + 1 or not (is_lead_in(last) or points_back(checker.units[nxt].text)):
            break
        first.append(nxt)
    return first
