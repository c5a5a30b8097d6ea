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
        g = grade(text, q.reference, self.coach.base_embedder)
        due = self.store.review(q.id, g.score, rating_for(g.score), text)
        return {
            "id": q.id,
            "score": g.score,
            "covered": g.covered,
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


def talking_points(coach, topic: str, limit: int = 8) -> dict:
    """5-10 lines from the notes on `topic`, all from the file that matches it best (a project's
    points come from that project's notes), most relevant first."""
    hits = coach.search(topic, 10)
    if not hits or max(h.similarity for h in hits) < coach.settings.min_relevance:
        return {"topic": topic, "points": []}
    source = hits[0].chunk["source"]
    # every section of that file is a candidate, so the points cover the whole project
    sections = [c for c in coach.index.chunks if c["source"] == source]
    lines, where = [], []
    for c in sections:
        titles = set(trail(c["heading"]))
        for line in split_sentences(c["text"]):
            if line.lstrip().startswith("#"):
                continue  # a heading names a section; it is not a point
            text = strip_markup(line)
            if text in titles or text.rstrip(":") in titles:
                continue
            if len(text.split()) >= 7 and not QUESTION_LINE.match(text) and text not in lines:
                lines.append(text)
                where.append(c)
    if not lines:
        return {"topic": topic, "points": []}
    vecs = coach.base_embedder.encode([topic] + lines)
    heads = coach.base_embedder.encode([c["heading"] for c in sections])
    head_sim = dict(zip((c["id"] for c in sections), heads @ vecs[0]))
    # a point is a substantive line in a section about the topic
    sims = 0.5 * (vecs[1:] @ vecs[0]) + 0.5 * np.array([head_sim[c["id"]] for c in where])
    picked: list[int] = []
    used_sections: set[str] = set()
    for i in np.argsort(-sims):
        if len(picked) == limit:
            break
        if where[i]["id"] in used_sections:
            continue  # one point per section: breadth over repetition
        if all(float(vecs[1 + i] @ vecs[1 + j]) < 0.85 for j in picked):  # no near-duplicates
            picked.append(int(i))
            used_sections.add(where[i]["id"])
    return {
        "topic": topic,
        "points": [{"text": lines[i], "source": where[i]["source"], "heading": where[i]["heading"]} for i in picked],
    }
