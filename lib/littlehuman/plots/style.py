"""Shared styling of every figure and table, and how a notebook displays them.

:func:`show` displays a figure as self-contained HTML (plotly.js inlined once per kernel, so a
report reads without a CDN); :func:`caption` renders the one-paragraph caption every figure
and table carries. The colours, metric names and the error-bar helper are shared by the
notebook modules (:mod:`.generate`, :mod:`.sweep`, :mod:`.zoom`, :mod:`.tradeoff`,
:mod:`.analysis`).
"""
from __future__ import annotations

import functools
import html
import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from littlehuman.families import at_floor
from littlehuman.findings import fmt_points, median_answer_length
from littlehuman.metrics import METRIC_LABELS

if TYPE_CHECKING:
    from IPython.display import Markdown
    from pandas.io.formats.style import Styler

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


#: the widest a figure of panels is drawn, in pixels. A notebook cell's output area in
#: JupyterLab's default layout (the file browser open, 250 px) is the window less 447 px
#: (JupyterLab 4.6: 833 px at a 1280-px window, 919 at 1366, 993 at 1440); a figure wider
#: scrolls sideways there. ROPES's sweep, six panels of 330 px in two rows, was 990 px and
#: scrolled at 1366 (seen in JupyterLab, 2026-12-06); the trade-off's and the advisor's
#: panels (360 and 380 px), three bases to a row, would have been 1,080 and 1,140. Three
#: panels to a row keep 220 px of plotting width each (232 on a shared y axis): room for a
#: baseline's note at a panel's foot ('majority baseline 0.000, below this axis', 219 px)
MAX_WIDTH = 830
#: panels side by side before a figure wraps onto another row (:func:`columns`)
PANELS_PER_ROW = 3
#: a panel figure's left and right margins (plotly's default 80 each; nothing is drawn in
#: the right one, the legend lies beneath): what a narrower figure keeps for its panels. The
#: template's ``automargin`` widens them where an axis title or tick labels need it
SIDE_MARGINS = dict(l=50, r=20)
#: the gap between two panels of a row, a share of the plotting area over the columns:
#: plotly's default (0.2, about 50 px in three columns) where each panel has its own y axis,
#: whose tick labels stand in the gap; half that where the panels share one (no labels there)
_COLUMN_GAP = {False: 0.2, True: 0.1}
#: the pixels between two rows of panels: room for the x-axis title and the next row's titles
_ROW_GAP_PX = 110
#: the pixels of a figure that are not its plotting area (plotly's default top and bottom margins)
_MARGINS_PX = 180


def columns(count: int) -> int:
    """How many of ``count`` panels sit side by side: all of them up to
    :data:`PANELS_PER_ROW`, four as two rows of two (not three and one), more in rows of
    :data:`PANELS_PER_ROW`."""
    return 2 if count == 4 else max(1, min(count, PANELS_PER_ROW))


class Panels:
    """A figure of ``count`` equal panels (at least one), :func:`columns` of them to a row,
    never wider than :data:`MAX_WIDTH`. ``at(i)`` gives panel ``i``'s (1-based) ``row``/``col``
    keywords for plotly's ``add_trace``, ``update_xaxes`` and the like; :meth:`layout` sizes
    the figure by its panels and rows, names the y axis on each row and puts the legend
    beneath.

    ``panel_width``: the width each panel asks for; a row that would be wider than
    :data:`MAX_WIDTH` shares that among its panels instead. ``height`` is the height of a
    one-row figure; each further row adds its plotting area and a gap, so a panel is as tall
    in two rows as in one. ``shared_yaxes``: one y range for all panels (ticks on each row's
    first).
    """

    def __init__(self, count: int, titles: list[str] | None = None, shared_yaxes: bool = False,
                 panel_width: int = 330, height: int = 380) -> None:
        from plotly.subplots import make_subplots

        self.count = max(1, count)
        self.cols = columns(self.count)
        self.rows = -(-self.count // self.cols)
        self.panel_width, self.row_height = panel_width, height
        self.width = min(MAX_WIDTH, max(520, panel_width * self.cols))
        area = height - _MARGINS_PX
        self.height = height + (self.rows - 1) * (area + _ROW_GAP_PX)
        spacing = _ROW_GAP_PX / (self.height - _MARGINS_PX) if self.rows > 1 else 0.3
        self.shared = shared_yaxes
        self.fig = make_subplots(rows=self.rows, cols=self.cols, subplot_titles=titles or None,
                                 shared_yaxes="all" if shared_yaxes else False,
                                 vertical_spacing=spacing,
                                 horizontal_spacing=_COLUMN_GAP[shared_yaxes] / self.cols)

    def at(self, i: int) -> dict[str, int]:
        """``dict(row=..., col=...)`` of panel ``i`` (1-based, filled row by row)."""
        return dict(row=(i - 1) // self.cols + 1, col=(i - 1) % self.cols + 1)

    def layout(self, title: str | None, y_title: str | None = None, legend_y: float = -0.25) -> go.Figure:
        """Title, size, template and the legend beneath (``legend_y``: its offset as a share of
        a one-row figure's plotting area, kept in pixels whatever the rows); ``y_title`` on the
        first panel of every row. Returns the figure."""
        if y_title:
            for row in range(1, self.rows + 1):
                self.fig.update_yaxes(title_text=y_title, row=row, col=1)
        self._pin_flat_y()
        scale = (self.row_height - _MARGINS_PX) / (self.height - _MARGINS_PX)
        self.fig.update_layout(title=title, height=self.height, width=self.width,
                               margin=SIDE_MARGINS, template=TEMPLATE,
                               legend=dict(orientation="h", y=legend_y * scale))
        return self.fig

    def _pin_flat_y(self) -> None:
        """A y range of :data:`FLAT_PAD` either side of a panel whose lines and points are
        flat (every y within :data:`FLAT` of the others, error bars included): left to plotly,
        runs that all score 0.47916666666666674 or 0.4791666666666667 (a float's last bit)
        drew a y axis 6e-17 tall, its tick labels printed over each other and the points
        pinned to its top (notebook 06 on FEVER's smoke runs, seen in JupyterLab 2026-12-06).
        Panels with bars, boxes or histograms are left to plotly."""
        if any(not isinstance(t, go.Scatter) for t in self.fig.data):
            return
        spans = panel_spans(self.fig, self.shared)  # one pass, not one per panel
        for i in range(1, self.count + 1):
            at = self.at(i)
            span = spans.get(None if self.shared else _y_ref(self.fig, **at))
            if span is None:
                continue
            pad = flat_pad(*span)
            if pad is not None:
                mid = sum(span) / 2
                self.fig.update_yaxes(range=[mid - pad, mid + pad], **at)


#: a panel whose y values all lie within this (times the larger of 1 and their size) is flat:
#: :meth:`Panels.layout` gives it a y range of its own, :data:`FLAT_PAD` either side
FLAT = 1e-9
FLAT_PAD = 0.05


def flat_pad(lo: float, hi: float) -> float | None:
    """How far either side of its data :meth:`Panels.layout` draws a flat panel's y axis
    (:data:`FLAT`, :data:`FLAT_PAD`, times the larger of 1 and the data's size); None where
    the data spread wider, and plotly sets the range."""
    scale = max(1.0, abs(lo), abs(hi))
    return FLAT_PAD * scale if hi - lo <= FLAT * scale else None

#: the colour of the majority baseline
BASELINE = "#7f7f7f"


def resampled(n_seeds: int, n_test: int) -> str:
    """What a report's 95% bootstrap interval resamples, for its caption. With one seed it
    resamples test rows alone: the spread between seeds, often the larger part, is unseen; with
    2-3 the caption says their spread is itself uncertain (at the paper's scale in simulation a
    loss's interval missed the truth, its three seeds 2 rows of 1,688 apart)."""
    if n_seeds == 1:
        return (f"resampling the {n_test:,} human test rows of the one seed only: the spread "
                "between seeds is unseen, so the interval is too narrow; run more seeds")
    few = ("; with so few seeds their spread is itself uncertain: seeds that agree by chance "
           "make an interval too narrow" if n_seeds <= 3 else "")
    return f"resampling the {n_seeds} seeds and the {n_test:,} human test rows{few}"


def error_bars(ci: pd.DataFrame) -> dict[str, Any]:
    """Asymmetric error bars from an interval frame's ``mean``, ``low`` and ``high``."""
    return dict(type="data", symmetric=False, array=ci["high"] - ci["mean"],
                arrayminus=ci["mean"] - ci["low"])


_PLOTLYJS_SENT = False

#: set to "1" in the kernels ``run_all.py`` starts for the reports
#: (:func:`littlehuman.report.kernel_environment`): only those inline plotly.js
REPORT_KERNEL_ENV = "LITTLEHUMAN_REPORT_KERNEL"

#: the figure's own JSON, which JupyterLab and VS Code draw with their plotly renderer
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"


def show(fig: go.Figure) -> None:
    """Display a figure twice over, as one output: HTML, which nbconvert's HTML reports use,
    and the figure's JSON (:data:`PLOTLY_MIMETYPE`), which JupyterLab and VS Code draw
    without running a script: so an executed notebook in ``outputs/``, untrusted as
    papermill leaves it (Lab drops an untrusted output's scripts), still shows its figures.

    In a report's kernel (``run_all.py``: :data:`REPORT_KERNEL_ENV`) the HTML is
    self-contained, plotly.js inlined once per kernel, so a report needs no CDN (no internet
    to read it). In a user's own kernel (JupyterLab's "Run All") the HTML loads plotly.js
    from its CDN instead: Lab draws the JSON, saving the notebook would otherwise write 5 MB
    of plotly.js into it (seen 2026-12-03: the committed 02_replacement_sweep.ipynb grew to
    5.06 MB), and Lab's "Export as HTML" still draws the figures where there is internet.
    """
    global _PLOTLYJS_SENT
    import json
    import os

    from IPython.display import display

    config = {"displaylogo": False}
    report = os.environ.get(REPORT_KERNEL_ENV) == "1"
    inline = report and not _PLOTLYJS_SENT
    plotlyjs: bool | str = inline if report else "cdn"
    page = fig.to_html(full_html=False, include_plotlyjs=plotlyjs,
                       config=dict(config))  # to_html adds to the dict it is given
    data = {**json.loads(fig.to_json()), "config": config}
    display({"text/html": page, PLOTLY_MIMETYPE: data}, raw=True)
    _PLOTLYJS_SENT = _PLOTLYJS_SENT or inline


#: how a missing value (None, NaN) reads in a table
MISSING = "–"


#: a p-value's column: 'p', 'sign p', 'sign-flip p', 'min p'
_P_COLUMN = re.compile(r"(^|[ -])p($| \()")


def p_value(p: float) -> str:
    """A p-value as a table shows it: three decimals, '<0.001' below that (not '0.00')."""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _unbounded_end(value: float) -> str:
    """An interval's infinite end in a table: ∞ or -∞."""
    return "∞" if value > 0 else "-∞"


def whole_points(value: Any) -> str:
    """A number of data points in a table: :func:`littlehuman.findings.fmt_points` (an
    equivalent of 1043.5051 shows as 1,044), an interval's unbounded end as ∞ or -∞; text (an
    end :func:`none_needed` named) as it is."""
    if isinstance(value, str):
        return value
    number = float(value)
    return _unbounded_end(number) if math.isinf(number) else fmt_points(number)


def none_needed(values: pd.Series, bases: pd.Series) -> pd.Series:
    """Equivalents (or their interval ends) at their base's floor, minus the base (no synthetic
    point needed: :func:`littlehuman.families.at_floor`), as the text '≤ 0', as the sentences
    give them (a near-flat fit's -249.99999 on base 250 read '-250' in the tables, a
    reviewer); the others as they are."""
    return pd.Series([("≤ 0" if isinstance(v, (int, float)) and math.isfinite(v)
                       and at_floor(v, -float(b)) else v) for v, b in zip(values, bases)],
                     index=values.index, dtype=object)


def with_formats(frame: pd.DataFrame, formats: dict[str, Any]) -> pd.DataFrame:
    """``frame`` carrying its own column formats (:func:`styled` reads them): for a table whose
    columns want different precisions, such as scores beside numbers of points."""
    frame.attrs["formats"] = {**frame.attrs.get("formats", {}), **formats}
    return frame


def styled(frame: pd.DataFrame, precision: int = 3,
           formats: dict[str, Any] | None = None) -> Styler:
    """``frame`` as every report shows a table (a pandas Styler, for ``display``).

    A named index becomes the first column, a default one is hidden; whole numbers get
    thousands separators, other numbers ``precision`` decimals (with separators);
    'synthetic %' one decimal; p-values :func:`p_value`; booleans yes/no; +-inf (an
    interval's unbounded end) ∞ and -∞; missing values :data:`MISSING`; text is aligned
    left, numbers right; every cell is HTML-escaped.
    ``formats``: a format string (or function) for a column these rules do not fit, over
    those the frame carries (:func:`with_formats`)."""
    import numpy as np

    def cell(value: Any) -> str:
        if isinstance(value, (bool, np.bool_)):
            return "yes" if value else "no"
        if isinstance(value, (int, np.integer)):
            return f"{value:,}"
        if isinstance(value, (float, np.floating)):
            if np.isinf(value):
                return _unbounded_end(value)
            return f"{value:,.{precision}f}"
        return str(value)

    carried = dict(frame.attrs.get("formats", {}))
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    p_values = {col: p_value for col in frame.columns if _P_COLUMN.search(str(col))}
    chosen = {"synthetic %": "{:.1f}", **p_values, **carried, **(formats or {})}

    def escaped(fmt: Any) -> Any:  # text reaches the page as text (a dataset's "<b>" too)
        render = fmt.format if isinstance(fmt, str) else fmt
        return lambda value: html.escape(str(render(value)), quote=False)

    formatters = {col: escaped(chosen.get(col, cell)) for col in frame.columns}
    text = [col for col in frame.columns if col not in chosen
            and not pd.api.types.is_numeric_dtype(frame[col].dtype)
            and not frame[col].map(lambda v: isinstance(v, (int, float, np.number))).any()]
    left = [{"selector": f"th.col_heading.col{frame.columns.get_loc(col)}",
             "props": [("text-align", "left")]} for col in text]
    table = _inline_styler()(frame)
    table.left_columns = {frame.columns.get_loc(col) for col in text}
    return (table.format(formatters, na_rep=MISSING).hide(axis="index")
            .set_properties(subset=text, **{"text-align": "left"}).set_table_styles(left))


#: a header or data cell of a Styler's table, by its column's position
_CELL = re.compile(r'<(t[hd]) ([^>]*?)class="(?:col_heading level0|data row\d+) col(\d+)"')


@functools.cache
def _inline_styler() -> type:
    """A pandas Styler whose HTML also carries the left alignment of its text columns as
    inline ``style`` attributes: JupyterLab drops the ``<style>`` sheet of an untrusted
    output (the executed notebooks in ``outputs/``, as papermill leaves them) and keeps
    inline styles (seen 2026-12-03 in JupyterLab 4.6: text columns right-aligned there)."""
    from pandas.io.formats.style import Styler

    class InlineStyler(Styler):
        left_columns: set[int] = set()

        def _repr_html_(self) -> str | None:
            page = super()._repr_html_()
            if not page:
                return page

            def inline(m: re.Match) -> str:
                if int(m.group(3)) not in self.left_columns:
                    return m.group(0)
                return m.group(0).replace(f"<{m.group(1)} ",
                                          f'<{m.group(1)} style="text-align: left;" ', 1)

            return _CELL.sub(inline, page)

    return InlineStyler


#: a dollar sign not already escaped
_DOLLAR = re.compile(r"(?<!\\)\$")
#: a fenced block or a code span (its run of backticks closed by the same run), kept by split
_CODE = re.compile(r"(```.*?```|(`+)(?!`).*?(?<!`)\2(?!`))", re.S)


def markdown(text: str) -> "Markdown":
    """``text`` as IPython Markdown, as every notebook displays its sentences, each dollar
    sign written ``\\\\$``. JupyterLab reads two dollar signs in one paragraph as LaTeX: notebook
    04's advice at your prices read 'At 0.5perhumanpointand0.002 per synthetic point' in math
    italics, its spaces gone (JupyterLab 4.6, 2026-12-06). Markdown's own ``\\$`` does not stop
    it (Markdown unescapes it before MathJax reads the page); ``\\\\$`` reaches MathJax as
    ``\\$``, which it shows as '$'. The HTML reports, which have no MathJax, turn it back
    (:func:`littlehuman.report.html_body`)."""
    from IPython.display import Markdown

    # code spans and fences stay as they are: no MathJax reads them, and a backslash there is
    # shown (a reviewer: a command's --data-dir '/data/$USER/lh' read '/data/\\$USER/lh')
    said, at = [], 0
    for code in _CODE.finditer(text):
        said += [_DOLLAR.sub(r"\\\\$", text[at:code.start()]), code.group(0)]
        at = code.end()
    return Markdown("".join(said) + _DOLLAR.sub(r"\\\\$", text[at:]))


def caption(text: str, cautions: list[str] | tuple[str, ...] = ()) -> "Markdown":
    """An IPython Markdown caption (rendered under a figure or table in the report), with the
    experiment's warnings (``flags`` of its summary) in bold after it (:func:`markdown`)."""
    warn = f" **Caution: {'; '.join(cautions)}.**" if cautions else ""
    return markdown(f"*{text}*{warn}")


def panel_span(fig: go.Figure, row: int, col: int, shared: bool = False
               ) -> tuple[float, float] | None:
    """The lowest and highest y the traces of one panel draw (error bars included; every
    panel's with ``shared``, for panels on one y range), None when they draw none."""
    ref = _y_ref(fig, row, col)
    return panel_spans(fig, shared, only=None if shared else ref).get(None if shared else ref)


def panel_spans(fig: go.Figure, shared: bool = False, only: str | None = None
                ) -> dict[str | None, tuple[float, float] | None]:
    """:func:`panel_span` of every panel at once, by y axis (``"y"``, ``"y2"``...; one entry,
    None, with ``shared``), in one pass over the traces; ``only``: that axis's traces alone."""
    lows: dict[str | None, list[np.ndarray]] = {}
    highs: dict[str | None, list[np.ndarray]] = {}
    for trace in fig.data:  # the axis first: reading a trace's y copies it
        ref = None if shared else (getattr(trace, "yaxis", None) or "y")
        if (only is not None and ref != only) or getattr(trace, "y", None) is None:
            continue
        y = pd.to_numeric(pd.Series(list(trace.y)), errors="coerce").to_numpy(float)
        bars = getattr(trace, "error_y", None)
        up = np.asarray(bars.array, float) if bars is not None and bars.array is not None \
            else np.zeros_like(y)
        down = np.asarray(bars.arrayminus, float) if bars is not None and \
            bars.arrayminus is not None else up
        lows.setdefault(ref, []).append(y - down if down.shape == y.shape else y)
        highs.setdefault(ref, []).append(y + up if up.shape == y.shape else y)
    spans: dict[str | None, tuple[float, float] | None] = {}
    for ref in lows:
        lo, hi = np.nanmin(np.concatenate(lows[ref])), np.nanmax(np.concatenate(highs[ref]))
        spans[ref] = (float(lo), float(hi)) if np.isfinite(lo) and np.isfinite(hi) else None
    return spans


def _y_ref(fig: go.Figure, row: int, col: int) -> str:
    """The y axis of a panel as traces name it (yaxis2 -> y2)."""
    return fig.get_subplot(row, col).yaxis.plotly_name.replace("axis", "")


def baseline_off_axis(fig: go.Figure, value: float, row: int, col: int,
                      shared: bool = False, name: str = "majority baseline") -> bool:
    """Whether a majority baseline (or another line called ``name``) lies farther from the
    panel's data (every panel's with ``shared``) than the data's own height: drawn, it would
    stretch the axis until the data were a flat strip (a QA baseline near 0 under scores of
    0.7-0.9). If so, it names itself at the panel's foot (or head) instead. A flat panel's
    height is the range :meth:`Panels.layout` pins it to: a baseline inside that range is
    drawn (a reviewer: '0.500, above this axis' beside an axis pinned to 0.43-0.53)."""
    span = panel_span(fig, row, col, shared)
    if span is None:
        return False
    lo, hi = span
    pad = flat_pad(lo, hi)  # a flat panel shows that much either side (Panels.layout)
    height = hi - lo if pad is None else pad
    if lo - height <= value <= hi + height:
        return False
    side = "below" if value < lo else "above"
    fig.add_annotation(text=f"{name} {value:.3f}, {side} this axis",
                       xref="x domain", yref="y domain", x=1, y=0 if side == "below" else 1,
                       xanchor="right", yanchor="bottom" if side == "below" else "top",
                       showarrow=False, font=dict(color=BASELINE, size=11), row=row, col=col)
    return True


def baseline_sentence(value: float | None, span: tuple[int, float] | None = None) -> str:
    """A caption's words for :func:`baseline_line` ('' without a baseline): the figures drew
    it and their captions did not say what it was (a reviewer's read); and for
    :func:`span_line` where ``span`` (:func:`littlehuman.experiments.grid.span_baseline`)
    is given."""
    said = "" if value is None else (
        " The dotted line is the majority baseline: the train pool's most common label or "
        "answer predicted for every test row (a note names it instead where it lies far "
        "from the data).")
    if span is not None:
        said += (" The dash-dotted line (ROUGE-1) is the ROUGE-1 of a random span of each "
                 f"test context as long as the run's own answer there ({span[1]:.3f}, the mean "
                 f"over the runs; {median_answer_length(span[0])}): what a run that learned "
                 "how long to answer but not where would score (a note names it instead where "
                 "it lies far from the data).")
    return said


def baseline_line(fig: go.Figure, value: float | None, row: int, col: int,
                  label: bool, shared: bool = False, name: str = "majority baseline",
                  dash: str = "dot") -> None:
    """A dotted horizontal line at the majority baseline (what a learner that learned nothing
    scores; or another such line, ``name``, drawn ``dash``) on one panel; ``label`` names it.
    One far from the data is named in a note instead (:func:`baseline_off_axis`; ``shared``:
    panels on one y range, judged on all of them, so call it after every panel's traces)."""
    if value is None or baseline_off_axis(fig, value, row, col, shared, name):
        return
    # its name beneath it, unless another line's note already sits at the panel's foot: then
    # above it, a note's height up. ROPES's random span (0.024) near the foot of an axis from
    # 0.02 wrote 'random span' over 'majority baseline 0.000, below this axis' (notebook 06 in
    # JupyterLab, 2026-12-06)
    foot = _foot_note(fig, row, col)
    named = dict(annotation_text=name,
                 annotation_position="top right" if foot else "bottom right",
                 annotation_font=dict(color=BASELINE, size=11),
                 **({"annotation_yshift": _NOTE_PX} if foot else {})) if label else {}
    fig.add_hline(y=value, line=dict(color=BASELINE, dash=dash, width=1.5), row=row, col=col,
                  **named)


#: the height in pixels of a line's note (11-point text) and a little room
_NOTE_PX = 15


def _foot_note(fig: go.Figure, row: int, col: int) -> bool:
    """Whether :func:`baseline_off_axis` put a note at the foot of this panel."""
    x = fig.get_subplot(row, col).xaxis.plotly_name.replace("axis", "")  # xaxis2 -> x2
    return any(a.xref == f"{x} domain" and a.y == 0 and (a.text or "").endswith("below this axis")
               for a in fig.layout.annotations)


def span_line(fig: go.Figure, span: tuple[int, float] | None, row: int, col: int,
              label: bool, shared: bool = False) -> None:
    """QA, on ROUGE-1: a dash-dotted line at the random-span baseline (``span``: its words and
    score, :func:`littlehuman.experiments.grid.span_baseline`), as :func:`baseline_line` draws
    the majority one; nothing without."""
    if span is not None:
        baseline_line(fig, span[1], row, col, label, shared,
                      name="random span", dash="dashdot")


def training_table(records: pd.DataFrame, by: list[str], metric: str,
                   baseline: float | None,
                   span: tuple[int, float] | None = None) -> pd.DataFrame:
    """What the learner trained on, per group of runs (``by``, e.g. ``["fraction"]``): runs,
    n, the rows actually trained on (min-max over the runs), the rows left out and why, runs
    giving one output for every test row, and runs at or below the majority baseline (and,
    given ``span``, QA on ROUGE-1, at or below a random span of the context, the records'
    ``random_span``: :func:`littlehuman.experiments.grid.span_baseline`), and (QA) the test
    rows each run answered with nothing (min-max over the runs)."""
    rows = []
    for key, part in records.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        reasons = _left_out(part["dropped"])
        rows.append({**dict(zip(by, key)), "runs": len(part),
                     "n": "-".join(f"{v:,}" for v in sorted({int(v) for v in part["n"]})),
                     "trained rows": _range(part["trained_rows"]),
                     **({"human rows trained on": human_trained_phrase(part)}
                        if "human_trained" in records else {}),
                     "left out (why)": reasons or "none",
                     "one output for every test row": int(part["single_output"].sum()),
                     "at or below the majority baseline": (
                         int((part[metric] <= baseline + 1e-12).sum())
                         if baseline is not None else None),
                     **({"at or below a random span": int(
                         (part[metric] <= part["random_span"] + 1e-12).sum())}
                        if span is not None else {}),
                     **({"blank answers per run": _range(part["empty_answers"])}
                        if "empty_answers" in part else {})})
    out = pd.DataFrame(rows)
    if "fraction" in out:
        out["fraction"] = (out["fraction"] * 100).round(1)
        out = out.rename(columns={"fraction": "synthetic %"})
    return out


def _left_out(dropped: pd.Series) -> str:
    """The rows a group of runs left out, per reason, min-max over the runs ('no answer span
    in the context: 252-256; the answer span lies past the max length: 126-129'), from each
    run's ``dropped`` ('reason: count; ...'); '' when none (five runs' strings joined by ' | '
    were unreadable, a reviewer)."""
    counts: dict[str, list[int]] = {}
    for i, text in enumerate(dropped):
        for part in filter(None, str(text or "").split("; ")):
            reason, _, n = part.rpartition(": ")
            counts.setdefault(reason, [0] * len(dropped))[i] = int(n)
    return "; ".join(f"{reason}: {_range(pd.Series(n))}" for reason, n in counts.items())


def _range(values: pd.Series) -> str:
    low, high = int(values.min()), int(values.max())
    return f"{low:,}" if low == high else f"{low:,}-{high:,}"


def human_trained_phrase(part: pd.DataFrame) -> str:
    """The human rows a group of runs trained on, of their human rows ('4-7 of 12': min-max
    over the runs), from the records' ``human_trained`` and ``human_rows``; 'unknown' where a
    run's learner did not say (records without ``train.n_real_trained``), 'no human rows' for
    purely synthetic runs."""
    if not part["human_rows"].fillna(1).any():
        return "no human rows"
    known = part.dropna(subset=["human_trained", "human_rows"])
    if len(known) < len(part) or known.empty:
        return "unknown"
    return f"{_range(known['human_trained'])} of {_range(known['human_rows'])}"


def training_caption(metric: str, baseline: float | None,
                     span: tuple[int, float] | None = None, qa: bool = False) -> str:
    """The caption of :func:`training_table` (``span``:
    :func:`littlehuman.experiments.grid.span_baseline`; ``qa``: a QA study's, whose table
    counts blank answers)."""
    base = (f"the majority baseline is {metric} {baseline:.3f} (the train pool's most common "
            "label or answer predicted for every test row)" if baseline is not None else
            "no majority baseline for this metric")
    return ("What the learner actually trained on: the rows of each run's training set it "
            "kept (a QA row without an answer span in its context, or whose span lies past "
            "the max length, cannot train an extractive learner) and the human rows among "
            "them (min-max over the runs; 'unknown' for runs mixing both kinds recorded before "
            "the learner said which rows it kept: rerun them to count), how many runs gave "
            "the same "
            f"output for every test row, and how many did not beat the majority baseline; {base}"
            + (f"; and how many did not beat a random span of each test context as long as "
               f"their own answer there ({metric} {span[1]:.3f}, the mean over the runs)"
               if span is not None else "")
            + ("; 'blank answers per run' counts the test questions each run answered with "
               "nothing, min-max over the runs (a blank answer scores 0)" if qa else "") + ".")
