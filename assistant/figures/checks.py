"""Figure look-ups and claim checks over extracted figures (pure functions).

``match_figures`` filters figures by category, group, place and report date;
``revisions`` orders the figures of one count by report date ("45 in the
report of 20 April, raised to 52 in the report of 23 April"); ``claim_figures``
reads the figures of a claim and ``judge_claim`` compares them with report
figures. Vague figures ("dozens", "عشرات") never support or contradict a claim.
This module reads no store: callers pass the figures they loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.figures.extract import extract_figures, group_label, same_place
from assistant.records import Figure

VAGUE = frozenset({"tens", "dozens", "hundreds", "thousands", "several"})


@dataclass(frozen=True)
class ClaimFigure:
    """A figure stated in a claim."""

    value: float
    category: str
    group: str
    place: str
    qualifier: str = ""


@dataclass(frozen=True)
class ClaimJudgement:
    """``verdict`` is "supported", "contradicted" or "not_found"; ``figures`` are the
    report figures it rests on; ``detail`` says why, one line per claim figure."""

    verdict: str
    figures: list[Figure] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)


def match_figures(figures: list[Figure], *, category: str | None = None, group: str | None = None,
                  place: str | None = None, since: str | None = None,
                  until: str | None = None) -> list[Figure]:
    """The figures of that category, group (label, English name or phrase), place
    (Arabic or English) and report date range (ISO, inclusive)."""
    label = group_label(group) if group else None
    out = []
    for f in figures:
        if (category and f.category != category) or (label is not None and f.group != label):
            continue
        if place and not (f.place and same_place(place, f.place)):
            continue
        if (since or until) and not f.date:
            continue
        if (since and f.date < since) or (until and f.date[:len(until)] > until):
            continue
        out.append(f)
    return out


def revisions(figures: list[Figure]) -> list[Figure]:
    """Figures ordered by report date (undated last), then report and position."""
    return sorted(figures, key=lambda f: (f.date is None, f.date or "", f.doc_id, f.start))


def claim_figures(claim_text: str) -> list[ClaimFigure]:
    """The figures a claim states, with what they count."""
    figs = extract_figures(claim_text, doc_id="claim", path="", record=None, date=None,
                           spans=[(0, len(claim_text))])
    return [ClaimFigure(f.value, f.category, f.group, f.place, f.qualifier) for f in figs]


def _high(f: Figure) -> float:
    for part in f.qualifier.split(","):
        if part.startswith("high="):
            return float(part[5:])
    return f.value


def _fits(c: ClaimFigure, f: Figure, strict: bool) -> bool:
    """Same category; same group and place (``strict``), or not stated in the report."""
    if c.category != f.category or VAGUE & set(f.qualifier.split(",")):
        return False
    group_ok = not c.group or f.group == c.group or (not strict and not f.group)
    place_ok = not c.place or (f.place and same_place(c.place, f.place)) or (not strict and not f.place)
    return bool(group_ok and place_ok)


def _equal(c: ClaimFigure, f: Figure) -> bool:
    return _fits(c, f, False) and f.value <= c.value <= _high(f)


def bears_on(c: ClaimFigure, f: Figure) -> bool:
    """Whether report figure ``f`` can support or contradict claim figure ``c`` (the
    figures ``judge_claim`` may rest on; others need not be read further)."""
    return _equal(c, f) or _fits(c, f, True)


def _judge_one(c: ClaimFigure, figures: list[Figure]) -> tuple[str, list[Figure]]:
    equal = [f for f in figures if _equal(c, f)]
    if equal:
        return "supported", equal
    differ = [f for f in figures if _fits(c, f, True)]
    return ("contradicted", differ) if differ else ("not_found", [])


def judge_claim(claim_figs: list[ClaimFigure], figures: list[Figure]) -> ClaimJudgement:
    """Supported when every claim figure has a report figure of the same category and
    group (and place) with the same value; contradicted when one has only report
    figures of the same category, group and place with other values; else not_found."""
    verdicts, used, detail = [], [], []
    for c in claim_figs:
        verdict, figs = _judge_one(c, figures)
        verdicts.append(verdict)
        used.extend(f for f in revisions(figs) if f not in used)
        said = ", ".join(f"{f.value:g} ({f.date or 'undated'})" for f in revisions(figs)) or "-"
        detail.append(f"{c.value:g} {c.category} {c.group or ''} {c.place or ''}: {verdict}; "
                      f"reports say {said}")
    if "contradicted" in verdicts:
        verdict = "contradicted"
    elif verdicts and all(v == "supported" for v in verdicts):
        verdict = "supported"
    else:
        verdict = "not_found"
    return ClaimJudgement(verdict, used, detail)
