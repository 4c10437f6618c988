"""How often "learned nothing"'s tests call runs at chance learned, in simulation: the tests over
the test rows (since 2026-12-07) beside the pooled tests before them, in the same run.

    python bench/chance_test_calibration.py [--sims 300] [--runs 13]

Each simulated sweep trains ``--runs`` runs scored on the same ``rows`` test rows, as a page's
runs are. FV: a row's gold label is 1 with probability 0.4; a run predicts it with probability
``skill``, else the sweep's shared guess for that row with probability ``alike`` (runs trained on
one small set answer alike: SciFact's miniature, predictions correlated 0.77 run to run), else
a guess of its own. QA: a run's per-row ROUGE-1 gain over the random span is the row's shared
gain (sd 0.3, mean ``skill`` x 0.3) with weight ``alike`` plus the run's own noise (sd 0.3).

What each test is given is a records frame as the pages build it (``grid.label_counts``, the
random span's columns); the pooled tests are the same functions on the frame without the
per-row columns (what they fall back to: Fisher's exact test on the pooled counts for FV,
Stouffer's sum of the runs' z for QA). Prints per scenario how often each test read p < 0.05
(with its binomial standard error): at ``skill`` 0 that is the false "learned" rate, which a
valid test holds near 0.05; above 0, the power.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from littlehuman.experiments import grid  # noqa: E402

#: (task, test rows, skill, alike)
SCENARIOS = [
    ("fv", 60, 0.0, 0.0), ("fv", 60, 0.0, 0.9), ("fv", 500, 0.0, 0.9),
    ("fv", 60, 0.25, 0.9), ("fv", 500, 0.08, 0.9),
    ("qa", 60, 0.0, 0.0), ("qa", 60, 0.0, 0.9), ("qa", 500, 0.0, 0.9),
    ("qa", 60, 0.4, 0.9), ("qa", 500, 0.12, 0.9),
]


def fv_records(rng: np.random.Generator, rows: int, runs: int, skill: float,
               alike: float) -> pd.DataFrame:
    """One simulated FV sweep's records (see the module's docstring)."""
    gold = rng.random(rows) < 0.4
    shared = rng.random(rows) < 0.4
    ids = [f"r{i:04d}" for i in range(rows)]
    out = []
    for run in range(runs):
        own = rng.random(rows) < 0.4
        guess = np.where(rng.random(rows) < alike, shared, own)
        pred = np.where(rng.random(rows) < skill, gold, guess)
        out.append({"key": str(run), "single_output": False,
                    **grid.label_counts(pd.DataFrame({"row_id": ids, "prediction": pred.astype(int),
                                                      "gold": gold.astype(int)}))})
    return pd.DataFrame(out)


def qa_records(rng: np.random.Generator, rows: int, runs: int, skill: float,
               alike: float) -> pd.DataFrame:
    """One simulated QA sweep's records (see the module's docstring)."""
    shared = rng.normal(skill * 0.3, 0.3, rows)
    out = []
    for run in range(runs):
        gain = alike * shared + (1 - alike) * rng.normal(skill * 0.3, 0.3, rows)
        z = gain.mean() / (gain.std(ddof=1) / math.sqrt(rows))
        out.append({"key": str(run), "single_output": False, "rouge1": 0.3 + gain.mean(),
                    "random_span": 0.3, "random_span_words": 3.0, "random_span_z": z,
                    "random_span_diffs": tuple(gain)})
    return pd.DataFrame(out)


def p_values(task: str, records: pd.DataFrame) -> tuple[float, float]:
    """(pooled test's p, test over the rows' p) for one simulated sweep."""
    if task == "fv":
        return (grid.beyond_chance(records.drop(columns=list(grid.TEST_LABELS)))[1],
                grid.beyond_chance(records)[1])
    return (grid.beyond_random_span(records.drop(columns=["random_span_diffs"]))[2],
            grid.beyond_random_span(records)[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sims", type=int, default=300, help="simulated sweeps per scenario")
    parser.add_argument("--runs", type=int, default=13, help="runs per sweep (a sweep: 13)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"{args.sims} simulated sweeps of {args.runs} runs per scenario; share with p < "
          f"{grid.CHANCE_P} ('learned'), +- its standard error")
    print(f"{'task':4} {'rows':>5} {'skill':>5} {'alike':>5}   {'pooled (before)':>16}   "
          f"{'over the rows':>14}")
    for task, rows, skill, alike in SCENARIOS:
        make = fv_records if task == "fv" else qa_records
        ps = np.array([p_values(task, make(rng, rows, args.runs, skill, alike))
                       for _ in range(args.sims)])
        rates = (ps < grid.CHANCE_P).mean(axis=0)
        se = np.sqrt(rates * (1 - rates) / args.sims)
        print(f"{task:4} {rows:5d} {skill:5.2f} {alike:5.2f}   "
              f"{rates[0]:9.3f} +- {se[0]:.3f}   {rates[1]:7.3f} +- {se[1]:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
