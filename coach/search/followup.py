"""Pure: a follow-up question -> the standalone query that is searched and shown.

Deterministic on purpose: a 135M model rewrites queries unreliably, and a wrong rewrite
silently retrieves the wrong notes. Text is rewritten only where the result stays a plain
question: a pronoun ("it", "its", "one", a final "that") replaced by the previous query's topic
when that topic is a short noun phrase. Otherwise the user's own words are kept and the topic is
named beside them, "(about: LoRA for the medical chatbot)". The search then runs on this query
and on the question alone, fused (`Coach.retrieve`), so a topic that is slightly off still
finds what the question itself asks for.

>>> topic_of("explain LoRA to me")
'LoRA'
>>> rewrite("and what are its drawbacks?", ["explain LoRA to me"])
"what are LoRA's drawbacks?"
>>> rewrite("how does it compare to RAG?", ["what is fine-tuning"])
'how does fine-tuning compare to RAG?'
>>> rewrite("how do I evaluate one?", ["what is a rag system?"])
'how do I evaluate a rag system?'
>>> rewrite("how did I check it was not overfitting?", ["why did I pick lora for the medical chatbot"])
'how did I check it was not overfitting? (about: pick lora for the medical chatbot)'
>>> rewrite("can you give an example?", ["what's data leakage"])
'can you give an example? (about: data leakage)'
>>> rewrite("which metrics show that the model drifts", ["what is data leakage"])
'which metrics show that the model drifts'
>>> rewrite("what is self attention", ["explain LoRA to me"])
'what is self attention'
>>> rewrite("explain LoRA to me", ["what does deepspeed zero solve?"])
'explain LoRA to me'
>>> rewrite("what about the costs?", ["what is self-hosting"])
'what about the costs? (about: self-hosting)'
"""

from __future__ import annotations

import re

from coach.text import STOP

# Leads after which a noun phrase follows: the rest of the query is its topic.
_NOUN_LEAD = re.compile(
    r"^(?:(?:can|could|would) you\s+)?(?:please\s+)?"
    r"(?:explain|describe|define|tell me about|tell me|talk about|give me (?:talking points|points) (?:for|on|about)|"
    r"quiz me on|remind me (?:of|about)|what(?:'s| is| are| was| were)|who is|"
    r"how (?:does|do|is|are) (?=\w+\s*[?.!]*$))\s*",
    re.IGNORECASE,
)
# Leads of a question about doing something: what follows is a clause, not a noun phrase.
_CLAUSE_LEAD = re.compile(
    r"^(?:how|why|when|where|what|which)\s+(?:do|does|did|is|are|was|were|would|should|can|could|will)\s+"
    r"(?:i|you|we|they|it)?\s*",
    re.IGNORECASE,
)
_TRAIL = re.compile(r"\s*(?:to me|for me|please|in detail|again|briefly|simply)?\s*[?.!]*\s*$", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
# "this"/"that" only at the end ("why is that?"): elsewhere they are usually relative pronouns.
_ANAPHOR = re.compile(
    r"\b(its|it's|it|they|them|their)\b|\b(one)(?=\s*[?.!]*\s*$)|\b(this|that|these|those)(?=\s*[?.!]*\s*$)",
    re.IGNORECASE,
)
_FOLLOW_LEAD = re.compile(r"^\s*(?:and|so|also|ok|okay|then)\b[\s,]*", re.IGNORECASE)
_ABOUT = re.compile(r"\(about: (.+)\)\s*$")
# Words that ask rather than name a topic: a question made only of these needs the topic.
_ASKING = frozenset(
    "give example examples explain more detail details why how what when which tell show mean means "
    "work works use used useful important matter matters help helps better worse good bad pros cons "
    "evaluate measure test deploy train compare improve debug choose pick go about".split()
)
_ELLIPTIC = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\b", re.IGNORECASE)
MAX_NOUN_WORDS = 4


def asked(query: str) -> str:
    """A standalone query without the topic a follow-up names beside it: what the user asked.

    >>> asked("how did I check it was not overfitting? (about: pick lora for the medical chatbot)")
    'how did I check it was not overfitting?'
    """
    about = _ABOUT.search(query)
    return query[: about.start()].rstrip() if about else query


def topic_of(query: str) -> str:
    """The thing a query is about: instruction words, question frame and politeness stripped."""
    about = _ABOUT.search(query)
    if about:
        return about.group(1)
    topic = query.strip()
    for _ in range(2):
        topic = _NOUN_LEAD.sub("", topic).strip()
        topic = _ARTICLE.sub("", topic)
    topic = _CLAUSE_LEAD.sub("", topic).strip()
    topic = _TRAIL.sub("", topic).strip()
    return topic or query.strip()


def _noun_phrase(query: str) -> str | None:
    """The topic when it is a short noun phrase ("a rag system"), with its article; else None."""
    about = _ABOUT.search(query)
    if about:
        return None
    rest = _NOUN_LEAD.sub("", query.strip(), count=1)
    if rest == query.strip():
        return None  # no "what is / explain" lead: not known to be a noun phrase
    rest = _TRAIL.sub("", rest).strip()
    return rest if rest and len(rest.split()) <= MAX_NOUN_WORDS + 1 else None


def _names_a_topic(question: str) -> bool:
    """True when the question names something of its own ("explain LoRA"), not only asks."""
    return any(w not in STOP and w not in _ASKING for w in re.findall(r"[a-z0-9]+", question.lower()))


def rewrite(question: str, history: list[str]) -> str:
    """`history`: earlier standalone queries, oldest first."""
    question = question.strip()
    if not history:
        return question
    previous = history[-1]
    topic = topic_of(previous)
    phrase = _noun_phrase(previous)
    anaphor = _ANAPHOR.search(question)
    if anaphor and phrase:
        word = anaphor.group(0).lower()
        bare = _ARTICLE.sub("", phrase)
        replacement = {"its": f"{bare}'s", "their": f"{bare}'s", "one": phrase if phrase != bare else f"a {bare}"}.get(
            word, bare
        )
        out = question[: anaphor.start()] + replacement + question[anaphor.end():]
        return _FOLLOW_LEAD.sub("", out).strip()
    if anaphor or _FOLLOW_LEAD.match(question) or _ELLIPTIC.match(question) or not _names_a_topic(question):
        return f"{_FOLLOW_LEAD.sub('', question).strip()} (about: {topic})"
    return question
