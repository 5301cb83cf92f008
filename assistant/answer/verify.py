"""Verification of an answer against the passages it cites (pure functions).

``verify`` checks that every sentence of an answer carries an existing [n]
marker and that every figure (digits, Arabic-Indic digits or number words),
date, clock time and known place name in a sentence is stated by one of the
passages that sentence cites. ``main_figure_ok`` tells whether the headline
figure of a short answer survived verification (the LLM path falls back to
the evidence answer when it did not). Whether a quote matches its report is
checked where reports are at hand (``Assistant.verify``), not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.lexicon.places import PlaceMention, contains, find_places
from assistant.records import Check, Citation
from assistant.text import numbers
from assistant.text.arabic import normalize

_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE = re.compile(r"(?<=[.!?؟])\s+|\n+")
_DECOR = re.compile(r"^[>\s*#_\-•]+|[*_]+")
_LINK = re.compile(r"\]\([^)\s]*\)|https?://\S+")  # a quoted link's address states no fact


def verify(answer_md: str, citations: list[Citation]) -> list[Check]:
    """One ``Check`` per sentence (markers) and per figure, date, time and place it states."""
    by_n = {c.n: c for c in citations}
    checks: list[Check] = []
    for sentence in _sentences(answer_md):
        marks = [int(n) for n in _MARKER.findall(sentence)]
        claim = _MARKER.sub("", _LINK.sub("] ", sentence)).strip()
        if not marks:
            if _has_facts(claim):
                checks.append(Check(claim, False, "no citation marker"))
            continue
        missing = [n for n in marks if n not in by_n]
        if missing:
            checks.append(Check(claim, False, f"citation {_refs(missing)} does not exist"))
        quotes = [by_n[n].quote for n in marks if n in by_n]
        refs = _refs([n for n in marks if n in by_n])
        checks.extend(_fact_checks(claim, quotes, refs))
    # The short answer restates a figure of its quote: one check says it once.
    return list(dict.fromkeys(checks))


def _sentences(md: str) -> list[str]:
    out = []
    for piece in _SENTENCE.split(md):
        piece = _DECOR.sub("", piece).strip()
        if piece and not re.fullmatch(r"(?:\[\d+\]\s*)+", piece):
            out.append(piece)
        elif piece and out:  # a marker alone on a line belongs to the sentence before it
            out[-1] += " " + piece
    return out


def _refs(ns: list[int]) -> str:
    return ", ".join(f"[{n}]" for n in dict.fromkeys(ns))


def _has_facts(claim: str) -> bool:
    return bool(numbers.find_numbers(claim) or numbers.find_dates(claim) or _places(claim))


def _fact_checks(claim: str, quotes: list[str], refs: str) -> list[Check]:
    out = []
    for m in numbers.find_numbers(claim, skip_dates=True):
        ok = any(_has_number(q, m.value, m.high) for q in quotes)
        out.append(Check(m.text, ok, f"figure {m.text} {'found in' if ok else 'not found in source'}"
                                     f" {refs}"))
    for d in numbers.find_dates(claim):
        ok = any(_has_date(q, d) for q in quotes)
        out.append(Check(d.text, ok, f"date {d.text} {'found in' if ok else 'not found in source'}"
                                     f" {refs}"))
    for t in numbers.find_times(claim):
        ok = any(t.hhmm in {x.hhmm for x in numbers.find_times(q)} for q in quotes)
        out.append(Check(t.text, ok, f"time {t.text} {'found in' if ok else 'not found in source'}"
                                     f" {refs}"))
    named = [(q, find_places(q)) for q in quotes]
    for place in dict.fromkeys(_places(claim)):
        ok = any(_has_place(place, found) for _, found in named)
        out.append(Check(place.name, ok, f"place {place.name} "
                                         f"{'found in' if ok else 'not found in source'} {refs}"))
    return out


def _has_number(quote: str, value: float, high: float | None) -> bool:
    return any(m.value == value and m.high == high for m in numbers.find_numbers(quote))


def _has_date(quote: str, d: numbers.DateMention) -> bool:
    found = numbers.find_dates(quote)
    if d.iso:
        return any(x.iso == d.iso for x in found)
    return normalize(d.text) in normalize(quote)


@dataclass(frozen=True)
class _Place:
    name: str
    ids: frozenset[str]


def _places(claim: str) -> list[_Place]:
    """The gazetteer's places the claim names."""
    return [_Place(claim[m.start:m.end], frozenset(m.ids)) for m in find_places(claim)]


def _has_place(place: _Place, found: list[PlaceMention]) -> bool:
    """A quote names the place (any spelling, either language) or one inside it."""
    return any(contains(a, b) or contains(b, a) for m in found for a in place.ids for b in m.ids)


def main_figure_ok(short_answer: str | None, checks: list[Check]) -> bool:
    """True when every figure of ``short_answer`` was verified in a cited passage.

    A short answer without figures passes; a figure no check looked at fails
    (it was not verified).
    """
    if not short_answer:
        return True
    figure_checks = [c for c in checks if c.detail.startswith("figure ")]
    for m in numbers.find_numbers(short_answer, skip_dates=True):
        same = [c for c in figure_checks if _same_number(c.claim, m.value, m.high)]
        if not same or not all(c.ok for c in same):
            return False
    return True


def _same_number(text: str, value: float, high: float | None) -> bool:
    found = numbers.find_numbers(text)
    return bool(found) and (found[0].value, found[0].high) == (value, high)
