"""Note units: structure kept, markup gone, code names intact (pure, no models)."""

from coach.text import split_sentences, strip_markup, stems
from coach.answer.units import note_units


def test_label_keeps_its_bullets_and_wrapped_prose_is_one_sentence():
    text = (
        "❌ **Slightly lower quality:**\n- 95-98% of full fine-tuning performance\n- For some tasks, that 2-5% matters\n\n"
        "LoRA (Low-Rank Adaptation) fine-tunes a large model by freezing its original weights and\n"
        "training two small matrices per adapted layer.\n"
    )
    units = note_units(text, first_line=73)
    assert [u.kind for u in units] == ["list", "sentence"]
    assert units[0].text == "Slightly lower quality: 95-98% of full fine-tuning performance; For some tasks, that 2-5% matters."
    assert units[0].line == 73 and units[1].line == 77
    assert units[1].text.endswith("freezing its original weights and training two small matrices per adapted layer.")


def test_underscores_in_code_names_survive():
    units = note_units("A: Detection process:\n   2. Used diagnose_checkpoint.py to inspect\n"
                       "def reward_function(generated_query, gold):\n")
    joined = " ".join(u.text for u in units)
    assert "diagnose_checkpoint.py" in joined
    assert strip_markup("- `reward_function(generated_query)` is **key**") == "reward_function(generated_query) is key"


def test_questions_code_images_and_html_are_not_answer_units():
    text = ("### Q: What is RAG?\n**Answer**: \"Retrieval plus generation.\"\n\n```python\n# not a heading\nx = 1\n```\n"
            "![pixel](http://evil.example/p.png)\n\n<img src=x onerror=alert(1)>\n")
    units = note_units(text)
    assert [u.text for u in units if u.answers][0] == "Retrieval plus generation."
    assert not any("x = 1" in u.text or "evil.example" in u.text for u in units)


def test_text_helpers():
    assert split_sentences("One. Two!\nThree?") == ["One.", "Two!", "Three?"]
    assert {"deep", "speed", "zero"} <= stems("DeepSpeed ZeRO")
