"""Notes that fight back (issue 20): each is skipped or repaired with one line naming it, the rest
is indexed, and nothing costs unbounded memory or time. Through the real `coach ingest`."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

from coach.notes import index as index_store
from coach.notes.documents import Document, Skipped, read_document
from helpers import COACH, make_notes, run_cli

_BODY = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document '
         b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
_END = b"</w:body></w:document>"


def _word_file(path: Path, parts) -> None:
    """A real .docx (python-docx's template) whose document.xml is written from `parts`, a
    stream of bytes, so a gigabyte body never sits in memory."""
    import docx

    template = path.with_suffix(".template.docx")
    document = docx.Document()
    document.add_paragraph("placeholder")
    document.save(str(template))
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename == "word/document.xml":
                with zout.open("word/document.xml", "w", force_zip64=True) as body:
                    for part in parts:
                        body.write(part)
            else:
                zout.writestr(item, zin.read(item.filename))
    template.unlink()


def _pdf(path: Path, pages, user_password=None) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    if user_password is not None:
        pdf.set_encryption(owner_password="owner", user_password=user_password)
    for text in pages:
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))


@pytest.fixture
def hostile(tmp_path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "lora.md").write_text("# LoRA\nLoRA freezes the base weights and trains low-rank adapters.\n")
    (notes / "deep.html").write_text("<html><body><h1>Deep</h1>" + "<div>" * 10_000
                                     + "Zebra sharding splits an index by stripe." + "</div>" * 10_000 + "</body></html>")
    (notes / "nul.md").write_bytes(b"# Checkpointing\nGradient checkpointing\x00 trades compute for memory.\n")
    _word_file(notes / "bad-xml.docx", [_BODY, b"<w:p><w:r><w:t>unclosed"])
    _word_file(notes / "paragraphs.docx", [_BODY, *([b"<w:p/>" * 100_000] * 30), _END])  # 3 million
    _word_file(notes / "one-node.docx", [_BODY, b"<w:p><w:r><w:t>", *([b"a" * (1 << 20)] * 1024), b"</w:t></w:r></w:p>",
                                         _END])  # a 1 GB text node
    _pdf(notes / "locked.pdf", ["Locked text."], user_password="secret")
    _pdf(notes / "garbled.pdf", ["!#$%&()*+,-./:;<=>?@[]^_{|}~ " * 20])
    _pdf(notes / "whole.pdf", ["Dropout zeroes activations at random."] * 3)
    whole = (notes / "whole.pdf").read_bytes()
    (notes / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    return notes


def test_one_bad_note_never_stops_an_ingest_and_bombs_are_measured_first(tmp_path, hostile):
    env = {"COACH_INDEX": str(tmp_path / "index"), "COACH_ADAPT_EMBEDDER": "false", "COACH_HOME": str(tmp_path / "h")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = run_cli("ingest", hostile, env=env, timeout=300)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "EOF marker" not in proc.stderr, proc.stderr[-2000:]
    said = {line.split(":")[0].removeprefix("skipped "): line for line in proc.stderr.splitlines() if ": " in line}
    assert "nested too deep" in said["deep.html"] and "NUL byte(s) dropped" in said["nul.md"]
    assert "could not be read (XMLSyntaxError)" in said["bad-xml.docx"]
    assert "over 100,000 paragraphs" in said["paragraphs.docx"]
    assert re.search(r"unpacks to 107\d MB", said["one-node.docx"]), said["one-node.docx"]
    assert "password-protected" in said["locked.pdf"] and "not readable text" in said["garbled.pdf"]
    assert "damaged or truncated" in said["truncated.pdf"]
    assert "6 skipped" in proc.stdout, proc.stdout
    chunks = index_store.load(tmp_path / "index").chunks
    text = "\n".join(c.text for c in chunks)
    assert {c.source for c in chunks} == {"lora.md", "deep.html", "nul.md", "whole.pdf"}
    assert "Zebra sharding splits an index by stripe." in text and "checkpointing trades compute" in text
    assert "\x00" not in text
    assert peak_mb < 1024 or before / 1024 >= 1024, f"ingest peaked at {peak_mb:.0f} MB"


def test_the_app_can_remove_a_note_it_could_not_read(tmp_path, hostile):
    from coach import Coach, Settings

    coach = Coach(Settings.checked(index=tmp_path / "index", corpus=hostile, adapt_embedder=False,
                                   home=tmp_path / "h"))
    coach.ingest(progress=False)
    files, skipped = coach.files()
    assert "locked.pdf" in {s["source"] for s in skipped}
    coach.remove_note("locked.pdf")
    assert not (hostile / "locked.pdf").exists()
    assert "locked.pdf" not in {s["source"] for s in coach.files()[1]}


def test_a_path_given_to_ingest_is_added_and_replace_says_so(tmp_path):
    notes, _ = make_notes(tmp_path, {"lora.md": "# LoRA\nLoRA freezes the base weights.\n",
                                     "bagging.md": "# Bagging\nBagging trains models on bootstrap samples.\n"})
    dash = tmp_path / "-dash.md"
    dash.write_text("# Dash\nA note whose name starts with a dash.\n")
    env = {"COACH_INDEX": str(tmp_path / "index"), "COACH_ADAPT_EMBEDDER": "false", "COACH_CORPUS": str(notes)}
    run_cli("ingest", notes, env=env, check=True)
    added = subprocess.run([*COACH, "ingest", "--json", "--", "-dash.md"], cwd=tmp_path, capture_output=True,
                           text=True, env={**os.environ, **env}, timeout=300)
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) | {"seconds": 0} == json.loads(added.stdout) | {
        "files": 3, "added": 1, "removed": 0, "unchanged": 2, "seconds": 0}
    sources = {c.source for c in index_store.load(tmp_path / "index").chunks}
    assert sources == {"lora.md", "bagging.md", "-dash.md"}
    again = json.loads(run_cli("ingest", "--json", env=env, check=True).stdout)  # the next plain ingest keeps it
    assert (again["files"], again["removed"]) == (3, 0)
    only = json.loads(run_cli("ingest", dash, "--replace", "--json", env=env, check=True).stdout)
    assert (only["files"], only["removed"]) == (1, 2)


def test_a_read_only_index_folder_is_one_line(tmp_path):
    """As root every folder is writable, so the command runs as `nobody` when the tests are root."""
    base = Path(tempfile.mkdtemp(prefix="coach-ro-"))
    try:
        (base / "notes").mkdir()
        (base / "notes" / "a.md").write_text("# A\nLoRA freezes the base weights.\n")
        (base / "index").mkdir()
        for folder in (base, base / "notes"):
            folder.chmod(0o755)
        (base / "notes" / "a.md").chmod(0o644)
        (base / "index").chmod(0o555)
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        if as_user and shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: no folder is read-only to root")
        proc = run_cli("ingest", base / "notes", "--index", base / "index", prefix=as_user,
                       env={"COACH_ADAPT_EMBEDDER": "false", "COACH_HOME": str(base / "h")})
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 1 and len(lines) == 1, proc.stderr[-2000:]
        assert "Cannot write the index" in lines[0] and "--index or COACH_INDEX" in lines[0]
    finally:
        shutil.rmtree(base)


def test_raising_the_size_limit_brings_a_skipped_note_back(tmp_path):
    notes, _ = make_notes(tmp_path, {"small.md": "# Small\nBatch norm normalises activations.\n",
                                     "long.md": "# Long\n" + "Attention weighs every token. " * 5_000})  # 150 KB
    env = {"COACH_INDEX": str(tmp_path / "index"), "COACH_ADAPT_EMBEDDER": "false", "COACH_MAX_FILE_MB": "0.1"}
    assert json.loads(run_cli("ingest", notes, "--json", env=env, check=True).stdout)["skipped"] == 1
    env["COACH_MAX_FILE_MB"] = "0.5"
    back = json.loads(run_cli("ingest", notes, "--json", env=env, check=True).stdout)
    assert (back["skipped"], back["added"]) == (0, 1)


def test_a_huge_posting_names_the_limit_that_applies(tmp_path):
    posting = tmp_path / "job.txt"
    posting.write_text("Requirements\n- Python\n" + "x" * 10_000_000)
    proc = run_cli("prep", posting)
    assert proc.returncode == 2 and "a job description is under 50 KB" in proc.stderr
    assert "COACH_MAX_FILE_MB" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_reading_never_raises(tmp_path):
    (tmp_path / "deep.htm").write_text("<div>" * 5000 + "text" + "</div>" * 5000)
    doc = read_document(tmp_path / "deep.htm", tmp_path)
    assert isinstance(doc, Document) and doc.text == "text"
    (tmp_path / "fake.docx").write_text("not a zip")
    assert isinstance(read_document(tmp_path / "fake.docx", tmp_path), Skipped)
