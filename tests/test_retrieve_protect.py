"""The first stages' top hits survive every later stage (issue #20): the re-ranking pool
takes them wherever fusion put them, the final order keeps them in its first places
(top 10 in 20, top 2 in 5, top 1 in 3), near duplicates are demoted (never removed), and
only a user filter excludes one. ``trace`` shows each stage's ranking."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from assistant.ingest.common import make_report
from assistant.ingest.pipeline import IngestSummary, commit_reports, embed_pending
from assistant.records import Filters
from assistant.retrieval.protect import (
    PROTECTED,
    keep_first_stage_tops,
    keep_protected,
    protected_ids,
    rerank_pool,
)
from assistant.retrieval.retriever import Retriever
from assistant.store.folder import FolderStore

QUERY = "ما هي المدارس التي تعرضت للقصف في مدينة حلب؟"
# The right passage names no word of the question: only the dense stage can find it.
ANSWER = "استهدفت الطائرات مبنى تعليمياً للأطفال في ثاني أكبر المدن السورية صباح الأحد."


class MeaningByMarker:
    """An embedder stand-in (the model is the boundary): the query and the passage that
    answers it share a direction; every other text gets its own pseudo-random one, a
    little closer to the query than chance, so the dense stage ranks them all."""

    model_id, dim = "marker-test", 16

    def _vector(self, text: str) -> np.ndarray:
        seed = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)
        vec = np.random.default_rng(seed).standard_normal(self.dim)
        vec[0] = abs(vec[0]) + 1.0
        if text == QUERY or "مبنى تعليمياً" in text:
            vec = np.eye(self.dim)[0] + 0.01 * vec
        return (vec / np.linalg.norm(vec)).astype(np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """Forty reports that share the question's words and one that answers it in others."""
    places = ["حلب", "إدلب", "حماة", "حمص", "درعا"]
    reports = [make_report(f"r{i:02d}.txt", f"تعرضت مدارس في مدينة {places[i % 5]} للقصف "
                           f"بحسب التقرير رقم {i} وأغلقت المدارس أبوابها {i} يوماً.",
                           source="SOHR" if i % 2 else "SA") for i in range(40)]
    reports.append(make_report("answer.txt", ANSWER, source="SA"))
    embedder = MeaningByMarker()
    store = FolderStore(tmp_path_factory.mktemp("crowded"), embedder.model_id, embedder.dim)
    commit_reports(store, reports, IngestSummary())
    embed_pending(store, embedder)
    return store, embedder


def test_pool_takes_each_first_stage_top_wherever_fusion_put_it():
    fused = [(c, 1.0 / (i + 1)) for i, c in enumerate(range(100, 150))]
    stages = {"lexical": [(c, 1.0) for c in range(100, 150)], "dense": [(149, 0.9), (101, 0.8)]}
    keep = protected_ids(stages, 10)
    assert keep == set(range(100, 110)) | {149}
    pool, tail = rerank_pool(fused, keep, depth=5)
    assert [c for c, _ in pool] == [*range(100, 110), 149]  # fused order
    assert [c for c, _ in tail] == list(range(110, 149))


def test_kept_ids_are_lifted_into_the_window_and_the_rest_keeps_its_order():
    ranked = [(c, 10.0 - c) for c in range(10)]
    out = keep_protected(ranked, {0, 8}, window=4)
    assert [c for c, _ in out] == [0, 1, 2, 8, 3, 4, 5, 6, 7, 9]
    scores = [s for _, s in out]
    assert scores == sorted(scores, reverse=True)  # the moved-down id is capped
    assert keep_protected(ranked, {0, 2}, window=4) == ranked  # already inside: unchanged
    # more kept ids than the window holds: the best-ranked of them fill it
    assert [c for c, _ in keep_protected(ranked, {5, 6, 7}, window=2)][:2] == [5, 6]


def test_each_window_holds_its_first_stage_tops():
    ranked = [(c, 100.0 - c) for c in range(40)]
    stages = {"lexical": [(c, 1.0) for c in (0, 1, 2)],
              "dense": [(c, 1.0) for c in (39, *range(30, 39))]}
    out = [c for c, _ in keep_first_stage_tops(ranked, stages, ((10, 20), (2, 5), (1, 3)))]
    assert out.index(39) < 3 and out.index(0) < 3  # each stage's top 1
    assert out.index(30) < 5 and out.index(1) < 5  # their top 2
    assert set(range(30, 40)) <= set(out[:20])  # the dense top 10
    assert sorted(out) == list(range(40))  # nothing lost


def test_a_dense_only_top_hit_is_not_lost_behind_lexical_matches(crowded):
    store, embedder = crowded
    retriever = Retriever(store, embedder)
    stages = retriever.trace(QUERY, 10)
    answer = stages["dense"][0]
    assert answer not in stages["lexical"]  # no shared word
    assert stages["fusion"].index(answer) >= retriever.rerank_depth  # fusion halved it
    assert answer in stages["pool"]
    hits = retriever.search(QUERY, 10)
    assert hits[0].path == "answer.txt"
    found = store.passages(stages["final"])
    assert [found[c].path for c in stages["final"]] == [h.path for h in hits]


def test_the_window_holds_every_first_stage_top_hit(crowded):
    store, embedder = crowded
    retriever = Retriever(store, embedder)
    stages = retriever.trace(QUERY, 2 * PROTECTED)
    tops = set(stages["lexical"][:PROTECTED]) | set(stages["dense"][:PROTECTED])
    assert tops <= set(stages["final"])
    paths = [h.path for h in retriever.search(QUERY, 2 * PROTECTED)]
    assert len(paths) == len(set(paths)) == 2 * PROTECTED


def test_only_a_user_filter_excludes_a_first_stage_top_hit(crowded):
    store, embedder = crowded
    retriever = Retriever(store, embedder)
    assert "answer.txt" in {h.path for h in retriever.search(QUERY, 5)}
    only_sohr = retriever.search(QUERY, 5, Filters(sources=("SOHR",)))
    assert only_sohr and {h.source for h in only_sohr} == {"SOHR"}
    assert "answer.txt" not in {h.path for h in only_sohr}
