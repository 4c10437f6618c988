"""Notebook 03 (the last few synthetic percent): the paper's Figures 2, 6, 8, 12 and 13, the same
runs against the training-set size, Table 2 (metric agreement at the largest size) and the
interval table, each with its caption.

``records`` is the zoom's records frame (one row per run: n, fraction, seed, a column per
metric); ``intervals`` its interval frame (n, fraction, metric, mean, low, high, seeds).
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from littlehuman import curves
from littlehuman.plots.style import (COLORS, SEED_LINE, Panels, baseline_line, baseline_sentence,
                                     error_bars, metric_label, note_if_empty, resampled,
                                     span_line)
from littlehuman.plots.sweep import TAU_UNDEFINED, fraction_means, metric_agreement


# --------------------------------------------------------------------------- Figures 2, 6, 8, 12, 13
def figure(records: pd.DataFrame, intervals: pd.DataFrame, metric: str,
           title: str, baseline: float | None = None,
           span: tuple[int, float] | None = None) -> go.Figure:
    """Paper Figures 2, 6, 8, 12, 13: ``metric`` against the synthetic % (95-100), one panel
    per training-set size n (largest first); grey lines are seeds, the blue line the mean
    with its CI as error bars, the dotted line the majority ``baseline``, the dash-dotted one
    the random ``span`` (QA, ROUGE-1). No records: one empty panel saying so."""
    ns = sorted(records["n"].unique(), reverse=True)
    grid = Panels(len(ns), [f"n = {n:,}" for n in ns], shared_yaxes=True)
    fig = grid.fig
    for i, n in enumerate(ns, start=1):
        part = records[records["n"] == n]
        for seed, run in part.sort_values("fraction").groupby("seed"):
            fig.add_trace(go.Scatter(
                x=run["fraction"] * 100, y=run[metric], mode="lines+markers",
                line=dict(color=SEED_LINE, width=1), marker=dict(size=4), name=f"seed {seed}",
                legendgroup=f"seed {seed}", showlegend=i == 1), **grid.at(i))
        ci = intervals[(intervals["n"] == n) & (intervals["metric"] == metric)]
        ci = ci.sort_values("fraction")
        fig.add_trace(go.Scatter(
            x=ci["fraction"] * 100, y=ci["mean"], mode="lines+markers",
            line=dict(color=COLORS[0], width=3), name="mean over seeds (95% CI)",
            legendgroup="mean", showlegend=i == 1, error_y=error_bars(ci)), **grid.at(i))
        ticks = sorted(part["fraction"].unique() * 100)  # the measured ones, 97.5 among them
        fig.update_xaxes(title_text="synthetic %", tickvals=ticks,
                         ticktext=[f"{t:g}" for t in ticks], **grid.at(i))
    for i in range(1, len(ns) + 1):  # one y range: judged on every panel's data, so after
        baseline_line(fig, baseline, **grid.at(i), label=i == 1, shared=True)
        span_line(fig, span, **grid.at(i), label=i == 1, shared=True)
    note_if_empty(fig, not ns)
    return grid.layout(title, metric_label(metric))


def figure_title(name: str, metric: str) -> str:
    """'FEVER: Accuracy from 95% to 100% synthetic'."""
    return f"{name}: {metric_label(metric)} from 95% to 100% synthetic"


def figure_caption(name: str, n_seeds: int, n_test: int, n_runs: int, shared: int = 0,
                   baseline: float | None = None,
                   span: tuple[int, float] | None = None) -> str:
    """Caption of :func:`figure` (``n_runs``: the records' row count; ``shared``: how many of
    them are the sweep's own runs, :func:`~littlehuman.experiments.zoom.shared_with_sweep`)."""
    own = ("; all of them are the sweep's own runs" if shared == n_runs else
           "; 1 of them is the sweep's own run" if shared == 1 else
           f"; {shared} of them are the sweep's own runs")
    reused = (own + " (notebook 02), reused, with the same intervals as there"
              if shared else "")
    return (f"{name}: one panel per training-set size n. Grey lines are single seeds, the blue "
            f"line the mean over {curves.counted(n_seeds, 'seed')} with its 95% bootstrap interval "
            f"({resampled(n_seeds, n_test)}). Each point is one fine-tuning run "
            f"({n_runs} runs in all{reused})." + baseline_sentence(baseline, span))


# --------------------------------------------------------------------------- against n
def size_figure(intervals: pd.DataFrame, metrics: list[str], title: str) -> go.Figure:
    """Each metric (one panel each) against the training-set size n, one line per synthetic
    fraction, with the 95% CI as error bars."""
    grid = Panels(len(metrics), [metric_label(m) for m in metrics])
    fig = grid.fig
    fractions = sorted(intervals["fraction"].unique())
    sizes = sorted(intervals["n"].unique())
    # each fraction a little to the side, so that error bars at one n do not hide each other
    step = 0.012 * (sizes[-1] - sizes[0]) if len(sizes) > 1 else 0.0
    for i, m in enumerate(metrics, start=1):
        for j, f in enumerate(fractions):
            ci = intervals[(intervals["metric"] == m) & (intervals["fraction"] == f)]
            ci = ci.sort_values("n")
            fig.add_trace(go.Scatter(
                x=ci["n"] + (j - (len(fractions) - 1) / 2) * step, y=ci["mean"],
                customdata=ci["n"], mode="lines+markers", name=f"{f:.1%} synthetic",
                line=dict(color=COLORS[j % len(COLORS)], width=2), legendgroup=str(f),
                showlegend=i == 1, error_y=error_bars(ci),
                hovertemplate=f"{f:.1%} synthetic<br>n=%{{customdata:,}}<br>{m}=%{{y:.4f}}"
                              "<extra></extra>"), **grid.at(i))
        if sizes:
            fig.update_xaxes(tickvals=sizes, ticktext=[f"{int(n):,}" for n in sizes], **grid.at(i))
        fig.update_xaxes(title_text="training-set size n", **grid.at(i))
    note_if_empty(fig, not fractions)
    return grid.layout(title)


def one_size_sentence(intervals: pd.DataFrame) -> str:
    """What notebook 03 says instead of :func:`size_figure` when the zoom ran at one
    training-set size only (a figure against n would be one column of points)."""
    sizes = sorted(intervals["n"].unique())
    which = f"n = {int(sizes[0]):,}" if sizes else "none"
    return (f"*Score against n: the zoom ran at one training-set size only ({which}), so there "
            "is nothing to draw against n (the paper's profile repeats it at 1,000, 3,000 and "
            "5,000: `--zoom-sizes`).*")


def size_figure_caption(n_seeds: int, n_test: int) -> str:
    """Caption of :func:`size_figure`."""
    return (f"The same runs against the training-set size: one line per synthetic fraction, "
            f"the mean over {curves.counted(n_seeds, 'seed')} with its 95% bootstrap interval "
            f"({resampled(n_seeds, n_test)}), for every metric.")


# --------------------------------------------------------------------------- paired test
#: the key columns both halves of the paired table repeat
PAIRED_KEYS = ["n", "metric"]


def paired_tables(paired: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``experiments.zoom.paired`` as notebook 03 shows it, in two tables of at most nine
    columns, each keyed by n and metric: the difference (seeds, the two means, the mean
    difference with its 95% interval, the smallest difference detectable) and the seeds'
    tests (the seeds favouring each side, ties, sign p, sign-flip p, min p and which side
    more seeds favour). Every column is in one of them. In one table its sixteen columns
    were 978 px wide on FEVER's smoke run and 1,037 on ROPES's, so it scrolled sideways in
    JupyterLab's output area beside the file browser (room for 813 px at a 1280-px window,
    899 at 1366: ``bench/jupyterlab_walk.py``, 2026-12-06)."""
    tests = [c for c in paired.columns
             if c.endswith(" better") or c in ("ties", "seeds favouring")
             or c.endswith(" p")]
    difference = [c for c in paired.columns if c not in tests]
    keys = [c for c in PAIRED_KEYS if c in paired]
    return paired[difference], paired[keys + tests]


def _paired_seeds(n_seeds: int | Sequence[int]) -> str:
    """'3 seeds', or where the table's rows pair different numbers of seeds (a run missing at
    one fraction), 'the 2-3 seeds with both (column seeds)'."""
    counts = sorted({int(n) for n in n_seeds}) if isinstance(n_seeds, Sequence) else [n_seeds]
    if len(counts) <= 1:
        return curves.counted(counts[0] if counts else 0, "seed")
    return f"the {counts[0]}-{counts[-1]} seeds with both (column seeds)"


def paired_caption(n_seeds: int | Sequence[int]) -> str:
    """Caption of the first of :func:`paired_tables` (the difference); ``n_seeds``: the
    seeds of the zoom, or each row's (:func:`littlehuman.experiments.zoom.paired`'s seeds)."""
    return (f"Per n and metric: the mean over {_paired_seeds(n_seeds)} at 97.5% and 100% synthetic, "
            "their mean difference with its 95% interval (paired per test row within each "
            "seed, resampling seeds and rows) and the smallest difference this run could "
            "detect at 80% power.")


def paired_tests_caption(n_seeds: int | Sequence[int]) -> str:
    """Caption of the second of :func:`paired_tables` (the seeds' tests)."""
    return (f"The same pairs, seed by seed: the seeds favouring each side and the ties (of "
            f"{_paired_seeds(n_seeds)}), the exact sign test and the sign-flip test on "
            "the mean difference (both two-sided), and the smallest p these seeds allow.")


# --------------------------------------------------------------------------- Table 2
def largest_size(records: pd.DataFrame) -> pd.DataFrame:
    """The records of the largest training-set size n."""
    return records[records["n"] == records["n"].max()]


def agreement_table(records: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Table 2: :func:`~.sweep.metric_agreement` of the fractions at the largest n, on the
    means over seeds (empty with fewer than two fractions)."""
    return metric_agreement(fraction_means(largest_size(records), metrics), metrics)


def agreement_caption(records: pd.DataFrame, metrics: list[str], n_seeds: int,
                      n_test: int) -> str:
    """Caption of :func:`agreement_table` (the largest n and its fraction count from
    ``records``)."""
    largest = largest_size(records)
    return (f"n = {int(largest['n'].max())}: each metric's ranking of the "
            f"{largest['fraction'].nunique()} synthetic fractions by its mean over "
            f"{curves.counted(n_seeds, 'seed')} ({n_test:,} test rows), Kendall's tau against {metrics[0]}'s ranking, and "
            "whether it picks the same best and worst. " + TAU_UNDEFINED)


# --------------------------------------------------------------------------- the numbers
def intervals_table(intervals: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind the figures: n, synthetic %, metric, mean, '95% CI' as '[low, high]'
    (4 decimals) and the seed count, one row per interval."""
    ci = [f"[{low:.4f}, {high:.4f}]" for low, high in zip(intervals["low"], intervals["high"])]
    table = intervals.assign(**{"synthetic %": (intervals["fraction"] * 100).round(1),
                                "95% CI": pd.Series(ci, index=intervals.index)})
    return table[["n", "synthetic %", "metric", "mean", "95% CI", "seeds"]]


def intervals_caption(n_test: int) -> str:
    """Caption of :func:`intervals_table`."""
    return (f"The numbers behind the figures: per n, synthetic fraction and metric, the mean "
            f"over seeds and its 95% bootstrap interval (seeds and {n_test:,} test rows).")

