"""One pass down from a question to a grounded answer: retrieve -> pick units -> say each one
(the first in the notes' words at once, the rest restated by the model and checked against the
unit it restates, as the `Answer` is read).

`Coach` builds the parts (searcher, engine, embedder) and hands them over; nothing here calls
back into it.
"""

from __future__ import annotations

from typing import Callable, Iterator

from coach.answer.compose import pick_units
from coach.answer.grounded import Answer
from coach.answer.support import SupportChecker
from coach.answer.verbalize import STOP, restate_messages, token_budget
from coach.engines.base import ChatEngine
from coach.search.retrieve import Search, covers, retrieve

CHAT_TEMPLATE_TOKENS = 32  # the chat template's own tokens around the prompt
COPYING = 1.0  # no repeat penalty: restating a note means saying its words again


class AnswerPipeline:
    def __init__(self, search: Search, engine: ChatEngine, embedder, settings,
                 spell: Callable[[str], str] | None = None):
        self.search, self.engine, self.embedder, self.settings = search, engine, embedder, settings
        self.spell = spell or (lambda q: q)  # misspelt words in the notes' spelling, shown as "Searched for"

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        """Retrieve, pick what the notes say, and stream an answer grounded in it.

        `history`: earlier standalone queries of this conversation, oldest first.
        When the best passage is not similar enough, no model runs: the answer says the
        notes don't cover it and the nearest passages are shown.
        """
        query, hits = retrieve(self.search, self.spell(question), history, self.settings.top_k)
        if not covers(hits, self.settings.min_relevance, query):
            return Answer(question, query, hits, [], None)
        passages = [h.as_dict() for h in hits[: self.settings.context_passages]]
        checker = SupportChecker(passages, self.embedder, self.settings.support_threshold)
        picks = pick_units(query, checker, checker.encode([query])[0])
        answer = Answer(question, query, hits, passages, lambda i: self.speak(answer, checker.units[i]),
                        checker, picks)
        return answer

    def speak(self, answer: Answer, unit) -> Iterator[str] | None:
        """The model's restatement of one unit, or None when its prompt does not fit the
        engine's context with room for the restatement (the unit is then said as written)."""
        messages = restate_messages(unit)
        budget = token_budget(unit, self.settings.max_tokens)
        n_ctx = getattr(self.engine, "n_ctx", None)
        if n_ctx:
            room = n_ctx - budget - CHAT_TEMPLATE_TOKENS
            text = " ".join(m.content for m in messages)
            if len(text) // 3 > room and self.engine.count_tokens(text) > room:
                return None  # most prompts fit by a cheap bound; only a long one is tokenized
        options = {"max_tokens": budget, "stop": STOP, "repeat_penalty": COPYING}
        answer.prompts.append((messages, options))
        return self.engine.stream(messages, **options)
