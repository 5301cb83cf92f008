"""The first stages' top hits, which no later stage may lose (pure functions).

Reciprocal rank fusion halves a passage that only one first stage found: a dense top
hit with no lexical match fuses below every passage that both stages rank moderately,
a re-ranking that looked only at the fused top ``rerank_depth`` left it in the tail,
below every re-ranked passage, and the re-ranker's word features (bm25, fused rank)
are 0 or halved for it. So each first stage's top ``PROTECTED`` passages are always in
the re-ranking pool (``rerank_pool``), and the final order keeps each first stage's top
``r`` within its first ``w`` places for every ``(r, w)`` of ``KEPT_WITHIN``
(``keep_first_stage_tops``): re-ranking and the near-duplicate penalty may move them
down, never out of those windows. Only a user filter (applied inside the first stages)
excludes one. This module does no I/O.
"""

from __future__ import annotations

# (a first stage's top r, kept within the final first w places), widest first: both
# stages' top 10 fit the top 20, their top 2 the top 5, their top 1 the top 3. The two
# narrow windows cost no R@1 on the tuning halves (arcd-train, xquad-ar even, aaqad tune)
# and lift a dense top hit without words in common from rank ~10 into the top 5.
Windows = tuple[tuple[int, int], ...]
KEPT_WITHIN: Windows = ((10, 20), (2, 5), (1, 3))
# A statement (pasted claim) is judged by whole articles ("doc", "report" bm25; fused rank
# weight 0): a passage's first-stage rank says less, so only the top 10 is kept (within
# 20); the narrow windows cost P@5 on the tuning claims (unifiedfc folds 1-2, subset).
STATEMENT_KEPT_WITHIN: Windows = ((10, 20),)
PROTECTED = max(r for r, _ in KEPT_WITHIN)  # each first stage's top this many: in the pool
Ranking = list[tuple[int, float]]  # (chunk id, score), best first


def protected_ids(stages: dict[str, Ranking], protected: int = PROTECTED) -> set[int]:
    """The chunk ids that a first stage ranked in its top ``protected``."""
    return {c for ranked in stages.values() for c, _ in ranked[:protected]}


def rerank_pool(ranking: Ranking, keep: set[int], depth: int) -> tuple[Ranking, Ranking]:
    """(pool, tail) of a fused ``ranking``: the pool is its top ``depth`` plus the ``keep``
    ids wherever fusion put them, in fused order; the tail is the rest, in fused order."""
    pool: Ranking = []
    tail: Ranking = []
    for i, (c, s) in enumerate(ranking):
        (pool if i < depth or c in keep else tail).append((c, s))
    return pool, tail


def keep_protected(ranked: Ranking, keep: set[int], window: int) -> Ranking:
    """``ranked`` with every ``keep`` id inside its first ``window`` places.

    A kept id ranked below the window takes the place of the lowest-ranked other id
    inside it, which moves down just below the window; everything else keeps its order.
    Scores stay non-increasing: an id moved down is capped at the score above it.
    """
    head, rest = ranked[:window], ranked[window:]
    lifted = [x for x in rest if x[0] in keep]
    if not lifted:
        return ranked
    free = [i for i, (c, _) in enumerate(head) if c not in keep][-len(lifted):]
    # more kept ids than the window holds: the best of them fill it (ranked order)
    lifted = lifted[:len(free)]
    dropped = set(free)
    moved = {c for c, _ in lifted}
    order = ([x for i, x in enumerate(head) if i not in dropped] + lifted
             + [head[i] for i in free] + [x for x in rest if x[0] not in moved])
    out: Ranking = []
    for c, s in order:
        out.append((c, min(s, out[-1][1]) if out else s))
    return out


def keep_first_stage_tops(ranked: Ranking, stages: dict[str, Ranking],
                          kept_within: Windows = KEPT_WITHIN) -> Ranking:
    """``ranked`` with each first stage's top ``r`` inside its first ``w`` places, for each
    ``(r, w)`` of ``kept_within`` (widest first: a narrower window lifts from inside the
    wider one, so it pushes nothing kept out of it)."""
    for top, window in sorted(kept_within, key=lambda rw: -rw[1]):
        ranked = keep_protected(ranked, protected_ids(stages, top), window)
    return ranked
