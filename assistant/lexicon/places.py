"""Places as journalists name them: the gazetteer's names found in text, with the
direction or countryside qualifier in front («جنوب دمشق», «ريف إدلب الجنوبي», "southern
Idlib", "Aleppo countryside"), and whether two names mean the same place.

Admin units, regions, camps, neighbourhoods and district / sub-district seats are found
anywhere; the ~10,000 villages only after a word that announces a place («بلدة»,
«قرية», "village of", "town") or, in English, capitalised after in/at/near: many village
names are also ordinary words («النصر», «السلام»). Pure functions over the gazetteer
(``tables.places``); no I/O beyond loading it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.lexicon.phrases import Match, PhraseMatcher, words
from assistant.lexicon.tables import Place, places
from assistant.text.arabic import normalize

_STRONG_LEVELS = frozenset({"country", "governorate", "district", "subdistrict", "region",
                            "camp", "neighbourhood"})
_STRONG_FEATURES = frozenset({"PPLC", "PPLA", "PPLA2", "PPLA3"})
# Words that announce a place name right after them.
_CUES = frozenset(normalize(w) for w in """بلدة مدينة قرية قريتي بلدتي مدينتي حي أحياء مخيم
    منطقة ناحية محافظة ريف قرى بلدات مدن town city village villages towns district
    neighbourhood neighborhood camp area region province""".split())
_LATIN_PREP = re.compile(r"(?:\b(?:in|at|near|of|from|outside|around|on|to)\s+)$", re.I)
# Direction / countryside qualifiers before or after a place name.
_DIRECTIONS = {
    "south": "جنوب جنوبي الجنوبي الجنوبية جنوبية south southern",
    "north": "شمال شمالي الشمالي الشمالية شمالية north northern",
    "east": "شرق شرقي الشرقي الشرقية شرقية east eastern",
    "west": "غرب غربي الغربي الغربية غربية west western",
    "countryside": "ريف rural countryside outskirts",
}
_QUALIFIER = {normalize(w): q for q, ws in _DIRECTIONS.items() for w in ws.split()}


@dataclass(frozen=True)
class PlaceMention:
    """A place named in text: span, the gazetteer ids it may mean, and its qualifiers."""

    start: int
    end: int
    ids: tuple[str, ...]
    qualifiers: tuple[str, ...] = ()


def _strong(p: Place) -> bool:
    return p.level in _STRONG_LEVELS or p.feature in _STRONG_FEATURES


def _matcher(strong: bool) -> PhraseMatcher:
    matcher = PhraseMatcher()
    for p in places().values():
        if _strong(p) == strong:
            for name in p.names:
                if len(name.replace(" ", "")) >= 3:
                    matcher.add(name, p.id)
    return matcher


@lru_cache(maxsize=1)
def _strong_matcher() -> PhraseMatcher:
    return _matcher(True)


@lru_cache(maxsize=1)
def _cued_matcher() -> PhraseMatcher:
    """The villages: built on first need (a place cue in the text), ~10,000 of them."""
    return _matcher(False)


def find_places(text: str) -> list[PlaceMention]:
    """Places named in ``text``, left to right (see the module docstring)."""
    found = {m.start: m for m in _strong_matcher().find(text)}
    if _may_announce(text):
        for m in _cued_matcher().find(text):
            if m.start not in found and _announced(text, m) and not _inside(found, m):
                found[m.start] = m
    return [_qualified(text, m) for _, m in sorted(found.items())]


def _may_announce(text: str) -> bool:
    return any(w in _CUES or _strip_clitic(w) in _CUES for w, _, _ in words(text)) or \
        bool(_LATIN_PREP.search(text) or re.search(r"\b(?:in|at|near) [A-Z]", text))


def _inside(found: dict[int, Match], m: Match) -> bool:
    return any(f.start <= m.start < f.end or m.start <= f.start < m.end for f in found.values())


def _strip_clitic(word: str) -> str:
    return word[1:] if word[:1] in "وفبل" and len(word) > 3 else word


def _announced(text: str, m: Match) -> bool:
    before = words(text[max(0, m.start - 40):m.start])
    if before and (before[-1][0] in _CUES or _strip_clitic(before[-1][0]) in _CUES):
        return True
    raw = text[m.start:m.end]
    return raw[:1].isupper() and bool(_LATIN_PREP.search(text[max(0, m.start - 12):m.start]))


# Words that may stand between a qualifier and its place («القسم الجنوبي من العاصمة دمشق»,
# "the southern part of the city of Aleppo").
_BETWEEN = frozenset(normalize(w) for w in """القسم الجزء الاجزاء الريف من في العاصمة مدينة
    محافظة بلدة منطقة of the part parts city province town area""".split())


def _qualified(text: str, m: Match) -> PlaceMention:
    """The mention with the qualifiers written in it or next to it («جنوب X», «القسم
    الجنوبي من العاصمة X», "X countryside", "southern Idlib")."""
    quals = [_QUALIFIER[w] for w in m.phrase.split() if w in _QUALIFIER]
    for w, _, _ in reversed(words(text[max(0, m.start - 60):m.start])[-5:]):
        w = _strip_clitic(w) if w not in _QUALIFIER else w
        if w in _QUALIFIER:
            quals.append(_QUALIFIER[w])
        elif w not in _BETWEEN:
            break
    quals += [_QUALIFIER[w] for w, _, _ in words(text[m.end:m.end + 30])[:1] if w in _QUALIFIER]
    return PlaceMention(m.start, m.end, m.keys, tuple(dict.fromkeys(quals)))


def place(pid: str) -> Place:
    return places()[pid]


def contains(outer: str, inner: str) -> bool:
    """Whether place ``inner`` lies in ``outer`` (same place, or in its governorate or
    district)."""
    if outer == inner:
        return True
    o, i = places().get(outer), places().get(inner)
    if o is None or i is None:
        return False
    if o.level == "country":
        return True
    if o.level == "governorate":
        return o.name_en in i.governorate.split(" | ")
    return o.level == "district" and o.name_en == i.district


def resolve(name: str) -> PlaceMention | None:
    """The place a short name (a filter, a figure's place) means, or None."""
    found = find_places(name)
    if not found:
        found = [_qualified(name, m) for m in _cued_matcher().find(name)]
    return found[0] if found else None


def same_place(a: str, b: str) -> bool:
    """Two place names for the same place, or one inside the other; qualifiers must agree
    when both names carry one ("south Damascus" is not "north Damascus")."""
    pa, pb = resolve(a), resolve(b)
    if pa is None or pb is None:
        na, nb = normalize(a).strip(), normalize(b).strip()
        return bool(na) and (na == nb or len(na) > 3 and len(nb) > 3 and (na in nb or nb in na))
    qa, qb = set(pa.qualifiers), set(pb.qualifiers)
    if qa and qb and not qa & qb:
        return False
    return any(contains(x, y) or contains(y, x) for x in pa.ids for y in pb.ids)


def names_of(pid: str, lang: str | None = None) -> tuple[str, ...]:
    """Every name of a place, or those in one language ("ar" / "en")."""
    p = places()[pid]
    if lang is None:
        return p.names
    arabic = [n for n in p.names if re.search("[\u0600-\u06ff]", n)]
    return tuple(arabic if lang == "ar" else [n for n in p.names if n not in arabic])
