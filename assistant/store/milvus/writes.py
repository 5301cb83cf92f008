"""Writes to a Milvus namespace (the caller holds the writer lock): a batch of reports,
vectors by text hash, removal.

Every row is upserted under a key derived from its content (``rows``), so a write
repeated by a resumed ingest, or by a second process, leaves one row, never two. Milvus
has no transactions: the order is chosen so that readers never meet a dangling
reference (report text first, then its chunks and figures; on removal chunks first),
rows of a replaced version are deleted after the new ones are in, and the statistics
are marked dirty for the duration (``stats``). Rows are found by key (a report's row
lists its chunks): milvus-lite filters slowly. The generation is bumped at the end of
each write. Nothing here parses or embeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from assistant.records import Report
from assistant.store.base import PreparedChunk, PreparedReport
from assistant.store.milvus.meta import MetaRecords
from assistant.store.milvus.reads import Reads
from assistant.store.milvus.rows import (
    CHUNK_FIELDS,
    both,
    chunk_rows,
    figure_keys,
    figure_rows,
    is_in,
    isnad_tokens,
    literal,
    part_keys,
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
        self._pending: dict[str, list[int]] = {}  # text hash -> chunk keys (pending_texts)

    def write_reports(self, batch: list[PreparedReport | Report],
                      prepare: Callable[[Report], PreparedReport]) -> list[str]:
        """Add or replace reports; "added" / "updated" / "unchanged" per item."""
        reports = [i.report if isinstance(i, PreparedReport) else i for i in batch]
        heads = self.reads.heads([r.doc_id for r in reports])
        known = {d: h["content_hash"] for d, h in heads.items()}
        statuses, todo = [], {}
        for item, rep in zip(batch, reports, strict=True):
            if known.get(rep.doc_id) == rep.content_hash:
                statuses.append("unchanged")
                continue
            statuses.append("updated" if rep.doc_id in known else "added")
            known[rep.doc_id] = rep.content_hash
            todo[rep.doc_id] = item if isinstance(item, PreparedReport) else prepare(rep)
        if todo:
            self._replace(list(todo.values()), {d: heads[d] for d in todo if d in heads})
        return statuses

    def _replace(self, prepared: list[PreparedReport], old_heads: dict[str, dict]) -> None:
        self.stats.begin()
        old_chunks = self.tables.get("chunks", self.reads.report_chunk_ids(list(old_heads)),
                                     ["chunk_id", "tokens", "embedded"])
        vectors = self._vectors([c for p in prepared for c in p.chunks])
        parts = [row for p in prepared for row in report_rows(p)]
        chunks = [row for p in prepared for row in chunk_rows(p, vectors, self.dim)]
        figures = [row for p in prepared for row in figure_rows(p)]
        self.tables.upsert("reports", parts)
        self.tables.upsert("chunks", chunks)
        self.tables.upsert("figures", figures)
        self._drop_stale("chunks", [r["chunk_id"] for r in old_chunks], chunks, "chunk_id")
        self._drop_stale("figures", [k for h in old_heads.values() for k in figure_keys(h)],
                         figures, "figure_id")
        self._drop_stale("reports", [k for h in old_heads.values() for k in part_keys(h)],
                         parts, "part_id")
        self.stats.apply([isnad_tokens(c["tokens"]) for c in chunks],
                         [isnad_tokens(c["tokens"]) for c in old_chunks],
                         reports=len(prepared) - len(old_heads),
                         pending=(sum(not c["embedded"] for c in chunks)
                                  - sum(not c["embedded"] for c in old_chunks)))
        self.meta.bump_generation()

    def _vectors(self, chunks: list[PreparedChunk]) -> dict[str, np.ndarray]:
        """The vectors of these chunks' texts: carried by a copy (stored here too), or
        already stored (boilerplate embedded for another report is embedded once)."""
        carried = {c.text_hash: np.asarray(c.vector, dtype=np.float32)
                   for c in chunks if c.vector is not None}
        if carried:
            self.tables.upsert("vectors", [{"text_hash": h, "dense": v}
                                           for h, v in carried.items()])
        rest = [c.text_hash for c in chunks if c.text_hash not in carried]
        return {**self.stored_vectors(rest), **carried}

    def stored_vectors(self, hashes: list[str]) -> dict[str, np.ndarray]:
        rows = self.tables.get("vectors", list(dict.fromkeys(hashes)), ["text_hash", "dense"])
        return {r["text_hash"]: np.asarray(r["dense"], dtype=np.float32) for r in rows}

    def _drop_stale(self, kind: str, old: list[int], new: list[dict], key: str) -> None:
        keep = {row[key] for row in new}
        stale = [k for k in old if k not in keep]
        if stale:
            self.tables.delete(kind, ids=stale)

    def pending_texts(self) -> Iterator[tuple[str, str, str]]:
        """(text_hash, report title, chunk text) of each distinct text without a vector."""
        self._pending = {}
        rows = self.tables.query("chunks", "embedded == false",
                                 ["chunk_id", "text_hash", "title", "text"])
        for row in rows:
            self._pending.setdefault(row["text_hash"], []).append(int(row["chunk_id"]))
        seen: set[str] = set()
        for row in rows:
            if row["text_hash"] not in seen:
                seen.add(row["text_hash"])
                yield row["text_hash"], row["title"] or "", row["text"]

    def put_vectors(self, hashes: list[str], vectors: np.ndarray) -> None:
        """Store these texts' vectors and give them to every chunk with one of the texts
        (found by the keys ``pending_texts`` saw, else by a filter)."""
        by_hash = dict(zip(hashes, np.asarray(vectors, dtype=np.float32), strict=True))
        self.tables.upsert("vectors", [{"text_hash": h, "dense": v} for h, v in by_hash.items()])
        ids: list[int] = []
        unknown = []
        for text_hash in by_hash:
            known = self._pending.pop(text_hash, None)
            if known is None:
                unknown.append(text_hash)
            else:
                ids += known
        for lo in range(0, len(unknown), IN_BATCH):
            expr = both("embedded == false", is_in("text_hash", unknown[lo:lo + IN_BATCH]))
            ids += [int(r["chunk_id"]) for r in self.tables.query("chunks", expr, ["chunk_id"])]
        rows = [r for r in self.tables.get("chunks", ids, CHUNK_FIELDS) if not r["embedded"]]
        self.stats.begin()
        self.tables.upsert("chunks", [{**row, "embedded": True,
                                       "dense": by_hash[row["text_hash"]]} for row in rows])
        self.stats.apply([], [], pending=-len(rows))
        self.meta.bump_generation()

    def remove(self, key: str) -> list[str]:
        """Delete the reports with doc_id or path ``key``: chunks, figures, text, and the
        vectors no remaining chunk shares."""
        heads = self.tables.query(
            "reports", both("part == 0", f"doc_id == {literal(key)} or path == {literal(key)}"),
            ["doc_id", "n_parts", "n_figures"])
        if not heads:
            return []
        ids = sorted({h["doc_id"] for h in heads})
        self.stats.begin()
        chunks = self.tables.get("chunks", self.reads.report_chunk_ids(ids),
                                 ["chunk_id", "tokens", "embedded", "text_hash"])
        self.tables.delete("chunks", ids=[c["chunk_id"] for c in chunks])
        self.tables.delete("figures", ids=[k for h in heads for k in figure_keys(h)])
        self.tables.delete("reports", ids=[k for h in heads for k in part_keys(h)])
        self._drop_orphan_vectors(sorted({c["text_hash"] for c in chunks}))
        self.stats.apply([], [isnad_tokens(c["tokens"]) for c in chunks], reports=-len(ids),
                         pending=-sum(not c["embedded"] for c in chunks))
        self.meta.bump_generation()
        return ids

    def _drop_orphan_vectors(self, hashes: list[str]) -> None:
        """Vectors are kept by text: another report may share a chunk text and keep it."""
        shared: set[str] = set()
        for lo in range(0, len(hashes), IN_BATCH):
            shared.update(r["text_hash"] for r in self.tables.query(
                "chunks", is_in("text_hash", hashes[lo:lo + IN_BATCH]), ["text_hash"]))
        orphans = [h for h in hashes if h not in shared]
        if orphans:
            self.tables.delete("vectors", ids=orphans)
