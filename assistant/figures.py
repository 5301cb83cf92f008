"""Figures in report text: every count with what it counts (pure functions).

``extract_figures`` finds the numbers of a report (digits, Arabic-Indic digits,
number words, via ``text.numbers``), drops those that are not figures (dates,
times, years, durations, distances, ages, labels such as "Resolution 2254", the
SOHR report-number line, codes such as "T-72", numbers in links) and gives each
figure its category (``figure_vocab.EVENTS``/``OBJECTS``), the group it counts
(``figure_vocab.GROUPS`` label; ``group_name`` gives the English name), place,
period and qualifiers. Qualifiers are comma-joined: ``numbers`` qualifiers
(at_least, more_than, about, up_to, range, tens, hundreds …), ``high=N`` for a
range and ``revised_up`` after "ارتفع إلى"/"rose to". A number that counts
nothing we know is not a figure. Look-ups and claim checks live in
``figure_checks``; this module does no I/O.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from . import figure_vocab as V
from .records import Figure
from .text import arabic
from .text.numbers import NumberMention, find_dates, find_numbers, find_times

_W = "(?:[^\\W\\d_]|[\u0610-\u061a\u064b-\u065f\u0670\u0640])+"  # letters, Arabic marks
_TOKEN = re.compile(rf"\d+(?:[.,]\d+)*|%|{_W}(?:['’-]{_W})*")
_STRIP = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_MASK = re.compile(r"!\[[^\]\n]*\]\([^)\s]*\)|\]\([^)\s]*\)|https?://\S+|\(\.\./[^)]*\)|^image:.*$"
                   r"|<[^>\n]*>|\{[^}\n]*\}", re.M)
_SENTENCE_END = re.compile(r"[.!?؟\n]")
_PERIOD = re.compile(
    r"(?:خلال|منذ|في)\s+(?:الـ\s*|ال)?(?:\d+\s*|\w+\s+)?(?:ال)?(?:ساعات|ساعة|الساعات|أيام|يوم|يومين"
    r"|أسابيع|أسبوع|أشهر|شهر|شهرين|سنوات|أعوام|عام)(?:\s+(?:الماضية|الماضي|الأخيرة|الفائتة|الفائت))?"
    r"|منذ\s+(?:فجر|صباح|ظهر|مساء|ليل|منتصف\s+ليل)\s+(?:اليوم|أمس)|منذ\s+(?:بدء|بداية|انطلاق)\s+\S+"
    r"|(?:خلال|في)\s+(?:الفترة|المدة)\s+(?:ذاتها|نفسها)"
    r"|\b(?:in|over|during|within|for)\s+the\s+(?:past|last|previous)\s+(?:\d+\s+|\w+\s+)?"
    r"(?:hours?|days?|weeks?|months?|years?)\b|\bsince\s+(?:the\s+)?(?:start|beginning)\s+of\s+[\w-]+"
    r"(?:\s+[\w-]+)?|\bduring\s+the\s+same\s+period\b",
    re.I,
)
_SAME_PERIOD = re.compile(r"ذاتها|نفسها|same period")
_SETTLEMENT = re.compile(
    r"(?:بلدة|مدينة|قرية|حي|مخيم|ناحية|منطقة|بلدتي|قريتي)\s+((?:ال)?[^\W\d_]{3,}(?:\s+ال[^\W\d_]+)?)"
    r"|\b(?:town|city|village|district|neighbou?rhood|camp)\s+of\s+((?:al-)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
    r"|\b(?:in|near|at|outside)\s+((?:al-|el-)?[A-Z][a-z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
)
_NOT_PLACES = frozenset("""Syria Syrian The This That Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November December
    Islamic Russian Turkish Kurdish Reuters AFP The Observatory Britain""".split())
_VAGUE_SKIP = frozenset({"several", "عدة", "بضعة", "بضع"})
AFTER, BEFORE, OBJECT_AFTER, GROUP_AFTER = 25, 12, 4, 5  # token windows around the number


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    forms: tuple[str, ...]  # normalised form, then forms without a clitic prefix


@dataclass(frozen=True)
class _Hit:
    i: int  # first token
    j: int  # token after the last
    label: str


@dataclass(frozen=True)
class _Table:
    """Phrases indexed by their first word: exact words, and ``*`` prefixes by length."""

    exact: dict[str, list[tuple[tuple[str, ...], str]]]
    prefix: dict[str, list[tuple[tuple[str, ...], str]]]
    lengths: tuple[int, ...]


def _phrases(table: dict[str, str]) -> _Table:
    exact: dict[str, list] = {}
    prefix: dict[str, list] = {}
    for label, words in table.items():
        for p in words.split():
            phrase = tuple(arabic.normalize(w) for w in p.split("_"))
            first = phrase[0]
            index = prefix if first.endswith("*") else exact
            index.setdefault(first.rstrip("*"), []).append((phrase, label))
    for index in (exact, prefix):
        for v in index.values():
            v.sort(key=lambda x: -len(x[0]))
    return _Table(exact, prefix, tuple(sorted({len(k) for k in prefix})))


_EVENTS = _phrases(V.EVENTS)
_OBJECTS = _phrases(V.OBJECTS)
_GROUPS = _phrases({k: v[1] for k, v in V.GROUPS.items()})
_PLACES = _phrases(V.PLACES)
_WORDS = _phrases({"unit": V.UNITS, "label": V.LABELS, "revision": V.REVISION,
                   "including": V.INCLUDING, "and": V.CONJUNCTIONS, "qualifier": V.QUALIFIER_WORDS})
_RANGE_GAP = re.compile(r"\s*(?:إلى|الى|to|-|–|أو|او|or)\s*")
_TIME_SUFFIX = re.compile(r"-(?:year|month|week|day|hour|minute)s?\b", re.I)
_ONE_OF = frozenset({"أحد", "إحدى", "احد", "احدى"})


def group_name(label: str) -> str:
    """English name of a group label ("regime" → "regime forces and allied gunmen")."""
    return V.GROUPS[label][0] if label in V.GROUPS else label


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        norm = arabic.normalize(m.group())
        forms = [norm] + [norm[len(p):] for p in _STRIP if norm.startswith(p) and len(norm) - len(p) >= 2]
        if m.group() == "IS":  # the Islamic State, not the verb
            forms = ["isis"]
        out.append(_Tok(m.start(), m.end(), tuple(forms)))
    return out


def _word_match(tok: _Tok, word: str) -> bool:
    if word.endswith("*"):
        return any(f.startswith(word[:-1]) for f in tok.forms)
    return word in tok.forms


def _candidates(tok: _Tok, table: _Table) -> list[tuple[tuple[str, ...], str]]:
    out = []
    for f in tok.forms:
        out += table.exact.get(f, [])
        out += [x for n in table.lengths if len(f) >= n for x in table.prefix.get(f[:n], [])]
    return sorted(out, key=lambda x: -len(x[0]))


def _hits(toks: list[_Tok], table: _Table) -> list[_Hit]:
    """Non-overlapping phrase hits, longest phrase first at each position."""
    out, i = [], 0
    while i < len(toks):
        for words, label in _candidates(toks[i], table):
            if i + len(words) <= len(toks) and all(
                    _word_match(toks[i + k], w) for k, w in enumerate(words)):
                out.append(_Hit(i, i + len(words), label))
                i += len(words) - 1
                break
        i += 1
    return out


@dataclass(frozen=True)
class _Doc:
    text: str
    toks: list[_Tok]
    events: list[_Hit]
    objects: list[_Hit]
    groups: list[_Hit]
    places: list[_Hit]
    words: list[_Hit]
    blocked: list[tuple[int, int]]  # dates, times, links
    starts: list[int]
    ends: list[int]


def _analyse(text: str) -> _Doc:
    masks = [(m.start(), m.end()) for m in _MASK.finditer(text)]
    masked = _MASK.sub(lambda m: " " * len(m.group()), text)  # links and markup are not words
    toks = _tokens(masked)
    blocked = [(d.start, d.end) for d in find_dates(text)] + [(t.start, t.end) for t in find_times(text)]
    blocked += masks
    return _Doc(text, toks, _hits(toks, _EVENTS), _hits(toks, _OBJECTS), _hits(toks, _GROUPS),
                _hits(toks, _PLACES), _hits(toks, _WORDS), blocked,
                [t.start for t in toks], [t.end for t in toks])


def _tok_range(doc: _Doc, start: int, end: int) -> tuple[int, int]:
    """Token indices ``[a, b)`` covering the characters ``[start, end)``."""
    return bisect_right(doc.ends, start), bisect_left(doc.starts, end)


def _word_at(doc: _Doc, k: int, label: str) -> bool:
    return any(h.i == k and h.label == label for h in doc.words)


def _words_between(doc: _Doc, i: int, j: int, label: str) -> int:
    return sum(1 for h in doc.words if i <= h.i < j and h.label == label)


def _is_candidate(doc: _Doc, m: NumberMention, span: tuple[int, int]) -> bool:
    """Whether the number could be a figure (before looking for what it counts)."""
    text = doc.text
    if m.value <= 0 or m.qualifier == "several" or any(m.start < e and s < m.end for s, e in doc.blocked):
        return False
    if text[span[0]:span[1]].strip(" -*#:\t") == m.text or m.text in _ONE_OF:
        return False  # a line holding only a number (SOHR report no.); "أحد" is "one of"
    before, after = text[max(0, m.start - 2):m.start], text[m.end:m.end + 12]
    if re.match(r"(?:st|nd|rd|th|[a-zA-Z\d])\b", after) or re.search(r"[a-zA-Z]-?$", before) \
            or _TIME_SUFFIX.match(after):
        return False  # ordinals, codes ("M5", "9M133"), "five-year"
    if m.text[0].isdigit() and re.search(r"[^\W\dوبلفك_]\.?$", before):
        return False  # footnote marks glued to a word ("الجوية2")
    if re.search(r"(?:^|\n)[ \t]*$", text[max(0, m.start - 8):m.start]) and re.match(r"[-.)]\s", after):
        return False  # numbered list item
    if m.text[:1].isalpha() and text[m.start - 1:m.start].isalpha() and text[m.start - 1] not in "وبلف":
        return False  # a word that only contains a number word ("كميات")
    a, b = _tok_range(doc, m.start, m.end)
    if _word_at(doc, b, "unit") or (a and _word_at(doc, a - 1, "label")):
        return False
    if a and doc.toks[a - 1].forms[0] in _VAGUE_SKIP:
        return False
    is_year = re.fullmatch(r"(?:19|20)\d\d", m.text) and not m.qualifier
    return not (is_year and not _after(doc.groups, b, b + 2))


def _merge_mentions(text: str, ms: list[NumberMention]) -> list[NumberMention]:
    """Join "eleven (11)" into one mention and "3 إلى 4" into a range."""
    out: list[NumberMention] = []
    for m in ms:
        prev = out[-1] if out else None
        gap = text[prev.end:m.start] if prev else ""
        if prev and prev.value == m.value and re.fullmatch(r"\s*\(\s*", gap) \
                and text[m.end:m.end + 1] == ")":
            out[-1] = replace(prev, end=m.end + 1, text=text[prev.start:m.end + 1])
        elif prev and not prev.qualifier and not m.qualifier and prev.value < m.value \
                and _RANGE_GAP.fullmatch(gap):
            out[-1] = replace(prev, end=m.end, text=text[prev.start:m.end], qualifier="range",
                              high=m.value)
        else:
            out.append(m)
    return out


def _named_before(doc: _Doc, hits: list[_Hit], m: NumberMention, a: int, lo: int) -> list[_Hit]:
    """Hits ending right before the number with only spaces between ("فيديو واحد (1)")."""
    return [h for h in hits if h.j == a and h.i >= lo
            and not doc.text[doc.toks[h.j - 1].end:m.start].strip(" (")]


def _one_counts(doc: _Doc, m: NumberMention, a: int, b: int, lo: int) -> bool:
    """A written "one"/"واحد" is a figure only right next to what it counts."""
    if not (m.value == 1 and m.text[:1].isalpha()):
        return True
    if b < len(doc.toks) and doc.toks[b].forms[0] == "of":
        return False
    return bool(_named_before(doc, doc.objects + doc.groups + doc.events, m, a, lo)
                or _after(doc.objects + doc.groups, b, b + 1))


def _after(hits: list[_Hit], lo: int, hi: int) -> list[_Hit]:
    return [h for h in hits if lo <= h.i < hi]


def _nearest(doc: _Doc, a: int, b: int, lo: int, hi: int) -> _Hit | None:
    """The event closest to the number at tokens ``[a, b)`` inside ``[lo, hi)``; qualifier
    words do not count as distance, a conjunction in between counts as two tokens."""
    scored = []
    for h in _after(doc.events, b, min(hi, b + AFTER)):
        scored.append((h.i - b + 3 * _words_between(doc, b, h.i + 1, "and"), h))
    for h in doc.events:
        if max(lo, a - BEFORE) <= h.i and h.j <= a:
            gap = a - h.j - _words_between(doc, h.j, a, "qualifier")
            scored.append((gap + 0.5 + 3 * _words_between(doc, h.j, a, "and"), h))
    return min(scored, key=lambda x: x[0])[1] if scored else None


def _category(doc: _Doc, m: NumberMention, a: int, b: int, lo: int, hi: int) -> str:
    """What the number counts: an object named right after it (or right before "(2)",
    "فيديو واحد"), else the nearest event, else "people" when a group follows."""
    at_b = _after(doc.events, b, b + 1)
    if at_b:  # "3 injured", "69 قتيلًا"
        return at_b[0].label
    objects = []
    if (m.text[:1].isalpha() and m.value <= 2) or doc.text[m.start - 1:m.start] == "(":
        objects = _named_before(doc, doc.objects, m, a, lo)  # "فيديو واحد (1)", "فيديوهين (2)"
    if not objects and not _after(doc.groups, b, b + 1):
        objects = _after(doc.objects, b, min(hi, b + OBJECT_AFTER))
    if objects:
        return objects[0].label
    if m.value != int(m.value):
        return ""
    event = _nearest(doc, a, b, lo, hi)
    if event:
        return event.label
    return "people" if _after(doc.groups, b, min(hi, b + 3)) else ""


def _group(doc: _Doc, a: int, b: int, lo: int, hi: int) -> str:
    """The counted group: the first named after the number (a specific one beats a
    generic one just before it), else one named right before the number."""
    after = _after(doc.groups, b, min(hi, b + GROUP_AFTER))
    if after:
        first = after[0]
        if first.label in V.GENERIC_GROUPS:
            better = [h for h in after[1:] if h.i <= first.j + 4 and h.label not in V.GENERIC_GROUPS]
            return better[0].label if better else first.label
        return first.label
    before = [h for h in doc.groups if h.j == a and h.i >= lo]
    return before[-1].label if before else ""


def _place(doc: _Doc, a: int, b: int, span: tuple[int, int]) -> str:
    """The most specific known place in the clause (nearest among equals), else a named
    settlement or "in X", else the nearest known place earlier in the same sentence."""
    s, e = _tok_range(doc, *span)
    inside = [h for h in doc.places if s <= h.i and h.j <= e]
    if inside:
        def rank(h: _Hit) -> tuple[int, int]:
            return -V.BROAD_PLACES.get(h.label, 2), min(abs(h.i - b), abs(a - h.j))
        return min(inside, key=rank).label
    for mt in _SETTLEMENT.finditer(doc.text, span[0], span[1]):
        name = next(g for g in mt.groups() if g)
        if name.split()[0] not in _NOT_PLACES:
            return name
    back = max(0, span[0] - 1500)
    sent = max((mt.end() for mt in _SENTENCE_END.finditer(doc.text, back, span[0])), default=back)
    s0, _ = _tok_range(doc, sent, span[0])
    earlier = [h for h in doc.places if s0 <= h.i and h.j <= s and h.label != "Syria"]
    return earlier[-1].label if earlier else ""


def _period(doc: _Doc, m: NumberMention, span: tuple[int, int], last: str) -> str:
    """The period phrase of the clause nearest the number ("خلال 6 أيام", "in the past
    24 hours"); "خلال الفترة ذاتها" / "during the same period" repeats ``last``."""
    found = list(_PERIOD.finditer(doc.text, span[0], span[1]))
    if not found:
        return ""
    near = min(found, key=lambda p: min(abs(p.start() - m.end), abs(m.start - p.end())))
    return last if _SAME_PERIOD.search(near.group()) and last else near.group()


def _qualifier(doc: _Doc, m: NumberMention, a: int, lo: int) -> str:
    parts = [m.qualifier] if m.qualifier else []
    if m.high is not None:
        parts.append(f"high={m.high:g}")
    if any(h.label == "revision" and max(lo, a - 10) <= h.i < a for h in doc.words):
        parts.append("revised_up")
    return ",".join(parts)


def _inherit(doc: _Doc, found: list[dict]) -> None:
    """"15 people, including 5 children" and "50 fighters and two civilians were killed":
    a figure with no event takes the event of the figure it is listed with."""
    for k in range(1, len(found)):
        cur, prev = found[k], found[k - 1]
        if not cur["event_at_b"] and prev["category"] not in ("", "people") \
                and _words_between(doc, prev["b"], cur["a"], "including"):
            cur["category"] = prev["category"]
            cur["group"] = cur["group"] or prev["group"]
    for k in range(len(found) - 2, -1, -1):
        cur, nxt = found[k], found[k + 1]
        joined = _words_between(doc, cur["b"], nxt["a"], "and") + \
            _words_between(doc, cur["b"], nxt["a"], "including")
        if cur["category"] in ("", "people") and nxt["category"] in V.EVENTS and joined \
                and nxt["a"] - cur["b"] <= 5 and nxt["event_far"]:
            cur["category"] = nxt["category"]


def _span_figures(doc: _Doc, span: tuple[int, int], numbers: list[NumberMention],
                  base: Figure, last_period: str) -> list[Figure]:
    """The figures of one clause; ``numbers`` are the candidates inside it, in order."""
    s, e = _tok_range(doc, *span)
    ranges = [_tok_range(doc, m.start, m.end) for m in numbers]
    keep = [k for k, m in enumerate(numbers)
            if _one_counts(doc, m, *ranges[k], ranges[k - 1][1] if k else s)]
    numbers, ranges = [numbers[k] for k in keep], [ranges[k] for k in keep]
    found = []
    for k, m in enumerate(numbers):
        a, b = ranges[k]
        lo = ranges[k - 1][1] if k else s
        hi = ranges[k + 1][0] if k + 1 < len(ranges) else e
        event = _nearest(doc, a, b, lo, hi)
        found.append({"m": m, "a": a, "b": b, "lo": lo, "category": _category(doc, m, a, b, lo, hi),
                      "group": _group(doc, a, b, lo, hi), "event_far": bool(event and event.i > b),
                      "event_at_b": bool(_after(doc.events, b, b + 1))})
    _inherit(doc, found)
    out = []
    for f in (f for f in found if f["category"]):
        m = f["m"]
        period = _period(doc, m, span, last_period)
        last_period = period or last_period
        out.append(replace(
            base, value=m.value, qualifier=_qualifier(doc, m, f["a"], f["lo"]),
            category=f["category"], group=f["group"], place=_place(doc, f["a"], f["b"], span),
            period=period, quote=doc.text[span[0]:span[1]], start=span[0], end=span[1]))
    return out


def extract_figures(text: str, *, doc_id: str, path: str, record: str | None, date: str | None,
                    spans: list[tuple[int, int]] | None = None) -> list[Figure]:
    """Every figure of ``text`` with what it counts; ``quote == text[start:end]`` is the
    clause holding it (``spans`` if given, else ``arabic.segment(text)``)."""
    doc = _analyse(text)
    spans = arabic.segment(text) if spans is None else spans
    numbers = find_numbers(text)
    base = Figure(value=0.0, qualifier="", category="", group="", place="", period="", date=date,
                  doc_id=doc_id, path=path, record=record, quote="", start=0, end=0)
    out: list[Figure] = []
    for span in spans:
        inside = [m for m in numbers if span[0] <= m.start and m.end <= span[1]
                  and _is_candidate(doc, m, span)]
        inside = _merge_mentions(text, inside)
        if inside:
            last = next((f.period for f in reversed(out) if f.period), "")
            out.extend(_span_figures(doc, span, inside, base, last))
    return out


def group_label(text: str) -> str:
    """The group label of a label, English name or phrase ("civilians", "المدنيين",
    "Islamic State" → "is"); "" when none is named."""
    key = text.strip()
    if key in V.GROUPS:
        return key
    by_name = {name.lower(): label for label, (name, _) in V.GROUPS.items()}
    if key.lower() in by_name:
        return by_name[key.lower()]
    hits = _hits(_tokens(key), _GROUPS)
    return hits[0].label if hits else ""


def place_label(text: str) -> str:
    """The canonical (English) name of a known place written in Arabic or English, else
    the text itself, stripped ("مخيم اليرموك" → "Yarmouk camp")."""
    hits = _hits(_tokens(text), _PLACES)
    return hits[0].label if hits else text.strip()
