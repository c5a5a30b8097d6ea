"""Pure: a unit of the notes -> a sentence a candidate can say out loud, in the first person.

Notes are written as fragments: verb-first bullets ("Processed 50,000 documents"), imperative
plans ("Use a validation set"), labels with lists. An interviewer hears sentences. Only the
subject and the tense change; every content word stays the notes' own, so what is said is
still what the notes say.

>>> say("Processed real PubMed data with 50,000+ documents")
'I processed real PubMed data with 50,000+ documents.'
>>> say("Use validation set for early stopping", would=True)
'I would use validation set for early stopping.'
>>> say("The system achieves 99.9% accuracy on held-out notes")
'My system achieves 99.9% accuracy on held-out notes.'
>>> say_list("Data handling", ["Split into train/val/test sets", "Monitor on validation"], would=True)
'For data handling, I would split into train/val/test sets and monitor on validation.'
>>> say("Learnable upsampling with learned patterns") is None
True
"""

from __future__ import annotations

import re
from functools import lru_cache

_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|my|My|we|We|our|Our|me)\b")
_OWN_NOUN = re.compile(r"^(?:the|this|our)\s+(system|model|project|pipeline|app|api|approach|solution|service|"
                       r"architecture|classifier|dataset|tool)\b", re.IGNORECASE)
# Labels that say what kind of line follows, not what it is about: dropped before speaking.
_META_LABEL = re.compile(r"^(?:decision|answer|your answer|result|results|note|notes|pros?|cons?|current approach|"
                         r"approach|strategy|summary|key point|key points|example|why|how|tl;?dr|bottom line|"
                         r"benefits?|advantages?|disadvantages?|limitations?|improvements?|(?:the )?challenge|(?:the )?solution|(?:the )?impact|"
                         r"(?:the )?problem|(?:the )?outcome|(?:the )?goal|expand on this|tip|remember|say|mention|best practice|"
                         r"good practice|rule of thumb)\s*:\s*", re.IGNORECASE)
_FINITE = {"is", "are", "was", "were", "has", "have", "had", "can", "could", "will", "would", "does", "did",
           "should", "may", "might", "must"}
_BEFORE_ADJECTIVE = {"with", "of", "the", "a", "an", "for", "in", "by", "and", "to", "from", "on", "at", "as", "or"}
_LEAD_IN = re.compile(r"^[^\w]+")
# Verbs that are also nouns or adjectives, yet start an order or a deed in notes ("Use X", "Cache Y").
_ACTIONS = set("""use split clean average check monitor train cache log tune process run start scale measure
profile filter return map fix track store load query search label sample benchmark review plan design document
release report update focus limit balance index rank chunk embed set work try change move swap handle build lead
need help test compare start stop add drop cut show mask freeze merge quantize prune serve host ship package
upgrade refactor rewrite write read parse clip weight version take pass feed fuse pool encode decode combine
concatenate extract""".split())
# Shorthand a candidate would not say: arrows, formulas, questions to self.
_SHORTHAND = re.compile(r"→|←|=|>>|<<|\?")
_GERUND_NOUNS = {"learning", "training", "tuning", "fine-tuning", "scaling", "pooling", "sampling", "computing",
                 "processing", "engineering", "caching", "batching", "balancing"}
_DEFINITION = re.compile(r"^(?:\S+\s+){0,6}?(?:is|are|refers to|means)\s+(?:a|an|the|one|when|how)\b", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:\d+|[a-z])[.)]\s+")
_QUOTES = "\"“”'"


@lru_cache(maxsize=4096)
def _lemmas(word: str) -> dict:
    from lemminflect import getAllLemmas

    return getAllLemmas(word.lower())


@lru_cache(maxsize=4096)
def _past(lemma: str) -> str:
    from lemminflect import getInflection

    forms = getInflection(lemma, "VBD")
    return forms[0] if forms else lemma + "ed"


def _verb_form(word: str) -> tuple[str, str] | None:
    """('past'|'base'|'third', lemma) when `word` can start a verb phrase, else None."""
    if not word.isalpha() or (word[1:] and not word[1:].islower()):
        return None  # ResNet18, LoRA, GPU: names, not verbs
    verbs = _lemmas(word).get("VERB")
    if not verbs:
        return None
    lemma, w = verbs[0], word.lower()
    if w == _past(lemma):
        return "past", lemma
    if w == lemma:
        return "base", lemma
    if w in (lemma + "s", lemma + "es", lemma[:-1] + "ies"):
        return "third", lemma
    return None


def has_verb(text: str) -> bool:
    """A clause, not a noun phrase: some word after the first is a finite verb."""
    tokens = [t.strip(".,;:()\"'“”") for t in text.split()]
    for before, w, after in zip(tokens, tokens[1:], tokens[2:] + [""]):
        lw = w.lower()
        if lw in _FINITE:
            return True
        if not w.isalpha() or not w.islower() or before.lower() in _BEFORE_ADJECTIVE:
            continue  # "with learned patterns": a participle used as an adjective
        if after.lower() in ("on", "in", "by", "with", "from"):
            continue  # "auto-scaling based on load": a participle phrase
        form = _verb_form(w)
        if form and form[0] in ("past", "third") and not _lemmas(w).get("NOUN"):
            return True
        if form and form[0] == "base" and before.endswith("s") and "NOUN" in _lemmas(before):
            return True  # "connections solve"
    return False


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if len(first) > 1 and not first[1:].islower():
        return text  # an acronym or a name keeps its case
    return text[:1].lower() + text[1:]


def _finish(text: str) -> str:
    text = " ".join(text.split()).rstrip(" ;:,-—")
    text = re.sub(r",\s*;", ",", re.sub(r"\band;\s*", "and ", text))  # bullets that ended in "," or "and"
    text = re.sub(r"\.{2}$", ".", text)
    if not text.endswith((".", "!")):
        text += "."
    return text[:1].upper() + text[1:]


def clean(text: str) -> str:
    """Leading symbols, numbering, quotes and a meta label off:
    'Decision: ResNet18 gives balance' -> 'ResNet18 gives balance'."""
    text = _LEAD_IN.sub("", text.strip().strip(_QUOTES))
    text = _META_LABEL.sub("", _NUMBERING.sub("", text)).strip()
    return text.strip(_QUOTES).strip()


def _subject_noun(first: str, rest: str) -> bool:
    """'Skip connections solve X', 'Feature scaling': a noun compound, not an order."""
    nxt = rest.split()[:2]
    if "NOUN" not in _lemmas(first) or not nxt:
        return False
    if nxt[0].endswith(("ing", "er", "or")) and len(nxt[0]) > 4:
        return True  # "Feature scaling", "Load balancer"
    if len(nxt) < 2 or not nxt[0].endswith("s"):
        return False
    form = _verb_form(nxt[1])
    return form is not None and form[0] == "base"


def _title_case(text: str) -> bool:
    ws = [w for w in text.split() if w.isalpha() and len(w) > 3]
    return len(ws) >= 2 and all(w[0].isupper() for w in ws)


def verb_phrase(text: str, would: bool = False) -> str | None:
    """A verb-first fragment as what *I* did (or would do), without the subject:
    'Processed data' -> 'processed data'; 'Use X' -> 'used X' (or 'use X' after 'would')."""
    text = clean(text)
    if not text or ":" in " ".join(text.split()[:3]):
        return None  # "Use case: ..." is a label, not an order
    first, _, rest = text.partition(" ")
    form = _verb_form(first)
    if form is None:
        return None
    kind, lemma = form
    if kind == "base" and _subject_noun(first, rest) or rest.split(" ", 1)[0].lower() in _GERUND_NOUNS:
        return None  # "Skip connections solve", "Federated learning": a noun, not a deed
    if _title_case(text) or rest[:1].isupper():
        return None  # "Feature Engineering Pipeline", "Vision Transformer": names, not orders
    if not _can_order(first, lemma):
        return None  # "Model quantization", "Low volume", "Noise in gradients": not orders
    if kind == "past" and rest.split(" ", 1)[0].lower() in ("in", "by", "as"):
        return None  # "Used in ResNet18": passive, said of something else
    if would:
        word = lemma
    elif kind == "base":
        word = _past(lemma)
    elif kind == "past":
        word = first.lower()
    else:
        return None  # "Reduces time": says what a thing does, not what I did
    return f"{word} {rest}".strip()


def say(text: str, would: bool = False) -> str | None:
    """One unit as a first-person sentence, or None when it is a noun phrase with no speaker."""
    text = clean(text)
    text = text[:-1] if text.endswith(":.") else text
    if re.search(r"\byou(?:r|rs)?\b", text, re.IGNORECASE):
        return None  # "Replace the head for your task": advice to the reader, not the candidate's deed
    if text.endswith(":") and text.startswith("I ") and len(text.split()) >= 8:
        text = text[:-1]  # "I chose Random Forest after evaluating algorithms:" says it all before the list
    if len(text.split()) < 2 or _SHORTHAND.search(text) or text.endswith(":"):
        return None  # too short, shorthand, or a lead-in to a list
    lead = _verb_form(text.split(" ", 1)[0])
    if lead and lead[0] == "third":
        return None  # "Helps model train faster": its subject is somewhere else
    if _FIRST_PERSON.search(text):
        return _finish(text)
    phrase = verb_phrase(text, would)
    if phrase:
        return _finish(("I would " if would else "I ") + phrase)
    if _OWN_NOUN.match(text):
        return _finish("My " + _OWN_NOUN.sub(lambda m: m.group(1).lower(), text, count=1))
    if _DEFINITION.match(text):
        return None  # "RAG is a method that...": knowledge, not something done in a project
    if has_verb(re.sub(r"\([^)]*\)", "", text)) and ":" not in text and ";" not in text:  # "MobileNet pros: lighter" is a note to self
        return _finish("In my project, " + _lower_first(text))
    return None


def spoken_part(item: str) -> str:
    """A bullet as said aloud: a shape or formula after its colon is for the eye, not the ear.

    >>> spoken_part("Average across 12 panels: (12, 512) → (512,)")
    'Average across 12 panels'
    """
    head, colon, tail = item.partition(":")
    if colon and _SHORTHAND.search(tail) and not _SHORTHAND.search(head) and len(head.split()) >= 2:
        return head.strip()
    return item


def say_list(label: str, items: list[str], would: bool = False) -> str | None:
    """A label with verb-first bullets as one sentence: 'For data handling, I would a, b and c.'"""
    items = [spoken_part(i) for i in items]
    if any(_SHORTHAND.search(i) for i in items):
        return None
    phrases = [verb_phrase(i, would) for i in items]
    if not items or any(p is None for p in phrases):
        return None
    if label and (has_verb(label) or _FIRST_PERSON.search(label) or re.match(r"(?i)(this|it|that|the key)\b", label)):
        label = ""  # "The key achievements include:" is a lead-in, not a topic
    lead = verb_phrase(label.rstrip(":"), would) if label else None
    if lead:  # "Used X to inspect: listed keys; compared them" -> "I used X to inspect, listed keys and ..."
        phrases, label = [lead, *phrases], ""
    phrases = [p.rstrip(".;,") for p in phrases]
    joined = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    head = clean(label.rstrip(":").strip() + ":").rstrip(":").strip() if label else ""
    subject = "I would " if would else "I "
    if head and not _META_LABEL.match(label.strip()):
        if re.match(r"(?i)(in|for|at|on|during|with|after|before|to)\b", head):
            return _finish(f"{head}, {subject}{joined}")
        return _finish(f"For {_lower_first(head)}, {subject}{joined}")
    return _finish(subject + joined)


def words(text: str) -> int:
    return len(text.split())


def order_verb(word: str) -> str | None:
    """The verb's base form when `word` starts an order or a duty ("Design", "Builds"), else None."""
    form = _verb_form(word)
    if form is None or form[0] == "past" or not _can_order(word, form[1]):
        return None
    return form[1]


def _can_order(word: str, lemma: str) -> bool:
    """A word that is also a noun or an adjective starts an order only if it is a known action
    ("Use X", "Cache Y"), not "Model quantization" or "Low volume"."""
    kinds = _lemmas(word)
    return ("NOUN" not in kinds and "ADJ" not in kinds) or lemma in _ACTIONS


def plain_word(word: str) -> bool:
    """A verb or adjective that is no noun ("Published"), so not a name ("Python", "Rust"):
    it may be lower-cased inside a sentence."""
    kinds = set(_lemmas(word))
    return bool({"VERB", "ADJ"} & kinds) and "NOUN" not in kinds and word[1:].islower()
