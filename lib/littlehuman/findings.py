"""The paper's three findings, measured on one dataset, for the index's headline table.

1. *The last 10% of human data matters most*: the score lost from 0% to 90% synthetic against
   the score lost from 90% to 100% (replacement sweep), each a paired difference over the same
   test examples with a bootstrap interval over seeds and examples.
2. *~125 human points reliably lift a purely synthetic model*: 97.5% against 100% synthetic
   (zoom), how many seeds agree (``experiments.zoom_summary``).
3. *200 human points are worth an order of magnitude more synthetic ones*: the trade-off's
   equivalent synthetic points (``experiments.tradeoff_summary``), beside the paper's Table 3.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from littlehuman.data import schema
from littlehuman.errors import LittleHumanError

# The paper's Table 3: additional synthetic points matching 200 human points (mean, median,
# 25th and 75th percentile over operating points; Llama-3.1-8B learner, GPT-3.5-Turbo data).
PAPER_TABLE3: dict[str, dict[str, float]] = {
    "wanli": {"mean": 17671.7, "median": 16905.38, "q25": 9711.42, "q75": 22931.17},
    "ropes": {"mean": 17332.69, "median": 6006.45, "q25": 3622.95, "q75": 21944.36},
    "fairytaleqa": {"mean": 281951.01, "median": 36901.45, "q25": 15128.74, "q75": 813134.81},
    "fever": {"mean": 1155.13, "median": 236.37, "q25": -1400.05, "q75": 7073.19},
}


def paired_drop(exp: Any, high: float, low: float, metric: str, n_boot: int = 2000,
                level: float = 0.95) -> tuple[float, float, float, int] | None:
    """``score(low fraction) - score(high fraction)`` of the sweep, paired per test example
    within each seed (every run of a seed scores the same test rows), with a bootstrap CI
    over seeds and examples: (estimate, low, high, seeds), or None when either is missing."""
    from littlehuman.stats import hierarchical_bootstrap

    specs = {(s.fraction, s.seed): s for s in exp.sweep_specs()}
    diffs = {}
    for (fraction, seed), spec_high in specs.items():
        spec_low = specs.get((low, seed))
        if fraction != high or spec_low is None or not (
                exp.store.has(spec_high) and exp.store.has(spec_low)):
            continue
        a = exp.per_example_scores(spec_low)[metric].to_numpy(float)
        b = exp.per_example_scores(spec_high)[metric].to_numpy(float)
        if len(a) != len(b):
            raise LittleHumanError(f"{exp.name}: runs at {low} and {high} scored different test "
                                   "sets; rerun the sweep")
        diffs[spec_high.seed] = a - b
    if not diffs:
        return None
    est, lo, hi = hierarchical_bootstrap(diffs, n_boot=n_boot, level=level,
                                         seed=schema.stable_seed(exp.name, "drop", high, low))
    return est, lo, hi, len(diffs)


def sweep_finding(exp: Any) -> dict[str, Any]:
    """Finding 1 on this dataset: the drop 0 -> 90% and 90 -> 100% synthetic, with intervals
    and a sentence; ``status`` says when the sweep lacks the fractions 0, 0.9 and 1."""
    metric = exp.main_metric
    first = paired_drop(exp, 0.9, 0.0, metric)
    last = paired_drop(exp, 1.0, 0.9, metric)
    if first is None or last is None:
        return {"metric": metric, "status": "missing",
                "text": "the sweep needs fractions 0, 0.9 and 1 (with finished runs) for this"}
    fmt = "{:+.3f} [{:+.3f}, {:+.3f}]"
    text = (f"{metric} lost 0->90% synthetic: {fmt.format(*first[:3])}; "
            f"90->100%: {fmt.format(*last[:3])} (95% CI, {last[3]} seeds)")
    holds = last[1] > 0 and last[0] > first[0]
    return {"metric": metric, "status": "ok", "first_90": list(first[:3]),
            "last_10": list(last[:3]), "seeds": last[3], "holds": bool(holds), "text": text}


def paper_table3(dataset: str) -> dict[str, float] | None:
    """The paper's Table 3 row for a dataset, where the paper gives one."""
    return PAPER_TABLE3.get(dataset)


def fmt_points(value: float | None) -> str:
    """A number of data points for a table (thousands separated; '-' when unknown)."""
    if value is None or not np.isfinite(value):
        return "-"
    return f"{value:,.0f}"
