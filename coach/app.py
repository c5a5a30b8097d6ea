"""The core: `Coach(settings)` builds the parts (index, embedders, searcher, engine, drill) and hands
them to the stage that uses them: notes -> search -> answer, practice, evals.

The CLI and the web UI only translate input and output to calls on this object. Models and
the index load lazily, once per process, and are shared by every request.
"""

from __future__ import annotations

import sys
import threading
from functools import cached_property
from pathlib import Path
from typing import Iterator

from coach.answer.grounded import Answer
from coach.errors import IndexOtherModel, UsageError
from coach.answer.pipeline import AnswerPipeline
from coach.answer.support import SupportChecker
from coach.embed.adapt import adapted_path
from coach.embed.embedder import Embedder, embed_model_id, resolve_embed_model
from coach.engines import ChatEngine, make_engine
from coach.notes import index as index_store
from coach.notes.ingest import IngestReport, ingest
from coach.search.followup import rewrite
from coach.search.hybrid import HybridSearcher
from coach.search.retrieve import covers, retrieve
from coach.settings import Settings
from coach.types import Hit


class Coach:
    def __init__(self, settings: Settings | None = None, *, engine: ChatEngine | None = None, embedder=None,
                 index: index_store.Index | None = None):
        """Built from the settings; any part given here is used instead (a server engine, an
        embedder already loaded, an index in memory, a fake in a test)."""
        self.settings = settings or Settings()
        self._load_lock = threading.Lock()
        self._not_exported: set[str] = set()  # model ids whose ONNX export failed: said once
        given = {"engine": engine, "embedder": embedder, "base_embedder": embedder, "index": index}
        self._given = {k for k, v in given.items() if v is not None}
        self.__dict__.update({k: given[k] for k in self._given})

    # --- components, loaded on first use -------------------------------------------------
    @cached_property
    def base_embedder(self) -> Embedder:
        """The configured embedding model, as it came: it compares sentences with sentences
        (support check, composer, grading), which adaptation does not train for."""
        fast = self._fast(embed_model_id(self.settings.embed_model))
        return fast or Embedder(self.settings.embed_model)

    @cached_property
    def embedder(self) -> Embedder:
        """The model the index was embedded with: adapted to these notes when ingest made one."""
        entry = (index_store.read_manifest(self.settings.index) or {}).get("adapted")
        if entry and self.settings.adapt_embedder:
            return self._fast(embed_model_id(str(self.settings.index / entry["path"]))) or Embedder(
                str(adapted_path(self.settings.index, entry)))
        return self.base_embedder

    def _fast(self, model_id: str):
        """The ONNX embedder exported at ingest for this model, when there is one (no torch)."""
        if not self.settings.fast_embed:
            return None
        from coach.embed import onnx as fast_embed

        found = fast_embed.find(self.settings.index, model_id)
        return fast_embed.OnnxEmbedder(found) if found is not None else None

    def export_fast_embedders(self, index_dir: Path | None = None) -> None:
        """ONNX exports of the base model and of the adapted one (if any), for a torch-free start;
        old exports removed. A model that cannot be exported is used through torch, as before."""
        if not self.settings.fast_embed:
            return
        from coach.embed import onnx as fast_embed

        index_dir = index_dir or self.settings.index
        models = [(resolve_embed_model(self.settings.embed_model), embed_model_id(self.settings.embed_model))]
        entry = (index_store.read_manifest(index_dir) or {}).get("adapted")
        if entry:
            models.append((index_dir / entry["path"], embed_model_id(str(index_dir / entry["path"]))))
        for folder, model_id in models:
            self._export(folder, model_id, index_dir)
        fast_embed.remove_unused(index_dir, [m for _, m in models])

    def _export(self, folder: Path, model_id: str, index_dir: Path) -> None:
        """One model's ONNX export into the index (skipped when a checked one is there); a model
        that cannot be exported is said once and used through torch."""
        from coach.embed import onnx as fast_embed

        if model_id in self._not_exported:
            return
        try:
            fast_embed.export(folder, model_id, index_dir)
        except Exception as err:  # noqa: BLE001  only speed is lost: torch embeds the same vectors
            self._not_exported.add(model_id)
            print(f"coach: no fast start for {folder.name} ({type(err).__name__}); searches load torch",
                  file=sys.stderr)

    def _ingest_embedder(self):
        """The model that embeds new notes. On a cold ingest the base model is exported to ONNX
        first (about 2 s) and the notes embedded through it: the same vectors as sentence-transformers
        (cosine 1 - 1e-7 on the shared notes), the embedding step in about four fifths of torch's time
        (bench/README.md)."""
        if "base_embedder" not in self.__dict__ and self.settings.fast_embed:
            self._export(resolve_embed_model(self.settings.embed_model), self._model_id(), self.settings.index)
        return self.base_embedder

    @cached_property
    def index(self) -> index_store.Index:
        return index_store.load(self.settings.index)

    @cached_property
    def searcher(self) -> HybridSearcher:
        built_with = self.index.manifest.get("embed_model")  # the generation loaded, not a second read
        if built_with and built_with != self._model_id():  # else a raw faiss assertion, or silently wrong hits
            raise IndexOtherModel(self.settings.index, _model_name(built_with), _model_name(self._model_id()))
        with self._load_lock:
            return HybridSearcher(self.index, self.embedder, correct_spelling=self.settings.correct_spelling,
                                  soft_match=self.settings.soft_match)

    @cached_property
    def engine(self) -> ChatEngine:
        """The chat engine: given to the constructor, else the local GGUF or COACH_LLM_URL's server."""
        return make_engine(self.settings)

    @cached_property
    def drill(self):
        from coach.practice.drill import Drill
        from coach.practice.questions import extract
        from coach.practice.store import Store

        home = self.settings.home
        return Drill(extract(self.index.chunks), lambda: Store(home), self.base_embedder, home,
                     transcriber=self.transcriber)

    @cached_property
    def transcriber(self):
        """Speech to text for spoken answers; its model loads on the first recording, and stays
        loaded when the index is reloaded."""
        from coach.voice.transcribe import Transcriber

        return Transcriber(self.settings.speech_model, self.settings.n_threads)

    def transcribe(self, recording: Path, story: bool = False) -> dict:
        """A recording's transcript and how it was said (coach.practice.drill.told)."""
        from coach.practice.drill import told

        return told(self.transcriber.transcribe(recording), story)

    def reload_index(self) -> None:
        """Forget what was loaded from the index (after an ingest); parts given to the constructor stay."""
        for name in ("index", "searcher", "drill", "embedder", "base_embedder"):
            if name not in self._given or name == "index":
                self.__dict__.pop(name, None)

    def add_notes(self, uploads: list[tuple[Path, str | None]], progress: bool = False) -> tuple[list[Path], IngestReport]:
        """Copy files into the notes folder (checked, never overwriting), then index them once."""
        from coach.notes.corpus import add_note

        added = [add_note(self.settings.corpus, upload, name) for upload, name in uploads]
        return added, self.ingest(progress=progress)

    def remove_note(self, source: str, progress: bool = False) -> IngestReport:
        """Delete one note from the notes folder and from the index."""
        from coach.notes.corpus import remove_note

        remove_note(self.settings.corpus, source)
        return self.ingest(progress=progress)

    # --- ingest --------------------------------------------------------------------------
    def ingest(self, paths: list[Path] | None = None, rebuild: bool = False, progress: bool = True,
               replace: bool = False) -> IngestReport:
        """Index `paths` (default: the notes folder) beside what the index already holds; with
        `replace`, the index holds only them."""
        report = ingest(
            paths or [self.settings.corpus],
            self.settings.index,
            embedder_factory=self._ingest_embedder,
            model_id=self._model_id(),
            rebuild=rebuild,
            progress=progress,
            adapt_base=resolve_embed_model(self.settings.embed_model) if self.settings.adapt_embedder else None,
            lock_wait_s=self.settings.lock_wait_s,
            max_file_bytes=int(self.settings.max_file_mb * 1024 * 1024),
            after=self.export_fast_embedders,
            keep_roots=not replace,
            optional=not paths,
        )
        self.reload_index()
        return report

    def _model_id(self) -> str:
        if "base_embedder" in self.__dict__:
            return self.base_embedder.model_id
        return embed_model_id(self.settings.embed_model)

    def index_is_stale(self) -> bool:
        """True when there is no index, or it was built with another embedding model or adaptation
        setting. (New or changed notes are not looked for here: `coach ingest` picks them up.)"""
        manifest = index_store.read_manifest(self.settings.index)
        return (manifest is None or manifest.get("embed_model") != self._model_id()
                or bool(manifest.get("adapt")) != self.settings.adapt_embedder)

    def suggested_questions(self, n: int = 6) -> list[str]:
        """Short questions from the notes themselves, taken in turn from each file."""
        by_source: dict[str, list[str]] = {}
        for c in self.index.chunks:
            q = c.question
            if q and 12 <= len(q) <= 70 and c.part == 0:
                by_source.setdefault(c.source, []).append(q)
        picked: list[str] = []
        queues = [iter(qs) for qs in by_source.values()]
        while queues and len(picked) < n:
            for q in list(queues):
                nxt = next(q, None)
                if nxt is None:
                    queues.remove(q)
                elif nxt not in picked and len(picked) < n:
                    picked.append(nxt)
        return picked

    def files(self) -> tuple[list[dict], list[dict]]:
        """Indexed files (source, chunks, indexed_at) and skipped ones (source, reason)."""
        manifest = index_store.read_manifest(self.settings.index) or {}
        files = [
            {"source": s, "chunks": len(f["chunks"]), "indexed_at": f.get("indexed_at", manifest.get("created"))}
            for s, f in sorted(manifest.get("files", {}).items())
        ]
        return files, manifest.get("skipped", [])

    def evaluate(self, gold_file: Path, k: int = 10, half: str | None = None) -> tuple[list[dict], dict]:
        """Retrieval scored on a gold file (or one `half` of it): per question (id, query, rank) and
        R@1, R@5, MRR@10, with those of each style when the questions have one."""
        from coach.evals.retrieval import by_style, evaluate_retrieval, half_of, load_gold

        rows, m = evaluate_retrieval(self, half_of(load_gold(Path(gold_file)), half), k)
        styles = by_style(rows)
        return rows, {**m, "styles": styles} if styles else m

    def covers(self, hits: list[Hit]) -> bool:
        """The one rule for "the notes cover this" (coach.search.retrieve.covers), at COACH_MIN_RELEVANCE."""
        return covers(hits, self.settings.min_relevance)

    def project_notes(self, topic: str) -> list[dict]:
        """The chunks of the file that matches `topic` best (a project's notes are one file);
        empty when the notes don't cover it."""
        hits = self.search(topic, 10)
        if not self.covers(hits):
            return []
        source = hits[0].chunk.source
        return [c for c in self.index.chunks if c.source == source]

    def points(self, topic: str, polish: bool = False) -> dict:
        """Talking points on `topic`: {"topic", "points": [Point...], "missing": [...], "polished"}.
        `polish`: the LLM rewords each point; a rewording is kept only if the notes support it."""
        from coach.practice.points import polish as reword, talking_points

        chunks = self.project_notes(topic)
        if not chunks:
            return {"topic": topic, "points": [], "missing": [], "polished": 0}
        result = talking_points(topic, chunks, self.base_embedder)
        result["polished"] = 0
        if polish and result["points"]:
            result["polished"] = reword(result["points"], lambda m: "".join(self._stream(m)), self._note_checker)
        return result

    def prep(self, posting: str, name: str = "job", save: bool = True):
        """A job posting's requirements matched to the notes, and the questions to drill for it;
        saved under COACH_HOME so `coach drill --prep NAME` drills exactly these questions."""
        from coach.practice import prep as job

        result = job.prepare(name, job.check_posting(posting), lambda text: self.search(text, 5),
                             lambda hits: covers(hits, job.ON_TOPIC, topic=True),
                             list(self.drill.questions.values()), self.base_embedder)
        if save:
            job.save(result, self.settings.home)
        return result

    def _note_checker(self, point) -> SupportChecker:
        note = {"source": point.source, "heading": point.heading, "text": point.quote, "line_start": point.lines[0]}
        return SupportChecker([note], self.base_embedder, self.settings.support_threshold)

    # --- search and ask ------------------------------------------------------------------
    def search(self, query: str, k: int | None = None) -> list[Hit]:
        return self.searcher.search(query, k or self.settings.top_k)

    def standalone_query(self, question: str, history: list[str] | None = None) -> str:
        return rewrite(self.searcher.searched(question), history or [])

    def retrieve(self, question: str, history: list[str] | None = None, k: int | None = None) -> tuple[str, list[Hit]]:
        """(standalone query, hits): a follow-up searched with the conversation (coach.search.retrieve)."""
        return retrieve(self.searcher.search, self.searcher.searched(question), history, k or self.settings.top_k)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        """A streamed answer grounded in the notes (coach.answer.pipeline); `history`: earlier
        standalone queries of this conversation, oldest first."""
        if not question.strip():
            raise UsageError('Ask a question, e.g. "explain LoRA to me".')
        # the engine is built first: a missing model file or a bad server setting fails now, not after retrieval
        engine = self.engine
        return AnswerPipeline(self.searcher.search, engine, self.base_embedder, self.settings,
                              spell=self.searcher.searched).ask(question, history)

    def _stream(self, messages) -> Iterator[str]:
        """Tokens from the engine (the local GGUF or a server)."""
        return self.engine.stream(messages)


def _model_name(model_id: str) -> str:
    """An embedding model's id (folder:dimension:fingerprint) as a person reads it."""
    if model_id == embed_model_id(None):
        return "the default all-MiniLM-L6-v2"
    folder, dim = model_id.split(":")[:2]
    return f"{folder} ({dim}-d)"
