"""Ingest progress in words: the counts of a real ingest, the status line the CLI writes
to stderr (a line at once, then one every few seconds when stderr is not a terminal,
the line rewritten in place when it is) and the jobs panel of the web app."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from assistant.cli.progress import IngestProgress
from assistant.ingest.pipeline import ingest
from assistant.ingest.progress import Tally, duration, rate_text
from assistant.store.folder import FolderStore
from assistant.ui.jobs import Job, jobs_html

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "000_9c31ee48a94572c0.txt"


def test_durations_and_rates_read_naturally():
    assert [duration(s) for s in (4.2, 65, 3725)] == ["4 s", "1 min 05 s", "1 h 02 min"]
    assert rate_text(100, 400, 10, "vectors") == (" (25 %) · 10.0 vectors/s · about 30 s left")
    assert rate_text(0, 400, 10, "vectors") == " (0 %)"  # no rate before the first batch
    assert rate_text(400, 400, 10, "vectors") == " · 40.0 vectors/s"


def test_a_real_ingest_reports_every_phase_in_order(tmp_path):
    big = tmp_path / "long.txt"
    big.write_text("\n\n".join([SAMPLE.read_text(encoding="utf-8")] * 60), encoding="utf-8")
    calls: list[tuple[str, int, int]] = []
    store = FolderStore(tmp_path / "idx", "none", 8)
    summary = ingest(store, None, [big, SAMPLE], progress=lambda *c: calls.append(c))
    phases = list(dict.fromkeys(c[0] for c in calls))
    # figures after every report is committed (searchable), counted by report
    assert phases == ["files", "parse", "analyse", "commit", "figures"]
    assert calls[0] == ("files", 2, 2) and calls[1] == ("parse", 0, 2)
    analysed = [c for c in calls if c[0] == "analyse"]
    assert analysed[0][1] == 0 and analysed[-1][1] == analysed[-1][2] == 420  # the long one
    assert [c for c in calls if c[0] == "commit"][-1] == ("commit", summary.chunks, 0)
    assert calls[-1] == ("figures", 2, 2) and summary.figures == 2


def test_tally_says_every_count_and_how_far_it_is():
    tally = Tally()
    assert tally.line() == "starting…" and tally.fraction() is None
    tally("files", 3, 3)
    tally("parse", 3, 3)
    tally("commit", 1200, 0)
    assert tally.line() == "files read 3/3 · 1,200 chunks committed (searchable)"
    assert tally.fraction() == 0.15  # read; nothing embedded yet
    tally("embed", 0, 1000)
    tally("analyse", 200, 600)
    assert "long report: 200/600 chunks analysed" in tally.line()
    tally("embed", 500, 1000)
    assert tally.line().endswith("vectors 500/1,000 (50 %)")  # no rate within the first second
    assert round(tally.fraction(), 3) == 0.575


def test_cli_progress_writes_at_once_then_at_most_every_few_seconds():
    out = io.StringIO()
    progress = IngestProgress(out, tty=False, log_every=60)
    assert out.getvalue() == "isnad ingest [0 s] opening the index…\n"
    progress("files", 1, 1)
    progress("parse", 0, 1)
    progress("parse", 1, 1)  # the same phase again: not written until the interval passes
    progress("embed", 0, 10)
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[1:4] == ["isnad ingest [0 s] 1 files found",
                          "isnad ingest [0 s] files read 0/1 (0 %)",
                          "isnad ingest [0 s] files read 1/1 · vectors 0/10 (0 %)"]
    assert lines[-1] == lines[-2] and len(lines) == 5  # the final state, once more at close


def test_cli_progress_rewrites_one_line_on_a_terminal():
    out = io.StringIO()
    progress = IngestProgress(out, tty=True)
    time.sleep(0.3)
    progress("parse", 0, 2)
    progress.close()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("files read 0/2 (0 %)\n")
    assert text.count("\r\x1b[K") >= 2


def test_jobs_panel_shows_a_bar_while_running_and_the_outcome_after():
    running = Job(1, ["a.txt", "b.txt", "c.txt", "تقرير.md"], state="running")
    running.tally("parse", 4, 4)
    running.tally("embed", 10, 40)
    html = jobs_html([running])
    assert re.search(r'<progress max="1" value="0\.36[23]">', html) and "(+1)" in html
    assert "vectors 10/40" in html and 'dir="auto"' in html
    done = Job(2, ["<b>x</b>.txt"], state="done", message="added 1")
    done.done_event.set()
    html = jobs_html([running, done])
    assert html.index("#2") < html.index("#1")  # newest first
    assert "&lt;b&gt;x&lt;/b&gt;.txt" in html and "<b>x</b>" not in html
