"""Tests of assistant.text.arabic on real report sentences (SOHR seed, FA-KES, Syrian Archive)."""

from pathlib import Path

import pytest

from assistant.text.arabic import (
    detect_language,
    is_arabic,
    map_span,
    normalize,
    normalize_digits,
    normalize_with_map,
    query_terms,
    segment,
    stem,
    tokenize,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples" / "000_9c31ee48a94572c0.txt"
SHARED = ROOT.parent / "shared" / "data"


def test_normalize_alef_hamza_taa_marbuta_and_maqsura():
    assert normalize("أإآٱا") == "ااااا"
    assert normalize("مدرسة") == "مدرسه"
    assert normalize("إلى مستشفى") == "الي مستشفي"
    assert normalize("مؤسسة الرئيس") == "مءسسه الرءيس"


def test_hamza_carriers_match_however_the_writer_spells_them():
    # the same words with the hamza on another carrier, all in the UnifiedFC articles
    for a, b in (("مسؤول", "مسئول"), ("المسؤولين", "المسئولين"), ("لشؤون", "لشئون"),
                 ("وحلفاؤه", "وحلفائه"), ("لقائه", "لقاءه")):
        assert tokenize(a) == tokenize(b) != []
    assert tokenize("رئيس") != tokenize("ريس")  # the hamza itself is kept


def test_normalize_diacritics_tatweel_digits_case():
    assert normalize("قُتِلَ") == "قتل"
    assert normalize("شخصاً") == "شخصا"
    assert normalize("الســــوري") == "السوري"
    assert normalize("٥٢ و۱۲ Syrian") == "52 و12 syrian"
    assert normalize_digits("٢٠١٧") == "2017"
    assert normalize("ﻻ") == "لا"  # NFKC folds presentation forms


def test_normalize_with_map_points_back_to_original():
    text = "قُتِلَ ٥٢ شخصاً في الغــارة"
    norm, off = normalize_with_map(text)
    assert norm == normalize(text)
    s = norm.index("الغاره")
    a, b = map_span(off, s, s + len("الغاره"))
    assert text[a:b] == "الغــارة"
    a, b = map_span(off, norm.index("52"), norm.index("52") + 2)
    assert text[a:b] == "٥٢"


def test_normalize_with_map_presentation_forms():
    text = "ﻻ ٥"
    norm, off = normalize_with_map(text)
    assert norm == "لا 5"
    assert len(off) == len(norm) + 1
    assert text[map_span(off, 3, 4)[0]] == "٥"


def test_language_detection():
    assert is_arabic("رصد المرصد السوري لحقوق الإنسان")
    assert detect_language("Death toll from Aleppo bomb attack at least 112") == "en"
    assert detect_language("قوات النظام تستقدم تعزيزات عسكرية") == "ar"
    assert detect_language("12345") == "en"


def test_stem_strips_prefixes_and_suffixes():
    assert stem(normalize("والمقاتلين")) == "مقاتل"
    assert stem(normalize("بالغارات")) == "غار"
    assert stem(normalize("للمدنيين")) == "مدني"
    assert stem("syria") == "syria"
    assert len(stem("وقع")) == 3  # too short to strip the و


def test_tokenize_strips_waw_and_al_and_matches_variants():
    assert tokenize("والمدنيين") == tokenize("المدنيين") == tokenize("مدنيين")
    assert tokenize("قوات النظام") == tokenize("وقوات والنظام")
    assert tokenize("مدرسة") == tokenize("المدرسه")


def test_tokenize_keeps_numbers_of_every_length():
    toks = tokenize("ارتفع إلى 52 عدد القتلى خلال 6 أيام و3 جرحى")
    assert "52" in toks and "6" in toks and "3" in toks
    assert tokenize("٥٢") == ["52"]
    assert tokenize("1,748 killed")[0] == "1748"
    assert tokenize("1،748")[0] == "1748"
    assert tokenize("200.000 نازح")[0] == "200000"
    assert tokenize("3.5 km")[0] == "3.5"


def test_tokenize_english_stems_and_stopwords():
    toks = tokenize("The Syrian Observatory said the attacks killed civilians")
    assert "the" not in toks and "said" in toks
    assert tokenize("attacks") == tokenize("attack") == ["attack"]
    assert "في" not in tokenize("قتل في حلب")
    assert query_terms("Who killed civilians in Aleppo?") == tokenize("killed civilians Aleppo")


def _spans_text(text):
    return [text[s:e] for s, e in segment(text)]


def test_segment_seed_keeps_figures_with_what_they_count():
    text = SEED.read_text(encoding="utf-8")
    parts = _spans_text(text)
    for s, e in segment(text):
        assert text[s:e] == text[s:e].strip() and e > s
    c52 = [p for p in parts if "52" in p]
    assert len(c52) == 1
    assert "عناصر قوات النظام" in c52[0] and "ممن قتلوا خلال 6 أيام" in c52[0]
    c35 = [p for p in parts if "35" in p]
    assert len(c35) == 1
    assert "عدد عناصر تنظيم “الدولة الإسلامية” ممن قتلوا" in c35[0]
    assert "52" not in c35[0]  # the run-on sentence was split into clauses
    assert max(len(p) for p in parts) < 400


@pytest.mark.shared
def test_segment_shared_seed_matches_sample():
    path = SHARED / "seed" / SEED.name
    if not path.exists():
        pytest.skip("shared data absent")
    assert segment(path.read_text(encoding="utf-8")) == segment(SEED.read_text(encoding="utf-8"))


def test_segment_english_abbreviations_numbers_and_times():
    text = ("The U.S. Army said Mr. Smith left at 02:00. He paid 1,748 dollars, or 3.5 each! "
            "Was it 200.000? Death toll from Aleppo bomb attack at least 112.")
    assert _spans_text(text) == [
        "The U.S. Army said Mr. Smith left at 02:00.",
        "He paid 1,748 dollars, or 3.5 each!",
        "Was it 200.000?",
        "Death toll from Aleppo bomb attack at least 112.",
    ]


def test_segment_markdown_lines_are_own_segments():
    text = ("- الموقع: محافظة ادلب: معرة النعمان\n- التاريخ: 4 شباط- فبراير 2018\n"
            "- التوقيت: حوالي الساعة 20:40 مساء\n\nيقع المستشفى على طريق حلب. تأسس عام 1984.")
    assert _spans_text(text) == [
        "- الموقع: محافظة ادلب: معرة النعمان",
        "- التاريخ: 4 شباط- فبراير 2018",
        "- التوقيت: حوالي الساعة 20:40 مساء",
        "يقع المستشفى على طريق حلب.",
        "تأسس عام 1984.",
    ]


def test_segment_short_sentence_not_split_and_empty():
    text = "قتل 5 مدنيين، حيث استهدفت الطائرات البلدة."
    assert _spans_text(text) == [text]
    assert segment("") == [] and segment("  \n ") == []


def test_arabic_initials_do_not_end_a_sentence():
    from assistant.text.arabic import segment

    text = "قال م. ثيو كيرني إن الهجوم بدأ. ثم انسحبت القوات. وقال J. Smith ذلك."
    assert [text[s:e] for s, e in segment(text)] == [
        "قال م. ثيو كيرني إن الهجوم بدأ.", "ثم انسحبت القوات.", "وقال J. Smith ذلك."]
