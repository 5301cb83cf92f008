"""Finding names from a vocabulary in text: multi-word, Arabic clitics, spelling variants.

A ``PhraseMatcher`` holds phrases (each with a key, e.g. a place id or an actor id) and
finds them in text as the longest non-overlapping matches, with spans into the ORIGINAL
text. Matching is on normalised words (``text.arabic.normalize``: alef forms, hamza
carriers, ى/ي, ة/ه, diacritics, case): an Arabic word may carry one clitic the phrase
does not (و ف ب ل ك, and ال on a name written without it, «والرقة» / «بالرقة» / «رقة»),
and an English word may carry "al-"/"el-" ("al-Bab" / "Bab"). Abbreviations that are also
ordinary words ("IS") match only as written, in capitals (``exact_case``). Pure; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.text.arabic import map_span, normalize, normalize_with_map

# Words: letters and digits of any script (Arabic punctuation «،؛؟» is not \w).
_WORD = re.compile(r"[\w'’]+(?:-[\w'’]+)*")
_CLITICS = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_LATIN_ARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an)-")
MAX_WORDS = 8  # longest phrase, in words


@dataclass(frozen=True)
class Match:
    """One found phrase: ``text[start:end]`` in the original text, and its keys."""

    start: int
    end: int
    keys: tuple[str, ...]
    phrase: str  # the normalised phrase that matched


def words(text: str) -> list[tuple[str, int, int]]:
    """(normalised word, start, end) with spans into ``text``."""
    norm, offsets = normalize_with_map(text.replace("’", "'"))
    return [(m.group(), *map_span(offsets, m.start(), m.end())) for m in _WORD.finditer(norm)]


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The normalised words of a phrase, as the matcher stores it."""
    return tuple(_WORD.findall(normalize(phrase.replace("’", "'"))))


def _variants(word: str, first: bool) -> list[str]:
    """A text word and the forms it may take in a phrase (one clitic less, al- less)."""
    out = [word]
    if "\u0600" <= word[:1] <= "\u06ff":
        for c in _CLITICS:
            if word.startswith(c) and len(word) - len(c) >= 2:
                rest = word[len(c):]
                out.append(rest)
                if first and c.endswith("ال"):
                    out.append("ال" + rest)  # «بالرقة» for the phrase «الرقة»
    else:
        bare = _LATIN_ARTICLE.sub("", word)
        if bare != word and len(bare) >= 2:
            out.append(bare)
    return out


class PhraseMatcher:
    """Longest-match finder for a vocabulary of phrases (see the module docstring)."""

    def __init__(self, entries: Iterable[tuple[str, str]] = ()) -> None:
        self._phrases: dict[tuple[str, ...], set[str]] = {}
        self._heads: dict[str, int] = {}  # first word -> longest phrase starting with it
        self._exact: dict[str, set[str]] = {}
        for phrase, key in entries:
            self.add(phrase, key)

    def add_exact(self, word: str, key: str) -> None:
        """A one-word name matched only as written (an abbreviation that is also a word)."""
        self._exact.setdefault(word, set()).add(key)

    def add(self, phrase: str, key: str) -> None:
        words_ = phrase_key(phrase)
        if not words_ or len(words_) > MAX_WORDS:
            return
        self._put(words_, key)
        # A name written with the article also matches without it, and the reverse
        # («الرقة» / «رقة», "al-Bab" / "Bab"): writers differ.
        head = words_[0]
        if head.startswith("ال") and len(head) > 4:
            self._put((head[2:], *words_[1:]), key)
        bare = _LATIN_ARTICLE.sub("", head)
        if bare != head and len(bare) >= 3:
            self._put((bare, *words_[1:]), key)

    def _put(self, words_: tuple[str, ...], key: str) -> None:
        self._phrases.setdefault(words_, set()).add(key)
        self._heads[words_[0]] = max(self._heads.get(words_[0], 0), len(words_))

    def __contains__(self, phrase: str) -> bool:
        return phrase_key(phrase) in self._phrases

    def keys_of(self, phrase: str) -> tuple[str, ...]:
        return tuple(sorted(self._phrases.get(phrase_key(phrase), ())))

    def find(self, text: str, toks: list[tuple[str, int, int]] | None = None) -> list[Match]:
        """Longest non-overlapping matches, left to right (``toks``: ``words(text)``, when
        the caller has them already)."""
        toks = words(text) if toks is None else toks
        out: list[Match] = []
        i = 0
        while i < len(toks):
            got = self._longest(toks, i) or self._abbrev(text, toks, i)
            if got is None:
                i += 1
                continue
            n, keys, phrase = got
            out.append(Match(toks[i][1], toks[i + n - 1][2], keys, phrase))
            i += n
        return out

    def _longest(self, toks: list[tuple[str, int, int]], i: int
                 ) -> tuple[int, tuple[str, ...], str] | None:
        heads = [(h, self._heads[h]) for h in _variants(toks[i][0], first=True)
                 if h in self._heads]
        if not heads:
            return None
        for n in range(min(max(m for _, m in heads), len(toks) - i), 0, -1):
            tail = tuple(w for w, _, _ in toks[i + 1:i + n])
            for head, longest in heads:
                keys = self._phrases.get((head, *tail)) if n <= longest else None
                if keys:
                    return n, tuple(sorted(keys)), " ".join((head, *tail))
        return None

    def _abbrev(self, text: str, toks: list[tuple[str, int, int]], i: int
                ) -> tuple[int, tuple[str, ...], str] | None:
        if not self._exact:
            return None
        raw = text[toks[i][1]:toks[i][2]]
        keys = self._exact.get(raw)
        return (1, tuple(sorted(keys)), raw) if keys else None
