"""The FAISS side of the index: derived from the vectors stored in SQLite.

FAISS ids are chunk ids. The index is a *base* written to a file, memory-mapped when
opened (so opening a million vectors takes milliseconds and only the parts searched are
read), plus a small in-memory *delta* of what changed since: vectors added after the base
was written go to an exact delta index, and removed ones are masked in the base by an id
selector. The changes come from ``vector_log`` (rows written by SQLite triggers whenever a
chunk gains or loses a vector), so catching up costs what changed, never a scan of every
chunk. ``save`` (at a writer's checkpoint) merges the delta into a new base file when it
has grown (always for an exact index, past ``MERGE_SHARE`` of the base for IVF), records
it in ``vectors.json`` (the base file, the log position it holds, the plan) and trims the
log; a reader that finds the log trimmed past its position reloads the new base.

The kind of index and its parameters come from ``vector_plan`` (exact up to
``exact_max`` vectors, IVF-Flat above). Because FAISS is derived, a missing or damaged
base is never an error: it is rebuilt from SQLite. Filters are applied inside the search
with an id selector (an IVF probes more lists for a narrow filter), never by cutting
results after a top-k.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path

import faiss
import numpy as np

from assistant.store import vector_plan
from assistant.store.files import atomic_write
from assistant.store.sqlite import Database
from assistant.store.vector_files import POINTER, VectorFile, log_position, read_base, read_pointer
from assistant.store.vector_plan import VectorPlan

MERGE_SHARE = 0.02  # an IVF base is rewritten once changes reach 2 % of it
MERGE_MIN = 5_000

# One query at a time: FAISS's OpenMP threads cost more than they save on 2 cores
# (a single-query search measured ~44 -> ~28 ms with one thread), and the web server
# already runs several requests side by side.
faiss.omp_set_num_threads(1)


class VectorIndex:
    """The vectors of one database: a memory-mapped base plus an in-memory delta."""

    def __init__(self, store: Database, exact_max: int = 200_000) -> None:
        self.store = store
        self.exact_max = exact_max
        self._lock = threading.RLock()
        self._base: faiss.Index | None = None
        self._base_file: str | None = None  # None: built in memory, not yet written
        self.plan: VectorPlan | None = None
        self._seq = 0  # the last vector_log row applied
        self._generation = -1
        self._reset_delta()

    def _reset_delta(self) -> None:
        self._delta = faiss.IndexIDMap2(faiss.IndexFlatIP(self.store.dim))
        self._removed: set[int] = set()
        self._mask: faiss.IDSelector | None = None

    # -- state --------------------------------------------------------------------------
    @property
    def ntotal(self) -> int:
        """Vectors searched (base minus removed plus delta)."""
        base = self._base.ntotal if self._base is not None else 0
        return int(base - len(self._removed) + self._delta.ntotal)

    def describe(self) -> dict:
        """The plan in use and the changes waiting for the next merge."""
        return {**self.plan_record(), "delta": int(self._delta.ntotal),
                "removed": len(self._removed)}

    def plan_record(self) -> dict:
        """The plan as the manifest records it (with the base file it is written to)."""
        plan = self.plan.to_dict() if self.plan else {"kind": "none"}
        return {**plan, "file": self._base_file} if self._base_file else plan

    # -- catching up ----------------------------------------------------------------------
    def sync(self) -> None:
        """Bring FAISS in line with the committed SQLite state (cheap when nothing changed).

        Only ever forward: a reader whose snapshot is older than what another thread
        already synced leaves FAISS as it is (hits outside the reader's snapshot are
        dropped when the hits are read), so threads do not make the index flap.
        """
        gen = self.store.generation()
        if gen <= self._generation:
            return
        with self._lock:
            if gen <= self._generation:  # another thread got there first
                return
            with self.store.read() as con:
                gen = self.store.generation()
                floor = self.store.vector_log_floor()
                if self._base is None or self._seq < floor:
                    self._open_base(con, floor)
                self._replay(con)
            self._generation = gen

    def _open_base(self, con, floor: int) -> None:
        """The written base when it is usable (holds at least the log's trimmed part),
        else a base rebuilt from this snapshot of the database."""
        self._reset_delta()
        for _ in range(2):  # a writer may replace the file between pointer and open
            pointer = read_pointer(self.store.dir)
            if not pointer or pointer["seq"] < floor:
                break
            try:
                index = read_base(self.store.dir, pointer)
            except (OSError, RuntimeError):
                continue  # derived data: rebuilt from SQLite below if it stays unreadable
            if index.d != self.store.dim:
                break
            self._base, self._base_file = index, pointer["file"]
            self.plan = VectorPlan.from_dict(pointer["plan"])
            self._seq = int(pointer["seq"])
            return
        self._build_from(con)

    def _build_from(self, con) -> None:
        """Every live vector of this snapshot into a new base (plan chosen by count)."""
        self._reset_delta()
        self._seq = log_position(con)
        n = int(con.execute("SELECT COUNT(*) FROM chunks c JOIN vectors v "
                            "ON v.text_hash = c.text_hash").fetchone()[0])
        plan = vector_plan.choose(n, self.exact_max)
        with VectorFile(self.store.dir, self.store.dim, n) as mapped:
            ids = mapped.fill(con)
            self._base, self.plan = vector_plan.build(plan, mapped.vecs, ids)
        self._base_file = None

    def _replay(self, con) -> None:
        """Apply the log rows after ``_seq``: removals masked, additions to the delta."""
        rows = con.execute("SELECT seq, chunk_id, added FROM vector_log WHERE seq > ? "
                           "ORDER BY seq", (self._seq,)).fetchall()
        if not rows:
            return
        final = {int(cid): bool(added) for _, cid, added in rows}
        gone = np.array(sorted(c for c, a in final.items() if not a), dtype=np.int64)
        if len(gone):
            self._delta.remove_ids(faiss.IDSelectorBatch(gone))
            self._removed.update(gone.tolist())
            self._mask = None
        new = sorted(c for c, a in final.items() if a)
        for lo in range(0, len(new), 20_000):
            part = new[lo:lo + 20_000]
            got = con.execute(
                "SELECT c.chunk_id, v.vec FROM chunks c JOIN vectors v ON v.text_hash = "
                f"c.text_hash WHERE c.chunk_id IN ({','.join('?' * len(part))}) "
                "ORDER BY c.chunk_id", part).fetchall()
            if got:
                vecs = np.frombuffer(b"".join(r[1] for r in got), dtype=np.float32)
                self._delta.add_with_ids(vecs.reshape(len(got), self.store.dim),
                                         np.array([r[0] for r in got], dtype=np.int64))
        self._seq = int(rows[-1][0])

    # -- searching ------------------------------------------------------------------------
    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> list[tuple[int, float]]:
        """Top-k (chunk_id, cosine) for a normalised query; ``allowed`` restricts ids."""
        self.sync()
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        with self._lock:
            if self.ntotal <= 0 or (allowed is not None and len(allowed) == 0):
                return []
            found: list[tuple[float, int]] = []
            if self._base is not None and self._base.ntotal:
                found += _hits(*self._base.search(q, min(k, self._base.ntotal),
                                                  params=self._params(allowed)))
            if self._delta.ntotal:
                params = None if allowed is None else faiss.SearchParameters(
                    sel=faiss.IDSelectorBatch(allowed))
                found += _hits(*self._delta.search(q, min(k, self._delta.ntotal),
                                                   params=params))
        found.sort(key=lambda hit: -hit[0])  # stable: the base first among equal scores
        return [(i, s) for s, i in found[:k]]

    def _params(self, allowed: np.ndarray | None) -> faiss.SearchParameters | None:
        """Selector (removed ids masked, ``allowed`` kept) and, for IVF, nprobe widened
        to the filter's selectivity (a narrow filter probes every list: exact)."""
        if self._removed and self._mask is None:
            self._mask = faiss.IDSelectorNot(faiss.IDSelectorBatch(
                np.fromiter(self._removed, dtype=np.int64)))
        sel = self._mask
        if allowed is not None:
            keep = faiss.IDSelectorBatch(allowed)
            sel = keep if sel is None else faiss.IDSelectorAnd(sel, keep)
        if self.plan is None or self.plan.kind != "ivf":
            return None if sel is None else faiss.SearchParameters(sel=sel)
        share = 1.0 if allowed is None else max(len(allowed) / max(self.ntotal, 1), 1e-9)
        nprobe = min(self.plan.nlist, int(np.ceil(self.plan.nprobe / share)))
        return faiss.SearchParametersIVF(sel=sel, nprobe=nprobe) if sel else \
            faiss.SearchParametersIVF(nprobe=nprobe)

    # -- writing ----------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Rebuild the base from SQLite (plan chosen by size), in memory until ``save``."""
        with self._lock, self.store.read() as con:
            self._build_from(con)
            self._generation = self.store.generation()

    def save(self) -> Path:
        """Merge and write the base when due (see the module docstring); returns the
        pointer file. Called by the writer (under the writer lock) after a write."""
        self.sync()
        with self._lock:
            if vector_plan.needs_rebuild(self.plan, self.ntotal, self.exact_max):
                self.rebuild()  # another plan (kind, or lists trained for another size)
            elif self._changes() > self._merge_at():
                self._merge()
            if self._base_file is None:  # built or merged in memory: write it
                self._write()
        return self.store.dir / POINTER

    def _changes(self) -> int:
        return int(self._delta.ntotal) + len(self._removed)

    def _merge_at(self) -> int:
        if self.plan is None or self.plan.kind == "flat":
            return 0
        return max(MERGE_MIN, int(MERGE_SHARE * (self._base.ntotal if self._base else 0)))

    def _merge(self) -> None:
        """The base in memory with the delta applied (removals, then additions in id
        order: the order a fresh build would add them in)."""
        base = (faiss.read_index(str(self.store.dir / self._base_file))
                if self._base_file else self._base)
        if self._removed:
            base.remove_ids(faiss.IDSelectorBatch(np.fromiter(self._removed, dtype=np.int64)))
        if self._delta.ntotal:
            ids = faiss.vector_to_array(self._delta.id_map).astype(np.int64)
            vecs = self._delta.index.reconstruct_n(0, self._delta.ntotal)
            order = np.argsort(ids, kind="stable")
            base.add_with_ids(vecs[order], ids[order])
        self._base, self._base_file = base, None
        self._reset_delta()

    def _write(self) -> None:
        """Write the in-memory base as a new file, point ``vectors.json`` at it, reopen it
        memory-mapped, delete the old files and trim the log up to what it holds."""
        name = f"vectors-{self._seq}-{uuid.uuid4().hex[:8]}.faiss"
        tmp = self.store.dir / f".{name}.tmp"
        faiss.write_index(self._base, str(tmp))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.store.dir / name)
        pointer = {"file": name, "seq": self._seq, "plan": self.plan.to_dict(),
                   "count": int(self._base.ntotal)}
        atomic_write(self.store.dir / POINTER, json.dumps(pointer, indent=2).encode())
        self._base, self._base_file = read_base(self.store.dir, pointer), name
        for old in self.store.dir.glob("vectors*.faiss"):
            if old.name != name:
                old.unlink(missing_ok=True)
        if self._changes() == 0:
            self.store.trim_vector_log(self._seq)


def _hits(scores: np.ndarray, ids: np.ndarray) -> list[tuple[float, int]]:
    return [(float(s), int(i)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
