"""Question understanding and follow-up resolution (pure functions, no LLM).

``understand`` types a journalist's question (count, date, time, place, actor,
weapon, other), finds what is counted (target terms, with their Arabic and
English forms so an English question can be matched against an Arabic report),
the event (killed, injured…), the places and actors it names (``entities``: any
spelling, either language), dates and the source it cites. Follow-ups are
``followup.py``'s. This module does not look at reports; ``evidence.py`` matches the
terms there (``terms.py`` holds the cached vocabulary matching).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, get_args

from assistant.answer.entities import REPORTERS, Entity, find_entities
from assistant.answer.measures import measure_kind
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
    NOT_PLACE_WORDS,
    QUESTION_CUES,
    QWORDS,
    TARGET_STOP_WORDS,
)
from assistant.text import numbers
from assistant.text.arabic import detect_language, map_span, normalize, normalize_with_map, tokenize

MAX_QUESTION_CHARS = 2000
QType = Literal["count", "date", "time", "measure", "place", "actor", "weapon", "other"]
QTYPES: tuple[QType, ...] = get_args(QType)


@dataclass(frozen=True)
class Question:
    """A typed question; term tuples hold analysed forms (``arabic.tokenize``)."""

    text: str
    qtype: QType
    lang: str
    target_terms: tuple[str, ...] = ()
    key_terms: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()  # ISO dates (YYYY, YYYY-MM or YYYY-MM-DD) the question names
    event_terms: tuple[str, ...] = ()
    numbers: tuple[float, ...] = ()  # figures the question itself states ("among the 25 dead")
    sources: tuple[str, ...] = ()  # who the answer is attributed to ("according to the Observatory")
    entities: tuple[Entity, ...] = ()  # places and actors named (gazetteer, actor table)


@dataclass(frozen=True)
class Parse:
    """Where the parts of a question sit in its text (for follow-up rewriting)."""

    question: Question
    cue: tuple[int, int] | None
    target: tuple[int, int] | None
    places: tuple[tuple[int, int], ...]
    dates: tuple[tuple[int, int], ...]
    source: tuple[int, int] | None = None  # "according to X", «بحسب X»


_CUE_RE = [(t, re.compile(p)) for t, p in QUESTION_CUES]
_MEASURE_AFTER_COUNT = re.compile(r"كم (?:تبلغ |يبلغ |كانت |كان )?(?:نسبه|عمر|مده|عمق|طول|وزن|مسافه)")
_TARGET_AFTER = re.compile(r"(?:كم عدد|ما عدد|ما حصيله|حصيله|كم|عدد|how many|how much"
                           r"|number of|toll of)\s+")
_TARGET_STOP = frozenset(normalize(w) for w in TARGET_STOP_WORDS.split())
_AUX = frozenset(normalize(w) for w in "were was are is did do does have has had كان كانت كانوا".split())
_OF_THEM = frozenset("من of them those these among منهم منها بينهم".split())
_GROUPS = frozenset({"regime", "isis", "hts", "civilians", "fighters", "children", "women",
                     "staff", "patients", "doctors"})
_LATIN_PLACE = re.compile(
    r"\b(?:in|at|near|on|of|from|outside|around)\s+((?:[A-Z][\w'’-]+)(?:\s+(?:al-|el-)?[A-Z][\w'’-]+)*)")
# the source an answer is attributed to: "according to X", "did X give", "بحسب X", "وفق X"
_SOURCE_RE = re.compile(
    r"\b(?:did|does|do)\s+(?:the\s+)?(.{3,60}?)\s+(?:give|say|report|count|record|document|"
    r"put|estimate|state)\b|\b(?:according to|as reported by)\s+(?:the\s+)?(.{3,60}?)"
    r"(?=[,?.؟،]|$|\s(?:on|in|for|about)\s)|(?:^|\s)(?:بحسب|حسب|وفق|وفقا ل|نقلا عن|طبقا ل)\s*"
    r"(?:ما\s+(?:افاد|قال|ذكر)\S*\s+)?([^\s؟?،,.]+(?:\s+[^\s؟?،,.]+){0,5}?)(?=\s*[,?.؟،]|$)")
_SOURCE_STOP = frozenset(tokenize("""the of for and report reports figures figure data statement
    statements toll count tally تقرير تقارير ارقام رقم بيان بيانات حصيلة ال"""))
_AR_PLACE = re.compile(
    r"(?:\bفي|\bب|\bمن|\bالي|\bعلي)\s*(?:بلده|مدينه|قريه|حي|ريف|محافظه|منطقه|مخيم)\s+([^\s؟?،,]+(?:\s+(?!(?:يوم|في|من|الي|علي|خلال|منذ|بعد|قبل|عام|سنه)\b)[^\s؟?،,]+)?)")


def understand(text: str) -> Question:
    """Type ``text`` and pick out what it asks about (see ``Question``)."""
    return parse(text).question


@lru_cache(maxsize=2048)
def parse(text: str) -> Parse:
    norm, off = normalize_with_map(text)
    lang = detect_language(text)
    qtype, cue = _qtype(norm)
    target_span = _target_span(norm) if qtype == "count" else None
    target_words = tokenize(norm[target_span[0]:target_span[1]]) if target_span else []
    cue, target_span = (_marks(text, map_span(off, *s)) if s else None for s in (cue, target_span))
    sources, source_span = _sources(norm)
    source_span = map_span(off, *source_span) if source_span else None
    # who reported is not who acted: names inside "according to X" are the source's
    entities = tuple(e for e in find_entities(text) if not e.ids <= REPORTERS and not (
        source_span and source_span[0] <= e.start < source_span[1]))
    target_span = _before_entities(text, target_span, entities)
    key = tuple(t for t in tokenize(_blank(text, entities)) if t not in _qword_forms())
    events = tuple(f for t in key if _concept_of(t) in EVENTS for f in concept_forms(t))
    if target_span:  # an actor or place in the counted phrase is matched as an entity
        target_words = tokenize(_blank(text, entities)[target_span[0]:target_span[1]])
    target_words = _counted_words(target_words)
    target = tuple(f for t in target_words if _concept_of(t) not in GENERIC for f in concept_forms(t))
    if qtype == "count" and (not target or {_concept_of(t) for t in target_words} <= {"people"}):
        target = target + events  # "how many people were injured": the event is what is counted
    place_spans = _place_spans(text, norm, off, entities)
    places = tuple(dict.fromkeys(text[s:e] for s, e in place_spans))
    date_mentions = numbers.find_dates(text)
    dates = tuple(d.iso for d in date_mentions if d.iso)
    date_spans = tuple((d.start, d.end) for d in date_mentions)
    taken = [*date_spans, *(s for s in [cue] if s)]
    nums = tuple(m.value for m in numbers.find_numbers(text)
                 if not any(s <= m.start < e for s, e in taken))
    q = Question(text, qtype, lang, tuple(dict.fromkeys(target)), key, places, dates,
                 tuple(dict.fromkeys(events)), nums, sources, entities)
    return Parse(q, cue, target_span, place_spans, date_spans, source_span)


def _before_entities(text: str, span: tuple[int, int] | None,
                     entities: tuple[Entity, ...]) -> tuple[int, int] | None:
    """The counted phrase ends where a named actor or place begins ("عنصراً من | قوات
    النظام"): a follow-up that counts something else keeps the actor."""
    if span is None:
        return None
    cut = min((e.start for e in entities if span[0] < e.start < span[1]), default=span[1])
    end = span[0] + len(re.sub(r"(?:\s+(?:من|of|from|the|ال))*\s*$", "", text[span[0]:cut]))
    return (span[0], end) if end > span[0] else span


def _blank(text: str, entities: tuple[Entity, ...]) -> str:
    """``text`` with the named places and actors blanked: they are matched as entities
    (any spelling, either language), not as words."""
    for e in entities:
        text = text[:e.start] + " " * (e.end - e.start) + text[e.end:]
    return text


def _sources(norm: str) -> tuple[tuple[str, ...], tuple[int, int] | None]:
    """Analysed words naming who the question attributes the answer to (may be empty),
    and where the attribution sits in the normalised question."""
    m = _SOURCE_RE.search(norm)
    if not m:
        return (), None
    words = tokenize(next((g for g in m.groups() if g), ""))
    found = tuple(w for w in dict.fromkeys(words) if w not in _SOURCE_STOP and not w.isdigit())
    return found, (m.start(), m.end())


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


def _qtype(norm: str) -> tuple[QType, tuple[int, int] | None]:
    """The type of the question word that comes first («في أي يوم سجل أكبر عدد» asks
    for a day, not a count); cues at one position go by the table's order."""
    found = []
    for order, (qtype, pattern) in enumerate(_CUE_RE):
        m = pattern.search(norm)
        if m and not (qtype == "count" and _is_count_noise(norm, m)):
            found.append((m.start(), order, qtype, (m.start(), m.end())))
    if not found:
        return ("measure" if measure_kind(norm) else "other"), None
    _, _, qtype, span = min(found)
    if qtype == "count" and _MEASURE_AFTER_COUNT.match(norm, span[0]):
        return "measure", span  # «كم نسبة / كم عمر …»: a quantity, not a count
    return qtype, span


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
    words = [w for w in re.finditer(r"[^\s؟?،,.!]+", norm[m.end():])
             ][:6]
    while words and words[0].group() in _AUX | _OF_THEM:  # "how many were children",
        words = words[1:]  # «كم من النازحين», «كم كان عدد», "how many of them were women"
    words = words[:5]
    end = first = None
    for i, w in enumerate(words):
        concept = _concept_of_word(w.group())
        if w.group() in _TARGET_STOP and not (w.group() in ("من", "of") and i + 1 < len(words)
                                              and _concept_of_word(words[i + 1].group()) in _GROUPS):
            break
        if i and concept in EVENTS:
            break
        if end is not None and concept is None and w.group() not in ("من", "of"):
            break  # the counted phrase is over ("مدنياً | قتلت الغارات")
        first = first or w
        if concept is not None:
            end = w.end()
    end = end or (first.end() if first else None)
    return (m.end() + first.start(), m.end() + end) if end and first else None


def _place_spans(text: str, norm: str, off: list[int],
                 entities: tuple[Entity, ...]) -> tuple[tuple[int, int], ...]:
    """Places the question names: the gazetteer's, then names after "in/at" or «بلدة»."""
    spans = [(e.start, e.end) for e in entities if e.kind == "place"]
    found = [m.span(1) for m in _AR_PLACE.finditer(norm)]
    spans += [m.span(1) for m in _LATIN_PLACE.finditer(text)
              if not any(e.start <= m.start(1) < e.end for e in entities)]
    spans += [map_span(off, *s) for s in found]
    spans = [s for s in spans if not any(a < s[0] < b or a < s[1] < b for a, b in spans
                                         if (a, b) != s and b - a > s[1] - s[0])]
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
