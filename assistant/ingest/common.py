"""Shared pieces of the parsers: options, the Skip record, decoding, titles, dates.

Pure functions on bytes and strings (plus one size-checked file read). This
module does not know any file format; ``parsers`` and ``parsers_tabular`` do.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError
from assistant.records import Report
from assistant.text.arabic import detect_language, normalize_digits
from assistant.text.dates import parse_date


@dataclass(frozen=True)
class ParseOptions:
    """Column overrides for csv/jsonl, the default source, and size limits."""

    text_col: str | None = None
    title_col: str | None = None
    date_col: str | None = None
    url_col: str | None = None
    id_col: str | None = None
    source_col: str | None = None
    default_source: str = ""
    max_file_bytes: int = 50_000_000
    max_cell_chars: int = 2_000_000


@dataclass(frozen=True)
class Skip:
    """A csv/jsonl row that was not ingested; the rest of the file still is."""

    path: str
    record: str | None  # the row's id, or its 1-based data-row number
    reason: str


# Bidi embeddings/overrides/isolates and LRM/RLM/ALM: they can disguise a title.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SPACES = re.compile(r"\s+")
TITLE_MAX = 300


def make_doc_id(rel: str, record: str | None) -> str:
    """First 16 hex of sha1(f"{rel}#{record or ''}") (see docs/ARCHITECTURE.md)."""
    return hashlib.sha1(f"{rel}#{record or ''}".encode()).hexdigest()[:16]


def content_hash(text: str, title: str, date: str | None, source: str, url: str) -> str:
    """sha256 over the fields a re-ingest must notice; a unit separator joins them."""
    joined = "\x1f".join((text, title, date or "", source, url))
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()


def make_report(rel: str, text: str, *, title: str = "", date: str | None = None,
                source: str = "", url: str = "", record: str | None = None) -> Report:
    """A Report with identity, hash and language filled in; the title is cleaned."""
    title = clean_title(title)
    url = clean_title(url, max_chars=None)
    return Report(
        doc_id=make_doc_id(rel, record), path=rel, text=text, title=title, date=date,
        source=clean_title(source), url=url, language=detect_language(title + "\n" + text[:4000]),
        record=record, content_hash=content_hash(text, title, date, source, url),
    )


def clean_title(value: str, max_chars: int | None = TITLE_MAX) -> str:
    """One line: no bidi controls, no control characters, spaces collapsed, capped."""
    value = _BIDI.sub("", value)
    value = "".join(" " if unicodedata.category(c) == "Cc" else c for c in value)
    value = _SPACES.sub(" ", value).strip()
    if max_chars is not None and len(value) > max_chars:
        value = value[:max_chars].rsplit(" ", 1)[0] + "…"
    return value


def check_size(path: Path, opts: ParseOptions) -> None:
    """Refuse empty and oversized files before anything reads them."""
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path.name}: file is empty")
    if size > opts.max_file_bytes:
        raise InputError(f"{path.name}: file is {size:,} bytes, over the limit of "
                         f"{opts.max_file_bytes:,} bytes")


def read_bytes(path: Path, opts: ParseOptions) -> bytes:
    """The file's bytes, refusing oversized and empty files before parsing."""
    check_size(path, opts)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path.name}: file is empty")
    return data


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# A text file may carry a few stray NULs (we drop them); more than this share is binary.
NUL_SHARE_MAX = 0.01
# Not valid UTF-8, but this many well-formed non-ASCII characters per bad byte: UTF-8.
UTF8_VALID_PER_BAD = 20


def decode_text(data: bytes, name: str) -> str:
    """Decode text bytes: BOM, else utf-8 (a few bad bytes become U+FFFD), else cp1256.

    Files with more than 1% NUL bytes (and no utf-16 BOM) are rejected as
    binary; fewer NULs are removed from the text. Control characters other than
    tab/newline/form feed in more than 5% of the text also mean binary. Newlines
    are normalised to \\n.
    """
    text = _decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    sample = text[:20000]
    controls = sum(1 for c in sample if c < " " and c not in "\t\n\f")
    if sample and controls / len(sample) > 0.05:
        raise InputError(f"{name}: looks like a binary file, not text")
    if not text.strip():
        raise InputError(f"{name}: file has no text")
    return text


def _decode(data: bytes, name: str) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                raise InputError(f"{name}: cannot decode as {codec}: {e.reason}") from e
    if data.count(0) > NUL_SHARE_MAX * len(data):
        raise InputError(f"{name}: looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    salvaged = data.decode("utf-8", errors="replace")
    bad = salvaged.count("\ufffd")
    if sum(1 for c in salvaged if c > "\x7f") - bad >= UTF8_VALID_PER_BAD * bad:
        # A UTF-8 file with a few corrupt bytes: keep its text (each bad byte
        # becomes U+FFFD) rather than turning all of it into cp1256 mojibake.
        return salvaged
    # Arabic Windows is the usual legacy encoding of Arabic reports. cp1256
    # maps every byte, so a latin-1 file also "decodes"; its language then
    # comes out English, which is what it is.
    return data.decode("cp1256", errors="replace")


def first_line_title(text: str, max_chars: int = 200) -> str:
    """The first non-empty line that is not just a number (SOHR report numbers)."""
    for line in text.split("\n"):
        line = line.strip().lstrip("#").strip()
        if line and not normalize_digits(line).isdigit():
            return clean_title(line[:max_chars])
    return ""



def find_date(text: str, head: int = 2000) -> str | None:
    """The first full date in the first ``head`` characters of a report, or None."""
    return parse_date(text[:head])


SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FIELDS = ("title", "date", "source", "url")
SIDECAR_MAX_BYTES = 65_536


def read_sidecar(path: Path, rel: str) -> dict[str, str]:
    """The metadata file next to a report (``X.txt`` → ``X.txt.meta.json``), or {}.

    A JSON object with any of ``title``, ``date`` (a date ``parse_date`` reads),
    ``source`` and ``url``: what the report's own text does not say, given without
    editing the report. A malformed file is an InputError naming it.
    """
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    if not side.is_file():
        return {}
    where = f"{rel}{SIDECAR_SUFFIX}"
    if side.stat().st_size > SIDECAR_MAX_BYTES:
        raise InputError(f"{where}: over {SIDECAR_MAX_BYTES:,} bytes")
    try:
        data = json.loads(side.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{where}: not a JSON object ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{where}: not a JSON object")
    meta = {k: data[k].strip() for k in SIDECAR_FIELDS if isinstance(data.get(k), str)}
    if meta.get("date"):
        iso = parse_date(meta["date"])
        if iso is None:
            raise InputError(f"{where}: date {meta['date'][:40]!r} is not a date")
        meta["date"] = iso
    return {k: v for k, v in meta.items() if v}


def with_sidecar(rep: Report, meta: dict[str, str]) -> Report:
    """``rep`` with the sidecar's fields in place of what was read from the file."""
    if not meta:
        return rep
    return make_report(rep.path, rep.text, title=meta.get("title", rep.title),
                       date=meta.get("date", rep.date), source=meta.get("source", rep.source),
                       url=meta.get("url", rep.url), record=rep.record)


__all__ = ["ParseOptions", "Skip", "check_size", "clean_title", "content_hash", "decode_text",
           "find_date", "first_line_title", "make_doc_id", "make_report", "parse_date",
           "read_bytes", "read_sidecar", "with_sidecar"]
