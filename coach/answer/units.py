"""Pure: a passage's markdown -> the units an answer can quote, with the notes' structure kept.

markdown-it-py parses the note, so code fences, emphasis and lists are known rather than
guessed. A unit is one sentence of prose (hard-wrapped lines joined first), one list item, or
a label with the bullets under it ("Inference overhead: extra matrix multiplications; ...").
Questions are units too, marked as such: they say what a section is about, never an answer.
Code, headings, images and raw HTML are never units.

>>> [u.text for u in note_units("**Inference overhead:**\\n- Extra matmuls\\n- Merge to avoid it\\n")]
['Inference overhead: Extra matmuls; Merge to avoid it.']
>>> [u.text for u in note_units("LoRA freezes the weights and\\ntrains `lora_A`. It is cheap.")]
['LoRA freezes the weights and trains lora_A.', 'It is cheap.']
>>> [(u.kind, u.text) for u in note_units("Q: What is RAG?\\nA: Retrieval plus generation.")]
[('question', 'What is RAG?'), ('sentence', 'Retrieval plus generation.')]
>>> [u.text for u in note_units("| Aspect | MoE | Ensemble |\\n|---|---|---|\\n| Routing | A gate picks experts | All models used |")]
['Routing: MoE: A gate picks experts; Ensemble: All models used.']
>>> [u.text for u in note_units("1. Know the data\\n   I check whether it is:\\n- MCAR\\n- MAR\\n")]
['Know the data I check whether it is: MCAR; MAR.']
>>> [u.text for u in note_units("I use:\\n- Resampling\\n- Class weights\\n- Evaluation:\\n")]
['I use: Resampling; Class weights.', 'Evaluation:']
>>> [u.text for u in note_units("- B=1: 12*3*128*128 = 6M pixels, *really* big")]
['B=1: 12*3*128*128 = 6M pixels, really big.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from coach.text import is_question, split_sentences

_ANSWER_LABEL = re.compile(r"^\s*(?:A\d*\s*[:.)]|(?:\w+\s+)?answer\s*:)\s*", re.IGNORECASE)
_QUESTION_START = re.compile(r"^\s*Q\d*\s*[:.)]\s*")
_LEADING_SYMBOLS = re.compile(r"^[^\w(\"“'$€£]+")
_QUOTES = "\"“”"


@dataclass(frozen=True)
class Unit:
    text: str  # what an answer shows
    kind: str  # "sentence", "item", "list" (a label with its bullets), "row" or "question"
    line: int  # 1-based line in the note where it starts
    label: str = ""
    items: tuple[str, ...] = field(default=())
    end: int = 0  # the line where it ends (0: the line it starts on)

    @property
    def last_line(self) -> int:
        return max(self.line, self.end)

    @property
    def answers(self) -> bool:
        """True for units that say something (not a question)."""
        return self.kind != "question"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # raw HTML stays text (never rendered), tables are known
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def note_units(text: str, first_line: int = 1) -> list[Unit]:
    """Units of one passage in the notes' order; `first_line` is the passage's line in its file."""
    root = SyntaxTreeNode(_parser().parse(text))
    out: list[Unit] = []
    _blocks(root.children, out, first_line)
    return out


def _inline(node: SyntaxTreeNode) -> str:
    """Plain text of an inline node: emphasis dropped, code kept verbatim, soft breaks as '\\n'.
    An asterisk between two letters or digits is arithmetic, not emphasis: `12*3*128` stays."""
    parts: list[str] = []
    children = node.children
    for k, child in enumerate(children):
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            continue  # never fetched, never shown
        elif child.type in ("em", "strong") and _intraword(parts, children[k + 1:]):
            parts.append(f"{child.markup}{_inline(child)}{child.markup}")
        else:
            parts.append(_inline(child))
    return "".join(parts)


def _intraword(before: list[str], after: list[SyntaxTreeNode]) -> bool:
    following = after[0].content if after and after[0].type == "text" else ""
    return bool(before) and before[-1][-1:].isalnum() and following[:1].isalnum()


def _clean(text: str) -> str:
    text = " ".join(text.split())
    text = _LEADING_SYMBOLS.sub("", text)  # emoji and arrows before a label
    if len(text) > 2 and text[0] in _QUOTES and text.rstrip(".")[-1:] in _QUOTES:
        text = text.strip(_QUOTES + " ")
    return text


def _paragraph_units(raw: str, line: int) -> list[Unit]:
    """Hard-wrapped lines are joined; `Q:` and `A:` lines start units of their own."""
    groups: list[list[str]] = []
    for ln in raw.split("\n"):
        if not groups or _QUESTION_START.match(ln) or _ANSWER_LABEL.match(ln):
            groups.append([])
        groups[-1].append(ln)
    units: list[Unit] = []
    raw_lines = raw.split("\n")
    at = 0  # the raw line the next unit is looked for from: a unit's line is where it starts

    def line_of(text: str) -> int:
        nonlocal at
        probe = " ".join(text.split()[:3])
        for k in range(at, len(raw_lines)):
            if probe and probe in " ".join(raw_lines[k].split()):
                at = k
                break
        return line + at

    def end_of(text: str) -> int:
        probe = " ".join(text.rstrip(".").split()[-2:])
        for k in range(at, len(raw_lines)):
            if probe and probe in " ".join(raw_lines[k].split()):
                return line + k
        return line + at

    for g in groups:
        joined = " ".join(s.strip() for s in g)
        if _QUESTION_START.match(joined):
            q = _clean(_QUESTION_START.sub("", joined))
            units.append(Unit(q, "question", line_of(q), end=end_of(q)))
            continue
        body = _clean(_ANSWER_LABEL.sub("", joined))
        for s in split_sentences(body):
            s = _clean(s)
            if s:
                start = line_of(s)
                units.append(Unit(s, "question" if is_question(s) else "sentence", start, end=end_of(s)))
    return units


def _item_text(item: SyntaxTreeNode) -> str:
    """A list item's own text, with a nested list folded in: 'Label: a; b'."""
    parts: list[str] = []
    for child in item.children:
        if child.type == "paragraph":
            parts.append(_clean(_inline(child.children[0])))
        elif child.type in ("bullet_list", "ordered_list"):
            subs = [t.rstrip(".;") for t in (_item_text(li) for li in child.children) if t]
            if subs:
                parts.append("; ".join(subs))
    text = " ".join(p for p in parts if p)
    return text.replace(": ;", ":")


def _list_text(label: str, items: list[str]) -> str:
    body = "; ".join(i.rstrip(".;") for i in items)
    return f"{label} {body}." if label else body + "."


def _blocks(nodes, out: list[Unit], first_line: int) -> None:
    pending: list[Unit] = []  # a paragraph that may be the label of the list after it

    def flush() -> None:
        out.extend(pending)
        pending.clear()

    for node in nodes:
        line = first_line + (node.map[0] if node.map else 0)
        if node.type == "paragraph":
            flush()
            pending.extend(_paragraph_units(_inline(node.children[0]), line))
        elif node.type in ("bullet_list", "ordered_list"):
            items = [t for t in (_item_text(li) for li in node.children) if t]
            label = pending[-1] if pending and pending[-1].text.endswith(":") else None
            if label is not None:
                pending.pop()
                flush()
                end = first_line + node.map[1] - 1 if node.map else 0
                last = node.children[-1]
                tail = None
                if len(items) > 1 and items[-1].endswith(":") and last.map:
                    # the last item leads into a list the list does not hold (a long section's
                    # next piece has it): a lead-in of its own, said with that list or not at all
                    tail = Unit(items.pop(), "item", first_line + last.map[0], end=end)
                    end = tail.line - 1
                out.append(Unit(_list_text(label.text, items), "list", label.line, label.text, tuple(items), end=end))
                if tail is not None:
                    pending.append(tail)
            else:
                flush()
                for k, (li, text) in enumerate(zip(node.children, items)):
                    item_line = first_line + (li.map[0] if li.map else 0)
                    item_end = first_line + li.map[1] - 1 if li.map else 0
                    if k == len(items) - 1 and text.endswith(":"):
                        # "1. Know the data\n   I first check whether it is:" then a list less indented:
                        # the last item is the label of the list that follows
                        pending.append(Unit(text, "item", item_line, end=item_end))
                        continue
                    out.append(Unit(_list_text("", [text]), "question" if is_question(text) else "item", item_line,
                                    end=item_end))
        elif node.type == "blockquote":
            flush()
            _blocks(node.children, out, first_line)
        elif node.type == "table":
            flush()
            out.extend(_table_units(node, first_line))
        else:  # heading, fence, code block, rule: nothing to quote
            flush()
    flush()


def _table_units(table: SyntaxTreeNode, first_line: int) -> list[Unit]:
    """Each body row as 'first cell: column: cell; column: cell', its cells as items, so a row
    says which column holds what and no two columns read as one claim."""
    headers: list[str] = []
    units = []
    for section in table.children:
        if section.type == "thead":
            headers = [_clean(_inline(th.children[0])) if th.children else "" for th in section.children[0].children]
        if section.type != "tbody":
            continue
        for row in section.children:
            cells = [_clean(_inline(td.children[0])) if td.children else "" for td in row.children]
            named = [f"{h}: {c}" if h else c for h, c in zip(headers[1:] + [""] * len(cells), cells[1:]) if c]
            if cells and cells[0] and named:
                line = first_line + (row.map[0] if row.map else 0)
                units.append(Unit(f"{cells[0]}: {'; '.join(named)}.", "row", line, cells[0], tuple(named)))
    return units
