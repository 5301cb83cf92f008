"""The consonant skeleton of an Arabic word: what its derived forms share (pure).

Arabic derives words from a root by patterns that add long vowels (ا و ي), hamza
seats, a final ة and augment letters before the root (ت م ن ي ا س: ترأس, مقتل,
استهداف) or after its first letter (the ت of افتعل: اشتباك). Dropping them leaves a
skeleton the forms of one root share: ترأس / رئاسة / رئيس → رس, مسؤول / سؤال → سل,
قتلى / مقتل / قاتل → قتل, استهدف / مستهدف / استهداف → هدف. It is not a dictionary root
(hollow and doubled roots lose letters, and unrelated words can share a skeleton), so
callers give a skeleton match only part credit. No dictionary, no third-party stemmer.
"""

from __future__ import annotations

from functools import lru_cache

_WEAK = frozenset("اويءىآأإئؤة")  # long vowels and hamza seats (a final ه is ة, below)
_AUGMENTS = frozenset("تمنياس")  # letters the patterns put before a root
_ARABIC = range(0x0621, 0x064B)


@lru_cache(maxsize=65536)
def root(term: str) -> str:
    """The skeleton of a light-stemmed Arabic term ("" for other or too short terms)."""
    if len(term) < 3 or not all(ord(c) in _ARABIC for c in term):
        return ""
    letters = [c for c in term.removesuffix("ه") if c not in _WEAK]
    while len(letters) > 3 and letters[0] in _AUGMENTS:  # augments before the root
        letters = letters[1:]
    if len(letters) == 4 and letters[1] == "ت":  # افتعل: اشتباك → شبك
        letters = [letters[0], *letters[2:]]
    return "".join(letters) if len(letters) >= 2 else ""
