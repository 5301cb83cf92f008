"""Number mentions in Arabic and English report text (pure functions).

``find_numbers`` finds figures written as Western or Arabic-Indic digits
("52", "٥٢", "1,748", "1،748", "200.000", "3.5", "200 ألف") or as words
("ثمانية شهداء", "بسبع ضربات", "خمسة وعشرون", "twenty-nine", "a dozen"), with
their qualifier ("على الأقل", "أكثر من", "نحو", "up to", …) and ranges
("between 10 and 15", "10-15", "من 10 إلى 15"). Spans are into the ORIGINAL
text. Conventions (documented choices):

* a dot followed by exactly three digits after 1-3 digits is a thousands
  separator ("200.000" → 200000, as Arabic reports write it); "٫" is decimal;
* vague plurals are mentions with the unit as value and a qualifier naming it:
  "عشرات" → 10 "tens", "مئات"/"hundreds" → 100 "hundreds", "آلاف"/"thousands"
  → 1000 "thousands", "dozens" → 12 "dozens", "عدة"/"several" → 3 "several";
* qualifiers: "", "at_least", "more_than", "less_than", "about", "up_to",
  "range" (then ``high`` is the upper bound) or a vague-plural name above;
* with ``skip_dates=True`` numbers inside dates/times and bare years
  (1900-2099 written as four digits, no multiplier) are left out.

Dates and times live in ``dates.py`` and are re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .arabic import map_span, normalize_with_map
from .dates import (
    MEMO_CHARS,
    DateMention,
    TimeMention,
    dates_normalized,
    find_dates,
    find_times,
    parse_date,
)
from .dates import times_normalized as _times
from .numwords import (
    AR_MULTIPLIERS,
    AR_PREFIXES,
    AR_VAGUE,
    AR_WORDS,
    EN_MULTIPLIERS,
    EN_VAGUE,
    EN_WORDS,
)

__all__ = ["NumberMention", "DateMention", "TimeMention", "find_numbers", "find_dates",
           "find_times", "parse_date", "number_equal"]


@dataclass(frozen=True)
class NumberMention:
    """A figure in the text: ``text == original[start:end]``; ``high`` only for ranges."""

    value: float
    start: int
    end: int
    text: str
    qualifier: str = ""
    high: float | None = None


_DIGITS = re.compile(r"\d{1,3}(?:[,،]\d{3})+(?:\.\d+)?(?!\d)|[1-9]\d{0,2}(?:\.\d{3})+(?![\d.])"
                     r"|\d+(?:\.\d+)?")
_WORD = re.compile(r"[^\W\d_]+")
_AR_Q = r"(?:^|(?<=\s)|(?<=^[وبل])|(?<=\s[وبل]))"  # qualifier start, maybe with و/ب/ل attached
_BEFORE = [(re.compile(_AR_Q + "(?:" + p + r")\s*$"), q) for p, q in [
    (r"(?:ما\s+)?لا\s+يقل\s+(?:عن|علي)|علي\s+الاقل|at\s+least|no\s+(?:fewer|less)\s+than", "at_least"),
    (r"(?:ما\s+)?(?:يزيد|يربو)\s+(?:عن|علي)|اكثر\s+من|more\s+than|over|in\s+excess\s+of", "more_than"),
    (r"اقل\s+من|less\s+than|fewer\s+than|under", "less_than"),
    (r"نحو|حوالي|قرابه|زهاء|(?:ما\s+)?(?:يقارب|يناهز)|about|around|nearly|almost|approximately"
     r"|roughly|some|an\s+estimated|close\s+to", "about"),
    (r"up\s+to|as\s+many\s+as|(?:ما\s+)?يصل\s+(?:الي|حتي)", "up_to"),
]]
# One word may sit between a figure and its trailing qualifier ("10 أشخاص على الأقل"),
# but not when another figure follows the qualifier (it then belongs to that one).
_AFTER = [(re.compile(r"^\s*(?:[^\W\d]+\s+)?(?:" + p + r")(?!\w)(?!\s*\d)"), q) for p, q in [
    (r"علي\s+الاقل|علي\s+اقل\s+تقدير|at\s+least|or\s+more", "at_least"),
    (r"تقريبا|approximately|or\s+so", "about"),
]]
_RANGE_GAP = re.compile(r"\s*(?:[-–—]|to|or|او|الي|حتي|and|و)\s*")
_RANGE_NEEDS = {"and": ("between", "بين"), "و": ("بين",), "الي": ("من", "بين"), "حتي": ("من",)}
_SKIP_ONE = frozenset("no any every some each this that which the".split())


@dataclass
class _M:  # a mention being built, in normalised coordinates
    value: float
    s: int
    e: int
    qualifier: str = ""
    high: float | None = None
    word: bool = False


def _digit_mentions(norm: str) -> list[_M]:
    out = []
    for m in _DIGITS.finditer(norm):
        s, e, raw = m.start(), m.end(), m.group()
        if s and (norm[s - 1].isdigit() or norm[s - 1].isascii() and norm[s - 1].isalpha()
                  or norm[s - 1] == "-" and s > 1 and norm[s - 2].isalpha()):
            continue  # part of a code or model name: "T-72", "F16", "S-300"
        if "," in raw or "،" in raw:
            value = float(re.sub(r"[,،]", "", raw))
        elif re.fullmatch(r"[1-9]\d{0,2}(?:\.\d{3})+", raw):  # Arabic thousands dot
            value = float(raw.replace(".", ""))
        else:
            value = float(raw)
        nxt = _WORD.match(norm, e + 1) if norm[e:e + 1] == " " else None
        mult = nxt and (AR_MULTIPLIERS.get(nxt.group()) or EN_MULTIPLIERS.get(nxt.group()))
        if mult:
            value, e = value * mult, nxt.end()
        out.append(_M(value, s, e))
    return out


@lru_cache(maxsize=65536)  # called for every word of a report; few distinct words
def _lookup(word: str, first: bool) -> tuple[str, float, str, int]:
    """(kind, value, vague qualifier, prefix length) of a word; kind "" when not a number."""
    prefixes = AR_PREFIXES if first else ("و",)
    for p in ("", *prefixes):
        if p and not word.startswith(p):
            continue
        w = word[len(p):]
        if first and (w in AR_VAGUE or w in EN_VAGUE):
            v, q = AR_VAGUE.get(w) or EN_VAGUE[w]
            return "vague", v, q, len(p)
        if w in AR_MULTIPLIERS or w in EN_MULTIPLIERS:
            return "mult", AR_MULTIPLIERS.get(w) or EN_MULTIPLIERS[w], "", len(p)
        if w in AR_WORDS or w in EN_WORDS:
            return "num", AR_WORDS.get(w, EN_WORDS.get(w, 0)), "", len(p)
    return "", 0, "", 0


def _adds(current: float, v: float) -> bool:
    """Whether word value ``v`` continues the number ``current`` ("خمسة وعشرون", "twenty-nine")."""
    r = current % 100
    if r == 0:
        return v < 100 or (v < 1000 and current % 1000 == 0)
    if r < 10:
        return v % 10 == 0 and v < 100
    return r % 10 == 0 and v < 10


def _word_mentions(norm: str) -> list[_M]:
    words = list(_WORD.finditer(norm))
    out, i = [], 0
    while i < len(words):
        m, j = _word_run(norm, words, i)
        if m:
            out.append(m)
        i = max(j, i + 1)
    return out


def _word_run(norm: str, words: list[re.Match], i: int) -> tuple[_M | None, int]:
    """The number spelled by words from ``words[i]``, and the index after it."""
    total = current = 0.0
    start, end, last, j = None, 0, 0, i
    if words[i].group() == "a" and i + 1 < len(words) and words[i + 1].group() in EN_MULTIPLIERS:
        current, start, end, last, j = 1.0, words[i].start(), words[i].end(), words[i].end(), i + 1
    while j < len(words):
        w = words[j]
        if start is not None:
            gap = norm[last:w.start()]
            if gap.strip() not in ("", "-") or len(gap) > 3:
                break
            if w.group() == "and":  # "one hundred and five"
                last, j = w.end(), j + 1
                continue
        kind, v, vague, plen = _lookup(w.group(), start is None)
        if kind == "vague":
            return _M(v, w.start() + plen, w.end(), vague, word=True), j + 1
        if v == 1 and start is None and j and words[j - 1].group() in _SKIP_ONE:
            return None, j + 1  # "no one", "any one"
        step = _step(total, current, kind, v, start is None)
        if step is None:
            break
        total, current = step
        start = w.start() + plen if start is None else start
        end = last = w.end()
        j += 1
    if start is None:
        return None, j
    return _M(total + current, start, end, word=True), j


def _step(total: float, current: float, kind: str, v: float,
          first: bool) -> tuple[float, float] | None:
    """(total, current) after one more number word, or None when it starts a new number."""
    if kind == "mult" and not first:
        if v < 1000 and 1 <= current <= 9:  # "ثلاث مئة", "two dozen"
            return total, current * v
        if v >= 1000 and 0 < current < 1000:  # "ثلاثة آلاف", "five million"
            return total + current * v, 0.0
        kind = "num" if v == 100 else ""  # "ثلاثة آلاف ومئة"
    if kind == "mult" or kind == "num" and v >= 1000 and first:
        return (v, 0.0) if v >= 1000 else (total, v)
    if kind == "num" and (first or _adds(current, v)):
        return total, current + v
    return None


def _qualify(norm: str, ms: list[_M]) -> None:
    for m in ms:
        if m.qualifier:
            continue
        before, after = norm[max(0, m.s - 30):m.s], norm[m.e:m.e + 30]
        for pat, q in _BEFORE:
            if pat.search(before):
                m.qualifier = q
                break
        for pat, q in _AFTER:
            if not m.qualifier and pat.search(after):
                m.qualifier = q


def _ranges(norm: str, ms: list[_M]) -> list[_M]:
    out: list[_M] = []
    for m in ms:
        prev = out[-1] if out else None
        if prev and not prev.qualifier and not m.qualifier and m.value > prev.value:
            gap = norm[prev.e:m.s]
            g = _RANGE_GAP.fullmatch(gap)
            needs = _RANGE_NEEDS.get(gap.strip())
            before = norm[max(0, prev.s - 10):prev.s].split()
            word = before[-1] if before else ""
            if g and (not needs or word in needs or word[1:] in needs and word[0] == "و"):
                prev.high, prev.e, prev.qualifier = m.value, m.e, "range"
                continue
        out.append(m)
    return out


def _is_date_part(norm: str, m: _M, spans: list[tuple[int, int]]) -> bool:
    if any(m.s < e and s < m.e for s, e in spans):
        return True
    raw = norm[m.s:m.e]
    return bool(re.fullmatch(r"(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?", raw))


def find_numbers(text: str, skip_dates: bool = False, *,
                 normalized: tuple[str, list[int]] | None = None) -> list[NumberMention]:
    """Figures in ``text`` in order, with qualifiers, ranges and spans into ``text``;
    ``normalized`` is ``normalize_with_map(text)`` when the caller already has it."""
    if normalized is None and len(text) <= MEMO_CHARS:
        return list(_numbers_memo(text, skip_dates))
    return _find_numbers(text, skip_dates, normalized or normalize_with_map(text))


@lru_cache(maxsize=16384)
def _numbers_memo(text: str, skip_dates: bool) -> tuple[NumberMention, ...]:
    return tuple(_find_numbers(text, skip_dates, normalize_with_map(text)))


def _find_numbers(text: str, skip_dates: bool,
                  normalized: tuple[str, list[int]]) -> list[NumberMention]:
    norm, off = normalized
    ms: list[_M] = []
    for m in sorted(_digit_mentions(norm) + _word_mentions(norm), key=lambda m: m.s):
        if not ms or m.s >= ms[-1].e:  # "200 ألف": the multiplier word is not a mention too
            ms.append(m)
    _qualify(norm, ms)
    ms = _ranges(norm, ms)
    if skip_dates:
        spans = [(s, e) for s, e, _ in dates_normalized(norm)] + [(s, e) for s, e, *_ in _times(norm)]
        ms = [m for m in ms if not _is_date_part(norm, m, spans)]
    out = []
    for m in ms:
        a, b = map_span(off, m.s, m.e)
        out.append(NumberMention(m.value, a, b, text[a:b], m.qualifier, m.high))
    return out


def number_equal(a: str, b: str) -> bool:
    """Whether two surface forms denote the same number ("٢٠٠,٠٠٠" = "200.000" = "200 ألف")."""
    ma, mb = find_numbers(a), find_numbers(b)
    if not ma or not mb:
        return False
    return (ma[0].value, ma[0].high) == (mb[0].value, mb[0].high)
