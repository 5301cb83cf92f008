"""The vector index chosen by size (store/vector_plan.py, store/vectors.py) on small real
data: the switch from exact search to IVF at a threshold (set low here) keeps the answers,
the manifest and ``isnad stats`` record the choice, the index reopens after a switch, and
changes reach readers through the vector log (a memory-mapped base plus a delta)."""

from __future__ import annotations

import csv
import json
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest

from assistant.assistant import Assistant
from assistant.cli import main
from assistant.config import Config
from assistant.records import NO_FILTERS
from assistant.store import vector_plan, vectors
from assistant.store.folder import FolderStore
from assistant.store.vector_files import POINTER, read_pointer
from assistant.text.arabic import tokenize

THRESHOLD = 1_000  # exact search up to this many vectors here (200,000 by default)


class HashingEmbedder:
    """Stands in for the embedding model (a true boundary: real e5 vectors of thousands of
    chunks take minutes on 2 cores): analysed tokens hashed into 384 dimensions, so
    passages sharing words are near, as real vectors of one topic are. It takes e5's name
    so that ``isnad stats`` (which embeds nothing) opens the index with the default
    embedder."""

    model_id, dim = "multilingual-e5-small", 384

    def _vec(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for tok in tokenize(text):
            vec[zlib.crc32(tok.encode()) % self.dim] += 1.0
        vec[0] += 0.01  # never a zero vector
        return vec / np.linalg.norm(vec)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim))

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


def _first(answer) -> tuple | None:
    cite = answer.citations[0] if answer.citations and answer.found else None
    return cite and (cite.doc_id, cite.start, cite.end)


def _open(index: Path, exact_max: int) -> Assistant:
    cfg = Config(index_dir=index, exact_search_max=exact_max)
    return Assistant.open(cfg=cfg, embedder=HashingEmbedder())


@pytest.fixture(scope="module")
def fakes_csv(shared_data, tmp_path_factory) -> Path:
    """The first 700 FA-KES articles (about 2,900 chunks)."""
    out = tmp_path_factory.mktemp("fakes") / "fakes.csv"
    with open(shared_data / "fakes" / "FA-KES-Dataset.csv", newline="", encoding="utf-8",
              errors="replace") as fin, open(out, "w", newline="", encoding="utf-8") as fout:
        writer = csv.writer(fout)
        for i, row in enumerate(csv.reader(fin)):
            if i > 700:
                break
            writer.writerow(row)
    return out


@pytest.fixture(scope="module")
def exact_index(fakes_csv, tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("exact") / "idx"
    asst = _open(index, 10 ** 9)
    asst.ingest([fakes_csv])
    asst.close()
    return index


@pytest.fixture(scope="module")
def questions(shared_data) -> list[str]:
    rows = [json.loads(line) for line in (shared_data / "dev_qa.jsonl").open(encoding="utf-8")]
    return [r["question"] for r in rows if r["lang"] == "en"] + [
        "How many civilians were killed in the air strikes on Douma?",
        "Which groups clashed near Aleppo?", "What did the Observatory report?"]


@pytest.mark.shared
def test_switch_to_ivf_keeps_answers_and_is_recorded(exact_index, tmp_path, questions,
                                                     capsys) -> None:
    ivf_index = tmp_path / "ivf"
    shutil.copytree(exact_index, ivf_index)
    exact, ivf = _open(exact_index, 10 ** 9), _open(ivf_index, THRESHOLD)
    ivf.store.checkpoint()  # the next write chooses again by size: IVF here
    manifest = json.loads((ivf_index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["vector_index"]["kind"] == "ivf" and manifest["vector_index"]["nprobe"] >= 1
    assert manifest["vector_index"]["recall"] >= vector_plan.RECALL_TARGET
    assert json.loads((exact_index / "manifest.json").read_text())["vector_index"]["kind"] == "flat"
    n = exact.store.counts()["chunks"]
    assert THRESHOLD < n == ivf.store.vectors.ntotal
    for q in questions:  # the answer: found or not, short answer, the quote it rests on
        a, b = exact.ask(q), ivf.ask(q)
        assert (a.found, a.short_answer, _first(a)) == (b.found, b.short_answer, _first(b)), q
    assert main(["stats", "--index", str(ivf_index)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["vector_index"]["kind"] == "ivf" and stats["faiss"] == n


@pytest.mark.shared
def test_reopen_after_switch_and_removal(exact_index, tmp_path) -> None:
    index = tmp_path / "idx"
    shutil.copytree(exact_index, index)
    asst = _open(index, THRESHOLD)
    asst.store.checkpoint()
    doc = asst.reports()[0]["doc_id"]
    gone = {r[0] for r in asst.store.conn().execute(
        "SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc,))}
    query = HashingEmbedder().embed_query(asst.report(doc).text[:400])
    assert gone & {c for c, _ in asst.store.dense_search(query, 10, NO_FILTERS)}
    asst.remove(doc)
    asst.close()
    reopened = FolderStore(index, HashingEmbedder.model_id, 384, exact_max=THRESHOLD)
    hits = reopened.dense_search(query, 50, NO_FILTERS)
    assert hits and not gone & {c for c, _ in hits}
    assert reopened.describe()["vector_index"]["kind"] == "ivf"
    assert reopened.vectors.ntotal == reopened.counts()["chunks"]
    assert reopened.verify().ok


@pytest.mark.shared
def test_readers_catch_up_through_the_log(exact_index, tmp_path, fakes_csv) -> None:
    index = tmp_path / "idx"
    shutil.copytree(exact_index, index)
    writer = _open(index, THRESHOLD)
    writer.store.checkpoint()
    reader = FolderStore(index, HashingEmbedder.model_id, 384, exact_max=THRESHOLD)
    query = HashingEmbedder().embed_query("strike market Kafr Nabl killing")
    reader.dense_search(query, 5, NO_FILTERS)  # opened (lazily, at the first search)
    before = reader.vectors.ntotal
    first = read_pointer(index)
    extra = tmp_path / "extra.md"
    extra.write_text("# Strike on Kafr Nabl\n\nA strike hit the market of Kafr Nabl at noon, "
                     "killing 14 people and wounding 30, the Observatory said.",
                     encoding="utf-8")
    writer.ingest([extra])  # a few vectors: below the merge size, the base file stays
    assert read_pointer(index)["file"] == first["file"]
    new_ids = {r[0] for r in writer.store.conn().execute(
        "SELECT c.chunk_id FROM chunks c JOIN reports r USING(doc_id) WHERE r.path = ?",
        ("extra.md",))}
    top = {c for c, _ in reader.dense_search(query, 5, NO_FILTERS)}
    assert new_ids & top and reader.vectors.ntotal == before + len(new_ids)
    fresh = FolderStore(index, HashingEmbedder.model_id, 384, exact_max=THRESHOLD)
    assert new_ids & {c for c, _ in fresh.dense_search(query, 5, NO_FILTERS)}
    assert fresh.describe()["vector_index"]["delta"] == len(new_ids)


def test_plan_by_size() -> None:
    assert vector_plan.choose(150_000, 200_000).kind == "flat"
    big = vector_plan.choose(1_000_000, 200_000)
    assert big.kind == "ivf" and big.nlist == 2048
    assert vector_plan.choose(250_000, 200_000).nlist == 1024
    assert not vector_plan.needs_rebuild(big, 1_100_000, 200_000)
    assert vector_plan.needs_rebuild(big, 4_500_000, 200_000)  # grown 4-fold: retrain
    assert not vector_plan.needs_rebuild(big, 190_000 * 5, 200_000)
    ivf_small = vector_plan.choose(210_000, 200_000)
    assert not vector_plan.needs_rebuild(ivf_small, 185_000, 200_000)  # hysteresis
    assert vector_plan.needs_rebuild(ivf_small, 170_000, 200_000)
    assert POINTER == "vectors.json"


@pytest.mark.shared
def test_a_merge_writes_a_new_base_and_readers_reload_it(exact_index, tmp_path,
                                                          monkeypatch) -> None:
    monkeypatch.setattr(vectors, "MERGE_MIN", 0)  # merge at the first change
    monkeypatch.setattr(vectors, "MERGE_SHARE", 0.0)
    index = tmp_path / "idx"
    shutil.copytree(exact_index, index)
    writer = _open(index, THRESHOLD)
    writer.store.checkpoint()
    reader = FolderStore(index, HashingEmbedder.model_id, 384, exact_max=THRESHOLD)
    query = HashingEmbedder().embed_query("barrel bombs fell on the bakery of Maarat")
    reader.dense_search(query, 5, NO_FILTERS)
    first = read_pointer(index)
    extra = tmp_path / "extra.md"
    extra.write_text("# Bakery\n\nBarrel bombs fell on the bakery of Maarat at dawn.",
                     encoding="utf-8")
    writer.ingest([extra])
    second = read_pointer(index)
    assert second["file"] != first["file"] and not (index / first["file"]).exists()
    assert writer.store.db.vector_log_floor() == second["seq"] > first["seq"]
    assert writer.store.conn().execute("SELECT COUNT(*) FROM vector_log").fetchone()[0] == 0
    new_ids = {r[0] for r in writer.store.conn().execute(
        "SELECT c.chunk_id FROM chunks c JOIN reports r USING(doc_id) WHERE r.path = ?",
        ("extra.md",))}
    assert new_ids & {c for c, _ in reader.dense_search(query, 5, NO_FILTERS)}
    assert reader.describe()["vector_index"]["delta"] == 0  # reloaded the merged base
