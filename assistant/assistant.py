"""The ``Assistant`` facade: one open index (store + embedder + optional LLM).

It wires the stages together and owns no logic of its own beyond that:
parsing, ranking, answering and verification live in their modules.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answer.sentence_rank import SentenceMeaning
from assistant.answer.twins import twin_paths
from assistant.config import Config
from assistant.embed.embedders import Embedder, QueryMemo, make_embedder
from assistant.errors import InputError, LLMError, NotFoundError
from assistant.ingest.parsers import ParseOptions
from assistant.ingest.pipeline import IngestSummary, Progress, embed_pending, ingest
from assistant.records import Answer, Check, Figure, Hit, Report
from assistant.retrieval.retriever import Filters, Retriever
from assistant.store.folder import Store
from assistant.store.vectors import VectorIndex
from assistant.ui.access import ensure_writable

if TYPE_CHECKING:
    from assistant.figures.claims import ClaimResult
    from assistant.figures.table import FigureFilter

MAX_QUESTION_CHARS = 2000


class Assistant:
    """Search, ask, ingest and maintain one index folder."""

    def __init__(self, cfg: Config, store: Store, embedder: Embedder | None,
                 llm: object | None = None) -> None:
        self.cfg, self.store, self.embedder, self.llm = cfg, store, embedder, llm
        self.vectors = VectorIndex(store, cfg.exact_search_max)
        queries = QueryMemo(embedder) if embedder else None
        self.retriever = Retriever(store, queries, self.vectors, cfg.k_lexical, cfg.k_dense,
                                   cfg.rrf_k)
        # near-tie quotes told apart by meaning; the question's vector is the retrieval one
        self.meaning = SentenceMeaning(queries) if queries else None

    @classmethod
    def open(cls, index_dir: Path | str | None = None, *, cfg: Config | None = None,
             embedder: Embedder | None = None, llm: object | None = None,
             create: bool = True) -> Assistant:
        """Open (or create) the index at ``index_dir`` with the configured embedder."""
        cfg = cfg or Config.from_env()
        if index_dir is not None:
            cfg = replace(cfg, index_dir=Path(index_dir))
        embedder = embedder or make_embedder(cfg.embedder)
        store = Store(cfg.index_dir, embedder.model_id, embedder.dim, create=create)
        if llm is None and cfg.llm_url:
            from assistant.answer.llm import make_llm

            llm = make_llm(cfg)
        return cls(cfg, store, embedder, llm)

    # -- reading -----------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, since: str | None = None,
               until: str | None = None, sources: Iterable[str] | None = None,
               doc_ids: Iterable[str] | None = None, language: str | None = None,
               mode: str = "hybrid") -> list[Hit]:
        """Ranked passages for ``query`` (filters applied inside retrieval)."""
        query = check_question(query)
        with self.store.read():  # one committed state for every stage of the search
            return self.retriever.search(query, k, _filters(since, until, sources, doc_ids,
                                                            language), mode=mode)

    def ask(self, question: str, history: list[tuple[str, str]] | None = None,
            since: str | None = None, until: str | None = None,
            sources: Iterable[str] | None = None, doc_ids: Iterable[str] | None = None,
            use_llm: bool = True, on_delta: Callable[[str], None] | None = None) -> Answer:
        """Answer ``question`` with cited passages.

        Evidence mode always runs. With an LLM configured (and ``use_llm``), the LLM's
        answer is shown only when every check passes; otherwise the evidence answer is
        shown with the LLM's failed checks listed, never silently dropped.
        """
        from assistant.answer.evidence import answer_evidence

        question = check_question(question)
        timer = _Timer()
        llm = self.llm if use_llm else None
        standalone = self._standalone(question, history, llm)
        timer.lap("understand")
        with self.store.read():  # hits and the texts they quote: one committed state
            flt = _filters(since, until, sources, doc_ids)
            hits = self.retriever.search(standalone, 10, flt)
            timer.lap("retrieve")
            answer = answer_evidence(standalone, hits, self.get_text,
                                     min_confidence=self.cfg.min_confidence, history=history,
                                     twin_of=self._twin_finder(flt), meaning=self.meaning)
            answer = self._with_figures(standalone, answer, since, until, sources, doc_ids)
            timer.lap("answer")
        if llm is not None and hits:
            answer = self._llm_or_evidence(llm, standalone, hits, history, answer, on_delta)
            timer.lap("llm")
        return _with(answer, question=question, timings_ms=timer.laps)

    def _standalone(self, question: str, history, llm) -> str:
        from assistant.answer.question import resolve_followup

        if llm is not None and history:
            from assistant.answer.llm import condense_question

            try:
                return condense_question(llm, question, history)
            except LLMError:
                pass  # the rule-based rewrite below still resolves the follow-up
        return resolve_followup(question, history or [])

    def _twin_finder(self, flt: Filters) -> Callable[[Hit], Hit | None] | None:
        """The version of a hit's report in ``Config.record_language`` that passes ``flt``."""
        lang = self.cfg.record_language
        if not lang:
            return None
        where, args = flt.sql()

        def twin_of(hit: Hit) -> Hit | None:
            paths = twin_paths(hit.path, lang) if hit.language != lang else []
            if not paths:
                return None
            row = self.store.conn().execute(
                "SELECT doc_id, path, record, title, date, source, url FROM reports r "
                f"WHERE r.path IN ({','.join('?' * len(paths))}) AND r.record IS ? "
                f"AND r.language = ? AND {where} LIMIT 1",
                [*paths, hit.record, lang, *args]).fetchone()
            return None if row is None else Hit(
                rank=hit.rank, doc_id=row[0], path=row[1], record=row[2], title=row[3],
                date=row[4], source=row[5], url=row[6], text="", start=0, end=0,
                score=hit.score, language=lang)

        return twin_of

    def _llm_or_evidence(self, llm, question: str, hits: list[Hit], history,
                         evidence: Answer, on_delta) -> Answer:
        from assistant.answer.llm import llm_answer, passes_checks

        try:
            answer = llm_answer(llm, question, hits, self.get_text, history,
                                max_tokens=self.cfg.context_tokens, on_delta=on_delta)
        except LLMError as exc:
            note = Check("llm", False, f"LLM unavailable ({exc}); evidence answer shown")
            return _with(evidence, checks=[*evidence.checks, note])
        if passes_checks(answer):
            return answer
        failed = [Check(f"LLM answer: {c.claim}", False, c.detail)
                  for c in answer.checks if not c.ok]
        note = Check("llm", False, "the LLM answer failed verification; evidence answer shown")
        return _with(evidence, checks=[*evidence.checks, note, *failed])

    def _with_figures(self, question: str, answer: Answer, since, until, sources,
                      doc_ids) -> Answer:
        """A count answer with the revisions/conflicts of its figure (figures table)."""
        from assistant.figures.table import count_figures, enrich_count_answer

        if not answer.found:
            return answer
        figs = count_figures(self.store, question, since=since, until=until, sources=sources,
                             doc_ids=doc_ids)
        return enrich_count_answer(answer, figs, self.report) if figs else answer

    def figures(self, flt: FigureFilter | None = None, **filters) -> list[Figure]:
        """Figures of the figures table (``FigureFilter`` fields as keywords or ``flt``)."""
        from assistant.figures.table import FigureFilter, load_figures

        return load_figures(self.store, flt or FigureFilter(**filters))

    def check(self, claim: str, k: int = 20) -> ClaimResult:
        """Reports that support, contradict or do not state the figures of ``claim``."""
        from assistant.figures.claims import check_claim

        return check_claim(self, claim, k=k)

    def get_text(self, doc_id: str) -> str:
        """The original text of a report."""
        return self.report(doc_id).text

    def report(self, doc_id: str) -> Report:
        row = self.store.conn().execute(
            "SELECT doc_id, path, text, title, date, source, url, language, record, "
            "content_hash FROM reports WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no report with doc_id {doc_id}")
        return Report(*row)

    def reports(self) -> list[dict]:
        """Indexed reports with their chunk counts (for listings)."""
        rows = self.store.conn().execute(
            "SELECT r.doc_id, r.path, r.record, r.title, r.date, r.source, r.language, "
            "COUNT(c.chunk_id) FROM reports r LEFT JOIN chunks c USING(doc_id) "
            "GROUP BY r.doc_id ORDER BY r.path, r.record").fetchall()
        keys = ("doc_id", "path", "record", "title", "date", "source", "language", "chunks")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def stats(self) -> dict:
        """Counts, model and index location."""
        return {"index": str(self.store.dir), "model_id": self.store.model_id,
                "dim": self.store.dim, **self.store.counts(),
                "faiss": self.vectors.ntotal, "llm": self.cfg.llm_model or None}

    # -- writing -----------------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path | str], opts: ParseOptions | None = None,
               progress: Progress | None = None, wait: float = 0,
               embed: bool = True) -> IngestSummary:
        """Ingest files/folders under the writer lock; FAISS and manifest saved at the end."""
        ensure_writable(self.cfg)
        opts = opts or ParseOptions(max_file_bytes=self.cfg.max_file_bytes,
                                    max_cell_chars=self.cfg.max_cell_chars)
        with self.store.lock(wait):
            summary = ingest(self.store, self.embedder if embed else None,
                             [Path(p) for p in paths], opts=opts,
                             chunk_chars=self.cfg.chunk_chars, batch_docs=self.cfg.batch_docs,
                             embed_batch=self.cfg.embed_batch, progress=progress)
            self.vectors.save()
            self.store.write_manifest()
        return summary

    def embed_pending(self, progress: Progress | None = None) -> int:
        ensure_writable(self.cfg)
        with self.store.lock():
            n = embed_pending(self.store, self.embedder, batch=self.cfg.embed_batch,
                              progress=progress)
            self.vectors.save()
            self.store.write_manifest()
        return n

    def remove(self, key: str, wait: float = 0) -> list[str]:
        """Remove reports by doc_id or path (all rows of a csv/jsonl path); returns doc_ids."""
        ensure_writable(self.cfg)
        with self.store.lock(wait):
            with self.store.write() as con:
                ids = [r[0] for r in con.execute(
                    "SELECT doc_id FROM reports WHERE doc_id = ? OR path = ?", (key, key))]
                if not ids:
                    raise NotFoundError(f"nothing indexed under doc_id or path {key!r}")
                con.executemany("DELETE FROM reports WHERE doc_id = ?", [(i,) for i in ids])
            self.vectors.save()
            self.store.write_manifest()
        return ids

    def close(self) -> None:
        self.store.close()


def check_question(text: str) -> str:
    """Reject empty, oversized or control-character questions with a clear message."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(text)} characters long; "
                         f"the limit is {MAX_QUESTION_CHARS}")
    bad = sorted({f"U+{ord(c):04X}" for c in text
                  if unicodedata.category(c) == "Cc" and c not in "\n\t\r"})
    if bad:
        raise InputError(f"the question contains control characters ({', '.join(bad[:5])})")
    return " ".join(text.split())


def _filters(since, until, sources, doc_ids, language=None) -> Filters:
    return Filters(since=since or None, until=until or None,
                   sources=tuple(sources) if sources else None,
                   doc_ids=tuple(doc_ids) if doc_ids else None, language=language or None)


class _Timer:
    """Milliseconds per stage, for ``Answer.timings_ms``."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self._t) * 1e3, 1)
        self._t = now


def _with(answer: Answer, **changes) -> Answer:
    return replace(answer, **changes)
