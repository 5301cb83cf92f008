"""Evidence answers on real reports: the bundled SOHR seed, Syrian Archive, UnifiedFC."""

from __future__ import annotations

import json

import pytest

from assistant.answer.evidence import answer_evidence
from assistant.ingest.chunking import chunk_spans
from assistant.ingest.common import ParseOptions
from assistant.ingest.parsers import parse_file
from assistant.records import Answer, Hit
from assistant.text.arabic import segment, tokenize
from assistant.text.numbers import find_numbers


def _hits(text: str, doc_id: str, spans: list[tuple[int, int]], question: str,
          title: str = "") -> list[Hit]:
    """Hits over ``spans`` ranked by shared analysed terms (a stand-in for retrieval)."""
    terms = set(tokenize(question))
    ranked = sorted(spans, key=lambda s: -len(terms & set(tokenize(text[s[0]:s[1]]))))
    return [Hit(rank=r, doc_id=doc_id, path=f"{doc_id}.txt", record=None, title=title, date=None,
                source="", url="", text=text[s:e], start=s, end=e, score=1 / (60 + r))
            for r, (s, e) in enumerate(ranked[:10])]


def _seed_hits(seed_text: str, question: str) -> list[Hit]:
    clauses = segment(seed_text)
    chunks = [(clauses[i][0], clauses[min(i + 2, len(clauses) - 1)][1])
              for i in range(0, len(clauses), 3)]
    return _hits(seed_text, "seed", chunks, question, seed_text.split("\n")[0])


def _ask(seed_text: str, question: str, **kw) -> Answer:
    return answer_evidence(question, _seed_hits(seed_text, question), lambda _: seed_text, **kw)


def _figure(answer: Answer) -> float:
    return find_numbers(answer.short_answer)[0].value


def _assert_exact(answer: Answer, text_of) -> None:
    for c in answer.citations:
        assert c.quote == text_of(c.doc_id)[c.start:c.end]
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


@pytest.mark.parametrize("question, value", [
    ("How many regime forces were killed in 6 days?", 52),
    ("كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام؟", 52),
    ("How many Islamic State members were killed?", 35),
    ("كم عنصراً من تنظيم الدولة الإسلامية قتل؟", 35),
    ("How many Hayat Tahrir al-Sham members were killed in the clashes?", 9),
])
def test_seed_counts(seed_text, question, value):
    a = _ask(seed_text, question)
    assert a.found and a.mode == "evidence"
    assert _figure(a) == value
    assert str(value) in a.citations[0].quote
    assert "[1]" in a.answer and all(c.ok for c in a.checks)
    _assert_exact(a, lambda _: seed_text)


@pytest.mark.parametrize("question", ["Where did the reinforcements come from?",
                                      "من أين جاءت التعزيزات؟"])
def test_seed_place(seed_text, question):
    a = _ask(seed_text, question)
    assert a.found and "القلمون الشرقي" in a.short_answer
    assert "القلمون الشرقي" in a.citations[0].quote
    _assert_exact(a, lambda _: seed_text)


def test_seed_actor(seed_text):
    a = _ask(seed_text, "من الأطراف التي ما زالت تتفاوض على جدول تطبيق اتفاق جنوب دمشق؟")
    assert a.found and "ممثلين عن النظام" in a.short_answer


@pytest.mark.parametrize("question, phrase", [
    ("How many people were killed in Aleppo in 1985?", "do not state"),
    ("كم مدنياً قتل في حلب عام 1985؟", "لا تذكر"),
    ("How many children were killed in the shelling of Tal Rifaat on 2 December 2019?",
     "do not state"),
])
def test_seed_refuses_what_it_does_not_say(seed_text, question, phrase):
    a = _ask(seed_text, question)
    assert not a.found and a.short_answer is None
    assert phrase in a.answer
    assert a.citations  # the closest passages are listed, quoted exactly
    _assert_exact(a, lambda _: seed_text)


def test_min_confidence_is_honoured(seed_text):
    q = "How many regime forces were killed in 6 days?"
    assert not _ask(seed_text, q, min_confidence=0.99).found


def test_no_hits_is_a_refusal():
    a = answer_evidence("كم مدنياً قتل؟", [], lambda _: "")
    assert not a.found and "لا تذكر" in a.answer and a.citations == []


def test_without_get_text_offsets_stay_in_report_coordinates(seed_text):
    q = "How many Islamic State members were killed?"
    a = answer_evidence(q, _seed_hits(seed_text, q), None)
    assert a.found and _figure(a) == 35
    _assert_exact(a, lambda _: seed_text)


def test_followup_with_history(seed_text):
    history = [("How many regime forces were killed in 6 days?", "52")]
    q = "and how many Islamic State members?"
    a = answer_evidence(q, _seed_hits(seed_text, "Islamic State members killed"),
                        lambda _: seed_text, history=history)
    assert a.found and _figure(a) == 35


def test_conflicting_figure_in_another_report_is_flagged(seed_text):
    # The same SOHR report filed twice, the second copy as first published (an older toll).
    older = seed_text.replace("ارتفع إلى 52 على الأقل", "ارتفع إلى 47 على الأقل")
    q = "How many regime forces were killed in 6 days?"
    hits = _seed_hits(seed_text, q)[:3]
    hits += [Hit(**{**h.__dict__, "doc_id": "older", "rank": h.rank + 3}) for h in
             _seed_hits(older, q)[:3]]
    a = answer_evidence(q, hits, lambda d: older if d == "older" else seed_text)
    assert _figure(a) == 52
    assert any(c.doc_id == "older" and "47" in c.quote for c in a.citations)
    assert "different" in a.answer
    _assert_exact(a, lambda d: older if d == "older" else seed_text)


# ------------------------------------------------------------- shared data
def _report(path, rel):
    return next(r for r in parse_file(path, rel, ParseOptions()) if hasattr(r, "text"))


@pytest.mark.shared
@pytest.mark.parametrize("question, accepted", [
    ("كم غارة جوية ضربت مستشفى شنان للأطفال والنسائية في ريف إدلب يوم 17 نيسان/أبريل 2017؟", 3),
    ("How many hospital staff and patients were injured in the 17 April 2017 airstrikes on the "
     "Shinan hospital in Idlib?", 5),
])
def test_fact_sheet_counts(shared_data, question, accepted):
    rel = "investigations/Medical-Facilities-Under-Fire/Incident-4_ar.md"
    report = _report(shared_data / "syrianarchive" / rel, rel)
    hits = _hits(report.text, report.doc_id, chunk_spans(report.text), question, report.title)
    a = answer_evidence(question, hits, lambda _: report.text)
    assert a.found and _figure(a) == accepted
    _assert_exact(a, lambda _: report.text)


@pytest.mark.shared
def test_fact_sheet_time(shared_data):
    rel = "investigations/Medical-Facilities-Under-Fire/Incident-6_ar.md"
    report = _report(shared_data / "syrianarchive" / rel, rel)
    q = "في أي ساعة استُهدف مستشفى كفرتخاريم في 25 نيسان/أبريل 2017؟"
    a = answer_evidence(q, _hits(report.text, report.doc_id, chunk_spans(report.text), q,
                                 report.title), lambda _: report.text)
    assert a.found and "02:00" in a.short_answer


@pytest.mark.shared
def test_number_word_attached_to_counted_noun(shared_data):
    with open(shared_data / "unifiedfc" / "articles.jsonl", encoding="utf-8") as f:
        text = next(json.loads(line)["text"] for line in f if "03b9ebab43ed5333" in line)
    spans = chunk_spans(text)
    for q, value in [("كم مدنياً قتل بعد اصطدام حافلة بقنبلة في مقاطعة فرح؟", 8),
                     ("كم شخصاً أصيب عندما اصطدمت حافلة بقنبلة في مقاطعة فرح؟", 20)]:
        a = answer_evidence(q, _hits(text, "art", spans, q), lambda _: text)
        assert a.found and _figure(a) == value, a.answer
        _assert_exact(a, lambda _: text)


@pytest.mark.shared
def test_a_short_article_is_read_whole_for_a_figure(shared_data):
    """FA-KES 1923848184: retrieval finds the article's opening passage; the toll it is
    asked for sits three paragraphs later ("More than 35 homes were destroyed")."""
    path = shared_data / "fakes" / "FA-KES-Dataset.csv"
    report = next(r for r in parse_file(path, path.name, ParseOptions())
                  if getattr(r, "record", None) == "1923848184")
    question = ("How many homes were destroyed by the regime missile that hit the Maghayir "
                "district of Aleppo's old quarter on 21 July 2015, according to the Observatory?")
    first = chunk_spans(report.text)[0]
    hits = _hits(report.text, "fakes", [first], question, report.title)
    far = report.text.index("More than 35 homes")
    assert far > first[1] + 200  # not in the chunk, nor in a clause next to it
    a = answer_evidence(question, hits, lambda _: report.text)
    assert a.found and _figure(a) == 35
    assert a.citations[0].start <= far < a.citations[0].end
    _assert_exact(a, lambda _: report.text)
    # an open question is still answered from the passage retrieval found and its neighbours
    b = answer_evidence("Who fired the missile on the Maghayir district?", hits,
                        lambda _: report.text)
    assert all(c.start < first[1] + 400 for c in b.citations)
