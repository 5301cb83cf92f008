"""The store contract (``store/base.py``): what retrieval, answers, figures and ingest read
and write, checked on both stores alike: the index folder and a Milvus namespace (on a
``milvus-lite server`` the session starts)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from conftest import open_test_store

from assistant.errors import IndexLockedError
from assistant.ingest.common import make_report
from assistant.ingest.pipeline import IngestSummary, commit_reports
from assistant.records import NO_FILTERS, Filters
from assistant.store.base import Exportable, FigureQuery, Store
from assistant.text.arabic import tokenize

DIM = 8
REPORTS = [
    make_report("sohr/a.txt", "قتل 3 مدنيين في قصف على بلدة كفرنبل بريف إدلب. وأصيب 12 آخرون.",
                title="قصف كفرنبل", date="2019-03-01", source="SOHR"),
    make_report("sohr/b.txt", "أصيب 52 شخصاً بجروح في انفجار بمدينة إدلب صباح اليوم.",
                date="2019-06-10", source="SOHR"),
    make_report("news.csv", "At least 7 civilians were killed in an air strike on Idlib.",
                title="Strike on Idlib", date="2020-01-05", source="Reuters", record="r1"),
    make_report("news.csv", "Government forces sent reinforcements to Daraa.",
                title="Reinforcements", source="Reuters", record="r2"),  # no date
]


def vector(text_hash: str) -> np.ndarray:
    """A fixed unit vector per chunk text (no model is run)."""
    seed = int(hashlib.sha1(text_hash.encode()).hexdigest()[:8], 16)
    vec = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vec / np.linalg.norm(vec)


def embed_all(store: Store) -> int:
    hashes = [h for h, _, _ in store.pending_texts()]
    if hashes:
        store.put_vectors(hashes, np.stack([vector(h) for h in hashes]))
    return len(hashes)


@pytest.fixture
def store(store_kind, request, tmp_path):
    opened = open_test_store(store_kind, request, tmp_path / "idx", "none", DIM)
    yield opened
    opened.close()


@pytest.fixture
def filled(store):
    summary = IngestSummary()
    commit_reports(store, REPORTS, summary)
    assert (summary.added, summary.unchanged) == (4, 0)
    return store


def _doc(store: Store, ids: list[int]) -> list[str]:
    found = store.passages(ids)
    return [found[i].doc_id for i in ids]


def test_store_implements_every_protocol(store):
    assert isinstance(store, Store) and isinstance(store, Exportable)


def test_writes_report_statuses_counts_and_reports(filled):
    again = IngestSummary()
    commit_reports(filled, REPORTS, again)
    assert (again.added, again.unchanged) == (0, 4)
    counts = filled.counts()
    assert counts["reports"] == 4 and counts["chunks"] == filled.chunk_count() >= 4
    assert counts["pending_chunks"] == counts["chunks"] and counts["figures"] >= 2
    for rep in REPORTS:
        assert filled.report(rep.doc_id) == rep
    assert filled.report("nope") is None
    assert filled.stored_hashes([REPORTS[0].doc_id, "nope"]) == {
        REPORTS[0].doc_id: REPORTS[0].content_hash}
    listing = filled.report_list()
    assert [(r["path"], r["record"]) for r in listing] == [
        ("news.csv", "r1"), ("news.csv", "r2"), ("sohr/a.txt", None), ("sohr/b.txt", None)]
    assert sum(r["chunks"] for r in listing) == counts["chunks"]


def test_lexical_search_filters_inside_the_search(filled):
    terms = tokenize("قتل مدنيين إدلب")
    ranked = filled.lexical_search(terms, 10, NO_FILTERS)
    assert _doc(filled, [c for c, _ in ranked])[0] == REPORTS[0].doc_id
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    assert filled.doc_freqs(terms) == {"قتل": 1, "مدني": 1, "ادلب": 2}
    only_b = filled.lexical_search(terms, 10, Filters(since="2019-06-01"))
    assert _doc(filled, [c for c, _ in only_b]) == [REPORTS[1].doc_id]
    undated = filled.lexical_search(tokenize("reinforcements"), 10, Filters(until="2030-01-01"))
    assert undated == []  # a report without a date never passes a date bound
    english = filled.lexical_search(tokenize("idlib strike"), 10,
                                    Filters(sources=("Reuters",), language="en"))
    assert _doc(filled, [c for c, _ in english]) == [REPORTS[2].doc_id]
    by_doc = filled.lexical_search(terms, 10, Filters(doc_ids=(REPORTS[1].doc_id,)))
    assert _doc(filled, [c for c, _ in by_doc]) == [REPORTS[1].doc_id]


def test_dense_search_sees_only_embedded_chunks(filled):
    query = vector(next(h for h, _, _ in filled.pending_texts()))
    assert filled.dense_search(query, 5, NO_FILTERS) == []
    assert embed_all(filled) == filled.counts()["chunks"]
    assert filled.counts()["pending_chunks"] == 0
    ranked = filled.dense_search(query, 3, NO_FILTERS)
    assert ranked[0][1] == pytest.approx(1.0, abs=1e-4)
    vecs = filled.chunk_vectors([c for c, _ in ranked])
    assert [float(vecs[c] @ query) for c, _ in ranked] == pytest.approx([s for _, s in ranked],
                                                                         abs=1e-4)
    dated = filled.dense_search(query, 10, Filters(since="2019-05-01", until="2019-12-31"))
    assert set(_doc(filled, [c for c, _ in dated])) == {REPORTS[1].doc_id}


def test_per_chunk_reads_agree_with_the_reports(filled):
    ids = [c for c, _ in filled.lexical_search(tokenize("إدلب idlib"), 10, NO_FILTERS)]
    hits = filled.passages(ids)
    tokens, langs, lengths = (filled.chunk_tokens(ids), filled.chunk_languages(ids),
                              filled.report_lengths(ids))
    for cid in ids:
        hit = hits[cid]
        rep = filled.report(hit.doc_id)
        assert rep.text[hit.start:hit.end] == hit.text and hit.chunk_id == cid
        assert (hit.path, hit.record, hit.date, hit.source) == (rep.path, rep.record, rep.date,
                                                                rep.source)
        assert langs[cid] == rep.language and lengths[cid] == (rep.doc_id, len(rep.text))
        assert set(tokenize(hit.text)) <= set(tokens[cid])
    owners, passages = filled.report_tokens([REPORTS[0].doc_id])
    assert owners == [REPORTS[0].doc_id] and tokenize("كفرنبل")[0] in passages[0]


def test_find_report_and_figures(filled):
    rep = REPORTS[2]
    assert filled.find_report(["news.csv"], "r1", "en", NO_FILTERS) == rep
    assert filled.find_report(["news.csv"], "r1", "ar", NO_FILTERS) is None
    assert filled.find_report(["news.csv"], "r1", "en", Filters(since="2021-01-01")) is None
    figs = filled.figures(FigureQuery())
    assert figs and all(filled.report(f.doc_id).text[f.start:f.end] == f.quote for f in figs)
    dates = [f.date for f in figs]
    assert dates == sorted(d for d in dates if d) + [None] * dates.count(None)
    killed = filled.figures(FigureQuery(category="killed", sources=("SOHR",)))
    assert {f.value for f in killed} == {3.0}
    assert filled.figures(FigureQuery(doc_ids=(REPORTS[1].doc_id,)))[0].value == 52.0


def test_replace_and_remove_leave_nothing_behind(filled):
    before = filled.generation()
    new = make_report("sohr/a.txt", "تقرير معدل: قتل 99 مدنيا في حلب.", date="2019-03-01",
                      source="SOHR")
    summary = IngestSummary()
    commit_reports(filled, [new], summary)
    assert summary.updated == 1 and filled.generation() > before
    assert filled.report(new.doc_id).text == new.text
    assert filled.doc_freqs(tokenize("كفرنبل حلب")) == {tokenize("حلب")[0]: 1}
    assert not filled.lexical_search(tokenize("كفرنبل"), 10, NO_FILTERS)
    assert {f.value for f in filled.figures(FigureQuery(doc_ids=(new.doc_id,)))} == {99.0}
    assert sorted(filled.remove("news.csv")) == sorted([REPORTS[2].doc_id, REPORTS[3].doc_id])
    assert filled.remove("nope") == []
    assert filled.counts()["reports"] == 2
    assert not filled.lexical_search(tokenize("idlib reinforcements"), 10, NO_FILTERS)
    assert filled.chunk_count() == filled.counts()["chunks"]
    filled.checkpoint()
    report = filled.verify()
    assert report.ok, report.problems


def test_writer_lock_refuses_a_second_writer(store_kind, request, tmp_path):
    first = open_test_store(store_kind, request, tmp_path / "idx", "none", DIM)
    location = tmp_path / "idx" if store_kind == "folder" else first.uri
    second = (type(first)(location, "none", DIM))
    with first.lock():
        with pytest.raises(IndexLockedError, match="another"):
            second.lock(wait=0.3)
    second.lock(wait=5).release()
    first.close()
    second.close()
