"""Arabic-aware normalisation, tokenisation and segmentation (pure functions).

Normalisation is for matching only: callers keep the original text for display
and quotes (``normalize_with_map`` maps normalised positions back to original
offsets). ``tokenize`` is the lexical analyser for BM25/FTS: Arabic light
stemming, English Snowball stemming, small stopword lists, numbers of every
length kept. ``segment`` returns sentence/clause spans over the ORIGINAL text so
that every quote can be checked against its report. This module does not parse
number values or dates (see ``numbers.py``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain, pairwise

import Stemmer

_DIACRITICS = "\u0610\u0611\u0612\u0613\u0614\u0615\u0616\u0617\u0618\u0619\u061a" + "".join(
    chr(c) for c in [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)]
)
_REMOVED = frozenset(_DIACRITICS + "\u0640\u200c\u200d\u200e\u200f")  # + tatweel, ZWJ/ZWNJ, marks
_REMOVE_RE = re.compile("[" + re.escape("".join(sorted(_REMOVED))) + "]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Hamza on a carrier (ؤ ئ) becomes bare hamza (ء): writers differ on the carrier of the same
# word (مسؤول / مسئول, شؤون / شئون, حلفائه / حلفاؤه / حلفاءه); mapping ئ to ي and ؤ to و (as
# before analyser 2) kept those apart.
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
                          "ؤ": "ء", "ئ": "ء", "ی": "ي", "ک": "ك", "٫": ".", "٬": ","})
# The version of what ``normalize`` and ``tokenize`` make of text. An index stores analysed
# tokens: raise this whenever their output changes, and ``store`` re-analyses an index built
# with another version when it is opened. 1: ئ → ي, ؤ → و; 2: ئ, ؤ → ء.
ANALYSER_VERSION = 2
_ARABIC = re.compile("[\u0600-\u06ff]")


def normalize_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII (same length)."""
    return text.translate(_DIGITS)


def normalize(text: str) -> str:
    """Normalise for matching: NFKC, digits, diacritics, tatweel, alef forms, hamza carriers,
    ى, ة, case."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    return _REMOVE_RE.sub("", text).translate(_LETTERS).lower()


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """``normalize`` plus ``offsets``: ``offsets[i]`` is the original index of char ``i``.

    ``offsets`` has one extra entry (``len(text)``) so that a normalised span
    ``(s, e)`` maps back to ``(offsets[s], offsets[e - 1] + 1)`` (see ``map_span``).
    """
    gaps = [m.start() for m in _REMOVE_RE.finditer(text)]  # C-speed: most texts have few
    keep = list(chain.from_iterable(range(a + 1, b) for a, b in pairwise([-1, *gaps, len(text)])))
    kept = _REMOVE_RE.sub("", text) if gaps else text
    fast = unicodedata.is_normalized("NFKC", kept)
    if fast:
        out = kept.translate(_DIGITS).translate(_LETTERS).lower()
        fast = len(out) == len(kept)
    if not fast:  # rare: presentation forms, ligatures, odd case mappings — go char by char
        chars: list[str] = []
        keep = []
        for i, c in enumerate(text):
            n = normalize(c)
            chars.append(n)
            keep.extend([i] * len(n))
        out = "".join(chars)
    return out, [*keep, len(text)]


def map_span(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """Original ``(start, end)`` of the normalised span ``(start, end)``."""
    if end <= start:
        return offsets[start], offsets[start]
    return offsets[start], offsets[end - 1] + 1


def is_arabic(text: str) -> bool:
    """True when Arabic letters are more than 30% of the letters of ``text``."""
    letters = [c for c in text[:4000] if c.isalpha()]
    if not letters:
        return False
    return sum(1 for c in letters if _ARABIC.match(c)) / len(letters) > 0.3


def detect_language(text: str) -> str:
    """'ar' or 'en' (the two languages Isnad analyses)."""
    return "ar" if is_arabic(text) else "en"


# ---------------------------------------------------------------- tokenising
# Light stemming in the spirit of Larkey et al.'s light10: one prefix, then
# suffixes, never below 3 letters (2-letter Arabic stems are mostly noise).
_PREFIXES = ("وبال", "وكال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_LONG_PREFIXES = _PREFIXES[:8]  # prefixes containing ال: safe on any word of 2+ letters left
_SUFFIXES = ("هما", "كما", "تين", "تان", "ات", "ون", "ين", "ان", "ها", "هم", "هن", "كم", "نا",
             "يه", "ية", "ه", "ي")
_AR_STOP = frozenset(normalize(w) for w in """
في من على إلى الى عن أن إن أو ثم هذا هذه ذلك تلك التي الذي الذين اللذين اللتين مع كان كانت
يكون قد لقد لا ما لم لن هو هي هم هن كل بين عند حتى إذا اذا منذ أي أيضا أيضاً وقد وفي ومن وعلى
وهو وهي وأن كما فيما حيث بأن لأن التى وكان ماذا متى كم كيف لماذا أين هل وما وهذا إلا غير
""".split())
_EN_STOP = frozenset("""
a an the of to in on at by for from with and or but is are was were be been being it its this
that these those as into than then there their they them he she his her we you i do does did
what which who whom whose when where why how has have had not no so if about over after before
""".split())
_EN_STEMMER = Stemmer.Stemmer("english")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)
_THOUSANDS = re.compile(r"(?<=\d)[,،](?=\d{3}(?!\d))")  # "1,748" "1،748" → "1748"
_DOT_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")  # Arabic "200.000"


def stem(token: str) -> str:
    """Light Arabic stem of a normalised token; non-Arabic tokens are returned unchanged."""
    if not _ARABIC.match(token[:1]):
        return token
    for p in _PREFIXES:
        if token.startswith(p) and len(token) - len(p) >= (2 if p in _LONG_PREFIXES else 3):
            token = token[len(p):]
            break
    for s in _SUFFIXES:
        if token.endswith(s) and len(token) - len(s) >= 3:
            return token[: -len(s)]
    return token


@lru_cache(maxsize=200_000)
def _analyse(tok: str) -> str:
    if _ARABIC.match(tok[:1]):
        return "" if tok in _AR_STOP or len(tok) < 2 else stem(tok)
    return "" if tok in _EN_STOP else _EN_STEMMER.stemWord(tok)


def _number_token(tok: str) -> str:
    tok = tok.replace(",", "")
    if _DOT_THOUSANDS.match(tok):
        return tok.replace(".", "")
    return tok


def tokenize(text: str) -> list[str]:
    """Analysed tokens for lexical search: normalised, stemmed, stopwords dropped.

    Numbers of any length are tokens ("1,748" → "1748", "٥٢" → "52", "3" → "3").
    """
    out: list[str] = []
    for tok in _TOKEN.findall(_THOUSANDS.sub("", normalize(text))):
        t = _number_token(tok) if tok[0].isdigit() else _analyse(tok)
        if t:
            out.append(t)
    return out


def query_terms(text: str) -> list[str]:
    """The analysed terms of a query (the same analyser as documents)."""
    return tokenize(text)


# -------------------------------------------------------------- segmentation
# Strong ends: . ! ? ؟ followed by space/end (so "1.5", "200.000", "02:00" never
# split) and newlines. Abbreviations ("U.S.", "Mr.") are checked in code.
_SENT_END = re.compile(r"[.!?؟]+[\"'”’»)]*(?=\s|$)|\n")
_ABBREV = frozenset("""mr mrs ms dr st gen col lt sgt capt maj prof jr sr vs etc e.g i.e no nos
jan feb mar apr jun jul aug sep sept oct nov dec approx est fig inc ltd co corp dept govt""".split())
# initials: "J. R." and Arabic "م. ثيو كيرني" (a lone letter then a dot ends no sentence)
_INITIALS = re.compile(r"(?:(?<!\w)[A-Za-z\u0621-\u064A]\.)+$")
# Clause openers after a comma/semicolon inside long SOHR run-on sentences.
_CLAUSE = re.compile(
    r"[،,;؛]\s*(?=(?:حيث|فيما|كما|بينما|وسط|بالتزامن|في حين|إذ|اذ|إذا|كذلك|وذلك|ويأتي|يذكر|علماً|علما"
    r"|while|whereas|amid|as well as|meanwhile)\b)"
)
_ANY_COMMA = re.compile(r"[،,;؛]\s*")
_CONTINUATION = re.compile(
    r"^(?:ممن|من بينهم|من بينهن|بينهم|بينهن|بينها|منهم|منهن|جراء|إثر|اثر|أحدهم|احدهم|وهم|وهن"
    r"|including|among them|of whom|of which)\b"
)
_TAIL_NUMBER = re.compile(r"(?:\d|على الأقل|at least)\W*$")
LONG_SEGMENT = 300  # chars: longer strong-punctuation segments are split into clauses
VERY_LONG = 600  # chars: clauses still longer than this are split at any comma
MIN_CLAUSE = 40  # chars: shorter clauses are merged back onto the previous one


def segment(text: str) -> list[tuple[int, int]]:
    """Sentence/clause spans ``(start, end)`` over ``text``, whitespace trimmed.

    Sentences (``sentence_spans``) longer than ``LONG_SEGMENT`` are split into
    clauses at a comma followed by a clause-opening connective (حيث، فيما، كما،
    بينما، وسط …), never cutting a figure off from what it counts.
    """
    return [c for s, e in sentence_spans(text) for c in _clauses(text, s, e)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans over ``text``, whitespace trimmed: a sentence ends at . ! ? ؟ or a
    newline, not at the dot of an abbreviation or an initial ("U.S.", "م. ثيو")."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        if m.group().startswith(".") and _is_abbreviation(text, m.start()):
            continue
        if span := _trim(text, pos, m.end()):
            spans.append(span)
        pos = m.end()
    if span := _trim(text, pos, len(text)):
        spans.append(span)
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    head = text[max(0, dot - 12):dot + 1]
    word = re.split(r"\s", head)[-1].lower().rstrip(".")
    return word in _ABBREV or bool(_INITIALS.search(head))


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    span = _trim(text, start, end)
    if span is None:
        return []
    if span[1] - span[0] <= LONG_SEGMENT:
        return [span]
    out: list[tuple[int, int]] = []
    for s, e in _split_at(text, span, _CLAUSE):
        pieces = _split_at(text, (s, e), _ANY_COMMA) if e - s > VERY_LONG else [(s, e)]
        out.extend(pieces)
    return _merge(text, out)


def _split_at(text: str, span: tuple[int, int], pattern: re.Pattern) -> list[tuple[int, int]]:
    out, pos = [], span[0]
    for m in pattern.finditer(text, span[0], span[1]):
        piece = _trim(text, pos, m.start())
        if piece:
            out.append(piece)
        pos = m.end()
    last = _trim(text, pos, span[1])
    if last:
        out.append(last)
    return out


def _merge(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Glue a clause back onto the previous one when splitting there would cut a figure."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _must_join(text[out[-1][0]:out[-1][1]], text[s:e]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _must_join(prev: str, clause: str) -> bool:
    return (len(clause) < MIN_CLAUSE or len(prev) < MIN_CLAUSE
            or bool(_CONTINUATION.match(clause)) or bool(_TAIL_NUMBER.search(prev)))


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
