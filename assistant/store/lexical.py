"""The folder store's lexical side: SQLite FTS5 bm25 over the analysed tokens, and filters
as SQL.

Terms arrive analysed (the retrieval stage runs the analyser and picks the terms) and are
matched as a quoted OR query, so no FTS syntax leaks in. ``filter_sql`` is the one place
that turns ``Filters`` into SQL (reports are aliased ``r``). This module does not analyse
text or fuse rankings.
"""

from __future__ import annotations

import numpy as np

from assistant.records import Filters
from assistant.store.sqlite import Database

_VOCAB = "isnad_vocab"


def filter_sql(filters: Filters) -> tuple[str, list]:
    """A WHERE fragment over ``reports r`` and its parameters."""
    where, args = ["1=1"], []
    if filters.since:
        where.append("r.date >= ?")
        args.append(filters.since)
    if filters.until:
        where.append("r.date <= ?")
        args.append(filters.until)
    for col, vals in (("r.source", filters.sources), ("r.doc_id", filters.doc_ids)):
        if vals:
            where.append(f"{col} IN ({','.join('?' * len(vals))})")
            args.extend(vals)
    if filters.language:
        where.append("r.language = ?")
        args.append(filters.language)
    return " AND ".join(where), args


def fts_match(terms: list[str]) -> str | None:
    """An FTS5 OR-query of analysed terms (quoted: data, never FTS syntax)."""
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def lexical_search(db: Database, terms: list[str], k: int,
                   filters: Filters) -> list[tuple[int, float]]:
    """Top-k (chunk_id, bm25 score; higher is better) from the FTS5 table."""
    match = fts_match(terms)
    if match is None:
        return []
    if not filters.active:  # FTS5 orders by its rank (bm25) itself: no join per match
        sql = ("SELECT rowid, -rank FROM chunks_fts WHERE chunks_fts MATCH ? "
               "ORDER BY rank LIMIT ?")
        rows = db.conn().execute(sql, [match, k]).fetchall()
        return [(int(i), float(s)) for i, s in rows]
    where, args = filter_sql(filters)
    sql = ("SELECT f.rowid, -bm25(chunks_fts) AS s FROM chunks_fts f "
           "JOIN chunks c ON c.chunk_id = f.rowid JOIN reports r ON r.doc_id = c.doc_id "
           f"WHERE chunks_fts MATCH ? AND {where} ORDER BY bm25(chunks_fts) LIMIT ?")
    rows = db.conn().execute(sql, [match, *args, k]).fetchall()
    return [(int(i), float(s)) for i, s in rows]


def allowed_ids(db: Database, filters: Filters) -> np.ndarray | None:
    """Chunk ids that pass ``filters`` (None when no filter is set)."""
    if not filters.active:
        return None
    where, args = filter_sql(filters)
    rows = db.conn().execute(
        f"SELECT c.chunk_id FROM chunks c JOIN reports r ON r.doc_id = c.doc_id WHERE {where}",
        args).fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64)


def doc_freqs(db: Database, terms: list[str]) -> dict[str, int]:
    """How many chunks hold each analysed term (absent terms are left out)."""
    con = db.conn()
    terms = list(dict.fromkeys(terms))
    if not terms:
        return {}
    # A temp table lives in this connection only: the index file is not touched.
    con.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{_VOCAB} "
                "USING fts5vocab(main, chunks_fts, 'row')")
    # One lookup per term: fts5vocab serves "term = ?" from the index but scans for IN (...).
    return {t: int(r[0]) for t in terms for r in con.execute(
        f"SELECT doc FROM temp.{_VOCAB} WHERE term = ?", (t,)).fetchall()}


def report_tokens(db: Database, docs: list[str]) -> tuple[list[str], list[list[str]]]:
    """The doc_id and analysed tokens (as the index kept them) of every stored passage of
    the reports ``docs`` (~10 ms for a claim's ~60 reports)."""
    wanted = list(dict.fromkeys(docs))
    if not wanted:
        return [], []
    rows = db.conn().execute(
        "SELECT c.doc_id, f.tokens FROM chunks c JOIN chunks_fts f ON f.rowid = c.chunk_id "
        f"WHERE c.doc_id IN ({','.join('?' * len(wanted))})", wanted).fetchall()
    return [d for d, _ in rows], [t.split() for _, t in rows]
