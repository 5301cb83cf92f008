"""The answer stage's tuned weights, in frozen dataclasses (as ``retrieval.rerank``'s
``RerankWeights``): what a clause's score is made of, and how well a figure fits what a
question counts. Values only; the functions that use them live in ``evidence.py`` and
``figure_fit.py``.

``ClauseWeights`` were tuned on arcd (all) and the even articles of xquad-ar
(``benchmarks/answers.py`` answer-sentence accuracy); ``FitFactors`` on the journalist
tune split (``benchmarks/qa``), each a general property of what a count counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClauseWeights:
    """A clause's score (``evidence._score`` divides by their sum: a perfect clause of the
    top hit scores 1)."""

    coverage: float = 0.6  # share of the question's (rarity-weighted) key terms the clause holds
    report: float = 0.18  # / (1 + rank of the clause's report among the hits' reports)
    hit: float = 0.06  # / (1 + rank of the clause's hit)
    neighbour: float = 0.06  # penalty: the clause lies just outside its hit
    # * score of the best typed answer: a figure tied to what is counted, a date inside the
    # period asked about are strong evidence; places and names found on open text much less so
    typed: dict[str, float] = field(default_factory=lambda: {
        "count": 0.25, "date": 0.25, "time": 0.25, "measure": 0.25, "other": 0.06})
    present: float = 0.05  # the clause holds some figure / date of the asked type at all
    source: float = 0.15  # * share of the source the question names ("according to …")


@dataclass(frozen=True)
class FitFactors:
    """How well a figure fits what was asked (1.0: exactly; ``figure_fit.fit``)."""

    other_event: float = 0.15  # killed asked, injured counted
    casualties: float = 0.5  # "casualties" (killed and injured) for killed or injured
    other_kind: float = 0.3  # people asked, a thing counted (or the reverse)
    no_event: float = 0.4  # the killed asked, people counted with no event named near them
    other_group: float = 0.35  # civilians asked, fighters counted
    broader_group: float = 0.8  # civilians asked, "people" counted
    unnamed_group: float = 0.4  # children asked, a figure that names no group counted
    part: float = 0.3  # the whole asked, a part of it counted
    not_a_figure: float = 0.5  # the figure reader does not count this number


CLAUSE = ClauseWeights()
FIT = FitFactors()
