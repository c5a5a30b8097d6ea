"""The Gradio app over the core. Everything here translates between widgets and `Coach` calls."""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

import gradio as gr

from coach.answer import UNSUPPORTED_MARK, Answer
from coach.app import Coach
from coach.errors import CoachError
from coach.text import last_heading, strip_citations
from coach.documents import SUFFIXES

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
    if done:
        kept, judged = answer.model_kept
        draft = " ".join(_render_sentence(s) for s in answer.draft_sentences) or "(empty)"
        summary = f"Model's draft ({judged - kept} of {judged} sentences not in your notes)"
        if answer.model_error:
            summary = "Model's draft: the model failed, so the answer above is your notes only"
            draft = esc(answer.model_error)
    else:
        summary = (f"Model's draft (writing… {len(draft_tokens.split())} words, "
                   f"{len(answer.draft_so_far)} sentence(s) checked)")
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


def build(coach: Coach) -> gr.Blocks:
    # uploads are deleted after use; anything left behind (a refused file) within the hour
    with gr.Blocks(title="coach — interview prep over your notes", delete_cache=(600, 3600)) as demo:
        gr.Markdown("## coach · interview practice over your own notes")
        _chat_tab(coach)
        _notes_tab(coach, demo)
        drill_prep = _practice_tab(coach, demo)
        _points_tab(coach)
        _prep_tab(coach, demo, drill_prep)

        def ask(question: str) -> dict:
            """Answer one question from the notes: {"answer", "citations": [{"n", "source", "heading"}]}."""
            try:
                data = coach.ask(question).to_json()
            except CoachError as err:  # one line, never a traceback or a raw library message
                return {"answer": "", "citations": [], "error": str(err)}
            return {"answer": data["answer"], "citations": data["citations"]}

        gr.api(ask, api_name="ask")
    return demo


def _chat_tab(coach: Coach) -> None:
    """Chat: the streamed grounded answer, its sources, follow-ups per browser tab."""
    queries = gr.State([])  # this tab's standalone queries, oldest first
    with gr.Tab("Chat"):
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=480, elem_id="chat")
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask about your notes, e.g. explain LoRA to me", show_label=False,
                        scale=5, elem_id="question", autofocus=True,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="send")
                with gr.Row():
                    stop = gr.Button("Stop", elem_id="stop", size="sm")
                    clear = gr.Button("Clear conversation", elem_id="clear", size="sm")
                suggestions = gr.Dataset(
                    components=[box], samples=[[q] for q in _suggestions(coach)],
                    label="Questions from your notes", elem_id="suggestions",
                )
            with gr.Column(scale=2):
                sources = gr.HTML(render_sources(None), elem_id="sources")

    def respond(message: str, chat: list, history: list):
        message = (message or "").strip()
        if not message:
            yield chat, history, gr.skip(), gr.skip()
            return
        chat = chat + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        try:
            answer = coach.ask(message, history)
        except CoachError as err:
            chat[-1]["content"] = f"**{esc(str(err))}**"
            yield chat, history, gr.skip(), ""
            return
        yield chat, history, render_sources(answer), ""
        text = ""
        try:
            for kind, value in answer.events():
                if kind == "token":
                    text += value
                chat[-1]["content"] = render_answer(answer, text)
                yield chat, history, gr.skip(), gr.skip()
        except CoachError as err:
            chat[-1]["content"] = f"**{esc(str(err))}**"
            yield chat, history, gr.skip(), gr.skip()
            return
        chat[-1]["content"] = render_answer(answer)
        yield chat, history + [answer.standalone_query], render_sources(answer), gr.skip()

    outputs = [chatbot, queries, sources, box]
    ev1 = box.submit(respond, [box, chatbot, queries], outputs, api_visibility="private")
    ev2 = send.click(respond, [box, chatbot, queries], outputs, api_visibility="private")
    stop.click(None, None, None, cancels=[ev1, ev2])
    clear.click(lambda: ([], [], render_sources(None), ""), None, outputs, api_visibility="private")
    suggestions.click(lambda s: s[0], suggestions, box, api_visibility="private").then(
        respond, [box, chatbot, queries], outputs, api_visibility="private"
    )


def _notes_tab(coach: Coach, demo: gr.Blocks) -> None:
    """Your notes: indexed and skipped files; add, re-index, remove."""
    with gr.Tab("Your notes"):
        gr.Markdown(f"Notes folder: `{coach.settings.corpus}` · only changed files are re-embedded.")
        files_table = gr.Dataframe(headers=["file", "chunks", "last indexed"], interactive=False, elem_id="files")
        skipped_md = gr.Markdown()
        with gr.Row():
            upload = gr.File(
                label="Add notes (.md, .txt, .pdf, .docx, .html)", file_count="multiple",
                file_types=sorted(SUFFIXES),
                elem_id="upload",
            )
            with gr.Column():
                add_btn = gr.Button("Add to notes and re-index", variant="primary", elem_id="add-notes")
                reindex_btn = gr.Button("Re-index", elem_id="reindex")
                remove_pick = gr.Dropdown(label="Remove a note", choices=[], elem_id="remove-pick")
                remove_btn = gr.Button("Remove from notes and index", variant="stop", elem_id="remove")
        status = gr.Markdown(elem_id="notes-status")

    def list_files():
        files, skipped = coach.files()
        rows = [[f["source"], f["chunks"], _when(f["indexed_at"])] for f in files]
        skipped_text = "\n".join(f"- skipped `{s['source']}`: {s['reason']}" for s in skipped) or ""
        return rows, skipped_text, gr.update(choices=[f["source"] for f in files], value=None)

    def reindex(progress=gr.Progress(track_tqdm=True)):
        progress(0, desc="Indexing")
        try:
            r = coach.ingest(progress=True)
        except CoachError as err:
            return (*list_files(), f"**{err}**")
        return (*list_files(), indexed(r))

    def indexed(r) -> str:
        return (f"Indexed: {r.added} added, {r.changed} changed, {r.removed} removed, {r.unchanged} unchanged "
                f"({r.seconds:.1f}s).")

    def add_files(uploads, progress=gr.Progress(track_tqdm=True)):
        paths = [Path(u if isinstance(u, str) else u.name) for u in uploads or []]
        progress(0, desc="Indexing")
        try:
            added, r = coach.add_notes([(p, p.name) for p in paths], progress=True)
        except CoachError as err:
            return (*list_files(), f"**{esc(str(err))}**")
        finally:
            for path in paths:  # copied into the notes or refused: the upload is not kept
                path.unlink(missing_ok=True)
        return (*list_files(), f"Added {esc(', '.join(p.name for p in added)) or 'nothing'}. {indexed(r)}")

    def remove_file(source, progress=gr.Progress(track_tqdm=True)):
        if not source:
            return (*list_files(), "Pick a note to remove.")
        progress(0, desc="Indexing")
        try:
            r = coach.remove_note(source, progress=True)
        except CoachError as err:
            return (*list_files(), f"**{esc(str(err))}**")
        return (*list_files(), f"Removed {esc(source)}. {indexed(r)}")

    notes_out = [files_table, skipped_md, remove_pick, status]
    demo.load(list_files, None, notes_out[:3], api_visibility="private")
    reindex_btn.click(reindex, None, notes_out, api_visibility="private")
    add_btn.click(add_files, upload, notes_out, api_visibility="private")
    remove_btn.click(remove_file, remove_pick, notes_out, api_visibility="private")


def _practice_tab(coach: Coach, demo: gr.Blocks) -> gr.Dropdown:
    """Practice: the drill with hint, time limit, STAR check and mastery; returns the job picker."""
    with gr.Tab("Practice"):
        gr.Markdown("Mock-interview drill from your notes: answer, get graded against the notes, "
                    "and weak questions come back sooner. The notes' answer shows after your attempt.")
        card_id = gr.State(None)
        shown_at = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    drill_topic = gr.Textbox(label="Topic filter (optional)", scale=3, elem_id="drill-topic")
                    drill_prep = gr.Dropdown(label="Job (from Prep)", choices=[""], value="", scale=2,
                                             elem_id="drill-prep")
                    drill_limit = gr.Number(label="Time limit, s (0 = none)", value=0, minimum=0, precision=0,
                                            scale=1, elem_id="drill-limit")
                    next_btn = gr.Button("Next question", variant="primary", scale=1, elem_id="drill-next")
                drill_q = gr.Markdown(elem_id="drill-question")
                with gr.Row():
                    hint_btn = gr.Button("Hint", size="sm", elem_id="drill-hint-btn")
                drill_hint = gr.Markdown(elem_id="drill-hint")
                drill_answer = gr.Textbox(label="Your answer", lines=5, elem_id="drill-answer")
                grade_btn = gr.Button("Grade my answer", elem_id="drill-grade")
                drill_result = gr.Markdown(elem_id="drill-result")
            with gr.Column(scale=2):
                drill_stats = gr.Markdown(elem_id="drill-stats")
                mastery = gr.HTML(render_mastery({}), elem_id="mastery")

    def practice_stats():
        try:
            st = coach.drill.stats()
        except CoachError as err:
            return f"**{esc(str(err))}**", render_mastery({})
        text = (f"**{st['reviews']}** reviews · **{st['due']}** of {st['cards']} questions due · "
                f"streak **{st['streak_days']}** day(s)")
        return text, render_mastery(st["topics"])

    def next_question(topic, prep):
        try:
            only = coach.drill.prep_questions(prep) if prep else None
        except CoachError as err:
            return None, None, f"**{esc(str(err))}**", "", "", ""
        q = coach.drill.next(topic or None, only=only)
        if q is None:
            return None, None, "Nothing is due for this topic. Come back later.", "", "", ""
        text = f"**{esc(q['question'])}**\n\n<small>{esc(q['topic'])}</small>"
        return q["id"], time.monotonic(), text, "", "", ""

    def show_hint(qid):
        if not qid:
            return "Press **Next question** first."
        return f"**Hint:** {esc(coach.drill.hint(qid))}"

    def grade_answer(qid, text, started, limit):
        if not qid:
            return "Press **Next question** first.", *practice_stats()
        if not (text or "").strip():
            return "Type an answer (or \"I don't know\").", *practice_stats()
        seconds = round(time.monotonic() - started, 1) if started else None
        r = coach.drill.answer(qid, text, seconds=seconds if limit else None)
        return render_grade(r, limit or 0), *practice_stats()

    next_out = [card_id, shown_at, drill_q, drill_answer, drill_result, drill_hint]
    next_btn.click(next_question, [drill_topic, drill_prep], next_out, api_visibility="private")
    hint_btn.click(show_hint, card_id, drill_hint, api_visibility="private")
    grade_btn.click(grade_answer, [card_id, drill_answer, shown_at, drill_limit], [drill_result, drill_stats, mastery],
                    api_visibility="private")
    demo.load(practice_stats, None, [drill_stats, mastery], api_visibility="private")
    return drill_prep


def _points_tab(coach: Coach) -> None:
    """Talking points for a project or topic, with what the notes lack."""
    with gr.Tab("Talking points"):
        with gr.Row():
            points_topic = gr.Textbox(label="Topic", placeholder="my ECG digitizer project", scale=4, elem_id="points-topic")
            points_btn = gr.Button("Get talking points", variant="primary", scale=1, elem_id="points-go")
        points_out = gr.HTML(elem_id="points")

    def show_points(topic):
        return render_points(coach.points(topic or ""))

    points_btn.click(show_points, points_topic, points_out, api_visibility="private")
    points_topic.submit(show_points, points_topic, points_out, api_visibility="private")


def _prep_tab(coach: Coach, demo: gr.Blocks, drill_prep: gr.Dropdown) -> None:
    """Prep: a job posting's requirements against the notes; the job becomes a drill filter."""
    with gr.Tab("Prep"):
        gr.Markdown("Paste a job description: each requirement is matched to your notes (covered or a gap), "
                    "then the questions to expect, those your notes answer first.")
        with gr.Row():
            with gr.Column(scale=3):
                prep_text = gr.Textbox(label="Job description", lines=12, elem_id="prep-text",
                                       placeholder="Paste the posting: its requirements and responsibilities")
            with gr.Column(scale=1):
                prep_name = gr.Textbox(label="Save as", value="job", elem_id="prep-name")
                prep_btn = gr.Button("Prepare", variant="primary", elem_id="prep-go")
        prep_out = gr.HTML(elem_id="prep-result")

    def run_prep(text, name):
        try:
            r = coach.prep(text or "", (name or "job").strip() or "job")
        except CoachError as err:
            return f"<p><b>{esc(str(err))}</b></p>", gr.skip()
        return render_prep(r), gr.update(choices=["", *prep_names()])

    def prep_names():
        from coach.prep import saved

        return saved(coach.settings.home)

    prep_btn.click(run_prep, [prep_text, prep_name], [prep_out, drill_prep], api_visibility="private")
    demo.load(lambda: gr.update(choices=["", *prep_names()]), None, drill_prep, api_visibility="private")


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
    from coach.prep import safe_prep_name

    covered = sum(q.covered for q in r.requirements)
    rows = []
    for q in r.requirements:
        where = ", ".join(sorted({p["source"] for p in q.passages}))
        say = f"<br><small>say: {esc(q.point)}</small>" if q.point else ""
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


def _suggestions(coach: Coach) -> list[str]:
    try:
        return coach.suggested_questions() or ["explain LoRA to me"]
    except CoachError:
        return ["explain LoRA to me"]


def _when(ts) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "?"


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """COACH_AUTH=user:pass -> ("user", "pass")."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise CoachError("COACH_AUTH must look like user:password.")
    return user, password


MAX_UPLOAD = "5mb"  # per file, enforced by Gradio at the upload endpoint


def serve(coach: Coach, host: str = "127.0.0.1", port: int = 7860, share: bool = False) -> None:
    from starlette.middleware import Middleware

    from coach.guard import Perimeter, allowed_hosts

    auth = parse_auth(os.environ.get("COACH_AUTH"))
    coach.searcher  # noqa: B018  load index and embedding model once, before the first request
    coach.engine.warm()
    demo = build(coach)
    demo.queue(default_concurrency_limit=4)
    hosts = allowed_hosts(host, os.environ.get("COACH_ALLOWED_HOSTS", ""))
    demo.launch(server_name=host, server_port=port, share=share, auth=auth, css=CSS, show_error=True,
                footer_links=["api"], max_file_size=MAX_UPLOAD,
                app_kwargs={"middleware": [Middleware(Perimeter, hosts=hosts)]})
