"""The figures and tables the notebooks show, in plotly, each with a caption.

A figure function returns a ``plotly.graph_objects.Figure``; a table function returns a
DataFrame. :func:`caption` renders the one-paragraph caption every figure and table carries.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

METRIC_LABELS = {
    "accuracy": "Accuracy",
    "exact_match": "Exact match",
    "inclusion": "Inclusion",
    "reverse_inclusion": "Reverse inclusion",
    "bleu": "BLEU",
    "rouge1": "ROUGE-1",
    "bertscore_f1": "BERTScore F1",
}
BAND = "rgba(31, 119, 180, 0.18)"
SEED_LINE = "rgba(120, 120, 120, 0.55)"


def sweep_table(records: pd.DataFrame, metrics: list[str],
                intervals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per synthetic fraction and metric: mean, std, min and max over seeds, the seed count,
    and with ``intervals`` (``Experiment.intervals``) the 95% bootstrap CI."""
    g = records.groupby("fraction")
    parts = {"seeds": g["seed"].nunique()}
    for m in metrics:
        parts[f"{m} mean"] = g[m].mean()
        if intervals is not None:
            ci = intervals[intervals["metric"] == m].set_index("fraction")
            parts[f"{m} 95% CI"] = ci.apply(lambda r: f"[{r['low']:.3f}, {r['high']:.3f}]", axis=1)
        parts[f"{m} std"] = g[m].std(ddof=1)
        parts[f"{m} min"] = g[m].min()
        parts[f"{m} max"] = g[m].max()
    out = pd.DataFrame(parts).reset_index()
    out.insert(1, "synthetic %", (out["fraction"] * 100).round(1))
    return out


def sweep_figure(records: pd.DataFrame, metrics: list[str], title: str,
                 intervals: pd.DataFrame | None = None) -> go.Figure:
    """The paper's Figure 1: each metric against the synthetic fraction.

    Thin grey lines are single seeds, the thick line their mean; the band is the 95%
    bootstrap CI over seeds and test examples when ``intervals`` is given, else the min-max
    over seeds.
    """
    fig = make_subplots(rows=1, cols=len(metrics),
                        subplot_titles=[METRIC_LABELS.get(m, m) for m in metrics])
    band_name = "95% CI (seeds x test rows)" if intervals is not None else "min-max over seeds"
    for i, m in enumerate(metrics, start=1):
        for seed, run in records.sort_values("fraction").groupby("seed"):
            fig.add_trace(go.Scatter(
                x=run["fraction"] * 100, y=run[m], mode="lines+markers",
                line=dict(color=SEED_LINE, width=1), marker=dict(size=4),
                name=f"seed {seed}", legendgroup=f"seed {seed}", showlegend=i == 1,
                hovertemplate=f"seed {seed}<br>%{{x:.1f}}% synthetic<br>{m}=%{{y:.4f}}<extra></extra>",
            ), row=1, col=i)
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
        ), row=1, col=i)
        fig.add_trace(go.Scatter(
            x=x, y=stats["mean"], mode="lines+markers", line=dict(color="#1f77b4", width=3),
            name="mean over seeds", legendgroup="mean", showlegend=i == 1,
        ), row=1, col=i)
        fig.update_xaxes(title_text="synthetic %", row=1, col=i)
    fig.update_layout(title=title, height=380, width=max(520, 330 * len(metrics)),
                      template="plotly_white", legend=dict(orientation="h", y=-0.25))
    return fig


def label_balance(real: pd.DataFrame, synthetic: pd.DataFrame) -> pd.DataFrame:
    """Share of each label among the real rows and their synthetic twins (FV)."""
    out = pd.DataFrame({
        "real": real["label"].value_counts(normalize=True),
        "synthetic": synthetic["label"].value_counts(normalize=True),
    }).fillna(0.0)
    out.index = out.index.map({1: "True (1)", 0: "Untrue (0)"})
    return out.rename_axis("label")


def label_balance_figure(balance: pd.DataFrame, title: str) -> go.Figure:
    fig = go.Figure([go.Bar(name=col, x=balance.index, y=balance[col]) for col in balance.columns])
    fig.update_layout(barmode="group", title=title, yaxis_title="share of rows", height=340,
                      width=520, template="plotly_white")
    return fig


def length_figure(real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str],
                  title: str) -> go.Figure:
    """Word-length distributions of real against synthetic targets (box plots)."""
    fig = go.Figure()
    for col in columns:
        for origin, df in (("real", real), ("synthetic", synthetic)):
            fig.add_trace(go.Box(y=df[col].str.split().str.len(), name=f"{col} ({origin})",
                                 boxmean=True))
    fig.update_layout(title=title, yaxis_title="words", height=360, template="plotly_white")
    return fig


_PLOTLYJS_SENT = False


def show(fig: go.Figure) -> None:
    """Display a figure as self-contained HTML (plotly.js inlined once per kernel).

    This renders in Jupyter, in papermill outputs and in nbconvert's HTML without a CDN
    (no internet needed to read a report).
    """
    global _PLOTLYJS_SENT
    from IPython.display import HTML, display

    display(HTML(fig.to_html(full_html=False, include_plotlyjs=not _PLOTLYJS_SENT,
                             config={"displaylogo": False})))
    _PLOTLYJS_SENT = True


def caption(text: str):
    """An IPython Markdown caption (rendered under a figure or table in the report)."""
    from IPython.display import Markdown

    return Markdown(f"*{text}*")
