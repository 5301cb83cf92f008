"""Uploads indexed in the background: a job per upload, on a server thread.

An upload's ingest runs on its own thread (``Jobs.start``), so it goes on when
the browser tab that started it is closed or the page is reloaded; its progress
(an ``ingest.progress.Tally``) and its outcome are kept here for the Reports tab to
show to every user (``jobs_html``). Jobs run one after another under the
backend's write lock. An ``IsnadError`` ends a job as "failed" with its message;
any other exception is logged with its traceback and ends the job as "failed" too
(the server keeps serving). No Gradio here.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.errors import IsnadError
from assistant.ingest.pipeline import Progress
from assistant.ingest.progress import Tally, duration
from assistant.ui.render import esc

log = logging.getLogger("isnad.ui")
KEEP = 20  # finished jobs listed
_STATES = {"waiting": "waiting for the index · في الانتظار", "running": "indexing · قيد الفهرسة",
           "done": "done · اكتمل", "failed": "failed · فشل"}


@dataclass
class Job:
    """One upload being (or having been) indexed."""

    number: int
    files: list[str]
    tally: Tally = field(default_factory=Tally)
    state: str = "waiting"
    message: str = ""
    finished_at: float | None = None
    done_event: threading.Event = field(default_factory=threading.Event)

    @property
    def finished(self) -> bool:
        return self.done_event.is_set()

    def text(self) -> str:
        """One plain line: state, what it has done so far, time taken."""
        took = duration(time.monotonic() - self.tally.started)
        if self.finished:
            return self.message
        return f"{_STATES[self.state]} [{took}] {self.tally.line()}"


class Jobs:
    """The server's upload jobs, newest last."""

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    def start(self, files: list[str], work: Callable[[Progress], str],
              write_lock: threading.Lock) -> Job:
        """Run ``work(progress)`` on a new thread under ``write_lock``; its return value
        becomes the job's message."""
        job = Job(next(self._numbers), files)
        with self._lock:
            self._jobs = [*self._jobs[-KEEP:], job]
        threading.Thread(target=self._run, args=(job, work, write_lock),
                         name=f"isnad-upload-{job.number}", daemon=True).start()
        return job

    def _run(self, job: Job, work: Callable[[Progress], str],
             write_lock: threading.Lock) -> None:
        try:
            with write_lock:
                job.state = "running"
                job.message = work(job.tally)
            job.state = "done"
        except IsnadError as exc:
            job.state, job.message = "failed", f"Error / خطأ: {exc}"
        except Exception as exc:  # logged with its traceback; the job says it failed
            log.exception("upload %d failed", job.number)
            job.state, job.message = "failed", f"Error / خطأ: {type(exc).__name__}: {exc}"
        finally:
            job.finished_at = time.time()
            job.done_event.set()

    def active(self) -> bool:
        with self._lock:
            return any(not j.finished for j in self._jobs)

    def finished_count(self) -> int:
        with self._lock:
            return sum(j.finished for j in self._jobs)

    def listing(self) -> list[Job]:
        with self._lock:
            return list(self._jobs)


def jobs_html(jobs: list[Job]) -> str:
    """The uploads panel: running jobs with a progress bar, then recent finished ones."""
    if not jobs:
        return ('<p class="isnad-hint">No uploads yet. Uploads are indexed on the server: '
                "you can leave this page while they run. / تُفهرس التقارير المرفوعة على "
                "الخادم ويمكنك مغادرة الصفحة أثناء ذلك.</p>")
    rows = []
    for job in reversed(jobs):
        names = ", ".join(job.files[:3]) + (f" (+{len(job.files) - 3})" if len(job.files) > 3 else "")
        fraction = job.tally.fraction()
        bar = "" if job.finished else (
            f'<progress max="1" value="{fraction:.3f}"></progress>' if fraction is not None
            else "<progress></progress>")
        rows.append(f'<li class="isnad-job isnad-job-{job.state}" data-state="{job.state}">'
                    f'<div dir="auto"><b>#{job.number}</b> <bdi>{esc(names)}</bdi></div>{bar}'
                    f'<div class="isnad-job-text" dir="auto">{esc(job.text())}</div></li>')
    return f'<ul class="isnad-jobs">{"".join(rows)}</ul>'
