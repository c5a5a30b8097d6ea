"""The seam every chat engine fits: `stream(messages, **options) -> tokens`, `count_tokens`, `warm()`, a `name`.

The answer pipeline and talking points talk to this protocol only; which engine runs is chosen
by `coach.engines.make_engine` from the settings.
"""

from __future__ import annotations

from typing import Iterator, Protocol


class ChatEngine(Protocol):
    name: str
    n_ctx: int | None  # the context window, when the engine knows it (a server does not say)

    def stream(self, messages, **options) -> Iterator[str]: ...  # options: max_tokens, stop, repeat_penalty

    def count_tokens(self, text: str) -> int: ...

    def warm(self) -> None: ...
