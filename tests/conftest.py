"""Shared test fixtures: where the real raw files are, and an isolated project home."""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

# The two workers (and the runs they start, which inherit this) share two cores: OpenMP threads
# that sleep instead of spinning when idle made two MiniLM fits at once ~2x faster each here
# (bench/omp_wait.py). Set before any test module imports torch, which reads it once.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402

# jsonschema's IRI parsers only when an IRI is checked (none is): ~1.3 s of CPU less in each
# worker, whose collection imports nbformat (littlehuman.lazy_imports; the runs and notebooks
# the tests start defer them themselves)
from littlehuman.lazy_imports import defer_iri_parsers  # noqa: E402

defer_iri_parsers()

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "helpers"))
from cli import FEVER_SMOKE, run_all  # noqa: E402
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
    copy the home to change anything (a copy reruns as the original does). Under
    pytest-xdist the first worker to ask makes it and the others wait for it and read it (a
    file lock in the workers' common temporary folder), so it is made once per session."""
    import subprocess

    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder every worker's base folder is in
    home, result = shared / "fever-smoke", shared / "fever-smoke.json"
    with FileLock(str(result) + ".lock"):
        if not result.is_file():
            shutil.rmtree(home, ignore_errors=True)  # a failed attempt's: start cold
            home.mkdir()
            proc = run_all(home, shared_data, *FEVER_SMOKE)
            assert proc.returncode == 0, proc.stderr[-3000:]
            result.write_text(json.dumps({"returncode": proc.returncode, "stdout": proc.stdout,
                                          "stderr": proc.stderr}))
    done = json.loads(result.read_text())
    return home, subprocess.CompletedProcess(["run_all.py", *FEVER_SMOKE], **done)


# ------------------------------------------------------------------ scheduling under xdist
#: the files that read the shared FEVER smoke run: one worker runs them all, so no worker sits
#: waiting for another to finish making it (~4 min under load)
SMOKE_READERS = ("test_browser.py", "test_end_to_end.py", "test_robustness.py")
SMOKE_UNIT = "fever smoke readers"
#: the slowest units (measured with --durations=0 on 2 cores), started first so that no long
#: file is left to run alone at the end; the others follow in xdist's order
SLOW_FIRST = (SMOKE_UNIT, "test_end_to_end_qa.py", "test_real_server.py", "test_end_to_end_paths.py",
              "test_real_conditions.py", "test_gpu_check.py", "test_learner_encoder.py",
              "test_learner_lora.py", "test_cli.py", "test_executors.py")


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` with the smoke run's readers as one unit and the slowest units first.
    Every file still runs whole on one worker; only which files share a worker and the order
    change."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    def rank(scope: str) -> int:
        name = Path(scope).name
        return SLOW_FIRST.index(name) if name in SLOW_FIRST else len(SLOW_FIRST)

    class SmokeReadersTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return SMOKE_UNIT if Path(scope).name in SMOKE_READERS else scope

        def _assign_work_unit(self, node) -> None:
            self.workqueue.move_to_end(min(self.workqueue, key=rank), last=False)
            super()._assign_work_unit(node)

    return SmokeReadersTogether(config, log)
