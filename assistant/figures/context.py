"""Where and when a figure was counted: the place and period of its clause (pure functions).

``place`` picks the most specific place of the gazetteer (``lexicon.places``) in
the clause, else a named settlement ("بلدة X", "the town of X", "in X"), else the
nearest known place earlier in the sentence, else the place of the report's
headline; the name is the gazetteer's English one with the qualifier written beside
it ("south Damascus"). ``period`` picks the period phrase
nearest the number ("خلال 6 أيام", "in the past 24 hours"); "the same period"
repeats the period of the figure before. This module does not decide what a
number counts (``figures`` does).
"""

from __future__ import annotations

import re

from assistant.figures.match import Doc
from assistant.lexicon.places import PlaceMention, label, specificity
from assistant.text.numbers import NumberMention

_SENTENCE_END = re.compile(r"[.!?؟\n]")
_PERIOD = re.compile(
    r"(?:خلال|منذ|في)\s+(?:الـ\s*|ال)?(?:\d+\s*|\w+\s+)?(?:ال)?(?:ساعات|ساعة|الساعات|أيام|يوم|يومين"
    r"|أسابيع|أسبوع|أشهر|شهر|شهرين|سنوات|أعوام|عام)(?:\s+(?:الماضية|الماضي|الأخيرة|الفائتة|الفائت))?"
    r"|منذ\s+(?:فجر|صباح|ظهر|مساء|ليل|منتصف\s+ليل)\s+(?:اليوم|أمس)|منذ\s+(?:بدء|بداية|انطلاق)\s+\S+"
    r"|(?:خلال|في)\s+(?:الفترة|المدة)\s+(?:ذاتها|نفسها)"
    r"|\b(?:in|over|during|within|for)\s+the\s+(?:past|last|previous)\s+(?:\d+\s+|\w+\s+)?"
    r"(?:hours?|days?|weeks?|months?|years?)\b|\bsince\s+(?:the\s+)?(?:start|beginning)\s+of\s+[\w-]+"
    r"(?:\s+[\w-]+)?|\bduring\s+the\s+same\s+period\b",
    re.I,
)
_SAME_PERIOD = re.compile(r"ذاتها|نفسها|same period")
_SETTLEMENT = re.compile(
    r"(?:بلدة|مدينة|قرية|حي|مخيم|ناحية|منطقة|بلدتي|قريتي)\s+((?:ال)?[^\W\d_]{3,}(?:\s+ال[^\W\d_]+)?)"
    r"|\b(?:town|city|village|district|neighbou?rhood|camp)\s+of\s+((?:al-)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
    r"|\b(?:in|near|at|outside)\s+((?:al-|el-)?[A-Z][a-z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
)
_NOT_PLACES = frozenset("""Syria Syrian The This That Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November December
    Islamic Russian Turkish Kurdish Reuters AFP The Observatory Britain""".split())


def place(doc: Doc, a: int, b: int, span: tuple[int, int]) -> str:
    """The place of the number at tokens ``[a, b)`` in the clause ``span``: the most
    specific known place in the clause (nearest among equals), else a named settlement
    or "in X", else the nearest known place earlier in the same sentence."""
    at = (doc.toks.starts[a] + doc.toks.ends[b - 1]) // 2 if b > a else span[0]
    # the country says nothing of where ("جنسيات سورية" is not even a place)
    inside = [m for m in doc.places if span[0] <= m.start and m.end <= span[1]
              and specificity(m) > 0]
    if inside:
        def rank(m: PlaceMention) -> tuple[int, int]:
            return -specificity(m), min(abs(m.start - at), abs(at - m.end))
        return label(min(inside, key=rank))
    for mt in _SETTLEMENT.finditer(doc.text, span[0], span[1]):
        name = next(g for g in mt.groups() if g)
        if name.split()[0] not in _NOT_PLACES:
            return name
    back = max(0, span[0] - 1500)
    sent = max((mt.end() for mt in _SENTENCE_END.finditer(doc.text, back, span[0])), default=back)
    earlier = [m for m in doc.places if sent <= m.start and m.end <= span[0]
               and specificity(m) > 0]
    if earlier:
        return label(earlier[-1])
    # else the place of the report's headline (its first line), where a daily report says
    # what it is about («… بجنوب دمشق …»)
    head = doc.text.find("\n", 0, 300)
    headline = [m for m in doc.places if m.end <= (head if head > 0 else 0)
                and specificity(m) > 0]
    return label(headline[0]) if headline else ""


def period(doc: Doc, m: NumberMention, span: tuple[int, int], last: str) -> str:
    """The period phrase of the clause nearest the number ("خلال 6 أيام", "in the past
    24 hours"); "خلال الفترة ذاتها" / "during the same period" repeats ``last``."""
    found = list(_PERIOD.finditer(doc.text, span[0], span[1]))
    if not found:
        return ""
    near = min(found, key=lambda p: min(abs(p.start() - m.end), abs(m.start - p.end())))
    return last if _SAME_PERIOD.search(near.group()) and last else near.group()
