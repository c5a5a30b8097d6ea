"""Query-time embedding without torch: the embedding model exported to ONNX at ingest, run with
onnxruntime and the model's own `tokenizer.json` (tokenizers).

Importing sentence-transformers costs about 6 s and torch 2 s on a laptop; onnxruntime and
tokenizers a fraction of that, so `coach search` starts in a second or two. sentence-transformers
stays the reference (a test holds these vectors within 1e-4 cosine of its own) and the fallback
when no export is there. Exports live in `index/onnx/<key>/` with a manifest (model id, SHA-256 of
the graph) checked on load.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import threading
from pathlib import Path

import numpy as np

from coach.checksum import sha256_file

FOLDER = "onnx"
GRAPH = "model.onnx"
META = "meta.json"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def key_of(model_id: str) -> str:
    return hashlib.sha1(model_id.encode()).hexdigest()[:16]


def export(model_dir: Path, model_id: str, index_dir: Path) -> Path:
    """Write the ONNX export of a sentence-transformers model (mean pooling, MiniLM-style) into
    the index; skipped when a checked export for this model id is already there."""
    target = index_dir / FOLDER / key_of(model_id)
    if find(index_dir, model_id) is not None:
        return target
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    tokenizer_file = model_dir / "tokenizer.json"
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text()) if (
        model_dir / "1_Pooling" / "config.json").exists() else {"pooling_mode_mean_tokens": True}
    mean = pooling.get("pooling_mode_mean_tokens") or pooling.get("pooling_mode") == "mean"
    if not tokenizer_file.exists() or not mean:
        raise ValueError(f"{model_dir}: only mean-pooled models with a tokenizer.json are exported")

    sample = st.tokenizer(["a b", "c d e"], padding=True, return_tensors="pt")
    # the inputs this model's tokenizer gives: MPNet and RoBERTa-style models have no token types
    names = [n for n in INPUTS if n in sample]

    class Encoder(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return self.model(**dict(zip(names, inputs))).last_hidden_state

    part = target.with_name(target.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Encoder(st[0].auto_model.eval()), tuple(sample[n] for n in names), str(part / GRAPH),
                          input_names=names, output_names=["hidden"],
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]},
                          opset_version=17, dynamo=False)
    shutil.copy(tokenizer_file, part / "tokenizer.json")
    meta = {"model_id": model_id, "sha256": sha256_file(part / GRAPH), "max_seq_length": int(st.max_seq_length),
            "dim": int(st.get_embedding_dimension())}
    (part / META).write_text(json.dumps(meta))
    shutil.rmtree(target, ignore_errors=True)
    part.replace(target)
    return target


def find(index_dir: Path, model_id: str) -> Path | None:
    """The checked export for this model id, or None (missing, or altered: then torch is used)."""
    folder = index_dir / FOLDER / key_of(model_id)
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return None
    if meta.get("model_id") != model_id or sha256_file(folder / GRAPH) != meta.get("sha256"):
        print(f"coach: the ONNX export in {folder} does not match its manifest; using sentence-transformers "
              "(run `coach ingest --rebuild` to export again)", file=sys.stderr)
        return None
    return folder


def remove_unused(index_dir: Path, keep_ids: list[str]) -> None:
    keep = {key_of(m) for m in keep_ids}
    for folder in (index_dir / FOLDER).glob("*"):
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


class OnnxEmbedder:
    """The same contract as coach.embedding.Embedder: `encode` -> L2-normalised float32 rows."""

    def __init__(self, folder: Path):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = json.loads((folder / META).read_text())
        self.model_id = meta["model_id"]
        self.dim = int(meta["dim"])
        self.max_seq_length = int(meta["max_seq_length"])
        self.path = folder
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(folder / GRAPH), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._lock = threading.Lock()  # the tokenizer's truncation is state: one encode at a time

    def encode(self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        limit = min(max_tokens or self.max_seq_length, self.max_seq_length)
        out = []
        with self._lock:
            self.tokenizer.enable_truncation(limit)
            self.tokenizer.enable_padding()
            for start in range(0, len(texts), batch_size):
                hidden, mask = self._run(self.tokenizer.encode_batch(texts[start: start + batch_size]))
                m = mask[..., None].astype(np.float32)
                pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
                out.append(pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None))
        return np.ascontiguousarray(np.concatenate(out), dtype=np.float32)

    def token_vectors(self, texts: list[str], max_tokens: int | None = None) -> list[np.ndarray]:
        """Per text, the L2-normalised vector of each of its tokens in context (special tokens and
        padding left out), as `Embedder.token_vectors` gives them."""
        from coach.embed.embedder import unit_rows

        limit = min(max_tokens or self.max_seq_length, self.max_seq_length)
        with self._lock:
            self.tokenizer.enable_truncation(limit)
            self.tokenizer.enable_padding()
            batch = self.tokenizer.encode_batch(texts)
        if not batch:
            return []
        hidden, mask = self._run(batch)
        keep = mask.astype(bool) & ~np.array([e.special_tokens_mask for e in batch], dtype=bool)
        return [unit_rows(h[k]) for h, k in zip(hidden, keep)]

    def _run(self, batch) -> tuple[np.ndarray, np.ndarray]:
        """The model's token vectors for a padded batch of encodings, and its attention mask."""
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        feed = {"input_ids": np.array([e.ids for e in batch], dtype=np.int64), "attention_mask": mask,
                "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64)}
        return self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0], mask
