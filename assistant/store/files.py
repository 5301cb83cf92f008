"""Small files of an index folder: writing one atomically, and ``manifest.json`` (the
format, model, analyser, counts and the plans chosen for the index's size). No SQL here.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

MANIFEST = "manifest.json"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a fsynced temp file and an atomic rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def previous_manifest(index_dir: Path) -> dict:
    try:
        return read_manifest(index_dir) or {}
    except ValueError:  # unreadable: rewritten whole
        return {}


def read_manifest(index_dir: Path) -> dict | None:
    """The manifest of an index folder, or None when there is none."""
    path = Path(index_dir) / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
