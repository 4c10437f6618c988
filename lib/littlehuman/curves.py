"""The human-vs-synthetic trade-off (PROTOCOL experiment 3), as pure functions.

Fit ``y = a0 + a1 ln(x)`` on purely synthetic runs (``x`` = training-set size). A run with
``base`` synthetic points plus a few human points scores ``y*``; the synthetic size with the same
fitted score is ``exp((y* - a0) / a1)``, and that minus ``base`` is the number of additional
synthetic points "equivalent" to the human points. Human annotation is the cheaper route when
``price(human) / price(synthetic) < equivalent / human_points``.

Run records come as one row per run with columns ``base``, ``kind`` ("synthetic" | "human"),
``added`` (points added to the base: 0, 200, 400... synthetic, or the human count), ``seed``
and the metric.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from littlehuman.errors import LittleHumanError
from littlehuman.metrics import SCORE_RANGE

STATUSES = ("ok", "no_gain", "saturated", "extrapolated")
"""Every :class:`Equivalence` status; see :func:`equivalent_points`."""

EXTRAPOLATION_FACTOR = 100.0
"""A match beyond this many times the largest fitted size is flagged ``extrapolated``."""

EQUIVALENT_RESAMPLES = 10_000
"""Bootstrap resamples behind an equivalent's interval: one draw per study and metric, shared by
the trade-off (notebook 04) and every curve family of the advisor (notebook 06). The ends sit in
a heavy tail (the equivalent grows exponentially as a resampled slope flattens), so they move
between draws: in simulation (``bench/bootstrap_draws.py``, 2026-12-04) the upper end's standard
deviation over draws was 9-18% of the interval's width at 1,000 resamples (this value until
then), 3-4% at 10,000, at 0.6 s an interval on 2 cores (the fits are vectorised)."""

PILOT_MAX_SEEDS = 100
"""Past this many seeds a pilot plan says that seeds alone will not settle an interval."""

PILOT_MIN_SEEDS = 5
"""The fewest seeds a pilot plan counts from. A simulation of the trade-off with a known
truth (80 experiments grown from 3 seeds to 5-60, 2026-12-05) found 3-seed equivalent
intervals inflated, not merely noisy (their width shrank 2.8-3.9x by 5 seeds where Student
t's rule says 2.0x): plans from 3 seeds were 1.3-1.5x too hopeful at 4-12 seeds, too
cautious beyond, and 73% of those asking for over 100 seeds were settled by 20. From 5
seeds the realised widths were 0.94-1.01 of the plan's (median), from 8 about 0.9."""

PILOT_GOOD_SEEDS = 8
"""The seeds a pilot plan suggests when it can afford them, below :data:`PILOT_MIN_SEEDS`."""

RECORD_COLUMNS = ("base", "kind", "added", "seed")


@dataclass(frozen=True)
class LogFit:
    """Least-squares ``y = a0 + a1 ln(x)`` over ``n_points`` runs of sizes ``x_min..x_max``.

    ``r2`` is NaN when the scores are all equal (undefined: :func:`fit_log`); a log fit
    made by :func:`littlehuman.families.FamilyFit.as_logfit` carries 1.0 there."""

    a0: float
    a1: float
    r2: float
    n_points: int
    x_min: float
    x_max: float

    def predict(self, x: float | np.ndarray) -> float | np.ndarray:
        """The fitted score at size(s) ``x``."""
        return self.a0 + self.a1 * np.log(x)


@dataclass(frozen=True)
class Equivalence:
    """Additional synthetic points matching the human-augmented score, with a status.

    ``value`` is None only when no finite synthetic size matches (``no_gain``, or a match too
    large for a float); ``saturated`` values are <= 0; ``synthetic_size`` is ``value + base``."""

    value: float | None
    status: str
    message: str
    synthetic_size: float | None = None
    #: an ``ok`` match past the largest fitted size: 'an extrapolation: 4.2x the largest size
    #: fitted, 350, from a fit with R² 0.07' (also in ``message``); an ``extrapolated`` one:
    #: :func:`far_beyond`; '' within the fitted sizes
    extrapolation: str = ""

    def ranked(self, y_star: float, fit_at_base: float, base: float) -> tuple[float, bool]:
        """For a bootstrap resample: ``(value, True)``, or where there is no value its rank
        and False: -base (a synthetic set of size 0, the least an equivalent can be) when the
        curve does not rise and ``y_star`` is not above its ``fit_at_base``: none is needed;
        else +inf, no finite synthetic amount reaches ``y_star``."""
        if self.value is not None:
            return self.value, True
        if self.status == "no_gain" and y_star <= fit_at_base:
            return -float(base), False
        return math.inf, False


def past_runs(size: float, x_max: float, r2: float) -> str:
    """The caveat of an ``ok`` equivalent read past the largest size fitted: 'an
    extrapolation: 4.2x the largest size fitted, 350, from a fit with R² 0.07' (the R² where
    below 0.5); '' within the fitted sizes."""
    if size <= x_max:
        return ""
    return (f"an extrapolation: {size / x_max:.1f}x the largest size fitted, {x_max:,.0f}"
            + (f", from a fit with R² {r2:.2f}" if r2 < 0.5 else ""))


def far_beyond(factor: float, x_max: float) -> str:
    """The caveat of an ``extrapolated`` equivalent, which keeps its value: 'beyond 100x the
    largest size fitted, 2,000: far more, not a number' (a reviewer: a lone "+37,374,555,554"
    went without one, 2026-12-06)."""
    return f"beyond {factor:g}x the largest size fitted, {x_max:,.0f}: far more, not a number"


def lone_caveat(notes: Sequence[str]) -> str:
    """' (an extrapolation: 4.2x the largest size fitted, 350, ...)' where one operating point
    alone had a finite equivalent (``notes``: each finite one's :func:`past_runs` or
    :func:`far_beyond` caveat, '' within the fitted sizes) and its curve was read past its
    runs: a headline's lone "+1,232" (FEVER's cpu, seed 0 alone) went without the caveat its
    own message carried (a reviewer, 2026-12-06); '' otherwise."""
    return f" ({notes[0]})" if len(notes) == 1 and isinstance(notes[0], str) and notes[0] else ""


def fit_log(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> LogFit:
    """Least-squares fit of ``y = a0 + a1 ln(x)``; needs >= 2 distinct positive sizes."""
    xs = np.asarray(x, dtype=float).ravel()
    ys = np.asarray(y, dtype=float).ravel()
    if xs.shape != ys.shape:
        raise LittleHumanError(f"fit_log needs as many scores as sizes (got {xs.size} sizes, "
                               f"{ys.size} scores)")
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()) or (xs <= 0).any():
        raise LittleHumanError("fit_log needs finite scores and positive finite training-set "
                               "sizes; drop runs with missing metrics")
    if np.unique(xs).size < 2:
        raise LittleHumanError(f"fit_log needs synthetic-only runs of at least 2 distinct sizes "
                               f"(got sizes {sorted(set(xs.tolist()))}); run more sizes")
    if ys.min() == ys.max():  # exactly flat: a mean of equal floats need not equal them,
        # which would leave a slope of +-1e-30 and an equivalent from rounding alone
        # R² is 0/0 there, undefined (it had read 1.0000 beside three constant predictors)
        return LogFit(float(ys[0]), 0.0, math.nan, int(xs.size), float(xs.min()),
                      float(xs.max()))
    lx = np.log(xs)
    dx, dy = lx - lx.mean(), ys - ys.mean()
    a1 = float(dx @ dy / (dx @ dx))
    a0 = float(ys.mean() - a1 * lx.mean())
    ss_res = float(((ys - a0 - a1 * lx) ** 2).sum())
    ss_tot = float(dy @ dy)
    r2 = math.nan if ss_tot == 0.0 else 1.0 - ss_res / ss_tot
    return LogFit(a0, a1, r2, int(xs.size), float(xs.min()), float(xs.max()))


def equivalent_points(fit: LogFit, y_star: float, base: float,
                      extrapolation_factor: float = EXTRAPOLATION_FACTOR) -> Equivalence:
    """Additional synthetic points over ``base`` whose fitted score equals ``y_star``.

    Status: ``no_gain`` (a1 <= 0: more synthetic data does not help, value None);
    ``saturated`` (y* <= the fit at ``base``: the human points did not beat the curve, value
    <= 0, reported as the paper does on FEVER); ``extrapolated`` (the match lies beyond
    ``extrapolation_factor`` times the largest fitted size; value kept, or None if it
    overflows); ``ok`` otherwise."""
    if not math.isfinite(y_star):
        raise LittleHumanError(f"the human-augmented score must be finite (got {y_star})")
    at_base = float(fit.predict(base)) if math.isfinite(fit.a0) and math.isfinite(fit.a1) \
        else math.nan
    if not (math.isfinite(fit.a1) and fit.a1 > 0):
        beat = (f"; nor did the human points beat the curve at {base:,.0f} ({y_star:.4g} <= "
                f"{at_base:.4g})" if y_star <= at_base else "")
        return Equivalence(None, "no_gain",
                           f"the synthetic-only curve does not rise (a1 = {fit.a1:.4g}): more "
                           "synthetic data did not raise the score over these sizes, so the "
                           f"human points' {y_star:.4g} cannot be priced in synthetic points"
                           f"{beat}.")
    log_x = (y_star - fit.a0) / fit.a1
    if y_star <= at_base:  # then log_x <= ln(base): exp cannot overflow
        size = math.exp(log_x)
        return Equivalence(size - base, "saturated",
                           f"the human points did not beat the synthetic curve at {base:,.0f} "
                           f"({y_star:.4g} <= {at_base:.4g}); equivalent ≤ 0: the curve "
                           f"reaches their score at {size:,.0f} synthetic points, below the "
                           "base.", size)
    size = math.exp(log_x) if log_x < 709.0 else None
    limit = extrapolation_factor * fit.x_max
    if size is None or size > limit:
        shown = "more than a float can hold" if size is None else f"{size - base:,.0f}"
        return Equivalence(None if size is None else size - base, "extrapolated",
                           f"matching {y_star:.4g} needs {shown} additional synthetic points, "
                           f"beyond {extrapolation_factor:g}x the largest fitted size "
                           f"({fit.x_max:,.0f}); read it as 'far more', not as a number.", size,
                           far_beyond(extrapolation_factor, fit.x_max))
    value = size - base
    beyond = past_runs(size, fit.x_max, fit.r2)
    return Equivalence(value, "ok",
                       f"{value:,.0f} additional synthetic points match the score {y_star:.4g} "
                       f"reached with the human points on a base of {base:,.0f}"
                       f"{f' ({beyond})' if beyond else ''}.", size, beyond)


def check_records(records: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The run records reduced to ``base, kind, added, seed, metric``, validated (known kinds,
    one run per cell) and without runs whose metric is missing."""
    missing = [c for c in (*RECORD_COLUMNS, metric) if c not in records.columns]
    if missing:
        raise LittleHumanError(f"trade-off records lack column(s) {missing}; expected one row "
                               f"per run with {list(RECORD_COLUMNS)} and '{metric}'")
    kinds = set(records["kind"].astype(str)) - {"synthetic", "human"}
    if kinds:
        raise LittleHumanError(f"trade-off records have unknown kind(s) {sorted(kinds)}; "
                               "use 'synthetic' or 'human'")
    frame = records[[*RECORD_COLUMNS, metric]].copy()
    frame["kind"] = frame["kind"].astype(str)
    frame[metric] = frame[metric].astype(float)
    dup = frame.duplicated(list(RECORD_COLUMNS))
    if dup.any():
        first = frame.loc[dup, list(RECORD_COLUMNS)].iloc[0].to_dict()
        raise LittleHumanError(f"trade-off records hold several runs for {first}; filter them to "
                               "one dataset, generator and learner first")
    return frame.dropna(subset=[metric])


def _synthetic_sizes(frame: pd.DataFrame, base: float) -> set[float]:
    """The synthetic-only sizes ``frame`` holds for ``base``'s fit."""
    syn = frame[(frame["kind"] == "synthetic") & (frame["base"] == base)]
    return set((syn["base"] + syn["added"]).astype(float))


def _operating_rows(frame: pd.DataFrame, metric: str,
                    extrapolation_factor: float,
                    every: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """The operating points of ``frame`` (one seed's runs, or the seed means); with ``every``
    (every seed's runs), a base whose fit lacks a size another seed has is incomplete: fitted
    on fewer sizes it is another curve (a reviewer: seed 2 of base 24 fitted on 2 of 3)."""
    rows = []
    for base in sorted(frame["base"].unique()):
        syn = frame[(frame["kind"] == "synthetic") & (frame["base"] == base)]
        x, y = (syn["base"] + syn["added"]).to_numpy(float), syn[metric].to_numpy(float)
        humans = frame[(frame["kind"] == "human") & (frame["base"] == base)]
        head: dict[str, Any] = {"base": base, "n_fit": len(x)}
        lacking = (sorted(_synthetic_sizes(every, base) - set(x.astype(float)))
                   if every is not None else [])
        if lacking:
            rows.append({**head, "status": "incomplete", "message": (
                f"no synthetic-only run of size {', '.join(f'{v:,.0f}' for v in lacking)} for "
                f"this seed on base {base}, which other seeds fit.")})
            continue
        try:
            fit = fit_log(x, y)
        except LittleHumanError as err:
            rows.append({**head, "status": "incomplete", "message": str(err)})
            continue
        curve = {"a0": fit.a0, "a1": fit.a1, "r2": fit.r2,
                 "fit_at_base": float(fit.predict(base))}
        if humans.empty:
            rows.append({**head, **curve, "status": "incomplete",
                         "message": f"no run with human points on base {base}."})
        for added, y_star in zip(humans["added"], humans[metric]):
            eq = equivalent_points(fit, float(y_star), float(base), extrapolation_factor)
            rows.append({**head, **curve, "human_points": added, "y_star": y_star,
                         "synthetic_size": eq.synthetic_size, "equivalent": eq.value,
                         "status": eq.status, "message": eq.message,
                         "extrapolation": eq.extrapolation})
    return rows


def operating_points(records: pd.DataFrame, metric: str,
                     extrapolation_factor: float = EXTRAPOLATION_FACTOR) -> pd.DataFrame:
    """One row per operating point: per (base, seed) (``level`` "seed") and per base on the
    seed-mean scores (``level`` "mean", seed <NA>; each run averaged over the seeds that
    have it).

    Columns: level, seed, base, human_points, y_star, n_fit, a0, a1, r2, fit_at_base,
    synthetic_size, equivalent, status, message, extrapolation (:class:`Equivalence`). Status
    is one of :data:`STATUSES`, or
    "incomplete" when the runs for a fit or the human run are missing. Each base is fitted on
    its own synthetic-only runs, as PROTOCOL describes (the authors' code pooled every base's:
    :data:`littlehuman.families.POOLED`'s fit, which notebook 06 shows beside them)."""
    frame = check_records(records, metric)
    out = []
    for seed, runs in frame.groupby("seed", sort=True):
        out += [{"level": "seed", "seed": seed, **r}
                for r in _operating_rows(runs, metric, extrapolation_factor, frame)]
    means = frame.groupby(["base", "kind", "added"], as_index=False)[metric].mean()
    out += [{"level": "mean", "seed": pd.NA, **r}
            for r in _operating_rows(means, metric, extrapolation_factor)]
    columns = ["level", "seed", "base", "human_points", "y_star", "n_fit", "a0", "a1", "r2",
               "fit_at_base", "synthetic_size", "equivalent", "status", "message",
               "extrapolation"]
    return pd.DataFrame(out).reindex(columns=columns)


def table3(equivalents: Sequence[float | None],
           method: str = "linear", floors: Sequence[float] | None = None) -> dict[str, Any]:
    """Mean, median, 25th and 75th percentile of the defined equivalents (paper Table 3), and
    the defined ones themselves (``values``, sorted).

    None/NaN/inf entries are left out and counted in ``n_undefined``. ``method`` is a
    ``numpy.percentile`` method, or "paper" for the authors' ``sorted[int(n * q)]``
    (their median stays ``np.median``). ``floors`` (per entry, minus its base): an entry at
    its floor is 'none needed', a stand-in that the median of an even count does not average
    with a number (:func:`ranked_median`; notebook 06's exponential curves read +26.8 and
    'none needed' on two bases as a median of +1.4, a reviewer)."""
    raw = [None if v is None else float(v) for v in equivalents]
    kept = [i for i, v in enumerate(raw) if v is not None and math.isfinite(v)]
    vals = np.array([raw[i] for i in kept], dtype=float)
    out: dict[str, Any] = {"n": int(vals.size), "n_undefined": len(raw) - int(vals.size),
                           "values": sorted(float(v) for v in vals)}
    if vals.size == 0:
        return {**out, "mean": None, "median": None, "p25": None, "p75": None}
    if method == "paper":
        ordered = np.sort(vals)
        p25, p75 = (float(ordered[int(vals.size * q)]) for q in (0.25, 0.75))
    else:
        p25, p75 = (float(np.percentile(vals, q, method=method)) for q in (25, 75))
    median = (float(np.median(vals)) if floors is None
              else ranked_median(vals, np.array([floors[i] for i in kept], dtype=float)))
    return {**out, "mean": float(vals.mean()), "median": median, "p25": p25, "p75": p75}


def at_floor(value: float, floor: float) -> bool:
    """Whether an equivalent (or an interval's end) lies at the floor that 'none needed' is
    ranked at (minus the base), to the half point it is shown to: a near-flat log fit put
    -249.99999 on base 250, and it read '-250' beside another family's '≤ 0' (a reviewer)."""
    return value <= floor + 0.5


def ranked_median(values: np.ndarray, floors: np.ndarray | None = None) -> float:
    """The median of ranked values (+-inf allowed), NaNs (failed fits) left out; NaN when
    none is left or the middle two are -inf and +inf. Of an even count, the mean of the
    middle two, or where either is 'none needed' (ranked at minus its base: at its own
    ``floors`` entry) the lower of them: the mean of +8.6 and base 24's -24 had read '-8', a
    number no base gave (a reviewer)."""
    keep = ~np.isnan(values)
    order = np.argsort(values[keep], kind="stable")
    ordered = values[keep][order]
    if ordered.size == 0:
        return math.nan
    mid = ordered.size // 2
    if ordered.size % 2:
        return float(ordered[mid])
    a, b = float(ordered[mid - 1]), float(ordered[mid])
    if a == b:
        return a
    if math.isinf(a) and math.isinf(b):
        return math.nan
    if floors is not None:
        at = np.asarray(floors, dtype=float)[keep][order]
        if at_floor(a, at[mid - 1]) or at_floor(b, at[mid]):
            return a
    return (a + b) / 2  # with one infinite: that infinity (no finite median)


#: the fewest finite equivalents whose quartiles a report shows: over fewer, a quartile
#: interpolates between two or three numbers (FairyTaleQA's cpu profile: "quartiles -214 to
#: -154" of 2 values, whose mean is their median), so the values are given instead
QUARTILES_MIN = 4


def few_values(t3: Mapping[str, Any]) -> bool:
    """Whether a :func:`table3` rests on fewer than :data:`QUARTILES_MIN` finite equivalents:
    reports then give the values, not quartiles (tables leave those blank; a headline gives
    the values instead of the mean)."""
    return 0 < _counts(t3)[0] < QUARTILES_MIN


def values_phrase(t3: Mapping[str, Any], signed: bool = True,
                  per_point: float | None = None) -> str:
    """'-214 and -154' (or '+5, +20 and +31'): a :func:`table3`'s finite equivalents, sorted;
    '' for a Table 3 from before they were kept. With ``per_point`` (the human points they
    match), each as a break-even ratio per human point: '10, 12 and 15'."""
    vals = [format(v, "+,.0f" if signed else ",.0f") if per_point is None
            else format(v / per_point, ".3g") for v in t3.get("values") or ()]
    return (" and ".join(vals) if len(vals) <= 2 else
            ", ".join(vals[:-1]) + f" and {vals[-1]}")


def table3_spread(t3: Mapping[str, Any]) -> str:
    """What goes beside Table 3's median: 'mean 17' or, over fewer than
    :data:`QUARTILES_MIN` values, 'the values: -214 and -154'."""
    if few_values(t3) and t3.get("values"):
        return f"the values: {values_phrase(t3)}"
    return f"mean {t3['mean']:,.0f}" if t3.get("mean") is not None else ""


#: said after a Table 3 median at or below 0: what such a number is (FairyTaleQA's cpu
#: profile: -244 is a 6-point synthetic set, read off a curve fitted on 250-350 points)
BELOW_THE_CURVE = ("they do not beat the synthetic curve (an equivalent below 0 is a synthetic "
                   "set smaller than the base: the curve read below its base's runs)")


def _counts(t3: Mapping[str, Any]) -> tuple[int, int]:
    """``(operating points with a finite equivalent, those without)`` of a :func:`table3`."""
    return int(t3.get("n") or 0), int(t3.get("n_undefined") or 0)


def operating_points_phrase(t3: Mapping[str, Any]) -> str:
    """'3 operating points', or 'the 1 of 3 operating points with a finite equivalent' when
    some had none (a median of what is left must say how much was left)."""
    n, undefined = _counts(t3)
    if not undefined:
        return f"{n} operating point{'s' if n != 1 else ''}"
    return f"the {n} of {n + undefined} operating points with a finite equivalent"


def mostly_undefined(t3: Mapping[str, Any]) -> bool:
    """Whether most operating points had no finite equivalent: the median of the rest is then
    one or a few seeds' reading, not the experiment's, and is not given as its answer."""
    n, undefined = _counts(t3)
    return undefined > n


#: how a page reads Table 3's median, in the one order :func:`table3_reading` tests them
TABLE3_READINGS = ("learned_nothing", "none", "unpriced", "at_or_below_0", "priced")


def table3_reading(t3: Mapping[str, Any], learned_nothing: str | None = None) -> str:
    """How Table 3's median is read (one of :data:`TABLE3_READINGS`), tested in this order:
    the runs learned nothing (``learned_nothing``, the analysis's sentence, given); no
    operating point gave a finite equivalent (``none``); most gave none (``unpriced``: the
    median of the rest is one or a few seeds' reading, :func:`mostly_undefined`); the median
    at or below 0 (``at_or_below_0``: no synthetic point for a human one); else ``priced``.
    Each page words these its own way; the order is the same everywhere."""
    if learned_nothing:
        return "learned_nothing"
    if t3.get("median") is None:
        return "none"
    if mostly_undefined(t3):
        return "unpriced"
    return "at_or_below_0" if t3["median"] <= 0 else "priced"


def unpriced_phrase(t3: Mapping[str, Any]) -> str:
    """'2 of 3 operating points gave no finite synthetic equivalent' (see
    :func:`mostly_undefined`)."""
    n, undefined = _counts(t3)
    return (f"{undefined} of {n + undefined} operating points gave no finite synthetic "
            "equivalent")


def priced_rest_phrase(t3: Mapping[str, Any], value: str) -> str:
    """'the 1 that did: +90' or 'the 2 that did: median +30' (``value``, formatted)."""
    n = _counts(t3)[0]
    return f"the {n} that did: {value}" if n == 1 else f"the {n} that did: median {value}"


def breakeven_price_ratio(equivalent: float | None, human_points: int = 200) -> float | None:
    """``equivalent / human_points``: human data is cheaper when price(human) / price(synthetic)
    is below it. None when the equivalent is undefined; <= 0 means human data never pays."""
    if human_points <= 0:
        raise LittleHumanError(f"human_points must be positive (got {human_points})")
    if equivalent is None or not math.isfinite(equivalent):
        return None
    return equivalent / human_points


def advise(equivalent: float | None, price_human: float, price_synthetic: float,
           human_points: int = 200) -> dict[str, Any]:
    """Compare buying ``human_points`` human points with buying their synthetic equivalent.

    Keys: human_cost, synthetic_cost (None if the equivalent is undefined; 0 if it is <= 0),
    synthetic_points_for_human_cost, breakeven_price_ratio, price_ratio, cheaper ("human",
    "synthetic", "tie" or "unknown") and a one-sentence message."""
    if not (price_human > 0 and price_synthetic > 0):
        raise LittleHumanError(f"prices must be positive (got human {price_human}, synthetic "
                               f"{price_synthetic}); give the price of one point of each")
    ratio = breakeven_price_ratio(equivalent, human_points)
    human_cost = price_human * human_points
    out: dict[str, Any] = {
        "human_points": human_points, "equivalent_points": equivalent,
        "human_cost": human_cost, "synthetic_points_for_human_cost": human_cost / price_synthetic,
        "price_ratio": price_human / price_synthetic, "breakeven_price_ratio": ratio,
    }
    if ratio is None:
        return {**out, "synthetic_cost": None, "cheaper": "unknown",
                "message": f"no finite synthetic amount matches {human_points} human points, "
                           "so no price makes synthetic data equivalent."}
    extra = max(float(equivalent or 0.0), 0.0)  # not None here: ratio is defined
    synthetic_cost = price_synthetic * extra
    cheaper = ("human" if human_cost < synthetic_cost
               else "synthetic" if synthetic_cost < human_cost else "tie")
    return {**out, "synthetic_cost": synthetic_cost, "cheaper": cheaper,
            "message": f"{human_points} human points cost {human_cost:.4g}, their "
                       f"{extra:,.0f} synthetic equivalent costs "
                       f"{synthetic_cost:.4g}: "
                       f"{'both cost the same' if cheaper == 'tie' else cheaper + ' is cheaper'}"
                       f" (break-even price ratio "
                       f"{ratio:.4g}, yours {price_human / price_synthetic:.4g})."}


# --------------------------------------------------------------------------- the budget
class Curve(Protocol):
    """Anything with a fitted score per synthetic size (:class:`LogFit`,
    :class:`littlehuman.families.FamilyFit`)."""

    def predict(self, x: float | np.ndarray) -> float | np.ndarray: ...


def gain_at(s: float | np.ndarray, bases: Sequence[float], gains: Sequence[float],
            curve: Curve | None = None) -> np.ndarray:
    """What the measured human points add on a synthetic set of size ``s``: the gains measured
    on ``bases`` interpolated linearly in ln(size). Outside the bases, with a ``curve`` that
    can be inverted (``inverse``: :class:`littlehuman.families.FamilyFit`), the human points'
    synthetic equivalent at the nearest base is held instead, ``curve(s + E) - curve(s)``:
    on a curve that levels off the same points add less to a larger set (a score gain held
    flat credited +200 human points with 0.032 at 18,000 synthetic points where the truth
    gave 0.007, and bought them). Without such a curve, or where that equivalent is not
    finite (the human score at or above the curve's asymptote) or not positive (the human
    points did not beat the curve there), the gain at the nearest base is held."""
    b, g = np.asarray(bases, dtype=float), np.asarray(gains, dtype=float)
    if b.size == 0 or b.size != g.size:
        raise LittleHumanError(f"gain_at needs one gain per base (got {b.size} bases, "
                               f"{g.size} gains)")
    order = np.argsort(b)
    b, g = b[order], g[order]
    sizes = np.asarray(s, dtype=float)
    held = np.interp(np.log(np.maximum(sizes, 1e-12)), np.log(b), g)
    if curve is None or not hasattr(curve, "inverse"):
        return held
    out = np.array(held, dtype=float, ndmin=1)
    flat = np.array(sizes, dtype=float, ndmin=1)
    for edge, gain, outside in ((b[0], g[0], flat < b[0]), (b[-1], g[-1], flat > b[-1])):
        if not outside.any():
            continue
        equivalent = float(curve.inverse(float(curve.predict(edge)) + gain)) - edge
        if not (math.isfinite(equivalent) and equivalent > 0):
            continue  # beyond the asymptote, or no gain to carry: the score gain is held
        out[outside] = (np.asarray(curve.predict(flat[outside] + equivalent), dtype=float)
                        - np.asarray(curve.predict(flat[outside]), dtype=float))
    return out.reshape(np.shape(held))


def gain_at_rows(s: np.ndarray, bases: Sequence[float], gains: np.ndarray, fits: Any
                 ) -> np.ndarray:
    """:func:`gain_at` for many curves at once, row for row (``fits``:
    :class:`littlehuman.families.FitBatch`, ``gains``: fits x bases): (fits x sizes), the
    same numbers as a call per fit, with the held equivalent beyond the bases computed for
    every fit together."""
    b, g = np.asarray(bases, dtype=float), np.atleast_2d(np.asarray(gains, dtype=float))
    if b.size == 0 or g.shape[1] != b.size:
        raise LittleHumanError(f"gain_at_rows needs one gain per base (got {b.size} bases, "
                               f"{g.shape[1]} gains)")
    order = np.argsort(b)
    b, g = b[order], g[:, order]
    sizes = np.atleast_1d(np.asarray(s, dtype=float))
    at = np.log(np.maximum(sizes, 1e-12))
    out = np.array([np.interp(at, np.log(b), row) for row in g]).reshape(len(g), sizes.size)
    for k, outside in ((0, sizes < b[0]), (-1, sizes > b[-1])):
        if not outside.any():
            continue
        edge = b[k]
        with np.errstate(invalid="ignore"):
            equivalent = fits.inverse(fits.predict(np.array([edge]))[:, 0] + g[:, k]) - edge
            carried = np.isfinite(equivalent) & (equivalent > 0)
        xo = sizes[outside]
        shifted = fits.predict(xo[None, :] + np.where(carried, equivalent, 0.0)[:, None]) \
            - fits.predict(xo)
        out[:, outside] = np.where(carried[:, None], shifted, out[:, outside])
    return out


def split_scores(curve: Curve, h: np.ndarray, s: np.ndarray, bases: Sequence[float],
                 gains: Sequence[float], human_points: int) -> tuple[np.ndarray, np.ndarray]:
    """The predicted score of ``h`` human plus ``s`` synthetic points, ``curve(s) + (h /
    human_points) gain(s)`` (:func:`gain_at` on ``curve``), capped to the metrics' range
    (:data:`~littlehuman.metrics.SCORE_RANGE`: an extrapolated log curve passes 1), and
    whether each was capped."""
    raw = (np.asarray(curve.predict(s), dtype=float)
           + np.asarray(h, dtype=float) / human_points * gain_at(s, bases, gains, curve))
    score = np.clip(raw, *SCORE_RANGE)
    return score, np.isfinite(raw) & (score != raw)


def budget_grid(curve: Curve, bases: Sequence[float], gains: Sequence[float],
                human_points: int, price_human: float, price_synthetic: float, budget: float,
                measured: tuple[float, float] | None = None, n_grid: int = 101) -> pd.DataFrame:
    """Every split of ``budget`` between ``h`` whole human points (at most the measured
    ``human_points``: buying more is not supported by the experiment) and the ``s = floor((budget -
    h price_human) / price_synthetic)`` whole synthetic points the rest buys, with the predicted score
    of :func:`split_scores` (interpolated linearly between the two measured points, 0 and
    ``human_points`` human points; capped to the metrics' range).

    Columns: h, s, share_human (of the budget), score, capped (the curve predicted a score
    outside the metrics' range there), supported (``s`` lies within ``measured``, the synthetic
    sizes the curve was fitted on, when given). Splits leaving fewer than one synthetic point
    are left out."""
    if not (price_human > 0 and price_synthetic > 0 and budget > 0):
        raise LittleHumanError(f"prices and budget must be positive (got human {price_human}, "
                               f"synthetic {price_synthetic}, budget {budget})")
    if human_points <= 0:
        raise LittleHumanError(f"human_points must be positive (got {human_points})")
    h_max = math.floor(min(float(human_points), budget / price_human) + 1e-9)
    # whole points, so that what is bought never costs more than the budget: every count up
    # to 2 n_grid, else n_grid counts spread over the range
    h = (np.arange(0.0, h_max + 1.0) if h_max <= 2 * n_grid
         else np.unique(np.floor(np.linspace(0.0, h_max, n_grid))))
    s = np.floor((budget - h * price_human) / price_synthetic + 1e-9)
    keep = s >= 1.0
    h, s = h[keep], s[keep]
    score, capped = split_scores(curve, h, s, bases, gains, human_points)
    supported = (np.ones(s.size, dtype=bool) if measured is None
                 else (s >= measured[0] * (1 - 1e-9)) & (s <= measured[1] * (1 + 1e-9)))
    return pd.DataFrame({"h": h, "s": s, "share_human": h * price_human / budget,
                         "score": score, "capped": capped, "supported": supported})


def best_mix(grid: pd.DataFrame) -> dict[str, Any]:
    """The split of :func:`budget_grid` with the highest predicted score. Keys: h, s,
    share_human, score, supported (whether its synthetic size lies within the measured ones:
    if not, its score is the curve extrapolated)."""
    finite_rows = grid[np.isfinite(grid["score"])]
    if finite_rows.empty:
        raise LittleHumanError("no split of the budget has a finite predicted score")
    row = finite_rows.loc[finite_rows["score"].idxmax()]
    return {"h": float(row["h"]), "s": float(row["s"]), "share_human": float(row["share_human"]),
            "score": float(row["score"]), "supported": bool(row["supported"])}


# --------------------------------------------------------------------------- the pilot plan
def seeds_for_width(width: float, n_seeds: int, target_width: float,
                    level: float = 0.95) -> int:
    """Seeds needed to narrow an interval of ``width`` (measured with ``n_seeds`` seeds) to
    ``target_width``, never fewer than ``n_seeds``. The interval is taken as the seeds'
    Student t interval (what :func:`littlehuman.stats.bootstrap_run_means` gives where the
    seeds' spread dominates): its width scales as t(level, seeds - 1) / sqrt(seeds). From one
    seed (an interval of test rows alone, no t) as 1 / sqrt(seeds): ``ceil((width /
    target)^2)``."""
    if n_seeds < 1:
        raise LittleHumanError(f"n_seeds must be at least 1 (got {n_seeds})")
    if not (width >= 0 and target_width > 0 and math.isfinite(width)):
        raise LittleHumanError(f"widths must be finite, the target positive (got {width}, "
                               f"{target_width})")
    by_root = max(n_seeds, math.ceil(n_seeds * (width / target_width) ** 2 - 1e-9))
    if n_seeds == 1 or by_root == n_seeds:
        return by_root
    from scipy.special import stdtrit  # Student t's quantile (scipy.stats takes ~1 s to import)

    q = (1 + level) / 2
    now = stdtrit(n_seeds - 1, q) / math.sqrt(n_seeds)

    def width_at(k: int) -> float:
        return width * (stdtrit(k - 1, q) / math.sqrt(k)) / now

    low, high = n_seeds, by_root  # t shrinks too, so 1 / sqrt(seeds) is an upper bound
    while high - low > 1:  # the width falls with k: the fewest seeds reaching the target
        mid = (low + high) // 2
        low, high = (low, mid) if width_at(mid) <= target_width * (1 + 1e-9) else (mid, high)
    return high


def mix_phrase(human: int, synthetic: int, points: bool = True) -> str:
    """A training set as a purchase: '200 human + 3,000 synthetic points', '3,800 synthetic
    points', '500 human points' (without ' points' when ``points`` is false)."""
    parts = [f"{int(human):,} human"] * bool(human) + [f"{int(synthetic):,} synthetic"] * (
        bool(synthetic) or not human)
    return " + ".join(parts) + (" points" if points else "")


def signed_interval(g: Mapping[str, float]) -> str:
    """A difference with its interval: '+0.0084 [-0.0276, +0.047]' (``value``, ``low``,
    ``high``; :func:`digits`)."""
    return (f"{digits(g['value'], sign=True)} [{digits(g['low'], sign=True)}, "
            f"{digits(g['high'], sign=True)}]")


def counted(n: int, noun: str) -> str:
    """'1 seed', '3 seeds', '1,688 test rows': a count and its noun, plural unless 1."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def share_text(share: float) -> str:
    """A share of resamples as the page writes it: '53%', '<1%' and '>99%' (never a '0%' or
    '100%' that is not exactly so)."""
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 < share < 1:
        return ">99%"
    return f"{share:.0%}"


def money(x: float) -> str:
    """Dollars for a sentence, without the '$': thousands separators, cents only where there
    are any ('1,000', '12.5', '0.002'; never '1e+04')."""
    if abs(x) >= 1 and float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return np.format_float_positional(x, precision=3, fractional=False, trim="-")


def digits(x: float, n: int = 3, sign: bool = False) -> str:
    """``x`` to ``n`` significant digits, never in exponent form (0.000042, not 4.2e-05);
    0 unsigned ('0', not '+0' or '-0': an interval's end at the metric's bound)."""
    if x == 0:
        return "0"
    text = np.format_float_positional(x, precision=n, fractional=False, trim="-")
    return f"+{text}" if sign and x >= 0 else text


def amount(x: float) -> str:
    """A width for a sentence: whole with thousands separators from 100 up (points), else 4
    significant digits (scores), never in exponent form."""
    return f"{x:,.0f}" if abs(x) >= 100 else digits(x, 4)


def pilot_plan(width: float, n_seeds: int, target_width: float, runs_per_seed: int = 1,
               what: str = "the interval") -> dict[str, Any]:
    """How many more seeds (and runs: ``runs_per_seed`` each) narrow ``what`` from ``width``
    to ``target_width``, by :func:`seeds_for_width`. Keys: width, target_width, seeds_now,
    seeds_needed, more_seeds, more_runs, assumption, message, and ``within_reach``: False
    when it would take more than :data:`PILOT_MAX_SEEDS` seeds, where the message says that
    seeds alone will not settle it (an equivalent 14,667 points wide with 3 seeds asked for
    261,991 of them). From one seed no count (None): its interval resamples test rows alone,
    which more seeds do not narrow, and the seeds' spread is unseen. From 2 to
    :data:`PILOT_MIN_SEEDS` - 1 seeds no count either (the width is too uncertain to scale):
    the message asks for :data:`PILOT_MIN_SEEDS` seeds, more_seeds and more_runs are what they
    cost, and the plan is read again from them."""
    if n_seeds == 1:  # one seed's interval is its test rows' noise: seeds would not shrink it
        message = (f"{what} is {amount(width)} wide with 1 seed: that interval holds the test "
                   "rows' noise alone and the spread between seeds is unseen, so no number of "
                   "seeds can be worked out from it. Run 3 seeds or more (`--seeds 0,1,2`), "
                   "then read the plan again; more test rows (`--n-test`, a larger test split) "
                   "narrow the test rows' share.")
        return {"width": width, "target_width": target_width, "seeds_now": 1,
                "seeds_needed": None, "more_seeds": None, "more_runs": None,
                "within_reach": None, "assumption": None, "message": message}
    if n_seeds < PILOT_MIN_SEEDS and width > target_width * (1 + 1e-9):
        first, good = PILOT_MIN_SEEDS - n_seeds, PILOT_GOOD_SEEDS - n_seeds
        message = (f"{what} is {amount(width)} wide with {n_seeds} seeds, against "
                   f"{amount(target_width)} wanted: too few seeds to count from. Run "
                   f"{PILOT_MIN_SEEDS} seeds ({first:,} more, {first * runs_per_seed:,} more "
                   f"training runs), {PILOT_GOOD_SEEDS} if affordable ({good:,} more, "
                   f"{good * runs_per_seed:,} runs), then read the plan again.")
        return {"width": width, "target_width": target_width, "seeds_now": n_seeds,
                "seeds_needed": None, "more_seeds": first, "more_runs": first * runs_per_seed,
                "within_reach": None, "assumption": None, "message": message}
    need = seeds_for_width(width, n_seeds, target_width)
    more = need - n_seeds
    assumption = ("the interval's width shrinks as Student t's with the seeds, t(seeds - 1) / "
                  "sqrt(seeds): seeds are independent, their spread stays what these seeds show "
                  "and dominates the width; test rows stay the same, and their share of the "
                  "width does not shrink with seeds")
    now = f"{what} is {amount(width)} wide with {n_seeds} seed(s)"
    within_reach = need <= PILOT_MAX_SEEDS
    if more == 0:
        message = f"{now}; already at most {amount(target_width)}: no more seeds needed."
    elif within_reach:
        message = (f"{now}; to narrow it to {amount(target_width)} run about {need:,} seeds "
                   f"({more:,} more, {more * runs_per_seed:,} more training runs), assuming "
                   f"{assumption}.")
    else:
        message = (f"{now}; narrowing it to {amount(target_width)} would take about {need:,} "
                   f"seeds ({more * runs_per_seed:,} more training runs), past "
                   f"{PILOT_MAX_SEEDS} seeds: seeds alone will not settle it. A larger effect "
                   "to measure (more human points per base, `--tradeoff-human`) or more "
                   "sizes per base (`--tradeoff-steps`) may; the count assumes "
                   f"{assumption}.")
    return {"width": width, "target_width": target_width, "seeds_now": n_seeds,
            "seeds_needed": need, "more_seeds": more, "more_runs": more * runs_per_seed,
            "within_reach": within_reach, "assumption": assumption, "message": message}
