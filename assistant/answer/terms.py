"""Matching analysed terms against the concept vocabulary (pure, memoised).

``term_matches`` says whether a report token matches a question form (equal,
stem prefix, containment, or a verb/participle of one root); ``concept_forms``
expands a term to every Arabic/English form of its concept (``lexicon.CONCEPTS``);
``root`` (``text.roots``) gives an Arabic term's consonant skeleton so that words of one
root the light stemmer keeps apart (رئاسة ~ رئيس, يجيز ~ إجازة) can match weakly,
and ``one_edit`` spots a long word spelled one letter differently.
Answering calls these hundreds of thousands of times per question, always on a
small vocabulary, so the pure functions are cached and ``form_matcher`` memoises
"does this token match any of these forms" per token. This module does not
type questions (``question.py``) or read reports (``answer.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from assistant.lexicon import CONCEPTS
from assistant.text.arabic import tokenize
from assistant.text.roots import root as root

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


def one_edit(a: str, b: str) -> bool:
    """Are two words of 5+ letters one letter apart (substituted, added or dropped)?

    Catches a name transliterated twice (غولدينسون / غولدنسون, تيموجين / تيموجن);
    shorter words one letter apart are mostly different words.
    """
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or a[0] != b[0] \
            or a.isdigit() or b.isdigit():
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


class Vocabulary:
    """A report's analysed terms, indexed so that "does any term match these forms?" is
    a few set intersections and one regex scan instead of a predicate per term."""

    def __init__(self, terms: frozenset[str]):
        self.terms = terms
        words = [t for t in terms if not t.isdigit()]
        self.prefixes = frozenset(t[:3] for t in words)
        self.tails = frozenset(t[1:] for t in words if t[:1] in _PREFIX_LETTERS)
        self.joined = "\n".join(words)
        self._by_head: dict[tuple[str, int], list[str]] | None = None

    def matches(self, forms: tuple[str, ...]) -> bool:
        """Same answer as ``any(form_matcher(forms)(t) for t in terms)``."""
        if self.terms.intersection(forms):
            return True
        words = [f for f in forms if not f.isdigit()]
        if any(len(f) == 3 and f in self.prefixes for f in words):
            return True
        long_ = [f for f in words if len(f) >= 4]
        if any(f in self.joined for f in long_):  # containment in a term ("\n" in no form)
            return True
        return any(f[0] in _PREFIX_LETTERS and f[1:] in self.tails for f in long_)

    def names(self, forms: tuple[str, ...]) -> bool:
        """``matches``, or a term one letter off a form of 5+ letters: a name spelled twice
        (Shinan / Shanan, غولدينسون / غولدنسون)."""
        if self.matches(forms):
            return True
        long_ = [f for f in forms if len(f) >= 5 and not f.isdigit()]
        if not long_:
            return False
        if self._by_head is None:  # built once per report (the vocabulary is memoised)
            heads: dict[tuple[str, int], list[str]] = {}
            for t in self.terms:
                if len(t) >= 4 and not t.isdigit():
                    heads.setdefault((t[0], len(t)), []).append(t)
            self._by_head = heads
        return any(one_edit(f, t) for f in long_ for n in (len(f) - 1, len(f), len(f) + 1)
                   for t in self._by_head.get((f[0], n), ()))
