"""The budget answer's resamples (``families.budget_answer``): every bootstrap fit evaluated
at once (``families.FitBatch``, ``curves.gain_at_rows``, the library's way since
2026-12-05) against a Python call per fit (``curves.split_scores`` and ``curves.gain_at`` on
each ``FamilyFit``, the way before, kept here as the baseline), on the same fits in the same
run.

    python bench/budget_answer_speed.py [--n-boot 10000] [--repeats 3]

One simulated paper-scale trade-off (``bench/interval_coverage.py``'s saturating truth: 3
bases, 3 seeds, 1,666 test rows), analysed as notebook 06 does; then, per family, the
grid's scores of every resample at a $300 budget ($0.5 a human point, $0.05 a synthetic
one), both ways. Prints seconds (best of ``--repeats``) and the speed-up, and the largest
difference between the two (float rounding only).
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import interval_coverage as sim  # noqa: E402
from row_resampling import best_of  # noqa: E402
from littlehuman import curves, families  # noqa: E402
from littlehuman.metrics import SCORE_RANGE  # noqa: E402


def per_fit(fits, y_boot, bases, h, s, human):
    """The baseline: a Python call per resample's fit."""
    rows = []
    for i, fit in enumerate(fits):
        if not fit.usable:
            rows.append(np.full(len(h), np.nan))
            continue
        gains = [y_boot[i, k] - float(fit.predict(b)) for k, b in enumerate(bases)]
        rows.append(curves.split_scores(fit, h, s, bases, gains, human)[0])
    return np.array(rows)


def batched(fits, y_boot, bases, h, s, human):
    """The library's way: every fit at once."""
    batch = families.FitBatch(fits)
    gains = y_boot - batch.predict(np.asarray(bases, dtype=float))
    raw = batch.predict(s) + h[None, :] / human * curves.gain_at_rows(s, bases, gains, batch)
    return np.clip(raw, *SCORE_RANGE)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-boot", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    runs, mu, _ = sim.saturating_truth(0.55, 0.35, 500.0, 0.05)
    scores = sim.simulated_scores(mu, 3, 1666, 0.05, rng)
    data = families.CurveData(runs, {k: scores[k] for k in range(3)}, sim.HUMAN)
    result = families.analyse(data, sim.MIS_FAMILIES, n_boot=args.n_boot, seed=0,
                              ceiling=sim.MIS_CEILING)
    bases = list(result["bases"])
    print(f"{'family':<8} {'per fit s':>10} {'batched s':>10} {'speed-up':>9} {'max diff':>9}")
    for family in sim.MIS_FAMILIES:
        fit = result["fit"][(families.POOLED, family)]
        gains = [result["y_star"][b] - float(fit.predict(b)) for b in bases]
        grid = curves.budget_grid(fit, bases, gains, sim.HUMAN, 0.5, 0.05, 300.0)
        h, s = grid["h"].to_numpy(float), grid["s"].to_numpy(float)
        fits = result["boot"][(families.POOLED, family)]
        y_boot = np.stack([np.asarray(result["boot_y_star"][b], float)[:len(fits)]
                           for b in bases], axis=1)
        t_old, old = best_of(per_fit, args.repeats, fits, y_boot, bases, h, s, sim.HUMAN)
        t_new, new = best_of(batched, args.repeats, fits, y_boot, bases, h, s, sim.HUMAN)
        # a NaN on one side only is a lost resample, not an agreement: np.nanmax skipped it
        # (a reviewer made the batched way lose half its resamples; 'max diff' read 0)
        lost = bool((np.isnan(old) != np.isnan(new)).any())
        both = ~np.isnan(old) & ~np.isnan(new)
        diff = (math.inf if lost else
                float(np.max(np.abs(old[both] - new[both]))) if both.any() else 0.0)
        print(f"{family:<8} {t_old:>10.3f} {t_new:>10.3f} {t_old / t_new:>8.1f}x "
              f"{diff:>9.1e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
