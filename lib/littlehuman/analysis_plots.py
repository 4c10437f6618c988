"""Figures and caption text for :mod:`littlehuman.analysis` (paper Figures 4, 16, 17, 18).

Each figure has one panel per field with the human and synthetic histograms overlaid, each
normalised to its own row count (as the authors' ``analysis.py``), the row count in the legend.
Show them with ``plots.show`` and caption them with ``plots.caption(rows_note(frame))``.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from littlehuman.analysis import SOURCES, counts, dropped

COLORS = {"human": "#1f77b4", "synthetic": "#ff7f0e"}


def length_figure(frame: pd.DataFrame, title: str) -> go.Figure:
    """Word counts (``analysis.lengths``) of human against synthetic texts (Figures 4, 16)."""
    top = int(frame["words"].max()) if len(frame) else 1
    size = max(1, math.ceil((top + 1) / 40))
    return _histograms(frame, "words", title, "words", dict(start=-0.5, end=top + size, size=size))


def bleu_figure(frame: pd.DataFrame, title: str) -> go.Figure:
    """Max sentence BLEU against the context (``analysis.extractiveness``; Figure 17)."""
    return _histograms(frame, "bleu", title, "max sentence BLEU (0-100)",
                       dict(start=-2.5, end=102.5, size=5))


def position_figure(frame: pd.DataFrame, title: str) -> go.Figure:
    """Relative position of the best-matching sentence (``analysis.positions``; Figure 18)."""
    return _histograms(frame, "position", title, "relative position (0 = first sentence, 1 = last)",
                       dict(start=-0.05, end=1.05, size=0.1))


def rows_note(frame: pd.DataFrame) -> str:
    """'human claim: 48 rows, synthetic claim: 47 rows; dropped: ...' for a caption."""
    kept = ", ".join(f"{s} {f}: {n} rows" for (s, f), n in counts(frame).items()) or "no rows"
    gone = dropped(frame)
    if gone.empty:
        return f"{kept}; none dropped"
    lost = ", ".join(f"{r.source} {r.field}: {r.rows} ({r.reason})" for r in gone.itertuples())
    return f"{kept}; dropped {lost}"


def _histograms(frame: pd.DataFrame, value: str, title: str, x_title: str,
                bins: dict) -> go.Figure:
    fields = list(dict.fromkeys(frame["field"]))
    fig = make_subplots(rows=1, cols=max(1, len(fields)), subplot_titles=fields or None)
    n = counts(frame)
    for i, field in enumerate(fields, start=1):
        for source in SOURCES:
            values = frame.loc[(frame["field"] == field) & (frame["source"] == source), value]
            fig.add_trace(go.Histogram(
                x=values, xbins=bins, histnorm="probability",
                name=f"{source} {field} (n={n[(source, field)]})", marker_color=COLORS[source],
                opacity=0.6, legendgroup=source,
            ), row=1, col=i)
        fig.update_xaxes(title_text=x_title, row=1, col=i)
    if not fields:
        fig.add_annotation(text="no rows to show", showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper")
    fig.update_yaxes(title_text="share of rows", row=1, col=1)
    fig.update_layout(title=title, barmode="overlay", height=380,
                      width=max(520, 420 * len(fields)), template="plotly_white",
                      legend=dict(orientation="h", y=-0.25))
    return fig
