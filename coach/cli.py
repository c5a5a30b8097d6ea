"""`coach` command line: a thin layer over coach.app.Coach. Errors print one line, no traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from coach.errors import CoachError, UsageError
from coach.text import printable, terminal_safe


def echo(message: object = "", **kwargs) -> None:
    """typer.echo for every line the command line prints: text from the notes (a question, a
    file name, a heading) may hold terminal escapes, which are shown, never obeyed."""
    typer.echo(terminal_safe(str(message)) if message is not None else message, **kwargs)

app = typer.Typer(
    help="An offline interview coach over your own notes.\n\n"
    "Start with `coach ingest` (indexes corpus/), then `coach ask \"explain LoRA to me\"`, "
    "`coach chat`, or `coach ui` for the web app.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

IndexOpt = typer.Option(None, "--index", help="Index folder [env COACH_INDEX; default index/].")
LlmOpt = typer.Option(
    None, "--llm", help="Local GGUF file, or a name from `coach models` [env COACH_LLM; default: packaged Qwen2.5-Coder-0.5B; smollm2: the small, fast one]."
)
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of text.")


def _coach(index: Optional[Path] = None, llm: Optional[Path] = None, **extra):
    from coach.app import Coach
    from coach.settings import Settings

    overrides = {k: v for k, v in {"index": index, "llm": llm, **extra}.items() if v is not None}
    return Coach(Settings.checked(**overrides))


def _err(msg: str) -> None:
    echo(msg, err=True)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Folders or files of notes [env COACH_CORPUS; default corpus/]."),
    index: Optional[Path] = IndexOpt,
    rebuild: bool = typer.Option(False, "--rebuild", help="Re-embed everything, ignoring the current index."),
    replace: bool = typer.Option(False, "--replace", help="The index holds only PATHS: notes from the folders "
                                 "and files indexed before are removed from it (not from disk)."),
    as_json: bool = JsonOpt,
):
    """Index notes (.md, .txt, .pdf, .docx, .html); only new or changed files are embedded.
    PATHS are added to the folders and files the index already holds (see --replace)."""
    coach = _coach(index)
    report = coach.ingest(paths or None, rebuild=rebuild, progress=sys.stderr.isatty() or not as_json,
                          replace=replace)
    if as_json:
        echo(json.dumps(report.summary()))
        return
    for s in report.skipped_files:
        _err(f"skipped {printable(s['source'])}: {s['reason']}")
    for w in report.warnings:
        _err(f"{printable(w['source'])}: {w['warning']}")
    if report.repaired:
        _err("the index was damaged: rebuilt it from your notes")
    r = report
    echo(
        f"{r.files} files: {r.added} added, {r.changed} changed, {r.removed} removed, "
        f"{r.unchanged} unchanged, {r.skipped} skipped; {r.chunks} chunks in {r.seconds:.1f}s "
        f"-> {coach.settings.index}"
    )
    if len(r.roots) > 1:
        echo("notes from: " + ", ".join(printable(root) for root in r.roots))


def _print_hits(hits, as_json: bool, query: str, searched: str | None = None) -> None:
    searched = searched or query
    if as_json:
        echo(json.dumps({"query": query, **({"searched": searched} if searched != query else {}),
                         "results": [h.as_dict() for h in hits]}, ensure_ascii=False))
        return
    if searched != query:
        echo(f"Searched for: {printable(searched)}\n")
    for n, h in enumerate(hits, 1):
        c = h.chunk
        echo(f"[{n}] {printable(c.source)}:{c.line_start}-{c.line_end}  {printable(c.heading)}  "
                   f"(score {h.score:.4f})")
        text = printable(" ".join(c.text.split()))
        echo("    " + (text[:300] + " …" if len(text) > 300 else text) + "\n")


@app.command()
def search(
    query: Optional[str] = typer.Argument(None, help="What to look for."),
    k: Optional[int] = typer.Option(None, "-k", min=1, max=100, help="How many passages (1-100) [env COACH_TOP_K; default 5]."),
    batch: Optional[Path] = typer.Option(None, "--batch", help="File with one query per line; prints JSON lines."),
    index: Optional[Path] = IndexOpt,
    as_json: bool = JsonOpt,
):
    """Hybrid search (meaning + keywords) over the indexed notes."""
    if (query is None) == (batch is None):
        raise UsageError("Give a QUERY or --batch FILE (one of them) — see `coach search --help`.")
    coach = _coach(index)
    if batch is not None:
        try:
            queries = [q.strip() for q in batch.read_text(encoding="utf-8").splitlines() if q.strip()]
        except OSError as err:
            raise UsageError(f"Cannot read {batch} ({err.strerror}) — give a text file, one query per line.") from err
        for q in queries:
            _print_hits(coach.search(q, k), True, q, coach.searcher.searched(q))
        return
    _print_hits(coach.search(query, k), as_json, query, coach.searcher.searched(query))


@app.command(name="eval")
def evaluate(
    file: Optional[Path] = typer.Argument(None, help="Gold questions (.jsonl) for retrieval, e.g. ../shared/eval/dev_questions.jsonl."),
    answers: Optional[Path] = typer.Option(
        None, "--answers", help="Gold questions (.jsonl) to answer for real and score the answers, e.g. tests/data/dev_answers.jsonl."
    ),
    k: int = typer.Option(10, "-k", min=10, max=100, help="Passages retrieved per question, 10-100 (MRR@10 needs ten)."),
    half: Optional[str] = typer.Option(
        None, "--half", help='Only the questions marked with this "half" (tune or report), as in tests/data/fresh_questions.jsonl.'
    ),
    index: Optional[Path] = IndexOpt,
    llm: Optional[Path] = LlmOpt,
    as_json: bool = JsonOpt,
):
    """Score retrieval (Recall@1, Recall@5, MRR@10) or, with --answers, the answers themselves."""
    from coach.evals.retrieval import load_gold

    if (file is None) == (answers is None):
        raise UsageError("Give a gold FILE (retrieval) or --answers FILE (answers), one of them — see `coach eval --help`.")
    if answers is not None:
        _evaluate_answers(load_gold(answers), _coach(index, llm), as_json)
        return
    rows, m = _coach(index).evaluate(file, k, half)
    m["misses"] = [r["id"] for r in rows if r["rank"] != 1]
    if as_json:
        echo(json.dumps({**m, "queries": rows}, ensure_ascii=False))
        return

    def scores(m: dict) -> str:
        return f"R@1 {m['recall@1']:.3f}  R@5 {m['recall@5']:.3f}  MRR@10 {m['mrr@10']:.3f}"

    for r in rows:
        if r["rank"] != 1:
            echo(f"{r['id']:>6}  rank {r['rank'] or '>10'}  [{r['query']}]")
    for style, sm in m.get("styles", {}).items():
        echo(f"{sm['questions']:>3} {style:<13} {scores(sm)}")
    echo(f"{m['questions']} questions  {scores(m)}")


def _evaluate_answers(gold: list[dict], coach, as_json: bool) -> None:
    from coach.evals.answers import evaluate_answers

    def show(r: dict) -> None:
        if not as_json:
            echo(
                f"{r['id']:>6}  supported {r['supported']:.2f} ({r['supported_n']}/{r['sentences']})  "
                f"gold cited {'yes' if r['gold_cited'] else 'NO '}  coverage {r['coverage']:.2f}  "
                f"{r['words']:>3} words  first {r['first_s']:.1f}s  end {r['total_s']:.1f}s  "
                f"model kept {r['model_kept']}/{r['model_judged']}  [{r['standalone_query']}]"
                + (f"  on the question {'yes' if r['on_question'] else 'NO'}" if "on_question" in r else "")
                + (f"  defects: {', '.join(r['defects'])}" if r["defects"] else "")
            )

    rows, m = evaluate_answers(coach, gold, progress=show)
    if as_json:
        echo(json.dumps({"summary": m, "questions": rows}, ensure_ascii=False))
        return
    echo(
        f"\n{m['questions']} questions ({m['covered']} covered)  supported {m['supported_share']:.3f}  "
        f"supported/answer {m['supported_per_answer']:.2f}  gold cited {m['gold_cited']:.3f}  "
        f"coverage {m['gold_coverage']:.3f}  words {m['words']:.0f}  first p50 {m['first_p50_s']:.2f}s  "
        f"answer p50 {m['answer_p50_s']:.2f}s  model restatements kept {m['model_kept_share']:.3f} "
        f"(verbatim {m['model_verbatim_share']:.3f})  "
        f"readability defects {m['defects']}" + (f" ({', '.join(f'{k} {n}' for k, n in m['defects_by_kind'].items())})"
                                                 if m["defects"] else "")
        + (f"  on the question {m['on_question']:.3f} (opens on it {m['opens_on']:.3f})" if "on_question" in m else "")
    )


def _print_answer(answer, as_json: bool, draft: bool = False, stoppable: bool = False) -> None:
    """The grounded answer, sentence by sentence as it is composed; the draft on request; the sources.
    `stoppable`: Ctrl-C ends the answer where it is (its sources still follow) instead of the program."""
    if as_json:
        echo(json.dumps(answer.to_json(), ensure_ascii=False))
        return
    from coach.answer.grounded import NOT_COVERED, format_sentence

    if not answer.covered:
        echo(NOT_COVERED)
    try:
        for kind, value in answer.events():
            if kind == "sentence":
                sys.stdout.write(terminal_safe(format_sentence(value)) + " ")
                sys.stdout.flush()
    except KeyboardInterrupt:
        if not stoppable:
            raise
        answer.stop()
        sys.stdout.write("(stopped)")
    echo("")
    if answer.model_error:
        _err(f"(the model failed, so this answer is your notes only: {answer.model_error})")
    if answer.covered:
        kept, judged = answer.model_kept
        if draft:
            echo("\nModel's draft, one restatement per note (⚠ = did not hold to its note, not shown above):")
            echo("  " + (answer.draft_text or "(empty)"))
        elif judged > kept:
            echo(f"\n({judged - kept} of the model's {judged} restatements did not hold to their notes and "
                       "were said in the notes' words; --draft shows them.)")
    echo("\nSources:" if answer.covered else "\nNearest passages:")
    for s in answer.sources:
        echo(f"  [{s['n']}] {printable(s['source'])}:{s['line_start']}-{s['line_end']}  {printable(s['heading'])}")


@app.command()
def ask(
    question: str = typer.Argument(..., help="Your question, e.g. \"explain LoRA to me\"."),
    index: Optional[Path] = IndexOpt,
    llm: Optional[Path] = LlmOpt,
    draft: bool = typer.Option(False, "--draft", help="Also print the model's own draft, each sentence checked."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (answer, citations, sources, draft)."),
):
    """Answer a question from your notes, with citations. Every sentence shown is in your notes."""
    _print_answer(_coach(index, llm).ask(question), as_json, draft)


@app.command()
def chat(index: Optional[Path] = IndexOpt, llm: Optional[Path] = LlmOpt,
         draft: bool = typer.Option(False, "--draft", help="Also print the model's own draft.")):
    """A conversation in the terminal; follow-ups ("what are its drawbacks?") use the history."""
    coach = _coach(index, llm)
    coach.searcher  # load before the first prompt  # noqa: B018
    # and the model: llama-cpp points this process's stdout at /dev/null while it loads, so a load
    # still running after Ctrl-C would swallow what the next question prints
    coach.engine.warm()
    echo("Ask about your notes. Ctrl-C stops an answer; an empty line or Ctrl-D quits.")
    history: list[str] = []
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer = coach.ask(question, history)
            if answer.standalone_query != question:
                echo(f"(searching: {answer.standalone_query})")
            echo("coach> ", nl=False)
            _print_answer(answer, False, draft, stoppable=True)
        except KeyboardInterrupt:  # before the answer began: nothing to show
            echo("(stopped)")
            continue
        history.append(answer.standalone_query)  # stopped or not, a follow-up is about this topic


drill_app = typer.Typer(help="Mock-interview drills from your notes, graded and spaced.", no_args_is_help=False)
app.add_typer(drill_app, name="drill")
TopicOpt = typer.Option(None, "--topic", help="Only questions whose topic or text contains this.")


@drill_app.callback(invoke_without_command=True)
def drill(ctx: typer.Context, topic: Optional[str] = TopicOpt, index: Optional[Path] = IndexOpt,
          timer: Optional[int] = typer.Option(None, "--timer", min=10, help="Seconds per answer; over time is "
                                              "said after grading (an interview answer runs 1-2 minutes)."),
          prep: Optional[str] = typer.Option(None, "--prep", help="Only the questions of a job saved by `coach prep`."),
          new_history: bool = typer.Option(False, "--new-history", help="Keep a damaged practice history as "
                                           "coach.db.damaged-DATE and start a fresh one.")):
    """Without a subcommand: an interactive drill. Type `?` for a hint, an empty line to stop;
    the notes' answer is shown after your attempt."""
    ctx.obj = {"index": index}
    if new_history:
        from coach.settings import Settings
        from coach.practice.store import set_aside

        kept = set_aside(Settings.checked().home)
        _err(f"kept the old history as {kept}; a fresh one starts now" if kept else "no history yet: nothing to keep")
    if ctx.invoked_subcommand is not None:
        return
    d = _coach(index).drill
    only = d.prep_questions(prep) if prep else None
    while (q := d.next(topic, only=only)) is not None:
        if not _drill_one(d, q, timer):
            return
    echo("Nothing is due. Come back later, or pick another --topic.")


def _drill_one(d, q: dict, timer: int | None) -> bool:
    """Ask one question, grade the answer and say how it went; False when the user stops."""
    import time

    limit = f" · {timer}s" if timer else ""
    echo(f"\n[{q['topic']}{limit}]\nQ: {q['question']}")
    start = time.monotonic()
    try:
        text = input("your answer (? for a hint)> ").strip()
        if text == "?":
            echo(f"hint: {d.hint(q['id'])}")
            text = input("your answer> ").strip()
    except EOFError:
        return False
    if not text:
        return False
    seconds = round(time.monotonic() - start, 1)
    r = d.answer(q["id"], text, seconds=seconds if timer else None)
    echo(f"score {r['score']:.2f} — {r['feedback']}")
    if timer:
        echo(f"time {seconds:.0f}s of {timer}s" + (" — over time: shorten it" if seconds > timer else ""))
    for line in (r["star"] or {}).get("advice", []):
        echo(f"  STAR: {line}")
    for m in r["missed"][:5]:
        echo(f"  missed: {m}")
    echo(f"your notes say:\n{_indent(r['reference'])}")
    echo(f"next time: {r['next_due'][:16].replace('T', ' ')} · an interviewer might ask next: {r['follow_up']}")
    return True


def _indent(text: str, width: int = 600) -> str:
    text = text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"
    return "\n".join("  " + line for line in text.splitlines() if line.strip())


def _drill(ctx: typer.Context):
    return _coach((ctx.obj or {}).get("index")).drill


@drill_app.command("list")
def drill_list(ctx: typer.Context, topic: Optional[str] = TopicOpt, as_json: bool = JsonOpt):
    """The interview questions your notes contain."""
    qs = _drill(ctx).list(topic)
    if as_json:
        echo(json.dumps([{k: q.as_dict()[k] for k in ("id", "question", "source", "topic")} for q in qs],
                              ensure_ascii=False))
        return
    for q in qs:
        echo(f"{q.id}  {q.question}  ({q.topic})")
    echo(f"{len(qs)} questions")


@drill_app.command("next")
def drill_next(ctx: typer.Context, topic: Optional[str] = TopicOpt, as_json: bool = JsonOpt,
               prep: Optional[str] = typer.Option(None, "--prep", help="Only the questions of a job saved by `coach prep`.")):
    """The next due question, from your weakest topic first."""
    d = _drill(ctx)
    q = d.next(topic, only=d.prep_questions(prep) if prep else None)
    if as_json:
        echo(json.dumps(q, ensure_ascii=False))
    elif q is None:
        echo("Nothing is due.")
    else:
        echo(f"{q['id']}  {q['question']}  ({q['topic']})")


@drill_app.command("hint")
def drill_hint(ctx: typer.Context, question_id: str = typer.Argument(..., metavar="ID"), as_json: bool = JsonOpt):
    """The first key point of the notes' answer, before you answer."""
    hint = _drill(ctx).hint(question_id)
    echo(json.dumps({"hint": hint}, ensure_ascii=False) if as_json else hint)


@drill_app.command("history")
def drill_history(ctx: typer.Context, question_id: str = typer.Argument(..., metavar="ID"), as_json: bool = JsonOpt):
    """Every attempt at one question: when, score, time taken, what you said."""
    rows = _drill(ctx).history(question_id)
    if as_json:
        echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        took = f" {r['seconds']:.0f}s" if r["seconds"] is not None else ""
        echo(f"{r['at'][:16].replace('T', ' ')}  {r['score']:.2f}{took}  {r['answer'][:70]}")
    echo(f"{len(rows)} attempt(s)")


AudioOpt = typer.Option(None, "--audio", help="A recording of your answer (wav, mp3, m4a, ogg, webm; under 5 minutes "
                        "and 25 MB): transcribed offline, graded, and its delivery measured.")


@drill_app.command("answer")
def drill_answer(ctx: typer.Context, question_id: str = typer.Argument(..., metavar="ID"),
                 text: Optional[str] = typer.Argument(None, help="Your answer (or --audio FILE)."),
                 audio: Optional[Path] = AudioOpt,
                 seconds: Optional[float] = typer.Option(None, "--seconds", min=0, help="How long you took (timed practice)."),
                 as_json: bool = JsonOpt):
    """Grade an answer against your notes and schedule the question again; --audio grades a
    spoken one, with feedback on how it was said."""
    if (text is None) == (audio is None):
        raise UsageError("Give the answer as TEXT or as --audio FILE (one of the two).")
    if audio is not None:
        from coach.voice.audio import check

        check(audio)  # a file that cannot be an answer is refused before any model loads
    d = _drill(ctx)
    heard = d.listen(question_id, audio) if audio is not None else None
    r = d.answer(question_id, heard["transcript"] if heard else text, seconds=seconds, delivery=heard)
    r.pop("id")
    if as_json:
        if heard:
            r["transcript"] = heard["transcript"]
            r.update({k: heard[k] for k in ("duration_s", "wpm", "fillers", "pauses", "hedges")})
        echo(json.dumps(r, ensure_ascii=False))
        return
    if heard:
        echo(f"you said: {heard['transcript']}")
    echo(f"score {r['score']:.2f} — {r['feedback']}")
    for line in (r["star"] or {}).get("advice", []):
        echo(f"STAR: {line}")
    for line in r["not_in_notes"]:
        echo(f"check: {line}")
    for line in (heard or {}).get("lines", []):
        echo(f"delivery: {line}")
    if heard and heard["weak"]:
        echo("delivery: weak — this question comes back sooner, as a weaker grade would bring it.")
    echo(f"your notes say:\n{_indent(r['reference'])}\nnext due {r['next_due']}\nfollow-up: {r['follow_up']}")


@drill_app.command("stats")
def drill_stats(ctx: typer.Context, as_json: bool = JsonOpt):
    """Reviews, due questions, streak, and mastery per topic."""
    st = _drill(ctx).stats()
    if as_json:
        echo(json.dumps(st, ensure_ascii=False))
        return
    echo(f"{st['reviews']} reviews, {st['due']} of {st['cards']} questions due, streak {st['streak_days']} days")
    for topic, m in sorted(st["topics"].items(), key=lambda kv: kv[1]["mastery"]):
        if m["reviewed"]:
            echo(f"  {m['mastery']:.2f}  {topic} ({m['reviewed']}/{m['cards']} practised)")
    if st["delivery"]:
        echo(f"spoken answers, the last {len(st['delivery'])}: words a minute · fillers a minute · length")
        for a in st["delivery"]:
            echo(f"  {a['at'][:16].replace('T', ' ')}  {a['wpm']:5.0f} · {a['fillers_per_min']:4.1f} · "
                 f"{a['speaking_s']:4.0f} s{'  (weak delivery)' if a['weak'] else ''}")


@app.command()
def transcribe(recording: Path = typer.Argument(..., metavar="FILE", help="wav, mp3, m4a, ogg or webm; under 5 minutes."),
               story: bool = typer.Option(False, "--story", help="Judge the length as a behavioural story (60-120 s) "
                                          "rather than a technical answer (30-90 s)."),
               as_json: bool = JsonOpt):
    """Transcribe a spoken answer offline and say how it was delivered: length, pace, fillers
    (and where they fell), pauses, hedges."""
    r = _coach(None).transcribe(recording, story=story)
    if as_json:
        echo(json.dumps(r, ensure_ascii=False))
        return
    echo(r["transcript"])
    echo("")
    for line in r["lines"]:
        echo(line)


@app.command()
def points(topic: str = typer.Argument(..., help='e.g. "my ECG digitizer project"'), index: Optional[Path] = IndexOpt,
           llm: Optional[Path] = LlmOpt,
           polish: bool = typer.Option(False, "--polish", help="Let the LLM reword each point; a rewording is kept "
                                       "only if your notes support it (a larger --llm reads better)."),
           as_json: bool = JsonOpt):
    """5-8 talking points you can say out loud about a project or topic: the problem, what you built,
    a decision, a result, a hard problem, what you would change; each cited to its file and lines."""
    from coach.text import last_heading

    r = _coach(index, llm).points(topic, polish=polish)
    if as_json:
        echo(json.dumps({"topic": r["topic"], "points": [p.as_dict() for p in r["points"]],
                               "missing": r["missing"]}, ensure_ascii=False))
        return
    if not r["points"]:
        echo("Your notes don't cover this topic.")
        return
    for p in r["points"]:
        echo(f"- [{p.aspect}] {p.text}\n    {p.source}:{p.lines[0]}-{p.lines[1]} › {last_heading(p.heading)}")
    for m in r["missing"]:
        echo(f"  missing: {m}")


@app.command()
def prep(
    posting: str = typer.Argument(..., metavar="FILE", help="The job description (.md, .txt, .pdf, .docx, .html), or - for stdin."),
    name: Optional[str] = typer.Option(None, "--name", help="Save as NAME for `coach drill --prep NAME` "
                                       "[default: the file's name]."),
    index: Optional[Path] = IndexOpt,
    as_json: bool = JsonOpt,
):
    """Prepare for a job: each requirement of the posting matched to your notes (covered, with a
    talking point, or a gap), then the likely questions, those your notes answer first."""
    coach = _coach(index)
    if posting == "-":
        text, default = sys.stdin.read(), "job"
    else:
        from coach.practice.prep import read_posting

        text = read_posting(Path(posting), int(coach.settings.max_file_mb * 1024 * 1024))
        default = Path(posting).stem
    r = coach.prep(text, name or default)
    if as_json:
        echo(json.dumps(r.as_json(), ensure_ascii=False))
        return
    covered = sum(q.covered for q in r.requirements)
    echo(f"{covered} of {len(r.requirements)} requirements covered by your notes\n")
    for q in r.requirements:
        echo(f"{'✓' if q.covered else '✗ gap'}  {q.text}")
        if q.covered:
            echo(f"     notes: {', '.join(sorted({p['source'] for p in q.passages}))}")
            if q.point:
                echo(f"     say: {q.point}")
            for part in q.to_add:
                echo(f"     to add to your notes: {part}")
    echo("\nLikely questions (your notes answer the first ones):")
    for n, q in enumerate(r.questions, 1):
        echo(f"{n:2d}. {q['question']}" + (f"  ({q['source']})" if q["source"] else "  (not in your notes)"))
    from coach.practice.prep import safe_prep_name

    echo(f"\nDrill them: coach drill --prep {safe_prep_name(r.name)}")


@app.command()
def models(as_json: bool = JsonOpt):
    """GGUF models already on this machine (COACH_MODELS_DIR, Hugging Face cache, LM Studio, GPT4All,
    Ollama), with size, quantization, parameters and chat template. Use one with --llm NAME."""
    from coach.engines.gguf import list_models
    from coach.settings import Settings

    found = list_models(Settings.checked().models_dir)
    if as_json:
        echo(json.dumps([m.as_dict() for m in found], ensure_ascii=False))
        return
    rows = [("NAME", "SIZE", "QUANT", "PARAMS", "TEMPLATE", "FOUND IN")]
    rows += [(m.name, f"{m.size_mb} MB", m.quantization, m.parameters, m.chat_template, m.found_in) for m in found]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    echo("\nUse one with: coach ask --llm NAME \"your question\" (or COACH_LLM=NAME).")


@app.command()
def ui(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; 127.0.0.1 keeps the app on this machine."),
    port: int = typer.Option(7860, "--port", help="Port to listen on."),
    share: bool = typer.Option(False, "--share", help="Ask Gradio for a public share link (needs internet)."),
    index: Optional[Path] = IndexOpt,
    llm: Optional[Path] = LlmOpt,
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Notes folder the app manages [env COACH_CORPUS]."),
):
    """The web app: chat with citations and sources, and manage your notes. COACH_AUTH=user:pass adds a login."""
    from coach.web.ui import serve

    coach = _coach(index, llm, corpus=corpus)
    if coach.index_is_stale():
        echo("Indexing your notes first…", err=True)
        coach.ingest()
    serve(coach, host, port, share)


def main() -> None:
    try:
        app()
    except CoachError as err:
        _err(f"coach: {err}")
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        _err("coach: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
