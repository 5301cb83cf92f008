"""The frozen dataclasses that flow between Isnad's stages.

JSON keys are the attribute names (see ``to_dict``). This module holds data
only: no I/O, no models. Offsets are character offsets into ``Report.text``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


def to_dict(obj: Any) -> dict:
    """A JSON-ready dict of any record here (nested records included)."""
    return asdict(obj)


@dataclass(frozen=True)
class Filters:
    """Restrictions applied inside every retrieval stage and the figures table (dates are
    ISO strings compared with the report's date; a report without a date never passes a
    date bound). The store turns them into its own query language (SQL, Milvus expr)."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] | None = None
    doc_ids: tuple[str, ...] | None = None
    language: str | None = None

    @property
    def active(self) -> bool:
        return any((self.since, self.until, self.sources, self.doc_ids, self.language))


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Report:
    """One report as parsed: ``text`` is the original text, kept for quotes."""

    doc_id: str
    path: str
    text: str
    title: str = ""
    date: str | None = None  # ISO YYYY-MM-DD when known
    source: str = ""
    url: str = ""
    language: str = ""
    record: str | None = None  # row id for csv/jsonl rows
    content_hash: str = ""


@dataclass(frozen=True)
class Chunk:
    """A sentence-aligned passage: always ``report.text[start:end] == text``."""

    chunk_id: int
    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with its report metadata and per-stage scores."""

    rank: int
    doc_id: str
    path: str
    record: str | None
    title: str
    date: str | None
    source: str
    url: str
    text: str
    start: int
    end: int
    score: float
    chunk_id: int = 0
    language: str = ""
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: ``quote == report.text[start:end]``."""

    n: int
    doc_id: str
    path: str
    record: str | None
    title: str
    date: str | None
    source: str
    url: str
    quote: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Check:
    """One verification of a claim of an answer against its cited sources."""

    claim: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Answer:
    """What ``Assistant.ask`` returns; ``answer`` is markdown with [n] markers."""

    question: str
    found: bool
    answer: str
    short_answer: str | None
    mode: Literal["evidence", "llm"]
    citations: list[Citation] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """A figure found in a report sentence, with what it counts and its span."""

    value: float
    qualifier: str
    category: str
    group: str
    place: str
    period: str
    date: str | None
    doc_id: str
    path: str
    record: str | None
    quote: str
    start: int
    end: int
