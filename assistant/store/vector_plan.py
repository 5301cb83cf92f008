"""Which FAISS index an index folder uses, chosen from its size, and building it.

Up to ``exact_max`` vectors (``Config.exact_search_max``): exact search (``IndexFlatIP``).
Above: IVF-Flat (the vectors kept as they are, so a found passage's score is exact; ids
removable), with ``nlist`` the power of two nearest to 2·√n (2,048 for a million), trained on a sample of
``TRAIN_PER_LIST`` vectors per list. ``nprobe`` is then measured, not guessed: the smallest
of ``NPROBES`` whose recall@10 against exact search reaches ``RECALL_TARGET`` on
``CALIBRATION_QUERIES`` queries (each the normalised sum of two stored vectors, a query
"between" two passages: harder than a stored vector itself). The plan is what
``manifest.json`` records under ``vectors`` and ``isnad stats`` shows; nobody tunes it.

A plan is rebuilt (retrained) when the kind changes (with 10 % hysteresis below
``exact_max``, so removals near the threshold do not flap) or when the collection has
grown or shrunk 4-fold since the lists were trained. This module builds indexes from an
array of vectors; it does not read the database or keep an index up to date (``vectors``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import faiss
import numpy as np

RECALL_TARGET = 0.98  # recall@CALIBRATION_K on synthetic queries (see the docstring)
CALIBRATION_K = 100  # what the retriever asks the dense stage for (Config.k_dense)
NPROBES = (4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
CALIBRATION_QUERIES = 256
TRAIN_PER_LIST = 48
TRAIN_ITERATIONS = 12
ADD_BATCH = 50_000


@dataclass(frozen=True)
class VectorPlan:
    """How the vectors are searched: ``flat`` (exact) or ``ivf`` (IVF-Flat)."""

    kind: str
    nlist: int = 0
    nprobe: int = 0
    trained_on: int = 0  # vectors when the plan was chosen (and an IVF trained)
    recall: float | None = None  # recall@CALIBRATION_K measured at build time (IVF)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (0, None)}

    @classmethod
    def from_dict(cls, data: dict) -> VectorPlan:
        return cls(**{k: data[k] for k in ("kind", "nlist", "nprobe", "trained_on",
                                            "recall") if k in data})


def nlist_for(n: int) -> int:
    """Inverted lists for ``n`` vectors: the power of two nearest to 2·√n, halved until
    each list has at least 39 vectors to train on (FAISS's minimum)."""
    nlist = 2 ** round(math.log2(2 * math.sqrt(max(n, 1))))
    while nlist > 1 and nlist * 39 > n:
        nlist //= 2
    return nlist


def choose(n: int, exact_max: int) -> VectorPlan:
    """The plan for ``n`` vectors (nprobe not yet measured)."""
    if n <= exact_max:
        return VectorPlan("flat", trained_on=n)
    return VectorPlan("ivf", nlist=nlist_for(n), trained_on=n)


def needs_rebuild(current: VectorPlan | None, n: int, exact_max: int) -> bool:
    """Whether ``n`` vectors call for another plan than ``current``."""
    if current is None:
        return True
    if current.kind == "ivf":
        if n <= 0.9 * exact_max:
            return True
        return not current.trained_on / 4 <= n <= current.trained_on * 4
    return n > exact_max


def build(plan: VectorPlan, vecs: np.ndarray, ids: np.ndarray) -> tuple[faiss.Index, VectorPlan]:
    """An index of ``vecs`` (normalised, float32; may be a memory map) under ``plan``,
    and the plan with its measured ``nprobe`` and recall. Vectors are added in the
    order given (ties in exact search keep that order)."""
    dim = vecs.shape[1]
    if plan.kind == "flat":
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    else:
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, plan.nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = TRAIN_ITERATIONS
        index.cp.seed = 1234
        index.train(_sample(vecs, plan.nlist * TRAIN_PER_LIST))
    for lo in range(0, len(ids), ADD_BATCH):
        index.add_with_ids(np.ascontiguousarray(vecs[lo:lo + ADD_BATCH]), ids[lo:lo + ADD_BATCH])
    if plan.kind == "ivf":
        plan = calibrate(index, plan, vecs)
    return index, plan


def _sample(vecs: np.ndarray, n: int) -> np.ndarray:
    if len(vecs) <= n:
        return np.ascontiguousarray(vecs)
    rows = np.sort(np.random.default_rng(7).choice(len(vecs), n, replace=False))
    return np.ascontiguousarray(vecs[rows])


def calibrate(index: faiss.IndexIVF, plan: VectorPlan, vecs: np.ndarray) -> VectorPlan:
    """``plan`` with the smallest nprobe reaching ``RECALL_TARGET`` (see the docstring)."""
    rng = np.random.default_rng(11)
    pairs = rng.choice(len(vecs), (CALIBRATION_QUERIES, 2))
    queries = vecs[pairs[:, 0]] + vecs[pairs[:, 1]]
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    k = min(CALIBRATION_K, len(vecs))
    kth = exact_kth(queries, vecs, k)
    recall, nprobe = 0.0, plan.nlist
    for nprobe in (p for p in NPROBES if p <= plan.nlist):
        index.nprobe = nprobe
        scores, _ = index.search(queries, k)
        recall = float(np.mean(scores >= kth[:, None] - 1e-5))
        if recall >= RECALL_TARGET:
            break
    index.nprobe = nprobe
    return VectorPlan(plan.kind, plan.nlist, nprobe, plan.trained_on, round(recall, 4))


def exact_kth(queries: np.ndarray, vecs: np.ndarray, k: int = 10) -> np.ndarray:
    """The exact k-th best inner product of each query over ``vecs`` (scanned in parts)."""
    best = np.full((len(queries), k), -np.inf, dtype=np.float32)
    for lo in range(0, len(vecs), ADD_BATCH):
        sims = queries @ np.asarray(vecs[lo:lo + ADD_BATCH]).T
        best = np.sort(np.concatenate([best, sims], axis=1), axis=1)[:, -k:]
    return best[:, 0]
