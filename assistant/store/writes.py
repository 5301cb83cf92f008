"""The folder store's writes (SQL over one ``Database``; the caller holds the writer lock):
a batch of reports in one transaction, vectors by text hash, removal. Each write bumps
the generation, so readers see all of it or nothing. Nothing here parses or embeds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np

from assistant.records import Figure, Report
from assistant.store.base import PreparedReport
from assistant.store.queries import REPORT_COLUMNS
from assistant.store.sqlite import Database


def write_reports(db: Database, batch: list[PreparedReport | Report],
                  prepare: Callable[[Report], PreparedReport]) -> list[str]:
    """Add or replace reports in one transaction; returns "added" / "updated" /
    "unchanged" per item. A bare ``Report`` was unchanged when the caller looked: it is
    prepared here only if another writer changed the stored row since."""
    statuses = []
    with db.write() as con:
        for item in batch:
            rep = item.report if isinstance(item, PreparedReport) else item
            row = con.execute("SELECT content_hash FROM reports WHERE doc_id = ?",
                              (rep.doc_id,)).fetchone()
            if row and row[0] == rep.content_hash:
                statuses.append("unchanged")
                continue
            if row:
                con.execute("DELETE FROM reports WHERE doc_id = ?", (rep.doc_id,))
            statuses.append("updated" if row else "added")
            _insert(con, item if isinstance(item, PreparedReport) else prepare(rep))
    return statuses


def _insert(con, prepared: PreparedReport) -> None:
    rep = prepared.report
    con.execute("INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (rep.doc_id, rep.path, rep.record, rep.title, rep.date, rep.source, rep.url,
                 rep.language, rep.text, rep.content_hash, time.time()))
    for c in prepared.chunks:
        cur = con.execute(
            "INSERT INTO chunks(doc_id, start, end, text, text_hash) VALUES (?,?,?,?,?)",
            (rep.doc_id, c.start, c.end, c.text, c.text_hash))
        con.execute("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)",
                    (cur.lastrowid, c.tokens))
        if c.vector is not None:  # a copied chunk brings its vector (isnad migrate)
            con.execute("INSERT OR IGNORE INTO vectors VALUES (?, ?)",
                        (c.text_hash, np.asarray(c.vector, dtype=np.float32).tobytes()))
    if prepared.figures is None:
        con.execute("INSERT INTO figures_pending VALUES (?)", (rep.doc_id,))
    else:
        _insert_figures(con, rep.doc_id, prepared.figures)


def _insert_figures(con, doc_id: str, figures: tuple[Figure, ...]) -> None:
    con.executemany("INSERT INTO figures(doc_id, value, qualifier, category, grp, place, "
                    "period, date, start, end) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(doc_id, f.value, f.qualifier, f.category, f.group, f.place,
                      f.period, f.date, f.start, f.end) for f in figures])


def pending_figures(db: Database, limit: int) -> list[Report]:
    """Up to ``limit`` reports whose figures are still to be extracted."""
    rows = db.conn().execute(
        f"SELECT {REPORT_COLUMNS} FROM reports WHERE doc_id IN "
        "(SELECT doc_id FROM figures_pending LIMIT ?)", (limit,)).fetchall()
    return [Report(*row) for row in rows]


def put_figures(db: Database, figures: dict[str, tuple[Figure, ...]]) -> None:
    """The figures of reports that were pending, in one transaction (a report removed
    meanwhile is skipped)."""
    with db.write() as con:
        for doc_id, found in figures.items():
            if con.execute("DELETE FROM figures_pending WHERE doc_id = ?",
                           (doc_id,)).rowcount:
                _insert_figures(con, doc_id, found)


def pending_texts(db: Database, page: int = 2_000) -> Iterator[tuple[str, str, str]]:
    """(text_hash, report title, chunk text) of every distinct chunk text without a vector,
    read a page at a time in chunk order (a million pending texts are never all in
    memory; a text stored meanwhile, or met on an earlier page, is skipped)."""
    last, seen = 0, set()
    while True:
        rows = db.conn().execute(
            "SELECT c.chunk_id, c.text_hash, r.title, c.text FROM chunks c JOIN reports r "
            "USING(doc_id) WHERE c.chunk_id > ? AND NOT EXISTS "
            "(SELECT 1 FROM vectors v WHERE v.text_hash = c.text_hash) "
            "ORDER BY c.chunk_id LIMIT ?", (last, page)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        for _, text_hash, title, text in rows:
            if text_hash not in seen:
                seen.add(text_hash)
                yield text_hash, title or "", text


def put_vectors(db: Database, hashes: list[str], vectors: np.ndarray) -> None:
    vecs = np.asarray(vectors, dtype=np.float32)
    with db.write() as con:
        con.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?)",
                        [(h, v.tobytes()) for h, v in zip(hashes, vecs, strict=True)])


def remove(db: Database, key: str) -> list[str]:
    """Delete the reports with doc_id or path ``key``: chunks, lexical rows and figures
    cascade, and the vectors no remaining chunk shares are deleted with them."""
    with db.write() as con:
        ids = [r[0] for r in con.execute(
            "SELECT doc_id FROM reports WHERE doc_id = ? OR path = ?", (key, key))]
        hashes = [r[0] for i in ids for r in con.execute(
            "SELECT DISTINCT text_hash FROM chunks WHERE doc_id = ?", (i,))]
        con.executemany("DELETE FROM reports WHERE doc_id = ?", [(i,) for i in ids])
        # Vectors are keyed by text: another report may share a chunk text and keep it.
        con.executemany("DELETE FROM vectors WHERE text_hash = ? AND NOT EXISTS "
                        "(SELECT 1 FROM chunks c WHERE c.text_hash = ?)",
                        [(h, h) for h in dict.fromkeys(hashes)])
    return ids
