"""Fakes for fast logic tests (like simonw/llm's MockModel): a scripted chat engine and a hashing
embedder. The same paths run with the real packaged models in the slow tests."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from coach.errors import ModelError
from coach.text import STOP


class FakeEmbedder:
    """Content words hashed into 256 dimensions, L2-normalised: the same text gives the same
    vector, texts sharing words are close, unrelated texts are near 0."""

    dim = 256
    model_id = "fake-hashing:256"

    def encode(self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP][: max_tokens or None]
            for w in words:
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


class FakeEngine:
    """Replies with a script, token by token; records the prompts it got; can fail mid-answer."""

    name = "fake"

    def __init__(self, reply: str = "", fail_after: int | None = None):
        self.reply = reply
        self.fail_after = fail_after
        self.prompts: list = []

    def warm(self) -> None:
        return None

    def stream(self, messages):
        self.prompts.append(messages)
        for n, token in enumerate(re.findall(r"\S+\s*", self.reply)):
            if self.fail_after is not None and n >= self.fail_after:
                raise ModelError("The model server at http://127.0.0.1:9/v1 is not answering — start it.")
            yield token
