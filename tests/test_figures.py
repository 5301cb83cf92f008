"""Figure extraction, look-ups and claim checks on real report sentences."""

from __future__ import annotations

import csv

import pytest

from assistant.figures.checks import (
    ClaimFigure,
    claim_figures,
    judge_claim,
    match_figures,
    revisions,
)
from assistant.figures.extract import extract_figures, group_label, group_name, place_label


def figures(text: str, date: str | None = None, doc_id: str = "d"):
    return extract_figures(text, doc_id=doc_id, path=f"{doc_id}.txt", record=None, date=date)


def by_value(figs, value):
    found = [f for f in figs if f.value == value]
    assert found, f"no figure {value} in {[f.value for f in figs]}"
    return found[0]


@pytest.fixture(scope="module")
def seed_figs(seed_text):
    return figures(seed_text, date="2018-04-25", doc_id="seed")


def test_seed_regime_toll_revised_up_over_six_days(seed_figs, seed_text):
    f = by_value(seed_figs, 52)
    assert (f.category, f.group) == ("killed", "regime")
    assert set(f.qualifier.split(",")) == {"at_least", "revised_up"}
    assert f.period == "خلال 6 أيام"
    assert f.quote == seed_text[f.start:f.end] and "52" in f.quote
    assert group_name(f.group) == "regime forces and allied gunmen"


def test_seed_is_toll_takes_the_same_period(seed_figs):
    f = by_value(seed_figs, 35)
    assert (f.category, f.group, f.qualifier) == ("killed", "is", "revised_up")
    assert f.period == "خلال 6 أيام"  # "خلال الفترة ذاتها" refers back to the 52 clause


def test_seed_yarmouk_axis_figures(seed_figs):
    regime, hts = by_value(seed_figs, 11), by_value(seed_figs, 9)
    assert (regime.category, regime.group, regime.place) == ("killed", "regime", "north Yarmouk camp")
    assert "at_least" in regime.qualifier
    assert (hts.category, hts.group, hts.place) == ("killed", "hts", "north Yarmouk camp")


def test_seed_report_number_and_durations_are_not_figures(seed_figs):
    values = {f.value for f in seed_figs}
    assert 42 not in values  # the number line under the SOHR title
    assert 6 not in values  # "خلال 6 أيام" is the period, not a count


def test_english_at_least_and_group_from_the_counted_noun():
    text = ("At least 29 fighters from the Western-armed Hazm movement were killed along with "
            "six Al-Nusra Front terrorists according to the Syrian Observatory for Human Rights.")
    hazm, nusra = by_value(figures(text), 29), by_value(figures(text), 6)
    assert (hazm.category, hazm.group, hazm.qualifier) == ("killed", "rebels", "at_least")
    assert (nusra.category, nusra.group) == ("killed", "hts")


@pytest.mark.shared
def test_fakes_article_with_the_hazm_figure(shared_data):
    with open(shared_data / "fakes" / "FA-KES-Dataset.csv", encoding="utf-8", errors="replace") as fh:
        row = next(r for r in csv.DictReader(fh) if "29 fighters from the Western-armed Hazm"
                   in r["article_content"])
    figs = extract_figures(row["article_content"], doc_id=row["unit_id"], path="FA-KES-Dataset.csv",
                           record=row["unit_id"], date=None)
    f = by_value(figs, 29)
    assert (f.category, f.group, f.record) == ("killed", "rebels", row["unit_id"])
    assert f.quote == row["article_content"][f.start:f.end]


def test_number_words_arabic_and_english():
    ar = figures("ثمانية شهداء في مدينة دوما جراء غارات جوية")
    assert [(f.value, f.category, f.place) for f in ar] == [(8, "killed", "Douma")]
    en = figures("Two civilians were killed and three others were injured in Deir Ezzor city.")
    assert [(f.value, f.category, f.group) for f in en] == [(2, "killed", "civilians"),
                                                            (3, "injured", "")]
    assert en[0].place == "Deir ez-Zor"


def test_including_and_listed_figures_share_the_event():
    figs = figures("Air strikes killed 15 people including 5 children in Douma.")
    assert [(f.value, f.category, f.group) for f in figs] == [(15, "killed", "people"),
                                                              (5, "killed", "children")]
    figs = figures("At least 50 fighters and two civilians were killed Tuesday in clashes.")
    assert [(f.value, f.category, f.group) for f in figs] == [(50, "killed", "fighters"),
                                                              (2, "killed", "civilians")]


def test_ranges_objects_and_repeated_digits():
    figs = figures("- الهجمات: ثلاث إلى أربع غارات جوية")
    assert [(f.value, f.category) for f in figs] == [(3, "strikes")]
    assert "high=4" in figs[0].qualifier
    figs = figures("between 10 and 15 people were killed")
    assert figs[0].value == 10 and "range" in figs[0].qualifier and "high=15" in figs[0].qualifier
    figs = figures("جمع الأرشيف السوري ووثّق مقطع فيديو واحد (1) متعلق بهذه الحادثة.")
    assert [(f.value, f.category) for f in figs] == [(1, "videos")]


def test_dates_times_years_codes_and_markup_are_not_figures():
    text = ("On 4/5/2017 at 10:00 the M5 highway was hit; Resolution 2254 of 2015 was ignored in "
            "the five-year war, a 6-year-old girl was hurt by T-72 fire 15 kilometers away.\n"
            '<video controls width="100%">\n2) إنشاء قاعدة بيانات')
    assert [(f.value, f.category) for f in figures(text)] == []


def test_revisions_across_two_reports_and_lookups(seed_figs):
    earlier = figures("قتل 45 على الأقل من عناصر قوات النظام والمسلحين الموالين لها في جنوب دمشق",
                      date="2018-04-20", doc_id="early")
    found = match_figures(earlier + seed_figs, category="killed", group="regime forces and allied gunmen")
    assert [(f.value, f.date) for f in revisions(found)] == [(45, "2018-04-20"), (52, "2018-04-25"),
                                                             (11, "2018-04-25")]
    yarmouk = match_figures(seed_figs, place="مخيم اليرموك")
    assert sorted(f.value for f in yarmouk) == [9, 11]
    assert match_figures(earlier + seed_figs, category="killed", since="2018-04-21",
                         group="قوات النظام") == [by_value(seed_figs, 52), by_value(seed_figs, 11)]
    assert group_label("Islamic State") == "is" and place_label("Yarmouk") == "Yarmouk camp"


def test_claim_judge_supported_contradicted_not_found(seed_figs):
    claim = claim_figures("52 regime forces were killed")
    assert claim == [ClaimFigure(52, "killed", "regime", "", "")]
    judged = judge_claim(claim, seed_figs)
    assert judged.verdict == "supported" and judged.figures == [by_value(seed_figs, 52)]
    wrong = judge_claim(claim_figures("9 regime soldiers were killed in Yarmouk"), seed_figs)
    assert wrong.verdict == "contradicted"
    assert by_value(seed_figs, 11) in wrong.figures
    assert judge_claim(claim_figures("20 civilians were injured in Aleppo"), seed_figs).verdict == \
        "not_found"
