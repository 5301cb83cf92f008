"""A Milvus namespace's stored rows as ``PreparedReport`` batches and vectors by text
hash: what ``isnad migrate`` copies into another store, exactly as stored (offsets,
analysed tokens, figures, vectors; nothing re-chunked, re-analysed or re-embedded).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import numpy as np

from assistant.records import Figure
from assistant.store.base import PreparedChunk, PreparedReport
from assistant.store.milvus.reads import FIGURE_COLUMNS
from assistant.store.milvus.rows import (
    REPORT_FIELDS,
    both,
    figure_of,
    is_in,
    isnad_tokens,
    report_of,
)
from assistant.store.milvus.tables import Tables

IN_BATCH = 500


def export_reports(tables: Tables, batch: int = 64) -> Iterator[list[PreparedReport]]:
    """Every report with its chunks (ids included) and figures, ``batch`` reports at a
    time, in the order of their first chunk id (for a copy of a folder: as written)."""
    first: dict[str, int] = {}
    for row in tables.query("chunks", "", ["chunk_id", "doc_id"]):
        first[row["doc_id"]] = min(first.get(row["doc_id"], row["chunk_id"]), row["chunk_id"])
    heads = tables.query("reports", "part == 0", ["doc_id"])
    doc_ids = sorted((r["doc_id"] for r in heads), key=lambda d: (d not in first,
                                                                  first.get(d, 0), d))
    for lo in range(0, len(doc_ids), batch):
        part = doc_ids[lo:lo + batch]
        expr = is_in("doc_id", part)
        parts, chunks = defaultdict(list), defaultdict(list)
        figures: dict[str, list[tuple[int, Figure]]] = defaultdict(list)
        for row in tables.query("reports", expr, REPORT_FIELDS):
            parts[row["doc_id"]].append(row)
        for row in tables.query("chunks", expr, ["chunk_id", "doc_id", "start", "end", "text",
                                                 "text_hash", "tokens"]):
            chunks[row["doc_id"]].append(PreparedChunk(
                int(row["start"]), int(row["end"]), row["text"], row["text_hash"],
                " ".join(isnad_tokens(row["tokens"])), int(row["chunk_id"])))
        for row in tables.query("figures", expr, FIGURE_COLUMNS):
            figures[row["doc_id"]].append((int(row["seq"]), figure_of(row)))
        yield [PreparedReport(report_of(parts[d]),
                              tuple(sorted(chunks[d], key=lambda c: c.chunk_id or 0)),
                              tuple(f for _, f in sorted(figures[d], key=lambda x: x[0])))
               for d in part if parts.get(d)]


def stored_vectors(tables: Tables, hashes: list[str]) -> dict[str, np.ndarray]:
    """The stored vector of each of these chunk texts that has one."""
    wanted, out = sorted(set(hashes)), {}
    for lo in range(0, len(wanted), IN_BATCH):
        expr = both("embedded == true", is_in("text_hash", wanted[lo:lo + IN_BATCH]))
        for row in tables.query("chunks", expr, ["text_hash", "dense"]):
            out[row["text_hash"]] = np.asarray(row["dense"], dtype=np.float32)
    return out
