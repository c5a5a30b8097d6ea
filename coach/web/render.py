"""HTML for the app, from the core's results: pure functions, no widgets. Every piece of note
text goes through `esc`, so a note can neither render markup nor make the browser load anything."""

from __future__ import annotations

import html
import time

from coach.answer.grounded import UNSUPPORTED_MARK, Answer
from coach.text import last_heading, strip_citations

CSS = """
.cite { font-weight: 600; text-decoration: none; }
.unsupported { background: #fff3cd; color: #7a4d00; border-radius: 3px; padding: 0 2px; }
.src { border-left: 3px solid #8aa4ff; padding: 4px 10px; margin: 8px 0; }
.src .meta { font-size: 0.85em; color: #555; }
.src pre { white-space: pre-wrap; font-size: 0.85em; max-height: 14em; overflow: auto; }
.draft { margin-top: 8px; font-size: 0.9em; color: #555; }
.draft summary { cursor: pointer; }
.composing { color: #888; }
.mastery .bar-row { display: flex; align-items: center; gap: 8px; margin: 4px 0; font-size: 0.85em; }
.mastery .bar-label { flex: 0 0 45%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.mastery .bar { flex: 1; height: 12px; background: #e8e8ef; border-radius: 6px; overflow: hidden; }
.mastery .fill { display: block; height: 100%; background: #5b7cfa; }
.mastery .bar-value { flex: 0 0 auto; color: #555; }
table.prep td { vertical-align: top; padding: 4px 8px; }
table.prep tr.gap td:first-child { color: #a33; white-space: nowrap; }
table.prep tr.covered td:first-child { color: #2a7; white-space: nowrap; }
.reference pre { white-space: pre-wrap; font-size: 0.85em; max-height: 18em; overflow: auto; }
"""



def esc(text, quote: bool = True) -> str:
    """Note text as inert HTML *and* inert markdown: no tags, and no `![..](..)` image or link can
    form, so a note never makes the browser load anything (Chatbot and Markdown render markdown)."""
    return html.escape(str(text), quote=quote).replace("[", "&#91;").replace("]", "&#93;")



def _cite_links(citations: list[int]) -> str:
    return "".join(f' <a class="cite" href="#src-{n}">[{n}]</a>' for n in citations)



def _render_sentence(s, answer: Answer | None = None) -> str:
    unit = answer.checker.units[s.unit] if answer is not None and s.origin == "notes" and s.unit is not None else None
    if unit is not None and unit.kind == "list":  # a label with its bullets reads as a list
        items = "".join(f"<li>{esc(i)}</li>" for i in unit.items)
        return f"<b>{esc(unit.label)}</b>{_cite_links(s.citations)}<ul>{items}</ul>"
    body = esc(strip_citations(s.text))
    if s.trivial:
        return body
    if s.supported:
        return body + _cite_links(s.citations)
    return f'<span class="unsupported" title="{UNSUPPORTED_MARK}">⚠ {body}</span>'



def render_answer(answer: Answer, draft_tokens: str | None = None) -> str:
    """The grounded answer (every sentence cited, citations link to the sources panel), then the
    model's draft collapsed below it with its unsupported sentences marked. While streaming,
    `draft_tokens` is the draft so far."""
    if not answer.covered:
        return f"**{esc(answer.text)}**"
    done = draft_tokens is None
    shown = answer.sentences if done else answer.shown_so_far
    body = " ".join(_render_sentence(s, answer) for s in shown)
    if not done:
        body += " <em class='composing'>composing from your notes…</em>"
    elif answer.stopped:
        body += " <em class='stopped'>(stopped)</em>"
    if done:
        kept, judged = answer.model_kept
        draft = " ".join(_render_sentence(s) for s in answer.draft_sentences) or "(empty)"
        summary = f"Model's draft ({judged - kept} of {judged} restatements did not hold to their notes)"
        if answer.model_error:
            summary = "Model's draft: the model failed, so the answer above is your notes only"
            draft = esc(answer.model_error)
    else:
        summary = (f"Model's draft (writing… {len(draft_tokens.split())} words, "
                   f"{len(answer.draft_so_far)} restatement(s) checked)")
        draft = esc(draft_tokens)
    return f"<div class='grounded'>{body}</div>\n\n<details class='draft'><summary>{summary}</summary>{draft}</details>"



def render_sources(answer: Answer | None) -> str:
    if answer is None:
        return "<p><em>Sources of the latest answer appear here.</em></p>"
    state = "final" if answer.done or not answer.covered else "streaming"
    out = [
        f"<p class='meta' id='answer-meta' data-state='{state}' data-question='{esc(answer.question, quote=True)}'>"
        f"Searched for: <b id='standalone-query'>{esc(answer.standalone_query)}</b></p>"
    ]
    if not answer.covered:
        out.append("<p><b>Your notes don't cover this.</b> Nearest passages:</p>")
    for s in answer.sources:
        out.append(
            f"<div class='src' id='src-{s['n']}'><b>[{s['n']}]</b> {esc(s['source'])}:{s['line_start']}-{s['line_end']}"
            f"<div class='meta'>{esc(s['heading'])} · score {s['score']:.3f} · similarity {s['similarity']:.2f}</div>"
            f"<pre>{esc(s['text'])}</pre></div>"
        )
    return "\n".join(out)



def render_mastery(topics: dict) -> str:
    """One bar per practised topic, its length the mastery (0 draws an empty bar, not a full one)."""
    practised = sorted((t, m) for t, m in topics.items() if m["reviewed"])
    if not practised:
        return "<p class='mastery-empty'>No practice yet — answer a question to see your mastery per topic.</p>"
    rows = []
    for topic, m in practised:
        pct = round(100 * m["mastery"])
        rows.append(
            f"<div class='bar-row' data-topic='{esc(topic, quote=True)}' data-mastery='{m['mastery']:.3f}'>"
            f"<span class='bar-label' title='{esc(topic, quote=True)}'>{esc(topic[-48:])}</span>"
            f"<span class='bar'><span class='fill' style='width:{pct}%'></span></span>"
            f"<span class='bar-value'>{pct}% · {m['reviewed']}/{m['cards']}</span></div>"
        )
    return "<div class='mastery'><b>Mastery per topic</b>" + "".join(rows) + "</div>"



def render_grade(r: dict, limit: int = 0) -> str:
    lines = [f"### Score {r['score']:.2f}", esc(r["feedback"])]
    lines += [f"- ✓ {esc(c)}" for c in r["covered"]]
    lines += [f"- ◐ {esc(c)}" for c in r["partial"]]
    lines += [f"- ✗ {esc(m)}" for m in r["missed"]]
    if r.get("seconds") is not None and limit:
        over = r["seconds"] > limit
        lines.append(f"\n**Time:** {r['seconds']:.0f} s of {limit} s" + (" — over time: shorten it." if over else "."))
    if r.get("not_in_notes"):
        lines.append("\n**Not in your notes:**")
        lines += [f"- {esc(n)}" for n in r["not_in_notes"]]
    if r.get("delivery"):
        lines.append(render_delivery(r["delivery"]))
    if r.get("star"):
        parts = " · ".join(f"{'✓' if ok else '✗'} {k}" for k, ok in r["star"]["parts"].items())
        lines.append(f"\n**STAR:** {parts}")
        lines += [f"- {esc(a)}" for a in r["star"]["advice"]]
    lines.append(f"\n**Next time:** {r['next_due'][:16].replace('T', ' ')} UTC\n")
    if r["follow_up"]:
        lines.append(f"**An interviewer might ask next:** {esc(r['follow_up'])}\n")
    lines.append(f"<details class='reference' open><summary>Your notes' answer</summary>\n\n<pre>"
                 f"{esc(r['reference'])}</pre></details>\n")
    history = r.get("history") or []
    if len(history) > 1:
        lines.append("**Your attempts:** " + " → ".join(f"{h['score']:.2f}" for h in history))
    return "\n".join(lines)



def render_delivery(d: dict) -> str:
    """How a spoken answer was said: one line per figure (coach.voice.delivery.lines)."""
    head = "\n**How you said it**" + (" (weak: this question comes back sooner)" if d.get("weak") else "") + ":"
    return "\n".join([head] + [f"- {esc(line)}" for line in d.get("lines", [])]) + "\n"


def delivery_rows(attempts: list[dict]) -> list[dict]:
    """The last spoken attempts as chart rows: one per attempt and figure."""
    rows = []
    for n, a in enumerate(attempts, start=1):
        rows.append({"attempt": n, "figure": "words a minute", "value": a["wpm"]})
        rows.append({"attempt": n, "figure": "fillers a minute ×10", "value": round(a["fillers_per_min"] * 10, 1)})
    return rows


def render_points(r: dict) -> str:
    if not r["points"]:
        return "<p>Your notes don't cover this topic.</p>"
    items = "".join(
        f"<li data-aspect='{p.aspect}'><b>{esc(p.aspect)}</b> — {esc(p.text)}<br>"
        f"<small>{esc(p.source)}:{p.lines[0]}-{p.lines[1]} › {esc(last_heading(p.heading))}</small></li>"
        for p in r["points"]
    )
    missing = "".join(f"<li>{esc(m)}</li>" for m in r["missing"])
    return f"<ul class='points'>{items}</ul>" + (f"<p><b>Missing from your notes:</b></p><ul class='missing'>{missing}</ul>"
                                                 if missing else "")



def render_prep(r) -> str:
    from coach.practice.prep import safe_prep_name

    covered = sum(q.covered for q in r.requirements)
    rows = []
    for q in r.requirements:
        where = ", ".join(sorted({p["source"] for p in q.passages}))
        say = f"<br><small>say: {esc(q.point)}</small>" if q.point else ""
        say += "".join(f"<br><small class='to-add'>to add to your notes: {esc(t)}</small>" for t in q.to_add)
        mark = "✓ covered" if q.covered else "✗ gap"
        rows.append(f"<tr class='{'covered' if q.covered else 'gap'}'><td>{mark}</td><td>{esc(q.text)}{say}</td>"
                    f"<td>{esc(where)}</td></tr>")
    questions = "".join(
        f"<li>{esc(q['question'])} <small>({esc(q['source'] or 'not in your notes')})</small></li>"
        for q in r.questions
    )
    return (f"<p><b>{covered} of {len(r.requirements)}</b> requirements covered by your notes.</p>"
            f"<table class='prep'><tr><th></th><th>Requirement</th><th>Notes</th></tr>{''.join(rows)}</table>"
            f"<p><b>Likely questions</b> (your notes answer the first ones):</p><ol class='questions'>{questions}</ol>"
            f"<p>Drill them: pick <b>{esc(safe_prep_name(r.name))}</b> as the job in Practice, or "
            f"<code>coach drill --prep {esc(safe_prep_name(r.name))}</code>.</p>")



def when(ts) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "?"
