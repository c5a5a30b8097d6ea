"""Loaded by Python at start when this folder is on PYTHONPATH (tests only): every attempt to
reach a host other than this machine is written to $COACH_NET_LOG, so a test can assert the
app made none."""

import os
import socket

_LOG = os.environ.get("COACH_NET_LOG")


def _local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    return not isinstance(host, str) or host in ("", "localhost", "::1", "0.0.0.0") or host.startswith("127.")


if _LOG:
    _connect, _connect_ex, _gai = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def _note(what: str) -> None:
        with open(_LOG, "a") as f:
            f.write(what + "\n")

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
            _note(f"connect {address}")
        return _connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
            _note(f"connect {address}")
        return _connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _local(host):
            _note(f"dns {host}")
        return _gai(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
