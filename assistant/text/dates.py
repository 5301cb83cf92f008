"""Dates and clock times in Arabic and English report text (pure functions).

Recognises "13 نوفمبر 2017", "13 نوفمبر/تشرين الثاني 2017", "17 نيسان/أبريل 2017",
"الأول من تشرين الأول", "Tuesday 16 September 2014", "September 16, 2014",
"2017-12-20", "4/5/2017" and month-year ("نوفمبر 2017"). Numeric d/m dates are read
month-first ("4/5/2017" → 2017-04-05, as in the English FA-KES CSV) unless
``dayfirst=True`` or the first field is over 12. ``iso`` is YYYY-MM-DD for full
dates, YYYY-MM for month-year and None when the year is missing. Offsets are
into the ORIGINAL text. Relative dates ("yesterday", "يوم السبت الفائت") are not
resolved here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .arabic import map_span, normalize_with_map
from .numwords import AR_MONTHS, AR_ORDINALS, EN_MONTHS, WEEKDAYS


@dataclass(frozen=True)
class DateMention:
    """A date written in the text; ``iso`` None when the year (or day) is not given."""

    iso: str | None
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TimeMention:
    """A clock time: ``hhmm`` is 24-hour "HH:MM"; ``approx`` for "~14:07"."""

    hhmm: str
    start: int
    end: int
    text: str
    approx: bool = False


def _alt(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_MONTHS = {**AR_MONTHS, **EN_MONTHS}
_MONTH_G = rf"(?P<month>{_alt(_MONTHS)})\.?(?:\s*[/(-]\s*(?:{_alt(_MONTHS)})\s*\)?)?"
_WEEKDAY = rf"(?:(?:يوم\s+)?(?:{_alt(WEEKDAYS)})\s*,?\s*)?"
_YEAR = r"(?:\s*,?\s*(?:(?:من\s+)?(?:عام|العام|سنه)\s+)?(?P<year>(?:19|20)\d\d)(?!\d))"
_B, _E = r"(?:(?<!\w)|(?<=(?<!\w)[وبلف]))", r"(?!\w)"  # allow و/ب/ل/ف attached
_PATTERNS = [
    re.compile(rf"{_B}{_WEEKDAY}(?P<day>\d{{1,2}})(?:\s*من)?\s*{_MONTH_G}{_YEAR}?{_E}"),
    re.compile(rf"{_B}{_WEEKDAY}(?P<day>{_alt(AR_ORDINALS)})\s+من\s+(?:شهر\s+)?{_MONTH_G}{_YEAR}?{_E}"),
    re.compile(rf"{_B}{_WEEKDAY}{_MONTH_G}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?{_YEAR}?{_E}"),
    re.compile(rf"{_B}(?:شهر\s+)?{_MONTH_G}{_YEAR}{_E}"),
    re.compile(r"(?<![\d/.-])(?P<year>(?:19|20)\d\d)[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?![\d/])"),
    re.compile(r"(?<![\d/.-])(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<year>(?:19|20)\d\d)(?![\d/])"),
]
_TIME = re.compile(
    r"(?P<approx>~\s*|(?:حوالي|نحو|around|about)\s+(?:الساعه\s+)?)?(?<![\d:])(?P<h>\d{1,2}):(?P<m>\d{2})"
    r"(?::\d{2})?(?!\d)(?:\s*(?P<ap>a\.m\.|p\.m\.|am|pm|صباحا|مساء)(?![\w]))?"
)


def _iso(year: str | None, month: int, day: int | None) -> str | None:
    if not year:
        return None
    try:
        if day is None:
            return f"{int(year):04d}-{dt.date(int(year), month, 1).month:02d}"
        return dt.date(int(year), month, day).isoformat()
    except ValueError:
        return None


def _month_day(m: re.Match, dayfirst: bool) -> tuple[int, int | None]:
    groups = m.groupdict()
    if "a" in groups:  # numeric d/m or m/d
        a, b = int(m["a"]), int(m["b"])
        return (b, a) if dayfirst or a > 12 else (a, b)
    month = m["month"]
    month_n = int(month) if month.isdigit() else _MONTHS[re.sub(r"\s+", " ", month)]
    day = groups.get("day")
    if day is None:
        return month_n, None
    return month_n, int(day) if day.isdigit() else AR_ORDINALS[re.sub(r"\s+", " ", day)]


def dates_normalized(norm: str, dayfirst: bool = False) -> list[tuple[int, int, str | None]]:
    """Date spans ``(start, end, iso)`` over already-normalised text (see ``find_dates``)."""
    found: list[tuple[int, int, str | None]] = []
    taken: list[tuple[int, int]] = []
    for pat in _PATTERNS:  # most specific first; later patterns cannot overlap earlier hits
        for m in pat.finditer(norm):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            month, day = _month_day(m, dayfirst)
            if day is not None and not 1 <= day <= 31:
                continue
            found.append((m.start(), m.end(), _iso(m["year"], month, day)))
            taken.append((m.start(), m.end()))
    return sorted(found)


def times_normalized(norm: str) -> list[tuple[int, int, str, bool]]:
    """Time spans ``(start, end, "HH:MM", approx)`` over already-normalised text."""
    out = []
    for m in _TIME.finditer(norm):
        h, mi, ap = int(m["h"]), int(m["m"]), (m["ap"] or "")
        if ap in ("pm", "p.m.", "مساء") and h < 12:
            h += 12
        if h < 24 and mi < 60:
            out.append((m.start(), m.end(), f"{h:02d}:{mi:02d}", bool(m["approx"])))
    return out


def find_dates(text: str, dayfirst: bool = False) -> list[DateMention]:
    """Dates written in ``text`` with ISO values and spans into ``text``."""
    if len(text) <= MEMO_CHARS:  # clauses are read again by every answer; reports are not
        return list(_dates_memo(text, dayfirst))
    return _find_dates(text, dayfirst)


def find_times(text: str) -> list[TimeMention]:
    """Clock times ("02:00", "~14:07", "2:30 pm") with spans into ``text``."""
    if len(text) <= MEMO_CHARS:
        return list(_times_memo(text))
    return _find_times(text)


MEMO_CHARS = 2000  # texts up to this long (clauses, questions) are memoised; reports are not


@lru_cache(maxsize=16384)
def _dates_memo(text: str, dayfirst: bool) -> tuple[DateMention, ...]:
    return tuple(_find_dates(text, dayfirst))


@lru_cache(maxsize=16384)
def _times_memo(text: str) -> tuple[TimeMention, ...]:
    return tuple(_find_times(text))


def _find_dates(text: str, dayfirst: bool) -> list[DateMention]:
    norm, off = normalize_with_map(text)
    out = []
    for s, e, iso in dates_normalized(norm, dayfirst):
        a, b = map_span(off, s, e)
        out.append(DateMention(iso, a, b, text[a:b]))
    return out


def _find_times(text: str) -> list[TimeMention]:
    norm, off = normalize_with_map(text)
    out = []
    for s, e, hhmm, approx in times_normalized(norm):
        a, b = map_span(off, s, e)
        out.append(TimeMention(hhmm, a, b, text[a:b], approx))
    return out


def parse_date(text: str, dayfirst: bool = False) -> str | None:
    """The first full date (YYYY-MM-DD) written in ``text``, or None."""
    for d in find_dates(text, dayfirst):
        if d.iso and len(d.iso) == 10:
            return d.iso
    return None
