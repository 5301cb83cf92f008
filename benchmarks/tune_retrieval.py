"""Tune the re-ranking weights (``assistant.retrieval.rerank``) on dev splits, report held-out splits.

Collects each query's fused top candidates with all their features once (pickled
under ``benchmarks/out/``), then grid-searches the weights:

* ``--set questions`` (``RerankWeights`` defaults): tuned on arcd-train plus the
  even-numbered xquad-ar articles for R@1 + R@5 + MRR; arcd-test and the odd
  xquad-ar articles are reported as held out;
* ``--set statements`` (``STATEMENT_WEIGHTS``): tuned on unifiedfc claims_dev folds
  1-2 for P@5 + MRR against all 2,897 articles (``--unifiedfc-index``, a copy of an
  ingested index); folds 3-4 are reported as held out.

Uses the indexes and embedding cache that ``benchmarks.retrieval`` built.

    .venv/bin/python -m benchmarks.tune_retrieval --set questions
    .venv/bin/python -m benchmarks.tune_retrieval --set statements \\
        --unifiedfc-index benchmarks/out/unifiedfc-full
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
from pathlib import Path

import numpy as np

from assistant.retrieval.rerank import FEATURES, STATEMENT_WEIGHTS, RerankWeights
from benchmarks.retrieval import (
    DATA,
    OUT,
    CachedEmbedder,
    IsnadIndex,
    PrebuiltIndex,
    arcd_split,
    load_squad,
    load_unifiedfc,
    same_text,
)

GRIDS = {
    "questions": {"fused": [0.5, 1.0, 1.5, 2.0], "dense": [8.0], "bm25": [0.5, 1.0, 1.5, 2.0],
                  "cover": [0.0], "sentence": [0.0, 0.25], "phrase": [0.0, 0.25, 0.5],
                  "numbers": [0.0, 0.2], "answer_type": [0.0, 0.1], "doc": [0.0],
                  "report": [0.0]},
    "statements": {"fused": [0.0, 1.0], "dense": [1.0, 2.0, 4.0], "bm25": [0.0, 1.0, 2.0],
                   "cover": [0.0], "sentence": [0.0], "phrase": [0.0, 1.0], "numbers": [0.0],
                   "answer_type": [0.0], "doc": [1.0, 2.0, 4.0, 8.0],
                   "report": [0.0, 1.0, 2.0, 4.0]},
}


def collect(idx: IsnadIndex, qs: list, canon: dict[str, str] | None = None) -> list:
    """Per query: (features (n, F), document key per candidate, gold key or key set)."""
    retriever, canon = idx.retriever(), canon or {}
    out = []
    for i, (q, gold) in enumerate(qs):
        ids, feats, _ = retriever.candidates(q)
        doc = dict(idx.store.conn().execute(
            f"SELECT chunk_id, doc_id FROM chunks WHERE chunk_id IN ({','.join('?' * len(ids))})",
            ids).fetchall()) if ids else {}
        keys = [canon.get(k, k) for k in (idx.key_of[doc[c]] for c in ids)]
        out.append((feats, keys, gold if isinstance(gold, set) else canon.get(gold, gold)))
        print(f"\r  features {i + 1}/{len(qs)}", end="", file=sys.stderr)
    print(file=sys.stderr)
    return out


def evaluate(data: list, w: np.ndarray) -> tuple[float, float, float]:
    """(R@1, R@5, MRR) for questions, (P@5, R@20, MRR) for statements (gold key sets)."""
    a = b = rr = 0.0
    for feats, keys, gold in data:
        order = np.argsort(-(feats @ w), kind="stable") if keys else []
        ranked = list(dict.fromkeys(keys[i] for i in order))[:20]
        rel = gold if isinstance(gold, set) else {gold}
        first = next((i for i, k in enumerate(ranked, 1) if k in rel), 0)
        rr += 1 / first if first else 0.0
        if isinstance(gold, set):
            a += len(set(ranked[:5]) & rel) / 5
            b += len(set(ranked) & rel) / len(rel)
        else:
            a += first == 1
            b += 0 < first <= 5
    n = max(len(data), 1)
    return a / n, b / n, rr / n


def splits(kind: str, emb, index: Path | None) -> tuple[list, list]:
    """(tuning data, held-out data) for ``kind``, from the pickle cache when present."""
    cache = OUT / f"tune-{kind}.pkl"
    if cache.exists():
        tune, held = pickle.loads(cache.read_bytes())
        if tune and tune[0][0].shape[1] == len(FEATURES):  # else collected before a new feature
            return tune, held
    if kind == "questions":
        docs, _ = load_squad(DATA / "arcd/arcd.json")
        arcd, canon = IsnadIndex("arcd", docs, emb), same_text(docs)
        xdocs, xqs = load_squad(DATA / "xquad-ar/xquad.ar.json")
        xquad = IsnadIndex("xquad-ar", xdocs, emb)
        even = [(q, k) for q, k in xqs if int(k.split("-")[0]) % 2 == 0]
        odd = [(q, k) for q, k in xqs if int(k.split("-")[0]) % 2 == 1]
        tune = collect(arcd, arcd_split("arcd-train"), canon) + collect(xquad, even)
        held = collect(arcd, arcd_split("arcd-test"), canon) + collect(xquad, odd)
    else:
        if index is None:
            raise SystemExit("--set statements needs --unifiedfc-index")
        _, claims = load_unifiedfc(0, -1)
        folds = {json.loads(x)["claim"]: json.loads(x)["fold"] for x in
                 open(DATA / "unifiedfc/claims_dev.jsonl", encoding="utf-8")}
        idx = PrebuiltIndex(index, emb)
        emb.warm_queries([c for c, _ in claims])
        tune = collect(idx, [c for c in claims if folds[c[0]] in ("Fold_1", "Fold_2")])
        held = collect(idx, [c for c in claims if folds[c[0]] not in ("Fold_1", "Fold_2")])
    cache.write_bytes(pickle.dumps((tune, held)))
    return tune, held


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="questions", choices=sorted(GRIDS))
    ap.add_argument("--unifiedfc-index", type=Path, help="a copy of an ingested unifiedfc index")
    args = ap.parse_args(argv)
    from assistant.embed.embedders import E5Embedder

    emb = CachedEmbedder(E5Embedder(), OUT / "embcache.sqlite")
    tune, held = splits(args.set, emb, args.unifiedfc_index)
    metric = ("R@1", "R@5") if args.set == "questions" else ("P@5", "R@20")
    current = RerankWeights() if args.set == "questions" else STATEMENT_WEIGHTS
    only_fused = np.eye(len(FEATURES))[0]

    def objective(w: np.ndarray) -> float:
        a, b, rr = evaluate(tune, w)
        return a + rr + (b if args.set == "questions" else 0.0)

    grid = GRIDS[args.set]
    best = max(itertools.product(*grid.values()), key=lambda w: objective(np.array(w)))
    for name, w in (("fused only", only_fused), ("current", current.vector()),
                    ("best", np.array(best))):
        for part, data in (("tune", tune), ("held-out", held)):
            m = evaluate(data, w)
            print(f"{name:10} {part:8} {metric[0]} {m[0]:.3f} {metric[1]} {m[1]:.3f} "
                  f"MRR {m[2]:.3f}", flush=True)
    print("best:", {f: v for f, v in zip(FEATURES, best, strict=True) if v})
    return 0


if __name__ == "__main__":
    sys.exit(main())
