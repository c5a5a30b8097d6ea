"""A quick run of `make bench` on a slice of the notes: every measurement runs and reports."""

import json
import subprocess
import sys

import pytest

from helpers import ROOT

pytestmark = pytest.mark.slow


def test_bench_smoke_writes_every_key(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(out.read_text())
    for key in ["gen_tps_ratio", "ttft_ratio", "ingest_speedup_vs_naive", "noop_ingest_s", "search_p50_ms",
                "search_p95_ms", "peak_rss_mb", "embed_ratio", "one_changed_file_s", "cold_search_s", "cold_ask_s",
                "answer_p50_s", "answer_supported_share", "answer_gold_coverage", "cold_ask_ttft_s", "ui_ready_s",
                "answer_time_ratio", "small_answer_p50_s", "small_answer_supported_share",
                "cold_search_s_torch", "cold_ask_ttft_s_torch", "ui_ready_s_torch", "speech_rtf",
                "peak_rss_mb_with_speech"]:
        assert isinstance(r[key], (int, float)) and r[key] > 0, key
    assert set(r["targets"]) == {"gen_tps_ratio", "ttft_ratio", "ingest_speedup_vs_naive", "noop_ingest_s",
                                 "search_p50_ms", "peak_rss_mb", "answer_p50_s", "answer_first_p50_s", "answer_supported_share",
                                 "answer_gold_coverage", "cold_search_s", "cold_ask_ttft_s", "ui_ready_s"}
    assert "ingest_speedup_vs_naive" in proc.stdout  # the table is printed
