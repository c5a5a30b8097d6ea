"""Talking points a candidate can say out loud, picked by what an interviewer asks about a project.

The project's notes are one file (the one that matches the topic best). Each of its units
(a sentence, a bullet, a label with its bullets) becomes a first-person sentence where it can
(`coach.practice.speech`); each aspect an interviewer probes — the problem, what was built, a decision,
a result, a hard problem, what you would change — takes the best of those from the section that
asks about it. An aspect the notes don't hold is named, so the candidate can add it.

Works with no LLM. `polish` lets a model reword each point; a rewording is kept only when the
support check finds every part of it in the unit it came from.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from coach.practice.speech import say, say_list, words
from coach.text import TRAIL_SEP, is_instruction, is_question
from coach.types import Chunk
from coach.answer.units import Unit, note_units

MIN_WORDS, MAX_WORDS = 10, 35
MIN_POINTS, MAX_POINTS = 5, 8
ASPECT_MIN = 0.45  # below this the notes are taken not to hold the aspect
DUPLICATE = 0.80
PER_SECTION = 2  # breadth: a project's points come from across its notes

# What an interviewer asks about each aspect, in their words: matched against the notes' own
# questions and headings, which is where project notes say what a section is about.
ASPECTS: dict[str, str] = {
    "problem": "What problem does your project solve and what was the goal?",
    "built": "Walk me through what you built: the architecture, the model and the data pipeline.",
    "decision": "Why did you choose this model or approach over the alternatives?",
    "result": "What results did you achieve: accuracy, metrics, impact?",
    "challenge": "What was the hardest technical problem you faced and how did you solve it?",
    "differently": "What would you do differently or improve if you did it again?",
}
# The words that mark a section as asking about the aspect, in any project's notes.
CUES: dict[str, re.Pattern] = {a: re.compile(p, re.IGNORECASE) for a, p in {
    "problem": r"what problem (?:does|did|do)|\bgoal|tell me about (?:your|the|this)|overview|purpose|motivation|"
               r"why (?:did you )?build",
    "built": r"architecture|pipeline|walk (?:me )?through|how does .* work|\bdesign|\bbuilt?\b|implement|stack|"
             r"strategy|approach",
    "decision": r"\bwhy (?:did you )?(?:choose|use|pick|go with|select|prefer)|\bchoose\b|\bchose\b|instead of|"
                r"why not\b|tradeoff|trade-off",
    "result": r"result|accuracy|achiev|metric|perform|success|impact|outcome",
    "challenge": r"challeng|difficult|hardest|struggl|debug|identify that|went wrong|\bfail|troubleshoot|"
                 r"problem you faced|mistake",
    "differently": r"differently|retrain|would you change|lesson|learn from|next time|unlimited time|dream version|"
                   r"improve",
}.items()}
CUE_BONUS = 0.3
WOULD_PENALTY = 0.15  # "I would ..." says a plan, not what was done: only "differently" wants it
MISSING = {
    "problem": "your notes don't say what problem this project solves: add a line on the goal",
    "built": "your notes don't describe what was built: add the architecture and the data",
    "decision": "your notes give no key decision with its reason: add one",
    "result": "your notes give no result for this project: add a metric or an outcome",
    "challenge": "your notes name no hard problem and how it was solved: add one",
    "differently": "your notes don't say what you would do differently: add it",
}
# A result is a measured outcome: a percentage, a speed-up, or a named metric with its number.
_METRIC = re.compile(r"\d[\d.,]*\s*%|\d+(?:\.\d+)?x\b|\b(?:accuracy|precision|recall|f1|auc|latency|throughput)\b"
                     r"[^.]*\d|\d[^.]*\b(?:accuracy|precision|recall|f1|auc|faster|speed-?up|reduction|improvement)\b",
                     re.IGNORECASE)
_ACHIEVED = re.compile(r"\b(?:achiev|reach|improv|reduc|increas|boost|cut|beat|outperform)\w*", re.IGNORECASE)
_ABOUT_THE_NOTES = re.compile(r"\binterview(?:er|ers|s)?\b|\bmention\b|\bquestions?\b|\btips?\b|\bprepar\w+",
                              re.IGNORECASE)
_OWN_WORDS = re.compile(r"\b(I|my|we|our)\b")  # the candidate speaking
_WOULD = re.compile(r"\bwould\b|\bdifferently\b|\bimprove|\bif you\b|\bfuture\b|\bnext\b", re.IGNORECASE)


@dataclass
class Point:
    text: str  # what the candidate says
    aspect: str
    source: str
    heading: str
    lines: tuple[int, int]
    quote: str  # the notes' own words it was made from
    context: str  # the section's question or heading

    def as_dict(self) -> dict:
        return {"text": self.text, "aspect": self.aspect, "source": self.source, "heading": self.heading,
                "lines": list(self.lines)}


def _context(chunk: Chunk) -> str:
    return chunk.title or chunk.source


def _spans(units: list[Unit], chunk: Chunk) -> list[tuple[int, int]]:
    """Each unit's first and last line (a wrapped sentence runs over several)."""
    return [(u.line, min(max(u.last_line, u.line), chunk.line_end)) for u in units]


def _item_span(quote: str, lines: list[str], first: int, span: tuple[int, int]) -> tuple[int, int]:
    """The lines of the bullets a point was made from, inside its list's span: a citation to
    the bullet, not to the whole list. Bullets of a run are joined by '; '."""
    parts = [p.strip().split(": ")[0][:30] for p in quote.split("; ") if p.strip()]  # a label's line starts it
    inside = range(max(span[0], first), min(span[1], first + len(lines) - 1) + 1)
    found = [next((n for n in inside if part and part in lines[n - first]), None) for part in parts[:1] + parts[-1:]]
    if len(found) == 2 and None not in found:
        return found[0], max(found)
    return span


def candidates(chunks: list[Chunk]) -> list[Point]:
    """Every speakable sentence of these chunks, 10-35 words, with where it came from."""
    out: list[Point] = []
    seen: set[str] = set()
    for c in chunks:
        context = _context(c)
        heading = c.heading
        if c.question and c.question not in c.trail:  # "Q:" sections of plain text
            heading = TRAIL_SEP.join((*c.trail, c.question))
        if _ABOUT_THE_NOTES.search(c.trail[-1] if c.trail else "") and not c.question:
            continue  # "Tips for answering", "Technical preparation": about the interview, not the project
        would = bool(_WOULD.search(context))
        units = note_units(c.text, c.line_start)
        lines = c.text.splitlines()
        for u, span in zip(units, _spans(units, c)):
            if not u.answers or _ABOUT_THE_NOTES.search(u.text) or is_instruction(u.text):
                continue  # an order to the assistant pasted in the notes is never a talking point
            for text, quote in _sayings(u, would):
                if text and MIN_WORDS <= words(text) <= MAX_WORDS and text not in seen and not is_question(text):
                    seen.add(text)
                    where = _item_span(quote, lines, c.line_start, span) if u.kind == "list" else span
                    out.append(Point(text, "", c.source, heading, where, quote, context))
    return out


_INNER_LABEL = re.compile(r"^([^:;]{2,40}):\s+(.+)$")


def _say_item(text: str, would: bool) -> str | None:
    """A bullet that is itself 'Label: a; b; c' is spoken as a list; any other as one sentence."""
    inner = _INNER_LABEL.match(text.rstrip("."))
    if inner:
        return say_list(inner[1], inner[2].split("; "), would) or say(text, would)
    return say(text, would)


def _sayings(u: Unit, would: bool) -> list[tuple[str | None, str]]:
    """A unit as sentences: a list whole when it reads as one, else runs of its bullets."""
    if u.kind != "list":
        return [(_say_item(u.text, would), u.text)]
    whole = say_list(u.label, list(u.items), would)
    if whole and words(whole) <= MAX_WORDS:
        return [(whole, u.text)]
    out: list[tuple[str | None, str]] = []
    run: list[str] = []
    for item in u.items:  # consecutive bullets joined until they make a sentence of 10+ words
        if _INNER_LABEL.match(item.rstrip(".")):
            out.append((_say_item(item, would), item))
            run = []
            continue
        run.append(item)
        text = say_list(u.label, run, would) or (say(item, would) if len(run) == 1 else None)
        if text is None:
            run = []
            continue
        if words(text) >= MIN_WORDS:
            out.append((text if words(text) <= MAX_WORDS else None, "; ".join(run)))
            run = []
    return out


def talking_points(topic: str, chunks: list[Chunk], embedder, limit: int = MAX_POINTS) -> dict:
    """The points for `topic` from `chunks` (one project's notes), one aspect per section first.

    Returns {"topic", "points": [Point...], "missing": [str...]}."""
    pool = candidates(chunks)
    if not pool:
        return {"topic": topic, "points": [], "missing": list(MISSING.values())}
    aspects = list(ASPECTS)
    contexts = sorted({p.context for p in pool})
    vec = embedder.encode([ASPECTS[a] for a in aspects] + [topic] + contexts + [p.text for p in pool])
    a_vec, t_vec = vec[: len(aspects)], vec[len(aspects)]
    c_vec = dict(zip(contexts, vec[len(aspects) + 1: len(aspects) + 1 + len(contexts)]))
    p_vec = vec[len(aspects) + 1 + len(contexts):]
    ctx = np.stack([c_vec[p.context] for p in pool])
    own_voice = np.array([0.05 if _OWN_WORDS.search(p.quote) else 0.0 for p in pool])
    on_topic = 0.2 * (p_vec @ t_vec)
    # aspect fit: mostly the section's question (what it is about), partly the point itself
    fit = 0.6 * (ctx @ a_vec.T) + 0.4 * (p_vec @ a_vec.T) + (on_topic + own_voice)[:, None]
    cue = np.array([[CUE_BONUS if CUES[a].search(p.context) else 0.0 for a in aspects] for p in pool])
    plan = np.array([[WOULD_PENALTY if " would " in p.text and a != "differently" else 0.0 for a in aspects]
                     for p in pool])
    fit = fit + cue - plan
    r = aspects.index("result")
    fit[[bool(_ACHIEVED.search(p.text)) for p in pool], r] += 0.1  # "achieves 99.9%" over "initially had 94%"
    fit[[not _METRIC.search(p.text) for p in pool], r] = -1.0

    picked: list[int] = []
    per_section: Counter = Counter()  # by (source, heading): the heading trail names the question

    def fits(i: int) -> bool:
        section = (pool[i].source, pool[i].heading)
        return per_section[section] < PER_SECTION and all(float(p_vec[i] @ p_vec[j]) < DUPLICATE for j in picked)

    def take(i: int, aspect: str) -> None:
        pool[i].aspect = aspect
        picked.append(i)
        per_section[(pool[i].source, pool[i].heading)] += 1

    # each aspect once, best (point, aspect) pairs first, so a section answers what it fits best
    todo = set(aspects)
    for flat in np.argsort(-fit, axis=None):
        i, a = divmod(int(flat), len(aspects))
        if not todo or fit[i, a] < ASPECT_MIN:
            break
        if aspects[a] in todo and i not in picked and fits(i):
            take(i, aspects[a])
            todo.discard(aspects[a])
    missing = [MISSING[a] for a in aspects if a in todo]
    # then the next best, whatever the aspect, up to the limit
    best_aspect = fit.argmax(axis=1)
    for i in np.argsort(-fit.max(axis=1)):
        if len(picked) >= max(MIN_POINTS, min(limit, len(aspects))):
            break
        if i not in picked and fit[i].max() >= ASPECT_MIN and fits(i):
            take(int(i), aspects[best_aspect[i]])
    picked.sort(key=lambda i: (aspects.index(pool[i].aspect), pool[i].lines))
    return {"topic": topic, "points": [pool[i] for i in picked], "missing": missing}


def polish(points: list[Point], complete, checker_for) -> int:
    """Let a model reword each point; keep a rewording only when it is still a first-person
    sentence of 10-35 words and the support check finds it in the note it came from.
    `complete(messages) -> str`; `checker_for(point) -> SupportChecker` over the point's note.
    Returns how many points were reworded."""
    from coach.answer.prompts import POINT_PROMPT
    from coach.text import split_sentences

    changed = 0
    for p in points:
        reply = complete(POINT_PROMPT.format_messages(context=p.context, quote=p.quote))
        first = (split_sentences(reply.strip().strip('"“”')) or [""])[0].strip('"“” ')
        if not (MIN_WORDS <= words(first) <= MAX_WORDS) or is_question(first):
            continue
        if not _OWN_WORDS.search(first) or first == p.text:
            continue
        if checker_for(p).check(first).supported:
            p.text = first
            changed += 1
    return changed
