"""Reads of a Milvus namespace: chunk data for the re-ranker and the answers, reports,
the report listing and the figures table.

Inside ``RowCache.scope()`` (what ``MilvusStore.read()`` opens for one search or answer)
the chunk rows a search returned or a read fetched are kept for the rest of the scope,
so the stages of one question read each chunk once and agree on it. Outside a scope
every call reads the server. Nothing is kept between questions: app servers hold no
index state. Reports are read whole (all parts) and re-read if a writer replaced them
while they were being read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from assistant.errors import StoreError
from assistant.records import Figure, Filters, Hit, Report
from assistant.store.base import FigureQuery
from assistant.store.milvus.rows import (
    CHUNK_FIELDS,
    REPORT_FIELDS,
    both,
    figure_of,
    figure_order,
    filter_expr,
    hit_of,
    is_in,
    isnad_tokens,
    listed_chunks,
    literal,
    part_key,
    report_of,
)
from assistant.store.milvus.tables import Tables

FIGURE_COLUMNS = ["figure_id", "doc_id", "seq", "value", "qualifier", "category", "grp",
                  "place", "period", "date", "start", "end", "quote", "path", "record"]


class RowCache:
    """Chunk rows, term frequencies and statistics' totals of the current read scope, per
    thread (none outside a scope)."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def scope(self) -> Iterator[None]:
        if getattr(self._local, "rows", None) is not None:  # nested: join the outer scope
            yield
            return
        self._local.rows, self._local.freqs, self._local.totals = {}, {}, None
        try:
            yield
        finally:
            self._local.rows = self._local.freqs = self._local.totals = None

    def totals(self, read: Callable[[], dict]) -> dict:
        if getattr(self._local, "rows", None) is None:
            return read()
        if self._local.totals is None:
            self._local.totals = read()
        return self._local.totals

    def freqs(self, terms: list[str], read: Callable[[list[str]], dict[str, int]]
              ) -> dict[str, int]:
        """Document frequencies of ``terms`` (each term read once per scope)."""
        known = getattr(self._local, "freqs", None)
        if known is None:
            return read(terms)
        missing = [t for t in dict.fromkeys(terms) if t not in known]
        if missing:
            got = read(missing)
            known.update({t: got.get(t, 0) for t in missing})
        return {t: known[t] for t in terms if known[t] > 0}

    def rows(self) -> dict[int, dict] | None:
        return getattr(self._local, "rows", None)

    def put(self, rows: list[dict]) -> None:
        cache = self.rows()
        if cache is not None:
            for row in rows:
                cache.setdefault(int(row["chunk_id"]), {}).update(row)


class Reads:
    """The read side of the store protocols over one namespace's tables."""

    def __init__(self, tables: Tables, cache: RowCache) -> None:
        self.tables, self.cache = tables, cache

    def chunk_rows(self, ids: list[int], fields: list[str], also: tuple[str, ...] = ()
                   ) -> dict[int, dict]:
        """Chunk id -> row with at least ``fields`` (from the scope's cache when there);
        rows read from the server bring ``also`` too (read next in the same scope)."""
        cache = self.cache.rows() or {}
        need = [i for i in dict.fromkeys(ids) if not set(fields) <= set(cache.get(i, ()))]
        wanted = list(dict.fromkeys(["chunk_id", *fields, *(also if self.cache.rows() is not
                                                              None else ())]))
        got = {int(r["chunk_id"]): r for r in self.tables.get("chunks", need, wanted)}
        self.cache.put(list(got.values()))
        out = {}
        for i in ids:
            row = got.get(i, cache.get(i))
            if row is not None and set(fields) <= set(row):
                out[i] = row
        return out

    def passages(self, ids: list[int]) -> dict[int, Hit]:
        return {i: hit_of(r) for i, r in self.chunk_rows(ids, CHUNK_FIELDS).items()}

    def chunk_tokens(self, ids: list[int]) -> dict[int, list[str]]:
        return {i: isnad_tokens(r["tokens"]) for i, r in self.chunk_rows(ids, ["tokens"]).items()}

    def chunk_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        # The re-ranker reads the vectors of its candidates; the answer's passages are
        # among them: one read brings both.
        rows = self.chunk_rows(ids, ["embedded", "dense"], tuple(CHUNK_FIELDS))
        return {i: np.asarray(r["dense"], dtype=np.float32) for i, r in rows.items()
                if r["embedded"]}

    def chunk_languages(self, ids: list[int]) -> dict[int, str]:
        return {i: r["language"] or "" for i, r in self.chunk_rows(ids, ["language"]).items()}

    def report_lengths(self, ids: list[int]) -> dict[int, tuple[str, int]]:
        rows = self.chunk_rows(ids, ["doc_id", "report_length"])
        return {i: (r["doc_id"], int(r["report_length"])) for i, r in rows.items()}

    def report_tokens(self, doc_ids: list[str]) -> tuple[list[str], list[list[str]]]:
        """The analysed tokens of these reports, read by key: one list per report part
        (the part row holds its chunks' tokens), or per chunk for a part too big to."""
        heads = list(self.heads(list(dict.fromkeys(doc_ids))).values())
        rest = [part_key(h["doc_id"], i) for h in heads for i in range(1, h["n_parts"])]
        parts = heads + self.tables.get("reports", rest, ["doc_id", "chunk_ids", "tokens"])
        owners = [p["doc_id"] for p in parts if p["tokens"] is not None]
        tokens = [isnad_tokens(p["tokens"]) for p in parts if p["tokens"] is not None]
        ids = listed_chunks([p for p in parts if p["tokens"] is None])
        rows = self.chunk_rows(ids, ["doc_id", "tokens"])
        return (owners + [rows[i]["doc_id"] for i in ids if i in rows],
                tokens + [isnad_tokens(rows[i]["tokens"]) for i in ids if i in rows])

    def heads(self, doc_ids: list[str]) -> dict[str, dict]:
        """doc_id -> its part 0 row (without the text) for the reports that exist."""
        rows = self.tables.get("reports", [part_key(d, 0) for d in dict.fromkeys(doc_ids)],
                               [f for f in REPORT_FIELDS if f != "text"])
        return {r["doc_id"]: r for r in rows}

    def report_chunk_ids(self, doc_ids: list[str]) -> list[int]:
        """The keys of every chunk of these reports (listed by their part rows)."""
        heads = list(self.heads(doc_ids).values())
        rest = [part_key(h["doc_id"], i) for h in heads for i in range(1, h["n_parts"])]
        return listed_chunks(heads + self.tables.get("reports", rest, ["chunk_ids"]))

    def report(self, doc_id: str) -> Report | None:
        for _ in range(5):  # a writer may be replacing the parts right now
            parts = self.tables.get("reports", [part_key(doc_id, 0)], REPORT_FIELDS)
            if not parts:
                return None
            rest = [part_key(doc_id, i) for i in range(1, parts[0]["n_parts"])]
            parts += self.tables.get("reports", rest, REPORT_FIELDS)
            if _complete(parts):
                return report_of(parts)
        raise StoreError(f"report {doc_id} is being rewritten; try again in a moment")

    def find_report(self, paths: list[str], record: str | None, language: str,
                    filters: Filters) -> Report | None:
        if not paths:
            return None
        record_expr = "record is null" if record is None else f"record == {literal(record)}"
        expr = both("part == 0", is_in("path", paths), record_expr,
                    f"language == {literal(language)}", filter_expr(filters))
        heads = self.tables.query("reports", expr, ["doc_id", "path"])
        heads.sort(key=lambda r: paths.index(r["path"]))
        return self.report(heads[0]["doc_id"]) if heads else None

    def report_list(self) -> list[dict]:
        keys = ("doc_id", "path", "record", "title", "date", "source", "language")
        rows = self.tables.query("reports", "part == 0", [*keys, "n_chunks"])
        out = [{**{k: r[k] for k in keys}, "chunks": int(r["n_chunks"])} for r in rows]
        return sorted(out, key=lambda r: (r["path"], r["record"] is not None, r["record"] or ""))

    def figures(self, query: FigureQuery) -> list[Figure]:
        expr = both(filter_expr(Filters(sources=query.sources, doc_ids=query.doc_ids)),
                    f"category == {literal(query.category)}" if query.category else "",
                    f"grp == {literal(query.group)}" if query.group else "")
        rows = self.tables.query("figures", expr, FIGURE_COLUMNS)
        return [figure_of(r) for r in sorted(rows, key=figure_order)]

    def stored_hashes(self, doc_ids: list[str]) -> dict[str, str]:
        return {d: h["content_hash"] for d, h in self.heads(doc_ids).items()}


def _complete(parts: list[dict]) -> bool:
    """All parts of one version of a report are there."""
    versions = {(p["content_hash"], p["n_parts"]) for p in parts}
    if len(versions) != 1:
        return False
    (_, n_parts), = versions
    return sorted(p["part"] for p in parts) == list(range(n_parts))
