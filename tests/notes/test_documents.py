import re

import pytest

from coach.notes.documents import Document, Skipped, decode, find_files, read_document, repair_lost_bytes
from helpers import SHARED_CORPUS

MOJIBAKE = re.compile(r"â€|ðŸ|Ã[\x80-\xbf]|Â[\x80-\xbf]")


def test_shared_corpus_has_no_mojibake_left():
    raw = sum(len(MOJIBAKE.findall(p.read_text(encoding="utf-8"))) for p in SHARED_CORPUS.iterdir())
    assert raw > 70  # the notes really are damaged
    for path in find_files(SHARED_CORPUS):
        doc = read_document(path, SHARED_CORPUS)
        assert isinstance(doc, Document)
        assert MOJIBAKE.findall(doc.text) == [], path.name


def test_repair_restores_quotes_and_emoji_whose_byte_was_lost():
    # "”" is E2 80 9D; 0x9D is undefined in cp1252, so the mojibake kept only "â€".
    assert repair_lost_bytes('tags like "is_high_valueâ€, "x"') == 'tags like "is_high_value”, "x"'
    assert repair_lost_bytes("ðŸ›\xa0ï¸ How I tune") == "🛠️ How I tune"
    assert repair_lost_bytes("Café, naïve, résumé — fine") == "Café, naïve, résumé — fine"


def test_specific_repaired_passage_reads_clean():
    doc = read_document(SHARED_CORPUS / "004_c435e3b4ff183602.txt", SHARED_CORPUS)
    assert "there's no guide from the interviewer — no nod" in doc.text


def test_legacy_encoding_is_detected(tmp_path):
    f = tmp_path / "old.txt"
    f.write_bytes("Q: Qu’est-ce que la régularisation L2 ? A: pénalité sur les poids élevés.".encode("cp1252"))
    doc = read_document(f, tmp_path)
    assert "régularisation" in doc.text and "pénalité" in doc.text


def test_binary_and_empty_files_are_skipped(tmp_path):
    (tmp_path / "img.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (tmp_path / "blank.txt").write_text("  \n\n")
    assert read_document(tmp_path / "img.md", tmp_path) == Skipped("img.md", "binary file")
    assert read_document(tmp_path / "blank.txt", tmp_path) == Skipped("blank.txt", "empty file")


def test_find_files_is_recursive_and_filters_suffixes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ["a/x.md", "a/y.markdown", "z.txt", "n.pdf", "r.docx", "p.html", "i.png", "s.xlsx", ".git/h.md"]:
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in find_files(tmp_path)]
    assert found == ["a/x.md", "a/y.markdown", "n.pdf", "p.html", "r.docx", "z.txt"]


def test_utf8_bom_is_dropped():
    assert decode("\ufeff# Title".encode("utf-8")) == "# Title"


LANGUAGES = {
    "fr": ("Le chef prépare une crème brûlée. Déjà vu: où est la fenêtre? L'été, les élèves mangent à côté du "
           "garçon. Noël, maïs, naïve.", ["cp1252", "latin-1"]),
    "es": ("¿Cómo estás? El niño comió piña y jalapeños. ¡Qué rápido! La educación está en el corazón de la "
           "canción española.", ["cp1252", "latin-1"]),
    "de": ("Größere Übungen für Schüler: die Straße ist schön, müde Bären äßen. Ärger über Öl und Fußgänger.",
           ["cp1252", "latin-1"]),
    "pl": ("Zażółć gęślą jaźń. Łódź jest dużym miastem; się uczę języka polskiego, ćwiczę pisownię źdźbła i "
           "żółwia.", ["cp1250", "iso-8859-2"]),
    # other scripts in their code pages go to charset-normalizer's guess, not to a Latin one
    "ru": ("Привет, это мои заметки о нейронных сетях и обучении моделей. Градиентный спуск работает хорошо.",
           ["cp1251"]),
    "el": ("Καλημέρα, αυτές είναι οι σημειώσεις μου για νευρωνικά δίκτυα.", ["cp1253"]),
}
UNICODE = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]


# UTF-16 without a BOM is recognised by its NUL bytes, which only mostly-Latin text has
BOMLESS = {"utf-16-le", "utf-16-be"}


@pytest.mark.parametrize("lang, encoding", [(lang, enc) for lang, (_, legacy) in LANGUAGES.items()
                                            for enc in legacy + UNICODE
                                            if not (lang in ("ru", "el") and enc in BOMLESS)])
def test_notes_in_european_languages_read_right_in_every_encoding(tmp_path, lang, encoding):
    text = LANGUAGES[lang][0]
    path = tmp_path / f"{lang}.md"
    path.write_bytes(f"# Notes\n{text}\n".encode(encoding))
    doc = read_document(path, tmp_path)
    assert not isinstance(doc, Skipped), doc
    assert doc.text.strip() == f"# Notes\n{text}"


def test_a_stray_nul_is_dropped_and_said_but_a_binary_file_is_skipped(tmp_path):
    """Issue 20: one NUL byte used to skip a whole note as "binary"."""
    path = tmp_path / "late-nul.md"
    path.write_bytes(b"# Notes\n" + b"plain text line\n" * 1000 + b"\x00\x01\x02 tail of the note")
    doc = read_document(path, tmp_path)
    assert isinstance(doc, Document), doc
    assert doc.text.endswith("plain text line\n\x01\x02 tail of the note") and "\x00" not in doc.text
    assert doc.warnings == ("1 NUL byte(s) dropped",)
    (tmp_path / "one.md").write_bytes(b"# Checkpointing\nTrades compute\x00 for memory.\n")
    one = read_document(tmp_path / "one.md", tmp_path)
    assert one.text == "# Checkpointing\nTrades compute for memory.\n" and one.warnings
    (tmp_path / "archive.md").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)  # a zip named .md
    assert read_document(tmp_path / "archive.md", tmp_path) == Skipped("archive.md", "binary file")
