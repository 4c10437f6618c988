"""PROTOCOL experiment 2, the zoom on the last few synthetic percent (notebook 03, the paper's
Figures 2, 6, 8, 12 and 13): at each zoom size n, 95%, 97.5% and 100% synthetic, every seed.
A cell at the sweep's own n is the sweep's run (same spec, same training set), so it is
trained once.
A run of size n draws its n rows from ``twins.twin_rows(study, n)`` with
:func:`~littlehuman.mixing.replacement_mix`, as the sweep does from its pool.

Finding 2 (*a few human points reliably lift a purely synthetic model*) is read here:
97.5% against 100% synthetic at fixed size, paired across seeds.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

import pandas as pd

from littlehuman import curves, mixing, stats
from littlehuman.data import schema
from littlehuman.config import Profile
from littlehuman.experiments import grid, twins
from littlehuman.experiments.grid import Cell, Shape
from littlehuman.experiments.scaling import sizes
from littlehuman.findings import fmt_detectable

if TYPE_CHECKING:
    from littlehuman.study import Study

NAME, NOTEBOOK = "zoom", "03"


def cells(profile: Profile, shape: Shape) -> list[Cell]:
    """The grid: every zoom size (scaled to the dataset: :func:`~.scaling.sizes`) x
    ``zoom_fractions`` x seed. At the sweep's n the cell is a sweep run."""
    name = grid.pooled(NAME, shape.n)
    return [Cell("sweep" if n == shape.n else name, n, f, s)
            for n in sizes(profile, shape).zoom for f in profile.zoom_fractions
            for s in profile.seeds]


def prepare(study: "Study", progress: bool = True) -> dict[str, Any]:
    """Generate the twins and train every missing zoom run. Returns ``{"generation": stats,
    "runs": {"skipped", "ran"}}``."""
    sz = sizes(study.profile, study.shape)
    rows = twins.twin_rows(study, max(sz.zoom))
    synthetic, gen = twins.twins_with_spares(study, rows, progress)
    counts: dict[str, int] = {}
    every = cells(study.profile, study.shape)
    for n in sz.zoom:
        real = grid.with_eval_rows(study, twins.twin_rows(study, n))
        twins.add_stats(counts, grid.train_missing(study, [c for c in every if c.n == n],
                                                   real, synthetic, progress))
    return {"generation": gen, "runs": counts}


def records(study: "Study") -> pd.DataFrame:
    """One row per finished zoom run: n, fraction, seed, the metrics, fit seconds, key."""
    rec = grid.records(study, cells(study.profile, study.shape), NOTEBOOK)
    return rec.sort_values(["n", "fraction", "seed"]).reset_index(drop=True)


def shared_with_sweep(study: "Study", rec: pd.DataFrame | None = None) -> int:
    """How many of the zoom's finished runs are the sweep's own (the same run keys: at the
    sweep's n and fractions, the zoom reuses them rather than training them again)."""
    from littlehuman.experiments import sweep

    rec = records(study) if rec is None else rec
    if rec.empty or "key" not in rec:
        return 0
    theirs = sweep.records(study)
    return int(rec["key"].drop_duplicates().isin(set(theirs.get("key", []))).sum())


def same_sets(profile: Profile, shape: Shape) -> list[str]:
    """A caution per zoom size where rounding gives two of the fractions the same number of
    human rows, so the same training set and the same scores ('at n = 10, 95.0%, 97.5% and
    100.0% synthetic are one training set (0 human rows each) ...'): a helper's CoQA file of
    12 stories gave n = 10, and notebook 03 drew three fractions of one set."""
    out = []
    for n in sizes(profile, shape).zoom:
        by_human: dict[int, list[float]] = {}
        for f in sorted(profile.zoom_fractions):
            by_human.setdefault(n - mixing.n_replaced(n, f), []).append(f)
        for human, fractions in by_human.items():
            if len(fractions) > 1:
                named = ", ".join(f"{f:.1%}" for f in fractions[:-1]) + f" and {fractions[-1]:.1%}"
                out.append(f"at n = {n}, {named} synthetic are one training set ({human} human "
                           f"row{'s' * (human != 1)} each, rounded), so their runs score alike: "
                           f"the zoom tells them apart from n = "
                           f"{smallest_distinct(profile.zoom_fractions)}")
    return out


def smallest_distinct(fractions: Sequence[float]) -> int:
    """The smallest n from which on each of ``fractions`` has its own number of human rows
    (rounding can part two fractions at one n and join them again above it: 90% and 95%
    differ at n = 6-10 and not at 11-12, a reviewer). Past 1 / (the smallest gap between
    them) + 1 rows they always differ, so only the sizes below are checked."""
    distinct = sorted(set(fractions))
    gaps = [b - a for a, b in zip(distinct, distinct[1:])]
    if not gaps:
        return 1
    last = int(math.ceil(1 / min(gaps))) + 1
    joined = [n for n in range(1, last + 1)
              if len({mixing.n_replaced(n, f) for f in distinct}) < len(distinct)]
    return max(joined, default=0) + 1


def intervals(study: "Study", n_boot: int = 2000, level: float = 0.95) -> pd.DataFrame:
    """Per n, fraction and metric: mean over seeds and its bootstrap CI (seeds x test rows)."""
    return grid.intervals(study, cells(study.profile, study.shape), ["n", "fraction"],
                          n_boot=n_boot, level=level)


def paired(study: "Study", a: float = 0.975, b: float = 1.0) -> pd.DataFrame:
    """Per zoom size and metric: synthetic fraction ``a`` against ``b`` on the same seeds
    (:func:`~littlehuman.stats.paired_seed_comparison`). Columns: n, metric, seeds, the two
    means, mean difference (a - b) with its 95% interval (paired per test row within each
    seed, resampling seeds and rows) and the smallest difference this run could detect at 80%
    power (:func:`~littlehuman.stats.detectable_effect`), seeds favouring each, ties, sign p,
    sign-flip p, min p (the smallest p these seeds allow) and ``seeds favouring`` (which side
    more seeds favour, in words: not a verdict, which reads the interval)."""
    rec = records(study)
    specs = {(c.n, c.fraction, c.seed): study.run_spec(c)
             for c in cells(study.profile, study.shape)}
    name_a, name_b = f"{a:.1%}", f"{b:.1%}"
    columns = ["n", "metric", "seeds", f"mean {name_a}", f"mean {name_b}", "mean difference",
               "95% CI low", "95% CI high", "smallest detectable", f"{name_a} better",
               f"{name_b} better", "ties", "sign p", "sign-flip p", "min p", "seeds favouring"]
    rows = []
    for n, runs_n in rec.groupby("n", sort=False):
        by = {f: runs_n[runs_n["fraction"] == f].set_index("seed") for f in (a, b)}
        shared = by[a].index.intersection(by[b].index)
        if shared.empty:  # no seed with both: not measured at this size (it had raised)
            continue
        # the means on the seeds compared, so that they differ by the mean difference (a
        # reviewer: means over every seed of each fraction beside a paired difference)
        by = {f: by[f].loc[shared] for f in (a, b)}
        for m in study.metrics:
            cmp = stats.paired_seed_comparison(by[a][m].to_dict(), by[b][m].to_dict())
            side = {"a": name_a, "b": name_b}.get(cmp["favours"])
            diffs = {s: (grid.per_example_scores(study, specs[(n, a, s)])[m].to_numpy(float)
                         - grid.per_example_scores(study, specs[(n, b, s)])[m].to_numpy(float))
                     for s in shared}
            _, low, high = stats.hierarchical_bootstrap(
                diffs, seed=schema.stable_seed(study.name, "zoom-diff", int(n), a, b,
                                               study.main_metric),  # the main metric's draw
                bounds=stats.DIFFERENCE_BOUNDS)
            # for every metric: metrics equal on every row get equal intervals
            verdict = (f"{cmp['agree']}/{cmp['n_seeds']} seeds favour {side} synthetic"
                       if side else f"no side favoured over {curves.counted(cmp['n_seeds'], 'seed')}")
            rows.append({"n": int(n), "metric": m, "seeds": cmp["n_seeds"],
                         f"mean {name_a}": by[a][m].mean(), f"mean {name_b}": by[b][m].mean(),
                         "mean difference": cmp["mean_difference"], "95% CI low": low,
                         "95% CI high": high,
                         "smallest detectable": stats.detectable_effect(low, high),
                         f"{name_a} better": cmp["a_better"], f"{name_b} better": cmp["b_better"],
                         "ties": cmp["ties"], "sign p": cmp["sign_p"],
                         "sign-flip p": cmp["permutation_p"], "min p": cmp["min_p"],
                         "seeds favouring": verdict})
    return pd.DataFrame(rows, columns=columns)  # the columns also where no size has both


def missing_pair(profile: Profile, a: float, b: float) -> str:
    """Why no zoom size compares ``a`` with ``b`` synthetic: a fraction not in
    ``zoom_fractions`` (``--zoom-fractions 0.95,1`` had crashed notebook 03), or no size with
    finished runs at both."""
    have = sorted(profile.zoom_fractions)
    lacking = [f for f in (a, b) if f not in have]
    if lacking:
        return (f"Not measured: finding 2 compares {a:.1%} with {b:.1%} synthetic, and the "
                f"zoom's fractions ({', '.join(f'{f:.1%}' for f in have)}) leave out "
                f"{' and '.join(f'{f:.1%}' for f in lacking)}: give --zoom-fractions "
                f"{','.join(f'{f:g}' for f in sorted({*have, a, b}))}")
    return (f"Not measured: no zoom size has finished runs at both {a:.1%} and {b:.1%} "
            f"synthetic yet")


def summary(study: "Study", a: float = 0.975, b: float = 1.0) -> dict[str, Any]:
    """JSON-able: the zoom sizes, scaling notes and, per size, the main metric's ``a`` vs
    ``b`` synthetic comparison in one sentence (``paired``) and as numbers (``comparisons``,
    what :func:`littlehuman.findings.zoom_comparisons` reads), and ``learned_nothing``
    (:func:`grid.learned_nothing`) when the runs learned nothing: then finding 2 is not
    measured, and ``paired`` ends with a line saying so ("No reading: ...")."""
    m, sz = study.main_metric, sizes(study.profile, study.shape)
    table = paired(study, a, b)
    lines, comparisons = [], []
    for r in table[table["metric"] == m].to_dict("records"):
        human = mixing.n_replaced(r["n"], b) - mixing.n_replaced(r["n"], a)
        if human == 0:  # one training set: nothing to compare (:func:`same_sets`)
            lines.append(f"n={r['n']}: {a:.1%} and {b:.1%} synthetic are one training set at "
                         f"this size (0 human points between them): nothing to compare; the "
                         f"zoom tells them apart from n = {smallest_distinct((a, b))}")
            continue
        comparisons.append({"n": int(r["n"]), "human": int(human),
                            "difference": [r["mean difference"], r["95% CI low"], r["95% CI high"]],
                            "detectable": r["smallest detectable"], "seeds": int(r["seeds"])})
        lines.append(f"n={r['n']}: {human} more human point{'s' * (human != 1)} ({a:.1%} vs "
                     f"{b:.1%} synthetic) "
                     f"changed {m} by {r['mean difference']:+.4f} on average "
                     f"[{r['95% CI low']:+.4f}, {r['95% CI high']:+.4f}]; {r['seeds favouring']} "
                     f"(sign test p={r['sign p']:.3g}; {curves.counted(r['seeds'], 'seed')}"
                     f"{f' ({tied} tied)' if (tied := int(r['ties'])) else ''} "
                     f"allow{'s' * (int(r['seeds']) == 1)} at best "
                     f"p={r['min p']:.3g}; the smallest difference this run could detect at "
                     f"80% power: {fmt_detectable(r['smallest detectable'], 4)})")
    baseline, rec = grid.majority_baseline(study), records(study)
    nothing = grid.learned_nothing(rec, m, "zoom runs", "no finding",
                                   trained=grid.trained_with(study))
    if table.empty:  # finding 2 not measured: say why, as the sweep does for finding 1
        lines.append(missing_pair(study.profile, a, b))
    elif nothing:  # differences of 0 between runs that learned nothing are no reading:
        lines.append(f"No reading: {nothing}")  # notebook 03 and the index say so, as 02 does
    return grid.jsonable({"dataset": study.name, "metric": m, "sizes": list(sz.zoom),
                          "notes": list(sz.notes), "paired": lines, "comparisons": comparisons,
                          "flags": grid.flags(rec, baseline, m, grid.best_constant(study, m))
                          + same_sets(study.profile, study.shape),
                          "baseline": baseline.get(m), "learned_nothing": nothing})
