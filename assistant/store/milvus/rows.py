"""Isnad's records as Milvus rows and back, and ``Filters`` as Milvus filter expressions.

Pure functions, no server calls. Primary keys are derived from content (63-bit slices of
a sha1): a chunk's from its report and offsets, a report part's from its report and part
number, a figure's from its report and position, so the same write from two processes
is one row (upsert), never two. A chunk copied from another store (``isnad migrate``)
keeps its id there: a copy then breaks score ties exactly as its source. Reports are stored in parts of at most ``PART_BYTES``
bytes (Milvus caps a VARCHAR at 65,535 bytes). Analysed tokens are stored in the engine's
spelling (``engine_tokens``): Milvus's tokenizers split a word at ``.`` and ``,``, which
Isnad keeps inside numbers ("3.5"), so these become ``_`` / ``__``, which no token holds.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable

import numpy as np

from assistant.records import Figure, Filters, Hit, Report
from assistant.store.base import PreparedReport

PART_BYTES = 60_000
TEXT_BYTES = 65_535
DUMMY = [0.0, 0.0]  # the vector field Milvus demands of every collection (never searched)

CHUNK_FIELDS = ["chunk_id", "doc_id", "path", "record", "title", "date", "source", "url",
                "language", "start", "end", "text", "text_hash", "tokens", "report_length",
                "embedded"]
REPORT_FIELDS = ["part_id", "doc_id", "part", "n_parts", "text", "path", "record", "title",
                 "date", "source", "url", "language", "content_hash", "added_at", "n_chunks",
                 "length", "chunk_ids", "n_figures", "tokens"]
FIGURE_FIELDS = ["figure_id", "doc_id", "seq", "value", "qualifier", "category", "grp",
                 "place", "period", "date", "start", "end", "quote", "path", "record",
                 "source"]


def key63(*parts: object) -> int:
    """A non-negative 63-bit key from the parts (sha1; collisions: ~1 in 10^10 at 10^5
    chunks per report pair, far below anything an archive holds)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def chunk_key(doc_id: str, start: int, end: int) -> int:
    return key63("chunk", doc_id, start, end)


def part_key(doc_id: str, part: int) -> int:
    return key63("report", doc_id, part)


def figure_key(doc_id: str, seq: int) -> int:
    return key63("figure", doc_id, seq)


# -- expressions -------------------------------------------------------------------------
def literal(value: str) -> str:
    """A double-quoted string literal of Milvus's expression language."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def is_in(field: str, values: Iterable[object]) -> str:
    """``field in [...]`` for strings or integers."""
    items = [literal(v) if isinstance(v, str) else str(int(v)) for v in values]
    return f"{field} in [{', '.join(items)}]"


def filter_expr(filters: Filters) -> str:
    """The filter expression of ``filters`` over chunk or figure rows ("" for none). A
    row without a date (null) never passes a date bound, as in the index folder."""
    parts = []
    if filters.since:
        parts.append(f"date >= {literal(filters.since)}")
    if filters.until:
        parts.append(f"date <= {literal(filters.until)}")
    if filters.sources:
        parts.append(is_in("source", filters.sources))
    if filters.doc_ids:
        parts.append(is_in("doc_id", filters.doc_ids))
    if filters.language:
        parts.append(f"language == {literal(filters.language)}")
    return " and ".join(parts)


def both(*exprs: str) -> str:
    return " and ".join(f"({e})" for e in exprs if e)


# -- tokens --------------------------------------------------------------------------------
def engine_tokens(tokens: str) -> str:
    """Isnad's analysed tokens spelled so that Milvus keeps each one whole."""
    return tokens.replace(",", "__").replace(".", "_")


def isnad_tokens(stored: str) -> list[str]:
    """The analysed tokens back from their engine spelling."""
    return stored.replace("__", ",").replace("_", ".").split()


# -- reports ---------------------------------------------------------------------------------
def split_text(text: str, max_bytes: int = PART_BYTES) -> list[str]:
    """``text`` in parts of at most ``max_bytes`` UTF-8 bytes, cut between characters."""
    data = text.encode("utf-8", "surrogatepass")
    parts, lo = [], 0
    while lo < len(data) or not parts:
        hi = min(lo + max_bytes, len(data))
        while hi < len(data) and (data[hi] & 0xC0) == 0x80:  # inside a character
            hi -= 1
        parts.append(data[lo:hi].decode("utf-8", "surrogatepass"))
        lo = hi
    return parts


def chunk_ids(prepared: PreparedReport) -> list[int]:
    """The keys of a report's chunks (their source's when copied)."""
    doc = prepared.report.doc_id
    return [c.chunk_id if c.chunk_id is not None else chunk_key(doc, c.start, c.end)
            for c in prepared.chunks]


def report_rows(prepared: PreparedReport) -> list[dict]:
    """The part rows of a report; each lists the ids of the chunks that start in it (a
    report's chunks are then read by key, not found by a filter over all chunks) and holds
    their analysed tokens (null when they would not fit: then the chunks are read)."""
    rep, ids = prepared.report, chunk_ids(prepared)
    parts = split_text(rep.text)
    meta = {"doc_id": rep.doc_id, "n_parts": len(parts), "path": rep.path,
            "record": rep.record, "title": rep.title or "", "date": rep.date or None,
            "source": rep.source or "", "url": rep.url or "", "language": rep.language or "",
            "content_hash": rep.content_hash, "added_at": time.time(),
            "n_chunks": len(prepared.chunks), "n_figures": len(prepared.figures),
            "length": sum(c.end - c.start for c in prepared.chunks), "vec": DUMMY}
    rows, offset = [], 0
    for i, part in enumerate(parts):
        end = offset + len(part) if i < len(parts) - 1 else len(rep.text) + 1
        inside = [(k, c) for k, c in zip(ids, prepared.chunks, strict=True)
                  if offset <= c.start < end]
        tokens = engine_tokens(" ".join(c.tokens for _, c in inside))
        rows.append({**meta, "part_id": part_key(rep.doc_id, i), "part": i, "text": part,
                     "chunk_ids": json.dumps([k for k, _ in inside]),
                     # the report's tokens in one row: a claim reads ~100 reports' worth
                     "tokens": tokens if len(tokens.encode()) <= TEXT_BYTES else None})
        offset = end
    return rows


def part_keys(head: dict) -> list[int]:
    """The keys of every part of the report whose part 0 is ``head``."""
    return [part_key(head["doc_id"], i) for i in range(int(head["n_parts"]))]


def figure_keys(head: dict) -> list[int]:
    return [figure_key(head["doc_id"], i) for i in range(int(head["n_figures"] or 0))]


def listed_chunks(parts: list[dict]) -> list[int]:
    """The chunk keys the part rows of a report list."""
    return [int(i) for p in parts for i in json.loads(p["chunk_ids"] or "[]")]


def report_of(parts: list[dict]) -> Report:
    """A Report from all its part rows (any order)."""
    parts = sorted(parts, key=lambda r: r["part"])
    head = parts[0]
    return Report(doc_id=head["doc_id"], path=head["path"],
                  text="".join(p["text"] for p in parts), title=head["title"] or "",
                  date=head["date"] or None, source=head["source"] or "",
                  url=head["url"] or "", language=head["language"] or "",
                  record=head["record"], content_hash=head["content_hash"])


# -- chunks ----------------------------------------------------------------------------------
def chunk_rows(prepared: PreparedReport, vectors: dict[str, np.ndarray], dim: int
               ) -> list[dict]:
    """The chunk rows of a report; a chunk whose text has no vector yet gets zeros and
    ``embedded`` False (dense search leaves it out)."""
    rep = prepared.report
    length = sum(c.end - c.start for c in prepared.chunks)
    zeros = np.zeros(dim, dtype=np.float32)
    rows = []
    for key, c in zip(chunk_ids(prepared), prepared.chunks, strict=True):
        vec = vectors.get(c.text_hash)
        rows.append({"chunk_id": key, "doc_id": rep.doc_id,
                     "path": rep.path, "record": rep.record, "title": rep.title or "",
                     "date": rep.date or None, "source": rep.source or "",
                     "url": rep.url or "", "language": rep.language or "",
                     "start": c.start, "end": c.end, "text": c.text,
                     "text_hash": c.text_hash, "tokens": engine_tokens(c.tokens),
                     "report_length": length, "embedded": vec is not None,
                     "dense": zeros if vec is None else np.asarray(vec, dtype=np.float32)})
    return rows


def hit_of(row: dict) -> Hit:
    return Hit(rank=0, doc_id=row["doc_id"], path=row["path"], record=row["record"],
               title=row["title"] or "", date=row["date"] or None,
               source=row["source"] or "", url=row["url"] or "", text=row["text"],
               start=int(row["start"]), end=int(row["end"]), score=0.0,
               chunk_id=int(row["chunk_id"]), language=row["language"] or "")


# -- figures ---------------------------------------------------------------------------------
def figure_rows(prepared: PreparedReport) -> list[dict]:
    rep = prepared.report
    return [{"figure_id": figure_key(rep.doc_id, i), "doc_id": rep.doc_id, "seq": i,
             "value": float(f.value), "qualifier": f.qualifier or "",
             "category": f.category or "", "grp": f.group or "", "place": f.place or "",
             "period": f.period or "", "date": f.date or None, "start": f.start,
             "end": f.end, "quote": rep.text[f.start:f.end], "path": rep.path,
             "record": rep.record, "source": rep.source or "", "vec": DUMMY}
            for i, f in enumerate(prepared.figures)]


def figure_of(row: dict) -> Figure:
    return Figure(value=row["value"], qualifier=row["qualifier"], category=row["category"],
                  group=row["grp"], place=row["place"], period=row["period"],
                  date=row["date"] or None, doc_id=row["doc_id"], path=row["path"],
                  record=row["record"], quote=row["quote"], start=int(row["start"]),
                  end=int(row["end"]))


def figure_order(row: dict) -> tuple:
    """The folder's order: by date (undated last), report, offset, position."""
    return (row["date"] is None, row["date"] or "", row["doc_id"], row["start"], row["seq"])
