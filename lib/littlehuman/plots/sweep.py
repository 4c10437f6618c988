"""Notebook 02 (the replacement sweep): the paper's Figure 1 with the table behind it, and
Table 1 (do the QA metrics rank the synthetic fractions alike?), each with its caption.

``records`` is the sweep's records frame (one row per run: fraction, seed, a column per
metric); ``intervals`` its interval frame (fraction, metric, mean, low, high, seeds).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from littlehuman import curves
from littlehuman.plots.style import (BAND, COLORS, SEED_LINE, Panels, baseline_line,
                                     baseline_sentence, metric_label, resampled,
                                     span_line)

#: shown instead of the agreement table when a task has a single metric (FV)
ONE_METRIC_NOTE = "FV is scored by accuracy alone: nothing to compare."
#: what an agreement table's missing tau means (said in its caption)
TAU_UNDEFINED = ("Kendall's tau is missing where it is undefined: one of the two metrics has the "
                 "same mean at every fraction, so there is no order to compare.")


# --------------------------------------------------------------------------- Figure 1
def figure(records: pd.DataFrame, metrics: list[str], title: str,
           intervals: pd.DataFrame | None = None,
           baseline: dict[str, float] | None = None,
           span: tuple[int, float] | None = None) -> go.Figure:
    """The paper's Figure 1: one panel per metric against the synthetic %.

    Thin grey lines are single seeds, the thick line their mean; the band is the 95%
    bootstrap CI over seeds and test examples when ``intervals`` is given, else the min-max
    over seeds; a dotted line marks the majority ``baseline`` of each metric when given, and
    a dash-dotted one on ROUGE-1 the random ``span`` (QA:
    :func:`littlehuman.experiments.grid.span_baseline`).
    """
    grid = Panels(len(metrics), [metric_label(m) for m in metrics])
    fig = grid.fig
    band_name = "95% CI (seeds x test rows)" if intervals is not None else "min-max over seeds"
    for i, m in enumerate(metrics, start=1):
        for seed, run in records.sort_values("fraction").groupby("seed"):
            fig.add_trace(go.Scatter(
                x=run["fraction"] * 100, y=run[m], mode="lines+markers",
                line=dict(color=SEED_LINE, width=1), marker=dict(size=4),
                name=f"seed {seed}", legendgroup=f"seed {seed}", showlegend=i == 1,
                hovertemplate=f"seed {seed}<br>%{{x:.1f}}% synthetic<br>{m}=%{{y:.4f}}<extra></extra>",
            ), **grid.at(i))
        stats = records.groupby("fraction")[m].agg(["mean", "min", "max"]).reset_index()
        if intervals is not None:
            ci = intervals[intervals["metric"] == m].set_index("fraction")
            stats["min"] = stats["fraction"].map(ci["low"])
            stats["max"] = stats["fraction"].map(ci["high"])
        x = stats["fraction"] * 100
        fig.add_trace(go.Scatter(
            x=np.concatenate([x, x[::-1]]), y=np.concatenate([stats["max"], stats["min"][::-1]]),
            mode="lines", fill="toself", fillcolor=BAND, line=dict(width=0), hoverinfo="skip",
            name=band_name, legendgroup="band", showlegend=i == 1,
        ), **grid.at(i))
        fig.add_trace(go.Scatter(
            x=x, y=stats["mean"], mode="lines+markers", line=dict(color=COLORS[0], width=3),
            name="mean over seeds", legendgroup="mean", showlegend=i == 1,
        ), **grid.at(i))
        baseline_line(fig, (baseline or {}).get(m), **grid.at(i), label=i == 1)
        span_line(fig, span if m == "rouge1" else None, **grid.at(i), label=True)
        fig.update_xaxes(title_text="synthetic %", **grid.at(i))
    return grid.layout(title)


def figure_caption(name: str, n: int, n_seeds: int, n_test: int,
                   baseline: float | None = None,
                   span: tuple[int, float] | None = None) -> str:
    """Caption of :func:`figure` (``n`` training rows, ``n_test`` human test rows, the
    majority ``baseline`` it draws, and the random ``span`` (:func:`littlehuman.experiments.grid.span_baseline`))."""
    return (f"{name}, n = {n}: each grey line is one seed, the blue line the mean over "
            f"{curves.counted(n_seeds, 'seed')}, the band its 95% bootstrap interval "
            f"({resampled(n_seeds, n_test)}). "
            "Every point is one fine-tuning run." + baseline_sentence(baseline, span))


# --------------------------------------------------------------------------- its numbers
def table(records: pd.DataFrame, metrics: list[str],
          intervals: pd.DataFrame | None = None) -> pd.DataFrame:
    """The numbers behind :func:`figure`, one row per synthetic % and metric (long, so six QA
    metrics read down the page, not across it; each metric's fractions together, its curve
    read down the rows): the seed count, the mean, the 95% bootstrap CI as '[low, high]'
    (with ``intervals``), and the std, min and max over seeds."""
    g = records.groupby("fraction")
    parts = []
    for m in metrics:
        part = pd.DataFrame({"metric": m, "seeds": g["seed"].nunique(), "mean": g[m].mean()})
        if intervals is not None:
            ci = intervals[intervals["metric"] == m].set_index("fraction")
            part["95% CI"] = ci.apply(lambda r: f"[{r['low']:.3f}, {r['high']:.3f}]", axis=1)
        part["std"], part["min"], part["max"] = g[m].std(ddof=1), g[m].min(), g[m].max()
        parts.append(part.reset_index())
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["fraction"])
    out.insert(0, "synthetic %", (out.pop("fraction") * 100).round(1))
    return out  # the metrics in the order given, each by synthetic %


def table_caption(n_seeds: int, n_test: int) -> str:
    """Caption of :func:`table`."""
    return (f"The numbers behind the figure: per synthetic fraction, the mean over "
            f"{curves.counted(n_seeds, 'seed')}, its 95% bootstrap interval ({resampled(n_seeds, n_test)}), and the "
            "standard deviation, min and max over seeds.")


# --------------------------------------------------------------------------- Table 1
def metric_agreement(means: pd.DataFrame, metrics: list[str], by: str = "fraction") -> pd.DataFrame:
    """Do the metrics rank the settings (e.g. synthetic fractions) the same way? (The paper's
    Tables 1 and 2 for QA.) ``means`` holds one row per setting ``by`` with a column per
    metric (means over seeds). One row per metric: its ranking of the settings (best first),
    Kendall's tau against the first metric's ranking, and whether it picks the same best and
    worst setting. Fewer than two settings: an empty table."""
    from scipy.stats import kendalltau

    have = [m for m in metrics if m in means.columns]
    frame = means.set_index(by)[have].sort_index()
    columns = ["metric", "ranking (best first)", "Kendall tau vs " + (have[0] if have else ""),
               "same best", "same worst"]
    if len(frame) < 2 or not have:
        return pd.DataFrame(columns=columns)
    ref = frame[have[0]]
    shown = (lambda x: f"{100 * x:g}%") if by == "fraction" else (lambda x: f"{x:g}")
    rows = []
    for m in have:
        col = frame[m]
        tau = kendalltau(ref.to_numpy(), col.to_numpy()).statistic
        rows.append([m, _ranking(col, shown), None if pd.isna(tau) else round(float(tau), 3),
                     _same_end(col, ref, max), _same_end(col, ref, min)])
    return pd.DataFrame(rows, columns=columns)


_TIE = 1e-12  # means this close are one score (a helper's own QA file: EM 0.000 everywhere)


def _ranking(col: pd.Series, shown: Any) -> str:
    """'0% > 50% = 90% > 100%': the settings best first, '=' between tied scores; 'all tied'."""
    order = col.sort_values(ascending=False, kind="stable")
    if order.iloc[0] - order.iloc[-1] <= _TIE:
        return "all tied"
    out = shown(order.index[0])
    for prev, (setting, value) in zip(order.to_numpy(), order.iloc[1:].items()):
        out += (" = " if prev - value <= _TIE else " > ") + shown(setting)
    return out


def _same_end(col: pd.Series, ref: pd.Series, end: Any) -> bool | None:
    """Whether ``col`` puts the same settings at its ``end`` (max: best, min: worst) as
    ``ref``, ties included; None where either scores every setting alike (no end to pick)."""
    if min(c.max() - c.min() for c in (col, ref)) <= _TIE:
        return None
    return set(col.index[(col - end(col)).abs() <= _TIE]) == \
        set(ref.index[(ref - end(ref)).abs() <= _TIE])


def agreement_sentence(table: pd.DataFrame) -> str:
    """Markdown under a metric-agreement table: how far the metrics agree here, beside the
    paper's "overwhelming agreement" (Tables 1-2), so a disagreement is not left for the
    reader to spot; "" for an empty table."""
    if table.empty or len(table) < 2:
        return ""
    tau, first = table.columns[2], table.iloc[0]["metric"]
    if table.iloc[0]["ranking (best first)"] == "all tied":
        return (f"**Against the paper** (overwhelming agreement between the QA metrics): "
                f"{first} scores every setting alike, so there is no ranking to agree on.")
    tied = table.iloc[1:][table.iloc[1:]["ranking (best first)"] == "all tied"]
    others = table.iloc[1:][table.iloc[1:]["ranking (best first)"] != "all tied"]
    one = "s" if len(tied) == 1 else ""
    alike = (f" ({', '.join(tied['metric'])} score{one} every setting alike and rank{one} "
             "nothing)" if len(tied) else "")
    if others.empty:
        return (f"**Against the paper** (overwhelming agreement between the QA metrics): every "
                f"other metric scores every setting alike, so only {first} ranks the "
                "settings.")
    lowest = others.loc[others[tau].astype(float).fillna(float("inf")).idxmin()] \
        if others[tau].notna().any() else None
    same_best = int(others["same best"].sum())
    said = (f"the lowest Kendall tau is {lowest[tau]:+.2f} ({lowest['metric']})"
            if lowest is not None else "Kendall's tau is undefined for every metric")
    high_tau = lowest is not None and float(lowest[tau]) >= 0.6
    best = (f"all {len(others)} other metrics pick {table.iloc[0]['metric']}'s best setting"
            if same_best == len(others) else
            f"{same_best} of {len(others)} other metrics pick {table.iloc[0]['metric']}'s best "
            "setting")
    verdict = ("they agree" if high_tau and same_best == len(others) else
               "they agree on the best but order the rest differently"
               if same_best == len(others) else "they do not all agree")
    return (f"**Against the paper** (overwhelming agreement between the QA metrics): {best}"
            f"{alike}, and {said}: {verdict}. Settings whose intervals overlap are ranked by "
            "noise as much as by the data, so a low tau there says little.")


def fraction_means(records: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """One row per synthetic fraction: each metric's mean over seeds."""
    return records.groupby("fraction")[metrics].mean().reset_index()


def agreement_table(records: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Table 1: :func:`metric_agreement` of the sweep's fractions, on the means over seeds."""
    return metric_agreement(fraction_means(records, metrics), metrics)


def agreement_caption(records: pd.DataFrame, metrics: list[str], n_seeds: int,
                      n_test: int) -> str:
    """Caption of :func:`agreement_table` (the fraction count from ``records``)."""
    return (f"Each metric's ranking of the {records['fraction'].nunique()} synthetic fractions "
            f"by its mean over {curves.counted(n_seeds, 'seed')} ({n_test:,} test rows), Kendall's tau against "
            f"{metrics[0]}'s ranking, and whether it picks the same best and worst fraction. "
            + TAU_UNDEFINED)
