"""Every setting in one place. Precedence: defaults < environment (COACH_*) < CLI flags.

>>> Settings(top_k=3).top_k
3
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from platformdirs import user_data_dir
from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coach.errors import UsageError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COACH_", extra="ignore")

    corpus: Path = Field(Path("corpus"), description="Folder of notes (.md, .markdown, .txt) to ingest.")
    index: Path = Field(Path("index"), description="Folder where the search index is kept.")
    home: Path = Field(
        Path(user_data_dir("coach", appauthor=False)),
        description="Per-user data folder (practice history).",
    )
    embed_model: Optional[str] = Field(
        None,
        description="Local sentence-transformers folder; default: the packaged all-MiniLM-L6-v2.",
    )
    fast_embed: bool = Field(
        True, description="Embed with the ONNX export made at ingest (no torch at start); false: sentence-transformers."
    )
    correct_spelling: bool = Field(
        True, description="Match misspelt question words to the notes' own spelling before searching."
    )
    soft_match: bool = Field(
        True, description="Reorder the 10 best passages by how much of the question each says, word by word "
        "(about 0.5 s a search on 2 cores); false: keyword and vector search alone."
    )
    adapt_embedder: bool = Field(
        False, description="Fine-tune the embedding model on your notes' own questions at ingest (about two minutes); "
        "off by default: it lowered recall on questions worded unlike the notes' own."
    )
    llm: Optional[Path] = Field(
        None, description="Local GGUF file, or a name from `coach models`; default: the packaged Qwen2.5-Coder-0.5B-Instruct Q4_K_M (smollm2: the small, fast SmolLM2-135M)."
    )
    llm_url: Optional[str] = Field(
        None, description="An OpenAI-compatible server to answer with (llama.cpp server, vLLM, Ollama, LM Studio), "
        "e.g. http://127.0.0.1:8080/v1; unset: the local GGUF."
    )
    llm_model: Optional[str] = Field(None, description="The model name to ask that server for.")
    llm_api_key: Optional[str] = Field(None, description="The server's API key, if it wants one.")
    llm_timeout_s: float = Field(60.0, gt=0, description="How long to wait for the server before saying it is slow.")
    speech_model: Optional[Path] = Field(
        None, description="Local faster-whisper (CTranslate2) model folder for spoken answers; default: the packaged Whisper tiny.en."
    )
    models_dir: Optional[str] = Field(
        None, description="More folders of GGUF files for `coach models` and `--llm NAME` (joined by ':')."
    )
    max_file_mb: float = Field(5.0, gt=0, description="Notes bigger than this many MB are skipped at ingest, with a note saying so.")
    lock_wait_s: float = Field(600.0, ge=0, description="How long an ingest waits for another one on the same index.")
    n_ctx: int = Field(2048, ge=512, le=262144, description="LLM context window in tokens (at least 512: the prompt alone needs about 400).")
    n_gpu_layers: int = Field(0, description="Layers offloaded to the GPU (-1 = all); needs a GPU build of llama-cpp-python.")
    n_threads: Optional[int] = Field(None, description="CPU threads for the LLM; default: all cores.")
    max_tokens: int = Field(200, ge=16, le=8192, description="Longest answer, in tokens.")
    temperature: float = Field(0.2, ge=0.0, le=2.0, description="Sampling temperature; low keeps the small model close to the notes.")
    seed: int = Field(0, description="Sampling seed, so the same question gives the same answer.")
    top_k: int = Field(5, ge=1, le=100, description="Passages returned by search.")
    context_passages: int = Field(3, ge=1, le=10, description="Most passages an answer is composed from.")
    min_relevance: float = Field(
        0.40, ge=-1.0, le=1.0, description="Below this cosine similarity of the best passage (its best line included), "
        "the notes are taken not to cover a question."
    )
    support_threshold: float = Field(
        0.55, ge=-1.0, le=1.0, description="A model sentence less similar than this to every note unit is never shown as the answer."
    )


    @model_validator(mode="after")
    def _answer_fits(self) -> "Settings":
        if self.max_tokens > self.n_ctx - 400:
            raise ValueError(f"COACH_MAX_TOKENS={self.max_tokens} leaves no room for the notes in COACH_N_CTX="
                             f"{self.n_ctx}: keep it under {self.n_ctx - 400}")
        return self

    @classmethod
    def checked(cls, **overrides) -> "Settings":
        """Settings, or one UsageError line naming the setting that cannot work and why."""
        try:
            return cls(**overrides)
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(x) for x in first.get("loc", ()))
            name = f"COACH_{field.upper()}" if field else "a setting"
            value = first.get("input")
            shown = f"{name}={value}" if field and not isinstance(value, dict) else name
            msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
            raise UsageError(f"{shown} is not usable: {msg} — fix it or unset it (see `coach --help`).") from None
