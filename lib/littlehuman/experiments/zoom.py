"""PROTOCOL experiment 2, the zoom on the last few synthetic percent: a run is ``(n, synthetic
fraction, seed)``; at the sweep's own ``n`` it is the sweep's run (same spec, same training
set), so it is trained once."""
from __future__ import annotations

from typing import Any

import pandas as pd

from littlehuman import mixing, runs, stats
from littlehuman.experiments import twins
from littlehuman.experiments.common import (ZOOM, _eval_rows, _intervals,
                                            _jsonable, _missing, _run, _run_row, _spec)
from littlehuman.experiments.scaling import main_metric, sizes
from littlehuman.pipeline import Experiment, _quiet_factory
from littlehuman.runs import RunSpec


def zoom_specs(exp: Experiment) -> list[RunSpec]:
    """Every zoom run: each size x ``zoom_fractions`` x seed. At the sweep's ``n`` the spec is
    the sweep's (``experiment="sweep"``): the same training set, trained once."""
    p = exp.profile
    return [_spec(exp, "sweep" if n == exp.n else ZOOM, n, f, s)
            for n in sizes(exp).zoom for f in p.zoom_fractions for s in p.seeds]


def prepare_zoom(exp: Experiment, progress: bool = True) -> dict[str, Any]:
    """Generate the twins and train every missing zoom run. Returns ``{"generation": stats,
    "runs": {"skipped", "ran"}, "sizes": [...], "notes": [...]}``.

    A run of size ``n`` draws its ``n`` rows from ``twin_rows(exp, n)`` with
    :func:`~littlehuman.mixing.replacement_mix`, as the sweep does from its pool."""
    from functools import partial

    sz = sizes(exp)
    rows = twins.twin_rows(exp, max(sz.zoom))
    synthetic, gen = twins.twins_with_spares(exp, rows, progress)
    execute = partial(runs.execute, learner_factory=_quiet_factory)
    counts: dict[str, int] = {}
    specs = zoom_specs(exp)
    for n in sz.zoom:
        real = _eval_rows(exp, twins.twin_rows(exp, n))
        twins.add_stats(counts, _run(exp, [s for s in specs if s.n == n], real, synthetic, execute,
                                   progress))
    return {"generation": gen, "runs": counts, "sizes": list(sz.zoom), "notes": list(sz.notes)}


def zoom_records(exp: Experiment) -> pd.DataFrame:
    """One row per finished zoom run: n, fraction, seed, the metrics, fit seconds, key."""
    out = []
    for spec in zoom_specs(exp):
        row = _run_row(exp, spec)
        if row is not None:
            out.append({"n": spec.n, "fraction": spec.fraction, **row})
    if not out:
        raise _missing(exp, ZOOM)
    return pd.DataFrame(out).sort_values(["n", "fraction", "seed"]).reset_index(drop=True)


def zoom_intervals(exp: Experiment, n_boot: int = 2000, level: float = 0.95) -> pd.DataFrame:
    """Per n, fraction and metric: mean over seeds and its bootstrap CI (seeds x test rows)."""
    cells: dict[tuple, dict[int, RunSpec]] = {}
    for spec in zoom_specs(exp):
        cells.setdefault((spec.n, spec.fraction), {})[spec.seed] = spec
    return _intervals(exp, cells, ["n", "fraction"], exp.metrics, n_boot, level)


def zoom_paired(exp: Experiment, a: float = 0.975, b: float = 1.0) -> pd.DataFrame:
    """Per zoom size and metric: synthetic fraction ``a`` against ``b`` on the same seeds
    (:func:`~littlehuman.stats.paired_seed_comparison`). Columns: n, metric, seeds, the two
    means, mean difference (a - b), seeds favouring each, ties, sign p, sign-flip p, min p
    (the smallest p these seeds allow) and a verdict in words."""
    rec = zoom_records(exp)
    name_a, name_b = f"{a:.1%}", f"{b:.1%}"
    rows = []
    for n, runs_n in rec.groupby("n", sort=False):
        by = {f: runs_n[runs_n["fraction"] == f].set_index("seed") for f in (a, b)}
        if by[a].empty or by[b].empty:
            continue
        for m in exp.metrics:
            cmp = stats.paired_seed_comparison(by[a][m].to_dict(), by[b][m].to_dict())
            side = {"a": name_a, "b": name_b}.get(cmp["favours"])
            verdict = (f"{cmp['agree']}/{cmp['n_seeds']} seeds favour {side} synthetic"
                       if side else f"no side favoured over {cmp['n_seeds']} seeds")
            rows.append({"n": int(n), "metric": m, "seeds": cmp["n_seeds"],
                         f"mean {name_a}": by[a][m].mean(), f"mean {name_b}": by[b][m].mean(),
                         "mean difference": cmp["mean_difference"],
                         f"{name_a} better": cmp["a_better"], f"{name_b} better": cmp["b_better"],
                         "ties": cmp["ties"], "sign p": cmp["sign_p"],
                         "sign-flip p": cmp["permutation_p"], "min p": cmp["min_p"],
                         "verdict": verdict})
    return pd.DataFrame(rows)


def zoom_summary(exp: Experiment, a: float = 0.975, b: float = 1.0) -> dict[str, Any]:
    """JSON-able: the zoom sizes, scaling notes and, per size, the main metric's ``a`` vs
    ``b`` synthetic comparison in one sentence."""
    m, sz = main_metric(exp), sizes(exp)
    paired = zoom_paired(exp, a, b)
    lines = []
    for r in paired[paired["metric"] == m].to_dict("records"):
        human = mixing.n_replaced(r["n"], b) - mixing.n_replaced(r["n"], a)
        lines.append(f"n={r['n']}: {human} more human point{'s' * (human != 1)} ({a:.1%} vs "
                     f"{b:.1%} synthetic) "
                     f"changed {m} by {r['mean difference']:+.4f} on average; {r['verdict']} "
                     f"(sign test p={r['sign p']:.3g}; {r['seeds']} seed(s) allow at best "
                     f"p={r['min p']:.3g})")
    return _jsonable({"dataset": exp.name, "metric": m, "sizes": list(sz.zoom),
                      "notes": list(sz.notes), "paired": lines})
