"""PROTOCOL experiment 3, the human-vs-synthetic trade-off: its runs, training sets, records,
intervals and analysis (the fit maths is :mod:`littlehuman.tradeoff`).

A trade-off run is ``experiment="tradeoff"``, ``n`` = its training-set size and ``fraction`` =
its synthetic share: ``1.0`` for a purely synthetic set of ``n`` (by nesting, base ``b`` + ``a``
synthetic is the set of ``b + a``), ``b / (b + h)`` for base ``b`` plus ``h`` human points."""
from __future__ import annotations

from typing import Any

import pandas as pd

from littlehuman import mixing, runs, stats, tradeoff
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError
from littlehuman.experiments.advisor import advice
from littlehuman.experiments.common import (TRADEOFF, _eval_rows, _finite, _intervals,
                                            _jsonable, _missing, _run, _run_row, _spec)
from littlehuman.experiments.scaling import main_metric, sizes
from littlehuman.experiments.twins import twinned_rows
from littlehuman.pipeline import Experiment, _quiet_factory
from littlehuman.runs import RunSpec


def tradeoff_cells(exp: Experiment) -> pd.DataFrame:
    """Every point of the trade-off curves: base, kind ("synthetic" | "human"), added, seed and
    its spec. A synthetic run serves every base whose curve has its size (nested sets)."""
    sz, rows = sizes(exp), []
    for base in sz.bases:
        plan = [("synthetic", sz.step * i) for i in range(sz.steps + 1)] + [("human", sz.human)]
        for kind, added in plan:
            total = base + added
            fraction = 1.0 if kind == "synthetic" else base / total
            rows += [{"base": base, "kind": kind, "added": added, "seed": s,
                      "spec": _spec(exp, TRADEOFF, total, fraction, s)}
                     for s in exp.profile.seeds]
    return pd.DataFrame(rows)


def tradeoff_specs(exp: Experiment) -> list[RunSpec]:
    """The distinct trade-off runs, in plan order."""
    return list(dict.fromkeys(tradeoff_cells(exp)["spec"]))


def tradeoff_training_set(spec: RunSpec, train: pd.DataFrame,
                          synthetic: pd.DataFrame) -> pd.DataFrame:
    """The training set of a trade-off spec: :func:`~littlehuman.mixing.tradeoff_mix` of the
    real ``train`` rows, base ``n * fraction`` plus the rest as human points (fraction < 1) or
    all ``n`` synthetic (fraction 1)."""
    base = mixing.n_replaced(spec.n, spec.fraction)
    kind = "synthetic" if base == spec.n else "human"
    return mixing.tradeoff_mix(train, synthetic, base, kind, spec.n - base, spec.seed,
                               spec.dataset, spec.experiment)


def execute_tradeoff(spec: RunSpec, real: pd.DataFrame,
                     synthetic: pd.DataFrame) -> tuple[dict[str, Any], pd.DataFrame]:
    """:func:`runs.execute` with the trade-off's training set (:func:`tradeoff_training_set`):
    an ``executor`` for :func:`runs.run_sweep`."""
    return runs.execute(spec, real, synthetic, learner_factory=_quiet_factory,
                        mix=tradeoff_training_set)


def prepare_tradeoff(exp: Experiment, progress: bool = True) -> dict[str, Any]:
    """Generate the twins and train every missing trade-off run. Returns ``{"generation":
    stats, "runs": {"skipped", "ran"}, "sizes": {...}, "notes": [...]}``."""
    sz = sizes(exp)
    rows, synthetic, gen = twinned_rows(exp, sz.tradeoff_rows, progress)
    counts = _run(exp, tradeoff_specs(exp), _eval_rows(exp, rows), synthetic, execute_tradeoff,
                  progress)
    return {"generation": gen, "runs": counts,
            "sizes": {"bases": list(sz.bases), "human": sz.human, "step": sz.step,
                      "steps": sz.steps}, "notes": list(sz.notes)}


def tradeoff_records(exp: Experiment) -> pd.DataFrame:
    """One row per finished curve point: base, kind, added, seed, n (training-set size), the
    metrics, fit seconds and the run key (a synthetic run appears once per base it serves)."""
    out = []
    for cell in tradeoff_cells(exp).to_dict("records"):
        row = _run_row(exp, cell["spec"])
        if row is not None:
            out.append({"base": cell["base"], "kind": cell["kind"], "added": cell["added"],
                        "n": cell["spec"].n, **row})
    if not out:
        raise _missing(exp, TRADEOFF)
    return pd.DataFrame(out).sort_values(["base", "kind", "added", "seed"],
                                         ascending=[True, False, True, True]
                                         ).reset_index(drop=True)


def tradeoff_intervals(exp: Experiment, metrics: list[str] | None = None, n_boot: int = 2000,
                       level: float = 0.95) -> pd.DataFrame:
    """Per curve point (base, kind, added) and metric: mean over seeds and bootstrap CI."""
    cells: dict[tuple, dict[int, RunSpec]] = {}
    for c in tradeoff_cells(exp).to_dict("records"):
        cells.setdefault((c["base"], c["kind"], c["added"]), {})[c["seed"]] = c["spec"]
    return _intervals(exp, cells, ["base", "kind", "added"], metrics or exp.metrics,
                      n_boot, level)


STATUS_WORDS = {
    "ok": "the human points' score is matched by a finite amount of extra synthetic data "
          "within the fitted curve's reach",
    "saturated": "the human points did not beat the synthetic-only curve at that base (the "
                 "curve has flattened, as on FEVER in the paper); the equivalent is <= 0",
    "no_gain": "the synthetic-only curve does not rise (a1 <= 0): no amount of synthetic data "
               "matches, so the human points cannot be priced in synthetic points",
    "extrapolated": "the match lies beyond 100x the largest fitted size: read it as 'far more "
                    "synthetic data', not as a number (as the paper reads FairyTaleQA)",
    "incomplete": "runs are missing for this point: rerun prepare_tradeoff",
}


def tradeoff_analysis(exp: Experiment, metric: str | None = None, n_boot: int = 1000,
                      level: float = 0.95, pool_bases: bool = False) -> dict[str, Any]:
    """The trade-off numbers for ``metric`` (default :func:`main_metric`).

    Keys: ``metric``, ``human`` (points added), ``points`` (every operating point,
    :func:`tradeoff.operating_points`: per base and seed, and per base on the seed means),
    ``bases`` (one row per base on the seed means, with the bootstrap interval of the
    equivalent over seeds and the break-even price ratio), ``table3`` (mean, median, 25th/75th
    percentile of the per-seed operating points' equivalents), ``statuses`` (sentences
    counting each status), ``breakeven`` (the median equivalent / human points)."""
    metric = metric or main_metric(exp)
    rec = tradeoff_records(exp)
    human = sizes(exp).human
    points = tradeoff.operating_points(rec, metric, pool_bases=pool_bases)
    mean = points[points["level"] == "mean"].reset_index(drop=True)
    bounds = []
    for base in mean["base"]:
        try:
            _, low, high, bad = stats.bootstrap_equivalent(
                rec, metric, float(base), n_boot=n_boot, level=level, pool_bases=pool_bases,
                seed=schema.stable_seed(exp.name, "equivalent", int(base), metric))
        except LittleHumanError:  # the human run or a fit is missing: no interval
            low, high, bad = None, None, n_boot
        bounds.append((low, high, bad))
    lows, highs, failed = zip(*bounds) if bounds else ((), (), ())
    mean = mean.assign(low=list(lows), high=list(highs), failed_resamples=list(failed))
    mean["breakeven_ratio"] = [tradeoff.breakeven_price_ratio(e, human) if _finite(e) else None
                               for e in mean["equivalent"]]
    per_seed = points[points["level"] == "seed"]
    t3 = tradeoff.table3([e if _finite(e) else None for e in per_seed["equivalent"]])
    counts = per_seed["status"].value_counts()
    statuses = [f"{c} of {len(per_seed)} operating points {s}: {STATUS_WORDS.get(s, s)}."
                for s, c in counts.items()]
    return {"metric": metric, "human": human, "points": points, "bases": mean, "table3": t3,
            "statuses": statuses, "breakeven": tradeoff.breakeven_price_ratio(t3["median"], human)
            if t3["median"] is not None else None, "level": level}


def table3_frame(exp: Experiment, analysis: dict[str, Any]) -> pd.DataFrame:
    """Paper Table 3 for this dataset: one row of the equivalents' summary statistics."""
    t3 = analysis["table3"]
    return pd.DataFrame([{"dataset": exp.name, "mean": t3["mean"], "median": t3["median"],
                          "25th percentile": t3["p25"], "75th percentile": t3["p75"],
                          "operating points": t3["n"], "undefined": t3["n_undefined"]}])


def tradeoff_summary(exp: Experiment, metric: str | None = None,
                     analysis: dict[str, Any] | None = None) -> dict[str, Any]:
    """JSON-able, for the index page and the notebook: metric, sizes and scaling notes, per
    base the equivalent with its interval, status and sentence, Table 3, the status counts in
    words, the break-even price ratio in words, the advice (None without prices) and a
    one-line ``headline``."""
    a = analysis or tradeoff_analysis(exp, metric)
    h, t3 = a["human"], a["table3"]
    bases = [{"base": int(r["base"]), "y_star": r["y_star"], "equivalent": r["equivalent"],
              "interval": [r["low"], r["high"]], "status": r["status"],
              "failed_resamples": int(r["failed_resamples"]),
              "message": r["message"], "breakeven_ratio": r["breakeven_ratio"]}
             for r in a["bases"].to_dict("records")]
    if t3["median"] is None:
        headline = (f"+{h} human points: no operating point gave a finite synthetic "
                    "equivalent (see the statuses)")
        price = "no break-even price ratio: no finite equivalent"
    else:
        headline = (f"+{h} human points ~ +{t3['median']:.0f} synthetic points (median over "
                    f"{t3['n']} operating points; mean {t3['mean']:.0f})")
        price = (f"human annotation is the cheaper route while one human point costs less "
                 f"than {a['breakeven']:.3g} synthetic points" if a["breakeven"] > 0 else
                 "the median equivalent is <= 0: at these sizes extra human points never pay "
                 "over synthetic ones")
    sz = sizes(exp)
    out = {"dataset": exp.name, "metric": a["metric"], "human_points": h,
           "sizes": {"bases": list(sz.bases), "human": sz.human, "step": sz.step,
                     "steps": sz.steps}, "notes": list(sz.notes), "headline": headline,
           "bases": bases, "table3": t3, "statuses": a["statuses"], "price": price,
           "advice": advice(exp, a)}
    return _jsonable(out)
