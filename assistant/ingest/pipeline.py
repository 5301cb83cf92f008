"""Ingestion: walk paths, parse, chunk, commit, then extract figures and embed what is
pending.

Phase 1 commits reports batch by batch (report + chunks + lexical rows in one
transaction each batch), so a committed batch is searchable lexically at once and a
crash never leaves half a document. Phase 2 extracts the figures of the reports that
wait for them (the figure extractor costs twice what chunking and analysis do, so
reports become searchable ~3x sooner with it out of phase 1). Phase 3 embeds chunk texts
that have no vector yet (each distinct text once), committing per embedding batch.
Re-running the same command resumes: unchanged reports are skipped by content hash, and
only missing figures and vectors are made.

``progress(phase, done, total)`` is called from the start: "files" (files found),
"parse" (files read, before and after each), "analyse" (chunks of one long report
analysed), "commit" (chunks committed so far; total 0: not known ahead), "figures"
(reports whose figures are extracted) and "embed" (vectors). This module does not rank
or answer.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.embed.embedders import Embedder
from assistant.errors import InputError
from assistant.figures.extract import bound_figures, extract_figures
from assistant.ingest.chunking import chunk_spans, embedding_text
from assistant.ingest.parsers import SUPPORTED_SUFFIXES, ParseOptions, Skip, parse_file
from assistant.records import Figure, Report
from assistant.store.base import IndexWriter, PreparedChunk, PreparedReport
from assistant.store.lexical_rows import lexical_tokens

Progress = Callable[[str, int, int], None]  # (phase, done, total)
LONG_REPORT_CHUNKS = 400  # a report this long reports its own analysis as it goes


@dataclass
class IngestSummary:
    """What an ingest did; ``skipped`` holds (path, reason) pairs."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    figures: int = 0  # reports whose figures were extracted
    embedded: int = 0
    seconds: float = 0.0
    doc_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
                "chunks": self.chunks, "figures": self.figures, "embedded": self.embedded,
                "seconds": round(self.seconds, 2)}


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """(file, path relative to its folder argument) for files and folders, recursively."""
    for root in paths:
        root = Path(root)
        if root.is_dir():
            for f in sorted(p for p in root.rglob("*") if p.is_file()):
                if f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith("."):
                    yield f, f.relative_to(root).as_posix()
        elif root.exists():
            yield root, root.name
        else:
            raise InputError(f"{root}: no such file or folder")


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def ingest(store: IndexWriter, embedder: Embedder | None, paths: Iterable[Path], *,
           opts: ParseOptions | None = None, chunk_chars: int = 700, batch_docs: int = 64,
           embed_batch: int = 16, progress: Progress | None = None) -> IngestSummary:
    """Ingest files/folders into ``store``; embed when ``embedder`` is given."""
    t0 = time.perf_counter()
    opts = opts or ParseOptions()
    summary = IngestSummary()
    files = list(iter_files(paths))
    if progress:
        progress("files", len(files), len(files))
    batch: list[Report] = []
    now = not store.defers_figures  # else figures after every report is searchable
    for report in _reports(files, opts, summary, progress):
        batch.append(report)
        if len(batch) >= batch_docs:
            commit_reports(store, batch, summary, chunk_chars, progress, figures=now)
            batch = []
    commit_reports(store, batch, summary, chunk_chars, progress, figures=now)
    summary.figures = extract_pending_figures(store, batch_docs, progress)
    if embedder is not None:
        summary.embedded = embed_pending(store, embedder, batch=embed_batch, progress=progress)
    summary.seconds = time.perf_counter() - t0
    return summary


def _reports(files: list[tuple[Path, str]], opts: ParseOptions, summary: IngestSummary,
             progress: Progress | None) -> Iterator[Report]:
    for i, (path, rel) in enumerate(files):
        if progress:
            progress("parse", i, len(files))
        try:
            for item in parse_file(path, rel, opts):
                if isinstance(item, Skip):
                    where = f"{item.path}#{item.record}" if item.record else item.path
                    summary.skipped.append((where, item.reason))
                else:
                    yield item
        except InputError as exc:
            summary.skipped.append((rel, str(exc)))
    if progress:
        progress("parse", len(files), len(files))


def commit_reports(store: IndexWriter, reports: list[Report], summary: IngestSummary,
                   chunk_chars: int = 700, progress: Progress | None = None,
                   figures: bool = True) -> None:
    """Add/replace reports in one transaction; unchanged ones are counted and left alone.

    Chunking, lexical analysis and figure extraction (unless ``figures`` is False: then
    ``extract_pending_figures`` does it later) run before the transaction (for reports
    whose stored hash differs), so the write lock is held only for the inserts and
    readers' snapshots advance in short steps.
    """
    if not reports:
        return
    known = store.stored_hashes([r.doc_id for r in reports])
    batch = [r if known.get(r.doc_id) == r.content_hash
             else prepare_report(r, chunk_chars, progress, figures) for r in reports]
    statuses = store.write_reports(batch, lambda r: prepare_report(r, chunk_chars,
                                                                   figures=figures))
    for item, status in zip(batch, statuses, strict=True):
        rep = item.report if isinstance(item, PreparedReport) else item
        summary.doc_ids.append(rep.doc_id)
        if status == "unchanged":
            summary.unchanged += 1
            continue
        summary.added += status == "added"
        summary.updated += status == "updated"
        # A report unchanged at the pre-check but changed by another writer meanwhile was
        # prepared inside the transaction: its chunks are counted from its spans.
        summary.chunks += (len(item.chunks) if isinstance(item, PreparedReport)
                           else len(chunk_spans(rep.text, chunk_chars)))
    if progress:
        progress("commit", summary.chunks, 0)


def prepare_report(rep: Report, chunk_chars: int, progress: Progress | None = None,
                   figures: bool = True) -> PreparedReport:
    """A report's chunks (offsets, text, text hash, analysed tokens) and figures (at most
    ``figures.extract.MAX_REPORT_FIGURES``; None: extracted later by
    ``extract_pending_figures``). A long report calls ``progress`` as it goes."""
    spans = chunk_spans(rep.text, chunk_chars)
    tell = progress if progress and len(spans) >= LONG_REPORT_CHUNKS else None
    chunks = []
    for k, (start, end) in enumerate(spans):
        if tell and k % 200 == 0:
            tell("analyse", k, len(spans))
        text = rep.text[start:end]
        chunks.append(PreparedChunk(start, end, text, text_hash(embedding_text(rep.title, text)),
                                    lexical_tokens(rep.title, text, start == spans[0][0])))
    if tell:
        tell("analyse", len(spans), len(spans))
    return PreparedReport(rep, tuple(chunks), report_figures(rep) if figures else None)


def report_figures(rep: Report) -> tuple[Figure, ...]:
    """A report's figures, bounded (a huge report's extraction is mostly noise)."""
    return tuple(bound_figures(extract_figures(rep.text, doc_id=rep.doc_id, path=rep.path,
                                               record=rep.record, date=rep.date)))


def extract_pending_figures(store: IndexWriter, batch: int = 64,
                            progress: Progress | None = None) -> int:
    """Extract and store the figures of every report waiting for them; returns how many
    reports were done."""
    done = 0
    while reports := store.pending_figures(batch):
        if progress:
            progress("figures", done, done + len(reports))
        store.put_figures({rep.doc_id: report_figures(rep) for rep in reports})
        done += len(reports)
    if progress and done:
        progress("figures", done, done)
    return done


def embed_pending(store: IndexWriter, embedder: Embedder, *, batch: int = 16,
                  progress: Progress | None = None, window: int = 4_096) -> int:
    """Embed every chunk text without a vector (each distinct text once); returns the count.
    Texts come ``window`` at a time, sorted by length within it (less padding in batched
    engines) and committed per ``batch``."""
    done = 0
    # the chunks waiting (texts shared by several chunks are embedded once: an upper bound)
    total = store.counts()["pending_chunks"] if progress and hasattr(store, "counts") else 0
    if progress:
        progress("embed", 0, total)
    pending = iter(store.pending_texts())
    while part := list(itertools.islice(pending, window)):
        todo = sorted(((h, embedding_text(title, text)) for h, title, text in part),
                      key=lambda r: len(r[1]))
        for lo in range(0, len(todo), batch):
            chunk = todo[lo:lo + batch]
            vecs = np.asarray(embedder.embed_passages([t for _, t in chunk]), dtype=np.float32)
            store.put_vectors([h for h, _ in chunk], vecs)
            done += len(chunk)
            if progress:
                progress("embed", done, max(total, done + 1))
    if progress and done:
        progress("embed", done, done)
    return done
