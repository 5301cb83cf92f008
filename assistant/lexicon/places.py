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


@lru_cache(maxsize=1)
def _matchers() -> tuple[PhraseMatcher, PhraseMatcher]:
    """(places found anywhere, villages found after a cue). A name shared by a strong
    place and villages carries all their ids («خان شيخون»: the sub-district and the
    town), so a mention means the same whichever way it was found."""
    strong, cued = PhraseMatcher(), PhraseMatcher()
    weak_names: dict[str, list[str]] = {}
    for p in places().values():
        for name in p.names:
            if len(name.replace(" ", "")) >= 3:
                if _strong(p):
                    strong.add(name, p.id)
                else:
                    cued.add(name, p.id)
                    weak_names.setdefault(name, []).append(p.id)
    for name, ids in weak_names.items():
        if name in strong:
            for pid in ids:
                strong.add(name, pid)
    return strong, cued


def _strong_matcher() -> PhraseMatcher:
    return _matchers()[0]


def _cued_matcher() -> PhraseMatcher:
    return _matchers()[1]


def find_places(text: str) -> list[PlaceMention]:
    """Places named in ``text``, left to right (see the module docstring)."""
    toks = words(text)
    found = {m.start: m for m in _strong_matcher().find(text, toks)}
    cued = _cue_positions(text, toks)
    if cued or any(w in _CUES for w, _, _ in toks):
        for m in _cued_matcher().find(text, toks):
            # announced by the word before it, or by its own first word («مخيم اليرموك»)
            own = m.phrase.split()[0] in _CUES and len(m.phrase.split()) > 1
            if (m.start in cued or own) and m.start not in found and not _inside(found, m):
                found[m.start] = m
    index = {start: i for i, (_, start, _) in enumerate(toks)}
    return [_qualified(toks, index[m.start], m) for _, m in sorted(found.items())]


def _cue_positions(text: str, toks: list[tuple[str, int, int]]) -> set[int]:
    """Starts of the words right after a place cue («بلدة X», "village of X", "in X")."""
    out = set()
    for k in range(1, len(toks)):
        w = toks[k - 1][0]
        if w in _CUES or _strip_clitic(w) in _CUES:
            out.add(toks[k][1])
        elif text[toks[k][1]:toks[k][1] + 1].isupper() and \
                _LATIN_PREP.search(text[max(0, toks[k][1] - 12):toks[k][1]]):
            out.add(toks[k][1])
    return out


def _inside(found: dict[int, Match], m: Match) -> bool:
    return any(f.start <= m.start < f.end or m.start <= f.start < m.end for f in found.values())


def _strip_clitic(word: str) -> str:
    return word[1:] if word[:1] in "وفبل" and len(word) > 3 else word


# Words that may stand between a qualifier and its place («القسم الجنوبي من العاصمة دمشق»,
# "the southern part of the city of Aleppo").
_BETWEEN = frozenset(normalize(w) for w in """القسم الجزء الاجزاء الريف من في العاصمة مدينة
    محافظة بلدة منطقة of the part parts city province town area""".split())


def _qualified(toks: list[tuple[str, int, int]], i: int, m: Match) -> PlaceMention:
    """The mention (its first word is ``toks[i]``) with the qualifiers written in it or
    next to it («جنوب X», «القسم الجنوبي من العاصمة X», "X countryside", "southern
    Idlib")."""
    quals = [_QUALIFIER[w] for w in m.phrase.split() if w in _QUALIFIER]
    for w, _, _ in reversed(toks[max(0, i - 5):i]):
        w = _strip_clitic(w) if w not in _QUALIFIER else w
        if w in _QUALIFIER:
            quals.append(_QUALIFIER[w])
        elif w not in _BETWEEN:
            break
    after = next((k for k in range(i, len(toks)) if toks[k][1] >= m.end), None)
    if after is not None and toks[after][0] in _QUALIFIER:
        quals.append(_QUALIFIER[toks[after][0]])
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
        toks = words(name)
        index = {start: i for i, (_, start, _) in enumerate(toks)}
        found = [_qualified(toks, index[m.start], m) for m in _cued_matcher().find(name, toks)]
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


# How specific a place is: a village beats its district, a district its governorate.
SPECIFIC = {"country": 0, "governorate": 1, "region": 2, "district": 2, "subdistrict": 3,
            "locality": 4, "neighbourhood": 5, "camp": 5}
_FEATURE_RANK = {"PPLC": 0, "PPLA": 1, "PPLA2": 2, "PPLA3": 3}


def main_id(mention: PlaceMention) -> str:
    """The place a mention most likely means among its ids: an admin unit or region
    before a village of the same name, a seat before an ordinary village."""
    return main_of(mention.ids)


def main_of(ids: tuple[str, ...] | frozenset[str]) -> str:
    """``main_id`` for a set of ids."""
    def rank(pid: str) -> tuple[int, int, str]:
        p = places()[pid]
        admin = 0 if p.level in ("country", "governorate", "district", "subdistrict",
                                 "region", "camp", "neighbourhood") else 1
        return admin, _FEATURE_RANK.get(p.feature, 9), pid
    return min(ids, key=rank)


def specificity(mention: PlaceMention) -> int:
    return SPECIFIC.get(places()[main_id(mention)].level, 4)


def label(mention: PlaceMention) -> str:
    """A display name: the English name with the qualifiers written beside it ("south
    Damascus", "Idlib countryside")."""
    p = places()[main_id(mention)]
    name = p.name_en or p.name_ar
    said = {_QUALIFIER.get(w) for w in normalize(name).split()}  # "South Damascus" says it
    quals = [q for q in mention.qualifiers if q != "countryside" and q not in said]
    out = " ".join([*quals, name])
    return f"{out} countryside" if "countryside" in mention.qualifiers \
        and "countryside" not in said else out
