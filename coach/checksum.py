"""The one way a file on disk is checked: its SHA-256, read in 1 MiB blocks (index files, exported
and adapted models are all named in a manifest by this digest)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
