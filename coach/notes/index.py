"""The index on disk: FAISS vectors + JSON chunks + a manifest that describes and checks them.

Layout (nothing is pickled; every file is checked against the manifest on load):

    index/CURRENT              name of the live generation, replaced atomically
    index/gen-000007/manifest.json   format, embedding model, per-file hashes, checksums
    index/gen-000007/chunks.jsonl    one chunk per line
    index/gen-000007/vectors.faiss   IndexFlatIP; row i belongs to chunk owners[i]

A new generation is written beside the live one and only then named in CURRENT, so an
ingest killed at any point leaves the previous index usable. One writer at a time holds
index/.lock (`writer_lock`); the generation before the live one is kept, so a reader that
read CURRENT just before a swap can still open what it named, and `load` retries once when
CURRENT changed under it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from coach.checksum import sha256_file
from coach.errors import IndexBusy, IndexCorrupt, IndexMissing, IndexReadOnly
from coach.types import Chunk

FORMAT = 1
CURRENT = "CURRENT"
LOCK = ".lock"
GRACE_S = 60.0  # an older generation is removed only when this much older than the swap


@contextmanager
def writer_lock(index_dir: Path, wait_s: float = 600.0, on_wait=None):
    """Hold the index's writer lock (ingest, the app's re-index and note removal). A second
    writer waits up to `wait_s`, calling `on_wait()` once, then raises IndexBusy."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(index_dir / LOCK))
    start = time.monotonic()
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=0)
    except Timeout:  # (a TimeoutError, so an OSError: caught first)
        if on_wait is not None:
            on_wait()
        try:
            lock.acquire(timeout=wait_s)
        except Timeout:
            raise IndexBusy(index_dir, time.monotonic() - start) from None
    except OSError as err:  # a read-only folder or disk: said before any work is done
        raise IndexReadOnly(index_dir, err.strerror or type(err).__name__) from None
    try:
        yield
    finally:
        lock.release()


@dataclass
class Index:
    """Chunks, their vectors, `owners[i]` = the chunk position of vector row i, and `topic[i]`:
    row i is a chunk's opening or question (what it is about), not one of its lines."""

    chunks: list[Chunk]
    vectors: np.ndarray
    owners: np.ndarray
    topic: np.ndarray | None = None  # None: every row (an index from before the line vectors)
    manifest: dict = field(default_factory=dict)
    _faiss: faiss.Index | None = None
    folder: Path | None = None  # the generation it was loaded from

    def bm25(self):
        """The BM25 model saved with this generation (checked with the rest), or None."""
        from coach.notes import keyword

        return keyword.load(self.folder) if self.folder is not None else None

    @property
    def faiss_index(self) -> faiss.Index:
        if self._faiss is None:
            self._faiss = faiss.IndexFlatIP(self.vectors.shape[1])
            self._faiss.add(self.vectors)
        return self._faiss

    def topic_rows(self) -> np.ndarray:
        return self.topic if self.topic is not None else np.ones(len(self.owners), dtype=bool)

    def rows_of(self, positions: list[int]) -> np.ndarray:
        """The vector rows of the given chunks, in row order."""
        return np.flatnonzero(np.isin(self.owners, positions))

    def vectors_of(self, positions: list[int]) -> tuple[np.ndarray, list[int]]:
        """Rows of the given chunks, and for each row the index in `positions` it belongs to."""
        wanted = {p: i for i, p in enumerate(positions)}
        rows = self.rows_of(positions)
        return self.vectors[rows], [wanted[int(self.owners[r])] for r in rows]


def _live_dir(index_dir: Path) -> Path | None:
    pointer = index_dir / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text().strip()
    return index_dir / name if name else None


def _retrying(read):
    """Run `read(index_dir, live_dir)`; when it fails because a writer swapped CURRENT meanwhile,
    once more."""

    @functools.wraps(read)
    def wrapped(index_dir: Path):
        for attempt in (0, 1):
            live = _live_dir(index_dir)
            try:
                return read(index_dir, live)
            except IndexCorrupt:
                if attempt == 0 and _live_dir(index_dir) != live:
                    continue
                raise

    return wrapped


def _manifest_in(index_dir: Path, live: Path) -> dict:
    try:
        return json.loads((live / "manifest.json").read_text())
    except (OSError, ValueError) as err:
        raise IndexCorrupt(index_dir, f"manifest unreadable: {type(err).__name__}") from err


@_retrying
def read_manifest(index_dir: Path, live: Path | None) -> dict | None:
    """The live manifest, or None when there is no index. Corruption raises IndexCorrupt."""
    return None if live is None else _manifest_in(index_dir, live)


@_retrying
def load(index_dir: Path, live: Path | None) -> Index:
    """The live index, every file checked against the manifest."""
    if live is None:
        raise IndexMissing(index_dir)
    manifest = _manifest_in(index_dir, live)
    if manifest.get("format") != FORMAT:
        raise IndexCorrupt(index_dir, f"format {manifest.get('format')} is not {FORMAT}")
    for name, digest in manifest.get("checksums", {}).items():
        path = live / name
        if not path.exists():
            raise IndexCorrupt(index_dir, f"{name} is missing")
        if sha256_file(path) != digest:
            raise IndexCorrupt(index_dir, f"{name} does not match its checksum")
    try:
        with open(live / "chunks.jsonl", encoding="utf-8") as f:
            chunks = [Chunk.from_json(json.loads(line)) for line in f if line.strip()]
        vectors = _read_vectors(live / "vectors.faiss")
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as err:
        raise IndexCorrupt(index_dir, f"{type(err).__name__}: {str(err)[:80]}") from err
    owners = np.asarray(manifest["owners"], dtype=np.int64)
    if len(owners) != len(vectors) or (len(owners) and owners.max() >= len(chunks)):
        raise IndexCorrupt(index_dir, "vectors and chunks disagree")
    topic = None
    if "topic_rows" in manifest:
        rows = np.asarray(manifest["topic_rows"], dtype=np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(owners)):
            raise IndexCorrupt(index_dir, "topic rows and vectors disagree")
        topic = np.zeros(len(owners), dtype=bool)
        topic[rows] = True
    return Index(chunks, vectors, owners, topic, manifest, folder=live)


def _read_vectors(path: Path) -> np.ndarray:
    idx = faiss.read_index(str(path))
    return idx.reconstruct_n(0, idx.ntotal) if idx.ntotal else np.zeros((0, idx.d), np.float32)


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def save(index_dir: Path, index: Index, manifest: dict) -> Path:
    """Write a new generation and make it live atomically; older generations are removed after."""
    index_dir.mkdir(parents=True, exist_ok=True)
    previous = _live_dir(index_dir)
    gen = 1 + max(
        [int(p.name.split("-")[1]) for p in index_dir.glob("gen-*") if p.name.split("-")[1].isdigit()]
        or [0]
    )
    while True:  # a fresh number, never a reused one, even if a folder appears meanwhile
        target = index_dir / f"gen-{gen:06d}"
        try:
            target.mkdir()
            break
        except FileExistsError:
            gen += 1
    chunk_bytes = "".join(json.dumps(c.to_json(), ensure_ascii=False) + "\n" for c in index.chunks).encode()
    _fsync_write(target / "chunks.jsonl", chunk_bytes)
    flat = faiss.IndexFlatIP(index.vectors.shape[1])
    if len(index.vectors):
        flat.add(np.ascontiguousarray(index.vectors, dtype=np.float32))
    faiss.write_index(flat, str(target / "vectors.faiss"))
    from coach.notes import keyword

    keyword.save(keyword.build(index.chunks), target)  # built once here, loaded by every search process
    manifest = {
        **manifest,
        "format": FORMAT,
        "created": time.time(),
        "owners": [int(o) for o in index.owners],
        "topic_rows": [int(r) for r in np.flatnonzero(index.topic_rows())],
        "checksums": {
            "chunks.jsonl": hashlib.sha256(chunk_bytes).hexdigest(),
            "vectors.faiss": sha256_file(target / "vectors.faiss"),
            **{p.relative_to(target).as_posix(): sha256_file(p) for p in sorted((target / keyword.FOLDER).iterdir())},
        },
    }
    _fsync_write(target / "manifest.json", json.dumps(manifest, ensure_ascii=False).encode())
    tmp = index_dir / (CURRENT + ".tmp")
    _fsync_write(tmp, target.name.encode())
    os.replace(tmp, index_dir / CURRENT)
    now = time.time()
    for old in index_dir.glob("gen-*"):  # the previous generation stays for readers mid-swap
        if old in (target, previous) or not old.is_dir():
            continue
        abandoned = previous is None or old.name > previous.name  # half-written by a writer that died
        if abandoned or now - old.stat().st_mtime > GRACE_S:
            shutil.rmtree(old, ignore_errors=True)
    index.manifest = manifest
    return target
