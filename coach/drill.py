"""Practice mode: questions from the notes, graded answers, spaced repetition, talking points."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from coach.text import QUESTION_LINE, split_sentences, strip_markup, trail
from coach.errors import UsageError
from coach.grading import feedback, grade, rating_for
from coach.questions import Question, extract
from coach.store import Store


class Drill:
    def __init__(self, coach):
        self.coach = coach

    @cached_property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for q in extract(self.coach.index.chunks)}

    @cached_property
    def store(self) -> Store:
        store = Store(self.coach.settings.home)
        store.sync(self.questions.values())
        return store

    def list(self, topic: str | None = None) -> list[Question]:
        t = (topic or "").lower()
        return [q for q in self.questions.values() if t in f"{q.topic} {q.heading} {q.question}".lower()]

    def next(self, topic: str | None = None) -> dict | None:
        """The due question from the weakest topic, or None when nothing is due."""
        row = self.store.next_due(topic, only=set(self.questions))
        if row is None:
            return None
        return {"id": row["id"], "question": row["question"], "source": row["source"], "topic": row["topic"],
                "due": row["due"]}

    def answer(self, question_id: str, text: str) -> dict:
        q = self.questions.get(question_id)
        if q is None:
            raise UsageError(f"No question {question_id} — run `coach drill list` for the ids.")
        if not text.strip():
            raise UsageError("The answer is empty — type what you would say, or \"I don't know\".")
        g = grade(text, q.reference, self.coach.base_embedder, q.question)
        due = self.store.review(q.id, g.score, rating_for(g.score), text)
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
        }

    def follow_up(self, q: Question) -> str:
        """What an interviewer would ask next, from the same notes: the closest other question
        of the same file."""
        others = [o for o in self.questions.values() if o.source == q.source and o.id != q.id]
        if not others:
            return ""
        vecs = self.coach.base_embedder.encode([q.question] + [o.question for o in others])
        return others[int(np.argmax(vecs[1:] @ vecs[0]))].question

    def stats(self) -> dict:
        return self.store.stats()
