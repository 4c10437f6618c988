"""Test helper: sweep_worker's 8-run sweep, run by several processes at once on one store.

Usage: ``python tests/helpers/locked_sweep_worker.py STORE_DIR GO_FILE [SLEEP_S] [JOBS]``.
Prints ``READY``, waits until GO_FILE exists (so processes start the sweep together), runs the
sweep (``JOBS`` workers) and prints ``COUNTS <skipped> <ran>``. Every fit appends one line,
``<LH_WORKER_NAME> <pid>``, to the file named by ``LH_FIT_LOG``: the test counts the runs
actually trained from it, independently of what the sweep reports. Rows are invented fixtures.
"""
from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sweep_worker  # noqa: E402

from littlehuman.executors import LocalExecutor  # noqa: E402
from littlehuman.executors import run_missing  # noqa: E402
from littlehuman.runs import RunStore, execute  # noqa: E402


class CountingMajority(sweep_worker.SleepyMajority):
    """SleepyMajority that logs each fit to ``$LH_FIT_LOG``."""

    def fit(self, train: Any, valid: Any = None) -> "CountingMajority":
        with open(os.environ["LH_FIT_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{os.environ.get('LH_WORKER_NAME', '?')} {os.getpid()}\n")
        super().fit(train, valid)
        return self


def factory(name: str, task: str, seed: int = 0, **params: Any) -> Any:
    return CountingMajority(task, seed=seed, **params)


RUN = functools.partial(execute, learner_factory=factory, scorer=sweep_worker.accuracy)


def main(argv: list[str]) -> None:
    store_dir, go_file = argv[0], Path(argv[1])
    sleep_s = float(argv[2]) if len(argv) > 2 else 1.0
    jobs = int(argv[3]) if len(argv) > 3 else 1
    real, synthetic = sweep_worker.fixture_rows()
    print("READY", flush=True)
    deadline = time.time() + 120
    while not go_file.exists() and time.time() < deadline:
        time.sleep(0.02)
    counts = run_missing(sweep_worker.specs(sleep_s), real, synthetic, RunStore(store_dir),
                       progress=False, run=RUN,
                       executor=LocalExecutor(jobs=jobs, gpus=0))
    print(f"COUNTS {counts['skipped']} {counts['ran']}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
