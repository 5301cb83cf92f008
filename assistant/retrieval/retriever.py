"""Hybrid retrieval: Arabic-aware lexical (SQLite FTS5) + dense (FAISS), fused, re-ranked.

Stages: FTS5 bm25 over the store's analysed tokens (normalised, stemmed; the
same analyser for queries), FAISS cosine over e5 vectors, weighted reciprocal
rank fusion, then a fine re-ranking of a pool (the fused top ``rerank_depth`` plus
each first stage's top 10, wherever fusion put them) and near duplicates demoted by a
finite penalty (``rerank``); each first stage's top hits are kept within the first
places (``protect``). No stage after the first two removes a passage: a filter (date
range, sources, document ids, language) is applied inside each first stage, never by
dropping results after a top-k cut, and the rest only re-order. A statement to check (a pasted claim rather than a question) is re-ranked
deeper, with its own weights and a report-level bm25 score (its candidate passages'
matches over the report's length, and all its passages' matches). Passages that have
no vector yet (still being embedded) are found lexically. This module does not answer
questions; ``answer.llm.select_hits`` assembles the sources for the answer stage.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from assistant.config import Config
from assistant.embed.embedders import Embedder
from assistant.errors import InputError
from assistant.records import NO_FILTERS, Filters, Hit
from assistant.retrieval.protect import (
    KEPT_WITHIN,
    STATEMENT_KEPT_WITHIN,
    Windows,
    keep_first_stage_tops,
    protected_ids,
    rerank_pool,
)
from assistant.retrieval.rerank import (
    DUPLICATE_PENALTY,
    STATEMENT_WEIGHTS,
    Query,
    RerankWeights,
    analyse_query,
    demote_duplicates,
    doc_bm25,
    feature_matrix,
    is_statement,
    report_counts,
    rerank_order,
)
from assistant.retrieval.terms import query_terms, term_idf
from assistant.store.base import SearchIndex
from assistant.text.arabic import detect_language, tokenize

MODES = ("hybrid", "fusion", "lexical", "dense")
# Weights of the two rankings in the fusion (arcd-train + xquad-ar even articles: dense 1.0
# with rrf k 30 ~ dense 0.5 with k 60; see benchmarks/tune_retrieval.py).
FUSION_WEIGHTS = {"lexical": 1.0, "dense": 1.0}


def credit_cross_lingual(fused: list[tuple[int, float]], stages: dict[str, list],
                         other_language: set[int], k: int = 60, weight: float = 1.0
                         ) -> list[tuple[int, float]]:
    """Give passages in another language than the question, which the lexical stage cannot
    match, their dense rank as a stand-in lexical rank (so RRF does not halve them)."""
    lexical = {c for c, _ in stages.get("lexical", [])}
    scores = dict(fused)
    for rank, (c, _) in enumerate(stages.get("dense", [])):
        if c in other_language and c not in lexical:
            scores[c] = scores.get(c, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def rrf(rankings: dict[str, list[tuple[int, float]]], k: int = 60,
        weights: dict[str, float] | None = None) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several rankings of ids; returns (id, fused score)."""
    fused: dict[int, float] = {}
    for name, ranking in rankings.items():
        w = (weights or {}).get(name, 1.0)
        for rank, (doc, _) in enumerate(ranking):
            fused[doc] = fused.get(doc, 0.0) + w / (k + rank + 1)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


class Profile(NamedTuple):
    """How one kind of query is re-ranked: pool depth, weights, first-stage windows."""

    depth: int
    weights: RerankWeights
    kept_within: Windows


class Retriever:
    """Hybrid retriever over one store: lexical + dense, fused, re-ranked, copies demoted."""

    def __init__(self, store: SearchIndex, embedder: Embedder | None, k_lexical: int = 100, k_dense: int = 100, rrf_k: int = Config.rrf_k,
                 fusion_weights: dict[str, float] | None = None, rerank_depth: int = 30,
                 rerank_weights: RerankWeights | None = None,
                 duplicate_jaccard: float = 0.8, statement_depth: int = 100,
                 statement_weights: RerankWeights | None = None,
                 kept_within: Windows = KEPT_WITHIN,
                 statement_kept_within: Windows = STATEMENT_KEPT_WITHIN,
                 duplicate_penalty: float = DUPLICATE_PENALTY) -> None:
        self.store, self.embedder = store, embedder
        self.k_lexical, self.k_dense, self.rrf_k = k_lexical, k_dense, rrf_k
        self.fusion_weights = dict(fusion_weights or FUSION_WEIGHTS)
        self.rerank_depth, self.kept_within = rerank_depth, kept_within
        self.statement_kept_within = statement_kept_within
        # each first stage's top this many are re-ranked wherever fusion put them
        self.protected = max((r for r, _ in (*kept_within, *statement_kept_within)), default=0)
        self.rerank_weights = rerank_weights or RerankWeights()
        self.duplicate_jaccard, self.duplicate_penalty = duplicate_jaccard, duplicate_penalty
        # Statements (claims) are checked against whole articles: deeper, other weights.
        self.statement_depth = statement_depth
        self.statement_weights = statement_weights or STATEMENT_WEIGHTS
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def search(self, query: str, k: int = 10, filters: Filters = NO_FILTERS,
               mode: str = "hybrid") -> list[Hit]:
        """Ranked hits for ``query``.

        ``mode``: "hybrid" (fusion, re-ranking, near duplicates demoted), "fusion"
        (RRF only), "lexical" or "dense" (one stage, as ranked by it).
        """
        ranking, per_stage, _ = self._rank(query, filters, mode)
        ranking = ranking[:k]
        return self.hits([c for c, _ in ranking], [s for _, s in ranking], per_stage)

    def trace(self, query: str, k: int = 20, filters: Filters = NO_FILTERS
              ) -> dict[str, list[int]]:
        """Each hybrid stage's ranking of chunk ids, for diagnostics: "lexical", "dense"
        (the first stages), "fusion", "pool" (the re-ranked candidates, in fused order),
        "rerank" (the pool re-scored), "distinct" (copies demoted, then the tail) and
        "final" (the top ``k`` once the first stages' top hits are kept in their windows:
        what ``search`` returns)."""
        ranking, _, trail = self._rank(query, filters, "hybrid")
        return {**trail, "final": [c for c, _ in ranking[:k]]}

    def _rank(self, query: str, filters: Filters, mode: str
              ) -> tuple[list[tuple[int, float]], dict[str, dict[int, float]],
                         dict[str, list[int]]]:
        """(ranking, per-stage scores, per-stage rankings) of ``query`` in ``mode``."""
        if mode not in MODES:
            raise InputError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        qvec, stages, idf = self._stages(query, filters, mode)
        trail = {name: [c for c, _ in r] for name, r in stages.items()}
        per_stage = {name: dict(r) for name, r in stages.items()}
        if mode in ("lexical", "dense"):
            return stages.get(mode, []), per_stage, trail
        ranking = self._fuse(query, stages)
        trail["fusion"] = [c for c, _ in ranking]
        if mode == "hybrid" and ranking:
            per_stage["fusion"] = dict(ranking)
            ranking = self._rerank(query, qvec, idf, ranking, stages, per_stage, trail)
        return ranking, per_stage, trail

    def profile(self, query: str) -> Profile:
        """Re-ranking depth, weights and kept windows for ``query``: a statement's or a
        question's."""
        if is_statement(query):
            return Profile(self.statement_depth, self.statement_weights,
                           self.statement_kept_within)
        return Profile(self.rerank_depth, self.rerank_weights, self.kept_within)

    def candidates(self, query: str, filters: Filters = NO_FILTERS, depth: int | None = None
                   ) -> tuple[list[int], np.ndarray, list[list[str]]]:
        """The re-ranking pool (``rerank_pool``: the fused top ``depth``, default the query's
        profile, and each first stage's protected top) with all their re-ranking features
        and tokens (exposed for diagnostics and weight tuning)."""
        qvec, stages, idf = self._stages(query, filters, "hybrid")
        pool, _ = rerank_pool(self._fuse(query, stages), protected_ids(stages, self.protected),
                              depth or self.profile(query)[0])
        return self._features(query, qvec, idf, pool, dict(stages.get("lexical", [])))

    def _stages(self, query: str, filters: Filters, mode: str
                ) -> tuple[np.ndarray | None, dict[str, list[tuple[int, float]]],
                           dict[str, float]]:
        """(query vector, the stages' rankings, IDF of the query terms).

        The query is embedded on a worker thread while this one runs the lexical stage:
        both spend their time outside the GIL (the model in C, FTS5 in SQLite), so on
        two cores the embedding (~25-50 ms) no longer adds to the lexical time.
        """
        qvec, idf, pending = None, {}, None
        stages: dict[str, list[tuple[int, float]]] = {}
        if mode != "lexical" and self.embedder is not None:
            pending = self._embedding_pool().submit(self.embedder.embed_query, query)
        if mode != "dense":
            # IDF of the query terms, looked up once: the lexical stage and the re-ranker use it.
            idf = term_idf(self.store, tokenize(query))
            stages["lexical"] = self.store.lexical_search(query_terms(query, idf),
                                                          self.k_lexical, filters)
        if pending is not None:
            qvec = pending.result()
            stages["dense"] = self.store.dense_search(qvec, self.k_dense, filters)
        return qvec, stages, idf

    def _embedding_pool(self) -> ThreadPoolExecutor:
        """One worker: query embeddings run one at a time (the model is one C object)."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="isnad-query-embed")
            return self._pool

    def _fuse(self, query: str, stages: dict[str, list[tuple[int, float]]]
              ) -> list[tuple[int, float]]:
        fused = rrf(stages, self.rrf_k, self.fusion_weights)
        if "dense" not in stages or "lexical" not in stages:
            return fused
        langs = self._languages([c for c, _ in stages["dense"]])
        qlang = detect_language(query)
        other = {c for c, lang in langs.items() if lang and lang != qlang}
        return credit_cross_lingual(fused, stages, other, self.rrf_k,
                                    self.fusion_weights.get("lexical", 1.0))

    def _features(self, query: str, qvec: np.ndarray | None, idf: dict[str, float],
                  head: list[tuple[int, float]], lexical: dict[int, float],
                  weights: RerankWeights | None = None
                  ) -> tuple[list[int], np.ndarray, list[list[str]]]:
        """Features of ``head`` (all of them, or those ``weights`` use: the others are 0)."""
        fused = dict(head)
        tokens = self._tokens(list(fused))
        ids = [c for c in fused if c in tokens]  # a report removed between two reads
        qlang = detect_language(query)
        langs = self._languages(ids)
        q = analyse_query(query, idf)
        cosines = self._cosines(qvec, ids)
        toks = [tokens[c] for c in ids]
        proximity = weights is None or bool(weights.sentence or weights.answer_type)
        doc, report = self._report_scores(q, ids, toks, weights)
        feats = feature_matrix(q, toks, [fused[c] for c in ids], [cosines.get(c) for c in ids],
                               [lexical.get(c) for c in ids],
                               [bool(langs.get(c)) and langs[c] != qlang for c in ids],
                               doc, proximity, report)
        return ids, feats, toks

    def _report_scores(self, q: Query, ids: list[int], toks: list[list[str]],
                       weights: RerankWeights | None
                       ) -> tuple[list[float] | None, list[float] | None]:
        """The "doc" and "report" features (None when ``weights`` do not use them): bm25 of
        each candidate's report from its candidate passages, and from all its passages."""
        want_doc = weights is None or bool(weights.doc)
        want_report = weights is None or bool(weights.report)
        if not (want_doc or want_report):
            return None, None
        reports = self._report_lengths(ids)
        docs = [reports.get(c, (f"#{c}", 1))[0] for c in ids]  # #: removed meanwhile
        lengths = [reports.get(c, ("", 1))[1] for c in ids]
        terms = set(q.terms)
        doc = doc_bm25(q, report_counts(docs, toks, terms), lengths) if want_doc else None
        report = None
        if want_report:  # the same counts over every passage of each report
            owners, passages = self.store.report_tokens(docs)
            whole = dict(zip(owners, report_counts(owners, passages, terms), strict=True))
            report = doc_bm25(q, [whole.get(d, {}) for d in docs], lengths)
        return doc, report

    def _rerank(self, query: str, qvec: np.ndarray | None, idf: dict[str, float],
                ranking: list[tuple[int, float]], stages: dict[str, list[tuple[int, float]]],
                per_stage: dict[str, dict[int, float]], trail: dict[str, list[int]]
                ) -> list[tuple[int, float]]:
        """Re-score the pool (``protect.rerank_pool``), demote near duplicates, keep the tail
        below, and the first stages' top hits in their windows (``protect.KEPT_WITHIN``)."""
        depth, weights, kept_within = self.profile(query)
        keep = protected_ids(stages, self.protected)
        pool, tail = rerank_pool(ranking, keep, depth)
        ids, feats, toks = self._features(query, qvec, idf, pool, per_stage.get("lexical", {}),
                                          weights)
        order, scores = rerank_order(feats, weights)
        per_stage["rerank"] = {ids[i]: float(scores[i]) for i in range(len(ids))}
        scores = demote_duplicates(order, scores, toks, self.duplicate_jaccard,
                                   self.duplicate_penalty)
        kept = sorted(order, key=lambda i: -scores[i])  # stable: ties keep the re-ranked order
        floor = min((float(scores[i]) for i in kept), default=0.0)
        # The tail keeps its fused order, below every re-ranked passage.
        ranked = [(ids[i], float(scores[i])) for i in kept] + [
            (c, floor - 1.0 + s) for c, s in tail]
        trail.update(pool=[c for c, _ in pool], rerank=[ids[i] for i in order],
                     distinct=[c for c, _ in ranked])
        return keep_first_stage_tops(ranked, stages, kept_within)

    def _report_lengths(self, ids: list[int]) -> dict[int, tuple[str, int]]:
        return self.store.report_lengths(ids)

    def _tokens(self, ids: list[int]) -> dict[int, list[str]]:
        return self.store.chunk_tokens(ids)

    def _languages(self, ids: list[int]) -> dict[int, str]:
        return self.store.chunk_languages(ids)

    def _cosines(self, qvec: np.ndarray | None, ids: list[int]) -> dict[int, float]:
        """Cosine of the query with each chunk that has a vector."""
        if qvec is None or not ids:
            return {}
        vecs = self.store.chunk_vectors(ids)
        if not vecs:
            return {}
        mat = np.stack(list(vecs.values()))
        sims = mat @ np.asarray(qvec, dtype=np.float32).reshape(-1)
        return {c: float(s) for c, s in zip(vecs, sims, strict=True)}

    def hits(self, chunk_ids: list[int], scores: list[float],
             per_stage: dict[str, dict[int, float]] | None = None) -> list[Hit]:
        """Hit records (with report metadata) for chunk ids, in the given order."""
        found = self.store.passages(chunk_ids)
        out: list[Hit] = []
        for cid, score in zip(chunk_ids, scores, strict=True):
            hit = found.get(cid)
            if hit is None:  # removed between the two reads
                continue
            stage = {n: s[cid] for n, s in (per_stage or {}).items() if cid in s}
            out.append(replace(hit, rank=len(out) + 1, score=float(score), scores=stage))
        return out
