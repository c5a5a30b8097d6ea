"""The BM25 half of hybrid search: built once at ingest, saved beside the vectors, loaded after.

bm25s saves plain arrays (`.npy`, no pickle) and JSON; the index manifest holds their
checksums, so a damaged file is refused like any other index file.
"""

from __future__ import annotations

from pathlib import Path

import bm25s
from bm25s.stopwords import STOPWORDS_EN

# Words that say what to do with a topic, not what the topic is ("explain LoRA to me").
INSTRUCTION_WORDS = (
    "explain", "describe", "tell", "give", "quiz", "talk", "walk", "remind", "define", "please",
    "briefly", "simply", "detail", "talking", "points", "help", "know", "understand",
)
STOPWORDS = list(STOPWORDS_EN) + list(INSTRUCTION_WORDS)
FOLDER = "bm25"


def bm25_text(chunk) -> str:
    # The heading trail and question count twice: they say what the chunk is about.
    return f"{chunk.heading} {chunk.question} {chunk.heading} {chunk.text}"


def build(chunks: list) -> bm25s.BM25:
    model = bm25s.BM25()
    tokens = bm25s.tokenize([bm25_text(c) for c in chunks], stopwords=STOPWORDS, show_progress=False)
    model.index(tokens, show_progress=False)
    model.vocab_dict = tokens.vocab
    return model


def save(model: bm25s.BM25, folder: Path) -> None:
    model.save(str(folder / FOLDER), allow_pickle=False)


def load(folder: Path) -> bm25s.BM25 | None:
    """The saved model, or None when this index predates saving it."""
    if not (folder / FOLDER).is_dir():
        return None
    return bm25s.BM25.load(str(folder / FOLDER), allow_pickle=False)


def query_ids(model: bm25s.BM25, query: str) -> list[int]:
    words = bm25s.tokenize([query], stopwords=STOPWORDS, return_ids=False, show_progress=False)[0]
    vocab = model.vocab_dict
    return [vocab[w] for w in words if w in vocab]
