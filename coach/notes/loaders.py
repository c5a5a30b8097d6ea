"""PDF, Word and HTML notes as markdown, so chunking, citations and units treat them like the rest.

A résumé, a paper or a saved job posting keeps its structure: each PDF page becomes a section
"Page N" (the citation names the page), Word headings and list paragraphs become markdown
headings and bullets, HTML goes through markdownify with scripts, styles and images dropped.
Each loader returns markdown, or raises NotText with the reason the file is skipped.
"""

from __future__ import annotations

from pathlib import Path

RICH_SUFFIXES = {".pdf", ".docx", ".html", ".htm"}


class NotText(Exception):
    """The file holds no text to index (a scanned PDF, a damaged document)."""


def load_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as err:
        raise NotText(f"unreadable PDF ({type(err).__name__})") from err
    if not any(pages):
        raise NotText("PDF with no text layer (a scan?) — run OCR on it, or paste its text into a .md note")
    return "\n\n".join(f"## Page {n}\n\n{text}" for n, text in enumerate(pages, 1) if text)


def load_docx(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as err:
        raise NotText(f"unreadable Word file ({type(err).__name__})") from err
    out: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "").lower()
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


def load_html(path: Path, text: str) -> str:
    from markdownify import markdownify

    return markdownify(_without(text), heading_style="ATX", strip=["img"]).strip()


def _without(html: str) -> str:
    """Scripts, styles and embedded frames are not notes."""
    import re

    return re.sub(r"(?is)<(script|style|iframe|noscript|svg)\b.*?</\1\s*>", "", html)
