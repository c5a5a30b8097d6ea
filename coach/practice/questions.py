"""Pure: the interview questions the notes contain, each with its reference answer.

A question is a chunk's question (a question heading in any of its styles, a quoted-question
heading, a `Q:` line); its reference answer is the rest of its section, all pieces joined.
Ids hash source, question and answer, so they stay stable across re-ingests of unchanged text.

>>> from coach.types import Chunk
>>> qs = extract([Chunk("c1", "a.md", ("ML", "What is L2?"), "What is L2?",
...                     "### What is L2?\\nA penalty on squared weights.", 1, 2)])
>>> (qs[0].question, qs[0].reference, qs[0].topic)
('What is L2?', 'A penalty on squared weights.', 'a.md › ML')
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

from coach.types import Chunk

_QUESTION_LINE = re.compile(r"^\s*(#{1,6}\s+|\*\*|Q\d*\s*[:.)\-]|\d+\.\s*[\"“])")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    reference: str
    source: str
    topic: str
    heading: str

    def as_dict(self, reference: bool = False) -> dict:
        d = asdict(self)
        if not reference:
            d.pop("reference")
        return d


def _reference(text: str, question: str) -> str:
    """The section text without the line(s) that ask the question."""
    lines = text.splitlines()
    while lines and (not lines[0].strip() or _QUESTION_LINE.match(lines[0]) and question[:20] in lines[0] or
                     lines[0].strip().strip("*#\"“” ").startswith(question[:20])):
        lines.pop(0)
    body = "\n".join(lines).strip()
    return re.sub(r"^\s*A\s*:\s*", "", body)


def extract(chunks: list[Chunk]) -> list[Question]:
    """Questions in note order; the pieces of a split section are joined into one answer."""
    out: list[Question] = []
    current: tuple[Chunk, list[str]] | None = None
    for c in chunks:
        if c.question and c.part == 0:
            if current:
                out.append(_finish(*current))
            current = (c, [c.text])
        elif current and c.part > 0 and c.trail == current[0].trail and c.source == current[0].source:
            current[1].append(c.text)
        else:
            if current:
                out.append(_finish(*current))
            current = None
    if current:
        out.append(_finish(*current))
    return [q for q in out if len(q.reference) >= 20]


def _finish(c: Chunk, texts: list[str]) -> Question:
    reference = _reference(_join_overlapping(texts), c.question)
    trail = [t for t in c.trail if t != c.question]
    topic = c.source + (" › " + trail[-1] if trail else "")
    digest = hashlib.sha1(f"{c.source}\x00{c.question}\x00{reference}".encode()).hexdigest()[:12]
    return Question(digest, c.question, reference, c.source, topic, c.heading)


def _join_overlapping(texts: list[str]) -> str:
    """Join split pieces, dropping the overlap each piece repeats from the one before."""
    out = texts[0]
    for t in texts[1:]:
        cut = 0
        for size in range(min(len(out), len(t), 400), 20, -1):
            if out.endswith(t[:size]):
                cut = size
                break
        out += ("" if cut else "\n") + t[cut:]
    return out
