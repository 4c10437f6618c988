"""Test helper: the suite's one cold FEVER smoke run (``conftest.fever_smoke``), made once.

``make(shared, data_dir)`` runs ``run_all.py`` with ``cli.FEVER_SMOKE`` into ``shared/fever-smoke``
under a file lock and writes its outcome to ``shared/fever-smoke.json``; a caller that finds
the outcome there reads it instead. Run as a script (``python fever_smoke.py SHARED DATA_DIR``),
it is the background start the pytest-xdist controller gives it at session start, so the
~4 minutes of the run overlap the workers' other tests instead of one worker waiting for it.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cli import FEVER_SMOKE, run_all  # noqa: E402

STARTED = "fever-smoke.started"  # written once the lock is held (the controller waits for it)


def make(shared: Path, data_dir: Path, started: bool = False) -> subprocess.CompletedProcess:
    """The smoke run's outcome, made here unless another process made it (or is making it:
    then wait for it); ``started``: mark :data:`STARTED` once the lock is held."""
    home, result = shared / "fever-smoke", shared / "fever-smoke.json"
    with FileLock(str(result) + ".lock"):
        if started:
            (shared / STARTED).touch()
        if not result.is_file():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            proc = run_all(home, data_dir, *FEVER_SMOKE)
            result.write_text(json.dumps({"returncode": proc.returncode, "stdout": proc.stdout,
                                          "stderr": proc.stderr}))
    done = json.loads(result.read_text())
    return subprocess.CompletedProcess(["run_all.py", *FEVER_SMOKE], **done)


if __name__ == "__main__":
    make(Path(sys.argv[1]), Path(sys.argv[2]), started=True)
