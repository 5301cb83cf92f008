"""Which store a configuration names: the index folder (no URI, a path, ``file://``) or a
Milvus server (``milvus://HOST:PORT``, ``http(s)://HOST:PORT``). Opening is all it does.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from assistant.config import Config
from assistant.errors import ConfigError
from assistant.store.base import Store
from assistant.store.folder import FolderStore

MILVUS_SCHEMES = ("milvus", "http", "https")


def store_kind(uri: str | None) -> str:
    """"folder" or "milvus" for a store URI (ConfigError for anything else)."""
    if not uri:
        return "folder"
    scheme = urlsplit(uri).scheme.lower()
    if scheme in ("", "file"):
        return "folder"
    if scheme in MILVUS_SCHEMES:
        return "milvus"
    raise ConfigError(f"unknown store {uri!r}: give an index folder, or milvus://HOST:PORT "
                      "for a Milvus server")


def open_store(cfg: Config, model_id: str, dim: int, create: bool = True) -> Store:
    """The store ``cfg`` names, opened for an embedder of ``model_id`` / ``dim``."""
    uri = cfg.store_uri
    if store_kind(uri) == "milvus":
        raise ConfigError(f"{uri}: this Isnad has no Milvus support installed "
                          "(pip install 'isnad[milvus]')")
    folder = Path(urlsplit(uri).path) if uri else cfg.index_dir
    return FolderStore(folder, model_id, dim, create=create, exact_max=cfg.exact_search_max,
                       postings_min=cfg.lexical_postings_min)
