"""PROTOCOL experiment 1, the replacement sweep (notebook 02, the paper's Figure 1): at the
sweep's size n, a growing fraction of the real training rows is replaced by their own
synthetic twins (same contexts), each fraction trained with every seed.

Finding 1 (*the last 10% of human data matters most*) is read here: the score lost from 0%
to 90% synthetic against the score lost from 90% to 100%, each a paired difference over
the same test examples with a bootstrap interval over seeds and examples.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable

import pandas as pd

from littlehuman import curves
from littlehuman.config import Profile
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError
from littlehuman.experiments import grid, twins
from littlehuman.experiments.grid import Cell, Shape
from littlehuman.findings import fmt_detectable, lost_or_gained
from littlehuman.stats import detectable_effect

if TYPE_CHECKING:
    from littlehuman.study import Study

NAME, NOTEBOOK = "sweep", "02"


def cells(profile: Profile, shape: Shape) -> list[Cell]:
    """The grid: every sweep fraction x seed at the sweep's n (replacement mixes)."""
    return [Cell(NAME, shape.n, f, s) for s in profile.seeds for f in profile.sweep_fractions]


def prepare(study: "Study", progress: bool = True) -> dict[str, Any]:
    """Generate the pool's twins and train every missing run. Returns ``{"generation":
    stats, "runs": {"skipped", "ran"}}``."""
    synthetic, stats = twins.sweep_twins(study, progress)
    counts = grid.train_missing(study, cells(study.profile, study.shape), study.eval_rows,
                                synthetic, progress)
    return {"generation": stats, "runs": counts}


def records(study: "Study") -> pd.DataFrame:
    """One row per finished sweep run: fraction, seed, n, n_test, metrics, fit_s, key."""
    rec = grid.records(study, cells(study.profile, study.shape), NOTEBOOK)
    return rec.sort_values(["seed", "fraction"]).reset_index(drop=True)


def intervals(study: "Study", n_boot: int = 2000, level: float = 0.95,
              metrics: list[str] | None = None) -> pd.DataFrame:
    """Per fraction and metric (``metrics``, default all): the mean over seeds and its
    bootstrap CI (seeds and test examples)."""
    out = grid.intervals(study, cells(study.profile, study.shape), ["fraction"], metrics,
                         n_boot=n_boot, level=level)
    return out.sort_values(["fraction"], kind="stable").reset_index(drop=True)


def flags(study: "Study", rec: pd.DataFrame | None = None) -> list[str]:
    """Warnings about the sweep's runs (:func:`.grid.flags`): trained on much less than n,
    one output for every test row, not beating the majority baseline."""
    rec = records(study) if rec is None else rec
    return grid.flags(rec, grid.majority_baseline(study), study.main_metric,
                      grid.best_constant(study, study.main_metric))


def headline(study: "Study") -> str:
    """A one-line result: the main metric at 0% and 100% synthetic (mean over seeds), what
    to be careful about (:func:`flags`), and "no reading" where the runs learned nothing
    (:func:`grid.why_nothing_learned`)."""
    rec = records(study)
    m = study.main_metric
    # every number on the seeds with each fraction it names, paired as finding 1 reads them (a
    # reviewer: means over other seeds per fraction, and 10% read as 0% without a 0% run)
    by_seed = rec.pivot_table(index="seed", columns="fraction", values=m)
    lo, hi = by_seed.columns.min(), by_seed.columns.max()
    drops = {0.0, 0.9, 1.0} <= set(by_seed.columns)
    complete = by_seed[sorted({lo, hi} | ({0.0, 0.9, 1.0} if drops else set()))].dropna()
    if complete.empty:  # no seed has them all: each fraction over its own seeds, no drops
        complete, drops = by_seed, False
    means = complete.mean()
    parts = [f"{m} {means[lo]:.3f} at {lo:.0%} synthetic -> {means[hi]:.3f} at {hi:.0%}"]
    if drops:  # as finding 1 says it, in words where a score rose
        parts.append(f"(0->90%: {lost_or_gained(means[0.0] - means[0.9])}; "
                     f"90->100%: {lost_or_gained(means[0.9] - means[1.0])})")
    if len(complete) < len(by_seed):
        parts.append(f"on the {curves.counted(len(complete), 'seed')} with all of these fractions")
    seeds = rec["seed"].nunique()
    caution = flags(study, rec)
    nothing = grid.why_nothing_learned(rec, m, "sweep runs")
    return (" ".join(parts) + f"; n={study.n}, {seeds} seed{'s' if seeds > 1 else ''}"
            + (f" (caution: {'; '.join(caution)})" if caution else "")
            + (f"; no reading: {nothing}" if nothing else ""))


def span_json(rec: pd.DataFrame, metric: str) -> dict[str, float] | None:
    """QA: the random span the sweep's runs were held against, for ``summary.json`` (drawn
    on the index): ``{"words": the runs' median answer length, "score": its mean ROUGE-1}``
    (:func:`grid.span_baseline`); None otherwise."""
    span = grid.span_baseline(rec, metric)
    return None if span is None else {"words": span[0], "score": span[1]}


def paired_drop(study: "Study", high: float, low: float, metric: str, n_boot: int = 2000,
                level: float = 0.95) -> tuple[float, float, float, int] | None:
    """``score(low fraction) - score(high fraction)`` of the sweep, paired per test example
    within each seed (every run of a seed scores the same test rows), with a bootstrap CI
    over seeds and examples: (estimate, low, high, seeds), or None when either is missing.
    :func:`paired_contrast` with weights ``{low: 1, high: -1}``, the seeds in the profile's
    order and a bootstrap seed of its own."""
    # high == low: one fraction, its runs minus themselves (a weight of 0, not a lost key)
    weights = {low: 1.0, high: -1.0} if high != low else {low: 0.0}
    seeds = dict.fromkeys(c.seed for c in cells(study.profile, study.shape))
    return paired_contrast(study, weights, metric, n_boot=n_boot, level=level, seeds=seeds,
                           seed_parts=("drop", high, low))


def paired_contrast(study: "Study", weights: dict[float, float], metric: str,
                    n_boot: int = 2000, level: float = 0.95, *,
                    seeds: Iterable[int] | None = None, seed_parts: tuple | None = None
                    ) -> tuple[float, float, float, int] | None:
    """``sum(w * score(fraction))`` over ``weights`` (e.g. ``{0.0: -1, 0.9: 2, 1.0: -1}``: the
    drop 90 -> 100% minus the drop 0 -> 90%), paired per test example within each seed, with
    a bootstrap CI over seeds and examples: (estimate, low, high, seeds), or None when no
    seed has every fraction finished. :func:`paired_drop` is the two-fraction case.

    ``seeds``: the training seeds to pair, in the order the bootstrap takes them (default
    every seed of the sweep, sorted); ``seed_parts``: what the bootstrap's random seed is
    derived from besides the study's name (default ``("contrast", *sorted(weights.items()))``).
    Runs of one seed that scored different test sets are a LittleHumanError."""
    from littlehuman.stats import contrast_bounds, hierarchical_bootstrap

    specs = {(c.fraction, c.seed): study.run_spec(c) for c in cells(study.profile, study.shape)}
    diffs = {}
    for seed in sorted({s for _, s in specs}) if seeds is None else seeds:
        chosen = [specs.get((f, seed)) for f in weights]
        if any(spec is None or not study.store.has(spec) for spec in chosen):
            continue
        scores = [grid.per_example_scores(study, spec)[metric].to_numpy(float) for spec in chosen]
        if len({len(a) for a in scores}) != 1:
            raise LittleHumanError(
                f"{study.name}: sweep runs of seed {seed} at fractions "
                f"{', '.join(map(str, weights))} scored different test sets "
                f"({', '.join(str(len(a)) for a in scores)} rows); rerun the sweep")
        diffs[seed] = sum(w * a for w, a in zip(weights.values(), scores))
    if not diffs:
        return None
    parts = ("contrast", *sorted(weights.items())) if seed_parts is None else seed_parts
    est, lo, hi = hierarchical_bootstrap(diffs, n_boot=n_boot, level=level,
                                         seed=schema.stable_seed(study.name, *parts),
                                         bounds=contrast_bounds(list(weights.values())))
    return est, lo, hi, len(diffs)


def curve(study: "Study", rec: pd.DataFrame | None = None) -> dict[str, Any]:
    """The sweep's curve on the main metric, for the index's small multiples (JSON-able):
    per fraction the mean over seeds with its 95% bootstrap interval (the numbers of
    :func:`intervals`, same seeds) and the seeds, and every run's own score."""
    metric = study.main_metric
    rec = records(study) if rec is None else rec
    ci = intervals(study, metrics=[metric])
    return grid.jsonable({
        "metric": metric,
        "points": [{"fraction": float(r["fraction"]), "mean": r["mean"], "low": r["low"],
                    "high": r["high"], "seeds": int(r["seeds"])} for r in ci.to_dict("records")],
        "runs": [{"fraction": float(r["fraction"]), "seed": int(r["seed"]), "score": r[metric]}
                 for r in rec.to_dict("records") if metric in r]})


def summary(study: "Study") -> dict[str, Any]:
    """Finding 1 on this dataset, JSON-able: the drop 0 -> 90% and 90 -> 100% synthetic,
    with intervals and a sentence; ``status`` says when the sweep lacks the fractions 0, 0.9
    and 1. Also ``curve`` (:func:`curve`, drawn on the index) and ``contrast``: the drop
    90 -> 100% minus the drop 0 -> 90% as one paired estimate ``[est, low, high]`` with the
    smallest detectable contrast (positive: the last 10% matters most);
    ``holds`` is :func:`littlehuman.findings.verdict`'s "holds" on that contrast;
    ``learned_nothing`` (:func:`grid.learned_nothing`) when the runs learned nothing: then
    finding 1 is not measured; ``random_span`` (QA: :func:`span_json`, drawn on the index)."""
    from littlehuman.findings import HOLDS, finding_last_10, loss_in_words

    metric = study.main_metric
    first = paired_drop(study, 0.9, 0.0, metric)
    last = paired_drop(study, 1.0, 0.9, metric)
    baseline = grid.majority_baseline(study)
    rec = records(study)
    best = grid.best_constant(study, metric)
    caution = grid.flags(rec, baseline, metric, best)
    shape = curve(study, rec)
    if first is None or last is None:
        return grid.jsonable({
            "metric": metric, "status": "missing", "flags": caution,
            "baseline": baseline.get(metric), "curve": shape,
            "random_span": span_json(rec, metric),
            "text": "the sweep needs fractions 0, 0.9 and 1 (with finished runs) for finding 1"})
    fmt = "{:+.3f} [{:+.3f}, {:+.3f}]"
    detectable = [detectable_effect(*drop[1:3]) for drop in (first, last)]
    behind = (curves.counted(last[3], "seed") if first[3] == last[3]  # each drop's own seeds
              else f"{curves.counted(first[3], 'seed')} and {curves.counted(last[3], 'seed')}")
    text = (f"{metric} 0->90% synthetic: {loss_in_words(first[:3])}; "
            f"90->100%: {loss_in_words(last[:3])} (95% CI, {behind}; "
            f"smallest changes this run could detect at 80% "
            f"power: {fmt_detectable(detectable[0])} and {fmt_detectable(detectable[1])})")
    both = paired_contrast(study, {0.0: -1.0, 0.9: 2.0, 1.0: -1.0}, metric)
    contrast = None if both is None else {"estimate": list(both[:3]), "seeds": both[3],
                                          "detectable": detectable_effect(*both[1:3])}
    nothing = grid.learned_nothing(rec, metric, "sweep runs", "no finding",
                                   trained=grid.trained_with(study))
    out = {"metric": metric, "status": "ok", "first_90": list(first[:3]),
           "last_10": list(last[:3]), "seeds": min(first[3], last[3]),
           "detectable": {"first_90": detectable[0], "last_10": detectable[1]},
           "contrast": contrast, "text": text, "flags": caution,
           "baseline": baseline.get(metric), "curve": shape, "learned_nothing": nothing,
           "random_span": span_json(rec, metric)}
    found = finding_last_10(grid.jsonable(out))
    out["holds"] = found["verdict"] == HOLDS
    if nothing:  # a zero drop of runs that learned nothing is no reading (a helper's QA file)
        out["text"] += f". No reading: {nothing}"
        return grid.jsonable(out)
    if contrast is not None:  # the number the index judges finding 1 by, on this page too
        on = (f"on the {curves.counted(contrast['seeds'], 'seed')} with all three fractions; "
              if contrast["seeds"] < max(first[3], last[3]) else "")  # fewer than a drop's
        out["text"] += (f". The last 10%'s loss minus the first 90%'s: "
                        f"{fmt.format(*contrast['estimate'])} ({on}smallest detectable "
                        f"{fmt_detectable(contrast['detectable'])}): {found['verdict']}, "
                        f"{found['text'].split(';')[0]}")
    span = (rec.groupby("fraction")["random_span"].mean().to_dict()
            if out["random_span"] is not None else None)
    out["text"] += headroom_sentence(shape, baseline.get(metric), metric,
                                     seen=last[0], detectable=detectable[1],
                                     best_constant=best, span=span)
    room = room_at_90(shape, baseline.get(metric), best, span)
    if room is not None and room["little"]:  # the index shows it beside finding 1's badge
        out["room"] = {**room, "detectable": detectable[1], "seen": last[0]}
    return grid.jsonable(out)


def twin_defects(study: "Study") -> str:
    """What the twins that replace the human rows carry that finding 1 should be read with
    (:func:`littlehuman.analysis.twin_defects`; the sweep's twins, read from disk), '' if nothing."""
    from littlehuman.analysis import twin_defects as defects

    return defects(study.train_pool, twins.sweep_twins(study)[0])


def twins_note(study: "Study") -> str:
    """Notebook 02's note under finding 1 on what the twins that replace the human rows carry."""
    said = twin_defects(study)
    return f"**The twins that replace the human rows** (notebook 01): {said}" if said else ""


#: what the sweep's floor is called where a single label, predicted for every test row,
#: scores above the majority baseline (the training set's majority label)
BEST_LABEL = "the best single label predicted for every test row"


def room_at_90(shape: dict[str, Any], baseline: float | None,
               best_constant: float | None = None,
               span: dict[float, float] | None = None) -> dict[str, Any] | None:
    """How far above its floor the sweep's mean stands at 0% and at 90% synthetic
    (``shape``: :func:`curve`): ``{"floor", "name", "at_0", "at_90", "little"}``. The floor
    is the highest trivial score: the majority baseline, :data:`BEST_LABEL` where that scores
    above it on the test rows (FEVER's cpu runs: 0.510 against the training set's 0.490; the
    last 10%'s room read from 0.490 was 0.036 where it was 0.016, a reviewer), or (QA) the
    random span (``span``: its mean over the runs at each fraction). ``little``: less than a
    third of the room at 0% is left at 90%. None without a baseline or either fraction."""
    means = {round(p["fraction"], 6): p["mean"] for p in shape.get("points", [])}
    if baseline is None or 0.0 not in means or 0.9 not in means:
        return None
    span = {round(f, 6): v for f, v in (span or {}).items()}
    if 0.0 in span and 0.9 in span:
        floors, name = (span[0.0], span[0.9]), "random span"
    elif best_constant is not None and best_constant > baseline + 1e-9:
        floors, name = (best_constant, best_constant), BEST_LABEL
    else:
        floors, name = (baseline, baseline), "baseline"
    at0, at90 = means[0.0] - floors[0], means[0.9] - floors[1]
    return {"floor": floors[1], "name": name, "at_0": at0, "at_90": at90,
            "little": at0 > 0 and at90 < at0 / 3}


def headroom_sentence(shape: dict[str, Any], baseline: float | None, metric: str,
                      seen: float | None = None, detectable: float | None = None,
                      best_constant: float | None = None,
                      span: dict[float, float] | None = None) -> str:
    """How far above the majority baseline the sweep's means stand at 0% and at 90% synthetic,
    and above the higher floor where there is one (:func:`room_at_90`: :data:`BEST_LABEL`, or
    QA's random span; FairyTaleQA's cpu runs stood +0.114 above the majority answer but +0.028
    above the random span, a reviewer). When little room is left at 90%, how much the last 10%
    could lose before reaching that floor, beside the loss the run could detect
    (``detectable``) and the one it saw (``seen``): a small loss there says less about the
    human points then, and nothing where the room is below what the run could detect. ""
    without a baseline or either fraction."""
    room = room_at_90(shape, baseline, best_constant, span)
    if room is None:
        return ""
    span = {round(f, 6): v for f, v in (span or {}).items()}
    means = {round(p["fraction"], 6): p["mean"] for p in shape.get("points", [])}
    said = (f". Above the majority baseline ({metric} {baseline:.3f}): "
            f"{means[0.0] - baseline:+.3f} at 0% synthetic, {means[0.9] - baseline:+.3f} at 90%")
    if room["name"] == "random span":
        said += (f"; above {grid.RANDOM_SPAN} ({metric} {span[0.0]:.3f} at 0%, "
                 f"{span[0.9]:.3f} at 90%, the mean over the runs): {room['at_0']:+.3f} at 0%, "
                 f"{room['at_90']:+.3f} at 90%")
    elif room["name"] == BEST_LABEL:
        said += (f"; above {BEST_LABEL} ({metric} {room['floor']:.3f}: the training set's "
                 f"majority label is not the test set's): {room['at_0']:+.3f} at 0%, "
                 f"{room['at_90']:+.3f} at 90%")
    if not room["little"]:
        return said
    reached = "baseline" if room["name"] == "baseline" else (
        "random span" if room["name"] == "random span" else "best single label's score")
    power = (f" (the run could detect a loss of {detectable:.3f} there and saw {seen:+.3f})"
             if seen is not None and detectable is not None and math.isfinite(detectable)
             else "")
    blind = ("; less than the run could detect, so the last 10% had no room to show a loss "
             "here" if detectable is not None and math.isfinite(detectable)
             and room["at_90"] < detectable else "")
    return (f"{said}: the last 10% could lose at most about {room['at_90']:.3f} before "
            f"reaching the {reached}{power}{blind}")
