"""Named places and actors in questions and reports, and when two mentions agree.

A question's "IS fighters" and a report's «عناصر تنظيم الدولة الإسلامية» name one actor;
"Khan Shaykhun" and «خان شيخون» one place; a report's «كفرنبل» lies in the question's
"Idlib" (but a report's "Syria" does not answer for the question's Aleppo). Mentions come from the gazetteer and the actor table (``lexicon``); actors are
compared by their umbrella (the NDF is the regime's), places by containment, with the
direction a name carries («جنوب دمشق» is not «شمال دمشق»). Pure functions; a report's
mentions are memoised per text by the caller (``state.Docs.entities``).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.lexicon.actors import actor_name, find_actors, umbrella
from assistant.lexicon.places import contains, find_places, main_of
from assistant.lexicon.tables import actors, places
from assistant.text.arabic import detect_language

# Actors that are sources, not parties: a question "according to the Observatory" names
# who reported, not who acted (``question.sources`` reads those words).
REPORTERS = frozenset({"sohr", "snhr", "vdc", "syrian-archive", "hrw", "amnesty"})


@dataclass(frozen=True)
class Entity:
    """A place or actor named at ``text[start:end]``; ``ids`` are gazetteer place ids or
    actor umbrella ids."""

    kind: str  # "place" | "actor"
    ids: frozenset[str]
    start: int
    end: int
    qualifiers: tuple[str, ...] = ()


def find_entities(text: str) -> tuple[Entity, ...]:
    """The places and actors named in ``text``, by position."""
    out = [Entity("place", frozenset(m.ids), m.start, m.end, m.qualifiers)
           for m in find_places(text)]
    taken = [(e.start, e.end) for e in out]
    for m in find_actors(text):
        if not any(s < m.end and m.start < e for s, e in taken):
            out.append(Entity("actor", frozenset(umbrella(k) for k in m.keys), m.start, m.end))
    return tuple(sorted(out, key=lambda e: e.start))


def agree(asked: Entity, named: Entity) -> bool:
    """Does a report's mention ``named`` name what the question's ``asked`` names?"""
    if asked.kind != named.kind:
        return False
    if asked.kind == "actor":
        return bool(asked.ids & named.ids)
    qa, qn = set(asked.qualifiers), set(named.qualifiers)
    if qa and qn and not qa & qn:
        return False
    # the report's place must lie in the asked one: "Syria" says nothing about Aleppo
    return any(contains(a, n) for a in asked.ids for n in named.ids)


def named_in(asked: Entity, mentions: tuple[Entity, ...], start: int, end: int) -> bool:
    """Is ``asked`` named by one of ``mentions`` inside ``[start, end)``?"""
    return any(start <= m.start and m.end <= end and agree(asked, m) for m in mentions)


def other_language_names(text: str) -> list[str]:
    """The names, in the other language, of the places and actors ``text`` names ("IS" →
    «تنظيم الدولة الإسلامية»): added to a search so that the lexical stage finds reports
    written in the other language (the dense stage needs no help)."""
    other = "en" if detect_language(text) == "ar" else "ar"
    out = []
    for e in find_entities(text):
        if e.kind == "actor":
            name = actor_name(min(e.ids), other) if min(e.ids) in actors() else ""
        else:
            p = places()[main_of(e.ids)]
            name = p.name_ar if other == "ar" else p.name_en
        if name and name not in out:
            out.append(name)
    return out
