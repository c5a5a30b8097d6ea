"""The data the core passes around, typed and built once: a chunk of a note, and a search hit.

A chunk's heading trail is a tuple (`("LoRA", "Disadvantages")`), joined only for display and
storage (`chunk.heading` -> "LoRA > Disadvantages"). A Passage is a hit as the answer, the UI and
the JSON output show it.

>>> c = Chunk.from_json({"id": "a1", "source": "a.md", "heading": "LoRA > Cost", "question": "",
...                      "text": "Cheap.", "line_start": 3, "line_end": 4})
>>> c.trail, c.heading, c.title
(('LoRA', 'Cost'), 'LoRA > Cost', 'Cost')
>>> Chunk.from_json(c.to_json()) == c
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from coach.text import TRAIL_SEP, trail


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str  # path relative to the notes folder
    trail: tuple[str, ...]  # the headings above it, outermost first
    question: str  # the interview question the section asks, if any
    text: str
    line_start: int
    line_end: int
    part: int = 0  # pieces of one long section: 0, 1, 2...

    @property
    def heading(self) -> str:
        """The trail for display: 'LoRA > Disadvantages'."""
        return TRAIL_SEP.join(self.trail)

    @property
    def title(self) -> str:
        """What the section is called: its question, else its last heading."""
        return self.question or (self.trail[-1] if self.trail else "")

    def to_json(self) -> dict:
        return {"id": self.id, "source": self.source, "heading": self.heading, "question": self.question,
                "text": self.text, "line_start": self.line_start, "line_end": self.line_end, "part": self.part}

    @classmethod
    def from_json(cls, d: dict) -> "Chunk":
        return cls(d["id"], d["source"], trail(d.get("heading", "")), d.get("question") or "", d["text"],
                   int(d["line_start"]), int(d["line_end"]), int(d.get("part", 0)))


class Passage(TypedDict):
    """A hit as shown: what the support check, the prompt, the UI and --json read."""

    source: str
    heading: str
    text: str
    score: float
    similarity: float
    line_start: int
    line_end: int


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused score in [0, 1]
    similarity: float  # best cosine similarity between the query and one of the chunk's vectors
    about: float | None = None  # the same over its opening and question only (what the chunk is about)

    @property
    def topic_similarity(self) -> float:
        return self.similarity if self.about is None else self.about

    def as_dict(self) -> Passage:
        c = self.chunk
        return {"source": c.source, "heading": c.heading, "text": c.text, "score": round(self.score, 5),
                "similarity": round(self.similarity, 4), "line_start": c.line_start, "line_end": c.line_end}
