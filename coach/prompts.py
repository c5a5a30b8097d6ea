"""Prompt templates. Kept short: the default model has 135M parameters and reads little well.

>>> number_passages([{"text": "LoRA trains adapters.", "heading": "LoRA"}], 100)
'[1] (LoRA) LoRA trains adapters.'
"""

from __future__ import annotations

from langchain_core.prompts import ChatPromptTemplate

SYSTEM = (
    "You are an interview coach. Answer the question using only the numbered passages "
    "from the user's notes. Cite each fact with its passage number, like [1]. "
    "If the passages do not answer it, say so. Be brief: at most five sentences."
)

ANSWER_PROMPT = ChatPromptTemplate.from_messages(
    [("system", SYSTEM), ("human", "Passages:\n{passages}\n\nQuestion: {question}")]
)


def trim(text: str, limit: int) -> str:
    """Cut text at a word boundary near `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def number_passages(passages: list[dict], limit: int) -> str:
    """Passages as '[n] (heading) text' lines, each trimmed to `limit` characters."""
    lines = []
    for n, p in enumerate(passages, 1):
        label = p["heading"].split(" > ")[-1] if p.get("heading") else ""
        prefix = f"[{n}] ({label}) " if label else f"[{n}] "
        lines.append(prefix + trim(p["text"], limit))
    return "\n".join(lines)
