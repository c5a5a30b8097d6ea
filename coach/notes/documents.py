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

from coach.notes.loaders import RICH_SUFFIXES, NotText, load_docx, load_html, load_pdf

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
SUFFIXES = TEXT_SUFFIXES | RICH_SUFFIXES
MAX_BYTES = 5 * 1024 * 1024  # default per-file limit (COACH_MAX_FILE_MB)
# Raised whenever reading gives a file different text (a repair added): an index made by an older
# reader is read again from the notes at the next ingest. 2: the lost-byte closing quote. 3: stray NULs
# dropped instead of the note skipped, deep HTML as plain text, garbled PDF pages left out.
READER_VERSION = 3

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
    warnings: tuple[str, ...] = ()  # what was changed to read it (said to the user, never silent)


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


# Characters that Central European letters become when cp1250/ISO-8859-2 bytes are read as
# cp1252: "ł" -> "³", "ą" -> "¹" or "±", "ż" -> "¿", "ś" -> "¶". Inside a word they mean the guess was wrong.
_C1 = re.compile(r"[\x80-\x9f]")  # control characters: bytes the code page does not hold as letters
# Encodings charset-normalizer names for scripts other than Latin.
_OTHER_SCRIPTS = {"cp1251", "koi8_r", "cp1253", "iso8859_5", "iso8859_7", "cp1256", "cp1255", "mac_cyrillic", "cp866"}
_CENTRAL_IN_WORD = re.compile(r"[^\W\d_][³¹¿¥¼¾Ÿ±¶][^\W\d_]|[^\W\d_][³¹¥¼¾Ÿ±¶]\b")


def _utf16(data: bytes) -> str | None:
    """UTF-16 with a BOM, or without one when every other byte is NUL (mostly-ASCII text)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    sample = data[:4096]
    if len(sample) >= 4 and len(sample) % 2 == 0:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2
        for codec, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
            if zeros > 0.6 * half:
                try:
                    return data.decode(codec)
                except UnicodeDecodeError:
                    return None
    return None


def _legacy(data: bytes) -> str:
    """Text in a one-byte code page. Western European (cp1252, which contains latin-1's
    letters) unless its letters come out as Central European ones misread; then cp1250 or
    ISO-8859-2, whichever reads as letters; other scripts (Cyrillic, Greek...) by
    charset-normalizer's guess, which is asked once."""
    guess = from_bytes(data).best()
    western = _strict(data, "cp1252")
    if western is not None and not _CENTRAL_IN_WORD.search(western) and not _C1.search(western):
        if guess is not None and guess.encoding in _OTHER_SCRIPTS:
            return str(guess)  # Cyrillic or Greek bytes read as Western letters: the guess knows better
        return western
    central = [t for t in (_strict(data, "cp1250"), _strict(data, "iso-8859-2")) if t is not None]
    if central and western is not None:
        return min(central, key=lambda t: len(_CENTRAL_IN_WORD.findall(t)) + len(_C1.findall(t)))
    return str(guess) if guess is not None else data.decode("cp1252", errors="replace")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def decode(data: bytes) -> str:
    """Bytes -> repaired text: UTF-8 (with or without BOM), UTF-16 (with or without BOM), then
    the legacy code pages of European notes; mojibake repaired."""
    return repair(_decoded(data))


def repair(text: str) -> str:
    return repair_lost_bytes(fix_mojibake(text))


def _decoded(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _utf16(data) or _legacy(data)
    else:
        if "\x00" in text:  # UTF-16 of ASCII text is valid UTF-8 too, with a NUL every other byte
            text = _utf16(data) or text
    return text


# A closing quote ” (E2 80 9D) read as cp1252 loses its last byte: "â€" is left, then a space or
# punctuation. ftfy would take the space for a lost 0xA0 and make a dagger ("context†that");
# the quote is put back first.
_LOST_CLOSING_QUOTE = re.compile(r"â€(?=[\s.,;:!?)\]]|$)")


def fix_mojibake(text: str) -> str:
    """ftfy on the lines that can hold mojibake: pure-ASCII lines cannot, and skipping them
    makes this several times faster on real notes (ftfy was 7% of a cold ingest).

    >>> fix_mojibake('a â€œfinal decisionâ€ column, Why â€œprefixâ€?')
    'a "final decision" column, Why "prefix"?'
    """
    return "".join(
        line if line.isascii() else ftfy.fix_text(_LOST_CLOSING_QUOTE.sub("”", line), normalization="NFC")
        for line in text.splitlines(keepends=True)
    )


def read_document(path: Path, root: Path, max_bytes: int = MAX_BYTES) -> Document | Skipped:
    """Read one note file; binary, empty, unreadable or oversized files, and links that lead out
    of the notes folder, come back as Skipped with the reason. Whatever a file holds, reading it
    never raises: one bad note must not stop an ingest."""
    source = path.relative_to(root).as_posix() if path != root else path.name
    try:
        return _read(path, root, source, max_bytes)
    except Exception as err:  # noqa: BLE001  a library failing on one file (RecursionError, lxml, zip...)
        return Skipped(source, f"could not be read ({type(err).__name__}) — open and save it again, "
                               "or paste its text into a .md note")


def _read(path: Path, root: Path, source: str, max_bytes: int) -> Document | Skipped:
    folder = root if root.is_dir() else root.parent
    real = path.resolve()
    if real != folder.resolve() and folder.resolve() not in real.parents:
        return Skipped(source, "a link to a file outside the notes folder (not followed)")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(source, f"{size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit per note "
                                   "(COACH_MAX_FILE_MB) — split it or raise the limit")
        data = path.read_bytes()
    except OSError as err:
        return Skipped(source, f"unreadable ({err.strerror or err})")
    suffix = path.suffix.lower()
    warnings: list[str] = []
    try:
        if suffix == ".pdf":
            return Document(source, load_pdf(path, warnings), tuple(warnings))
        if suffix == ".docx":
            return Document(source, load_docx(path, max_bytes), tuple(warnings))
    except NotText as err:
        return Skipped(source, str(err))
    text = _decoded(data)
    text, dropped = _without_nuls(text)
    if dropped is None:  # checked after decoding: UTF-16 notes have NULs in their bytes, not in their text
        return Skipped(source, "binary file")
    if dropped:
        warnings.append(f"{dropped} NUL byte(s) dropped")
    if suffix in (".html", ".htm"):
        text = load_html(path, text, warnings)
    text = repair(text)
    if not text.strip():
        return Skipped(source, "empty file")
    return Document(source, text, tuple(warnings))


# C0 controls other than tab, newline, carriage return and form feed.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _without_nuls(text: str) -> tuple[str, int | None]:
    """The text without its NULs and how many there were; None when control characters are
    everywhere (an image or archive named .md): a binary file. One stray NUL is a slip in a note.
    Other control characters stay (shown escaped wherever notes are shown)."""
    nuls = text.count("\x00")
    if not nuls:
        return text, 0
    if len(_CONTROLS.findall(text)) > max(1, len(text) // 100):
        return text, None
    return text.replace("\x00", ""), nuls


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
