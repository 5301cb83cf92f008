"""Scale benchmark: Isnad's ingest, search, answers, memory and start-up at growing sizes.

For each size N (``--chunks``), an index of the real reports plus synthetic reports made of
their sentences (``scale_corpus``: how the corpus and its vectors are made) is built under
``benchmarks/out/scale-N`` (``scale_build``; reused when present), then measured in a fresh
process (so memory and start-up are the index's own):

* ingest: lexical part (chunks/s; searchable as it goes), vectors, FAISS build; disk size;
* open: the store opened and ready to answer (first lexical and dense search done), and the
  embedding model's load time apart; resident memory (VmRSS) open and idle, while answering
  (the process's peak, VmHWM) and after;
* ``search`` and ``ask`` (evidence mode) latency p50 / p95 over a fixed question set: the
  dev_qa questions, then UnifiedFC claims (first 300 characters, as ``answers.py``), each
  asked once, query embedding included, one question at a time;
* recall@10 of the vector index against exact search, for the same questions' vectors (an
  index result counts when its score reaches the exact 10th score: ties are not misses);
* dev_qa over the index: its metrics, and how many answers (short answer, first cited
  report and quote) equal those over the dev_qa corpus alone (``scale-devqa``).

Prints a markdown table; ``--json`` writes every figure, ``--plot`` a PNG of latency and
memory against corpus size (matplotlib).

    python -m benchmarks.scale --chunks 35000,250000,1000000 --json out.json --plot out.png
    python -m benchmarks.scale --chunks 5000 --questions 40          # a quick look
    python -m benchmarks.scale --chunks 35000 --vectors embed        # real vectors (slow)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import numpy as np  # noqa: E402
from retrieval import CachedEmbedder  # noqa: E402
from scale_build import build, main_log, sentence_basis  # noqa: E402
from scale_corpus import DATA, SentencePool  # noqa: E402
from scale_report import print_table, write_plot  # noqa: E402

from assistant.answer.evaluate import evaluate, load_questions  # noqa: E402
from assistant.assistant import Assistant  # noqa: E402
from assistant.config import Config  # noqa: E402
from assistant.embed.embedders import (  # noqa: E402
    E5Embedder,
    one_thread_per_call,
    prefer_fast_queries,
)
from assistant.records import NO_FILTERS  # noqa: E402
from assistant.store.folder import FolderStore  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


def folder(size: int, tag: str) -> Path:
    """Where the index of ``size`` chunks lives (0: the dev_qa corpus alone)."""
    return OUT / (f"scale-{size}{tag}" if size else f"scale-devqa{tag}")


def question_set(n: int) -> list[str]:
    """dev_qa's questions, then UnifiedFC claims cut to 300 characters: ``n`` in all."""
    qs = [q["question"] for q in load_questions(DATA / "dev_qa.jsonl")]
    with open(DATA / "unifiedfc" / "claims_dev.jsonl", encoding="utf-8") as fh:
        qs += [json.loads(line)["claim"][:300] for line in fh]
    return qs[:n]


def rss_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak (MB)."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, val = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(val.split()[0]) / 1024
    return out


def percentiles(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def timed(fn, items: list[str]) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def measure(folder: Path, n_questions: int) -> dict:
    """Open ``folder`` and measure it (run in a fresh process: see ``measure_in_child``)."""
    embedder = E5Embedder()
    res: dict = {"rss_start_mb": rss_mb()["VmRSS"]}
    t0 = time.perf_counter()
    store = FolderStore(folder, embedder.model_id, embedder.dim, create=False)
    store.lexical_search(["سوريا"], 10, NO_FILTERS)  # ready: both first stages answered once
    store.dense_search(np.ones(embedder.dim, dtype=np.float32) / embedder.dim ** 0.5, 10,
                       NO_FILTERS)
    res["open_s"] = time.perf_counter() - t0
    res["rss_open_mb"] = rss_mb()["VmRSS"]
    t0 = time.perf_counter()
    prefer_fast_queries(embedder)  # a warm process, as the server
    embedder.embed_query("تهيئة")
    one_thread_per_call()
    res["model_load_s"] = time.perf_counter() - t0
    res["describe"] = store.describe()
    questions = question_set(n_questions)
    searcher = Assistant(Config(index_dir=folder), store, embedder)
    asker = Assistant(Config(index_dir=folder), store, embedder)  # its own query memo
    for q in ("warm-up", "تهيئة المحرك", "ما هي آخر الأخبار؟"):
        searcher.search(q)
        asker.ask(q)
    res["rss_idle_mb"] = rss_mb()["VmRSS"]
    res["search_ms"] = percentiles(timed(lambda q: searcher.search(q, 10), questions))
    res["ask_ms"] = percentiles(timed(asker.ask, questions))
    mem = rss_mb()
    res["rss_after_mb"], res["rss_peak_mb"] = mem["VmRSS"], mem["VmHWM"]
    res["n_questions"] = len(questions)
    res["recall_at_10"] = recall_at_10(store, [embedder.embed_query(q) for q in questions])
    res.update(devqa(asker))
    return res


def recall_at_10(store: FolderStore, queries: list[np.ndarray]) -> float:
    """Mean share of the vector index's top 10 that an exact scan over the stored vectors
    ranks in its top 10 (by score: a tie with the exact 10th counts)."""
    q = np.stack(queries).astype(np.float32)
    best = np.full((len(q), 10), -np.inf, dtype=np.float32)
    rows = store.conn().execute(
        "SELECT v.vec FROM chunks c JOIN vectors v ON v.text_hash = c.text_hash")
    while part := rows.fetchmany(100_000):
        mat = np.frombuffer(b"".join(r[0] for r in part), dtype=np.float32).reshape(len(part), -1)
        best = np.sort(np.concatenate([best, q @ mat.T], axis=1), axis=1)[:, -10:]
    tenth = best[:, 0]
    hits = []
    for i, vec in enumerate(q):
        got = store.vectors.search(vec, 10)
        hits.append(sum(s >= tenth[i] - 1e-5 for _, s in got) / 10)
    return float(np.mean(hits))


def devqa(asst: Assistant) -> dict:
    """dev_qa metrics over this index and each question's answer (to compare sizes)."""
    questions = load_questions(DATA / "dev_qa.jsonl")
    answers = {}

    def ask(question: str):
        ans = asst.ask(question)
        first = ans.citations[0] if ans.citations else None
        answers[question] = [ans.found, ans.short_answer, first and first.doc_id,
                             first and first.quote]
        return ans

    metrics = evaluate(ask, asst.get_text, questions).metrics()
    return {"devqa": {k: v for k, v in metrics.items() if not k.startswith("latency")},
            "devqa_answers": answers}


def measure_in_child(folder: Path, n_questions: int) -> dict:
    """``measure`` in a fresh Python process (its memory and start-up are the index's own)."""
    cmd = [sys.executable, "-m", "benchmarks.scale", "--measure", str(folder),
           "--questions", str(n_questions)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"measuring {folder} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def same_answers(row: dict, small: dict) -> int:
    mine, theirs = row.get("devqa_answers", {}), small.get("devqa_answers", {})
    return sum(mine.get(q) == a for q, a in theirs.items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", default="35000,250000,1000000", help="index sizes (chunks)")
    ap.add_argument("--questions", type=int, default=200, help="questions per latency set")
    ap.add_argument("--vectors", choices=("derived", "embed"), default="derived")
    ap.add_argument("--chunk-chars", type=int, default=Config.chunk_chars)
    ap.add_argument("--json", type=Path, help="write every figure here")
    ap.add_argument("--plot", type=Path, help="write a PNG of latency and memory by size")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--lexical-only", action="store_true",
                    help="build only the lexical part and figures (a later run resumes)")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.questions), ensure_ascii=False))
        return 0
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent")
    OUT.mkdir(parents=True, exist_ok=True)
    embedder = CachedEmbedder(E5Embedder(), OUT / "embcache.sqlite")
    sizes = [int(s) for s in args.chunks.split(",")]
    pool = SentencePool()
    if args.vectors == "derived" and not args.lexical_only:
        sentence_basis(pool, embedder, main_log)
    tag = "" if args.vectors == "derived" else "-embedded"
    builds = {size: build(folder(size, tag), size, embedder, pool, args.vectors,
                          args.chunk_chars, main_log, devqa_only=size == 0,
                          lexical_only=args.lexical_only)
              for size in [0, *sizes]}  # 0: the dev_qa corpus alone
    if args.build_only or args.lexical_only:
        return 0
    rows = []
    small = measure_in_child(folder(0, tag), args.questions)
    for size in sizes:
        main_log(f"measuring {folder(size, tag)}")
        row = {**builds[size], **measure_in_child(folder(size, tag), args.questions)}
        row["devqa_same"] = same_answers(row, small)
        rows.append(row)
    print_table(rows, small)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "devqa_alone": small}, indent=2,
                                        ensure_ascii=False), encoding="utf-8")
    if args.plot:
        write_plot(rows, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
