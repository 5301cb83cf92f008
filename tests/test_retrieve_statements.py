"""Retrieval of statements (pasted claims): profile choice, report-level bm25 (from the
candidate passages and from whole reports), and copies demoted below distinct passages."""

from __future__ import annotations

import os

import numpy as np
import pytest

from assistant.embed.embedders import _environ
from assistant.ingest.common import make_report
from assistant.ingest.pipeline import IngestSummary, commit_reports
from assistant.retrieval.protect import STATEMENT_KEPT_WITHIN
from assistant.retrieval.rerank import (
    FEATURES,
    STATEMENT_WEIGHTS,
    RerankWeights,
    analyse_query,
    doc_bm25,
    is_statement,
)
from assistant.retrieval.retriever import Retriever
from assistant.retrieval.terms import term_idf
from assistant.store.folder import FolderStore
from assistant.text.arabic import tokenize

CLAIM = ("قال وزير الخارجية الروسي سيرغي لافروف يوم الأربعاء إن موسكو ستواصل دعم الحكومة "
         "السورية في محادثات جنيف للسلام")


def _store(path, reports) -> FolderStore:
    store = FolderStore(path, "multilingual-e5-small", 384)
    commit_reports(store, reports, IngestSummary())
    return store


def _spread_report(seed_text: str) -> str:
    """A report whose passages each hold a part of ``CLAIM``, between long seed paragraphs."""
    filler = [p for p in seed_text.split("\n\n") if len(p) > 300]
    parts = ["أعلن وزير الخارجية الروسي سيرغي لافروف يوم الأربعاء موقف بلاده.",
             "وأكد لافروف أن موسكو ستواصل دعم الحكومة السورية.",
             "وتطرق إلى محادثات جنيف للسلام التي ترعاها الأمم المتحدة."]
    return "\n\n".join(f"{p}\n\n{f}" for p, f in zip(parts, filler, strict=False))


def test_statements_and_questions_are_told_apart():
    assert is_statement(CLAIM)
    assert is_statement("ما لا يقل عن 800 مدني قتلوا في غارات نفذها التحالف في العراق وسوريا "
                        "منذ بدء عملية العزم الصلب عام 2014")
    assert not is_statement("ما هي الدول التي تحد موريتانيا؟")
    assert not is_statement("كم عدد القتلى في غارات التحالف على الرقة في شهر آب 2017")
    assert not is_statement("How many civilians did the coalition kill in Raqqa in August 2017")
    assert not is_statement("لافروف جنيف")  # too short to be a claim: a keyword search


def test_doc_bm25_rewards_coverage_and_penalises_length():
    lavrov, moscow, geneva = tokenize("لافروف موسكو جنيف")
    q = analyse_query("لافروف موسكو جنيف", {lavrov: 3.0, moscow: 2.0, geneva: 2.0})
    covers_all = {lavrov: 1, moscow: 1, geneva: 1}
    repeats_one = {lavrov: 6, "other": 9}  # a term the query does not have counts nothing
    scores = doc_bm25(q, [covers_all, repeats_one, covers_all, {}], [100, 100, 400, 100])
    assert scores[0] > scores[1] > 0  # saturation: six mentions of one term < all three
    assert scores[0] > scores[2]  # the same counts in a longer report weigh less
    assert scores[3] == 0.0


def test_statement_is_checked_against_whole_reports(tmp_path, seed_text):
    """Report A covers the claim across its passages; report B has one short passage that
    repeats some of its words. Question weights rank B's passage first, the statement
    profile (report-level bm25) ranks A first."""
    a = _spread_report(seed_text)
    b = "وزير الخارجية يوم الأربعاء. وزير الخارجية يوم الأربعاء في جنيف."
    store = _store(tmp_path, [make_report("a.txt", a), make_report("b.txt", b)])
    assert store.conn().execute("SELECT COUNT(*) FROM chunks").fetchone()[0] >= 4
    statement = Retriever(store, None)
    assert statement.profile(CLAIM) == (statement.statement_depth, STATEMENT_WEIGHTS,
                                        STATEMENT_KEPT_WITHIN)
    assert statement.search(CLAIM, 5)[0].path == "a.txt"
    as_question = Retriever(store, None, statement_weights=RerankWeights())
    assert as_question.search(CLAIM, 5)[0].path == "b.txt"


def test_report_feature_counts_every_passage_of_the_report(tmp_path, seed_text):
    """"report" is the bm25 of each candidate's whole report, passages that are not
    candidates included; "doc" counts the candidate passages only."""
    a = _spread_report(seed_text)
    b = "قال وزير الخارجية الروسي سيرغي لافروف يوم الأربعاء."
    store = _store(tmp_path, [make_report("a.txt", a), make_report("b.txt", b)])
    # no windows: the fused top 2 only, without the first stages' protected top hits
    retriever = Retriever(store, None, kept_within=(), statement_kept_within=())
    ids, feats, _ = retriever.candidates(CLAIM, depth=2)
    con = store.conn()
    paths = [con.execute("SELECT r.path FROM chunks c JOIN reports r USING (doc_id) "
                         "WHERE c.chunk_id = ?", (c,)).fetchone()[0] for c in ids]
    assert sorted(paths) == ["a.txt", "b.txt"]  # one passage of each report
    q = analyse_query(CLAIM, term_idf(store, tokenize(CLAIM)))
    counts, lengths = [], []
    for c in ids:  # bm25 over every passage of the candidate's report, re-analysed here
        rows = con.execute("SELECT text, end - start FROM chunks WHERE doc_id = "
                           "(SELECT doc_id FROM chunks WHERE chunk_id = ?)", (c,)).fetchall()
        toks = [t for text, _ in rows for t in tokenize(text) if t in set(q.terms)]
        counts.append({t: toks.count(t) for t in set(toks)})
        lengths.append(sum(n for _, n in rows))
    want = np.array(doc_bm25(q, counts, lengths))
    report, doc = feats[:, FEATURES.index("report")], feats[:, FEATURES.index("doc")]
    assert np.allclose(report, want / want.max())
    ia, ib = paths.index("a.txt"), paths.index("b.txt")
    # Report a's other passages hold claim terms its candidate passage lacks: counted whole,
    # it gains on b (a one-passage report, the same either way).
    assert report[ia] / report[ib] > doc[ia] / doc[ib] > 0


def test_copies_sink_below_distinct_passages_and_k_cuts_one_ranking(tmp_path, seed_text):
    body = seed_text.split("\n\n", 2)[2][:600]
    reps = [make_report(f"outlet{i}.txt", f"نقلاً عن المصدر {i}: " + body) for i in range(4)]
    reps.append(make_report("other.txt", "قوات النظام تستقدم تعزيزات إلى درعا من ريف دمشق."))
    retriever = Retriever(_store(tmp_path, reps), None)
    query = "قوات النظام تستقدم تعزيزات عسكرية"
    full = [h.path for h in retriever.search(query, 10)]
    assert sorted(full) == sorted(r.path for r in reps)  # every copy is still a hit
    first = min(full.index(f"outlet{i}.txt") for i in range(4))
    copies = [full.index(f"outlet{i}.txt") for i in range(4) if full.index(f"outlet{i}.txt") != first]
    assert min(copies) > max(first, full.index("other.txt"))
    for k in (1, 2):
        assert [h.path for h in retriever.search(query, k)] == full[:k]


def test_environ_is_restored():
    assert "ISNAD_TEST_VAR" not in os.environ
    with _environ(ISNAD_TEST_VAR="x"):
        assert os.environ["ISNAD_TEST_VAR"] == "x"
    assert "ISNAD_TEST_VAR" not in os.environ
    os.environ["ISNAD_TEST_VAR"] = "user"
    try:
        with _environ(ISNAD_TEST_VAR="x"):  # a value the user set wins
            assert os.environ["ISNAD_TEST_VAR"] == "user"
        assert os.environ["ISNAD_TEST_VAR"] == "user"
    finally:
        del os.environ["ISNAD_TEST_VAR"]


@pytest.mark.parametrize("text", ["", "   "])
def test_blank_query_is_not_a_statement(text):
    assert not is_statement(text)
