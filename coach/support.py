"""Is a sentence said by the notes? A strict check, made for sentences a model wrote.

Similar meaning is not enough: "DeepSpeed ZeRO solves the vanishing gradient problem" is close
to the ZeRO passage and shares most of its words with it. A sentence is supported only when one
unit of a passage (a sentence, a list item, a label with its bullets), read with the unit before
it and its section heading, holds what the sentence asserts together:
- its subject (the first content words of the sentence);
- every name, acronym and number in it;
- all its content words but one (two in a long sentence), and a missing word may only be a
  common one (frequent in the notes, like "uses" or "model"), never a rare term like "vanishing";
- and the two are close in meaning (embedding similarity at least the threshold).

>>> window_ok({"zero", "deeps", "solve", "vanis", "gradi"}, ["deeps", "zero"], {"zero", "deeps", "solve", "gradi"}, set())
False
>>> window_ok({"lora", "freez", "base", "model"}, ["lora", "freez"], {"lora", "freez", "base", "model", "weigh"}, set())
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from coach.text import last_heading, novel_terms, stem_list, stems, strip_citations, strip_markup, trail
from coach.units import Unit, note_units

SUBJECT_WORDS = 2  # the first content words of a sentence stand for its subject
COMMON_SHARE = 0.03  # a stem in at least this share of the notes' chunks is a common word
COMMON_MIN_CHUNKS = 3


def common_stems(texts: list[str]) -> frozenset[str]:
    """Stems frequent enough in the notes that leaving one out changes no fact ("uses", "model")."""
    from collections import Counter

    df = Counter(s for t in texts for s in stems(t))
    floor = max(COMMON_MIN_CHUNKS, COMMON_SHARE * len(texts))
    return frozenset(s for s, n in df.items() if n >= floor)


def window_ok(sentence: set[str], subject: list[str], window: set[str], common: set[str] | frozenset[str]) -> bool:
    """The word rule of the check: subject present, at most one (two if long) common word missing."""
    if any(s not in window for s in subject):
        return False
    missing = sentence - window
    allowed = 1 + (len(sentence) >= 12)
    return len(missing) <= allowed and all(m in common for m in missing)


@dataclass
class Sentence:
    """One sentence of an answer, as checked. `origin` is "model" (the model wrote it) or
    "notes" (the text of a note unit, shown instead of or beside the model's sentences)."""

    text: str
    supported: bool
    citations: list[int]
    similarity: float
    novel: list[str] = field(default_factory=list)
    origin: str = "model"
    repeat: bool = False
    trivial: bool = False  # a fragment too short to judge ("8", "**Summary**")
    unit: int | None = None  # index of the note unit that supports it (or that it was closest to)
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "supported": self.supported,
            "citations": self.citations,
            "origin": self.origin,
            "similarity": round(self.similarity, 3),
            "novel_terms": self.novel,
        }


class SupportChecker:
    """Splits the passages into note units and embeds them once; `check` judges one sentence."""

    def __init__(self, passages: list[dict], embedder, threshold: float, common: frozenset[str] = frozenset()):
        self.passages = passages
        self.embedder = embedder
        self.threshold = threshold
        self.common = common
        self.units: list[Unit] = []
        self.owner: list[int] = []  # 1-based passage number of each unit
        self.windows: list[set[str]] = []
        self.window_texts: list[str] = []
        for n, p in enumerate(passages, 1):
            heading = " ".join(trail(p.get("heading", ""))[-2:])
            prev = ""
            for unit in note_units(p["text"], p.get("line_start", 1)):
                context = f"{unit.text} {prev} {heading}"
                self.units.append(unit)
                self.owner.append(n)
                self.windows.append(stems(context))
                self.window_texts.append(context)
                prev = unit.text
        self.vectors = embedder.encode([u.text for u in self.units]) if self.units else None

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode(texts)

    def check(self, sentence: str) -> Sentence:
        plain = strip_markup(strip_citations(sentence))
        everything = " ".join(self.window_texts)
        if len(re.findall(r"[A-Za-z]{2,}", plain)) < 3 and not novel_terms(plain, everything):
            return Sentence(sentence, True, [], 0.0, trivial=True)
        if self.vectors is None:
            return Sentence(sentence, False, [], 0.0, novel_terms(plain, ""))
        vec = self.encode([plain])[0]
        sims = self.vectors @ vec
        order = [int(i) for i in np.argsort(-sims)]
        words = stem_list(plain)
        subject = list(dict.fromkeys(words))[:SUBJECT_WORDS]
        for i in order[:5]:
            if sims[i] < self.threshold:
                break
            if not self.units[i].answers:
                continue  # a question in the notes asserts nothing
            if novel_terms(plain, self.window_texts[i]):
                continue
            if window_ok(set(words), subject, self.windows[i], self.common):
                return Sentence(sentence, True, [self.owner[i]], float(sims[i]), unit=i, vector=vec)
        best = order[0]
        return Sentence(sentence, False, [], float(sims[best]), novel_terms(plain, everything), unit=best, vector=vec)

    def unit_sentence(self, i: int, vector: np.ndarray | None = None) -> Sentence:
        """A note unit shown as an answer sentence: supported by construction, cited to its passage."""
        vec = self.vectors[i] if vector is None else vector
        return Sentence(self.units[i].text, True, [self.owner[i]], 1.0, origin="notes", unit=i, vector=vec)

    def where(self, i: int) -> str:
        """'file:line' of a unit."""
        return f"{self.passages[self.owner[i] - 1]['source']}:{self.units[i].line}"

    def heading_of(self, i: int) -> str:
        return last_heading(self.passages[self.owner[i] - 1].get("heading", ""))
