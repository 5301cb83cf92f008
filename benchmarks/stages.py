"""Per-stage recall of Isnad's hybrid retrieval: which stage loses the right paragraph.

``Retriever.trace`` gives each stage's ranking of chunk ids for a question; here each is
read as a ranking of unique documents (identical paragraphs counted as one, as in
``benchmarks/retrieval.py``) and scored against the gold paragraph:

* R@1 / R@5 / R@20 of the stage's own order, "found": the gold anywhere in the stage's
  list (for the first stages: among their ``k_lexical`` / ``k_dense`` candidates);
* "lost": the share of questions whose gold paragraph one of the first stages ranked in its
  top ``PROTECTED`` chunks but which is not in this stage's top 20 documents. A stage that
  raises it threw a first-stage top hit away.

"final" is ``search(question, k=20)``: the top 20 chunks, read as unique documents.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

STAGES = {"lexical": "lexical candidates", "dense": "dense candidates",
          "fusion": "fused (RRF)", "pool": "re-rank pool (fused order)",
          "rerank": "pool re-ranked", "distinct": "near duplicates handled, then the tail",
          "final": "final: search(q, k=20)"}
METRICS = ("R@1", "R@5", "R@20", "found", "lost")
PROTECTED = 10  # issue #20: no stage may throw away a first stage's top-10 hit


def stage_table(idx, views: dict[str, list[tuple[str, str]]],
                canon: dict[str, str] | None) -> tuple[list[str], dict[str, dict[str, str]]]:
    """(columns, {stage label: {column: value}}) over ``views`` (name -> [(question, key)])
    of one benchmark index (``benchmarks.retrieval.IsnadIndex``)."""
    canon = canon or {}
    retriever = idx.retriever()
    key_of_chunk = {c: canon.get(idx.key_of[d], idx.key_of[d]) for c, d in
                    idx.store.conn().execute("SELECT chunk_id, doc_id FROM chunks")}

    @functools.cache
    def trace(question: str) -> dict[str, list[str]]:
        stages = retriever.trace(question, 20)
        protected = [c for s in ("lexical", "dense") for c in stages.get(s, [])[:PROTECTED]]
        out = {s: list(dict.fromkeys(key_of_chunk[c] for c in ids))
               for s, ids in stages.items()}
        out["protected"] = list(dict.fromkeys(key_of_chunk[c] for c in protected))
        return out

    cols: list[str] = []
    table: dict[str, dict[str, str]] = {}
    for view, items in views.items():
        for stage, values in _recall(trace, items, canon).items():
            for metric, value in values.items():
                col = f"{view} {metric}"
                cols += [col] if col not in cols else []
                table.setdefault(STAGES[stage], {})[col] = f"{value:.3f}"
    return cols, table


def _recall(trace: Callable[[str], dict[str, list[str]]], items: list[tuple[str, str]],
            canon: dict[str, str]) -> dict[str, dict[str, float]]:
    sums = {s: dict.fromkeys(METRICS, 0.0) for s in STAGES}
    for i, (question, key) in enumerate(items):
        key = canon.get(key, key)
        stages = trace(question)
        top_hit = key in stages["protected"]
        for stage, got in stages.items():
            if stage not in sums:
                continue
            pos = got.index(key) + 1 if key in got else 0
            m = sums[stage]
            m["R@1"] += pos == 1
            m["R@5"] += 0 < pos <= 5
            m["R@20"] += 0 < pos <= 20
            m["found"] += pos > 0
            m["lost"] += top_hit and not 0 < pos <= 20
        print(f"\r  stages {i + 1}/{len(items)}", end="", file=sys.stderr)
    print(file=sys.stderr)
    n = max(len(items), 1)
    return {s: {k: v / n for k, v in m.items()} for s, m in sums.items()}


def print_stage_tables(tables: dict[str, tuple[list[str], dict[str, dict[str, str]]]]) -> None:
    """One markdown table per set: a row per stage, R@k / found / lost per view."""
    for name, (cols, rows) in tables.items():
        print(f"\n#### Per-stage recall, {name} (unique documents; lost = a first stage's "
              f"top-{PROTECTED} hit missing from the stage's top 20)\n")
        print("| stage | " + " | ".join(cols) + " |")
        print("| --- " * (len(cols) + 1) + "|")
        for stage, vals in rows.items():
            print(f"| {stage} | " + " | ".join(vals.get(c, "-") for c in cols) + " |")
