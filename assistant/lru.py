"""A small thread-safe LRU map, bounded by entry count and optionally by total weight.

The process keeps three memos of this shape: query vectors (``embeddings.QueryMemo``),
sentence vectors (``sentence_rank.SentenceMeaning``) and per-report analyses
(``doc_memo.ReportMemo``, bounded by report characters too). This is only the
container; what is worth remembering, and under which key, is the caller's choice.
Values are shared by every caller and must not be mutated.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """Least-recently-used map: at most ``max_items`` entries and ``max_weight`` in all.

    The newest entry is always kept, even when it alone weighs more than ``max_weight``.
    """

    def __init__(self, max_items: int, max_weight: float = float("inf")) -> None:
        self.max_items, self.max_weight = max_items, max_weight
        self._items: OrderedDict[K, tuple[V, float]] = OrderedDict()
        self._weight = 0.0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value under ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, weight: float = 1.0) -> V:
        """Store ``value`` (or keep the one another thread stored first) and return it."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]
            self._items[key] = (value, weight)
            self._weight += weight
            while len(self._items) > 1 and (len(self._items) > self.max_items
                                            or self._weight > self.max_weight):
                _, (_, w) = self._items.popitem(last=False)
                self._weight -= w
            return value

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._weight = 0.0
