"""How often the reports' 95% intervals cover the truth, in simulation: the library's
bootstrap (``stats.hierarchical_bootstrap``) beside the plain percentile bootstrap over seeds,
then each drawn seed's test rows (the library's method before 2026-12-03), in the same run.

    python bench/interval_coverage.py [--sims 400] [--n-boot 1000]

Each simulated experiment trains ``seeds`` runs and scores them on one test set of ``rows``
rows drawn from a population: a row's log-odds of being answered right is its difficulty
(normal, mean 0.6, sd 1.5: accuracy about 0.6, as FEVER's cpu runs) plus the run's seed
effect (normal, sd ``seed sd``); a score is 0 or 1. The truth is the mean score over the
whole population of rows and seeds (by Gauss-Hermite quadrature). ``diff``
scenarios score the paired difference to a second recipe (log-odds 0.3 lower, a row x recipe
interaction of sd 0.5, its own seed effects), what the sweep's drops and the trade-off's gains
are. Seed sd 0.25 spreads the seeds' accuracy by about 0.05, as the cpu profile's FEVER runs
at 0% synthetic (0.556-0.670). Prints per scenario each method's coverage (with its binomial
standard error) and mean width, and the width ratio. The equivalent points' intervals rest on
the same resampled run means (``stats.bootstrap_run_means``); they are not simulated here.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.optimize import brentq  # noqa: E402
from scipy.special import expit  # noqa: E402

from littlehuman.curves import equivalent_points, fit_log  # noqa: E402
from littlehuman.stats import (bootstrap_equivalent, defined_interval,  # noqa: E402
                               hierarchical_bootstrap)

SCENARIOS = [  # (statistic, seeds, rows, seed sd on the log-odds scale)
    ("mean", 5, 1666, 0.25),
    ("mean", 5, 1666, 0.0),
    ("mean", 3, 1666, 0.25),
    ("diff", 5, 1666, 0.25),
    ("diff", 5, 1666, 0.05),
    ("diff", 3, 500, 0.1),
]


def mean_expit(mean: float, sd: float) -> float:
    """E[expit(Z)] for Z normal (Gauss-Hermite, 80 nodes): a score's population mean, since a
    row's difficulty, its interaction and the seed effect add up to one normal log-odds."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    return float(weights @ expit(mean + sd * nodes) / weights.sum())


def plain_percentile(per_seed: dict[int, np.ndarray], n_boot: int,
                     seed: int) -> tuple[float, float]:
    """The earlier method: draw seeds with replacement, then each drawn seed's rows with
    replacement (a seed drawn twice gets two row draws); the 2.5th and 97.5th percentiles."""
    rng = np.random.default_rng(seed)
    arrays = list(per_seed.values())
    k = len(arrays)
    chosen = rng.integers(0, k, (n_boot, k))
    total = np.zeros(n_boot)
    for s, arr in enumerate(arrays):
        draws = (chosen == s).sum(axis=1)
        for d in range(1, int(draws.max(initial=0)) + 1):
            which = np.nonzero(draws >= d)[0]
            total[which] += arr[rng.integers(0, arr.size, (which.size, arr.size))].mean(axis=1)
    low, high = np.percentile(total / k, [2.5, 97.5])
    return float(low), float(high)


def scenario(kind: str, n_seeds: int, n_rows: int, seed_sd: float, sims: int, n_boot: int,
             rng: np.random.Generator) -> dict[str, float]:
    truth = mean_expit(0.6, math.hypot(1.5, seed_sd))
    if kind == "diff":
        truth -= mean_expit(0.3, math.hypot(1.5, 0.5, seed_sd))
    hits = {"plain": 0, "library": 0}
    widths: dict[str, list[float]] = {"plain": [], "library": []}
    for sim in range(sims):
        rows = rng.normal(0.6, 1.5, n_rows)
        p_a = expit(rows[None, :] + rng.normal(0, seed_sd, n_seeds)[:, None])
        scores = (rng.random((n_seeds, n_rows)) < p_a).astype(float)
        if kind == "diff":
            p_b = expit(rows[None, :] - 0.3 + rng.normal(0.0, 0.5, n_rows)[None, :]
                        + rng.normal(0, seed_sd, n_seeds)[:, None])
            scores -= (rng.random((n_seeds, n_rows)) < p_b)
        per_seed = {s: scores[s] for s in range(n_seeds)}
        bounds = {"plain": plain_percentile(per_seed, n_boot, sim),
                  "library": hierarchical_bootstrap(per_seed, n_boot=n_boot, seed=sim)[1:]}
        for name, (low, high) in bounds.items():
            hits[name] += low <= truth <= high
            widths[name].append(high - low)
    return {**{f"{m} coverage": hits[m] / sims for m in hits},
            **{f"{m} width": float(np.mean(widths[m])) for m in widths}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=400, help="simulated experiments per scenario")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples per interval")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.sims < 1 or args.n_boot < 1:
        parser.error("--sims and --n-boot must be at least 1")
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    print(f"95% intervals, {args.sims} simulated experiments per scenario, {args.n_boot} "
          f"resamples each; coverage +- its binomial standard error")
    print(f"{'scenario':34} {'plain percentile':>22} {'library':>22} {'width ratio':>11}")
    for kind, n_seeds, n_rows, seed_sd in SCENARIOS:
        got = scenario(kind, n_seeds, n_rows, seed_sd, args.sims, args.n_boot, rng)
        cells = []
        for m in ("plain", "library"):
            c = got[f"{m} coverage"]
            se = math.sqrt(c * (1 - c) / args.sims)
            cells.append(f"{c:.3f} +- {se:.3f} (w {got[f'{m} width']:.3f})")
        label = f"{kind}, {n_seeds} seeds x {n_rows} rows, seed sd {seed_sd}"
        print(f"{label:34} {cells[0]:>22} {cells[1]:>22} "
              f"{got['library width'] / got['plain width']:>10.2f}x", flush=True)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
