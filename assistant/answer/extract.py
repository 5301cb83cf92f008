"""Typed short answers inside one clause of a report (pure functions).

Given a typed ``Question`` and a clause (a span of the report text), find the
figure attached to what is counted (not a date, year, duration or the
question's own figure), a date, a clock time, a place, an actor or a weapon.
Every ``Found`` carries a span into the report text. Choosing between clauses
and reports is ``answer.py``'s job; clause tokens come from ``clause_tokens.py``
(re-exported here).
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.clause_tokens import Found, Tok, tokens, url_spans
from assistant.answer.clause_tokens import (
    has_term as has_term,  # re-exported (answer.py reads them here)
)
from assistant.answer.clause_tokens import is_label_line as is_label_line
from assistant.answer.clause_tokens import terms as terms
from assistant.answer.entities import Entity, agree
from assistant.answer.figure_fit import figure_at, fit
from assistant.answer.measures import measure_answers, measure_kind
from assistant.answer.named import named_answers
from assistant.answer.question import Question, concept_forms
from assistant.answer.terms import concept_of, form_matcher
from assistant.figures.asked import question_figure
from assistant.lexicon import (
    CONCEPTS,
    EVENTS,
    FILLER_WORDS,
    UNIT_WORDS,
)
from assistant.records import Figure
from assistant.text import numbers
from assistant.text.arabic import normalize, normalize_digits, tokenize

MIN_TYPED = 0.25  # below this a figure is not tied to what was asked: no answer
FIGURE_READ = 0.75  # a number the figure reader counts as what was asked, wherever its words
TOTAL_BONUS = 1.25  # a figure the report calls a total ("in total", «ما مجموعه»)
_TOTAL = re.compile(r"(?:مجموع\S*|اجمالي\S*|إجمالي\S*|إجمالا|اجمالا|كاملة|بالمجمل|in total|a total of"
                    r"|total of|overall|altogether|in all)\s*(?:\S+\s*){0,2}$", re.I)
_FILLER = frozenset(tokenize(FILLER_WORDS))
_UNITS = frozenset(tokenize(UNIT_WORDS))
_EVENT_FORMS = frozenset(f for name in EVENTS for w in CONCEPTS[name] for f in tokenize(w))
_NUMBER_LABEL = re.compile(r"(?:رقم|number|no\.?|#)\s*$", re.I)
_NOT_AVAILABLE = re.compile(r"غير متوفر|غير معروف|not available|unknown|n/a", re.I)


def typed_answers(q: Question, text: str, start: int, end: int,
                  mentions: tuple[Entity, ...] = (), figures: tuple[Figure, ...] = ()
                  ) -> list[Found]:
    """Every answer of ``q``'s type in the clause ``text[start:end]``, best first
    (``mentions``: the places and actors the text names, for a figure's actor;
    ``figures``: the text's figures, for what each number counts).

    One scoring under ``MIN_TYPED`` is not tied to what was asked: not an answer,
    though it shows the clause holds something of the asked type.
    """
    if q.qtype == "count":
        return sorted(count_answers(q, text, start, end, mentions, figures),
                      key=lambda f: -f.score)
    if q.qtype == "measure":
        kind = measure_kind(q.text) or "number"
        return sorted(measure_answers(kind, text, start, end), key=lambda f: -f.score)
    if q.qtype in ("place", "actor", "weapon"):
        return sorted(named_answers(q, text, start, end, mentions), key=lambda f: -f.score)
    fn = {"date": date_answers, "time": time_answers}.get(q.qtype)
    found = fn(q, text, start, end) if fn else []
    return sorted(found, key=lambda f: -f.score)


# ---------------------------------------------------------------- counts
def count_answers(q: Question, text: str, start: int, end: int,
                  named: tuple[Entity, ...] = (), figures: tuple[Figure, ...] = ()
                  ) -> list[Found]:
    clause = text[start:end]
    actors = [e for e in q.entities if e.kind == "actor"]
    asked = question_figure(q.text) if figures else None
    toks = tokens(text, start, end)
    blocked = url_spans(clause) + [(d.start, d.end) for d in numbers.find_dates(clause)]
    blocked += [(t.start, t.end) for t in numbers.find_times(clause)]
    mentions = [m for m in numbers.find_numbers(clause)
                if not any(s < m.end and m.start < e for s, e in blocked)]
    out = []
    for i, m in enumerate(mentions):
        a, b = start + m.start, start + m.end
        if _not_a_figure(q, m, clause, toks, b):
            continue
        lo = start + mentions[i - 1].end if i else start
        hi = start + mentions[i + 1].start if i + 1 < len(mentions) else end
        after = [t for t in toks if b <= t.start < hi and t.term not in _FILLER][:8]
        before = [t for t in toks if lo <= t.start and t.end <= a and t.term not in _FILLER][-6:]
        score, noun_end = _attach(q, after, before, toks, a)
        fig = figure_at(figures, start, m.value) if asked is not None else None
        # (not when the question counts people the figure reader has no group for —
        # "teachers" — and the figure counts a group it knows: "22 children")
        if fig is not None and asked.category == fig.category and fit(asked, fig) == 1.0 \
                and not (q.target_terms and not asked.group and fig.group):
            # the figure reader ties this number to what was asked, across a long clause
            # ("ارتفع إلى 52 … عدد عناصر قوات النظام … ممن قتلوا")
            score = max(score, FIGURE_READ)
        else:
            local = 0.3 if q.target_terms else 0.5
            score *= 1 - local + local * _local_share(q, toks, a, hi)
        if actors:  # "how many IS fighters": the figure must count that actor's people
            score *= _actor_fit(actors, named, a, b, hi)
        if asked is not None:  # what the figure counts: event, group, a part of a whole
            score *= fit(asked, fig)
        if _TOTAL.search(clause[max(0, m.start - 30):m.start]):
            score = min(1.0, score * TOTAL_BONUS)  # "ما مجموعه 43 حادثة", "a total of 43"
        if m.value in q.numbers:
            score *= 0.3  # the question's own figure ("among the 25 dead") is not the answer
        if m.qualifier in ("tens", "hundreds", "thousands", "dozens", "several"):
            score *= 0.6
        short_end = max(b, noun_end)
        out.append(Found(text[a:short_end], a, short_end, score, _num_key(m.value, m.high)))
    return out


ACTOR_REACH = 80  # chars after a figure in which the actor it counts is named


def _actor_fit(asked: list[Entity], mentions: tuple[Entity, ...], a: int, b: int,
               hi: int) -> float:
    """How well the actor a figure counts fits the one asked about: the first actor named
    after the figure (before the next figure), else the last one just before it."""
    after = [m for m in mentions if m.kind == "actor" and b <= m.start < min(hi, b + ACTOR_REACH)]
    before = [m for m in mentions if m.kind == "actor" and a - 40 <= m.end <= a]
    named = after[0] if after else before[-1] if before else None
    if named is None:
        return 0.8
    return 1.0 if any(agree(x, named) for x in asked) else 0.35


def _local_share(q: Question, toks: list[Tok], at: int, hi: int) -> float:
    """Share of the clause's other question-term matches that follow this figure.

    In "63 حادثة … ذخائر عنقودية، 39 حادثة … أسلحة حارقة" the asked-about
    weapon follows one figure only; the few words before a figure count half.
    """
    extra = tuple(f for t in q.key_terms if t not in q.target_terms
                  and t not in q.event_terms and not t.isdigit() for f in concept_forms(t))
    match = form_matcher(extra)
    hits = [t for t in toks if match(t.term)]
    if not hits:
        return 1.0
    before = [t for t in toks if t.start < at][-5:]
    near = sum(1.0 for t in hits if at <= t.start < hi) + 0.5 * sum(1 for t in hits if t in before)
    return near / len(hits)


def _not_a_figure(q: Question, m, clause: str, toks: list[Tok], b: int) -> bool:
    if re.fullmatch(r"(?:19|20)\d\d", m.text):
        return True
    if _NUMBER_LABEL.search(clause[max(0, m.start - 8):m.start]):
        return True
    nxt = [t for t in toks if t.start >= b][:1]
    asks_units = any(f in _UNITS for f in q.target_terms)
    return bool(nxt) and nxt[0].term in _UNITS and not asks_units and nxt[0].start - b < 3


def _attach(q: Question, after: list[Tok], before: list[Tok], toks: list[Tok],
            at: int) -> tuple[float, int]:
    """How closely the figure is tied to what is counted (and the event), and the noun's end."""
    target = q.target_terms or q.event_terms
    fwd = _first(after, target)
    back = _first(list(reversed(before)), target)
    f_score = max(0.0, 1 - 0.15 * fwd) if fwd is not None else 0.0
    # right before the figure: a verb ("قتل 8", "killed 24") or a label ("toll of 48")
    b_score = (0.95 if back == 0 else 0.8 * max(0.0, 1 - 0.2 * back)) if back is not None else 0.0
    noun_end = _noun_end(after, fwd, target) if fwd is not None and fwd <= 4 else 0
    if not target:
        return (0.5 if after else 0.3), noun_end
    if fwd is None and back is None and not any(concept_of(t) for t in q.target_terms):
        # what is counted is a word the vocabulary does not know ("الأموال" for "5 ملايين
        # دولار"): its absence next to the number says little
        return (0.4 if after else 0.25), noun_end
    score = max(f_score, b_score)
    if q.target_terms and q.event_terms:
        event_match = form_matcher(q.event_terms)
        dists = [abs(t.start - at) for t in toks if event_match(t.term)]
        event = max(0.0, 1 - min(dists) / 200) if dists else 0.0
        score = 0.75 * score + 0.25 * event
    if q.event_terms and _other_event(q, [*after[:1], *before[-1:]]):
        score *= 0.5  # "قتل ثمانية … وأصيب 20": asked about the injured, 8 were killed
    return score, noun_end


def _other_event(q: Question, near: list[Tok]) -> bool:
    asked = form_matcher(q.event_terms)
    other = form_matcher(_other_event_forms(q.event_terms))
    for t in near:
        if asked(t.term):
            return False
        if other(t.term):
            return True
    return False


@lru_cache(maxsize=256)
def _other_event_forms(asked: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(_EVENT_FORMS - set(asked)))


def _noun_end(after: list[Tok], i: int, target: tuple[str, ...]) -> int:
    """End of the counted noun phrase: the matched token and the target tokens right after it."""
    end = after[i].end
    match = form_matcher(target)
    for t in after[i + 1:i + 4]:
        if not match(t.term):
            break
        end = t.end
    return end


def _first(toks: list[Tok], forms: tuple[str, ...]) -> int | None:
    match = form_matcher(forms)
    for i, t in enumerate(toks):
        if match(t.term):
            return i
    return None


def _num_key(value: float, high: float | None) -> str:
    def fmt(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else str(v)
    return fmt(value) + (f"-{fmt(high)}" if high is not None else "")


# ------------------------------------------------------------ dates, times
_TIME_LABEL = re.compile(r"^[\s\-_*•]*(?:الوقت|التوقيت|الساعة|time)\s*:", re.I)
_DATE_LABEL = re.compile(r"^[\s\-_*•]*(?:التاريخ|تاريخ الهجوم|تاريخ الحادثة|date)\s*:", re.I)


def date_answers(q: Question, text: str, start: int, end: int) -> list[Found]:
    out: list[Found] = []
    label = 1.0 if _DATE_LABEL.match(text[start:end]) else 0.9
    for d in numbers.find_dates(text[start:end]):
        iso = d.iso or ""
        score = label if len(iso) == 10 else 0.8 if d.iso is None else 0.6
        if iso and iso in q.dates:
            score *= 0.3  # the question already states this date
        elif q.dates and iso and not any(iso.startswith(qd) or qd.startswith(iso) for qd in q.dates):
            score *= 0.3  # outside the month/year the question names
        found = Found(d.text, start + d.start, start + d.end, score, iso or normalize(d.text))
        if out and _DATE_LIST.fullmatch(text[out[-1].end:found.start]) and found.score >= 0.5:
            prev = out[-1]  # "في 25 مارس 2017، و30 مارس 2017": both dates answer
            out.append(Found(text[prev.start:found.end], prev.start, found.end,
                             min(1.0, max(prev.score, found.score) + 0.05), f"{prev.key}+{found.key}"))
        out.append(found)
    return out + _bare_years(q, text, start, end, out)


_BARE_YEAR = re.compile(r"(?<![\d.,،/:])(?:1\d{3}|20\d{2})(?!\d|%|[.,،/:]\d)")  # not 1.5, 12/3


def _bare_years(q: Question, text: str, start: int, end: int, dates: list[Found]) -> list[Found]:
    """Years standing alone ("في 1817", "(1185 - 1226)"): ``find_dates`` wants a day or month."""
    asked = {d[:4] for d in q.dates} | {f"{v:.0f}" for v in q.numbers}  # the question's own
    spans = [(start + m.start(), start + m.end(), m.group())
             for m in _BARE_YEAR.finditer(normalize_digits(text[start:end]))]
    return [Found(text[a:b], a, b, 0.15 if y in asked else 0.5, y) for a, b, y in spans
            if not any(d.start < b and a < d.end for d in dates)]


_DATE_LIST = re.compile(r"[\s،,]*(?:و|and|&)?\s*")


def time_answers(q: Question, text: str, start: int, end: int) -> list[Found]:
    label = 1.0 if _TIME_LABEL.match(text[start:end]) else 0.85
    return [Found(t.text, start + t.start, start + t.end, label - (0.1 if t.approx else 0), t.hhmm)
            for t in numbers.find_times(text[start:end])]
