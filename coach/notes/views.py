"""Pure: what stands for a chunk in the vector index.

A chunk is searched by several vectors, and its best one counts (coach.search.hybrid):
- its heading trail and opening text, cut at OPENING_TOKENS: what the chunk is about;
- its question or heading alone (a section's first piece only), so a user's question can match
  the notes' own;
- its lines two by two (one line's step), each after the section's title, cut at WINDOW_TOKENS:
  so a question written from what a note *says* further down ("how many llama models fit on one
  card") finds the chunk that says it, not only the chunk whose heading it resembles.

A line here is a line of the note, or one sentence of a long one (a paragraph on one line); a
line without two words (a rule, a fence, "Pros:") joins no window.

>>> from coach.types import Chunk
>>> c = Chunk("id", "n.md", ("LoRA",), "", "Rank r: 8 or 16 for most tasks\\n---\\nAlpha scales the update.\\nOk", 1, 4)
>>> windows(c)
['LoRA: Rank r: 8 or 16 for most tasks Alpha scales the update.']
>>> [v.text for v in vector_texts(c)]
['LoRA\\nRank r: 8 or 16 for most tasks\\n---\\nAlpha scales the update.\\nOk', 'LoRA: Rank r: 8 or 16 for most tasks Alpha scales the update.']
"""

from __future__ import annotations

import re

from typing import NamedTuple

from coach.text import split_sentences
from coach.types import Chunk

# The opening: at 40 tokens (of MiniLM's 256) dev-set recall was unchanged and embedding costs
# about a fifth (bench/README.md).
OPENING_TOKENS = 40
# A window: the title and two lines, a line's step. Measured on the tune halves of the style sets:
# two lines over one or three; a step of one over two (R@1 0.74 vs 0.69, at 1.9x vs 1.4x the cost
# of embedding the notes whole); 48 tokens as good as 64 (the mean window is 46), and cheaper.
WINDOW_TOKENS = 48
WINDOW_LINES = 2
WINDOW_STEP = 1
LONG_LINE = 200  # characters: a longer line is read sentence by sentence
VIEWS = 2  # the version of this recipe, kept in the manifest: another one re-embeds every note

_WORD = re.compile(r"[A-Za-z]{3,}")
_TABLE_EDGE = re.compile(r"^\s*\|+|\|+\s*$")


def lines_of(text: str) -> list[str]:
    """The note's lines that say something, a long line split into its sentences.

    >>> lines_of("| **Speed** | Fast |\\n|---|---|\\n- ok\\nA first. A second.")
    ['**Speed** | Fast', 'A first. A second.']
    """
    out: list[str] = []
    for line in text.splitlines():
        line = _TABLE_EDGE.sub("", line.strip()).strip()
        parts = split_sentences(line) if len(line) > LONG_LINE else [line]
        out.extend(p for p in parts if len(_WORD.findall(p)) >= 2)
    return out


def windows(chunk: Chunk) -> list[str]:
    """The chunk's lines two by two, each after the section's title."""
    lines = lines_of(chunk.text)
    if not lines:
        return []
    title = chunk.trail[-1] if chunk.trail else ""
    spans = range(0, max(len(lines) - WINDOW_LINES + 1, 1), WINDOW_STEP)
    texts = (" ".join(lines[i : i + WINDOW_LINES]) for i in spans)
    return list(dict.fromkeys(f"{title}: {t}" if title else t for t in texts))


class View(NamedTuple):
    text: str
    tokens: int  # embedded up to this many tokens
    topic: bool  # the chunk's opening or question: what it is about, not one of its lines


def vector_texts(chunk: Chunk) -> list[View]:
    """The texts embedded for one chunk. Heading trail first: it names the topic."""
    heading = chunk.heading
    texts = [View(f"{heading}\n{chunk.text}" if heading else chunk.text, OPENING_TOKENS, True)]
    title = chunk.title
    # Only a section's first piece speaks for its question: later pieces would tie with it.
    if title and len(title) > 8 and chunk.part == 0:
        texts.append(View(title, OPENING_TOKENS, True))
    texts.extend(View(w, WINDOW_TOKENS, False) for w in windows(chunk))
    return texts
