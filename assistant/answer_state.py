"""Per-answer state of ``answer.py``: report texts, clauses, tokens, key-term matches.

``Docs`` fetches each report once per answer; its clause spans, clause tokens,
header (title and fact-sheet lines), vocabulary and date years are memoised
across answers in ``doc_memo.MEMO`` (keyed by the text);
``Asked`` holds the question with the forms of its places and memoises which
key terms each token matches (a bit mask), so clause coverage is a few set
and dict look-ups. Scoring and wording are ``answer.py``'s job.
"""

from __future__ import annotations

from collections.abc import Callable

from . import extract
from .doc_memo import MEMO, ReportMemo
from .extract import Tok
from .question import Question, concept_forms
from .records import Hit
from .terms import form_matcher
from .text import numbers
from .text.arabic import segment

GetText = Callable[[str], str]


class Docs:
    """Report texts of one answer; their analysis comes from the shared ``doc_memo``."""

    def __init__(self, get_text: GetText | None, memo: ReportMemo | None = None):
        self.get_text = get_text
        self.memo = memo if memo is not None else MEMO
        self.texts: dict[str, str] = {}  # one read per report per answer: one committed state

    def tokens(self, text: str, start: int, end: int) -> list[Tok]:
        """``extract.tokens`` of ``text[start:end]``, memoised (callers must not mutate it)."""
        return self.memo.of(text).get(("toks", start, end),
                                      lambda: extract.tokens(text, start, end))

    def date_years(self, text: str) -> set[str]:
        """Years of the dates ``text`` states (``find_dates`` is slow on long reports)."""
        return self.memo.of(text).get("years", lambda: {d.iso[:4] for d in numbers.find_dates(text)
                                                        if d.iso})

    def text(self, hit: Hit) -> tuple[str, int]:
        """The report text and the offset of its first char (0, or the chunk start without get_text)."""
        if self.get_text is None:
            return hit.text, hit.start
        if hit.doc_id not in self.texts:
            self.texts[hit.doc_id] = self.get_text(hit.doc_id)
        return self.texts[hit.doc_id], 0

    def spans(self, hit: Hit) -> list[tuple[int, int]]:
        """Clause spans of the hit's text, in report offsets."""
        text, base = self.text(hit)
        spans = self.memo.of(text).get("spans", lambda: segment(text))
        return spans if not base else [(s + base, e + base) for s, e in spans]

    def clauses(self, hit: Hit) -> list[tuple[int, int, bool]]:
        """Clauses of the hit, plus one clause either side (flag True: a neighbour)."""
        spans = self.spans(hit)
        inside = [i for i, (s, e) in enumerate(spans) if s < hit.end and e > hit.start]
        if not inside:
            return []
        lo, hi = max(0, inside[0] - 1), min(len(spans), inside[-1] + 2)
        return [(*spans[i], i not in inside) for i in range(lo, hi)]

    def header(self, hit: Hit) -> list[Tok]:
        """Tokens of the title and of the report's "label: value" fact-sheet lines."""
        text, base = self.text(hit)

        def compute() -> list[Tok]:
            toks = extract.tokens(hit.title, 0, len(hit.title))
            for s, e in self.spans(hit)[:60]:
                if extract.is_label_line(text[s - base:e - base]):
                    toks += extract.tokens(text, s - base, e - base)
            return toks

        return self.memo.of(text).get(("header", hit.title), compute)

    def terms(self, hit: Hit) -> frozenset[str]:
        """Analysed terms of the title and the whole report."""
        text, _ = self.text(hit)
        return self.memo.of(text).get(("terms", hit.title),
                                      lambda: extract.terms(f"{hit.title}\n{text}"))

    def names(self, hit: Hit, forms: tuple[str, ...]) -> bool:
        """Does the title or report hold a term matching one of ``forms`` (any spelling)?"""
        text, _ = self.text(hit)

        def compute() -> bool:
            match = form_matcher(forms)
            return any(match(v) for v in self.terms(hit))

        return self.memo.of(text).get(("names", hit.title, forms), compute)


class Asked:
    """The question, its places' forms, and which key terms each token matches (memoised)."""

    def __init__(self, q: Question):
        self.q = q
        self.places = place_forms(q)
        forms = [concept_forms(t) for t in q.key_terms]
        self.matchers = [form_matcher(f) for f in forms]
        # across languages a term with no known translation (not a number, concept or
        # place) weighs little: its absence says nothing
        self.weights = {cross: [0.2 if cross and len(f) == 1 and not t.isdigit() else 1.0
                                for t, f in zip(q.key_terms, forms, strict=True)]
                        for cross in (False, True)}
        self.memo: dict[str, int] = {}

    def mask(self, toks: list[Tok]) -> int:
        """Bit i set: some token matches key term i (any of its concept's forms)."""
        out = 0
        for t in toks:
            bits = self.memo.get(t.term)
            if bits is None:
                bits = sum(1 << i for i, match in enumerate(self.matchers) if match(t.term))
                self.memo[t.term] = bits
            out |= bits
        return out

    def coverage(self, toks: list[Tok], context: list[Tok], cross: bool = False) -> float:
        """Weighted share of the key terms found in the clause (half credit: its context)."""
        inside, near = self.mask(toks), self.mask(context)
        total = got = 0.0
        for i, weight in enumerate(self.weights[cross]):
            total += weight
            if inside >> i & 1:
                got += weight
            elif near >> i & 1:
                got += 0.5 * weight
        return got / total if total else 0.0


def place_forms(q: Question) -> list[tuple[str, ...]]:
    """Analysed forms (all languages) of each place the question names."""
    out = []
    for place in q.places:
        forms = tuple(f for t in extract.tokens(place, 0, len(place)) for f in concept_forms(t.term))
        if forms:
            out.append(forms)
    return out
