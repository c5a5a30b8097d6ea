"""`coach prep` on a job description written for an ML engineer role (tests/data/ml_engineer_job.md)."""

import json
from pathlib import Path

import pytest

from coach.errors import UsageError
from coach.practice.prep import check_posting
from helpers import run_cli

pytestmark = pytest.mark.slow
JOB = Path(__file__).parents[1] / "data" / "ml_engineer_job.md"


def test_requirements_are_the_postings_duties_not_its_blurb():
    reqs = check_posting(JOB.read_text())
    assert len(reqs) == 14
    assert reqs[0].startswith("Design, train and evaluate NLP models")
    assert not any("holiday" in r or "Northwind" in r for r in reqs)  # benefits and "About us" are not requirements


@pytest.mark.parametrize("text, says", [
    ("", "empty"),
    ("   \n", "empty"),
    ("x " * 30_000, "KB"),
    ("Once upon a time a fox met a crow. The crow had cheese. The fox flattered the crow.", "does not look like a job"),
])
def test_unusable_postings_get_one_line(text, says):
    with pytest.raises(UsageError, match=says) as err:
        check_posting(text)
    assert "\n" not in str(err.value)


def test_prep_matches_requirements_and_orders_questions(shared_index, embedder, tmp_path):
    from coach.app import Coach
    from coach.settings import Settings

    coach = Coach(Settings(index=shared_index, home=tmp_path / "home", adapt_embedder=False), embedder=embedder)
    r = coach.prep(JOB.read_text(), "ml-engineer")
    by_text = {q.text: q for q in r.requirements}
    assert by_text["Experience with feature engineering and handling missing data"].covered
    assert not by_text["3+ years of Python and PyTorch in production"].covered
    assert not by_text["Experience with Kubernetes and Terraform"].covered  # the notes never name Terraform
    for q in r.requirements:
        assert bool(q.passages) == q.covered
        assert (q.point is None) or q.covered
    sources = [q["source"] for q in r.questions]
    assert sources[0] is not None and None in sources
    assert sources.index(None) > max(i for i, s in enumerate(sources) if s is not None)  # notes' questions first
    gap_questions = [q["question"] for q in r.questions if q["source"] is None]
    assert "What is your experience with Python and PyTorch in production?" in gap_questions
    # the drill is limited to this job's questions
    ids = coach.drill.prep_questions("ml-engineer")
    assert ids and ids <= set(coach.drill.questions)
    nxt = coach.drill.next(only=ids)
    assert nxt["id"] in ids
    with pytest.raises(UsageError, match="coach prep"):
        coach.drill.prep_questions("no-such-job")


def test_a_requirement_is_covered_by_its_main_subject(shared_index, embedder, tmp_path):
    """The notes cover LoRA and QLoRA fine-tuning at length: a requirement on it is covered, even
    with "open LLMs" (the notes say "LLM") and a lesser part joined on; a lesser part the notes
    lack is named as what to add, and a missing main subject is still a gap."""
    from coach.app import Coach
    from coach.settings import Settings

    coach = Coach(Settings(index=shared_index, home=tmp_path / "home", adapt_embedder=False), embedder=embedder)
    lora = "Fine-tune open LLMs with parameter-efficient methods such as LoRA and QLoRA, and evaluate them against baselines"
    add = "Fine-tune open LLMs with parameter-efficient methods such as LoRA and QLoRA, and certify them under ISO 13485"
    job = JOB.read_text().replace("- Fine-tune open LLMs with LoRA / QLoRA for clinical summarisation", f"- {lora}\n- {add}")
    by_text = {q.text: q for q in coach.prep(job, "lora", save=False).requirements}
    assert by_text[lora].covered and by_text[lora].to_add == []
    assert by_text[add].covered and by_text[add].to_add == ["certify them under ISO 13485"]
    assert not by_text["Experience with Kubernetes and Terraform"].covered


def test_prep_cli_json_and_stdin(shared_index, tmp_path):
    env = {"COACH_INDEX": str(shared_index), "COACH_HOME": str(tmp_path / "home"), "COACH_ADAPT_EMBEDDER": "false"}
    out = json.loads(run_cli("prep", JOB, "--json", env=env, check=True).stdout)
    assert set(out) == {"requirements", "questions"}
    assert all(set(q) == {"text", "covered", "passages", "point", "to_add"} for q in out["requirements"])
    assert all(set(q) == {"question", "source"} for q in out["questions"])
    nxt = json.loads(run_cli("drill", "next", "--prep", "ml_engineer_job", "--json", env=env, check=True).stdout)
    assert nxt["question"] in {q["question"] for q in out["questions"]}
    bad = run_cli("prep", "-", env=env)
    assert bad.returncode != 0 and "empty" in bad.stderr and "Traceback" not in bad.stderr


def test_a_posting_in_prose_still_gives_requirements():
    reqs = check_posting("We are hiring an ML engineer. You will build retrieval systems for our search product. "
                         "Experience with PyTorch and FAISS is required. Knowledge of LoRA fine-tuning is a plus. "
                         "We offer a great team and free lunch.")
    assert reqs == ["You will build retrieval systems for our search product",
                    "Experience with PyTorch and FAISS is required", "Knowledge of LoRA fine-tuning is a plus"]


def test_prep_reads_a_saved_html_posting(shared_index, tmp_path):
    page = tmp_path / "posting.html"
    page.write_text("<html><body><h1>ML Engineer</h1><p>About us: we build tools.</p><h2>Requirements</h2><ul>"
                    "<li>Experience with LoRA fine-tuning</li><li>Knowledge of retrieval-augmented generation</li>"
                    "</ul><script>track()</script></body></html>")
    env = {"COACH_INDEX": str(shared_index), "COACH_HOME": str(tmp_path / "home"), "COACH_ADAPT_EMBEDDER": "false"}
    out = json.loads(run_cli("prep", page, "--json", env=env, check=True).stdout)
    assert [r["text"] for r in out["requirements"]] == ["Experience with LoRA fine-tuning",
                                                       "Knowledge of retrieval-augmented generation"]
