"""The CLI as users type it: options after the subcommand (and the index options before
it too), the same JSON either way, clear errors for a bad store, and quiet exits when the
reader of a pipe goes away."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "000_9c31ee48a94572c0.txt"
Q = "كم عنصراً من قوات النظام قتلوا خلال 6 أيام؟"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> str:
    idx = tmp_path_factory.mktemp("cli") / "idx"
    assert main(["ingest", str(SAMPLE), "--index", str(idx), "--no-embed", "--nice", "0"]) == 0
    return str(idx)


def _json(capsys, argv: list[str]) -> dict | list:
    capsys.readouterr()
    assert main(argv) == 0, argv
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("argv", [
    ["search", "تعزيزات القلمون الشرقي", "--index", "{i}", "--json", "--mode", "lexical"],
    ["search", "--index", "{i}", "--json", "--mode", "lexical", "تعزيزات القلمون الشرقي"],
    ["ask", Q, "--index", "{i}", "--json"],
    ["ask", "--index", "{i}", Q, "--json"],
    ["figures", "--index", "{i}", "--json", "--category", "killed"],
    ["check", "52 regime soldiers were killed in six days", "--index", "{i}", "--json"],
])
def test_options_after_the_subcommand_give_what_options_before_give(index, capsys, argv):
    after = _json(capsys, [a.replace("{i}", index) for a in argv])
    rest = [a for a in argv if a not in ("--index", "{i}")]
    before = _json(capsys, ["--index", index, *rest])
    for out in (after, before):  # timings differ between runs
        if isinstance(out, dict):
            out.pop("timings_ms", None)
    assert after == before and after


def test_maintenance_commands_take_the_index_after_the_subcommand(index, capsys):
    stats = _json(capsys, ["stats", "--index", index])
    assert stats["reports"] == 1 and stats["chunks"] > 0 and stats["index"] == index
    assert _json(capsys, ["verify", "--index", index])["ok"] is True
    copy = Path(index).parent / "copy"
    shutil.copytree(index, copy)
    assert _json(capsys, ["repair", "--wait", "5", "--index", str(copy)])["ok"] is True
    capsys.readouterr()
    assert main(["remove", SAMPLE.name, "--index", str(copy)]) == 0
    assert "removed 1 report" in capsys.readouterr().out
    assert _json(capsys, ["stats", "--index", str(copy)])["reports"] == 0


def test_a_missing_index_or_bad_store_is_one_clear_line(tmp_path, capsys):
    assert main(["search", "x", "--index", str(tmp_path / "nothing"), "--mode", "lexical"]) == 2
    assert "no index at" in capsys.readouterr().err
    assert main(["stats", "--store", "ftp://example.org/x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("isnad: error: unknown store") and len(err.splitlines()) == 1


def test_a_closed_pipe_ends_quietly(tmp_path):
    """``isnad figures | head``: no BrokenPipeError traceback; the output (~1 MB here) is
    far larger than a pipe's buffer, so the writer does meet the closed pipe."""
    towns = ["كفرنبل", "سراقب", "أريحا", "دوما", "حرستا"]
    lines = [f"قتل {i % 40 + 2} مدنيين في قصف على بلدة {towns[i % 5]} يوم {i % 28 + 1} آذار."
             for i in range(3000)]
    (tmp_path / "big.txt").write_text("تقرير طويل\n\n" + "\n".join(lines), encoding="utf-8")
    idx = tmp_path / "idx"
    assert main(["ingest", str(tmp_path / "big.txt"), "--index", str(idx), "--no-embed"]) == 0
    cmd = (f"{sys.executable} -m assistant.cli figures --index {idx} --json "
           "| head -c 1; exit ${PIPESTATUS[0]}")
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=300)
    assert out.stdout == "["
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr, out.stderr
    assert out.returncode == 141
