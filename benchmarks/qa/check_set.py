#!/usr/bin/env python3
"""Validate the hand-written journalist question sets (stdlib only).

Loads every ``journalist_*.jsonl`` beside this file and checks:

* fields and their types, unique ids (``jq-<lang>-NNN``), known ``type`` values;
* answerable rows: non-empty answers, ``doc`` resolves to a real report and
  ``evidence`` is a verbatim substring of that report's raw text;
* unanswerable rows: ``answers == []``, ``doc`` and ``evidence`` are null;
* ``family`` matches ``doc`` (Syrian Archive: the path without ``_ar``;
  ``seed:``/``fakes:`` docs: the doc itself) and ``split`` follows the rule
  ``test if int(sha1(family), 16) % 2 == 0 else tune``;
* follow-up chains: ``chain`` and ``turn`` come together, turns are 1..n in
  file order, and every chain has at least two turns.

Doc paths: ``investigations/...`` / ``collections/...`` live under
``<data>/syrianarchive/``; ``seed:<file>`` under ``<data>/seed/``;
``fakes:<unit_id>`` is the ``article_content`` cell of that row of
``<data>/fakes/FA-KES-Dataset.csv``.

Usage: python benchmarks/qa/check_set.py [--data PATH] [--quiet]
``--data`` defaults to ``shared/data`` beside the project (../shared/data
relative to the project root). Exit status 1 when any error is found.
"""
from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"

TYPES = {
    "count_total", "count_sub", "date", "time", "place", "actor", "weapon",
    "other", "unanswerable",
}
COUNT_TYPES = {"count_total", "count_sub"}
REQUIRED = {
    "id": str, "lang": str, "question": str, "answers": list,
    "type": str, "family": str, "split": str,
}
OPTIONAL_NULLABLE = {"doc": str, "evidence": str}
KNOWN_KEYS = set(REQUIRED) | set(OPTIONAL_NULLABLE) | {"chain", "turn"}

A2W = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def split_for(family: str) -> str:
    return "test" if int(hashlib.sha1(family.encode()).hexdigest(), 16) % 2 == 0 else "tune"


def expected_family(doc: str) -> str:
    if doc.startswith(("seed:", "fakes:")):
        return doc
    if doc.endswith("_ar.md"):
        return doc[: -len("_ar.md")] + ".md"
    return doc


class Corpus:
    """Raw report text by doc id, read lazily."""

    def __init__(self, data: Path):
        self.data = data
        self._cache: dict[str, str | None] = {}
        self._fakes: dict[str, str] | None = None

    def _load_fakes(self) -> dict[str, str]:
        if self._fakes is None:
            csv.field_size_limit(sys.maxsize)
            path = self.data / "fakes" / "FA-KES-Dataset.csv"
            rows: dict[str, str] = {}
            with open(path, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    rows[row["unit_id"].strip()] = row["article_content"]
            self._fakes = rows
        return self._fakes

    def path_of(self, doc: str) -> Path | None:
        if doc.startswith("seed:"):
            return self.data / "seed" / doc[len("seed:"):]
        if doc.startswith("fakes:"):
            return None
        return self.data / "syrianarchive" / doc

    def text(self, doc: str) -> str | None:
        if doc not in self._cache:
            if doc.startswith("fakes:"):
                self._cache[doc] = self._load_fakes().get(doc[len("fakes:"):])
            else:
                p = self.path_of(doc)
                if p is None or not p.is_file():
                    self._cache[doc] = None
                else:
                    # newline="" keeps the raw line endings: evidence must match them
                    with open(p, encoding="utf-8", newline="") as fh:
                        self._cache[doc] = fh.read()
        return self._cache[doc]


def check_file(path: Path, corpus: Corpus, seen_ids: set[str]) -> tuple[list[dict], list[str], list[str]]:
    errors: list[str] = []
    warnings: list[str] = []
    rows: list[dict] = []
    file_lang = path.stem.split("_", 1)[-1]  # journalist_ar -> ar
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: bad JSON ({exc})")
                continue
            if not isinstance(row, dict):
                errors.append(f"{where}: not an object")
                continue
            rid = row.get("id", "?")
            where = f"{path.name}:{lineno} [{rid}]"
            bad = False
            for key, typ in REQUIRED.items():
                if key not in row:
                    errors.append(f"{where}: missing field {key!r}")
                    bad = True
                elif not isinstance(row[key], typ):
                    errors.append(f"{where}: {key!r} must be {typ.__name__}")
                    bad = True
            for key, typ in OPTIONAL_NULLABLE.items():
                if key not in row:
                    errors.append(f"{where}: missing field {key!r} (use null)")
                    bad = True
                elif row[key] is not None and not isinstance(row[key], typ):
                    errors.append(f"{where}: {key!r} must be {typ.__name__} or null")
                    bad = True
            extra = set(row) - KNOWN_KEYS
            if extra:
                errors.append(f"{where}: unknown fields {sorted(extra)}")
            if bad:
                continue
            rows.append(row)

            lang = row["lang"]
            if lang not in ("ar", "en"):
                errors.append(f"{where}: lang must be 'ar' or 'en'")
            if lang != file_lang:
                errors.append(f"{where}: lang {lang!r} in file for {file_lang!r}")
            if not re.fullmatch(rf"jq-{re.escape(lang)}-\d{{3,}}", rid):
                errors.append(f"{where}: id must look like jq-{lang}-001")
            if rid in seen_ids:
                errors.append(f"{where}: duplicate id")
            seen_ids.add(rid)
            if not row["question"].strip():
                errors.append(f"{where}: empty question")
            if row["type"] not in TYPES:
                errors.append(f"{where}: unknown type {row['type']!r}")
            answers = row["answers"]
            if not all(isinstance(a, str) and a.strip() for a in answers):
                errors.append(f"{where}: answers must be non-empty strings")
            if len(set(answers)) != len(answers):
                warnings.append(f"{where}: duplicate answers")

            doc, evidence, family = row["doc"], row["evidence"], row["family"]
            if row["type"] == "unanswerable":
                if answers:
                    errors.append(f"{where}: unanswerable row must have answers == []")
                if doc is not None or evidence is not None:
                    errors.append(f"{where}: unanswerable row must have doc and evidence null")
            else:
                if not answers:
                    errors.append(f"{where}: answerable row without answers")
                if not doc or not evidence:
                    errors.append(f"{where}: answerable row needs doc and evidence")
                else:
                    text = corpus.text(doc)
                    if text is None:
                        errors.append(f"{where}: doc {doc!r} not found under {corpus.data}")
                    elif evidence not in text:
                        errors.append(f"{where}: evidence is not a verbatim substring of {doc}")
                    want = expected_family(doc)
                    if family != want:
                        msg = f"{where}: family {family!r} != {want!r} expected from doc"
                        (warnings if doc.startswith("fakes:") else errors).append(msg)
                    if row["type"] in COUNT_TYPES and text is not None:
                        ev = evidence.translate(A2W)
                        if not any(a.translate(A2W) in ev for a in answers):
                            warnings.append(f"{where}: no answer form occurs in the evidence")
            # the family must name a real report (the English twin for Arabic SA docs)
            if not family.startswith(("seed:", "fakes:")):
                fp = corpus.data / "syrianarchive" / family
                if not fp.is_file():
                    warnings.append(f"{where}: family file {family!r} does not exist")
            elif corpus.text(family) is None:
                errors.append(f"{where}: family {family!r} not found")
            if row["split"] not in ("test", "tune"):
                errors.append(f"{where}: split must be test or tune")
            elif row["split"] != split_for(family):
                errors.append(f"{where}: split {row['split']!r} breaks the sha1 rule for {family!r}")

            has_chain, has_turn = "chain" in row, "turn" in row
            if has_chain != has_turn:
                errors.append(f"{where}: chain and turn must come together")
            elif has_chain:
                if not isinstance(row["chain"], str) or not row["chain"]:
                    errors.append(f"{where}: chain must be a non-empty string")
                if not isinstance(row["turn"], int) or isinstance(row["turn"], bool) or row["turn"] < 1:
                    errors.append(f"{where}: turn must be an int >= 1")
    return rows, errors, warnings


def check_chains(rows: list[dict]) -> list[str]:
    errors: list[str] = []
    turns: dict[str, list[int]] = collections.defaultdict(list)
    for row in rows:
        if "chain" in row and isinstance(row.get("turn"), int):
            turns[row["chain"]].append(row["turn"])
    for chain, seq in turns.items():
        if seq != list(range(1, len(seq) + 1)):
            errors.append(f"chain {chain}: turns {seq} are not 1..n in file order")
        if len(seq) < 2:
            errors.append(f"chain {chain}: a chain needs at least two turns")
    return errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help=f"shared data folder (default: {DEFAULT_DATA})")
    ap.add_argument("--quiet", action="store_true", help="do not print warnings")
    args = ap.parse_args(argv)
    data = args.data.resolve()
    if not data.is_dir():
        print(f"data folder not found: {data}", file=sys.stderr)
        return 2
    files = sorted(HERE.glob("journalist_*.jsonl"))
    if not files:
        print(f"no journalist_*.jsonl in {HERE}", file=sys.stderr)
        return 2

    corpus = Corpus(data)
    seen: set[str] = set()
    all_rows: list[dict] = []
    errors: list[str] = []
    warnings: list[str] = []
    for f in files:
        rows, errs, warns = check_file(f, corpus, seen)
        all_rows.extend(rows)
        errors += errs + check_chains(rows)
        warnings += warns

    by_lang = collections.Counter(r["lang"] for r in all_rows)
    print(f"data: {data}")
    print("files:", ", ".join(f.name for f in files))
    for lang in sorted(by_lang):
        rows = [r for r in all_rows if r["lang"] == lang]
        types = collections.Counter(r["type"] for r in rows)
        splits = collections.Counter(r["split"] for r in rows)
        chains = collections.Counter(r["chain"] for r in rows if "chain" in r)
        fams = {r["family"] for r in rows}
        print(f"\n[{lang}] {len(rows)} questions, {len(fams)} families, "
              f"{len(chains)} chains ({sum(chains.values())} chained turns)")
        print("  split: " + ", ".join(f"{k}={splits[k]}" for k in sorted(splits)))
        print(f"  {'type':<13} {'total':>5} {'test':>5} {'tune':>5}")
        for t in sorted(types, key=lambda t: (-types[t], t)):
            te = sum(1 for r in rows if r["type"] == t and r["split"] == "test")
            print(f"  {t:<13} {types[t]:>5} {te:>5} {types[t] - te:>5}")
    if warnings and not args.quiet:
        print(f"\n{len(warnings)} warning(s):")
        for w in warnings:
            print("  WARN", w)
    if errors:
        print(f"\n{len(errors)} error(s):")
        for e in errors:
            print("  ERROR", e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
