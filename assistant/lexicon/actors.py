"""Armed actors, institutions and weapons as reports and questions name them.

"IS", "ISIS", "ISIL", "Daesh", «داعش», «تنظيم الدولة», «الدولة الإسلامية» are one actor
(``is``); "the regime", «قوات النظام», "government forces" another; a unit (the 4th
Division, the NDF) belongs to its umbrella (``parent``). Short English abbreviations
that are also words ("IS") count only in capitals. Names come from ``actors.tsv`` and
``weapons.tsv`` (see ``tables``). Pure functions; no I/O beyond loading the tables.
"""

from __future__ import annotations

from functools import lru_cache

from assistant.lexicon.phrases import Match, PhraseMatcher
from assistant.lexicon.tables import actors, weapons

# Abbreviations this long or longer are not English words: matched in any case ("isis").
_SAFE_ABBREV = 4


@lru_cache(maxsize=1)
def _actor_matcher() -> PhraseMatcher:
    matcher = PhraseMatcher()
    for a in actors().values():
        for name in a.names:
            matcher.add(name, a.id)
        for abbrev in a.abbrevs:
            if len(abbrev) >= _SAFE_ABBREV and abbrev.isalpha():
                matcher.add(abbrev, a.id)
            matcher.add_exact(abbrev, a.id)
    return matcher


@lru_cache(maxsize=1)
def _weapon_matcher() -> PhraseMatcher:
    return PhraseMatcher((name, w.id) for w in weapons().values() for name in w.names)


def find_actors(text: str) -> list[Match]:
    """Actors named in ``text`` (keys: actor ids), left to right."""
    return _actor_matcher().find(text)


def find_weapons(text: str) -> list[Match]:
    """Weapons named in ``text`` (keys: weapon ids), left to right."""
    return _weapon_matcher().find(text)


def umbrella(actor_id: str) -> str:
    """The top of an actor's parent chain ("ndf" → "regime", "ypg" → "sdf")."""
    table = actors()
    seen = set()
    while actor_id in table and table[actor_id].parent and actor_id not in seen:
        seen.add(actor_id)
        actor_id = table[actor_id].parent
    return actor_id


def actor_name(actor_id: str, lang: str) -> str:
    """An actor's name in ``lang`` ("ar" / "en")."""
    a = actors()[actor_id]
    return a.name_ar if lang == "ar" else a.name_en


def actor_names(actor_id: str) -> tuple[str, ...]:
    a = actors()[actor_id]
    return (*a.names, *a.abbrevs)
