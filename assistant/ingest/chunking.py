"""Sentence-aligned chunking with exact character offsets.

A chunk is a run of whole segments (sentences/clauses from
``text.arabic.segment``) of at most ``max_chars`` characters, so that
``report.text[start:end]`` is always the chunk's text. A single segment
longer than the limit is cut at whitespace. No I/O here.
"""

from __future__ import annotations

from assistant.text.arabic import segment


def chunk_spans(text: str, max_chars: int = 700, min_chars: int = 80) -> list[tuple[int, int]]:
    """Chunk spans ``(start, end)`` over ``text``; never splits a segment unless too long.

    Paragraph breaks end a chunk, except after a fragment shorter than
    ``min_chars`` (a title or a report-number line), which joins the next.
    """
    spans: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for start, end in _bounded_segments(text, max_chars):
        if cur is None:
            cur = (start, end)
        elif end - cur[0] <= max_chars and (cur[1] - cur[0] < min_chars
                                            or "\n\n" not in text[cur[1]:start]):
            cur = (cur[0], end)
        else:
            spans.append(cur)
            cur = (start, end)
    if cur is not None:
        spans.append(cur)
    return spans


def _bounded_segments(text: str, max_chars: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in segment(text):
        while end - start > max_chars:
            cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
            cut = cut if cut > start else start + max_chars
            out.append((start, cut))
            start = cut
            while start < end and text[start].isspace():
                start += 1
        if end > start:
            out.append((start, end))
    return out


def embedding_text(title: str, chunk_text: str) -> str:
    """What the embedder sees: the report title as context, then the chunk."""
    title = " ".join(title.split())[:200]
    return f"{title}\n{chunk_text}" if title else chunk_text
