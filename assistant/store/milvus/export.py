"""A Milvus namespace's stored rows as ``PreparedReport`` batches and vectors by text
hash: what ``isnad migrate`` copies into another store, exactly as stored (offsets,
analysed tokens, figures, vectors; nothing re-chunked, re-analysed or re-embedded).
Rows are read by key from the report rows' lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from assistant.store.base import PreparedChunk, PreparedReport
from assistant.store.milvus.reads import FIGURE_COLUMNS, Reads
from assistant.store.milvus.rows import (
    REPORT_FIELDS,
    figure_keys,
    figure_of,
    isnad_tokens,
    listed_chunks,
    part_keys,
    report_of,
)
from assistant.store.milvus.tables import Tables


def export_reports(tables: Tables, reads: Reads, batch: int = 64
                   ) -> Iterator[list[PreparedReport]]:
    """Every report with its chunks (ids included) and figures, ``batch`` reports at a
    time, in the order of their first chunk id (for a copy of a folder: as written)."""
    heads = tables.query("reports", "part == 0", ["doc_id", "chunk_ids"])
    first = {h["doc_id"]: min(listed_chunks([h]), default=2 ** 63) for h in heads}
    doc_ids = sorted(first, key=lambda d: (first[d], d))
    for lo in range(0, len(doc_ids), batch):
        part = reads.heads(doc_ids[lo:lo + batch])
        parts, chunks = defaultdict(list), defaultdict(list)
        for row in tables.get("reports", [k for h in part.values() for k in part_keys(h)],
                              REPORT_FIELDS):
            parts[row["doc_id"]].append(row)
        ids = listed_chunks([r for rows in parts.values() for r in rows])
        for row in tables.get("chunks", ids, ["chunk_id", "doc_id", "start", "end", "text",
                                              "text_hash", "tokens"]):
            chunks[row["doc_id"]].append(PreparedChunk(
                int(row["start"]), int(row["end"]), row["text"], row["text_hash"],
                " ".join(isnad_tokens(row["tokens"])), int(row["chunk_id"])))
        figures = defaultdict(list)
        for row in tables.get("figures", [k for h in part.values() for k in figure_keys(h)],
                              FIGURE_COLUMNS):
            figures[row["doc_id"]].append(row)
        yield [PreparedReport(report_of(parts[d]),
                              tuple(sorted(chunks[d], key=lambda c: c.chunk_id or 0)),
                              tuple(figure_of(f) for f in sorted(figures[d],
                                                                 key=lambda f: f["seq"])))
               for d in doc_ids[lo:lo + batch] if parts.get(d)]
