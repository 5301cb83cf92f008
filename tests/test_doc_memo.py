"""The process-wide memo of report analysis: bounded, keyed by text, same answers."""

from __future__ import annotations

from assistant.answer import state as answer_state
from assistant.answer.doc_memo import ReportMemo
from assistant.answer.evidence import answer_evidence
from assistant.records import Hit
from assistant.text.arabic import segment


def test_memo_computes_each_key_once_per_text():
    memo, calls = ReportMemo(), []
    for _ in range(3):
        value = memo.of("نص التقرير").get("spans", lambda: calls.append(1) or [(0, 3)])
    assert value == [(0, 3)] and calls == [1]
    # another text (a re-ingested report with new text) is analysed afresh
    assert memo.of("نص آخر").get("spans", lambda: [(0, 2)]) == [(0, 2)]


def test_memo_is_bounded_by_reports_and_characters():
    memo = ReportMemo(max_reports=3, max_chars=10_000)
    for i in range(5):
        memo.of(f"report {i}")
    assert len(memo) == 3
    memo.of("report 2")  # used again: now the most recent
    memo.of("report 5")
    assert memo.of("report 2").get("k", lambda: "recomputed") == "recomputed"
    big = ReportMemo(max_reports=100, max_chars=50)
    for i in range(4):
        big.of(str(i) * 20)
    assert len(big) == 2  # 40 chars kept; a third 20-char text would pass 50


def _seed_hits(text: str) -> list[Hit]:
    spans = segment(text)
    return [Hit(rank=i, doc_id="seed", path="seed.txt", record=None, title=text.split("\n")[0],
                date=None, source="", url="", text=text[s:e], start=s, end=e, score=1.0)
            for i, (s, e) in enumerate(spans[:10])]


def test_answers_with_a_warm_memo_equal_answers_with_a_cold_one(seed_text, monkeypatch):
    question = "كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام؟"
    hits = _seed_hits(seed_text)
    monkeypatch.setattr(answer_state, "MEMO", ReportMemo())
    cold = answer_evidence(question, hits, lambda _: seed_text)
    warm = answer_evidence(question, hits, lambda _: seed_text)
    fresh = answer_state.Docs(lambda _: seed_text, ReportMemo())
    assert warm == cold and len(answer_state.MEMO) == 1  # the seed, analysed once
    assert fresh.spans(hits[0]) == segment(seed_text)


def test_vocabulary_matches_like_the_per_term_matcher(seed_text):
    from assistant.answer.extract import terms
    from assistant.answer.question import concept_forms
    from assistant.answer.terms import Vocabulary, form_matcher

    vocab = terms(seed_text)
    index = Vocabulary(vocab)
    probes = sorted(vocab)[::7] + ["دمشق", "القلمون", "حلب", "قتل", "يقتل", "52", "5", "حمص",
                                   "killed", "regime", "مستشفى", "غارات", "xyzw", "تنظيم"]
    agree = {p: index.matches(concept_forms(p)) == any(map(form_matcher(concept_forms(p)), vocab))
             for p in probes}
    assert all(agree.values()), [p for p, ok in agree.items() if not ok]
    assert index.matches(concept_forms("دمشق")) and not index.matches(("xyzw",))


class _CountingEmbedder:
    model_id, dim = "count", 2

    def __init__(self):
        self.calls = 0

    def embed_query(self, text):
        import numpy as np

        self.calls += 1
        return np.array([len(text), 1.0], dtype=np.float32)

    def embed_passages(self, texts):
        raise AssertionError("not used")


def test_query_memo_embeds_each_query_once_and_stays_bounded():
    from assistant.embed.embedders import QueryMemo

    inner = _CountingEmbedder()
    memo = QueryMemo(inner, size=2)
    first = memo.embed_query("كم قتيلاً؟")
    assert memo.embed_query("كم قتيلاً؟") is first and inner.calls == 1
    assert not first.flags.writeable  # shared: nobody may change it in place
    memo.embed_query("b")
    memo.embed_query("c")  # evicts the Arabic question (least recently used)
    memo.embed_query("كم قتيلاً؟")
    assert inner.calls == 4 and (memo.model_id, memo.dim) == ("count", 2)
