"""CSV files for the "Export CSV" buttons: UTF-8 with a BOM (Excel then shows Arabic),
named by date and content, and only the newest ``KEEP`` kept.

A listing is exported every time it is shown (the button then downloads what is on the
screen), so the same content is written once under the same name, and old files are
deleted: the export folder never grows without bound. Gradio serves a copy from its
own cache (cleared by ``Blocks(delete_cache=…)``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

KEEP = 50
_LOCK = threading.Lock()  # one writer and pruner at a time


def rows_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV text (CRLF line ends) of a header and rows; None cells are empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([("" if v is None else v) for v in row] for row in rows)
    return out.getvalue()


def save_csv(folder: Path, prefix: str, write: Callable[[IO[str]], object]) -> Path:
    """The CSV ``write(out)`` produces, saved in ``folder`` as ``prefix-DATE-HASH.csv``."""
    out = io.StringIO()
    write(out)
    data = out.getvalue().encode("utf-8-sig")
    name = f"{prefix}-{time.strftime('%Y%m%d')}-{hashlib.sha1(data).hexdigest()[:10]}.csv"
    path = folder / name
    with _LOCK:
        folder.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            tmp = folder / f".{name}.tmp"
            tmp.write_bytes(data)
            tmp.replace(path)
        path.touch()
        for old in sorted(folder.glob("*.csv"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
            old.unlink()
    return path
