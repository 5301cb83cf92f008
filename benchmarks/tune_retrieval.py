"""Tune the re-ranking weights (``assistant.retrieval.rerank``) on dev splits, report held-out splits.

Collects each query's fused top candidates with all their features once (pickled
under ``benchmarks/out/``), then grid-searches the weights:

* ``--set questions`` (``RerankWeights`` defaults): tuned on arcd-train, the
  even-numbered xquad-ar articles and the aaqad tune half (``benchmarks.retrieval.
  aaqad_half``) for R@1 + R@5 + MRR; arcd-test, the odd xquad-ar articles and the aaqad
  test half are reported as held out;
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
    SQUAD_PATHS,
    CachedEmbedder,
    IsnadIndex,
    PrebuiltIndex,
    arcd_split,
    load_squad,
    load_unifiedfc,
    same_text,
    split_views,
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


def question_sets(emb) -> list[tuple[str, list, list, dict[str, str], IsnadIndex]]:
    """(name, tuning questions, held-out questions, identical-paragraph map, index) of
    arcd (train / test), xquad-ar (even / odd articles) and aaqad (``aaqad_half``)."""
    out = []
    for name in ("arcd", "xquad-ar", "aaqad"):
        docs, qs = load_squad(DATA / SQUAD_PATHS[name])
        idx = IsnadIndex(name, docs, emb)
        if name == "arcd":
            tune, held = arcd_split("arcd-train"), arcd_split("arcd-test")
        else:
            views = split_views(name, qs, ("tune", "test"))
            tune, held = views.values()
        out.append((name, tune, held, same_text(docs), idx))
    return out


def splits(kind: str, emb, index: Path | None) -> tuple[dict[str, list], dict[str, list]]:
    """(tuning data, held-out data), each per set, for ``kind``, from the pickle cache when
    present (delete it after a change to the candidates or features)."""
    cache = OUT / f"tune-{kind}-by-set.pkl"
    if cache.exists():
        tune, held = pickle.loads(cache.read_bytes())
        first = next(iter(tune.values()))
        if first and first[0][0].shape[1] == len(FEATURES):  # else collected before a new feature
            return tune, held
    if kind == "questions":
        tune, held = {}, {}
        for name, tune_qs, held_qs, canon, idx in question_sets(emb):
            tune[name] = collect(idx, tune_qs, canon)
            held[name] = collect(idx, held_qs, canon)
    else:
        if index is None:
            raise SystemExit("--set statements needs --unifiedfc-index")
        _, claims = load_unifiedfc(0, -1)
        folds = {json.loads(x)["claim"]: json.loads(x)["fold"] for x in
                 open(DATA / "unifiedfc/claims_dev.jsonl", encoding="utf-8")}
        idx = PrebuiltIndex(index, emb)
        emb.warm_queries([c for c, _ in claims])
        tune = {"unifiedfc": collect(idx, [c for c in claims
                                           if folds[c[0]] in ("Fold_1", "Fold_2")])}
        held = {"unifiedfc": collect(idx, [c for c in claims
                                           if folds[c[0]] not in ("Fold_1", "Fold_2")])}
    cache.write_bytes(pickle.dumps((tune, held)))
    return tune, held


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="questions", choices=sorted(GRIDS))
    ap.add_argument("--unifiedfc-index", type=Path, help="a copy of an ingested unifiedfc index")
    ap.add_argument("--held-out", action="store_true",
                    help="also print the held-out halves (once the weights are chosen)")
    args = ap.parse_args(argv)
    from assistant.embed.embedders import E5Embedder

    emb = CachedEmbedder(E5Embedder(), OUT / "embcache.sqlite")
    tune_sets, held = splits(args.set, emb, args.unifiedfc_index)
    tune = [x for data in tune_sets.values() for x in data]
    parts = {"tune": tune, **{f"{n} tune": d for n, d in tune_sets.items()}}
    if args.held_out:
        parts.update((f"{n} held-out", d) for n, d in held.items())
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
        for part, data in parts.items():
            m = evaluate(data, w)
            print(f"{name:10} {part:18} {metric[0]} {m[0]:.3f} {metric[1]} {m[1]:.3f} "
                  f"MRR {m[2]:.3f}", flush=True)
    print("best:", {f: v for f, v in zip(FEATURES, best, strict=True) if v})
    return 0


if __name__ == "__main__":
    sys.exit(main())
