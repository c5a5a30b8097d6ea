"""Draw sections of the notes at random and print their answer text without headings, to write
retrieval questions from: `python -m bench.draw_sections [--seed N] [--per-file N] [--big N]`.

This is how tests/data/fresh_questions.jsonl was made (seed 20261207, 9 pieces per file and 40
from the large 004 file): each printed piece `#i` got one question (id n<i>), in the style
STYLES[i % 5], tune half when i is even, report half when odd, both fixed by the draw before
any question was written or any method changed; #18, #47 and #74 (a banner, a table of contents,
a file's introduction) had nothing to ask about and got none. Headings are left out so a
question is written from what the note says, in a user's words, not from the title a search
already matches.

tests/data/fresh2_questions.jsonl was made the same way (`--seed 20261208 --per-file 7 --big 32`,
60 pieces, ids m<i>), after this round's methods were fixed; no method was chosen on it.
tests/data/fresh3_questions.jsonl too (`--seed 20261209 --per-file 7 --big 32`, ids p<i>; 58
questions: #5 is a table of contents, and the draw printed no #56), after the soft match was
fixed, to check it on questions nobody had written when it was chosen.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from coach.notes.chunking import _HEADING, split_text
from coach.notes.documents import read_document

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
STYLES = ["terse", "typo", "rambling", "first_person", "paraphrase"]
BIG = "004_c435e3b4ff183602.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--per-file", type=int, default=9, help="pieces drawn from each file")
    ap.add_argument("--big", type=int, default=40, help=f"pieces drawn from {BIG}")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    by_file: dict[str, list] = {}
    for f in sorted(args.corpus.iterdir()):
        doc = read_document(f, args.corpus, 10_000_000)
        by_file[f.name] = split_text(doc.text, f.name)
    rng = random.Random(args.seed)
    picked = []
    for name, chunks in by_file.items():
        picked += rng.sample(chunks, min(len(chunks), args.big if name == BIG else args.per_file))
    rng.shuffle(picked)
    for i, c in enumerate(picked):
        body = "\n".join(line for line in c.page_content.splitlines() if not _HEADING.match(line)).strip()
        if len(body) < 120:
            continue  # a banner or a heading's stub: nothing to ask about
        half = "tune" if i % 2 == 0 else "report"
        print(f"=== #{i} {STYLES[i % 5]} {half} {c.metadata['source']} L{c.metadata['line_start']}-{c.metadata['line_end']}")
        print(body[:900])


if __name__ == "__main__":
    main()
