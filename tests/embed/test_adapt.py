"""The embedder adapted to the notes at ingest: saved, checked, used, off with a setting, and better
on questions that are not in the notes."""

import json
import shutil

import pytest

from helpers import DEV_QUESTIONS, ROOT, SHARED_CORPUS, run_cli

pytestmark = pytest.mark.slow
USER_QUESTIONS = ROOT / "tests" / "data" / "user_questions.jsonl"


def manifest_of(index):
    return json.loads((index / (index / "CURRENT").read_text() / "manifest.json").read_text())


def test_adapted_model_is_saved_checked_used_and_can_be_turned_off(tmp_path):
    on = {"COACH_ADAPT_EMBEDDER": "true"}  # off by default: it is asked for
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("000_44875bf92ad90c67.txt", "002_3311060c06bf2bdb.txt"):
        shutil.copy(SHARED_CORPUS / name, notes / name)
    index = tmp_path / "index"
    report = json.loads(run_cli("ingest", notes, "--index", index, "--json", env=on, check=True).stdout)
    assert report["adapted"] is True
    entry = manifest_of(index)["adapted"]
    assert entry["pairs"] >= 20 and len(entry["sha256"]) == 64
    assert (index / entry["path"] / "model.safetensors").is_file()

    again = json.loads(run_cli("ingest", notes, "--index", index, "--json", env=on, check=True).stdout)
    assert again["adapted"] is False and again["unchanged"] == 2  # nothing changed: nothing trained

    hits = json.loads(run_cli("search", "why was the batch size only one", "--index", index, "--json",
                              env=on, check=True).stdout)["results"]
    assert hits[0]["source"] == "002_3311060c06bf2bdb.txt" and "batch size" in hits[0]["heading"].lower()

    weights = index / entry["path"] / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-100] ^= 0xFF
    weights.write_bytes(bytes(data))
    broken = run_cli("search", "lora", "--index", index, env={**on, "COACH_FAST_EMBED": "false"})  # the weights themselves
    assert broken.returncode != 0 and "Traceback" not in broken.stderr
    assert "coach ingest --rebuild" in broken.stderr and len(broken.stderr.strip().splitlines()) == 1

    off = json.loads(run_cli("ingest", notes, "--index", index, "--json", check=True).stdout)  # the default
    assert off["adapted"] is False and off["added"] == 2  # another model: everything embedded again
    assert manifest_of(index)["adapted"] is None and not list(index.glob("adapted-*"))


def _vectors_alone(c):
    """The same Coach with keyword and vector search alone (COACH_SOFT_MATCH=false): adaptation
    changes the vectors, so its gain is measured on them, not through the soft match's reordering."""
    from coach.app import Coach

    alone = Coach(c.settings.model_copy(update={"soft_match": False}))
    alone.__dict__.update(embedder=c.embedder, base_embedder=c.base_embedder, index=c.index)
    return alone


def test_adaptation_helps_on_questions_not_in_the_notes(coach, adapted_coach, embedder):
    """Measured against the base index built from the same notes, on both dev sets."""
    from coach.evals.retrieval import evaluate_retrieval, load_gold

    base, adapted = _vectors_alone(coach), _vectors_alone(adapted_coach)
    assert adapted.embedder is not embedder and not adapted.settings.soft_match  # the adapted model searches
    for gold, name in ((USER_QUESTIONS, "user"), (DEV_QUESTIONS, "dev")):
        items = load_gold(gold)
        _, before = evaluate_retrieval(base, items)
        _, after = evaluate_retrieval(adapted, items)
        assert after["recall@1"] >= before["recall@1"], (name, before, after)
        assert after["mrr@10"] >= before["mrr@10"], (name, before, after)
        if name == "user":
            assert after["mrr@10"] > before["mrr@10"] + 0.01, (before, after)
