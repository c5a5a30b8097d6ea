"""Adapt the embedding model to the user's own notes, without labels, at ingest.

The notes label themselves: a section's question or heading says what its text answers. The
packaged MiniLM is fine-tuned on those (question -> section) pairs with in-batch negatives
(the multiple-negatives ranking loss), two epochs, on the CPU: about a minute for 400 sections
on 2 cores. Users ask in other words than their notes, so what is learnt is the notes' own
vocabulary and topics, not the questions: measured on questions that are not in the notes
(tests/data/user_questions.jsonl), R@1 0.853 -> 0.880 and MRR@10 0.892 -> 0.923.

The adapted model is saved as a sentence-transformers folder beside the index generations,
named by the hash of the chunks it learnt from, and recorded in the manifest with the SHA-256
of its weights, which `load_adapted` checks. `COACH_ADAPT_EMBEDDER=true` turns it on. It is off
by default: once every chunk is also searched by its lines two by two (coach.notes.views), it
lowered recall on questions written from the notes' answer text in users' own words (report
halves of tests/data/fresh_questions.jsonl and style_questions.jsonl) and costs two minutes.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

from coach.errors import IndexCorrupt
from coach.checksum import sha256_file
from coach.text import last_heading

EPOCHS = 2
LEARNING_RATE = 5e-5
BATCH = 32
SCALE = 20.0  # cosine similarities x 20 as logits, as sentence-transformers' MNRL does
MAX_TEXT_CHARS = 600
WEIGHTS = "model.safetensors"


def training_pairs(chunks: list[dict]) -> list[tuple[str, str]]:
    """(question or heading, section text) for every section that names what it is about."""
    pairs = []
    for c in chunks:
        title = c.title
        if title and len(title) > 8 and c.text.strip():
            pairs.append((title, c.text[:MAX_TEXT_CHARS]))
    return pairs


def corpus_key(chunks: list[dict]) -> str:
    h = hashlib.sha256()
    for c in sorted(chunks, key=lambda c: c.id):
        h.update(c.id.encode())
    return h.hexdigest()[:16]


def fine_tune(base: Path, pairs: list[tuple[str, str]], out: Path, seed: int = 0, progress: bool = False) -> None:
    """Train a copy of the model at `base` on `pairs` and save it to `out`."""
    import torch
    from sentence_transformers import SentenceTransformer
    from tqdm import tqdm

    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = SentenceTransformer(str(base), device="cpu", local_files_only=True)
    model.max_seq_length = 128
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    steps = EPOCHS * max(1, -(-len(pairs) // BATCH))
    bar = tqdm(total=steps, desc="adapting the embedder to your notes", unit="step", disable=not progress, leave=False)
    model.train()
    for _ in range(EPOCHS):
        rng.shuffle(pairs)
        for i in range(0, len(pairs), BATCH):
            batch = pairs[i : i + BATCH]
            if len(batch) < 2:
                continue  # one pair has no negative to learn from
            queries = model(model.preprocess([q for q, _ in batch]))["sentence_embedding"]
            texts = model(model.preprocess([t for _, t in batch]))["sentence_embedding"]
            sims = torch.nn.functional.normalize(queries, dim=-1) @ torch.nn.functional.normalize(texts, dim=-1).T
            labels = torch.arange(len(batch))
            loss = (torch.nn.functional.cross_entropy(sims * SCALE, labels)
                    + torch.nn.functional.cross_entropy(sims.T * SCALE, labels)) / 2
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            bar.update(1)
    bar.close()
    model.eval()
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(str(tmp))
    tmp.rename(out)


def adapt(index_dir: Path, base: Path, chunks: list[dict], progress: bool = False) -> dict | None:
    """The adapted model for these chunks (trained now unless it exists): its manifest entry,
    or None when the notes name too few sections to learn from."""
    chunks = sorted(chunks, key=lambda c: c.id)  # the same notes train the same model
    pairs = training_pairs(chunks)
    if len(pairs) < 4:
        return None
    name = f"adapted-{corpus_key(chunks)}"
    out = index_dir / name
    if not (out / WEIGHTS).is_file():
        fine_tune(base, pairs, out, progress=progress)
    return {"path": name, "sha256": sha256_file(out / WEIGHTS), "pairs": len(pairs)}


def adapted_path(index_dir: Path, entry: dict) -> Path:
    """The folder of a manifest's adapted model, checked against its recorded hash."""
    path = index_dir / entry["path"]
    weights = path / WEIGHTS
    if not weights.is_file() or sha256_file(weights) != entry["sha256"]:
        raise IndexCorrupt(index_dir, f"the adapted embedding model {entry['path']} is missing or altered")
    return path


def remove_unused(index_dir: Path, keep: str | None) -> None:
    for folder in index_dir.glob("adapted-*"):
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)
