"""Ingestion: walk paths, parse, chunk, commit, then embed what is pending.

Phase 1 commits reports batch by batch (report + chunks + lexical rows +
figures in one transaction each batch), so a committed batch is searchable
lexically at once and a crash never leaves half a document. Phase 2 embeds
chunk texts that have no vector yet (each distinct text once), committing
per embedding batch. Re-running the same command resumes: unchanged
reports are skipped by content hash and only missing vectors are embedded.

``progress(phase, done, total)`` is called from the start: "files" (files found),
"parse" (files read, before and after each), "analyse" (chunks of one long report
analysed), "figures" (0/1 then 1/1 around one long report's figure extraction),
"commit" (chunks committed so far; total 0: not known ahead) and "embed" (vectors).
This module does not rank or answer.
"""

from __future__ import annotations

import hashlib
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
from assistant.records import Report
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
    embedded: int = 0
    seconds: float = 0.0
    doc_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
                "chunks": self.chunks, "embedded": self.embedded,
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
    for report in _reports(files, opts, summary, progress):
        batch.append(report)
        if len(batch) >= batch_docs:
            commit_reports(store, batch, summary, chunk_chars, progress)
            batch = []
    commit_reports(store, batch, summary, chunk_chars, progress)
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
                   chunk_chars: int = 700, progress: Progress | None = None) -> None:
    """Add/replace reports in one transaction; unchanged ones are counted and left alone.

    Chunking, lexical analysis and figure extraction run before the transaction
    (for reports whose stored hash differs), so the write lock is held only for
    the inserts and readers' snapshots advance in short steps.
    """
    if not reports:
        return
    known = store.stored_hashes([r.doc_id for r in reports])
    batch = [r if known.get(r.doc_id) == r.content_hash else
             prepare_report(r, chunk_chars, progress) for r in reports]
    statuses = store.write_reports(batch, lambda r: prepare_report(r, chunk_chars))
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


def prepare_report(rep: Report, chunk_chars: int,
                   progress: Progress | None = None) -> PreparedReport:
    """A report's chunks (offsets, text, text hash, analysed tokens) and figures (at most
    ``figures.extract.MAX_REPORT_FIGURES``). A long report calls ``progress`` as it goes."""
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
        tell("figures", 0, 1)
    figures = bound_figures(extract_figures(rep.text, doc_id=rep.doc_id, path=rep.path,
                                            record=rep.record, date=rep.date))
    if tell:
        tell("figures", 1, 1)
    return PreparedReport(rep, tuple(chunks), tuple(figures))


def embed_pending(store: IndexWriter, embedder: Embedder, *, batch: int = 16,
                  progress: Progress | None = None) -> int:
    """Embed every chunk text without a vector (each distinct text once); returns the count."""
    # Similar lengths together: less padding in batched engines.
    todo = sorted(((h, embedding_text(title, text)) for h, title, text in store.pending_texts()),
                  key=lambda r: len(r[1]))
    done = 0
    if progress:
        progress("embed", 0, len(todo))
    for lo in range(0, len(todo), batch):
        part = todo[lo:lo + batch]
        vecs = np.asarray(embedder.embed_passages([t for _, t in part]), dtype=np.float32)
        store.put_vectors([h for h, _ in part], vecs)
        done += len(part)
        if progress:
            progress("embed", done, len(todo))
    return done
