"""A/B of the Arabic stemmer in Isnad's analyser: its own light stemmer against Snowball's
Arabic stemmer (PyStemmer, BSD; issue #16 asks whether an MIT-compatible stemmer does
as well), on the SQuAD-format sets of ``benchmarks/retrieval.py``.

Each variant analyses a COPY of the benchmark index (``benchmarks/out/<set>-<variant>``,
the vectors reused, the lexical rows rebuilt with the variant's analyser) and the
questions with the same analyser; rows: Isnad lexical (FTS5), Isnad full and bm25s over
the chunks with the variant's analyser. Snowball stems the token after Isnad's
normalisation (ة→ه, ى→ي, hamza carriers → ء), as the index would see it. Columns are the
tune and test halves (``--halves``): decide on tune, quote test.

    .venv/bin/python -m benchmarks.stemmer_ab --sets xquad-ar,arcd,aaqad --halves tune,test
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
from pathlib import Path

import Stemmer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.store.lexical_rows import rebuild_lexical  # noqa: E402
from assistant.text import arabic  # noqa: E402
from benchmarks.retrieval import (  # noqa: E402
    DATA,
    OUT,
    SQUAD_PATHS,
    CachedEmbedder,
    IsnadIndex,
    PrebuiltIndex,
    arcd_split,
    bm25s_ranker,
    load_squad,
    same_text,
    split_views,
    squad_metrics,
)

_ISNAD_STEM = arabic.stem
_SNOWBALL = Stemmer.Stemmer("arabic")


def snowball_stem(token: str) -> str:
    """Snowball's Arabic stem of a normalised token (non-Arabic tokens unchanged)."""
    return _SNOWBALL.stemWord(token) if arabic.detect_language(token) == "ar" else token


VARIANTS = {"isnad": _ISNAD_STEM, "snowball": snowball_stem}


def use_stemmer(variant: str) -> None:
    """Make ``arabic.tokenize`` stem with ``variant`` (its memo is emptied)."""
    arabic.stem = VARIANTS[variant]
    arabic._analyse.cache_clear()


def variant_index(base: IsnadIndex, name: str, variant: str) -> IsnadIndex:
    """The set's benchmark index (``base``, analysed by Isnad's stemmer), or for another
    variant a copy of it whose lexical rows the current analyser rebuilt."""
    if variant == "isnad":
        return base
    path = OUT / f"{name}-{variant}"
    if not path.exists():
        shutil.copytree(base.store.dir, path)
    index = PrebuiltIndex(path, base.embedder)
    index.key_of = base.key_of  # the same reports, keyed like the base index
    with index.store.write() as con:
        rebuild_lexical(con)
    return index


def rows(index: IsnadIndex) -> dict:
    return {"Isnad lexical (FTS5)": index.ranker("lexical"),
            "Isnad full": index.ranker("hybrid"),
            "bm25s + analyser (chunks)": bm25s_ranker(index.chunks(), arabic.tokenize)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="xquad-ar,arcd,aaqad")
    ap.add_argument("--halves", default="tune,test")
    args = ap.parse_args(argv)
    from assistant.embed.embedders import E5Embedder

    emb = CachedEmbedder(E5Embedder(), OUT / "embcache.sqlite")
    halves = tuple(args.halves.split(","))
    table: dict[str, dict[str, str]] = {}
    cols: list[str] = []
    sets = {}
    for name in args.sets.split(","):  # built (or reused) with Isnad's own analyser
        docs, qs = load_squad(DATA / SQUAD_PATHS[name])
        views = split_views(name, qs, halves)
        if name == "arcd" and "test" in halves:
            views["arcd-test"] = arcd_split("arcd-test")
        sets[name] = (IsnadIndex(name, docs, emb), same_text(docs), views)
    for variant in VARIANTS:
        use_stemmer(variant)
        for name, (base, canon, views) in sets.items():
            for row, rank in rows(variant_index(base, name, variant)).items():
                rank = functools.cache(rank)
                for view, items in views.items():
                    for key, value in squad_metrics(rank, items, canon).items():
                        col = f"{view} {key}"
                        cols += [col] if col not in cols else []
                        table.setdefault(f"{variant}: {row}", {})[col] = f"{value:.3f}"
                    print(f"  {variant} {view} {row} done", file=sys.stderr)
    use_stemmer("isnad")
    print("\n### Arabic stemmer A/B (Isnad light stemmer vs Snowball Arabic)\n")
    print("| analyser: system | " + " | ".join(cols) + " |")
    print("| --- " * (len(cols) + 1) + "|")
    for row, vals in table.items():
        print(f"| {row} | " + " | ".join(vals.get(c, "-") for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
