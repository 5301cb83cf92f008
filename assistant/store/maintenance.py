"""Index checks and repairs: ``isnad verify`` and ``isnad repair``.

``verify`` reads only: SQLite integrity, the lexical table against the
chunks, every chunk's offsets against its report text, vector sizes,
figures' spans and the FAISS file against the database. ``repair`` rebuilds
the derived parts (lexical rows, with this Isnad's analyser; FAISS; manifest)
from the database under the writer lock. A manifest that lags the database (a
crash between the commit and the manifest write) is reported as information,
not corruption: the database is the source of truth and the next write
refreshes it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.store.base import VerifyReport
from assistant.store.files import MANIFEST, read_manifest
from assistant.store.lexical_index import LexicalIndex
from assistant.store.lexical_rows import rebuild_lexical
from assistant.store.sqlite import Database
from assistant.store.vector_files import POINTER, read_base, read_pointer
from assistant.store.vectors import VectorIndex
from assistant.text.arabic import ANALYSER_VERSION


def verify(store: Database) -> VerifyReport:
    """Check the index folder; never writes."""
    rep = VerifyReport()
    with store.read() as con:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            rep.problems.append(f"sqlite integrity: {integrity}")
        _check_reports(con, rep)
        _check_chunks(con, rep)
        _check_lexical(con, store.analyser(), rep)
        _check_vectors(con, store.dim, rep)
        _check_pending_figures(con, rep)
    rep.counts = store.counts()
    _check_manifest(store, rep)
    _check_faiss(store, rep)
    leftovers = temp_files(store)
    if leftovers:
        rep.notes.append(f"{len(leftovers)} temporary file(s) left by an interrupted write; "
                         "removed by `isnad repair`")
    return rep


def temp_files(store: Database) -> list[Path]:
    """Temporary files of ``atomic_write`` left behind by a killed writer."""
    return sorted(store.dir.glob(".*.tmp"))


def _check_reports(con, rep: VerifyReport) -> None:
    """Each report's chunks against its text and its figures' spans inside it.

    The text is read once per report and sliced here: SQLite's substr() and length()
    walk a UTF-8 text from its start on every call, which made a join of chunks (or
    figures) with a report of megabytes cost minutes.
    """
    bad_chunks, bad_figures = [], 0
    for doc_id, text in con.execute("SELECT doc_id, text FROM reports"):
        for cid, start, end, chunk in con.execute(
                "SELECT chunk_id, start, end, text FROM chunks WHERE doc_id = ?", (doc_id,)):
            if text[start:end] != chunk:
                bad_chunks.append((cid, doc_id))
        bad_figures += con.execute(
            "SELECT COUNT(*) FROM figures WHERE doc_id = ? AND (start < 0 OR end > ? "
            "OR start >= end)", (doc_id, len(text))).fetchone()[0]
    for cid, doc in bad_chunks[:20]:
        rep.problems.append(f"chunk {cid} of {doc}: text differs from report text[start:end]")
    if bad_figures:
        rep.problems.append(f"{bad_figures} figures have spans outside their report")


def _check_chunks(con, rep: VerifyReport) -> None:
    orphans = con.execute("SELECT COUNT(*) FROM chunks c WHERE NOT EXISTS "
                          "(SELECT 1 FROM reports r WHERE r.doc_id = c.doc_id)").fetchone()[0]
    if orphans:
        rep.problems.append(f"{orphans} chunks belong to no report")
    dupes = con.execute("SELECT COUNT(*) FROM (SELECT doc_id, start, end FROM chunks "
                        "GROUP BY doc_id, start, end HAVING COUNT(*) > 1)").fetchone()[0]
    if dupes:
        rep.problems.append(f"{dupes} duplicate chunks")


def _check_lexical(con, analyser: int, rep: VerifyReport) -> None:
    if analyser != ANALYSER_VERSION:
        rep.notes.append(f"lexical rows are of analyser {analyser} (this Isnad: "
                         f"{ANALYSER_VERSION}); rebuilt at the next open or by `isnad repair`")
    n_chunks = con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    n_fts = con.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
    missing = con.execute("SELECT COUNT(*) FROM chunks c WHERE NOT EXISTS "
                          "(SELECT 1 FROM chunks_fts f WHERE f.rowid = c.chunk_id)").fetchone()[0]
    if n_fts != n_chunks or missing:
        rep.problems.append(f"lexical index has {n_fts} rows for {n_chunks} chunks "
                            f"({missing} missing); run `isnad repair`")


def _check_vectors(con, dim: int, rep: VerifyReport) -> None:
    bad = con.execute("SELECT COUNT(*) FROM vectors WHERE length(vec) != ?",
                      (dim * 4,)).fetchone()[0]
    if bad:
        rep.problems.append(f"{bad} stored vectors do not have dimension {dim}")
    orphans = con.execute("SELECT COUNT(*) FROM vectors v WHERE NOT EXISTS "
                          "(SELECT 1 FROM chunks c WHERE c.text_hash = v.text_hash)").fetchone()[0]
    if orphans:
        rep.notes.append(f"{orphans} stored vectors belong to no chunk; `isnad repair` "
                         "deletes them and gives their space back")


def _check_pending_figures(con, rep: VerifyReport) -> None:
    pending = con.execute("SELECT COUNT(*) FROM figures_pending").fetchone()[0]
    if pending:
        rep.notes.append(f"{pending} reports wait for figure extraction (an interrupted "
                         "ingest); the next `isnad ingest` extracts them")


def _check_manifest(store: Database, rep: VerifyReport) -> None:
    man = read_manifest(store.dir)
    if man is None:
        rep.notes.append(f"no {MANIFEST} yet (written at the end of the next write)")
        return
    if man.get("counts") != {k: rep.counts[k] for k in man.get("counts", {})}:
        rep.notes.append("manifest counts lag the database (interrupted write); "
                         "refreshed by the next write or `isnad repair`")


def _check_faiss(store: Database, rep: VerifyReport) -> None:
    """The written FAISS base against the database: readable, right dimension, and how
    far behind it is (the log rows after it are replayed on open, not a problem)."""
    pointer = read_pointer(store.dir)
    if pointer is None:
        rep.notes.append(f"no {POINTER} yet: the vectors are indexed from the database on open")
        return
    try:
        index = read_base(store.dir, pointer)
    except (OSError, RuntimeError) as exc:
        rep.notes.append(f"{pointer['file']} unreadable ({exc}); rebuilt from the database "
                         "on open")
        return
    if index.d != store.dim:
        rep.problems.append(f"{pointer['file']} has dimension {index.d}, index has {store.dim}")
    with store.read() as con:
        behind = con.execute("SELECT COUNT(*) FROM vector_log WHERE seq > ?",
                             (pointer["seq"],)).fetchone()[0]
        floor = store.vector_log_floor()
    if pointer["seq"] < floor:
        rep.notes.append(f"{pointer['file']} is older than the vector log; rebuilt from the "
                         "database on open")
    elif behind:
        rep.notes.append(f"{behind} vector changes since {pointer['file']} was written; "
                         "applied on open, merged into it by the next write")


def repair(store: Database, vectors: VectorIndex, wait: float = 0,
           manifest_extra: Callable[[], dict] | None = None,
           lexical: LexicalIndex | None = None) -> VerifyReport:
    """Rebuild lexical rows (and ``lexical``'s postings segments), FAISS (``vectors``) and
    the manifest (with ``manifest_extra()``) from the database; drop orphans (chunks,
    figures and vectors of no report) and give their space back."""
    with store.lock(wait):
        with store.write() as con:
            con.execute("DELETE FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM reports)")
            con.execute("DELETE FROM figures WHERE doc_id NOT IN (SELECT doc_id FROM reports)")
            con.execute("DELETE FROM vectors WHERE length(vec) != ?", (store.dim * 4,))
            con.execute("DELETE FROM vectors WHERE text_hash NOT IN "
                        "(SELECT text_hash FROM chunks)")
            rebuild_lexical(con)
        vectors.rebuild()
        vectors.save()
        if lexical is not None:
            lexical.rebuild()
        store.write_manifest(manifest_extra() if manifest_extra else None)
        for path in temp_files(store):  # no writer runs: we hold the lock
            path.unlink(missing_ok=True)
        # Deleted rows leave free pages behind: VACUUM gives them back to the disk, and the
        # checkpoint empties the write-ahead log VACUUM wrote them through.
        store.conn().execute("VACUUM")
        store.conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return verify(store)
