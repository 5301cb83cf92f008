"""Term statistics of a Milvus namespace: how many chunks hold each analysed term (the
``terms`` collection) and the totals in the ``stats`` meta record: chunks and tokens (the
numbers FTS5 keeps for the index folder), reports and chunks without a vector (the
counts a health check reads; milvus-lite counts a filter slowly). The retriever's IDF and
the lexical ranking (``bm25``) read them; they count ``bm25.fts_terms`` as FTS5 does.

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


EMPTY = {"rows": 0, "tokens": 0, "reports": 0, "pending": 0, "dirty": False}


class TermStats:
    """Document frequencies and totals, read by searches, kept by writers."""

    def __init__(self, tables: Tables, meta: MetaRecords) -> None:
        self.tables, self.meta = tables, meta

    def totals(self) -> dict:
        """{"rows": chunks, "tokens": FTS5 terms in them, "reports", "pending": chunks
        without a vector, "dirty": a write is running or died}."""
        return {**EMPTY, **(self.meta.get(STATS) or {})}

    def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        """Chunks holding each term (terms in no chunk are left out)."""
        wanted = [t for t in dict.fromkeys(terms) if storable(t)]
        if not wanted:
            return {}
        return {r["term"]: int(r["df"]) for r in self.tables.get("terms", wanted, ["term", "df"])
                if int(r["df"]) > 0}

    def begin(self) -> None:
        """Mark the statistics dirty before chunks change."""
        self.meta.put(STATS, {**self.totals(), "dirty": True})

    def apply(self, added: list[list[str]], removed: list[list[str]], reports: int = 0,
              pending: int = 0) -> None:
        """Count the chunks (analysed tokens) added and removed, and the change in reports
        and in chunks without a vector; then clear the mark."""
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
                              "tokens": max(0, totals["tokens"] + tokens),
                              "reports": max(0, totals["reports"] + reports),
                              "pending": max(0, totals["pending"] + pending), "dirty": False})

    def _write(self, freqs: dict[str, int]) -> None:
        keep = [{"term": t, "df": n, "vec": DUMMY} for t, n in freqs.items() if n > 0]
        drop = [t for t, n in freqs.items() if n <= 0]
        self.tables.upsert("terms", keep)
        if drop:
            self.tables.delete("terms", ids=drop)

    def _recount(self) -> tuple[dict, Counter[str]]:
        """(totals, term counts) recounted from the chunks and reports."""
        rows = self.tables.query("chunks", "", ["tokens", "embedded"])
        counts: Counter[str] = Counter()
        tokens = 0
        for row in rows:
            terms = fts_terms(isnad_tokens(row["tokens"]))
            tokens += len(terms)
            counts.update(t for t in set(terms) if storable(t))
        totals = {"rows": len(rows), "tokens": tokens,
                  "reports": self.tables.count("reports", "part == 0"),
                  "pending": sum(1 for r in rows if not r["embedded"]), "dirty": False}
        return totals, counts

    def rebuild(self, full: bool = False) -> int:
        """Recount everything from the chunks; returns the number of chunks. ``full`` also
        reads every stored term to delete those no chunk holds (``isnad repair``): a
        writer that died between two steps can leave some, which match nothing."""
        totals, counts = self._recount()
        if full:
            stored = {r["term"]: int(r["df"])
                      for r in self.tables.query("terms", "", ["term", "df"])}
            changed = {t: n for t, n in counts.items() if stored.get(t) != n}
            changed.update({t: 0 for t in stored if t not in counts})
            self._write(changed)
        else:
            self._write(dict(counts))
        self.meta.put(STATS, totals)
        log.warning("Milvus term statistics recounted from %d chunks", totals["rows"])
        return int(totals["rows"])

    def check(self) -> list[str]:
        """Differences between the stored statistics and a recount (for ``verify``)."""
        totals, counts = self._recount()
        stored = self.doc_freqs(counts)
        out = []
        wrong = sum(1 for t, n in counts.items() if stored.get(t, 0) != n)
        if wrong:
            out.append(f"{wrong} term frequencies differ from the chunks")
        extra = self.tables.count("terms") - len(stored)
        if extra > 0:
            out.append(f"{extra} stored terms are in no chunk")
        kept = self.totals()
        for key in ("rows", "tokens", "reports", "pending"):
            if kept[key] != totals[key]:
                out.append(f"statistics count {kept[key]} {key}, the index holds {totals[key]}")
        if kept.get("dirty"):
            out.append("term statistics are marked dirty (a write is running or died)")
        return out
