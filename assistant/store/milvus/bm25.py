"""The index folder's lexical ranking, recomputed: SQLite FTS5's ``bm25()`` (k1 1.2,
b 0.75, IDF ``ln((N - n + 0.5) / (n + 0.5))`` floored at 1e-6) over the analysed tokens,
with corpus-wide statistics.

Milvus finds the candidates (its BM25 over the same tokens, filters applied inside the
search); this module scores them as FTS5 would, so both stores rank alike whatever the
engine's own statistics are (milvus-lite keeps them per segment). FTS5's tokenizer
(unicode61) splits a token at ``.`` and ``,``: "3.5" is the phrase "3 5" to it, and rows
and statistics count those parts (``fts_terms``). A phrase's IDF is estimated from its
rarest part (FTS5 counts the rows holding the phrase, which no statistic here keeps).
Pure functions; no I/O.
"""

from __future__ import annotations

import math
import re

K1, B = 1.2, 0.75
_SEPARATORS = re.compile(r"[.,]")


def fts_terms(tokens: list[str]) -> list[str]:
    """The terms FTS5 indexes for a row of analysed tokens (numbers split at . and ,)."""
    out: list[str] = []
    for token in tokens:
        if is_phrase(token):
            out.extend(p for p in _SEPARATORS.split(token) if p)
        else:
            out.append(token)
    return out


def is_phrase(token: str) -> bool:
    return "." in token or "," in token


def idf(n_rows: int, hits: int) -> float:
    value = math.log((n_rows - hits + 0.5) / (hits + 0.5)) if n_rows else 0.0
    return value if value > 0.0 else 1e-6


def phrase_count(row: list[str], phrase: list[str]) -> int:
    """How often ``phrase`` (consecutive terms) occurs in ``row``."""
    if len(phrase) == 1:
        return row.count(phrase[0])
    n = len(phrase)
    return sum(1 for i in range(len(row) - n + 1) if row[i:i + n] == phrase)


def phrase_hits(phrase: list[str], doc_freqs: dict[str, int]) -> int:
    """Rows holding the phrase: its term's document frequency; for a split number, its
    rarest part's (an upper bound of the rows holding the whole phrase)."""
    return min((doc_freqs.get(t, 0) for t in phrase), default=0)


def scores(terms: list[str], rows: list[list[str]], n_rows: int, n_tokens: int,
           doc_freqs: dict[str, int]) -> list[float]:
    """FTS5 bm25 (higher is better) of each row (analysed tokens) for the OR query of
    ``terms``; ``n_rows``, ``n_tokens`` and ``doc_freqs`` (of ``fts_terms``) are the
    whole index's, as FTS5 uses them whatever the filter."""
    phrases = [p for p in (fts_terms([t]) for t in dict.fromkeys(terms)) if p]
    weights = [idf(n_rows, phrase_hits(p, doc_freqs)) for p in phrases]
    avgdl = (n_tokens / n_rows) if n_rows and n_tokens else 1.0
    out = []
    for tokens in rows:
        row = fts_terms(tokens)
        norm = K1 * (1 - B + B * len(row) / avgdl)
        total = 0.0
        for phrase, weight in zip(phrases, weights, strict=True):
            tf = phrase_count(row, phrase)
            if tf:  # FTS5's order of operations, so that equal scores stay equal
                total += weight * ((tf * (K1 + 1)) / (tf + norm))
        out.append(total)
    return out
