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


@pytest.fixture()
def key_env(monkeypatch):
    """The fake server's made-up key in OPENAI_API_KEY, no OPENAI_BASE_URL."""
    from fake_openai import KEY

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture()
def fake(key_env):
    """A fake OpenAI server on 127.0.0.1 (tests/fake_openai.py), stopped afterwards."""
    from fake_openai import FakeOpenAI

    with FakeOpenAI() as server:
        yield server
