"""PDF, Word and HTML notes, symlinks out of the corpus, and the per-note size limit, through ingest."""

import json
import os

import pytest

from coach.notes import index as index_store
from coach.notes.documents import Document, Skipped, read_document
from helpers import run_cli


def make_pdf(path, pages):
    from fpdf import FPDF

    pdf = FPDF()
    for text in pages:
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        if text:
            pdf.multi_cell(0, 8, text)
        else:
            pdf.rect(20, 20, 100, 60, style="F")  # a scan: marks on the page, no text layer
    pdf.output(str(path))


def make_docx(path):
    import docx

    d = docx.Document()
    d.add_heading("Resume", level=1)
    d.add_heading("Experience", level=2)
    d.add_paragraph("Built a retrieval pipeline with FAISS and BM25 for clinical notes.")
    d.add_paragraph("Cut p95 latency from 900 ms to 120 ms", style="List Bullet")
    d.save(str(path))


def test_pdf_pages_become_sections_and_a_scan_is_skipped(tmp_path):
    make_pdf(tmp_path / "paper.pdf", ["LoRA freezes the base weights.", "QLoRA quantizes the base model to 4 bits."])
    doc = read_document(tmp_path / "paper.pdf", tmp_path)
    assert isinstance(doc, Document)
    assert "## Page 1" in doc.text and "## Page 2" in doc.text and "QLoRA quantizes" in doc.text
    make_pdf(tmp_path / "scan.pdf", [""])
    skipped = read_document(tmp_path / "scan.pdf", tmp_path)
    assert isinstance(skipped, Skipped) and "no text layer" in skipped.reason
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    assert isinstance(read_document(tmp_path / "broken.pdf", tmp_path), Skipped)


def test_docx_and_html_keep_headings_and_lists(tmp_path):
    make_docx(tmp_path / "resume.docx")
    doc = read_document(tmp_path / "resume.docx", tmp_path)
    assert "# Resume" in doc.text and "## Experience" in doc.text and "- Cut p95 latency" in doc.text
    (tmp_path / "job.html").write_text(
        "<html><head><style>p{}</style><script>alert(1)</script></head><body><h2>Requirements</h2>"
        "<ul><li>Python</li><li>PyTorch</li></ul><img src='http://tracker.example/x.png'></body></html>")
    html = read_document(tmp_path / "job.html", tmp_path).text
    assert "## Requirements" in html and "* Python" in html or "- Python" in html
    assert "alert" not in html and "tracker.example" not in html


def test_ingest_cites_pdf_pages_skips_links_out_and_big_notes(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    make_pdf(notes / "paper.pdf", ["Dropout randomly zeroes activations during training.",
                                   "Zebra sharding splits an index across replicas by stripe."])
    make_pdf(notes / "scan.pdf", [""])
    make_docx(notes / "resume.docx")
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\nroot:x:0:0:the password file\n")
    os.symlink(secret, notes / "passwd.md")
    (notes / "huge.md").write_text("# Huge\n" + "word " * 300_000)
    env = {"COACH_INDEX": str(tmp_path / "index"), "COACH_ADAPT_EMBEDDER": "false", "COACH_MAX_FILE_MB": "1"}
    out = run_cli("ingest", notes, "--json", env=env, check=True)
    assert json.loads(out.stdout)["skipped"] == 3  # stdout is JSON only
    manifest = index_store.read_manifest(tmp_path / "index")
    reasons = {s["source"]: s["reason"] for s in manifest["skipped"]}
    assert "outside the notes folder" in reasons["passwd.md"]
    assert "no text layer" in reasons["scan.pdf"]
    assert "MB limit" in reasons["huge.md"]
    chunks = index_store.load(tmp_path / "index").chunks
    assert not any("root:x" in c.text for c in chunks)
    found = json.loads(run_cli("search", "zebra sharding across replicas", "--json", env=env, check=True).stdout)
    top = found["results"][0] if isinstance(found, dict) else found[0]
    assert top["source"] == "paper.pdf" and "Page 2" in top["heading"]
