"""Arabic-aware normalisation, tokenisation and segmentation (pure functions).

Normalisation is for matching only: callers keep the original text for
display and quotes. Segmentation returns character spans into the original
text so that every quote can be checked against its report.
"""

from __future__ import annotations

import re
import unicodedata

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
                          "ؤ": "و", "ئ": "ي", "٫": ".", "٬": ","})
_ARABIC = re.compile("[\u0600-\u06ff]")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)
_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و")
_SUFFIXES = ("ات", "ون", "ين", "ها", "هم", "ه")


def normalize_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII (same length)."""
    return text.translate(_DIGITS)


def normalize(text: str) -> str:
    """Normalise for matching: digits, diacritics, tatweel, alef/hamza, ى, ة, case."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_LETTERS).lower()


def is_arabic(text: str) -> bool:
    """True when Arabic letters dominate the letters of ``text``."""
    letters = [c for c in text[:4000] if c.isalpha()]
    if not letters:
        return False
    return sum(1 for c in letters if _ARABIC.match(c)) / len(letters) > 0.3


def detect_language(text: str) -> str:
    """'ar' or 'en' (the two languages Isnad analyses)."""
    return "ar" if is_arabic(text) else "en"


def stem(token: str) -> str:
    """Light Arabic stem: strip one common prefix and suffix, keep >= 2 letters."""
    if not _ARABIC.match(token[:1]):
        return token
    for p in _PREFIXES:
        if token.startswith(p) and len(token) - len(p) >= 3:
            token = token[len(p):]
            break
    for s in _SUFFIXES:
        if token.endswith(s) and len(token) - len(s) >= 3:
            token = token[: -len(s)]
            break
    return token


def tokenize(text: str) -> list[str]:
    """Analysed tokens for lexical search; numbers of any length are kept."""
    out = []
    for tok in _TOKEN.findall(normalize(text)):
        if tok[0].isdigit():
            out.append(tok.replace(",", ""))
        else:
            out.append(stem(tok))
    return out


# Sentence ends: . ! ? ؟ ; newlines. A dot between digits is a decimal point.
_SENT_END = re.compile(r"(?<!\d)[.!?؟;؛](?=\s|$)|\n\s*\n|\n")


def segment(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` over ``text``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        _add_span(text, pos, m.end(), spans)
        pos = m.end()
    _add_span(text, pos, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
