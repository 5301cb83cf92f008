"""Figure extraction against a hand-labelled sample (precision / recall table).

Labels: ``benchmarks/figures_labels.jsonl``, one line per figure mention (or one
line with ``number: null`` for a labelled sentence holding no figure). Each line
names the sentence by ``source`` (seed | syrianarchive | fakes), ``doc`` (path
under ``../shared/data/<source>/`` or ``fakes:<unit_id>``) and character offsets
``sentence_start``/``sentence_end`` into that text; ``anchor`` (its first 40
characters) checks the offsets. ``group`` and ``place`` may list accepted
alternatives separated by ";". The data text itself is read from
``../shared/data`` and never copied here.

Labelling conventions: a figure is a number that counts people (killed,
injured, casualties, captured, displaced, missing, or just "people") or things
(strikes, shells, barrel bombs, rockets, bombs, attacks/incidents, videos,
hospitals, schools, buildings, vehicles, aircraft) or a percentage. Not figures:
dates, years, times, durations, distances, weights, money, ages, ordinals,
list/step numbers, codes ("Su-24"), counts of areas (villages, neighbourhoods)
and of other things (sources, channels, convoys). A number written as words and
repeated in digits ("eleven (11)") is one figure. Vague plurals take the value
``text.numbers`` gives them ("dozens" 12, "عشرات" 10, "hundreds" 100). Group and
place are those the sentence states or clearly implies ("killed eight civilians
and wounded 25": civilians for both).

Run: ``.venv/bin/python benchmarks/figures.py [--limit N] [--errors]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.figures.extract import extract_figures  # noqa: E402
from assistant.text.arabic import normalize  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
LABELS = ROOT / "benchmarks" / "figures_labels.jsonl"


def load_units(limit: int | None) -> list[dict]:
    """Labelled sentences, each with its gold figures."""
    units: dict[tuple, dict] = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        key = (row["source"], row["doc"], row["sentence_start"], row["sentence_end"])
        unit = units.setdefault(key, {**{k: row[k] for k in ("source", "doc", "anchor")},
                                      "span": key[2:], "gold": []})
        if row["number"] is not None:
            unit["gold"].append(row)
    return list(units.values())[:limit]


def read_text(source: str, doc: str, fakes: dict[str, str]) -> str:
    if source == "fakes":
        return fakes[doc]
    return (DATA / source / doc).read_text(encoding="utf-8")


def read_fakes() -> dict[str, str]:
    with open(DATA / "fakes" / "FA-KES-Dataset.csv", encoding="utf-8", errors="replace") as f:
        return {"fakes:" + r["unit_id"]: r["article_content"] for r in csv.DictReader(f)}


def _alts(value: str) -> set[str]:
    return {normalize(v.strip()) for v in (value or "").split(";")} if value else {""}


def _same(level: str, gold: dict, fig) -> bool:
    if gold["number"] != fig.value:
        return False
    if level == "number":
        return True
    if gold["category"] != fig.category:
        return False
    if level == "group":
        return fig.group in _alts(gold["group"])
    if level == "place":
        return normalize(fig.place) in _alts(gold["place"])
    return True


def match(level: str, gold: list[dict], preds: list) -> int:
    """True positives of a greedy one-to-one matching at ``level``."""
    free = list(preds)
    tp = 0
    for g in gold:
        hit = next((p for p in free if _same(level, g, p)), None)
        if hit is not None:
            free.remove(hit)
            tp += 1
    return tp


LEVELS = ("number", "number+category", "+group", "+place")
_KEYS = {"number": "number", "number+category": "category", "+group": "group", "+place": "place"}


def subset(unit: dict) -> str:
    if unit["source"] == "syrianarchive":
        return "syrianarchive-ar" if unit["doc"].endswith("_ar.md") else "syrianarchive-en"
    return unit["source"]


def run(limit: int | None, show_errors: bool) -> dict:
    fakes = read_fakes()
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for unit in load_units(limit):
        text = read_text(unit["source"], unit["doc"], fakes)
        s, e = unit["span"]
        if not text[s:].startswith(unit["anchor"]):
            raise SystemExit(f"anchor mismatch in {unit['doc']} at {s}")
        figs = extract_figures(text, doc_id=unit["doc"], path=unit["doc"], record=None, date=None,
                               spans=[(s, e)])
        for name in ("all", subset(unit)):
            for level in LEVELS:
                c = counts[name][level]
                c[0] += match(_KEYS[level], unit["gold"], figs)
                c[1] += len(figs)
                c[2] += len(unit["gold"])
        if show_errors and match("category", unit["gold"], figs) != max(len(figs), len(unit["gold"])):
            print(f"--- {unit['doc']} {s}-{e}: {text[s:e][:160]!r}")
            print("  gold:", [(g["number"], g["category"], g["group"], g["place"]) for g in unit["gold"]])
            print("  pred:", [(f.value, f.category, f.group, f.place) for f in figs])
    return counts


def print_table(counts: dict) -> None:
    print(f"{'subset':18} {'level':16} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'pred':>5} {'gold':>5}")
    order = ["all", "seed", "syrianarchive-ar", "syrianarchive-en", "fakes"]
    for name in [n for n in order if n in counts]:
        for level in LEVELS:
            tp, npred, ngold = counts[name][level]
            p = tp / npred if npred else 0.0
            r = tp / ngold if ngold else 0.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            print(f"{name:18} {level:16} {p:6.3f} {r:6.3f} {f1:6.3f} {tp:5d} {npred:5d} {ngold:5d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N labelled sentences")
    ap.add_argument("--errors", action="store_true", help="print sentences with (number, category) errors")
    args = ap.parse_args()
    if not DATA.exists():
        raise SystemExit(f"no shared data at {DATA}")
    print_table(run(args.limit, args.errors))


if __name__ == "__main__":
    main()
