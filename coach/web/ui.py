"""The Gradio app over the core. Everything here translates between widgets and `Coach` calls."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pandas as pd

from coach.app import Coach
from coach.errors import CoachError
from coach.web.memory import give_back
from coach.notes.documents import SUFFIXES
from coach.web.render import (
    CSS, delivery_rows, esc, render_answer, render_delivery, render_grade, render_mastery, render_points, render_prep,
    render_sources, when,
)


# Everything that talks to the model waits in one line, first come first served: answers that
# shared the model took turns token by token, so 20 at once each took as long as all 20
# (p50 68 s, no word to anyone). In Gradio's queue each waiting browser sees its place.
ONE_AT_THE_MODEL = {"concurrency_limit": 1, "concurrency_id": "model"}
MAX_WAITING = 32  # past this many waiting, a new request is refused at once ("queue is full")


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
            finally:
                give_back()
            return {"answer": data["answer"], "citations": data["citations"]}

        gr.api(ask, api_name="ask", **ONE_AT_THE_MODEL)
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
        sent_at = gr.Number(visible=False)  # when the question was sent (the browser's clock, ms)
        stop_at = gr.Number(visible=False)  # when Stop was pressed (same clock)

    stops: dict[str, float] = {}  # tab -> when it last pressed Stop
    stamp = "(...values) => [...values.slice(0, -1), Date.now()]"  # the browser fills in the time it was pressed

    def respond(message: str, chat: list, history: list, asked: float | None, request: gr.Request):
        # Stop is cooperative: the answer ends itself between tokens, so the event finishes like any
        # other. (Gradio's `cancels` left the chat marked "Error" and the next question waiting when a
        # late streamed message reached the browser after the cancel.)
        def stopped() -> bool:
            return stops.get(request.session_hash, float("-inf")) >= (asked or 0)

        message = (message or "").strip()
        if not message:
            yield chat, history, gr.skip(), gr.skip()
            return
        chat = chat + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        if stopped():  # Stop was pressed while the question waited its turn
            chat[-1]["content"] = "_Stopped before it was answered._"
            yield chat, history, gr.skip(), ""
            return
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
                if stopped():
                    answer.stop()
                    break
                if kind == "token":
                    text += value
                chat[-1]["content"] = render_answer(answer, text)
                yield chat, history, gr.skip(), gr.skip()
        except CoachError as err:
            chat[-1]["content"] = f"**{esc(str(err))}**"
            yield chat, history, gr.skip(), gr.skip()
            return
        chat[-1]["content"] = render_answer(answer)
        give_back()
        yield chat, history + [answer.standalone_query], render_sources(answer), gr.skip()

    def stop_answer(pressed: float | None, request: gr.Request) -> None:
        stops[request.session_hash] = pressed or float("inf")

    inputs, outputs = [box, chatbot, queries, sent_at], [chatbot, queries, sources, box]
    box.submit(respond, inputs, outputs, js=stamp, api_visibility="private", **ONE_AT_THE_MODEL)
    send.click(respond, inputs, outputs, js=stamp, api_visibility="private", **ONE_AT_THE_MODEL)
    stop.click(stop_answer, stop_at, None, js=stamp, queue=False, api_visibility="private")
    clear.click(lambda: ([], [], render_sources(None), ""), None, outputs, api_visibility="private")
    suggestions.click(lambda s: s[0], suggestions, box, api_visibility="private").then(
        respond, inputs, outputs, js=stamp, api_visibility="private", **ONE_AT_THE_MODEL
    )


def _notes_tab(coach: Coach, demo: gr.Blocks) -> None:
    """Your notes: indexed and skipped files; add, re-index, remove."""
    w = _notes_panel(coach)

    def list_files():
        files, skipped = coach.files()
        rows = [[f["source"], f["chunks"], when(f["indexed_at"])] for f in files]
        skipped_text = "\n".join(f"- skipped <code>{esc(s['source'])}</code>: {esc(s['reason'])}" for s in skipped) or ""
        # A skipped note can be removed too: it may be the one that cannot be read.
        removable = [f["source"] for f in files] + [s["source"] for s in skipped]
        return rows, skipped_text, gr.update(choices=removable, value=None)

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

    notes_out = [w.files, w.skipped, w.remove_pick, w.status]
    demo.load(list_files, None, notes_out[:3], api_visibility="private")
    w.reindex_btn.click(reindex, None, notes_out, api_visibility="private")
    w.add_btn.click(add_files, w.upload, notes_out, api_visibility="private")
    w.remove_btn.click(remove_file, w.remove_pick, notes_out, api_visibility="private")


def _notes_panel(coach: Coach) -> SimpleNamespace:
    """The "Your notes" tab's widgets: the files table, what was skipped, upload and the buttons."""
    w = SimpleNamespace()
    with gr.Tab("Your notes"):
        gr.Markdown(f"Notes folder: `{coach.settings.corpus}` · only changed files are re-embedded.")
        w.files = gr.Dataframe(headers=["file", "chunks", "last indexed"], interactive=False, elem_id="files")
        w.skipped = gr.Markdown()
        with gr.Row():
            w.upload = gr.File(
                label="Add notes (.md, .txt, .pdf, .docx, .html)", file_count="multiple",
                file_types=sorted(SUFFIXES),
                elem_id="upload",
            )
            with gr.Column():
                w.add_btn = gr.Button("Add to notes and re-index", variant="primary", elem_id="add-notes")
                w.reindex_btn = gr.Button("Re-index", elem_id="reindex")
                w.remove_pick = gr.Dropdown(label="Remove a note", choices=[], elem_id="remove-pick")
                w.remove_btn = gr.Button("Remove from notes and index", variant="stop", elem_id="remove")
        w.status = gr.Markdown(elem_id="notes-status")
    return w


def _practice_tab(coach: Coach, demo: gr.Blocks) -> gr.Dropdown:
    """Practice: the drill with hint, time limit, STAR check and mastery; returns the job picker."""
    w = _practice_panel()

    def practice_stats():
        try:
            st = coach.drill.stats()
        except CoachError as err:
            return f"**{esc(str(err))}**", render_mastery({}), gr.update(visible=False)
        text = (f"**{st['reviews']}** reviews · **{st['due']}** of {st['cards']} questions due · "
                f"streak **{st['streak_days']}** day(s)")
        rows = delivery_rows(st["delivery"])
        if st["delivery"]:
            last = st["delivery"][-1]
            text += (f"<br>last spoken answer: **{last['wpm']:.0f}** words a minute · **{last['fillers_per_min']:.1f}** "
                     f"fillers a minute · {last['speaking_s']:.0f} s")
        # a line needs two points: the chart shows from the second spoken attempt on
        chart = gr.update(value=pd.DataFrame(rows), visible=True) if len(st["delivery"]) > 1 else gr.update(visible=False)
        return text, render_mastery(st["topics"]), chart

    def next_question(topic, prep):
        try:
            only = coach.drill.prep_questions(prep) if prep else None
        except CoachError as err:
            return None, None, f"**{esc(str(err))}**", "", "", "", None, ""
        q = coach.drill.next(topic or None, only=only)
        if q is None:
            return None, None, "Nothing is due for this topic. Come back later.", "", "", "", None, ""
        text = f"**{esc(q['question'])}**\n\n<small>{esc(q['topic'])}</small>"
        return q["id"], time.monotonic(), text, "", "", "", None, ""

    def show_hint(qid):
        if not qid:
            return "Press **Next question** first."
        return f"**Hint:** {esc(coach.drill.hint(qid))}"

    def grade_answer(qid, text, started, limit, heard):
        if not qid:
            return "Press **Next question** first.", None, gr.update(), *practice_stats()
        if not (text or "").strip():
            return "Type or record an answer (or \"I don't know\").", heard, gr.update(), *practice_stats()
        seconds = round(time.monotonic() - started, 1) if started else None
        try:
            r = coach.drill.answer(qid, text, seconds=seconds if limit else None, delivery=heard)
        except CoachError as err:
            return f"**{esc(str(err))}**", heard, gr.update(), *practice_stats()
        return render_grade(r, limit or 0), None, "", *practice_stats()  # the delivery lines move into the grade

    def listen(qid, recording):
        """The recording's transcript into the answer box (editable), its delivery kept for grading."""
        if not recording:
            return gr.update(), None, ""
        if not qid:
            return gr.update(), None, "Press **Next question** first, then record."
        try:
            heard = coach.drill.listen(qid, Path(recording))
        except CoachError as err:
            return gr.update(), None, f"**{esc(str(err))}**"
        note = "Transcribed: correct it if a word is wrong, then press **Grade my answer**.\n" + render_delivery(heard)
        return heard["transcript"], heard, note

    next_out = [w.card_id, w.shown_at, w.question, w.answer, w.result, w.hint, w.heard, w.voice_note]
    w.next_btn.click(next_question, [w.topic, w.prep], next_out, api_visibility="private")
    for event in (w.voice.stop_recording, w.voice.upload):
        event(listen, [w.card_id, w.voice], [w.answer, w.heard, w.voice_note], api_visibility="private")
    w.hint_btn.click(show_hint, w.card_id, w.hint, api_visibility="private")
    w.grade_btn.click(grade_answer, [w.card_id, w.answer, w.shown_at, w.limit, w.heard],
                      [w.result, w.heard, w.voice_note, w.stats, w.mastery, w.delivery_chart], api_visibility="private")
    demo.load(practice_stats, None, [w.stats, w.mastery, w.delivery_chart], api_visibility="private")
    return w.prep


def _practice_panel() -> SimpleNamespace:
    """The Practice tab's widgets: question, hint, answer, grade on the left; stats and mastery on the right."""
    with gr.Tab("Practice"):
        gr.Markdown("Mock-interview drill from your notes: answer, get graded against the notes, "
                    "and weak questions come back sooner. The notes' answer shows after your attempt.")
        w = SimpleNamespace(card_id=gr.State(None), shown_at=gr.State(None), heard=gr.State(None))
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    w.topic = gr.Textbox(label="Topic filter (optional)", scale=3, elem_id="drill-topic")
                    w.prep = gr.Dropdown(label="Job (from Prep)", choices=[""], value="", scale=2,
                                         elem_id="drill-prep")
                    w.limit = gr.Number(label="Time limit, s (0 = none)", value=0, minimum=0, precision=0,
                                        scale=1, elem_id="drill-limit")
                    w.next_btn = gr.Button("Next question", variant="primary", scale=1, elem_id="drill-next")
                w.question = gr.Markdown(elem_id="drill-question")
                with gr.Row():
                    w.hint_btn = gr.Button("Hint", size="sm", elem_id="drill-hint-btn")
                w.hint = gr.Markdown(elem_id="drill-hint")
                w.voice = gr.Audio(sources=["microphone", "upload"], type="filepath", label="Or say it (transcribed "
                                   "offline; under 5 minutes)", elem_id="drill-voice")
                w.voice_note = gr.Markdown(elem_id="drill-voice-note")
                w.answer = gr.Textbox(label="Your answer", lines=5, elem_id="drill-answer")
                w.grade_btn = gr.Button("Grade my answer", elem_id="drill-grade")
                w.result = gr.Markdown(elem_id="drill-result")
            with gr.Column(scale=2):
                w.stats = gr.Markdown(elem_id="drill-stats")
                w.mastery = gr.HTML(render_mastery({}), elem_id="mastery")
                w.delivery_chart = gr.LinePlot(x="attempt", y="value", color="figure", visible=False,
                                               label="Spoken answers: pace and fillers per attempt",
                                               elem_id="delivery-chart")
    return w




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
        from coach.practice.prep import saved

        return saved(coach.settings.home)

    prep_btn.click(run_prep, [prep_text, prep_name], [prep_out, drill_prep], api_visibility="private")
    demo.load(lambda: gr.update(choices=["", *prep_names()]), None, drill_prep, api_visibility="private")


def _suggestions(coach: Coach) -> list[str]:
    try:
        return coach.suggested_questions() or ["explain LoRA to me"]
    except CoachError:
        return ["explain LoRA to me"]


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

    from coach.web.guard import Perimeter, allowed_hosts

    from coach.web.memory import limit_arenas  # noqa: I001

    limit_arenas()  # before the model, the index and Gradio's threads allocate
    auth = parse_auth(os.environ.get("COACH_AUTH"))
    coach.searcher  # noqa: B018  load index and embedding model once, before the first request
    coach.engine.warm()
    demo = build(coach)
    demo.queue(default_concurrency_limit=4, max_size=MAX_WAITING)
    hosts = allowed_hosts(host, os.environ.get("COACH_ALLOWED_HOSTS", ""))
    demo.launch(server_name=host, server_port=port, share=share, auth=auth, css=CSS, show_error=True,
                footer_links=["api"], max_file_size=MAX_UPLOAD,
                app_kwargs={"middleware": [Middleware(Perimeter, hosts=hosts)]})
