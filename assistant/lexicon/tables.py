"""The vocabulary tables shipped with the package (``lexicon/data/*.tsv``) as records.

``places.tsv`` is a gazetteer of Syria (governorates, districts, sub-districts with
OCHA P-codes from OpenSyria's data-geography, CC BY 4.0; towns and villages from Who's
On First / GeoNames, CC0 / CC BY 4.0; regions, camps and neighbourhoods journalists name,
written from Wikipedia); ``actors.tsv`` the armed actors and institutions of the
conflict with their Arabic and English names and abbreviations; ``weapons.tsv`` the
weapons and munitions. Sources and licences: ``data/SOURCES.md``. Loaded once, read with
importlib.resources (so an installed wheel finds them). No matching here (``places``,
``actors`` do that).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

_SEP = " | "


def _rows(name: str) -> list[dict[str, str]]:
    text = (files("assistant.lexicon") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


def _names(*cells: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for c in cells for n in c.split(_SEP) if n.strip()))


@dataclass(frozen=True)
class Place:
    """A gazetteer row: ``names`` holds every spelling (Arabic and English)."""

    id: str
    level: str  # country, governorate, district, subdistrict, locality, region, camp, …
    feature: str  # ADM, PPL, PPLA2 … (GeoNames feature code) or region / camp / …
    name_ar: str
    name_en: str
    names: tuple[str, ...]
    governorate: str  # English name of the governorate(s), " | "-separated
    district: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class Actor:
    """An armed actor or institution; ``abbrevs`` are matched as written (capitals)."""

    id: str
    type: str
    name_en: str
    name_ar: str
    names: tuple[str, ...]
    abbrevs: tuple[str, ...]
    parent: str


@dataclass(frozen=True)
class Weapon:
    id: str
    category: str
    name_en: str
    name_ar: str
    names: tuple[str, ...]


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    out = {}
    for r in _rows("places.tsv"):
        out[r["id"]] = Place(
            r["id"], r["level"], r["feature"], r["name_ar"], r["name_en"],
            _names(r["name_ar"], r["name_en"], r["alt_names_ar"], r["alt_names_en"]),
            r["governorate_en"], r["district_en"],
            float(r["lat"]) if r["lat"] else None, float(r["lon"]) if r["lon"] else None)
    return out


@lru_cache(maxsize=1)
def actors() -> dict[str, Actor]:
    return {r["id"]: Actor(r["id"], r["type"], r["name_en"], r["name_ar"],
                           _names(r["name_en"], r["name_ar"], r["abbrev_ar"],
                                  r["alt_names_en"], r["alt_names_ar"]),
                           _names(r["abbrev_en"]), r["parent_id"])
            for r in _rows("actors.tsv")}


@lru_cache(maxsize=1)
def weapons() -> dict[str, Weapon]:
    return {r["id"]: Weapon(r["id"], r["category"], r["name_en"], r["name_ar"],
                            _names(r["name_en"], r["name_ar"], r["alt_names_en"],
                                   r["alt_names_ar"]))
            for r in _rows("weapons.tsv")}
