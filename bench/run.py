"""`make bench`: speed, memory and scale of coach against the raw components, in one run.

Writes bench/results.json and prints a table. Every timing is a median of several runs, and
every ratio compares two things measured in this same run (absolute times drift on a shared
machine). `--smoke` runs each measurement once on a small slice, for the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
QUESTIONS = SHARED / "eval" / "dev_questions.jsonl"
RESULTS = ROOT / "bench" / "results.json"
TARGETS = {
    "gen_tps_ratio": (">=", 0.9),
    "ttft_ratio": ("<=", 1.3),
    # issue 18: a cold default ingest at most 2x the naive one (every chunk embedded raw). Each chunk
    # is searched by a vector per two lines (coach.notes.views), about 4,700 short texts, which lifts
    # R@1 on questions written from the notes' answer text (tune half 0.57 -> 0.74); they are
    # embedded through the model's ONNX export, made first (the same vectors, a fifth less time).
    "ingest_speedup_vs_naive": (">=", 0.5),
    "noop_ingest_s": ("<=", 2),
    "search_p50_ms": ("<=", 50),
    "peak_rss_mb": ("<=", 1536),
    "answer_p50_s": ("<=", 8),
    "answer_first_p50_s": ("<=", 1),
    "answer_supported_share": (">=", 0.95),
    "answer_gold_coverage": (">=", 0.5),
    # the start-up targets, whole command on a 2-core laptop
    "cold_search_s": ("<=", 2.5),
    "cold_ask_ttft_s": ("<=", 6),
    "ui_ready_s": ("<=", 8),
}
ANSWER_SETS = [ROOT / "tests" / "data" / "dev_answers.jsonl", QUESTIONS]


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def make_scaled_corpus(dst: Path, factor: int) -> Path:
    """`factor` copies of the notes, each made distinct so hashes and chunks differ."""
    dst.mkdir(parents=True, exist_ok=True)
    for k in range(factor):
        for f in sorted(CORPUS.iterdir()):
            text = f.read_text(encoding="utf-8")
            (dst / f"copy{k:02d}_{f.name}").write_text(f"# Copy {k} of {f.name}\n\n{text}\n\ncopy marker {k}\n")
    return dst


def naive_ingest(paths: list[Path], embedder, index_dir: Path) -> int:
    """The baseline: fixed 1000-character chunks, every chunk embedded by plain encode(), FAISS flat."""
    import faiss

    chunks = []
    for p in paths:
        text = p.read_text(encoding="utf-8", errors="replace")
        chunks += [text[i : i + 1000] for i in range(0, len(text), 1000)]
    vectors = embedder.model.encode(chunks, batch_size=64, normalize_embeddings=True)
    idx = faiss.IndexFlatIP(vectors.shape[1])
    idx.add(np.asarray(vectors, dtype=np.float32))
    index_dir.mkdir(parents=True, exist_ok=True)
    faiss.write_index(idx, str(index_dir / "naive.faiss"))
    return len(chunks)


def bench_ingest(coach_embedder, work: Path, runs: int, corpus: Path) -> dict:
    from coach.app import Coach
    from coach.notes.ingest import ingest
    from coach.settings import Settings

    out: dict = {}
    files = sorted(corpus.iterdir())
    model_id = coach_embedder.model_id

    def ours():  # what `coach ingest` runs by default: the model exported to ONNX first, then the notes embedded
        shutil.rmtree(work / "ours", ignore_errors=True)
        return Coach(Settings(index=work / "ours", adapt_embedder=False)).ingest([corpus], progress=False)

    def naive():
        shutil.rmtree(work / "naive", ignore_errors=True)
        return naive_ingest(files, coach_embedder, work / "naive")

    ours_times, naive_times = [], []
    for _ in range(runs):  # interleaved, so drift hits both alike
        t = time.perf_counter(); report = ours(); ours_times.append(time.perf_counter() - t)
        t = time.perf_counter(); naive_chunks = naive(); naive_times.append(time.perf_counter() - t)
    out["cold_ingest_s"] = statistics.median(ours_times)
    out["naive_ingest_s"] = statistics.median(naive_times)
    out["ingest_speedup_vs_naive"] = out["naive_ingest_s"] / out["cold_ingest_s"]
    out["chunks"] = report.chunks
    out["naive_chunks"] = naive_chunks
    out["chunks_per_s"] = report.chunks / out["cold_ingest_s"]

    def noop():
        r = ingest([corpus], work / "ours", lambda: None, model_id, progress=False)
        assert r.added == r.changed == 0

    out["noop_ingest_s"] = median_time(noop, max(runs, 3))
    # the whole command, interpreter start included
    # the index above is built without adapting the embedder; so is this one, or it would rebuild
    env = {**os.environ, "COACH_INDEX": str(work / "ours"), "COACH_ADAPT_EMBEDDER": "false"}
    out["noop_ingest_cli_s"] = median_time(
        lambda: subprocess.run([sys.executable, "-m", "coach.cli", "ingest", str(corpus), "--json"], env=env,
                               check=True, capture_output=True), max(runs, 3))

    changed = work / "changed"
    shutil.copytree(corpus, changed, dirs_exist_ok=True)
    shutil.copytree(work / "ours", work / "ours-changed", dirs_exist_ok=True)
    target = changed / files[0].name
    original = target.read_text(encoding="utf-8")
    times = []
    for k in range(runs):
        target.write_text(original + f"\n\n## Edit {k}\nA new line about dropout {k}.\n", encoding="utf-8")
        t = time.perf_counter()
        r = ingest([changed], work / "ours-changed", lambda: coach_embedder, model_id, progress=False)
        times.append(time.perf_counter() - t)
        assert r.changed == 1
    out["one_changed_file_s"] = statistics.median(times)
    return out


def bench_embed(embedder, texts: list, runs: int) -> dict:
    from coach.notes.ingest import _embed

    ours = median_time(lambda: _embed(embedder, texts, progress=False), runs)
    plain = [view.text for view in texts]
    raw = median_time(lambda: embedder.model.encode(plain, batch_size=64, normalize_embeddings=True), runs)
    return {
        "embed_texts": len(texts),
        "embed_ours_texts_per_s": len(texts) / ours,
        "embed_raw_texts_per_s": len(texts) / raw,
        "embed_ratio": raw / ours,
    }


def bench_search(coach, questions: list[str], repeats: int) -> dict:
    for q in questions[:3]:
        coach.search(q)  # warm
    lat = []
    for _ in range(repeats):
        for q in questions:
            t = time.perf_counter()
            coach.search(q)
            lat.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": float(np.percentile(lat, 50)), "p95_ms": float(np.percentile(lat, 95)), "n": len(lat)}


def bench_soft_match(plain, soft, questions: list[str], repeats: int) -> dict:
    """What the word-by-word soft match (coach.search.soft_match) adds to a search: the same
    question searched without it and with it, one after the other, with its passage cache off
    (every search embeds its 10 passages, as a new question does; a follow-up reuses them)."""
    soft.searcher.soft.cached = 0
    for q in questions[:3]:
        plain.search(q), soft.search(q)  # warm
    added, total = [], []
    for _ in range(repeats):
        for q in questions:
            t = time.perf_counter()
            plain.search(q)
            mid = time.perf_counter()
            soft.search(q)
            end = time.perf_counter()
            added.append((end - mid - (mid - t)) * 1000)
            total.append((end - mid) * 1000)
    return {"soft_match_added_p50_ms": float(np.percentile(added, 50)),
            "soft_match_added_p95_ms": float(np.percentile(added, 95)),
            "search_soft_p50_ms": float(np.percentile(total, 50)), "search_soft_p95_ms": float(np.percentile(total, 95))}


def bench_answer(coach, questions: list[str], wanted: int) -> dict:
    """Our answer against raw llama_cpp.Llama streaming the identical prompts with the same settings.

    An answer is one prompt per restated note unit (coach.answer.verbalize); the raw side replays
    those prompts one after another with the same options. ttft_ours counts from the moment
    ask() returns (retrieval done, units picked) to the model's first token, like the raw side;
    answer_time_ratio compares the model's whole share of the answer (every prompt read and
    every restatement written, plus our checks) with the raw replay. The work before the model
    (`before_model_s`) and the answer's first sentence (`first_sentence_s`, before the model's
    first token, since the answer opens with the notes) are reported beside it."""
    from llama_cpp import Llama

    from coach.engines.gguf import resolve_llm

    s = coach.settings
    raw = Llama(str(resolve_llm(s.llm)), n_ctx=s.n_ctx, n_batch=512, n_gpu_layers=s.n_gpu_layers,
                n_threads=s.n_threads, seed=s.seed, verbose=False)
    coach.engine.warm()  # loaded before timing, as in the app
    role = {"system": "system", "human": "user", "ai": "assistant"}
    rows = []
    for q in questions:
        if len(rows) >= wanted:
            break
        t0 = time.perf_counter()
        answer = coach.ask(q)
        ready = time.perf_counter()  # retrieved, units picked: the model starts now
        first = first_sentence = None
        n = 0
        for kind, _ in answer.events():
            if kind == "sentence" and first_sentence is None:
                first_sentence = time.perf_counter()
            if kind != "token":
                continue
            n += 1
            if first is None:
                first = time.perf_counter()
        end = time.perf_counter()
        if not answer.covered or n < 2:
            continue
        t1 = time.perf_counter()
        rfirst = None
        rn = 0
        for messages, options in answer.prompts:
            msgs = [{"role": role[m.type], "content": m.content} for m in messages]
            for chunk in raw.create_chat_completion(
                msgs, stream=True, temperature=s.temperature, top_p=0.9, seed=s.seed, **options,
            ):
                if chunk["choices"][0]["delta"].get("content"):
                    rn += 1
                    if rfirst is None:
                        rfirst = time.perf_counter()
        rend = time.perf_counter()
        rows.append({
            "ttft_ours": first - ready, "ttft_raw": rfirst - t1, "before_model": ready - t0,
            "first_sentence": first_sentence - t0, "model_ours": end - ready, "model_raw": rend - t1,
            "tps_ours": n / (end - ready), "tps_raw": rn / (rend - t1),
        })
    if not rows:
        raise SystemExit("bench: no question made the model restate a unit — check the notes and questions")
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    return {
        "answers": len(rows),
        "ttft_ours_s": med["ttft_ours"], "ttft_raw_s": med["ttft_raw"],
        "before_model_s": med["before_model"], "first_sentence_s": med["first_sentence"],
        "gen_tps_ours": med["tps_ours"], "gen_tps_raw": med["tps_raw"],
        "ttft_ratio": statistics.median(r["ttft_ours"] / r["ttft_raw"] for r in rows),
        "gen_tps_ratio": statistics.median(r["tps_ours"] / r["tps_raw"] for r in rows),
        "answer_time_ratio": statistics.median(r["model_ours"] / r["model_raw"] for r in rows),
    }


def bench_answer_quality(coach, gold_files: list[Path], limit: int | None) -> dict:
    """The shown answers on the dev answer sets: supported share, gold coverage, time to the end."""
    from coach.evals.answers import evaluate_answers
    from coach.evals.retrieval import load_gold

    items = [item for f in gold_files for item in load_gold(f)][:limit]
    _, m = evaluate_answers(coach, items)
    return {
        "answer_p50_s": m["answer_p50_s"], "answer_first_p50_s": m["first_p50_s"],
        "answer_supported_share": m["supported_share"], "answer_gold_coverage": m["gold_coverage"],
        "answer_gold_cited": m["gold_cited"], "answer_questions": m["questions"],
        "answer_model_kept": m["model_kept_share"], "answer_defects": m["defects"],
    }


def _first_output_s(cmd: list[str], env: dict) -> float:
    """Seconds from process start to its first byte on stdout (the first words a user sees)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdout.read(1)
    first = time.perf_counter() - t
    proc.stdout.read()
    proc.wait()
    return first


def _ui_ready_s(env: dict) -> float:
    """Seconds from `coach ui` starting to its page answering."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "coach.cli", "ui", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                return time.perf_counter() - t
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t > 120:
                    raise RuntimeError("coach ui did not start") from None
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait()


def bench_process(index_dir: Path, runs: int) -> dict:
    """Peak RSS of one process that loads everything and answers; cold start of search, of the
    first words of an answer, and of the app, each with the ONNX start and with torch (today's
    path before it) measured in the same run. `index_dir` is built by `Coach.ingest` (bench_ingest),
    which exports the model to ONNX as `coach ingest` does."""
    env = {**os.environ, "COACH_INDEX": str(index_dir), "COACH_ADAPT_EMBEDDER": "false"}
    # The peak is read from /proc (VmHWM: this process's own memory since exec). getrusage's
    # ru_maxrss is not: Linux carries the spawning process's peak across exec, so a probe started
    # by this bench (torch and two LLMs loaded, about 2.1 GB) reported that instead of its own.
    probe = (
        "from coach.app import Coach\n"
        "a = Coach().ask('explain LoRA to me'); a.to_json()\n"
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True)
    result = {"peak_rss_mb": int(out.stdout.strip().splitlines()[-1]) / 1024}
    for suffix, fast in (("", "true"), ("_torch", "false")):
        e = {**env, "COACH_FAST_EMBED": fast}
        result[f"cold_search_s{suffix}"] = median_time(lambda: subprocess.run(
            [sys.executable, "-m", "coach.cli", "search", "what is lora"], env=e, check=True, capture_output=True), runs)
        result[f"cold_ask_s{suffix}"] = median_time(lambda: subprocess.run(
            [sys.executable, "-m", "coach.cli", "ask", "what is lora"], env=e, check=True, capture_output=True), runs)
        result[f"cold_ask_ttft_s{suffix}"] = statistics.median(
            _first_output_s([sys.executable, "-m", "coach.cli", "ask", "what is lora"], e) for _ in range(runs))
        result[f"ui_ready_s{suffix}"] = statistics.median(_ui_ready_s(e) for _ in range(max(1, runs - 1)))
    return result


SPOKEN = ("LoRA freezes the pretrained weights and trains two small low rank matrices beside each attention layer. "
          "Um, only those matrices are updated, so the number of trainable parameters falls by a factor of 10,000, "
          "and the memory for optimizer states shrinks with it. At inference the adapters can be merged, so there is "
          "no extra latency. ")


def bench_speech(index_dir: Path, work: Path, seconds: float) -> dict:
    """Transcription of a spoken answer of `seconds` (espeak-ng at 150 words a minute) as a
    real-time factor: seconds of audio per second of transcribing, the model already loaded; and
    the peak memory of a process that answers a question and then transcribes (the app's path)."""
    import shutil

    if not shutil.which("espeak-ng"):
        print("espeak-ng is not installed: the speech figures are not measured", file=sys.stderr)
        return {}
    from coach.voice.transcribe import Transcriber

    text = SPOKEN * max(1, round(seconds * 150 / 60 / len(SPOKEN.split())))
    wav = work / "answer.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True, capture_output=True)
    tr = Transcriber()
    tr.model  # noqa: B018  loaded before the clock starts
    t = time.perf_counter()
    heard = tr.transcribe(wav)
    took = time.perf_counter() - t
    env = {**os.environ, "COACH_INDEX": str(index_dir), "COACH_ADAPT_EMBEDDER": "false"}
    probe = (
        "from coach.app import Coach\n"
        "c = Coach(); c.ask('explain LoRA to me').to_json(); c.transcribe(__import__('pathlib').Path(%r))\n"
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0])\n" % str(wav)
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True)
    return {"speech_audio_s": heard.duration_s, "speech_transcribe_s": took, "speech_rtf": heard.duration_s / took,
            "peak_rss_mb_with_speech": int(out.stdout.strip().splitlines()[-1]) / 1024}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="one quick run of each measurement")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    runs = 1 if args.smoke else 3

    from coach.app import Coach
    from coach.embed.embedder import Embedder
    from coach.evals.retrieval import load_gold
    from coach.settings import Settings

    questions = [g["question"] for g in load_gold(QUESTIONS)]
    embedder = Embedder()
    results: dict = {"smoke": args.smoke, "machine": {"cpus": os.cpu_count()}}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = CORPUS
        if args.smoke:  # three files only
            corpus = work / "smoke-corpus"
            corpus.mkdir()
            for f in sorted(CORPUS.iterdir())[:3]:
                shutil.copy(f, corpus / f.name)
        ing = bench_ingest(embedder, work / "1x", runs, corpus)
        results.update(ing)

        from coach.notes import index as store
        from coach.notes.views import vector_texts

        idx = store.load(work / "1x" / "ours")
        texts = [t for c in idx.chunks for t in vector_texts(c)]
        results.update(bench_embed(embedder, texts[:400] if args.smoke else texts, runs))

        coach = Coach(Settings(index=work / "1x" / "ours"))
        coach.__dict__["embedder"] = coach.__dict__["base_embedder"] = embedder
        # the keyword + vector part alone (the 50 ms target), then what the soft match adds
        plain = Coach(Settings(index=work / "1x" / "ours", soft_match=False))
        plain.__dict__["embedder"] = plain.__dict__["base_embedder"] = embedder
        s1 = bench_search(plain, questions, 1 if args.smoke else 5)
        results.update({"search_p50_ms": s1["p50_ms"], "search_p95_ms": s1["p95_ms"]})
        soft = Coach(Settings(index=work / "1x" / "ours"))
        soft.__dict__["embedder"] = soft.__dict__["base_embedder"] = embedder
        results.update(bench_soft_match(plain, soft, questions[:10] if args.smoke else questions, 1 if args.smoke else 3))

        ans = bench_answer(coach, questions, 2 if args.smoke else 6)
        results.update(ans)
        results.update(bench_answer_quality(coach, ANSWER_SETS, 3 if args.smoke else None))
        results["answer_model"] = coach.engine.name
        # the same answers with the small SmolLM2-135M, in the same run: what the default costs
        from coach.engines.packaged import small_llm

        small = Coach(Settings(index=work / "1x" / "ours", llm=small_llm()))
        small.__dict__["embedder"] = small.__dict__["base_embedder"] = embedder
        results.update({f"small_{k}": v for k, v in
                        bench_answer_quality(small, ANSWER_SETS, 3 if args.smoke else None).items()})
        results.update(bench_process(work / "1x" / "ours", 1 if args.smoke else 3))
        results.update(bench_speech(work / "1x" / "ours", work, 10 if args.smoke else 60))

        if not args.smoke:
            from coach.embed.embedder import resolve_embed_model
            from coach.notes.ingest import ingest

            t = time.perf_counter()
            ingest([corpus], work / "adapted", lambda: embedder, embedder.model_id, progress=False,
                   adapt_base=resolve_embed_model(None))
            results["adapted_ingest_s"] = time.perf_counter() - t  # fine-tuning included
            big = make_scaled_corpus(work / "corpus10x", 10)
            t = time.perf_counter()
            r10 = Coach(Settings(index=work / "10x", adapt_embedder=False)).ingest([big], progress=False)
            results["cold_ingest_10x_s"] = time.perf_counter() - t
            results["chunks_10x"] = r10.chunks
            results["ingest_growth_10x"] = results["cold_ingest_10x_s"] / results["cold_ingest_s"]
            coach10 = Coach(Settings(index=work / "10x", soft_match=False))  # keyword + vector, as at 1x
            coach10.__dict__["embedder"] = coach10.__dict__["base_embedder"] = embedder
            t = time.perf_counter()
            coach10.searcher  # noqa: B018  loads the BM25 model saved at ingest
            results["searcher_ready_ms_10x"] = (time.perf_counter() - t) * 1000
            from coach.notes import keyword

            t = time.perf_counter()
            keyword.build(coach10.index.chunks)  # what every process did before it was saved
            results["bm25_build_ms_10x"] = (time.perf_counter() - t) * 1000
            s10 = bench_search(coach10, questions, 3)
            results.update({"search_p50_ms_10x": s10["p50_ms"], "search_p95_ms_10x": s10["p95_ms"]})

    results["targets"] = {
        k: {"target": f"{op} {v}", "value": round(results[k], 4),
            "met": results[k] >= v if op == ">=" else results[k] <= v}
        for k, (op, v) in TARGETS.items()
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print_table(results)
    return 0


def print_table(r: dict) -> None:
    extra = []
    if "searcher_ready_ms_10x" in r:
        extra.append(("search ready at 10x: load / build BM25", f"{r['searcher_ready_ms_10x']:.0f} / "
                      f"{r['bm25_build_ms_10x']:.0f} ms", "BM25 saved at ingest vs rebuilt per process"))
    rows = [
        ("cold ingest (ours)", f"{r['cold_ingest_s']:.2f} s", f"{r['chunks']} chunks, {r['chunks_per_s']:.0f} chunks/s"),
        ("cold ingest (naive)", f"{r['naive_ingest_s']:.2f} s", f"{r['naive_chunks']} x 1000-char chunks"),
        ("ingest_speedup_vs_naive", f"{r['ingest_speedup_vs_naive']:.2f}x", ""),
        ("noop_ingest_s", f"{r['noop_ingest_s']:.4f} s", f"whole command: {r['noop_ingest_cli_s']:.2f} s"),
        ("one changed file", f"{r['one_changed_file_s']:.2f} s", "model already loaded"),
        ("embed_ratio (ours/raw)", f"{r['embed_ratio']:.2f}", f"{r['embed_ours_texts_per_s']:.0f} vs {r['embed_raw_texts_per_s']:.0f} texts/s"),
        ("search p50 / p95", f"{r['search_p50_ms']:.1f} / {r['search_p95_ms']:.1f} ms", "warm, keyword + vector"),
        ("soft match adds p50 / p95", f"{r['soft_match_added_p50_ms']:.0f} / {r['soft_match_added_p95_ms']:.0f} ms",
         f"search with it {r['search_soft_p50_ms']:.0f} / {r['search_soft_p95_ms']:.0f} ms (the default)"),
        ("ttft ours / raw", f"{r['ttft_ours_s']:.3f} / {r['ttft_raw_s']:.3f} s", f"ttft_ratio {r['ttft_ratio']:.2f}"),
        ("before the model / 1st sentence", f"{r['before_model_s']:.3f} / {r['first_sentence_s']:.3f} s",
         "retrieve + pick units; the answer's first sentence"),
        ("gen tok/s ours / raw", f"{r['gen_tps_ours']:.1f} / {r['gen_tps_raw']:.1f}", f"gen_tps_ratio {r['gen_tps_ratio']:.2f}"),
        ("peak_rss_mb", f"{r['peak_rss_mb']:.0f} MB", "load everything and answer"),
        ("speech to text (tiny.en)", f"{r.get('speech_rtf', 0):.1f}x real time",
         f"{r.get('speech_audio_s', 0):.0f} s answer in {r.get('speech_transcribe_s', 0):.1f} s; peak with speech "
         f"{r.get('peak_rss_mb_with_speech', 0):.0f} MB"),
        ("cold search: ONNX / torch", f"{r['cold_search_s']:.1f} / {r['cold_search_s_torch']:.1f} s", "whole command"),
        ("cold ask, first words: ONNX / torch", f"{r['cold_ask_ttft_s']:.1f} / {r['cold_ask_ttft_s_torch']:.1f} s",
         f"whole answer {r['cold_ask_s']:.1f} / {r['cold_ask_s_torch']:.1f} s"),
        ("ui ready: ONNX / torch", f"{r['ui_ready_s']:.1f} / {r['ui_ready_s_torch']:.1f} s", "page answering"),
        ("model's share of the answer ours / raw", f"{r['answer_time_ratio']:.2f}",
         "every unit's prompt and restatement, vs raw llama.cpp replaying them"),
        (f"grounded answer p50 ({r['answer_model'][:24]})", f"{r['answer_p50_s']:.2f} s",
         f"first sentence {r['answer_first_p50_s']:.2f} s, {r['answer_questions']} questions"),
        ("answer supported / coverage / kept", f"{r['answer_supported_share']:.3f} / {r['answer_gold_coverage']:.3f} / "
         f"{r['answer_model_kept']:.3f}", f"gold cited {r['answer_gold_cited']:.3f}, defects {r['answer_defects']}"),
        ("grounded answer p50 (SmolLM2-135M)", f"{r['small_answer_p50_s']:.2f} s",
         f"first sentence {r['small_answer_first_p50_s']:.2f} s, same questions"),
        ("answer supported / coverage / kept", f"{r['small_answer_supported_share']:.3f} / "
         f"{r['small_answer_gold_coverage']:.3f} / {r['small_answer_model_kept']:.3f}",
         f"gold cited {r['small_answer_gold_cited']:.3f}, defects {r['small_answer_defects']}"),
    ]
    if "cold_ingest_10x_s" in r:
        rows += [
            ("cold ingest, embedder adapted", f"{r['adapted_ingest_s']:.1f} s", "fine-tuning on the notes included"),
            ("cold ingest 10x", f"{r['cold_ingest_10x_s']:.1f} s", f"{r['chunks_10x']} chunks, growth {r['ingest_growth_10x']:.1f}x"),
            ("search p50 / p95 at 10x", f"{r['search_p50_ms_10x']:.1f} / {r['search_p95_ms_10x']:.1f} ms", ""),
        ]
    rows += extra
    width = max(len(a) for a, _, _ in rows)
    for a, b, c in rows:
        print(f"{a:<{width}}  {b:>18}  {c}")
    print()
    for k, t in r["targets"].items():
        print(f"{'ok ' if t['met'] else 'MISS'} {k} = {t['value']} (target {t['target']})")


if __name__ == "__main__":
    sys.exit(main())
