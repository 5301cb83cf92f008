"""Hybrid retrieval: Arabic-aware lexical (SQLite FTS5) + dense (FAISS), fused.

Filters (date range, sources, document ids, language) are applied inside
each retriever, never by dropping results after a top-k cut. Passages that
have no vector yet (still being ingested) are found lexically. This module
does not answer questions; ``assemble_context`` prepares numbered sources.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .embeddings import Embedder
from .records import Hit
from .store import Store
from .text.arabic import tokenize
from .vectors import VectorIndex


@dataclass(frozen=True)
class Filters:
    """Restrictions applied inside retrieval."""

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
    terms = list(dict.fromkeys(t for t in tokenize(text) if t))
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms[:64])


def lexical_search(store: Store, query: str, k: int, filters: Filters = Filters()
                   ) -> list[tuple[int, float]]:
    """Top-k (chunk_id, bm25 score; higher is better) from the FTS5 table."""
    match = fts_query(query)
    if match is None:
        return []
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
    """Hybrid retriever over one store (lexical + dense)."""

    def __init__(self, store: Store, embedder: Embedder | None, vectors: VectorIndex | None,
                 k_lexical: int = 100, k_dense: int = 100, rrf_k: int = 60) -> None:
        self.store, self.embedder, self.vectors = store, embedder, vectors
        self.k_lexical, self.k_dense, self.rrf_k = k_lexical, k_dense, rrf_k

    def search(self, query: str, k: int = 10, filters: Filters = Filters(),
               mode: str = "hybrid") -> list[Hit]:
        """Ranked hits for ``query``; ``mode`` is "hybrid", "lexical" or "dense"."""
        stages: dict[str, list[tuple[int, float]]] = {}
        if mode in ("hybrid", "lexical"):
            stages["lexical"] = lexical_search(self.store, query, self.k_lexical, filters)
        if mode in ("hybrid", "dense") and self.embedder is not None and self.vectors:
            qvec = self.embedder.embed_query(query)
            stages["dense"] = self.vectors.search(qvec, self.k_dense,
                                                  allowed_ids(self.store, filters))
        fused = rrf(stages, self.rrf_k)[:k]
        per_stage = {name: dict(r) for name, r in stages.items()}
        return self.hits([cid for cid, _ in fused], [s for _, s in fused], per_stage)

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
        out = []
        for rank, (cid, score) in enumerate(zip(chunk_ids, scores), start=1):
            r = by_id.get(cid)
            if r is None:  # removed between the two reads
                continue
            stage = {n: s[cid] for n, s in (per_stage or {}).items() if cid in s}
            out.append(Hit(rank=rank, doc_id=r[1], path=r[2], record=r[3], title=r[4] or "",
                           date=r[5], source=r[6] or "", url=r[7] or "", text=r[8],
                           start=r[9], end=r[10], score=float(score), chunk_id=cid,
                           language=r[11] or "", scores=stage))
        return [replace(h, rank=i) for i, h in enumerate(out, start=1)]
