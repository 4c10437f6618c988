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


# --------------------------------------------------------------------------- the equivalent
DIFFICULTY_SD = 1.5     # a test row's difficulty (log-odds), as above
INTERACTION_SD = 0.3    # row x run: each run answers some rows better than its neighbours
SEED_SD = 0.1           # a seed's effect shared by all its runs (log-odds)
BASE_ACCURACY = 0.7     # the base run's population accuracy
STEP, STEPS, HUMAN = 200, 4, 200  # PROTOCOL: +200 i synthetic (i = 1..4), +200 human
EQUIVALENT_SCENARIOS = [  # (seeds, rows, base, slope a1 per ln(size), true equivalent, run sd)
    (3, 1666, 1000, 0.08, 600, 0.1),    # steep curve, the match within the fitted sizes
    (3, 1666, 1000, 0.05, 2000, 0.1),   # the match 10x the human points away (as the paper)
    (3, 500, 1000, 0.08, 600, 0.1),     # a small test set
]
EQ_METHODS = ("plain", "library")


def equivalent_truth(base: int, slope: float, equivalent: float, run_sd: float
                     ) -> tuple[np.ndarray, np.ndarray, float]:
    """(sizes, per-run mean log-odds, true equivalent) of a scenario. The runs are the
    synthetic sizes base + 200 i (i = 0..4), then base + 200 human. Each run's population
    mean accuracy is exactly logarithmic in its size, on the mean-accuracy scale,
    ``BASE_ACCURACY + slope ln(size / base)`` (the human run's at size base + ``equivalent``):
    the log-odds mean of a run is found by inverting :func:`mean_expit` over the whole
    spread (difficulty, row x run interaction, seed and run effects). The truth is then what
    ``fit_log`` + ``equivalent_points`` give on those population means (by quadrature), i.e.
    what ``bootstrap_equivalent`` estimates with infinitely many seeds and test rows."""
    sizes = base + STEP * np.arange(STEPS + 1.0)
    sd = math.sqrt(DIFFICULTY_SD ** 2 + INTERACTION_SD ** 2 + SEED_SD ** 2 + run_sd ** 2)
    targets = BASE_ACCURACY + slope * np.log(np.append(sizes, base + equivalent) / base)
    mu = np.array([brentq(lambda m, t=t: mean_expit(m, sd) - t, -20.0, 20.0, xtol=1e-13)
                   for t in targets])
    means = np.array([mean_expit(m, sd) for m in mu])
    eq = equivalent_points(fit_log(sizes, means[:-1]), float(means[-1]), float(base))
    assert eq.status == "ok" and eq.value is not None, eq
    return sizes, mu, float(eq.value)


def _equivalents(sizes: np.ndarray, means: np.ndarray, base: float) -> list[float | None]:
    """The equivalent of each row of ``means`` (resamples x runs, the human run last), as
    ``bootstrap_equivalent`` computes it per resample."""
    return [equivalent_points(fit_log(sizes, m[:-1]), float(m[-1]), base).value for m in means]


def plain_run_means(scores: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot x runs) run means by the plain percentile scheme of :func:`plain_percentile`,
    for several runs at once: the seeds drawn with replacement (a seed carries all its runs),
    then each drawn seed's test rows with replacement, the same rows for all its runs.
    ``scores``: seeds x runs x rows."""
    k, n_runs, n_rows = scores.shape
    chosen = rng.integers(0, k, (n_boot, k))
    out = np.zeros((n_boot, n_runs))
    chunk = max(1, 2_000_000 // (n_runs * n_rows))
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        for j in range(k):
            rows = rng.integers(0, n_rows, (stop - start, 1, n_rows))
            picked = np.take_along_axis(scores[chosen[start:stop, j]], rows, axis=2)
            out[start:stop] += picked.mean(axis=2)
    return out / k


def equivalent_scenario(n_seeds: int, n_rows: int, base: int, slope: float, equivalent: float,
                        run_sd: float, sims: int, n_boot: int, rng: np.random.Generator
                        ) -> dict[str, object]:
    """Simulate ``sims`` trade-off experiments on one base and interval its equivalent: the
    library's ``bootstrap_equivalent`` (called as ``tradeoff.analysis`` calls it, with the
    runs' per-test-row scores) and the plain percentile bootstrap of the run means, refitted
    per resample the same way (``defined_interval`` for both). A row's log-odds of a right
    answer: the run's mean + the row's difficulty (shared by every run and seed) + a row x
    run interaction (shared by the run's seeds) + the seed's effect (shared by its runs) +
    the seed x run effect (``run_sd``: training noise); a score is 0 or 1."""
    sizes, mu, truth = equivalent_truth(base, slope, equivalent, run_sd)
    n_runs = mu.size
    keys = [("synthetic", base, STEP * i) for i in range(STEPS + 1)] + [("human", base, HUMAN)]
    got: dict[str, dict[str, list]] = {m: {"low": [], "high": [], "failed": []}
                                      for m in EQ_METHODS}
    statuses = []
    for sim in range(sims):
        logit = (mu[None, :, None] + rng.normal(0, DIFFICULTY_SD, n_rows)[None, None, :]
                 + rng.normal(0, INTERACTION_SD, (n_runs, n_rows))[None]
                 + rng.normal(0, SEED_SD, n_seeds)[:, None, None]
                 + rng.normal(0, run_sd, (n_seeds, n_runs))[:, :, None])
        scores = (rng.random(logit.shape) < expit(logit)).astype(float)
        run_means = scores.mean(axis=2)  # seeds x runs
        records = pd.DataFrame(
            [{"base": base, "kind": kind, "added": added, "seed": s,
              "accuracy": run_means[s, j]}
             for s in range(n_seeds) for j, (kind, _, added) in enumerate(keys)])
        row_scores = {s: {key: scores[s, j] for j, key in enumerate(keys)}
                      for s in range(n_seeds)}
        grand = run_means.mean(axis=0)
        statuses.append(equivalent_points(fit_log(sizes, grand[:-1]), float(grand[-1]),
                                          float(base)).status)
        _, low, high, failed = bootstrap_equivalent(records, "accuracy", float(base),
                                                    n_boot=n_boot, seed=sim,
                                                    row_scores=row_scores)
        bounds = {"library": (low, high, failed),
                  "plain": defined_interval(_equivalents(
                      sizes, plain_run_means(scores, n_boot, np.random.default_rng(sim)),
                      float(base)))}
        for m, (lo, hi, bad) in bounds.items():
            got[m]["low"].append(np.nan if lo is None else lo)
            got[m]["high"].append(np.nan if hi is None else hi)
            got[m]["failed"].append(bad)
    out: dict[str, object] = {"truth": truth, "not ok": float(np.mean(
        [s != "ok" for s in statuses]))}
    for m in EQ_METHODS:
        low, high = np.array(got[m]["low"]), np.array(got[m]["high"])
        given = ~np.isnan(low)
        n = int(given.sum())
        out[m] = {
            "given": n, "none": 1 - n / sims,
            "coverage": float(np.mean((low <= truth) & (truth <= high), where=given))
            if n else float("nan"),
            "below": int((high[given] < truth).sum()),  # the interval lies below the truth
            "above": int((low[given] > truth).sum()),
            "width": float(np.median(high[given] - low[given])) if n else float("nan"),
            "failed": float(np.median(got[m]["failed"]))}
    return out


def _coverage_cell(got: dict, width: int) -> str:
    n = got["given"]
    if not n:
        return f"{'no interval':>{width}}"
    c = got["coverage"]
    se = math.sqrt(c * (1 - c) / n)
    return f"{c:.3f} +- {se:.3f} [{got['below']}<,{got['above']}>] (w {got['width']:.0f})".rjust(
        width)


def print_equivalents(sims: int, n_boot: int, rng: np.random.Generator) -> None:
    print(f"equivalent synthetic points of +{HUMAN} human (bootstrap_equivalent): coverage "
          "over the experiments given an interval +- its binomial SE, [intervals wholly below "
          "<, wholly above > the truth] (median width); none: share of experiments given no "
          "interval; not ok: share whose point estimate's status is not ok")
    print(f"{'scenario':46} {'truth':>6} {'not ok':>6} | {'plain percentile':>36} {'none':>5} |"
          f" {'library':>36} {'none':>5}")
    for n_seeds, n_rows, base, slope, eq, run_sd in EQUIVALENT_SCENARIOS:
        got = equivalent_scenario(n_seeds, n_rows, base, slope, eq, run_sd, sims, n_boot, rng)
        label = (f"equivalent, {n_seeds} seeds x {n_rows} rows, base {base}, a1 {slope}, "
                 f"run sd {run_sd}")
        cells = [f"{_coverage_cell(got[m], 36)} {got[m]['none']:>5.2f}" for m in EQ_METHODS]
        print(f"{label:46} {got['truth']:>6.0f} {got['not ok']:>6.2f} | {cells[0]} | "
              f"{cells[1]}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=400, help="simulated experiments per scenario")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples per interval")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("all", "means", "equivalent"), default="all",
                        help="the means and differences, the trade-off's equivalents, or both")
    args = parser.parse_args(argv)
    if args.sims < 1 or args.n_boot < 1:
        parser.error("--sims and --n-boot must be at least 1")
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    print(f"95% intervals, {args.sims} simulated experiments per scenario, {args.n_boot} "
          f"resamples each; coverage +- its binomial standard error")
    if args.only in ("all", "means"):
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
    if args.only in ("all", "equivalent"):
        print_equivalents(args.sims, args.n_boot, rng)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
