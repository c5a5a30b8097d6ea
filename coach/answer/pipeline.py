"""One pass down from a question to a grounded answer: retrieve -> pick units -> fit the prompt
-> stream -> merge (the merge runs as the `Answer` is read).

`Coach` builds the parts (searcher, engine, embedder) and hands them over; nothing here calls
back into it.
"""

from __future__ import annotations

from typing import Iterator

from coach.answer.compose import pick_units
from coach.answer.grounded import Answer
from coach.answer.prompts import ANSWER_PROMPT, MAX_QUESTION_CHARS, number_notes, trim
from coach.answer.support import SupportChecker
from coach.engines.base import ChatEngine
from coach.search.retrieve import Search, covers, retrieve

CHAT_TEMPLATE_TOKENS = 32  # the chat template's own tokens around the prompt


class AnswerPipeline:
    def __init__(self, search: Search, engine: ChatEngine, embedder, settings):
        self.search, self.engine, self.embedder, self.settings = search, engine, embedder, settings

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        """Retrieve, pick what the notes say, and stream an answer grounded in it.

        `history`: earlier standalone queries of this conversation, oldest first.
        When the best passage is not similar enough, no model runs: the answer says the
        notes don't cover it and the nearest passages are shown.
        """
        query, hits = retrieve(self.search, question, history, self.settings.top_k)
        if not covers(hits, self.settings.min_relevance, query):
            return Answer(question, query, hits, [], None)
        passages = [h.as_dict() for h in hits[: self.settings.context_passages]]
        checker = SupportChecker(passages, self.embedder, self.settings.support_threshold)
        picks = pick_units(query, checker, checker.encode([query])[0])
        messages = self.fit(question, picks, checker)
        return Answer(question, query, hits, passages, self.stream(messages), checker, picks, messages)

    def fit(self, question: str, picks: list[int], checker: SupportChecker):
        """The prompt, fitted to the engine's context with room for the answer: the question is
        cut first, then the last picked units are left out of the prompt (they are still said)."""
        limit = MAX_QUESTION_CHARS
        kept = list(picks)
        n_ctx = getattr(self.engine, "n_ctx", None)
        room = (n_ctx or 0) - self.settings.max_tokens - CHAT_TEMPLATE_TOKENS
        while True:
            notes = number_notes([(checker.heading_of(i), checker.owner[i], checker.units[i].text) for i in kept])
            messages = ANSWER_PROMPT.format_messages(notes=notes, question=trim(question, limit))
            text = " ".join(m.content for m in messages)
            if not n_ctx or len(text) // 3 <= room or self.engine.count_tokens(text) <= room:
                return messages  # most prompts fit by a cheap bound; only a long one is tokenized
            if limit > 200:
                limit //= 2
            elif len(kept) > 1:
                kept.pop()
            else:
                return messages

    def stream(self, messages) -> Iterator[str]:
        """Tokens from the engine (the local GGUF or a server)."""
        return self.engine.stream(messages)
