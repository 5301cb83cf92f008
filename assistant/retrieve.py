"""Hybrid retrieval: Arabic-aware lexical (SQLite FTS5) + dense (FAISS), fused, re-ranked.

Stages: FTS5 bm25 over the store's analysed tokens (normalised, stemmed; the
same analyser for queries), FAISS cosine over e5 vectors, weighted reciprocal
rank fusion, then a fine re-ranking of the top ``rerank_depth`` candidates and
near-duplicate removal (``rerank``). Filters (date range, sources, document
ids, language) are applied inside each stage, never by dropping results after
a top-k cut. Passages that have no vector yet (still being embedded) are found
lexically. This module does not answer questions; ``context`` assembles the
numbered sources for the answer stage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .embeddings import Embedder
from .errors import InputError
from .records import Hit
from .rerank import RerankWeights, analyse_query, feature_matrix, near_duplicates, rerank_order
from .store import Store
from .text.arabic import detect_language, tokenize
from .vectors import VectorIndex

MODES = ("hybrid", "fusion", "lexical", "dense")
# Weights of the two rankings in the fusion (arcd-train: dense 0.5 ~ 1.0; the unifiedfc
# claims, long and noisy, gain from the lighter dense weight; see benchmarks/tune_retrieval.py).
FUSION_WEIGHTS = {"lexical": 1.0, "dense": 0.5}
_VOCAB = "isnad_vocab"
MAX_QUERY_TERMS = 16


@dataclass(frozen=True)
class Filters:
    """Restrictions applied inside retrieval (dates are ISO strings; a report without a
    date never passes a date bound)."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] | None = None
    doc_ids: tuple[str, ...] | None = None
    language: str | None = None

    def sql(self) -> tuple[str, list]:
        """A WHERE fragment over ``reports r`` and its parameters."""
        where, args = ["1=1"], []
        if self.since:
            where.append("r.date >= ?")
            args.append(self.since)
        if self.until:
            where.append("r.date <= ?")
            args.append(self.until)
        for col, vals in (("r.source", self.sources), ("r.doc_id", self.doc_ids)):
            if vals:
                where.append(f"{col} IN ({','.join('?' * len(vals))})")
                args.extend(vals)
        if self.language:
            where.append("r.language = ?")
            args.append(self.language)
        return " AND ".join(where), args

    @property
    def active(self) -> bool:
        return any((self.since, self.until, self.sources, self.doc_ids, self.language))


def fts_query(text: str) -> str | None:
    """An FTS5 OR-query of the analysed terms (quoted, so no FTS syntax leaks in)."""
    return fts_match(list(dict.fromkeys(tokenize(text))))


def fts_match(terms: list[str]) -> str | None:
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def query_terms(store: Store, query: str, idf: dict[str, float] | None = None) -> list[str]:
    """The analysed terms to match: all of them, or for long queries (a pasted claim) the
    ``MAX_QUERY_TERMS`` rarest that occur in the index (common terms add little to bm25
    but their long posting lists dominate the cost of an OR query)."""
    terms = list(dict.fromkeys(tokenize(query)))
    if len(terms) <= MAX_QUERY_TERMS:
        return terms
    idf = term_idf(store, terms) if idf is None else idf
    return sorted((t for t in terms if t in idf), key=lambda t: -idf[t])[:MAX_QUERY_TERMS]


def lexical_search(store: Store, query: str, k: int, filters: Filters = Filters(),
                   idf: dict[str, float] | None = None) -> list[tuple[int, float]]:
    """Top-k (chunk_id, bm25 score; higher is better) from the FTS5 table."""
    match = fts_match(query_terms(store, query, idf))
    if match is None:
        return []
    if not filters.active:  # FTS5 orders by its rank (bm25) itself: no join per match
        sql = ("SELECT rowid, -rank FROM chunks_fts WHERE chunks_fts MATCH ? "
               "ORDER BY rank LIMIT ?")
        rows = store.conn().execute(sql, [match, k]).fetchall()
        return [(int(i), float(s)) for i, s in rows]
    where, args = filters.sql()
    sql = ("SELECT f.rowid, -bm25(chunks_fts) AS s FROM chunks_fts f "
           "JOIN chunks c ON c.chunk_id = f.rowid JOIN reports r ON r.doc_id = c.doc_id "
           f"WHERE chunks_fts MATCH ? AND {where} ORDER BY bm25(chunks_fts) LIMIT ?")
    rows = store.conn().execute(sql, [match, *args, k]).fetchall()
    return [(int(i), float(s)) for i, s in rows]


def allowed_ids(store: Store, filters: Filters) -> np.ndarray | None:
    """Chunk ids that pass ``filters`` (None when no filter is set)."""
    if not filters.active:
        return None
    where, args = filters.sql()
    rows = store.conn().execute(
        f"SELECT c.chunk_id FROM chunks c JOIN reports r ON r.doc_id = c.doc_id WHERE {where}",
        args).fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64)


def term_idf(store: Store, terms: list[str]) -> dict[str, float]:
    """BM25-style IDF of analysed terms from the FTS5 vocabulary (absent terms are left out)."""
    con = store.conn()
    terms = list(dict.fromkeys(terms))
    if not terms:
        return {}
    # A temp table lives in this connection only: the index file is not touched.
    con.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{_VOCAB} "
                "USING fts5vocab(main, chunks_fts, 'row')")
    # One lookup per term: fts5vocab serves "term = ?" from the index but scans for IN (...).
    rows = [(t, r[0]) for t in terms for r in con.execute(
        f"SELECT doc FROM temp.{_VOCAB} WHERE term = ?", (t,)).fetchall()]
    n = int(con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in rows}


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


class Retriever:
    """Hybrid retriever over one store: lexical + dense, fused, re-ranked, de-duplicated."""

    def __init__(self, store: Store, embedder: Embedder | None, vectors: VectorIndex | None,
                 k_lexical: int = 100, k_dense: int = 100, rrf_k: int = 60,
                 fusion_weights: dict[str, float] | None = None, rerank_depth: int = 30,
                 rerank_weights: RerankWeights | None = None,
                 duplicate_jaccard: float = 0.8) -> None:
        self.store, self.embedder, self.vectors = store, embedder, vectors
        self.k_lexical, self.k_dense, self.rrf_k = k_lexical, k_dense, rrf_k
        self.fusion_weights = dict(fusion_weights or FUSION_WEIGHTS)
        self.rerank_depth = rerank_depth
        self.rerank_weights = rerank_weights or RerankWeights()
        self.duplicate_jaccard = duplicate_jaccard

    def search(self, query: str, k: int = 10, filters: Filters = Filters(),
               mode: str = "hybrid") -> list[Hit]:
        """Ranked hits for ``query``.

        ``mode``: "hybrid" (fusion, re-ranking, near-duplicates removed), "fusion"
        (RRF only), "lexical" or "dense" (one stage, as ranked by it).
        """
        if mode not in MODES:
            raise InputError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        # IDF of the query terms, looked up once: the lexical stage and the re-ranker use it.
        idf = term_idf(self.store, tokenize(query)) if mode != "dense" else {}
        qvec, stages = self._stages(query, filters, mode, idf)
        if mode in ("lexical", "dense"):
            ranking = stages.get(mode, [])
        else:
            ranking = self._fuse(query, stages)
        per_stage = {name: dict(r) for name, r in stages.items()}
        if mode == "hybrid" and ranking:
            per_stage["fusion"] = dict(ranking)
            ranking = self._rerank(query, qvec, idf, ranking, per_stage)
        ranking = ranking[:k]
        return self.hits([c for c, _ in ranking], [s for _, s in ranking], per_stage)

    def candidates(self, query: str, filters: Filters = Filters()
                   ) -> tuple[list[int], np.ndarray, list[list[str]]]:
        """The fused top ``rerank_depth`` chunk ids with their re-ranking features and tokens
        (what ``search`` re-ranks; exposed for diagnostics and weight tuning)."""
        idf = term_idf(self.store, tokenize(query))
        qvec, stages = self._stages(query, filters, "hybrid", idf)
        ranking = self._fuse(query, stages)[:self.rerank_depth]
        return self._features(query, qvec, idf, ranking, dict(stages.get("lexical", [])))

    def _stages(self, query: str, filters: Filters, mode: str, idf: dict[str, float]
                ) -> tuple[np.ndarray | None, dict[str, list[tuple[int, float]]]]:
        qvec = None
        stages: dict[str, list[tuple[int, float]]] = {}
        if mode != "dense":
            stages["lexical"] = lexical_search(self.store, query, self.k_lexical, filters, idf)
        if mode != "lexical" and self.embedder is not None and self.vectors is not None:
            qvec = self.embedder.embed_query(query)
            stages["dense"] = self.vectors.search(qvec, self.k_dense,
                                                  allowed_ids(self.store, filters))
        return qvec, stages

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
                  head: list[tuple[int, float]], lexical: dict[int, float]
                  ) -> tuple[list[int], np.ndarray, list[list[str]]]:
        fused = dict(head)
        tokens = self._tokens(list(fused))
        ids = [c for c in fused if c in tokens]  # a report removed between two reads
        qlang = detect_language(query)
        langs = self._languages(ids)
        q = analyse_query(query, idf)
        cosines = self._cosines(qvec, ids)
        toks = [tokens[c] for c in ids]
        feats = feature_matrix(q, toks, [fused[c] for c in ids], [cosines.get(c) for c in ids],
                               [lexical.get(c) for c in ids],
                               [bool(langs.get(c)) and langs[c] != qlang for c in ids])
        return ids, feats, toks

    def _rerank(self, query: str, qvec: np.ndarray | None, idf: dict[str, float],
                ranking: list[tuple[int, float]], per_stage: dict[str, dict[int, float]]
                ) -> list[tuple[int, float]]:
        """Re-score the top ``rerank_depth`` candidates, drop near duplicates, keep the tail."""
        head, tail = ranking[:self.rerank_depth], ranking[self.rerank_depth:]
        ids, feats, toks = self._features(query, qvec, idf, head, per_stage.get("lexical", {}))
        order, scores = rerank_order(feats, self.rerank_weights)
        drop = near_duplicates([toks[i] for i in order], self.duplicate_jaccard)
        kept = [i for j, i in enumerate(order) if j not in drop]
        per_stage["rerank"] = {ids[i]: float(scores[i]) for i in range(len(ids))}
        floor = min((float(scores[i]) for i in kept), default=0.0)
        # The tail keeps its fused order, below every re-ranked passage.
        return [(ids[i], float(scores[i])) for i in kept] + [
            (c, floor - 1.0 + s) for c, s in tail]

    def _tokens(self, ids: list[int]) -> dict[int, list[str]]:
        """The analysed tokens the index stored for each chunk (no re-analysis at query time)."""
        if not ids:
            return {}
        rows = self.store.conn().execute(
            f"SELECT rowid, tokens FROM chunks_fts WHERE rowid IN ({','.join('?' * len(ids))})",
            ids).fetchall()
        return {int(c): t.split() for c, t in rows}

    def _languages(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = self.store.conn().execute(
            "SELECT c.chunk_id, r.language FROM chunks c JOIN reports r ON r.doc_id = c.doc_id "
            f"WHERE c.chunk_id IN ({','.join('?' * len(ids))})", ids).fetchall()
        return {int(c): lang or "" for c, lang in rows}

    def _cosines(self, qvec: np.ndarray | None, ids: list[int]) -> dict[int, float]:
        """Cosine of the query with each chunk that has a vector (read from SQLite)."""
        if qvec is None or not ids:
            return {}
        rows = self.store.conn().execute(
            "SELECT c.chunk_id, v.vec FROM chunks c JOIN vectors v ON v.text_hash = c.text_hash "
            f"WHERE c.chunk_id IN ({','.join('?' * len(ids))})", ids).fetchall()
        if not rows:
            return {}
        mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        sims = mat @ np.asarray(qvec, dtype=np.float32).reshape(-1)
        return {int(r[0]): float(s) for r, s in zip(rows, sims, strict=True)}

    def hits(self, chunk_ids: list[int], scores: list[float],
             per_stage: dict[str, dict[int, float]] | None = None) -> list[Hit]:
        """Hit records (with report metadata) for chunk ids, in the given order."""
        if not chunk_ids:
            return []
        marks = ",".join("?" * len(chunk_ids))
        rows = self.store.conn().execute(
            "SELECT c.chunk_id, c.doc_id, r.path, r.record, r.title, r.date, r.source, r.url, "
            "c.text, c.start, c.end, r.language FROM chunks c JOIN reports r "
            f"ON r.doc_id = c.doc_id WHERE c.chunk_id IN ({marks})", chunk_ids).fetchall()
        by_id = {r[0]: r for r in rows}
        out: list[Hit] = []
        for cid, score in zip(chunk_ids, scores, strict=True):
            r = by_id.get(cid)
            if r is None:  # removed between the two reads
                continue
            stage = {n: s[cid] for n, s in (per_stage or {}).items() if cid in s}
            out.append(Hit(rank=len(out) + 1, doc_id=r[1], path=r[2], record=r[3],
                           title=r[4] or "", date=r[5], source=r[6] or "", url=r[7] or "",
                           text=r[8], start=r[9], end=r[10], score=float(score), chunk_id=cid,
                           language=r[11] or "", scores=stage))
        return out
