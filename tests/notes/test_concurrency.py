"""One writer at a time: real `coach ingest` processes racing, and a reader that never loses the index."""

import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from coach.notes import index as index_store
from coach.errors import IndexBusy
from helpers import ROOT, SHARED_CORPUS, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
def small_corpus(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(SHARED_CORPUS / "000_44875bf92ad90c67.txt", notes / "lora.txt")
    (notes / "zebra.md").write_text("# Zebra protocol\nThe zebra protocol stripes requests across replicas.\n")
    return notes


def test_two_writers_and_a_reader_never_lose_the_index(small_corpus, tmp_path):
    index = tmp_path / "index"
    env = {**os.environ, "COACH_ADAPT_EMBEDDER": "false", "COACH_INDEX": str(index)}
    run_cli("ingest", small_corpus, env=env, check=True)
    loop = f"for i in 1 2 3; do {sys.executable} -m coach.cli ingest {small_corpus} --rebuild --json || exit 1; done"
    writers = [subprocess.Popen(["bash", "-c", loop], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    failures, loads = [], 0
    stop = threading.Event()

    def read() -> None:
        nonlocal loads
        while not stop.is_set():
            try:
                idx = index_store.load(index)
                assert len(idx.chunks) > 0
                loads += 1
            except Exception as err:  # any failure to open the index is a lost index for a user
                failures.append(repr(err))
            time.sleep(0.01)

    reader = threading.Thread(target=read)
    reader.start()
    outs = [w.communicate(timeout=600) for w in writers]
    stop.set()
    reader.join()
    assert [w.returncode for w in writers] == [0, 0], [o[1][-500:] for o in outs]
    assert failures == [] and loads > 10
    # six rebuilds, six distinct generations; the live one and the one before it are on disk
    live = (index / "CURRENT").read_text().strip()
    assert (index / live).is_dir() and live == "gen-000007"
    assert len(index_store.load(index).chunks) > 0


def test_second_writer_waits_then_says_another_ingest_is_running(tmp_path):
    index = tmp_path / "index"
    with index_store.writer_lock(index):
        said = []
        with pytest.raises(IndexBusy, match="Another ingest is running"):
            with index_store.writer_lock(index, wait_s=0.5, on_wait=lambda: said.append(1)):
                pass
        assert said == [1]
    with index_store.writer_lock(index, wait_s=0.5):  # released: the next writer goes at once
        pass


def test_plain_ingest_repairs_a_damaged_index(small_corpus, tmp_path):
    index = tmp_path / "index"
    env = {"COACH_ADAPT_EMBEDDER": "false", "COACH_INDEX": str(index)}
    run_cli("ingest", small_corpus, env=env, check=True)
    live = index / (index / "CURRENT").read_text().strip()
    (live / "vectors.faiss").write_bytes(b"garbage")
    out = run_cli("ingest", small_corpus, env=env, check=True)
    assert "damaged" in out.stderr
    assert len(index_store.load(index).chunks) > 0
