"""The lexical query: which analysed terms a query matches with, and their IDF.

Queries are analysed with the index's analyser (``text.arabic.tokenize``); a long query
(a pasted claim) keeps only its ``MAX_QUERY_TERMS`` rarest terms that occur in the index:
common terms add little to bm25, but their long posting lists dominate the cost of an OR
query. Pure functions over the store's document frequencies.
"""

from __future__ import annotations

import math

from assistant.store.base import SearchIndex
from assistant.text.arabic import tokenize

MAX_QUERY_TERMS = 16


def term_idf(store: SearchIndex, terms: list[str]) -> dict[str, float]:
    """BM25-style IDF of analysed terms (terms absent from the index are left out)."""
    freqs = store.doc_freqs(list(dict.fromkeys(terms)))
    if not freqs:
        return {}
    n = store.chunk_count()
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in freqs.items()}


def query_terms(query: str, idf: dict[str, float]) -> list[str]:
    """The analysed terms to match: all of them, or for a long query the rarest ones that
    occur in the index (``idf`` from ``term_idf``)."""
    terms = list(dict.fromkeys(tokenize(query)))
    if len(terms) <= MAX_QUERY_TERMS:
        return terms
    return sorted((t for t in terms if t in idf), key=lambda t: -idf[t])[:MAX_QUERY_TERMS]
