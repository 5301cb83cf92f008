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
