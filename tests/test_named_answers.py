"""Weapon, place and actor questions: how they are recognised and how the name is cut out.

The weapons table lists kinds of weapon; reports also name weapons by model or designator
(Su-24, BM-30, ZAB-2.5S), after «من طراز», and as a munition noun with its adjective
(«بصاروخين فراغيين»). The texts below are written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.named import _weapon_models
from assistant.answer.question import understand
from assistant.assistant import Assistant
from assistant.config import Config
from assistant.store.folder import FolderStore


@pytest.mark.parametrize("question", [
    "What missiles were used in the strike on the mosque?",
    "Which aircraft bombed the market?",
    "What kind of bombs were dropped on the town?",
    "بماذا استُهدف المشفى؟",
    "أي صاروخ استُخدم في الهجوم؟",
    "ومن أي طراز كانت الطائرات؟",
    "ما نوع الذخائر التي استخدمت؟",
])
def test_a_question_about_the_means_is_a_weapon_question(question):
    assert understand(question).qtype == "weapon"


@pytest.mark.parametrize("question, qtype", [
    ("How many missiles hit the town?", "count"),
    ("كم صاروخاً سقط على البلدة؟", "count"),
    ("من أي منطقة جاءت التعزيزات؟", "place"),
    ("من قصف السوق؟", "actor"),
])
def test_counting_or_asking_who_is_not_asking_which_weapon(question, qtype):
    assert understand(question).qtype == qtype


@pytest.mark.parametrize("text, name", [
    ("hit by a Sukhoi Su-24 aircraft on Monday", "Su-24"),
    ("remnants of a BM-30 rocket were filmed", "BM-30"),
    ("the ZAB-2.5S incendiary submunition", "ZAB-2.5S"),
    ("قصفت طائرات من طراز سوخوي، ما أدى إلى", "سوخوي"),
    ("عادت لتستهدف المشفى بصاروخين فراغيين، ما أدى", "صاروخين فراغيين"),
    ("officials said Hellfire missiles were used", "Hellfire missiles"),
])
def test_weapons_named_by_model_designator_or_noun_phrase(text, name):
    found = _weapon_models(text, 0, len(text))
    assert name in [f.text for f in found]
    assert all(text[f.start:f.end] == f.text for f in found)


def test_a_relative_pronoun_is_not_a_weapon_adjective():
    text = "الذخيرة التي تم تحديدها"
    assert _weapon_models(text, 0, len(text)) == []


REPORT = """Attack on the Kafr Nabl market
On 12 March 2017 warplanes struck the market of Kafr Nabl. Witnesses said the aircraft fired
missiles at the crowd. The munitions identified were two OFAB-250 bombs and a Kh-29 missile,
according to the remnants photographed by the civil defence."""


@pytest.fixture(scope="module")
def market(tmp_path_factory) -> Assistant:
    folder = tmp_path_factory.mktemp("weapons")
    (folder / "market.txt").write_text(REPORT, encoding="utf-8")
    cfg = Config(index_dir=folder / "idx")
    asst = Assistant(cfg, FolderStore(cfg.index_dir, "none", 8), None)
    asst.ingest([Path(folder / "market.txt")], embed=False)
    return asst


def test_the_weapon_answer_is_the_model_not_the_word_the_question_uses(market):
    ans = market.ask("What bombs were identified in the Kafr Nabl market attack?")
    assert ans.found and ans.short_answer in ("OFAB-250", "two OFAB-250 bombs", "OFAB-250 bombs")
    cite = ans.citations[0]
    assert REPORT[cite.start:cite.end] == cite.quote and "OFAB-250" in cite.quote


def test_a_word_after_a_preposition_is_a_place_only_with_a_place_type():
    from assistant.answer.named import UNTYPED, named_answers

    q = understand("أي منطقة قصفت قبل استهداف المستشفى؟")
    text = "قال الطبيب المتخصص في جراحة العظام إن الهجوم تم بعد القصف على منطقة الدويلة، ونقل"
    found = {f.text: f.score for f in named_answers(q, text, 0, len(text))}
    assert found["جراحة العظام إن الهجوم تم"] <= UNTYPED < found["منطقة الدويلة"]


@pytest.mark.parametrize("question", [
    "ما المنظمة التي يتبع لها المستشفى؟",
    "Which US military command claimed responsibility for the strike?",
    "أي جماعة كانت تعقد دروسها في المسجد؟",
    "Which opposition factions condemned the attack?",
])
def test_a_question_about_an_organisation_is_an_actor_question(question):
    assert understand(question).qtype == "actor"


@pytest.mark.parametrize("question, text, name", [
    ("من المحامي الذي مثّل الجمارك في المرافعات؟",
     "خلال المرافعات؛ طالب المحامي بيتر بورمز، ممثلاً عن الجمارك، بغرامة", "بيتر بورمز"),
    ("ما المنظمة التي يتبع لها مستشفى نبض الحياة؟",
     "الهدف: مستشفى نبض الحياة التابع لمنظمة سوريا للإغاثة والتنمية (SRD)", "سوريا للإغاثة"),
])
def test_an_actor_the_table_does_not_know_is_read_after_its_kind_or_title(question, text, name):
    from assistant.answer.named import named_answers

    found = named_answers(understand(question), text, 0, len(text))
    assert name in [f.text for f in found if f.score >= 0.35]


def test_the_organisation_the_question_names_is_not_its_answer():
    from assistant.answer.named import OWN, named_answers

    q = understand("ما الشركات الثلاث التي دانتها محكمة أنتويرب؟")
    text = "أدانت محكمة أنتويرب الجنائية اليوم ثلاث شركات"
    assert all(f.score <= OWN for f in named_answers(q, text, 0, len(text)))
