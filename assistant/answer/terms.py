"""Matching analysed terms against the concept vocabulary (pure, memoised).

``term_matches`` says whether a report token matches a question form (equal,
stem prefix, containment, or a verb/participle of one root); ``concept_forms``
expands a term to every Arabic/English form of its concept (``lexicon.CONCEPTS``);
``root`` gives an Arabic term's triliteral root (tashaphyne) so that words of one
root the light stemmer keeps apart (ترأس ~ برئاسة, يجيز ~ إجازة) can match weakly,
and ``one_edit`` spots a long word spelled one letter differently.
Answering calls these hundreds of thousands of times per question, always on a
small vocabulary, so the pure functions are cached and ``form_matcher`` memoises
"does this token match any of these forms" per token. This module does not
type questions (``question.py``) or read reports (``answer.py``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache

from tashaphyne.stemming import ArabicLightStemmer

from assistant.lexicon import CONCEPTS
from assistant.text.arabic import tokenize

_PREFIX_LETTERS = frozenset("يتنما")
_MEMO_LIMIT = 4096  # tokens remembered per form set (bounds memory: 256 sets at most)
_ROOTER = ArabicLightStemmer()
_ROOT_LOCK = threading.Lock()  # the stemmer keeps the last word's analysis in its own state


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


@lru_cache(maxsize=65536)
def root(term: str) -> str:
    """The root of an analysed Arabic term ("رءاس" → "روس"), "" for other or short terms.

    Light stems keep derived forms apart (تراس / رءاس / رءيس); their roots agree.
    Roots are noisy (حديث "modern" shares حدث "event"'s), so callers give a root
    match only partial credit.
    """
    if len(term) < 3 or not "\u0621" <= term[0] <= "\u064a":
        return ""
    # Normalised text spells every hamza on a carrier ء; tashaphyne finds hamzated roots
    # through alef (ترأس / رئاسة / رئيس → روس; سأل / سؤال / مسؤول → سول).
    term = term.replace("\u0621", "\u0627")
    with _ROOT_LOCK:
        _ROOTER.light_stem(term)
        roots = [a["root"] for a in _ROOTER.get_affix_list()]
    # tashaphyne's own choice (``get_root``) breaks ties in set order, which changes from
    # run to run; the same filters with ties broken alphabetically keep answers reproducible
    roots = [r for r in roots if 2 <= len(r) <= 4] or roots
    roots = [r for r in roots if _ROOTER.is_root(r)] or roots
    roots = [r for r in roots if len(r) == 3] or roots
    out = max(sorted(set(roots)), key=roots.count) if roots else ""
    return out if len(out) >= 3 else ""


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
