"""Word tables for ``numbers.py``: Arabic and English number words, months, ordinals.

Arabic keys are in ``arabic.normalize`` form (أ/إ/آ → ا, ة → ه, ى → ي, ئ/ؤ → ء),
so every spelling variant that normalises alike is covered by one key. Data only.
"""

from __future__ import annotations

from .arabic import normalize

_AR_UNITS = {
    1: "واحد واحدة أحد إحدى",
    2: "اثنان اثنين اثنتان اثنتين اثنا اثني اثنتا اثنتي",
    3: "ثلاث ثلاثة", 4: "أربع أربعة", 5: "خمس خمسة", 6: "ست ستة", 7: "سبع سبعة",
    8: "ثمان ثماني ثمانية", 9: "تسع تسعة", 10: "عشر عشرة",
    20: "عشرون عشرين", 30: "ثلاثون ثلاثين", 40: "أربعون أربعين", 50: "خمسون خمسين",
    60: "ستون ستين", 70: "سبعون سبعين", 80: "ثمانون ثمانين", 90: "تسعون تسعين",
    100: "مئة مائة", 200: "مئتا مئتان مئتي مئتين مائتا مائتان مائتي مائتين",
    2000: "ألفان ألفين", 2_000_000: "مليونان مليونين",
}
_AR_HUNDREDS = {n: f"{stem}مئة {stem}مائة" for n, stem in
                [(300, "ثلاث"), (400, "أربع"), (500, "خمس"), (600, "ست"), (700, "سبع"),
                 (800, "ثمان"), (900, "تسع")]}
# Values that multiply what precedes them ("ثلاثة آلاف", "200 ألف", "five million").
AR_MULTIPLIERS = {normalize(w): v for v, ws in {
    100: "مئة مائة", 1000: "ألف آلاف الف", 1_000_000: "مليون ملايين",
    1_000_000_000: "مليار مليارات",
}.items() for w in ws.split()}
# Vague plurals: "عشرات" (tens of), "مئات", "آلاف" with no number before them.
AR_VAGUE = {normalize(w): (v, q) for w, v, q in [
    ("عشرات", 10, "tens"), ("العشرات", 10, "tens"), ("مئات", 100, "hundreds"),
    ("المئات", 100, "hundreds"), ("مئات", 100, "hundreds"), ("الآلاف", 1000, "thousands"),
    ("آلاف", 1000, "thousands"), ("عدة", 3, "several"), ("بضعة", 3, "several"),
]}
AR_WORDS = {normalize(w): v for src in (_AR_UNITS, _AR_HUNDREDS)
            for v, ws in src.items() for w in ws.split()}
AR_PREFIXES = ("وب", "ول", "فب", "و", "ب", "ل", "ف", "ك")  # attached conjunction/preposition

EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
EN_WORDS.update({w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())})
EN_WORDS["dozen"] = 12
EN_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 1_000_000,
                  "billion": 1_000_000_000, "dozen": 12}
EN_VAGUE = {"dozens": (12, "dozens"), "tens": (10, "tens"), "hundreds": (100, "hundreds"),
            "thousands": (1000, "thousands"), "several": (3, "several")}

# Months: Levantine (Syrian) names, Egyptian/Gulf names, English names and abbreviations.
_AR_MONTHS = [
    "كانون الثاني|كانون ثاني|يناير", "شباط|فبراير", "آذار|مارس", "نيسان|أبريل|ابريل", "أيار|مايو",
    "حزيران|يونيو|يونيه", "تموز|يوليو|يوليه", "آب|أغسطس|اغسطس", "أيلول|سبتمبر",
    "تشرين الأول|تشرين أول|أكتوبر|اكتوبر", "تشرين الثاني|تشرين ثاني|نوفمبر",
    "كانون الأول|كانون أول|ديسمبر",
]
AR_MONTHS = {normalize(w): i + 1 for i, ws in enumerate(_AR_MONTHS) for w in ws.split("|")}
AR_MONTH_NAMES = tuple(_AR_MONTHS)  # every Arabic name of each month, "|"-separated
# The names Isnad writes dates with: Levantine Arabic (as SOHR does) and English.
MONTH_NAMES = {"ar": [ws.split("|")[0] for ws in _AR_MONTHS],
               "en": "January February March April May June July August September October "
                     "November December".split()}
EN_MONTHS = {m: i + 1 for i, ms in enumerate([
    "january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
    "august aug", "september sep sept", "october oct", "november nov", "december dec",
]) for m in ms.split()}
WEEKDAYS = [normalize(w) for w in "السبت الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة".split()]
WEEKDAYS += "monday tuesday wednesday thursday friday saturday sunday".split()

_AR_ORD = "الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر".split()
_AR_ORD_F = "الحادي الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع".split()


def _ordinals() -> dict[str, int]:
    out = {normalize(w): i + 1 for i, w in enumerate(_AR_ORD)}
    for i, w in enumerate(_AR_ORD_F):
        out[normalize(f"{w} عشر")] = 11 + i
    for tens, word in ((20, "العشرين"), (30, "الثلاثين")):
        out[normalize(word)] = tens
        for i, w in enumerate(_AR_ORD_F[:9 if tens == 20 else 1]):
            out[normalize(f"{w} و{word}")] = tens + 1 + i
    return out


AR_ORDINALS = _ordinals()  # day ordinals 1..31 as in "الأول من تشرين الأول"
