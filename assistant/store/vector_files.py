"""The FAISS files of an index folder: ``vectors.json`` (which base file holds the vectors,
up to which ``vector_log`` row, under which plan), reading a base memory-mapped, and the
temporary memory-mapped array a base is built from. No searching or syncing here.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import faiss
import numpy as np

POINTER = "vectors.json"
LEGACY_FILE = "vectors.faiss"  # before vectors.json: one exact index, rewritten each time


def read_pointer(folder: Path) -> dict | None:
    """``vectors.json`` of an index folder (None when absent or unreadable)."""
    try:
        pointer = json.loads((folder / POINTER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return pointer if {"file", "seq", "plan"} <= set(pointer) else None


def read_base(folder: Path, pointer: dict) -> faiss.Index:
    """The base file of ``pointer``, memory-mapped (IVF lists, or the exact index's
    vectors): opening reads only the header; pages are read as searches touch them."""
    kind = pointer["plan"].get("kind")
    flag = faiss.IO_FLAG_MMAP if kind == "ivf" else faiss.IO_FLAG_MMAP_IFC
    index = faiss.read_index(str(folder / pointer["file"]), flag)
    if kind == "ivf":
        faiss.extract_index_ivf(index).nprobe = int(pointer["plan"].get("nprobe", 1))
    return index


def log_position(con) -> int:
    """The last ``vector_log`` row ever written (0 when none)."""
    row = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'").fetchone()
    return int(row[0]) if row else 0


class VectorFile:
    """Every live vector of a snapshot in a temporary memory-mapped file (in chunk id
    order), so that building a million-vector index does not hold them all in RAM twice."""

    def __init__(self, folder: Path, dim: int, n: int) -> None:
        self.path: Path | None = folder / f".vectors-build-{uuid.uuid4().hex[:8]}.tmp"
        self.dim, self.n = dim, n
        try:
            self.vecs = np.lib.format.open_memmap(self.path, mode="w+", dtype=np.float32,
                                                  shape=(max(n, 1), dim))[:n]
        except OSError:  # a read-only folder (a read-only server): build in memory
            self.path, self.vecs = None, np.empty((n, dim), dtype=np.float32)

    def fill(self, con) -> np.ndarray:
        ids = np.zeros(self.n, dtype=np.int64)
        rows = con.execute("SELECT c.chunk_id, v.vec FROM chunks c JOIN vectors v "
                           "ON v.text_hash = c.text_hash ORDER BY c.chunk_id")
        at = 0
        while part := rows.fetchmany(20_000):
            take = part[:self.n - at]
            ids[at:at + len(take)] = [r[0] for r in take]
            self.vecs[at:at + len(take)] = np.frombuffer(
                b"".join(r[1] for r in take), dtype=np.float32).reshape(len(take), self.dim)
            at += len(take)
        return ids[:at]

    def __enter__(self) -> VectorFile:
        return self

    def __exit__(self, *exc: object) -> None:
        del self.vecs
        if self.path is not None:
            self.path.unlink(missing_ok=True)
