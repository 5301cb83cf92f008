"""The first stages of retrieval on Milvus: lexical (the engine's BM25 over the analysed
tokens finds candidates, ``bm25`` ranks them as FTS5 would) and dense (inner product on
the normalised e5 vectors = cosine). Filters are Milvus filter expressions applied
inside each search, never to a cut top-k.

The lexical stage asks the engine for ``candidates(k)`` passages and keeps the k that
FTS5's bm25 with the namespace's own statistics ranks first: milvus-lite computes BM25
per segment, so its order (not its matches) depends on how rows landed in segments. A
chunk still without a vector (``embedded`` false) is found lexically only. Nothing here
fuses or re-ranks (``retrieval``).
"""

from __future__ import annotations

import numpy as np

from assistant.records import Filters
from assistant.store.milvus import bm25
from assistant.store.milvus.reads import RowCache
from assistant.store.milvus.rows import both, engine_tokens, filter_expr, isnad_tokens
from assistant.store.milvus.stats import TermStats
from assistant.store.milvus.tables import Tables

# What a search brings back with each hit (the re-ranker reads it next; ``reads`` keeps it).
HIT_FIELDS = ["chunk_id", "doc_id", "language", "tokens", "report_length"]


def candidates(k: int) -> int:
    """How many engine matches the lexical stage re-scores to keep ``k``."""
    return max(3 * k, k + 200)


class Search:
    """Lexical and dense search over one namespace's chunks."""

    def __init__(self, tables: Tables, stats: TermStats, cache: RowCache, dense_index: str
                 ) -> None:
        self.tables, self.stats, self.cache = tables, stats, cache
        self.dense_index = dense_index

    def lexical(self, terms: list[str], k: int, filters: Filters) -> list[tuple[int, float]]:
        """Top-k (chunk_id, FTS5 bm25; higher is better) for the OR query of ``terms``."""
        terms = [t for t in dict.fromkeys(terms) if bm25.fts_terms([t])]
        if not terms or k <= 0:
            return []
        text = " ".join(engine_tokens(t) for t in terms)
        hits = self.tables.search("chunks", [text], "sparse", candidates(k),
                                  filter_expr(filters), HIT_FIELDS, {"metric_type": "BM25"})
        if not hits:
            return []
        rows = [h["entity"] for h in hits]
        self.cache.put(rows)
        totals = self.cache.totals(self.stats.totals)
        freqs = self.cache.freqs(bm25.fts_terms(terms), self.stats.doc_freqs)
        scored = bm25.scores(terms, [isnad_tokens(r["tokens"]) for r in rows],
                             int(totals["rows"]), int(totals["tokens"]), freqs)
        ranking = [(int(r["chunk_id"]), s) for r, s in zip(rows, scored, strict=True) if s > 0]
        ranking.sort(key=lambda item: (-item[1], item[0]))  # equal scores: as FTS5, by id
        return ranking[:k]

    def dense(self, query: np.ndarray, k: int, filters: Filters) -> list[tuple[int, float]]:
        """Top-k (chunk_id, cosine) for a normalised query vector."""
        if k <= 0:
            return []
        params: dict = {"metric_type": "IP"}
        if self.dense_index == "hnsw":  # ef >= k, with room: recall at k needs it
            params["params"] = {"ef": max(2 * k, 200)}
        vector = np.asarray(query, dtype=np.float32).reshape(-1).tolist()
        hits = self.tables.search("chunks", [vector], "dense", k,
                                  both("embedded == true", filter_expr(filters)),
                                  HIT_FIELDS, params)
        self.cache.put([h["entity"] for h in hits])
        ranking = [(int(h["entity"]["chunk_id"]), float(h["distance"])) for h in hits]
        # Equal scores (texts shared by two reports) in the order FAISS's exact search gives
        # them in the index folder: the later chunk first.
        ranking.sort(key=lambda item: (-item[1], -item[0]))
        return ranking
