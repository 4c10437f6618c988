"""PROTOCOL experiment 3, the human-vs-synthetic trade-off (notebook 04, the paper's Figures 3
and 12-14 and Table 3): purely synthetic bases, each grown by synthetic steps or by a few
human points; a curve fitted on the synthetic-only runs prices the human points in synthetic
points (the fit maths is :mod:`littlehuman.curves`).

A trade-off cell is ``n`` = its training-set size and ``fraction`` = its synthetic share:
``1.0`` for a purely synthetic set of ``n`` (by nesting, base ``b`` + ``a`` synthetic is the
set of ``b + a``, one run serving every base whose curve has that size), ``b / (b + h)`` for
base ``b`` plus ``h`` human points. Training sets: :func:`.grid.trade_off_training_set`.

Finding 3 (*200 human points are worth an order of magnitude more synthetic ones*) is read
here, beside the paper's Table 3.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd

from littlehuman import curves, families, stats
from littlehuman.config import Profile
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError
from littlehuman.experiments import grid
from littlehuman.experiments.advisor import (advice, curve_analysis, log_against_runs,
                                             measured_clause)
from littlehuman.experiments.grid import Cell, Shape, unbounded_as_text
from littlehuman.stats import finite
from littlehuman.experiments.scaling import sizes
from littlehuman.experiments.twins import twinned_rows

if TYPE_CHECKING:
    from littlehuman.runs import RunSpec
    from littlehuman.study import Study

NAME, NOTEBOOK = "tradeoff", "04"
#: notebooks that show this experiment besides its own: 06, the advisor (its price advice)
ALSO_SHOWN_BY: tuple[str, ...] = ("06",)


def cells(profile: Profile, shape: Shape) -> list[Cell]:
    """The grid: per base (scaled to the dataset: :func:`~.scaling.sizes`), the synthetic-only
    points ``base + step * i`` (i = 0..steps) and the point ``base + human`` human rows, each
    with every seed of :func:`seeds`. Coordinates: base, kind ("synthetic" | "human"), added."""
    sz = sizes(profile, shape)
    # its rows: the sweep's pool, then along the twin order as many as the largest base and
    # its additions need; their number orders every training set, so it names the runs (else
    # another --tradeoff-steps reused runs of another shuffle)
    name, out = grid.pooled(NAME, shape.n, sz.tradeoff_rows), []
    for base in sz.bases:
        plan = [("synthetic", sz.step * i) for i in range(sz.steps + 1)] + [("human", sz.human)]
        for kind, added in plan:
            total = base + added
            fraction = 1.0 if kind == "synthetic" else base / total
            out += [Cell(name, total, fraction, s, mix="tradeoff",
                         coords=(("base", base), ("kind", kind), ("added", added)))
                    for s in seeds(profile)]
    return out


def seeds(profile: Profile) -> tuple[int, ...]:
    """The seeds the trade-off runs: the first ``tradeoff_seeds`` of ``seeds`` (0: all)."""
    return profile.seeds[:profile.tradeoff_seeds] if profile.tradeoff_seeds else profile.seeds


def prepare(study: "Study", progress: bool = True) -> dict[str, Any]:
    """Generate the twins and train every missing trade-off run. Returns ``{"generation":
    stats, "runs": {"skipped", "ran"}}``."""
    sz = sizes(study.profile, study.shape)
    rows, synthetic, gen = twinned_rows(study, sz.tradeoff_rows, progress)
    counts = grid.train_missing(study, cells(study.profile, study.shape),
                                grid.with_eval_rows(study, rows), synthetic, progress)
    return {"generation": gen, "runs": counts}


def records(study: "Study") -> pd.DataFrame:
    """One row per finished curve point: base, kind, added, n (training-set size), fraction,
    seed, the metrics, fit seconds and the run key (a synthetic run appears once per base it
    serves)."""
    rec = grid.records(study, cells(study.profile, study.shape), NOTEBOOK)
    return rec.sort_values(["base", "kind", "added", "seed"], ascending=[True, False, True, True]
                           ).reset_index(drop=True)


def intervals(study: "Study", metrics: list[str] | None = None, n_boot: int = 2000,
              level: float = 0.95) -> pd.DataFrame:
    """Per curve point (base, kind, added) and metric: mean over seeds and bootstrap CI."""
    return grid.intervals(study, cells(study.profile, study.shape), ["base", "kind", "added"],
                          metrics, n_boot, level)


STATUS_WORDS = {
    "ok": "the human points' score is matched by a finite amount of extra synthetic data "
          "within 100x the largest fitted size (past that size itself, an extrapolation of "
          "the curve)",
    "saturated": "the human points scored at or below the synthetic-only curve at that base "
                 "(as on FEVER in the paper, where the curve had flattened); the equivalent "
                 "is ≤ 0",
    "no_gain": "the synthetic-only log fit does not rise over these sizes (a1 <= 0), so it "
               "prices nothing: the fit's reading, not that no synthetic amount could match "
               "(a run giving one output for every test row can bend a 3-point fit down: see "
               "the cautions and the sensitivity check)",
    "extrapolated": "the match lies beyond 100x the largest fitted size: read it as 'far more "
                    "synthetic data', not as a number (as the paper reads FairyTaleQA)",
    "incomplete": "runs are missing for this point: rerun `run_all.py --notebooks 04`",
}


def run_specs(study: "Study") -> dict[tuple, "RunSpec"]:
    """The trade-off's runs by ``(base, kind, added, seed)``."""
    return {tuple(v for _, v in c.coords) + (c.seed,): study.run_spec(c)
            for c in cells(study.profile, study.shape)}


def row_scores(study: "Study", metric: str) -> dict[int, dict[tuple, Any]]:
    """Per seed, every finished trade-off run's per-test-row ``metric`` scores, keyed by
    ``(kind, base, added)`` (what the curve families' bootstrap resamples);
    a synthetic run serving several bases is read once."""
    read: dict[str, Any] = {}
    out: dict[int, dict[tuple, Any]] = {}
    for (base, kind, added, seed), spec in run_specs(study).items():
        if not study.store.has(spec):
            continue
        if spec.key() not in read:
            read[spec.key()] = grid.per_example_scores(study, spec)[metric].to_numpy(float)
        out.setdefault(seed, {})[(kind, base, added)] = read[spec.key()]
    return out


def _paired_differences(study: "Study", specs: dict[tuple, "RunSpec"], metric: str,
                        one: tuple, other: tuple,
                        among: Sequence[int] | None = None) -> dict[int, Any]:
    """Per seed (of ``among``, default the trade-off's) with both runs finished, run
    ``one``'s per-test-row ``metric`` minus run ``other``'s (each ``(base, kind, added)``;
    the runs of a seed score the same rows)."""
    diffs = {}
    for seed in seeds(study.profile) if among is None else among:
        a, b = specs.get((*one, seed)), specs.get((*other, seed))
        if a and b and study.store.has(a) and study.store.has(b):
            diffs[seed] = (grid.per_example_scores(study, a)[metric].to_numpy(float)
                           - grid.per_example_scores(study, b)[metric].to_numpy(float))
    return diffs


def human_gain(study: "Study", metric: str, n_boot: int = 2000,
               level: float = 0.95, among: Sequence[int] | None = None) -> pd.DataFrame:
    """Per base: what the human points added over the purely synthetic base, paired per test
    row within each seed (the base run and the base + human run of a seed score the same
    rows), with a bootstrap interval over seeds and rows and the smallest gain the run could
    detect at 80% power (:func:`~littlehuman.stats.detectable_effect`). Columns: base, gain,
    gain_low, gain_high, gain_detectable, seeds; bases missing a run are left out.
    ``among``: the seeds to read (the curves' seeds, those with every run, where the gain
    stands beside them; default the trade-off's: a reviewer found a seed the curves left out
    turning a gain clear of 0 into one that was not)."""
    specs = run_specs(study)
    h, rows = sizes(study.profile, study.shape).human, []
    for base in sizes(study.profile, study.shape).bases:
        diffs = _paired_differences(study, specs, metric, (base, "human", h),
                                    (base, "synthetic", 0), among)
        if not diffs:
            continue
        gain, low, high = stats.hierarchical_bootstrap(
            diffs, n_boot=n_boot, level=level,
            seed=schema.stable_seed(study.name, "human-gain", int(base), metric),
            bounds=stats.DIFFERENCE_BOUNDS)
        rows.append({"base": base, "gain": gain, "gain_low": low, "gain_high": high,
                     "gain_detectable": stats.detectable_effect(low, high, level),
                     "seeds": len(diffs)})
    return pd.DataFrame(rows, columns=["base", "gain", "gain_low", "gain_high",
                                       "gain_detectable", "seeds"])


def unseen_gain_clause(gains: pd.DataFrame | None, metric: str) -> str:
    """A headline's clause when at no base the human points' own paired change over the
    synthetic base (:func:`human_gain`'s columns) is a gain clear of 0: a price read off the
    curves then rests on a change the run cannot see (FairyTaleQA's cpu profile, one seed: a
    price of +17 on a gain of +0.001 under a detectable 0.011), or on a loss. The numbers are
    the largest base's, where finding 3 is judged. '' where a gain is clear of 0 at some base
    or none was measured."""
    from littlehuman.findings import CONTRADICTED, HOLDS, fmt_detectable, verdict

    if gains is None or "gain" not in gains:
        return ""
    rows = gains.dropna(subset=["gain", "gain_low", "gain_high"]).sort_values("base")
    # judged as finding 3 and the head-to-head judge it: one seed's interval (test rows only)
    # is not visible however clear of 0 (notebook 04's frame names the column gain_seeds)
    seeds = "gain_seeds" if "gain_seeds" in rows else "seeds"
    judged = [verdict(r["gain"], r["gain_low"], r["gain_high"], seeds=r.get(seeds))
              for r in rows.to_dict("records")]
    said = [v["verdict"] for v in judged]
    if rows.empty or HOLDS in said:
        return ""
    r = rows.iloc[-1]
    numbers = (f"base {int(r['base']):,}: {metric} {r['gain']:+.3f} [{r['gain_low']:+.3f}, "
               f"{r['gain_high']:+.3f}]")
    if any(v["one_seed"] for v in judged):
        return (f"; the human points' own change over the synthetic base comes from one seed "
                f"({'largest ' if len(said) > 1 else ''}{numbers}), whose interval resamples "
                "test rows only, so the run cannot tell whether they help: run 2 or more seeds")
    lowered = said.count(CONTRADICTED)
    if lowered == len(said):
        where = "the synthetic base" if len(said) == 1 else f"each of the {len(said)} bases"
        return (f"; the human points lowered the score of {where}, clear of 0 "
                f"({'largest ' if len(said) > 1 else ''}{numbers})")
    if lowered:  # a reviewer: "at no base ... clear of 0" beside a loss clear of 0 elsewhere
        return (f"; at no base do the human points raise the score clear of 0, and at "
                f"{lowered} of {len(said)} they lower it (largest {numbers}), so this price "
                "rests on no gain the run can see")
    return (f"; at no base is the human points' own change over the synthetic base clear of 0 "
            f"({'largest ' if len(said) > 1 else ''}{numbers}, smallest detectable "
            f"{fmt_detectable(r.get('gain_detectable'))}), so the run cannot tell whether "
            "they help")


def head_to_head(study: "Study", metric: str | None = None, n_boot: int = 2000,
                 level: float = 0.95) -> list[dict[str, Any]]:
    """Per base, the human points against as many synthetic points on the same synthetic base,
    paired per test row within each seed: no curve, no extrapolation, the question a buyer
    asks first. Each: base, points, difference (human minus synthetic, with its bootstrap
    interval over seeds and rows), detectable, seeds, human_wins (seeds whose mean favours
    the human points) and a sentence. Empty when the trade-off has no synthetic step of the
    human points' size."""
    from littlehuman.findings import fmt_detectable, verdict

    metric = metric or study.main_metric
    specs, sz = run_specs(study), sizes(study.profile, study.shape)
    out = []
    for base in sz.bases:
        diffs = _paired_differences(study, specs, metric, (base, "human", sz.human),
                                    (base, "synthetic", sz.human))
        if not diffs:
            continue
        est, low, high = stats.hierarchical_bootstrap(
            diffs, n_boot=n_boot, level=level,
            seed=schema.stable_seed(study.name, "head-to-head", int(base), metric),
            bounds=stats.DIFFERENCE_BOUNDS)
        wins = sum(float(d.mean()) > 0 for d in diffs.values())
        det = stats.detectable_effect(low, high, level)
        said = verdict(est, low, high, det, seeds=len(diffs))
        out.append({"base": int(base), "points": sz.human, "difference": [est, low, high],
                    "detectable": det, "seeds": len(diffs), "human_wins": wins,
                    "sentence": (
                        f"on a {int(base):,}-point synthetic base, +{sz.human} human points "
                        f"against +{sz.human} synthetic ones: {metric} {est:+.3f} [{low:+.3f}, "
                        f"{high:+.3f}], {wins} of {curves.counted(len(diffs), 'seed')} favour "
                        "the human points "
                        f"(smallest difference detectable: {fmt_detectable(det)}): "
                        + ("the human points are worth more" if said["verdict"] == "holds" else
                           "the synthetic points are worth more"
                           if said["verdict"] == "contradicted" else
                           "one seed is too few to tell which is worth more"
                           if said["one_seed"] else "no difference this run could see"))})
    return out


def _means_on_seeds(points: pd.DataFrame, rec: pd.DataFrame, metric: str,
                    seeds: list) -> pd.DataFrame:
    """``points`` with its seed-mean operating points taken over ``seeds`` alone: the seeds
    with every trade-off run, which the intervals resample. Averaged over every seed that
    has each run, a seed missing one run shifts some means and not others, and an estimate
    could lie outside its own interval (a reviewer: 1,044 against an interval [600, 600])."""
    if set(rec["seed"]) <= set(seeds):
        return points
    on_seeds = curves.operating_points(rec[rec["seed"].isin(seeds)], metric)
    return pd.concat([points[points["level"] == "seed"], on_seeds[on_seeds["level"] == "mean"]],
                     ignore_index=True)


def analysis(study: "Study", metric: str | None = None,
             n_boot: int = curves.EQUIVALENT_RESAMPLES,
             level: float = 0.95) -> dict[str, Any]:
    """The trade-off numbers for ``metric`` (default the main metric).

    Keys: ``metric``, ``human`` (points added), ``points`` (every operating point,
    :func:`curves.operating_points`: per base and seed, and per base on the seed means),
    ``bases`` (one row per base on the seed means, over the seeds with every trade-off run
    when some lack one (:func:`_means_on_seeds`), with the bootstrap interval of the
    equivalent over seeds and test rows (the ``log`` family of
    :func:`~littlehuman.experiments.advisor.curve_analysis`: notebook 06's draw, so both
    notebooks give the paper's curve the same interval), the break-even price ratio
    and the human points' paired gain over the base with its interval and the smallest
    detectable gain, :func:`human_gain`), ``table3`` (mean, median, 25th/75th percentile
    of the per-seed operating points' equivalents), ``median_equivalent`` (the median over
    the bases of the seed-mean fits' equivalents with its interval,
    :func:`~littlehuman.families.median_equivalent`; None without a draw), ``measured``
    (each base's equivalent read off the runs, no curve: notebook 06's), ``fit_seeds`` (the
    seeds whose means ``bases`` fits: those with every run), ``statuses``
    (sentences counting each
    status), ``breakeven`` (the median equivalent / human points), ``n_boot`` (the
    resamples behind the intervals: 0 where there are none), ``learned_nothing`` (a sentence
    when no trade-off run learned anything, :func:`grid.learned_nothing`, else None),
    ``synthetic_measured`` ({synthetic size: (mean over seeds, seeds)} of the synthetic-only
    runs, whichever base they serve (the sets are nested): what a size was measured at,
    beside what the curve puts there)."""
    metric = metric or study.main_metric
    rec = records(study)
    human = sizes(study.profile, study.shape).human
    points = curves.operating_points(rec, metric)
    try:  # the log family's intervals, on notebook 06's bootstrap draw
        curve = curve_analysis(study, metric, ("log",), n_boot, level)
        fits = curve["fits"][curve["fits"]["family"] == "log"].set_index("base")
        drawn = int(curve["n_boot"])
        median, read_off = families.median_equivalent(curve, "log"), curve["measured"]
        points = _means_on_seeds(points, rec, metric, curve["seeds"])
        fit_seeds = sorted(curve["seeds"])
    except LittleHumanError:  # no seed has every run: no intervals
        fits, drawn = pd.DataFrame(columns=["low", "high", "undefined"]), 0
        median, read_off, fit_seeds = None, None, sorted(set(rec["seed"]))
    mean = points[points["level"] == "mean"].reset_index(drop=True)
    bounds = [_log_interval(fits, base, drawn) for base in mean["base"]]  # 0 drawn: none failed
    lows, highs, failed = zip(*bounds) if bounds else ((), (), ())
    mean = mean.assign(low=list(lows), high=list(highs), failed_resamples=list(failed))
    # a saturated base (equivalent <= 0) has no price ratio: human points never pay there;
    # runs that learned nothing price nothing (04's table gave 0.422 and 225 beside "no
    # break-even price ratio: the runs learned nothing", a user)
    nothing = grid.learned_nothing(rec, metric, "trade-off runs",
                                   trained=grid.trained_with(study))
    mean["breakeven_ratio"] = [curves.breakeven_price_ratio(e, human)
                               if finite(e) and e > 0 and not nothing else None
                               for e in mean["equivalent"]]
    gains = human_gain(study, metric, level=level, among=fit_seeds).rename(
        columns={"seeds": "gain_seeds"})
    mean = mean.merge(gains, on="base", how="left")
    per_seed = points[points["level"] == "seed"]
    # points whose runs are missing were not measured: not "no finite equivalent" (a reviewer)
    measured_points = per_seed[per_seed["status"] != "incomplete"]
    t3 = curves.table3([e if finite(e) else None for e in measured_points["equivalent"]],
                       floors=[-float(b) for b in measured_points["base"]])
    counts = per_seed["status"].value_counts()
    statuses = [f"{c} of {len(per_seed)} operating points {s}: {STATUS_WORDS.get(s, s)}."
                for s, c in counts.items()]
    synthetic = rec[rec["kind"] == "synthetic"] if metric in rec else rec.iloc[:0]
    synthetic = synthetic.assign(size=synthetic["base"] + synthetic["added"])
    if "key" in synthetic:  # a run serving several bases is one measurement
        synthetic = synthetic.drop_duplicates("key")
    measured = {float(n): (float(g[metric].mean()), int(g["seed"].nunique()))
                for n, g in synthetic.groupby("size")}
    return {"metric": metric, "human": human, "points": points, "bases": mean, "table3": t3,
            "synthetic_measured": measured,
            "statuses": statuses, "breakeven": curves.breakeven_price_ratio(t3["median"], human)
            if t3["median"] is not None and not nothing else None, "level": level, "n_boot": drawn,
            "median_equivalent": median, "measured": read_off,
            "learned_nothing": nothing, "fit_seeds": fit_seeds}


def equivalent_words(row: Mapping[str, Any]) -> str:
    """An operating point's equivalent as the sensitivity check says it: '+40 synthetic
    points', 'none (no_gain)', or, past :data:`curves.EXTRAPOLATION_FACTOR` times the largest
    fitted size, 'far more' (FEVER's cpu runs without a collapsed run: "+4,455,719", 12,731x
    the largest size fitted, from a fit with R² 0.007, a reviewer)."""
    value = row["equivalent"]
    if row["status"] == "extrapolated":  # the curves' own rule: a direction, not a number
        return (f"far more synthetic points (beyond {curves.EXTRAPOLATION_FACTOR:g}x the "
                "largest fitted size)")
    return f"{value:+,.0f} synthetic points" if finite(value) else f"none ({row['status']})"


def without_single_output(study: "Study", metric: str | None = None,
                          rec: pd.DataFrame | None = None) -> str | None:
    """A sensitivity check in words: the seed-mean log fits refitted without the seeds that
    have a trade-off run giving one output for every test row (a collapsed fit scores the
    majority baseline whatever it was trained on, and can bend a 3-point curve), so that
    every point is the mean of the same seeds; and whether the reading (the slope's sign, the
    status) turns on them. None when no run is like that, when every seed has one, or when
    every run is one (:func:`grid.learned_nothing` speaks then). ``rec``: :func:`records`,
    when the caller already holds them."""
    metric = metric or study.main_metric
    rec = records(study) if rec is None else rec
    if rec.empty or metric not in rec:
        return None
    single = rec["single_output"].astype(bool)
    if not single.any() or single.all():
        return None
    bad = sorted({int(s) for s in rec.loc[single, "seed"]})
    kept = rec[~rec["seed"].isin(bad)]
    if kept.empty:
        return None
    try:
        before = curves.operating_points(rec, metric)
        after = curves.operating_points(kept, metric)
    except LittleHumanError:
        return None
    mean = {name: frame[frame["level"] == "mean"].set_index("base")
            for name, frame in (("with", before), ("without", after))}
    gone = rec[single].drop_duplicates("key")
    which = "; ".join(
        f"{int(r['n'])} points, "
        f"{'synthetic only' if r['kind'] == 'synthetic' else 'with the human points'}, "
        f"seed {int(r['seed'])}" for r in gone.to_dict("records"))

    parts, turns = [], False
    for base in mean["with"].index:
        if base not in mean["without"].index:
            continue
        w, wo = mean["with"].loc[base], mean["without"].loc[base]
        slope = (f"slope {w['a1']:+.3f} -> {wo['a1']:+.3f}"
                 if finite(w["a1"]) and finite(wo["a1"]) else "slope not fitted")
        turns |= w["status"] != wo["status"] or (
            finite(w["a1"]) and finite(wo["a1"]) and (w["a1"] > 0) != (wo["a1"] > 0))
        parts.append(f"base {int(base)}: {slope}, equivalent {equivalent_words(w)} -> "
                     f"{equivalent_words(wo)}")
    if not parts:
        return None
    seeds = ", ".join(str(s) for s in bad)
    left = sorted({int(s) for s in kept["seed"]})
    return (f"Without seed{'s' if len(bad) > 1 else ''} {seeds}, which ha{'ve' if len(bad) > 1 else 's'} "
            f"a run giving one output for every test row ({which}), each point the mean of "
            f"seed{'s' if len(left) > 1 else ''} {', '.join(map(str, left))}: "
            + "; ".join(parts) + (". The reading turns on the collapsed run: read it as unsettled."
                                  if turns else ". The reading does not turn on it."))


def _log_interval(fits: pd.DataFrame, base: Any, n_boot: int
                  ) -> tuple[float | None, float | None, int]:
    """``(low, high, resamples without an equivalent)`` of ``base`` from
    :func:`~littlehuman.families.analyse`'s log fits (indexed by base): an end is a number or
    +-inf, None where there is none; without a row, no interval and all ``n_boot`` failed."""
    if base not in fits.index:
        return None, None, n_boot
    row = fits.loc[base]
    low, high, undefined = (row[c] for c in ("low", "high", "undefined"))
    return (None if pd.isna(low) else float(low), None if pd.isna(high) else float(high),
            n_boot if pd.isna(undefined) else int(undefined))


def _wholly_unpaid(a: dict[str, Any]) -> bool:
    """Whether the median equivalent's interval (:func:`analysis`) lies at or below 0: only
    then do extra human points never pay (FairyTaleQA's cpu profile read "never pay" beside
    an interval [≤ 0, ∞), a reviewer). Without an interval, the point estimate decides."""
    m = a.get("median_equivalent") or {}
    high = m.get("high")
    return high <= 0 if high is not None else True


def _runs_price_clause(measured: pd.DataFrame | None, human: int) -> str:
    """The break-even ratio read off the runs with no curve (each base whose +human score lies
    inside them), for the price line beside the log curve's: '; read off the runs with no
    curve: 6.64 to 6.79 per human point (bases 1,000-3,000)'; '' without such a reading."""
    if measured is None or measured.empty or human <= 0:
        return ""
    ok = measured[(measured["status"] == "ok") & measured["equivalent"].notna()]
    if ok.empty:
        return ""
    ratios = (ok["equivalent"].astype(float) / human).tolist()
    bases = ", ".join(f"{b:,.0f}" for b in ok["base"])
    value = (f"{ratios[0]:.3g}" if len(ratios) == 1 else
             f"{min(ratios):.3g} to {max(ratios):.3g}")
    return (f"; read off the runs with no curve: {value} per human point (base"
            f"{'s' if len(ratios) > 1 else ''} {bases}; notebook 06)")


def lone_extrapolation(points: pd.DataFrame) -> str:
    """:func:`curves.lone_caveat` of the per-seed operating points (:func:`curves.operating_points`'
    ``extrapolation``); '' without that column."""
    per_seed = points[points["level"] == "seed"]
    priced = per_seed[[finite(e) for e in per_seed["equivalent"]]]
    if "extrapolation" not in priced:
        return ""
    return curves.lone_caveat(priced["extrapolation"].tolist())


def summary(study: "Study", metric: str | None = None,
            result: dict[str, Any] | None = None) -> dict[str, Any]:
    """JSON-able, for the index page and the notebook: metric, sizes and scaling notes, per
    base the equivalent with its interval (an unbounded end as the text 'inf', None: no
    interval), status and sentence, Table 3, the status counts in
    words, the break-even price ratio in words, the advice (None without prices), a one-line
    ``headline`` and ``learned_nothing`` (then finding 3 is not measured)."""
    a = result or analysis(study, metric)
    h, t3 = a["human"], a["table3"]
    bases = [{"base": int(r["base"]), "y_star": r["y_star"], "equivalent": r["equivalent"],
              "interval": [unbounded_as_text(r["low"]), unbounded_as_text(r["high"])],
              "status": r["status"],
              "failed_resamples": int(r["failed_resamples"]),
              "message": r["message"], "breakeven_ratio": r["breakeven_ratio"],
              "gain": [r.get("gain"), r.get("gain_low"), r.get("gain_high")],
              "gain_detectable": r.get("gain_detectable"),
              "gain_seeds": None if pd.isna(r.get("gain_seeds")) else int(r["gain_seeds"]),
              "read_off": log_against_runs(a.get("measured"), r["base"], r["low"], r["high"],
                                           [r.get("gain"), r.get("gain_low"), r.get("gain_high")])}
             for r in a["bases"].to_dict("records")]
    reading = curves.table3_reading(t3, a.get("learned_nothing"))
    if reading == "learned_nothing":
        headline = f"+{h} human points: not priced, {a['learned_nothing']}"
        price = "no break-even price ratio: the runs learned nothing"
    elif reading == "none":
        headline = (f"+{h} human points: no operating point gave a finite synthetic "
                    "equivalent (see the statuses)")
        price = "no break-even price ratio: no finite equivalent"
    elif reading == "unpriced":
        headline = (f"+{h} human points: not priced, {curves.unpriced_phrase(t3)} (see the "
                    f"statuses); {curves.priced_rest_phrase(t3, format(t3['median'], '+,.0f'))}"
                    + lone_extrapolation(a["points"]))
        price = (f"no break-even price ratio, as most operating points have no finite "
                 f"equivalent ({curves.priced_rest_phrase(t3, format(a['breakeven'], '.3g'))} "
                 "synthetic points per human point)")
    else:
        said = families.median_phrase(a.get("median_equivalent"), a.get("level", 0.95))
        headline = (f"+{h} human points ~ {t3['median']:+,.0f} synthetic points (median over "
                    f"{curves.operating_points_phrase(t3)}; {curves.table3_spread(t3)})"
                    + (f"; {curves.BELOW_THE_CURVE}" if reading == "at_or_below_0" else "")
                    + (f"; {said[1]}: {said[0]}" if said else "") + measured_clause(a)
                    + unseen_gain_clause(a["bases"], a["metric"]))
        price = (f"under the paper's log curve, human annotation is the cheaper route while "
                 f"one human point costs less than {a['breakeven']:.3g} synthetic points (the "
                 f"median equivalent over {curves.operating_points_phrase(t3)}, per human "
                 "point)" if reading == "priced" else
                 "the median equivalent is ≤ 0: at these sizes extra human points never pay "
                 "over synthetic ones" if _wholly_unpaid(a) else
                 "Table 3's median equivalent is ≤ 0, but the interval of the fit on the seed "
                 "means reaches above 0: this run cannot tell whether extra human points pay "
                 "over synthetic ones"
                 ) + _runs_price_clause(a.get("measured"), h)
    sz = sizes(study.profile, study.shape)
    baseline, rec = grid.majority_baseline(study), records(study)
    out = {"dataset": study.name, "metric": a["metric"], "human_points": h,
           "sizes": {"bases": list(sz.bases), "human": sz.human, "step": sz.step,
                     "steps": sz.steps}, "notes": list(sz.notes), "headline": headline,
           "bases": bases, "table3": t3, "statuses": a["statuses"], "price": price,
           "median_equivalent": None if not a.get("median_equivalent") else {
               k: unbounded_as_text(v) for k, v in a["median_equivalent"].items()},
           "advice": advice(study, a), "baseline": baseline.get(a["metric"]),
           "flags": grid.flags(rec, baseline, a["metric"],
                               grid.best_constant(study, a["metric"])),
           "sensitivity": without_single_output(study, a["metric"], rec),
           "head_to_head": head_to_head(study, a["metric"]),
           "learned_nothing": a.get("learned_nothing")}
    return grid.jsonable(out)
