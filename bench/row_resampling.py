"""The test-row part of the bootstrap (``stats._resampled_rows``): counting each resample's
drawn rows and taking one product, against gathering every run's drawn rows (the library's
way before 2026-12-05, kept here as the baseline), on the same draws in the same run.

    python bench/row_resampling.py [--n-boot 10000] [--repeats 3]

Shapes: runs x test rows of the pages' draws (a trade-off base: 4 runs; the measured
purchases of the paper profile: 35 mixes; ROPES's 1,688 and FEVER's 500-1,666 test rows).
Prints seconds (best of ``--repeats``) for each and the speed-up, and the largest difference
between the two results (float rounding only: the draws are the same).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

import numpy as np  # noqa: E402

from littlehuman import stats  # noqa: E402

SHAPES = [(1, 500), (4, 1688), (35, 500), (35, 1688)]


def gathered(row_means: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """The baseline: per resample, every run's drawn rows gathered and averaged."""
    n_runs, n_rows = row_means.shape
    out = np.empty((n_boot, n_runs))
    step = max(1, stats._CELLS // (n_rows * n_runs))
    for start in range(0, n_boot, step):
        drawn = rng.integers(0, n_rows, (min(step, n_boot - start), n_rows))
        out[start:start + drawn.shape[0]] = row_means[:, drawn].mean(axis=2).T
    return out


def best_of(fn, repeats: int, *args):
    """Seconds of the fastest of ``repeats`` calls ``fn(*args)``, and the result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-boot", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"{'runs':>5} {'rows':>6} {'gathered s':>11} {'counted s':>10} {'speed-up':>9} "
          f"{'max diff':>9}")
    for runs, rows in SHAPES:
        row_means = np.random.default_rng(1).integers(0, 2, (runs, rows)).astype(float)
        # each call on a fresh generator of seed 0: both ways see the same draws
        t_old, old = best_of(lambda: gathered(row_means, args.n_boot,
                                              np.random.default_rng(0)), args.repeats)
        t_new, new = best_of(lambda: stats._resampled_rows(row_means, args.n_boot,
                                                           np.random.default_rng(0)),
                             args.repeats)
        print(f"{runs:>5} {rows:>6} {t_old:>11.3f} {t_new:>10.3f} {t_old / t_new:>8.1f}x "
              f"{np.abs(old - new).max():>9.1e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
