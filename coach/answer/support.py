"""Is a sentence said by the notes? A strict check, made for sentences a model wrote.

Similar meaning is not enough: "DeepSpeed ZeRO solves the vanishing gradient problem" is close
to the ZeRO passage and shares most of its words with it. The checker finds the units of the
passages (a sentence, a list item, a label with its bullets, a table row) closest to a sentence
in meaning (embedding similarity at least the threshold), and the sentence is supported only
when one of them passes `coach.answer.restates` against that unit alone: its words, names,
numbers, subject and negations are that unit's. Clauses joined by "and", "but" or ";" may each
be said by a unit of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from coach.text import (
    clauses, last_heading, novel_terms, split_sentences, strip_citations, strip_markup, trail,
)
from coach.answer.restates import restates
from coach.answer.units import Unit, note_units

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
    trivial: bool = False  # a fragment too short to judge ("8", "**Summary**")
    unit: int | None = None  # index of the note unit that supports it (or that it was closest to)
    reason: str = ""  # why the check refused it
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "supported": self.supported,
            "citations": self.citations,
            "origin": self.origin,
            "similarity": round(self.similarity, 3),
            "novel_terms": self.novel,
            **({"refused": self.reason} if self.reason else {}),
        }


class SupportChecker:
    """Splits the passages into note units and embeds them once; `check` judges one sentence."""

    def __init__(self, passages: list[dict], embedder, threshold: float):
        self.passages = passages
        self.embedder = embedder
        self.threshold = threshold
        self.units: list[Unit] = []
        self.owner: list[int] = []  # 1-based passage number of each unit
        self.window_texts: list[str] = []
        for n, p in enumerate(passages, 1):
            heading = " ".join(trail(p.get("heading", ""))[-2:])
            prev = ""
            for unit in note_units(p["text"], p.get("line_start", 1)):
                self.units.append(unit)
                self.owner.append(n)
                self.window_texts.append(strip_markup(f"{unit.text} {prev} {heading}"))
                prev = unit.text
        self._all_text = " ".join(self.window_texts)  # every unit with its context, for novel terms
        # Probes: each unit, and each sentence of a list's items, so that a sentence that says one
        # bullet of a long list is compared with that bullet, not with the whole list.
        texts = [u.text for u in self.units]
        probe_unit = list(range(len(self.units)))
        for i, u in enumerate(self.units):
            for item in u.items:
                for part in (x for sent in split_sentences(item) for x in sent.split("; ") if x):
                    texts.append(part)
                    probe_unit.append(i)
        vectors = embedder.encode(texts) if texts else None
        self.vectors = vectors[: len(self.units)] if vectors is not None else None
        self._probes = vectors
        self._probe_unit = np.asarray(probe_unit, dtype=np.int64)

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode(texts)

    def unit_similarity(self, vec: np.ndarray) -> np.ndarray:
        """Per unit: the best similarity of `vec` to the unit or to one of its bullets."""
        sims = np.full(len(self.units), -1.0, dtype=np.float32)
        np.maximum.at(sims, self._probe_unit, self._probes @ vec)
        return sims

    def check(self, sentence: str) -> Sentence:
        plain = strip_markup(strip_citations(sentence))
        if len(re.findall(r"[A-Za-z]{2,}", plain)) < 3 and not novel_terms(plain, self._all_text):
            return Sentence(sentence, True, [], 0.0, trivial=True)
        if self.vectors is None:
            return Sentence(sentence, False, [], 0.0, novel_terms(plain, ""))
        parts = clauses(plain)
        vectors = self.encode([plain] + ([t for t, _ in parts] if len(parts) > 1 else []))
        vec = vectors[0]
        whole = self.unit_similarity(vec)
        found = self._support(whole, plain, plain)
        if found is not None:
            return Sentence(sentence, True, [self.owner[found]], float(whole[found]), unit=found, vector=vec)
        cited: list[int] = []
        rows: set[int] = set()
        first = None
        for k, (text, _) in enumerate(parts if len(parts) > 1 else []):
            found = self._support(np.maximum(whole, self.unit_similarity(vectors[k + 1])), plain, text)
            if found is None:
                break
            if found in rows:
                break  # two clauses from one table row: two columns read as one claim
            if self.units[found].kind == "row":
                rows.add(found)
            first = found if first is None else first
            if self.owner[found] not in cited:
                cited.append(self.owner[found])
        else:
            if first is not None:  # every clause is said by a unit of its own
                return Sentence(sentence, True, cited, float(whole[first]), unit=first, vector=vec)
        nearest = int(np.argmax(whole))
        return Sentence(sentence, False, [], float(whole[nearest]), novel_terms(plain, self._all_text),
                        unit=nearest, vector=vec)

    def _support(self, sims: np.ndarray, plain: str, said: str) -> int | None:
        """The unit that says this clause (`said`, of the sentence `plain`): among the units
        closest to it in meaning, one that it restates and nothing else (coach.answer.restates)."""
        for i in (int(j) for j in np.argsort(-sims)[:8]):
            if sims[i] < self.threshold:
                return None
            if not self.units[i].answers:
                continue  # a question in the notes asserts nothing
            if novel_terms(plain, self.window_texts[i]):
                continue
            if restates(said, self.units[i], self.heading_of(i)) is None:
                return i
        return None

    def unit_sentence(self, i: int) -> Sentence:
        """A note unit shown as an answer sentence: supported by construction, cited to its passage."""
        return Sentence(self.units[i].text, True, [self.owner[i]], 1.0, origin="notes", unit=i, vector=self.vectors[i])

    def heading_of(self, i: int) -> str:
        return last_heading(self.passages[self.owner[i] - 1].get("heading", ""))
