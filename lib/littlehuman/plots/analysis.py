"""Notebook 05 (synthetic against human data; paper Figures 4, 16, 17, 18): per measure of
:mod:`littlehuman.analysis` a histogram figure, its summary table, and their captions.

Each figure has one panel per field with the human and synthetic histograms overlaid, each
normalised to its own row count (as the authors' ``analysis.py``), the row count in the legend.
The frames are :func:`littlehuman.analysis.lengths` (``words``),
:func:`~littlehuman.analysis.extractiveness` (``bleu``) and
:func:`~littlehuman.analysis.positions` (``position``).
"""
from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from littlehuman.analysis import MIN_ROWS_FOR_P, SOURCES, counts, dropped, summary
from littlehuman.plots.style import SOURCE_COLORS, Panels, note_if_empty

_TEST_NOTE = ("a two-sided p-value of human against synthetic and its test: the Wilcoxon "
              "signed-rank test on each human row and its own twin (the same context), where "
              f"{MIN_ROWS_FOR_P} or more such pairs have the value, else Mann-Whitney U on the "
              f"two samples (– where a source has fewer than {MIN_ROWS_FOR_P} rows)")


def rows_note(frame: pd.DataFrame) -> str:
    """'human claim: 48 rows, synthetic claim: 47 rows; dropped: ...' for a caption."""
    kept = ", ".join(f"{s} {f}: {n} rows" for (s, f), n in counts(frame).items()) or "no rows"
    gone = dropped(frame)
    if gone.empty:
        return f"{kept}; none dropped"
    lost = ", ".join(f"{r.source} {r.field}: {r.rows} ({r.reason})" for r in gone.itertuples())
    return f"{kept}; dropped {lost}"


# --------------------------------------------------------------------------- lengths
def length_histogram_figure(words: pd.DataFrame, title: str) -> go.Figure:
    """Word counts of human against synthetic texts (Figures 4, 16): per field, about 40 bins
    of whole words up to its longest text (one word a bin for short answers, whose 1- and
    2-word counts a question's 90-word range would put in one bin)."""
    def bins(values: pd.Series) -> dict:
        top = int(values.max()) if len(values) else 1
        size = max(1, math.ceil((top + 1) / 40))
        return dict(start=-0.5, end=top + size, size=size)

    return _histograms(words, "words", title, "words", bins)


def length_histogram_caption(words: pd.DataFrame, fields: list[str]) -> str:
    """Caption of :func:`length_histogram_figure`."""
    return (f"Word counts of {', '.join(fields)} per source, each histogram normalised to its "
            f"own rows ({rows_note(words)}).")


def length_table(words: pd.DataFrame) -> pd.DataFrame:
    """Word counts per field and source (:func:`littlehuman.analysis.summary`)."""
    return summary(words, "words")


def length_table_caption() -> str:
    """Caption of :func:`length_table`."""
    return (f"Word counts per field and source: rows, mean, median, quartiles, IQR, and "
            f"{_TEST_NOTE}.")


# --------------------------------------------------------------------------- extractiveness
def bleu_figure(extractive: pd.DataFrame, title: str) -> go.Figure:
    """Max sentence BLEU against the context (Figure 17), bins of 5 from 0 to 100."""
    return _histograms(extractive, "bleu", title, "max sentence BLEU (0-100)",
                       dict(start=-2.5, end=102.5, size=5))


def bleu_caption(extractive: pd.DataFrame) -> str:
    """Caption of :func:`bleu_figure`."""
    return ("Maximum sentence-level BLEU (0-100; 13a tokens, no smoothing, the authors' rule "
            "for references of <= 3 tokens) of each text against the sentences of its context "
            f"({rows_note(extractive)}).")


def bleu_table(extractive: pd.DataFrame) -> pd.DataFrame:
    """Maximum sentence BLEU per field and source (:func:`littlehuman.analysis.summary`)."""
    return summary(extractive, "bleu")


def bleu_table_caption() -> str:
    """Caption of :func:`bleu_table`."""
    return f"Maximum sentence BLEU per field and source, with {_TEST_NOTE}."


# --------------------------------------------------------------------------- positions
def position_figure(where: pd.DataFrame, title: str) -> go.Figure:
    """Relative position of the best-matching sentence (Figure 18), bins of 0.1."""
    return _histograms(where, "position", title,
                       "relative position (0 = first sentence, 1 = last)",
                       dict(start=-0.05, end=1.05, size=0.1))


def position_caption(where: pd.DataFrame) -> str:
    """Caption of :func:`position_figure`."""
    return ("Position of the context sentence with the highest BLEU, per field and source "
            f"({rows_note(where)}).")


def position_table(where: pd.DataFrame) -> pd.DataFrame:
    """Relative position per field and source (:func:`littlehuman.analysis.summary`)."""
    return summary(where, "position")


def position_table_caption() -> str:
    """Caption of :func:`position_table`."""
    return f"Relative position per field and source, with {_TEST_NOTE}."


def _histograms(frame: pd.DataFrame, value: str, title: str, x_title: str,
                bins: dict | Callable[[pd.Series], dict]) -> go.Figure:
    """One panel per field, human and synthetic overlaid; ``bins``: plotly's ``xbins``, or a
    function of the field's values (both sources) giving them."""
    fields = list(dict.fromkeys(frame["field"]))
    grid = Panels(len(fields), fields, panel_width=420)
    fig = grid.fig
    n = counts(frame)
    for i, field in enumerate(fields, start=1):
        field_bins = bins(frame.loc[frame["field"] == field, value]) if callable(bins) else bins
        for source in SOURCES:
            values = frame.loc[(frame["field"] == field) & (frame["source"] == source), value]
            fig.add_trace(go.Histogram(
                x=values, xbins=field_bins, histnorm="probability",
                name=f"{source} {field} (n={n[(source, field)]})",
                marker_color=SOURCE_COLORS[source], opacity=0.6, legendgroup=source,
            ), **grid.at(i))
        fig.update_xaxes(title_text=x_title, **grid.at(i))
    note_if_empty(fig, not fields)
    fig.update_layout(barmode="overlay")
    return grid.layout(title, "share of rows")
