"""Measure answers: a number with the unit a question asks for (pure functions).

"How deep was the crater?", «ما نسبة الدمار؟», "How old were they?", «ما مدة السجن؟» ask
for a quantity that is not a count of people or things: a percentage, a length, a
duration, an age, a weight, or a bare number («ما رقم القرار؟»). ``measure_kind`` reads
which from the question; ``measure_answers`` finds in a clause the numbers followed by a
unit of that kind (the unit words are general Arabic and English vocabulary). Counts,
dates and times have their own extractors (``extract.py``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.answer.clause_tokens import Found
from assistant.text import numbers
from assistant.text.arabic import map_span, normalize, normalize_with_map

# question words (normalised Arabic) -> the kind of measure asked
_KINDS = [
    ("percent", r"نسبه|\bpercentage|\bproportion|\bwhat share|\bper ?cent"),
    ("length", r"عمق|مسافه|طول|ارتفاع|عرض|\bhow (?:deep|far|long a distance|high|tall|wide)"
               r"|\b(?:depth|distance|length|height|width)\b"),
    ("age", r"عمر|اعمار|\bhow old|\bat what age|\baged?\b"),
    ("duration", r"مده|\bhow long|\bduration|\bfor how many (?:days|months|years)"),
    ("weight", r"وزن|\bhow heavy|\bweigh"),
    ("number", r"ما رقم|رقم|\bwhat number|\bwhich number"),
]
_UNITS = {
    "percent": r"%|٪|بالمئه|بالمائه|في المئه|في المائه|percent|per cent",
    "length": r"متر|امتار|مترا|م\b|كم|كيلومتر\S*|كيلو متر|meters?|metres?|m\b|km|kilomet\S*"
              r"|miles?|feet|foot",
    "age": r"عاما|عام|سنه|سنوات|سنين|years?(?: old)?|year-old",
    "duration": r"يوم|ايام|يوما|اسبوع|اسابيع|شهر|اشهر|شهرا|شهور|سنه|سنوات|عام|اعوام|ساعه|ساعات"
                r"|دقيقه|دقائق|days?|weeks?|months?|years?|hours?|minutes?",
    "weight": r"كغ|كلغ|كيلوغرام\S*|كيلو|طن|اطنان|رطل|ارطال|غرام|kg|kilograms?|tons?|tonnes?"
              r"|pounds?|lbs?|grams?",
}
UNIT_FIT, OTHER_UNIT, BARE = 0.8, 0.1, 0.5  # the unit asked / another unit / "what number?"
_AFTER = 24  # chars after a number in which its unit stands
_AGE_BEFORE = re.compile(r"(?:aged|age of|ages of|بعمر|عمره|عمرها|اعمارهم|أعمارهم)\s*"
                         r"(?:between\s+|بين\s+)?$", re.I)


@lru_cache(maxsize=1024)
def measure_kind(question: str) -> str | None:
    """The measure a question asks for, or None: "percent", "length", "age", "duration",
    "weight" or "number" (the first cue in the question decides)."""
    norm = normalize(question).lower()
    found = [(m.start(), kind) for kind, cue in _KINDS if (m := re.search(cue, norm))]
    return min(found)[1] if found else None


def measure_answers(kind: str, text: str, start: int, end: int) -> list[Found]:
    """Numbers of ``text[start:end]`` with a unit of ``kind`` (span: number to unit)."""
    clause = text[start:end]
    out = []
    for m in numbers.find_numbers(clause, skip_dates=True):
        after = clause[m.end:m.end + _AFTER]
        unit = _unit(kind, after)
        if unit is None and kind == "age" and _AGE_BEFORE.search(clause[max(0, m.start - 16):m.start]):
            unit = 0  # "aged 18 to 25", «بعمر 12»: the unit word stands before
        if unit is None and kind != "number":
            continue
        b = m.end + (unit or 0)
        while b < len(clause) and unicodedata.category(clause[b]) == "Mn":
            b += 1  # «شهراً»: the tanween belongs to the word
        score = BARE if kind == "number" else UNIT_FIT if unit is not None else OTHER_UNIT
        out.append(Found(clause[m.start:b], start + m.start, start + b, score,
                         f"{kind}:{m.value:g}"))
    return out


def _unit(kind: str, after: str) -> int | None:
    """Where the unit of ``kind`` right after a number ends (chars into ``after``)."""
    if kind not in _UNITS:
        return None
    norm_after, offsets = normalize_with_map(after)
    m = re.match(rf"^\s?(?:{_UNITS[kind]})(?!\w)", norm_after, re.I)
    return map_span(offsets, 0, m.end())[1] if m else None
