"""Measure reranking the search's top passages by a local LLM (query likelihood): `python -m
bench.llm_rerank GOLD.jsonl [...] [--llm GGUF] [--half tune|report] [--index DIR] [--out FILE]`.

Each question is searched as `coach ask` searches it; the top `--top` passages are then scored by
how likely the model finds the question after the passage (the mean log-probability of the
question's tokens: UPR, Sachan et al. 2022), and reordered by that score with the search's own
order kept as a prior of `--prior` standard deviations per rank. Prints R@1 / R@5 / MRR@10 before
and after for each file and the seconds the LLM step adds per question (p50, p95).

It is a measurement, not part of the product: issue 18's round found it the one method that raised
every report half's MRR with Qwen2.5-Coder-1.5B (fresh report R@1 0.600 -> 0.571, style 0.677 ->
0.710, fresh2 0.733 -> 0.767) at 7.3 s a question on two CPU cores, and lowering the users' set
with the default 0.5B model; run it again where the model sits on a GPU.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

PROMPT = "Passage: {passage}\nA question this passage answers:"
MAX_TOKENS = 500  # one llama.cpp batch (n_batch 512): the passage is cut from the front if longer


def reorder(scores: list[float], prior: float) -> list[int]:
    """The order of the scored passages: the LLM's score in standard deviations, less `prior`
    per rank the search gave. A ranked list with no clear preference keeps its order.

    >>> reorder([-3.0, -1.0, -2.0], prior=0.0)
    [1, 2, 0]
    >>> reorder([-3.0, -1.0, -2.0], prior=1.0)  # the lift of passage 1 outweighs one rank
    [1, 0, 2]
    >>> reorder([-2.0, -2.0, -2.0], prior=1.0)
    [0, 1, 2]
    """
    s = np.asarray(scores, dtype=float)
    z = (s - s.mean()) / (s.std() + 1e-9)
    return [int(i) for i in np.argsort(-(z - prior * np.arange(len(s))), kind="stable")]


class QuestionLikelihood:
    """log p(question | passage) by a GGUF model in this process, logits only where the question is."""

    def __init__(self, gguf: Path, threads: int | None = None):
        from llama_cpp import Llama

        self.llm = Llama(model_path=str(gguf), n_ctx=MAX_TOKENS + 24, n_batch=512, n_threads=threads, verbose=False)

    def __call__(self, passage: str, question: str) -> float:
        llm = self.llm
        prefix = llm.tokenize(PROMPT.format(passage=passage).encode("utf-8"), add_bos=True)
        asked = llm.tokenize((" " + question).encode("utf-8"), add_bos=False)[: MAX_TOKENS // 2]
        tokens = (prefix + asked)[-MAX_TOKENS:]
        first = len(tokens) - len(asked)  # the position of the question's first token
        llm.reset()
        llm._ctx.kv_cache_clear()  # llama-cpp-python 0.3.36 (pinned): no public call gives chosen positions' logits
        batch = llm._batch
        batch.set_batch(tokens, n_past=0, logits_all=False)
        for i in range(first - 1, len(tokens) - 1):
            batch.batch.logits[i] = True
        llm._ctx.decode(batch)
        vocab = llm.n_vocab()
        logits = np.stack([np.ctypeslib.as_array(llm._ctx.get_logits_ith(i), shape=(vocab,))
                           for i in range(first - 1, len(tokens) - 1)])
        logp = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
        return float(np.mean(logp[np.arange(len(asked)), asked]))


def passage_of(hit, chars: int) -> str:
    """What the model reads for a passage: its section's title and the start of its text."""
    title = hit.chunk.trail[-1] if hit.chunk.trail else ""
    return f"{title}\n{hit.chunk.text}"[:chars]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", type=Path, nargs="+", help="question files (.jsonl, `coach eval`'s format)")
    ap.add_argument("--llm", help="GGUF file or `coach models` name; default: the configured model")
    ap.add_argument("--index", type=Path, help="index folder; default: COACH_INDEX")
    ap.add_argument("--half", choices=["tune", "report"], help="only this half of each file (as `coach eval --half`)")
    ap.add_argument("--top", type=int, default=5, help="passages reordered")
    ap.add_argument("--prior", type=float, default=1.0, help="standard deviations of the LLM's score one rank is worth")
    ap.add_argument("--chars", type=int, default=500, help="characters of each passage the model reads")
    ap.add_argument("--limit", type=int, help="first N questions of each file (a quick check)")
    ap.add_argument("--out", type=Path, help="write every question's scores and ranks here (JSON)")
    args = ap.parse_args(argv)

    from coach.app import Coach
    from coach.engines.gguf import resolve_llm
    from coach.evals.retrieval import first_rank, half_of, history_of, load_gold, metrics
    from coach.settings import Settings

    settings = Settings(**({"index": args.index} if args.index else {}))
    coach = Coach(settings)
    score = QuestionLikelihood(resolve_llm(args.llm or settings.llm, settings.models_dir), settings.n_threads)
    rows, seconds = [], []
    for path in args.gold:
        items = half_of(load_gold(path), args.half)
        before, after = [], []
        for item in items[: args.limit]:
            query, hits = coach.retrieve(item["question"], history_of(coach, item), 10)
            found = [h.as_dict() for h in hits]
            t = time.perf_counter()
            scores = [score(passage_of(h, args.chars), query) for h in hits[: args.top]]
            seconds.append(time.perf_counter() - t)
            order = reorder(scores, args.prior) + list(range(len(scores), len(hits)))
            before.append(first_rank(found, item["gold"]))
            after.append(first_rank([found[i] for i in order], item["gold"]))
            rows.append({"file": path.name, "id": item.get("id"), "half": item.get("half"), "style": item.get("style"),
                         "query": query, "llm": scores, "rank_before": before[-1], "rank_after": after[-1],
                         "seconds": seconds[-1]})
        b, a = metrics(before), metrics(after)
        print(f"{path.name:28s} before {b['recall@1']:.3f} / {b['recall@5']:.3f} / {b['mrr@10']:.3f}   "
              f"after {a['recall@1']:.3f} / {a['recall@5']:.3f} / {a['mrr@10']:.3f}   n={len(before)}", flush=True)
    if seconds:
        print(f"LLM step per question: p50 {statistics.median(seconds):.2f} s, "
              f"p95 {float(np.percentile(seconds, 95)):.2f} s")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    from coach.errors import CoachError

    try:
        main()
    except CoachError as err:  # a file without halves, a model not found: one line, as in `coach`
        raise SystemExit(f"bench.llm_rerank: {err}") from None
