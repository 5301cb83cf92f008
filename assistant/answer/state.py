"""Per-answer state of ``answer.py``: report texts, clauses, tokens, key-term matches.

``Docs`` fetches each report once per answer; its clause spans, clause tokens,
header (title and fact-sheet lines), vocabulary and date years are memoised
across answers in ``doc_memo.MEMO`` (keyed by the text);
``Asked`` holds the question with the forms of its places, memoises which
key terms each token matches (bit masks: by form, only weakly), so clause
coverage is a few set and dict look-ups, and weighs the key terms by their
rarity among the candidate clauses. Scoring and wording are ``answer.py``'s job.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.answer import extract
from assistant.answer.doc_memo import MEMO, ReportMemo, stated_dates
from assistant.answer.entities import Entity, agree, find_entities
from assistant.answer.extract import Found, Tok
from assistant.answer.question import Question, concept_forms
from assistant.answer.terms import Vocabulary, form_matcher, one_edit, root
from assistant.figures.extract import extract_figures
from assistant.records import Figure, Hit
from assistant.text.arabic import segment, sentence_spans

GetText = Callable[[str], str]
WEAK_CREDIT = 0.6  # a key term matched only by root or spelling variant: likely, not surely
NEAR_CREDIT = 0.5  # a key term found only in the clause's context (previous clause, header)
_WEAK = frozenset("اويء")  # root letters a derived or normalised form may drop or change
SHORT_REPORT = 5000  # chars: up to this a report is a news article, read whole when asked


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
        return {d[:4] for d in stated_dates(text, self.memo)}

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

    def sentences(self, hit: Hit) -> list[tuple[int, int]]:
        """Sentence spans of the hit's text (``segment`` splits long ones), in report offsets."""
        text, base = self.text(hit)
        spans = self.memo.of(text).get("sentences", lambda: sentence_spans(text))
        return spans if not base else [(s + base, e + base) for s, e in spans]

    def clauses(self, hit: Hit, whole_short: bool = False) -> list[tuple[int, int, bool]]:
        """Clauses of the hit, plus one clause either side (flag True: a neighbour).

        ``whole_short``: every clause of a short report (a news article): the figure
        a question asks for can sit paragraphs away from the passage that matched
        ("More than 35 homes were destroyed, the Observatory said.").
        """
        spans = self.spans(hit)
        inside = [i for i, (s, e) in enumerate(spans) if s < hit.end and e > hit.start]
        if not inside:
            return []
        lo, hi = max(0, inside[0] - 1), min(len(spans), inside[-1] + 2)
        if whole_short and len(self.text(hit)[0]) <= SHORT_REPORT:
            lo, hi = 0, len(spans)
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

    def entities(self, hit: Hit) -> tuple[Entity, ...]:
        """Places and actors the report names (report offsets), by position; memoised."""
        text, base = self.text(hit)
        found = self.memo.of(text).get("entities", lambda: find_entities(text))
        return found if not base else tuple(replace(e, start=e.start + base, end=e.end + base)
                                            for e in found)

    def figures(self, hit: Hit) -> tuple[Figure, ...]:
        """The report's figures (``figures.extract``: what each number counts), memoised;
        in the text's own offsets."""
        text, _ = self.text(hit)
        return self.memo.of(text).get("figures", lambda: tuple(extract_figures(
            text, doc_id=hit.doc_id, path=hit.path, record=hit.record, date=hit.date)))

    def title_entities(self, hit: Hit) -> tuple[Entity, ...]:
        text, _ = self.text(hit)
        return self.memo.of(text).get(("title entities", hit.title),
                                      lambda: find_entities(hit.title))

    def names(self, hit: Hit, forms: tuple[str, ...]) -> bool:
        """Does the title or report hold a term matching one of ``forms`` (any spelling)?"""
        text, _ = self.text(hit)
        vocab = self.memo.of(text).get(("vocab", hit.title), lambda: Vocabulary(self.terms(hit)))
        return vocab.names(forms)


class Asked:
    """The question, its places' forms, and which key terms each token matches (memoised).

    Clause coverage weighs each key term by its rarity among the clauses being
    compared (``weigh``): a term every candidate clause holds (the report's
    topic, "تسلا") cannot tell them apart, a rare one ("ترشيح") can. A token
    that only shares a key term's root (برئاسة for ترأس) or is one letter off a
    long one (a name transliterated twice: غولدينسون / غولدنسون) gives part credit.
    """

    def __init__(self, q: Question):
        self.q = q
        self.places = place_forms(q)
        forms = [concept_forms(t) for t in q.key_terms]
        self.matchers = [form_matcher(f) for f in forms]
        self.roots = [root(t) for t in q.key_terms]
        # a root can only be shared by a token holding its strong letters: cheap test first
        self.root_letters = [frozenset(r) - _WEAK for r in self.roots]
        self.variants: dict[str, list[int]] = {}  # first letter -> key terms a variant may be of
        for i, t in enumerate(q.key_terms):
            self.variants.setdefault(t[:1], []).append(i)
        # across languages a term with no known translation (not a number, concept or
        # place) weighs little: its absence says nothing
        self.weights = {cross: [0.2 if cross and len(f) == 1 and not t.isdigit() else 1.0
                                for t, f in zip(q.key_terms, forms, strict=True)]
                        for cross in (False, True)}
        self._source = [form_matcher((w,)) for w in q.sources]  # "according to …" words
        # the places and actors the question names, matched by id in any spelling/language
        self.entities = q.entities
        self.entity_weights = [1.0] * len(q.entities)
        self.memo: dict[str, tuple[int, int, int]] = {}  # term -> (exact, weak, source) bits

    def masks(self, toks: list[Tok]) -> tuple[int, int]:
        """Bit i set: some token matches key term i (any form of its concept) / only weakly."""
        exact = weak = 0
        memo = self.memo  # the hottest loop of an answer: one dict look-up per token
        for t in toks:
            bits = memo.get(t.term) or self._term_bits(t.term)
            exact |= bits[0]
            weak |= bits[1]
        return exact, weak & ~exact

    def said(self, toks: list[Tok]) -> float:
        """Share of the words of the question's source (``Question.sources``) in ``toks``."""
        if not self._source:
            return 0.0
        got = 0
        for t in toks:
            got |= self._term_bits(t.term)[2]
        return bin(got).count("1") / len(self._source)

    def mask(self, toks: list[Tok]) -> int:
        """Bit i set: some token matches key term i (any of its concept's forms)."""
        return self.masks(toks)[0]

    def _term_bits(self, term: str) -> tuple[int, int, int]:
        """(key terms matched, key terms matched only weakly, source words matched)."""
        bits = self.memo.get(term)
        if bits is None:
            exact, weak = self._bits(term)
            said = sum(1 << i for i, match in enumerate(self._source) if match(term))
            bits = self.memo[term] = (exact, weak, said)
        return bits

    def _bits(self, term: str) -> tuple[int, int]:
        exact = sum(1 << i for i, match in enumerate(self.matchers) if match(term))
        letters = set(term)
        weak = 0
        for i, r in enumerate(self.roots):
            if r and not exact >> i & 1 and self.root_letters[i] <= letters and root(term) == r:
                weak |= 1 << i
        for i in self.variants.get(term[:1], ()):
            if not exact >> i & 1 and one_edit(term, self.q.key_terms[i]):
                weak |= 1 << i
        return exact, weak

    def entity_bits(self, mentions: tuple[Entity, ...], start: int, end: int) -> int:
        """Bit i set: the question's entity i is named by a mention inside [start, end)."""
        if not self.entities or not mentions:
            return 0
        bits = 0
        starts = [m.start for m in mentions]
        for m in mentions[bisect_left(starts, start):]:
            if m.start >= end:
                break
            if m.end <= end:
                for i, asked in enumerate(self.entities):
                    if agree(asked, m):
                        bits |= 1 << i
        return bits

    def weigh(self, clauses: list[list[Tok]], entity_masks: list[int] | None = None) -> None:
        """Weigh each key term (and named entity) by its inverse document frequency over
        ``clauses`` (``entity_masks[k]``: the entities clause k names)."""
        n = len(clauses)
        df = [0] * len(self.matchers)
        for toks in clauses:
            exact, weak = self.masks(toks)
            for i in range(len(df)):
                df[i] += (exact | weak) >> i & 1
        # square root: full idf sharpens the choice inside a report but mutes the topic words
        # that tell the right report from a wrong one (tuned on arcd + xquad-ar)
        idf = [math.sqrt(math.log((n + 1) / (d + 0.5))) for d in df]
        self.weights = {cross: [w * f for w, f in zip(ws, idf, strict=True)]
                        for cross, ws in self.weights.items()}
        masks = entity_masks or []
        edf = [sum(m >> i & 1 for m in masks) for i in range(len(self.entities))]
        self.entity_weights = [math.sqrt(math.log((n + 1) / (d + 0.5))) for d in edf]

    def coverage(self, toks: list[Tok], context: list[Tok], cross: bool = False,
                 named: int = 0, named_near: int = 0) -> float:
        """Weighted share of the key terms (and named entities: ``named`` / ``named_near``
        bits from ``entity_bits``) found in the clause.

        Part credit: a key term matched only weakly (``WEAK_CREDIT``), one found in
        the clause's context only (``NEAR_CREDIT``).
        """
        (inside, weak), near = self.masks(toks), self.mask(context)
        total = got = 0.0
        for i, weight in enumerate(self.entity_weights):
            total += weight
            got += weight if named >> i & 1 else NEAR_CREDIT * weight if named_near >> i & 1 \
                else 0.0
        for i, weight in enumerate(self.weights[cross]):
            total += weight
            if inside >> i & 1:
                got += weight
            elif weak >> i & 1:
                got += WEAK_CREDIT * weight
            elif near >> i & 1:
                got += NEAR_CREDIT * weight
        return got / total if total else 0.0


def place_forms(q: Question) -> list[tuple[str, ...]]:
    """Analysed forms of each place the question names that the gazetteer does not know
    (the ones it knows are matched as entities, by id)."""
    known = {q.text[e.start:e.end] for e in q.entities if e.kind == "place"}
    out = []
    for place in (p for p in q.places if p not in known):
        forms = tuple(f for t in extract.tokens(place, 0, len(place)) for f in concept_forms(t.term))
        if forms:
            out.append(forms)
    return out


@dataclass(frozen=True)
class Cand:
    """A candidate clause of a hit with its scores and best typed answer (report offsets)."""

    rank: int
    hit: Hit
    start: int
    end: int
    coverage: float
    found: Found | None
    score: float
    places_ok: bool = True  # the clause or its context names every place of the question
