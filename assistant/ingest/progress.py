"""What an ingest has done so far, in words: the counts its ``progress`` calls report.

``Tally`` is a ``progress(phase, done, total)`` callback (phases of
``ingest.pipeline``) that keeps the latest count of every phase and says them on one
line: files read, the long report being analysed, chunks committed, vectors embedded
with their rate and the time left. The CLI writes that line to stderr
(``cli.progress``), the web app shows it for each upload (``ui.jobs``). Thread-safe;
no I/O.
"""

from __future__ import annotations

import threading
import time

KNOWN_PHASES = frozenset({"files", "parse", "analyse", "figures", "commit", "embed"})
READ_SHARE = 0.15  # of a progress bar: reading, analysing, committing; the rest is embedding


def duration(seconds: float) -> str:
    """"42 s", "3 min 05 s", "1 h 02 min"."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def rate_text(done: int, total: int, seconds: float, unit: str) -> str:
    """" (40 %) · 18.2 vectors/s · about 3 min 05 s left", as far as it is known."""
    out = f" ({100 * done / total:.0f} %)" if 0 < total and done < total else ""
    if seconds >= 1 and done > 0:
        rate = done / seconds
        out += f" · {rate:,.1f} {unit}/s"
        if total > done:
            out += f" · about {duration((total - done) / rate)} left"
    return out


class Tally:
    """The counts of one ingest, from its ``progress`` calls."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        # phase -> (done, total, monotonic time of the phase's first call)
        self._counts: dict[str, tuple[int, int, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, phase: str, done: int, total: int) -> bool:
        """Record a count; True when it is the phase's first."""
        with self._lock:
            first = phase not in self._counts
            since = time.monotonic() if first else self._counts[phase][2]
            self._counts[phase] = (int(done), int(total), since)
        return first

    def count(self, phase: str) -> tuple[int, int] | None:
        """(done, total) of ``phase``, or None before its first call."""
        with self._lock:
            entry = self._counts.get(phase)
        return None if entry is None else entry[:2]

    def fraction(self) -> float | None:
        """How far the whole ingest is, 0..1 (None before any count): reading the files
        counts for ``READ_SHARE`` of it, embedding for the rest (the slow part)."""
        parse, embed = self.count("parse"), self.count("embed")
        if parse is None:
            return None
        read = parse[0] / parse[1] if parse[1] else 1.0
        vectors = 0.0 if embed is None else (embed[0] / embed[1] if embed[1] else 1.0)
        return min(1.0, READ_SHARE * read + (1 - READ_SHARE) * vectors)

    def line(self) -> str:
        """Every count seen so far, e.g. "files read 1/1 · 4,996 chunks committed
        (searchable) · vectors 1,200/4,996 (24 %) · 18.2 vectors/s · about 3 min left"."""
        with self._lock:
            counts = dict(self._counts)
        now = time.monotonic()
        parts = []
        if "parse" in counts:
            done, total, since = counts["parse"]
            parts.append(f"files read {done:,}/{total:,}"
                         + (rate_text(done, total, now - since, "files") if done < total else ""))
        elif "files" in counts:
            parts.append(f"{counts['files'][0]:,} files found")
        analyse, figures = counts.get("analyse"), counts.get("figures")
        if analyse and analyse[0] < analyse[1]:
            parts.append(f"long report: {analyse[0]:,}/{analyse[1]:,} chunks analysed")
        if "commit" in counts:
            parts.append(f"{counts['commit'][0]:,} chunks committed (searchable)")
        if figures and figures[0] < figures[1]:
            parts.append(f"figures of {figures[0]:,}/{figures[1]:,} reports read")
        if "embed" in counts:
            done, total, since = counts["embed"]
            parts.append(f"vectors {done:,}/{total:,}"
                         + rate_text(done, total, now - since, "vectors"))
        for phase in counts.keys() - KNOWN_PHASES:  # another command's phases (migrate)
            done, total, since = counts[phase]
            parts.append(f"{phase} {done:,}/{total:,}"
                         + rate_text(done, total, now - since, phase))
        return " · ".join(parts) or "starting…"
