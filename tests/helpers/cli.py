"""Test helper: ``run_all.py`` in a subprocess with its own home, and the arguments of the one
cold FEVER smoke run that several test modules share (conftest's ``fever_smoke``)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: a password in ``--base-url``: inert with the smoke profile's extractive generator (it sends
#: nothing), so the shared run can carry it; test_robustness checks it reaches no written file
PASSWORD = "hunter2-Secr3t-Passw0rd"
BASE_URL = f"http://alice:{PASSWORD}@127.0.0.1:9/v1"
#: the shared FEVER smoke run's arguments; a rerun with these finds nothing changed
FEVER_SMOKE = ("--dataset", "fever", "--profile", "smoke", "--base-url", BASE_URL)


def run_all(home: Path, data_dir: Path, *args: str, prefix: tuple[str, ...] = (),
            timeout: int = 1200) -> subprocess.CompletedProcess:
    """``python run_all.py ARGS`` (after ``prefix``, e.g. a ``prlimit`` call) with
    LITTLEHUMAN_HOME=``home`` and LITTLEHUMAN_DATA_DIR=``data_dir``; output captured."""
    env = {**os.environ, "LITTLEHUMAN_HOME": str(home), "LITTLEHUMAN_DATA_DIR": str(data_dir)}
    return subprocess.run([*prefix, sys.executable, str(REPO / "run_all.py"), *args], env=env,
                          capture_output=True, text=True, timeout=timeout)
