"""Sentence meaning: break near-ties between candidate quotes by e5 similarity to the question.

``answer.py`` scores clauses lexically (question terms covered, retrieval rank,
typed answer). When several candidates score within ``NEAR`` of the best, the
lexical score cannot tell them apart reliably (a paraphrased question, the
answer in the next clause), so ``choose`` adds ``W_MEANING`` times each
sentence's cosine to the question, taken relative to the best cosine: a
candidate far behind lexically never wins on meaning alone, and a clear
lexical winner costs no embedding at all.

``SentenceMeaning`` holds the embedder (injected by the caller; the index's own
model, so queries reuse its query-vector memo) and a bounded, thread-safe LRU of
sentence vectors keyed by (text hash, span), so a report quoted again costs
nothing. It never downloads, never writes to the index, and does not choose
clauses itself.

Tuned on arcd and the even-numbered articles of xquad-ar (``benchmarks/answers.py``
answer-sentence accuracy), checked on the odd-numbered ones; ``NEAR`` and
``MAX_COMPARED`` were then halved and lowered for latency (odd articles 0.820 ->
0.818, all of xquad-ar 0.770 -> 0.766, arcd 0.736 -> 0.731).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from assistant.embed.embedders import Embedder
from assistant.lru import LRU

NEAR = 0.05  # lexical scores within this of the best are compared by meaning
MAX_COMPARED = 3  # at most this many candidates (their sentences) are embedded per answer
W_MEANING = 4.0  # weight of the cosine gap to the best sentence (e5 cosines span ~0.7-0.9)
MAX_CHARS = 600  # a sentence is embedded from its first chars only (bounds the cost)


def near_best(scores: Sequence[float]) -> int:
    """How many of the (descending) ``scores`` are close enough to the best to compare."""
    if not scores:
        return 0
    n = 1
    while n < min(len(scores), MAX_COMPARED) and scores[n] >= scores[0] - NEAR:
        n += 1
    return n


def choose(scores: Sequence[float], sims: Sequence[float]) -> int:
    """Index of the best candidate: lexical score plus the weighted cosine gap to the best."""
    top = max(sims)
    return int(np.argmax([s + W_MEANING * (m - top) for s, m in zip(scores, sims, strict=True)]))


class SentenceMeaning:
    """Question-to-sentence cosines with the index's embedder; sentence vectors cached (LRU)."""

    def __init__(self, embedder: Embedder, size: int = 4096) -> None:
        self.embedder, self.size = embedder, size
        self._vecs: LRU[tuple[str, int, int], np.ndarray] = LRU(size)

    def similarities(self, question: str, spans: Sequence[tuple[str, int, int]]) -> list[float]:
        """Cosine of ``question`` to each ``text[start:end]`` of ``spans`` (unit vectors)."""
        q = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        return [float(v @ q) for v in self.vectors(spans)]

    def vectors(self, spans: Sequence[tuple[str, int, int]]) -> list[np.ndarray]:
        """Passage vectors of ``text[start:end]`` for each span, embedding only uncached ones."""
        digests: dict[str, str] = {}  # texts of one answer: hashed once each
        keys = []
        for text, s, e in spans:
            if text not in digests:
                digests[text] = hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
            keys.append((digests[text], s, e))
        got = {k: v for k in keys if (v := self._vecs.get(k)) is not None}
        todo = {k: (t, s, e) for k, (t, s, e) in zip(keys, spans, strict=True) if k not in got}
        if todo:
            fresh = self.embedder.embed_passages([t[s:e][:MAX_CHARS] for t, s, e in todo.values()])
            for k, v in zip(todo, fresh, strict=True):
                v = np.asarray(v, dtype=np.float32)
                v.setflags(write=False)  # shared by every caller
                got[k] = self._vecs.put(k, v)
        return [got[k] for k in keys]
