"""The local GGUF through LangChain's ChatLlamaCpp, loaded once. The engine owns the lock
(llama.cpp contexts are not thread-safe), the worker thread and the abandonment timeout.
"""

from __future__ import annotations

import queue
import threading
from typing import Iterator

from coach.engines.gguf import resolve_llm
from coach.errors import CoachError, ModelError, ModelMissing

ABANDONED_S = 10.0  # a stream nobody reads for this long gives the model back


def load_chat_model(settings):
    """ChatLlamaCpp over the configured GGUF. n_batch is raised from LangChain's default of 8,
    which would make reading the prompt (time to first token) several times slower."""
    from langchain_community.chat_models import ChatLlamaCpp

    path = resolve_llm(settings.llm, settings.models_dir)
    try:
        return ChatLlamaCpp(
            model_path=str(path),
            n_ctx=settings.n_ctx,
            n_batch=512,
            n_gpu_layers=settings.n_gpu_layers,
            n_threads=settings.n_threads,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            top_p=0.9,
            repeat_penalty=1.3,
            seed=settings.seed,
            streaming=True,
            verbose=False,
        )
    except ValueError as err:
        size = path.stat().st_size / 1e6
        raise ModelMissing(f"Could not load {path.name} ({size:.0f} MB): the file is damaged or incomplete — download "
                           "it again, or pass another --llm.") from err



class LlamaCppEngine:
    """The GGUF model in this process. One generation at a time (the lock); each stream runs in
    a worker thread so a reader that walks away (the app's stop button) cannot hold the model:
    the worker quits when the stream is closed or nobody has taken a token for ABANDONED_S."""

    def __init__(self, settings):
        self.settings = settings
        self.path = resolve_llm(settings.llm, settings.models_dir)  # a missing file fails now
        self.name = self.path.name
        self.n_ctx = settings.n_ctx
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._model = None

    def warm(self) -> None:
        with self._load_lock:
            if self._model is None:
                self._model = load_chat_model(self.settings)

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` for this model (loads it)."""
        self.warm()
        return len(self._model.client.tokenize(text.encode("utf-8"), add_bos=False))

    def stream(self, messages, **options) -> Iterator[str]:
        """Tokens of the reply; `options` (max_tokens, stop, repeat_penalty) override the settings for this call."""
        tokens: queue.Queue = queue.Queue(maxsize=64)
        closed = threading.Event()
        done = object()

        def work() -> None:
            try:
                self.warm()
                with self._lock:
                    for chunk in self._model.stream(messages, **options):
                        if closed.is_set():
                            return
                        if chunk.content:
                            tokens.put(chunk.content, timeout=ABANDONED_S)
            except queue.Full:
                return  # abandoned: give the model back
            except Exception as err:  # reported to the reader below
                tokens.put(err)
                return
            tokens.put(done)

        threading.Thread(target=work, name="coach-generate", daemon=True).start()
        try:
            while (item := tokens.get()) is not done:
                if isinstance(item, CoachError):
                    raise item
                if isinstance(item, Exception):
                    raise ModelError(f"The model failed while answering ({type(item).__name__}: {str(item)[:120]}) "
                                     "— try a shorter question, a larger COACH_N_CTX or another --llm.") from item
                yield item
        finally:
            closed.set()
            try:  # a worker waiting on a full queue sees `closed` now, not after ABANDONED_S
                while True:
                    tokens.get_nowait()
            except queue.Empty:
                pass
