"""Retrieval evaluation on gold files (format: ../shared/eval/README.md).

>>> normalise("What’s LoRA?  (Low-Rank)")
'what s lora low rank'
>>> metrics([1, None, 2])["mrr@10"]
0.5
>>> by_style([{"style": "terse", "rank": 1}, {"style": "typo", "rank": None}, {"rank": 2}])["typo"]["recall@5"]
0.0
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from coach.errors import UsageError


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


GOLD_SHAPE = '{"question": "...", "gold": [{"source": "file.md", "any": ["a fragment of the answer"]}]}'


def load_gold(path: Path) -> list[dict]:
    """The gold lines of a .jsonl file, each checked: a question, and gold passages (a source
    and the fragments any of which marks the answer)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise UsageError(f"Cannot read {path} ({err.strerror}) — give a gold .jsonl file.") from err
    except UnicodeDecodeError as err:
        raise UsageError(f"{path} is not UTF-8 text (byte {err.start}) — save it as UTF-8 JSON lines.") from err
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as err:
            raise UsageError(f"{path}:{n} is not JSON ({err.msg}) — each line is {GOLD_SHAPE}.") from err
        problem = _gold_problem(item)
        if problem:
            raise UsageError(f"{path}:{n}: {problem} — each line is {GOLD_SHAPE}.")
        items.append(item)
    if not items:
        raise UsageError(f"{path} holds no gold lines — each line is {GOLD_SHAPE}.")
    return items


def _gold_problem(item) -> str | None:
    if not isinstance(item, dict):
        return "a line must be a JSON object"
    if not isinstance(item.get("question"), str) or not item["question"].strip():
        return '"question" must be a non-empty string'
    gold = item.get("gold")
    if not isinstance(gold, list) or not gold:
        return '"gold" must be a non-empty list'
    for g in gold:
        if not isinstance(g, dict) or not isinstance(g.get("source"), str):
            return 'each "gold" entry needs a "source" file name'
        if not isinstance(g.get("any"), list) or not all(isinstance(f, str) for f in g["any"]):
            return 'each "gold" entry needs "any": a list of text fragments'
    return None


def answers(hit: dict, gold: list[dict]) -> bool:
    """Does a retrieved passage answer: same file name, and normalised text holds a fragment?"""
    text = normalise(hit["text"])
    name = Path(hit["source"]).name
    return any(
        name == g["source"] and any(normalise(f) in text for f in g["any"]) for g in gold
    )


def first_rank(hits: list[dict], gold: list[dict]) -> int | None:
    """1-based rank of the first answering passage, or None."""
    for rank, hit in enumerate(hits, 1):
        if answers(hit, gold):
            return rank
    return None


def history_of(coach, item: dict) -> list[str]:
    """The standalone queries of a gold item's earlier turns, as a chat would have them."""
    history: list[str] = []
    for earlier in item.get("history", []):
        history.append(coach.standalone_query(earlier, history))
    return history


def evaluate_retrieval(coach, gold: list[dict], k: int = 10) -> tuple[list[dict], dict]:
    """Per item: id, the standalone query and the rank of the first answering passage (and the
    item's style, when it has one); and the metrics."""
    rows = []
    for item in gold:
        query, found = coach.retrieve(item["question"], history_of(coach, item), k)
        hits = [h.as_dict() for h in found]
        row = {"id": item.get("id", item["question"]), "query": query, "rank": first_rank(hits, item["gold"])}
        if "style" in item:
            row["style"] = item["style"]
        rows.append(row)
    return rows, metrics([r["rank"] for r in rows])


def half_of(gold: list[dict], half: str | None) -> list[dict]:
    """The items of one half ("tune" or "report", the question sets' `half` field); all without one."""
    if half is None:
        return gold
    items = [g for g in gold if g.get("half") == half]
    if not items:
        raise UsageError(f'No question in this file has "half": "{half}" — leave out --half, or give a file '
                         "whose lines are marked tune or report.")
    return items


def by_style(rows: list[dict]) -> dict[str, dict]:
    """The metrics of each style (the question sets' `style` field), for the rows that have one."""
    styles: dict[str, list] = {}
    for r in rows:
        if "style" in r:
            styles.setdefault(r["style"], []).append(r["rank"])
    return {style: metrics(ranks) for style, ranks in styles.items()}


def metrics(ranks: list[int | None]) -> dict:
    n = max(len(ranks), 1)
    return {
        "questions": len(ranks),
        "recall@1": sum(1 for r in ranks if r is not None and r <= 1) / n,
        "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr@10": sum(1 / r for r in ranks if r is not None and r <= 10) / n,
    }
