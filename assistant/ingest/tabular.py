"""CSV/TSV and JSON-lines parsers: one Report per row, ``Skip`` for unusable rows.

Columns are found by name (see ``COLUMN_NAMES``); ``ParseOptions.*_col``
override the guess. ``record`` is the id column's value (a repeated id gets
"~2", "~3"… so every row keeps its own doc_id), else the row number: the
1-based data row for csv (header excluded), the line number for jsonl.
A bad row (broken JSON, empty text, an oversized cell) becomes a ``Skip``;
the file goes on. A file whose header is absurdly wide, or that has no text
column, is refused as a whole. This module reads no other formats.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from assistant.errors import InputError
from assistant.ingest.common import (
    ParseOptions,
    Skip,
    decode_text,
    find_date,
    first_line_title,
    make_report,
    parse_date,
    read_bytes,
)
from assistant.records import Report

MAX_COLUMNS = 1000
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "article_content", "body", "article", "article_text",
             "full_text", "fulltext", "story", "message"),
    "title": ("title", "article_title", "headline", "heading"),
    "date": ("date", "published", "published_at", "publish_date", "pub_date", "datetime",
             "created_at"),
    "url": ("url", "link", "href", "source_url", "article_url"),
    "id": ("id", "unit_id", "uid", "doc_id", "article_id", "record_id"),
    "source": ("source", "outlet", "site", "publisher", "source_name"),
}
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})[/.](\d{1,2})[/.]\d{4}")


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def find_columns(names: Iterable[str], opts: ParseOptions, rel: str) -> dict[str, str]:
    """Role ('text', 'title', …) → column name; the options' flags win over the guess."""
    names = list(names)
    by_norm: dict[str, str] = {}
    for name in names:
        by_norm.setdefault(_norm(name), name)
    roles: dict[str, str] = {}
    for role, candidates in COLUMN_NAMES.items():
        flag = getattr(opts, f"{role}_col")
        if flag is not None:
            if _norm(flag) not in by_norm:
                raise InputError(f"{rel}: no column '{flag}' (columns: {_listing(names)})")
            roles[role] = by_norm[_norm(flag)]
            continue
        found = next((by_norm[c] for c in candidates if c in by_norm), None)
        if found is None:  # then a name holding a candidate word: "Body Text", "news_source"
            found = next((name for norm, name in by_norm.items()
                          if any(c in norm.split("_") for c in candidates)), None)
        if found is not None:
            roles[role] = found
    if "text" not in roles:
        raise InputError(f"{rel}: no text column (looked for {', '.join(COLUMN_NAMES['text'])}; "
                         f"columns: {_listing(names)}); name one with the text column option")
    return roles


def _listing(names: list[str]) -> str:
    shown = ", ".join(map(str, names[:20]))
    return shown + (f", … ({len(names)} in all)" if len(names) > 20 else "")


def parse_csv(path: Path, rel: str, opts: ParseOptions) -> Iterator[Report | Skip]:
    """Rows of a csv/tsv file (delimiter , ; tab or |, guessed from the header line)."""
    text = decode_text(read_bytes(path, opts), rel)
    header_line = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _delimiter(header_line)
    if header_line.count(delimiter) >= MAX_COLUMNS:
        raise InputError(f"{rel}: the header has {header_line.count(delimiter) + 1:,} columns "
                         f"(limit {MAX_COLUMNS:,}); is this really a table of reports?")
    # The file is already size-checked, so no single field can be larger than it;
    # cell sizes are then judged per row against max_cell_chars.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    roles = find_columns(header, opts, rel)
    rows: list[tuple[str, dict[str, str] | Skip]] = []
    for number, row in enumerate(_csv_rows(reader, rel), start=1):
        fields = row if isinstance(row, Skip) else dict(zip(header, row, strict=False))
        rows.append((str(number), fields))
    yield from _emit(rel, rows, lambda _fields: roles, opts)


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _csv_rows(reader: Iterator[list[str]], rel: str) -> Iterator[list[str] | Skip]:
    """Non-blank rows; a csv.Error becomes a Skip and reading goes on."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield Skip(rel, None, f"malformed CSV near line {reader.line_num}: {e}")
            continue
        if any(cell.strip() for cell in row):
            yield row


def parse_jsonl(path: Path, rel: str, opts: ParseOptions) -> Iterator[Report | Skip]:
    """One JSON object per line; broken or non-object lines become Skips."""
    text = decode_text(read_bytes(path, opts), rel)
    rows: list[tuple[str, Mapping | Skip]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            rows.append((str(number), _json_object(line, rel, str(number))))
    cache: dict[tuple, dict[str, str]] = {}

    def roles(fields: Mapping) -> dict[str, str]:
        key = tuple(fields)
        if key not in cache:
            cache[key] = find_columns(key, opts, rel)
        return cache[key]

    yield from _emit(rel, rows, roles, opts)


def _json_object(line: str, rel: str, number: str) -> Mapping | Skip:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as e:
        return Skip(rel, number, f"invalid JSON: {e.msg} (column {e.colno})")
    except RecursionError:
        return Skip(rel, number, "JSON nested too deeply")
    if not isinstance(value, dict):
        return Skip(rel, number, f"not a JSON object but {type(value).__name__}")
    return value


def _emit(rel: str, rows: list, roles_of, opts: ParseOptions) -> Iterator[Report | Skip]:
    """Reports and Skips of parsed rows; a row without the text key is a Skip."""
    dayfirst = _dayfirst(rows, roles_of, rel)
    seen: dict[str, int] = {}
    for number, fields in rows:
        if isinstance(fields, Skip):
            yield fields
            continue
        try:
            roles = roles_of(fields)
        except InputError as e:
            yield Skip(rel, number, str(e))
            continue
        yield _row(rel, number, fields, roles, opts, dayfirst, seen)


def _dayfirst(rows: list, roles_of, rel: str) -> bool | None:
    """Day-first for ambiguous n/n/yyyy dates when any date of the file has day > 12."""
    for _number, fields in rows:
        if isinstance(fields, Skip):
            continue
        try:
            column = roles_of(fields).get("date")
        except InputError:
            continue
        match = _NUMERIC_DATE.match(str(fields.get(column) or "")) if column else None
        if match and int(match.group(1)) > 12:
            return True
        if match and int(match.group(2)) > 12:
            return False
    return None


def _row(rel: str, number: str, fields: Mapping, roles: dict[str, str], opts: ParseOptions,
         dayfirst: bool | None, seen: dict[str, int]) -> Report | Skip:
    values = {role: fields.get(column) for role, column in roles.items()}
    record = _record(values.get("id"), number, seen)
    for role, value in values.items():
        if value is not None and not isinstance(value, str | int | float):
            return Skip(rel, record, f"the {role} field is a {type(value).__name__}, not text")
    longest = max((len(v) for v in fields.values() if isinstance(v, str)), default=0)
    if longest > opts.max_cell_chars:
        return Skip(rel, record, f"a cell has {longest:,} characters "
                                 f"(limit {opts.max_cell_chars:,})")
    get = {role: _clean(v) for role, v in values.items()}
    text = get.get("text", "")
    if not text.strip():
        return Skip(rel, record, "empty text")
    raw_date = get.get("date", "")
    when = parse_date(raw_date, bool(dayfirst)) if raw_date else find_date(text)
    return make_report(rel, text, title=get.get("title") or first_line_title(text, 120),
                       date=when, source=get.get("source") or opts.default_source,
                       url=get.get("url", ""), record=record)


def _clean(value: object) -> str:
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _record(value: object, number: str, seen: dict[str, int]) -> str:
    """The row's id (``~n`` added to the n-th repeat), else its row number."""
    record = str(value).strip() if value is not None and str(value).strip() else number
    seen[record] = seen.get(record, 0) + 1
    return record if seen[record] == 1 else f"{record}~{seen[record]}"
