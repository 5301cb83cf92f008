"""Evidence answers: the asked-for figure, date, place or actor, quoted with citations.

``answer_evidence`` reads the clauses of the top retrieved passages (segmented
on the full report text, so quotes carry exact offsets), scores each clause by
how much of the question it covers (key terms weighed by their rarity among
the candidate clauses, see ``answer_state.Asked``), the retrieval rank of its
report and passage and, as a bonus, whether it holds an answer of the asked
type (``extract.py``); a typed question is refused only when no clause holds an
answer of its type, and the best-covered clause may be quoted without a short
answer. A clause that segmentation cut from a sentence of readable length is
quoted with its whole sentence. Given the index's embedder (``meaning``), near-tied
clauses are told apart by their sentence's similarity to the question
(``sentence_rank.py``). The answer (``answer_render.py``) gives the short
answer, the quote with [n] markers (first from the report's version of record,
``twins.py``), and quotes from other reports that give the same or a different
figure. Below ``min_confidence`` it says the reports do not state it and lists
the closest passages. No LLM, no I/O: the report text comes from the
``get_text`` callable.

The ``W_*`` weights were tuned on arcd (all) and the first half of xquad-ar
(``benchmarks/answers.py`` answer-sentence accuracy), then checked on dev_qa.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from assistant.answer import extract, sentence_rank
from assistant.answer.constraints import clause_fit, report_fit
from assistant.answer.extract import Found, Tok
from assistant.answer.followup import is_elliptic, resolve_followup
from assistant.answer.question import Question, understand
from assistant.answer.render import citation, markdown, plain, refusal, sentence_span
from assistant.answer.sentence_rank import SentenceMeaning
from assistant.answer.state import Asked, Cand, Docs, GetText
from assistant.answer.terms import form_matcher
from assistant.answer.twins import counterpart
from assistant.answer.verify import verify
from assistant.answer.weights import CLAUSE
from assistant.config import Config
from assistant.records import Answer, Hit
from assistant.text.arabic import detect_language

TOP_HITS = 10  # passages read for an answer
TYPED = ("count", "date", "time", "measure")  # answered only by a clause stating such a value
TYPED_RATIO = 0.75  # ... and scoring at least this share of the best clause's score
MAX_OTHERS = 3  # quotes from other reports (support / conflict)
TwinOf = Callable[[Hit], "Hit | None"]  # a report's version in the language of record (twins.py)


def answer_evidence(question: str, hits: list[Hit], get_text: GetText | None, *,
                    min_confidence: float = Config.min_confidence,
                    history: list[tuple[str, str]] | None = None,
                    twin_of: TwinOf | None = None,
                    meaning: SentenceMeaning | None = None) -> Answer:
    """Answer ``question`` from ``hits`` by quoting the report sentences that state it.

    With ``meaning`` (the index's embedder, ``sentence_rank.py``), candidates whose
    lexical scores nearly tie are told apart by their sentence's similarity to the
    question; without it the lexical best is quoted.

    With ``twin_of``, an answer found in a translation is quoted first from the
    report's version of record (when the same figure/date is found there), then
    from the translation.
    """
    if history and is_elliptic(question):
        question = resolve_followup(question, history)
    q = understand(question)
    docs = Docs(get_text)
    cands = sorted(_candidates(q, hits[:TOP_HITS], docs), key=lambda c: -c.score)
    # a figure, date or time is answered only by a clause that states one; other typed
    # questions by the clause that best covers the question, typed answer or not
    pool = [c for c in cands if c.found] if q.qtype in TYPED else cands
    if not pool or pool[0].score < min_confidence or \
            q.qtype != "other" and not any(c.found for c in cands) or \
            pool[0].score < TYPED_RATIO * cands[0].score:
        # no clause states what was asked, or the one that does covers the question far
        # less than the best clause: the closest passages, not a guess
        return refusal(q, cands, docs)
    cands = pool
    best = _by_meaning(q, question, cands, docs, meaning)
    lead = _lead(q, best, docs, twin_of)
    quoted = {x.hit.doc_id for x in lead}
    others = [(c, k) for c, k in _others(q, best, cands) if c.hit.doc_id not in quoted]
    cites = [citation(i + 1, c, docs) for i, c in enumerate([*lead, *(o for o, _ in others)])]
    md = markdown(q, lead, others, cites)
    return Answer(question=question, found=True, answer=md,
                  short_answer=plain(best.found.text) if best.found else None, mode="evidence",
                  citations=cites, checks=verify(md, cites))


def _by_meaning(q: Question, question: str, cands: list[Cand], docs: Docs,
                meaning: SentenceMeaning | None) -> Cand:
    """The lexical best, or the near-tie whose quoted sentence is closest to the question.

    Not for count questions: a figure tied to what is counted, often on a terse
    fact-sheet line ("الهجمات: ثلاث غارات جوية"), is better evidence than a
    wordier sentence that paraphrases the question (dev_qa lost 2 of 22).
    """
    n = sentence_rank.near_best([c.score for c in cands])
    if meaning is None or q.qtype == "count" or n < 2:
        return cands[0]
    spans = []
    for c in cands[:n]:
        text, base = docs.text(c.hit)
        start, end = sentence_span(c, docs)
        spans.append((text, start - base, end - base))
    sims = meaning.similarities(question, spans)
    return cands[sentence_rank.choose([c.score for c in cands[:n]], sims)]


def _candidates(q: Question, hits: list[Hit], docs: Docs) -> list[Cand]:
    asked = Asked(q)
    # a figure, date or time can sit far from the words that found its report
    whole = q.qtype in TYPED
    spans = [(rank, hit, docs.clauses(hit, whole)) for rank, hit in enumerate(hits)]
    asked.weigh(*_clause_tokens(spans, docs, asked))
    report_rank = {d: i for i, d in enumerate(dict.fromkeys(h.doc_id for h in hits))}
    out = []
    # Hits of one report share clauses (neighbours, or the whole of a short report): what a
    # clause says is read once; only its retrieval terms differ from hit to hit.
    read: dict[tuple, _Read] = {}
    for rank, hit, clauses in spans:
        penalty = report_fit(q, hit, docs, asked)
        cross = (hit.language or detect_language(hit.text)) != q.lang
        for i, (s, e, neighbour) in enumerate(clauses):
            prev = clauses[i - 1][0] if i else s
            key = (hit.doc_id, prev, s, e, cross)
            got = read.get(key)
            if got is None:
                got = read[key] = _read(asked, hit, docs, (prev, s, e), cross)
            where = _Where(rank, report_rank[hit.doc_id], neighbour)
            out.append(Cand(rank, hit, s, e, got.coverage, got.found,
                            _score(q, got.coverage, got.found, where, got.typed, got.said)
                            * penalty * got.fit, got.places_ok))
    return _dedupe(out)


def _clause_tokens(spans: list[tuple[int, Hit, list[tuple[int, int, bool]]]], docs: Docs,
                   asked: Asked) -> tuple[list[list[Tok]], list[int]]:
    """Tokens and named-entity bits of each distinct candidate clause (the population key
    terms are weighed over)."""
    seen: dict[tuple[str, int], tuple[list[Tok], int]] = {}
    for _, hit, clauses in spans:
        text, base = docs.text(hit)
        mentions = docs.entities(hit)
        for s, e, _ in clauses:
            if (hit.doc_id, s) not in seen:
                seen[(hit.doc_id, s)] = (docs.tokens(text, s - base, e - base),
                                         asked.entity_bits(mentions, s, e))
    return [t for t, _ in seen.values()], [b for _, b in seen.values()]


@dataclass(frozen=True)
class _Where:
    """Where a clause comes from: its hit's rank, its report's rank, outside the hit or not."""

    rank: int
    report: int
    neighbour: bool


@dataclass(frozen=True)
class _Read:
    """What one clause says about the question, whichever hit brought it."""

    coverage: float
    found: Found | None
    typed: bool  # it holds some answer of the asked type
    said: float  # share of the question's source words in the clause or its context
    places_ok: bool  # the clause or its context names every place of the question
    fit: float = 1.0  # its sentence's date and source fit the question (constraints.py)


def _read(asked: Asked, hit: Hit, docs: Docs, span: tuple[int, int, int], cross: bool) -> _Read:
    """Read one clause (``span``: previous clause start, start, end in report offsets)."""
    q, keys = asked.q, asked
    text, base = docs.text(hit)
    prev, s, e = (x - base for x in span)
    header = docs.header(hit)
    toks = docs.tokens(text, s, e)
    context = docs.tokens(text, prev, s) + header
    mentions = docs.entities(hit)
    named = keys.entity_bits(mentions, span[1], span[2])
    near = keys.entity_bits(mentions, span[0], span[1]) | keys.entity_bits(
        docs.title_entities(hit), 0, len(hit.title))
    cov = keys.coverage(toks, context, cross, named, near)
    if extract.is_label_line(text[s:e]):  # a fact-sheet line: the sheet is its context
        cov = max(cov, 0.9 * keys.coverage(header, [], cross, 0, near))
    local = tuple(replace(m, start=m.start - base, end=m.end - base) for m in mentions) \
        if base else mentions
    figures = docs.figures(hit) if q.qtype == "count" else ()
    typed = extract.typed_answers(q, text, s, e, local, figures)
    best = next((f for f in typed if f.score >= extract.MIN_TYPED), None)
    if best:
        best = Found(best.text, best.start + base, best.end + base, best.score, best.key)
    places = [i for i, x in enumerate(q.entities) if x.kind == "place"]
    places_ok = all(_any_match(toks + context, forms) for forms in asked.places) and \
        all((named | near) >> i & 1 for i in places)
    said = asked.said(toks + context)
    fit = clause_fit(q, hit, docs, (span[1], span[2]), said)
    return _Read(cov, best, bool(typed), said, places_ok, fit)


def _dedupe(cands: list[Cand]) -> list[Cand]:
    """One candidate per clause (overlapping hits of one report share clauses): the best."""
    best: dict[tuple[str, int], Cand] = {}
    for c in cands:
        key = (c.hit.doc_id, c.start)
        if key not in best or c.score > best[key].score:
            best[key] = c
    return list(best.values())


def _score(q: Question, coverage: float, found: Found | None, where: _Where,
           has_type: bool, said: float = 0.0) -> float:
    """Coverage of the question weighs most, then the retrieval rank of the clause's report.

    An answer of the asked type is a bonus, not a gate (on open text the type
    extractors miss most names and fire on unrelated figures); for a count or
    date question any figure or year in the clause is a smaller bonus of its own.
    A question that names its source ("according to the Observatory") prefers
    the clauses that name it (``said``: the share of the source's words).
    """
    retrieval = (CLAUSE.report / (1 + where.report) + CLAUSE.hit / (1 + where.rank)
                 - CLAUSE.neighbour * where.neighbour)
    w_typed = CLAUSE.typed.get(q.qtype, CLAUSE.typed["other"])
    if q.qtype == "date" and q.dates:  # a date inside or outside the period asked about
        w_typed *= 2
    w_present = CLAUSE.present if q.qtype in TYPED else 0.0
    raw = (CLAUSE.coverage * coverage + retrieval + w_typed * (found.score if found else 0.0)
           + w_present * has_type)
    score = raw / (CLAUSE.coverage + CLAUSE.report + CLAUSE.hit + w_typed + w_present)  # 1: a perfect clause
    # a bonus, not a share of the whole: naming no source costs no confidence
    return min(1.0, score + CLAUSE.source * said)


def _any_match(toks: list[Tok], forms: tuple[str, ...]) -> bool:
    match = form_matcher(forms)
    return any(match(t.term) for t in toks)


def _lead(q: Question, best: Cand, docs: Docs, twin_of: TwinOf | None) -> list[Cand]:
    """The best clause, preceded by its counterpart in the version of record if there is one."""
    twin = twin_of(best.hit) if twin_of and best.found and docs.get_text else None
    if twin is None or best.found is None:
        return [best]
    text, _ = docs.text(best.hit)
    got = counterpart(q, best.found, (best.start + best.end) / 2 / max(1, len(text)),
                      docs.text(twin)[0], docs.spans(twin))
    if got is None:
        return [best]
    (start, end), found = got
    return [replace(best, hit=twin, start=start, end=end, found=found), best]


def _others(q: Question, best: Cand, cands: list[Cand]) -> list[tuple[Cand, str]]:
    """Quotes from other reports that give the same answer ("same") or another ("conflict").

    A different answer counts as conflicting only when its clause is about the
    same thing: as much of the question covered, the question's places named,
    and a report date within a week of the best answer's report.
    """
    out: list[tuple[Cand, str]] = []
    seen = {best.hit.doc_id}
    for c in cands:
        if len(out) >= MAX_OTHERS or c.score < 0.75 * best.score:
            break
        if c.hit.doc_id in seen or not c.found or not best.found or c.found.score < 0.6:
            continue
        same = c.found.key == best.found.key
        if same and c.coverage >= 0.7 * best.coverage or not same and _same_subject(best, c):
            seen.add(c.hit.doc_id)
            out.append((c, "same" if same else "conflict"))
    return out


def _same_subject(best: Cand, c: Cand) -> bool:
    if c.coverage < 0.9 * best.coverage or not c.places_ok:
        return False
    a, b = best.hit.date, c.hit.date
    if a and b and len(a) >= 10 and len(b) >= 10:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days) <= 7
    return True
