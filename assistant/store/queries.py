"""The folder store's reads (SQL over one ``Database``): passages with their report's
metadata, per-chunk data for the re-ranker, reports, the report listing and the figures
table. Plain functions, one query each; ``folder.FolderStore`` exposes them as the store
protocols. Nothing here ranks or writes.
"""

from __future__ import annotations

import numpy as np

from assistant.records import Figure, Filters, Hit, Report
from assistant.store.base import FigureQuery
from assistant.store.lexical import filter_sql
from assistant.store.sqlite import Database

REPORT_COLUMNS = ("doc_id, path, text, title, date, source, url, language, record, "
                   "content_hash")


def _marks(items: list) -> str:
    return ",".join("?" * len(items))


def passages(db: Database, ids: list[int]) -> dict[int, Hit]:
    """Chunk id → a Hit (rank 0, score 0) with its report's metadata."""
    if not ids:
        return {}
    rows = db.conn().execute(
        "SELECT c.chunk_id, c.doc_id, r.path, r.record, r.title, r.date, r.source, r.url, "
        "c.text, c.start, c.end, r.language FROM chunks c JOIN reports r "
        f"ON r.doc_id = c.doc_id WHERE c.chunk_id IN ({_marks(ids)})", ids).fetchall()
    return {int(r[0]): Hit(rank=0, doc_id=r[1], path=r[2], record=r[3], title=r[4] or "",
                           date=r[5], source=r[6] or "", url=r[7] or "", text=r[8],
                           start=r[9], end=r[10], score=0.0, chunk_id=int(r[0]),
                           language=r[11] or "") for r in rows}


def chunk_tokens(db: Database, ids: list[int]) -> dict[int, list[str]]:
    """The analysed tokens the index stored for each chunk (no re-analysis at query time)."""
    if not ids:
        return {}
    rows = db.conn().execute(
        f"SELECT rowid, tokens FROM chunks_fts WHERE rowid IN ({_marks(ids)})", ids).fetchall()
    return {int(c): t.split() for c, t in rows}


def chunk_vectors(db: Database, ids: list[int]) -> dict[int, np.ndarray]:
    """The stored vector of each chunk that has one."""
    if not ids:
        return {}
    rows = db.conn().execute(
        "SELECT c.chunk_id, v.vec FROM chunks c JOIN vectors v ON v.text_hash = c.text_hash "
        f"WHERE c.chunk_id IN ({_marks(ids)})", ids).fetchall()
    return {int(c): np.frombuffer(v, dtype=np.float32) for c, v in rows}


def chunk_languages(db: Database, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.conn().execute(
        "SELECT c.chunk_id, r.language FROM chunks c JOIN reports r ON r.doc_id = c.doc_id "
        f"WHERE c.chunk_id IN ({_marks(ids)})", ids).fetchall()
    return {int(c): lang or "" for c, lang in rows}


def report_lengths(db: Database, ids: list[int]) -> dict[int, tuple[str, int]]:
    """For each chunk: its report's doc_id and length in characters (chunks summed).

    Each report is summed once, not once per chunk asked about: a report of thousands
    of chunks with a hundred of them retrieved was summed a hundred times.
    """
    if not ids:
        return {}
    with db.read() as con:
        owner = dict(con.execute(
            f"SELECT chunk_id, doc_id FROM chunks WHERE chunk_id IN ({_marks(ids)})", ids))
        docs = list(set(owner.values()))
        total = dict(con.execute(
            f"SELECT doc_id, SUM(end - start) FROM chunks WHERE doc_id IN ({_marks(docs)}) "
            "GROUP BY doc_id", docs)) if docs else {}
    return {int(c): (d, int(total.get(d) or 0)) for c, d in owner.items()}


def report(db: Database, doc_id: str) -> Report | None:
    row = db.conn().execute(f"SELECT {REPORT_COLUMNS} FROM reports WHERE doc_id = ?",
                            (doc_id,)).fetchone()
    return None if row is None else Report(*row)


def find_report(db: Database, paths: list[str], record: str | None, language: str,
                filters: Filters) -> Report | None:
    """The first report at one of ``paths`` with this record and language that passes
    ``filters`` (a translation of a report: ``answer.twins``)."""
    if not paths:
        return None
    where, args = filter_sql(filters)
    row = db.conn().execute(
        f"SELECT {REPORT_COLUMNS} FROM reports r WHERE r.path IN ({_marks(paths)}) "
        f"AND r.record IS ? AND r.language = ? AND {where} LIMIT 1",
        [*paths, record, language, *args]).fetchone()
    return None if row is None else Report(*row)


def report_list(db: Database) -> list[dict]:
    """Indexed reports with their chunk counts (for listings)."""
    rows = db.conn().execute(
        "SELECT r.doc_id, r.path, r.record, r.title, r.date, r.source, r.language, "
        "COUNT(c.chunk_id) FROM reports r LEFT JOIN chunks c USING(doc_id) "
        "GROUP BY r.doc_id ORDER BY r.path, r.record").fetchall()
    keys = ("doc_id", "path", "record", "title", "date", "source", "language", "chunks")
    return [dict(zip(keys, r, strict=True)) for r in rows]


_FIGURES = ("SELECT f.value, f.qualifier, f.category, f.grp, f.place, f.period, f.date, "
            "f.doc_id, r.path, r.record, f.start, f.end FROM figures f JOIN reports r USING(doc_id)")
_TEXT_BATCH = 64  # reports whose text is held at once while quotes are cut


def figures(db: Database, query: FigureQuery) -> list[Figure]:
    """Figures by category, group label, source and report; ordered by figure date
    (undated last), report and offset."""
    where, args = filter_sql(Filters(sources=query.sources, doc_ids=query.doc_ids))
    if query.category:
        where += " AND f.category = ?"
        args.append(query.category)
    if query.group:  # with a category: the (category, grp) index, not every figure is read
        where += " AND f.grp = ?"
        args.append(query.group)
    sql = (f"{_FIGURES} WHERE {where} "
           "ORDER BY f.date IS NULL, f.date, f.doc_id, f.start, f.figure_id")
    with db.read() as con:
        rows = con.execute(sql, args).fetchall()
        quotes = _quotes(con, rows)
    return [Figure(*row[:10], quote, row[10], row[11])
            for row, quote in zip(rows, quotes, strict=True)]


def _quotes(con, rows: list[tuple]) -> list[str]:
    """Each figure row's clause, cut from its report's text read once per report.

    SQLite's substr() walks a UTF-8 text from its start for every row, so quotes cut
    in SQL cost (figures x report length): minutes for one report of megabytes.
    """
    by_doc: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_doc.setdefault(row[7], []).append(i)
    quotes = [""] * len(rows)
    doc_ids = list(by_doc)
    for lo in range(0, len(doc_ids), _TEXT_BATCH):
        part = doc_ids[lo:lo + _TEXT_BATCH]
        for doc_id, text in con.execute(
                f"SELECT doc_id, text FROM reports WHERE doc_id IN ({_marks(part)})", part):
            for i in by_doc[doc_id]:
                quotes[i] = text[rows[i][10]:rows[i][11]]
    return quotes


def stored_hashes(db: Database, doc_ids: list[str]) -> dict[str, str]:
    if not doc_ids:
        return {}
    return dict(db.conn().execute(
        f"SELECT doc_id, content_hash FROM reports WHERE doc_id IN ({_marks(doc_ids)})",
        doc_ids))
