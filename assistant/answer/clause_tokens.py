"""Analysed tokens of report text with their offsets (pure functions).

``tokens`` gives the analysed terms (``arabic.tokenize``) of a span of a report
with offsets into the report, leaving out link and HTML-tag words; ``terms`` is
the set of a whole text's terms (cached: reports come back question after
question). ``is_label_line`` spots fact-sheet lines. Typed answers are
``extract.py``'s job, matching against the question ``terms.py``'s.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from assistant.answer.terms import form_matcher
from assistant.text.arabic import map_span, normalize_with_map, tokenize
from assistant.text.links import link_spans


@dataclass(frozen=True)
class Found:
    """A typed answer: ``text == report[start:end]``; ``key`` compares answers across reports."""

    text: str
    start: int
    end: int
    score: float
    key: str


@dataclass(frozen=True)
class Tok:
    """An analysed token with its span in the report text."""

    term: str
    start: int
    end: int


_WORD = re.compile(r"\d+(?:[.,،]\d+)*|[^\W\d_]+")
def url_spans(text: str) -> list[tuple[int, int]]:
    """Spans of links and markup: their words and numbers are not report content."""
    return link_spans(text)


def tokens(text: str, start: int, end: int) -> list[Tok]:
    """Analysed tokens of ``text[start:end]`` with report offsets (stopwords, links dropped)."""
    piece = text[start:end]
    links = url_spans(piece)  # sorted and disjoint (finditer): bisect finds the one before a token
    link_starts = [s for s, _ in links]
    norm, off = normalize_with_map(piece)
    out = []
    for m in _WORD.finditer(norm):
        term = _term(m.group())
        if term:
            a, b = map_span(off, m.start(), m.end())
            i = bisect_right(link_starts, a) - 1
            if i < 0 or a >= links[i][1]:
                out.append(Tok(term, start + a, start + b))
    return out


@lru_cache(maxsize=128)
def terms(text: str) -> frozenset[str]:
    """``{t.term for t in tokens(text, 0, len(text))}``, without building the tokens.

    Cached on the text itself: whole reports come back question after question.
    """
    links = url_spans(text)
    norm, off = normalize_with_map(text)  # the normalisation ``tokens`` uses
    if not links:
        return frozenset(t for t in map(_term, _WORD.findall(norm)) if t)
    link_starts = [s for s, _ in links]
    out = set()
    for m in _WORD.finditer(norm):
        a = off[m.start()]
        i = bisect_right(link_starts, a) - 1
        if i < 0 or a >= links[i][1]:
            out.add(_term(m.group()))
    out.discard("")
    return frozenset(out)


@lru_cache(maxsize=200_000)
def _term(word: str) -> str:
    """The analysed term of one word ("" for a stopword); words repeat, so cached."""
    terms = tokenize(word)
    return terms[0] if terms else ""


_LABEL_LINE = re.compile(r"^[\s\-_*•]*[^:\n]{2,40}:\s*\S")


def is_label_line(clause: str) -> bool:
    """A fact-sheet line such as "الوقت: 02:00" or "- Location: Idlib"."""
    return bool(_LABEL_LINE.match(clause)) and "\n" not in clause.strip()


def has_term(toks: list[Tok], forms: tuple[str, ...]) -> bool:
    match = form_matcher(tuple(forms))
    return any(match(t.term) for t in toks)
