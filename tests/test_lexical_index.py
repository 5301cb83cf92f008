"""The lexical stage of a big index (store/postings.py, store/lexical_index.py) on small
real data, with the size threshold set low: BM25 over postings segments ranks as FTS5's
bm25 does, rows committed after the segments are found at once (the tail), removed ones
never come back, a long tail becomes a segment, and the choice is recorded."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.records import NO_FILTERS, Filters
from assistant.store import lexical, lexical_index
from assistant.store.folder import FolderStore
from assistant.text.arabic import tokenize

QUERIES = ["air strikes killed civilians in Aleppo", "Douma chemical attack",
           "the Observatory said regime forces shelled", "Russian warplanes Idlib hospital",
           "ISIS fighters Raqqa", "children among the dead in Homs"]


@pytest.fixture(scope="module")
def fakes_index(shared_data, tmp_path_factory) -> Path:
    """A lexical index of the first 700 FA-KES articles (about 2,500 chunks)."""
    work = tmp_path_factory.mktemp("lex")
    src = work / "fakes.csv"
    with open(shared_data / "fakes" / "FA-KES-Dataset.csv", newline="", encoding="utf-8",
              errors="replace") as fin, open(src, "w", newline="", encoding="utf-8") as fout:
        writer = csv.writer(fout)
        for i, row in enumerate(csv.reader(fin)):
            if i > 700:
                break
            writer.writerow(row)
    asst = Assistant.open(work / "idx", embedder=_NoModel())
    asst.ingest([src], embed=False)
    asst.close()
    return work / "idx"


class _NoModel:
    model_id, dim = "none", 8


def _store(index: Path, postings_min: int) -> FolderStore:
    return FolderStore(index, "none", 8, postings_min=postings_min)


def _segments(index: Path) -> int:
    store = _store(index, 1_000)
    store.lexical.active()
    return len(store.lexical.segments)


@pytest.mark.shared
def test_postings_rank_as_fts5(fakes_index, tmp_path) -> None:
    index = tmp_path / "idx"
    shutil.copytree(fakes_index, index)
    fts, big = _store(fakes_index, 10 ** 9), _store(index, 1_000)
    big.checkpoint()
    assert big.lexical.active() and not fts.lexical.active()
    assert json.loads((index / "manifest.json").read_text())["lexical_index"]["kind"] == \
        "postings"
    assert big.chunk_count() == fts.chunk_count()
    for q in QUERIES:
        terms = tokenize(q)
        assert big.doc_freqs(terms) == fts.doc_freqs(terms)
        want, got = fts.lexical_search(terms, 20, NO_FILTERS), big.lexical_search(terms, 20,
                                                                                NO_FILTERS)
        assert [c for c, _ in got[:10]] == [c for c, _ in want[:10]], q
        # the same bm25; lengths counted by whitespace here, by FTS5's tokenizer there
        assert got[0][1] == pytest.approx(want[0][1], rel=2e-3)
    flt = Filters(since="2015-01-01")
    allowed = set(lexical.allowed_ids(fts.db, flt).tolist())
    got = big.lexical_search(tokenize(QUERIES[0]), 20, flt)
    assert got and {c for c, _ in got} <= allowed
    assert [c for c, _ in got] == [c for c, _ in fts.lexical_search(tokenize(QUERIES[0]), 20,
                                                                    flt)]


@pytest.mark.shared
def test_tail_removal_and_new_segment(fakes_index, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(lexical_index, "TAIL_ROWS", 1)
    index = tmp_path / "idx"
    shutil.copytree(fakes_index, index)
    cfg = Config(index_dir=index, lexical_postings_min=1_000)
    asst = Assistant.open(cfg=cfg, embedder=_NoModel())
    asst.store.checkpoint()
    reader = _store(index, 1_000)
    assert _segments(index) == 1
    note = tmp_path / "note.md"
    note.write_text("# Zabadani\n\nA zorbing festival in Zabadani drew crowds.", "utf-8")
    asst.store.lexical.save = lambda: None  # the writer leaves the tail as it is, first
    asst.ingest([note], embed=False)
    hits = reader.lexical_search(tokenize("zorbing festival Zabadani"), 5, NO_FILTERS)
    new = {r[0] for r in reader.conn().execute(
        "SELECT chunk_id FROM chunks c JOIN reports r USING(doc_id) WHERE r.path='note.md'")}
    assert hits and hits[0][0] in new  # the tail: searchable before any segment holds it
    del asst.store.lexical.save
    asst.store.checkpoint()  # the tail becomes a second segment
    assert _segments(index) == 2
    assert reader.lexical_search(tokenize("zorbing festival Zabadani"), 5,
                                 NO_FILTERS)[0][0] in new
    doc = asst.reports()[0]["doc_id"]
    gone = {r[0] for r in reader.conn().execute("SELECT chunk_id FROM chunks WHERE doc_id = ?",
                                                 (doc,))}
    words = tokenize(asst.report(doc).text[:300])
    assert gone & {c for c, _ in reader.lexical_search(words, 10, NO_FILTERS)}
    asst.remove(doc)
    assert not gone & {c for c, _ in reader.lexical_search(words, 50, NO_FILTERS)}
    assert reader.verify().ok


@pytest.mark.shared
def test_small_again_drops_the_segments(fakes_index, tmp_path) -> None:
    index = tmp_path / "idx"
    shutil.copytree(fakes_index, index)
    big = _store(index, 1_000)
    big.checkpoint()
    segments = sum(p.stat().st_size for p in index.glob("lexical-*/*"))
    assert segments > 200_000
    # `isnad stats` counts the segments' folders with the folder's own files
    every_file = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    assert big.describe()["disk_mb"] == round(every_file / 1e6, 1)
    small = _store(index, 10_000)
    small.checkpoint()
    assert not small.lexical.active() and not any(index.glob("lexical-*"))
    assert small.describe()["lexical_index"]["kind"] == "fts5"
