"""The store interface: everything retrieval, answers, figures, ingest, the UI and the CLI
need from an index, as three narrow protocols and the records that cross them.

- ``SearchIndex``: the first stages (lexical over the analyser's tokens, dense over
  vectors) and the per-chunk data the re-ranker reads.
- ``ReportStore``: reports, their listing, the figures table, counts and the manifest.
- ``IndexWriter``: the writer lock, atomic report batches, vectors, removal, upkeep.
- ``Exportable``: the stored rows as they are, for copying one store into another.

``Store`` is all three. The index folder (``folder.FolderStore``: SQLite + FAISS) is the
embedded implementation; a distributed engine is another module implementing the same
protocols. Chunk ids are integers unique within one store. Filters are applied inside
each search, never by cutting results after a top-k. This module holds no logic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.records import Figure, Filters, Hit, Report

Ranking = list[tuple[int, float]]  # (chunk_id, score; higher is better), best first


@dataclass(frozen=True)
class PreparedChunk:
    """A chunk ready to store: ``report.text[start:end] == text``; ``tokens`` is the
    analyser's output (space-joined) and ``text_hash`` keys its vector. ``chunk_id`` and
    ``vector`` are set only on copied chunks (``isnad migrate``): a store that can keep the
    id does, so a copy breaks score ties in the same order (the index folder numbers
    chunks itself), and the vector is stored with the chunk."""

    start: int
    end: int
    text: str
    text_hash: str
    tokens: str
    chunk_id: int | None = None
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PreparedReport:
    """A report with its chunks and figures, prepared outside the write transaction.
    ``figures`` None: extracted later (``pending_figures`` / ``put_figures``), so that the
    report is searchable sooner."""

    report: Report
    chunks: tuple[PreparedChunk, ...]
    figures: tuple[Figure, ...] | None


@dataclass(frozen=True)
class FigureQuery:
    """What the store filters in the figures table itself (place and figure dates are
    matched by the caller: they need fuzzy matching)."""

    category: str | None = None
    group: str | None = None  # a group label ("regime")
    sources: tuple[str, ...] | None = None
    doc_ids: tuple[str, ...] | None = None


@dataclass
class VerifyReport:
    """Problems (corruption) and notes (derived data behind the source of truth)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"ok": self.ok, "problems": self.problems, "notes": self.notes,
                "counts": self.counts}


@runtime_checkable
class SearchIndex(Protocol):
    """The first stages of retrieval and the chunk data the re-ranker reads."""

    model_id: str
    dim: int

    def read(self) -> AbstractContextManager: ...
    def chunk_count(self) -> int: ...
    def doc_freqs(self, terms: list[str]) -> dict[str, int]: ...
    def lexical_search(self, terms: list[str], k: int, filters: Filters) -> Ranking: ...
    def dense_search(self, query: np.ndarray, k: int, filters: Filters) -> Ranking: ...
    def passages(self, ids: list[int]) -> dict[int, Hit]: ...
    def chunk_tokens(self, ids: list[int]) -> dict[int, list[str]]: ...
    def chunk_vectors(self, ids: list[int]) -> dict[int, np.ndarray]: ...
    def chunk_languages(self, ids: list[int]) -> dict[int, str]: ...
    def report_lengths(self, ids: list[int]) -> dict[int, tuple[str, int]]: ...
    def report_tokens(self, doc_ids: list[str]) -> tuple[list[str], list[list[str]]]: ...


@runtime_checkable
class ReportStore(Protocol):
    """Reports, the figures table and what describes the index."""

    def report(self, doc_id: str) -> Report | None: ...
    def find_report(self, paths: list[str], record: str | None, language: str,
                    filters: Filters) -> Report | None: ...
    def report_list(self) -> list[dict]: ...
    def figures(self, query: FigureQuery) -> list[Figure]: ...
    def counts(self) -> dict[str, int]: ...
    def generation(self) -> int: ...
    def manifest(self) -> dict | None: ...
    def describe(self) -> dict: ...


@runtime_checkable
class IndexWriter(Protocol):
    """Writes: one writer at a time (``lock``), each batch atomic and visible at once."""

    # True: ``write_reports`` takes reports without figures (``PreparedReport.figures`` None)
    # and ``pending_figures`` / ``put_figures`` complete them later; False: every report
    # comes with its figures and nothing is ever pending.
    defers_figures: bool

    def lock(self, wait: float = 0) -> AbstractContextManager: ...
    def stored_hashes(self, doc_ids: list[str]) -> dict[str, str]: ...
    def write_reports(self, batch: list[PreparedReport | Report],
                      prepare: Callable[[Report], PreparedReport]) -> list[str]: ...
    def pending_texts(self) -> Iterator[tuple[str, str, str]]: ...
    def put_vectors(self, hashes: list[str], vectors: np.ndarray) -> None: ...
    def pending_figures(self, limit: int) -> list[Report]: ...
    def put_figures(self, figures: dict[str, tuple[Figure, ...]]) -> None: ...
    def remove(self, key: str) -> list[str]: ...
    def checkpoint(self) -> None: ...
    def verify(self) -> VerifyReport: ...
    def repair(self, wait: float = 0) -> VerifyReport: ...
    def close(self) -> None: ...


@runtime_checkable
class Store(SearchIndex, ReportStore, IndexWriter, Protocol):
    """A whole index: what ``Assistant`` holds."""


@runtime_checkable
class Exportable(Protocol):
    """A store whose rows can be copied as stored (``isnad migrate``): reports with their
    chunks (offsets, analysed tokens) and figures, and vectors by text hash."""

    def export_reports(self, batch: int = 64) -> Iterator[list[PreparedReport]]: ...
    def stored_vectors(self, hashes: list[str]) -> dict[str, np.ndarray]: ...
