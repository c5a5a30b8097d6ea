"""PDF, Word and HTML notes as markdown, so chunking, citations and units treat them like the rest.

A résumé, a paper or a saved job posting keeps its structure: each PDF page becomes a section
"Page N" (the citation names the page), Word headings and list paragraphs become markdown
headings and bullets, HTML goes through markdownify with scripts, styles and images dropped.
Each loader returns markdown, or raises NotText with the reason the file is skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

RICH_SUFFIXES = {".pdf", ".docx", ".html", ".htm"}


class NotText(Exception):
    """The file holds no text to index (a scanned PDF, a damaged document)."""


def load_pdf(path: Path, warnings: list[str] | None = None) -> str:
    import logging
    import warnings as py_warnings

    from pypdf import PdfReader

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)  # "EOF marker not found" and the like: the reason below says it
    try:
        with py_warnings.catch_warnings():
            py_warnings.simplefilter("ignore")
            reader = PdfReader(str(path))
            if reader.is_encrypted and not _opens_without_password(reader):
                raise NotText("password-protected PDF — save a copy without the password, or paste its "
                              "text into a .md note")
            pages = [_page_text(page) for page in reader.pages]
    except NotText:
        raise
    except Exception as err:  # noqa: BLE001  pypdf raises many kinds on a damaged file
        raise NotText(f"damaged or truncated PDF ({type(err).__name__}) — download or export it again") from err
    finally:
        pypdf_log.setLevel(level)
    readable = [(n, t) for n, t in enumerate(pages, 1) if t and _reads_as_text(t)]
    if not readable:
        if any(pages):
            raise NotText("PDF whose text layer is not readable text (a broken font encoding) — run OCR on it, "
                          "or paste its text into a .md note")
        raise NotText("PDF with no text layer (a scan?) — run OCR on it, or paste its text into a .md note")
    garbled = [n for n, t in enumerate(pages, 1) if t and not _reads_as_text(t)]
    if garbled and warnings is not None:
        warnings.append(f"page(s) {', '.join(map(str, garbled))} left out: their text layer is not readable text")
    return "\n\n".join(f"## Page {n}\n\n{text}" for n, text in readable)


def _opens_without_password(reader) -> bool:
    try:
        return bool(reader.decrypt(""))  # many "encrypted" PDFs only restrict printing
    except Exception:  # noqa: BLE001  an unsupported cipher
        return False


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")


def _page_text(page) -> str:
    """A page's text without control characters (a text layer can hold any byte)."""
    return _CONTROL.sub("", page.extract_text() or "").strip()


def _reads_as_text(text: str) -> bool:
    """Most visible characters of real text are letters or digits; a text layer whose font maps
    glyphs to the wrong codes reads as punctuation and symbols."""
    visible = [c for c in text if not c.isspace()]
    return bool(visible) and sum(c.isalnum() for c in visible) >= 0.6 * len(visible)


# A Word file is a zip: its sizes are read before anything is unpacked, so a small file that
# unpacks to gigabytes (or to millions of paragraphs) is refused before it costs memory or time.
MAX_DOCX_PARAGRAPHS = 100_000
_PARAGRAPH = re.compile(rb"<w:p[ />]")


def _check_docx(path: Path, max_bytes: int) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            unpacked = sum(p.file_size for p in parts if p.filename.endswith(".xml"))
            if unpacked > 4 * max_bytes:
                raise NotText(f"Word file that unpacks to {unpacked / 1e6:.0f} MB of text, over 4x the limit per "
                              "note (COACH_MAX_FILE_MB) — split it or save it as .txt")
            names = {p.filename for p in parts}
            if "word/document.xml" in names:
                paragraphs = 0
                with archive.open("word/document.xml") as body:
                    tail = b""  # 4 bytes: a tag cut by a block boundary is counted once, none twice
                    while block := body.read(1 << 20):
                        joined = tail + block
                        paragraphs += len(_PARAGRAPH.findall(joined))
                        tail = block[-4:]
                        if paragraphs > MAX_DOCX_PARAGRAPHS:
                            raise NotText(f"Word file with over {MAX_DOCX_PARAGRAPHS:,} paragraphs — split it")
    except zipfile.BadZipFile as err:
        raise NotText("unreadable Word file (not a zip archive) — save it again from Word") from err


def load_docx(path: Path, max_bytes: int) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_docx(path, max_bytes)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as err:
        raise NotText(f"unreadable Word file ({type(err).__name__})") from err
    out: list[str] = []
    # Style names looked up once: python-docx's `paragraph.style` scans every style of the file
    # for each paragraph (100 s for 100,000 paragraphs; under a second this way).
    names = {s.style_id: (s.name or "").lower() for s in document.styles}
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = names.get(para._p.style, "")
        if style.startswith("heading") and style[-1:].isdigit():
            out.append("#" * min(6, int(style[-1])) + " " + text)
        elif style == "title":
            out.append("# " + text)
        elif "list" in style:
            out.append("- " + text)
        else:
            out.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                out.append("- " + " | ".join(cells))
    if not out:
        raise NotText("Word file with no text")
    return "\n\n".join(out)


def load_html(path: Path, text: str, warnings: list[str] | None = None) -> str:
    """Markdown of the page; a page nested too deep for markdownify's recursion (a
    `<div>` 10,000 levels down) is read as plain text, one block per line."""
    from markdownify import markdownify

    html = _without(text)
    try:
        return markdownify(html, heading_style="ATX", strip=["img"]).strip()
    except RecursionError:
        from bs4 import BeautifulSoup

        if warnings is not None:
            warnings.append("nested too deep to keep its layout: read as plain text")

        return BeautifulSoup(html, "html.parser").get_text("\n\n", strip=True)


def _without(html: str) -> str:
    """Scripts, styles and embedded frames are not notes."""
    return re.sub(r"(?is)<(script|style|iframe|noscript|svg)\b.*?</\1\s*>", "", html)
