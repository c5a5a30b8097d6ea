"""Managing the corpus folder from the app: add and remove note files safely.

>>> safe_name("../../etc/My Notes (v2).MD")
'My_Notes_v2.md'
>>> safe_name("..")
Traceback (most recent call last):
...
coach.errors.UsageError: '..' is not a usable file name — rename it to something like notes.md.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from coach.notes.documents import MAX_BYTES as DEFAULT_MAX_BYTES, SUFFIXES
from coach.errors import UsageError

MAX_BYTES = DEFAULT_MAX_BYTES  # the same limit as ingest's default per note


def safe_name(name: str) -> str:
    """A plain file name: no folders, only letters, digits, '.', '-' and '_'; lower-case suffix."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")
    if not stem:
        raise UsageError(f"{name!r} is not a usable file name — rename it to something like notes.md.")
    return stem[:100] + suffix


def inside(root: Path, path: Path) -> bool:
    root, path = root.resolve(), path.resolve()
    return path == root or root in path.parents


def add_note(corpus: Path, upload: Path, name: str | None = None) -> Path:
    """Copy an uploaded file into the corpus; refuses other types, big files, and overwriting."""
    final = safe_name(name or upload.name)
    if Path(final).suffix not in SUFFIXES:
        raise UsageError(f"{final}: only {', '.join(sorted(SUFFIXES))} notes can be added.")
    size = upload.stat().st_size
    if size > MAX_BYTES:
        raise UsageError(f"{final} is {size // 1024} KB; notes over {MAX_BYTES // 1024 // 1024} MB are refused — split it.")
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / final
    if not inside(corpus, target):
        raise UsageError(f"{final} would land outside the notes folder.")
    n = 1
    while target.exists():
        target = corpus / f"{Path(final).stem}-{n}{Path(final).suffix}"
        n += 1
    tmp = target.with_name(f".{target.name}.part")
    shutil.copyfile(upload, tmp)
    tmp.replace(target)
    return target


def remove_note(corpus: Path, source: str) -> Path:
    """Delete one note (a path relative to the corpus root) from the corpus folder."""
    target = corpus / source
    if not inside(corpus, target) or target.resolve() == corpus.resolve():
        raise UsageError(f"{source} is not inside the notes folder.")
    if not target.is_file():
        raise UsageError(f"{source} is not in the notes folder — refresh the list.")
    target.unlink()
    return target
