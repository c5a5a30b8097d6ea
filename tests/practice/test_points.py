"""Talking points on the real notes: speakable first-person sentences, one project's notes, cited."""

import json
import re

import pytest

from coach.practice.speech import say, say_list
from coach.text import stems
from helpers import SHARED_CORPUS, run_cli

pytestmark = pytest.mark.slow

ECG = "002_3311060c06bf2bdb.txt"
MEDICAL = "001_2606747e2ceb2ca4.txt"
FIRST_PERSON = re.compile(r"\b(I|my|My|we|our)\b")


def test_fragments_become_first_person_sentences():
    assert say("Implemented hybrid ML pipeline using Random Forest") == "I implemented hybrid ML pipeline using Random Forest."
    assert say("Replace mean pooling with attention", would=True) == "I would replace mean pooling with attention."
    assert say("Decision: ResNet18 provides good balance of expressiveness and efficiency") == (
        "In my project, ResNet18 provides good balance of expressiveness and efficiency.")
    # noun phrases, compounds and adjectives are not turned into deeds
    for fragment in ("Model quantization: Convert FP32 to INT8", "Federated learning across hospitals",
                     "Feature scaling and normalization", "Load balancer with health checks",
                     "Helps model train faster", "Learnable upsampling with learned patterns"):
        assert say(fragment) is None, fragment
    assert say_list("Used diagnose_checkpoint.py to inspect:", ["Listed all keys", "Compared them"]) == (
        "I used diagnose_checkpoint.py to inspect, listed all keys and compared them.")


def _check_shape(r, source):
    points = r["points"]
    file_lines = (SHARED_CORPUS / source).read_text(encoding="utf-8", errors="replace").splitlines()
    assert 5 <= len(points) <= 8, [p.text for p in points]
    assert {p.source for p in points} == {source}  # a project's points come from its own notes
    texts = [p.text for p in points]
    assert len(set(texts)) == len(texts)
    for p in points:
        n = len(p.text.split())
        assert 10 <= n <= 35, p.text
        assert FIRST_PERSON.search(p.text), p.text
        assert not p.text.rstrip().endswith("?") and not p.text.rstrip().endswith(":"), p.text
        assert p.text[0].isupper() and p.text.endswith("."), p.text
        assert p.aspect in {"problem", "built", "decision", "result", "challenge", "differently"}
        assert p.lines[0] <= p.lines[1] <= p.lines[0] + 12, p.lines  # the bullets it came from, not a whole section
        cited = "\n".join(file_lines[p.lines[0] - 1: p.lines[1]])
        said = stems(p.text) - stems("in my project I would for")
        assert len(said & stems(cited)) >= 0.6 * len(said), (p.text, cited)
    return {p.aspect for p in points}


def test_ecg_points_are_speakable_and_name_what_is_missing(coach):
    r = coach.points("my ECG digitizer project")
    aspects = _check_shape(r, ECG)
    assert {"built", "decision", "differently"} <= aspects
    # what was built comes from the architecture the notes describe (12 panels, mean pooling, the
    # decoder), the shapes after its colons left unsaid
    built = next(p for p in r["points"] if p.aspect == "built")
    assert "12 panels" in built.text and "decoder" in built.text and "→" not in built.text, built.text
    assert not any("what was built" in m for m in r["missing"])
    # these notes hold no measured result: the coach says so instead of inventing one
    assert any("no result" in m for m in r["missing"])
    assert not any(p.aspect == "result" for p in r["points"])
    # nothing about the interview itself ("These are deeper questions an interviewer might ask")
    assert not any("interview" in p.text.lower() for p in r["points"])


def test_medical_points_cover_the_project(coach):
    r = coach.points("my medical document classification project")
    aspects = _check_shape(r, MEDICAL)
    assert {"problem", "built", "decision", "result", "challenge"} <= aspects
    assert any("Random Forest" in p.text for p in r["points"] if p.aspect == "decision")
    result = next(p for p in r["points"] if p.aspect == "result")
    assert re.search(r"\d+(\.\d+)?%", result.text)


def test_points_cli_json(shared_index):
    env = {"COACH_INDEX": str(shared_index), "COACH_ADAPT_EMBEDDER": "false"}
    out = run_cli("points", "my ECG digitizer project", "--json", env=env, check=True)
    r = json.loads(out.stdout)
    assert set(r) == {"topic", "points", "missing"}
    assert all(set(p) == {"text", "aspect", "source", "heading", "lines"} for p in r["points"])
    assert all(FIRST_PERSON.search(p["text"]) and 10 <= len(p["text"].split()) <= 35 for p in r["points"])
    none = json.loads(run_cli("points", "how to bake sourdough bread", "--json", env=env, check=True).stdout)
    assert none["points"] == []


def test_polish_keeps_a_rewording_only_when_the_notes_support_it(coach):
    plain = {p.lines: p.text for p in coach.points("my medical document classification project")["points"]}
    r = coach.points("my medical document classification project", polish=True)
    for p in r["points"]:
        if p.text != plain[p.lines]:
            assert coach._note_checker(p).check(p.text).supported, p.text
    assert r["polished"] == sum(p.text != plain[p.lines] for p in r["points"])
