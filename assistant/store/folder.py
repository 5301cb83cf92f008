"""The index folder as a ``Store``: the SQLite database (source of truth) and the FAISS
vectors derived from it, behind the store protocols of ``base.py``.

The folder holds ``manifest.json``, ``isnad.sqlite`` and ``vectors.faiss`` (see
``sqlite.py`` and ``vectors.py``). Methods are thin: the SQL lives in ``lexical.py``,
``queries.py`` and ``writes.py``, checks and repairs in ``maintenance.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np

from assistant.records import Figure, Filters, Hit, Report
from assistant.store import export, lexical, maintenance, queries, writes
from assistant.store.base import FigureQuery, PreparedReport, VerifyReport
from assistant.store.files import read_manifest
from assistant.store.lexical_index import LexicalIndex
from assistant.store.sqlite import Database, WriterLock
from assistant.store.vectors import VectorIndex


class FolderStore:
    """One open index folder. Thread-safe: one SQLite connection per thread."""

    kind = "folder"
    defers_figures = True  # figures_pending: reports are searchable before their figures

    def __init__(self, index_dir: Path | str, model_id: str, dim: int, create: bool = True,
                 exact_max: int = 200_000, postings_min: int = 100_000) -> None:
        self.db = Database(Path(index_dir), model_id, dim, create=create)
        self.dir = self.db.dir
        self.model_id, self.dim = model_id, dim
        self.vectors = VectorIndex(self.db, exact_max)
        self.lexical = LexicalIndex(self.db, postings_min)
        self._chunk_count = (-1, 0)  # (generation, chunks)

    # -- database access for folder-specific tools and tests -------------------------------
    def conn(self) -> sqlite3.Connection:
        return self.db.conn()

    def write(self) -> AbstractContextManager[sqlite3.Connection]:
        return self.db.write()

    def read(self) -> AbstractContextManager[sqlite3.Connection]:
        """One committed state for several reads (nested use joins the outer one)."""
        return self.db.read()

    # -- SearchIndex -----------------------------------------------------------------------
    def chunk_count(self) -> int:
        """Chunks in the index, as the lexical statistics count them (once per generation:
        a count scans an index; with postings segments, their rows and the tail's)."""
        gen = self.db.generation()
        if self._chunk_count[0] != gen:
            con = self.db.conn()
            if self.lexical.active():
                n = self.lexical.rows() + int(con.execute(
                    "SELECT COUNT(*) FROM chunks WHERE chunk_id > ?",
                    (self.lexical.max_rowid,)).fetchone()[0])
            else:
                n = int(con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
            self._chunk_count = (gen, n)
        return self._chunk_count[1]

    def doc_freqs(self, terms: list[str]) -> dict[str, int]:
        if not self.lexical.active():
            return lexical.doc_freqs(self.db, terms)
        found = self.lexical.doc_freqs(terms)  # terms the segments lack: FTS5 (rare ones)
        return {**found, **lexical.doc_freqs(self.db, [t for t in terms if t not in found])}

    def lexical_search(self, terms: list[str], k: int,
                       filters: Filters) -> list[tuple[int, float]]:
        if not self.lexical.active():
            return lexical.lexical_search(self.db, terms, k, filters)
        allowed = lexical.allowed_ids(self.db, filters)
        return self.lexical.search(terms, k, None if allowed is None else np.sort(allowed))

    def dense_search(self, query: np.ndarray, k: int,
                     filters: Filters) -> list[tuple[int, float]]:
        return self.vectors.search(query, k, lexical.allowed_ids(self.db, filters))

    def passages(self, ids: list[int]) -> dict[int, Hit]:
        return queries.passages(self.db, ids)

    def chunk_tokens(self, ids: list[int]) -> dict[int, list[str]]:
        return queries.chunk_tokens(self.db, ids)

    def chunk_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        return queries.chunk_vectors(self.db, ids)

    def chunk_languages(self, ids: list[int]) -> dict[int, str]:
        return queries.chunk_languages(self.db, ids)

    def report_lengths(self, ids: list[int]) -> dict[int, tuple[str, int]]:
        return queries.report_lengths(self.db, ids)

    def report_tokens(self, doc_ids: list[str]) -> tuple[list[str], list[list[str]]]:
        return lexical.report_tokens(self.db, doc_ids)

    # -- ReportStore -----------------------------------------------------------------------
    def report(self, doc_id: str) -> Report | None:
        return queries.report(self.db, doc_id)

    def find_report(self, paths: list[str], record: str | None, language: str,
                    filters: Filters) -> Report | None:
        return queries.find_report(self.db, paths, record, language, filters)

    def report_list(self) -> list[dict]:
        return queries.report_list(self.db)

    def figures(self, query: FigureQuery) -> list[Figure]:
        return queries.figures(self.db, query)

    def counts(self) -> dict[str, int]:
        return self.db.counts()

    def generation(self) -> int:
        return self.db.generation()

    def analyser(self) -> int:
        return self.db.analyser()

    def manifest(self) -> dict | None:
        return read_manifest(self.dir)

    def describe(self) -> dict:
        """Where the index is and how it searches (``isnad stats``, ``/health``): the vector
        index the folder chose for its size (``vector_index``) and what FAISS holds."""
        self.vectors.sync()
        return {"store": self.kind, "index": str(self.dir), "model_id": self.model_id,
                "dim": self.dim, "analyser": self.db.analyser(),
                "faiss": self.vectors.ntotal, "vector_index": self.vectors.describe(),
                "lexical_index": self.lexical.describe(),
                "disk_mb": round(self._disk_bytes() / 1e6, 1)}

    def _disk_bytes(self) -> int:
        """What the folder's files take on disk, the lexical postings segments' folders
        included (removed reports' pages count until ``repair`` vacuums the database)."""
        total = 0
        for path in self.dir.rglob("*"):
            try:
                total += path.stat().st_size if path.is_file() else 0
            except FileNotFoundError:  # a writer's temporary file, renamed meanwhile
                continue
        return total


    # -- IndexWriter -----------------------------------------------------------------------
    def lock(self, wait: float = 0) -> WriterLock:
        return self.db.lock(wait)

    def stored_hashes(self, doc_ids: list[str]) -> dict[str, str]:
        return queries.stored_hashes(self.db, doc_ids)

    def write_reports(self, batch: list[PreparedReport | Report],
                      prepare: Callable[[Report], PreparedReport]) -> list[str]:
        return writes.write_reports(self.db, batch, prepare)

    def pending_texts(self) -> Iterator[tuple[str, str, str]]:
        return writes.pending_texts(self.db)

    def put_vectors(self, hashes: list[str], vectors: np.ndarray) -> None:
        writes.put_vectors(self.db, hashes, vectors)

    def pending_figures(self, limit: int) -> list[Report]:
        return writes.pending_figures(self.db, limit)

    def put_figures(self, figures: dict[str, tuple[Figure, ...]]) -> None:
        writes.put_figures(self.db, figures)

    def remove(self, key: str) -> list[str]:
        return writes.remove(self.db, key)

    def checkpoint(self) -> None:
        """Save what is derived (FAISS) and the manifest (with the vector plan), after a
        write."""
        self.vectors.save()
        self.lexical.save()
        self.db.write_manifest(self.manifest_extra())

    def manifest_extra(self) -> dict:
        """What the folder adds to the manifest: the vector and lexical indexes chosen for
        its size."""
        return {"vector_index": self.vectors.plan_record(),
                "lexical_index": self.lexical.describe()}

    def verify(self) -> VerifyReport:
        return maintenance.verify(self.db)

    def repair(self, wait: float = 0) -> VerifyReport:
        return maintenance.repair(self.db, self.vectors, wait, self.manifest_extra,
                                  self.lexical)

    def write_manifest(self, extra: dict | None = None) -> dict:
        return self.db.write_manifest(extra)

    # -- Exportable (``isnad migrate``) ----------------------------------------------------
    def export_reports(self, batch: int = 64) -> Iterator[list[PreparedReport]]:
        return export.export_reports(self.db, batch)

    def stored_vectors(self, hashes: list[str]) -> dict[str, np.ndarray]:
        return export.stored_vectors(self.db, hashes)

    def close(self) -> None:
        self.db.close()
