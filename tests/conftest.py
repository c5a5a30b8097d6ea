"""Shared fixtures: the real packaged models, real FAISS, the real notes in ../shared/corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
DEV_QUESTIONS = SHARED / "eval" / "dev_questions.jsonl"
COACH = [sys.executable, "-m", "coach.cli"]


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory):
    """No test may read or write the user's own practice history."""
    home = tmp_path_factory.mktemp("coach-home")
    old = os.environ.get("COACH_HOME")
    os.environ["COACH_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("COACH_HOME", None)
    else:
        os.environ["COACH_HOME"] = old


def pytest_collection_modifyitems(config, items):
    if not SHARED_CORPUS.is_dir():
        raise pytest.UsageError(f"{SHARED_CORPUS} is missing: the suite needs ../shared beside the checkout.")


@pytest.fixture(scope="session")
def embedder():
    from coach.embedding import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def shared_ingest(tmp_path_factory, embedder):
    """../shared/corpus ingested once with the real embedding model: (index folder, report)."""
    from coach.ingest import ingest

    index_dir = tmp_path_factory.mktemp("shared-index") / "index"
    report = ingest([SHARED_CORPUS], index_dir, lambda: embedder, embedder.model_id, progress=False)
    return index_dir, report


@pytest.fixture(scope="session")
def shared_index(shared_ingest) -> Path:
    return shared_ingest[0]


@pytest.fixture(scope="session")
def adapted_index(tmp_path_factory, embedder) -> Path:
    """../shared/corpus ingested with the embedder adapted to it, as `coach ingest` does (about a minute)."""
    from coach.embedding import resolve_embed_model
    from coach.ingest import ingest

    index_dir = tmp_path_factory.mktemp("adapted-index") / "index"
    ingest([SHARED_CORPUS], index_dir, lambda: embedder, embedder.model_id, progress=False,
           adapt_base=resolve_embed_model(None))
    return index_dir


@pytest.fixture(scope="session")
def adapted_coach(adapted_index, embedder):
    """A Coach as a user has it after `coach ingest`: the adapted model searches."""
    from coach.app import Coach
    from coach.settings import Settings

    c = Coach(Settings(index=adapted_index, corpus=SHARED_CORPUS))
    c.__dict__["base_embedder"] = embedder
    return c


@pytest.fixture(scope="session")
def coach(shared_index, embedder):
    """A Coach over the shared index, sharing the session's embedder; the LLM loads on first ask."""
    from coach.app import Coach
    from coach.settings import Settings

    c = Coach(Settings(index=shared_index, corpus=SHARED_CORPUS))
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


def free_port() -> int:
    """A free TCP port on 127.0.0.1, for a server a test starts."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, env=None, check=False, timeout=300, prefix=()) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [*prefix, *COACH, *map(str, args)], capture_output=True, text=True, env=full_env, timeout=timeout, cwd=ROOT
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"coach {args} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return proc


@pytest.fixture
def fake_coach(tmp_path):
    """A Coach built from parts: the fake embedder and a scripted engine, over small notes."""
    from coach.app import Coach
    from coach.settings import Settings
    from fakes import FakeEmbedder, FakeEngine

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
    c = Coach(settings, engine=FakeEngine(), embedder=FakeEmbedder())
    c.ingest(progress=False)
    return c
