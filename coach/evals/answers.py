"""Answer evaluation: is what the user reads right, complete, cited, and quick?

For each gold question (the retrieval gold format, optionally with a `history` of earlier
questions for a follow-up), `coach.ask` runs for real and the shown answer is measured:
- supported: share of shown sentences that pass the per-unit check again, from scratch: a note
  unit's own words, or a model restatement that says only what its unit says
  (`coach.answer.verbalize.holds`);
- gold_cited: a citation points at a passage that answers the question (gold source and text);
- coverage: share of the gold passage's key lines the answer conveys. The key lines are the gold
  passage's units most similar to the question (at most KEY_LINES); a line is conveyed when a
  shown sentence is that line, is close to it in meaning (>= CONVEY_SIM), or holds most of its
  content words (>= CONVEY_WORDS);
- words, first_s (time to the first shown sentence), total_s;
- model_kept: the model's restatements shown / the model's restatements judged; verbatim: those
  shown that are the unit's own words, copied (a copy is correct, but the model explained nothing);
- on_question, for gold lines with `says` (fragments that answer what is asked: the ways to prevent,
  the metrics to measure with): a note unit the answer says holds one of them; opens_on: the first
  two shown sentences do. A definition of the topic is on topic but not on the question;
- refused: each restatement the check refused, with its note and why (counted by kind in the summary).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter

import numpy as np

from coach.answer.readability import defects
from coach.answer.restates import same_words
from coach.answer.verbalize import holds, spoken
from coach.answer.units import note_units
from coach.evals.retrieval import answers as passage_answers
from coach.evals.retrieval import history_of, normalise
from coach.text import stems

KEY_LINES = 4
CONVEY_SIM = 0.7
CONVEY_WORDS = 0.6


def _key_lines(passage: dict, question_vec: np.ndarray, embedder) -> tuple[list[str], np.ndarray]:
    lines = [u.text for u in note_units(passage["text"]) if u.answers and len(u.text.split()) >= 4]
    if not lines:
        return [], np.zeros((0, 0), dtype=np.float32)
    vecs = embedder.encode(lines)
    order = np.argsort(-(vecs @ question_vec))[:KEY_LINES]
    return [lines[i] for i in order], vecs[order]


def coverage(shown: list[str], key_lines: list[str], key_vecs: np.ndarray, embedder) -> float:
    if not key_lines or not shown:
        return 0.0
    shown_vecs = embedder.encode(shown)
    sims = key_vecs @ shown_vecs.T
    answer_words = stems(" ".join(shown))
    conveyed = 0
    for k, line in enumerate(key_lines):
        words = stems(line)
        overlap = len(words & answer_words) / len(words) if words else 0.0
        if line in shown or sims[k].max() >= CONVEY_SIM or overlap >= CONVEY_WORDS:
            conveyed += 1
    return conveyed / len(key_lines)


def evaluate_one(coach, item: dict) -> dict:
    history = history_of(coach, item)
    t0 = time.perf_counter()
    answer = coach.ask(item["question"], history)
    first = None
    for kind, _ in answer.events():
        if kind == "sentence" and first is None:
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    shown = answer.sentences
    row = {
        "id": item.get("id", item["question"]),
        "question": item["question"],
        "standalone_query": answer.standalone_query,
        "covered": answer.covered,
        "sentences": len(shown),
        "words": len(answer.text.split()),
        "first_s": round(first if first is not None else total, 2),
        "total_s": round(total, 2),
        "answer": answer.text,
    }
    if not answer.covered:
        return {**row, "supported": 0.0, "supported_n": 0, "gold_cited": False, "coverage": 0.0,
                "model_kept": 0, "model_judged": 0, "model_verbatim": 0, "defects": [],
                **({"on_question": False, "opens_on": False} if item.get("says") else {})}
    checker = answer.checker
    supported = [s for s in shown if holds(s, checker)]
    cited = {n for s in shown for n in s.citations}
    gold = item["gold"]
    gold_cited = any(passage_answers(answer.passages[n - 1], gold) for n in cited)
    gold_passages = [p for p in answer.passages if passage_answers(p, gold)]
    cov = 0.0
    if gold_passages:
        qvec = coach.base_embedder.encode([answer.standalone_query])[0]
        lines, vecs = _key_lines(gold_passages[0], qvec, coach.base_embedder)
        cov = coverage([s.text for s in shown], lines, vecs, coach.base_embedder)
    kept, judged = answer.model_kept
    said = _said(shown, checker, item.get("says"))
    verbatim = sum(s.origin == "model" and any(same_words(s.text, t) for t in (checker.units[s.unit].text,
                                                                               spoken(checker.units[s.unit])))
                   for s in shown)
    return {
        **row,
        "defects": defects(answer, coach.base_embedder),
        "supported": round(len(supported) / len(shown), 3) if shown else 0.0,
        "supported_n": len(supported),
        "gold_cited": gold_cited,
        "coverage": round(cov, 3),
        "model_kept": kept,
        "model_judged": judged,
        "model_verbatim": verbatim,
        "refused": [{"note": checker.units[d.unit].text, "said": d.text, "why": d.reason}
                    for d in answer.draft_sentences if not d.supported and d.unit is not None],
        **said,
    }


def _said(shown, checker, says: list[str] | None) -> dict:
    """Does the answer say what answers the question (`says`), and does it open with it?"""
    if not says:
        return {}
    wanted = [normalise(f) for f in says]
    hits = [any(f in normalise(checker.units[s.unit].text) for f in wanted) for s in shown]
    return {"on_question": any(hits), "opens_on": any(hits[:2])}


def summarise(rows: list[dict]) -> dict:
    covered = [r for r in rows if r["covered"]]
    shown = sum(r["sentences"] for r in covered)
    judged = sum(r["model_judged"] for r in covered)
    kept = sum(r["model_kept"] for r in covered)

    def mean(key):
        return round(statistics.fmean(r[key] for r in covered), 3) if covered else 0.0

    return {
        "questions": len(rows),
        "covered": len(covered),
        "supported_share": round(sum(r["supported_n"] for r in covered) / shown, 3) if shown else 0.0,
        "supported_per_answer": mean("supported_n"),
        "gold_cited": round(sum(r["gold_cited"] for r in covered) / len(covered), 3) if covered else 0.0,
        "gold_coverage": mean("coverage"),
        "words": mean("words"),
        "first_p50_s": round(statistics.median(r["first_s"] for r in rows), 2) if rows else 0.0,
        "answer_p50_s": round(statistics.median(r["total_s"] for r in rows), 2) if rows else 0.0,
        "model_kept_share": round(sum(r["model_kept"] for r in covered) / judged, 3) if judged else 0.0,
        "model_verbatim_share": round(sum(r["model_verbatim"] for r in covered) / kept, 3) if kept else 0.0,
        "defects": sum(len(r["defects"]) for r in rows),
        **_share(rows, "on_question"),
        **_share(rows, "opens_on"),
        "defects_by_kind": dict(Counter(d for r in rows for d in r["defects"])),
        "refused_by_reason": dict(Counter(_reason(f["why"]) for r in rows for f in r.get("refused", ())).most_common()),
    }


def _reason(why: str) -> str:
    """A refusal's kind, without the words it names: 'adds words the note does not have: ranks' -> 'adds words ...'."""
    return why.split(":")[0]


def _share(rows: list[dict], key: str) -> dict:
    asked = [r for r in rows if key in r]
    return {key: round(sum(bool(r.get(key)) for r in asked) / len(asked), 3)} if asked else {}


def evaluate_answers(coach, items: list[dict], progress=None) -> tuple[list[dict], dict]:
    rows = []
    for item in items:
        rows.append(evaluate_one(coach, item))
        if progress:
            progress(rows[-1])
    return rows, summarise(rows)
