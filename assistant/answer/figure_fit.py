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

from assistant.figures.asked import CountTarget
from assistant.figures.vocab import EVENTS, GENERIC_GROUPS
from assistant.records import Figure

_EVENTS = frozenset(EVENTS)
_BROAD = GENERIC_GROUPS | {"civilians", ""}  # groups that contain the specific ones
# fit factors (1.0: fits; products of these lower a figure's score, they never remove it)
OTHER_EVENT = 0.15  # killed asked, injured counted
CASUALTIES = 0.5  # "casualties" (killed and injured) for killed or injured
OTHER_KIND = 0.3  # people asked, a thing counted (or the reverse)
NO_EVENT = 0.4  # the killed asked, people counted with no event named near them
OTHER_GROUP = 0.35  # civilians asked, fighters counted
BROADER_GROUP = 0.8  # civilians asked, "people" counted
UNNAMED_GROUP = 0.4  # children asked, a figure that names no group counted
PART = 0.3  # the whole asked, a part of it counted
NOT_A_FIGURE = 0.5  # the figure reader does not count this number


def figure_at(figures: tuple[Figure, ...], start: int, value: float) -> Figure | None:
    """The figure of value ``value`` in the clause that starts at ``start``."""
    return next((f for f in figures if f.start == start and f.value == value), None)


def fit(asked: CountTarget | None, fig: Figure | None) -> float:
    """How well ``fig`` answers a question asking for ``asked`` (1.0 fits)."""
    if asked is None:
        return 1.0
    if fig is None:
        return NOT_A_FIGURE
    return _category_fit(asked.category, fig.category) * _group_fit(asked, fig)


def _category_fit(asked: str, counted: str) -> float:
    if not asked or asked == counted:
        return 1.0
    if asked == "people" and counted in _EVENTS:
        return 1.0  # "how many children were recovered": the dead are people
    if asked in _EVENTS and counted in _EVENTS:
        return CASUALTIES if "casualties" in (asked, counted) else OTHER_EVENT
    if counted == "people" and asked in _EVENTS:
        return NO_EVENT  # "5000 people" with no event near: beneficiaries, residents …
    return OTHER_KIND


def _group_fit(asked: CountTarget, fig: Figure) -> float:
    part = "part" in fig.qualifier.split(",")
    if asked.group == fig.group:
        return 1.0
    if part and asked.group in _BROAD:
        return PART  # "how many people were killed": not the women among them
    if not asked.group:
        return 1.0 if not part else PART
    if not fig.group:  # "45 killed" for "how many children": the whole, not the children
        return BROADER_GROUP if asked.group in _BROAD else UNNAMED_GROUP
    if fig.group in GENERIC_GROUPS or (fig.group == "civilians" and asked.group in _BROAD):
        return BROADER_GROUP
    if asked.group in GENERIC_GROUPS:
        return 1.0  # "how many people": the civilians / fighters counted are people
    return OTHER_GROUP
