"""Tune the re-ranking weights (``assistant.rerank.RerankWeights``) on a dev split.

Collects the fused top-``rerank_depth`` candidates and their features once per
question, then grid-searches the weights for doc-level MRR (R@1 reported too).
Default split: arcd-train questions (arcd-test and xquad-ar stay unseen for the
weights). Uses the indexes and embedding cache that ``benchmarks.retrieval`` built.

    .venv/bin/python -m benchmarks.tune_retrieval --set arcd-train
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys

import numpy as np

from assistant.rerank import FEATURES, RerankWeights
from benchmarks.retrieval import DATA, OUT, CachedEmbedder, IsnadIndex, arcd_split, load_squad

# Scores are compared within one question, so scaling every weight changes nothing: dense = 8.
GRID = {"fused": [0.0, 0.5, 1.0], "dense": [8.0], "bm25": [0.5, 1.0, 1.5, 2.0, 3.0],
        "cover": [0.0, 0.25], "sentence": [0.0, 0.25, 0.5], "phrase": [0.0, 0.25],
        "numbers": [0.0, 0.2, 0.4], "answer_type": [0.0, 0.1, 0.2]}

# Around the defaults, for comparing fusion settings quickly (--narrow).
NARROW = {"fused": [0.5, 1.0, 2.0], "dense": [8.0], "bm25": [0.5, 1.0, 1.5], "cover": [0.0],
          "sentence": [0.0, 0.25], "phrase": [0.0], "numbers": [0.2], "answer_type": [0.1]}


def collect(idx: IsnadIndex, qs: list[tuple[str, str]], **kw):
    """Per question: (features (n, F), doc key per candidate, gold key)."""
    retriever = idx.retriever(**kw)
    out = []
    for i, (q, gold) in enumerate(qs):
        ids, feats, _ = retriever.candidates(q)
        doc = dict(idx.store.conn().execute(
            f"SELECT chunk_id, doc_id FROM chunks WHERE chunk_id IN ({','.join('?' * len(ids))})",
            ids).fetchall()) if ids else {}
        out.append((feats, [idx.key_of[doc[c]] for c in ids], gold))
        if i % 100 == 0:
            print(f"\r  features {i}/{len(qs)}", end="", file=sys.stderr)
    print(file=sys.stderr)
    return out


def evaluate(data, w: np.ndarray) -> tuple[float, float, float]:
    r1 = r5 = rr = 0.0
    for feats, keys, gold in data:
        if not keys:
            continue
        order = np.argsort(-(feats @ w), kind="stable")
        ranked = list(dict.fromkeys(keys[i] for i in order))
        if gold in ranked:
            pos = ranked.index(gold) + 1
            r1 += pos == 1
            r5 += pos <= 5
            rr += 1 / pos
    n = len(data)
    return r1 / n, r5 / n, rr / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="arcd-train", help="arcd-train, arcd-test or xquad-ar")
    ap.add_argument("--dense-weight", type=float, default=1.0, help="RRF weight of dense")
    ap.add_argument("--rrf-k", type=int, default=60)
    ap.add_argument("--narrow", action="store_true", help="small grid around the defaults")
    args = ap.parse_args(argv)
    from assistant.embeddings import E5Embedder

    emb = CachedEmbedder(E5Embedder(), OUT / "embcache.sqlite")
    if args.set.startswith("arcd"):
        docs, _ = load_squad(DATA / "arcd/arcd.json")
        idx = IsnadIndex("arcd", docs, emb)
        qs = arcd_split(args.set)
    else:
        docs, qs = load_squad(DATA / "xquad-ar/xquad.ar.json")
        idx = IsnadIndex("xquad-ar", docs, emb)
    cache = OUT / f"tune-{args.set}-{args.dense_weight}-{args.rrf_k}.pkl"
    if cache.exists():
        data = pickle.loads(cache.read_bytes())
    else:
        data = collect(idx, qs, fusion_weights={"lexical": 1.0, "dense": args.dense_weight},
                       rrf_k=args.rrf_k)
        cache.write_bytes(pickle.dumps(data))
    only_fused = np.eye(len(FEATURES))[0]
    show("fused only", evaluate(data, only_fused))
    show("defaults", evaluate(data, RerankWeights().vector()))
    grid = NARROW if args.narrow else GRID
    best = max(((evaluate(data, np.array(w)), w) for w in itertools.product(*grid.values())),
               key=lambda t: (t[0][2], t[0][0]))
    show("best", best[0], dict(zip(grid, best[1], strict=True)))
    return 0


def show(name: str, m: tuple[float, float, float], extra: object = "") -> None:
    print(f"{name:12} R@1 {m[0]:.3f} R@5 {m[1]:.3f} MRR {m[2]:.3f} {extra}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
