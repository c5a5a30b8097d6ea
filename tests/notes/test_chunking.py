from coach.notes.chunking import MAX_CHARS, as_question, clean_heading, split_text
from coach.notes.documents import read_document
from helpers import SHARED_CORPUS


def chunks_of(name):
    doc = read_document(SHARED_CORPUS / name, SHARED_CORPUS)
    return doc, split_text(doc.text, doc.source)


def test_comment_inside_code_fence_is_not_a_heading():
    _, chunks = chunks_of("003_8b1fafab6b5431bf.txt")
    headings = {c.metadata["heading"] for c in chunks}
    assert not any("Load base model" in h for h in headings)
    code = next(c for c in chunks if "# 1. Load base model (frozen)" in c.page_content)
    assert code.metadata["heading"].endswith("Code Example (Conceptual)")


def test_plain_text_qa_keeps_question_with_answer():
    _, chunks = chunks_of("002_3311060c06bf2bdb.txt")
    qa = [c for c in chunks if c.metadata["question"].startswith("Why use ConvTranspose1d")]
    assert qa, "the Q: line became a chunk question"
    first = qa[0]
    assert first.page_content.startswith("Q: Why use ConvTranspose1d")
    assert "A: ConvTranspose1d:" in first.page_content
    # the file's first banner titles it; later banners are its sections
    assert first.metadata["heading"].startswith(
        "ADVANCED INTERVIEW QUESTIONS - ECG DIGITIZER PROJECT > SECTION 1: MODEL ARCHITECTURE"
    )


def test_quoted_question_headings_become_questions():
    _, chunks = chunks_of("001_2606747e2ceb2ca4.txt")
    questions = [c.metadata["question"] for c in chunks]
    assert "Tell me about your Medical AI Classification project." in questions
    assert clean_heading('**Q1: "Tell me about X."**') == "Tell me about X."
    assert as_question('1. "Why did you choose LoRA over full fine-tuning?"') == "Why did you choose LoRA over full fine-tuning?"
    assert as_question("LoRA Advantages") is None


def test_line_spans_point_at_the_chunk_text():
    doc, chunks = chunks_of("004_c435e3b4ff183602.txt")
    lines = doc.text.splitlines()
    for c in chunks:
        first_line = c.page_content.splitlines()[0]
        assert lines[c.metadata["line_start"] - 1].strip() == first_line.strip()
        assert c.metadata["line_end"] - c.metadata["line_start"] == c.page_content.count("\n")


def test_long_sections_are_split_with_overlap_and_keep_their_heading():
    text = "# Big topic\n### What is a long answer?\n" + "\n".join(
        f"Line {i}: a sentence of filler about gradient descent and its variants." for i in range(80)
    )
    chunks = split_text(text, "big.md")
    assert len(chunks) > 2
    assert all(len(c.page_content) <= MAX_CHARS for c in chunks)
    assert {c.metadata["heading"] for c in chunks} == {"Big topic > What is a long answer?"}
    assert [c.metadata["part"] for c in chunks] == list(range(len(chunks)))
    # consecutive pieces overlap, so no sentence is cut off from both
    assert chunks[0].page_content.splitlines()[-1] in chunks[1].page_content


def test_every_shared_chunk_has_source_and_no_empty_text():
    for path in sorted(SHARED_CORPUS.iterdir()):
        _, chunks = chunks_of(path.name)
        assert chunks
        for c in chunks:
            assert c.metadata["source"] == path.name
            assert c.page_content.strip()
