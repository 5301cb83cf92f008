"""Small JSON records in the ``meta`` collection: the manifest (model, dimension, analyser,
format), the generation (bumped after every write), the term statistics' totals and the
writer lock. One row per key, written by upsert (last writer wins: callers that need
more hold the writer lock, ``lock.py``).
"""

from __future__ import annotations

import json

from assistant.store.milvus.rows import DUMMY
from assistant.store.milvus.tables import Tables

MANIFEST, GENERATION, STATS, LOCK = "manifest", "generation", "stats", "writer_lock"


class MetaRecords:
    """Read and write the meta records of one namespace."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def get(self, key: str) -> dict | None:
        rows = self.tables.get("meta", [key], ["value"])
        return json.loads(rows[0]["value"]) if rows else None

    def get_many(self, keys: list[str]) -> dict[str, dict]:
        rows = self.tables.get("meta", keys, ["key", "value"])
        return {r["key"]: json.loads(r["value"]) for r in rows}

    def put(self, key: str, value: dict) -> None:
        self.tables.upsert("meta", [{"key": key, "value": json.dumps(value, ensure_ascii=False),
                                     "vec": DUMMY}])

    def delete(self, key: str) -> None:
        self.tables.delete("meta", ids=[key])

    def generation(self) -> int:
        return int((self.get(GENERATION) or {}).get("value", 0))

    def bump_generation(self) -> int:
        """Add one to the generation (the caller holds the writer lock)."""
        value = self.generation() + 1
        self.put(GENERATION, {"value": value})
        return value
