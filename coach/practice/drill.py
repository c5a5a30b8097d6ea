"""Practice mode: questions from the notes, hints, graded answers, STAR checks, spaced repetition.

`Drill` gets the parts it uses — the questions, the practice store, the embedding model that
grades, and the folder of saved job preps — and never calls back into `Coach`.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np

from coach.errors import UsageError
from coach.practice.grading import MAX_ANSWER_CHARS, feedback, grade, key_points, not_in_notes, rating_for
from coach.practice.star import advice, is_behavioural, star, story_times
from coach.practice.questions import Question
from coach.practice.store import Store
from coach.text import novel_terms
from coach.voice import delivery as said


def sooner(rating):
    """One step sooner on the FSRS scale (Easy -> Good -> Hard -> Again): a weak delivery costs
    the card what a weaker grade would."""
    from fsrs import Rating

    return Rating(max(int(Rating.Again), int(rating) - 1))


def told(heard, story: bool) -> dict:
    """How a transcript was said (coach.voice.delivery.report); for a story, also the seconds
    spent on each STAR part."""
    d = said.report(heard, "story" if story else "technical")
    if story:
        d["star_s"] = story_times(said.sentences(heard.words))
        d["lines"].append("Story: " + ", ".join(f"{part} {t:.0f} s" for part, t in d["star_s"].items()) + ".")
    return d


class Drill:
    def __init__(self, questions: list[Question], open_store: Callable[[], Store], embedder, home: Path,
                 transcriber=None):
        """`open_store` is called on first use, so listing questions never touches the database;
        `transcriber` (coach.voice.transcribe.Transcriber) loads its model on the first recording."""
        self.questions: dict[str, Question] = {q.id: q for q in questions}
        self._open_store = open_store
        self.embedder = embedder
        self.home = home
        self.transcriber = transcriber

    @cached_property
    def store(self) -> Store:
        store = self._open_store()
        store.sync(self.questions.values())
        return store

    def list(self, topic: str | None = None) -> list[Question]:
        t = (topic or "").lower()
        return [q for q in self.questions.values() if t in f"{q.topic} {q.heading} {q.question}".lower()]

    def next(self, topic: str | None = None, only: set[str] | None = None) -> dict | None:
        """The due question from the weakest topic, or None when nothing is due.
        `only`: a subset of question ids (a job's questions from `coach prep`)."""
        ids = set(self.questions) if only is None else set(self.questions) & only
        row = self.store.next_due(topic, only=ids)
        if row is None:
            return None
        return {"id": row["id"], "question": row["question"], "source": row["source"], "topic": row["topic"],
                "due": row["due"]}

    def question(self, question_id: str) -> Question:
        q = self.questions.get(question_id)
        if q is None:
            raise UsageError(f"No question {question_id} — run `coach drill list` for the ids.")
        return q

    def hint(self, question_id: str) -> str:
        """The first key point of the notes' answer: a nudge, not the answer."""
        q = self.question(question_id)
        points = key_points(q.reference, q.question)
        return points[0] if points else ""

    def history(self, question_id: str) -> list[dict]:
        return self.store.history(self.question(question_id).id)

    def listen(self, question_id: str, recording: Path) -> dict:
        """A spoken answer to one question: its transcript and how it was said (the figures of
        coach.voice.delivery, its feedback lines, and for a story the seconds per STAR part).
        Nothing is graded or stored: the transcript can be corrected first, then `answer`ed."""
        q = self.question(question_id)
        if self.transcriber is None:
            raise UsageError("No speech model is set up here — type the answer instead.")
        terms = [t for t in novel_terms(f"{q.question}. {q.reference}", "") if not t[:1].isdigit()]
        heard = self.transcriber.transcribe(recording, terms=terms)
        return {"id": q.id, **told(heard, is_behavioural(q.question))}

    def answer(self, question_id: str, text: str, seconds: float | None = None, delivery: dict | None = None) -> dict:
        """Grade, record (with the time taken, if timed, and how it was said, if spoken) and
        reschedule: a weak delivery brings the card back sooner. The reference is part of the
        result: it is shown only after an attempt."""
        q = self.question(question_id)
        if not text.strip():
            raise UsageError("The answer is empty — type what you would say, or \"I don't know\".")
        if len(text) > MAX_ANSWER_CHARS:
            raise UsageError(f"The answer is {len(text):,} characters; answers over {MAX_ANSWER_CHARS:,} are not graded "
                             "— say it as you would in an interview, in a few sentences.")
        g = grade(text, q.reference, self.embedder, q.question)
        rating = rating_for(g.score)
        if delivery and delivery.get("weak"):
            rating = sooner(rating)
        due = self.store.review(q.id, g.score, rating, text, seconds=seconds, delivery=delivery)
        behavioural = is_behavioural(q.question)
        found = star(text) if behavioural else None
        return {
            "id": q.id,
            "score": g.score,
            "covered": g.covered,
            "partial": g.partial,
            "missed": g.missed,
            "reference": q.reference,
            "feedback": feedback(g),
            "follow_up": self.follow_up(q),
            "next_due": due.isoformat(),
            "star": {"parts": found, "advice": advice(found)} if behavioural else None,
            "seconds": seconds,
            "not_in_notes": not_in_notes(text, q.reference),
            "delivery": delivery,
            "history": self.store.history(q.id),
        }

    def follow_up(self, q: Question) -> str:
        """What an interviewer would ask next, from the same notes: the closest other question
        of the same file."""
        others = [o for o in self.questions.values() if o.source == q.source and o.id != q.id]
        if not others:
            return ""
        vecs = self.embedder.encode([q.question] + [o.question for o in others])
        return others[int(np.argmax(vecs[1:] @ vecs[0]))].question

    def prep_questions(self, name: str) -> set[str]:
        """The question ids of a job saved by `coach prep --name NAME`."""
        from coach.practice.prep import load_ids

        return load_ids(self.home, name)

    def stats(self) -> dict:
        return self.store.stats()
