"""The torch-free start: the ONNX export made at ingest gives sentence-transformers' vectors,
and `coach search` runs without importing torch."""

import json
import subprocess
import sys

import numpy as np
import pytest

from coach.embed import onnx as fast_embed
from coach.app import Coach
from coach.embed.embedder import Embedder, embed_model_id, resolve_embed_model
from coach.settings import Settings
from helpers import COACH, ROOT, SHARED_CORPUS, make_notes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    index = tmp_path_factory.mktemp("fast") / "index"
    fast_embed.export(resolve_embed_model(None), embed_model_id(None), index)
    return index


def test_onnx_vectors_match_sentence_transformers(exported, embedder):
    folder = fast_embed.find(exported, embed_model_id(None))
    assert folder is not None
    onnx = fast_embed.OnnxEmbedder(folder)
    lines = [ln for ln in (SHARED_CORPUS / "004_c435e3b4ff183602.txt").read_text(errors="replace").splitlines()
             if len(ln.split()) > 3][:150]
    texts = ["what is lora", "x", "é" * 3000, *lines]
    for max_tokens in (None, 40):
        ours, ref = onnx.encode(texts, max_tokens=max_tokens), embedder.encode(texts, max_tokens=max_tokens)
        assert ours.shape == ref.shape and ours.dtype == np.float32
        assert float((1 - (ours * ref).sum(axis=1)).max()) < 1e-4
    assert onnx.model_id == embedder.model_id


def test_an_altered_export_is_not_used(exported, tmp_path):
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(exported, copy)
    graph = next((copy / fast_embed.FOLDER).glob("*")) / fast_embed.GRAPH
    raw = bytearray(graph.read_bytes())
    raw[-100] ^= 0xFF
    graph.write_bytes(bytes(raw))
    assert fast_embed.find(copy, embed_model_id(None)) is None  # sentence-transformers takes over


def test_ingest_exports_and_search_never_imports_torch(tmp_path):
    notes, index = make_notes(tmp_path, {
        "lora.md": "# LoRA\nLoRA trains low-rank adapters while the base weights stay frozen.\n",
        "rag.md": "# RAG\nRetrieval-augmented generation grounds answers in retrieved passages.\n"})
    c = Coach(Settings(corpus=notes, index=index, adapt_embedder=False))
    c.ingest(progress=False)
    assert fast_embed.find(index, embed_model_id(None)) is not None
    probe = ("import sys, json\nfrom coach.app import Coach\nfrom coach.settings import Settings\n"
             f"c = Coach(Settings(index={str(index)!r}, adapt_embedder=False))\n"
             "hits = c.search('how do adapters train?', 2)\n"
             "print(json.dumps({'torch': 'torch' in sys.modules, 'st': 'sentence_transformers' in sys.modules,"
             " 'top': hits[0].chunk.source, 'kind': type(c.embedder).__name__}))\n")
    out = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                                    check=True).stdout.strip().splitlines()[-1])
    assert out == {"torch": False, "st": False, "top": "lora.md", "kind": "OnnxEmbedder"}
    # the whole command too
    proc = subprocess.run([*COACH, "search", "how do adapters train?", "--index", str(index), "--json"],
                          capture_output=True, text=True, cwd=ROOT, env={"COACH_ADAPT_EMBEDDER": "false",
                                                                         **__import__("os").environ,
                                                                         "PYTHONPROFILEIMPORTTIME": "1"})
    assert proc.returncode == 0, proc.stderr[-800:]
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time")}
    assert "torch" not in imported and "sentence_transformers" not in imported
    assert json.loads(proc.stdout)["results"][0]["source"] == "lora.md"


def test_a_cold_ingest_embeds_through_the_export_with_sentence_transformers_vectors(tmp_path, embedder,
                                                                                     monkeypatch):
    """A first ingest exports the model, then embeds every view of the notes through ONNX (a fifth
    faster than torch on short texts): the rows are sentence-transformers' own, each at its limit."""
    from coach.notes.views import vector_texts

    lines = "\n".join(f"- Point {i}: adapters of rank {i} train while the base stays frozen." for i in range(6))
    notes, index = make_notes(tmp_path, {"lora.md": f"# LoRA\n{lines}\n\n## QLoRA\nA 4-bit base, adapters in 16 bits.\n"})
    embedded = []
    real = fast_embed.OnnxEmbedder.encode
    monkeypatch.setattr(fast_embed.OnnxEmbedder, "encode",
                        lambda self, texts, **kw: embedded.extend(texts) or real(self, texts, **kw))
    c = Coach(Settings(corpus=notes, index=index, adapt_embedder=False))
    c.ingest(progress=False)
    views = [v for chunk in c.index.chunks for v in vector_texts(chunk)]
    assert sorted(embedded) == sorted(v.text for v in views) and len(views) == len(c.index.vectors) > 6
    ref = np.concatenate([embedder.encode([v.text], max_tokens=v.tokens) for v in views])
    assert float((1 - (c.index.vectors * ref).sum(axis=1)).max()) < 1e-4


def test_a_model_without_token_types_is_exported_and_matches(tmp_path):
    """MPNet- and RoBERTa-style models take no token_type_ids (all-mpnet-base-v2 made the export
    fail with a traceback after ingest). The packaged MiniLM with a tokenizer that gives no token
    types stands for them: the export takes the inputs the tokenizer gives."""
    import shutil

    model = tmp_path / "no-token-types"
    shutil.copytree(resolve_embed_model(None), model)
    config = json.loads((model / "tokenizer_config.json").read_text())
    (model / "tokenizer_config.json").write_text(json.dumps({**config, "model_input_names": ["input_ids", "attention_mask"]}))
    reference = Embedder(str(model))
    assert "token_type_ids" not in reference.model.tokenizer(["a b"])
    fast_embed.export(model, reference.model_id, tmp_path / "index")
    onnx = fast_embed.OnnxEmbedder(fast_embed.find(tmp_path / "index", reference.model_id))
    assert onnx.inputs == {"input_ids", "attention_mask"}
    texts = ["what is lora", "Rank r: 8 or 16 for most tasks. Alpha scales the update."]
    assert float((1 - (onnx.encode(texts) * reference.encode(texts)).sum(axis=1)).max()) < 1e-4


def test_an_export_that_fails_leaves_the_index_usable(tmp_path, monkeypatch, capsys):
    """Whatever an export raises (a model it has never seen), the ingest already wrote the index:
    one line says searches load torch, and they do."""
    notes, index = make_notes(tmp_path, {"lora.md": "# LoRA\nLoRA trains low-rank adapters on a frozen base.\n"})

    def broken(*args):
        raise KeyError("token_type_ids")

    monkeypatch.setattr(fast_embed, "export", broken)
    c = Coach(Settings(corpus=notes, index=index, adapt_embedder=False))
    c.ingest(progress=False)
    assert capsys.readouterr().err.count("no fast start") == 1  # tried before embedding, said once
    assert fast_embed.find(index, embed_model_id(None)) is None
    assert Coach(Settings(index=index, adapt_embedder=False)).search("adapters", 1)[0].chunk.source == "lora.md"


def test_onnx_token_vectors_match_sentence_transformers(exported, embedder):
    """The soft match's token vectors: the same from the export as from sentence-transformers,
    one per token of the text ([CLS], [SEP] and padding left out), cut at the limit asked."""
    onnx = fast_embed.OnnxEmbedder(fast_embed.find(exported, embed_model_id(None)))
    texts = ["LoRA trains low-rank adapters", "x", "é" * 3000, "what is qlora " * 100]
    ours, ref = onnx.token_vectors(texts, 256), embedder.token_vectors(texts, 256)
    tokens = embedder.model.tokenizer(texts, truncation=True, max_length=256)["input_ids"]
    for mine, theirs, ids in zip(ours, ref, tokens):
        assert mine.shape == theirs.shape == (len(ids) - 2, embedder.dim)
        assert float((1 - (mine * theirs).sum(axis=1)).max()) < 1e-4
    assert onnx.token_vectors(texts[:1], 3)[0].shape == (1, embedder.dim) and onnx.token_vectors([]) == []
