"""Tests of assistant.text.numbers and dates on sentences quoted from the shared reports."""

import pytest

from assistant.text.numbers import (
    find_dates,
    find_numbers,
    find_times,
    number_equal,
    parse_date,
)

SEED_52 = ("حيث ارتفع إلى 52 على الأقل عدد عناصر قوات النظام والمسلحين الموالين لها من جنسيات سورية"
           " وغير سورية، ممن قتلوا خلال 6 أيام من المعارك")


def _vals(text, **kw):
    return [(m.value, m.text, m.qualifier, m.high) for m in find_numbers(text, **kw)]


def test_seed_figures_spans_and_qualifier():
    ms = find_numbers(SEED_52)
    assert [(m.value, m.qualifier) for m in ms] == [(52, "at_least"), (6, "")]
    for m in ms:
        assert SEED_52[m.start:m.end] == m.text


def test_digit_forms():
    assert _vals("قتل ٥٢ شخصاً") == [(52, "٥٢", "", None)]
    assert [m.value for m in find_numbers("1,748 و1،748 و٢٠٠,٠٠٠ و200.000 و3.5 و0.125")] == [
        1748, 1748, 200000, 200000, 3.5, 0.125]
    assert _vals("حوالي 500,000 شخص سنويًا") == [(500000, "500,000", "about", None)]
    assert _vals("بلغت تكلفتها 6.9 مليون يورو")[0][:2] == (6_900_000, "6.9 مليون")
    assert _vals("نزوح 200 ألف مدني")[0][:2] == (200_000, "200 ألف")
    assert _vals("و٣ آلاف")[0][:2] == (3000, "٣ آلاف")


def test_codes_are_not_numbers():
    assert [m.value for m in find_numbers("T-72 tanks and F16 jets killed 3")] == [3]


def test_arabic_number_words_with_prefixes_and_gender():
    assert _vals("ثمانية شهداء") == [(8, "ثمانية", "", None)]
    assert _vals("بسبع ضربات") == [(7, "سبع", "", None)]
    assert [m.value for m in find_numbers("وثلاث غارات ولخمسة أطفال")] == [3, 5]
    assert [m.value for m in find_numbers("اثنين من المدنيين واثنتان من النساء")] == [2, 2]
    assert [m.value for m in find_numbers("أحد عشر شخصا و إحدى عشرة غارة واثنا عشر")] == [11, 11, 12]
    assert _vals("خمسة وعشرون مقاتلا")[0][:2] == (25, "خمسة وعشرون")
    assert [m.value for m in find_numbers("عشرين مقاتلا ومئة وخمسون")] == [20, 150]
    assert [m.value for m in find_numbers("مئتي عنصر ومائتا عنصر وثلاثمئة عنصر وثلاث مئة عنصر")] == [
        200, 200, 300, 300]
    assert [m.value for m in find_numbers("ألف شخص وثلاثة آلاف ومئة وألفين")] == [1000, 3100, 2000]


def test_vague_plurals():
    got = [(m.value, m.qualifier) for m in find_numbers("عشرات المصابين ومئات المدنيين وآلاف النازحين")]
    assert got == [(10, "tens"), (100, "hundreds"), (1000, "thousands")]
    assert [(m.value, m.qualifier) for m in find_numbers("dozens of people")] == [(12, "dozens")]


def test_english_number_words():
    text = "twenty-nine people, a dozen men, one hundred and five, three thousand, two dozen"
    assert [m.value for m in find_numbers(text)] == [29, 12, 105, 3000, 24]
    assert [m.text for m in find_numbers(text)][2] == "one hundred and five"
    assert [m.value for m in find_numbers("no one died but one person was hurt")] == [1]


def test_qualifiers_english():
    text = "at least 70, more than 200, about 30, nearly 40, up to 15, less than 4"
    assert [(m.value, m.qualifier) for m in find_numbers(text)] == [
        (70, "at_least"), (200, "more_than"), (30, "about"), (40, "about"), (15, "up_to"),
        (4, "less_than")]


def test_qualifiers_arabic():
    text = "ما لا يقل عن 20 وأكثر من 30 ونحو 40 وحوالي 50 وقرابة 60"
    assert [(m.value, m.qualifier) for m in find_numbers(text)] == [
        (20, "at_least"), (30, "more_than"), (40, "about"), (50, "about"), (60, "about")]
    assert [m.qualifier for m in find_numbers("مقتل 10 أشخاص على الأقل")] == ["at_least"]
    # a trailing qualifier followed by its own figure belongs to that figure
    assert [m.qualifier for m in find_numbers("قتل 3 وأصيب على الأقل 5")] == ["", "at_least"]


@pytest.mark.parametrize("text, low, high", [
    ("between 10 and 15 people", 10, 15),
    ("10-15 people", 10, 15),
    ("من 10 إلى 15 شخصا", 10, 15),
    ("بين 3 و5 غارات", 3, 5),
    ("two or three people", 2, 3),
])
def test_ranges(text, low, high):
    ms = find_numbers(text)
    assert len(ms) == 1
    m = ms[0]
    assert (m.value, m.high, m.qualifier) == (low, high, "range")
    assert text[m.start:m.end] == m.text


def test_lists_are_not_ranges():
    assert [m.qualifier for m in find_numbers("قتل 3 و5 جرحى")] == ["", ""]


def test_skip_dates_and_times():
    text = "في 13 نوفمبر 2017 قتل 5 عام 2016 الساعة 02:00"
    assert [m.value for m in find_numbers(text, skip_dates=True)] == [5]
    assert 2017 in [m.value for m in find_numbers(text)]


@pytest.mark.parametrize("text, iso, span", [
    ("قتل 5 في 13 نوفمبر 2017", "2017-11-13", "13 نوفمبر 2017"),
    ("في 13 نوفمبر/تشرين الثاني 2017 قتل", "2017-11-13", "13 نوفمبر/تشرين الثاني 2017"),
    ("في 17 نيسان/أبريل 2017.", "2017-04-17", "17 نيسان/أبريل 2017"),
    ("- التاريخ: 4 شباط- فبراير 2018", "2018-02-04", "4 شباط- فبراير 2018"),
    ("الرابع من فبراير 2018", "2018-02-04", "الرابع من فبراير 2018"),
    ("2017-12-20", "2017-12-20", "2017-12-20"),
    ("4/5/2017", "2017-04-05", "4/5/2017"),
    ("25/5/2017", "2017-05-25", "25/5/2017"),
    ("On Tuesday 16 September 2014, jets", "2014-09-16", "Tuesday 16 September 2014"),
    ("Sun 16 Apr 2017 Death toll", "2017-04-16", "16 Apr 2017"),
    ("September 16, 2014", "2014-09-16", "September 16, 2014"),
    ("خلال نيسان / إبريل 2017", "2017-04", "نيسان / إبريل 2017"),
    ("في الأول من تشرين الأول", None, "الأول من تشرين الأول"),
    ("يعود تاريخها إلى 24 نيسان 2011", "2011-04-24", "24 نيسان 2011"),
])
def test_find_dates(text, iso, span):
    ds = find_dates(text)
    assert [(d.iso, d.text) for d in ds] == [(iso, span)]
    assert text[ds[0].start:ds[0].end] == span


def test_dates_dayfirst_and_parse_date():
    assert find_dates("4/5/2017", dayfirst=True)[0].iso == "2017-05-04"
    assert parse_date("خلال نيسان 2017، ثم في 4 نيسان 2017") == "2017-04-04"
    assert parse_date("no date here, 52 killed") is None
    assert find_dates("كتاب 2017") == []


def test_find_times():
    ts = find_times("at 02:00 and ~14:07; التوقيت: حوالي الساعة 20:40 مساء; 2:30 pm; 25:00")
    assert [(t.hhmm, t.approx) for t in ts] == [
        ("02:00", False), ("14:07", True), ("20:40", True), ("14:30", False)]
    assert ts[1].text == "~14:07"


def test_number_equal():
    assert number_equal("٢٠٠,٠٠٠", "200.000")
    assert number_equal("200 ألف", "200.000")
    assert number_equal("ثلاث غارات", "3")
    assert number_equal("twenty-nine", "29")
    assert not number_equal("3", "4")
    assert not number_equal("غارات", "3")
