"""Prepare for a job posting: its requirements matched to your notes, and the questions to drill.

A posting is read with its structure: the lines under "Requirements", "Responsibilities",
"Qualifications" (and the like) are the requirements; "About us", "Benefits" and the rest are
not. Each requirement is searched in the notes: covered when the notes hold a passage on it (the
same rule as answering a question), with a talking point from that passage; otherwise a gap.
The questions come first from the notes (those near a covered requirement), then one per gap.

>>> requirements("## About us\\nWe sell shoes.\\n## Requirements\\n- 3+ years of Python\\n- Experience with Docker")
['3+ years of Python', 'Experience with Docker']
>>> gap_question("Experience with Kubernetes and Helm")
'What is your experience with Kubernetes and Helm?'
>>> gap_question("Design and deploy RAG pipelines")
'How would you design and deploy RAG pipelines?'
>>> gap_question("You will build retrieval systems"), gap_question("Knowledge of Rust is a plus")
('How would you build retrieval systems?', 'What is your experience with Rust?')
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from coach.errors import UsageError
from coach.practice.speech import clean, order_verb, plain_word
from coach.text import novel_terms, split_sentences, stems

MAX_CHARS = 50_000
MAX_REQUIREMENTS = 25
MAX_QUESTIONS = 20
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+(.+?)\s*#*\s*$|\*\*(.+?)\*\*:?\s*$|([A-Z][^.!?]{2,60}):\s*$)")
_WANTED = re.compile(r"requirement|qualification|responsibilit|what you.?ll (?:do|bring|need)|skills|must.have|"
                     r"nice.to.have|you have|you will|about you|experience|what we.?re looking|who you are|the role|"
                     r"bonus|preferred|tech stack|your impact", re.IGNORECASE)
_UNWANTED = re.compile(r"about (?:us|the company)|benefit|perk|salary|compensation|equal opportunit|how to apply|"
                       r"why join|our culture|location|what we offer", re.IGNORECASE)
_JOB_WORDS = re.compile(r"\b(?:experience|skills?|requirements?|responsibilit\w+|qualifications?|role|team|"
                        r"you will|we are looking|candidate|proficien\w+|knowledge of|familiarity)\b", re.IGNORECASE)
# Words every posting uses: they say nothing about what the notes must hold.
_GENERIC = stems("experience years strong knowledge familiarity proficiency skills ability solid proven good "
                 "excellent understanding working hands-on plus bonus preferred required")
_ASKS = re.compile(r"\b(?:experience (?:with|in)|knowledge of|familiar\w* with|proficien\w+|you will|you'll|"
                   r"responsib\w+|ability to|skills? in|expertise in|degree in|must have|we expect)\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+(.*)$")
_NP_LEAD = re.compile(r"^(?:(?:strong|solid|proven|deep|hands-on|good|excellent|practical|working)\s+)*"
                      r"(?:experience|proficiency|knowledge|familiarity|expertise|background|understanding|skills?)\s+"
                      r"(?:(?:with|in|of|using)\s+|(?=\w+ing\b))", re.IGNORECASE)


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading, lines) in order; text before any heading has the heading ''."""
    out: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m and not _BULLET.match(line):
            out.append((next(g for g in m.groups() if g), []))
        else:
            out[-1][1].append(line)
    return out


def requirements(posting: str) -> list[str]:
    """The requirement and responsibility lines of a posting: bullets under a wanted heading
    (or every bullet when the posting has no such heading), never company blurb or benefits."""
    sections = _sections(posting)
    wanted = [s for s in sections if _WANTED.search(s[0]) and not _UNWANTED.search(s[0])]
    pool = wanted or [s for s in sections if not _UNWANTED.search(s[0])]
    out: list[str] = []

    def add(raw: str) -> None:
        text = " ".join(clean(raw).split()).rstrip(".;")
        if len(text.split()) >= 2 and text.lower() not in (o.lower() for o in out):
            out.append(text)

    for _, lines in pool:
        for line in lines:
            m = _BULLET.match(line)
            if m:
                add(m.group(1))
    if len(out) < 2:  # a posting written as prose: its sentences that ask for something
        prose = " ".join(line for _, lines in pool for line in lines)
        for sentence in split_sentences(prose):
            if _ASKS.search(sentence) and len(sentence.split()) <= 40:
                add(sentence)
    return out[:MAX_REQUIREMENTS]


def gap_question(requirement: str) -> str:
    """The question an interviewer asks about a requirement the notes don't cover."""
    text = re.sub(r"^(?:you will|you'll|you would|you)\s+", "", requirement.rstrip(".;"), flags=re.IGNORECASE)
    text = re.sub(r"\s+(?:is|are)\s+(?:required|a plus|a bonus|preferred|essential|expected)$", "", text,
                  flags=re.IGNORECASE)
    first, _, rest = text.partition(" ")
    word = first.strip(",;:")
    verb = order_verb(word.rsplit("-", 1)[-1])  # "Fine-tune" is a verb as "tune" is
    if verb and rest:
        lead = word.lower() if "-" in word else verb
        return f"How would you {lead}{first[len(word):]} {rest}?"
    subject = re.sub(r"^\d+\+?\s*years?\s+(?:of\s+)?", "", text, flags=re.IGNORECASE)
    subject = _NP_LEAD.sub("", subject)
    if plain_word(subject.split(" ", 1)[0]):
        subject = subject[:1].lower() + subject[1:]  # "Published research", not a name like "Python"
    return f"What is your experience with {subject}?"


def read_posting(path: Path, max_file_bytes: int) -> str:
    """A posting's text from its file, read like the notes (encodings, PDF, Word, HTML); a one-line
    UsageError when it cannot be used. A plain-text file far over a posting's size is refused by
    its size, before it is read; a PDF or Word file may be as large as a note (COACH_MAX_FILE_MB)."""
    from coach.notes.documents import TEXT_SUFFIXES, Skipped, read_document

    if not path.is_file():
        raise UsageError(f"No file {path} — pass the job description's file, or - and paste it on stdin.")
    size = path.stat().st_size
    if path.suffix.lower() in TEXT_SUFFIXES and size > 4 * MAX_CHARS:
        raise UsageError(f"{path} is {size / 1e6:.1f} MB; a job description is under {MAX_CHARS // 1000} KB — "
                         "save only the posting's text in the file.")
    doc = read_document(path, path.parent, max_file_bytes)
    if isinstance(doc, Skipped):
        raise UsageError(f"{path} cannot be read: {doc.reason}.")
    return doc.text


def check_posting(posting: str) -> list[str]:
    """The requirements, or a one-line UsageError saying why this text can't be used."""
    text = (posting or "").strip()
    if not text:
        raise UsageError("The job posting is empty — paste the job description, or pass its file: coach prep job.md.")
    if len(text) > MAX_CHARS:
        raise UsageError(f"The posting is {len(text) // 1000} KB; a job description is under {MAX_CHARS // 1000} KB — "
                         "paste only the posting's text.")
    reqs = requirements(text)
    if len(reqs) < 2 or len(_JOB_WORDS.findall(text)) < 2:
        raise UsageError("This does not look like a job description (no list of requirements or responsibilities "
                         "found) — paste the posting with its bullet points.")
    return reqs


_LESSER = re.compile(r",?\s+and\s+(?=(?:to\s+)?[a-z]+\b(?:\s+(?:them|it|the|a|an|their|your|models?|results?)\b))|;\s+")


def parts(requirement: str) -> tuple[str, list[str]]:
    """A requirement's main subject and its lesser parts (the clauses joined on after it):
    a posting lists the duty first, then what goes with it.

    >>> parts("Fine-tune open LLMs with methods such as LoRA and QLoRA, and evaluate them against baselines")
    ('Fine-tune open LLMs with methods such as LoRA and QLoRA', ['evaluate them against baselines'])
    >>> parts("Experience with Kubernetes and Helm")
    ('Experience with Kubernetes and Helm', [])
    """
    main, *rest = [p.strip() for p in _LESSER.split(requirement) if p.strip()]
    if len(main.split()) < 4:  # "Build and evaluate models": one duty said with two verbs
        return requirement, []
    return main, rest


def named_in(requirement: str, passages: list[str]) -> bool:
    """The stricter half of "covered" for a requirement: every name it asks for (Terraform,
    Spark, HIPAA) is in the passages (a plural as its singular: "LLMs" by "LLM"), and at least
    half of its content words are.

    >>> named_in("Experience with Spark", ["We used Hadoop for big data."])
    False
    >>> named_in("Serve open LLMs", ["How to serve an open LLM cheaply"])
    True
    """
    text = " ".join(passages)
    lower = text.lower()
    if [t for t in novel_terms(requirement, text) if not (t.endswith("s") and t[:-1].lower() in lower)]:
        return False
    want = stems(requirement) - _GENERIC
    return not want or len(want & stems(text)) / len(want) >= 0.5


@dataclass
class Requirement:
    text: str
    covered: bool
    passages: list[dict] = field(default_factory=list)  # {"source", "heading"}
    point: str | None = None
    to_add: list[str] = field(default_factory=list)  # lesser parts the notes don't cover


@dataclass
class Prep:
    name: str
    requirements: list[Requirement]
    questions: list[dict]  # {"question", "source", "id"}: source and id None for a gap's question
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def as_json(self) -> dict:
        return {
            "requirements": [asdict(r) for r in self.requirements],
            "questions": [{"question": q["question"], "source": q["source"]} for q in self.questions],
        }

    def question_ids(self) -> list[str]:
        return [q["id"] for q in self.questions if q.get("id")]


# A requirement is covered by a section about it: judged on the sections' headings and openings
# (not one of their lines, which often name a tool in passing: "Different PyTorch versions" is
# no experience of PyTorch in production), at the threshold questions were held to before
# lines were searched.
ON_TOPIC = 0.35


def prepare(name: str, texts: list[str], search, covers, questions: list, embedder) -> Prep:
    """Each requirement searched in the notes (`search(text) -> hits`): covered when `covers(hits)`
    and the passages name what it names, with a talking point from them; then the questions, the
    notes' own first (at most two per requirement, one per matching section), one per gap last,
    near-duplicates dropped."""
    from coach.practice.points import candidates

    by_section: dict[tuple[str, str], list] = {}
    for q in questions:
        by_section.setdefault((q.source, q.heading), []).append(q)
    reqs, from_notes, gaps, seen = [], [], [], set()
    def holds(part: str) -> tuple[bool, list]:
        hits = search(part)
        return covers(hits) and named_in(part, [h.chunk.text for h in hits]), hits

    for text in texts:
        main, lesser = parts(text)  # covered by its main subject; a lesser part missing is named, not a gap
        ok, hits = holds(main)
        if not ok:
            reqs.append(Requirement(text, False))
            gaps.append({"question": gap_question(text), "source": None, "id": None})
            continue
        top = hits[:3]
        to_add, also = [], []
        for part in lesser:
            held, part_hits = holds(part)
            if held:
                also.extend(part_hits[:3])
            else:
                to_add.append(part)
        # the point from the main subject's passages, else from a lesser part's ("monitor them for drift")
        pool = candidates([h.chunk for h in top]) or candidates([h.chunk for h in also])
        reqs.append(Requirement(text, True, [{"source": h.chunk.source, "heading": h.chunk.heading} for h in top],
                                _point(text, pool, embedder), to_add))
        for h in top:  # the notes' own questions on this requirement, at most two
            for q in by_section.get((h.chunk.source, h.chunk.heading), [])[:1]:
                if q.id not in seen and sum(1 for x in from_notes if x["req"] == text) < 2:
                    seen.add(q.id)
                    from_notes.append({"question": q.question, "source": q.source, "id": q.id, "req": text})
    room = max(MAX_QUESTIONS - len(gaps), MAX_QUESTIONS // 2)  # every gap keeps its question
    asked = [{k: v for k, v in q.items() if k != "req"} for q in from_notes[:room]] + gaps
    if asked:  # the notes often ask one thing twice in other words
        vecs = embedder.encode([q["question"] for q in asked])
        asked = [q for i, q in enumerate(asked) if all(float(vecs[i] @ vecs[j]) < 0.9 for j in range(i))]
    return Prep(name, reqs, asked[:MAX_QUESTIONS])


def _point(text: str, pool: list, embedder) -> str | None:
    """The talking point for a requirement: on it, in a section about it, the candidate's own
    "I ..." first."""
    if not pool:
        return None
    vecs = embedder.encode([text] + [p.text for p in pool] + [p.context for p in pool])
    said, about = vecs[1: 1 + len(pool)] @ vecs[0], vecs[1 + len(pool):] @ vecs[0]
    own = np.array([0.1 if re.match(r"(?:\w+, )?I\b", p.quote.strip('"“ ')) else 0.0 for p in pool])
    return pool[int((said + 0.5 * about + own).argmax())].text


def safe_prep_name(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower()[:60]
    if not slug:
        raise UsageError(f"{name!r} is not a usable name — use letters and digits, e.g. --name ml-engineer.")
    return slug


def save(prep: Prep, home: Path) -> Path:
    folder = home / "preps"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{safe_prep_name(prep.name)}.json"
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps({"name": prep.name, "created": prep.created, **prep.as_json(),
                               "question_ids": prep.question_ids()}, ensure_ascii=False, indent=1))
    tmp.replace(path)
    return path


def saved(home: Path) -> list[str]:
    return sorted(p.stem for p in (home / "preps").glob("*.json"))


def load_ids(home: Path, name: str) -> set[str]:
    path = home / "preps" / f"{safe_prep_name(name)}.json"
    if not path.is_file():
        known = ", ".join(saved(home)) or "none yet"
        raise UsageError(f"No saved prep named {name!r} (saved: {known}) — run `coach prep FILE --name {name}` first.")
    try:
        return set(json.loads(path.read_text())["question_ids"])
    except (ValueError, KeyError) as err:
        raise UsageError(f"{path} is damaged — run `coach prep FILE --name {name}` again to rebuild it.") from err
