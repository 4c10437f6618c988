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

Modules: :mod:`.scaling` (the sizes and the main metric), :mod:`.twins` (which rows get twins,
generating them), :mod:`.common` (run specs, training, the store, intervals, JSON), :mod:`.zoom`
(experiment 2), :mod:`.tradeoff_runs` (experiment 3; the fit maths is
:mod:`littlehuman.tradeoff`), :mod:`.advisor` (the price advice) and :mod:`.figures` (plotly).
Everything public is re-exported here: ``from littlehuman import experiments as ex``.
"""
from __future__ import annotations

from littlehuman.experiments.advisor import advice
from littlehuman.experiments.common import TRADEOFF, ZOOM
from littlehuman.experiments.figures import (COLORS, tradeoff_figure, zoom_figure,
                                             zoom_size_figure)
from littlehuman.experiments.scaling import Sizes, main_metric, profile_sizes, sizes
from littlehuman.experiments.tradeoff_runs import (STATUS_WORDS, execute_tradeoff,
                                                   prepare_tradeoff, table3_frame,
                                                   tradeoff_analysis, tradeoff_cells,
                                                   tradeoff_intervals, tradeoff_records,
                                                   tradeoff_specs, tradeoff_summary,
                                                   tradeoff_training_set)
from littlehuman.experiments.twins import generate_twins, twin_order, twin_rows, twinned_rows
from littlehuman.experiments.zoom import (prepare_zoom, zoom_intervals, zoom_paired,
                                          zoom_records, zoom_specs, zoom_summary)

__all__ = [
    "ZOOM", "TRADEOFF", "COLORS", "STATUS_WORDS",
    # scaling, twins
    "Sizes", "profile_sizes", "sizes", "main_metric",
    "twin_order", "twin_rows", "generate_twins", "twinned_rows",
    # experiment 2: the zoom
    "zoom_specs", "prepare_zoom", "zoom_records", "zoom_intervals", "zoom_paired", "zoom_summary",
    # experiment 3: the trade-off, and the advisor
    "tradeoff_cells", "tradeoff_specs", "tradeoff_training_set", "execute_tradeoff",
    "prepare_tradeoff", "tradeoff_records", "tradeoff_intervals", "tradeoff_analysis",
    "table3_frame", "tradeoff_summary", "advice",
    # figures
    "zoom_figure", "zoom_size_figure", "tradeoff_figure",
]
