"""Shared fixtures: the real packaged models, real FAISS, the real notes in ../shared/corpus; and
fakes for fast logic tests (like simonw/llm's MockModel): a scripted chat engine and a hashing
embedder. The same paths run with the real packaged models in the slow tests."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from coach.errors import ModelError
from coach.text import STOP
from helpers import SHARED_CORPUS


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory):
    """No test may read or write the user's own practice history. Every test, the command line
    and the app included, answers with the small SmolLM2 (fast) unless it asks for the default
    model (the `default_coach` fixture)."""
    from coach.engines.packaged import small_llm

    home = tmp_path_factory.mktemp("coach-home")
    old = {k: os.environ.get(k) for k in ("COACH_HOME", "COACH_LLM")}
    os.environ["COACH_HOME"] = str(home)
    os.environ["COACH_LLM"] = str(small_llm())
    yield home
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def pytest_collection_modifyitems(config, items):
    if not SHARED_CORPUS.is_dir():
        raise pytest.UsageError(f"{SHARED_CORPUS} is missing: the suite needs ../shared beside the checkout.")


@pytest.fixture(scope="session")
def embedder():
    from coach.embed.embedder import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def shared_ingest(tmp_path_factory):
    """../shared/corpus ingested once as `coach ingest` does it: (index folder, report). The model
    is exported to ONNX first and embeds the notes through it, so a command run on this index
    starts as a user's does, without torch (tests/embed/test_fast_embed.py holds the two paths to
    each other)."""
    from coach.app import Coach
    from coach.settings import Settings

    index_dir = tmp_path_factory.mktemp("shared-index") / "index"
    report = Coach(Settings(index=index_dir, adapt_embedder=False)).ingest([SHARED_CORPUS], progress=False)
    return index_dir, report


@pytest.fixture(scope="session")
def shared_index(shared_ingest) -> Path:
    return shared_ingest[0]


@pytest.fixture(scope="session")
def adapted_index(tmp_path_factory, embedder) -> Path:
    """../shared/corpus ingested with the embedder adapted to it, as `coach ingest` does with
    COACH_ADAPT_EMBEDDER=true (about two minutes)."""
    from coach.embed.embedder import resolve_embed_model
    from coach.notes.ingest import ingest

    index_dir = tmp_path_factory.mktemp("adapted-index") / "index"
    ingest([SHARED_CORPUS], index_dir, lambda: embedder, embedder.model_id, progress=False,
           adapt_base=resolve_embed_model(None))
    return index_dir


@pytest.fixture(scope="session")
def adapted_coach(adapted_index, embedder):
    """A Coach as a user has it after `coach ingest` with adaptation on: the adapted model searches."""
    from coach.app import Coach
    from coach.settings import Settings

    c = Coach(Settings(index=adapted_index, corpus=SHARED_CORPUS, adapt_embedder=True))
    c.__dict__["base_embedder"] = embedder
    return c


@pytest.fixture(scope="session")
def coach(shared_index, embedder):
    """A Coach over the shared index, sharing the session's embedder, with the small packaged
    SmolLM2-135M (fast); the LLM loads on first ask."""
    from coach.app import Coach
    from coach.engines.packaged import small_llm
    from coach.settings import Settings

    c = Coach(Settings(index=shared_index, corpus=SHARED_CORPUS, llm=small_llm()))  # as COACH_LLM says
    c.__dict__["embedder"] = c.__dict__["base_embedder"] = embedder
    return c


@pytest.fixture(scope="session")
def default_coach(shared_index, embedder):
    """The same, with the default model a user gets (Qwen2.5-Coder-0.5B, joined from its pieces)."""
    from coach.app import Coach
    from coach.engines.packaged import default_llm
    from coach.settings import Settings

    c = Coach(Settings(index=shared_index, corpus=SHARED_CORPUS, llm=default_llm()))
    c.__dict__["embedder"] = c.__dict__["base_embedder"] = embedder
    return c


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the shared notes."""
    dst = tmp_path / "notes"
    shutil.copytree(SHARED_CORPUS, dst)
    for f in dst.iterdir():
        f.chmod(0o644)
    return dst


class FakeEmbedder:
    """Content words hashed into 256 dimensions, L2-normalised: the same text gives the same
    vector, texts sharing words are close, unrelated texts are near 0."""

    dim = 256
    model_id = "fake-hashing:256"

    def encode(self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for w in self._words(text, max_tokens):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    def token_vectors(self, texts: list[str], max_tokens: int | None = None) -> list[np.ndarray]:
        """Each content word's own hashed vector: a word matches only itself."""
        out = []
        for text in texts:
            words = self._words(text, max_tokens)
            out.append(self.encode(words) if words else np.zeros((0, self.dim), dtype=np.float32))
        return out

    @staticmethod
    def _words(text: str, max_tokens: int | None) -> list[str]:
        return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP][: max_tokens or None]


class FakeEngine:
    """Replies with a script, token by token; records the prompts it got; can fail mid-answer.
    `reply` is the script, or a function of the last message (the note to restate) giving it."""

    name = "fake"

    def __init__(self, reply="", fail_after: int | None = None):
        self.reply = reply
        self.fail_after = fail_after
        self.prompts: list = []
        self.options: list[dict] = []

    def warm(self) -> None:
        return None

    def stream(self, messages, **options):
        self.prompts.append(messages)
        self.options.append(options)
        reply = self.reply(messages[-1].content) if callable(self.reply) else self.reply
        for n, token in enumerate(re.findall(r"\S+\s*", reply)):
            if self.fail_after is not None and n >= self.fail_after:
                raise ModelError("The model server at http://127.0.0.1:9/v1 is not answering — start it.")
            yield token


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def fake_engine() -> FakeEngine:
    """A scripted engine: set `.reply` (and `.fail_after`) before asking."""
    return FakeEngine()


@pytest.fixture
def fake_coach(tmp_path, fake_engine, fake_embedder):
    """A Coach built from parts: the fake embedder and a scripted engine, over small notes."""
    from coach.app import Coach
    from coach.settings import Settings

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "lora.md").write_text(
        "# LoRA\n\n## What is LoRA?\nLoRA trains small low-rank adapter matrices while the base weights stay frozen.\n"
        "It cuts the memory needed for fine-tuning by an order of magnitude.\n\n"
        "## When to use LoRA\n- Use LoRA when GPU memory is limited.\n- Use full fine-tuning when data is huge.\n")
    (notes / "rag.md").write_text(
        "# RAG\n\n### Q: How do you evaluate a RAG system?\nA: Measure retrieval recall and answer faithfulness "
        "on a gold set of questions.\n")
    settings = Settings(corpus=notes, index=tmp_path / "index", home=tmp_path / "home", adapt_embedder=False,
                        fast_embed=False, min_relevance=0.2, support_threshold=0.5)
    c = Coach(settings, engine=fake_engine, embedder=fake_embedder)
    c.ingest(progress=False)
    return c
