"""PROTOCOL experiments 2 and 3 over an :class:`~littlehuman.pipeline.Experiment`: the zoom on
the last few synthetic percent, the human-vs-synthetic trade-off, and the price advisor.

``prepare_zoom`` / ``prepare_tradeoff`` generate the twins and train every missing run (all
cached: a rerun generates and trains nothing); the other functions only read the run store and
return tables, figures and JSON-able summaries for notebooks 03 and 04 and the index page.

Twins: the sweep twins ``exp.train_pool``; an experiment that needs more rows twins the further
train rows of :func:`twin_order`, so the sweep's twins are always reused.

Run specs: a zoom run is ``(n, synthetic fraction, seed)``; at the sweep's own ``n`` it is the
sweep's run (same spec, same training set), so it is trained once. A trade-off run is
``experiment="tradeoff"``, ``n`` = its training-set size and ``fraction`` = its synthetic share:
``1.0`` for a purely synthetic set of ``n`` (by nesting, base ``b`` + ``a`` synthetic is the set
of ``b + a``), ``b / (b + h)`` for base ``b`` plus ``h`` human points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from littlehuman import mixing, runs, stats, tradeoff
from littlehuman.config import Profile
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError
from littlehuman.pipeline import Experiment, _quiet_factory
from littlehuman.plots import METRIC_LABELS, SEED_LINE
from littlehuman.runs import RunSpec

ZOOM, TRADEOFF = "zoom", "tradeoff"
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


# ---- sizes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sizes:
    """The zoom and trade-off sizes for one dataset; ``notes`` says how they were scaled."""

    zoom: tuple[int, ...]
    bases: tuple[int, ...]
    human: int
    step: int
    steps: int
    notes: tuple[str, ...] = ()

    @property
    def tradeoff_rows(self) -> int:
        """Real rows with a twin the trade-off needs: the largest base plus its additions."""
        return max(self.bases) + max(self.human, self.step * self.steps)


def _fit(values: tuple[int, ...], factor: float) -> tuple[int, ...]:
    """``values`` times ``factor`` rounded down (at least 1), distinct, largest first."""
    return tuple(sorted({max(1, int(v * factor + 1e-9)) for v in values}, reverse=True))


def _tenth(value: int) -> int:
    return max(1, round(value / 10))


def profile_sizes(profile: Profile, small: bool = False, available: int | None = None) -> Sizes:
    """The zoom and trade-off sizes of ``profile`` for a dataset (pure; see :func:`sizes`).

    The profile's sizes are written for a 5,000-row dataset: a ``small`` one (SciFact) takes a
    tenth of them when the profile keeps the PROTOCOL training size (``n_train`` 0); a profile
    that sets ``n_train`` chose its sizes itself (the cpu profile's 200/100 are "the sweep's
    200 twins", and a tenth would make 95%, 97.5% and 100% of 10 rows the same set). Sizes
    that ``available`` train rows cannot hold are scaled down together (ratios kept); each
    scaling is described in ``notes``."""
    p, notes = profile, []
    zoom, bases = tuple(p.zoom_sizes), tuple(p.tradeoff_bases)
    human, step = p.tradeoff_human, p.tradeoff_step
    if small and not p.n_train:
        zoom, bases = tuple(map(_tenth, zoom)), tuple(map(_tenth, bases))
        human, step = _tenth(human), _tenth(step)
        notes.append("a small dataset (as SciFact in the paper): the sizes are the profile's / 10")
    if available is not None and max(zoom) > available:
        new = _fit(zoom, available / max(zoom))
        notes.append(f"zoom sizes {sorted(zoom, reverse=True)} scaled to {list(new)} to fit the "
                     f"{available} train rows")
        zoom = new
    need = max(bases) + max(human, step * p.tradeoff_steps)
    if available is not None and need > available:
        factor = available / need
        new = _fit(bases, factor)
        human, step = max(1, int(human * factor)), max(1, int(step * factor))
        notes.append(f"trade-off sizes scaled by {factor:.3g} to fit the {available} train rows "
                     f"(bases {sorted(bases)} -> {sorted(new)}, +{human} human, steps of {step})")
        bases = new
    return Sizes(tuple(sorted(set(zoom), reverse=True)), tuple(sorted(set(bases))), human, step,
                 p.tradeoff_steps, tuple(notes))


def sizes(exp: Experiment) -> Sizes:
    """The zoom and trade-off sizes for ``exp`` (:func:`profile_sizes` with its registry
    ``small`` flag and the rows its train split holds)."""
    small = exp.spec is not None and exp.spec.small
    return profile_sizes(exp.profile, small, len(exp.split("train")))


def main_metric(exp: Experiment) -> str:
    """The metric the figures and the trade-off fit use: FV accuracy, QA ROUGE-1."""
    return "accuracy" if exp.task == "fv" else "rouge1"


# ---- twins ---------------------------------------------------------------------------------
def twin_order(exp: Experiment) -> pd.DataFrame:
    """Every real train row in the order they get twins: the sweep's ``train_pool`` first,
    then the other train rows in an order seeded by the data seed."""
    pool = exp.train_pool
    rest = exp.split("train").sort_values("row_id", kind="stable")
    rest = rest[~rest["row_id"].isin(pool["row_id"])]
    rng = np.random.default_rng(schema.stable_seed(exp.name, "twin-order", exp.profile.data_seed))
    return pd.concat([pool, rest.iloc[rng.permutation(len(rest))]])


def twin_rows(exp: Experiment, size: int) -> pd.DataFrame:
    """The real train rows to twin for an experiment that uses ``size`` of them: the sweep's
    pool, extended along :func:`twin_order` when ``size`` is larger (capped by the split)."""
    return twin_order(exp).iloc[:max(int(size), len(exp.train_pool))]


def generate_twins(exp: Experiment, rows: pd.DataFrame,
                   progress: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The twins of ``rows``, generated exactly as :meth:`Experiment.synthetic` generates the
    sweep's (only missing twins are generated; they join the same parquet file)."""
    from littlehuman.generation import load_or_generate

    p = exp.profile
    return load_or_generate(
        rows=rows, pool=exp.split("train"), task=exp.task, backend=exp.backend,
        seed=p.data_seed, k=p.k_shots, label_conditioned=p.label_conditioned,
        context_words=p.prompt_context_words, batch_size=p.gen_batch_size, progress=progress)


def twinned_rows(exp: Experiment, count: int, progress: bool = False
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The shortest :func:`twin_rows` prefix in which ``count`` rows have a twin (a row whose
    reply was unparseable has none, so a few more rows may be twinned), its twins and the
    summed generation stats."""
    total: dict[str, Any] = {}
    want, n_train = count, len(exp.split("train"))
    while True:
        rows = twin_rows(exp, want)
        synthetic, gen = generate_twins(exp, rows, progress)
        for k, v in gen.items():
            total[k] = total.get(k, 0) + v
        have = int(rows["row_id"].isin(synthetic["source_row_id"]).sum())
        if have >= count or len(rows) >= n_train:
            return rows, synthetic, total
        want = len(rows) + count - have


def _eval_rows(exp: Experiment, train: pd.DataFrame) -> pd.DataFrame:
    """``train`` plus the (capped) valid and test rows every run of ``exp`` sees."""
    rest = exp.eval_rows[exp.eval_rows["split"] != "train"]
    return pd.concat([train, rest], ignore_index=True)


def _spec(exp: Experiment, experiment: str, n: int, fraction: float, seed: int) -> RunSpec:
    """A run of this experiment. Zoom and trade-off training sets are drawn from rows that
    start with the sweep's pool, so the pool size is part of their name (``zoom@pool200``):
    another ``--n-train`` never reuses their records."""
    params = exp.learner_params()
    params.pop("progress", None)
    if experiment in (ZOOM, TRADEOFF):
        experiment = f"{experiment}@pool{exp.n}"
    return RunSpec.make(exp.name, experiment, n, fraction, seed, exp.generator_id,
                        exp.profile.learner, params)


def _run(exp: Experiment, specs: list[RunSpec], real: pd.DataFrame, synthetic: pd.DataFrame,
         executor: runs.Executor, progress: bool) -> dict[str, int]:
    """Train the specs the store lacks, as :meth:`Experiment.run_sweep` does (local workers
    or SLURM, as the profile says)."""
    from littlehuman.executors import make_executor

    return runs.run_sweep(specs, real, synthetic, exp.store, progress=progress,
                          executor=executor, jobs=exp.profile.jobs,
                          backend=make_executor(exp.profile))


def _add_counts(total: dict[str, int], counts: dict[str, int]) -> None:
    for k, v in counts.items():
        total[k] = total.get(k, 0) + v


# ---- experiment 2: the zoom ----------------------------------------------------------------
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
    rows = twin_rows(exp, max(sz.zoom))
    synthetic, gen = generate_twins(exp, rows, progress)
    execute = partial(runs.execute, learner_factory=_quiet_factory)
    counts: dict[str, int] = {}
    specs = zoom_specs(exp)
    for n in sz.zoom:
        real = _eval_rows(exp, twin_rows(exp, n))
        _add_counts(counts, _run(exp, [s for s in specs if s.n == n], real, synthetic, execute,
                                 progress))
    return {"generation": gen, "runs": counts, "sizes": list(sz.zoom), "notes": list(sz.notes)}


def _run_row(exp: Experiment, spec: RunSpec) -> dict[str, Any] | None:
    rec = exp.store.get(spec)
    if rec is None:
        return None
    metrics = dict(rec["metrics"])
    return {"seed": spec.seed, "n_test": metrics.pop("n", None), **metrics,
            "fit_s": rec["timings_s"].get("fit"), "key": rec["key"]}


def _missing(exp: Experiment, notebook: str) -> LittleHumanError:
    return LittleHumanError(f"{exp.name}: no finished {notebook} runs for this profile: run "
                            f"`python run_all.py --dataset {exp.name} --notebooks "
                            f"{'03' if notebook == ZOOM else '04'}` first")


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


def _intervals(exp: Experiment, cells: dict[tuple, dict[int, RunSpec]], names: list[str],
               metrics: list[str], n_boot: int, level: float) -> pd.DataFrame:
    """Per cell and metric: the mean over seeds and a bootstrap CI resampling seeds, then test
    examples (as :meth:`Experiment.intervals`). Cells without a finished run are skipped."""
    rows = []
    for key, per_seed in cells.items():
        scores = {s: exp.per_example_scores(spec) for s, spec in per_seed.items()
                  if exp.store.has(spec)}
        if not scores:
            continue
        for m in metrics:
            est, low, high = stats.hierarchical_bootstrap(
                {s: df[m].to_numpy(dtype=float) for s, df in scores.items()}, n_boot=n_boot,
                level=level, seed=schema.stable_seed(exp.name, "ci", *key, m))
            rows.append({**dict(zip(names, key)), "metric": m, "mean": est, "low": low,
                         "high": high, "seeds": len(scores)})
    return pd.DataFrame(rows, columns=[*names, "metric", "mean", "low", "high", "seeds"])


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


def zoom_figure(records: pd.DataFrame, intervals: pd.DataFrame, metric: str,
                title: str) -> go.Figure:
    """Paper Figures 6, 8, 12, 13: ``metric`` against the synthetic % (95-100), one panel
    per training-set size n; grey lines are seeds, the blue line the mean with its CI."""
    ns = sorted(records["n"].unique(), reverse=True)
    fig = make_subplots(rows=1, cols=len(ns), shared_yaxes=True,
                        subplot_titles=[f"n = {n}" for n in ns])
    for i, n in enumerate(ns, start=1):
        part = records[records["n"] == n]
        for seed, run in part.sort_values("fraction").groupby("seed"):
            fig.add_trace(go.Scatter(
                x=run["fraction"] * 100, y=run[metric], mode="lines+markers",
                line=dict(color=SEED_LINE, width=1), marker=dict(size=4), name=f"seed {seed}",
                legendgroup=f"seed {seed}", showlegend=i == 1), row=1, col=i)
        ci = intervals[(intervals["n"] == n) & (intervals["metric"] == metric)]
        ci = ci.sort_values("fraction")
        fig.add_trace(go.Scatter(
            x=ci["fraction"] * 100, y=ci["mean"], mode="lines+markers",
            line=dict(color=COLORS[0], width=3), name="mean over seeds (95% CI)",
            legendgroup="mean", showlegend=i == 1, error_y=_errors(ci)), row=1, col=i)
        fig.update_xaxes(title_text="synthetic %", row=1, col=i)
    fig.update_yaxes(title_text=METRIC_LABELS.get(metric, metric), row=1, col=1)
    fig.update_layout(title=title, height=380, width=max(520, 330 * len(ns)),
                      template="plotly_white", legend=dict(orientation="h", y=-0.25))
    return fig


def zoom_size_figure(intervals: pd.DataFrame, metrics: list[str], title: str) -> go.Figure:
    """Each metric against the training-set size n, one line per synthetic fraction, with the
    95% CI as error bars."""
    fig = make_subplots(rows=1, cols=len(metrics),
                        subplot_titles=[METRIC_LABELS.get(m, m) for m in metrics])
    fractions = sorted(intervals["fraction"].unique())
    for i, m in enumerate(metrics, start=1):
        for j, f in enumerate(fractions):
            ci = intervals[(intervals["metric"] == m) & (intervals["fraction"] == f)]
            ci = ci.sort_values("n")
            fig.add_trace(go.Scatter(
                x=ci["n"], y=ci["mean"], mode="lines+markers", name=f"{f:.1%} synthetic",
                line=dict(color=COLORS[j % len(COLORS)], width=2), legendgroup=str(f),
                showlegend=i == 1, error_y=_errors(ci)), row=1, col=i)
        fig.update_xaxes(title_text="training-set size n", row=1, col=i)
    fig.update_layout(title=title, height=380, width=max(520, 330 * len(metrics)),
                      template="plotly_white", legend=dict(orientation="h", y=-0.25))
    return fig


# ---- experiment 3: the trade-off -----------------------------------------------------------
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


def _finite(value: Any) -> bool:
    return value is not None and not pd.isna(value) and math.isfinite(float(value))


def table3_frame(exp: Experiment, analysis: dict[str, Any]) -> pd.DataFrame:
    """Paper Table 3 for this dataset: one row of the equivalents' summary statistics."""
    t3 = analysis["table3"]
    return pd.DataFrame([{"dataset": exp.name, "mean": t3["mean"], "median": t3["median"],
                          "25th percentile": t3["p25"], "75th percentile": t3["p75"],
                          "operating points": t3["n"], "undefined": t3["n_undefined"]}])


def advice(exp: Experiment, analysis: dict[str, Any]) -> dict[str, Any] | None:
    """The advisor's answer at the profile's ``price_human`` / ``price_synthetic`` (None when
    either is unset).

    Per base (on the seed means): :func:`tradeoff.advise` on the equivalent, whether its
    bootstrap interval's bounds give the same answer (``robust``), what the human points'
    money buys in synthetic points and the score the fitted curve gives that, and a sentence.
    Overall: the same on the median equivalent over operating points, with the interquartile
    range of the break-even price ratio, and caveats. Only the measured number of human points
    is advised on: the experiment says nothing about buying more than that."""
    p = exp.profile
    if not (p.price_human > 0 and p.price_synthetic > 0):
        return None
    h, ratio, metric = analysis["human"], p.price_human / p.price_synthetic, analysis["metric"]
    per_base = []
    for r in analysis["bases"].to_dict("records"):
        eq = r["equivalent"] if _finite(r["equivalent"]) else None
        adv = tradeoff.advise(eq, p.price_human, p.price_synthetic, h)
        bounds = [tradeoff.advise(v, p.price_human, p.price_synthetic, h)["cheaper"]
                  for v in (r["low"], r["high"]) if _finite(v)]
        rising = _finite(r.get("a1")) and r["a1"] > 0
        score = (r["a0"] + r["a1"] * math.log(r["base"] + adv["synthetic_points_for_human_cost"])
                 if rising else None)
        per_base.append({"base": int(r["base"]), "status": r["status"], **adv,
                         "interval": [r["low"], r["high"]],
                         "robust": len(bounds) == 2 and set(bounds) == {adv["cheaper"]},
                         "score_with_human": r["y_star"], "score_same_money_synthetic": score,
                         "message": _advice_sentence(r, h, adv, score, metric)})
    t3 = analysis["table3"]
    overall = tradeoff.advise(t3["median"], p.price_human, p.price_synthetic, h)
    prices = (f"At ${p.price_human:g} per human point and ${p.price_synthetic:g} per synthetic "
              f"point (ratio {ratio:.3g})")
    if t3["median"] is None:
        verdict = (f"{prices}: no operating point gave a finite synthetic equivalent, so the "
                   "prices cannot be compared; see each base below.")
    elif t3["median"] <= 0:
        verdict = (f"{prices}: the median equivalent is {t3['median']:.0f} <= 0 (saturation): "
                   f"the {h} human points did not beat the synthetic curve, so buy neither for "
                   f"{metric} on this evidence.")
    else:
        spread = (f"; over the operating points the break-even ratio runs from "
                  f"{t3['p25'] / h:.3g} to {t3['p75'] / h:.3g} (25th-75th percentile)")
        settled = ((ratio < t3["p25"] / h and overall["cheaper"] == "human")
                   or (ratio > t3["p75"] / h and overall["cheaper"] == "synthetic"))
        action = (f"buy the next {h} human points" if overall["cheaper"] == "human" else
                  f"buy the {t3['median']:.0f} synthetic points instead"
                  if overall["cheaper"] == "synthetic" else "either route costs the same")
        verdict = (f"{prices}: {action}. {h} human points cost ${overall['human_cost']:.4g}; "
                   f"the median of {t3['n']} operating points matches them with "
                   f"{t3['median']:.0f} synthetic points (${overall['synthetic_cost']:.4g}), "
                   f"and the same ${overall['human_cost']:.4g} buys "
                   f"{overall['synthetic_points_for_human_cost']:.0f} synthetic points. Human "
                   f"points pay while a human point costs less than "
                   f"{overall['breakeven_price_ratio']:.3g} synthetic ones{spread}: "
                   + ("your prices are clear of that range." if settled else
                      "your ratio falls inside that range, so the answer is not settled."))
    caveats = [
        f"measured only for +{h} human points on synthetic bases of "
        f"{', '.join(str(b['base']) for b in per_base)}: buying more human points than that "
        "is an extrapolation the experiment does not support",
        f"{len(p.seeds)} seed(s) per point; the intervals resample seeds (and test rows for "
        "the scores), not the choice of bases",
        "the synthetic curve y = a0 + a1 ln(x) is fitted on a narrow range of sizes: "
        "equivalents far beyond it are extrapolations",
    ]
    off = [f"{b['base']}: {b['status']}" for b in per_base if b["status"] != "ok"]
    if off:
        caveats.append("bases whose equivalent is not a plain number: " + "; ".join(off))
    return _jsonable({"price_human": p.price_human, "price_synthetic": p.price_synthetic,
                      "price_ratio": ratio, "human_points": h, "overall": overall,
                      "verdict": verdict, "per_base": per_base, "caveats": caveats})


def _advice_sentence(r: dict[str, Any], h: int, adv: dict[str, Any], score: float | None,
                     metric: str) -> str:
    """One base's advice in words (``r``: its row of ``tradeoff_analysis(...)["bases"]``)."""
    head = (f"On a synthetic set of {int(r['base'])}, {h} more human points cost "
            f"${adv['human_cost']:.4g}")
    if r["status"] == "incomplete":
        return f"{head}; runs are missing for this base, so there is no advice."
    gain = r["y_star"] - r["fit_at_base"]
    if r["status"] == "saturated":
        return (f"{head}; they scored {r['y_star']:.4g} against the synthetic curve's "
                f"{r['fit_at_base']:.4g} at this base ({gain:+.4g}): they buy nothing the "
                "synthetic data does not already reach, so do not buy them here.")
    if adv["cheaper"] == "unknown":  # no_gain, or a match too large for a float
        if gain <= 0:
            return (f"{head}; neither more synthetic data nor the human points raised {metric} "
                    f"({gain:+.4g} over the synthetic curve): buy neither on this evidence.")
        why = ("more synthetic data did not raise " + metric if r["status"] == "no_gain"
               else "the synthetic amount matching them is beyond any finite number")
        return (f"{head}; {why}, but the human points added {gain:+.4g}: buy the {h} human "
                "points, no amount of synthetic data can be priced against them.")
    interval = (f" (95% CI {r['low']:.0f} to {r['high']:.0f})"
                if _finite(r["low"]) and _finite(r["high"]) else "")
    same = (f"; the same money buys {adv['synthetic_points_for_human_cost']:.0f} synthetic "
            f"points, which the fitted curve puts at {metric} {score:.4g} against "
            f"{r['y_star']:.4g} with the human points" if score is not None else "")
    action = (f"buy the {h} human points" if adv["cheaper"] == "human" else
              f"buy {adv['equivalent_points']:.0f} synthetic points instead"
              if adv["cheaper"] == "synthetic" else "either route costs the same")
    return (f"{head}; matching them takes about {adv['equivalent_points']:.0f}{interval} more "
            f"synthetic points (${adv['synthetic_cost']:.4g}){same}: {action}.")


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


def tradeoff_figure(exp: Experiment, analysis: dict[str, Any], intervals: pd.DataFrame,
                    title: str) -> go.Figure:
    """Paper Figures 3 and 14, one panel per base: synthetic-only points (grey: seeds; blue:
    mean with 95% CI), the log fit on the seed means, the +human point (red, at its synthetic
    base) and the dashed line to the synthetic size that matches it (the equivalent)."""
    m, rec = analysis["metric"], tradeoff_records(exp)
    fit_rows = analysis["bases"].set_index("base")
    bases = list(fit_rows.index)
    fig = make_subplots(rows=1, cols=len(bases), shared_yaxes=True,
                        subplot_titles=[f"synthetic base {b}" for b in bases])
    ci = intervals[intervals["metric"] == m]
    for i, base in enumerate(bases, start=1):
        r, first = fit_rows.loc[base], i == 1
        syn = rec[(rec["base"] == base) & (rec["kind"] == "synthetic")]
        fig.add_trace(go.Scatter(x=syn["n"], y=syn[m], mode="markers", name="synthetic only, "
                                 "one seed", marker=dict(color=SEED_LINE, size=6),
                                 legendgroup="seed", showlegend=first), row=1, col=i)
        mean = ci[(ci["base"] == base) & (ci["kind"] == "synthetic")].sort_values("added")
        fig.add_trace(go.Scatter(
            x=base + mean["added"], y=mean["mean"], mode="markers", name="synthetic only, "
            "mean (95% CI)", marker=dict(color=COLORS[0], size=9), legendgroup="mean",
            showlegend=first, error_y=_errors(mean)), row=1, col=i)
        x_top = float(base + mean["added"].max()) if len(mean) else float(base)
        cap = base + 3 * (x_top - base) if x_top > base else 1.5 * base
        eq = r["equivalent"] if _finite(r["equivalent"]) else None
        x_plot = min(max(x_top, base + eq if eq is not None else x_top), cap)
        if _finite(r.get("a1")):
            xs = np.linspace(base, x_plot, 60)
            fig.add_trace(go.Scatter(x=xs, y=r["a0"] + r["a1"] * np.log(xs), mode="lines",
                                     line=dict(color=COLORS[0], width=2), name="log fit",
                                     legendgroup="fit", showlegend=first), row=1, col=i)
        hum = ci[(ci["base"] == base) & (ci["kind"] == "human")]
        if len(hum):
            fig.add_trace(go.Scatter(
                x=[base] * len(hum), y=hum["mean"], mode="markers",
                name=f"+{analysis['human']} human (95% CI)", marker=dict(color=COLORS[3],
                                                                          size=10),
                legendgroup="human", showlegend=first, error_y=_errors(hum)), row=1, col=i)
            if eq is not None and eq > 0:
                y = float(hum["mean"].iloc[0])
                fig.add_trace(go.Scatter(
                    x=[base, base + min(eq, x_plot - base)], y=[y, y], mode="lines",
                    line=dict(color=COLORS[3], dash="dash"), name="equivalent synthetic",
                    legendgroup="eq", showlegend=first), row=1, col=i)
                beyond = " (beyond the plot)" if base + eq > x_plot else ""
                fig.add_annotation(x=base + min(eq, x_plot - base), y=y, text=f"+{eq:.0f}"
                                   f"{beyond}", showarrow=False, yshift=12,
                                   font=dict(color=COLORS[3]), row=1, col=i)
        fig.update_xaxes(title_text="synthetic points in the training set", row=1, col=i)
    fig.update_yaxes(title_text=METRIC_LABELS.get(m, m), row=1, col=1)
    fig.update_layout(title=title, height=400, width=max(520, 360 * len(bases)),
                      template="plotly_white", legend=dict(orientation="h", y=-0.3))
    return fig


def _errors(ci: pd.DataFrame) -> dict[str, Any]:
    return dict(type="data", symmetric=False, array=ci["high"] - ci["mean"],
                arrayminus=ci["mean"] - ci["low"])


def _jsonable(value: Any) -> Any:
    """``value`` with numpy scalars turned into Python ones, NaN/NA into None, tuples into
    lists (so ``json.dumps`` takes it as it is)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value
