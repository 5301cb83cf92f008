"""Reports published in two languages: the version of record is cited first, with the
quote's counterpart found by its figure; spelling variants of place names; attribution."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.question import understand
from assistant.answer.terms import Vocabulary
from assistant.answer.twins import counterpart, twin_paths
from assistant.assistant import Assistant
from assistant.config import Config
from assistant.ingest.common import ParseOptions
from assistant.ingest.parsers import parse_file
from assistant.store.folder import FolderStore
from assistant.text.arabic import sentence_spans

EN = """---
title: Market strike in Kafr Nabl
date: 2019-05-03
---

The local council kept a register of the damage in the weeks before the attack.

On 3 May 2019 an airstrike hit the market of Kafr Nabl. Twelve civilians were killed and 30 were injured, the local council said. Four shops were destroyed.

The council said 7 of the injured were children.
"""
AR = """---
title: قصف سوق كفرنبل
date: 2019-05-03
---

احتفظ المجلس المحلي بسجل للأضرار في الأسابيع التي سبقت الهجوم.

في 3 أيار 2019 استهدفت غارة جوية سوق كفرنبل. قُتل 12 مدنياً وأصيب 30 آخرون بحسب المجلس المحلي. ودُمّرت أربعة محال.

وقال المجلس إن 7 من الجرحى أطفال.
"""
Q = "How many civilians were killed in the airstrike on the Kafr Nabl market on 3 May 2019?"


@pytest.mark.parametrize("path, lang, expected", [
    ("inv/Incident-4.md", "ar", ["inv/Incident-4_ar.md", "inv/Incident-4.ar.md",
                                 "inv/Incident-4-ar.md"]),
    ("Incident-4_ar.md", "ar", []),
    ("inv/Incident-4_ar.md", "en", ["inv/Incident-4.md", "inv/Incident-4_en.md",
                                    "inv/Incident-4.en.md", "inv/Incident-4-en.md"]),
    ("notes", "ar", ["notes_ar", "notes.ar", "notes-ar"]),
])
def test_twin_paths(path, lang, expected):
    assert twin_paths(path, lang) == expected


def _index(tmp_path: Path, files: dict[str, str], record_language: str = "ar") -> Assistant:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    cfg = Config(index_dir=tmp_path / "idx", record_language=record_language)
    asst = Assistant(cfg, FolderStore(cfg.index_dir, "none", 8), None)
    asst.ingest([folder], embed=False)
    return asst


def test_answer_cites_the_arabic_version_first(tmp_path):
    asst = _index(tmp_path, {"strike.md": EN, "strike_ar.md": AR})
    a = asst.ask(Q)
    assert a.found and a.short_answer.lower().startswith("twelve")
    first, second = a.citations[:2]
    assert (first.path, second.path) == ("strike_ar.md", "strike.md")
    assert "قُتل 12 مدنياً" in first.quote and "Twelve civilians" in second.quote
    for c in a.citations:
        assert c.quote == asst.get_text(c.doc_id)[c.start:c.end]
    assert "[1] [2]" in a.answer and "English version" in a.answer
    assert len(a.citations) == 2 and "Over time" not in a.answer  # a translation: no revision
    assert all(c.ok for c in a.checks), a.checks


def test_counterpart_sits_at_the_same_place(tmp_path):
    # the Arabic version states "7" twice; the quote's translation sits at the same place
    extra = AR.replace("ودُمّرت أربعة محال.", "ودُمّرت أربعة محال و7 سيارات.")
    asst = _index(tmp_path, {"strike.md": EN, "strike_ar.md": extra})
    a = asst.ask("How many of the injured were children in the Kafr Nabl market strike?")
    assert a.found and a.citations[0].path == "strike_ar.md"
    assert "7 من الجرحى أطفال" in a.citations[0].quote


def test_no_twin_swap_when_disabled_or_filtered_out(tmp_path):
    asst = _index(tmp_path, {"strike.md": EN, "strike_ar.md": AR}, record_language="")
    assert asst.ask(Q).citations[0].path == "strike.md"
    asst.cfg = Config(index_dir=asst.cfg.index_dir)  # record language back to Arabic
    english = next(r["doc_id"] for r in asst.reports() if r["path"] == "strike.md")
    a = asst.ask(Q, doc_ids=[english])  # the user chose the English report only
    assert [c.path for c in a.citations] == ["strike.md"]


def test_no_counterpart_keeps_the_single_citation(tmp_path):
    other = AR.replace("قُتل 12 مدنياً", "قُتل عدد من المدنيين")  # the Arabic states no figure
    asst = _index(tmp_path, {"strike.md": EN, "strike_ar.md": other})
    a = asst.ask(Q)
    assert a.found and a.citations[0].path == "strike.md"


def test_place_spelled_one_letter_apart_is_the_same_place():
    vocab = Vocabulary(frozenset({"shanan", "hospit", "idlib"}))
    assert not vocab.matches(("shinan",)) and vocab.names(("shinan",))
    assert not vocab.names(("homs",)) and not vocab.names(("ariha",))


@pytest.mark.parametrize("question, words", [
    ("How many died, according to the Observatory?", ("observatori",)),
    ("What death toll did the Syrian Observatory for Human Rights give for the attack?",
     ("syrian", "observatori", "human", "right")),
    ("أي أحياء قصفت يوم الجمعة وفق المرصد السوري؟", ("مرصد", "سور")),
    ("How many civilians were killed in Ariha?", ()),
])
def test_attribution_is_parsed(question, words):
    assert understand(question).sources == words


@pytest.mark.shared
def test_counterpart_in_real_parallel_reports(shared_data):
    root = shared_data / "syrianarchive" / "collections" / "russian-airstrikes"
    en, ar = (next(iter(parse_file(root / n, n, ParseOptions())))
              for n in ("munitions-identified.md", "munitions-identified_ar.md"))
    q = understand("In how many alleged Russian airstrike incidents did the Syrian Archive "
                   "identify the use of thermobaric (vacuum) weapons?")
    at = en.text.index("130 incidents")
    from assistant.answer.extract import typed_answers
    found = next(f for f in typed_answers(q, en.text, at, at + 20) if f.key == "130")
    (s, e), twin = counterpart(q, found, at / len(en.text), ar.text, sentence_spans(ar.text))
    assert "130 حادثة" in ar.text[s:e] and twin.key == "130"



@pytest.mark.shared
def test_attributed_figure_is_preferred(shared_data):
    """Two FA-KES articles give the Qamishli toll; the question names the Observatory."""
    import csv

    from assistant.answer.evidence import answer_evidence
    from assistant.ingest.chunking import chunk_spans
    from assistant.records import Hit
    with open(shared_data / "fakes" / "FA-KES-Dataset.csv", encoding="utf-8") as f:
        rows = {r["unit_id"]: r["article_content"] for r in csv.DictReader(f)}
    texts = {d: rows[d] for d in ("1919191742", "1924058046")}  # retrieval ranked them so
    hits: list[Hit] = []
    for d, t in texts.items():
        for s, e in chunk_spans(t)[:2]:
            hits.append(Hit(rank=len(hits), doc_id=d, path="FA-KES-Dataset.csv", record=d,
                            title="", date=None, source="", url="", text=t[s:e], start=s, end=e,
                            score=0.0))
    q = ("What death toll did the Syrian Observatory for Human Rights give for the Daesh "
         "truck-bomb attack in Qamishli in late July 2016?")
    a = answer_evidence(q, hits, texts.get)
    assert a.found and a.citations[0].doc_id == "1924058046", a.answer
    assert "Observatory" in a.citations[0].quote and "48" in a.short_answer
    plain = answer_evidence(q.replace("did the Syrian Observatory for Human Rights give",
                                      "was given"), hits, texts.get)
    assert plain.citations[0].doc_id == "1919191742"  # no source named: rank decides


@pytest.mark.parametrize("a, b, same", [
    ("inv/Incident-4.md", "inv/Incident-4_ar.md", True),
    ("inv/Incident-4_ar.md", "inv/incident-4.md", True),
    ("inv/Incident-4.md", "inv/Incident-5_ar.md", False),
    ("inv/Incident-4.md", "other/Incident-4_ar.md", False),
    ("inv/Incident-4.md", "inv/Incident-4.md", False),
])
def test_same_report(a, b, same):
    from assistant.answer.twins import same_report
    assert same_report(a, b) is same
