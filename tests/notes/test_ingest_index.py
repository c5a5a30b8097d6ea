"""Incremental, atomic ingest and a self-checking index, on the real notes and model."""

import json
import shutil

import faiss
import numpy as np
import pytest

from coach.notes import index as store
from coach.errors import CorpusError, IndexCorrupt, IndexMissing
from coach.notes.ingest import ingest
from helpers import make_notes

pytestmark = pytest.mark.slow


def run(corpus, index_dir, embedder, model_id=None, **kw):
    return ingest([corpus], index_dir, lambda: embedder, model_id or embedder.model_id, progress=False, **kw)


def no_model():
    raise AssertionError("the embedding model must not load when nothing changed")


def test_cold_then_noop_then_change_then_remove(tmp_path, corpus_copy, embedder, shared_ingest):
    shared_dir, cold = shared_ingest
    assert (cold.files, cold.added, cold.chunks) == (5, 5, len(store.load(shared_dir).chunks))
    assert cold.chunks > 300
    # the copied notes have the same content hashes, so the shared index is up to date for them
    idx = tmp_path / "index"
    shutil.copytree(shared_dir, idx)

    noop = ingest([corpus_copy], idx, no_model, embedder.model_id, progress=False)
    assert noop.summary() | {"seconds": 0} == {
        "files": 5, "added": 0, "changed": 0, "removed": 0, "unchanged": 5, "skipped": 0,
        "chunks": cold.chunks, "adapted": False, "seconds": 0, "repaired": False,
    }
    assert noop.seconds < cold.seconds / 10

    before = store.load(idx)
    small = corpus_copy / "000_44875bf92ad90c67.txt"
    small.write_text(small.read_text() + "\n### 9. \"What is the zebra protocol?\"\nA zebra protocol stripes requests.\n")
    changed = run(corpus_copy, idx, embedder)
    assert (changed.changed, changed.unchanged, changed.added) == (1, 4, 0)
    after = store.load(idx)
    # vectors of the unchanged files were copied, not recomputed: identical rows
    untouched = [c.id for c in before.chunks if c.source == "002_3311060c06bf2bdb.txt"]
    pos_b = [i for i, c in enumerate(before.chunks) if c.id in untouched]
    pos_a = [i for i, c in enumerate(after.chunks) if c.id in untouched]
    assert (before.vectors_of(pos_b)[0] == after.vectors_of(pos_a)[0]).all()
    assert any("zebra protocol" in c.text for c in after.chunks)

    (corpus_copy / "003_8b1fafab6b5431bf.txt").unlink()
    removed = run(corpus_copy, idx, embedder)
    assert (removed.removed, removed.files) == (1, 4)
    assert not any(c.source == "003_8b1fafab6b5431bf.txt" for c in store.load(idx).chunks)


def test_embedding_model_change_rebuilds(tmp_path, embedder):
    notes, idx = make_notes(tmp_path, {"a.md": "# A\nLoRA trains adapters.\n"})
    run(notes, idx, embedder)
    again = run(notes, idx, embedder, model_id="another-model:384:x")
    assert again.added == 1 and again.unchanged == 0
    assert store.read_manifest(idx)["embed_model"] == "another-model:384:x"


def test_an_index_from_before_the_line_windows_is_embedded_again(tmp_path, embedder, monkeypatch):
    """An index made when a chunk had only its opening and question vectors is re-embedded by the
    next ingest, so its chunks are searched by their lines too."""
    from coach.notes import ingest as ingest_module
    from coach.notes.views import VIEWS, View

    body = "# LoRA\n" + "".join(f"- Line {k} says adapters train a low-rank update.\n" for k in range(6))
    notes, idx = make_notes(tmp_path, {"a.md": body})
    monkeypatch.setattr(ingest_module, "vector_texts", lambda c: [View(c.heading + "\n" + c.text, 40, True)])
    monkeypatch.setattr(ingest_module, "VIEWS", VIEWS - 1)
    old = run(notes, idx, embedder)
    assert len(store.load(idx).vectors) == 1 and store.read_manifest(idx)["views"] == VIEWS - 1
    monkeypatch.undo()
    again = run(notes, idx, embedder)
    assert (old.added, again.added, again.unchanged) == (1, 1, 0)
    assert store.read_manifest(idx)["views"] == VIEWS and len(store.load(idx).vectors) == 1 + 5  # 6 lines, two by two
    assert ingest([notes], idx, no_model, embedder.model_id, progress=False).unchanged == 1


def test_skipped_files_are_reported(tmp_path, embedder):
    notes, idx = make_notes(tmp_path, {
        "good.md": "# Good\nBatch norm normalises activations.\n", "photo.md": b"\x89PNG\x00\x00binary", "empty.txt": "",
    })
    report = run(notes, idx, embedder)
    assert report.skipped == 2 and report.added == 1
    assert {s["source"]: s["reason"] for s in report.skipped_files} == {
        "photo.md": "binary file", "empty.txt": "empty file"
    }


def test_empty_corpus_is_a_clear_error(tmp_path, embedder):
    (tmp_path / "notes").mkdir()
    with pytest.raises(CorpusError, match="No notes to index"):
        run(tmp_path / "notes", tmp_path / "index", embedder)
    with pytest.raises(CorpusError, match="No such file or folder"):
        run(tmp_path / "missing", tmp_path / "index", embedder)


def test_crash_during_write_keeps_previous_index(tmp_path, embedder, monkeypatch):
    notes, idx = make_notes(tmp_path, {"a.md": "# A\nLoRA trains adapters.\n", "b.md": "# B\nRAG retrieves passages.\n"})
    run(notes, idx, embedder)
    live = store.load(idx)
    (notes / "a.md").write_text("# Changed\nNew text about dropout.\n")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies half-way through writing the new generation

    monkeypatch.setattr(faiss, "write_index", killed)
    with pytest.raises(KeyboardInterrupt):
        run(notes, idx, embedder)
    monkeypatch.undo()
    survived = store.load(idx)
    assert [c.id for c in survived.chunks] == [c.id for c in live.chunks]
    # and the next ingest recovers, cleaning up the half-written generation; the one before the
    # live one stays, for a reader that read CURRENT just before the swap
    report = run(notes, idx, embedder)
    assert report.changed == 1
    assert sorted(p.name for p in idx.glob("gen-*")) == ["gen-000001", "gen-000003"]


def test_corrupt_and_truncated_files_are_refused(tmp_path, embedder):
    notes, idx = make_notes(tmp_path, {"a.md": "# A\nLoRA trains adapters.\n## B\nRAG retrieves passages.\n"})
    run(notes, idx, embedder)
    live = idx / (idx / "CURRENT").read_text()
    vectors = live / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:-50])
    with pytest.raises(IndexCorrupt, match=r"coach ingest --rebuild"):
        store.load(idx)
    (live / "manifest.json").write_text("{ not json")
    with pytest.raises(IndexCorrupt, match="manifest unreadable"):
        store.load(idx)
    # a rebuild over a damaged index works
    assert run(notes, idx, embedder, rebuild=True).added == 1
    assert len(store.load(idx).chunks) == 2


def test_missing_index_says_what_to_do(tmp_path):
    with pytest.raises(IndexMissing, match="run `coach ingest`"):
        store.load(tmp_path / "nothing")


def test_index_files_are_json_and_faiss_only(shared_index):
    live = shared_index / (shared_index / "CURRENT").read_text()
    assert sorted(p.name for p in live.iterdir()) == ["bm25", "chunks.jsonl", "manifest.json", "vectors.faiss"]
    # BM25, built at ingest: numpy arrays and JSON, every file checksummed; nothing pickled
    bm25 = sorted(p.name for p in (live / "bm25").iterdir())
    assert all(name.endswith((".npy", ".json")) for name in bm25)
    for npy in (live / "bm25").glob("*.npy"):
        np.load(npy, allow_pickle=False)
    manifest = json.loads((live / "manifest.json").read_text())
    assert manifest["format"] == store.FORMAT
    assert set(manifest["checksums"]) == {"chunks.jsonl", "vectors.faiss"} | {f"bm25/{n}" for n in bm25}
    first = json.loads((live / "chunks.jsonl").read_text().splitlines()[0])
    assert set(first) >= {"id", "source", "heading", "question", "line_start", "line_end", "text"}
