"""Paths and plain helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
DEV_QUESTIONS = SHARED / "eval" / "dev_questions.jsonl"
COACH = [sys.executable, "-m", "coach.cli"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1, for a server a test starts."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_notes(tmp_path, files: dict[str, str | bytes]):
    """A small notes folder under tmp_path; returns (notes folder, index folder)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, content in files.items():
        (notes / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return notes, tmp_path / "index"


def run_cli(*args, env=None, check=False, timeout=300, prefix=(), inherit=True) -> subprocess.CompletedProcess:
    """`coach ARGS` in a child process; with inherit=False, `env` is its whole environment."""
    full_env = {**os.environ, **(env or {})} if inherit else dict(env or {})
    proc = subprocess.run(
        [*prefix, *COACH, *map(str, args)], capture_output=True, text=True, env=full_env, timeout=timeout, cwd=ROOT
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"coach {args} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return proc


# The switches coach must turn on itself: a test that checks the network removes them first.
OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "GRADIO_ANALYTICS_ENABLED",
                    "DO_NOT_TRACK", "ORT_DISABLE_TELEMETRY")
_ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')


def strace_prefix(trace: Path) -> list[str]:
    """Watch every process's network calls from the kernel's side (a C library's included);
    seccomp-bpf keeps the traced program near full speed."""
    return ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=%network", "-o", str(trace)]


def outbound(trace: Path) -> list[str]:
    """The traced calls (connect, sendto, sendmsg...) that name an address off this machine: a
    DNS lookup shows as a datagram to the resolver's port 53."""
    found = []
    for line in trace.read_text(errors="replace").splitlines() if trace.exists() else []:
        for m in _ADDRESS.finditer(line):
            address = m.group(1) or m.group(2)
            if not (address.startswith(("127.", "::ffff:127.")) or address in ("::1", "::", "0.0.0.0")):
                found.append(line.strip())
    return found
