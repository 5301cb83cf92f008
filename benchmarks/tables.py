"""Markdown tables for the benchmark scripts (one row per dict, keys as columns)."""

from __future__ import annotations


def markdown_table(rows: list[dict], float_fmt: str = ".3f") -> str:
    """The rows as a markdown table; floats formatted with ``float_fmt``."""
    cols = list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = (r.get(c, float("nan")) for c in cols)
        lines.append("| " + " | ".join(format(v, float_fmt) if isinstance(v, float) else str(v)
                                       for v in cells) + " |")
    return "\n".join(lines)
