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

from coach.notes import index as index_store
from coach.notes.chunking import split_text
from coach.notes.views import VIEWS, View, vector_texts
from coach.notes.documents import MAX_BYTES, READER_VERSION, Skipped, find_files, read_document
from coach.types import Chunk
from coach.errors import CorpusError, IndexCorrupt


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
    warnings: list[dict] = field(default_factory=list)  # {source, warning}: read, with something dropped
    repaired: bool = False  # the index was damaged and has been rebuilt from the notes
    roots: list[str] = field(default_factory=list)  # the folders and files the index now holds

    def summary(self) -> dict:
        out = asdict(self)
        for listing in ("skipped_files", "warnings", "roots"):
            out.pop(listing)
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
    keep_roots: bool = False,
    optional: bool = False,
) -> IngestReport:
    """Bring the index at index_dir up to date with the notes under `paths`.

    `embedder_factory` is only called when something must be embedded, so a run with no
    change never loads the model. With `adapt_base` (the base model's folder), a change of the
    notes also fine-tunes that model on them (`coach.embed.adapt`) and re-embeds every chunk with it.
    One writer at a time: a second one waits for the first (`index.writer_lock`). `after(index_dir)`
    runs under the same lock once the index is up to date (the ONNX exports).

    The index holds the notes under `paths`. With `keep_roots` (what `coach ingest` does), the
    folders and files it already holds stay in it and `paths` are added to them, so `coach ingest
    extra.md` adds a note instead of dropping the rest; a folder or file that is gone is dropped,
    its notes counted as removed.
    `optional` paths (the default notes folder when none was named) are left out when missing
    while the index holds others.
    """

    def waiting() -> None:
        print(f"another ingest is running on {index_dir}: waiting for it…", file=sys.stderr, flush=True)

    with index_store.writer_lock(index_dir, lock_wait_s, waiting):
        if keep_roots:
            paths = _with_known_roots(paths, index_dir, optional)
        report = _ingest(paths, index_dir, embedder_factory, model_id, rebuild, progress, adapt_base, max_file_bytes)
        if after is not None:
            after(index_dir)
        return report


def _with_known_roots(paths: list[Path], index_dir: Path, optional: bool) -> list[Path]:
    """The index's own folders and files (those still on disk) first, then the given paths that
    are not already inside one of them (and, when `optional`, exist)."""
    try:
        known = [Path(r) for r in (index_store.read_manifest(index_dir) or {}).get("roots", [])]
    except IndexCorrupt:
        known = []  # rebuilt from the given paths
    roots = [r for r in known if r.exists()]
    for path in paths:
        if optional and roots and not path.exists():
            continue
        real = path.resolve()
        if path.exists() and any(real == r or (r.is_dir() and r in real.parents) for r in roots):
            continue
        roots.append(path)
    return roots


@dataclass
class _Build:
    """The index being assembled: chunks, their vectors, and which chunk each vector belongs to."""
    chunks: list[Chunk] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    topic: list[bool] = field(default_factory=list)  # the row is a chunk's opening or question
    files: dict[str, dict] = field(default_factory=dict)


def _ingest(paths, index_dir, embedder_factory, model_id, rebuild, progress, adapt_base, max_file_bytes) -> IngestReport:
    start = time.perf_counter()
    report = IngestReport()
    found = _scan(paths)
    old_manifest = None if rebuild else _reusable_manifest(index_dir, model_id, adapt_base, report)
    old_files = old_manifest["files"] if old_manifest else {}
    old_skipped = {s["source"]: s for s in (old_manifest or {}).get("skipped", [])}

    report.files = len(found)
    report.roots = [str(p) for p in paths]
    report.removed = len(set(old_files) - set(found))
    unchanged = {s for s, (_, _, h) in found.items() if s in old_files and old_files[s]["sha256"] == h}
    # A skipped file is tried again when it changed or the size limit did (a note skipped as too big
    # comes back once COACH_MAX_FILE_MB is raised, without --rebuild).
    skipped_same = {s for s, (_, _, h) in found.items()
                    if s in old_skipped and old_skipped[s]["sha256"] == h and old_skipped[s].get("limit") == max_file_bytes}
    todo = [s for s in found if s not in unchanged and s not in skipped_same]

    gone_skipped = set(old_skipped) - set(found)  # a note that could not be read, since removed
    if not todo and not report.removed and not gone_skipped and old_manifest:
        report.unchanged = len(unchanged)
        report.skipped = len(skipped_same)
        report.skipped_files = list(old_skipped.values())
        report.chunks = sum(len(f["chunks"]) for f in old_files.values())
        report.seconds = time.perf_counter() - start
        return report

    build = _Build()
    if unchanged and not _keep_unchanged(index_dir, old_files, unchanged, build):
        unchanged = set()
        todo = [s for s in found if s not in skipped_same]
    report.unchanged = len(unchanged)

    skipped = [old_skipped[s] for s in skipped_same]
    new_chunks = _read_changed(sorted(todo), found, old_files, max_file_bytes, progress, report, skipped, build)
    report.skipped = len(skipped)
    report.skipped_files = skipped

    adapted = None
    if adapt_base is not None and (build.chunks or new_chunks):
        from coach.embed.adapt import adapt
        from coach.embed.embedder import Embedder

        adapted = adapt(index_dir, adapt_base, build.chunks + new_chunks, progress)
        if adapted is not None:  # a new model: every chunk is embedded again with it
            report.adapted = True
            new_chunks, build.chunks, build.vectors, build.owners, build.topic = build.chunks + new_chunks, [], [], [], []
            embedder_factory = lambda: Embedder(str(index_dir / adapted["path"]))  # noqa: E731
    if new_chunks:
        _embed_chunks(new_chunks, embedder_factory, progress, build)

    if not build.chunks:
        raise CorpusError(
            f"No notes to index in {', '.join(map(str, paths))} — add .md or .txt files and run `coach ingest` again."
        )
    idx = _assemble(build)
    manifest = {
        "embed_model": model_id,
        "reader": READER_VERSION,
        "views": VIEWS,
        "roots": [str(p.resolve()) for p in paths],
        "files": build.files,
        "skipped": skipped,
        "adapt": adapt_base is not None,
        "adapted": adapted,
    }
    index_store.save(index_dir, idx, manifest)
    if adapt_base is not None or old_manifest is None:
        from coach.embed.adapt import remove_unused

        remove_unused(index_dir, adapted["path"] if adapted else None)
    report.chunks = len(idx.chunks)
    report.seconds = time.perf_counter() - start
    return report


def _reusable_manifest(index_dir: Path, model_id: str, adapt_base: Path | None, report: IngestReport) -> dict | None:
    """The live index's manifest when its vectors can be reused: readable, every file checked,
    the same embedding model, format and adaptation setting; None otherwise (a damaged index
    is marked repaired: it is rebuilt from the notes, its files stay until replaced)."""
    try:
        manifest = index_store.read_manifest(index_dir)
        if manifest is not None:
            index_store.load(index_dir)  # every file checked: a damaged one is rebuilt, not reported fine
    except IndexCorrupt:
        report.repaired = True
        return None
    if manifest and (
        manifest.get("embed_model") != model_id
        or manifest.get("format") != index_store.FORMAT
        or manifest.get("reader", 1) != READER_VERSION  # the notes read differently now: read them again
        or manifest.get("views", 1) != VIEWS  # each chunk is searched by other vectors now
        or bool(manifest.get("adapt")) != (adapt_base is not None)
    ):
        return None  # another embedding model or reader: every file is read and embedded again
    return manifest


def _keep_unchanged(index_dir: Path, old_files: dict, unchanged: set[str], build: _Build) -> bool:
    """Copy the chunks and vectors of unchanged files over from the live index; False when it
    cannot be read (then every file is read again)."""
    try:
        old = index_store.load(index_dir)
    except IndexCorrupt:
        return False
    position = {c.id: i for i, c in enumerate(old.chunks)}
    keep = [position[cid] for s in sorted(unchanged) for cid in old_files[s]["chunks"] if cid in position]
    kept_vectors, kept_owner = old.vectors_of(keep)
    build.chunks.extend(old.chunks[p] for p in keep)
    build.vectors.append(kept_vectors)
    build.owners.extend(kept_owner)
    build.topic.extend(bool(t) for t in old.topic_rows()[old.rows_of(keep)])
    for s in unchanged:
        build.files[s] = old_files[s]
    return True


def _read_changed(todo: list[str], found: dict, old_files: dict, max_file_bytes: int, progress: bool,
                  report: IngestReport, skipped: list[dict], build: _Build) -> list[Chunk]:
    """Added and changed files read and chunked (not yet embedded); a file that is not notes is
    added to `skipped` with its reason."""
    new_chunks: list[Chunk] = []
    for source in todo:
        path, root, digest = found[source]
        doc = read_document(path, root, max_file_bytes)
        if isinstance(doc, Skipped):
            skipped.append({"source": source, "reason": doc.reason, "sha256": digest,  # the caller says them
                            "limit": max_file_bytes})
            continue
        for warning in doc.warnings:
            report.warnings.append({"source": source, "warning": warning})  # the caller says them
        if source in old_files:
            report.changed += 1
        else:
            report.added += 1
        pieces = split_text(doc.text, source)
        file_chunks = [Chunk.from_json({**p.metadata, "text": p.page_content}) for p in pieces]
        build.files[source] = {"sha256": digest, "chunks": [c.id for c in file_chunks], "indexed_at": time.time()}
        new_chunks.extend(file_chunks)
    return new_chunks


def _embed_chunks(new_chunks: list[Chunk], embedder_factory: Callable[[], object], progress: bool,
                  build: _Build) -> None:
    """Embed each new chunk's vector texts and add chunks and vectors to the build."""
    texts, text_owner = [], []
    for i, chunk in enumerate(new_chunks):
        for t in vector_texts(chunk):
            texts.append(t)
            text_owner.append(len(build.chunks) + i)
    build.vectors.append(_embed(embedder_factory(), texts, progress))
    build.owners.extend(text_owner)
    build.topic.extend(view.topic for view in texts)
    build.chunks.extend(new_chunks)


def _assemble(build: _Build) -> index_store.Index:
    """The index in (source, line) order, so results and listings read naturally."""
    order = sorted(range(len(build.chunks)), key=lambda i: (build.chunks[i].source, build.chunks[i].line_start))
    new_pos = {old: new for new, old in enumerate(order)}
    return index_store.Index(
        chunks=[build.chunks[i] for i in order],
        vectors=np.concatenate([v for v in build.vectors if len(v)], axis=0),
        owners=np.asarray([new_pos[o] for o in build.owners], dtype=np.int64),
        topic=np.asarray(build.topic, dtype=bool),
    )


def _embed(embedder, texts: list[View], progress: bool, batch: int = 64) -> np.ndarray:
    """Embed views in batches of one token limit and like lengths (less padding), behind a
    progress bar on stderr."""
    order = sorted(range(len(texts)), key=lambda i: (texts[i].tokens, len(texts[i].text)))
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    bar = tqdm(total=len(texts), desc="embedding", unit="text", disable=not progress, leave=False)
    start = 0
    while start < len(order):
        limit = texts[order[start]].tokens
        ids = [i for i in order[start : start + batch] if texts[i].tokens == limit]
        out[ids] = embedder.encode([texts[i].text for i in ids], batch_size=batch, max_tokens=limit)
        bar.update(len(ids))
        start += len(ids)
    bar.close()
    return out
