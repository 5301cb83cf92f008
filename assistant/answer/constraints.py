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
