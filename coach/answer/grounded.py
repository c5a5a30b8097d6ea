"""A streaming answer that is grounded by construction.

The model writes a draft from the picked note units; each draft sentence is checked as it
completes (`coach.answer.support`). The answer shown is built by `coach.answer.compose.Merger`: supported model
sentences, note units in place of unsupported ones, then the picked units nothing shown says
yet. The draft stays reachable, flagged sentence by sentence, as `draft_text`.

Events, in order: ("token", str) for each draft token, ("draft", Sentence) for each checked
draft sentence, ("sentence", Sentence) for each sentence of the shown answer.
"""

from __future__ import annotations

from typing import Iterator

from coach.errors import CoachError
from coach.answer.compose import Merger
from coach.answer.support import Sentence, SupportChecker
from coach.text import SENTENCE_END, strip_citations

NOT_COVERED = "Your notes don't cover this. The nearest passages are listed below."
UNSUPPORTED_MARK = "⚠ not in your notes"


class Answer:
    """Lazily streamed. `events()` drives it; `.text`, `.sentences`, `.draft_text` and
    `.to_json()` finish the stream first, so they always see the whole answer."""

    def __init__(self, question: str, standalone_query: str, hits: list, passages: list[dict],
                 tokens: Iterator[str] | None, checker: SupportChecker | None = None,
                 picks: list[int] | None = None, messages: list | None = None):
        self.question = question
        self.standalone_query = standalone_query
        self.hits = hits  # everything retrieval returned
        self.passages = passages  # the numbered passages the answer may cite
        self.covered = tokens is not None
        self.checker = checker
        self.picks = picks or []
        self.messages = messages or []  # the prompt the model read
        self._tokens = tokens if tokens is not None else iter(())
        self._raw: list[str] = []
        self._draft: list[Sentence] = []
        self._merger = Merger(checker, self.picks) if checker is not None else None
        self._done = False
        self.model_error: str | None = None  # the model failed mid-answer: the notes alone answered

    def events(self) -> Iterator[tuple[str, object]]:
        if self._done:
            return
        merger = self._merger
        if merger is not None:
            for s in merger.lead():
                yield "sentence", s
        pending = ""
        try:
            for token in self._tokens:
                self._raw.append(token)
                yield "token", token
                if merger is None:
                    continue
                pending += token
                parts = SENTENCE_END.split(pending)
                for done in parts[:-1]:
                    if done.strip():
                        yield from self._judge(done.strip())
                pending = parts[-1]
        except CoachError as err:
            if merger is None:
                raise
            self.model_error = str(err)  # the notes still answer: the picked units are said below
        if merger is not None:
            if pending.strip():
                yield from self._judge(pending.strip())
            if len(self._draft) == 1 and self._draft[0].trivial:
                # a whole answer is never "too short to judge": a one-word reply ("PWNED") is flagged
                self._draft[0].trivial = self._draft[0].supported = False
            for s in merger.finish():
                yield "sentence", s
        self._done = True

    def _judge(self, text: str) -> Iterator[tuple[str, object]]:
        s = self.checker.check(text)
        key = strip_citations(text).lower()
        s.repeat = any(strip_citations(d.text).lower() == key for d in self._draft)
        self._draft.append(s)
        yield "draft", s
        for shown in self._merger.add(s):
            yield "sentence", shown

    def __iter__(self) -> Iterator[str]:
        """The shown answer, sentence by sentence, each with its citations."""
        for kind, value in self.events():
            if kind == "sentence":
                yield format_sentence(value) + " "

    @property
    def done(self) -> bool:
        """True once the stream has been read to the end."""
        return self._done

    def _finish(self) -> None:
        for _ in self.events():
            pass

    @property
    def draft_so_far(self) -> list[Sentence]:
        """Draft sentences checked so far (does not advance the stream)."""
        return list(self._draft)

    @property
    def shown_so_far(self) -> list[Sentence]:
        """The shown answer as far as it is composed (does not advance the stream)."""
        return list(self._merger.shown) if self._merger else []

    @property
    def sentences(self) -> list[Sentence]:
        """The shown answer: every sentence supported and cited."""
        self._finish()
        return self.shown_so_far

    @property
    def draft_sentences(self) -> list[Sentence]:
        """The model's draft as checked, repeats left out (small models loop)."""
        self._finish()
        return [s for s in self._draft if not s.repeat]

    @property
    def raw_text(self) -> str:
        self._finish()
        return "".join(self._raw).strip()

    @property
    def text(self) -> str:
        if not self.covered:
            return NOT_COVERED
        return " ".join(format_sentence(s) for s in self.sentences)

    @property
    def draft_text(self) -> str:
        """The draft with each sentence's citation, or a ⚠ mark where the notes don't say it."""
        return " ".join(format_sentence(s) for s in self.draft_sentences)

    @property
    def model_kept(self) -> tuple[int, int]:
        """(model sentences shown, model sentences judged)."""
        judged = [s for s in self.draft_sentences if not s.trivial]
        return sum(s.origin == "model" for s in self.sentences), len(judged)

    @property
    def citations(self) -> list[dict]:
        used = sorted({n for s in self.sentences for n in s.citations})
        return [
            {"n": n, "source": self.passages[n - 1]["source"], "heading": self.passages[n - 1]["heading"]}
            for n in used
        ]

    @property
    def sources(self) -> list[dict]:
        """The passages the answer may cite, numbered; when not covered, the nearest ones."""
        return [{"n": n, **p} for n, p in enumerate(self.passages or [h.as_dict() for h in self.hits], 1)]

    def to_json(self) -> dict:
        return {
            "answer": self.text,
            "citations": self.citations,
            "sources": self.sources,
            "standalone_query": self.standalone_query,
            "model_error": self.model_error,
            "covered": self.covered,
            "sentences": [s.as_dict() for s in self.sentences],
            "draft": {
                "text": self.draft_text,
                "raw": self.raw_text,
                "sentences": [s.as_dict() for s in self.draft_sentences],
            },
        }


def format_sentence(s: Sentence) -> str:
    body = strip_citations(s.text)
    if s.trivial:
        return body
    if s.supported:
        return body + "".join(f" [{n}]" for n in s.citations)
    return f"{body} [{UNSUPPORTED_MARK}]"

