"""bench.llm_rerank, the measurement of reranking by a local LLM, on the real packaged SmolLM2 GGUF
and the real index of the shared notes: its scores mean what they say and a run reports."""

import json
import math

import pytest

from bench.llm_rerank import QuestionLikelihood, main
from coach.engines.gguf import resolve_llm
from helpers import ROOT

pytestmark = pytest.mark.slow

LORA = ("LoRA\nLoRA freezes the pretrained weights and trains two small low-rank matrices per layer, "
        "so fine-tuning needs a fraction of the memory.")
PANDAS = "Pandas groupby\ndf.groupby('city')['sales'].sum() totals the sales of each city in the data frame."


@pytest.fixture(scope="module")
def likelihood():
    return QuestionLikelihood(resolve_llm("smollm2"))


def test_a_question_is_likelier_after_the_passage_that_answers_it(likelihood):
    lora_q, pandas_q = "how does lora save memory when fine tuning?", "how do I sum sales per city in pandas?"
    assert likelihood(LORA, lora_q) > likelihood(PANDAS, lora_q)
    assert likelihood(PANDAS, pandas_q) > likelihood(LORA, pandas_q)
    # the same call twice gives the same score: nothing of one passage stays in the model's cache
    assert likelihood(LORA, lora_q) == pytest.approx(likelihood(LORA, lora_q), abs=1e-4)


def test_a_run_reports_before_and_after_with_every_score(shared_index, tmp_path, capsys):
    out = tmp_path / "rerank.json"
    main([str(ROOT / "tests/data/user_questions.jsonl"), "--limit", "2", "--llm", "smollm2", "--index", str(shared_index),
          "--out", str(out)])
    printed = capsys.readouterr().out
    assert "user_questions.jsonl" in printed and "n=2" in printed and "p50" in printed
    rows = json.loads(out.read_text())
    assert len(rows) == 2
    for row in rows:
        assert len(row["llm"]) == 5 and all(math.isfinite(s) and s < 0 for s in row["llm"])
        assert row["rank_before"] is not None and row["rank_after"] is not None and row["seconds"] > 0
