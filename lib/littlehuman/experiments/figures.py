"""The plotly figures of notebooks 03 (zoom) and 04 (trade-off)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from littlehuman.experiments.common import _finite
from littlehuman.experiments.tradeoff_runs import tradeoff_records
from littlehuman.pipeline import Experiment
from littlehuman.plots import METRIC_LABELS, SEED_LINE

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


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
