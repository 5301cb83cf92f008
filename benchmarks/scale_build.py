"""Building the scale benchmark's indexes (``benchmarks/out/scale-N``), reused when present.

One index per size: the real reports (``isnad ingest``'s own pipeline, parsing included),
then synthetic reports (``scale_corpus``) committed in batches of 64 as the ingest commits
them, until the index holds at least N chunks; then the vectors (derived or embedded, see
``scale_corpus``) and the FAISS index (``Store.checkpoint``). Each phase is timed on its
own; ``scale-build.json`` in the folder keeps the figures, so a later run reuses the index
(delete the folder to rebuild it).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scale_corpus import (
    DATA,
    DEVQA_SOURCES,
    SentencePool,
    chunk_vectors,
    read_reports,
    real_chunk_texts,
    real_paths,
    synthetic_report,
)

from assistant.ingest.pipeline import (
    IngestSummary,
    commit_reports,
    embed_pending,
    extract_pending_figures,
)
from assistant.store.folder import FolderStore

BUILD_FILE = "scale-build.json"
PARTIAL_FILE = "scale-build.partial.json"  # the lexical part and figures done
BATCH_DOCS = 64
VECTOR_BATCH = 2_000
Log = Callable[[str], None]


def folder_bytes(folder: Path) -> int:
    """The folder's files, the lexical postings segments' folders included."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build(folder: Path, size: int, embedder, pool: SentencePool | None, mode: str,
          chunk_chars: int, log: Log, devqa_only: bool = False,
          lexical_only: bool = False) -> dict:
    """The index of ``size`` chunks at ``folder`` (built unless its build file exists);
    ``devqa_only``: the dev_qa corpus alone (the small index its answers are compared with);
    ``lexical_only``: stop after the lexical part and the figures (a later run resumes)."""
    done, partial = folder / BUILD_FILE, folder / PARTIAL_FILE
    if done.exists():
        info = json.loads(done.read_text(encoding="utf-8"))
        log(f"reusing {folder} ({info['chunks']:,} chunks, built {info['built']})")
        return info
    if partial.exists():
        info = json.loads(partial.read_text(encoding="utf-8"))
        store = FolderStore(folder, embedder.model_id, embedder.dim, create=False)
    else:
        shutil.rmtree(folder, ignore_errors=True)
        store = FolderStore(folder, embedder.model_id, embedder.dim)
        info = {"size": size, "vectors_mode": mode}
        paths = [DATA / p for p in DEVQA_SOURCES] if devqa_only else real_paths()
        with store.lock():
            lexical(store, paths, size, pool, chunk_chars, info, log)
            t0, cpu0 = time.perf_counter(), time.process_time()
            extract_pending_figures(store, BATCH_DOCS)
            info["figures_s"] = time.perf_counter() - t0
            info["figures_cpu_s"] = time.process_time() - cpu0
        partial.write_text(json.dumps(info, indent=2), encoding="utf-8")
    if lexical_only:
        return info
    with store.lock():
        t0 = time.perf_counter()
        if mode == "embed":
            embed_pending(store, embedder, batch=64)
        else:
            derived_vectors(store, embedder, None if devqa_only else pool,
                            info["synthetic_reports"], chunk_chars, log)
        info["vectors_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.vectors.save()  # FAISS, of the kind chosen by size
        info["faiss_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.checkpoint()  # the lexical postings segments (if big enough) and the manifest
        info["checkpoint_s"] = time.perf_counter() - t0
    counts = store.counts()
    info.update(chunks=counts["chunks"], reports=counts["reports"], vectors=counts["vectors"],
                figures=counts["figures"], disk_bytes=folder_bytes(folder),
                built=time.strftime("%Y-%m-%d %H:%M"))
    store.close()
    done.write_text(json.dumps(info, indent=2), encoding="utf-8")
    partial.unlink()
    log(f"built {folder}: {json.dumps(info)}")
    return info


def lexical(store: FolderStore, paths: list[Path], size: int, pool: SentencePool | None,
            chunk_chars: int, info: dict, log: Log) -> None:
    """Real reports (parsed, as ``isnad ingest`` parses them), then synthetic ones until
    ``size`` chunks, committed in batches of 64 as the ingest's first phase commits them
    (figures later): timed without the time spent making the synthetic reports."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    summary, batch = IngestSummary(), []
    for rep in read_reports(paths):
        batch.append(rep)
        if len(batch) == BATCH_DOCS:
            commit_reports(store, batch, summary, chunk_chars, figures=False)
            batch = []
    commit_reports(store, batch, summary, chunk_chars, figures=False)
    info["real_chunks"], info["real_lexical_s"] = summary.chunks, time.perf_counter() - t0
    spent, made, made_cpu, i = 0.0, 0.0, 0.0, 0
    while summary.chunks < size:
        t1, c1 = time.perf_counter(), time.process_time()
        batch = [synthetic_report(i + j, pool).report for j in range(BATCH_DOCS)]
        t2 = time.perf_counter()
        made_cpu += time.process_time() - c1
        commit_reports(store, batch, summary, chunk_chars, figures=False)
        made, spent, i = made + t2 - t1, spent + time.perf_counter() - t2, i + BATCH_DOCS
        if i % (BATCH_DOCS * 200) == 0:
            log(f"  {summary.chunks:,} chunks, {summary.chunks / (info['real_lexical_s'] + spent):.0f}"
                f" chunks/s")
    info["synthetic_reports"], info["synthetic_make_s"] = i, made
    info["lexical_s"] = info["real_lexical_s"] + spent
    info["lexical_chunks_per_s"] = summary.chunks / info["lexical_s"]
    # CPU seconds of this process (the machine is shared: wall time depends on the others)
    info["lexical_cpu_s"] = time.process_time() - cpu0 - made_cpu
    info["lexical_chunks_per_cpu_s"] = summary.chunks / info["lexical_cpu_s"]


def derived_vectors(store: FolderStore, embedder, pool: SentencePool | None, n_synthetic: int,
                    chunk_chars: int, log: Log) -> None:
    """Real vectors for the dev_qa corpus, derived ones for every UnifiedFC-made chunk
    (none without ``pool``: an index of the dev_qa corpus alone)."""
    put = _Putter(store)
    texts = [t for rep in read_reports([DATA / p for p in DEVQA_SOURCES])
             for t in real_chunk_texts(rep, chunk_chars)]
    for lo in range(0, len(texts), 256):
        part = texts[lo:lo + 256]
        put.add([h for h, _ in part], embedder.embed_passages([t for _, t in part]))
    if pool is None:
        put.flush()
        return
    for a, art in enumerate(pool.articles):
        for h, vec in chunk_vectors(art.report, pool.article_placements(a), pool, chunk_chars):
            put.add([h], vec[None, :])
    for i in range(n_synthetic):
        syn = synthetic_report(i, pool)
        for h, vec in chunk_vectors(syn.report, syn.placements, pool, chunk_chars):
            put.add([h], vec[None, :])
        if i and i % 20_000 == 0:
            log(f"  vectors of {i:,} synthetic reports")
    put.flush()


class _Putter:
    """Vectors put in batches (one transaction each)."""

    def __init__(self, store: FolderStore) -> None:
        self.store, self.hashes, self.vecs = store, [], []

    def add(self, hashes: list[str], vecs: np.ndarray) -> None:
        self.hashes.extend(hashes)
        self.vecs.append(np.asarray(vecs, dtype=np.float32))
        if len(self.hashes) >= VECTOR_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.hashes:
            self.store.put_vectors(self.hashes, np.concatenate(self.vecs))
        self.hashes, self.vecs = [], []


def sentence_basis(pool: SentencePool, embedder, log: Log) -> None:
    """Embed the pool's basis sentences (cached by the embedder) and hand them to the pool."""
    texts = pool.basis_texts()
    out = []
    t0 = time.perf_counter()
    for lo in range(0, len(texts), 512):
        out.append(embedder.embed_passages(texts[lo:lo + 512]))
        if time.perf_counter() - t0 > 30:
            log(f"  basis sentences {lo + 512:,}/{len(texts):,}")
    pool.set_basis(np.concatenate(out))


def main_log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
