"""Shared fixtures: paths to the bundled sample and to ../shared/data (optional)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "000_9c31ee48a94572c0.txt"
SHARED_DATA = Path(os.environ.get("ISNAD_SHARED_DATA", ROOT.parent / "shared" / "data"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"{SHARED_DATA} is absent (shared data not available)")
    for item in items:
        if "shared" in item.keywords and not SHARED_DATA.is_dir():
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _logging_restored():
    """``isnad serve`` and ``setup_logging`` attach handlers to the process's loggers; a
    handler left on a stream pytest has since closed would print logging errors into later
    tests. Each test leaves the loggers as it found them."""
    loggers = [logging.getLogger(), logging.getLogger("isnad")]
    saved = [(lg, list(lg.handlers), lg.level, lg.propagate) for lg in loggers]
    yield
    for lg, handlers, level, propagate in saved:
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# ------------------------------------------------------------ stores: folder and Milvus
STORE_KINDS = ("folder", "milvus")


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory):
    """A ``milvus-lite server`` process on 127.0.0.1 for the whole session (SIGINT at the
    end); skipped when the milvus extra is not installed."""
    import importlib.util

    from milvus_server import LiteServer, executable

    if executable() is None or importlib.util.find_spec("pymilvus") is None:
        pytest.skip("milvus-lite is not installed (pip install 'isnad[milvus]')")
    server = LiteServer(tmp_path_factory.mktemp("milvus") / "data").start()
    yield server
    server.stop()


def open_test_store(kind: str, request, path: Path, model_id: str, dim: int):
    """A new, empty store of ``kind``: an index folder at ``path`` or a fresh namespace on
    the session's Milvus server."""
    if kind == "folder":
        from assistant.store.folder import FolderStore

        return FolderStore(path, model_id, dim)
    from assistant.store.milvus.store import MilvusStore

    return MilvusStore(request.getfixturevalue("milvus_server").uri(), model_id, dim)


@pytest.fixture(params=STORE_KINDS)
def store_kind(request) -> str:
    return request.param


def store_location(store) -> str:
    """Where a test store lives: its folder, or its Milvus URI."""
    return str(getattr(store, "uri", None) or store.dir)


def reopen_store(location: str, model_id: str, dim: int, create: bool = True):
    """Another handle on the store at ``location`` (a folder or a Milvus URI)."""
    if str(location).startswith("milvus://"):
        from assistant.store.milvus.store import MilvusStore

        return MilvusStore(str(location), model_id, dim, create=create)
    from assistant.store.folder import FolderStore

    return FolderStore(Path(location), model_id, dim, create=create)
