"""Vocabulary phrases in text, for figure extraction (pure functions).

``analyse`` gives the ``Doc`` that figure extraction reads: tokens, the hits of
each ``figure_vocab`` table, and the spans no figure may overlap (dates, clock
times, links, markup).

``tokenize`` splits text into word/number tokens with their matching forms
(``arabic.normalize``, then the forms without one clitic prefix: و ف ب ل ال وال …);
``Tokens.hits`` finds the non-overlapping phrases of one ``figure_vocab`` table,
longest phrase first at each token. Phrases are indexed by their first word and
the candidate phrases of each distinct token are computed once and cached, so a
text costs one regex pass plus dictionary look-ups, however large the
vocabularies. ``Hits`` answers range questions by bisection. This module does not
decide what a number counts (``figures`` does).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

from assistant.figures import vocab
from assistant.lexicon.places import PlaceMention, find_places
from assistant.text import arabic
from assistant.text.dates import dates_normalized, times_normalized
from assistant.text.links import LINKS

_W = "(?:[^\\W\\d_]|[\u0610-\u061a\u064b-\u065f\u0670\u0640])+"  # letters, Arabic marks
_TOKEN = re.compile(rf"\d+(?:[.,]\d+)*|%|{_W}(?:['’-]{_W})*")
_STRIP = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_MASK = LINKS  # links and markup are not words
_CLOCK = re.compile(r"\d:\d\d")  # every clock time has one (``dates._TIME``)
_CACHE_MAX = 200_000  # distinct tokens kept; the cache is dropped when full (bounded memory)

_Word = tuple[str, bool]  # normalised word, True when it matches any ending ("قتل*")
_Phrase = tuple[tuple[_Word, ...], str]  # words, label


class Hit(NamedTuple):
    i: int  # first token
    j: int  # token after the last
    label: str


EVENTS, OBJECTS, GROUPS, WORDS = range(4)  # table numbers for ``Tokens.hits``
_TABLES = (vocab.EVENTS, vocab.OBJECTS, {k: v[1] for k, v in vocab.GROUPS.items()},
           {"unit": vocab.UNITS, "label": vocab.LABELS, "revision": vocab.REVISION, "including": vocab.INCLUDING,
            "and": vocab.CONJUNCTIONS, "qualifier": vocab.QUALIFIER_WORDS})
_Entry = tuple[int, _Phrase]  # table number, phrase


def _index() -> tuple[dict[str, list[_Entry]], dict[str, list[_Entry]], tuple[int, ...]]:
    """Phrases of all tables by their first word: exact words, ``*`` prefixes and their lengths."""
    exact: dict[str, list[_Entry]] = {}
    prefix: dict[str, list[_Entry]] = {}
    for t, table in enumerate(_TABLES):
        for label, words in table.items():
            for p in words.split():
                phrase = tuple(arabic.normalize(w) for w in p.split("_"))
                entry = (t, (tuple((w.removesuffix("*"), w.endswith("*")) for w in phrase), label))
                index = prefix if phrase[0].endswith("*") else exact
                index.setdefault(phrase[0].rstrip("*"), []).append(entry)
    return exact, prefix, tuple(sorted({len(k) for k in prefix}))


_EXACT, _PREFIX, _LENGTHS = _index()


class _Info(NamedTuple):
    forms: tuple[str, ...]  # normalised form, then forms without a clitic prefix
    cands: tuple[tuple[_Phrase, ...], ...]  # per table, phrases whose first word matches, longest first
    tables: tuple[int, ...]  # the tables with candidates


_INFO: dict[str, _Info] = {}
_NO_CANDS = tuple(() for _ in _TABLES)


def _info(raw: str) -> _Info:
    norm = arabic.normalize(raw)
    forms = [norm] + [norm[len(p):] for p in _STRIP if norm.startswith(p) and len(norm) - len(p) >= 2]
    if raw == "IS":  # the Islamic State, not the verb
        forms = ["isis"]
    found: list[_Entry] = []
    for f in forms:
        found += _EXACT.get(f, ())
        for n in _LENGTHS:
            if n > len(f):
                break
            found += _PREFIX.get(f[:n], ())
    cands = _NO_CANDS
    if found:
        cands = tuple(tuple(sorted((ph for k, ph in found if k == t), key=lambda x: -len(x[0])))
                      for t in range(len(_TABLES)))
    if len(_INFO) >= _CACHE_MAX:
        _INFO.clear()
    info = _INFO[raw] = _Info(tuple(forms), cands, tuple(k for k, c in enumerate(cands) if c))
    return info


def _matches(forms: tuple[str, ...], word: _Word) -> bool:
    stem, any_end = word
    return any(f.startswith(stem) for f in forms) if any_end else stem in forms


@dataclass(frozen=True)
class Tokens:
    """The tokens of a text: character spans, forms, and candidate phrases per table."""

    starts: list[int]
    ends: list[int]
    infos: list[_Info]
    at: tuple[list[int], ...]  # per table, the tokens with candidate phrases

    def forms(self, k: int) -> tuple[str, ...]:
        return self.infos[k].forms

    def hits(self, table: int) -> list[Hit]:
        """Non-overlapping phrase hits, longest phrase first at each position."""
        out, free, n, infos = [], 0, len(self.infos), self.infos
        for i in self.at[table]:
            if i < free:
                continue
            for words, label in infos[i].cands[table]:  # the first word matches by construction
                j = i + len(words)
                if j <= n and all(_matches(infos[i + k].forms, words[k]) for k in range(1, len(words))):
                    out.append(Hit(i, j, label))
                    free = j
                    break
        return out


def tokenize(text: str) -> Tokens:
    """Word and number tokens of ``text`` (positions are into ``text``)."""
    ms = list(_TOKEN.finditer(text))
    get = _INFO.get
    infos = [get(raw) or _info(raw) for raw in (m.group() for m in ms)]
    at: tuple[list[int], ...] = tuple([] for _ in _TABLES)
    for k in [k for k, info in enumerate(infos) if info.tables]:
        for t in infos[k].tables:
            at[t].append(k)
    return Tokens([m.start() for m in ms], [m.end() for m in ms], infos, at)


class Hits:
    """Phrase hits in text order (non-overlapping), looked up by their first token."""

    __slots__ = ("all", "firsts")

    def __init__(self, hits: list[Hit]) -> None:
        self.all = hits
        self.firsts = [h.i for h in hits]

    def starting(self, lo: int, hi: int) -> list[Hit]:
        """Hits whose first token is in ``[lo, hi)``."""
        return self.all[bisect_left(self.firsts, lo):bisect_left(self.firsts, hi)]

    def count(self, lo: int, hi: int) -> int:
        return max(0, bisect_left(self.firsts, hi) - bisect_left(self.firsts, lo))

    def ending_at(self, j: int, lo: int = 0) -> Hit | None:
        """The hit ending just before token ``j`` and starting at ``lo`` or later."""
        k = bisect_left(self.firsts, j) - 1
        return self.all[k] if k >= 0 and self.all[k].j == j and self.all[k].i >= lo else None


_NO_HITS = Hits([])


@dataclass(frozen=True)
class Doc:
    """A text analysed for figures: tokens, vocabulary hits, spans no figure may overlap."""

    text: str
    toks: Tokens
    events: Hits
    objects: Hits
    groups: Hits
    places: tuple[PlaceMention, ...]  # the gazetteer's places, by position (char offsets)
    labelled: dict[str, Hits]  # units, labels, conjunctions … (``figure_vocab``) by label
    blocked: tuple[list[int], list[int]]  # dates, times, links: starts, running max of ends

    def words(self, label: str) -> Hits:
        return self.labelled.get(label, _NO_HITS)

    def tok_range(self, start: int, end: int) -> tuple[int, int]:
        """Token indices ``[a, b)`` covering the characters ``[start, end)``."""
        return bisect_right(self.toks.ends, start), bisect_left(self.toks.starts, end)

    def is_blocked(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps a date, a clock time or a link."""
        k = bisect_left(self.blocked[0], end)  # spans starting before ``end``
        return k > 0 and self.blocked[1][k - 1] > start


def analyse(text: str, normalized: tuple[str, list[int]]) -> Doc:
    """The ``Doc`` of ``text``; ``normalized`` is ``arabic.normalize_with_map(text)``."""
    masks = [(m.start(), m.end()) for m in _MASK.finditer(text)]
    masked = _MASK.sub(lambda m: " " * len(m.group()), text)  # links and markup are not words
    toks = tokenize(masked)
    norm, off = normalized  # the spans find_dates/find_times give, without normalising again
    blocked = [arabic.map_span(off, s, e) for s, e, _ in dates_normalized(norm)]
    if _CLOCK.search(norm):
        blocked += [arabic.map_span(off, s, e) for s, e, *_ in times_normalized(norm)]
    blocked = sorted(blocked + masks)
    labelled: dict[str, list[Hit]] = {}
    for h in toks.hits(WORDS):
        labelled.setdefault(h.label, []).append(h)
    return Doc(text, toks, *(Hits(toks.hits(t)) for t in (EVENTS, OBJECTS, GROUPS)),
               tuple(find_places(text)),
               {k: Hits(v) for k, v in labelled.items()},
               ([s for s, _ in blocked], list(accumulate((e for _, e in blocked), max))))
