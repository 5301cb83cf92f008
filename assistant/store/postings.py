"""A memory-mapped inverted index of the lexical rows, and BM25 over it with numpy: the
lexical first stage of a big index.

FTS5 ranks an OR query by computing bm25 for every row that matches any term, and counts
each term's documents by walking its whole posting list on every query: ~10 µs per
posting, seconds for a question at a million chunks, where a common word («قال», «سوريا»)
is in a third of them. Here each term's postings are two arrays on disk, read in place
(``np.load(mmap_mode="r")``): the rows it occurs in, and its BM25 weight in each row
(``tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))``, fixed once the snapshot is built). A
query's score is then, per term, ``idf × weights`` added into a dense array: a few ms per
million postings.

The scoring is FTS5's bm25 (k1 1.2, b 0.75, idf ``log((N − n + 0.5) / (n + 0.5))``, at
least 1e-6; a row's length is its number of tokens), so the ranking is the one FTS5 would
give over the same rows. A snapshot holds the rows up to ``max_rowid``; rows added later
are scored from their tokens by ``lexical`` with the snapshot's statistics. Terms are
keyed by a 64-bit hash (no vocabulary to load). This module builds and reads snapshots;
it does not decide when to build one or read the database (``lexical_index``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np

K1, B = 1.2, 0.75
BLOCK_TOKENS = 4_000_000


def term_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(),
                          "little")


def idf(n_rows: int, df: np.ndarray | int) -> np.ndarray:
    """FTS5's bm25 idf (never below 1e-6)."""
    df = np.asarray(df, dtype=np.float64)
    return np.maximum(np.log((n_rows - df + 0.5) / (df + 0.5)), 1e-6)


def weights(tf: np.ndarray, length: np.ndarray, avgdl: float) -> np.ndarray:
    """BM25's term-frequency part (times idf, a term's score in a row)."""
    tf = tf.astype(np.float64)
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avgdl))


class Snapshot:
    """One snapshot, memory-mapped: each term's rows and weights, and the rows' ids."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.hashes = np.load(folder / "hashes.npy", mmap_mode="r")
        self.offsets = np.load(folder / "offsets.npy", mmap_mode="r")
        self.docs = np.load(folder / "docs.npy", mmap_mode="r")
        self.weights = np.load(folder / "weights.npy", mmap_mode="r")
        self.rowids = np.load(folder / "rowids.npy", mmap_mode="r")
        self.n_rows = int(self.meta["rows"])
        self.avgdl = float(self.meta["tokens"]) / max(self.n_rows, 1)
        self.max_rowid = int(self.meta["max_rowid"])

    def positions(self, terms: list[str]) -> dict[str, int]:
        """Each term's place in ``hashes`` / ``offsets`` (terms absent are left out)."""
        if not terms or not len(self.hashes):
            return {}
        keys = np.array([term_hash(t) for t in terms], dtype=np.uint64)
        at = np.minimum(np.searchsorted(self.hashes, keys), len(self.hashes) - 1)
        return {t: int(i) for t, i, key in zip(terms, at, keys, strict=True)
                if self.hashes[i] == key}

    def doc_freqs(self, terms: list[str]) -> dict[str, int]:
        return {t: int(self.offsets[i + 1] - self.offsets[i])
                for t, i in self.positions(terms).items()}

    def scores(self, terms: list[str], term_idf: dict[str, float]) -> np.ndarray:
        """BM25 of every row (0 where no term occurs), indexed like ``rowids``."""
        out = np.zeros(self.n_rows, dtype=np.float32)
        for term, i in self.positions(terms).items():
            lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
            out[self.docs[lo:hi]] += np.float32(term_idf[term]) * self.weights[lo:hi]
        return out


def build(folder: Path, rows: Iterable[tuple[int, str]]) -> Path:
    """Write a snapshot of ``rows`` ((rowid, analysed tokens), rowid ascending) into a new
    folder under ``folder``; returns it. Memory: ~10 bytes per posting while building
    (the output arrays are written through memory maps)."""
    out = folder / f"lexical-{uuid.uuid4().hex[:8]}"
    tmp = folder / f".{out.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    vocab: dict[str, int] = {}
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    lengths: list[int] = []
    rowids: list[int] = []
    words: list[str] = []
    ids = itertools.count()
    for rowid, tokens in rows:
        split = tokens.split()
        words += split
        lengths.append(len(split))
        rowids.append(rowid)
        if len(words) >= BLOCK_TOKENS:
            blocks.append(_block(words, lengths, _rows_before(blocks), vocab, ids))
            words = []
    blocks.append(_block(words, lengths, _rows_before(blocks), vocab, ids))
    lengths_arr = np.array(lengths, dtype=np.int32)
    avgdl = float(lengths_arr.sum()) / max(len(lengths_arr), 1)
    _write_csr(tmp, vocab, blocks, lengths_arr, avgdl)
    np.save(tmp / "rowids.npy", np.array(rowids, dtype=np.int64))
    meta = {"rows": len(rowids), "tokens": int(lengths_arr.sum()), "terms": len(vocab),
            "max_rowid": int(rowids[-1]) if rowids else 0}
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, out)
    return out


def _rows_before(blocks: list) -> int:
    return int(blocks[-1][3]) if blocks else 0


def _block(words: list[str], lengths: list[int], first_row: int, vocab: dict[str, int],
           ids: itertools.count) -> tuple:
    """The postings (term id, row, tf) of the rows from ``first_row`` whose tokens are
    ``words``, sorted by term then row; and the row after the block."""
    rows_here = lengths[first_row:]
    term_ids = np.fromiter(map(vocab.setdefault, words, ids), dtype=np.int64, count=len(words))
    row_ids = np.repeat(np.arange(first_row, first_row + len(rows_here), dtype=np.int64),
                        rows_here)
    uniq, tf = np.unique((term_ids << 32) | row_ids, return_counts=True)
    return ((uniq >> 32).astype(np.int32), (uniq & 0xFFFFFFFF).astype(np.int32),
            np.minimum(tf, 65_535).astype(np.uint16), first_row + len(rows_here))


def _write_csr(tmp: Path, vocab: dict[str, int], blocks: list, lengths: np.ndarray,
               avgdl: float) -> None:
    """Postings grouped by term (terms in hash order; rows ascending within a term),
    written through memory maps block by block."""
    term_ids = np.fromiter(vocab.values(), dtype=np.int64, count=len(vocab))
    hashes = np.fromiter((term_hash(t) for t in vocab), dtype=np.uint64, count=len(vocab))
    by_hash = np.argsort(hashes, kind="stable")
    rank = np.empty(len(vocab), dtype=np.int32)  # a term's place in hash order, by id order
    id_order = np.argsort(term_ids)
    rank[id_order] = np.argsort(by_hash)[id_order]
    sorted_ids = term_ids[id_order]
    counts = np.zeros(len(vocab), dtype=np.int64)
    for i, (ids, rows, tf, end) in enumerate(blocks):  # term ids -> hash ranks, in place
        ranks = rank[np.searchsorted(sorted_ids, ids)]
        counts += np.bincount(ranks, minlength=len(vocab))
        blocks[i] = (ranks, rows, tf, end)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    total = int(offsets[-1])
    docs = np.lib.format.open_memmap(tmp / "docs.npy", "w+", np.int32, (total,))
    wts = np.lib.format.open_memmap(tmp / "weights.npy", "w+", np.float32, (total,))
    cursor = offsets[:-1].copy()
    while blocks:
        ranks, rows, tf, _ = blocks.pop(0)
        order = np.argsort(ranks, kind="stable")  # by term; rows stay ascending
        ranks, rows, tf = ranks[order], rows[order], tf[order]
        first = np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1]])
        sizes = np.diff(np.r_[first, len(ranks)])
        dest = np.repeat(cursor[ranks[first]] - first, sizes) + np.arange(len(ranks))
        docs[dest] = rows
        wts[dest] = weights(tf, lengths[rows], avgdl)
        cursor[ranks[first]] += sizes
    docs.flush()
    wts.flush()
    del docs, wts
    np.save(tmp / "hashes.npy", hashes[by_hash])
    np.save(tmp / "offsets.npy", offsets)
