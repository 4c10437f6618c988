"""Shared styling of every figure and table, and how a notebook displays them.

:func:`show` displays a figure as self-contained HTML (plotly.js inlined once per kernel, so a
report reads without a CDN); :func:`caption` renders the one-paragraph caption every figure
and table carries. The colours, metric names and the error-bar helper are shared by the
notebook modules (:mod:`.generate`, :mod:`.sweep`, :mod:`.zoom`, :mod:`.tradeoff`,
:mod:`.analysis`).
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from littlehuman.metrics import METRIC_LABELS

#: the line colours, in order (plotly's default palette): blue for means and fits, red
#: (``COLORS[3]``) for the human points
COLORS: tuple[str, ...] = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
#: the colour of each source in the human-against-synthetic histograms
SOURCE_COLORS: dict[str, str] = {"human": COLORS[0], "synthetic": COLORS[1]}
#: a single seed's line or point
SEED_LINE = "rgba(120, 120, 120, 0.55)"
#: the filled interval band around a mean line
BAND = "rgba(31, 119, 180, 0.18)"
#: the look of every figure
TEMPLATE = "plotly_white"


def metric_label(metric: str) -> str:
    """'ROUGE-1 F' for 'rouge1' (``metrics.METRIC_LABELS``); an unknown metric keeps its own name."""
    return METRIC_LABELS.get(metric, metric)


def note_if_empty(fig: go.Figure, empty: bool) -> None:
    """Write "no rows to show" across a figure that has nothing to draw."""
    if empty:
        fig.add_annotation(text="no rows to show", showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper")


def panel_row_layout(fig: go.Figure, title: str, panels: int, panel_width: int = 330,
                     height: int = 380, legend_y: float = -0.25) -> None:
    """The layout of a figure with one row of ``panels`` side by side: the title, a width that
    grows with the panels, the template and the legend beneath."""
    fig.update_layout(title=title, height=height, width=max(520, panel_width * panels),
                      template=TEMPLATE, legend=dict(orientation="h", y=legend_y))


def error_bars(ci: pd.DataFrame) -> dict[str, Any]:
    """Asymmetric error bars from an interval frame's ``mean``, ``low`` and ``high``."""
    return dict(type="data", symmetric=False, array=ci["high"] - ci["mean"],
                arrayminus=ci["mean"] - ci["low"])


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
