"""The figures and tables the notebooks show, one module per notebook, each with its captions.

- :mod:`.generate`: notebook 01, the synthetic twins (counts, bill, label balance, lengths,
  samples)
- :mod:`.sweep`: notebook 02, the replacement sweep (Figure 1, its table, Table 1)
- :mod:`.zoom`: notebook 03, the last few synthetic percent (Figures 2, 6, 8, 12, 13, Table 2)
- :mod:`.tradeoff`: notebook 04, human against synthetic points (Figures 3, 14, Table 3)
- :mod:`.analysis`: notebook 05, synthetic against human data (Figures 4, 16, 17, 18)
- :mod:`.style`: what they share: colours, metric names, error bars, panels that wrap,
  :func:`show`, :func:`styled` (how a table reads), :func:`caption` and :func:`markdown`
  (the notebooks' sentences)

Every function is pure: DataFrames and dicts in (records, intervals, analyses already read
from the store), a plotly ``Figure``, a DataFrame or a caption string out. A notebook cell
shows one with ``plots.show(plots.sweep.figure(...))``, a table with
``display(plots.styled(plots.sweep.table(...)))`` and a caption with
``display(plots.caption(plots.sweep.figure_caption(...)))``.
"""
from __future__ import annotations

from littlehuman.plots import analysis, generate, style, sweep, tradeoff, zoom
from littlehuman.plots.style import (COLORS, METRIC_LABELS, SEED_LINE, SOURCE_COLORS, caption,
                                     markdown, metric_label, show, styled)

__all__ = ["COLORS", "METRIC_LABELS", "SEED_LINE", "SOURCE_COLORS", "analysis", "caption",
           "generate", "markdown", "metric_label", "show", "style", "styled", "sweep",
           "tradeoff", "zoom"]
