"""PDF text layer to a Report, with Arabic put back into logical order.

pdfplumber (pdfminer) emits characters left to right as they sit on the page,
so Arabic set by most PDF producers comes out in *visual* order: words and
letters reversed, often as presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFC).
``fix_visual_order`` detects such lines and restores logical order. Scanned
PDFs (no text layer) are refused: this module does no OCR.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pypdf
from pdfplumber.utils.exceptions import PdfminerException

from assistant.errors import InputError
from assistant.ingest.common import (
    ParseOptions,
    check_size,
    find_date,
    first_line_title,
    make_report,
)
from assistant.records import Report

_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
_ARABIC_WORD = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufefc]+")
# A left-to-right run (Latin words, numbers) keeps its inner order when a
# visual line is reversed: "25", "3.5", "Human Rights Watch".
_SEGMENT = re.compile(r"[0-9A-Za-z\u0660-\u0669]+(?:[ .,:/%\-]+[0-9A-Za-z\u0660-\u0669]+)*|.",
                      re.S)
_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def _form(char: str) -> str:
    """'initial', 'medial', 'final', 'isolated' for a presentation form, else ''."""
    decomposition = unicodedata.decomposition(char)
    return decomposition[1:].split(">", 1)[0] if decomposition.startswith("<") else ""


def _word_votes(word: str) -> tuple[int, int]:
    """(logical, visual) evidence from one Arabic word as stored."""
    logical = visual = 0
    first, last = _form(word[0]), _form(word[-1])
    logical += (first == "initial") + (last == "final")
    visual += (first == "final") + (last == "initial")
    plain = unicodedata.normalize("NFKC", word)
    if len(plain) > 3:
        logical += plain.startswith("ال")
        visual += plain.endswith("لا")
    # ة and ى only ever end an Arabic word.
    logical += plain[-1] in "ةى"
    visual += plain[0] in "ةى"
    return logical, visual


def is_visual_line(line: str) -> bool:
    """True when the Arabic words of ``line`` read as stored in visual order."""
    logical = visual = 0
    for word in _ARABIC_WORD.findall(line):
        lv, vv = _word_votes(word)
        logical += lv
        visual += vv
    return visual > logical


def fix_visual_line(line: str) -> str:
    """Logical order for one line: reverse visual lines (LTR runs kept), then NFKC forms."""
    if is_visual_line(line):
        line = "".join(reversed(_SEGMENT.findall(line))).translate(_MIRROR)
    if _PRESENTATION.search(line):
        # NFKC after reversing: a lam-alef ligature expands to lam+alef in logical order.
        line = "".join(unicodedata.normalize("NFKC", c) if _PRESENTATION.match(c) else c
                       for c in line)
    return line


def fix_visual_order(text: str) -> str:
    """``fix_visual_line`` on every line of ``text``."""
    return "\n".join(fix_visual_line(line) for line in text.split("\n"))


def parse_pdf(path: Path, rel: str, opts: ParseOptions) -> Iterator[Report]:
    """One Report from a PDF's text layer; encrypted, malformed or image-only PDFs are refused."""
    check_size(path, opts)
    title = _open_checked(path, rel)
    try:
        with pdfplumber.open(path) as pdf:
            pages = [fix_visual_order(page.extract_text() or "") for page in pdf.pages]
    except PdfminerException as e:
        raise InputError(f"{rel}: malformed PDF ({e})") from e
    text = "\n\n".join(p for p in pages if p.strip())
    if not text.strip():
        raise InputError(f"{rel}: the PDF has no text layer (scanned images?); run OCR first")
    yield make_report(rel, text, title=title or first_line_title(text), date=find_date(text),
                      source=opts.default_source)


def _open_checked(path: Path, rel: str) -> str:
    """Refuse malformed and password-protected PDFs; return the metadata title."""
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{rel}: the PDF is encrypted (password protected); "
                             "save an unprotected copy first")
        meta = reader.metadata
    except pypdf.errors.PyPdfError as e:
        raise InputError(f"{rel}: malformed PDF ({e})") from e
    return str(meta.title or "") if meta else ""
