"""Which store a configuration names: the index folder (no URI, a path, ``file://``) or a
Milvus server (``milvus://HOST:PORT[/NAMESPACE]``, ``http(s)://HOST:PORT``). Opening is
all it does; pymilvus is imported only when a URI names Milvus.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from assistant.config import Config
from assistant.errors import ConfigError
from assistant.store.base import Store
from assistant.store.folder import FolderStore
from assistant.store.sqlite import DB_NAME

MILVUS_SCHEMES = ("milvus", "http", "https")


def store_kind(uri: str | None) -> str:
    """"folder" or "milvus" for a store URI (ConfigError for anything else)."""
    if not uri:
        return "folder"
    scheme = urlsplit(str(uri)).scheme.lower()
    if scheme in ("", "file"):
        return "folder"
    if scheme in MILVUS_SCHEMES:
        return "milvus"
    raise ConfigError(f"unknown store {uri!r}: give an index folder, or milvus://HOST:PORT "
                      "for a Milvus server")


def folder_path(uri: str | Path) -> Path:
    """The folder a folder-store location names (a path or ``file://PATH``)."""
    return Path(urlsplit(str(uri)).path) if str(uri).startswith("file:") else Path(uri)


def open_store(cfg: Config, model_id: str, dim: int, create: bool = True) -> Store:
    """The store ``cfg`` names, opened for an embedder of ``model_id`` / ``dim``."""
    uri = cfg.store_uri
    if store_kind(uri) == "milvus":
        return open_milvus(cfg, str(uri), model_id, dim, create)
    folder = folder_path(uri) if uri else cfg.index_dir
    return FolderStore(folder, model_id, dim, create=create, exact_max=cfg.exact_search_max,
                       postings_min=cfg.lexical_postings_min)


def _milvus() -> tuple[type, Callable]:
    """(MilvusStore, read_identity), imported on first use: pymilvus is the milvus extra."""
    try:
        from assistant.store.milvus.store import MilvusStore, read_identity
    except ImportError as exc:
        raise ConfigError(f"this Isnad has no Milvus support installed "
                          f"(pip install 'isnad[milvus]'): {exc}") from exc
    return MilvusStore, read_identity


def open_milvus(cfg: Config, uri: str, model_id: str, dim: int, create: bool = True) -> Store:
    """A Milvus namespace as a store (credentials from ``cfg``: ISNAD_MILVUS_*)."""
    milvus_store, _ = _milvus()
    return milvus_store(uri, model_id, dim, create=create, token=cfg.milvus_token,
                        user=cfg.milvus_user, password=cfg.milvus_password)


def identity(cfg: Config, location: str) -> tuple[str, int] | None:
    """(embedding model id, dimension) of the index at ``location`` (a folder or a store
    URI), read from the index itself; None when there is no index there."""
    if store_kind(location) == "milvus":
        _, read_identity = _milvus()
        return read_identity(location, cfg.milvus_token, cfg.milvus_user, cfg.milvus_password)
    db = folder_path(location) / DB_NAME
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('model_id', 'dim')"))
    finally:
        con.close()
    return (meta["model_id"], int(meta["dim"])) if len(meta) == 2 else None
