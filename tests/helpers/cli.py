"""Test helper: ``run_all.py`` in a subprocess with its own home, and the arguments of the one
cold FEVER smoke run that several test modules share (conftest's ``fever_smoke``)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping

REPO = Path(__file__).resolve().parents[2]
#: a password in ``--base-url``: inert with the smoke profile's extractive generator (it sends
#: nothing), so the shared run can carry it; test_robustness checks it reaches no written file
PASSWORD = "hunter2-Secr3t-Passw0rd"
BASE_URL = f"http://alice:{PASSWORD}@127.0.0.1:9/v1"
#: the shared FEVER smoke run's arguments; a rerun with these finds nothing changed
FEVER_SMOKE = ("--dataset", "fever", "--profile", "smoke", "--base-url", BASE_URL)


def run_all(home: Path | None, data_dir: Path | None, *args: str, prefix: tuple[str, ...] = (),
            cwd: Path | None = None, env: Mapping[str, str | None] | None = None,
            script: Path = REPO / "run_all.py", timeout: int = 1200, wait: bool = True
            ) -> subprocess.CompletedProcess | subprocess.Popen:
    """``python run_all.py ARGS`` (``script``, after ``prefix``, e.g. a ``prlimit`` call) in
    ``cwd`` with LITTLEHUMAN_HOME=``home`` and LITTLEHUMAN_DATA_DIR=``data_dir`` (None unsets
    either, so its default applies), plus ``env`` (a None value unsets that variable); output
    captured as text. ``wait=False`` returns the started Popen instead of the finished one."""
    environ = {**os.environ, "LITTLEHUMAN_HOME": None if home is None else str(home),
               "LITTLEHUMAN_DATA_DIR": None if data_dir is None else str(data_dir), **(env or {})}
    environ = {k: v for k, v in environ.items() if v is not None}
    command = [*prefix, sys.executable, str(script), *args]
    if not wait:
        return subprocess.Popen(command, env=environ, cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, env=environ, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
