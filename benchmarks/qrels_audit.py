"""Audit of the retrieval benchmarks' gold labels: what no retriever can be credited for.

Prints one table of facts about the DATA, measured without any Isnad ranking:

* UnifiedFC (claims_dev): for each labelled (claim, article) pair, the share of the
  claim's IDF-weighted words that occur in the article ("coverage"), by stance, next to
  the same figure for random (claim, article) pairs; the claims whose every labelled
  article covers no more of the claim than a random article does; and the articles that
  repeat the claim nearly word for word (half or more of its word 5-grams) without being
  labelled for it ("unlabelled copies": the annotators judged only the articles a web
  search returned for that claim, so a copy fetched for another claim counts as a miss);
* ARCD: the questions that name nothing to search by (at most two content words once
  stopwords are gone, e.g. «أين ولد؟», «متى اسست؟»): written beside one paragraph, they
  cannot pick it out of 465.

The words here are normalised independently of Isnad's analyser (diacritics, alef forms,
alef maqsura, taa marbuta; no stemming), so the copy rule and the coverage do not favour
it; only the ARCD content-word count uses Isnad's analyser (its stopword list).
``benchmarks/retrieval.py`` scores every row against the labels plus the copies
(``unifiedfc-full+copies``) and on the ARCD questions that name something
(``arcd-named``), as diagnostics next to the official columns.

    .venv/bin/python -m benchmarks.qrels_audit
"""

from __future__ import annotations

import json
import math
import random
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.text.arabic import tokenize  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel
_ALEF = re.compile("[أإآٱ]")
COPY_SHARE = 0.5  # of the claim's word 5-grams found in the article
OFF_TOPIC = 0.2  # coverage below which 86 % of random (claim, article) pairs fall
MIN_NAMED = 3  # content words a question needs to name something


def words(text: str) -> list[str]:
    """Lower-cased word tokens with Arabic spelling variants unified (no stemming)."""
    text = _ALEF.sub("ا", _MARKS.sub("", text)).replace("ى", "ي").replace("ة", "ه")
    return re.findall(r"\w+", text.lower())


def grams(toks: list[str], n: int = 5) -> set[tuple[str, ...]]:
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def copies_of(claim: str, articles: dict[str, set[tuple[str, ...]]],
              share: float = COPY_SHARE) -> set[str]:
    """Ids of the articles (given as their word 5-gram sets) that hold at least ``share``
    of the claim's word 5-grams: the claim repeated nearly word for word."""
    g = grams(words(claim))
    if not g:
        return set()
    return {a for a, s in articles.items() if len(g & s) >= share * len(g)}


def article_grams(articles: dict[str, str]) -> dict[str, set[tuple[str, ...]]]:
    return {a: grams(words(t)) for a, t in articles.items()}


def with_copies(claims: list[tuple[str, set[str]]], articles: dict[str, str]
                ) -> list[tuple[str, set[str]]]:
    """The claims with their labelled articles plus the unlabelled copies of each claim."""
    ag = article_grams(articles)
    return [(c, rel | copies_of(c, ag)) for c, rel in claims]


def coverage(claim_words: set[str], article_words: set[str], idf: dict[str, float]) -> float:
    """IDF-weighted share of the claim's distinct words that the article contains."""
    total = sum(idf[w] for w in claim_words) or 1.0
    return sum(idf[w] for w in claim_words if w in article_words) / total


def named(question: str) -> bool:
    """True when the question has at least ``MIN_NAMED`` content words (Isnad's stopwords)."""
    return len(set(tokenize(question))) >= MIN_NAMED


def _unifiedfc_rows() -> list[tuple[str, str]]:
    claims = [json.loads(x) for x in open(DATA / "unifiedfc/claims_dev.jsonl", encoding="utf-8")]
    claims = [c for c in claims if c["relevant"]]
    texts = {}
    for line in open(DATA / "unifiedfc/articles.jsonl", encoding="utf-8"):
        a = json.loads(line)
        texts[a["id"]] = a["text"]
    return _coverage_rows(claims, texts) + _copy_rows(claims, texts)


def _coverage_rows(claims: list[dict], texts: dict[str, str]) -> list[tuple[str, str]]:
    """Coverage of each claim by its labelled articles (by stance) and by random ones."""
    bags = {a: set(words(t)) for a, t in texts.items()}
    df: dict[str, int] = {}
    for bag in bags.values():
        for w in bag:
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log(len(bags) / n) for w, n in df.items()}
    cw = {c["id"]: set(words(c["claim"])) for c in claims}
    for c in claims:  # words of a claim that no article has: the largest weight
        idf.update({w: math.log(len(bags) / 0.5) for w in cw[c["id"]] if w not in idf})
    by_stance: dict[str, list[float]] = {}
    dead = 0
    for c in claims:
        covs = [coverage(cw[c["id"]], bags[a], idf) for a in c["relevant"]]
        dead += max(covs) < OFF_TOPIC
        for a, cov in zip(c["relevant"], covs, strict=True):
            by_stance.setdefault(c["relevant"][a], []).append(cov)
    rng, ids = random.Random(0), sorted(bags)
    rand = [coverage(cw[c["id"]], bags[rng.choice(ids)], idf) for c in claims for _ in range(5)]
    rows = []
    for stance, covs in [*sorted(by_stance.items()), ("random pairs", rand)]:
        below = sum(x < OFF_TOPIC for x in covs) / len(covs)
        rows.append((f"UnifiedFC {stance}: pairs / median coverage / below {OFF_TOPIC}",
                     f"{len(covs)} / {statistics.median(covs):.2f} / {below:.0%}"))
    rows.append((f"UnifiedFC claims whose every labelled article covers < {OFF_TOPIC}",
                 f"{dead} of {len(claims)} ({dead / len(claims):.1%})"))
    return rows


def _copy_rows(claims: list[dict], texts: dict[str, str]) -> list[tuple[str, str]]:
    """How many labelled 'agree' articles the copy rule finds, and the unlabelled copies."""
    ag = article_grams(texts)
    found = [(c, copies_of(c["claim"], ag)) for c in claims]
    extra = [cp - set(c["relevant"]) for c, cp in found]
    agree = [a for c in claims for a, s in c["relevant"].items() if s == "agree"]
    hit = sum(a in cp for c, cp in found for a, s in c["relevant"].items() if s == "agree")
    return [("UnifiedFC labelled 'agree' articles that the copy rule finds",
             f"{hit} of {len(agree)}"),
            ("UnifiedFC unlabelled copies (pairs / claims with one or more)",
             f"{sum(map(len, extra))} / {sum(1 for e in extra if e)}")]


def _arcd_rows() -> list[tuple[str, str]]:
    data = json.loads((DATA / "arcd/arcd.json").read_text(encoding="utf-8"))["data"]
    qs = [qa["question"] for art in data for par in art["paragraphs"] for qa in par["qas"]]
    short = sum(not named(q) for q in qs)
    return [(f"ARCD questions with < {MIN_NAMED} content words",
             f"{short} of {len(qs)} ({short / len(qs):.1%})")]


def main() -> int:
    if not DATA.is_dir():
        print(f"no data at {DATA}", file=sys.stderr)
        return 1
    print("| fact | value |\n| --- | --- |")
    for fact, value in _unifiedfc_rows() + _arcd_rows():
        print(f"| {fact} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
