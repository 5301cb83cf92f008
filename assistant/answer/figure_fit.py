"""How well a report's figure fits what a count question counts (pure functions).

The question is read like a figure sentence (``figures.asked.question_figure``: killed /
civilians / Khan Shaykhun) and so is the report (``figures.extract``: each figure's
category, group and whether it is a part of the figure before it). A figure of another
event (injured for killed), of another group (children for civilians), a part when the
whole is asked ("17 civilians, among them 4 children": 4 is not the civilians), or a
number the figure reader does not take for a figure at all (a year, a distance) fits
less. This module only scores; ``extract.count_answers`` finds the numbers.
"""

from __future__ import annotations

from assistant.answer.weights import FIT
from assistant.figures.asked import CountTarget
from assistant.figures.vocab import EVENTS, GENERIC_GROUPS
from assistant.records import Figure

_EVENTS = frozenset(EVENTS)
_BROAD = GENERIC_GROUPS | {"civilians", ""}  # groups that contain the specific ones
# fit factors: weights.FitFactors (products of them lower a figure's score, never remove it)


def figure_at(figures: tuple[Figure, ...], start: int, value: float) -> Figure | None:
    """The figure of value ``value`` in the clause that starts at ``start``."""
    return next((f for f in figures if f.start == start and f.value == value), None)


def fit(asked: CountTarget | None, fig: Figure | None) -> float:
    """How well ``fig`` answers a question asking for ``asked`` (1.0 fits)."""
    if asked is None:
        return 1.0
    if fig is None:
        return FIT.not_a_figure
    return _category_fit(asked.category, fig.category) * _group_fit(asked, fig)


def _category_fit(asked: str, counted: str) -> float:
    if not asked or asked == counted:
        return 1.0
    if asked == "people" and counted in _EVENTS:
        return 1.0  # "how many children were recovered": the dead are people
    if asked in _EVENTS and counted in _EVENTS:
        return FIT.casualties if "casualties" in (asked, counted) else FIT.other_event
    if counted == "people" and asked in _EVENTS:
        return FIT.no_event  # "5000 people" with no event near: beneficiaries, residents …
    return FIT.other_kind


def _group_fit(asked: CountTarget, fig: Figure) -> float:
    part = "part" in fig.qualifier.split(",")
    if asked.group == fig.group:
        return 1.0
    if part and asked.group in _BROAD:
        return FIT.part  # "how many people were killed": not the women among them
    if not asked.group:
        return 1.0 if not part else FIT.part
    if not fig.group:  # "45 killed" for "how many children": the whole, not the children
        return FIT.broader_group if asked.group in _BROAD else FIT.unnamed_group
    if fig.group in GENERIC_GROUPS or (fig.group == "civilians" and asked.group in _BROAD):
        return FIT.broader_group
    if asked.group in GENERIC_GROUPS:
        return 1.0  # "how many people": the civilians / fighters counted are people
    return FIT.other_group
