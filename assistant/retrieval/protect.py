"""The first stages' top hits, which no later stage may lose (pure functions).

Reciprocal rank fusion halves a passage that only one first stage found: a dense top
hit with no lexical match fuses below every passage that both stages rank moderately,
and a re-ranking that looks only at the fused top ``rerank_depth`` would leave it in
the tail, below every re-ranked passage. So each first stage's top ``PROTECTED``
passages are always in the re-ranking pool (``rerank_pool``), and the final order keeps
them within its first ``2 * PROTECTED`` places (``keep_protected``): re-ranking and the
near-duplicate penalty may move them down, never out of that window. Only a user filter
(applied inside the first stages) excludes one. This module does no I/O.
"""

from __future__ import annotations

PROTECTED = 10  # each first stage's top this many are re-ranked and kept in the window
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
