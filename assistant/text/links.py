"""Where a text holds link addresses and markup rather than report content.

Markdown link targets (spaces allowed: the Syrian Archive writes
``[video](https://…&term=Targeting the hospital with 4 airstrikes)``), bare addresses,
relative links, image lines, HTML tags and template tags. Their words and numbers are
not facts of the report: figure reading, answer extraction and verification skip them.
"""

from __future__ import annotations

import re

LINKS = re.compile(
    r"!\[[^\]\n]*\]\([^)\n]{0,800}\)|\]\([^)\n]{0,800}\)|https?://[^\s)\]]+|www\.[^\s)\]]+"
    r"|\(\.\./[^)\n]*\)|^image:.*$|<[^>\n]{0,300}>|\{[^}\n]{0,300}\}", re.M)


def link_spans(text: str) -> list[tuple[int, int]]:
    """Spans of links and markup, in order and disjoint."""
    return [m.span() for m in LINKS.finditer(text)]
