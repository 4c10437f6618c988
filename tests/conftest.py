"""Shared test fixtures: where the real raw files are, and an isolated project home."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LITTLEHUMAN_DATA_DIR") or REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"raw data not found at {SHARED_DATA}: set LITTLEHUMAN_DATA_DIR")
    return SHARED_DATA


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    """A throw-away LITTLEHUMAN_HOME so caches and outputs never touch the checkout."""
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    return tmp_path
