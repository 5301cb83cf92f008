"""The FAISS side of the index: derived from vectors stored in SQLite.

FAISS ids are chunk ids. The index is exact (inner product on normalised
vectors) up to ``exact_max`` chunks and HNSW above. Because FAISS is derived,
a stale or missing ``vectors.faiss`` is never an error: ``sync`` catches up
from SQLite (new chunks added, removed chunks dropped), and ``save`` writes
the file atomically. Filters are applied inside the search with an id
selector, never by cutting results after a top-k.
"""

from __future__ import annotations

import threading
from pathlib import Path

import faiss
import numpy as np

from assistant.store.sqlite import Database, atomic_write

FAISS_FILE = "vectors.faiss"

# One query at a time: FAISS's OpenMP threads cost more than they save on 2 cores
# (a single-query search measured ~44 -> ~28 ms with one thread), and the web server
# already runs several requests side by side.
faiss.omp_set_num_threads(1)


class VectorIndex:
    """An in-memory FAISS index kept in step with one database."""

    def __init__(self, store: Database, exact_max: int = 200_000) -> None:
        self.store = store
        self.exact_max = exact_max
        self._lock = threading.RLock()
        self._index = self._new_index(0)
        self._ids: np.ndarray = np.zeros(0, dtype=np.int64)
        self._generation = -1
        self._load()

    def _new_index(self, n: int) -> faiss.Index:
        dim = self.store.dim
        if n > self.exact_max:
            base = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            base.hnsw.efSearch = 128
        else:
            base = faiss.IndexFlatIP(dim)
        return faiss.IndexIDMap2(base)

    def _load(self) -> None:
        path = self.store.dir / FAISS_FILE
        if path.exists():
            try:
                index = faiss.read_index(str(path))
                if index.d == self.store.dim:
                    self._index = index
                    self._ids = faiss.vector_to_array(index.id_map).astype(np.int64)
            except RuntimeError:
                pass  # derived data: a damaged file is rebuilt from SQLite by sync()

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    def sync(self) -> None:
        """Bring FAISS in line with the committed SQLite state (cheap when nothing changed).

        Only ever forward: a reader whose snapshot is older than what another
        thread already synced leaves FAISS as it is (hits outside the reader's
        snapshot are dropped when the hits are read), so threads do not make the
        index flap between generations.
        """
        gen = self.store.generation()
        if gen <= self._generation:
            return
        with self._lock:
            if gen <= self._generation:  # another thread got there first
                return
            with self.store.read() as con:
                live = np.array([r[0] for r in con.execute(
                    "SELECT c.chunk_id FROM chunks c JOIN vectors v ON v.text_hash = c.text_hash"
                )], dtype=np.int64)
                live.sort()
                stale = np.setdiff1d(self._ids, live, assume_unique=True)
                new = np.setdiff1d(live, self._ids, assume_unique=True)
                if len(stale):
                    self._remove(stale)
                if len(new):
                    self._add(con, new)
            self._generation = gen

    def _remove(self, ids: np.ndarray) -> None:
        if isinstance(faiss.downcast_index(self._index.index), faiss.IndexHNSWFlat):
            self.rebuild()  # HNSW cannot remove: rebuild from SQLite
            return
        self._index.remove_ids(faiss.IDSelectorBatch(ids))
        self._ids = np.setdiff1d(self._ids, ids, assume_unique=True)

    def _add(self, con, ids: np.ndarray) -> None:
        for lo in range(0, len(ids), 20_000):
            part = ids[lo:lo + 20_000]
            marks = ",".join("?" * len(part))
            rows = con.execute(
                f"SELECT c.chunk_id, v.vec FROM chunks c JOIN vectors v ON v.text_hash = "
                f"c.text_hash WHERE c.chunk_id IN ({marks})", [int(i) for i in part]).fetchall()
            got = np.array([r[0] for r in rows], dtype=np.int64)
            vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
            self._index.add_with_ids(vecs.reshape(len(rows), self.store.dim), got)
            self._ids = np.union1d(self._ids, got)

    def rebuild(self) -> None:
        """Rebuild FAISS from SQLite (index type chosen by collection size)."""
        with self._lock:
            n = int(self.store.conn().execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
            self._index = self._new_index(n)
            self._ids = np.zeros(0, dtype=np.int64)
            self._generation = -1
        self.sync()

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> list[tuple[int, float]]:
        """Top-k (chunk_id, cosine) for a normalised query; ``allowed`` restricts ids."""
        self.sync()
        with self._lock:
            if self.ntotal == 0 or (allowed is not None and len(allowed) == 0):
                return []
            params = None
            if allowed is not None:
                params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
            q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
            scores, ids = self._index.search(q, min(k, self.ntotal), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def save(self) -> Path:
        """Write vectors.faiss atomically (after a sync)."""
        self.sync()
        with self._lock:
            data = faiss.serialize_index(self._index).tobytes()
        path = self.store.dir / FAISS_FILE
        atomic_write(path, data)
        return path
