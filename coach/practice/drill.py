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
from coach.practice.grading import MAX_ANSWER_CHARS, feedback, grade, key_points, rating_for
from coach.practice.star import advice, is_behavioural, star
from coach.practice.questions import Question
from coach.practice.store import Store


class Drill:
    def __init__(self, questions: list[Question], open_store: Callable[[], Store], embedder, home: Path):
        """`open_store` is called on first use, so listing questions never touches the database."""
        self.questions: dict[str, Question] = {q.id: q for q in questions}
        self._open_store = open_store
        self.embedder = embedder
        self.home = home

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

    def answer(self, question_id: str, text: str, seconds: float | None = None) -> dict:
        """Grade, record (with the time taken, if timed) and reschedule. The reference is part of
        the result: it is shown only after an attempt."""
        q = self.question(question_id)
        if not text.strip():
            raise UsageError("The answer is empty — type what you would say, or \"I don't know\".")
        if len(text) > MAX_ANSWER_CHARS:
            raise UsageError(f"The answer is {len(text):,} characters; answers over {MAX_ANSWER_CHARS:,} are not graded "
                             "— say it as you would in an interview, in a few sentences.")
        g = grade(text, q.reference, self.embedder, q.question)
        due = self.store.review(q.id, g.score, rating_for(g.score), text, seconds=seconds)
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
