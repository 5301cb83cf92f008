"""One report of megabytes in the index: how long figures, check, verify, remove and repair
take (issue #17's targets: figures with a filter <= 1 s, check <= 2 s, verify <= 30 s).

Builds one text file of about ``--mb`` megabytes under benchmarks/out/big_report/ (FA-KES
article bodies then UnifiedFC articles from ../shared/data, one after another; or the
bundled sample repeated with ``--source sample``), ingests it into a fresh index with the
bundled sample beside it, and prints one table: each operation's time in this process
(the median of ``--runs``, the index already open: what the targets are about) and as a
fresh ``isnad`` command (Python start-up and imports included; the embedding model is
loaded by ``check`` only), then what removing the report frees.

    .venv/bin/python benchmarks/big_report.py                 # 5 MB, lexical only
    .venv/bin/python benchmarks/big_report.py --mb 2 --embed  # with vectors (slow on 2 cores)

Without ``--embed`` the report has no vectors: ``check`` then searches lexically only and
removal frees no vectors (tests/test_big_report.py covers that part with vectors).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from tables import markdown_table  # noqa: E402

from assistant.assistant import Assistant  # noqa: E402
from assistant.figures.extract import extract_figures  # noqa: E402
from assistant.figures.table import FigureFilter, write_csv  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "benchmarks" / "out" / "big_report"
SAMPLE = ROOT / "samples" / "000_9c31ee48a94572c0.txt"
CLAIMS = ["52 regime soldiers were killed in six days of fighting in south Damascus",
          "قتل 14 مدنياً في قصف على حلب"]


def build_report(path: Path, megabytes: float, source: str) -> Path:
    """The report file: real articles (or the sample repeated) until ``megabytes``."""
    limit, parts, size = int(megabytes * 1_000_000), [], 0

    def add(text: str) -> bool:
        nonlocal size
        parts.append(text.strip())
        size += len(text.encode("utf-8")) + 2
        return size >= limit

    if source == "sample":
        while not add(SAMPLE.read_text(encoding="utf-8")):
            pass
    else:
        csv.field_size_limit(10 ** 8)
        with open(DATA / "fakes" / "FA-KES-Dataset.csv", encoding="utf-8", errors="replace") as f:
            full = any(add(row["article_content"]) for row in csv.DictReader(f))
        with open(DATA / "unifiedfc" / "articles.jsonl", encoding="utf-8") as f:
            while not full and (line := f.readline()):
                full = add(json.loads(line)["text"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def median_s(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cli_s(index: Path, *argv: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant.cli", "--index", str(index), *argv],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t0


def disk_mb(index: Path) -> float:
    return sum(p.stat().st_size for p in index.iterdir() if p.is_file()) / 1e6


def timings(asst: Assistant, index: Path, runs: int) -> list[dict]:
    def csv_all() -> None:
        write_csv(asst.figures(), io.StringIO())

    ops = [("figures --place حلب", lambda: asst.figures(place="حلب"), ("figures", "--place", "حلب", "--json"), 1.0),
           ("figures --group regime --category killed",
            lambda: asst.figures(FigureFilter(group="regime", category="killed")),
            ("figures", "--group", "regime", "--category", "killed", "--json"), 1.0),
           ("figures --csv (all)", csv_all, ("figures", "--csv"), None),
           (f"check '{CLAIMS[0][:30]}…'", lambda: asst.check(CLAIMS[0]), ("check", CLAIMS[0]), 2.0),
           (f"check '{CLAIMS[1]}'", lambda: asst.check(CLAIMS[1]), ("check", CLAIMS[1]), 2.0),
           ("verify", lambda: asst.store.verify(), ("verify",), 30.0)]
    rows = []
    for name, work, argv, target in ops:
        seconds = median_s(work, runs)
        rows.append({"operation": name, "in process s": round(seconds, 3),
                     "isnad command s": round(cli_s(index, *argv), 2),
                     "target s": target or "-",
                     "met": "-" if target is None else ("yes" if seconds <= target else "NO")})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--source", choices=("real", "sample"), default="real")
    parser.add_argument("--embed", action="store_true", help="embed the report (slow)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.source == "real" and not DATA.is_dir():
        print(f"{DATA} is absent; use --source sample")
        return 2
    report = build_report(OUT / "docs" / "big_report.txt", args.mb, args.source)
    index = OUT / "index"
    shutil.rmtree(index, ignore_errors=True)
    asst = Assistant.open(index)
    t0 = time.perf_counter()
    summary = asst.ingest([report, SAMPLE], embed=args.embed)
    ingest_s = time.perf_counter() - t0
    text = report.read_text(encoding="utf-8")
    found = len(extract_figures(text, doc_id="x", path="x", record=None, date=None))
    stats = asst.stats()
    print(f"report: {report.stat().st_size / 1e6:.1f} MB, {len(text):,} characters; "
          f"ingest {ingest_s:.1f} s ({'with' if args.embed else 'without'} vectors); "
          f"{stats['chunks']:,} chunks, {found:,} figures found in the report, "
          f"{stats['figures']:,} kept in the index\n")
    print(markdown_table(timings(asst, index, args.runs)))
    before = {**asst.stats(), "disk MB": round(disk_mb(index), 1)}
    remove_s = median_s(lambda: asst.remove(str(summary.doc_ids[0])), 1)
    after = {**asst.stats(), "disk MB": round(disk_mb(index), 1)}
    repair_s = median_s(lambda: asst.store.repair(), 1)
    repaired = {**asst.stats(), "disk MB": round(disk_mb(index), 1)}
    print(f"\nremove {remove_s:.2f} s, repair (VACUUM) {repair_s:.2f} s\n")
    keys = ("reports", "chunks", "vectors", "faiss", "figures", "disk MB")
    print(markdown_table([{"state": name, **{k: row[k] for k in keys}} for name, row in
                          (("before remove", before), ("after remove", after),
                           ("after repair", repaired))]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
