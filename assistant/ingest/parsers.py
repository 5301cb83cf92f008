"""File → Report parsers, one function per format, dispatched on the suffix.

``parse_file(path, rel, opts)`` yields ``Report`` objects, and for csv/jsonl
also ``Skip`` records for rows that could not be used (the rest of the file is
still ingested). Whole-file problems (empty, binary, undecodable, oversized,
malformed, encrypted, zip bomb) raise ``InputError`` / ``UnsupportedFormatError``
with a human reason, when the iterator is first advanced.

Text policy: ``Report.text`` is the decoded text that all offsets index. For
.txt it is the whole file (BOM stripped, newlines normalised to \\n); for .md
the body after the YAML front matter, markdown kept. Stray NUL bytes (≤1% of
a text file) are removed; more mean binary and the file is refused. Titles
lose bidi controls and control characters (see ``parsers_common.clean_title``).
This module reads files; it does not chunk, embed or store anything.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import docx
import lxml.etree
import lxml.html
import trafilatura
import yaml
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from assistant.errors import InputError, UnsupportedFormatError
from assistant.ingest.common import (
    ParseOptions,
    Skip,
    check_size,
    decode_text,
    find_date,
    first_line_title,
    make_report,
    parse_date,
    read_bytes,
    read_sidecar,
    with_sidecar,
)
from assistant.ingest.pdf import fix_visual_order, parse_pdf
from assistant.ingest.tabular import parse_csv, parse_jsonl
from assistant.records import Report

__all__ = ["SUPPORTED_SUFFIXES", "ParseOptions", "Skip", "parse_file", "fix_visual_order"]

# Zip-bomb guard for .docx: refuse before python-docx inflates anything.
DOCX_MAX_UNCOMPRESSED = 200_000_000
DOCX_MAX_RATIO = 100  # per entry, for entries over 1 MB uncompressed
DOCX_MAX_ENTRIES = 10_000
FRONT_MATTER_MAX = 65_536
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


def parse_file(path: Path, rel: str, opts: ParseOptions) -> Iterator[Report | Skip]:
    """Reports (and csv/jsonl ``Skip`` rows) of one file; ``rel`` becomes ``Report.path``."""
    parser = _PARSERS.get(path.suffix.lower())
    if parser is None:
        raise UnsupportedFormatError(
            f"{rel}: unsupported file type '{path.suffix or '(none)'}' "
            f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    return _reading(parser(path, rel, opts), path, rel)


def _reading(items: Iterator[Report | Skip], path: Path, rel: str) -> Iterator[Report | Skip]:
    """An unreadable file (permissions, a folder, I/O error) is an input problem too. A
    one-report file takes the fields of its ``X.meta.json`` file (``read_sidecar``)."""
    try:
        meta = {} if path.suffix.lower() in _TABULAR else read_sidecar(path, rel)
        for item in items:
            yield with_sidecar(item, meta) if isinstance(item, Report) else item
    except OSError as e:
        raise InputError(f"{rel}: cannot read the file ({e.strerror or e})") from e


def parse_txt(path: Path, rel: str, opts: ParseOptions) -> Iterator[Report]:
    """Plain text; SOHR layout: title line, blank, report number, blank, body."""
    text = decode_text(read_bytes(path, opts), rel)
    yield make_report(rel, text, title=first_line_title(text), date=find_date(text),
                      source=opts.default_source)


def parse_md(path: Path, rel: str, opts: ParseOptions) -> Iterator[Report]:
    """Markdown with optional YAML front matter (title, date, source, url)."""
    text = decode_text(read_bytes(path, opts), rel)
    meta, body = _split_front_matter(text, rel)
    if not body.strip():
        raise InputError(f"{rel}: no text after the front matter")
    title = _scalar(meta.get("title")) or first_line_title(body)
    when = _meta_date(meta.get("date")) or find_date(body)
    source = _scalar(meta.get("source")) or opts.default_source
    url = _scalar(meta.get("url")) or _scalar(meta.get("link"))
    yield make_report(rel, body, title=title, date=when, source=source, url=url)


def _split_front_matter(text: str, rel: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    raw = match.group(1) or ""
    if len(raw) > FRONT_MATTER_MAX:
        raise InputError(f"{rel}: front matter over {FRONT_MATTER_MAX:,} characters")
    try:
        meta = yaml.safe_load(raw)
    except yaml.YAMLError as e:
        raise InputError(f"{rel}: malformed YAML front matter ({e})") from e
    return (meta if isinstance(meta, dict) else {}), text[match.end():]


def _scalar(value: object) -> str:
    """A front-matter value as text; lists/maps are ignored (they may be alias bombs)."""
    return str(value) if isinstance(value, str | int | float) else ""


def _meta_date(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return parse_date(value, dayfirst=True) if isinstance(value, str) else None


def parse_html(path: Path, rel: str, opts: ParseOptions) -> Iterator[Report]:
    """Main text of a web page (trafilatura; lxml text as a fallback), scripts never kept."""
    html = decode_text(read_bytes(path, opts), rel)
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = (doc.text or "") if doc else ""
    title = (doc.title or "") if doc else ""
    when = parse_date(doc.date or "") if doc and doc.date else None
    url = (doc.url or "") if doc else ""
    if not text.strip():
        text, fallback_title = _lxml_text(html, rel)
        title = title or fallback_title
    if not text.strip():
        raise InputError(f"{rel}: the page has no text")
    yield make_report(rel, text, title=title or first_line_title(text),
                      date=when or find_date(text), source=opts.default_source, url=url)


def _lxml_text(html: str, rel: str) -> tuple[str, str]:
    """Visible text and <title> of a page, without script/style/template."""
    html = re.sub(r"\A\s*<\?xml[^>]*\?>", "", html)  # lxml refuses str with a declaration
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError) as e:
        raise InputError(f"{rel}: malformed HTML ({e})") from e
    for node in root.xpath("//script|//style|//noscript|//template|//head"):
        node.drop_tree()
    title = " ".join(root.xpath("//title/text()"))
    lines = (line.strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line), title


def parse_docx(path: Path, rel: str, opts: ParseOptions) -> Iterator[Report]:
    """Paragraphs and table cells of a Word file, in document order."""
    check_size(path, opts)
    _check_zip(path, rel)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, lxml.etree.XMLSyntaxError) as e:
        raise InputError(f"{rel}: not a readable .docx file ({e})") from e
    blocks = []
    for block in document.iter_inner_content():
        blocks.append(_table_text(block) if isinstance(block, Table) else block.text)
    text = "\n".join(blocks).replace("\x00", "").strip("\n")
    if not text.strip():
        raise InputError(f"{rel}: the document has no text")
    title = document.core_properties.title or first_line_title(text)
    yield make_report(rel, text, title=title, date=find_date(text), source=opts.default_source)


def _table_text(table: Table) -> str:
    """One line per row, cells tab-separated; merged cells counted once."""
    rows = []
    for row in table.rows:
        seen: list = []
        for cell in row.cells:
            if all(cell._tc is not other._tc for other in seen):
                seen.append(cell)
        rows.append("\t".join(cell.text for cell in seen))
    return "\n".join(rows)


def _check_zip(path: Path, rel: str) -> None:
    """Refuse zip bombs: too many entries, too large unpacked, or too compressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as e:
        raise InputError(f"{rel}: not a valid .docx (zip) file") from e
    if len(entries) > DOCX_MAX_ENTRIES:
        raise InputError(f"{rel}: .docx has {len(entries):,} parts; refusing a possible zip bomb")
    total = sum(e.file_size for e in entries)
    if total > DOCX_MAX_UNCOMPRESSED:
        raise InputError(f"{rel}: .docx unpacks to {total:,} bytes (limit "
                         f"{DOCX_MAX_UNCOMPRESSED:,}); refusing a possible zip bomb")
    for e in entries:
        if e.file_size > 1_000_000 and e.file_size > DOCX_MAX_RATIO * max(e.compress_size, 1):
            raise InputError(f"{rel}: .docx part {e.filename} is compressed "
                             f"{e.file_size // max(e.compress_size, 1)}:1; "
                             "refusing a possible zip bomb")


_PARSERS = {
    ".txt": parse_txt, ".md": parse_md, ".markdown": parse_md, ".html": parse_html,
    ".htm": parse_html, ".pdf": parse_pdf, ".docx": parse_docx, ".csv": parse_csv,
    ".tsv": parse_csv, ".jsonl": parse_jsonl, ".ndjson": parse_jsonl,
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_PARSERS)
_TABULAR = frozenset({".csv", ".tsv", ".jsonl", ".ndjson"})  # one report a row: no sidecar
