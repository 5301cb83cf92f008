"""The index folder's stored rows as ``PreparedReport`` batches and vectors by text hash:
what ``isnad migrate`` copies into another store, exactly as stored (offsets, analysed
tokens, figures, vectors; nothing re-chunked, re-analysed or re-embedded). SQL over one
``Database``; reads only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import numpy as np

from assistant.records import Figure, Report
from assistant.store.base import PreparedChunk, PreparedReport
from assistant.store.sqlite import Database

_REPORT_COLUMNS = ("doc_id, path, text, title, date, source, url, language, record, "
                   "content_hash")


def _marks(items: list) -> str:
    return ",".join("?" * len(items))


def export_reports(db: Database, batch: int = 64) -> Iterator[list[PreparedReport]]:
    """Every report with its chunks (ids included) and figures, ``batch`` reports at a
    time, in the order they were written (their first chunk id)."""
    con = db.conn()
    doc_ids = [r[0] for r in con.execute(
        "SELECT r.doc_id FROM reports r LEFT JOIN chunks c USING(doc_id) GROUP BY r.doc_id "
        "ORDER BY MIN(c.chunk_id), r.doc_id")]
    for lo in range(0, len(doc_ids), batch):
        part = doc_ids[lo:lo + batch]
        with db.read() as con:
            reports = [Report(*row) for row in con.execute(
                f"SELECT {_REPORT_COLUMNS} FROM reports WHERE doc_id IN ({_marks(part)})",
                part)]
            chunks = defaultdict(list)
            for cid, doc, start, end, text, text_hash, tokens in con.execute(
                    "SELECT c.chunk_id, c.doc_id, c.start, c.end, c.text, c.text_hash, f.tokens "
                    "FROM chunks c JOIN chunks_fts f ON f.rowid = c.chunk_id "
                    f"WHERE c.doc_id IN ({_marks(part)}) ORDER BY c.chunk_id", part):
                chunks[doc].append(PreparedChunk(start, end, text, text_hash, tokens, cid))
            figures = defaultdict(list)
            for row in con.execute(
                    "SELECT f.value, f.qualifier, f.category, f.grp, f.place, f.period, f.date, "
                    "f.doc_id, r.path, r.record, substr(r.text, f.start + 1, f.end - f.start), "
                    "f.start, f.end FROM figures f JOIN reports r USING(doc_id) "
                    f"WHERE f.doc_id IN ({_marks(part)}) ORDER BY f.figure_id", part):
                figures[row[7]].append(Figure(*row))
        order = {d: i for i, d in enumerate(part)}
        yield [PreparedReport(r, tuple(chunks[r.doc_id]), tuple(figures[r.doc_id]))
               for r in sorted(reports, key=lambda r: order[r.doc_id])]


def stored_vectors(db: Database, hashes: list[str]) -> dict[str, np.ndarray]:
    """The stored vector of each of these chunk texts that has one."""
    wanted, out = sorted(set(hashes)), {}
    for lo in range(0, len(wanted), 500):
        part = wanted[lo:lo + 500]
        for text_hash, vec in db.conn().execute(
                f"SELECT text_hash, vec FROM vectors WHERE text_hash IN ({_marks(part)})", part):
            out[text_hash] = np.frombuffer(vec, dtype=np.float32)
    return out
