"""Pure: note text -> chunks that follow the notes' own structure.

A chunk is one section: a markdown heading outside code fences, a `====` banner title,
or a `Q:` line with its `A:` answer. A question always stays with its answer; only a
section longer than `max_chars` is split, with overlap, and every piece keeps the heading
trail and question of its section.

>>> [c.metadata["heading"] for c in split_text("# LoRA\\nlow rank\\n```\\n# not a heading\\n```\\n", "n.md")]
['LoRA']
>>> split_text("Q: What is RAG?\\nA: retrieval plus generation.\\n", "n.txt")[0].metadata["question"]
'What is RAG?'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

MAX_CHARS = 1600
SPLIT_CHARS = 1200
OVERLAP = 200

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BANNER_RULE = re.compile(r"^\s*(={5,}|-{5,}|\*{5,})\s*$")
_QA_QUESTION = re.compile(r"^\s*(?:\*\*)?Q\d*\s*[:.)]\s*(?:\*\*)?\s*(.+)$")
_Q_PREFIX = r"^\W*Q\d*\s*[:.)\-]"
_ASKING = re.compile(
    r"^(what|how|why|when|which|who|where|is|are|do|does|can|could|would|should|explain|describe|"
    r"compare|tell me|walk me|give|define|suppose|you)\b",
    re.IGNORECASE,
)
_QUOTES = "\"'“”‘’«»`*_ "


@dataclass
class _Section:
    trail: list[str]
    question: str | None
    start: int  # 1-based line number of the first line
    lines: list[str] = field(default_factory=list)


def clean_heading(text: str) -> str:
    """'**Q1: "Tell me about X."**' -> 'Tell me about X.'"""
    text = text.strip().strip("*_ ").strip()
    text = re.sub(r"^[^\w\"“'(]+", "", text)  # leading emoji / bullets
    text = re.sub(r"^\W*(?:Q\d*\s*[:.)\-]|\d+[.)])\s*", "", text, count=1)
    return text.strip(_QUOTES).strip()


def as_question(heading: str) -> str | None:
    """A heading that asks something, cleaned; None for a plain title."""
    cleaned = clean_heading(heading)
    quoted = bool(re.search(r"^[\W\d.]*[\"“]", heading.strip("*# ")))
    asks = (
        cleaned.endswith("?")
        or bool(re.match(_Q_PREFIX, heading.strip("*# ")))
        or bool(_ASKING.match(cleaned))
    )
    return cleaned if cleaned and (asks or quoted) else None


def _sections(text: str) -> list[_Section]:
    lines = text.splitlines()
    trail: list[tuple[int, str]] = []  # (level, title)
    current = _Section([], None, 1)
    out = [current]
    in_fence = False
    i = 0

    def start(level: int | None, title: str, question: str | None, at: int) -> _Section:
        nonlocal trail
        if level is not None:
            trail = [t for t in trail if t[0] < level] + [(level, title)]
        section = _Section([t[1] for t in trail], question, at)
        out.append(section)
        return section

    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            heading = _HEADING.match(line)
            banner = (
                _BANNER_RULE.match(line)
                and i + 2 < len(lines)
                and lines[i + 1].strip()
                and _BANNER_RULE.match(lines[i + 2])
            )
            qa = _QA_QUESTION.match(line)
            if heading:
                title = clean_heading(heading.group(2)) or heading.group(2)
                current = start(len(heading.group(1)), title, as_question(heading.group(2)), i + 1)
            elif banner:
                # The first banner, before any other heading, titles the whole file; later
                # banners are its sections.
                title = clean_heading(lines[i + 1])
                level = 1 if trail and trail[0][0] == 0 else 0
                current = start(level, title, None, i + 1)
                current.lines.extend(lines[i : i + 3])
                i += 3
                continue
            elif qa:
                current = start(None, "", qa.group(1).strip(), i + 1)
        current.lines.append(line)
        i += 1
    return out


def _chunk_id(source: str, heading: str, text: str, line: int) -> str:
    return hashlib.sha1(f"{source}\x00{heading}\x00{text}\x00{line}".encode()).hexdigest()[:16]


_splitter = RecursiveCharacterTextSplitter(
    chunk_size=SPLIT_CHARS, chunk_overlap=OVERLAP, add_start_index=True
)


def split_text(text: str, source: str) -> list[Document]:
    """Split one document into chunks.

    metadata: id, source, heading (trail joined by " > "), question, line_start, line_end,
    part (0 for a section's first piece).
    """
    chunks: list[Document] = []
    for section in _sections(text):
        body = "\n".join(section.lines).strip("\n")
        content_lines = [
            ln for ln in section.lines if ln.strip() and not _HEADING.match(ln) and not _BANNER_RULE.match(ln)
        ]
        if not content_lines:
            continue  # a heading with nothing under it only names its children
        heading = " > ".join(t for t in section.trail if t)
        if section.question and section.question not in heading:
            heading = f"{heading} > {section.question}" if heading else section.question
        pieces = [Document(page_content=body, metadata={"start_index": 0})]
        if len(body) > MAX_CHARS:
            pieces = _splitter.create_documents([body])
        for part, piece in enumerate(pieces):
            first = section.start + body.count("\n", 0, piece.metadata["start_index"])
            last = first + piece.page_content.count("\n")
            chunks.append(
                Document(
                    page_content=piece.page_content,
                    metadata={
                        "id": _chunk_id(source, heading, piece.page_content, first),
                        "source": source,
                        "heading": heading,
                        "question": section.question or "",
                        "line_start": first,
                        "line_end": last,
                        "part": part,
                    },
                )
            )
    return chunks
