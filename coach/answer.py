"""A streaming answer that checks itself against its passages once it is complete.

Iterate it for tokens; afterwards (or on first access to `.sentences`) every sentence is
compared with the passages' sentences: a sentence is supported when its embedding is close
to one of them and it names nothing (names, acronyms, numbers) the passages do not contain.
Supported sentences get the citation of the passage that supports them; the rest are flagged.

>>> split_sentences("LoRA is cheap [1]. It trains adapters! Why?")
['LoRA is cheap [1].', 'It trains adapters!', 'Why?']
>>> novel_terms("QLoRA uses 4-bit NF4 [2].", "qlora quantizes to 4 bits")
['NF4']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

NOT_COVERED = "Your notes don't cover this. The nearest passages are listed below."
_CITE = re.compile(r"\[(\d+)\]")
# A sentence ends at . ! ? before white space (not after a list number like "1.") or at a line end.
_SENTENCE_END = re.compile(r"(?<![0-9]\.)(?<=[.!?])\s+|\n+")
_QUESTION_LINE = re.compile(r"^(Q\d*\s*[:.)\-]|.*\?[\"”]?$)")
_MARKUP = re.compile(r"^\s*(?:[#>*+•-]+\s*|\d+[.)]\s+)+|[*_`]+")  # bullets, "1. " numbering, emphasis
# Things a small model invents: capitalised names inside a sentence, acronyms, numbers.
_TERM = re.compile(r"(?<!^)(?<![.!?]\s)\b([A-Z][a-zA-Z0-9]*[A-Z0-9][a-zA-Z0-9]*|[A-Z][a-z]{2,}|\d[\d.,%]*)\b")


MIN_WORD_OVERLAP = 0.5
_STOP = frozenset(
    "a an the and or but of to in on for with by as at from is are was were be been being it its this that "
    "these those there their they them which who what when where why how can could would should will may "
    "might do does did has have had not no so such than then also very more most into over about your you "
    "i we our us he she his her".split()
)


def _stems(text: str) -> set[str]:
    """Content words cut to 5 letters, a crude stem: {'quant', 'model', ...}."""
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 1}


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def novel_terms(sentence: str, passages_text: str) -> list[str]:
    """Names, acronyms and numbers in `sentence` that appear nowhere in the passages."""
    plain = _CITE.sub("", sentence).strip()
    haystack = passages_text.lower()
    return [t for t in _TERM.findall(plain) if t.lower() not in haystack]


@dataclass
class Sentence:
    text: str
    supported: bool
    citations: list[int]
    similarity: float
    novel: list[str] = field(default_factory=list)
    repeat: bool = False
    trivial: bool = False  # a fragment too short to judge ("8", "**Summary**")

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "supported": self.supported,
            "citations": self.citations,
            "similarity": round(self.similarity, 3),
            "novel_terms": self.novel,
        }


class SupportChecker:
    """Embeds the passages' sentences once; `check` judges one answer sentence at a time."""

    def __init__(self, passages: list[dict], embedder, threshold: float):
        self.passages = passages
        self.embedder = embedder
        self.threshold = threshold
        self.units, self.owner, self.keyable = [], [], []
        for n, p in enumerate(passages, 1):
            for line in split_sentences(p["text"]):
                unit = _MARKUP.sub("", line).strip()
                if len(unit.split()) >= 3:
                    self.units.append(unit)
                    self.owner.append(n)
                    # headings and the notes' own questions support sentences but answer nothing
                    self.keyable.append(not line.lstrip().startswith("#") and not _QUESTION_LINE.match(unit))
        self.unit_vectors = embedder.encode(self.units) if self.units else None
        self.texts = [p["text"] + " " + p.get("heading", "") for p in passages]
        self.stems = [_stems(t) for t in self.texts]

    def check(self, sentence: str) -> Sentence:
        plain = _MARKUP.sub("", _CITE.sub("", sentence)).strip()
        if len(re.findall(r"[A-Za-z]{2,}", plain)) < 3 and not novel_terms(plain, " ".join(self.texts)):
            return Sentence(sentence, True, [], 0.0, trivial=True)
        if self.unit_vectors is None:
            return Sentence(sentence, False, [], 0.0, novel_terms(plain, ""))
        sims = self.unit_vectors @ self.embedder.encode([plain])[0]
        best = int(np.argmax(sims))
        sim = float(sims[best])
        # The passage that supports a sentence must also hold its names and most of its words.
        source = self.owner[best] - 1
        novel = novel_terms(plain, self.texts[source])
        words = _stems(plain)
        overlap = len(words & self.stems[source]) / len(words) if words else 0.0
        supported = sim >= self.threshold and not novel and overlap >= MIN_WORD_OVERLAP
        cited = [int(n) for n in _CITE.findall(sentence) if 1 <= int(n) <= len(self.passages)]
        owner = np.asarray(self.owner)
        if supported and not any(float(sims[owner == n].max(initial=-1)) >= self.threshold for n in cited):
            cited = [self.owner[best]]  # the model cited nothing, or the wrong passage: cite the supporting one
        return Sentence(sentence, supported, cited if supported else [], sim, novel)


    def key_lines(self, question: str, n: int = 4) -> list[dict]:
        """The passage sentences closest to the question: a grounded answer that needs no LLM."""
        if self.unit_vectors is None:
            return []
        sims = self.unit_vectors @ self.embedder.encode([question])[0]
        # a one-line aside mentions the topic as much as a definition does: prefer fuller lines
        sims = sims * np.minimum(1.0, np.array([len(u.split()) for u in self.units]) / 12) ** 0.5
        # Retrieval already ranked the passages (R@1 0.97 on the dev set): take the top passage's
        # most relevant lines, lower passages only to fill up, then show them in the notes' order.
        order = sorted(range(len(self.units)), key=lambda i: (self.owner[i], -sims[i]))
        picked, seen = [], set()
        for i in order:
            text = " ".join(self.units[i].split())
            if not self.keyable[i] or text.lower() in seen or len(text) < 25:
                continue
            seen.add(text.lower())
            picked.append({"text": text, "n": self.owner[i], "similarity": round(float(sims[i]), 3), "at": i})
            if len(picked) == n:
                break
        return [{k: v for k, v in p.items() if k != "at"} for p in sorted(picked, key=lambda p: p["at"])]


def check_support(text: str, passages: list[dict], embedder, threshold: float) -> list[Sentence]:
    checker = SupportChecker(passages, embedder, threshold)
    return [checker.check(s) for s in split_sentences(text)]


class Answer:
    """Lazily streamed. `for token in answer` streams tokens; `answer.events()` streams
    ("token", str) and, as each sentence completes, ("sentence", Sentence). `.text`,
    `.sentences` and `.to_json()` finish the stream first, so they always see the whole answer."""

    def __init__(self, question: str, standalone_query: str, hits: list, passages: list[dict],
                 tokens: Iterator[str] | None, embedder, threshold: float):
        self.question = question
        self.standalone_query = standalone_query
        self.hits = hits  # everything retrieval returned
        self.passages = passages  # the numbered passages the model read
        self.covered = tokens is not None
        self._tokens = tokens if tokens is not None else iter([NOT_COVERED])
        self._raw: list[str] = []
        self._checked: list[Sentence] = []
        self._done = False
        self._embedder = embedder
        self._threshold = threshold
        self._checker: SupportChecker | None = None

    @property
    def checker(self) -> SupportChecker | None:
        if self._checker is None and self.covered:
            self._checker = SupportChecker(self.passages, self._embedder, self._threshold)
        return self._checker

    @property
    def key_points(self) -> list[dict]:
        """The lines of the passages that best answer the question, each with its citation."""
        from coach.followup import topic_of

        return self.checker.key_lines(topic_of(self.standalone_query)) if self.covered else []

    @property
    def weak(self) -> bool:
        """True when fewer than half of the answer's sentences are supported by the notes."""
        judged = [s for s in self.sentences if not s.trivial]
        return self.covered and (not judged or 2 * sum(s.supported for s in judged) < len(judged))

    def events(self) -> Iterator[tuple[str, object]]:
        checker = self.checker
        pending = ""
        for token in self._tokens:
            self._raw.append(token)
            yield "token", token
            if checker is None:
                continue
            pending += token
            parts = _SENTENCE_END.split(pending)
            for done in parts[:-1]:
                if done.strip():
                    yield "sentence", self._add(checker.check(done.strip()))
            pending = parts[-1]
        if checker is not None and pending.strip():
            yield "sentence", self._add(checker.check(pending.strip()))
        self._done = True

    def _add(self, sentence: Sentence) -> Sentence:
        key = _CITE.sub("", sentence.text).strip().lower()
        sentence.repeat = any(_CITE.sub("", s.text).strip().lower() == key for s in self._checked)
        self._checked.append(sentence)
        return sentence

    def __iter__(self) -> Iterator[str]:
        for kind, value in self.events():
            if kind == "token":
                yield value

    @property
    def done(self) -> bool:
        """True once the stream has been read to the end."""
        return self._done

    def _finish(self) -> None:
        if not self._done:
            for _ in self.events():
                pass

    @property
    def raw_text(self) -> str:
        self._finish()
        return "".join(self._raw).strip()

    @property
    def sentences(self) -> list[Sentence]:
        """Checked sentences, repeats left out (small models loop)."""
        self._finish()
        return [s for s in self._checked if not s.repeat]

    @property
    def text(self) -> str:
        """The checked answer: each sentence with its citation; unsupported ones marked ⚠."""
        if not self.covered:
            return NOT_COVERED
        return " ".join(format_sentence(s) for s in self.sentences)

    @property
    def unsupported(self) -> list[Sentence]:
        return [s for s in self.sentences if not s.supported]

    @property
    def citations(self) -> list[dict]:
        used = sorted({n for s in self.sentences for n in s.citations})
        return [
            {"n": n, "source": self.passages[n - 1]["source"], "heading": self.passages[n - 1]["heading"]}
            for n in used
        ]

    @property
    def sources(self) -> list[dict]:
        """The passages the model read, numbered as cited; when not covered, the nearest ones."""
        return [{"n": n, **p} for n, p in enumerate(self.passages or [h.as_dict() for h in self.hits], 1)]

    def to_json(self) -> dict:
        return {
            "answer": self.text,
            "citations": self.citations,
            "sources": self.sources,
            "standalone_query": self.standalone_query,
            "covered": self.covered,
            "raw_answer": self.raw_text,
            "sentences": [s.as_dict() for s in self.sentences],
            "key_points": self.key_points,
        }


UNSUPPORTED_MARK = "⚠ not in your notes"


def format_sentence(s: Sentence) -> str:
    body = _CITE.sub("", s.text).strip()
    if s.supported:
        return body + "".join(f" [{n}]" for n in s.citations)
    return f"{body} [{UNSUPPORTED_MARK}]"
