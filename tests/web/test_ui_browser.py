"""The web app in a real headless Chromium, plus its API, binding and concurrency."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers import ROOT, free_port, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROME_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _serve(base: Path, index: Path, corpus: Path):
    """`coach ui` on `index` and `corpus` until the module's tests are done."""
    port = free_port()
    log = open(base / "ui.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach.cli", "ui", "--port", str(port), "--index", str(index), "--corpus", str(corpus)],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        # never the user's own practice history; the shared index was built without adapting the
        # embedder (tests/test_adapt.py covers that), so the app must not rebuild it on start
        env={**os.environ, "COACH_HOME": str(base / "home"), "COACH_ADAPT_EMBEDDER": "false",
             "GRADIO_TEMP_DIR": str(base / "uploads")},
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"coach ui exited: {(base / 'ui.log').read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("coach ui did not start in 180 s")
    yield {"url": url, "port": port, "corpus": corpus, "proc": proc, "uploads": base / "uploads"}
    proc.terminate()
    proc.wait(timeout=30)


def _need_chromium() -> None:
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: `make browser-deps` should have installed it")
        pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory, shared_index):
    _need_chromium()
    base = tmp_path_factory.mktemp("ui")
    index = base / "index"
    shutil.copytree(shared_index, index)
    corpus = base / "notes"
    shutil.copytree(ROOT.parent / "shared" / "corpus", corpus)
    for f in corpus.iterdir():
        f.chmod(0o644)
    yield from _serve(base, index, corpus)


@pytest.fixture(scope="module")
def starter_server(tmp_path_factory):
    """The app on the starter notes the repository ships (corpus/), as `make run` starts it."""
    _need_chromium()
    base = tmp_path_factory.mktemp("ui-starter")
    corpus = base / "notes"
    shutil.copytree(ROOT / "corpus", corpus)
    run_cli("ingest", corpus, "--index", base / "index", env={"COACH_ADAPT_EMBEDDER": "false"}, check=True)
    yield from _serve(base, base / "index", corpus)


@pytest.fixture(scope="module")
def playwright():
    """One Playwright per module: a second sync_playwright() in the same thread is refused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright):
    b = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
    yield b
    b.close()


BOT = "#chat .message.bot"
USER = "#chat .message.user"
CHAT_FREE = "document.querySelector('#chat [data-testid=status-tracker]').classList.contains('hide')"  # the chat's status tracker is hidden: no question running


def ask(page, question: str, timeout: float = 120, enter: bool = False) -> list[str]:
    """Type a question, send it (the Ask button, or Enter), and return snapshots of the reply's text while it streams.

    The reply is complete when the sources panel says it is final for this very question.
    """
    # a new question is taken once the previous one has finished (Gradio's trigger_mode="once")
    page.wait_for_function(CHAT_FREE, timeout=60000)
    bots = page.locator(BOT)
    before = bots.count()
    done = page.locator(f'#answer-meta[data-state="final"][data-question="{question}"]')
    page.fill("#question textarea", question)
    if enter:
        page.press("#question textarea", "Enter")
    else:
        page.click("#send")
    snapshots: list[str] = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        if bots.count() > before:
            snapshots.append(bots.nth(before).inner_text())
        if done.count() and bots.count() > before:
            snapshots.append(bots.nth(before).inner_text())
            return snapshots
        time.sleep(0.2)
    raise AssertionError(f"no complete answer to {question!r} in {timeout}s; last: {snapshots[-1:]}")


def test_chat_streams_cites_and_follows_up(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["url"])
    page.wait_for_selector("#question textarea", timeout=60000)
    page.wait_for_selector("#suggestions button", timeout=60000)  # they render after the textbox
    assert page.locator("#suggestions button").count() >= 3  # first questions come from the notes

    snaps = ask(page, "what does deepspeed zero solve?")
    lengths = [len(s) for s in snaps if s.strip()]
    assert len(set(lengths)) >= 3, "the reply should grow while it streams"

    # a citation links to its passage in the sources panel
    cite = page.locator("#chat a.cite, #sources a.cite").first
    n = cite.inner_text().strip("[]")
    cite.click()
    passage = page.locator(f"#sources #src-{n}")
    assert passage.is_visible()
    assert "ZeRO" in page.locator("#sources").inner_text()
    # the answer leads with what the notes say: nothing flagged in it, the draft collapsed below
    reply = page.locator(BOT).last
    assert reply.locator(".grounded").count() == 1
    assert reply.locator(".grounded .unsupported").count() == 0
    assert reply.locator(".grounded a.cite").count() >= 1
    draft = reply.locator("details.draft")
    assert draft.count() == 1 and not draft.evaluate("d => d.open")
    draft.locator("summary").click()
    assert draft.evaluate("d => d.open") and "Model's draft" in draft.inner_text()
    assert page.locator("#standalone-query").inner_text() == "what does deepspeed zero solve?"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat_with_sources.png"), full_page=True)

    ask(page, "explain LoRA to me")
    ask(page, "and what are its drawbacks?", enter=True)
    assert "LoRA" in page.locator("#standalone-query").inner_text()
    assert "Disadvantages" in page.locator("#sources").inner_text() or "drawback" in page.locator("#sources").inner_text().lower()
    page.screenshot(path=str(ARTIFACTS / "follow_up.png"), full_page=True)

    # another tab has its own, empty history
    other = browser.new_context().new_page()
    other.goto(server["url"])
    other.wait_for_selector("#question textarea", timeout=60000)
    assert other.locator(BOT).count() == 0 and other.locator(USER).count() == 0
    # a first question from the notes is asked with one click
    other.wait_for_selector("#suggestions button", timeout=60000)
    suggestion = other.locator("#suggestions button").first
    picked = suggestion.inner_text().strip()
    suggestion.click()
    other.wait_for_selector(f'#answer-meta[data-state="final"][data-question="{picked}"]', timeout=120000)
    assert "[1]" in other.locator(BOT).last.inner_text()

    # clear starts over; stop interrupts, and the next question still gets answered. Stop pressed
    # at once after the reply appears, and a little later: Gradio's own cancel left the chat
    # marked "Error" (and the next question unsent) about one time in six at these moments.
    page.click("#clear")
    page.wait_for_function(f"document.querySelectorAll('{USER}').length == 0", timeout=10000)
    tracker = page.locator("#chat [data-testid=status-tracker]")
    for delay in (0.0, 0.2, 0.5):
        page.fill("#question textarea", "explain batch normalization")
        page.click("#send")
        page.wait_for_function(f"document.querySelectorAll('{BOT}').length >= 1", timeout=60000)
        time.sleep(delay)
        page.click("#stop")
        page.wait_for_function(CHAT_FREE, timeout=15000)
        assert "Error" not in tracker.inner_text()
        assert "(stopped)" in page.locator(BOT).last.inner_text()
        ask(page, "what is self attention")
        assert "attention" in page.locator("#sources").inner_text().lower()
        assert "(stopped)" not in page.locator(BOT).last.inner_text()


def test_api_endpoint_binding_and_four_users(server):
    from gradio_client import Client

    client = Client(server["url"], verbose=False)
    result = client.predict("what does deepspeed zero solve?", api_name="/ask")
    assert set(result) == {"answer", "citations"} and result["answer"]
    assert result["citations"] and "⚠" not in result["answer"]
    assert all({"n", "source", "heading"} <= set(c) for c in result["citations"])

    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
    binds = [line.split()[3] for line in listening.splitlines() if line.split()[3].endswith(f":{server['port']}")]
    assert binds == [f"127.0.0.1:{server['port']}"], binds

    questions = ["what is peft", "adam vs sgd", "log loss vs mse", "what is self attention"]
    answers: dict[str, dict] = {}

    def one(q):
        answers[q] = Client(server["url"], verbose=False).predict(q, api_name="/ask")

    threads = [threading.Thread(target=one, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(answers) == sorted(questions)
    assert all(a["answer"] for a in answers.values())


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024


LOAD = ["explain LoRA to me", "what is QLoRA", "how do I evaluate a RAG system", "what is prefix tuning",
        "bagging vs boosting", "what is data drift", "how do I monitor a model in production",
        "what does deepspeed zero solve", "what is catastrophic forgetting", "what is self attention"] * 2


def test_twenty_at_once_are_all_answered_and_memory_levels_off(server):
    """20 concurrent /ask calls once grew the app from 494 to 1,632 MB. Three rounds of 20: every
    answer cites the notes, and the third round adds under 5% to what the second left."""
    from gradio_client import Client

    rss = []
    for _ in range(3):
        answers: dict[int, dict] = {}

        def one(n):
            answers[n] = Client(server["url"], verbose=False).predict(LOAD[n], api_name="/ask")

        threads = [threading.Thread(target=one, args=(n,)) for n in range(len(LOAD))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        assert sorted(answers) == list(range(len(LOAD)))
        assert all(a["answer"] and a["citations"] for a in answers.values()), answers
        rss.append(_rss_mb(server["proc"].pid))
    print("rss after each round (MB):", [round(r) for r in rss])
    assert rss[2] < rss[1] * 1.05, rss


def test_a_waiting_question_shows_its_place_in_line(server, browser):
    """The model answers one question at a time; the others wait in Gradio's queue, each page
    showing its place ("queue: 2/2") instead of a silent spinner, and all are answered but one
    stopped while it waited."""
    pages = [browser.new_page(viewport={"width": 1200, "height": 900}) for _ in range(3)]
    for page in pages:
        page.goto(server["url"])
        page.wait_for_selector("#question textarea", timeout=30000)
    for page, q in zip(pages, ["explain LoRA to me", "what is QLoRA", "what is prefix tuning"]):
        page.fill("#question textarea", q)
        page.click("#send")
    last = pages[2]
    last.wait_for_function("document.querySelector('#chat').innerText.includes('queue:')", timeout=30000)
    shown = last.locator("#chat").inner_text()
    assert "queue: 1/" in shown or "queue: 2/" in shown, shown
    last.click("#stop")  # a question stopped while it waits is never answered...
    for page, q in zip(pages[:2], ["explain LoRA to me", "what is QLoRA"]):
        page.wait_for_selector(f'#answer-meta[data-state="final"][data-question="{q}"]', timeout=180000)
        assert "[1]" in page.locator(BOT).last.inner_text()
    last.wait_for_function("document.querySelector('#chat').innerText.includes('Stopped before it was answered')",
                           timeout=60000)
    assert last.locator("#answer-meta").count() == 0  # no retrieval ran for it
    ask(last, "what is prefix tuning")  # ...and that Stop does not stop the tab's next question
    assert "[1]" in last.locator(BOT).last.inner_text() and "(stopped)" not in last.locator(BOT).last.inner_text()
    for page in pages:
        page.close()


def test_notes_tab_uploads_reindexes_and_removes(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["url"])
    page.get_by_role("tab", name="Your notes").click()
    page.wait_for_selector("#files", timeout=30000)
    page.wait_for_function("document.querySelector('#files').innerText.includes('004_c435e3b4ff183602.txt')", timeout=30000)

    note = tmp_path / "zebra notes!.md"
    note.write_text("# Zebra protocol\nThe zebra protocol stripes requests across replicas.\n")
    page.locator("#upload input[type=file]").set_input_files(str(note))
    page.click("#add-notes")
    page.wait_for_function("document.querySelector('#notes-status').innerText.includes('1 added')", timeout=120000)
    assert (server["corpus"] / "zebra_notes.md").exists()
    assert "zebra_notes.md" in page.locator("#files").inner_text()
    # the upload itself is not kept in the temp folder once copied into the notes
    assert not [p for p in server["uploads"].rglob("*") if p.is_file() and "zebra" in p.name]

    page.locator("#remove-pick input").fill("zebra_notes.md")
    page.keyboard.press("Enter")
    page.click("#remove")
    page.wait_for_function("document.querySelector('#notes-status').innerText.includes('1 removed')", timeout=120000)
    assert not (server["corpus"] / "zebra_notes.md").exists()


def test_practice_prep_and_talking_points_tabs(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(server["url"])
    page.get_by_role("tab", name="Practice").click()
    page.wait_for_function("document.querySelector('#mastery').innerText.includes('No practice yet')", timeout=30000)
    page.fill("#drill-topic input, #drill-topic textarea", "ECG")
    page.fill("#drill-limit input", "90")
    page.click("#drill-next")
    # wait for the content itself: Gradio's "processing" overlay also puts text in the element
    page.wait_for_function("document.querySelector('#drill-question').innerText.includes('002_3311060c06bf2bdb.txt')",
                           timeout=60000)
    assert "?" in page.locator("#drill-question").inner_text()
    assert "notes' answer" not in page.locator("#drill-result").inner_text()  # nothing revealed before an attempt
    page.click("#drill-hint-btn")
    page.wait_for_function("document.querySelector('#drill-hint').innerText.includes('Hint:')", timeout=30000)
    page.fill("#drill-answer textarea", "I don't know")
    page.click("#drill-grade")
    page.wait_for_function("document.querySelector('#drill-result').innerText.includes('Score')", timeout=60000)
    result = page.locator("#drill-result").inner_text()
    assert "✗" in result and "Next time" in result and "Time:" in result and "Your notes' answer" in result
    page.wait_for_function("document.querySelector('#drill-stats').innerText.includes('1 reviews')", timeout=30000)
    # one practised topic at 0: a bar of zero width, not a full one
    bar = page.locator("#mastery .bar-row")
    assert bar.count() == 1 and bar.get_attribute("data-mastery") == "0.000"
    assert page.locator("#mastery .fill").evaluate("e => e.getBoundingClientRect().width") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "practice.png"), full_page=True)

    page.get_by_role("tab", name="Prep").click()
    job = (ROOT / "tests" / "data" / "ml_engineer_job.md").read_text()
    page.fill("#prep-text textarea", job)
    page.fill("#prep-name input, #prep-name textarea", "ml-engineer")
    page.click("#prep-go")
    page.wait_for_function("document.querySelector('#prep-result').innerText.includes('requirements covered')",
                           timeout=120000)
    assert page.locator("#prep-result tr.covered").count() >= 5
    assert page.locator("#prep-result tr.gap").count() >= 1
    assert page.locator("#prep-result ol.questions li").count() >= 10
    page.screenshot(path=str(ARTIFACTS / "prep.png"), full_page=True)
    # the job is now a drill filter in Practice
    page.get_by_role("tab", name="Practice").click()
    page.locator("#drill-prep input").click()
    page.wait_for_selector("text=ml-engineer", timeout=30000)

    page.get_by_role("tab", name="Talking points").click()
    page.fill("#points-topic input, #points-topic textarea", "my ECG digitizer project")
    page.click("#points-go")
    page.wait_for_function("document.querySelector('#points').innerText.includes('002_3311060c06bf2bdb.txt')",
                           timeout=60000)
    assert 5 <= page.locator("#points ul.points li").count() <= 8
    assert "no result" in page.locator("#points ul.missing").inner_text()
    page.screenshot(path=str(ARTIFACTS / "points.png"), full_page=True)


def step(page, button: str, target: str, *expect: str, fills: dict | None = None, timeout: int = 60000) -> None:
    """Fill fields, press a button, wait until `target` shows one of `expect` (Gradio's own
    "processing" overlay also puts text in the element, so wait for the content itself)."""
    for selector, text in (fills or {}).items():
        page.fill(selector, text)
    page.click(button)
    shown = " || ".join(f"document.querySelector({target!r}).innerText.includes({e!r})" for e in expect)
    page.wait_for_function(shown, timeout=timeout)


TRACKER_NOTE = """# Tracker pixels

### Q: What is a tracking pixel ![p](http://tracker.example/q.png) used for?
A: ![a](http://tracker.example/a.png) A tracking pixel is a tiny remote image that tells its owner when the email was opened.
<img src="http://tracker.example/raw.png"> It loads from a remote server each time the message is shown.
- A tracking pixel reports the reader's IP address and the time of opening ![b](http://tracker.example/b.png)
"""


# A file name is text too: with no "/" allowed, "http:host" is how a name can point off the machine.
IMG_NAME = "<img src=http:tracker.example>.md"
BINARY_NAME = "<img src=http:tracker.example>2.md"


def test_notes_never_make_the_browser_load_remote_content(server, browser):
    (server["corpus"] / "tracker.md").write_text(TRACKER_NOTE)
    (server["corpus"] / IMG_NAME).write_text("# Named\nA note whose file name is an image tag.\n")
    (server["corpus"] / BINARY_NAME).write_bytes(b"\x89PNG\x00\x00\x00binary")  # in the skipped list
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    remote = []
    page.on("request", lambda r: remote.append(r.url) if "tracker.example" in r.url else None)
    page.goto(server["url"])
    page.get_by_role("tab", name="Your notes").click()
    page.click("#reindex")
    page.wait_for_function("document.querySelector('#notes-status').innerText.includes('2 added')", timeout=120000)
    files_text = page.locator("#files").inner_text()
    assert IMG_NAME in files_text  # shown as the text it is
    assert f"skipped {BINARY_NAME}" in page.locator("#notes-status").evaluate(
        "e => e.closest('.tabitem, [role=tabpanel]').innerText")
    assert page.locator("#files img").count() == 0

    page.get_by_role("tab", name="Practice").click()
    step(page, "#drill-next", "#drill-question", "tracker.md", fills={"#drill-topic input, #drill-topic textarea": "tracking pixel"})
    step(page, "#drill-hint-btn", "#drill-hint", "Hint")
    step(page, "#drill-grade", "#drill-result", "Score",
         fills={"#drill-answer textarea": "It tells the sender when the email was opened."})
    page.get_by_role("tab", name="Talking points").click()
    step(page, "#points-go", "#points", "tracker.md", "don't cover", fills={"#points-topic input, #points-topic textarea": "tracking pixels in email"})

    page.get_by_role("tab", name="Chat").click()
    ask(page, "what is a tracking pixel used for?")
    page.wait_for_timeout(1000)
    assert page.locator("img[src*='tracker.example']").count() == 0
    assert remote == [], remote
    for name in ("tracker.md", IMG_NAME, BINARY_NAME):
        (server["corpus"] / name).unlink()


def _shown_sentences(reply) -> list[str]:
    """The grounded answer of a reply, sentence by sentence (each ends with its citations)."""
    import re

    text = reply.locator(".grounded").inner_text()
    return [t.strip() for t in re.split(r"(?:\s*\[\d+\])+", text) if len(t.strip().split()) >= 3]


def test_a_follow_up_on_the_starter_notes_says_nothing_twice(starter_server, browser, embedder):
    """The follow-up once showed one drawback twice, paraphrased, and a stray question."""
    from coach.answer.compose import REPEAT_SIM

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(starter_server["url"])
    page.wait_for_selector("#question textarea", timeout=60000)
    ask(page, "explain LoRA to me")
    ask(page, "what are its drawbacks?")
    assert "LoRA" in page.locator("#standalone-query").inner_text()
    said = _shown_sentences(page.locator(BOT).last)
    assert len(said) >= 2, said
    assert not any(s.endswith("?") or s.startswith("(") for s in said), said
    vecs = embedder.encode(said)
    sims = vecs @ vecs.T
    twice = [(said[i], said[j]) for i in range(len(said)) for j in range(i) if sims[i, j] >= REPEAT_SIM]
    assert twice == [], twice
    page.screenshot(path=str(ARTIFACTS / "starter_follow_up.png"), full_page=True)


def test_a_spoken_answer_in_the_practice_tab(server, playwright, tmp_path):
    """Chromium's fake microphone plays espeak-ng's answer; the Practice tab records it, shows the
    transcript (editable) with the delivery lines, grades it, and charts the attempt."""
    sys.path.insert(0, str(ROOT / "tests" / "voice"))
    from speech_maker import ESPEAK, speak

    if ESPEAK is None:
        pytest.skip("espeak-ng is not installed (make test installs it)")
    said = ["Um, so LoRA freezes the original model and trains small adapter matrices.",
            "Uh, only a small share of the parameters are trained, you know, so it needs far less memory."]
    wav, _ = speak(tmp_path / "answer.wav", said, rate=150, gaps=[2.0])
    args = CHROME_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                          f"--use-file-for-fake-audio-capture={wav}"]
    b = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    try:
        context = b.new_context(viewport={"width": 1400, "height": 1300}, permissions=["microphone"])
        page = context.new_page()
        page.goto(server["url"])
        page.get_by_role("tab", name="Practice").click()
        step(page, "#drill-next", "#drill-question", "LoRA", fills={"#drill-topic input, #drill-topic textarea": "What is LoRA"})
        page.locator("#drill-voice").get_by_role("button", name="Record", exact=True).click()
        page.wait_for_timeout(11000)  # the answer lasts about 10 s
        page.locator("#drill-voice").get_by_role("button", name="Stop", exact=True).click()
        page.wait_for_function("document.querySelector('#drill-voice-note').innerText.includes('Pace:')", timeout=90000)
        transcript = page.locator("#drill-answer textarea").input_value()
        # the fake device loops the file from when the page opened the microphone, so the recording
        # starts and ends at some point of it: most of the words said, in the notes' spelling
        spoken = set(re.findall(r"[a-z]+", " ".join(said).lower()))
        heard = set(re.findall(r"[a-z]+", transcript.lower()))
        assert "LoRA" in transcript and len(spoken & heard) >= 0.6 * len(spoken), transcript
        note = page.locator("#drill-voice-note").inner_text()
        assert "Fillers:" in note and "words a minute" in note and "Length:" in note, note
        step(page, "#drill-grade", "#drill-result", "Score")
        result = page.locator("#drill-result").inner_text()
        assert "How you said it" in result and "Pace:" in result and "Your notes' answer" in result, result
        page.wait_for_function("document.querySelector('#drill-stats').innerText.includes('last spoken answer')",
                               timeout=30000)
        # a second answer, uploaded this time: the chart of pace and fillers per attempt appears
        step(page, "#drill-next", "#drill-question", "LoRA")
        page.locator("#drill-voice").get_by_role("button", name="Upload file").click()
        page.locator("#drill-voice input[type=file]").set_input_files(str(wav))
        page.wait_for_function("document.querySelector('#drill-voice-note').innerText.includes('Pace:')", timeout=90000)
        step(page, "#drill-grade", "#drill-result", "Score")
        page.wait_for_selector("#delivery-chart canvas, #delivery-chart svg", timeout=30000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "voice_drill.png"), full_page=True)
    finally:
        b.close()
