"""Read note files: detect the encoding, repair mojibake, skip what is not text.

>>> repair_lost_bytes("closing quote.â€")
'closing quote.”'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import ftfy
import ftfy.bad_codecs  # noqa: F401  registers "sloppy-windows-1252"
from charset_normalizer import from_bytes

SUFFIXES = {".md", ".markdown", ".txt"}

# cp1252 leaves these five bytes undefined, so text that went UTF-8 -> cp1252 -> UTF-8
# loses them, and ftfy cannot put them back. Most likely first ("â€" + lost 0x9D is ”).
_LOST_BYTES = b"\x9d\x8f\x81\x8d\x90"
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
# A UTF-8 lead byte read as cp1252 (Â..ô) followed by continuation-looking characters.
_SUSPECT_RUN = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + _CP1252_HIGH + "]+")


@dataclass(frozen=True)
class Document:
    source: str  # path relative to the corpus root, with forward slashes
    text: str


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


def _decode_with_lost_bytes(raw: bytes, depth: int = 0) -> str | None:
    """Decode UTF-8, re-inserting a lost byte where that makes the sequence valid."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        if depth > 4:
            return None
        # The lost byte most often ended the broken sequence: try the last position first.
        for pos in range(min(err.end, len(raw)), err.start, -1):
            for byte in _LOST_BYTES:
                fixed = raw[:pos] + bytes([byte]) + raw[pos:]
                try:
                    char = fixed[err.start:].decode("utf-8", errors="strict")[:1]
                except UnicodeDecodeError as inner:
                    if inner.start == 0:
                        continue
                    char = fixed[err.start : err.start + inner.start].decode("utf-8")[:1]
                if unicodedata.category(char) in ("Cn", "Cc", "Cf"):
                    continue
                decoded = _decode_with_lost_bytes(fixed, depth + 1)
                if decoded is not None:
                    return decoded
        return None


def _repair_run(match: re.Match) -> str:
    run = match.group(0)
    try:
        raw = run.encode("sloppy-windows-1252")
    except UnicodeEncodeError:
        return run
    decoded = _decode_with_lost_bytes(raw)
    return run if decoded is None or decoded == run else decoded


def repair_lost_bytes(text: str) -> str:
    """Undo mojibake that ftfy leaves because one byte of the sequence was lost."""
    return _SUSPECT_RUN.sub(_repair_run, text)


def decode(data: bytes) -> str:
    """Bytes -> repaired text. UTF-8 first (with or without BOM), else the best legacy guess."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        text = str(best) if best is not None else data.decode("cp1252", errors="replace")
    return repair_lost_bytes(fix_mojibake(text))


def fix_mojibake(text: str) -> str:
    """ftfy on the lines that can hold mojibake: pure-ASCII lines cannot, and skipping them
    makes this several times faster on real notes (ftfy was 7% of a cold ingest)."""
    return "".join(
        line if line.isascii() else ftfy.fix_text(line, normalization="NFC")
        for line in text.splitlines(keepends=True)
    )


def read_document(path: Path, root: Path) -> Document | Skipped:
    """Read one note file; binary, empty or unreadable files come back as Skipped."""
    source = path.relative_to(root).as_posix() if path != root else path.name
    try:
        data = path.read_bytes()
    except OSError as err:
        return Skipped(source, f"unreadable ({err.strerror or err})")
    if b"\x00" in data[:8192]:
        return Skipped(source, "binary file")
    text = decode(data)
    if not text.strip():
        return Skipped(source, "empty file")
    return Document(source, text)


def find_files(root: Path) -> list[Path]:
    """Note files under root (recursively), sorted, hidden folders left out."""
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
