"""Uncertainty for the sweep and trade-off analyses: bootstrap intervals and seed comparisons.

Every resampling function takes an explicit ``seed`` and is vectorised over resamples.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from littlehuman.errors import LittleHumanError
from littlehuman.metrics import SCORE_RANGE

Interval = tuple[float, float, float]
_CELLS = 4_000_000  # resample cells drawn at once (bounds memory to ~32 MB of indices)
_COUNTED_CELLS = 1_000_000  # test rows drawn and counted at once: 1.5x faster than _CELLS
_EXACT_FLIPS = 16   # seed counts up to this get an exact sign-flip test


def finite(value: Any) -> bool:
    """A real, finite number (not None, NaN or infinite)."""
    return value is not None and not pd.isna(value) and math.isfinite(float(value))


def _check_level(level: float, n_boot: int) -> None:
    if not 0 < level < 1:
        raise LittleHumanError(f"confidence level must lie in (0, 1) (got {level})")
    if n_boot < 1:
        raise LittleHumanError(f"n_boot must be at least 1 (got {n_boot})")


def _as_values(values: Sequence[float] | np.ndarray, what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size == 0:
        raise LittleHumanError(f"cannot bootstrap {what}: no values")
    if not np.isfinite(arr).all():
        raise LittleHumanError(f"cannot bootstrap {what}: it holds NaN or inf; drop those first")
    return arr


def _percentiles(boot: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(boot, [tail, 100 - tail])
    return float(low), float(high)


def _apply(stat: Callable[..., Any], samples: np.ndarray) -> np.ndarray:
    """``stat`` over each row of ``samples``; uses ``axis=1`` when ``stat`` accepts it."""
    try:
        out = np.asarray(stat(samples, axis=1), dtype=float)
        if out.shape == (samples.shape[0],):
            return out
    except TypeError:
        pass
    return np.array([stat(row) for row in samples], dtype=float)


def bootstrap_ci(values: Sequence[float] | np.ndarray, stat: Callable[..., Any] = np.mean,
                 n_boot: int = 2000, level: float = 0.95, seed: int = 0) -> Interval:
    """Percentile bootstrap: ``(stat(values), low, high)`` at confidence ``level``."""
    _check_level(level, n_boot)
    arr = _as_values(values, "values")
    rng = np.random.default_rng(seed)
    chunk = max(1, _CELLS // arr.size)
    boot = np.concatenate([
        _apply(stat, arr[rng.integers(0, arr.size, (min(chunk, n_boot - start), arr.size))])
        for start in range(0, n_boot, chunk)])
    return (float(stat(arr)), *_percentiles(boot, level))


def bootstrap_run_means(per_seed: Mapping[Hashable, np.ndarray], n_boot: int, seed: int = 0,
                        rows: bool = True, bounds: tuple[float, float] | None = None
                        ) -> np.ndarray:
    """(n_boot x runs) bootstrap run means over seeds and test rows, honest with few seeds.

    ``per_seed``: seed -> (runs x rows) scores; every seed has the same runs and, with
    ``rows``, scores the same test rows in the same order (every run of a study does; seeds
    scoring different numbers of rows are a LittleHumanError). Each resample is the mean over
    seeds plus two deviations:

    - seeds: the seeds drawn with replacement, their mean deviation from the mean over seeds,
      times sqrt(k / (k - 1)) (a bootstrap mean's variance is (k - 1) / k of the unbiased
      one) and times sqrt((k - 1) / chi2(k - 1)), a fresh draw per resample: a mean's
      percentile interval is then about Student's t interval over the k seed means, not a
      normal one that ignores how uncertain k seeds' spread is. A seed mean carries its runs'
      training noise and its test rows' answer noise, not the rows' difficulty, which every
      seed shares;
    - test rows (``rows``): one draw of rows with replacement for every seed and run, the
      deviation of the mean over seeds there, mapped to the rows' difficulty (runs x runs:
      the row means' covariance less the ANOVA residual covariance / k, so a contrast between
      runs gets the difficulty the runs share, not the answer noise the seed part has). One
      seed: the row draw alone, as drawn (no seed spread to see).

    ``bounds``: the range a run mean can take (the metric's,
    :data:`littlehuman.metrics.SCORE_RANGE`), resamples clipped to it; with few seeds the t factor can reach past it. ``rows=False`` (run-level
    scores only): the seed part alone. In simulation (``bench/interval_coverage.py``: 3-5
    seeds, 500-1,666 binary test rows) the 95% intervals held the truth 0.95-0.96 of the time;
    the plain percentile bootstrap over seeds, then each drawn seed's rows (this function
    before 2026-12-03), 0.78-0.96."""
    arrays = [np.asarray(a, dtype=float) for a in per_seed.values()]
    if not arrays:
        raise LittleHumanError("a bootstrap over seeds needs at least one seed")
    if n_boot < 1:
        raise LittleHumanError(f"n_boot must be at least 1 (got {n_boot})")
    lengths = sorted({a.shape[1] for a in arrays})
    if rows and len(lengths) > 1:
        raise LittleHumanError(f"the seeds' runs scored different numbers of test rows "
                               f"({', '.join(map(str, lengths))}); every run of a study scores "
                               "the same test set, so some are stale: rerun them")
    rng = np.random.default_rng(seed)
    k = len(arrays)
    seed_means = np.stack([a.mean(axis=1) for a in arrays])  # (seeds x runs)
    grand = seed_means.mean(axis=0)
    out = np.tile(grand, (n_boot, 1))
    scores = np.stack(arrays) if rows else None  # (seeds x runs x rows)
    if scores is not None and scores.shape[2] > 1:
        row_means = scores.mean(axis=0)  # (runs x rows): the mean over seeds
        out += ((_resampled_rows(row_means, n_boot, rng) - grand)
                @ _row_map(scores, seed_means, row_means).T)
    if k > 1:
        drawn = rng.integers(0, k, (n_boot, k))
        weights = np.stack([(drawn == s).sum(axis=1) for s in range(k)], axis=1) / k
        t_factor = np.sqrt((k - 1) / rng.chisquare(k - 1, n_boot))
        scale = math.sqrt(k / (k - 1)) * t_factor
        out += scale[:, None] * (weights @ (seed_means - grand))
    return out if bounds is None else np.clip(out, *bounds)


def _resampled_rows(row_means: np.ndarray, n_boot: int, rng: np.random.Generator
                    ) -> np.ndarray:
    """(n_boot x runs): per resample, one draw of test rows with replacement, the same for
    every run, and each run's mean of ``row_means`` (runs x rows: the means over seeds) over
    those rows. A resample is counted (how often each row was drawn) and its means are one
    product with ``row_means``: the work grows with the rows, not with rows x runs (5-9x
    faster than gathering each run's drawn rows at 4-35 runs of 500-1,688 rows, the same
    draws; memory-bounded)."""
    n_runs, n_rows = row_means.shape
    out = np.empty((n_boot, n_runs))
    step = max(1, _COUNTED_CELLS // n_rows)
    for start in range(0, n_boot, step):
        m = min(step, n_boot - start)
        drawn = rng.integers(0, n_rows, (m, n_rows))
        drawn += (np.arange(m) * n_rows)[:, None]  # resample i counts into row i
        counts = np.bincount(drawn.ravel(), minlength=m * n_rows).reshape(m, n_rows)
        out[start:start + m] = counts @ row_means.T / n_rows
    return out


def _row_map(scores: np.ndarray, seed_means: np.ndarray, row_means: np.ndarray) -> np.ndarray:
    """(runs x runs) A with A V A' = D: V the covariance (over test rows) of the runs' row
    means over seeds, D its part that is the rows' difficulty, V less the ANOVA residual
    covariance of (seeds x rows) / k (eigenvalues below 0 set to 0). The identity with one
    seed; a scalar sqrt(D / V) with one run. ``seed_means`` (seeds x runs) and ``row_means``
    (runs x rows): ``scores`` (seeds x runs x rows) averaged over rows and over seeds."""
    k, n_runs, n_rows = scores.shape
    if k < 2:
        return np.eye(n_runs)
    grand = seed_means.mean(axis=0)
    centred = row_means - grand[:, None]
    v = centred @ centred.T / (n_rows - 1)
    resid = scores - seed_means[:, :, None] - row_means[None] + grand[None, :, None]
    flat = resid.transpose(1, 0, 2).reshape(n_runs, -1)
    d = v - flat @ flat.T / ((k - 1) * (n_rows - 1)) / k
    return _sym_power(d, 0.5) @ _sym_power(v, -0.5)


def _sym_power(matrix: np.ndarray, power: float) -> np.ndarray:
    """``matrix`` ** ``power`` for a symmetric matrix, its eigenvalues below a relative 1e-12
    taken as 0 (a pseudo-inverse for negative powers)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    keep = values > 1e-12 * max(1e-300, float(np.abs(values).max(initial=0.0)))
    powered = np.where(keep, np.where(keep, values, 1.0) ** power, 0.0)
    return (vectors * powered) @ vectors.T


def contrast_bounds(weights: Sequence[float],
                    score_range: tuple[float, float] = SCORE_RANGE) -> tuple[float, float]:
    """The range a weighted sum of scores can take, each score in ``score_range`` (the
    metrics'): a paired difference (+1, -1) lies in [-1, 1] (:data:`DIFFERENCE_BOUNDS`),
    finding 1's contrast (-1, +2, -1) in [-2, 2]. The ``bounds`` of a
    :func:`hierarchical_bootstrap` of such differences: with 2 seeds the t factor had printed a
    loss of +0.250 as [-3.007, +3.248] (a reviewer)."""
    lo, hi = score_range
    return (float(sum(min(w * lo, w * hi) for w in weights)),
            float(sum(max(w * lo, w * hi) for w in weights)))


#: the range of one score minus another (:func:`contrast_bounds` of +1, -1)
DIFFERENCE_BOUNDS = contrast_bounds((1, -1))


def hierarchical_bootstrap(per_seed_examples: Mapping[Hashable, Sequence[float] | np.ndarray],
                           n_boot: int = 2000, level: float = 0.95, seed: int = 0,
                           bounds: tuple[float, float] | None = None) -> Interval:
    """CI of the mean score "over test examples and seeds" (:func:`bootstrap_run_means` for one
    run: every seed scored the same examples, in the same order; ``bounds``: the range the
    mean can take). The estimate is the mean of the per-seed means (every seed weighs the
    same)."""
    _check_level(level, n_boot)
    arrays = [_as_values(v, f"the examples of seed {s}") for s, v in per_seed_examples.items()]
    if not arrays:
        raise LittleHumanError("hierarchical_bootstrap needs at least one seed")
    boot = bootstrap_run_means({i: a[None, :] for i, a in enumerate(arrays)}, n_boot, seed,
                               bounds=bounds)[:, 0]
    estimate = float(np.mean([a.mean() for a in arrays]))
    return (estimate, *_percentiles(boot, level))


def detectable_effect(low: float, high: float, level: float = 0.95, power: float = 0.8) -> float:
    """The smallest true effect this run could have detected: the size a two-sided test at
    ``level`` finds with probability ``power``, from the estimate's interval [low, high]
    (normal approximation: standard error = width / (2 z), effect = (z + z_power) * SE).
    Beside a measured effect it tells "not visible at this power" from "not there". On the
    t-like interval of k seeds' mean it reads high, on the safe side: 3.97 standard errors at
    k = 5 where the exact t-test needs 3.77, 6.15 at k = 3 where it needs 5.66; but it is only
    as good as the interval, whose seed part rests on k seeds' spread: three seeds that agree
    by chance give a narrow interval and a small detectable effect (at the paper's scale in
    simulation, 0.002 where the test rows' own noise alone implies about 0.014). NaN for an
    interval of no width (every resample gave the same difference: runs that predict alike),
    which has no spread to tell power by: not an effect of 0 that could be detected."""
    if not high - low > 0:
        return math.nan
    norm = NormalDist()  # the standard library's: scipy.stats takes ~1 s to import

    z = norm.inv_cdf(0.5 + level / 2)
    return float((z + norm.inv_cdf(power)) * (high - low) / (2 * z))


def sign_test_p(wins: int, losses: int) -> float:
    """The exact two-sided sign test: the binomial test of ``wins`` in ``wins + losses`` at
    p = 0.5 (scipy's ``binomtest(...).pvalue``, tested equal; computed here because
    scipy.stats takes ~1 s to import in every process that compares seeds). 1.0 without
    any win or loss."""
    wins, losses = int(wins), int(losses)  # numpy ints would overflow 2 ** n
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(wins, losses) + 1))
    return min(1.0, 2 * tail / 2 ** n)


def paired_seed_comparison(a_by_seed: Mapping[Hashable, float],
                           b_by_seed: Mapping[Hashable, float]) -> dict[str, Any]:
    """Compare two settings run on the same seeds (e.g. 97.5% vs 100% synthetic).

    Keys: seeds, differences (a - b per seed), mean_difference, n_seeds, a_better, b_better,
    ties, agree (seeds on the majority side), sign_p (exact two-sided binomial sign test, ties
    dropped), permutation_p (two-sided sign-flip test on the mean difference: exact up to 16
    seeds, else 100,000 seeded random flips plus the observed signs, so never 0), min_p (the
    smallest two-sided p these seeds allow, 2 / 2**n over the n seeds not tied: 0.25 with 3), dropped_seeds (in
    one mapping only) and message."""
    seeds = sorted(set(a_by_seed) & set(b_by_seed), key=repr)
    dropped = sorted(set(a_by_seed) ^ set(b_by_seed), key=repr)
    if not seeds:
        raise LittleHumanError("paired_seed_comparison needs scores on shared seeds; the two "
                               "settings have none in common")
    diffs = np.array([float(a_by_seed[s]) - float(b_by_seed[s]) for s in seeds])
    if not np.isfinite(diffs).all():
        raise LittleHumanError("paired_seed_comparison got a NaN or inf score; drop that seed")
    a_better, b_better = int((diffs > 0).sum()), int((diffs < 0).sum())
    n = len(seeds)
    sign_p = sign_test_p(a_better, b_better)
    observed = abs(diffs.mean())
    exact = n <= _EXACT_FLIPS
    if exact:
        flips = np.array(list(itertools.product((1.0, -1.0), repeat=n)))
    else:
        flips = np.random.default_rng(0).choice((1.0, -1.0), (100_000, n))
    flipped = np.abs(flips @ diffs / n)
    extreme = int(np.sum(flipped >= observed - 1e-12 * max(1.0, observed)))
    # random flips: count the observed signs as one draw, so p is never 0 (Phipson & Smyth)
    perm_p = extreme / len(flips) if exact else (extreme + 1) / (len(flips) + 1)
    untied = a_better + b_better  # a tied seed moves neither test: both floors are 2 / 2**untied
    min_p = min(1.0, 2.0 / 2 ** untied)
    side = "a" if a_better > b_better else "b" if b_better > a_better else "neither"
    agree = max(a_better, b_better)
    ties = f", {n - untied} of them tied" if untied < n else ""
    message = (f"{agree}/{n} seeds favour {side}; mean difference a - b = {diffs.mean():.4g}; "
               f"sign test p = {sign_p:.3g}, sign-flip p = {perm_p:.3g} (with {n} seeds{ties}, no "
               f"two-sided p can go below {min_p:.3g}).")
    return {"seeds": seeds, "differences": diffs.tolist(), "mean_difference": float(diffs.mean()),
            "n_seeds": n, "a_better": a_better, "b_better": b_better,
            "ties": n - a_better - b_better, "favours": side, "agree": agree,
            "sign_p": float(sign_p), "permutation_p": perm_p, "min_p": min_p,
            "dropped_seeds": dropped, "message": message}


def ranked_interval(values: Sequence[float | None], level: float = 0.95
                    ) -> tuple[float | None, float | None, int]:
    """``(low, high, n_undefined)``: the percentile interval of every resample, some of them
    +-inf (numpy's linear percentile, a bound between a number and an infinity taken as the
    infinity), and how many were infinite or None. A bound is +-inf when about
    (1 - level) / 2 or more of the resamples lie beyond it: that side is unbounded. None and NaN
    (a fit that failed: no place to rank it) are left out as :func:`defined_interval` does:
    no interval (None bounds) when more than ``1 - level`` of the resamples are such."""
    arr = np.array([math.nan if v is None else float(v) for v in values], dtype=float)
    unplaced = int(np.isnan(arr).sum())
    ordered = np.sort(arr[~np.isnan(arr)])
    undefined = unplaced + int(np.isinf(ordered).sum())
    if ordered.size == 0 or unplaced > (1 - level) * arr.size + 1e-9:
        return None, None, undefined
    last = ordered.size - 1

    def quantile(q: float) -> float:
        pos = q * last
        lo, hi = math.floor(pos), math.ceil(pos)
        a, b = float(ordered[lo]), float(ordered[hi])
        if a == b:
            return a
        if not (math.isfinite(a) and math.isfinite(b)):
            return a if a == -math.inf else b
        return a + (pos - lo) * (b - a)

    tail = (1 - level) / 2
    return quantile(tail), quantile(1 - tail), undefined


def defined_interval(values: Sequence[float | None], level: float = 0.95
                     ) -> tuple[float | None, float | None, int]:
    """``(low, high, n_undefined)``: the percentile interval of the resamples with a finite
    value, and how many had none. No interval (None bounds) when more than ``1 - level`` of
    them had none: the undefined ones (no equivalent: a curve that does not rise, a match
    beyond any float) cannot be placed, and an interval of the rest would not hold ``level``
    of the resamples (at 95%, 935 of 1,000 undefined left a 65-resample "interval"):
    :func:`ranked_interval` with every value that is not finite unplaced."""
    return ranked_interval([v if finite(v) else None for v in values], level)
