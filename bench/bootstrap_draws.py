"""How far an equivalent's 95% interval moves between bootstrap draws, by resample count: the
Monte Carlo error of the ends that notebooks 04 and 06 print, and what more resamples cost.

    python bench/bootstrap_draws.py [--sims 30] [--draws 5] [--n-boot 1000 4000 10000]

Each simulated experiment is one base of a paper-like trade-off (``bench/interval_coverage.py``'s
equivalent scenarios: 3 seeds, 500-1,666 binary test rows, synthetic-only runs at base + 0..800
and a +200 human run). Its interval is drawn ``--draws`` times with different bootstrap seeds,
the library's way (the log family of ``families.analyse``, as notebooks 04 and 06 compute it),
at each resample count. Per scenario and count it prints, over the experiments: the median
spread (standard deviation over the draws) of each end where every draw gave it finite, as
a share of the interval's median width: the Monte Carlo error; how often the draws disagreed
on whether the upper end is finite; and seconds per interval, with the rate against the first
count's (the baseline, measured in the same run). Measured figures: README, "Statistics
beyond the paper".
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import interval_coverage as sim  # noqa: E402
from littlehuman.families import CurveData, analyse  # noqa: E402


def interval(data: CurveData, n_boot: int, seed: int) -> tuple[float, float]:
    """The log family's 95% interval on the one base of ``data``, NaN ends where none."""
    fit = analyse(data, ("log",), n_boot=n_boot, seed=seed)["fits"].iloc[0]
    return tuple(math.nan if v is None else float(v) for v in (fit["low"], fit["high"]))


def scenario(args: argparse.Namespace, n_seeds: int, n_rows: int, base: int, slope: float,
             equivalent: float, run_sd: float, rng: np.random.Generator) -> list[dict]:
    """Per resample count: the ends' spread over draws, the upper end's finiteness flips and
    the seconds per interval, over ``args.sims`` simulated experiments."""
    _, mu, truth = sim.equivalent_truth(base, slope, equivalent, run_sd)
    keys = [("synthetic", base, sim.STEP * i) for i in range(sim.STEPS + 1)]
    runs = pd.DataFrame([(base, kind, added) for kind, _, added in
                         [*keys, ("human", base, sim.HUMAN)]], columns=["base", "kind", "added"])
    per_count: dict[int, dict[str, list[float]]] = {
        n: {"low": [], "high": [], "flips": [], "seconds": []} for n in args.n_boot}
    for _ in range(args.sims):
        scores = sim.simulated_scores(mu, n_seeds, n_rows, run_sd, rng)
        data = CurveData(runs, {s: scores[s] for s in range(n_seeds)}, sim.HUMAN)
        for n in args.n_boot:
            started = time.perf_counter()
            ends = np.array([interval(data, n, seed) for seed in range(args.draws)])
            per_count[n]["seconds"].append((time.perf_counter() - started) / args.draws)
            closed = np.isfinite(ends).all(axis=1)
            width = float(np.median(ends[closed, 1] - ends[closed, 0])) if closed.any() else 0
            for j, end in enumerate(("low", "high")):
                if np.isfinite(ends[:, j]).all() and width > 0:
                    per_count[n][end].append(float(np.std(ends[:, j], ddof=1)) / width)
            finite_high = np.isfinite(ends[:, 1])
            per_count[n]["flips"].append(float(finite_high.any() and not finite_high.all()))
    rows = []
    for n, got in per_count.items():
        rows.append({"n_boot": n, "truth": truth,
                     "low": float(np.median(got["low"])) if got["low"] else math.nan,
                     "high": float(np.median(got["high"])) if got["high"] else math.nan,
                     "n_low": len(got["low"]), "n_high": len(got["high"]),
                     "flips": float(np.mean(got["flips"])),
                     "seconds": float(np.mean(got["seconds"]))})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=30, help="simulated experiments per scenario")
    parser.add_argument("--draws", type=int, default=5, help="bootstrap draws per experiment")
    parser.add_argument("--n-boot", type=int, nargs="+", default=[1000, 4000, 10000],
                        help="resample counts; the first is the baseline")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.sims < 1 or args.draws < 2 or min(args.n_boot) < 1:
        parser.error("--sims and --n-boot must be at least 1, --draws at least 2")
    rng = np.random.default_rng(args.seed)
    print(f"the equivalent's 95% interval over {args.draws} bootstrap draws, {args.sims} "
          "simulated experiments per scenario; spread = (the standard deviation of an end over "
          "the draws) / the interval's median width, the median over the experiments with that end "
          "finite in every draw (how many); flips = share of experiments whose draws disagree on "
          "whether the upper end is finite")
    for n_seeds, n_rows, base, slope, eq, run_sd in sim.EQUIVALENT_SCENARIOS:
        rows = scenario(args, n_seeds, n_rows, base, slope, eq, run_sd, rng)
        print(f"\n{n_seeds} seeds x {n_rows} rows, base {base}, a1 {slope}, run sd {run_sd}: "
              f"truth +{rows[0]['truth']:.0f}")
        print(f"  {'resamples':>9} {'low spread':>14} {'high spread':>14} {'flips':>6} "
              f"{'s/interval':>10} {'cost vs ' + str(rows[0]['n_boot']):>14}")
        for r in rows:
            print(f"  {r['n_boot']:>9,} {r['low']:>8.3f} ({r['n_low']:>2}) "
                  f"{r['high']:>8.3f} ({r['n_high']:>2}) {r['flips']:>6.2f} "
                  f"{r['seconds']:>10.3f} {r['seconds'] / rows[0]['seconds']:>13.1f}x",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
