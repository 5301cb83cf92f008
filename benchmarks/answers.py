"""Answer-quality benchmark (evidence mode), printing one table.

1. dev_qa (../shared/data/dev_qa.jsonl) over an index of the seed report, Syrian Archive
   and FA-KES: short-answer accuracy, cited-document accuracy, evidence accuracy,
   refusal accuracy / false-answer rate on unanswerable items, latency — the same
   scoring as `isnad eval`.
2. xquad-ar and arcd end to end (retrieve over all paragraphs, then answer):
   answer-sentence accuracy (the first quoted sentence contains a gold answer) and
   short-answer exact match (after normalisation).
3. latency: ``Assistant.ask`` p50/p95 over the full UnifiedFC index (``--latency-index``),
   dev_qa questions and claims, each asked once.

Indexes and an embedding cache live under benchmarks/out/ (shared with retrieval.py),
so a second run only asks.

    .venv/bin/python benchmarks/answers.py                # everything
    .venv/bin/python benchmarks/answers.py --sets devqa --lexical-only
    .venv/bin/python benchmarks/answers.py --limit-questions 200
    .venv/bin/python benchmarks/answers.py --sets xquad-ar --articles odd   # held-out half
    .venv/bin/python benchmarks/answers.py --sets xquad-ar,arcd --no-meaning  # lexical choice

``--store milvus://HOST:PORT[/NAMESPACE]`` adds each set's row on a Milvus server, in the
same run: every index folder is copied into its own namespace (``isnad migrate``; vectors
copied, nothing re-embedded) and answered from there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from retrieval import OUT, CachedEmbedder, IsnadIndex, load_squad, milvus_copy  # noqa: E402
from tables import markdown_table  # noqa: E402

from assistant.answer.evaluate import evaluate, load_questions  # noqa: E402
from assistant.answer.evidence import answer_evidence  # noqa: E402
from assistant.answer.sentence_rank import SentenceMeaning  # noqa: E402
from assistant.assistant import Assistant  # noqa: E402
from assistant.config import Config  # noqa: E402
from assistant.embed.embedders import prefer_fast_queries  # noqa: E402
from assistant.retrieval.retriever import Retriever  # noqa: E402
from assistant.store.folder import FolderStore  # noqa: E402
from assistant.text.arabic import normalize  # noqa: E402

# ISNAD_SHARED_DATA: the data folder when the checkout is not beside it (a git worktree)
DATA = Path(os.environ.get("ISNAD_SHARED_DATA", ROOT.parent / "shared" / "data"))


class _NoEmbedder:
    model_id, dim = "none", 8


def report_index(emb, lexical_only: bool, store_uri: str | None = None) -> Assistant:
    """The seed report, Syrian Archive and FA-KES in one index (dev_qa's and the
    journalist set's reports), built once under benchmarks/out/ (and copied into a
    Milvus namespace when ``store_uri`` is given)."""
    name = "devqa-lexical" if lexical_only else "devqa"
    embedder = _NoEmbedder() if lexical_only else emb
    cfg = Config(index_dir=OUT / name)
    asst = Assistant(cfg, FolderStore(cfg.index_dir, embedder.model_id, embedder.dim),
                     None if lexical_only else embedder)
    asst.ingest([DATA / "seed", DATA / "syrianarchive", DATA / "fakes" / "FA-KES-Dataset.csv"],
                embed=not lexical_only)
    if store_uri:
        asst = Assistant(cfg, milvus_copy(asst.store, store_uri, name), asst.embedder)
    return asst


def _qa_row(label: str, result) -> dict:
    m = result.metrics()
    return {"set": label, "n": m["questions"], "short answer": m["short_answer_acc"],
            "cited doc": m["cited_doc_acc"], "evidence": m["evidence_acc"],
            "refusal": m["refusal_acc"], "false answers": m["false_answer_rate"],
            "wrong figures": m["wrong_figure_rate"], "follow-ups": m["followup_acc"],
            "answer sentence": float("nan"), "p50 ms": m["latency_p50_ms"],
            "p95 ms": m["latency_p95_ms"]}


def devqa_row(emb, lexical_only: bool, store_uri: str | None = None) -> dict:
    asst = report_index(emb, lexical_only, store_uri)
    result = evaluate(asst.ask, asst.get_text, load_questions(DATA / "dev_qa.jsonl"))
    where = ", Milvus" if store_uri else ""
    return _qa_row(f"dev_qa ({'lexical index' if lexical_only else 'hybrid index'}{where})",
                   result)


def journalist_rows(emb, split: str, dump: Path | None) -> list[dict]:
    """benchmarks/qa/journalist_{ar,en}.jsonl, one split ("tune", "test" or "all"): a row
    per language and one for both (per-question rows to ``dump`` as JSON lines)."""
    import json

    asst = report_index(emb, False)
    questions = [q for lang in ("ar", "en")
                 for q in load_questions(HERE / "qa" / f"journalist_{lang}.jsonl")
                 if split == "all" or q["split"] == split]
    result = evaluate(asst.ask, asst.get_text, questions)
    if dump:
        with dump.open("w", encoding="utf-8") as fh:
            for row in result.rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    rows = []
    for lang in ("ar", "en", None):
        part = type(result)([r for r in result.rows if lang is None or r["lang"] == lang])
        rows.append(_qa_row(f"journalist {split} ({lang or 'ar+en'})", part))
    return rows


def squad_row(name: str, emb, limit: int, meaning: bool = True, articles: str = "all",
              store_uri: str | None = None) -> dict:
    import json

    path = DATA / ("xquad-ar/xquad.ar.json" if name == "xquad-ar" else "arcd/arcd.json")
    docs, _ = load_squad(path)
    idx = IsnadIndex(name, docs, emb)
    store = milvus_copy(idx.store, store_uri, name) if store_uri else idx.store
    retriever = Retriever(store, emb)
    texts = {}

    def get_text(doc_id: str) -> str:
        if doc_id not in texts:
            texts[doc_id] = store.report(doc_id).text
        return texts[doc_id]

    keep = {"all": lambda a: True, "even": lambda a: a % 2 == 0, "odd": lambda a: a % 2 == 1}
    qas = [(qa["question"], [a["text"] for a in qa["answers"]])
           for i, art in enumerate(json.loads(path.read_text(encoding="utf-8"))["data"])
           if keep[articles](i) for par in art["paragraphs"] for qa in par["qas"]]
    # the index's embedder, as ``Assistant`` passes it (sentence vectors come from the
    # benchmark's embedding cache once seen, so the ms column is the lexical stage's cost)
    sentences = SentenceMeaning(emb) if meaning else None
    qas = qas[:limit] if limit else qas
    sent_ok, exact, times = 0, 0, []
    for question, golds in qas:
        t0 = time.perf_counter()
        with store.read():  # as Assistant.ask reads
            ans = answer_evidence(question, retriever.search(question, 10), get_text,
                                  min_confidence=0.0, meaning=sentences)
        times.append((time.perf_counter() - t0) * 1e3)
        quote = normalize(ans.citations[0].quote) if ans.citations else ""
        sent_ok += any(normalize(g) in quote for g in golds)
        short = normalize(ans.short_answer or "")
        exact += any(normalize(g) == short for g in golds)
    n = len(qas)
    label = name + ("" if articles == "all" else f" ({articles} articles)") + \
        ("" if meaning else " (lexical choice)") + (", Milvus" if store_uri else "")
    return {"set": label, "n": n, "short answer": exact / n, "cited doc": float("nan"),
            "evidence": float("nan"), "refusal": float("nan"), "false answers": float("nan"),
            "wrong figures": float("nan"), "follow-ups": float("nan"),
            "answer sentence": sent_ok / n, "p50 ms": float(np.percentile(times, 50)),
            "p95 ms": float(np.percentile(times, 95))}


def latency_row(index: Path, limit: int, store_uri: str | None = None) -> dict:
    """``Assistant.ask`` latency over a big index (``isnad ask`` in evidence mode, the
    process already open): dev_qa's questions, then UnifiedFC claims asked as questions,
    each once (report analyses are not warm from a previous identical question). With
    ``store_uri``: over the index's copy on that Milvus server."""
    import json

    asst = Assistant.open(index)
    if store_uri:  # named as retrieval.py's latency copy: the same index is copied once
        name = f"latency_{asst.store.counts()['chunks']}"
        asst = Assistant(asst.cfg, milvus_copy(asst.store, store_uri, name), asst.embedder)
    prefer_fast_queries(asst.embedder)  # a warm process, as the server (ui_backend.py)
    questions = [q["question"] for q in load_questions(DATA / "dev_qa.jsonl")]
    with open(DATA / "unifiedfc" / "claims_dev.jsonl", encoding="utf-8") as fh:
        questions += [json.loads(line)["claim"][:300] for line in fh]
    questions = questions[:limit]
    asst.ask("warm-up / تهيئة")
    times, found = [], 0
    for q in questions:
        t0 = time.perf_counter()
        found += asst.ask(q).found
        times.append((time.perf_counter() - t0) * 1e3)
    n = asst.store.counts()["chunks"]
    where = ", Milvus" if store_uri else ""
    return {"set": f"ask latency ({n:,} chunks{where})", "n": len(questions),
            "short answer": float("nan"), "cited doc": float("nan"), "evidence": float("nan"),
            "refusal": float("nan"), "false answers": float("nan"),
            "wrong figures": float("nan"), "follow-ups": float("nan"),
            "answer sentence": float("nan"), "p50 ms": float(np.percentile(times, 50)),
            "p95 ms": float(np.percentile(times, 95))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="journalist,devqa,xquad-ar,arcd,latency")
    ap.add_argument("--limit-questions", type=int, default=0, help="per SQuAD set (0 = all)")
    ap.add_argument("--lexical-only", action="store_true", help="dev_qa without vectors")
    ap.add_argument("--no-meaning", action="store_true",
                    help="SQuAD sets: choose the quote lexically (no sentence similarity)")
    ap.add_argument("--articles", choices=("all", "even", "odd"), default="all",
                    help="SQuAD sets: every article, or the tuning (even) / held-out (odd) half")
    ap.add_argument("--latency-index", type=Path, default=OUT / "ingest-unifiedfc",
                    help="index for the `latency` set (built by benchmarks/ingest.py)")
    ap.add_argument("--latency-questions", type=int, default=200)
    ap.add_argument("--split", choices=("tune", "test", "all"), default="test",
                    help="journalist set: the split to ask (tune on tune, quote test)")
    ap.add_argument("--dump", type=Path, help="journalist set: per-question rows (JSON lines)")
    ap.add_argument("--store", metavar="URI",
                    help="also answer from copies on this Milvus server (milvus://HOST:PORT)")
    args = ap.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent")
    OUT.mkdir(parents=True, exist_ok=True)
    from assistant.embed.embedders import E5Embedder

    emb = CachedEmbedder(E5Embedder(), OUT / "embcache.sqlite")
    rows = []
    for name in args.sets.split(","):
        for uri in (None, args.store) if args.store else (None,):
            if name == "latency":
                rows.append(latency_row(args.latency_index, args.latency_questions, uri))
            elif name == "journalist":
                rows += journalist_rows(emb, args.split, args.dump) if uri is None else []
            else:
                rows.append(devqa_row(emb, args.lexical_only, uri) if name == "devqa"
                            else squad_row(name, emb, args.limit_questions,
                                           not args.no_meaning, args.articles, uri))
    print("# answers benchmark — evidence mode (no LLM); nan = not applicable")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
