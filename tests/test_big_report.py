"""One report of megabytes must not slow everything: ``isnad figures``, ``check`` and
``verify`` over an index holding it stay quick, its figures are bounded, removing it
frees its vectors and ``repair`` gives the space back; ``isnad ingest`` says what it does
on stderr from the start.

The report is made here, in a temporary folder: the bundled sample repeated 600 times
(3.2 MB; 4,200 chunks of only 7 distinct texts, so embedding it is quick). A second
test does the same with 5 MB of real UnifiedFC articles in one file (needs
../shared/data; lexical only). The time limits are generous guards against the
minutes these commands took before (one ``substr`` per row over the report's text);
the targets themselves are measured by ``benchmarks/big_report.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.figures.extract import MAX_REPORT_FIGURES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "000_9c31ee48a94572c0.txt"
CLAIM = "52 regime soldiers were killed in six days of fighting in south Damascus"
LIMIT_S = {"figures": 15.0, "check": 45.0, "verify": 30.0}


def repeated_sample(folder: Path, copies: int = 600) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "huge_report.txt"
    text = SAMPLE.read_text(encoding="utf-8")
    path.write_text("\n\n".join([text] * copies), encoding="utf-8")
    return path


def unifiedfc_report(folder: Path, shared: Path, size: int = 5_000_000) -> Path:
    """UnifiedFC articles in one text file until it holds ``size`` bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    parts, total = [], 0
    with open(shared / "unifiedfc" / "articles.jsonl", encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line)["text"].strip()
            parts.append(text)
            total += len(text.encode("utf-8")) + 2
            if total >= size:
                break
    path = folder / "unifiedfc_in_one_file.txt"
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def timed(capsys, argv: list[str]) -> tuple[float, str]:
    """Seconds ``isnad argv`` took in this process, and what it printed."""
    capsys.readouterr()
    t0 = time.perf_counter()
    code = main(argv)
    seconds = time.perf_counter() - t0
    assert code in (0, 1), argv
    return seconds, capsys.readouterr().out


def commands_stay_quick(capsys, index: str, place: str) -> dict:
    """figures (filtered, and all as CSV), check and verify within ``LIMIT_S``."""
    took, out = timed(capsys, ["figures", "--index", index, "--place", place, "--json"])
    assert took < LIMIT_S["figures"] and json.loads(out), (took, out[:200])
    took, out = timed(capsys, ["figures", "--index", index, "--csv"])
    rows = out.count("\n") - 1
    assert took < LIMIT_S["figures"] and 0 < rows <= MAX_REPORT_FIGURES + 50, (took, rows)
    took, out = timed(capsys, ["check", CLAIM, "--index", index, "--json"])
    assert took < LIMIT_S["check"], took
    assert json.loads(out)["verdict"] in ("supported", "contradicted", "not_found")
    took, out = timed(capsys, ["verify", "--index", index])
    report = json.loads(out)
    assert took < LIMIT_S["verify"] and report["ok"], (took, report)
    return report


def disk_bytes(index: str) -> int:
    return sum(p.stat().st_size for p in Path(index).iterdir() if p.is_file())


@pytest.fixture(scope="module")
def huge(tmp_path_factory) -> tuple[str, Path]:
    tmp = tmp_path_factory.mktemp("huge")
    report = repeated_sample(tmp / "docs")
    index = str(tmp / "idx")
    assert main(["ingest", str(report), str(SAMPLE), "--index", index, "--nice", "0",
                 "--quiet"]) == 0
    return index, report


def test_figures_check_and_verify_stay_quick_with_a_report_of_megabytes(huge, capsys):
    index, report = huge
    assert report.stat().st_size > 3_000_000
    commands_stay_quick(capsys, index, "مخيم اليرموك")
    _, out = timed(capsys, ["figures", "--index", index, "--doc", "huge_report.txt", "--json"])
    stats = json.loads(timed(capsys, ["stats", "--index", index])[1])
    assert stats["chunks"] > 4000 and stats["figures"] <= MAX_REPORT_FIGURES + 10


def test_removing_the_report_frees_its_vectors_and_repair_gives_the_space_back(huge, capsys,
                                                                               tmp_path):
    index, _ = huge
    copy = str(tmp_path / "idx")
    subprocess.run(["cp", "-r", index, copy], check=True)
    assert main(["remove", "huge_report.txt", "--index", copy]) == 0
    stats = json.loads(timed(capsys, ["stats", "--index", copy])[1])
    sample_chunks = stats["chunks"]
    assert stats["reports"] == 1 and stats["figures"] < 10
    assert stats["vectors"] <= sample_chunks and stats["pending_chunks"] == 0
    assert stats["faiss"] == sample_chunks  # FAISS follows the database on the next write
    report = json.loads(timed(capsys, ["verify", "--index", copy])[1])
    assert report["ok"] and not any("belong to no chunk" in n for n in report["notes"])
    before = disk_bytes(copy)
    assert json.loads(timed(capsys, ["repair", "--index", copy])[1])["ok"]
    assert disk_bytes(copy) < before / 3  # the report's pages are given back to the disk
    repaired = json.loads(timed(capsys, ["stats", "--index", copy])[1])
    assert repaired["disk_mb"] < stats["disk_mb"] / 3  # and `isnad stats` says so


def test_verify_notes_orphan_vectors_and_repair_deletes_them(huge, capsys, tmp_path):
    import sqlite3

    index, _ = huge
    copy = tmp_path / "idx"
    subprocess.run(["cp", "-r", index, str(copy)], check=True)
    with sqlite3.connect(copy / "isnad.sqlite") as con:  # an index from before the fix
        con.execute("INSERT INTO vectors SELECT 'orphan' || text_hash, vec FROM vectors")
    report = json.loads(timed(capsys, ["verify", "--index", str(copy)])[1])
    assert any("belong to no chunk" in n for n in report["notes"]), report
    timed(capsys, ["repair", "--index", str(copy)])
    report = json.loads(timed(capsys, ["verify", "--index", str(copy)])[1])
    assert not any("belong to no chunk" in n for n in report["notes"]), report


def test_ingest_says_what_it_does_on_stderr_and_keeps_stdout_for_json(tmp_path):
    report = repeated_sample(tmp_path / "docs", copies=60)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest", str(report),
                             "--index", str(tmp_path / "idx"), "--nice", "0", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)
    first_line = proc.stderr.readline()
    first_at = time.monotonic() - started
    rest, err = proc.communicate(timeout=600)
    total = time.monotonic() - started
    assert proc.returncode == 0, err
    assert first_line.startswith("isnad ingest [0 s] opening the index"), first_line
    assert first_at < total / 2  # said at once, not at the end
    last = err.strip().splitlines()[-1]
    assert "files read 1/1" in last and "chunks committed" in last and "vectors 7/7" in last
    assert json.loads(rest)["added"] == 1  # stdout: the JSON summary alone


@pytest.mark.shared
def test_a_real_five_megabyte_report_stays_quick(shared_data, tmp_path, capsys):
    report = unifiedfc_report(tmp_path / "docs", shared_data)
    index = str(tmp_path / "idx")
    assert main(["ingest", str(report), "--index", index, "--no-embed", "--nice", "0",
                 "--quiet"]) == 0
    commands_stay_quick(capsys, index, "حلب")
