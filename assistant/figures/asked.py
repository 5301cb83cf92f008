"""What a count question counts, read with the figures' own vocabularies.

"How many regime soldiers were killed in south Damascus?" → killed / regime / south
Damascus: the question's count cue is replaced by a number and the question is read
like a report sentence by ``extract.extract_figures``, so a question and a report figure
are described in the same terms (category, group, place). Pure; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.figures.extract import extract_figures

# The question's count cue becomes this number so the question reads as a figure sentence.
_PLACEHOLDER = 7777
_CUE = re.compile(r"كم\s+عدد|ما\s+(?:هو\s+)?عدد|ما\s+حصيلة|كم|عدد|how\s+many|how\s+much"
                  r"|(?:the\s+)?number\s+of|(?:what\s+)?(?:death\s+)?toll\s+of", re.I)


@dataclass(frozen=True)
class CountTarget:
    """What a count question counts, as figure fields ("" when not stated)."""

    category: str
    group: str
    place: str


@lru_cache(maxsize=1024)
def question_figure(question: str) -> CountTarget | None:
    """What a "how many …" question counts, or None when it names no figure category.

    The count cue is replaced by a number and the question is read like a report
    sentence with ``extract_figures`` (same vocabularies as the figures table).
    """
    m = _CUE.search(question)
    if not m:
        return None
    text = f"{question[:m.start()]}{_PLACEHOLDER} {question[m.end():]}".rstrip(" ?؟")
    figs = extract_figures(text, doc_id="question", path="", record=None, date=None,
                           spans=[(0, len(text))])
    mine = [f for f in figs if f.value == _PLACEHOLDER and f.category]
    if not mine:
        return None
    f = mine[0]
    return CountTarget(f.category, f.group, f.place)


