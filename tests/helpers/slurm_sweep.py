"""Test helper for tests/test_slurm_real.py: a SLURM sweep of slow runs in its own process,
so the test can SIGKILL the submitting process while its jobs run on.

Usage: ``python tests/helpers/slurm_sweep.py STORE MARKER_DIR FOLDER PARTITION SLEEP_S N [AT]``:
the first N runs of :func:`specs` through ``SlurmExecutor(cluster="slurm")`` with
``flaky_run(sleep_s=SLEEP_S)``, started at the epoch time AT when given (so that two
processes start their sweeps together); prints ``COUNTS <json>`` at the end. Invented
fixture rows.
"""
from __future__ import annotations

import functools
import json
import sys
import time

from flaky_run import flaky_run
from sweep_worker import fixture_rows

from littlehuman.executors import SlurmExecutor, run_missing
from littlehuman.runs import RunSpec, RunStore


def specs(n: int = 3) -> list[RunSpec]:
    return [RunSpec.make("toyfv", "sweep", 20, f, 0, "fixture", "majority")
            for f in (0.0, 0.5, 1.0)][:n]


def executor(folder: str, partition: str, **kw) -> SlurmExecutor:
    """One CPU, 1 GB, no GPU per task; the states polled every second."""
    return SlurmExecutor(cluster="slurm", partition=partition, gpus_per_job=0, cpus_per_job=1,
                         mem_gb=1, poll_s=1, folder=folder, **kw)


def main(argv: list[str]) -> None:
    store, markers, folder, partition, sleep_s, n = argv[:6]
    real, synthetic = fixture_rows()
    while len(argv) > 6 and time.time() < float(argv[6]):
        time.sleep(0.001)
    run = functools.partial(flaky_run, marker_dir=markers, sleep_s=float(sleep_s))
    counts = run_missing(specs(int(n)), real, synthetic, RunStore(store), run=run,
                         executor=executor(folder, partition), progress=False)
    print("COUNTS " + json.dumps(counts), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
