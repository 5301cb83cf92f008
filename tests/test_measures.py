"""Measure questions: a number with the unit asked for (``answer/measures.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.measures import measure_answers, measure_kind
from assistant.answer.question import understand
from assistant.assistant import Assistant
from assistant.config import Config
from assistant.store.folder import FolderStore


@pytest.mark.parametrize("question, kind", [
    ("ما عمق الحفرة التي خلفتها الغارة؟", "length"),
    ("How deep was the crater?", "length"),
    ("كم نسبة الدمار في المشفى؟", "percent"),
    ("How old were the victims?", "age"),
    ("ما مدة السجن التي حكم بها؟", "duration"),
    ("ما رقم القرار؟", "number"),
])
def test_a_question_for_a_quantity_is_a_measure_question(question, kind):
    assert understand(question).qtype == "measure" and measure_kind(question) == kind


@pytest.mark.parametrize("question", ["How many people were killed?", "كم عدد الغارات؟"])
def test_a_count_stays_a_count(question):
    assert understand(question).qtype == "count"


@pytest.mark.parametrize("kind, text, answer", [
    ("length", "وإحداث حفرة بعمق 10 أمتار.", "10 أمتار"),
    ("percent", "بلغت نسبة الدمار أكثر من ٦٠٪ من المبنى", "٦٠٪"),
    ("duration", "وعلى مدير الشركة بالسجن لمدة 12 شهراً نافذة", "12 شهراً"),
    ("age", "young men aged 18 to 25 were killed", "18 to 25"),
])
def test_the_number_with_the_unit_asked_is_the_answer(kind, text, answer):
    found = measure_answers(kind, text, 0, len(text))
    assert found and found[0].text == answer and text[found[0].start:found[0].end] == answer


def test_a_number_with_another_unit_is_not_the_answer():
    text = "the crater was 10 meters deep and 3 people were injured over 2 days"
    assert [f.text for f in measure_answers("length", text, 0, len(text))] == ["10 meters"]


def test_a_measure_answer_is_cited_from_the_report(tmp_path):
    report = tmp_path / "crater.txt"
    report.write_text("Strike on Zardana\nOn 8 June 2018 an airstrike hit a residential "
                      "neighbourhood of Zardana, leaving a crater 10 metres deep; 17 people "
                      "were killed, among them 5 children.", encoding="utf-8")
    cfg = Config(index_dir=tmp_path / "idx")
    asst = Assistant(cfg, FolderStore(cfg.index_dir, "none", 8), None)
    asst.ingest([Path(report)], embed=False)
    ans = asst.ask("How deep was the crater left by the airstrike on Zardana?")
    assert ans.found and ans.short_answer == "10 metres"
    assert "10 metres" in ans.citations[0].quote
