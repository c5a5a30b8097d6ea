"""Does a sentence restate *this* note unit, and nothing else? The per-unit check.

A model's sentence is held to the one unit it restates (a sentence of the notes, a list item, a
label with its bullets, a table row with its column names), which is far stricter than asking
whether something in the passages is close to it:
- every content word is the unit's, or in a small closed set of words that add no fact;
- every name, acronym and number is the unit's (for a list or a row: the item's own);
- each clause of the sentence stays inside one part of the unit (one bullet, one cell, one
  clause), so two columns of a table are never merged into one claim;
- the subject is the unit's: one of its first words, its label, or the heading when the unit
  itself only points at it ("It ...", "Why it helps: ...");
- a negation is neither added nor dropped: what the unit negates stays negated, and nothing
  else is;
- it is a plain sentence: no question, no lead-in left hanging, no markdown or LaTeX.

`restates` returns None when the sentence passes, else the reason (for the draft and for tests).

>>> from coach.answer.units import note_units
>>> zero = note_units("ZeRO splits these states across GPUs:\\n- ZeRO-1: partition optimizer states.\\n"
...                   "- ZeRO-3: partition model parameters themselves.\\n")[0]
>>> restates("ZeRO-1 partitions optimizer states.", zero) is None
True
>>> restates("ZeRO-1 partitions the model parameters.", zero)
'joins two parts of the note'
>>> restates("ZeRO-1 partitions optimizer states and model parameters.", zero)
'joins two parts of the note'
>>> ln = note_units("- LayerNorm (used in Transformers) normalizes across features, not batch.")[0]
>>> restates("LayerNorm normalizes across the batch, not features.", ln)
'adds or drops a negation of the note'
"""

from __future__ import annotations

import re

from coach.text import clauses, novel_terms, stem_list, stems, strip_citations, strip_markup

SUBJECT_SPAN = 6  # a subject stands among the first content words of its sentence
# Words a restatement may add: they connect or hedge, they state no fact.
OWN_WORDS = frozenset(stem_list("also instead rather even still just then usually typically mainly mostly example eg "
                                "mean means include includes involve involves lead leads leading times use using "
                                "allow allows imply implies indicate indicates occur occurs happen happens "
                                "technique method approach"))
# ("=", "→", "⇒", "×", "X: a; b" and "Use X" said out loud; "X is a technique that ...", "X occurs when ...")
_NEGATOR = re.compile(r"\b(?:not|no|never|without|cannot|nor|none|neither)\b|n't\b", re.I)
_NEGATOR_STEMS = frozenset(stem_list("never without cannot nor none neither"))
_POINTER = re.compile(r"^(?:it|its|they|their|this|these|that|those|both|why it|how it|what it)\b", re.I)
_DEBRIS = re.compile(r"\*\*|^(?:#|\||>|\d+[.)]\s|[-*+•]\s)|\$(?!\d)|\\[a-zA-Z]+\{?")  # "$2k" is money, "$x$" LaTeX
_POLARITY = frozenset(stem_list("false true high low higher lower"))
_OWN_LABEL = re.compile(r"^[^:;]{1,40}:\s")
_TERM_CHARS = re.compile(r"[\w.%]")  # what may stand before a term inside a longer one
_TERM_AFTER = re.compile(r"\w|[.,]\d")  # what may follow a term inside a longer one
_EXAMPLE = re.compile(r"^(?:examples?|e\.g\.|for example|for instance|such as)\b", re.I)
_PIECE = re.compile(r"(?:,\s+|(?<=[.!?])\s+)(?![^()]*\))")  # commas and sentence ends outside brackets
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<![0-9]\.)(?<=[.!?])\s+|;\s+|\n+")


def is_prose(text: str) -> bool:
    """A sentence fit to be said as part of an answer: not a question, not a lead-in left
    hanging, no markdown or LaTeX debris.

    >>> [is_prose(t) for t in ["LoRA is cheap [1].", "Why does QLoRA matter?", "3. **Modular Adapters**:",
    ...                        "Here's what they have in common:", "The loss is $x^2$."]]
    [True, False, False, False, False]
    """
    plain = strip_citations(text).strip()
    return bool(plain) and not plain.endswith(("?", ":")) and not _DEBRIS.search(plain)


def missing_terms(text: str, haystack: str) -> list[str]:
    """Names and numbers of `text` that `haystack` does not hold as whole words: "1" is not
    in "10–100", "8" is not in "24–48 GB".

    >>> missing_terms("ZeRO-1 trains 8 GB models", "ZeRO-3 on 24–48 GB; 10–100x")
    ['1', '8']
    """
    hay = haystack.lower()
    out = []
    for term in novel_terms(text, ""):
        t = term.lower().rstrip(".,")
        found = any((k == 0 or not _TERM_CHARS.match(hay[k - 1])) and not _TERM_AFTER.match(hay, k + len(t))
                    for k in (m.start() for m in re.finditer(re.escape(t), hay)))
        if not found:
            out.append(term)
    return out


def subject_heads(sentence: str, after_label: int = 2) -> set[str]:
    """Where a subject stands: an own label ("Data parallelism: ...") and the first words after
    it, else the first content words."""
    m = _OWN_LABEL.match(sentence)
    if m:
        return stems(m.group(0)) | set(stem_list(sentence[m.end():])[:after_label])
    return set(stem_list(sentence)[:SUBJECT_SPAN])


def _windows(part: str) -> list[tuple[str, set[str], set[str]]]:
    """A part's sentences and sub-bullets, each with the words that may be its subject: its own,
    the part's opening subject ("Mean imputation (fast); Works best for MCAR"), and the sentence
    before when it opens on a pronoun ("... adds squared weights. It's effective when ...").
    A sentence followed by its example is one window. Each comes with the subject's possible
    words and the whole opening phrase of the part, which a clause may also use
    ("Mean, median or mode imputation works best for MCAR")."""
    sents = [x.strip() for x in _SENTENCE_END.split(part) if x and x.strip()] or [part]
    opening, phrase = subject_heads(sents[0]), subject_heads(sents[0], SUBJECT_SPAN)
    out, before = [], set()
    for a, b in zip(sents, sents[1:] + [""]):
        heads = subject_heads(a) | opening | (before if _POINTER.match(a) else set())
        out.append((f"{a} {b}" if _EXAMPLE.match(b) else a, heads, heads | phrase))
        before = subject_heads(a)
    return out


def _in_order(words: list[str], part: list[str]) -> bool:
    """The clause says its words in the part's order (each word taken at its occurrence nearest
    after the one before; more than a third of its steps going back means roles were swapped:
    "bagging to reduce bias and boosting to reduce variance" against the reverse), and its
    subject comes before what it says of it."""
    pos, back, steps = -1, 0, 0
    for w in words:
        places = [k for k, p in enumerate(part) if p == w]
        if not places:
            continue
        after = [k for k in places if k > pos]
        nxt = after[0] if after else places[0]
        if pos >= 0:
            steps += 1
            back += nxt < pos
        pos = nxt
    if back and back * 3 > steps:
        return False
    if words[0] not in part:
        return True
    start = part.index(words[0])
    said = sorted(min((k for k, p in enumerate(part) if p == w), key=lambda k: (k < start, k))
                  for w in words[1:] if w in part)
    return not (said and start > said[len(said) // 2])


def _compounds_kept(words: list[str], part: list[str]) -> bool:
    """A polarity word keeps its noun: "false positives" is not in a part that only ever says
    "false negatives" (and "positives" elsewhere); likewise true, high, low."""
    for a, b in zip(words, words[1:]):
        if a not in _POLARITY:
            continue
        at = [k for k, w in enumerate(part) if w == a]
        if at and b in part and not any(b in part[k + 1:k + 3] for k in at):
            return False
    return True


def negated(text: str) -> set[str]:
    """Stems a negation applies to: the next two content words after each negator.

    >>> sorted(negated("It normalizes across features, not batch; it never uses labels."))
    ['batch', 'label', 'use']
    """
    out: set[str] = set()
    for m in _NEGATOR.finditer(text):
        out |= set([w for w in stem_list(text[m.end():]) if w not in _NEGATOR_STEMS][:2])
    return out




def negation_changed(text: str, words: list[str], said: str) -> bool:
    """`text` (with content stems `words`) negates what `said` does not, or says a word `said`
    negates without negating it."""
    return bool(negated(text) - negated(said) or (negated(said) & set(words)) - negated(text))


def restates(sentence: str, unit, heading: str = "") -> str | None:
    """None when `sentence` says only what `unit` says; otherwise why not."""
    plain = strip_markup(strip_citations(sentence))
    if same_words(plain, unit.text):
        return None  # a note restates itself, lead-in, table row and all
    if not is_prose(sentence):
        return "not a plain sentence"
    # sentence by sentence, then clause by clause: "Fail-Safe Design: the system degrades to manual
    # review. No automated actions without oversight." says two bullets, each in its own sentence
    said = [c for sent in _SENTENCE_END.split(plain) if sent and sent.strip() for c in clauses(sent.strip())]
    if not said:
        return "says nothing"
    note = _Note(unit, heading, plain)
    used = None  # the part (a row's cell) the first clause came from
    for k, (text, words) in enumerate(said):
        extra = [w for w in words if w not in note.own and w not in OWN_WORDS
                 and not (k == 0 and note.points and w in note.heading_stems)]
        if extra:
            return "adds words the note does not have: " + ", ".join(sorted(set(extra)))
        fits, why = note.fits(k, text, words)
        if not fits:
            return why
        if unit.kind == "row" and all(f >= 0 and len(set(words) - stems(note.parts[f].split(":")[0])) < 2 for f in fits):
            return "a table cell without what it describes"  # "Prompt Tuning: Lower" (lower what?)
        if unit.kind == "row" and k > 0 and used is not None and used not in fits and not any(
                f >= 0 and stems(note.parts[f].split(":")[0]) <= set(words) for f in fits):
            return "joins two columns of the table"  # unless the clause names its column
        used = fits[0] if used is None else used
    if negated(plain) - negated(note.body):
        return "adds or drops a negation of the note"
    return None


def same_words(a: str, b: str) -> bool:
    """The same text once markup, case, spacing and the closing stop are set aside."""
    def norm(t: str) -> str:
        return " ".join(strip_markup(t).lower().split()).rstrip(" .;:")

    return norm(a) == norm(b)


class _Note:
    """One unit as the check reads it: its words, label, parts (bullets or cells) and heading."""

    def __init__(self, unit, heading: str, plain: str):
        self.unit, self.heading = unit, heading
        self.body, self.label = strip_markup(unit.text), strip_markup(unit.label)
        self.own, self.label_stems = stems(self.body), stems(self.label)
        self.parts = [strip_markup(p) for p in unit.items] or [self.body]  # a list's items, a row's cells
        self.points = bool(_POINTER.match(self.label or self.body))
        self.heading_stems = stems(heading) if self.points else set()
        # "Both ...", "Use ...": the sentence opens as the note does
        self.same_opening = plain.split()[0].lower() == (self.label or self.body).split()[0].lower()

    def fits(self, k: int, text: str, words: list[str]) -> tuple[list[int], str]:
        """The parts clause `k` restates, or none and why."""
        subject, rest = words[0], [w for w in words[1:] if w not in OWN_WORDS]
        terms = novel_terms(text, "")  # every name and number of the clause
        fits, held, negation, subject_seen = [], False, False, False
        for n, part in enumerate(self.parts):
            for window, heads, phrase in _windows(part):
                heads = heads | self.label_stems | self.heading_stems
                window_words = stems(window)
                if k == 0 and subject not in heads and not self.same_opening:
                    continue
                if k > 0 and subject not in window_words | heads and subject in self.own:
                    continue
                subject_seen = True
                if not set(rest) <= window_words | heads | phrase:
                    continue
                held = True
                if terms and missing_terms(text, f"{self.label} {part} {self.heading if self.points else ''}"):
                    continue
                if not _in_order(words, stem_list(f"{self.label} {window}")) or not _compounds_kept(
                        words, stem_list(window)):
                    continue
                said = f"{self.label} {window}"
                if negation_changed(text, words, said):
                    negation = True
                    continue
                fits.append(n)
                break
        # a clause that enumerates several bullets under their label ("Full fine-tuning is
        # expensive, slow and risky"); a name or number binds a clause to its own bullet, and a
        # table's cells never enumerate
        if not fits and not negation and len(self.parts) > 1 and self.unit.kind != "row":
            fits = self._enumerated(k, text)
        # a few bare words that name bullets ("expensive, slow and risky"): in any order, but a
        # piece that says something of its own (a verb and its object) must sit in its bullet
        if (not fits and not held and not terms and len(self.parts) > 1 and self.unit.kind != "row"
                and (subject in self.label_stems or k > 0) and set(rest) <= self.own
                and all(len(stem_list(p)) <= 2 for p in _PIECE.split(text)[1:])):
            fits = [-1]
        if fits:
            return fits, ""
        if negation:
            return [], "adds or drops a negation of the note"
        if k == 0 and not subject_seen:
            return [], "another subject"
        return [], "joins two parts of the note" if len(self.parts) > 1 else "not what the note says of it"

    def _enumerated(self, k: int, text: str) -> list[int]:
        """A clause that says several bullets in a row, each comma-separated piece inside one
        bullet with its own names and numbers ("LoRA's solution freezes the original model, adds
        small adapter matrices that are trained"); the first piece keeps the clause's subject."""
        pieces = [p for p in _PIECE.split(text) if stem_list(p)]
        if len(pieces) < 2:
            return []
        at, out = 0, []
        for j, piece in enumerate(pieces):
            words = stem_list(piece)
            if j == 0 and k == 0:
                words = [w for w in words if w not in self.label_stems] or words[1:]
            words = [w for w in words if w not in OWN_WORDS]
            for n in range(at, len(self.parts)):
                part = self.parts[n]
                if (set(words) <= stems(part) | self.label_stems and not missing_terms(piece, f"{self.label} {part}")
                        and not negation_changed(piece, words, part)):
                    out.append(n)
                    at = n
                    break
            else:
                return []
        return out
