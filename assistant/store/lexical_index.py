"""The lexical first stage of a big index: BM25 over memory-mapped postings segments
(``postings``), the rows added since in FTS5, chosen by size.

Up to ``postings_min`` chunks (``Config.lexical_postings_min``) the folder ranks with FTS5's
own bm25 (``lexical``): exact and fast at that size. Above it, FTS5's OR queries cost
seconds (it scores every matching row and counts each term's documents on every query), so
a writer's checkpoint writes *segments*: postings snapshots of the rows up to some id, named
by ``lexical.json``. A query scores each segment with numpy and the rows after the last
segment (the *tail*: committed since, searchable at once) from their tokens, found by an
FTS5 match restricted to those rows; statistics (rows, document frequencies, average
length) are the segments'. A removed chunk is skipped when the candidates are read back,
and leaves the statistics at the next merge. A tail past ``TAIL_ROWS`` becomes a segment;
past ``MAX_SEGMENTS`` segments, or a tenth of rows removed, everything is rewritten as one.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import numpy as np

from assistant.store import postings
from assistant.store.files import atomic_write
from assistant.store.lexical import fts_match
from assistant.store.sqlite import Database

POINTER = "lexical.json"
TAIL_ROWS = 20_000
MAX_SEGMENTS = 6
REMOVED_SHARE = 0.1


class LexicalIndex:
    """The postings segments of one database (none while it is small: FTS5 ranks)."""

    def __init__(self, db: Database, postings_min: int = 100_000) -> None:
        self.db, self.postings_min = db, postings_min
        self._lock = threading.Lock()
        self._stamp: int | None = None  # lexical.json's mtime when last read
        self.segments: list[postings.Snapshot] = []

    # -- reading --------------------------------------------------------------------------
    def active(self) -> bool:
        """Whether segments rank the lexical stage (re-read when a writer replaced them)."""
        try:
            stamp = (self.db.dir / POINTER).stat().st_mtime_ns
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            with self._lock:
                self.segments, self._stamp = self._open_segments(), stamp
        return bool(self.segments)

    def _open_segments(self) -> list[postings.Snapshot]:
        """The segments ``lexical.json`` names, if they are of this analyser's rows (the
        rows are re-analysed on open after an analyser change: FTS5 ranks until the next
        checkpoint rewrites them)."""
        for _ in range(2):  # a writer may replace them between the pointer and the files
            pointer = read_pointer(self.db.dir) or {}
            if pointer.get("analyser") != self.db.analyser():
                return []
            try:
                return [postings.Snapshot(self.db.dir / s["dir"])
                        for s in pointer.get("segments", [])]
            except FileNotFoundError:
                continue
        return []

    @property
    def max_rowid(self) -> int:
        return max((s.max_rowid for s in self.segments), default=0)

    def rows(self) -> int:
        return sum(s.n_rows for s in self.segments)

    def doc_freqs(self, terms: list[str]) -> dict[str, int]:
        """Documents per term over the segments (the tail's are not counted: it is small)."""
        out: dict[str, int] = {}
        for seg in self.segments:
            for term, n in seg.doc_freqs(terms).items():
                out[term] = out.get(term, 0) + n
        return out

    def search(self, terms: list[str], k: int, allowed: np.ndarray | None
               ) -> list[tuple[int, float]]:
        """Top-k (chunk_id, bm25) over the segments and the tail; removed rows skipped."""
        segments = self.segments
        n_rows = sum(s.n_rows for s in segments)
        avgdl = sum(s.avgdl * s.n_rows for s in segments) / max(n_rows, 1)
        idf = {t: float(postings.idf(n_rows, n)) for t, n in self.doc_freqs(terms).items()}
        pool = 2 * k + 20
        found: list[tuple[float, int]] = []
        for seg in segments:
            found += _segment_top(seg, terms, idf, allowed, pool)
        found += self._tail(terms, idf, avgdl, allowed)
        found.sort(key=lambda hit: (-hit[0], hit[1]))
        return self._live(found, k)

    def _tail(self, terms: list[str], idf: dict[str, float], avgdl: float,
              allowed: np.ndarray | None) -> list[tuple[float, int]]:
        """The rows after the segments, scored from their tokens (a term the segments
        lack counts as a rare one)."""
        match = fts_match(terms)
        if match is None:
            return []
        rows = self.db.conn().execute(
            "SELECT rowid, tokens FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid > ?",
            (match, self.max_rowid)).fetchall()
        wanted = set(terms)
        rare = float(postings.idf(self.rows() + len(rows), 1))
        out = []
        for rowid, tokens in rows:
            if allowed is not None and not _member(allowed, rowid):
                continue
            words = tokens.split()
            tf: dict[str, int] = {}
            for w in words:
                if w in wanted:
                    tf[w] = tf.get(w, 0) + 1
            score = sum(idf.get(t, rare) * float(postings.weights(np.array(n), len(words), avgdl))
                        for t, n in tf.items())
            out.append((score, int(rowid)))
        return out

    def _live(self, found: list[tuple[float, int]], k: int) -> list[tuple[int, float]]:
        """The first ``k`` of ``found`` whose chunk still exists (removed ones skipped)."""
        out: list[tuple[int, float]] = []
        con = self.db.conn()
        for lo in range(0, len(found), 2 * k + 20):
            part = found[lo:lo + 2 * k + 20]
            ids = [c for _, c in part]
            live = {r[0] for r in con.execute(
                f"SELECT chunk_id FROM chunks WHERE chunk_id IN ({','.join('?' * len(ids))})",
                ids)}
            out += [(c, s) for s, c in part if c in live]
            if len(out) >= k:
                break
        return out[:k]

    def describe(self) -> dict:
        if not self.active():
            return {"kind": "fts5", "postings_min": self.postings_min}
        return {"kind": "postings", "segments": [s.n_rows for s in self.segments],
                "rows": self.rows(), "postings_min": self.postings_min}

    # -- writing (a writer's checkpoint) ----------------------------------------------------
    def save(self) -> None:
        """Write, extend or merge the segments as the index's size asks (see the module
        docstring); drop them when the index is small again."""
        self.active()
        con = self.db.conn()
        live = int(con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        if live < self.postings_min * 0.9 or (live < self.postings_min and not self.segments):
            if self.segments:
                self._publish([])
            return
        last = self.max_rowid
        tail = int(con.execute("SELECT COUNT(*) FROM chunks WHERE chunk_id > ?",
                               (last,)).fetchone()[0])
        removed = self.rows() - (live - tail)
        if not self.segments or removed > REMOVED_SHARE * self.rows():
            self._publish([self._build(0)])
        elif tail >= TAIL_ROWS and len(self.segments) < MAX_SEGMENTS:
            self._publish([*self.segments, self._build(last)])
        elif tail >= TAIL_ROWS:  # merge what came after the first segment, or everything
            first = self.segments[0]
            if live - first.n_rows > first.n_rows:
                self._publish([self._build(0)])
            else:
                self._publish([first, self._build(first.max_rowid)])

    def rebuild(self) -> None:
        """Rewrite the segments from the database as one (``isnad repair``), or drop them
        when the index is small."""
        if self.db.conn().execute("SELECT COUNT(*) FROM chunks").fetchone()[0] \
                < self.postings_min:
            if self.active():
                self._publish([])
            return
        self._publish([self._build(0)])

    def _build(self, after: int) -> postings.Snapshot:
        rows = self.db.conn().execute(
            "SELECT id, c0 FROM chunks_fts_content WHERE id > ? ORDER BY id", (after,))
        return postings.Snapshot(postings.build(self.db.dir, rows))

    def _publish(self, segments: list[postings.Snapshot]) -> None:
        pointer = {"kind": "postings", "analyser": self.db.analyser(), "segments": [
            {"dir": s.folder.name, "rows": s.n_rows, "max_rowid": s.max_rowid}
            for s in segments]}
        atomic_write(self.db.dir / POINTER, json.dumps(pointer, indent=2).encode())
        keep = {s.folder.name for s in segments}
        for old in self.db.dir.glob("lexical-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        if not segments:
            os.unlink(self.db.dir / POINTER)
        self._stamp = -1  # read again at the next use
        self.active()


def _segment_top(seg: postings.Snapshot, terms: list[str], idf: dict[str, float],
                 allowed: np.ndarray | None, pool: int) -> list[tuple[float, int]]:
    scores = seg.scores(terms, idf)
    hits = np.flatnonzero(scores)
    if allowed is not None:
        hits = hits[np.isin(seg.rowids[hits], allowed)]
    if len(hits) > pool:
        hits = hits[np.argpartition(-scores[hits], pool)[:pool]]
    return [(float(scores[i]), int(seg.rowids[i])) for i in hits]


def _member(sorted_ids: np.ndarray, value: int) -> bool:
    at = int(np.searchsorted(sorted_ids, value))
    return at < len(sorted_ids) and int(sorted_ids[at]) == value


def read_pointer(folder: Path) -> dict | None:
    try:
        return json.loads((folder / POINTER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
