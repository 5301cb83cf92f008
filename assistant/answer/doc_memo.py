"""Process-wide memo of per-report text analysis, shared by all answers (thread-safe).

Answering reads the same few reports again and again (a newsroom asks about the
day's reports), and analysing a long report — clause spans, clause tokens, its
vocabulary, the years it states — costs more than the rest of an answer. This
module keeps that analysis for the most recently read reports, keyed by the
report text itself (so a re-ingested report with new text is analysed afresh,
and two indexes never mix). It holds only pure functions of the text; which
clauses answer a question is ``answer.py``'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from assistant.lru import LRU
from assistant.text.dates import find_dates

T = TypeVar("T")

MAX_REPORTS = 256  # reports kept
MAX_CHARS = 8_000_000  # and at most this much report text (tokens cost ~20× the text)


class Analysis:
    """Memoised analyses of one text: ``get(key, compute)`` computes each key once."""

    __slots__ = ("text", "_values")

    def __init__(self, text: str):
        self.text = text
        self._values: dict[object, object] = {}

    def get(self, key: object, compute: Callable[[], T]) -> T:
        """The value under ``key``, computed by ``compute()`` on first use (never mutate it)."""
        try:
            return self._values[key]  # type: ignore[return-value]
        except KeyError:
            value = compute()  # two threads may both compute it: same value, last one kept
            self._values[key] = value
            return value


class ReportMemo:
    """An LRU of ``Analysis`` per text, bounded by report count and total characters."""

    def __init__(self, max_reports: int = MAX_REPORTS, max_chars: int = MAX_CHARS):
        self.max_reports, self.max_chars = max_reports, max_chars
        self._items: LRU[str, Analysis] = LRU(max_reports, max_chars)

    def of(self, text: str) -> Analysis:
        """The analysis record of ``text`` (created empty on first use)."""
        found = self._items.get(text)
        if found is not None:
            return found
        return self._items.put(text, Analysis(text), weight=len(text))

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()


MEMO = ReportMemo()  # the process's memo: answers of every session share it


def stated_dates(text: str, memo: ReportMemo | None = None) -> frozenset[str]:
    """The ISO dates a text states (``find_dates``, slow on long reports), memoised."""
    return (memo or MEMO).of(text).get(
        "dates", lambda: frozenset(d.iso for d in find_dates(text) if d.iso))
