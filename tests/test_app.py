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


def test_only_what_the_notes_say_is_shown(fake_coach):
    fake_coach.engine.reply = ("LoRA trains small low-rank adapter matrices while the base weights stay frozen [1]. "
                               "LoRA was invented at NASA in 1969 [1].")
    answer = fake_coach.ask("what is LoRA?")
    assert "NASA" not in answer.text and "low-rank adapter" in answer.text
    assert answer.covered and fake_coach.engine.prompts  # the engine got the picked notes
    flagged = [s for s in answer.draft_sentences if not s.supported]
    assert [s.text for s in flagged] == ["LoRA was invented at NASA in 1969 [1]."]


def test_a_question_the_notes_do_not_cover_runs_no_engine(fake_coach):
    answer = fake_coach.ask("how do I bake sourdough bread at home?")
    assert not answer.covered and answer.sentences == [] and fake_coach.engine.prompts == []


def test_an_engine_failing_mid_answer_leaves_the_notes_answer(fake_coach, fake_engine):
    fake_engine.reply, fake_engine.fail_after = "LoRA trains small adapters and more words here", 3
    answer = fake_coach.ask("what is LoRA?")
    assert "low-rank adapter" in answer.text
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


def test_the_prompt_is_fitted_to_a_small_context(fake_coach, fake_engine):
    engine = fake_engine
    engine.reply, engine.n_ctx = "LoRA trains small low-rank adapter matrices.", 520
    engine.count_tokens = lambda text: len(text.split())  # a word a token, for the test
    fake_coach.settings.max_tokens = 100
    answer = fake_coach.ask("what is LoRA and its low-rank adapter matrices? " * 300)
    assert "low-rank adapter" in answer.text
    prompt = " ".join(m.content for m in answer.messages)
    assert engine.count_tokens(prompt) <= 520 - 100 - 32
