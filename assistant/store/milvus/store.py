"""``MilvusStore``: the store protocols of ``store/base.py`` over one Milvus namespace.

Opening creates the namespace's collections when missing (``create``) and checks the
manifest against the embedder. Reads go straight to the server (nothing is kept between
questions, so every app server answers from the same state); ``read()`` opens a scope
in which one question's chunk rows are read once. Writes take the namespace's writer
lock (``lock.py``) for their duration when the caller does not hold it already, and
recover term statistics a crashed writer left dirty. Thin: the work is in ``reads``,
``search``, ``writes``, ``stats`` and ``upkeep``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import numpy as np

from assistant.errors import IndexLockedError, StoreError
from assistant.records import Figure, Filters, Hit, Report
from assistant.store.base import FigureQuery, PreparedReport, VerifyReport
from assistant.store.milvus import upkeep
from assistant.store.milvus.bm25 import is_phrase
from assistant.store.milvus.client import Connection, parse_uri
from assistant.store.milvus.export import export_reports
from assistant.store.milvus.lock import LeaseLock, acquire
from assistant.store.milvus.meta import MANIFEST, MetaRecords
from assistant.store.milvus.reads import Reads, RowCache
from assistant.store.milvus.schema import ensure_collections
from assistant.store.milvus.search import Search
from assistant.store.milvus.stats import TermStats
from assistant.store.milvus.tables import Tables
from assistant.store.milvus.writes import Writes
from assistant.text.arabic import ANALYSER_VERSION

WRITE_WAIT_S = 60.0  # a write made without the lock waits this long for it
ALL_KINDS = ("chunks", "reports", "figures", "vectors", "terms", "meta")
log = logging.getLogger("isnad.store")


class MilvusStore:
    """One Isnad namespace on a Milvus server. Thread-safe."""

    kind = "milvus"
    # Each report is written with its figures: deferring them would rewrite every part
    # row of the report a second time (Milvus upserts whole rows).
    defers_figures = False

    def __init__(self, uri: str, model_id: str, dim: int, create: bool = True, *,
                 token: str | None = None, user: str | None = None,
                 password: str | None = None) -> None:
        self.uri, self.address = uri, parse_uri(uri)
        self.model_id, self.dim = model_id, dim
        self.conn = Connection(self.address, token, user, password)
        self.tables = Tables(self.conn)
        self.meta = MetaRecords(self.tables)
        self.stats = TermStats(self.tables, self.meta)
        self.cache = RowCache()
        self.reads = Reads(self.tables, self.cache)
        self.writes = Writes(self.tables, self.reads, self.stats, self.meta, dim)
        self._gate = threading.RLock()  # one writing thread per process
        self._held: LeaseLock | None = None
        self._depth = 0
        man = self._open(create)
        self.search = Search(self.tables, self.stats, self.cache,
                             man.get("dense_index", self.address.dense_index))

    def _open(self, create: bool) -> dict:
        missing = ensure_collections(self.conn, self.dim, create)
        man = None if missing else self.meta.get(MANIFEST)
        if man is None:
            if not create:
                raise StoreError(f"no index at {self.address} (run `isnad ingest --store "
                                 f"{self.uri}` or `isnad migrate` first)")
            man = upkeep.new_manifest(self.model_id, self.dim,
                                      "standard" if self.conn.lite else "whitespace",
                                      self.address.dense_index)
            self.meta.put(MANIFEST, man)
        upkeep.check_manifest(man, str(self.address), self.model_id, self.dim)
        if int(man.get("analyser", 1)) != ANALYSER_VERSION:
            log.warning("index %s: lexical rows are of analyser %s (this Isnad: %s); run "
                        "`isnad repair` to rebuild them", self.address, man.get("analyser"),
                        ANALYSER_VERSION)
        return man

    # -- SearchIndex -----------------------------------------------------------------------
    def read(self) -> AbstractContextManager:
        return self.cache.scope()

    def chunk_count(self) -> int:
        return int(self.cache.totals(self.stats.totals)["rows"])

    def doc_freqs(self, terms: list[str]) -> dict[str, int]:
        # As FTS5's vocabulary: a number with a separator is no term of its own there.
        return self.cache.freqs([t for t in terms if not is_phrase(t)], self.stats.doc_freqs)

    def lexical_search(self, terms: list[str], k: int, filters: Filters
                       ) -> list[tuple[int, float]]:
        return self.search.lexical(terms, k, filters)

    def dense_search(self, query: np.ndarray, k: int, filters: Filters
                     ) -> list[tuple[int, float]]:
        return self.search.dense(query, k, filters)

    def passages(self, ids: list[int]) -> dict[int, Hit]:
        return self.reads.passages(ids)

    def chunk_tokens(self, ids: list[int]) -> dict[int, list[str]]:
        return self.reads.chunk_tokens(ids)

    def chunk_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        return self.reads.chunk_vectors(ids)

    def chunk_languages(self, ids: list[int]) -> dict[int, str]:
        return self.reads.chunk_languages(ids)

    def report_lengths(self, ids: list[int]) -> dict[int, tuple[str, int]]:
        return self.reads.report_lengths(ids)

    def report_tokens(self, doc_ids: list[str]) -> tuple[list[str], list[list[str]]]:
        return self.reads.report_tokens(doc_ids)

    # -- ReportStore -----------------------------------------------------------------------
    def report(self, doc_id: str) -> Report | None:
        return self.reads.report(doc_id)

    def find_report(self, paths: list[str], record: str | None, language: str,
                    filters: Filters) -> Report | None:
        return self.reads.find_report(paths, record, language, filters)

    def report_list(self) -> list[dict]:
        return self.reads.report_list()

    def figures(self, query: FigureQuery) -> list[Figure]:
        return self.reads.figures(query)

    def counts(self) -> dict[str, int]:
        return upkeep.counts(self.tables, self.stats)

    def generation(self) -> int:
        return self.meta.generation()

    def analyser(self) -> int:
        return int((self.meta.get(MANIFEST) or {}).get("analyser", 1))

    def manifest(self) -> dict | None:
        return self.meta.get(MANIFEST)

    def describe(self) -> dict:
        man = self.manifest() or {}
        return {"store": self.kind, "index": str(self.address), "model_id": self.model_id,
                "dim": self.dim, "analyser": man.get("analyser"),
                "server": self.conn.version(), "dense_index": man.get("dense_index")}

    # -- IndexWriter -----------------------------------------------------------------------
    def lock(self, wait: float = 0) -> _Hold:
        """The namespace's writer lock (re-entrant in this thread)."""
        got = self._gate.acquire(timeout=wait) if wait > 0 else self._gate.acquire(False)
        if not got:
            raise IndexLockedError(f"another thread of this process is writing to "
                                   f"{self.address}; wait for it to finish")
        try:
            if self._depth == 0:
                self._held = acquire(self.meta, str(self.address), wait)
            self._depth += 1
        except BaseException:
            self._gate.release()
            raise
        return _Hold(self)

    def _release(self) -> None:
        try:
            self._depth -= 1
            if self._depth == 0 and self._held is not None:
                held, self._held = self._held, None
                held.release()
        finally:
            self._gate.release()

    def _write(self, fn: Callable[[], object]) -> object:
        """``fn()`` under the writer lock, after recovering statistics a failed write left."""
        with self.lock(WRITE_WAIT_S):
            assert self._held is not None
            self._held.check()
            if self.stats.totals().get("dirty"):
                self.stats.rebuild()
            return fn()

    def stored_hashes(self, doc_ids: list[str]) -> dict[str, str]:
        return self.reads.stored_hashes(doc_ids)

    def write_reports(self, batch: list[PreparedReport | Report],
                      prepare: Callable[[Report], PreparedReport]) -> list[str]:
        return self._write(lambda: self.writes.write_reports(batch, prepare))  # type: ignore[return-value]

    def pending_texts(self) -> Iterator[tuple[str, str, str]]:
        return self.writes.pending_texts()

    def pending_figures(self, limit: int) -> list[Report]:
        return []  # never any: see ``defers_figures``

    def put_figures(self, figures: dict[str, tuple[Figure, ...]]) -> None:
        raise StoreError("a Milvus store takes each report with its figures "
                         "(defers_figures is False); nothing waits for put_figures")

    def put_vectors(self, hashes: list[str], vectors: np.ndarray) -> None:
        self._write(lambda: self.writes.put_vectors(hashes, vectors))

    def remove(self, key: str) -> list[str]:
        return self._write(lambda: self.writes.remove(key))  # type: ignore[return-value]

    def checkpoint(self) -> None:
        """Refresh the manifest at the end of a write command; on milvus-lite, seal what
        was written first (its log is not fsynced per write; a real Milvus's log broker is
        durable, and it rate-limits flushes, so there it is left to Milvus)."""
        if self.conn.lite:
            self.tables.flush(ALL_KINDS)
        upkeep.write_manifest(self.meta, self.tables, self.stats)

    def write_manifest(self, extra: dict | None = None) -> dict:
        return upkeep.write_manifest(self.meta, self.tables, self.stats, extra)

    def verify(self) -> VerifyReport:
        return upkeep.verify(self.tables, self.meta, self.stats)

    def repair(self, wait: float = 0) -> VerifyReport:
        with self.lock(wait):
            upkeep.repair(self.tables, self.meta, self.stats)
        return self.verify()

    # -- copying (``isnad migrate``) ---------------------------------------------------------
    def export_reports(self, batch: int = 64) -> Iterator[list[PreparedReport]]:
        return export_reports(self.tables, self.reads, batch)

    def stored_vectors(self, hashes: list[str]) -> dict[str, np.ndarray]:
        return self.writes.stored_vectors(hashes)

    def close(self) -> None:
        self.conn.close()


def read_identity(uri: str, token: str | None = None, user: str | None = None,
                  password: str | None = None) -> tuple[str, int] | None:
    """(model id, dimension) of the index at ``uri``, or None when there is none."""
    conn = Connection(parse_uri(uri), token, user, password)
    try:
        name = conn.name("meta")
        if not conn.call("has_collection", lambda c: c.has_collection(name)):
            return None
        conn.call("load_collection", lambda c: c.load_collection(name))
        man = MetaRecords(Tables(conn)).get(MANIFEST)
        return (str(man["model_id"]), int(man["dim"])) if man else None
    finally:
        conn.close()


class _Hold:
    """One hold of a store's writer lock; ``release()`` or the end of ``with`` frees it."""

    def __init__(self, store: MilvusStore) -> None:
        self._store, self._done = store, False

    def release(self) -> None:
        if not self._done:
            self._done = True
            self._store._release()

    def __enter__(self) -> _Hold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
