"""`coach models`: GGUF files other tools keep, read from their own metadata; `--llm NAME` uses one."""

import json

import pytest

from coach.engines.packaged import small_llm
from helpers import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
def fake_home(tmp_path):
    """A home folder where Ollama, the Hugging Face cache and COACH_MODELS_DIR each hold the packaged
    SmolLM2 (linked, not copied), the way those tools lay their files out."""
    smol = small_llm()
    home = tmp_path / "home"
    ollama = home / ".ollama" / "models"
    (ollama / "blobs").mkdir(parents=True)
    (ollama / "blobs" / "sha256-0123abcd").symlink_to(smol)
    manifest = ollama / "manifests" / "registry.ollama.ai" / "library" / "smollm2"
    manifest.mkdir(parents=True)
    (manifest / "135m").write_text(json.dumps({"layers": [
        {"mediaType": "application/vnd.ollama.image.license", "digest": "sha256:ffff"},
        {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:0123abcd"},
    ]}))
    snap = home / ".cache" / "huggingface" / "hub" / "models--HuggingFaceTB--SmolLM2-135M-GGUF" / "snapshots" / "abc"
    snap.mkdir(parents=True)
    (snap / "smollm2-q4.gguf").symlink_to(smol)
    mine = tmp_path / "my-models"
    mine.mkdir()
    (mine / "tiny.gguf").symlink_to(smol)
    (mine / "not-a-model.gguf").write_text("hello")
    return {"HOME": str(home), "COACH_MODELS_DIR": str(mine), "HF_HOME": str(home / ".cache" / "huggingface")}


def test_models_lists_what_other_tools_keep(fake_home):
    proc = run_cli("models", "--json", env=fake_home, check=True)
    found = json.loads(proc.stdout)
    names = [m["name"] for m in found]
    # the same file is listed once: under the first place it was found
    assert names == ["default", "smollm2"], names
    default, smol = found
    assert default["quantization"] == "Q4_K_M" and default["architecture"] == "qwen2" and default["size_mb"] > 400
    assert smol["quantization"] == "Q4_1" and smol["parameters"] == "135M"
    assert smol["chat_template"] == "chatml" and smol["size_mb"] > 50


def test_models_from_each_place_and_ask_by_name(fake_home, tmp_path, shared_index):
    import shutil

    smol = small_llm()
    # distinct files this time, so each place shows up
    for link in [tmp_path / "my-models" / "tiny.gguf",
                 tmp_path / "home" / ".ollama" / "models" / "blobs" / "sha256-0123abcd"]:
        link.unlink()
        shutil.copy(smol, link)
    found = json.loads(run_cli("models", "--json", env=fake_home, check=True).stdout)
    by_name = {m["name"]: m for m in found}
    assert {"default", "smollm2", "tiny", "smollm2:135m"} <= set(by_name), list(by_name)
    assert by_name["smollm2:135m"]["found_in"] == "ollama" and by_name["tiny"]["found_in"] == "COACH_MODELS_DIR"
    assert "not-a-model" not in by_name
    text = run_cli("models", env=fake_home, check=True).stdout
    assert "Q4_1" in text and "smollm2:135m" in text

    ask = run_cli("ask", "what does deepspeed zero solve?", "--index", shared_index, "--llm", "smollm2:135m",
                  "--json", env=fake_home, check=True)
    assert json.loads(ask.stdout)["citations"]
    missing = run_cli("ask", "what is lora", "--index", shared_index, "--llm", "no-such-model", env=fake_home)
    assert missing.returncode != 0 and "coach models" in missing.stderr and "Traceback" not in missing.stderr
