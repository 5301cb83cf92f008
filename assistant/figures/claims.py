"""Claim checks: which reports support, contradict or do not state a claim's figures.

``check_claim`` reads the figures a claim states (``figure_checks.claim_figures``),
gathers candidate reports from retrieval (``Assistant.search(claim)``) and from
the figures table (reports giving the same count with the same value), keeps
each report's figures whose surroundings are about the claim
(``figure_store.Coverage``) and judges them (``figure_checks.judge_claim``).
The verdict is "supported" when a report supports the claim, else
"contradicted" when one gives another value for the same count, else
"not_found". Evidence: citations as in ``isnad ask`` (supporting quotes first,
then contradicting ones, then the closest retrieved passages), each with its
stance. A claim with no figure Isnad can read is "not_found" with the closest
passages. This module does no I/O of its own: it reads through the Assistant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from assistant.answer.question import check_question
from assistant.figures.checks import ClaimFigure, bears_on, claim_figures, judge_claim
from assistant.figures.extract import same_place
from assistant.figures.table import Coverage, FigureFilter, load_figures
from assistant.records import Citation, Figure, Hit, Report, to_dict
from assistant.store.base import ReportStore

K_DOCS = 20  # candidate reports judged
MAX_EVIDENCE = 10
MIN_COVER = 0.5  # share of the claim's terms around a report figure for it to count
MAX_SCAN = 300  # figures of the table scored per claim figure and value (coverage is slow)
STANCES = ("supports", "contradicts", "mentions")


class _Reader(Protocol):
    """What ``check_claim`` needs of an ``Assistant``."""

    store: ReportStore

    def search(self, query: str, k: int = 10) -> list[Hit]: ...
    def report(self, doc_id: str) -> Report: ...
    def get_text(self, doc_id: str) -> str: ...


@dataclass(frozen=True)
class ClaimResult:
    """``verdict``: "supported" | "contradicted" | "not_found"; ``stances[i]`` is the
    stance of ``evidence[i]`` ("supports", "contradicts", "mentions")."""

    claim: str
    verdict: str
    evidence: list[Citation] = field(default_factory=list)
    stances: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON of ``isnad check --json``: evidence items are citations plus "stance"."""
        return {"claim": self.claim, "verdict": self.verdict,
                "evidence": [{**to_dict(c), "stance": s}
                             for c, s in zip(self.evidence, self.stances, strict=True)],
                "detail": self.detail}


def check_claim(asst: _Reader, claim: str, k: int = K_DOCS) -> ClaimResult:
    """Check ``claim`` against the reports of ``asst``'s index (see the module doc)."""
    claim = check_question(claim)
    hits = asst.search(claim, k=k)
    cfigs = claim_figures(claim)
    if not cfigs:
        evidence = _Evidence(asst)
        evidence.add_hits(hits)
        return evidence.result(claim, "not_found",
                               ["the claim states no figure Isnad can check"])
    cover = Coverage(claim, asst.report)
    docs = _candidates(asst.store, hits, cfigs, cover, k)
    figs = _relevant(_judged_figures(asst.store, docs, cfigs), cover)
    verdicts: dict[str, list[tuple[str, list[Figure]]]] = {"supported": [], "contradicted": []}
    detail: list[str] = []
    for doc in docs:
        judged = judge_claim(cfigs, [f for f in figs if f.doc_id == doc])
        if judged.verdict in verdicts:
            verdicts[judged.verdict].append((doc, judged.figures))
            detail += [f"{doc}: {line}" for line in judged.detail]
    evidence = _Evidence(asst)
    for verdict, stance in (("supported", "supports"), ("contradicted", "contradicts")):
        # the latest report first: the figure a journalist should check against now
        latest = sorted(verdicts[verdict], key=lambda x: max((f.date or "" for f in x[1]),
                                                             default=""), reverse=True)
        for _, doc_figs in latest:
            evidence.add_figures(doc_figs, cfigs, stance)
    evidence.add_hits(hits)
    verdict = next((v for v in ("supported", "contradicted") if verdicts[v]), "not_found")
    return evidence.result(claim, verdict, detail or ["no report states these figures"])


def _candidates(store: ReportStore, hits: list[Hit], cfigs: list[ClaimFigure], cover: Coverage,
                k: int) -> list[str]:
    """Reports to judge: retrieved ones, then reports whose figures table gives a claim
    figure's count (category, group, place) around the claim's terms: with the same
    value, then (when the claim names a group or place) with another value."""
    docs = list(dict.fromkeys(h.doc_id for h in hits))
    for c in cfigs:
        same = load_figures(store, FigureFilter(category=c.category, group=c.group or None,
                                                exact=True))
        if c.place:  # not retrieved: the report must name the claim's place itself
            same = [f for f in same if f.place and same_place(c.place, f.place)]
        equal = [f for f in same if f.value == c.value]
        other = [f for f in same if f.value != c.value]
        for group in (equal, other if (c.group or c.place) else []):
            scored = [(cover(f), f) for f in group[-MAX_SCAN:]]  # the latest reports
            docs += [f.doc_id for s, f in sorted(scored, key=lambda x: -x[0]) if s >= MIN_COVER]
    return list(dict.fromkeys(docs))[:2 * k]


def _judged_figures(store: ReportStore, docs: list[str], cfigs: list[ClaimFigure]
                    ) -> list[Figure]:
    """The figures of ``docs`` that can support or contradict a claim figure, at most
    ``MAX_SCAN`` a report (those stating a claim value first): a report of megabytes
    holds thousands of figures, and reading each one's surroundings is the slow part."""
    figs: list[Figure] = []
    for category in dict.fromkeys(c.category for c in cfigs):
        figs += load_figures(store, FigureFilter(category=category, doc_ids=tuple(docs)))
    values = {c.value for c in cfigs}
    per_doc: dict[str, int] = {}
    kept: set[int] = set()
    for f in sorted((f for f in figs if any(bears_on(c, f) for c in cfigs)),
                    key=lambda f: f.value not in values):
        if per_doc.get(f.doc_id, 0) < MAX_SCAN:
            per_doc[f.doc_id] = per_doc.get(f.doc_id, 0) + 1
            kept.add(id(f))
    return [f for f in figs if id(f) in kept]


def _relevant(figs: list[Figure], cover: Coverage) -> list[Figure]:
    return [f for f in figs if cover(f) >= MIN_COVER]


class _Evidence:
    """Citations in order, one per report clause, with their stances."""

    def __init__(self, asst: _Reader) -> None:
        self.asst = asst
        self.cites: list[Citation] = []
        self.stances: list[str] = []
        self._docs: set[str] = set()

    def _add(self, doc_id: str, start: int, end: int, quote: str, score: float,
             stance: str) -> None:
        if len(self.cites) >= MAX_EVIDENCE or any(
                c.doc_id == doc_id and c.start < end and start < c.end for c in self.cites):
            return
        rep = self.asst.report(doc_id)
        self.cites.append(Citation(n=len(self.cites) + 1, doc_id=doc_id, path=rep.path,
                                   record=rep.record, title=rep.title, date=rep.date,
                                   source=rep.source, url=rep.url, quote=quote, start=start,
                                   end=end, score=round(score, 4)))
        self.stances.append(stance)
        self._docs.add(doc_id)

    def add_figures(self, figs: list[Figure], cfigs: list[ClaimFigure], stance: str) -> None:
        """The clauses of a report's judged figures (those with a claim value first)."""
        values = {c.value for c in cfigs}
        for f in sorted(figs, key=lambda f: f.value not in values)[:2]:
            self._add(f.doc_id, f.start, f.end, f.quote, 1.0, stance)

    def add_hits(self, hits: list[Hit]) -> None:
        """The best retrieved passage of each report not cited yet."""
        for h in hits:
            if h.doc_id not in self._docs:
                self._add(h.doc_id, h.start, h.end, h.text, h.score, "mentions")

    def result(self, claim: str, verdict: str, detail: list[str]) -> ClaimResult:
        return ClaimResult(claim, verdict, self.cites, self.stances, detail)
