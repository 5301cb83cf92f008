"""Copy one store into another (``isnad migrate --from SRC --to DST``): an index folder
into a Milvus namespace, a namespace back into a folder, or any ``Exportable`` store into
any store.

Rows are copied as stored: reports, chunk offsets, analysed tokens, figures and each
chunk's vector through ``write_reports``, then any vector still missing through
``put_vectors`` (nothing is re-chunked, re-analysed or re-embedded). Under the target's
writer lock; reports already in the target with the same content are left as they are,
so an interrupted copy is resumed by running it again. Reports the target holds and the
source does not are kept and counted. This module does not parse or embed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from assistant.errors import StoreError
from assistant.records import Report
from assistant.store.base import Exportable, PreparedReport, Store

Progress = Callable[[str, int, int], None]
VECTOR_BATCH = 1_000


@dataclass
class MigrateSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    vectors: int = 0
    only_in_target: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {**self.__dict__, "seconds": round(self.seconds, 2)}


def _never(report: Report) -> PreparedReport:
    raise StoreError(f"migrate: report {report.doc_id} arrived unprepared")


def migrate(source: Store, target: Store, wait: float = 0, batch: int = 256,
            progress: Progress | None = None) -> MigrateSummary:
    """Copy every report, chunk, figure and vector of ``source`` into ``target``."""
    if not isinstance(source, Exportable):
        raise StoreError(f"{type(source).__name__} cannot export its rows")
    t0 = time.perf_counter()
    summary = MigrateSummary()
    total = source.counts()["reports"]
    with target.lock(wait):
        copied: set[str] = set()
        for reports in source.export_reports(batch):
            statuses = target.write_reports(_with_vectors(source, reports), _never)
            for status in statuses:
                setattr(summary, status, getattr(summary, status) + 1)
            copied.update(p.report.doc_id for p in reports)
            if progress:
                progress("reports", len(copied), total)
        summary.vectors = target.counts()["vectors"]
        _copy_vectors(source, target, progress)  # any the copy did not carry
        summary.only_in_target = sum(1 for r in target.report_list()
                                     if r["doc_id"] not in copied)
        target.checkpoint()
    summary.seconds = time.perf_counter() - t0
    return summary


def _with_vectors(source: Exportable, reports: list[PreparedReport]) -> list[PreparedReport]:
    """The reports with each chunk carrying its stored vector (written with the chunk)."""
    found = source.stored_vectors([c.text_hash for p in reports for c in p.chunks])
    return [replace(p, chunks=tuple(replace(c, vector=found.get(c.text_hash))
                                    for c in p.chunks)) for p in reports]


def _copy_vectors(source: Store, target: Store, progress: Progress | None) -> int:
    assert isinstance(source, Exportable)
    hashes = list(dict.fromkeys(h for h, _, _ in target.pending_texts()))
    done = 0
    for lo in range(0, len(hashes), VECTOR_BATCH):
        found = source.stored_vectors(hashes[lo:lo + VECTOR_BATCH])
        if found:
            target.put_vectors(list(found), np.stack(list(found.values())))
            done += len(found)
        if progress:
            progress("vectors", min(lo + VECTOR_BATCH, len(hashes)), len(hashes))
    return done
