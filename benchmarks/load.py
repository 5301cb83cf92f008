"""Load benchmark: N simulated users asking questions while an ingest runs in another process.

Prints ONE markdown table (a row per phase) and the ingest and ``verify`` results:

* server (default): ``isnad serve`` runs on a copy of the index on a free 127.0.0.1 port;
  ``--users`` threads ask the questions of ``dev_qa.jsonl`` in a loop for ``--seconds``
  through its ``/ask`` API over HTTP (``load_http.py``), while ``isnad ingest <--ingest>``
  (default: the Syrian Archive, embedded as a real ingest is, at the CLI's default
  ``--nice 10``) writes to the same index from a subprocess;
* in-process (``--mode in-process``): the same users as threads sharing one ``Assistant``;
* http (only with ``--url``): the same users against an already running server (its own index).

Columns: answered questions, throughput, latency p50/p95/p99, errors (any exception, "database
is locked" included) and the share of questions answered with evidence. The index is a copy
of ``--index`` (never modified), or built from the FA-KES CSV (lexical; ``--build-limit``
rows) in a temporary folder; questions are embedded unless ``--lexical``. The questions
repeat (dev_qa has 25), so per-report analysis is mostly cached after the first pass.
The issue's full target is ``--users 16 --seconds 300`` over the unifiedfc index.

    .venv/bin/python -m benchmarks.load --users 4 --seconds 20
    .venv/bin/python -m benchmarks.load --index benchmarks/out/ingest-unifiedfc --users 16 --seconds 300
    .venv/bin/python -m benchmarks.load --index ./index --url http://127.0.0.1:7860
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.assistant import Assistant  # noqa: E402
from assistant.config import Config  # noqa: E402
from assistant.embed.embedders import (  # noqa: E402
    make_embedder,
    one_thread_per_call,
    prefer_fast_queries,
)
from assistant.ingest.parsers import ParseOptions  # noqa: E402
from assistant.store.maintenance import verify  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


@dataclass
class Tally:
    """Latencies (s) of answered questions, errors by message, answers with evidence."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    found: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, found: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.found += bool(found)

    def error(self, exc: BaseException) -> None:
        key = f"{type(exc).__name__}: {str(exc)[:80]}"
        with self.lock:
            self.errors[key] = self.errors.get(key, 0) + 1


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def load_questions(path: Path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def run_users(n: int, seconds: float, ask, questions: list[str]) -> tuple[Tally, float]:
    """``n`` threads calling ``ask(question) -> found`` until ``seconds`` pass."""
    tally, stop = Tally(), time.monotonic() + seconds

    def user(k: int) -> None:
        i = k * 7
        while time.monotonic() < stop:
            question = questions[i % len(questions)]
            i += 1
            t0 = time.perf_counter()
            try:
                found = ask(question)
            except Exception as exc:  # counted: the table reports every error
                tally.error(exc)
                continue
            tally.add(time.perf_counter() - t0, found)

    t0 = time.monotonic()
    threads = [threading.Thread(target=user, args=(k,), daemon=True) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.monotonic() - t0


def prepare_index(args: argparse.Namespace, work: Path) -> Path:
    """A private copy of ``--index``, or a lexical FA-KES index built in ``work``."""
    idx = work / "index"
    if args.index:
        shutil.copytree(args.index, idx, ignore=shutil.ignore_patterns(".lock", ".*.tmp"))
        return idx
    src = work / "fakes.csv"
    _csv_head(DATA / "fakes" / "FA-KES-Dataset.csv", src, args.build_limit)
    t0 = time.perf_counter()
    asst = Assistant.open(idx)
    summary = asst.ingest([src], ParseOptions(default_source="FA-KES"), embed=False)
    print(f"built {idx}: {summary.added} reports, {summary.chunks} chunks (lexical) in "
          f"{time.perf_counter() - t0:.0f}s", file=sys.stderr)
    asst.close()
    return idx


def _csv_head(src: Path, dst: Path, rows: int) -> None:
    """The header and the first ``rows`` records of a CSV (quoted newlines kept)."""
    with open(src, newline="", encoding="utf-8") as fin, \
            open(dst, "w", newline="", encoding="utf-8") as fout:
        writer = csv.writer(fout)
        for i, row in enumerate(csv.reader(fin)):
            if i > rows:
                break
            writer.writerow(row)


def start_ingest(idx: Path, source: Path, embed: bool, nice: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "assistant.cli", "--index", str(idx), "ingest", str(source),
           "--wait", "60", "--json", "--nice", str(nice)] + ([] if embed else ["--no-embed"])
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)


def finish_ingest(proc: subprocess.Popen, grace: float, started: float) -> str:
    """Wait ``grace`` s for the ingest, else interrupt it (committed work is kept)."""
    try:
        out, _ = proc.communicate(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        proc.communicate()
        return f"interrupted after {time.monotonic() - started:.0f}s (rc {proc.returncode})"
    if proc.returncode != 0:
        return f"failed (rc {proc.returncode})"
    summary = json.loads(out)
    return (f"completed in {time.monotonic() - started:.0f}s: {summary['added']} added, "
            f"{summary['unchanged']} unchanged, {len(summary['skipped'])} skipped, "
            f"{summary['chunks']} chunks")


def in_process_phase(args: argparse.Namespace, idx: Path, questions: list[str]) -> dict:
    embedder = make_embedder(Config().embedder)
    asst = Assistant.open(idx, embedder=embedder)
    if args.lexical:
        asst = Assistant(asst.cfg, asst.store, None)
    prefer_fast_queries(embedder)  # as the server does (ui_backend.py)
    asst.ask(questions[0])  # warm-up (model, caches), outside the measurement
    one_thread_per_call()  # as the server does (ui_backend.py)
    measured = during_ingest(args, idx, lambda q: asst.ask(q).found, questions)
    return phase_row("in-process", args, *measured, asst.store)


def server_phase(args: argparse.Namespace, idx: Path, questions: list[str], work: Path) -> dict:
    """Users over HTTP against ``isnad serve`` on a copy of the index, during an ingest."""
    from benchmarks.load_http import HttpAsker, free_port, start_server, stop_server, wait_ready

    url = f"http://127.0.0.1:{free_port()}"
    server = start_server(idx, int(url.rsplit(":", 1)[1]), work / "server.log")
    try:
        wait_ready(url, server)
        ask = HttpAsker(url)
        ask(questions[0])  # warm-up (model load), outside the measurement
        measured = during_ingest(args, idx, ask, questions)
    finally:
        stop_server(server)
    asst = Assistant.open(idx)
    row = phase_row("server (HTTP)", args, *measured, asst.store)
    asst.close()
    return row


def during_ingest(args: argparse.Namespace, idx: Path, ask, questions: list[str]
                  ) -> tuple[Tally, float, str]:
    """The users for ``--seconds`` while ``--ingest`` (if any) runs: tally, wall, ingest result."""
    proc, started = None, time.monotonic()
    if args.ingest:
        proc = start_ingest(idx, args.ingest, args.embed_ingest, args.ingest_nice)
    tally, wall = run_users(args.users, args.seconds, ask, questions)
    return tally, wall, finish_ingest(proc, args.ingest_grace, started) if proc else "none"


def phase_row(name: str, args: argparse.Namespace, tally: Tally, wall: float, ingest: str,
              store) -> dict:
    """A table row, with the index's ``verify`` result and counts after the run."""
    report = verify(store)
    verdict = "ok" if report.ok else "PROBLEMS: " + "; ".join(report.problems)
    return {"name": name + (" + ingest" if args.ingest else ""), "tally": tally, "wall": wall,
            "ingest": ingest, "verify": verdict, "counts": store.counts()}


def http_phase(args: argparse.Namespace, questions: list[str]) -> dict:
    from gradio_client import Client

    local = threading.local()

    def ask(question: str) -> bool:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = Client(args.url, verbose=False,
                                           auth=tuple(args.auth.split(":", 1))
                                           if args.auth else None)
        return bool(json.loads(client.predict(question, api_name=args.api_name))["found"])

    tally, wall = run_users(args.users, args.seconds, ask, questions)
    return {"name": f"http {args.url}", "tally": tally, "wall": wall}


def print_table(args: argparse.Namespace, rows: list[dict]) -> None:
    print(f"\n### Load: {args.users} users, {args.seconds:.0f} s per phase, questions from "
          f"dev_qa.jsonl, {'lexical' if args.lexical else 'hybrid'} retrieval\n")
    print("| phase | answered | q/s | p50 ms | p95 ms | p99 ms | errors | with evidence |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        t = row["tally"]
        n, errors = len(t.latencies), sum(t.errors.values())
        ms = [1e3 * percentile(t.latencies, q) for q in (50, 95, 99)]
        print(f"| {row['name']} | {n} | {n / row['wall']:.2f} | {ms[0]:.0f} | {ms[1]:.0f} | "
              f"{ms[2]:.0f} | {errors} | {t.found / max(n, 1):.0%} |")
    for row in rows:
        for message, count in row["tally"].errors.items():
            print(f"\n{row['name']} error ×{count}: {message}")
        if "ingest" in row:
            print(f"\ningest: {row['ingest']}\nverify after the run: {row['verify']}; "
                  f"index now {row['counts']['reports']} reports, {row['counts']['chunks']} "
                  f"chunks, {row['counts']['vectors']} vectors")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--index", type=Path, help="prebuilt index to copy (default: build FA-KES)")
    ap.add_argument("--build-limit", type=int, default=200, help="FA-KES rows when building")
    ap.add_argument("--ingest", type=Path, default=DATA / "syrianarchive",
                    help="folder ingested in a subprocess during the run")
    ap.add_argument("--no-ingest", dest="ingest", action="store_const", const=None)
    ap.add_argument("--lexical-ingest", dest="embed_ingest", action="store_false",
                    help="that ingest skips embedding (default: it embeds, as `isnad ingest` does)")
    ap.add_argument("--ingest-nice", type=int, default=Config.ingest_nice,
                    help="`isnad ingest --nice` of that ingest (default: the CLI's; 0 = normal)")
    ap.add_argument("--mode", choices=("server", "in-process"), default="server",
                    help="users over HTTP against `isnad serve` (default) or threads sharing "
                         "one Assistant in this process")
    ap.add_argument("--ingest-grace", type=float, default=120,
                    help="seconds to let the ingest finish after the users stop")
    ap.add_argument("--lexical", action="store_true", help="no query embedding")
    ap.add_argument("--questions", type=Path, default=DATA / "dev_qa.jsonl")
    ap.add_argument("--url", help="also load a running server, e.g. http://127.0.0.1:7860")
    ap.add_argument("--api-name", default="/ask")
    ap.add_argument("--auth", help="user:password for the server's login")
    args = ap.parse_args(argv)
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="isnad-load-") as tmp:
        idx = prepare_index(args, Path(tmp))
        rows = [server_phase(args, idx, questions, Path(tmp)) if args.mode == "server"
                else in_process_phase(args, idx, questions)]
        if args.url:
            rows.append(http_phase(args, questions))
    print_table(args, rows)
    return 0 if all(not r["tally"].errors for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
