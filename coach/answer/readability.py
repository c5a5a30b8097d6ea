"""Defects a person notices at once in a shown answer, counted (coach eval --answers reports
them): a question or markdown said as an answer, a lead-in whose list never comes, a sentence
said twice (paraphrase included), an opening that points at nothing, mojibake residue."""

from __future__ import annotations

from coach.answer.compose import REPEAT_SIM, announces, points_back
from coach.answer.restates import is_prose

MOJIBAKE = ("†", "\ufffd", "â€")


def defects(answer, embedder) -> list[str]:
    """One entry per defect in `answer`'s shown sentences (empty when it reads well)."""
    if not answer.covered:
        return []
    shown = answer.sentences
    out = []
    for k, s in enumerate(shown):
        text = s.text.strip()
        if announces(text):
            if not (s.unit is not None and k + 1 < len(shown) and shown[k + 1].unit == s.unit + 1):
                out.append("lead-in without its list")
        elif text.endswith("?") or "**" in text or (s.origin == "model" and not is_prose(text)):
            out.append("question or markdown")  # a note's own numbering ("1. Data-level...") is its words
        if any(m in text for m in MOJIBAKE):
            out.append("mojibake")
        if s.origin == "notes" and s.unit is not None and points_back(text):
            before = s.unit - 1
            if before < 0 or not (answer.checker.units[before].kind == "question"
                                  or (k > 0 and shown[k - 1].unit == before)):
                out.append("points at nothing")
    texts = [s.text for s in shown]
    if len(texts) > 1:
        vecs = embedder.encode(texts)
        sims = vecs @ vecs.T
        out += ["said twice" for i in range(len(texts)) for j in range(i) if sims[i, j] >= REPEAT_SIM]
    return out
