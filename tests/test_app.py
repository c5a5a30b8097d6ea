"""The core (`coach.app.Coach`) with fake parts (fast): a Coach built from parts, the answer path,
a failing engine, notes added and removed, the drill without the database. The slow tests run
the same paths with the real models."""

from coach.practice.drill import Drill
from coach.practice.questions import extract
from coach.practice.store import Store


def test_parts_given_are_used_and_kept_across_ingest(fake_coach, fake_engine, fake_embedder):
    assert fake_coach.base_embedder is fake_embedder and fake_coach.engine is fake_engine
    fake_coach.ingest(progress=False)
    assert (fake_coach.base_embedder is fake_embedder and fake_coach.embedder is fake_embedder
            and fake_coach.engine is fake_engine)


def test_only_what_the_notes_say_is_shown(fake_coach, fake_engine):
    """The first unit is said at once in the notes' words; the model restates the next one: a
    restatement that says only what its unit says is shown, an invention is replaced by the unit."""
    fake_engine.reply = lambda note: "Full fine-tuning is used when the data is huge."
    answer = fake_coach.ask("when should I use LoRA")
    assert [(s.origin, s.text) for s in answer.sentences] == [
        ("notes", "Use LoRA when GPU memory is limited."), ("model", "Full fine-tuning is used when the data is huge.")]
    assert [m[-1].content for m in fake_engine.prompts] == ["Note: Use full fine-tuning when data is huge."]
    assert fake_engine.options[0]["max_tokens"] <= fake_coach.settings.max_tokens

    fake_engine.reply = lambda note: "Full fine-tuning was invented at NASA in 1969."
    answer = fake_coach.ask("when should I use LoRA")
    assert "NASA" not in answer.text and "Use full fine-tuning when data is huge." in answer.text
    (flagged,) = answer.draft_sentences
    assert not flagged.supported and "NASA" in flagged.text and flagged.reason.startswith("adds words")
    assert answer.model_kept == (0, 1) and "⚠ not in your notes" in answer.draft_text


def test_a_question_the_notes_do_not_cover_runs_no_engine(fake_coach):
    answer = fake_coach.ask("how do I bake sourdough bread at home?")
    assert not answer.covered and answer.sentences == [] and fake_coach.engine.prompts == []


def test_an_engine_failing_mid_answer_leaves_the_notes_answer(fake_coach, fake_engine):
    fake_engine.reply, fake_engine.fail_after = "Full fine-tuning is used when the data is huge", 3
    answer = fake_coach.ask("when should I use LoRA")
    assert [s.text for s in answer.sentences] == ["Use LoRA when GPU memory is limited.",
                                                  "Use full fine-tuning when data is huge."]
    assert "not answering" in answer.model_error


def test_notes_added_and_removed_through_the_core(fake_coach, tmp_path):
    upload = tmp_path / "upload.md"
    upload.write_text("# Dropout\nDropout randomly zeroes activations during training to reduce overfitting.\n")
    added, report = fake_coach.add_notes([(upload, "dropout notes.md")])
    assert [p.name for p in added] == ["dropout_notes.md"] and report.added == 1
    assert fake_coach.search("dropout zeroes activations", 1)[0].chunk.source == "dropout_notes.md"
    report = fake_coach.remove_note("dropout_notes.md")
    assert report.removed == 1
    assert all(h.chunk.source != "dropout_notes.md" for h in fake_coach.search("dropout", 5))


def test_drill_from_parts_lists_without_the_database(fake_coach, fake_embedder, tmp_path):
    opened = []

    def open_store():
        opened.append(1)
        return Store(tmp_path / "home")

    drill = Drill(extract(fake_coach.index.chunks), open_store, fake_embedder, tmp_path / "home")
    assert [q.question for q in drill.list()] == ["What is LoRA?", "When to use LoRA",
                                                  "How do you evaluate a RAG system?"]
    assert opened == []  # listing never opens the database
    q = drill.list("RAG")[0]
    assert drill.hint(q.id).startswith("Measure retrieval recall")
    r = drill.answer(q.id, "Measure retrieval recall and answer faithfulness on a gold set of questions.")
    assert r["score"] >= 0.9 and opened == [1]


def test_a_unit_whose_prompt_does_not_fit_is_said_as_written(fake_coach, fake_engine):
    engine = fake_engine
    engine.reply, engine.n_ctx = "Full fine-tuning is used when the data is huge.", 520
    engine.count_tokens = lambda text: len(text.split())  # a word a token, for the test
    assert "Full fine-tuning is used when the data is huge." in fake_coach.ask("when should I use LoRA").text
    assert engine.prompts and all(engine.count_tokens(" ".join(m.content for m in p)) <= 520 - 48 - 32
                                  for p in engine.prompts)
    engine.n_ctx = 200  # the worked examples alone are longer: no prompt fits, the notes answer
    engine.prompts.clear()
    answer = fake_coach.ask("when should I use LoRA")
    assert engine.prompts == [] and "Use full fine-tuning when data is huge." in answer.text
