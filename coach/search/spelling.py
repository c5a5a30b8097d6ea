"""Misspelt question words matched to the notes' own spelling before searching.

People type fast: "overfiting", "quantizaton", "monitering". BM25 finds nothing for a word
the notes never use, and the embedder splits it into pieces that mean little. A query word is
corrected when the notes don't use it, English barely does (wordfreq's Zipf frequency under
RARE: "tunning" 1.3, "finetunig" 0; real words like "bake" 3.9 or "nulls" 1.9 are left alone),
and one of the notes' words is within one edit of it (two for words of eight letters or more;
Damerau-Levenshtein, so two swapped letters are one edit). Among equally near words the one
reached by adding or dropping letters wins ("automatd" -> "automated", not "automate"); a
tie beyond that is left uncorrected. A misspelling common enough to be in English's word lists
("stoping" 2.2, "grond" 1.6), but under COMMON, is corrected only when the word it becomes
stands beside the same neighbour in the notes: "early stoping" -> "early stopping", "grond
truth" -> "ground truth"; "bake bread" stays (bake is 3.9, and no note says "make bread").

>>> s = Speller(["overfitting", "quantization", "automated", "automate", "tuning", "running"])
>>> s.correct("how to stop overfiting"), s.correct("automatd tests"), s.correct("fine tunning")
('how to stop overfitting', 'automated tests', 'fine tuning')
>>> s.correct("can I bake bread"), s.correct("QLoRA")
('can I bake bread', 'QLoRA')
>>> s = Speller(["early", "stopping", "ground", "truth", "round"], ["Use early stopping.", "no ground truth"])
>>> s.correct("early stoping when there is no grond truth"), s.correct("a grond plan")
('early stopping when there is no ground truth', 'a grond plan')
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

MIN_LETTERS = 4  # shorter words are too often another word one edit away
LONG = 8  # from this length, two edits
RARE = 1.5  # Zipf frequency under which a word not in the notes is taken for a misspelling
COMMON = 3.0  # under this, one the notes put beside the same neighbour is taken for one too
_WORDS = re.compile(r"[A-Za-z]+")


def _english(word: str) -> float:
    from wordfreq import zipf_frequency  # loads its word list on first use only

    return zipf_frequency(word, "en")


class Speller:
    def __init__(self, vocab: Iterable[str], texts: Iterable[str] = ()):
        self.notes_words = {w for w in vocab if w.isalpha()}
        self._choices = sorted(self.notes_words)
        self._texts = texts
        self._pairs: set[tuple[str, str]] | None = None  # the notes' word pairs, read on first need

    def pairs(self) -> set[tuple[str, str]]:
        if self._pairs is None:
            self._pairs = set()
            for text in self._texts:
                words = _WORDS.findall(text.lower())
                self._pairs.update(zip(words, words[1:]))
        return self._pairs

    def correct(self, query: str) -> str:
        found = list(_WORDS.finditer(query))
        out, last = [], 0
        for k, m in enumerate(found):
            word = self._word(m.group(0))
            if word == m.group(0):
                before = found[k - 1].group(0).lower() if k else ""
                after = found[k + 1].group(0).lower() if k + 1 < len(found) else ""
                word = self._in_context(word, before, after)
            out.append(query[last : m.start()] + word)
            last = m.end()
        return "".join(out) + query[last:]

    def _in_context(self, word: str, before: str, after: str) -> str:
        """A word under COMMON that the notes don't use, as the one word within an edit of it that
        the notes put beside the same neighbour."""
        near = self._near_common(word.lower())
        if not near:
            return word
        pairs = self.pairs()
        fits = {w for w in near if (before, w) in pairs or (w, after) in pairs}
        return fits.pop() if len(fits) == 1 else word

    def _unknown(self, low: str) -> bool:
        return len(low) >= MIN_LETTERS and low not in self.notes_words

    def _near(self, low: str, limit: int) -> list[tuple[str, int]]:
        """The notes' words within `limit` edits of `low`, with their distance."""
        found = process.extract(low, self._choices, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=10)
        return [(w, d) for w, d, _ in found]

    @lru_cache(maxsize=4096)
    def _near_common(self, low: str) -> tuple[str, ...]:
        """For a word the notes don't use and English uses a little (RARE to COMMON), the notes'
        words within one edit of it; none otherwise."""
        if not self._unknown(low) or not RARE <= _english(low) < COMMON:
            return ()
        return tuple(w for w, _ in self._near(low, 1))

    @lru_cache(maxsize=4096)
    def _word(self, word: str) -> str:
        low = word.lower()
        if not self._unknown(low) or _english(low) >= RARE:
            return word
        found = self._near(low, 2 if len(low) >= LONG else 1)
        if not found:
            return word
        ranked = sorted(((d, -fuzz.ratio(low, w), w) for w, d in found))
        if len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
            return word  # two words equally near: no guess
        return ranked[0][2]
