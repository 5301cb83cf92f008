"""Figures in report text: every count with what it counts (pure functions).

``extract_figures`` finds the numbers of a report (digits, Arabic-Indic digits,
number words, via ``text.numbers``), drops those that are not figures (dates,
times, years, durations, distances, ages, labels such as "Resolution 2254", the
SOHR report-number line, codes such as "T-72", numbers in links) and gives each
figure its category (``figure_vocab.EVENTS``/``OBJECTS``), the group it counts
(``figure_vocab.GROUPS`` label; ``group_name`` gives the English name), place,
period and qualifiers. Qualifiers are comma-joined: ``numbers`` qualifiers
(at_least, more_than, about, up_to, range, tens, hundreds …), ``high=N`` for a
range, ``revised_up`` after "ارتفع إلى"/"rose to", and ``part`` for a part of the
figure before it ("17 civilians, among them 4 children": 4 children is a part). A number that counts
nothing we know is not a figure. Vocabulary matching lives in ``figure_match``,
place and period in ``figure_context``, look-ups and claim checks in
``figure_checks``; this module does no I/O.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from functools import lru_cache

from assistant.figures import context as figure_context
from assistant.figures import match as figure_match
from assistant.figures import vocab
from assistant.figures.match import Doc, Hit, Hits
from assistant.lexicon.places import label, resolve
from assistant.lexicon.places import same_place as lexicon_same_place
from assistant.records import Figure
from assistant.text import arabic
from assistant.text.numbers import NumberMention, find_numbers

_VAGUE_SKIP = frozenset({"several", "عدة", "بضعة", "بضع"})
AFTER, BEFORE, OBJECT_AFTER, GROUP_AFTER = 25, 12, 4, 5  # token windows around the number
_RANGE_GAP = re.compile(r"\s*(?:إلى|الى|to|-|–|أو|او|or)\s*")
_TIME_SUFFIX = re.compile(r"-(?:year|month|week|day|hour|minute)s?\b", re.I)
_ONE_OF = frozenset({"أحد", "إحدى", "احد", "احدى"})
_GLUED_AFTER = re.compile(r"(?:st|nd|rd|th|[a-zA-Z\d])\b")  # ordinals, codes ("M5", "9M133")
_GLUED_BEFORE = re.compile(r"[a-zA-Z]-?$")
_FOOTNOTE = re.compile(r"[^\W\dوبلفك_]\.?$")
_LINE_START, _LIST_MARK = re.compile(r"(?:^|\n)[ \t]*$"), re.compile(r"[-.)]\s")
_YEAR = re.compile(r"(?:19|20)\d\d")
# A report with more figures than this is a collection (a year of reports in one file, a
# dump of tables): most of its numbers are noise, and every look-up would wade through them.
MAX_REPORT_FIGURES = 2000
_OPEN_PAREN = re.compile(r"\s*\(\s*")


def group_name(label: str) -> str:
    """English name of a group label ("regime" → "regime forces and allied gunmen")."""
    return vocab.GROUPS[label][0] if label in vocab.GROUPS else label


def _is_candidate(doc: Doc, m: NumberMention, span: tuple[int, int]) -> bool:
    """Whether the number could be a figure (before looking for what it counts)."""
    text = doc.text
    if m.value <= 0 or m.qualifier == "several" or doc.is_blocked(m.start, m.end):
        return False
    if text[span[0]:span[1]].strip(" -*#:\t") == m.text or m.text in _ONE_OF:
        return False  # a line holding only a number (SOHR report no.); "أحد" is "one of"
    before, after = text[max(0, m.start - 2):m.start], text[m.end:m.end + 12]
    if _GLUED_AFTER.match(after) or _GLUED_BEFORE.search(before) or _TIME_SUFFIX.match(after):
        return False  # ordinals, codes ("M5", "9M133"), "five-year"
    if m.text[0].isdigit() and _FOOTNOTE.search(before):
        return False  # footnote marks glued to a word ("الجوية2")
    if _LINE_START.search(text[max(0, m.start - 8):m.start]) and _LIST_MARK.match(after):
        return False  # numbered list item
    if m.text[:1].isalpha() and text[m.start - 1:m.start].isalpha() and text[m.start - 1] not in "وبلف":
        return False  # a word that only contains a number word ("كميات")
    a, b = doc.tok_range(m.start, m.end)
    if doc.words("unit").count(b, b + 1) or (a and doc.words("label").count(a - 1, a)):
        return False
    if a and doc.toks.forms(a - 1)[0] in _VAGUE_SKIP:
        return False
    is_year = _YEAR.fullmatch(m.text) and not m.qualifier
    return not (is_year and not doc.groups.count(b, b + 2))


def _merge_mentions(text: str, ms: list[NumberMention]) -> list[NumberMention]:
    """Join "eleven (11)" into one mention and "3 إلى 4" into a range."""
    out: list[NumberMention] = []
    for m in ms:
        prev = out[-1] if out else None
        gap = text[prev.end:m.start] if prev else ""
        if prev and prev.value == m.value and _OPEN_PAREN.fullmatch(gap) \
                and text[m.end:m.end + 1] == ")":
            out[-1] = replace(prev, end=m.end + 1, text=text[prev.start:m.end + 1])
        elif prev and not prev.qualifier and not m.qualifier and prev.value < m.value \
                and _RANGE_GAP.fullmatch(gap):
            out[-1] = replace(prev, end=m.end, text=text[prev.start:m.end], qualifier="range",
                              high=m.value)
        else:
            out.append(m)
    return out


def _named_before(doc: Doc, hits: Hits, m: NumberMention, a: int, lo: int) -> Hit | None:
    """The hit ending right before the number with only spaces between ("فيديو واحد (1)")."""
    h = hits.ending_at(a, lo)
    return h if h and not doc.text[doc.toks.ends[h.j - 1]:m.start].strip(" (") else None


def _one_counts(doc: Doc, m: NumberMention, a: int, b: int, lo: int) -> bool:
    """A written "one"/"واحد" is a figure only right next to what it counts."""
    if not (m.value == 1 and m.text[:1].isalpha()):
        return True
    if b < len(doc.toks.infos) and doc.toks.forms(b)[0] == "of":
        return False
    return any(_named_before(doc, h, m, a, lo) for h in (doc.objects, doc.groups, doc.events)) \
        or bool(doc.objects.count(b, b + 1) or doc.groups.count(b, b + 1))


def _nearest(doc: Doc, a: int, b: int, lo: int, hi: int) -> Hit | None:
    """The event closest to the number at tokens ``[a, b)`` inside ``[lo, hi)``; qualifier
    words do not count as distance, a conjunction in between counts as two tokens."""
    conj, qual = doc.words("and"), doc.words("qualifier")
    scored = [(h.i - b + 3 * conj.count(b, h.i + 1), h)
              for h in doc.events.starting(b, min(hi, b + AFTER))]
    for h in doc.events.starting(max(lo, a - BEFORE), a):
        if h.j <= a:
            gap = a - h.j - qual.count(h.j, a)
            scored.append((gap + 0.5 + 3 * conj.count(h.j, a), h))
    return min(scored, key=lambda x: x[0])[1] if scored else None


def _category(doc: Doc, m: NumberMention, a: int, b: int, lo: int, hi: int) -> str:
    """What the number counts: an object named right after it (or right before "(2)",
    "فيديو واحد"), else the nearest event, else "people" when a group follows."""
    at_b = doc.events.starting(b, b + 1)
    if at_b:  # "3 injured", "69 قتيلًا"
        return at_b[0].label
    obj = None
    if (m.text[:1].isalpha() and m.value <= 2) or doc.text[m.start - 1:m.start] == "(":
        obj = _named_before(doc, doc.objects, m, a, lo)  # "فيديو واحد (1)", "فيديوهين (2)"
    if not obj and not doc.groups.count(b, b + 1):
        obj = next(iter(doc.objects.starting(b, min(hi, b + OBJECT_AFTER))), None)
    if obj:
        return obj.label
    if m.value != int(m.value):
        return ""
    event = _nearest(doc, a, b, lo, hi)
    if event:
        return event.label
    return "people" if doc.groups.count(b, min(hi, b + 3)) else ""


def _group(doc: Doc, a: int, b: int, lo: int, hi: int) -> str:
    """The counted group: the first named after the number (a specific one beats a
    generic one just before it), else one named right before the number."""
    after = doc.groups.starting(b, min(hi, b + GROUP_AFTER))
    if after:
        first = after[0]
        if first.label in vocab.GENERIC_GROUPS:
            better = [h for h in after[1:] if h.i <= first.j + 4 and h.label not in vocab.GENERIC_GROUPS]
            return better[0].label if better else first.label
        return first.label
    before = doc.groups.ending_at(a, lo)
    return before.label if before else ""


def _qualifier(doc: Doc, m: NumberMention, a: int, lo: int) -> str:
    parts = [m.qualifier] if m.qualifier else []
    if m.high is not None:
        parts.append(f"high={m.high:g}")
    if doc.words("revision").count(max(lo, a - 10), a):
        parts.append("revised_up")
    return ",".join(parts)


def _inherit(doc: Doc, found: list[dict]) -> None:
    """"15 people, including 5 children" and "50 fighters and two civilians were killed":
    a figure with no event takes the event of the figure it is listed with."""
    conj, including = doc.words("and"), doc.words("including")
    for k in range(1, len(found)):
        cur, prev = found[k], found[k - 1]
        if cur["event_at_b"]:
            continue
        listed = including.count(prev["b"], cur["a"])
        # "بينهم 5 أطفال و3 نساء": a figure joined by "and" to a part of a total is a part too
        more = prev.get("part") and conj.count(prev["b"], cur["a"]) and cur["a"] - prev["b"] <= 3
        cur["part"] = bool(listed or more)
        if (listed and prev["category"] not in ("", "people")) or more:
            cur["category"] = prev["category"]
            cur["group"] = cur["group"] or prev["group"]
    for k in range(len(found) - 2, -1, -1):
        cur, nxt = found[k], found[k + 1]
        joined = conj.count(cur["b"], nxt["a"]) + including.count(cur["b"], nxt["a"])
        if cur["category"] in ("", "people") and nxt["category"] in vocab.EVENTS and joined \
                and nxt["a"] - cur["b"] <= 5 and nxt["event_far"]:
            cur["category"] = nxt["category"]


def _span_figures(doc: Doc, span: tuple[int, int], numbers: list[NumberMention],
                  base: Figure, last_period: str) -> list[Figure]:
    """The figures of one clause; ``numbers`` are the candidates inside it, in order."""
    s, e = doc.tok_range(*span)
    ranges = [doc.tok_range(m.start, m.end) for m in numbers]
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
                      "event_at_b": bool(doc.events.count(b, b + 1))})
    _inherit(doc, found)
    out = []
    for f in (f for f in found if f["category"]):
        m = f["m"]
        period = figure_context.period(doc, m, span, last_period)
        last_period = period or last_period
        out.append(replace(
            base, value=m.value,
            qualifier=",".join(q for q in (_qualifier(doc, m, f["a"], f["lo"]),
                                           "part" if f.get("part") else "") if q),
            category=f["category"], group=f["group"], place=figure_context.place(doc, f["a"], f["b"], span),
            period=period, quote=doc.text[span[0]:span[1]], start=span[0], end=span[1]))
    return out


def extract_figures(text: str, *, doc_id: str, path: str, record: str | None, date: str | None,
                    spans: list[tuple[int, int]] | None = None) -> list[Figure]:
    """Every figure of ``text`` with what it counts; ``quote == text[start:end]`` is the
    clause holding it (``spans`` if given, else ``arabic.segment(text)``)."""
    normalized = arabic.normalize_with_map(text)
    numbers = sorted(find_numbers(text, normalized=normalized), key=lambda m: m.start)
    if not numbers:
        return []
    doc = figure_match.analyse(text, normalized)
    spans = arabic.segment(text) if spans is None else spans
    starts = [m.start for m in numbers]
    base = Figure(value=0.0, qualifier="", category="", group="", place="", period="", date=date,
                  doc_id=doc_id, path=path, record=record, quote="", start=0, end=0)
    out: list[Figure] = []
    for span in spans:  # only clauses holding a number are analysed further
        inside = [m for m in numbers[bisect_left(starts, span[0]):bisect_left(starts, span[1])]
                  if m.end <= span[1] and _is_candidate(doc, m, span)]
        inside = _merge_mentions(text, inside)
        if inside:
            last = next((f.period for f in reversed(out) if f.period), "")
            out.extend(_span_figures(doc, span, inside, base, last))
    return out


def bound_figures(figures: list[Figure], limit: int = MAX_REPORT_FIGURES) -> list[Figure]:
    """At most ``limit`` figures of one report. Over the limit only the counts of an event
    (killed, injured, captured, …) that name the group or the place are kept, the first
    ``limit`` of them in the order of the text."""
    if len(figures) <= limit:
        return figures
    return [f for f in figures if f.category in vocab.EVENTS and (f.group or f.place)][:limit]


def group_label(text: str) -> str:
    """The group label of a label, English name or phrase ("civilians", "المدنيين",
    "Islamic State" → "is"); "" when none is named."""
    key = text.strip()
    if key in vocab.GROUPS:
        return key
    by_name = {name.lower(): label for label, (name, _) in vocab.GROUPS.items()}
    if key.lower() in by_name:
        return by_name[key.lower()]
    hits = figure_match.tokenize(key).hits(figure_match.GROUPS)
    return hits[0].label if hits else ""


def place_label(text: str) -> str:
    """The gazetteer's (English) name of a place written in Arabic or English, with its
    qualifier, else the text itself, stripped ("مخيم اليرموك" → "Yarmouk camp")."""
    found = resolve(text)
    return label(found) if found else text.strip()


@lru_cache(maxsize=8192)
def same_place(a: str, b: str) -> bool:
    """Two place names (Arabic or English) for the same place, or one inside the other
    (memoised: a figures table repeats a few hundred places over thousands of figures)."""
    return lexicon_same_place(a, b)
