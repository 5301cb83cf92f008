"""The manifest of a Milvus namespace, its counts, and ``isnad verify`` / ``isnad repair``.

The manifest record says what the index is (format, embedding model and dimension,
analyser version, dense index type) and, as of the last checkpoint, its counts and
generation. ``verify`` reads everything and writes nothing: report parts, every chunk
against its report's text, orphans, figure spans, the term statistics against a
recount. ``repair`` (under the writer lock) drops orphans, re-analyses every chunk with
this Isnad's analyser, recounts the statistics and writes the manifest.
"""

from __future__ import annotations

import time
from collections import defaultdict

from assistant.errors import ModelMismatchError, StoreError
from assistant.store.base import VerifyReport
from assistant.store.lexical_rows import lexical_tokens
from assistant.store.milvus.lock import is_free
from assistant.store.milvus.meta import LOCK, MANIFEST, MetaRecords
from assistant.store.milvus.rows import (
    CHUNK_FIELDS,
    REPORT_FIELDS,
    TEXT_BYTES,
    engine_tokens,
    is_in,
    listed_chunks,
    report_of,
)
from assistant.store.milvus.stats import TermStats
from assistant.store.milvus.tables import Tables
from assistant.text.arabic import ANALYSER_VERSION

FORMAT_VERSION = 1
IN_BATCH = 500


def new_manifest(model_id: str, dim: int, analyzer: str, dense_index: str) -> dict:
    return {"format_version": FORMAT_VERSION, "model_id": model_id, "dim": dim,
            "analyser": ANALYSER_VERSION, "analyzer": analyzer, "dense_index": dense_index,
            "created": _now()}


def check_manifest(man: dict, where: str, model_id: str, dim: int) -> None:
    if int(man.get("format_version", -1)) != FORMAT_VERSION:
        raise StoreError(f"{where} holds an Isnad index of format {man.get('format_version')}"
                         f", this Isnad reads format {FORMAT_VERSION}")
    if man.get("model_id") != model_id or int(man.get("dim", -1)) != dim:
        raise ModelMismatchError(
            f"index {where} was built with embedding model {man.get('model_id')} (dim "
            f"{man.get('dim')}), but the configured embedder is {model_id} (dim {dim}); use "
            "the same model (--embedder / ISNAD_EMBEDDER) or another --store namespace")


def counts(tables: Tables, stats: TermStats) -> dict[str, int]:
    """Counts as the index folder gives them: whole collections counted, reports and
    chunks without a vector from the statistics (a filtered count is slow on lite)."""
    totals = stats.totals()
    return {"reports": int(totals["reports"]), "chunks": tables.count("chunks"),
            "vectors": tables.count("vectors"), "pending_chunks": int(totals["pending"]),
            "figures": tables.count("figures")}


def write_manifest(meta: MetaRecords, tables: Tables, stats: TermStats,
                   extra: dict | None = None) -> dict:
    man = {**(meta.get(MANIFEST) or {}), "counts": counts(tables, stats),
           "generation": meta.generation(), "updated": _now(), **(extra or {})}
    meta.put(MANIFEST, man)
    return man


def verify(tables: Tables, meta: MetaRecords, stats: TermStats) -> VerifyReport:
    """Check the namespace; never writes."""
    rep = VerifyReport()
    man = meta.get(MANIFEST) or {}
    if int(man.get("analyser", 1)) != ANALYSER_VERSION:
        rep.notes.append(f"lexical rows are of analyser {man.get('analyser', 1)} (this Isnad: "
                         f"{ANALYSER_VERSION}); rebuilt by `isnad repair`")
    texts, parts = _report_texts(tables, rep)
    _check_chunks(tables, texts, parts, rep)
    _check_figures(tables, texts, rep)
    problems = stats.check()
    dirty = bool(stats.totals().get("dirty"))
    (rep.notes if dirty else rep.problems).extend(
        p + ("" if dirty else "; run `isnad repair`") for p in problems)
    rep.counts = counts(tables, stats)
    _check_vectors(tables, rep)
    if man.get("counts") != rep.counts:
        rep.notes.append("manifest counts lag the collections (a write is running or was "
                         "interrupted); refreshed by the next write or `isnad repair`")
    claim = meta.get(LOCK)
    if not is_free(claim):
        rep.notes.append(f"the writer lock is held by {claim.get('host')} pid {claim.get('pid')}")
    return rep


def _report_texts(tables: Tables, rep: VerifyReport) -> tuple[dict[str, str], list[dict]]:
    """Each complete report's text, and every part row."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    rows = tables.query("reports", "", REPORT_FIELDS)
    for row in rows:
        by_doc[row["doc_id"]].append(row)
    texts = {}
    for doc, parts in by_doc.items():
        if sorted(p["part"] for p in parts) != list(range(parts[0]["n_parts"])):
            rep.problems.append(f"report {doc}: parts missing or doubled")
            continue
        texts[doc] = report_of(parts).text
    return texts, rows


def part_tokens(part: dict, tokens: dict[int, str]) -> str | None:
    """What a report part's ``tokens`` should hold: its chunks' tokens (as stored)."""
    listed = listed_chunks([part])
    joined = " ".join(tokens.get(i, "") for i in listed)
    return joined if len(joined.encode()) <= TEXT_BYTES else None


def _check_chunks(tables: Tables, texts: dict[str, str], parts: list[dict],
                  rep: VerifyReport) -> None:
    orphans, doubled, bad, seen = 0, 0, [], set()
    found: dict[str, set[int]] = defaultdict(set)
    tokens: dict[int, str] = {}
    for row in tables.query("chunks", "", ["chunk_id", "doc_id", "start", "end", "text",
                                           "tokens"]):
        found[row["doc_id"]].add(int(row["chunk_id"]))
        tokens[int(row["chunk_id"])] = row["tokens"]
        text = texts.get(row["doc_id"])
        if text is None:
            orphans += 1
        elif text[row["start"]:row["end"]] != row["text"]:
            bad.append(f"chunk {row['chunk_id']} of {row['doc_id']}: text differs from "
                       "report text[start:end]")
        if (row["doc_id"], row["start"], row["end"]) in seen:
            doubled += 1
        seen.add((row["doc_id"], row["start"], row["end"]))
    rep.problems.extend(bad[:20])
    listed: dict[str, set[int]] = defaultdict(set)
    for part in parts:
        listed[part["doc_id"]].update(listed_chunks([part]))
    unlisted = sum(1 for doc, ids in listed.items() if found.get(doc, set()) != ids)
    if unlisted:
        rep.problems.append(f"{unlisted} reports list other chunks than they have")
    stale = sum(1 for p in parts if p["tokens"] != part_tokens(p, tokens))
    if stale:
        rep.problems.append(f"{stale} report parts hold other tokens than their chunks; "
                            "run `isnad repair`")
    if doubled:
        rep.problems.append(f"{doubled} duplicate chunks")
    if orphans:
        rep.problems.append(f"{orphans} chunks belong to no report; run `isnad repair`")


def _check_vectors(tables: Tables, rep: VerifyReport) -> None:
    hashes = {r["text_hash"] for r in tables.query("chunks", "", ["text_hash"])}
    stored = tables.count("vectors")
    missing = len(hashes) - len(tables.get("vectors", sorted(hashes), ["text_hash"]))
    pending = rep.counts.get("pending_chunks", 0)
    if stored > len(hashes) - missing:
        rep.notes.append(f"{stored - (len(hashes) - missing)} stored vectors belong to no "
                         "chunk; `isnad repair` deletes them")
    if missing and not pending:
        rep.problems.append(f"{missing} embedded chunk texts have no stored vector")


def _check_figures(tables: Tables, texts: dict[str, str], rep: VerifyReport) -> None:
    rows = tables.query("figures", "", ["doc_id", "start", "end"])
    orphans = sum(1 for r in rows if r["doc_id"] not in texts)
    bad = sum(1 for r in rows if r["doc_id"] in texts and not (
        0 <= r["start"] < r["end"] <= len(texts[r["doc_id"]])))
    if orphans:
        rep.problems.append(f"{orphans} figures belong to no report; run `isnad repair`")
    if bad:
        rep.problems.append(f"{bad} figures have spans outside their report")


def repair(tables: Tables, meta: MetaRecords, stats: TermStats) -> None:
    """Drop orphans, re-analyse every chunk, recount statistics, rewrite the manifest (the
    caller holds the writer lock)."""
    stats.begin()
    live = {r["doc_id"] for r in tables.query("reports", "part == 0", ["doc_id"])}
    for kind in ("chunks", "figures"):
        docs = sorted({r["doc_id"] for r in tables.query(kind, "", ["doc_id"])} - live)
        for lo in range(0, len(docs), IN_BATCH):
            tables.delete(kind, expr=is_in("doc_id", docs[lo:lo + IN_BATCH]))
    rows = tables.query("chunks", "", [*CHUNK_FIELDS, "dense"])
    first = {}
    for row in rows:
        first[row["doc_id"]] = min(first.get(row["doc_id"], row["start"]), row["start"])
    changed = []
    for row in rows:
        tokens = engine_tokens(lexical_tokens(row["title"] or "", row["text"],
                                              row["start"] == first[row["doc_id"]]))
        if tokens != row["tokens"]:
            changed.append({**row, "tokens": tokens})
    tables.upsert("chunks", changed)
    tokens = {int(r["chunk_id"]): r["tokens"] for r in rows}
    tokens.update({int(r["chunk_id"]): r["tokens"] for r in changed})
    parts = tables.query("reports", "", [*REPORT_FIELDS, "vec"])
    tables.upsert("reports", [{**p, "tokens": part_tokens(p, tokens)} for p in parts
                              if p["tokens"] != part_tokens(p, tokens)])
    hashes = {r["text_hash"] for r in rows}
    orphans = [r["text_hash"] for r in tables.query("vectors", "", ["text_hash"])
               if r["text_hash"] not in hashes]
    tables.delete("vectors", ids=orphans)
    stats.rebuild(full=True)
    meta.bump_generation()
    if tables.conn.lite:  # as MilvusStore.checkpoint
        tables.flush(("chunks", "reports", "figures", "vectors", "terms", "meta"))
    write_manifest(meta, tables, stats, {"analyser": ANALYSER_VERSION})


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
