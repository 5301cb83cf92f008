"""Isnad on a Milvus server (a ``milvus-lite server`` process on 127.0.0.1): app processes
sharing one archive, concurrent and killed writers, ``isnad migrate`` both ways, a server
that goes away and comes back, and the pure parts (URIs, expressions, FTS5's bm25)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from milvus_server import LiteServer
from test_reliability import write_corpus

from assistant.assistant import Assistant
from assistant.cli import main
from assistant.config import Config
from assistant.errors import ConfigError, StoreUnavailableError
from assistant.ingest.common import make_report
from assistant.ingest.pipeline import IngestSummary, commit_reports
from assistant.records import NO_FILTERS, Filters
from assistant.retrieval.retriever import Retriever
from assistant.store.folder import FolderStore
from assistant.store.lexical import fts_match
from assistant.text.arabic import tokenize

pytest.importorskip("pymilvus", reason="the milvus extra is not installed")

from assistant.store.milvus import bm25  # noqa: E402
from assistant.store.milvus.client import parse_uri  # noqa: E402
from assistant.store.milvus.rows import (  # noqa: E402
    CHUNK_FIELDS,
    engine_tokens,
    filter_expr,
    isnad_tokens,
    split_text,
)
from assistant.store.milvus.store import MilvusStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
DIM = 8


# ------------------------------------------------------------------ pure parts
def test_uri_options_and_bad_uris():
    addr = parse_uri("milvus://db.example:19531/newsroom?dense=flat&retry=2")
    assert (addr.endpoint, addr.namespace, addr.dense_index, addr.retry_s) == (
        "http://db.example:19531", "newsroom", "flat", 2.0)
    assert parse_uri("https://h").endpoint == "https://h:19530"
    for bad in ("milvus://u:p@h:1", "milvus://h:1/bad-name", "milvus://h:1?x=1", "ftp://h"):
        with pytest.raises(ConfigError):
            parse_uri(bad)


def test_filter_expressions_quote_values():
    expr = filter_expr(Filters(since="2019-01-01", sources=('Al "Watan"', "a\\b"),
                               doc_ids=("d1",), language="ar"))
    assert expr == ('date >= "2019-01-01" and source in ["Al \\"Watan\\"", "a\\\\b"] and '
                    'doc_id in ["d1"] and language == "ar"')
    assert filter_expr(NO_FILTERS) == ""


def test_tokens_keep_numbers_whole_for_the_engine():
    tokens = " ".join(tokenize("قتل 3.5 بالمئة و 2,5 مليون في 2019"))
    assert "." not in engine_tokens(tokens) and "," not in engine_tokens(tokens)
    assert isnad_tokens(engine_tokens(tokens)) == tokens.split()


def test_long_reports_split_between_characters():
    text = "قتل مدنيون " * 9000 + "end"
    parts = split_text(text, max_bytes=1000)
    assert "".join(parts) == text and all(len(p.encode()) <= 1000 for p in parts)


def test_bm25_equals_fts5(tmp_path):
    reps = [make_report(f"r{i}.txt", t) for i, t in enumerate([
        "قتل 3 مدنيين في قصف على بلدة كفرنبل. قتل آخرون.", "قصف جوي على إدلب وحلب اليوم.",
        "ارتفعت نسبة البطالة إلى 3.5 بالمئة في 2019.", "Air strikes hit Idlib and Aleppo."])]
    store = FolderStore(tmp_path, "none", DIM)
    commit_reports(store, reps, IngestSummary())
    rows = dict(store.conn().execute("SELECT rowid, tokens FROM chunks_fts").fetchall())
    toks = {c: t.split() for c, t in rows.items()}
    freqs: dict[str, int] = {}
    for t in toks.values():
        for term in set(bm25.fts_terms(t)):
            freqs[term] = freqs.get(term, 0) + 1
    n_tokens = sum(len(bm25.fts_terms(t)) for t in toks.values())
    for query in ("قتل مدنيين", "قصف ادلب حلب", "idlib strikes", "البطالة"):
        terms = tokenize(query)
        assert fts_match(terms)
        ranked = store.lexical_search(terms, 10, NO_FILTERS)
        mine = bm25.scores(terms, [toks[c] for c, _ in ranked], len(toks), n_tokens, freqs)
        assert mine == pytest.approx([s for _, s in ranked], rel=1e-9)


# ------------------------------------------------------------------ app processes
class App:
    """An app process (``tests/milvus_app.py``) holding an Assistant on a store URI."""

    def __init__(self, uri: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "milvus_app.py"), uri, "none", str(DIM)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)
        assert json.loads(self.proc.stdout.readline()) == {"ready": True}

    def __call__(self, **cmd) -> dict:
        self.proc.stdin.write(json.dumps(cmd, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


QUESTION = "كم عدد المدنيين الذين قتلوا في قصف سوق بلدة zq0005؟"


def test_two_app_processes_share_one_archive(milvus_server, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12)
    uri = milvus_server.uri()
    first, second = App(uri), App(uri)
    try:
        assert first(op="ingest", paths=[str(corpus)])["added"] == 12
        t0 = time.monotonic()
        seen = second(op="ask", q=QUESTION)
        assert seen["found"] and seen["cited"][0] == "r0005.txt", seen
        assert first(op="ask", q=QUESTION) == seen  # the same answer from both processes
        assert second(op="counts")["reports"] == 12
        assert second(op="remove", key="r0005.txt")["removed"]
        gone = first(op="ask", q=QUESTION)
        assert "r0005.txt" not in gone["cited"] and "r0005.txt" not in first(
            op="search", q="zq0005")["paths"]
        assert time.monotonic() - t0 < 60
    finally:
        first.close()
        second.close()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


def test_concurrent_ingests_lose_and_double_nothing(milvus_server, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_corpus(a, 40)  # r0000-r0039
    write_corpus(b, 60, only=set(range(20, 60)))  # r0020-r0059: 20 files in common
    uri = milvus_server.uri()
    procs = [subprocess.Popen(_cli("--store", uri, "ingest", str(d), "--no-embed", "--wait",
                                   "300", "--json"), stdout=subprocess.PIPE, text=True,
                              env=ENV, cwd=ROOT) for d in (a, b)]
    outs = [json.loads(p.communicate(timeout=600)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(o["added"] for o in outs) == 60 and sum(o["unchanged"] for o in outs) == 20
    store = MilvusStore(uri, *_identity())
    assert store.counts()["reports"] == 60
    rows = store.tables.query("chunks", "", ["doc_id", "start", "end"])
    assert len(rows) == len({(r["doc_id"], r["start"], r["end"]) for r in rows})
    report = store.verify()
    assert report.ok, report.problems


def _identity() -> tuple[str, int]:
    from assistant.embed.embedders import make_embedder

    emb = make_embedder(Config().embedder)
    return emb.model_id, emb.dim


def test_killed_writer_is_recovered_by_the_next(milvus_server, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 400)
    uri = milvus_server.uri()
    cmd = _cli("--store", uri, "ingest", str(corpus), "--no-embed", "--nice", "0")
    proc = subprocess.Popen(cmd, env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(1)
    store = None
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            store = store or MilvusStore(uri, *_identity(), create=False)
            if store.counts()["reports"] > 0:
                break
        except Exception:  # noqa: BLE001 - the namespace is not created yet
            pass
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < store.counts()["reports"] < 400, "the kill should land mid-ingest"
    # Same host, dead pid: the lock is free at once; dirty statistics are recounted.
    subprocess.run(cmd, env=ENV, cwd=ROOT, check=True, capture_output=True, timeout=600)
    assert store.counts()["reports"] == 400
    report = store.verify()
    assert report.ok, report.problems


# ------------------------------------------------------------------ migrate
def _folder_with_vectors(path: Path) -> FolderStore:
    store = FolderStore(path, "none", DIM)
    reps = [make_report(f"r{i}.txt", f"تقرير رقم {i}: قتل {i + 2} مدنيين في قصف على بلدة "
                        f"رقم {i % 7} بريف إدلب. Report {i} on shelling in town {i % 5}.",
                        date=f"2019-0{1 + i % 9}-1{i % 9}", source="SOHR" if i % 2 else "SA")
            for i in range(30)]
    reps.append(make_report("dup.txt", reps[0].text))  # a shared text: tied scores
    commit_reports(store, reps, IngestSummary())
    hashes = [h for h, _, _ in store.pending_texts()]
    rng = np.random.default_rng(3)
    vecs = rng.standard_normal((len(hashes), DIM)).astype(np.float32)
    store.put_vectors(hashes, vecs / np.linalg.norm(vecs, axis=1, keepdims=True))
    store.checkpoint()
    return store


def _rankings(store, queries, vectors) -> list:
    retriever = Retriever(store, None)
    out = []
    for q, v in zip(queries, vectors, strict=True):
        for flt in (NO_FILTERS, Filters(since="2019-03-01", sources=("SOHR",))):
            hits = retriever.search(q, 10, flt, mode="lexical")
            out.append([(h.doc_id, h.start, round(h.score, 9)) for h in hits])
            dense = store.dense_search(v, 10, flt)
            found = store.passages([c for c, _ in dense])
            out.append([(found[c].doc_id, found[c].start, round(s, 5)) for c, s in dense])
    return out


def test_migrate_round_trip_gives_the_same_results(milvus_server, tmp_path, capsys):
    folder = _folder_with_vectors(tmp_path / "folder")
    uri, back = milvus_server.uri(), tmp_path / "back"
    assert main(["migrate", "--from", str(folder.dir), "--to", uri, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["added"], first["vectors"]) == (31, folder.counts()["vectors"])
    assert main(["migrate", "--from", str(folder.dir), "--to", uri, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == 31  # resumable, no doubles
    assert main(["migrate", "--from", uri, "--to", str(back)]) == 0
    milvus, copy = MilvusStore(uri, "none", DIM), FolderStore(back, "none", DIM)
    queries = ["قتل مدنيين بلدة إدلب", "shelling town 3", "تقرير رقم 12"]
    vectors = [np.eye(DIM, dtype=np.float32)[i] for i in range(3)]
    expected = _rankings(folder, queries, vectors)
    assert _rankings(milvus, queries, vectors) == expected
    assert _rankings(copy, queries, vectors) == expected
    for store in (milvus, copy):
        assert store.counts()["reports"] == 31 and store.verify().ok
        assert store.report_list() == folder.report_list()


# ------------------------------------------------------------------ server loss
def test_server_away_mid_question_then_back(tmp_path, capsys):
    server = LiteServer(tmp_path / "own").start()
    try:
        uri = server.uri("lost", retry=1)
        store = MilvusStore(uri, "none", DIM)
        asst = Assistant(Config(store_uri=uri), store, None)
        corpus = tmp_path / "corpus"
        write_corpus(corpus, 10)
        asst.ingest([corpus], embed=False)
        assert asst.ask(QUESTION).found
        real = store.lexical_search

        def lexical_then_crash(*args, **kw):
            ranking = real(*args, **kw)
            server.stop(signal.SIGKILL)  # the server dies between two reads of one question
            return ranking

        store.lexical_search = lexical_then_crash
        with pytest.raises(StoreUnavailableError, match=f"{server.endpoint} does not answer"):
            asst.ask(QUESTION)
        store.lexical_search = real
        assert main(["--store", uri, "ask", QUESTION]) == 2
        assert "does not answer" in capsys.readouterr().err
        server.start()  # same port, same data: the log is replayed
        answer = asst.ask(QUESTION)  # the same Assistant, no restart
        assert answer.found and answer.citations[0].path == "r0005.txt"
    finally:
        server.stop()


def test_no_index_and_wrong_model_are_clear_errors(milvus_server):
    uri = milvus_server.uri()
    with pytest.raises(Exception, match="no index at"):
        MilvusStore(uri, "none", DIM, create=False)
    MilvusStore(uri, "none", DIM)
    with pytest.raises(Exception, match="embedding model none"):
        MilvusStore(uri, "other", DIM)



class _Identity:
    """An embedder's identity only (lexical stores: no model is run)."""

    model_id, dim = "none", DIM


def test_store_uri_and_credentials_come_from_the_environment(milvus_server, monkeypatch):
    uri = milvus_server.uri()
    monkeypatch.setenv("ISNAD_STORE", uri)
    monkeypatch.setenv("ISNAD_MILVUS_USER", "alice")
    monkeypatch.setenv("ISNAD_MILVUS_PASSWORD", "s3cret")
    cfg = Config.from_env()
    assert (cfg.store_uri, cfg.milvus_user, cfg.milvus_password) == (uri, "alice", "s3cret")
    assert "s3cret" not in repr(cfg)
    asst = Assistant.open(cfg=Config(), store=uri, embedder=_Identity())
    assert asst.stats()["store"] == "milvus" and asst.stats()["reports"] == 0


def test_verify_finds_and_repair_mends_derived_data(milvus_server, tmp_path):
    store = MilvusStore(milvus_server.uri(), "none", DIM)
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 8)
    Assistant(Config(), store, None).ingest([corpus], embed=False)
    assert store.verify().ok
    term = tokenize("market")[0]
    store.stats._write({term: 999})  # a count no chunk supports, as a crashed writer leaves
    stale = store.tables.query("chunks", 'path == "r0003.txt"', [*CHUNK_FIELDS, "dense"])
    store.tables.upsert("chunks", [{**stale[0], "tokens": "stale"}])  # an older analyser's row
    broken = store.verify()
    assert not broken.ok and any("term frequencies" in p for p in broken.problems)
    unique = ["0003"]  # r0003.txt is the only report with this token
    assert not store.lexical_search(unique, 5, NO_FILTERS)
    repaired = store.repair()
    assert repaired.ok, repaired.problems
    assert store.doc_freqs([term]) == {term: 6}  # the six English reports of eight
    assert store.passages([c for c, _ in store.lexical_search(unique, 1, NO_FILTERS)]).popitem(
    )[1].path == "r0003.txt"
