"""The figures table as records and rows: look-ups, CSV/JSON rows and the figures of a question.

``load_figures`` reads the ``figures`` table written at ingest (joined with its
report for path, record, source and the quote ``text[start:end]``) and filters it
by place, group, category, report date range, source and report. ``figure_rows``
and ``write_csv`` turn figures into the rows ``isnad figures`` prints;
``question_figure`` reads what a count question counts ("how many regime soldiers
were killed in south Damascus" → killed / regime / south Damascus) by reading the
question as a figure sentence; ``count_figures`` loads the figures matching a
count question and ``enrich_count_answer`` adds to an evidence answer how the
figure it quotes was revised or contradicted by other reports ("45 in the report
of 20 April 2018 [2], raised to 52 in the report of 23 April 2018 [1]"). Only
``load_figures``/``count_figures`` read the store; the rest is pure.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import IO

from assistant.answer.doc_memo import stated_dates
from assistant.answer.question import concept_forms, understand
from assistant.answer.terms import form_matcher
from assistant.answer.twins import same_report
from assistant.answer.verify import verify
from assistant.figures.asked import question_figure
from assistant.figures.checks import VAGUE, match_figures, revisions
from assistant.figures.extract import group_label, same_place
from assistant.figures.vocab import EVENTS
from assistant.records import Answer, Check, Citation, Figure, Report
from assistant.store.base import FigureQuery, ReportStore
from assistant.text import numbers
from assistant.text.arabic import detect_language, tokenize

COLUMNS = ("value", "qualifier", "category", "group", "place", "period", "date", "doc_id",
           "path", "record", "quote", "start", "end")


@dataclass(frozen=True)
class FigureFilter:
    """What ``load_figures`` keeps; every field is optional (None keeps all)."""

    place: str | None = None
    group: str | None = None  # label ("regime"), English name or phrase ("قوات النظام")
    category: str | None = None  # "killed", "injured", "strikes" … (figure_vocab)
    since: str | None = None  # report date, ISO, inclusive
    until: str | None = None
    sources: tuple[str, ...] | None = None
    doc_ids: tuple[str, ...] | None = None
    exact: bool = False  # drop vague figures ("dozens", "عشرات")


def load_figures(store: ReportStore, flt: FigureFilter | None = None) -> list[Figure]:
    """Figures of the index that pass ``flt``, by report date (undated last), report, offset.

    Category, group (any spelling, as its label), source and report are filtered in
    SQL; place (Arabic or English, fuzzy) and dates by ``figure_checks.match_figures``.
    """
    flt = flt or FigureFilter()
    label = group_label(flt.group) if flt.group else None
    if flt.group and not label:
        return []  # a group we do not know counts nothing in the table
    # Report filters as in retrieval; figure dates are matched below (a figure's date).
    figs = store.figures(FigureQuery(category=flt.category, group=label,
                                     sources=flt.sources, doc_ids=flt.doc_ids))
    figs = match_figures(figs, place=flt.place or None,
                         since=flt.since or None, until=flt.until or None)
    if flt.exact:
        figs = [f for f in figs if not VAGUE & set(f.qualifier.split(","))]
    return figs


def figure_rows(figures: Iterable[Figure]) -> list[dict]:
    """JSON-ready rows with the ``COLUMNS`` keys (``group`` is the group label)."""
    return [{k: getattr(f, k) for k in COLUMNS} for f in figures]


def write_csv(figures: Iterable[Figure], out: IO[str]) -> int:
    """Write a CSV with a header row to ``out``; returns the number of rows.

    The caller opens ``out`` (``isnad figures --csv`` writes UTF-8 with a BOM so
    that Excel shows Arabic; the BOM is not written here). Values are written
    as-is: a quote keeps its newlines inside a quoted cell.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    n = 0
    for row in figure_rows(figures):
        value = row["value"]
        row["value"] = int(value) if float(value).is_integer() else value
        writer.writerow([("" if row[k] is None else row[k]) for k in COLUMNS])
        n += 1
    return n


# -- count questions ---------------------------------------------------------------------------
MAX_OTHERS = 4  # other reports named in the revision sentence
CONTEXT = 250  # characters either side of a figure's clause read for relevance
_MONTHS = {"en": "January February March April May June July August September October November "
                 "December".split(),
           "ar": "كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني"
                 "|كانون الأول".split("|")}
_WORDS = {"en": {"first": "Over time: {v} in {r} [{n}]", "up": "raised to {v} in {r} [{n}]",
                 "down": "lowered to {v} in {r} [{n}]", "same": "the same {v} in {r} [{n}]",
                 "report": "the report of {d}", "undated": "an undated report gives {v} [{n}]",
                 "all_undated": "Other reports: ", "sep": ", ", "semi": "; "},
          "ar": {"first": "عبر الزمن: {v} في {r} [{n}]", "up": "ثم ارتفع إلى {v} في {r} [{n}]",
                 "down": "ثم انخفض إلى {v} في {r} [{n}]", "same": "والرقم نفسه {v} في {r} [{n}]",
                 "report": "تقرير {d}", "undated": "ويذكر تقرير غير مؤرخ {v} [{n}]",
                 "all_undated": "تقارير أخرى: ", "sep": "، ", "semi": "؛ "}}


def count_figures(store: ReportStore, question: str, *, since: str | None = None,
                  until: str | None = None, sources: Iterable[str] | None = None,
                  doc_ids: Iterable[str] | None = None) -> list[Figure]:
    """Exact figures of what a count question counts (category and group), in its place
    or with no place stated; [] for other questions or when the count is not understood."""
    if understand(question).qtype != "count":
        return []
    target = question_figure(question)
    if target is None or target.category == "people" and target.group in ("", "people"):
        return []  # "how many people …" with no event: too vague to look up
    figs = load_figures(store, FigureFilter(
        category=target.category, group=target.group or None, since=since, until=until,
        sources=tuple(sources) if sources else None, doc_ids=tuple(doc_ids) if doc_ids else None,
        exact=True))
    if target.place:
        figs = [f for f in figs if not f.place or same_place(target.place, f.place)]
    return figs


def enrich_count_answer(answer: Answer, figures: list[Figure],
                        report: Callable[[str], Report]) -> Answer:
    """``answer`` with a sentence on the other reports' figures of the count it quotes.

    Conservative: the short answer and the quotes are kept; the sentence is added
    only when a figure of ``figures`` lies in the answer's first quote with the
    short answer's value (the anchor), counts people (killed, injured, …) of a
    named group or place, and other reports give a figure of the same category,
    group and place whose context covers the question about as well as the
    anchor's does. Extra citations are numbered after the existing ones.
    """
    anchor = _anchor(answer, figures)
    if anchor is None or anchor.category not in EVENTS or not (anchor.group or anchor.place):
        return answer  # only tolls of a named group or place are followed across reports
    cover = Coverage(answer.question, report)
    others = _others(anchor, figures, cover)
    if not others:
        return answer
    cites = list(answer.citations)
    numbered = [(f, _cite_for(f, cites, report)) for f in revisions([anchor, *others])]
    lang = "ar" if detect_language(answer.question) == "ar" else "en"
    md = f"{answer.answer}\n\n{_revision_sentence(numbered, lang)}"
    return replace(answer, answer=md, citations=cites, checks=_checks(md, cites))


def _anchor(answer: Answer, figures: list[Figure]) -> Figure | None:
    if not answer.found or not answer.citations or not answer.short_answer:
        return None
    values = {m.value for m in numbers.find_numbers(answer.short_answer, skip_dates=True)}
    first = answer.citations[0]
    inside = [f for f in figures if f.doc_id == first.doc_id and f.value in values
              and f.start < first.end and first.start < f.end]
    return inside[0] if inside else None


class Coverage:
    """Share of a question's (or claim's) key terms in a figure's clause, its surroundings
    and its report's title (Arabic and English forms of known concepts count); 0 when
    the question names a day the figure's report never mentions."""

    def __init__(self, question: str, report: Callable[[str], Report]) -> None:
        q = understand(question)
        self.terms = [concept_forms(t) for t in q.key_terms if not t.isdigit()]
        self.dates = {d[:10] for d in q.dates if len(d) == 10}
        self.report = report
        self._texts: dict[str, tuple[str, str, bool]] = {}  # doc_id -> (text, title, names the day)

    def __call__(self, f: Figure) -> float:
        if f.doc_id not in self._texts:
            rep = self.report(f.doc_id)
            days = stated_dates(rep.text) if self.dates else frozenset()
            self._texts[f.doc_id] = (rep.text, rep.title, not self.dates or bool(self.dates & days))
        text, title, day_ok = self._texts[f.doc_id]
        if not day_ok:
            return 0.0
        window = f"{title}\n{text[max(0, f.start - CONTEXT):f.end + CONTEXT]}"
        toks = set(tokenize(window))
        got = sum(1 for forms in self.terms if any(map(form_matcher(forms), toks)))
        return got / len(self.terms) if self.terms else 0.0


def _others(anchor: Figure, figures: list[Figure], cover: Coverage) -> list[Figure]:
    """One figure per other report: same count as the anchor, as relevant to the question."""
    need = max(0.5, 0.8 * cover(anchor))
    best: dict[str, tuple[float, Figure]] = {}
    for f in figures:
        if f.doc_id == anchor.doc_id or f.group != anchor.group or f.category != anchor.category:
            continue
        if same_report(anchor.path, f.path):  # a translation of the anchor's report: not another
            continue
        if f.place and anchor.place and not same_place(f.place, anchor.place):
            continue
        score = cover(f)
        if score >= need and (f.doc_id not in best or score > best[f.doc_id][0]):
            best[f.doc_id] = (score, f)
    ranked = sorted(best.values(), key=lambda x: -x[0])[:MAX_OTHERS]
    return [f for _, f in ranked]


def _cite_for(f: Figure, cites: list[Citation], report: Callable[[str], Report]) -> int:
    """The number of a citation quoting ``f``'s clause (added when there is none)."""
    for c in cites:
        if c.doc_id == f.doc_id and c.start <= f.start and f.end <= c.end:
            return c.n
    rep = report(f.doc_id)
    n = len(cites) + 1
    cites.append(Citation(n=n, doc_id=f.doc_id, path=rep.path, record=rep.record, title=rep.title,
                          date=rep.date, source=rep.source, url=rep.url, quote=f.quote,
                          start=f.start, end=f.end, score=0.0))
    return n


def _revision_sentence(numbered: list[tuple[Figure, int]], lang: str) -> str:
    """Dated figures in date order ("raised to", "lowered to"), then undated ones."""
    w = _WORDS[lang]
    parts, prev = [], None
    for f, n in numbered:
        if not f.date:
            continue
        where = w["report"].format(d=format_date(f.date, lang))
        kind = "first" if prev is None else ("up" if f.value > prev else
                                             "down" if f.value < prev else "same")
        parts.append(w[kind].format(v=_number(f.value), r=where, n=n))
        prev = f.value
    undated = [w["undated"].format(v=_number(f.value), n=n) for f, n in numbered if not f.date]
    if not parts:
        return w["all_undated"] + w["sep"].join(undated) + "."
    return w["sep"].join(parts) + "".join(w["semi"] + u for u in undated) + "."


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def format_date(iso: str, lang: str = "en") -> str:
    """"2018-04-23" → "23 April 2018" / "23 نيسان 2018" (a year or month alone as is)."""
    parts = iso.split("-")
    if len(parts) != 3:
        return iso
    y, m, d = parts
    return f"{int(d)} {_MONTHS[lang][int(m) - 1]} {y}"


def _checks(md: str, cites: list[Citation]) -> list[Check]:
    """``verify`` checks; a report date stated as such is checked against the cited
    report's date (it is metadata, not in the quote)."""
    by_n = {c.n: c for c in cites}
    out = []
    for c in verify(md, cites):
        if not c.ok and c.detail.startswith("date "):
            refs = [int(x) for x in re.findall(r"\[(\d+)\]", c.detail)]
            iso = next((d.iso for d in numbers.find_dates(c.claim) if d.iso), None)
            if iso and any(by_n[r].date == iso for r in refs if r in by_n):
                c = Check(c.claim, True, f"date {c.claim} is the date of report "
                          + ", ".join(f"[{r}]" for r in refs))
        out.append(c)
    return out
