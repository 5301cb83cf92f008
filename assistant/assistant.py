"""The ``Assistant`` facade: one open index (store + embedder + optional LLM).

It wires the stages together and owns no logic of its own beyond that:
parsing, ranking, answering and verification live in their modules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from assistant.answer.entities import other_language_names
from assistant.answer.evidence import answer_evidence
from assistant.answer.followup import is_elliptic, is_underspecified, resolve_followup
from assistant.answer.question import check_question
from assistant.answer.sentence_rank import SentenceMeaning
from assistant.answer.twins import twin_paths
from assistant.config import Config
from assistant.embed.embedders import Embedder, QueryMemo, make_embedder
from assistant.errors import ConfigError, LLMError, NotFoundError
from assistant.figures.claims import ClaimResult, check_claim
from assistant.figures.table import (
    FigureFilter,
    count_figures,
    enrich_count_answer,
    load_figures,
)
from assistant.ingest.common import ParseOptions
from assistant.ingest.pipeline import IngestSummary, Progress, embed_pending, ingest
from assistant.lru import LRU
from assistant.records import Answer, Check, Figure, Filters, Hit, Report
from assistant.retrieval.retriever import Retriever
from assistant.store.base import Store
from assistant.store.uri import open_store


class Assistant:
    """Search, ask, ingest and maintain one index folder."""

    def __init__(self, cfg: Config, store: Store, embedder: Embedder | None,
                 llm: object | None = None) -> None:
        self.cfg, self.store, self.embedder, self.llm = cfg, store, embedder, llm
        queries = QueryMemo(embedder) if embedder else None
        # the reports each recent answer quoted, for the follow-ups of a chat
        self._recent: LRU[tuple, tuple[str, ...]] = LRU(1024)
        self.retriever = Retriever(store, queries, cfg.k_lexical, cfg.k_dense, cfg.rrf_k)
        # near-tie quotes told apart by meaning; the question's vector is the retrieval one
        self.meaning = SentenceMeaning(queries) if queries else None

    @classmethod
    def open(cls, index_dir: Path | str | None = None, *, store: str | None = None,
             cfg: Config | None = None, embedder: Embedder | None = None,
             llm: object | None = None, create: bool = True) -> Assistant:
        """Open (or create) the index at ``index_dir`` (or the store URI ``store``, e.g.
        ``milvus://HOST:19530``) with the configured embedder."""
        cfg = cfg or Config.from_env()
        if index_dir is not None:
            cfg = replace(cfg, index_dir=Path(index_dir))
        if store is not None:
            cfg = replace(cfg, store_uri=store)
        embedder = embedder or make_embedder(cfg.embedder)
        opened = open_store(cfg, embedder.model_id, embedder.dim, create=create)
        if llm is None and cfg.llm_url:
            from assistant.answer.llm import make_llm  # llama-index: loaded only when used

            llm = make_llm(cfg)
        return cls(cfg, opened, embedder, llm)

    # -- reading -----------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, since: str | None = None,
               until: str | None = None, sources: Iterable[str] | None = None,
               doc_ids: Iterable[str] | None = None, language: str | None = None,
               mode: str = "hybrid") -> list[Hit]:
        """Ranked passages for ``query`` (filters applied inside retrieval)."""
        query = _with_names(check_question(query))
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
        question = check_question(question)
        timer = _Timer()
        llm = self.llm if use_llm else None
        standalone = self._standalone(question, history, llm)
        flt = _filters(since, until, sources, doc_ids)
        # a follow-up is about what the previous answer quoted: its reports come first
        prior = self._prior_reports(question, history, flt) if history else []
        timer.lap("understand")
        query = _with_names(standalone)
        with self.store.read():  # hits and the texts they quote: one committed state
            hits = self.retriever.search(query, 10, flt)
            if prior:
                hits = _prior_first(self.retriever.search(
                    query, 4, replace(flt, doc_ids=tuple(prior))), hits)
            timer.lap("retrieve")
            answer = answer_evidence(standalone, hits, self.get_text,
                                     min_confidence=self.cfg.min_confidence, history=history,
                                     twin_of=self._twin_finder(flt), meaning=self.meaning)
            answer = self._with_figures(standalone, answer, since, until, sources, doc_ids)
            timer.lap("answer")
        if llm is not None and hits:
            answer = self._llm_or_evidence(llm, standalone, hits, history, answer, on_delta)
            timer.lap("llm")
        self._recent.put((question, _key(history)), _quoted(answer))
        return _with(answer, question=question, timings_ms=timer.laps)

    def _prior_reports(self, question: str, history: list[tuple[str, str]],
                       flt: Filters) -> list[str]:
        """The reports the previous answer quoted, for a question that leans on it (a
        follow-up, or a short question naming nothing of its own: "Who was blamed?")."""
        if not (is_elliptic(question) or is_underspecified(question)):
            return []
        prev, earlier = history[-1][0], history[:-1]
        quoted = self._recent.get((check_question(prev), _key(earlier)))
        if quoted is None:  # a chat this process did not answer: read the previous turn again
            quoted = _quoted(self.ask(prev, history=earlier or None, since=flt.since,
                                      until=flt.until, sources=flt.sources,
                                      doc_ids=flt.doc_ids, use_llm=False))
        return list(quoted)

    def _standalone(self, question: str, history, llm) -> str:
        if llm is not None and history and self.cfg.llm_condense:
            from assistant.answer.llm import condense_question  # llama-index

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

        def twin_of(hit: Hit) -> Hit | None:
            paths = twin_paths(hit.path, lang) if hit.language != lang else []
            rep = self.store.find_report(paths, hit.record, lang, flt)
            return None if rep is None else Hit(
                rank=hit.rank, doc_id=rep.doc_id, path=rep.path, record=rep.record,
                title=rep.title, date=rep.date, source=rep.source, url=rep.url, text="",
                start=0, end=0, score=hit.score, language=lang)

        return twin_of

    def _llm_or_evidence(self, llm, question: str, hits: list[Hit], history,
                         evidence: Answer, on_delta) -> Answer:
        from assistant.answer.llm import llm_answer, passes_checks  # llama-index

        # the chat as turns: each earlier question, then the answer it got
        turns = [turn for q, a in history or [] for turn in (("user", q), ("assistant", a))]
        try:
            answer = llm_answer(llm, question, hits, self.get_text, turns,
                                max_tokens=self.cfg.context_tokens, on_delta=on_delta)
        except (LLMError, ConfigError) as exc:  # shown to the user as a failed check
            note = Check("llm", False, f"LLM unavailable ({exc}); evidence answer shown")
            return _with(evidence, checks=[*evidence.checks, note])
        if not answer.found and evidence.found:
            # the LLM says the reports do not say it, the evidence quotes where they do
            note = Check("llm", False, "the LLM found no answer; the evidence answer is shown")
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
        if not answer.found:
            return answer
        figs = count_figures(self.store, question, since=since, until=until, sources=sources,
                             doc_ids=doc_ids)
        return enrich_count_answer(answer, figs, self.report) if figs else answer

    def figures(self, flt: FigureFilter | None = None, **filters) -> list[Figure]:
        """Figures of the figures table (``FigureFilter`` fields as keywords or ``flt``)."""
        return load_figures(self.store, flt or FigureFilter(**filters))

    def check(self, claim: str, k: int = 20) -> ClaimResult:
        """Reports that support, contradict or do not state the figures of ``claim``."""
        return check_claim(self, claim, k=k)

    def get_text(self, doc_id: str) -> str:
        """The original text of a report."""
        return self.report(doc_id).text

    def report(self, doc_id: str) -> Report:
        rep = self.store.report(doc_id)
        if rep is None:
            raise NotFoundError(f"no report with doc_id {doc_id}")
        return rep

    def reports(self) -> list[dict]:
        """Indexed reports with their chunk counts (for listings)."""
        return self.store.report_list()

    def stats(self) -> dict:
        """Counts, model, where the index is and how it searches."""
        return {**self.store.describe(), **self.store.counts(),
                "llm": self.cfg.llm_model or None}

    # -- writing -----------------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path | str], opts: ParseOptions | None = None,
               progress: Progress | None = None, wait: float = 0,
               embed: bool = True) -> IngestSummary:
        """Ingest files/folders under the writer lock; FAISS and manifest saved at the end."""
        self.cfg.ensure_writable()
        opts = opts or ParseOptions(max_file_bytes=self.cfg.max_file_bytes,
                                    max_cell_chars=self.cfg.max_cell_chars)
        with self.store.lock(wait):
            summary = ingest(self.store, self.embedder if embed else None,
                             [Path(p) for p in paths], opts=opts,
                             chunk_chars=self.cfg.chunk_chars, batch_docs=self.cfg.batch_docs,
                             embed_batch=self.cfg.embed_batch, progress=progress)
            self.store.checkpoint()
        return summary

    def embed_pending(self, progress: Progress | None = None) -> int:
        self.cfg.ensure_writable()
        with self.store.lock():
            n = embed_pending(self.store, self.embedder, batch=self.cfg.embed_batch,
                              progress=progress)
            self.store.checkpoint()
        return n

    def remove(self, key: str, wait: float = 0) -> list[str]:
        """Remove reports by doc_id or path (all rows of a csv/jsonl path); returns doc_ids."""
        self.cfg.ensure_writable()
        with self.store.lock(wait):
            ids = self.store.remove(key)
            if not ids:
                raise NotFoundError(f"nothing indexed under doc_id or path {key!r}")
            self.store.checkpoint()
        return ids

    def close(self) -> None:
        self.store.close()


def _with_names(query: str) -> str:
    """The query with the other-language names of the places and actors it names."""
    names = other_language_names(query)
    return f"{query} {' '.join(names)}" if names else query


def _key(history: list[tuple[str, str]] | None) -> tuple[str, ...]:
    """A chat's earlier questions (what resolves a follow-up), as a memo key."""
    return tuple(" ".join(q.split()) for q, _ in history or [])


def _quoted(answer: Answer) -> tuple[str, ...]:
    """The reports an answer quoted (none for a refusal: its passages are only the closest)."""
    return tuple(dict.fromkeys(c.doc_id for c in answer.citations)) if answer.found else ()


def _prior_first(prior: list[Hit], hits: list[Hit]) -> list[Hit]:
    """The previous answer's passages first, then the others, without repeats."""
    seen = {h.chunk_id for h in prior}
    out = [*prior, *(h for h in hits if h.chunk_id not in seen)]
    return [replace(h, rank=i + 1) for i, h in enumerate(out)]


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
