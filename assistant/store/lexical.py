"""The lexical stage: SQLite FTS5 bm25 over the store's analysed tokens, and filters.

Queries are analysed with the same analyser as the index (normalised, stemmed,
stopwords dropped) and matched as a quoted OR query, so no FTS syntax leaks in;
long queries keep their rarest terms. ``Filters`` restrict every stage of
retrieval (here a join, in FAISS an id selector). ``report_passages`` reads a
report's stored tokens for the re-ranker's report-level feature. This module ranks
nothing but chunks by bm25; ``retrieve`` fuses and re-ranks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assistant.store.folder import Store
from assistant.text.arabic import tokenize

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


NO_FILTERS = Filters()


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


def report_passages(store: Store, docs: list[str]) -> tuple[list[str], list[list[str]]]:
    """The doc_id and analysed tokens (as the index kept them) of every stored passage of
    the reports ``docs`` (~10 ms for a claim's ~60 reports)."""
    wanted = list(dict.fromkeys(docs))
    if not wanted:
        return [], []
    rows = store.conn().execute(
        "SELECT c.doc_id, f.tokens FROM chunks c JOIN chunks_fts f ON f.rowid = c.chunk_id "
        f"WHERE c.doc_id IN ({','.join('?' * len(wanted))})", wanted).fetchall()
    return [d for d, _ in rows], [t.split() for _, t in rows]
