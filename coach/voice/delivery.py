"""Pure: how an answer was said — length, pace, fillers, pauses, hedges — with the numbers behind
each line of feedback, from a transcript's word timings.

The ranges are the ones interview coaches give: a behavioural story 60-120 s, a technical answer
30-90 s, 120-160 words a minute; a pause of 1.5 s or more is heard as one. Fillers and hedges are
listed here, once: the feedback, the JSON and the stored figures all come from these lists.

>>> from coach.voice.transcribe import Word
>>> said = [Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(
...     "So, um, LoRA trains two small matrices. I think it is, like, cheap.".split())]
>>> d = measure(said, duration_s=6.0)
>>> [f["word"] for f in d["fillers"]], [h["word"] for h in d["hedges"]], d["pauses"]
(['so', 'um', 'like'], ['I think'], [])
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LENGTH = {"story": (60, 120), "technical": (30, 90)}  # seconds an answer of each kind runs
PACE = (120, 160)  # words a minute a listener follows comfortably
PACE_WEAK = (100, 190)  # outside these a listener struggles: counts against the card
PAUSE_S = 1.5
FILLERS_OK, FILLERS_WEAK = 3.0, 5.0  # per minute: a few are natural; more are heard
# Fillers: always one ("um"), or one only where it stands apart from the sentence (", like,";
# "So," opening a sentence), never the same word doing its job ("looks like", "so that").
ALWAYS = {"um": "um", "umm": "um", "uhm": "um", "hmm": "um", "mm": "um", "uh": "uh", "uhh": "uh", "er": "uh",
          "erm": "uh", "ah": "uh", "basically": "basically", "actually": "actually"}
APART = {"like", "so"}
PAIRS = {("you", "know"): "you know", ("i", "mean"): "I mean", ("kind", "of"): "kind of", ("sort", "of"): "sort of"}
_DETERMINERS = {"a", "what", "this", "that", "the", "any", "some", "which", "same"}  # "a kind of model"
NOT_FILLER_BEFORE = {"you know": {"do", "did", "if", "as", "don't"}, "kind of": _DETERMINERS, "sort of": _DETERMINERS,
                     "I mean": set()}
HEDGES = {("i", "think"): "I think", ("i", "guess"): "I guess", ("i", "suppose"): "I suppose", ("maybe",): "maybe",
          ("probably",): "probably", ("perhaps",): "perhaps", ("i'm", "not", "sure"): "I'm not sure"}


@dataclass(frozen=True)
class _Token:
    word: str  # lower case, no punctuation
    start: float
    end: float
    opens: bool  # first of the answer or of a sentence
    apart: bool  # a comma (or the sentence's end) right after it, or right before it


def _tokens(words) -> list[_Token]:
    out = []
    for i, w in enumerate(words):
        prev = words[i - 1].text if i else "."
        bare = re.sub(r"[^\w']", "", w.text.lower())
        if not bare:
            continue
        opens = prev.endswith((".", "?", "!"))
        apart = w.text.endswith((",", ".", "?", "!", ";")) or prev.endswith((",", ";"))
        out.append(_Token(bare, float(w.start), float(w.end), opens, apart))
    return out


def _match(tokens: list[_Token], i: int, table: dict) -> tuple[str, int] | None:
    for seq, name in table.items():
        if tuple(t.word for t in tokens[i:i + len(seq)]) == seq:
            return name, len(seq)
    return None


def fillers(tokens: list[_Token]) -> list[dict]:
    out, i = [], 0
    while i < len(tokens):
        t = tokens[i]
        pair = _match(tokens, i, PAIRS)
        if pair:
            name, n = pair
            before = tokens[i - 1].word if i else ""
            if before not in NOT_FILLER_BEFORE[name]:
                out.append({"word": name, "at_s": round(t.start, 2)})
                i += n
                continue
        if t.word in ALWAYS:
            out.append({"word": ALWAYS[t.word], "at_s": round(t.start, 2)})
        elif t.word in APART and (t.apart or (t.opens and t.word == "so")):
            out.append({"word": t.word, "at_s": round(t.start, 2)})
        i += 1
    return out


def hedges(tokens: list[_Token]) -> list[dict]:
    out = []
    for i, t in enumerate(tokens):
        found = _match(tokens, i, HEDGES)
        if found:
            out.append({"word": found[0], "at_s": round(t.start, 2)})
    return out


def pauses(words, speech: list[tuple[float, float]] | None = None) -> list[dict]:
    """Silences of PAUSE_S or more between stretches of voice (`speech`, from the sound), or
    between words when only their times are known; none before the first word or after the last.

    >>> pauses([], [(0.0, 5.41), (7.36, 13.1)])
    [{'at_s': 5.41, 'length_s': 1.95}]
    """
    spans = speech if speech else [(float(w.start), float(w.end)) for w in words]
    return [{"at_s": round(a[1], 2), "length_s": round(b[0] - a[1], 2)}
            for a, b in zip(spans, spans[1:]) if b[0] - a[1] >= PAUSE_S]


def sentences(words) -> list[tuple[str, float, float]]:
    """(text, start, end) of each sentence said, by the transcript's sentence ends."""
    out, current = [], []
    for w in words:
        current.append(w)
        if w.text.endswith((".", "?", "!")):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return [(" ".join(w.text for w in s), float(s[0].start), float(s[-1].end)) for s in out]


def measure(words, duration_s: float, kind: str = "technical", speech: list[tuple[float, float]] | None = None) -> dict:
    """The delivery figures of one spoken answer; `kind`: "story" (behavioural) or "technical";
    `speech`: the stretches of voice heard (coach.voice.transcribe.voiced), for the pauses."""
    tokens = _tokens(words)
    speaking = float(words[-1].end - words[0].start) if words else 0.0
    minutes = max(speaking, 1.0) / 60
    found = fillers(tokens)
    return {
        "kind": kind,
        "duration_s": round(float(duration_s), 1),
        "speaking_s": round(speaking, 1),
        "words": len(tokens),
        "wpm": round(len(tokens) / minutes, 1) if tokens else 0.0,
        "fillers": found,
        "fillers_per_min": round(len(found) / minutes, 2),
        "pauses": pauses(words, speech),
        "hedges": hedges(tokens),
    }


def clock(seconds: float) -> str:
    """
    >>> clock(75.4)
    '1:15'
    """
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _where(items: list[dict], most: int = 4) -> str:
    shown = ", ".join(clock(i["at_s"]) for i in items[:most])
    return shown + (", …" if len(items) > most else "")


def _by_word(items: list[dict]) -> str:
    groups: dict[str, list[dict]] = {}
    for it in items:
        groups.setdefault(it["word"], []).append(it)
    return "; ".join(f"“{w}” ×{len(g)} at {_where(g)}" for w, g in sorted(groups.items(), key=lambda kv: -len(kv[1])))


def lines(d: dict) -> list[str]:
    """One line per figure, each with its number and what to do about it."""
    lo, hi = LENGTH[d["kind"]]
    what = "a behavioural story" if d["kind"] == "story" else "a technical answer"
    secs = d["speaking_s"]
    if secs < lo:
        length = f"short for {what} ({lo}-{hi} s): say more of what your notes hold"
    elif secs > hi:
        length = f"long for {what} ({lo}-{hi} s): lead with the main point and stop sooner"
    else:
        length = f"right for {what} ({lo}-{hi} s)"
    out = [f"Length: {secs:.0f} s — {length}."]
    wpm = d["wpm"]
    pace = ("comfortable" if PACE[0] <= wpm <= PACE[1] else
            "slow: keep going between points" if wpm < PACE[0] else "fast: slow down, breathe between points")
    out.append(f"Pace: {wpm:.0f} words a minute — {pace} ({PACE[0]}-{PACE[1]} is easy to follow).")
    f = d["fillers"]
    if f:
        verdict = "fine" if d["fillers_per_min"] <= FILLERS_OK else "noticeable: pause silently instead"
        out.append(f"Fillers: {len(f)} ({d['fillers_per_min']:.1f} a minute, {verdict}) — {_by_word(f)}.")
    else:
        out.append("Fillers: none.")
    p = d["pauses"]
    if p:
        shown = ", ".join(f"{clock(x['at_s'])} for {x['length_s']:.1f} s" for x in p[:4]) + (", …" if len(p) > 4 else "")
        out.append(f"Pauses of {PAUSE_S} s or more: {len(p)} — at {shown}. A pause before a key point is fine; "
                   "one mid-sentence sounds like a lost thread.")
    else:
        out.append(f"Pauses of {PAUSE_S} s or more: none.")
    h = d["hedges"]
    if h:
        out.append(f"Hedges: {len(h)} — {_by_word(h)}: say what you know plainly.")
    return out


def weak(d: dict) -> bool:
    """A delivery an interviewer would hold against the answer: the card comes back sooner."""
    lo, hi = LENGTH[d["kind"]]
    return (d["fillers_per_min"] > FILLERS_WEAK or not PACE_WEAK[0] <= d["wpm"] <= PACE_WEAK[1]
            or d["speaking_s"] < lo / 2 or d["speaking_s"] > hi * 1.5)


def report(heard, kind: str = "technical") -> dict:
    """A transcript (coach.voice.transcribe.Transcript) -> what `coach transcribe --json` gives:
    the transcript, its figures, the feedback lines and whether the delivery is weak."""
    d = measure(heard.words, heard.duration_s, kind, heard.speech)
    return {"transcript": heard.text, **d, "lines": lines(d), "weak": weak(d)}
