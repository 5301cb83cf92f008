"""Term statistics of a Milvus namespace: how many chunks hold each analysed term (the
``terms`` collection) and the totals (chunks, tokens) in the ``stats`` meta record, the
numbers FTS5 keeps for the index folder. The retriever's IDF and the lexical ranking
(``bm25``) read them; they count ``bm25.fts_terms`` as FTS5 does.

Writers keep them exact under the writer lock: ``begin`` marks them dirty, the write
changes the chunks, ``apply`` adds the chunks' terms and clears the mark. A writer that
died in between leaves the mark; the next writer finds it and recounts everything from
the chunks (``rebuild``), as ``isnad repair`` does. Readers never wait: during a write
they may see counts one batch old.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from assistant.store.milvus.bm25 import fts_terms
from assistant.store.milvus.meta import STATS, MetaRecords
from assistant.store.milvus.rows import DUMMY, isnad_tokens
from assistant.store.milvus.tables import Tables

KEY_BYTES = 512  # the terms collection's key size; longer terms are not counted
log = logging.getLogger("isnad.store")


def storable(term: str) -> bool:
    return 0 < len(term.encode("utf-8", "surrogatepass")) <= KEY_BYTES


class TermStats:
    """Document frequencies and totals, read by searches, kept by writers."""

    def __init__(self, tables: Tables, meta: MetaRecords) -> None:
        self.tables, self.meta = tables, meta

    def totals(self) -> dict:
        """{"rows": chunks, "tokens": FTS5 terms in them, "dirty": a write is running or
        died}."""
        return self.meta.get(STATS) or {"rows": 0, "tokens": 0, "dirty": False}

    def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        """Chunks holding each term (terms in no chunk are left out)."""
        wanted = [t for t in dict.fromkeys(terms) if storable(t)]
        if not wanted:
            return {}
        return {r["term"]: int(r["df"]) for r in self.tables.get("terms", wanted, ["term", "df"])
                if int(r["df"]) > 0}

    def begin(self) -> dict:
        """Mark the statistics dirty before chunks change; returns the totals."""
        totals = self.totals()
        self.meta.put(STATS, {**totals, "dirty": True})
        return totals

    def apply(self, added: list[list[str]], removed: list[list[str]]) -> None:
        """Count the chunks (analysed tokens) added and removed, then clear the mark."""
        totals = self.totals()
        delta: Counter[str] = Counter()
        for tokens in added:
            delta.update(set(fts_terms(tokens)))
        for tokens in removed:
            delta.subtract(set(fts_terms(tokens)))
        delta = Counter({t: n for t, n in delta.items() if n and storable(t)})
        current = self.doc_freqs(delta)
        self._write({t: current.get(t, 0) + n for t, n in delta.items()})
        tokens = (sum(len(fts_terms(t)) for t in added)
                  - sum(len(fts_terms(t)) for t in removed))
        self.meta.put(STATS, {"rows": max(0, totals["rows"] + len(added) - len(removed)),
                              "tokens": max(0, totals["tokens"] + tokens), "dirty": False})

    def _write(self, freqs: dict[str, int]) -> None:
        keep = [{"term": t, "df": n, "vec": DUMMY} for t, n in freqs.items() if n > 0]
        drop = [t for t, n in freqs.items() if n <= 0]
        self.tables.upsert("terms", keep)
        if drop:
            self.tables.delete("terms", ids=drop)

    def _recount(self) -> tuple[list[list[str]], Counter[str], dict[str, int]]:
        """(every chunk's tokens, their term counts, the stored counts)."""
        rows = [isnad_tokens(r["tokens"]) for r in self.tables.query("chunks", "", ["tokens"])]
        counts: Counter[str] = Counter()
        for tokens in rows:
            counts.update(t for t in set(fts_terms(tokens)) if storable(t))
        stored = {r["term"]: int(r["df"]) for r in self.tables.query("terms", "", ["term", "df"])}
        return rows, counts, stored

    def rebuild(self) -> int:
        """Recount everything from the chunks' tokens; returns the number of chunks."""
        rows, counts, old = self._recount()
        changed = {t: n for t, n in counts.items() if old.get(t) != n}
        changed.update({t: 0 for t in old if t not in counts})
        self._write(changed)
        self.meta.put(STATS, {"rows": len(rows), "dirty": False,
                              "tokens": sum(len(fts_terms(t)) for t in rows)})
        log.warning("Milvus term statistics recounted from %d chunks", len(rows))
        return len(rows)

    def check(self) -> list[str]:
        """Differences between the stored statistics and a recount (for ``verify``)."""
        rows, counts, stored = self._recount()
        totals = self.totals()
        out = []
        wrong = sum(1 for t in set(counts) | set(stored) if counts.get(t, 0) != stored.get(t, 0))
        if wrong:
            out.append(f"{wrong} term frequencies differ from the chunks")
        if totals["rows"] != len(rows):
            out.append(f"statistics count {totals['rows']} chunks, the index holds {len(rows)}")
        if totals.get("dirty"):
            out.append("term statistics are marked dirty (a write is running or died)")
        return out
