"""Pure: rewrite a follow-up question into a standalone search query using the history.

Deterministic on purpose: a 135M model rewrites queries unreliably, and a wrong rewrite
silently retrieves the wrong notes. The previous standalone query's topic replaces the
pronoun that refers to it.

>>> topic_of("explain LoRA to me")
'LoRA'
>>> rewrite("and what are its drawbacks?", ["explain LoRA to me"])
"what are LoRA's drawbacks?"
>>> rewrite("how does it compare to RAG?", ["what is fine-tuning"])
'how does fine-tuning compare to RAG?'
>>> rewrite("why is that?", ["what is data leakage"])
'why is data leakage?'
>>> rewrite("which metrics show that the model drifts", ["what is data leakage"])
'which metrics show that the model drifts'
>>> rewrite("what is self attention", ["explain LoRA to me"])
'what is self attention'
"""

from __future__ import annotations

import re

_LEAD = re.compile(
    r"^(?:(?:can|could|would) you\s+)?(?:please\s+)?"
    r"(?:explain|describe|define|tell me about|tell me|talk about|give me (?:talking points|points) (?:for|on|about)|"
    r"quiz me on|remind me (?:of|about)|what(?:'s| is| are| was| were)|who is|how (?:do|does|did|is|are) "
    r"|why (?:is|are|do|does))\s*",
    re.IGNORECASE,
)
_TRAIL = re.compile(r"\s*(?:to me|for me|please|in detail|again|briefly|simply)?\s*[?.!]*\s*$", re.IGNORECASE)
# "this"/"that" only at the end ("why is that?"): elsewhere they are usually relative pronouns.
_ANAPHOR = re.compile(r"\b(its|it's|it|they|them|their)\b|\b(this|that|these|those)(?=\s*[?.!]*\s*$)", re.IGNORECASE)
_FOLLOW_LEAD = re.compile(r"^\s*(?:and|so|also|ok|okay|then)\b[\s,]*", re.IGNORECASE)
_ELLIPTIC = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\b", re.IGNORECASE)


def topic_of(query: str) -> str:
    """The thing a query is about: instruction words and politeness stripped."""
    topic = query.strip()
    for _ in range(2):
        topic = _LEAD.sub("", topic).strip()
        topic = re.sub(r"^(?:a|an|the)\s+", "", topic, flags=re.IGNORECASE)
    topic = _TRAIL.sub("", topic).strip()
    return topic or query.strip()


def rewrite(question: str, history: list[str]) -> str:
    """`history`: earlier standalone queries, oldest first."""
    question = question.strip()
    if not history:
        return question
    topic = topic_of(history[-1])
    follows = _FOLLOW_LEAD.match(question) or _ELLIPTIC.match(question)
    anaphor = _ANAPHOR.search(question)
    if anaphor:
        word = anaphor.group(0).lower()
        replacement = f"{topic}'s" if word in ("its", "their") else topic
        out = question[: anaphor.start()] + replacement + question[anaphor.end() :]
        return _FOLLOW_LEAD.sub("", out).strip()
    if follows:
        return f"{_FOLLOW_LEAD.sub('', question).strip()} ({topic})"
    return question
