"""Reliability: readers during a running ingest, and SIGKILLs at random moments.

Readers (threads sharing one Assistant, and separate processes) search while
``isnad ingest`` runs in another process: every read must succeed and see only
committed state (no report without its chunks, batches all-or-nothing, counts
never going back). The crash loop kills ``isnad ingest``/``isnad remove`` at
random times; after each kill the index opens, verifies and answers, and after
a final resume it equals a clean ingest of the same corpus chunk for chunk.
Run as a script (``python tests/test_reliability.py read IDX STOP SECONDS``)
it is the reader process of the concurrency test.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.errors import InputError
from assistant.store.folder import FolderStore
from assistant.store.sqlite import DB_NAME
from assistant.ui.obs import health, observed_ask, redact, setup_logging

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
QUERIES = ["shelling market", "قصف السوق", "civilians killed", "zq0042", "مدنيين", "report"]


@pytest.fixture(scope="session")
def identity() -> tuple[str, int]:
    """(model_id, dim) that the CLI's default embedder writes into a new index."""
    from assistant.embed.embedders import make_embedder

    emb = make_embedder(Config().embedder)
    return emb.model_id, emb.dim


def write_corpus(folder: Path, n: int, prefix: str = "r", version: int = 0,
                 only: set[int] | None = None) -> None:
    """``n`` small reports, one in five Arabic (slower to analyse: mixed batch times)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        if only is not None and i not in only:
            continue
        if i % 5 == 0:
            text = (f"تقرير {prefix} {i}\n\nقتل {i + 3} مدنيين في قصف على السوق في بلدة zq{i:04d} "
                    f"وأصيب {i + 10} آخرون. نسخة {version}.\n")
        else:
            text = (f"Report {prefix} {i}\n\nShelling hit the market of zq{i:04d}, killing "
                    f"{i % 40 + 2} civilians. Version {version}.\n")
        (folder / f"{prefix}{i:04d}.txt").write_text(text, encoding="utf-8")


def open_lexical(idx: Path, identity: tuple[str, int]) -> Assistant:
    store = FolderStore(idx, *identity)
    return Assistant(Config(index_dir=idx), store, None)


def isnad(idx: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", "--index", str(idx), *args]


# -- per-read consistency ----------------------------------------------------------------------
def check_hits(asst: Assistant, query: str) -> int:
    """Search; every hit must quote its report exactly. Returns the number of hits."""
    hits = asst.search(query, k=10)
    for h in hits:
        text = asst.get_text(h.doc_id)
        assert text[h.start:h.end] == h.text, f"hit {h.chunk_id} does not match its report"
    return len(hits)


def check_snapshot(store: FolderStore) -> int:
    """Within one snapshot: no report without chunks, no orphan chunks, lexical rows complete."""
    with store.read() as con:
        reports = con.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        bare = con.execute("SELECT COUNT(*) FROM reports r WHERE NOT EXISTS "
                           "(SELECT 1 FROM chunks c WHERE c.doc_id = r.doc_id)").fetchone()[0]
        orphans = con.execute("SELECT COUNT(*) FROM chunks c WHERE NOT EXISTS "
                              "(SELECT 1 FROM reports r WHERE r.doc_id = c.doc_id)").fetchone()[0]
        chunks = con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        fts = con.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
    assert (bare, orphans, fts) == (0, 0, chunks), (bare, orphans, fts, chunks)
    return reports


class ReadLog:
    """What one reader saw: report counts in order, reads done, errors raised."""

    def __init__(self) -> None:
        self.counts: list[int] = []
        self.reads = 0
        self.errors: list[str] = []


def read_loop(asst: Assistant, log: ReadLog, stop: threading.Event | Path, seed: int,
              max_seconds: float) -> None:
    rng = random.Random(seed)
    deadline = time.monotonic() + max_seconds
    stopped = stop.is_set if isinstance(stop, threading.Event) else stop.exists
    while not stopped() and time.monotonic() < deadline:
        try:
            check_hits(asst, rng.choice(QUERIES))
            n = check_snapshot(asst.store)
            if log.counts and n < log.counts[-1]:
                raise AssertionError(f"report count went back from {log.counts[-1]} to {n}")
            if not log.counts or n != log.counts[-1]:
                log.counts.append(n)
            log.reads += 1
        except Exception as exc:  # every failure is recorded and fails the test
            log.errors.append(f"{type(exc).__name__}: {exc}")


def reader_process(idx: str, stop: str, seconds: str) -> None:
    """Entry point of a separate reader process: prints its ReadLog as JSON."""
    from assistant.embed.embedders import make_embedder

    emb = make_embedder(Config().embedder)
    asst = open_lexical(Path(idx), (emb.model_id, emb.dim))
    log = ReadLog()
    read_loop(asst, log, Path(stop), os.getpid(), float(seconds))
    print(json.dumps(vars(log)))


def test_readers_see_only_committed_state_during_ingest(tmp_path: Path,
                                                        identity: tuple[str, int]) -> None:
    base, new, idx = tmp_path / "base", tmp_path / "new", tmp_path / "idx"
    write_corpus(base, 20, prefix="base")
    write_corpus(new, 300, prefix="new")
    asst = open_lexical(idx, identity)
    assert asst.ingest([base], embed=False).added == 20
    stop_file = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, __file__, "read", str(idx), str(stop_file),
                                 "150"], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    ingest = subprocess.Popen(isnad(idx, "ingest", str(new), "--no-embed", "--wait", "60"),
                              cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    stop, logs = threading.Event(), [ReadLog() for _ in range(8)]
    threads = [threading.Thread(target=read_loop, args=(asst, log, stop, i, 150))
               for i, log in enumerate(logs)]
    for t in threads:
        t.start()
    out, err = ingest.communicate(timeout=180)
    stop.set()
    stop_file.touch()
    for t in threads:
        t.join()
    logs += [_proc_log(p) for p in readers]
    assert ingest.returncode == 0, err
    assert "added 300" in out
    batch = Config().batch_docs
    for log in logs:
        assert log.errors == [] and log.reads > 0
        # batches become visible whole: base + k * batch_docs, or everything
        assert all((n - 20) % batch == 0 or n == 320 for n in log.counts), log.counts
    seen = {n for log in logs for n in log.counts}
    assert len(seen) >= 3, f"readers saw only {sorted(seen)}: the ingest did not overlap"
    assert check_snapshot(asst.store) == 320 and asst.store.verify().ok
    assert any(h.path == "new0123.txt" for h in asst.search("zq0123", mode="lexical"))


def _proc_log(proc: subprocess.Popen) -> ReadLog:
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    log = ReadLog()
    vars(log).update(json.loads(out.strip().splitlines()[-1]))
    return log


# -- crash loop --------------------------------------------------------------------------------
def _generation(idx: Path) -> int:
    if not (idx / DB_NAME).exists():
        return -1
    try:
        with sqlite3.connect(idx / DB_NAME, timeout=5) as con:
            return int(con.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0])
    except (sqlite3.OperationalError, TypeError):  # not created yet
        return -1


def _paths(idx: Path) -> list[str]:
    if _generation(idx) < 0:
        return []
    with sqlite3.connect(idx / DB_NAME, timeout=5) as con:
        return sorted(r[0] for r in con.execute("SELECT path FROM reports"))


def _vectors(idx: Path) -> int:
    if _generation(idx) < 0:
        return 0
    with sqlite3.connect(idx / DB_NAME, timeout=5) as con:
        return con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


def _run_and_kill(cmd: list[str], idx: Path, window: float, rng: random.Random,
                  table: str = "meta") -> bool:
    """Start ``cmd``; once it has committed something (to ``table``: "meta" is any commit,
    "vectors" an embedding batch), SIGKILL it after a random delay.
    Returns True when the kill landed (the command was still running)."""
    progress = _vectors if table == "vectors" else _generation
    before = progress(idx)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while proc.poll() is None and progress(idx) == before and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(rng.uniform(0, window))
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate()
    assert killed or proc.returncode == 0, err.decode()
    return killed


def _check_after_kill(idx: Path, identity: tuple[str, int]) -> None:
    asst = open_lexical(idx, identity)
    try:
        report = asst.store.verify()
        assert report.ok, report.problems
        asst.store.lock(wait=0).release()  # a killed writer leaves no stale lock
        if asst.store.counts()["reports"]:
            assert check_hits(asst, "shelling market") > 0
        check_snapshot(asst.store)
    finally:
        asst.close()


def index_content(store: FolderStore) -> dict[str, list]:
    """Everything that must match a clean ingest (chunk ids aside)."""
    con = store.conn()
    return {
        "reports": sorted(con.execute("SELECT doc_id, path, record, title, date, source, "
                                      "language, text, content_hash FROM reports")),
        "chunks": sorted(con.execute("SELECT doc_id, start, end, text, text_hash FROM chunks")),
        "lexical": sorted(con.execute("SELECT c.doc_id, c.start, f.tokens FROM chunks c "
                                      "JOIN chunks_fts f ON f.rowid = c.chunk_id")),
        "figures": sorted(con.execute("SELECT doc_id, value, category, start, end FROM figures")),
    }


def crash_loop(tmp_path: Path, identity: tuple[str, int], kills: int, seed: int,
               embed: bool = False, n_docs: int = 400) -> int:
    """Random SIGKILLs during ingest/remove; returns the number of kills that landed."""
    rng = random.Random(seed)
    corpus, idx = tmp_path / "corpus", tmp_path / "idx"
    write_corpus(corpus, n_docs)
    landed = rounds = 0
    while landed < kills and rounds < 8 * kills:  # a run may finish before its kill
        rounds += 1
        paths = _paths(idx)
        if paths and rng.random() < 0.3:
            keys = rng.sample(paths, min(len(paths), rng.randint(3, 30)))
            cmd, window = isnad(idx, "remove", *keys), 0.3
        else:
            if rng.random() < 0.3:  # some files change: the update path is killed too
                write_corpus(corpus, n_docs, version=rounds,
                             only=set(rng.sample(range(n_docs), 20)))
            flags = [] if embed else ["--no-embed"]
            cmd, window = isnad(idx, "ingest", str(corpus), *flags), 2.0
        landed += _run_and_kill(cmd, idx, window, rng)
        _check_after_kill(idx, identity)
    done = subprocess.run(isnad(idx, "ingest", str(corpus), *([] if embed else ["--no-embed"])),
                          cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    _check_after_kill(idx, identity)
    clean = open_lexical(tmp_path / "clean", identity)
    clean.ingest([corpus], embed=False)
    resumed = open_lexical(idx, identity)
    assert index_content(resumed.store) == index_content(clean.store)
    assert resumed.store.counts()["reports"] == n_docs
    return landed


@pytest.mark.parametrize("kills", [10, pytest.param(50, marks=pytest.mark.slow)])
def test_random_kills_during_ingest_and_remove(tmp_path: Path, identity: tuple[str, int],
                                               kills: int) -> None:
    assert crash_loop(tmp_path, identity, kills, seed=kills) == kills


@pytest.mark.slow
def test_kills_during_embedding_with_the_real_model(tmp_path: Path,
                                                    identity: tuple[str, int]) -> None:
    corpus, idx = tmp_path / "corpus", tmp_path / "idx"
    write_corpus(corpus, 60)
    rng = random.Random(7)
    landed = 0
    for _ in range(6):
        landed += _run_and_kill(isnad(idx, "ingest", str(corpus)), idx, 2.0, rng, "vectors")
        _check_after_kill(idx, identity)
        if landed >= 2:
            break
    assert landed >= 1 and 0 < _vectors(idx)
    done = subprocess.run(isnad(idx, "ingest", str(corpus)), cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    asst = Assistant.open(idx)
    counts = asst.store.counts()
    assert counts["reports"] == 60 and counts["pending_chunks"] == 0
    distinct = asst.store.conn().execute(
        "SELECT COUNT(DISTINCT text_hash) FROM chunks").fetchone()[0]
    assert counts["vectors"] == distinct
    assert asst.store.vectors.ntotal == counts["chunks"] and asst.store.verify().ok
    hits = asst.search("shelling at the market of zq0042", k=3, mode="dense")
    assert hits and all(asst.get_text(h.doc_id)[h.start:h.end] == h.text for h in hits)


# -- observability -------------------------------------------------------------------------------
def _json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_question_log_has_timings_but_no_text_or_secrets(tmp_path: Path,
                                                          identity: tuple[str, int]) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 10)
    asst = open_lexical(tmp_path / "idx", identity)
    asst.ingest([corpus], embed=False)
    stream = io.StringIO()
    logger = setup_logging(logging.INFO, stream)
    question = "How many civilians were killed at the market of zq0003?"
    answer = observed_ask(asst, logger, question, user="amal")
    with pytest.raises(InputError):
        observed_ask(asst, logger, "bad\x00question")
    ok, failed = _json_lines(stream)
    assert ok["event"] == "question" and ok["level"] == "info" and ok["user"] == "amal"
    assert ok["question_len"] == len(question) and ok["lang"] == "en"
    assert ok["found"] == answer.found and set(ok["timings_ms"]) >= {"retrieve", "answer"}
    assert failed["level"] == "warning" and failed["error"]["type"] == "InputError"
    assert "zq0003" not in stream.getvalue() and "market" not in stream.getvalue()
    logger.setLevel(logging.DEBUG)
    observed_ask(asst, logger, question)
    assert any(r.get("question") == question for r in _json_lines(stream))


def test_secrets_are_redacted_from_log_lines() -> None:
    stream = io.StringIO()
    logger = setup_logging(logging.INFO, stream)
    key = "sk-" + "A1b2C3d4" * 4
    logger.error("LLM call failed: Authorization: Bearer %s url=http://bob:hunter2@host/v1 "
                 "api_key=%s password=letmein", key, key,
                 extra={"llm_api_key": key, "settings": {"password": "letmein", "port": 1}})
    text = stream.getvalue()
    for secret in (key, "A1b2C3d4", "hunter2", "letmein"):
        assert secret not in text
    line = json.loads(text)
    assert line["llm_api_key"] == "[REDACTED]" and line["settings"]["port"] == 1
    assert redact("token: abcdefgh12345") == "token: [REDACTED]"
    try:
        raise RuntimeError(f"LLM endpoint refused api_key={key}")
    except RuntimeError:
        logger.exception("ask failed", extra={"tokens_used": 12})
    failed = json.loads(stream.getvalue().splitlines()[-1])
    assert failed["error"]["type"] == "RuntimeError" and failed["tokens_used"] == 12
    assert key not in failed["error"]["message"] and key not in failed["error"]["trace"]


def test_health_reports_the_committed_state(tmp_path: Path, identity: tuple[str, int]) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 5)
    asst = open_lexical(tmp_path / "idx", identity)
    asst.ingest([corpus], embed=False)
    status = health(asst)
    assert status["status"] == "ok" and status["counts"]["reports"] == 5
    assert status["generation"] == status["manifest_generation"] and not status["writing"]
    json.dumps(status)  # a /health route can return it as is
    other = open_lexical(tmp_path / "idx", identity)
    with asst.store.lock(), asst.store.write() as con:  # a writer mid-way, not committed
        con.execute("DELETE FROM reports")
        during = health(other)
    assert during["status"] == "ok" and during["counts"]["reports"] == 5
    other.close()
    asst.store.close()
    for path in (tmp_path / "idx").glob(DB_NAME + "*"):
        path.unlink()
    (tmp_path / "idx" / DB_NAME).write_bytes(b"not a database at all" * 100)
    broken = health(asst)
    assert broken["status"] == "error" and "DatabaseError" in broken["error"]


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "read":
    reader_process(*sys.argv[2:])
