"""Writes to a Milvus namespace (the caller holds the writer lock): a batch of reports,
vectors by text hash, removal.

Every row is upserted under a key derived from its content (``rows``), so a write
repeated by a resumed ingest, or by a second process, leaves one row, never two. Milvus
has no transactions: the order is chosen so that readers never meet a dangling
reference (report text first, then its chunks and figures; on removal chunks first),
rows of a replaced version are deleted after the new ones are in, and the term
statistics are marked dirty for the duration (``stats``). The generation is bumped at
the end of each write. Nothing here parses or embeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from assistant.records import Report
from assistant.store.base import PreparedReport
from assistant.store.milvus.export import stored_vectors
from assistant.store.milvus.meta import MetaRecords
from assistant.store.milvus.reads import Reads
from assistant.store.milvus.rows import (
    CHUNK_FIELDS,
    both,
    chunk_rows,
    figure_rows,
    is_in,
    isnad_tokens,
    literal,
    report_rows,
)
from assistant.store.milvus.stats import TermStats
from assistant.store.milvus.tables import Tables

IN_BATCH = 500  # values in one ``in [...]`` expression


class Writes:
    """The write side of the store protocols over one namespace's tables."""

    def __init__(self, tables: Tables, reads: Reads, stats: TermStats, meta: MetaRecords,
                 dim: int) -> None:
        self.tables, self.reads, self.stats, self.meta = tables, reads, stats, meta
        self.dim = dim

    def write_reports(self, batch: list[PreparedReport | Report],
                      prepare: Callable[[Report], PreparedReport]) -> list[str]:
        """Add or replace reports; "added" / "updated" / "unchanged" per item."""
        reports = [i.report if isinstance(i, PreparedReport) else i for i in batch]
        known = self.reads.stored_hashes([r.doc_id for r in reports])
        stored = set(known)
        statuses, todo = [], {}
        for item, rep in zip(batch, reports, strict=True):
            if known.get(rep.doc_id) == rep.content_hash:
                statuses.append("unchanged")
                continue
            statuses.append("updated" if rep.doc_id in known else "added")
            known[rep.doc_id] = rep.content_hash
            todo[rep.doc_id] = item if isinstance(item, PreparedReport) else prepare(rep)
        if todo:
            self._replace(list(todo.values()), sorted(stored & set(todo)))
        return statuses

    def _replace(self, prepared: list[PreparedReport], replaced: list[str]) -> None:
        self.stats.begin()
        old_chunks = self._rows("chunks", replaced, ["chunk_id", "tokens"])
        old_parts = self._rows("reports", replaced, ["part_id"])
        old_figures = self._rows("figures", replaced, ["figure_id"])
        # Boilerplate embedded for another report keeps its vector (embedded once).
        vectors = stored_vectors(self.tables, [c.text_hash for p in prepared for c in p.chunks])
        parts = [row for p in prepared
                 for row in report_rows(p.report, len(p.chunks),
                                        sum(c.end - c.start for c in p.chunks))]
        chunks = [row for p in prepared for row in chunk_rows(p, vectors, self.dim)]
        figures = [row for p in prepared for row in figure_rows(p)]
        self.tables.upsert("reports", parts)
        self.tables.upsert("chunks", chunks)
        self.tables.upsert("figures", figures)
        self._drop_stale("chunks", "chunk_id", old_chunks, chunks)
        self._drop_stale("figures", "figure_id", old_figures, figures)
        self._drop_stale("reports", "part_id", old_parts, parts)
        self.stats.apply([isnad_tokens(c["tokens"]) for c in chunks],
                         [isnad_tokens(c["tokens"]) for c in old_chunks])
        self.meta.bump_generation()

    def _rows(self, kind: str, doc_ids: list[str], fields: list[str]) -> list[dict]:
        out: list[dict] = []
        for lo in range(0, len(doc_ids), IN_BATCH):
            out.extend(self.tables.query(kind, is_in("doc_id", doc_ids[lo:lo + IN_BATCH]),
                                         fields))
        return out

    def _drop_stale(self, kind: str, key: str, old: list[dict], new: list[dict]) -> None:
        keep = {row[key] for row in new}
        stale = [row[key] for row in old if row[key] not in keep]
        if stale:
            self.tables.delete(kind, ids=stale)

    def pending_texts(self) -> Iterator[tuple[str, str, str]]:
        """(text_hash, report title, chunk text) of each distinct text without a vector."""
        seen: set[str] = set()
        for row in self.tables.query("chunks", "embedded == false",
                                     ["text_hash", "title", "text"]):
            if row["text_hash"] not in seen:
                seen.add(row["text_hash"])
                yield row["text_hash"], row["title"] or "", row["text"]

    def put_vectors(self, hashes: list[str], vectors: np.ndarray) -> None:
        """Give every chunk with one of these texts its vector."""
        by_hash = dict(zip(hashes, np.asarray(vectors, dtype=np.float32), strict=True))
        wanted = sorted(by_hash)
        for lo in range(0, len(wanted), IN_BATCH):
            rows = self.tables.query("chunks", is_in("text_hash", wanted[lo:lo + IN_BATCH]),
                                     CHUNK_FIELDS)
            self.tables.upsert("chunks", [{**row, "embedded": True,
                                           "dense": by_hash[row["text_hash"]]} for row in rows])
        self.meta.bump_generation()

    def remove(self, key: str) -> list[str]:
        """Delete the reports with doc_id or path ``key`` (chunks, figures, text)."""
        heads = self.tables.query(
            "reports", both("part == 0", f"doc_id == {literal(key)} or path == {literal(key)}"),
            ["doc_id"])
        ids = sorted({r["doc_id"] for r in heads})
        if not ids:
            return []
        self.stats.begin()
        old_chunks = self._rows("chunks", ids, ["chunk_id", "tokens"])
        for kind in ("chunks", "figures", "reports"):  # what cites a report goes first
            for lo in range(0, len(ids), IN_BATCH):
                self.tables.delete(kind, expr=is_in("doc_id", ids[lo:lo + IN_BATCH]))
        self.stats.apply([], [isnad_tokens(c["tokens"]) for c in old_chunks])
        self.meta.bump_generation()
        return ids
