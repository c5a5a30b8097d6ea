"""Retrieval evaluation on gold files (format: ../shared/eval/README.md).

>>> normalise("What’s LoRA?  (Low-Rank)")
'what s lora low rank'
>>> metrics([1, None, 2])["mrr@10"]
0.5
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from coach.errors import UsageError


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def load_gold(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise UsageError(f"Cannot read {path} ({err.strerror}) — give a gold .jsonl file.") from err
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item["question"], item["gold"]  # noqa: B018  both keys are required
        except (ValueError, KeyError, TypeError) as err:
            raise UsageError(f"{path}:{n} is not a gold line ({type(err).__name__}) — see the eval README.") from err
        items.append(item)
    return items


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
    """Per item: id, the standalone query and the rank of the first answering passage; and the metrics."""
    rows = []
    for item in gold:
        query, found = coach.retrieve(item["question"], history_of(coach, item), max(k, 10))
        hits = [h.as_dict() for h in found]
        rows.append({"id": item.get("id", item["question"]), "query": query, "rank": first_rank(hits, item["gold"])})
    return rows, metrics([r["rank"] for r in rows])


def metrics(ranks: list[int | None]) -> dict:
    n = max(len(ranks), 1)
    return {
        "questions": len(ranks),
        "recall@1": sum(1 for r in ranks if r is not None and r <= 1) / n,
        "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr@10": sum(1 / r for r in ranks if r is not None and r <= 10) / n,
    }
