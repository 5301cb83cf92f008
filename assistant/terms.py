"""Matching analysed terms against the concept vocabulary (pure, memoised).

``term_matches`` says whether a report token matches a question form (equal,
stem prefix, containment, or a verb/participle of one root); ``concept_forms``
expands a term to every Arabic/English form of its concept (``lexicon.CONCEPTS``).
Answering calls these hundreds of thousands of times per question, always on a
small vocabulary, so the pure functions are cached and ``form_matcher`` memoises
"does this token match any of these forms" per token. This module does not
type questions (``question.py``) or read reports (``answer.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .lexicon import CONCEPTS
from .text.arabic import tokenize

_PREFIX_LETTERS = frozenset("يتنما")
_MEMO_LIMIT = 4096  # tokens remembered per form set (bounds memory: 256 sets at most)


def term_matches(token: str, form: str) -> bool:
    """Does analysed ``token`` match analysed ``form`` (prefix/containment for stems)?"""
    if token == form:
        return True
    if form.isdigit() or token.isdigit():
        return False
    if len(form) >= 3 and token.startswith(form):
        return True
    if len(form) >= 4 and form in token:
        return True
    # verb/participle prefixes of one root: يستفيد ~ مستفيد, يقتل ~ مقتل
    return (len(form) >= 4 and len(token) == len(form) and token[1:] == form[1:]
            and token[0] in _PREFIX_LETTERS and form[0] in _PREFIX_LETTERS)


@lru_cache(maxsize=256)
def form_matcher(forms: tuple[str, ...]) -> Callable[[str], bool]:
    """A predicate: does a token match any of ``forms``? (memoised per token).

    Same answer as ``any(term_matches(token, f) for f in forms)``, from set
    look-ups and one regex search instead of a loop over the forms.
    """
    exact = frozenset(forms)
    words = [f for f in forms if not f.isdigit()]  # a digit form matches by equality only
    short = frozenset(f for f in words if len(f) == 3)  # prefix rule; longer ones: containment
    long_ = sorted((f for f in words if len(f) >= 4), key=len, reverse=True)
    inside = re.compile("|".join(map(re.escape, long_))).search if long_ else None
    roots = frozenset(f[1:] for f in long_ if f[0] in _PREFIX_LETTERS)
    memo: dict[str, bool] = {}

    def match(token: str) -> bool:
        hit = memo.get(token)
        if hit is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            hit = token in exact or not token.isdigit() and (
                token[:3] in short or (inside is not None and inside(token) is not None)
                or token[:1] in _PREFIX_LETTERS and token[1:] in roots)
            memo[token] = hit
        return hit

    return match


@lru_cache(maxsize=1)
def form_index() -> dict[str, str]:
    """Analysed form → concept name."""
    return {f: name for name, words in CONCEPTS.items() for w in words for f in tokenize(w)}


@lru_cache(maxsize=65536)
def concept_of(term: str) -> str | None:
    """The concept ``term`` names (exact form, tanween alef, then the first matching form)."""
    index = form_index()
    if term in index:
        return index[term]
    if len(term) >= 4 and term.endswith("ا") and term[:-1] in index:  # tanween alef: "شخصاً"
        return index[term[:-1]]
    for form, name in index.items():
        if term_matches(term, form) and len(form) >= 4:
            return name
    return None


@lru_cache(maxsize=65536)
def concept_forms(term: str) -> tuple[str, ...]:
    """``term`` and, when it names a known concept, all its Arabic/English forms."""
    name = concept_of(term)
    if name is None:
        return (term,)
    return tuple(dict.fromkeys([term, *(f for w in CONCEPTS[name] for f in tokenize(w))]))
