"""Row operations on the namespace's collections, batched to Milvus's limits: point reads
by key, filtered queries of any size, counts, upserts, deletes, flushes and searches.

Every operation goes through ``Connection.call`` (retries, errors, loading) and names
collections by kind ("chunks", "reports", ...). Reads ask for Strong consistency: a
report written by another app server is seen by the next read. This module knows no
records (``rows``) and ranks nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pymilvus import MilvusClient

from assistant.store.milvus.client import Connection

QUERY_CAP = 16_384  # Milvus's largest limit (offset + limit) for one query
GET_BATCH = 1_000
WRITE_BATCH = 500
STRONG = {"consistency_level": "Strong"}
KEYS = {"chunks": "chunk_id", "reports": "part_id", "figures": "figure_id", "terms": "term",
        "meta": "key", "vectors": "text_hash"}
INT_KEYS = (-(2 ** 63), 2 ** 63 - 1)


def _batches(items: list, size: int) -> Iterator[list]:
    for lo in range(0, len(items), size):
        yield items[lo:lo + size]


class Tables:
    """The collections of one namespace, by kind."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.writing = {"timeout": conn.address.timeout_s}
        self.reading = {**STRONG, **self.writing}

    def get(self, kind: str, ids: Iterable, fields: list[str]) -> list[dict]:
        """The rows with these primary keys (missing keys are left out)."""
        name, out = self.conn.name(kind), []
        for part in _batches(list(dict.fromkeys(ids)), GET_BATCH):
            out.extend(self.conn.call(
                f"get {name}", lambda c, p=part: c.get(name, ids=p, output_fields=fields,
                                                       **self.reading), name))
        return out

    def query(self, kind: str, expr: str, fields: list[str]) -> list[dict]:
        """Every row passing ``expr`` ("" = all rows). Beyond one query's cap, an integer
        key's range is halved until each part fits (milvus-lite's query iterator sorts
        everything for every page); other keys page with the iterator."""
        rows = self._query(kind, expr, fields)
        if len(rows) < QUERY_CAP:
            return rows
        if KEYS[kind] in ("term", "key", "text_hash"):
            name = self.conn.name(kind)
            return self.conn.call(f"query {name}", lambda c: _iterate(
                c, name, expr, fields, self.reading), name)
        return self._split(kind, expr, fields, *INT_KEYS)

    def _query(self, kind: str, expr: str, fields: list[str]) -> list[dict]:
        name = self.conn.name(kind)
        return list(self.conn.call(f"query {name}", lambda c: c.query(
            name, filter=expr, output_fields=fields, limit=QUERY_CAP, **self.reading), name))

    def _split(self, kind: str, expr: str, fields: list[str], lo: int, hi: int) -> list[dict]:
        key = KEYS[kind]
        part = f"{key} >= {lo} and {key} <= {hi}"
        rows = self._query(kind, f"({expr}) and {part}" if expr else part, fields)
        if len(rows) < QUERY_CAP or lo == hi:
            return rows
        mid = (lo + hi) // 2
        return (self._split(kind, expr, fields, lo, mid)
                + self._split(kind, expr, fields, mid + 1, hi))

    def count(self, kind: str, expr: str = "") -> int:
        """Rows passing ``expr``. milvus-lite counts a filter by reading whole rows (every
        field, vectors included): there, the keys alone are read and counted."""
        if expr and self.conn.lite:
            return len(self.query(kind, expr, [KEYS[kind]]))
        name = self.conn.name(kind)
        rows = self.conn.call(f"count {name}", lambda c: c.query(
            name, filter=expr, output_fields=["count(*)"], **self.reading), name)
        return int(rows[0]["count(*)"]) if rows else 0

    def upsert(self, kind: str, rows: list[dict]) -> None:
        name = self.conn.name(kind)
        for part in _batches(rows, WRITE_BATCH):
            self.conn.call(f"upsert {name}", lambda c, p=part: c.upsert(name, p, **self.writing),
                           name)

    def delete(self, kind: str, ids: Iterable | None = None, expr: str | None = None) -> None:
        name = self.conn.name(kind)
        if ids is not None:
            for part in _batches(list(ids), GET_BATCH):
                self.conn.call(f"delete {name}", lambda c, p=part: c.delete(name, ids=p, **self.writing),
                               name)
        if expr:
            self.conn.call(f"delete {name}", lambda c: c.delete(name, filter=expr, **self.writing),
                           name)

    def flush(self, kinds: Iterable[str]) -> None:
        """Seal what was written (durable in segments, not only in the server's log)."""
        for kind in kinds:
            name = self.conn.name(kind)
            self.conn.call(f"flush {name}", lambda c, n=name: c.flush(n, **self.writing), name)

    def search(self, kind: str, data: list, field: str, limit: int, expr: str,
               fields: list[str], params: dict) -> list[dict]:
        """One query's hits: dicts with ``id``, ``distance`` and ``entity``."""
        name = self.conn.name(kind)
        hits = self.conn.call(f"search {name}", lambda c: c.search(
            name, data=data, anns_field=field, limit=limit, filter=expr,
            output_fields=fields, search_params=params, **self.reading), name)
        return list(hits[0]) if hits else []


def _iterate(client: MilvusClient, name: str, expr: str, fields: list[str], opts: dict
             ) -> list[dict]:
    iterator = client.query_iterator(name, batch_size=GET_BATCH, filter=expr,
                                     output_fields=fields, **opts)
    out: list[dict] = []
    try:
        while batch := iterator.next():
            out.extend(batch)
    finally:
        iterator.close()
    return out
