"""Context assembly: ranked hits -> numbered, token-budgeted sources for the answer stage.

Hits of the same report whose spans touch or overlap (neighbouring chunks)
are merged into one passage cut from the report's original text, so the
answer stage sees a continuous quote and ``report.text[start:end] == text``
still holds. Passages are numbered in rank order ([1] is the best); a passage
that does not fit the remaining budget is left out and smaller later ones may
still fit (the first always goes in). Token counts are estimates (characters
per token by language), not a model tokenizer. No I/O beyond ``get_text``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .config import Config
from .records import Hit
from .text.arabic import detect_language

_CHARS_PER_TOKEN = {"en": 4.0, "ar": 3.0}
MERGE_GAP = 2  # characters of whitespace allowed between two spans that are merged


@dataclass(frozen=True)
class Passage:
    """One numbered source: a span of a report with its metadata and per-stage scores."""

    n: int
    doc_id: str
    path: str
    record: str | None
    title: str
    date: str | None
    source: str
    url: str
    text: str
    start: int
    end: int
    score: float
    ranks: tuple[int, ...]  # ranks of the hits merged into this passage
    chunk_ids: tuple[int, ...]
    scores: dict[str, float] = field(default_factory=dict)
    language: str = ""


@dataclass(frozen=True)
class Context:
    """Passages and the text block ("[n] title | date | source\\ntext", blank-line separated)."""

    passages: list[Passage]
    block: str
    tokens: int

    def hits(self) -> list[Hit]:
        """The passages as Hit records (rank = n, chunk_id = the first merged chunk), for
        code that numbers and cites hits, e.g. ``llm.format_sources`` / ``build_answer``."""
        return [Hit(rank=p.n, doc_id=p.doc_id, path=p.path, record=p.record, title=p.title,
                    date=p.date, source=p.source, url=p.url, text=p.text, start=p.start,
                    end=p.end, score=p.score, chunk_id=p.chunk_ids[0], language=p.language,
                    scores=dict(p.scores)) for p in self.passages]


def estimate_tokens(text: str) -> int:
    """Rough token count: ~3 characters per token in Arabic, ~4 in English."""
    return math.ceil(len(text) / _CHARS_PER_TOKEN[detect_language(text)])


def passage_block(p: Passage) -> str:
    """The source block of one passage as the answer prompt shows it."""
    head = " | ".join(x for x in (p.title.strip() or p.path, p.date or "-", p.source) if x)
    return f"[{p.n}] {head}\n{p.text.strip()}"


def assemble_context(hits: Sequence[Hit], get_text: Callable[[str], str],
                     budget_tokens: int = Config.context_tokens) -> Context:
    """Numbered passages from ``hits`` (rank order) within ``budget_tokens``."""
    merged = _merge(hits, get_text)
    kept: list[Passage] = []
    used = 0
    for p in merged:
        p = replace(p, n=len(kept) + 1)
        cost = estimate_tokens(passage_block(p))
        if kept and used + cost > budget_tokens:
            continue
        kept.append(p)
        used += cost
    return Context(kept, "\n\n".join(passage_block(p) for p in kept), used)


def _merge(hits: Sequence[Hit], get_text: Callable[[str], str]) -> list[Passage]:
    """One passage per hit, except that touching spans of one report become one passage."""
    out: list[Passage] = []
    texts: dict[str, str] = {}
    for h in hits:
        i = next((i for i, p in enumerate(out) if p.doc_id == h.doc_id
                  and h.start <= p.end + MERGE_GAP and p.start <= h.end + MERGE_GAP), None)
        if i is None:
            out.append(_single(h))
            continue
        p = out[i]
        full = texts.setdefault(h.doc_id, get_text(h.doc_id))
        start, end = min(p.start, h.start), max(p.end, h.end)
        if full[p.start:p.end] != p.text or full[h.start:h.end] != h.text:
            out.append(_single(h))  # the report changed since: keep apart
            continue
        out[i] = replace(p, text=full[start:end], start=start, end=end,
                         ranks=(*p.ranks, h.rank), chunk_ids=(*p.chunk_ids, h.chunk_id))
    return out


def _single(h: Hit) -> Passage:
    return Passage(0, h.doc_id, h.path, h.record, h.title, h.date, h.source, h.url, h.text,
                   h.start, h.end, h.score, (h.rank,), (h.chunk_id,), dict(h.scores),
                   h.language)
