"""Question typing, target terms and follow-up resolution (Arabic and English)."""

from __future__ import annotations

import pytest

from assistant.answer.followup import is_elliptic, resolve_followup
from assistant.answer.question import term_matches, understand


@pytest.mark.parametrize("text, qtype", [
    ("كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام؟", "count"),
    ("ما عدد البراميل المتفجرة التي سقطت على مدينة حلب؟", "count"),
    ("كم غارة جوية ضربت مستشفى شنان؟", "count"),
    ("How many regime forces were killed in 6 days?", "count"),
    ("What death toll did the Syrian Observatory give for the Qamishli attack?", "count"),
    ("متى قصف مشفى الأورينت؟", "date"),
    ("في أي يوم من تشرين الأول 2015 دُمّر الجامع؟", "date"),
    ("When was the Kafranbel hospital bombed?", "date"),
    ("في أي ساعة استُهدف مستشفى كفرتخاريم؟", "time"),
    ("What time did the strike on the hospital happen?", "time"),
    ("من أين جاءت التعزيزات العسكرية؟", "place"),
    ("أي أحياء جنوب دمشق قصفتها قوات النظام؟", "place"),
    ("Where did the reinforcements come from?", "place"),
    ("من الأطراف التي ما زالت تتفاوض على الاتفاق؟", "actor"),
    ("Who is negotiating the agreement in south Damascus?", "actor"),
    ("Which group claimed the truck bomb in Qamishli?", "actor"),
    ("بأي سلاح قُصف المستشفى؟", "weapon"),
    ("Which weapons were used against the hospital?", "weapon"),
    ("Describe the situation in the Yarmouk camp.", "other"),
])
def test_question_type(text, qtype):
    assert understand(text).qtype == qtype


def test_language_and_terms_en():
    q = understand("How many regime forces were killed in 6 days?")
    assert q.lang == "en"
    # who is counted is an actor, matched by id whatever its spelling ("قوات النظام")
    regime = next(e for e in q.entities if e.kind == "actor")
    assert regime.ids == {"regime"} and "regim" not in q.key_terms
    assert any(term_matches("قتلوا", f) for f in q.event_terms)
    assert q.numbers == (6.0,)


def test_target_terms_ar_tanween():
    q = understand("كم مدنياً قتل في الغارات على حمورية؟")
    assert q.lang == "ar" and q.qtype == "count"
    assert any(term_matches("مدنيين", f) for f in q.target_terms)
    assert "civilian" in q.target_terms


def test_places_dates_and_own_figures():
    q = understand("كم غارة جوية ضربت مستشفى شنان في ريف إدلب يوم 17 نيسان/أبريل 2017؟")
    # the gazetteer's governorate, with the countryside it names; the hospital's name is a
    # key term like any other word
    assert "إدلب" in q.places and "شنان" in q.key_terms
    idlib = next(e for e in q.entities if e.kind == "place")
    assert "SY07" in idlib.ids and idlib.qualifiers == ("countryside",)
    assert q.dates == ("2017-04-17",)
    en = understand("How many women were among the 25 dead in the air raids on Talbisseh "
                    "(Homs province) on Tuesday 16 September 2014?")
    assert {"Talbisseh", "Homs"} <= set(en.places)
    assert en.dates == ("2014-09-16",) and 25.0 in en.numbers
    assert "women" in en.target_terms and "نساء" in en.target_terms


def test_standalone_question_is_kept():
    history = [("How many regime forces were killed in 6 days?", "52")]
    text = "How many civilians were killed in the airstrike on Ariha on 29 January 2020?"
    assert not is_elliptic(text)
    assert resolve_followup(text, history) == text
    assert resolve_followup("and how many civilians?", []) == "and how many civilians?"


def test_followup_new_group_en():
    history = [("How many regime forces were killed in south Damascus on 3 May 2018?", "52")]
    out = resolve_followup("and how many civilians?", history)
    assert out == "How many civilians were killed in south Damascus on 3 May 2018?"
    q = understand(out)
    assert q.qtype == "count" and "civilian" in q.target_terms and q.dates == ("2018-05-03",)


def test_followup_new_group_ar():
    history = [("كم عنصراً من قوات النظام قتل في جنوب دمشق يوم 3 أيار 2018؟", "52")]
    out = resolve_followup("وكم مدنياً؟", history)
    assert "مدنياً" in out and "جنوب دمشق" in out and "قوات النظام" not in out
    assert understand(out).dates == ("2018-05-03",)


def test_followup_next_day_shifts_the_date():
    en = [("How many regime forces were killed in south Damascus on 3 May 2018?", "52")]
    assert understand(resolve_followup("what about the next day?", en)).dates == ("2018-05-04",)
    ar = [("كم عنصراً من قوات النظام قتل في جنوب دمشق يوم 3 أيار 2018؟", "52")]
    out = resolve_followup("وفي اليوم التالي؟", ar)
    assert understand(out).dates == ("2018-05-04",) and "جنوب دمشق" in out


def test_resolved_question_is_not_resolved_again():
    history = [("How many regime forces were killed in 6 days?", "52")]
    out = resolve_followup("what about the next day?", history)
    assert out == "How many regime forces were killed in 6 days on the next day?"
    assert resolve_followup(out, history) == out


def test_followup_place_and_question_word():
    history = [("How many regime forces were killed in Homs in 2018?", "52")]
    assert "Hama" in resolve_followup("And in Hama?", history)
    assert "Homs" not in resolve_followup("And in Hama?", history)
    where = resolve_followup("and where?", [("How many regime forces were killed in 6 days?", "52")])
    assert understand(where).qtype == "place" and "regime forces" in where


def test_followup_chain_uses_resolved_previous_question():
    history = [("How many regime forces were killed in 6 days?", "52"),
               ("and how many Islamic State members?", "35")]
    out = resolve_followup("and when?", history)
    assert "Islamic State members" in out and understand(out).qtype == "date"
