"""A streaming answer that is grounded by construction.

The composer picked the note units to say (`coach.answer.compose.pick_units`). The first one,
with what must follow it, is said at once in the notes' own words, so the answer starts before
the model has read a prompt. Then the model restates each of the other units in turn
(`coach.answer.verbalize`): a restatement that says only what its unit says is shown, cited; one
that does not is replaced by the unit's own words. The model's restatements stay reachable,
each flagged, as `draft_text`.

Events, in order: ("token", str) for each model token, ("draft", Sentence) for each checked
restatement, ("sentence", Sentence) for each sentence of the shown answer.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

from coach.errors import CoachError
from coach.answer.compose import MAX_SENTENCES, lead_group, is_lead_in
from coach.answer.support import Sentence, SupportChecker
from coach.answer.verbalize import judge, spoken
from coach.text import strip_citations

NOT_COVERED = "Your notes don't cover this. The nearest passages are listed below."
UNSUPPORTED_MARK = "⚠ not in your notes"
_NUMBERING = re.compile(r"^\d{1,2}[.)]\s+")


class Answer:
    """Lazily streamed. `events()` drives it; `.text`, `.sentences`, `.draft_text` and
    `.to_json()` finish the stream first, so they always see the whole answer.

    `speak(i)` streams the model's restatement of unit `i` (None: the unit is said in its own
    words, e.g. it does not fit the model's context); None for `speak` means not covered."""

    def __init__(self, question: str, standalone_query: str, hits: list, passages: list[dict],
                 speak: Callable[[int], Iterator[str] | None] | None, checker: SupportChecker | None = None,
                 picks: list[int] | None = None):
        self.question = question
        self.standalone_query = standalone_query
        self.hits = hits  # everything retrieval returned
        self.passages = passages  # the numbered passages the answer may cite
        self.covered = speak is not None
        self.checker = checker
        self.picks = picks or []
        self.prompts: list = []  # (messages, options): what the model read, one prompt per restated unit
        self._speak = speak
        self._gen = None
        self._raw: list[str] = []
        self._draft: list[Sentence] = []
        self._shown: list[Sentence] = []
        self._done = not self.covered
        self.model_error: str | None = None  # the model failed mid-answer: the notes alone answered
        self.stopped = False  # the reader ended it early (`stop()`)

    def events(self) -> Iterator[tuple[str, object]]:
        """The answer's events; a second call goes on where the first stopped."""
        if self._gen is None:
            self._gen = self._compose()
        yield from self._gen

    def _compose(self) -> Iterator[tuple[str, object]]:
        if self._done:
            return
        first = lead_group(self.checker, self.picks)
        for i in first:
            yield "sentence", self._say_note(i)
        for i in self.picks[len(first):]:
            if len(self._shown) >= MAX_SENTENCES:
                break
            if self.model_error or is_lead_in(self.checker.units[i]):
                yield "sentence", self._say_note(i)  # a lead-in is said as written, its list after it
                continue
            tokens: list[str] = []
            stream = None
            try:
                stream = self._speak(i)
                for token in stream if stream is not None else ():
                    tokens.append(token)
                    self._raw.append(token)
                    yield "token", token
            except CoachError as err:
                self.model_error = str(err)  # the notes still answer: the rest is said in their words
            finally:
                if hasattr(stream, "close"):
                    stream.close()  # stopped mid-restatement: the model is given back now, not when collected
            if self.model_error or stream is None:
                yield "sentence", self._say_note(i)
                continue
            self._raw.append("\n")
            draft = self._judge(_numbering_dropped(" ".join("".join(tokens).split()), self.checker.units[i]), i)
            yield "draft", draft
            yield "sentence", self._show(draft if draft.supported else self._note(i))
        self._done = True

    def _judge(self, text: str, i: int) -> Sentence:
        checker = self.checker
        why = judge(text, checker.units[i], checker.heading_of(i))
        s = Sentence(text, why is None, [checker.owner[i]] if why is None else [], 1.0 if why is None else 0.0,
                     unit=i, vector=checker.vectors[i], reason=why or "")
        self._draft.append(s)
        return s

    def _note(self, i: int) -> Sentence:
        s = self.checker.unit_sentence(i)
        s.text = spoken(self.checker.units[i])
        return s

    def _say_note(self, i: int) -> Sentence:
        return self._show(self._note(i))

    def _show(self, s: Sentence) -> Sentence:
        self._shown.append(s)
        return s

    def __iter__(self) -> Iterator[str]:
        """The shown answer, sentence by sentence, each with its citations."""
        for kind, value in self.events():
            if kind == "sentence":
                yield format_sentence(value) + " "

    def stop(self) -> None:
        """End the answer where it is: the model's stream is closed (its worker gives the model
        back) and what was shown so far is the whole answer. A finished answer stays as it is."""
        if self._done:
            return
        if self._gen is not None:
            self._gen.close()
        self.stopped = self._done = True

    @property
    def done(self) -> bool:
        """True once the stream has been read to the end."""
        return self._done

    def _finish(self) -> None:
        for _ in self.events():
            pass

    @property
    def draft_so_far(self) -> list[Sentence]:
        """Restatements checked so far (does not advance the stream)."""
        return list(self._draft)

    @property
    def shown_so_far(self) -> list[Sentence]:
        """The shown answer as far as it is composed (does not advance the stream)."""
        return list(self._shown)

    @property
    def sentences(self) -> list[Sentence]:
        """The shown answer: every sentence supported and cited."""
        self._finish()
        return self.shown_so_far

    @property
    def draft_sentences(self) -> list[Sentence]:
        """The model's restatements as checked, one per unit it was given."""
        self._finish()
        return list(self._draft)

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
        """(model restatements shown, model restatements judged)."""
        return sum(s.origin == "model" for s in self.sentences), len(self.draft_sentences)

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


def _numbering_dropped(text: str, unit) -> str:
    """A restatement that repeats its note's own numbering ("4. Performance Monitoring tracks ...")
    is said without it: the number orders the notes, it is not a thing to say."""
    m = _NUMBERING.match(text)
    return text[m.end():] if m and unit.text.startswith(m.group(0).strip()) else text


def format_sentence(s: Sentence) -> str:
    body = strip_citations(s.text)
    if s.trivial:
        return body
    if s.supported:
        return body + "".join(f" [{n}]" for n in s.citations)
    return f"{body} [{UNSUPPORTED_MARK}]"

