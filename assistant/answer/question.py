"""Question understanding and follow-up resolution (pure functions, no LLM).

``understand`` types a journalist's question (count, date, time, place, actor,
weapon, other), finds what is counted (target terms, with their Arabic and
English forms so an English question can be matched against an Arabic report),
the event (killed, injured…), places and dates. ``resolve_followup`` turns an
elliptic follow-up ("and how many civilians?", "وفي اليوم التالي؟") into a
standalone question by carrying the previous question's subject, place and time.
This module does not look at reports; ``answer.py`` matches the terms there
(``terms.py`` holds the cached vocabulary matching).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from assistant.answer.terms import (
    concept_forms as concept_forms,  # re-exported: answer.py, figure_store.py
)
from assistant.answer.terms import concept_of as _concept_of
from assistant.answer.terms import (
    term_matches as term_matches,  # re-exported (public API of this module)
)
from assistant.errors import InputError
from assistant.lexicon import (
    EVENTS,
    GENERIC,
    MONTHS,
    NOT_PLACE_WORDS,
    PLACES,
    QUESTION_CUES,
    QWORDS,
    TARGET_STOP_WORDS,
)
from assistant.text import numbers
from assistant.text.arabic import detect_language, map_span, normalize, normalize_with_map, tokenize

MAX_QUESTION_CHARS = 2000
QTYPES = ("count", "date", "time", "place", "actor", "weapon", "other")


@dataclass(frozen=True)
class Question:
    """A typed question; term tuples hold analysed forms (``arabic.tokenize``)."""

    text: str
    qtype: str
    lang: str
    target_terms: tuple[str, ...] = ()
    key_terms: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()  # ISO dates (YYYY, YYYY-MM or YYYY-MM-DD) the question names
    event_terms: tuple[str, ...] = ()
    numbers: tuple[float, ...] = ()  # figures the question itself states ("among the 25 dead")
    sources: tuple[str, ...] = ()  # who the answer is attributed to ("according to the Observatory")


@dataclass(frozen=True)
class _Parse:
    """Where the parts of a question sit in its text (for follow-up rewriting)."""

    question: Question
    cue: tuple[int, int] | None
    target: tuple[int, int] | None
    places: tuple[tuple[int, int], ...]
    dates: tuple[tuple[int, int], ...]


_CUE_RE = [(t, re.compile(p)) for t, p in QUESTION_CUES]
_TARGET_AFTER = re.compile(r"(?:كم عدد|ما عدد|كم|عدد|how many|how much|number of)\s+")
_TARGET_STOP = frozenset(normalize(w) for w in TARGET_STOP_WORDS.split())
_GROUPS = frozenset({"regime", "isis", "hts", "civilians", "fighters", "children", "women",
                     "staff", "patients", "doctors"})
_LATIN_PLACE = re.compile(
    r"\b(?:in|at|near|on|of|from|outside|around)\s+((?:[A-Z][\w'’-]+)(?:\s+(?:al-|el-)?[A-Z][\w'’-]+)*)")
# the source an answer is attributed to: "according to X", "did X give", "بحسب X", "وفق X"
_SOURCE_RE = re.compile(
    r"\b(?:did|does|do)\s+(?:the\s+)?(.{3,60}?)\s+(?:give|say|report|count|record|document|"
    r"put|estimate|state)\b|\b(?:according to|as reported by)\s+(?:the\s+)?(.{3,60}?)"
    r"(?=[,?.؟،]|$|\s(?:on|in|for|about)\s)|(?:^|\s)(?:بحسب|حسب|وفق|وفقا ل|نقلا عن|طبقا ل)\s*"
    r"(?:ما\s+(?:افاد|قال|ذكر)\S*\s+)?(\S+(?:\s+\S+){0,3}?)(?=[,?.؟،]|$)")
_SOURCE_STOP = frozenset(tokenize("the of for and report reports تقرير تقارير ال"))
_AR_PLACE = re.compile(
    r"(?:\bفي|\bب|\bمن|\bالي|\bعلي)\s*(?:بلده|مدينه|قريه|حي|ريف|محافظه|منطقه|مخيم)\s+([^\s؟?،,]+(?:\s+(?!(?:يوم|في|من|الي|علي|خلال|منذ|بعد|قبل|عام|سنه)\b)[^\s؟?،,]+)?)")


def understand(text: str) -> Question:
    """Type ``text`` and pick out what it asks about (see ``Question``)."""
    return _parse(text).question


def _parse(text: str) -> _Parse:
    norm, off = normalize_with_map(text)
    lang = detect_language(text)
    qtype, cue = _qtype(norm)
    target_span = _target_span(norm) if qtype == "count" else None
    target_words = tokenize(norm[target_span[0]:target_span[1]]) if target_span else []
    cue, target_span = (_marks(text, map_span(off, *s)) if s else None for s in (cue, target_span))
    key = tuple(t for t in tokenize(text) if t not in _qword_forms())
    events = tuple(f for t in key if _concept_of(t) in EVENTS for f in concept_forms(t))
    target_words = _counted_words(target_words)
    target = tuple(f for t in target_words if _concept_of(t) not in GENERIC for f in concept_forms(t))
    if qtype == "count" and (not target or {_concept_of(t) for t in target_words} <= {"people"}):
        target = target + events  # "how many people were injured": the event is what is counted
    place_spans = _place_spans(text, norm, off)
    places = tuple(dict.fromkeys(text[s:e] for s, e in place_spans))
    date_mentions = numbers.find_dates(text)
    dates = tuple(d.iso for d in date_mentions if d.iso)
    date_spans = tuple((d.start, d.end) for d in date_mentions)
    taken = [*date_spans, *(s for s in [cue] if s)]
    nums = tuple(m.value for m in numbers.find_numbers(text)
                 if not any(s <= m.start < e for s, e in taken))
    q = Question(text, qtype, lang, tuple(dict.fromkeys(target)), key, places, dates,
                 tuple(dict.fromkeys(events)), nums, _sources(norm))
    return _Parse(q, cue, target_span, place_spans, date_spans)


def _sources(norm: str) -> tuple[str, ...]:
    """Analysed words naming who the question attributes the answer to (may be empty)."""
    m = _SOURCE_RE.search(norm)
    words = tokenize(next((g for g in m.groups() if g), "")) if m else []
    return tuple(w for w in dict.fromkeys(words) if w not in _SOURCE_STOP and not w.isdigit())


def _counted_words(words: list[str]) -> list[str]:
    """The words naming what is counted: the leading run of concept words ("مقطع فيديو"),
    else the concept words after leading modifiers ("alleged Russian airstrike incidents")."""
    def counted(w: str) -> bool:
        c = _concept_of(w)
        return c is not None and not c.startswith("place:")
    if words and counted(words[0]):
        run = []
        for w in words:
            if not counted(w):
                break
            run.append(w)
        return run
    return [w for w in words if counted(w)] or words[:1]


def _marks(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """Extend a span over the diacritics that follow it ("مدنيا" → "مدنياً")."""
    end = span[1]
    while end < len(text) and "\u064b" <= text[end] <= "\u065f":
        end += 1
    return span[0], end


def _qtype(norm: str) -> tuple[str, tuple[int, int] | None]:
    for qtype, pattern in _CUE_RE:
        m = pattern.search(norm)
        if m and not (qtype == "count" and _is_count_noise(norm, m)):
            return qtype, (m.start(), m.end())
    return "other", None


def _is_count_noise(norm: str, m: re.Match) -> bool:
    """"عدد" inside another word or "كم" as part of a word is not a count cue."""
    s, e = m.start(), m.end()
    before = norm[s - 1] if s else " "
    after = norm[e] if e < len(norm) else " "
    return before.isalpha() or after.isalpha()


def _target_span(norm: str) -> tuple[int, int] | None:
    """What is counted: words after the cue up to the last one naming a known concept.

    "How many alleged Russian airstrike incidents" → "alleged … incidents";
    ``_parse`` keeps only the concept words as target terms.
    """
    m = _TARGET_AFTER.search(norm)
    if not m:
        return None
    words = list(re.finditer(r"[^\s؟?،,.!]+", norm[m.end():]))[:5]
    end = first = None
    for i, w in enumerate(words):
        concept = _concept_of_word(w.group())
        if w.group() in _TARGET_STOP and not (w.group() in ("من", "of") and i + 1 < len(words)
                                              and _concept_of_word(words[i + 1].group()) in _GROUPS):
            break
        if i and concept in EVENTS:
            break
        first = first or w
        if concept is not None:
            end = w.end()
    end = end or (first.end() if first else None)
    return (m.end(), m.end() + end) if end else None


def _place_spans(text: str, norm: str, off: list[int]) -> tuple[tuple[int, int], ...]:
    spans = [m.span(1) for m in _LATIN_PLACE.finditer(text)]
    found = [m.span(1) for m in _AR_PLACE.finditer(norm)]
    for name in PLACES:
        for m in re.finditer(rf"(?<!\w)(?:و|ب|ل|في|من)?({re.escape(name)})(?!\w)", norm):
            found.append(m.span(1))
    spans += [map_span(off, *s) for s in found]
    spans = [s for s in spans if not _is_month_or_org(text[s[0]:s[1]])]
    return tuple(sorted(set(spans)))


def _is_month_or_org(name: str) -> bool:
    first = normalize(name).split()[0]
    return first in _NOT_PLACES or bool(numbers.find_dates(name))


_NOT_PLACES = frozenset(normalize(w) for w in NOT_PLACE_WORDS.split())


@lru_cache(maxsize=1)
def _qword_forms() -> frozenset[str]:
    return frozenset(f for w in QWORDS for f in tokenize(w))


def _concept_of_word(word: str) -> str | None:
    toks = tokenize(word)
    return _concept_of(toks[0]) if toks else None


# ------------------------------------------------------------ follow-ups
_AND = r"^\s*(?:and|but|also|so|then|و|ف)\s*"
_ELLIPTIC = re.compile(
    _AND.rstrip("*") + r"|^\s*(?:what|how) about\b|^\s*(?:و)?ماذا عن|^\s*(?:و)?ما(?:ذا)? بالنسبه")
_NEXT_DAY = re.compile(r"next day|following day|day after|اليوم التالي|اليوم الذي يليه|في الغد")
_PREV_DAY = re.compile(r"day before|previous day|اليوم السابق|اليوم الذي سبقه|قبله بيوم")


def is_elliptic(text: str) -> bool:
    """True when ``text`` leans on the previous question (conjunction start, "what about", very short)."""
    norm = normalize(text)
    content = [t for t in tokenize(text) if t not in _qword_forms()]
    if _NEXT_DAY.search(norm) or _PREV_DAY.search(norm):
        return len(content) <= 4  # "what about the next day?", not a full question naming it
    return bool(_ELLIPTIC.search(norm)) or len(content) <= 2


def resolve_followup(text: str, history: list[tuple[str, str]] | None) -> str:
    """A standalone version of ``text`` given earlier ``(question, answer)`` pairs.

    Standalone questions come back unchanged. For elliptic ones the previous
    (itself resolved) question is rewritten: the new counted group, place, date
    or question word replaces the old one, everything else is carried forward.
    """
    if not history or not text.strip() or not is_elliptic(text):
        return text
    history = history[-6:]
    prev = resolve_followup(history[-1][0], history[:-1])
    return _merge(_parse(prev), _parse(_strip_and(text)), text)


def _strip_and(text: str) -> str:
    out = re.sub(r"^\s*(?:and|but|also|so|then)\b\s*|^\s*(?:what|how) about\s*", "", text, flags=re.I)
    return re.sub(r"^\s*(?:و|ف)(?=(?:كم|متى|متي|أين|اين|من|ما|في|ماذا|عن|بأي|أي|اي)\b)", "", out)


def _merge(prev: _Parse, new: _Parse, original: str) -> str:
    """Replace parts of the previous question by what the follow-up states."""
    text = prev.question.text.rstrip(" ?؟")
    edits: list[tuple[tuple[int, int] | None, str]] = []
    ntext = new.question.text
    if new.target and new.question.qtype == "count":
        edits.append((prev.target or _after(prev.cue), ntext[new.target[0]:new.target[1]]))
    elif new.cue and new.question.qtype != prev.question.qtype:
        edits.append((prev.cue, ntext[new.cue[0]:new.cue[1]]))
    if new.places:
        place = ntext[new.places[0][0]:new.places[0][1]]
        edits.append((prev.places[0] if prev.places else None, place))
    if new.dates:
        edits.append((prev.dates[0] if prev.dates else None, ntext[new.dates[0][0]:new.dates[0][1]]))
    else:
        edits.extend(_relative_day(prev, original))
    for span, value in sorted(edits, key=lambda e: -(e[0] or (len(text), 0))[0]):
        text = _apply(text, span, value, prev.question.lang)
    return text + ("؟" if prev.question.lang == "ar" else "?")


def _after(span: tuple[int, int] | None) -> tuple[int, int] | None:
    return (span[1] + 1, span[1] + 1) if span else None


def _apply(text: str, span: tuple[int, int] | None, value: str, lang: str) -> str:
    if span is None:
        return f"{text} {value}" if lang == "ar" or value.lower().startswith(("in ", "on ", "the "))\
            else f"{text} in {value}" if value[:1].isupper() else f"{text} {value}"
    start, end = span
    return (text[:start] + value + (" " if end == start else "") + text[end:]).replace("  ", " ")


def _relative_day(prev: _Parse, original: str) -> list[tuple[tuple[int, int] | None, str]]:
    norm = normalize(original)
    shift = 1 if _NEXT_DAY.search(norm) else -1 if _PREV_DAY.search(norm) else 0
    if not shift:
        return []
    lang = prev.question.lang
    full = [(span, d) for span, d in zip(prev.dates, prev.question.dates, strict=False) if len(d) == 10]
    if full:
        span, iso = full[0]
        return [(span, _format_date(iso, shift, lang))]
    words = {("ar", 1): "في اليوم التالي", ("ar", -1): "في اليوم السابق",
             ("en", 1): "on the next day", ("en", -1): "on the day before"}
    return [(None, words[(lang, shift)])]


def _format_date(iso: str, shift: int, lang: str) -> str:
    day = date.fromisoformat(iso) + timedelta(days=shift)
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def with_text(question: Question, text: str) -> Question:
    """``question`` with another display text (used after follow-up resolution)."""
    return replace(question, text=text)


def check_question(text: str) -> str:
    """The question with its whitespace collapsed, or InputError for an empty, oversized or
    control-character question (a clear message instead of a search for garbage)."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(text)} characters long; "
                         f"the limit is {MAX_QUESTION_CHARS}")
    bad = sorted({f"U+{ord(c):04X}" for c in text
                  if unicodedata.category(c) == "Cc" and c not in "\n\t\r"})
    if bad:
        raise InputError(f"the question contains control characters ({', '.join(bad[:5])})")
    return " ".join(text.split())
