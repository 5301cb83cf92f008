"""Fine re-ranking of fused candidates and near-duplicate removal (pure functions).

After reciprocal rank fusion the top ~30 passages are re-scored with cheap
features that the coarse stages miss: how much of the question's key terms
(IDF-weighted, same analyser as the index: normalised, stemmed) the passage
covers, how densely they sit in its best sentence-sized window of tokens,
whether the question's word pairs occur as phrases, whether the question's
numbers occur, and whether the best sentence holds a number when the
question asks for one ("how many", "كم", "when", "متى"), and for statements (a
pasted claim) two bm25 scores of the passage's report ("doc": the matches of all
its candidate passages over the report's length; "report": the matches of all
its passages, which ``retrieve`` counts): a claim is checked against articles,
and an article that covers the claim across several passages is better evidence
than one passage that shares its words. The score
is a linear mix of these features with the fused score, the max-scaled bm25
score and the passage's dense cosine, with one set of weights for questions
(tuned on arcd-train and half of xquad-ar) and one for statements (tuned on
unifiedfc claims_dev folds 1-2); see ``benchmarks/tune_retrieval.py``.

Near duplicates (one wire story carried by several outlets: Jaccard similarity of
analysed-token shingles) are demoted below the better-ranked copy by a finite score
penalty, never removed: a copy may be the report the reader wants (another outlet,
date or source), and a penalty lowers a score, it does not erase a hit.
This module does no I/O and loads no model; ``retrieve`` feeds it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import astuple, dataclass

import numpy as np

from assistant.text.arabic import normalize, tokenize

FEATURES = ("fused", "dense", "bm25", "cover", "sentence", "phrase", "numbers", "answer_type",
            "doc", "report")

# Questions that want a number (count, year, time): English and Arabic cues (normalised).
_WANTS_NUMBER = re.compile(
    r"\b(?:how many|how much|how long|how old|what year|which year|when|what percentage)\b"
    r"|(?:^|\s)(?:كم|متي|عدد|نسبه|باي عام|في اي عام|في اي سنه|اي عام|اي سنه)(?:\s|$)")
# A question: a question mark, or an interrogative / imperative opening (normalised forms).
_QUESTION = re.compile(
    r"[?؟]|^\W*(?:ما(?!\s+لا\b)|ماذا|من|متي|كم|اين|كيف|لماذا|لما|هل|اي|بكم|بماذا|لمن|مما|عم|ماهو|ماهي"
    r"|اذكر|اعط|what|who|whom|whose|when|where|which|why|how|is|are|was|were|do|does|did"
    r"|can|could|list|name|give)\b")
STATEMENT_MIN_TERMS = 8
# Score lost by a near duplicate of a better-ranked passage: about what a passage loses
# from a top bm25 to none (``bm25`` is max-scaled, weight 1), so a copy falls below the
# distinct passages of similar score without leaving the list.
DUPLICATE_PENALTY = 1.0


@dataclass(frozen=True)
class RerankWeights:
    """Weights of the re-ranking features (order of ``FEATURES``); the defaults are those
    for questions."""

    # Tuned on arcd-train + xquad-ar even articles (benchmarks/tune_retrieval.py): the dense
    # cosine and the max-scaled bm25 carry most of the signal; of the word-overlap features
    # only the phrase (word pairs) adds a little on top of them.
    fused: float = 1.0
    dense: float = 8.0
    bm25: float = 1.0
    cover: float = 0.0
    sentence: float = 0.0
    phrase: float = 0.25
    numbers: float = 0.2
    answer_type: float = 0.1
    doc: float = 0.0
    report: float = 0.0

    def vector(self) -> np.ndarray:
        return np.array(astuple(self), dtype=np.float64)


# Statements (claims): tuned on unifiedfc claims_dev folds 1-2 (benchmarks/tune_retrieval.py).
# "report" (bm25 of the whole article) next to "doc" (its candidate passages only): the
# first finds long pages whose matches are spread out, the second rewards an article whose
# best-matching passages cover the claim; together they beat either on the held-out folds.
STATEMENT_WEIGHTS = RerankWeights(fused=0.0, dense=1.0, bm25=1.0, phrase=1.0, numbers=0.0,
                                  answer_type=0.0, doc=2.0, report=2.0)


def is_statement(text: str) -> bool:
    """True for a statement to check (a pasted claim), False for a question: no question
    mark or interrogative opening, and at least ``STATEMENT_MIN_TERMS`` analysed terms."""
    return (not _QUESTION.search(normalize(text))
            and len(set(tokenize(text))) >= STATEMENT_MIN_TERMS)


@dataclass(frozen=True)
class Query:
    """A question analysed once: unique terms with IDF weights, word pairs, numbers."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]
    pairs: frozenset[tuple[str, str]]
    numbers: frozenset[str]
    wants_number: bool


def analyse_query(text: str, idf: dict[str, float]) -> Query:
    """The question's analysed terms weighted by ``idf`` (unknown terms get the max)."""
    toks = tokenize(text)
    terms = tuple(dict.fromkeys(toks))
    top = max(idf.values(), default=1.0)
    weights = tuple(idf.get(t, top) for t in terms)
    pairs = frozenset(zip(toks, toks[1:], strict=False))
    numbers = frozenset(t for t in terms if t[0].isdigit())
    return Query(terms, weights, pairs, numbers, bool(_WANTS_NUMBER.search(normalize(text))))


def passage_features(query: Query, toks: list[str], window: int = 20,
                     proximity: bool = True) -> np.ndarray:
    """Features cover, sentence, phrase, numbers, answer_type of one passage's tokens.

    "sentence" is the IDF-weighted coverage of the best ``window`` consecutive
    analysed tokens (about a sentence once stopwords are gone): a proximity signal
    that needs neither re-segmenting nor re-analysing the passage at query time.
    ``proximity`` False skips that scan (the costly part): sentence and answer_type
    (which looks for a number in that window) are then 0.
    """
    total = sum(query.weights) or 1.0
    weight = dict(zip(query.terms, query.weights, strict=True))
    present = set(toks)
    cover = sum(w for t, w in weight.items() if t in present)
    pairs = set(zip(toks, toks[1:], strict=False))
    phrase = len(query.pairs & pairs) / len(query.pairs) if query.pairs else 0.0
    numbers = len(query.numbers & present) / len(query.numbers) if query.numbers else 0.0
    if not proximity:
        return np.array([cover / total, 0.0, phrase, numbers, 0.0])
    best, best_at, counts, got = 0.0, 0, dict.fromkeys(weight, 0), 0.0
    for i, t in enumerate(toks):
        if t in counts:
            counts[t] += 1
            got += weight[t] if counts[t] == 1 else 0.0
        if i >= window and toks[i - window] in counts:
            old = toks[i - window]
            counts[old] -= 1
            got -= weight[old] if counts[old] == 0 else 0.0
        if got > best + 1e-12:
            best, best_at = got, i
    span = toks[max(0, best_at - window + 1):best_at + 1]
    answer_type = float(query.wants_number and any(t[0].isdigit() for t in span))
    return np.array([cover / total, best / total, phrase, numbers, answer_type])


def feature_matrix(query: Query, tokens: list[list[str]], fused: list[float],
                   dense: list[float | None], bm25: list[float | None],
                   cross: list[bool] | None = None, doc: list[float] | None = None,
                   proximity: bool = True, report: list[float] | None = None) -> np.ndarray:
    """(n, len(FEATURES)) features for candidates (analysed tokens) in fused order.

    ``fused``, ``bm25``, ``doc`` (the bm25 of each candidate's report from its
    candidate passages, see ``doc_bm25``) and ``report`` (the same over all the
    report's passages; both 0 when not given) are scaled by their maximum (a candidate the
    lexical stage did not return gets 0). ``proximity`` False leaves sentence and
    answer_type at 0 (a caller whose weights ignore them saves their cost). A
    candidate without a vector (not embedded yet) and one in another language than
    the question (``cross``: no shared words) have their missing evidence imputed
    (``impute_missing``).
    """
    top = max(fused, default=1.0) or 1.0
    top_bm25 = max((b for b in bm25 if b is not None), default=1.0) or 1.0
    doc, report = ([0.0] * len(tokens) if x is None else x for x in (doc, report))
    top_doc, top_report = (max(x, default=1.0) or 1.0 for x in (doc, report))
    rows = [np.concatenate([[f / top, np.nan if d is None else d, (b or 0.0) / top_bm25],
                            passage_features(query, t, proximity=proximity),
                            [r / top_doc, w / top_report]])
            for t, f, d, b, r, w in zip(tokens, fused, dense, bm25, doc, report, strict=True)]
    mat = np.array(rows).reshape(len(tokens), len(FEATURES))
    return impute_missing(mat, cross or [False] * len(tokens))


def report_counts(docs: list[str], tokens: list[list[str]], terms: set[str]
                  ) -> list[dict[str, int]]:
    """For each candidate: counts of ``terms`` summed over the candidates of its report.

    The candidates are the passages the stages found (the "doc" feature): alone,
    counts over whole reports did no better on the held-out claims (better R@20,
    worse MRR); as a second feature ("report") next to this one they help a little.
    """
    per_doc: dict[str, Counter[str]] = {}
    for doc, toks in zip(docs, tokens, strict=True):
        per_doc.setdefault(doc, Counter()).update(t for t in toks if t in terms)
    return [dict(per_doc[doc]) for doc in docs]


def doc_bm25(query: Query, counts: list[dict[str, int]], lengths: list[int],
             k1: float = 1.2, b: float = 0.75) -> list[float]:
    """BM25 of reports from query-term counts (``report_counts``) and report lengths.

    Lengths (any unit: characters here) are normalised by their mean over the
    candidates, not over the index: the feature is compared within one query only.
    """
    mean = (sum(lengths) / len(lengths)) if lengths else 1.0
    weight = dict(zip(query.terms, query.weights, strict=True))
    out = []
    for tf, n in zip(counts, lengths, strict=True):
        norm = k1 * (1 - b + b * n / (mean or 1.0))
        out.append(sum(weight.get(t, 0.0) * c * (k1 + 1) / (c + norm)
                       for t, c in tf.items() if c))
    return out


_WORD_FEATURES = [FEATURES.index(f) for f in ("bm25", "cover", "sentence", "phrase", "doc",
                                                "report")]


def impute_missing(mat: np.ndarray, cross: list[bool]) -> np.ndarray:
    """Fill evidence a candidate cannot have from the candidates that have it.

    An English question shares no words with an Arabic passage (``cross``), and a
    passage not embedded yet has no cosine (NaN). Such a passage gets, per missing
    feature, the best value among the candidates that have it and are no better
    on the evidence it does have (the nearest one's when all are better), so it is
    neither lifted above nor sunk below comparable passages by the gap.
    """
    out = mat.copy()
    dense, bm25 = FEATURES.index("dense"), FEATURES.index("bm25")
    # Donors of a cosine must have comparable bm25: same-language passages with a vector.
    has_dense = [i for i in range(len(mat)) if not np.isnan(mat[i, dense]) and not cross[i]]
    for i in range(len(mat)):
        if np.isnan(mat[i, dense]):
            out[i, [dense]] = _borrow(mat, i, has_dense, bm25, [dense]) if has_dense else 0.0
    same = [i for i, c in enumerate(cross) if not c]
    if same and len(same) < len(cross):
        for i in (i for i, c in enumerate(cross) if c):
            out[i, _WORD_FEATURES] = _borrow(out, i, same, dense, _WORD_FEATURES)
    return out


def _borrow(mat: np.ndarray, i: int, donors: list[int], by: int, cols: list[int]) -> np.ndarray:
    below = [d for d in donors if mat[d, by] <= mat[i, by]]
    if below:
        return mat[np.ix_(below, cols)].max(axis=0)
    nearest = min(donors, key=lambda d: mat[d, by] - mat[i, by])
    return mat[nearest, cols]


def rerank_order(features: np.ndarray, weights: RerankWeights) -> tuple[list[int], np.ndarray]:
    """Candidate indices best first (ties keep fused order) and their scores."""
    scores = features @ weights.vector() if len(features) else np.zeros(0)
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return order, scores


def shingles(tokens: list[str], n: int = 3) -> frozenset[int]:
    """Hashes of the word n-grams of analysed tokens (the whole sequence when shorter).

    Hashes, not tuples: CPython does not cache tuple hashes, so set algebra on
    tuples re-hashes every shingle on every comparison.
    """
    if len(tokens) < n:
        return frozenset([hash(tuple(tokens))]) if tokens else frozenset()
    # zip of shifted views builds the n-gram tuples in C (no slicing per position).
    return frozenset(map(hash, zip(*(tokens[i:] for i in range(n)), strict=False)))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def demote_duplicates(order: list[int], scores: np.ndarray, tokens: list[list[str]],
                      threshold: float, penalty: float) -> np.ndarray:
    """``scores`` less ``penalty`` for each candidate (``order``: best first) that is a near
    duplicate of a better-ranked one (``near_duplicates``)."""
    copies = near_duplicates([tokens[i] for i in order], threshold)
    out = np.array(scores, dtype=np.float64)
    out[[order[j] for j in copies]] -= penalty
    return out


def near_duplicates(token_lists: list[list[str]], threshold: float = 0.8) -> set[int]:
    """Indices (in ranked order) whose shingles overlap an earlier kept one above ``threshold``.

    Shingles shared with the first passage that has them are counted in one pass,
    so passages with nothing in common cost nothing (no pairwise set algebra); a
    copy of a copy is compared with the first copy, which is what matters here.
    """
    sets = [shingles(t) for t in token_lists]
    first: dict[int, int] = {}
    shared: Counter[tuple[int, int]] = Counter()
    for i, sh in enumerate(sets):
        for h in sh:
            j = first.setdefault(h, i)
            if j != i:
                shared[j, i] += 1
    drop: set[int] = set()
    for (i, j), n in sorted(shared.items()):
        if i not in drop and j not in drop and n / (len(sets[i]) + len(sets[j]) - n) > threshold:
            drop.add(j)
    return drop
