"""The app's memory levels off under load (glibc only; elsewhere these do nothing).

Gradio runs each request in a worker thread, and glibc gives each thread that allocates its own
malloc arena, which keeps what the request freed: twenty questions at once left the app hundreds
of MB larger after every round. Two arenas, and freed memory handed back after each answer,
keep it flat.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

M_ARENA_MAX = -8  # mallopt parameter (malloc.h)


@lru_cache(maxsize=1)
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def limit_arenas(arenas: int = 2) -> None:
    """At most `arenas` malloc arenas for the threads created from now on."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, arenas)


def give_back() -> None:
    """Return freed heap memory to the system (after an answer)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
