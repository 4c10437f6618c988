"""Two torch processes on shared cores: OpenMP threads spinning (libgomp's default) or sleeping
(``OMP_WAIT_POLICY=PASSIVE``, which the test suite sets: tests/conftest.py).

    python bench/omp_wait.py [--rows 96] [--fits 2]

Each process fits MiniLM (the cpu learner, float32, batch 16, max length 128) ``--fits`` times
on the first ``--rows`` FEVER training rows, with as many torch threads as usable cores. It runs
one process alone and then two at once, under each policy, and prints seconds per process and
the ratios: two at once against one alone (1.0 = the second process came free; 2.0 = no gain
over running them one after the other), and spinning against sleeping. The raw data comes from
LITTLEHUMAN_DATA_DIR (or ../shared/data).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import sys, time, torch
sys.path.insert(0, {lib!r})
from littlehuman.data import load
from littlehuman.learners.encoder import EncoderLearner
rows = load("fever")
train, valid = rows[rows.split == "train"].head({rows}), rows[rows.split == "valid"].head(32)
start = time.perf_counter()
for seed in range({fits}):
    EncoderLearner(task="fv", epochs=1, batch_size=16, max_length=128, seed=seed,
                   progress=False).fit(train, valid)
print(time.perf_counter() - start)
"""


def seconds(policy: str | None, processes: int, rows: int, fits: int) -> list[float]:
    """Each process's fitting seconds, ``processes`` started at once under ``policy``."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    code = CHILD.format(lib=str(REPO / "lib"), rows=rows, fits=fits)
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True) for _ in range(processes)]
    outs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        sys.exit("omp_wait: a fitting process failed: is the raw data at LITTLEHUMAN_DATA_DIR?")
    return [float(out.strip().splitlines()[-1]) for out in outs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=96, help="FEVER training rows per fit")
    ap.add_argument("--fits", type=int, default=2, help="fits per process")
    args = ap.parse_args()
    os.environ.setdefault("LITTLEHUMAN_DATA_DIR", str(REPO.parent / "shared" / "data"))
    print(f"omp_wait: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
          f"{args.fits} MiniLM fits of {args.rows} rows per process")
    results = {}
    for label, policy in (("spinning (libgomp default)", None), ("sleeping (PASSIVE)", "PASSIVE")):
        alone = seconds(policy, 1, args.rows, args.fits)[0]
        pair = seconds(policy, 2, args.rows, args.fits)
        results[label] = (alone, max(pair))
        print(f"  {label:28s} alone {alone:6.1f} s   two at once {pair[0]:6.1f} s, {pair[1]:6.1f} s"
              f"   ratio {max(pair) / alone:.2f}x")
    spin, sleep = results["spinning (libgomp default)"], results["sleeping (PASSIVE)"]
    print(f"two at once, spinning / sleeping: {spin[1] / sleep[1]:.2f}x; "
          f"alone, spinning / sleeping: {spin[0] / sleep[0]:.2f}x")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"({time.perf_counter() - start:.0f} s)")
