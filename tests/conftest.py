"""Shared test fixtures: where the real raw files are, and an isolated project home."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "helpers"))
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


@pytest.fixture(scope="session")
def fever_smoke(tmp_path_factory, shared_data):
    """One cold smoke-profile FEVER run, all notebooks (``cli.FEVER_SMOKE``: a password in
    --base-url), shared by test_browser, test_end_to_end and test_robustness instead of one
    each (~100 s apiece on 2 cores): (its home, the CLI's CompletedProcess). Read it only;
    copy the home to change anything (a copy reruns as the original does). Made once per
    session (``helpers/fever_smoke.py``: a file lock in the workers' common temporary
    folder); under pytest-xdist the whole suite starts it in the background at session start
    (:func:`pytest_sessionstart`), so no worker sits waiting for it."""
    import fever_smoke

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder every worker's base folder is in
    proc = fever_smoke.make(shared, shared_data)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return shared / "fever-smoke", proc


_BACKGROUND: list = []  # the controller's background smoke run (a Popen), if started


def _whole_suite(config: pytest.Config) -> bool:
    """Whether this session runs every test file (no path, -k or -m chosen), so that some
    test will ask for ``fever_smoke``."""
    tests = Path(__file__).resolve().parent
    return (not config.option.keyword and not config.option.markexpr
            and all(Path(arg).resolve() == tests for arg in config.args))


def pytest_sessionstart(session: pytest.Session) -> None:
    """The pytest-xdist controller of a whole-suite session starts ``fever_smoke``'s run in
    the background (its workers, which start after this, find it under way)."""
    import subprocess
    import time

    config = session.config
    if os.environ.get("PYTEST_XDIST_WORKER") or not config.getoption("numprocesses", None) \
            or not _whole_suite(config) or not SHARED_DATA.is_dir():
        return
    import fever_smoke

    shared = config._tmp_path_factory.getbasetemp()  # the parent of the workers' folders
    _BACKGROUND.append(subprocess.Popen(  # its own process group: stopped with its kernels
        [sys.executable, fever_smoke.__file__, str(shared), str(SHARED_DATA)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    deadline = time.monotonic() + 60
    while not (shared / fever_smoke.STARTED).exists() and _BACKGROUND[0].poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.05)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the background smoke run if the session ends first (interrupted, or no test
    needed it)."""
    import signal

    for proc in _BACKGROUND:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # run_all stops as on Ctrl-C
            proc.wait(timeout=60)
