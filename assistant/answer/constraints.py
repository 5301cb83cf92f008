"""Can a report be about what a question asks? Its places, actors and dates.

A report that never names the question's place (nor a place inside it), nor its actor,
nor its year, cannot be about them; one dated months from the day asked about, stating no
such date, is unlikely to be. ``report_fit`` lowers a report's clauses by such misses
(a factor, never a removal: a report may name a place in a way the gazetteer does not
know). Pure functions over the per-answer state (``state.Docs``, ``state.Asked``).
"""

from __future__ import annotations

from datetime import date, timedelta

from assistant.answer.doc_memo import stated_dates
from assistant.answer.entities import agree
from assistant.answer.question import Question
from assistant.answer.state import Asked, Docs
from assistant.records import Hit
from assistant.text.arabic import tokenize
from assistant.text.dates import find_dates


def report_fit(q: Question, hit: Hit, docs: Docs, asked: Asked) -> float:
    """Lower a report that never names the question's place, actor or year (it cannot be
    about them)."""
    penalty = 1.0
    for forms in asked.places:
        if not docs.names(hit, forms):
            penalty *= 0.4
    mentions = docs.entities(hit) + docs.title_entities(hit)
    for entity in q.entities:
        if not any(agree(entity, m) for m in mentions):
            penalty *= 0.4 if entity.kind == "place" else 0.6
    years = {d[:4] for d in q.dates}
    if years:
        known = {hit.date[:4]} if hit.date else set()
        if not years & (known | docs.terms(hit)) and not years & docs.date_years(docs.text(hit)[0]):
            penalty *= 0.5
        else:
            stated = stated_dates(docs.text(hit)[0], docs.memo)
            if not any(date_fits(d, hit.date, stated) for d in q.dates):
                penalty *= 0.4  # the right year, but not the day or month asked about
    return penalty


REPORT_LAG = 10  # days: a report is published up to this long after what it reports


def date_fits(asked: str, report_date: str | None, stated: frozenset[str]) -> bool:
    """Can a report dated ``report_date`` that states ``stated`` be about ``asked`` (an
    ISO day, month or year)?"""
    if len(asked) == 4 or any(d.startswith(asked) or asked.startswith(d) for d in stated):
        return True
    if not report_date or len(report_date) < 10:
        return False
    start = date.fromisoformat(asked + "-01" if len(asked) == 7 else asked)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1) \
        if len(asked) == 7 else start
    published = date.fromisoformat(report_date[:10])
    return start <= published <= end + timedelta(days=REPORT_LAG)


DATE_CLASH = 0.3  # the sentence is about another day than the one asked about
SOURCE_ELSEWHERE = 0.85  # the source asked about is named in the report, not near the clause
SOURCE_ABSENT = 0.4  # the report never names the source asked about


def clause_fit(q: Question, hit: Hit, docs: Docs, span: tuple[int, int], said: float) -> float:
    """Lower a clause whose sentence states another day than the one asked about, or that
    does not come from the source the question names ("according to the WHO")."""
    factor = 1.0
    asked_days = [d for d in q.dates if len(d) >= 7]
    if asked_days:
        stated = _sentence_dates(hit, docs, span)
        precise = [d for d in stated if len(d) >= len(asked_days[0][:7])]
        if precise and not any(_near(a, d) for a in asked_days for d in precise):
            factor *= DATE_CLASH
    if q.sources and said < 0.5:  # "Syrian" alone is not "the Syrian Observatory"
        named = docs.terms(hit) | _words(hit.source) | _words(hit.title)
        share = sum(1 for w in q.sources if w in named) / len(q.sources)
        factor *= SOURCE_ELSEWHERE if share >= 0.5 else SOURCE_ABSENT
    return factor


def _words(text: str | None) -> frozenset[str]:
    return frozenset(tokenize(text or ""))


def _sentence_dates(hit: Hit, docs: Docs, span: tuple[int, int]) -> list[str]:
    """ISO dates stated in the sentence holding ``span`` (report offsets)."""
    text, base = docs.text(hit)
    start, end = next(((s, e) for s, e in docs.sentences(hit) if s <= span[0] < e), span)
    return docs.memo.of(text).get(("sentence dates", start), lambda: [
        d.iso for d in find_dates(text[start - base:end - base]) if d.iso])


def _near(asked: str, stated: str) -> bool:
    """Same day (a day either side: reports date by publication), or same month."""
    if len(asked) == 7 or len(stated) == 7:
        return asked[:7] == stated[:7]
    days = abs((date.fromisoformat(asked[:10]) - date.fromisoformat(stated[:10])).days)
    return days <= 1
