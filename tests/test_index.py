"""Ingestion and the persistent index: offsets, incremental re-ingest, removal,
model mismatch, crash-and-resume, bad files, and an end-to-end seed ingest."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import open_test_store

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.errors import IndexLockedError, ModelMismatchError, NotFoundError
from assistant.ingest.chunking import chunk_spans
from assistant.ingest.parsers import ParseOptions, parse_file
from assistant.ingest.pipeline import IngestSummary, commit_reports
from assistant.store.folder import FolderStore
from assistant.store.lexical_rows import lexical_tokens
from assistant.text.arabic import ANALYSER_VERSION

ROOT = Path(__file__).resolve().parents[1]


class NoEmbedder:
    """Identity of an embedder for lexical-only stores (no model is run)."""

    model_id = "none"
    dim = 8


def lexical_store(tmp_path: Path) -> FolderStore:
    return FolderStore(tmp_path / "idx", NoEmbedder.model_id, NoEmbedder.dim)


def _write_corpus(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"r{i:04d}.txt").write_text(
            f"تقرير رقم {i}\n\nقتل {i + 3} مدنيين في قصف على بلدة رقم {i}، حيث استهدفت "
            f"الطائرات الحربية السوق. وأصيب {i + 10} آخرون.\n", encoding="utf-8")


def test_chunk_offsets_hold_for_seed(seed_text: str) -> None:
    spans = chunk_spans(seed_text, 700)
    assert spans and all(0 <= s < e <= len(seed_text) for s, e in spans)
    assert all(e - s <= 700 for s, e in spans)
    # chunks are in order and do not overlap
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    # every word of the report is inside some chunk
    covered = " ".join(seed_text[s:e] for s, e in spans)
    assert len(covered.split()) == len(seed_text.split())


def test_offsets_property_in_store(tmp_path: Path, seed_path: Path) -> None:
    store = lexical_store(tmp_path)
    reports = list(parse_file(seed_path, seed_path.name, ParseOptions()))
    commit_reports(store, reports, IngestSummary())
    rows = store.conn().execute(
        "SELECT r.text, c.start, c.end, c.text FROM chunks c JOIN reports r USING(doc_id)")
    n = 0
    for text, start, end, chunk in rows:
        assert text[start:end] == chunk
        n += 1
    assert n >= 5
    assert store.verify().ok


def test_incremental_reingest_and_update(store_kind, request, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, 5)
    cfg = Config(index_dir=tmp_path / "idx")
    asst = Assistant(cfg, open_test_store(store_kind, request, tmp_path / "idx", "none", 8),
                     None)
    first = asst.ingest([corpus], embed=False)
    assert (first.added, first.unchanged) == (5, 0)
    again = asst.ingest([corpus], embed=False)
    assert (again.added, again.updated, again.unchanged, again.chunks) == (0, 0, 5, 0)
    (corpus / "r0002.txt").write_text("تقرير معدل\n\nقتل 99 مدنيا في حلب.\n", encoding="utf-8")
    third = asst.ingest([corpus], embed=False)
    assert (third.added, third.updated, third.unchanged) == (0, 1, 4)
    hits = asst.search("99 مدنيا حلب", k=3, mode="lexical")
    assert hits[0].path == "r0002.txt" and "99" in hits[0].text
    old = asst.search("قتل 5 مدنيين", k=20, mode="lexical")
    # the old chunks of the file are gone, only the new text remains
    assert all("5 مدنيين" not in h.text for h in old if h.path == "r0002.txt")
    assert any(h.path == "r0003.txt" and "6 مدنيين" in h.text for h in old)


def test_remove_by_doc_id_and_path(store_kind, request, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, 3)
    asst = Assistant(Config(index_dir=tmp_path / "idx"),
                     open_test_store(store_kind, request, tmp_path / "idx", "none", 8), None)
    asst.ingest([corpus], embed=False)
    doc = asst.reports()[0]["doc_id"]
    assert asst.remove(doc) == [doc]
    assert asst.remove("r0001.txt")
    assert [r["path"] for r in asst.reports()] == ["r0002.txt"]
    with pytest.raises(NotFoundError):
        asst.remove("nope.txt")
    counts = asst.store.counts()
    assert counts["reports"] == 1 and counts["chunks"] == len(asst.search("تقرير", mode="lexical"))
    assert asst.store.verify().ok


def test_bad_files_are_skipped_and_index_untouched(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, 2)
    asst = Assistant(Config(index_dir=tmp_path / "idx"), lexical_store(tmp_path), None)
    asst.ingest([corpus], embed=False)
    before = asst.store.counts()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("", encoding="utf-8")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 50)
    (bad / "good.md").write_text("---\ntitle: جيد\ndate: 2017-12-20\n---\nقتل 4 أشخاص.\n",
                                 encoding="utf-8")
    summary = asst.ingest([bad], embed=False)
    reasons = dict(summary.skipped)
    assert set(reasons) == {"empty.txt", "binary.txt"} and all(reasons.values())
    assert summary.added == 1
    after = asst.store.counts()
    assert after["reports"] == before["reports"] + 1
    assert asst.store.verify().ok


def test_writer_lock_is_free_again_after_its_with_block(tmp_path: Path) -> None:
    store = lexical_store(tmp_path)
    with store.lock() as held:
        with pytest.raises(IndexLockedError):
            FolderStore(tmp_path / "idx", "none", 8).lock(wait=0)
    other = FolderStore(tmp_path / "idx", "none", 8).lock(wait=0)  # held is still referenced
    other.release()
    assert held is not None


def test_writer_lock_refuses_second_writer(tmp_path: Path) -> None:
    store = lexical_store(tmp_path)
    held = store.lock()
    try:
        with pytest.raises(IndexLockedError, match="another Isnad process"):
            FolderStore(tmp_path / "idx", "none", 8).lock(wait=0.2)
    finally:
        held.release()


def test_kill_during_ingest_then_resume(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, 1000)
    idx = tmp_path / "idx"
    cmd = [sys.executable, "-m", "assistant.cli", "--index", str(idx), "ingest", str(corpus),
           "--no-embed"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        if _count(idx, "reports") > 0:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = _count(idx, "reports")
    assert 0 < killed_at < 1000, "the kill should land in the middle of the ingest"
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    assert _count(idx, "reports") == 1000
    con = sqlite3.connect(idx / "isnad.sqlite")
    dupes = con.execute("SELECT COUNT(*) FROM (SELECT doc_id, start FROM chunks "
                        "GROUP BY doc_id, start HAVING COUNT(*) > 1)").fetchone()[0]
    assert dupes == 0
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "--index", str(idx),
                          "verify"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout


def _count(idx: Path, table: str) -> int:
    if not (idx / "isnad.sqlite").exists():
        return 0
    try:
        con = sqlite3.connect(idx / "isnad.sqlite", timeout=5)
        return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_repair_rebuilds_lexical_rows(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, 3)
    store = lexical_store(tmp_path)
    Assistant(Config(index_dir=store.dir), store, None).ingest([corpus], embed=False)
    with store.write() as con:
        con.execute("DELETE FROM chunks_fts")
    broken = store.verify()
    assert not broken.ok and "lexical index" in broken.problems[0]
    assert store.repair().ok


def _age_lexical_rows(store: FolderStore, drop_key: bool) -> None:
    """Make the index look built by analyser 1 (ئ → ي, ؤ → و): its rows and its meta."""
    with store.write() as con:
        rows = con.execute("SELECT c.chunk_id, c.text, r.title, c.start = 0 FROM chunks c "
                           "JOIN reports r USING(doc_id)").fetchall()
        old = str.maketrans({"ئ": "ي", "ؤ": "و"})
        con.execute("DELETE FROM chunks_fts")
        con.executemany("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)",
                        [(c, lexical_tokens(title.translate(old), text.translate(old), first))
                         for c, text, title, first in rows])
        if drop_key:  # an index from before the analyser was versioned
            con.execute("DELETE FROM meta WHERE key = 'analyser'")
        else:
            con.execute("UPDATE meta SET value = '1' WHERE key = 'analyser'")


@pytest.mark.parametrize("drop_key", [True, False])
def test_an_index_of_an_older_analyser_is_re_analysed_on_open(tmp_path: Path, drop_key: bool,
                                                               caplog) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("بيان\n\nقال مسئول في الدفاع المدني إن القصف استهدف السوق.\n",
                                  encoding="utf-8")
    store = lexical_store(tmp_path)
    Assistant(Config(index_dir=store.dir), store, None).ingest([corpus], embed=False)
    assert store.analyser() == ANALYSER_VERSION
    _age_lexical_rows(store, drop_key)

    def finds(st: FolderStore) -> bool:
        return bool(Assistant(Config(index_dir=st.dir), st, None).search("مسؤول", k=3))

    assert not finds(store)  # the stale rows spell the word another way
    assert any("analyser 1" in n for n in store.verify().notes)
    held = store.lock()  # another writer: the open searches as it is and re-analyses later
    try:
        with caplog.at_level("WARNING", logger="isnad.store"):
            busy = FolderStore(store.dir, "none", 8)
        assert busy.analyser() == 1 and "another process writes" in caplog.text
        assert Assistant(Config(index_dir=busy.dir), busy, None).search("القصف", k=3)
    finally:
        held.release()
    fresh = FolderStore(store.dir, "none", 8)
    assert fresh.analyser() == ANALYSER_VERSION and finds(fresh)
    report = fresh.verify()
    assert report.ok and not any("analyser" in n for n in report.notes)
    assert json.loads((store.dir / "manifest.json").read_text())["analyser"] == ANALYSER_VERSION


def test_end_to_end_seed_with_default_embedder(tmp_path: Path, seed_path: Path) -> None:
    asst = Assistant.open(tmp_path / "idx")
    summary = asst.ingest([seed_path])
    assert summary.added == 1 and summary.embedded == summary.chunks > 0
    stats = asst.stats()
    assert stats["model_id"] == "multilingual-e5-small" and stats["faiss"] == stats["chunks"]
    hits = asst.search("where did the regime reinforcements come from?", k=3, mode="dense")
    assert any("القلمون الشرقي" in h.text for h in hits)
    man = (tmp_path / "idx" / "manifest.json").read_text(encoding="utf-8")
    assert '"model_id": "multilingual-e5-small"' in man
    asst.close()
    # Opening the same index with another model is a clear error, not silent garbage.
    with pytest.raises(ModelMismatchError, match="multilingual-e5-small"):
        Assistant.open(tmp_path / "idx", cfg=Config(embedder="st:all-MiniLM-L6-v2"))
