"""Folder of notes -> index, embedding only files whose content hash changed."""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from tqdm import tqdm

from coach import index as index_store
from coach.chunking import split_text
from coach.documents import MAX_BYTES, Skipped, find_files, read_document
from coach.text import printable
from coach.types import Chunk
from coach.errors import CorpusError, IndexCorrupt

# Each chunk gets one vector for its heading trail and opening text and, when it has one, one
# for its question or heading alone, so a user's question can match the notes' own questions.
# BM25 indexes the full text, so the dense side only needs the start of a chunk: at 40 tokens
# (of MiniLM's 256) dev-set recall is unchanged and embedding costs about a fifth
# (bench/README.md has the measurements).
EMBED_TOKENS = 40


def vector_texts(chunk: Chunk) -> list[str]:
    """The texts embedded for one chunk. Heading trail first: it names the topic."""
    heading = chunk.heading
    texts = [f"{heading}\n{chunk.text}" if heading else chunk.text]
    title = chunk.title
    # Only a section's first piece speaks for its question: later pieces would tie with it.
    if title and len(title) > 8 and chunk.part == 0:
        texts.append(title)
    return texts


@dataclass
class IngestReport:
    files: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    chunks: int = 0
    adapted: bool = False  # the embedder was fine-tuned on these notes in this run
    seconds: float = 0.0
    skipped_files: list[dict] = field(default_factory=list)
    repaired: bool = False  # the index was damaged and has been rebuilt from the notes

    def summary(self) -> dict:
        out = asdict(self)
        out.pop("skipped_files")
        out["seconds"] = round(self.seconds, 3)
        return out


def _scan(paths: list[Path]) -> dict[str, tuple[Path, Path, str]]:
    """source -> (file, root, sha256 of its bytes)."""
    found: dict[str, tuple[Path, Path, str]] = {}
    for root in paths:
        if not root.exists():
            raise CorpusError(f"No such file or folder: {root} — check the path or set COACH_CORPUS.")
        base = root if root.is_dir() else root.parent
        for f in find_files(root):
            source = f.relative_to(base).as_posix()
            try:
                digest = hashlib.sha256(f.read_bytes()).hexdigest()
            except OSError as err:
                digest = f"unreadable:{err.errno}"
            found[source] = (f, base, digest)
    return found


def ingest(
    paths: list[Path],
    index_dir: Path,
    embedder_factory: Callable[[], object],
    model_id: str,
    rebuild: bool = False,
    progress: bool = True,
    adapt_base: Path | None = None,
    lock_wait_s: float = 600.0,
    max_file_bytes: int = MAX_BYTES,
    after: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Bring the index at index_dir up to date with the notes under `paths`.

    `embedder_factory` is only called when something must be embedded, so a run with no
    change never loads the model. With `adapt_base` (the base model's folder), a change of the
    notes also fine-tunes that model on them (`coach.adapt`) and re-embeds every chunk with it.
    One writer at a time: a second one waits for the first (`index.writer_lock`). `after(index_dir)`
    runs under the same lock once the index is up to date (the ONNX exports).
    """

    def waiting() -> None:
        print(f"another ingest is running on {index_dir}: waiting for it…", file=sys.stderr, flush=True)

    with index_store.writer_lock(index_dir, lock_wait_s, waiting):
        report = _ingest(paths, index_dir, embedder_factory, model_id, rebuild, progress, adapt_base, max_file_bytes)
        if after is not None:
            after(index_dir)
        return report


def _ingest(paths, index_dir, embedder_factory, model_id, rebuild, progress, adapt_base, max_file_bytes) -> IngestReport:
    start = time.perf_counter()
    report = IngestReport()
    found = _scan(paths)
    old_manifest = None
    if not rebuild:
        try:
            old_manifest = index_store.read_manifest(index_dir)
            if old_manifest is not None:
                index_store.load(index_dir)  # every file checked: a damaged one is rebuilt, not reported fine
        except IndexCorrupt:
            old_manifest = None  # unreadable: rebuild from the notes, the old files stay until replaced
            report.repaired = True
    if old_manifest and (
        old_manifest.get("embed_model") != model_id
        or old_manifest.get("format") != index_store.FORMAT
        or bool(old_manifest.get("adapt")) != (adapt_base is not None)
    ):
        old_manifest = None  # another embedding model: every vector must be recomputed
    old_files = old_manifest["files"] if old_manifest else {}
    old_skipped = {s["source"]: s for s in (old_manifest or {}).get("skipped", [])}

    report.files = len(found)
    report.removed = len(set(old_files) - set(found))
    unchanged = {s for s, (_, _, h) in found.items() if s in old_files and old_files[s]["sha256"] == h}
    skipped_same = {s for s, (_, _, h) in found.items() if s in old_skipped and old_skipped[s]["sha256"] == h}
    todo = [s for s in found if s not in unchanged and s not in skipped_same]

    if not todo and not report.removed and old_manifest:
        report.unchanged = len(unchanged)
        report.skipped = len(skipped_same)
        report.skipped_files = list(old_skipped.values())
        report.chunks = sum(len(f["chunks"]) for f in old_files.values())
        report.seconds = time.perf_counter() - start
        return report

    old = None
    if unchanged:
        try:
            old = index_store.load(index_dir)
        except IndexCorrupt:
            old, unchanged = None, set()
            todo = [s for s in found if s not in skipped_same]

    chunks: list[dict] = []
    vectors: list[np.ndarray] = []
    owners: list[int] = []
    files: dict[str, dict] = {}

    # Unchanged files: copy chunks and vectors over from the live index.
    if old is not None:
        position = {c.id: i for i, c in enumerate(old.chunks)}
        keep = [position[cid] for s in sorted(unchanged) for cid in old_files[s]["chunks"] if cid in position]
        kept_vectors, kept_owner = old.vectors_of(keep)
        for p in keep:
            chunks.append(old.chunks[p])
        vectors.append(kept_vectors)
        owners.extend(kept_owner)
        for s in unchanged:
            files[s] = old_files[s]
    report.unchanged = len(unchanged)

    # Added and changed files: read, chunk, embed.
    skipped = [old_skipped[s] for s in skipped_same]
    new_chunks: list[dict] = []
    for source in sorted(todo):
        path, root, digest = found[source]
        doc = read_document(path, root, max_file_bytes)
        if isinstance(doc, Skipped):
            skipped.append({"source": source, "reason": doc.reason, "sha256": digest})
            if progress:  # stderr: stdout may be carrying --json
                tqdm.write(f"skipped {printable(source)}: {doc.reason}", file=sys.stderr)
            continue
        if source in old_files:
            report.changed += 1
        else:
            report.added += 1
        pieces = split_text(doc.text, source)
        file_chunks = [Chunk.from_json({**p.metadata, "text": p.page_content}) for p in pieces]
        files[source] = {"sha256": digest, "chunks": [c.id for c in file_chunks], "indexed_at": time.time()}
        new_chunks.extend(file_chunks)
    report.skipped = len(skipped)
    report.skipped_files = skipped

    adapted = None
    if adapt_base is not None and (chunks or new_chunks):
        from coach.adapt import adapt
        from coach.embedding import Embedder

        adapted = adapt(index_dir, adapt_base, chunks + new_chunks, progress)
        if adapted is not None:  # a new model: every chunk is embedded again with it
            report.adapted = True
            new_chunks, chunks, vectors, owners = chunks + new_chunks, [], [], []
            embedder_factory = lambda: Embedder(str(index_dir / adapted["path"]))  # noqa: E731
    if new_chunks:
        texts, text_owner = [], []
        for i, chunk in enumerate(new_chunks):
            for t in vector_texts(chunk):
                texts.append(t)
                text_owner.append(len(chunks) + i)
        embedder = embedder_factory()
        vectors.append(_embed(embedder, texts, progress))
        owners.extend(text_owner)
        chunks.extend(new_chunks)

    if not chunks:
        raise CorpusError(
            f"No notes to index in {', '.join(map(str, paths))} — add .md or .txt files and run `coach ingest` again."
        )
    # Keep chunks in (source, line) order so results and listings read naturally.
    order = sorted(range(len(chunks)), key=lambda i: (chunks[i].source, chunks[i].line_start))
    new_pos = {old: new for new, old in enumerate(order)}
    all_vectors = np.concatenate([v for v in vectors if len(v)], axis=0)
    idx = index_store.Index(
        chunks=[chunks[i] for i in order],
        vectors=all_vectors,
        owners=np.asarray([new_pos[o] for o in owners], dtype=np.int64),
    )
    manifest = {
        "embed_model": model_id,
        "roots": [str(p.resolve()) for p in paths],
        "files": files,
        "skipped": skipped,
        "adapt": adapt_base is not None,
        "adapted": adapted,
    }
    index_store.save(index_dir, idx, manifest)
    if adapt_base is not None or old_manifest is None:
        from coach.adapt import remove_unused

        remove_unused(index_dir, adapted["path"] if adapted else None)
    report.chunks = len(idx.chunks)
    report.seconds = time.perf_counter() - start
    return report


def _embed(embedder, texts: list[str], progress: bool, batch: int = 64) -> np.ndarray:
    """Embed in length-sorted batches (less padding) behind a progress bar on stderr."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    bar = tqdm(total=len(texts), desc="embedding", unit="text", disable=not progress, leave=False)
    for s in range(0, len(order), batch):
        ids = order[s : s + batch]
        out[ids] = embedder.encode([texts[i] for i in ids], batch_size=batch, max_tokens=EMBED_TOKENS)
        bar.update(len(ids))
    bar.close()
    return out
