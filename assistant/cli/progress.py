"""Ingest progress on stderr, from the first second: files, chunks, vectors, rate, time left.

``IngestProgress`` is the ``progress(phase, done, total)`` callback ``isnad ingest``
passes to ``ingest.pipeline``; it says the counts of an ``ingest.progress.Tally`` on
one status line. On a terminal the line is rewritten in place; elsewhere (a log
file, a pipe, CI) a line is written when a phase first reports and at most every
``LOG_EVERY`` seconds in between. A heartbeat thread keeps the elapsed time moving
while one long step runs (parsing a large PDF, reading the figures of a report of
megabytes), so the command never looks hung. stdout is left alone: ``--json``
output stays clean.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO

from assistant.ingest.progress import Tally, duration

LOG_EVERY = 5.0  # seconds between lines when stderr is not a terminal
TTY_EVERY = 0.25


class IngestProgress:
    """The ``progress`` callback of an ingest, written to ``stream`` (stderr)."""

    def __init__(self, stream: IO[str] | None = None, tty: bool | None = None,
                 log_every: float = LOG_EVERY, label: str = "isnad ingest") -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every = TTY_EVERY if self.tty else log_every
        self.tally = Tally()
        self._opened = False  # the index is open once the first count arrives
        self._last_write = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._emit(force=True)
        self._beat = threading.Thread(target=self._heartbeat, name="isnad-progress",
                                      daemon=True)
        self._beat.start()

    def __call__(self, phase: str, done: int, total: int) -> None:
        first = self.tally(phase, done, total)
        with self._lock:
            self._opened = True
            self._emit(force=first or phase == "figures")

    def close(self) -> None:
        """Stop the heartbeat and write the last state on its own line."""
        self._stop.set()
        self._beat.join(timeout=2)
        with self._lock:
            self._emit(force=True, final=True)

    def line(self) -> str:
        elapsed = duration(time.monotonic() - self.tally.started)
        what = self.tally.line() if self._opened else "opening the index…"
        return f"{self.label} [{elapsed}] {what}"

    def _heartbeat(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                self._emit()

    def _emit(self, force: bool = False, final: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.every:
            return
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line() + ("\n" if final else ""))
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()
        self._last_write = now
