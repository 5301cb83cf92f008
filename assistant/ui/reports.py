"""The Reports tab's actions: checked uploads indexed in the background, and removal.

Uploads are refused as a whole when any file has a wrong type, is over
``Config.max_upload_bytes`` or has bytes that do not match its suffix; accepted
files are copied into a private temporary folder under sanitised names (no
path from the upload name survives) and ingested from there by a job
(``ui.jobs``) at lower CPU priority. This module renders nothing itself (see
``render``) and does not build the layout (``reports_tab``); no Gradio here.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from assistant.errors import IsnadError
from assistant.ingest.parsers import SUPPORTED_SUFFIXES
from assistant.ui import render

T = TypeVar("T")

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".csv", ".jsonl")


def _sniff(path: Path, suffix: str) -> str | None:
    """Why a file's bytes do not match its suffix (None when they plausibly do)."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head:
        return "the file is empty"
    if suffix == ".pdf":
        return None if head.startswith(b"%PDF-") else "not a PDF file"
    if suffix == ".docx":
        return None if head.startswith(b"PK\x03\x04") else "not a .docx (zip) file"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary content in a text file"
    return None


def check_upload(path: Path, name: str, max_bytes: int) -> str | None:
    """Why an uploaded file is refused (type, size, content), or None."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES or suffix not in SUPPORTED_SUFFIXES:
        return f"type {suffix or '(none)'} is not accepted ({' '.join(UPLOAD_SUFFIXES)})"
    size = path.stat().st_size
    if size > max_bytes:
        return f"{size:,} bytes is over the {max_bytes:,}-byte upload limit"
    return _sniff(path, suffix)


def upload(backend, files):
    """Check every file, copy the good ones under sanitised names and index them on a
    server thread (``Jobs``); yields the job's progress each second, then its outcome.
    The job goes on if the browser goes away."""
    if backend.cfg.read_only:
        yield "This index is read-only. / الفهرس للقراءة فقط."
        return
    files = [f for f in (files or []) if f]
    if not files:
        yield "No file chosen. / لم يُختر ملف."
        return
    staged, problems = [], []
    for f in files:
        src = Path(getattr(f, "name", None) or str(f))
        name = render.safe_filename(getattr(f, "orig_name", None) or src.name)
        why = check_upload(src, name, backend.cfg.max_upload_bytes)
        if why:
            problems.append(f"{name}: {why}")
        else:
            staged.append((src, name))
    if problems:
        yield "Nothing was added. / لم يُضف شيء.\n" + "\n".join(problems)
        return
    asst = backend.get()
    batch = Path(tempfile.mkdtemp(dir=backend.upload_dir))
    for src, name in staged:
        shutil.copyfile(src, batch / name)
    job = backend.jobs.start([name for _, name in staged],
                             partial(_ingest, asst, batch, backend.cfg.ingest_nice),
                             backend.write_lock)
    while not job.done_event.wait(1.0):
        yield job.text()
    yield job.message


def _ingest(asst, batch: Path, nice: int, progress) -> str:
    summary = at_low_priority(nice, lambda: asst.ingest([batch], progress=progress, wait=30))
    lines = [f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}"
             f"; {summary.chunks} passages indexed. / أضيفت التقارير."]
    lines += [f"skipped {p}: {why}" for p, why in summary.skipped]
    return "\n".join(lines)


def at_low_priority(nice: int, work: Callable[[], T]) -> T:
    """``work()`` on a fresh thread whose CPU priority is lowered by ``nice`` (Linux: a
    thread has its own nice value), so an upload's ingest yields to the users' answers;
    its result or exception is passed on. Elsewhere, or with ``nice`` 0, it runs here."""
    if not nice or not sys.platform.startswith("linux"):
        return work()
    out: dict[str, object] = {}

    def run() -> None:
        try:
            tid = threading.get_native_id()  # lowered relative to the server, never raised
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
            out["value"] = work()
        except BaseException as exc:  # handed to the caller below, never lost
            out["error"] = exc

    worker = threading.Thread(target=run, name="isnad-upload-ingest")
    worker.start()
    worker.join()
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["value"]  # type: ignore[return-value]


def remove(backend, key: str) -> str:
    key = (key or "").strip()
    if backend.cfg.read_only:
        return "This index is read-only. / الفهرس للقراءة فقط."
    if not key:
        return "Give a doc_id or path. / أدخل المعرّف أو المسار."
    if not backend.write_lock.acquire(timeout=5):
        return ("An upload is being indexed; remove it once that has finished. / "
                "تجري فهرسة تقارير مرفوعة؛ أعد المحاولة بعد انتهائها.")
    try:
        ids = backend.get().remove(key, wait=30)
    finally:
        backend.write_lock.release()
    return f"removed {len(ids)} report(s): {', '.join(ids)} / حُذفت"


def guarded(fn):
    """Run ``fn``; an IsnadError becomes the returned message (the edge of the app)."""
    def run(*args):
        try:
            return fn(*args)
        except IsnadError as exc:
            return f"Error / خطأ: {exc}"
    return run


def upload_guarded(backend, files):
    try:
        yield from upload(backend, files)
    except IsnadError as exc:
        yield f"Error / خطأ: {exc}"
