"""Test helper for tests/test_executors.py: a per-run callable whose chosen runs die on their
first attempt, so the executors' requeue and retry paths can be checked.

``flaky_run(spec, real, synthetic, marker_dir, victims, mode)`` runs the majority learner on
the invented fixture of ``sweep_worker.py`` (no dataset text). For a spec whose key is in
``victims``, the first attempt writes ``<marker_dir>/<key>.first`` (holding its pid) and then
either SIGKILLs its own process (``mode="kill"``) or sleeps until signalled
(``mode="preempt"``: the test sends SIGUSR2, as SLURM does before preempting a job), or, at
every attempt, appends its key to ``<marker_dir>/attempts.log`` and raises (``mode="raise"``). Every
finished run appends its key to ``<marker_dir>/finished.log`` and records its
``CUDA_VISIBLE_DEVICES`` under ``record["cuda_visible_devices"]``. ``sleep_s``: every run
first sleeps that long (a slow run, for sweeps that overlap); ``slow``: the keys of runs that
sleep ``slow_s`` more (still training when another dies).
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pandas as pd

from littlehuman.runs import RunSpec, execute
from sweep_worker import accuracy


def flaky_run(spec: RunSpec, real: pd.DataFrame, synthetic: pd.DataFrame, marker_dir: str,
              victims: tuple[str, ...] = (), mode: str = "kill",
              sleep_s: float = 0.0, slow: tuple[str, ...] = (),
              slow_s: float = 0.0) -> tuple[dict, pd.DataFrame]:
    folder = Path(marker_dir)
    time.sleep(sleep_s + (slow_s if spec.key() in slow else 0.0))
    marker = folder / f"{spec.key()}.first"
    if spec.key() in victims and mode == "raise":  # fails at every attempt
        with open(folder / "attempts.log", "a", encoding="utf-8") as log:
            log.write(spec.key() + "\n")
        raise RuntimeError(f"no memory left for run {spec.key()}")
    if spec.key() in victims and not marker.exists():
        marker.write_text(str(os.getpid()))
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(120)  # "preempt": the test signals this process long before
        raise RuntimeError("the preemption signal never came")
    record, predictions = execute(spec, real, synthetic, scorer=accuracy)
    record["cuda_visible_devices"] = os.environ.get("CUDA_VISIBLE_DEVICES")
    with open(folder / "finished.log", "a", encoding="utf-8") as log:
        log.write(spec.key() + "\n")
    return record, predictions
