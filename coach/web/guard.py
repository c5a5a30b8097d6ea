"""The app's perimeter, as ASGI middleware in front of Gradio: which hosts may be named, which
origins may write, and how fast a client may guess passwords.

- Host: only the names the app is bound to (127.0.0.1, localhost, ::1 for a local app), so a
  page on another site cannot reach a local app through DNS rebinding.
- Origin: a POST/PUT/PATCH/DELETE sent from a page of another origin is refused (a cross-site
  form posting an upload, say), and so is `Origin: null`, which is what a sandboxed iframe on
  another site sends (the app's own pages always send their origin).
- Login: after FREE_FAILURES wrong passwords a client waits, doubling each time up to
  MAX_WAIT_S; a right password clears its record.

>>> sorted(allowed_hosts("127.0.0.1"))
['127.0.0.1', '::1', 'localhost']
>>> allowed_hosts("0.0.0.0") is None
True
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

LOCAL = {"127.0.0.1", "localhost", "::1"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
FREE_FAILURES = 5
MAX_WAIT_S = 300.0
FORGET_S = 900.0


def allowed_hosts(bound: str, extra: str = "") -> set[str] | None:
    """Host names requests may carry; None = any (bound to every interface, no list given)."""
    named = {h.strip().lower() for h in extra.split(",") if h.strip()}
    if bound in ("0.0.0.0", "::", ""):
        return named or None
    return ({bound.lower()} | named | (LOCAL if bound in LOCAL else set()))


def _host_of(value: str) -> str:
    """'127.0.0.1:7860' -> '127.0.0.1'; '[::1]:7860' -> '::1'."""
    if value.startswith("["):
        return value[1:].split("]", 1)[0].lower()
    return value.rsplit(":", 1)[0].lower() if value.count(":") == 1 else value.lower()


class Throttle:
    """Failed logins per client: how long the client must wait before its next try."""

    def __init__(self) -> None:
        self.failures: dict[str, tuple[int, float]] = {}

    def wait(self, client: str, now: float) -> float:
        count, last = self.failures.get(client, (0, 0.0))
        if now - last > FORGET_S:
            return 0.0
        if count < FREE_FAILURES:
            return 0.0
        return max(0.0, last + min(MAX_WAIT_S, 2.0 ** (count - FREE_FAILURES)) - now)

    def failed(self, client: str, now: float) -> None:
        count, last = self.failures.get(client, (0, 0.0))
        self.failures[client] = (1 if now - last > FORGET_S else count + 1, now)

    def succeeded(self, client: str) -> None:
        self.failures.pop(client, None)


class Perimeter:
    def __init__(self, app, hosts: set[str] | None = None, throttle: Throttle | None = None):
        self.app = app
        self.hosts = hosts
        self.throttle = throttle or Throttle()

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = _host_of(headers.get("host", ""))
        if self.hosts is not None and host not in self.hosts:
            return await _refuse(scope, send, 421, "This host name is not served here.")
        method = scope.get("method", "GET")
        origin = headers.get("origin")
        if method in WRITES and origin:
            origin_host = "" if origin == "null" else (urlsplit(origin).hostname or "").lower()
            if origin_host != host and (self.hosts is None or origin_host not in self.hosts):
                return await _refuse(scope, send, 403, "Cross-origin writes are refused.")
        if scope["type"] == "http" and method == "POST" and scope.get("path", "").rstrip("/").endswith("/login"):
            return await self._login(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _login(self, scope, receive, send):
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.throttle.wait(client, time.monotonic())
        if wait > 0:
            return await _refuse(scope, send, 429, f"Too many wrong passwords: wait {wait:.0f} s.",
                                 [(b"retry-after", str(int(wait) + 1).encode())])
        status = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status.get("code", 500) < 300:
            self.throttle.succeeded(client)
        else:
            self.throttle.failed(client, time.monotonic())


async def _refuse(scope, send, code: int, text: str, extra: list | None = None):
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = text.encode()
    await send({"type": "http.response.start", "status": code,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})
