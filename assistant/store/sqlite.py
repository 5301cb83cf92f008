"""The index folder's database: SQLite (WAL), manifest and writer lock.

SQLite holds everything that is not derived: reports (original text),
chunks (offsets + text), the lexical FTS5 table, embedding vectors keyed by
text hash (so repeated boilerplate is embedded once) and figures. FAISS is
derived and lives in ``vectors.py``; ``folder.FolderStore`` puts the two together
behind the store protocols (``base.py``). Every change is one transaction that
bumps ``generation``; readers see only committed state. The manifest is
written last, atomically. The lexical rows are the analyser's output: an index
whose ``analyser`` version differs from ``text.arabic.ANALYSER_VERSION`` has
them rebuilt from the stored chunks when it is opened (even by a read-only
server: they are derived, the reports are untouched). This module does not
parse, embed or rank.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import IndexLockedError, ModelMismatchError, StoreError
from assistant.store.files import MANIFEST, atomic_write, previous_manifest
from assistant.store.lexical_rows import rebuild_lexical
from assistant.store.schema import SCHEMA, SCHEMA_NAMES
from assistant.text.arabic import ANALYSER_VERSION

FORMAT_VERSION = 1
DB_NAME = "isnad.sqlite"
LOCK = ".lock"
log = logging.getLogger("isnad.store")



class Database:
    """The SQLite database of one index folder. Thread-safe: one SQLite connection per thread."""

    def __init__(self, index_dir: Path, model_id: str, dim: int, create: bool = True) -> None:
        self.dir = Path(index_dir)
        self.model_id, self.dim = model_id, dim
        if not (self.dir / DB_NAME).exists():
            if not create:
                raise StoreError(f"no index at {self.dir} (run `isnad ingest` first)")
            self.dir.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._counts: tuple[int, dict[str, int]] | None = None  # (generation, counts)
        self._check_manifest()
        self._init_schema()
        if self.analyser() != ANALYSER_VERSION:
            self._reanalyse()

    # -- connections -------------------------------------------------------------------------
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (autocommit off; WAL; foreign keys on)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.dir / DB_NAME, timeout=60, isolation_level=None,
                                  check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA busy_timeout=60000")
            self._local.con = con
        return con

    def _init_schema(self) -> None:
        con = self.conn()
        if not self._initialised(con):
            # Only a new index is written to on open: readers opening an existing
            # index never take the write lock (nor wait behind a running ingest).
            self._create_schema(con)
        meta = self.meta()
        if meta["model_id"] != self.model_id or int(meta["dim"]) != self.dim:
            raise ModelMismatchError(_mismatch(self.dir, meta["model_id"], meta["dim"],
                                               self.model_id, self.dim))

    @staticmethod
    def _initialised(con: sqlite3.Connection) -> bool:
        """True when every schema object and meta key exists (then open is read-only)."""
        try:
            keys = {r[0] for r in con.execute("SELECT key FROM meta")}
        except sqlite3.OperationalError:  # no meta table yet
            return False
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        return set(SCHEMA_NAMES) <= names and {
            "generation", "model_id", "dim", "format_version"} <= keys

    def _create_schema(self, con: sqlite3.Connection) -> None:
        con.executescript(SCHEMA)
        with self.write(bump=False) as c:
            c.execute("INSERT OR IGNORE INTO meta VALUES('generation', '0')")
            c.execute("INSERT OR IGNORE INTO meta VALUES('model_id', ?)", (self.model_id,))
            c.execute("INSERT OR IGNORE INTO meta VALUES('dim', ?)", (str(self.dim),))
            c.execute("INSERT OR IGNORE INTO meta VALUES('format_version', ?)",
                      (str(FORMAT_VERSION),))
            # An index without the key holds rows of analyser 1 (before versioning); only
            # an index without chunks can take the current version unseen.
            c.execute("INSERT OR IGNORE INTO meta SELECT 'analyser', CASE WHEN EXISTS "
                      "(SELECT 1 FROM chunks) THEN '1' ELSE ? END", (str(ANALYSER_VERSION),))

    @contextmanager
    def write(self, bump: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic transaction (BEGIN IMMEDIATE) that bumps the generation."""
        con = self.conn()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            if bump:
                con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                            "WHERE key = 'generation'")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs (nested use joins the outer one)."""
        con = self.conn()
        if con.in_transaction:
            yield con
            return
        con.execute("BEGIN")
        try:
            yield con
        finally:
            con.execute("COMMIT")

    def meta(self) -> dict[str, str]:
        return dict(self.conn().execute("SELECT key, value FROM meta").fetchall())

    def analyser(self) -> int:
        """The analyser version of the stored lexical rows (1: an index from before
        versioning)."""
        row = self.conn().execute("SELECT value FROM meta WHERE key='analyser'").fetchone()
        return int(row[0]) if row else 1

    def _reanalyse(self) -> None:
        """Rebuild the lexical rows with this Isnad's analyser (one transaction, under the
        writer lock). When another process writes, the index is searched as it is (the
        words the analysers spell alike still match) and re-analysed at a later open."""
        try:
            lock = self.lock(wait=0)
        except IndexLockedError:
            log.warning("index %s: lexical rows are of analyser %s (this Isnad: %s); another "
                        "process writes, so they are rebuilt at a later open",
                        self.dir, self.analyser(), ANALYSER_VERSION)
            return
        t0 = time.perf_counter()
        try:
            with self.write() as con:
                if self.analyser() == ANALYSER_VERSION:  # done by another process meanwhile
                    return
                n = rebuild_lexical(con)
            self.write_manifest()
        finally:
            lock.release()
        log.warning("index %s: %d chunks re-analysed with analyser %s in %.1f s",
                    self.dir, n, ANALYSER_VERSION, time.perf_counter() - t0)

    def generation(self) -> int:
        row = self.conn().execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0])

    def vector_log_floor(self) -> int:
        """``vector_log`` rows up to this one were trimmed (their changes are in the
        written FAISS base)."""
        row = self.conn().execute(
            "SELECT value FROM meta WHERE key='vector_log_floor'").fetchone()
        return int(row[0]) if row else 0

    def trim_vector_log(self, upto: int) -> None:
        """Drop the ``vector_log`` rows a written FAISS base holds (the writer, after
        writing it): readers behind ``upto`` reload that base."""
        with self.write(bump=False) as con:
            con.execute("DELETE FROM vector_log WHERE seq <= ?", (upto,))
            con.execute("INSERT OR REPLACE INTO meta VALUES('vector_log_floor', ?)",
                        (str(upto),))

    # -- manifest ----------------------------------------------------------------------------
    def _check_manifest(self) -> None:
        path = self.dir / MANIFEST
        if not path.exists():
            return
        try:
            man = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"unreadable manifest {path}: {exc} (run `isnad repair`)") from exc
        if int(man.get("format_version", -1)) != FORMAT_VERSION:
            raise StoreError(f"index {self.dir} has format {man.get('format_version')}, "
                             f"this Isnad reads format {FORMAT_VERSION}")
        if man.get("model_id") != self.model_id or int(man.get("dim", -1)) != self.dim:
            raise ModelMismatchError(_mismatch(self.dir, man.get("model_id"), man.get("dim"),
                                               self.model_id, self.dim))

    def counts(self) -> dict[str, int]:
        """Rows per table and what waits for figures or vectors: counted once per
        generation (at a million chunks a count takes a second; /health asks often)."""
        with self.read() as con:
            gen = int(con.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0])
            cached = self._counts
            if cached is not None and cached[0] == gen:
                return dict(cached[1])
            q = {
                "reports": "SELECT COUNT(*) FROM reports",
                "chunks": "SELECT COUNT(*) FROM chunks",
                "vectors": "SELECT COUNT(*) FROM vectors",
                "pending_chunks": "SELECT COUNT(*) FROM chunks c WHERE NOT EXISTS "
                                  "(SELECT 1 FROM vectors v WHERE v.text_hash = c.text_hash)",
                "figures": "SELECT COUNT(*) FROM figures",
                "pending_figures": "SELECT COUNT(*) FROM figures_pending",
            }
            counts = {k: int(con.execute(sql).fetchone()[0]) for k, sql in q.items()}
        self._counts = (gen, counts)
        return dict(counts)

    def write_manifest(self, extra: dict | None = None) -> dict:
        """Write manifest.json atomically (temp file, fsync, rename); returns it."""
        # Keys another part wrote (the vector plan) stay until it writes them again.
        man = {**previous_manifest(self.dir),
               "format_version": FORMAT_VERSION, "model_id": self.model_id, "dim": self.dim,
               "analyser": self.analyser(), "counts": self.counts(),
               "generation": self.generation(),
               "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        man.update(extra or {})
        atomic_write(self.dir / MANIFEST, json.dumps(man, indent=2).encode("utf-8"))
        return man

    def lock(self, wait: float = 0) -> WriterLock:
        """The writer lock, acquired (waiting ``wait`` seconds) or IndexLockedError. Release
        it with ``release()`` or use it as a context manager."""
        lock = FileLock(str(self.dir / LOCK))
        try:
            lock.acquire(timeout=wait)
        except Timeout as exc:
            raise IndexLockedError(f"another Isnad process is writing to {self.dir}; "
                                   "wait for it to finish (or use --wait SECONDS)") from exc
        return WriterLock(lock)

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


class WriterLock:
    """An acquired writer lock. ``with`` releases it on exit: a FileLock used as a context
    manager would acquire it a second time and, on exit, release only that second hold
    (the lock then stayed held until the object was garbage-collected)."""

    def __init__(self, lock: FileLock) -> None:
        self._lock = lock

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _mismatch(where: Path, idx_model: object, idx_dim: object, model: str, dim: int) -> str:
    return (f"index {where} was built with embedding model {idx_model} (dim {idx_dim}), "
            f"but the configured embedder is {model} (dim {dim}); use the same model "
            "(--embedder / ISNAD_EMBEDDER) or another --index folder")
