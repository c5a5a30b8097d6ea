"""What a question asks for beyond its topic: how to measure, prevent, fix or choose.

"How do I measure a RAG system" and "what is RAG" share a topic; only the first wants the
metrics. A note section usually opens on its definition and gives the ways later, so the
composer, told the intent, says the units that give the ways (the metrics, the remedies, the
checks, the criteria) before, and instead of, the opening definition.

A unit answers an intent when it uses the intent's words (a metric's name, "prevent",
"check", "when") or, for the how-to intents, when it is an instruction ("Use ...", "I add ...").
A unit that only says what the topic is ("Overfitting is ...", "X = ...") gives no way to prevent,
fix or choose; a metric's definition ("Recall@k is the share of ...") is a way to measure.

>>> intent_of("how do i stop my model overfitting"), intent_of("numbers to track for retriever quality")
('prevent', 'measure')
>>> intent_of("what is LoRA"), intent_of("when is ridge the better pick over lasso")
(None, 'choose')
>>> answers_intent("Use dropout and early stopping.", "prevent"), answers_intent("Overfitting is memorizing.", "prevent")
(True, False)
>>> is_definition("Hallucination = confident but false information."), is_definition("Use RMSE.")
(True, False)
"""

from __future__ import annotations

import re

from coach.search.followup import asked
from coach.text import stems

# The question's words for each intent, the first that matches wins (a fix is asked as "what do I
# check" as often as "how do I fix"; measure before prevent: "how do I measure drift to avoid it").
_ASKS = (
    ("measure", re.compile(
        r"\b(?:measur\w*|evaluat\w*|assess\w*|benchmark\w*|metrics?|scor(?:e|ing)|quantif\w*|track|monitor\w*|"
        r"judge|grade|validat\w*|(?:know|tell|check|see) (?:if|whether|that)|is (?:it|\w+) (?:actually )?working|"
        r"numbers? to)\b", re.I)),
    ("fix", re.compile(
        r"\b(?:fix\w*|debug\w*|solv\w*|resolv\w*|troubleshoot\w*|diagnos\w*|speed \w+ up|speed up|make \w+ faster|"
        r"what (?:do|should|would|can) (?:i|you|we) (?:check|change|try|look at)|improv\w*|optimi[sz]\w*)\b", re.I)),
    ("prevent", re.compile(
        r"\b(?:prevent\w*|avoid\w*|stop\w*|mitigat\w*|reduc\w*|cut (?:down|back)|lower\w*|handl\w*|deal with|"
        r"guard\w*|protect\w*|keep (?:\w+ ){1,3}from|combat\w*|get around|overcome|minimi[sz]\w*|counter\w*)\b", re.I)),
    ("choose", re.compile(
        r"\b(?:choos\w*|chose|pick\w*|select\w*|decid\w*|which (?:one|is better|should|to)|when (?:to|should|is|would|do)|"
        r"better (?:choice|option|pick)|prefer\w*)\b", re.I)),
)

# The words of a unit that gives the ways, per intent (stems, so any inflection counts).
_GIVES = {
    "measure": stems(
        "measure metric metrics evaluate evaluation score recall precision accuracy f1 mrr ndcg auc roc bleu rouge "
        "bertscore perplexity latency throughput loss error rmse mae monitor track test tested benchmark compare "
        "validation held-out rate ratio percentage faithfulness satisfaction human ratings"),
    "prevent": stems(
        "prevent prevents avoid avoids mitigate mitigation reduce reduces regularization regularize penalty dropout "
        "early stopping augmentation limit clip clipping validate validation separate filter filtering guard "
        "strategy strategies technique techniques solution solutions fix preserve freeze frozen keep"),
    "fix": stems(
        "fix fixes check checks verify inspect debug debugging compare log logging test try solution solutions "
        "cause causes step steps retrain collect standardize add reduce increase replace quantize quantization "
        "distillation prune pruning cache caching batch batching optimize optimization"),
    "choose": stems(
        "choose chose chosen pick select prefer preferred better best when if depends depending suited suitable "
        "use because tradeoff tradeoffs pros cons instead rather"),
}
_HOW_TO = {"prevent", "fix"}
MAX_WAYS = 3
# An instruction: "Use X", "Add Y", "I use X", "We add Y" (the ways, said as steps).
_INSTRUCTION = re.compile(
    r"^(?:\d+[.)]\s*)?(?:(?:i|we)\s+(?:\w+ly\s+)?)?(?:use|add|apply|check|monitor|collect|test|verify|inspect|"
    r"compare|separate|validate|reduce|increase|limit|clip|freeze|filter|retrain|train|log|cache|batch|"
    r"standardi[sz]e|normali[sz]e|quantiz\w*|prune|distill|replace|remove|avoid|keep|respect|review|flag|"
    r"reject|warn|set|tune|split|stratify|oversample|undersample|impute)\b", re.I)
_DEFINITION = re.compile(
    r"^[^.:;]{1,60}?\s(?:is|are|means|refers to|happens when|occurs when|describes)\s|^[^=:]{1,40}\s=\s", re.I)


def intent_of(question: str) -> str | None:
    """'measure', 'fix', 'prevent', 'choose' or None (the question asks what something is). A
    follow-up's "(about: ...)" names the topic, not what is asked of it.

    >>> intent_of("how did I check it was not overfitting? (about: pick lora for the medical chatbot)")
    """
    question = asked(question)
    for name, asks in _ASKS:
        if asks.search(question):
            return name
    return None


def answers_intent(text: str, intent: str) -> bool:
    """Does this unit give a way to do what is asked (a metric, a remedy, a check, a criterion)?"""
    return ways_in(text, intent) > 0


def ways_in(text: str, intent: str) -> int:
    """How strongly a unit gives the ways: its words of the intent (at most MAX_WAYS), an
    instruction counting as two; 0 for a unit that gives none.

    >>> ways_in("For the retriever: Recall@k; Precision; MRR.", "measure"), ways_in("RAG has two parts.", "measure")
    (3, 0)
    """
    if is_definition(text) and intent != "measure":  # "Recall@k is the share of ..." is a way to measure
        return 0
    n = len(stems(text) & _GIVES[intent])
    if intent in _HOW_TO and _INSTRUCTION.match(text.strip()):
        n += 2
    return min(n, MAX_WAYS)


def is_definition(text: str) -> bool:
    """A unit that says what a thing is, and nothing of how to do anything with it."""
    return bool(_DEFINITION.match(text.strip()))
