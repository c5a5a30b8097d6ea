"""Pure: the STAR check for behavioural answers — situation, task, action, result found or missing.

Interviewers score a behavioural answer ("Tell me about a time...") by whether it sets the scene,
says what you had to do, what *you* did, and what came of it. The check looks for each part's
usual wording; it tells the candidate what is missing, it does not grade.

>>> is_behavioural("Tell me about a challenging technical problem you faced in this project.")
True
>>> is_behavioural("What is batch normalization?")
False
>>> star("In my last project the API was slow. I needed to cut latency. I added caching. Latency dropped 40%.")
{'situation': True, 'task': True, 'action': True, 'result': True}
>>> star("I added caching.")["result"]
False
>>> story_times([("At my last job the API was slow.", 0, 6), ("It served ten teams.", 6, 9),
...              ("I needed to cut latency.", 9, 12), ("I added caching.", 12, 30), ("Latency dropped 40%.", 30, 34)])
{'situation': 9.0, 'task': 3.0, 'action': 18.0, 'result': 4.0}
"""

from __future__ import annotations

import re

BEHAVIOURAL = re.compile(
    r"tell me about a (?:time|situation|challeng|difficult|mistake|conflict|project where)|describe a (?:time|situation)|"
    r"give (?:me )?an example|challeng\w* (?:you|problem you) faced|biggest (?:challenge|struggle|mistake)|"
    r"a time (?:when|you)|conflict|disagree|mistake you|failure|stakeholder|how did you handle", re.IGNORECASE)

PARTS: dict[str, re.Pattern] = {
    "situation": re.compile(
        r"\b(?:when|while|at (?:my|our|the)|in (?:my|our) (?:[\w-]+ ){0,3}(?:project|role|job|team|company|internship)|"
        r"we were|the situation|the project|background|initially|originally|our team|the team)\b", re.IGNORECASE),
    "task": re.compile(
        r"\b(?:my (?:task|goal|job|role|responsibility)|i (?:needed|had|was asked|was responsible|wanted) to|"
        r"the goal was|needed to|had to|aim(?:ed)? to|was to)\b", re.IGNORECASE),
    "action": re.compile(
        r"\b(?:I|we) (?:\w+ed|built|made|wrote|led|ran|chose|took|set|found|drove|put|began|did|split|cut|rewrote|"
        r"brought|sought|taught|got|kept|spent)\b"),
    "result": re.compile(
        r"\b(?:as a result|result(?:ed|s)?|outcome|reduced|improved|increased|dropped|cut|saved|led to|so that|"
        r"which meant|achiev\w*|in the end|finally|shipped|launched)\b|\d+(?:\.\d+)?\s*(?:%|x\b)", re.IGNORECASE),
}
ADVICE = {
    "situation": "set the scene: where and when (the project, the team)",
    "task": "say what you had to achieve",
    "action": "say what you did yourself: \"I ...\"",
    "result": "end with the outcome, ideally a number",
}


def is_behavioural(question: str) -> bool:
    return bool(BEHAVIOURAL.search(question))


def star(answer: str) -> dict[str, bool]:
    return {part: bool(p.search(answer)) for part, p in PARTS.items()}


def advice(found: dict[str, bool]) -> list[str]:
    return [f"{part.capitalize()} missing — {ADVICE[part]}." for part, ok in found.items() if not ok]


def story_times(sentences: list[tuple[str, float, float]]) -> dict[str, float]:
    """Seconds spent on each STAR part of a spoken story. A story moves forward: a sentence belongs
    to the first part, from the one being told on, whose wording it has (a result's "we were" is
    not a new situation); a sentence with none goes on with the part before it."""
    order = list(PARTS)
    times = {part: 0.0 for part in order}
    current = 0
    for text, start, end in sentences:
        opened = [n for n, part in enumerate(order) if n >= current and PARTS[part].search(text)]
        if opened:
            current = opened[0]
        times[order[current]] += float(end - start)
    return {part: round(t, 1) for part, t in times.items()}
