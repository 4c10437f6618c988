"""Notebook 04 (human against synthetic points): the paper's Figures 3 and 14, the
equivalents per base, Table 3 beside the paper's, and the operating points, each with its
caption.

``records`` is the trade-off records frame (one row per curve point and seed: base, kind
'synthetic' | 'human', added, n, seed, a column per metric); ``analysis`` the trade-off
analysis dict (``metric``, ``human``, ``bases``, ``points``, ``table3``); ``intervals`` the
interval frame (base, kind, added, metric, mean, low, high, seeds).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from littlehuman import curves
from littlehuman.findings import PAPER_TABLE3
from littlehuman.plots.style import (COLORS, SEED_LINE, Panels, baseline_line, baseline_sentence,
                                     error_bars, metric_label, note_if_empty, resampled,
                                     none_needed, span_line, whole_points,
                                     with_formats)
from littlehuman.stats import finite

#: the columns of :func:`bases_table`, in order, and their names there (``{human}`` filled in)
BASES_COLUMNS: dict[str, str] = {
    "base": "base", "y_star": "score +{human} human", "a0": "a0", "a1": "a1", "r2": "r2",
    "fit_at_base": "fit at base", "equivalent": "equivalent synthetic points",
    "low": "95% CI low", "high": "95% CI high",
    "failed_resamples": "resamples without an equivalent", "status": "status",
    "breakeven_ratio": "break-even price ratio",
}
#: the columns of :func:`gains_table`, in order, and their names there
GAINS_COLUMNS: dict[str, str] = {
    "base": "base", "y_star": "score +{human} human", "gain": "gain +{human} human over base",
    "gain_low": "gain 95% CI low", "gain_high": "gain 95% CI high",
    "gain_detectable": "smallest detectable gain",
}


# --------------------------------------------------------------------------- Figures 3 and 14
def figure(records: pd.DataFrame, analysis: dict[str, Any], intervals: pd.DataFrame,
           title: str, baseline: float | None = None,
           span: tuple[int, float] | None = None) -> go.Figure:
    """Paper Figures 3 and 14, one panel per base: synthetic-only points (grey: seeds; blue:
    mean with 95% CI), the log fit on the seed means, the +human point (red, at its synthetic
    base) and the dashed line to the synthetic size that matches it (the equivalent; the
    x range is cut at three times the fitted range, an equivalent beyond it is labelled so);
    the dotted line is the majority ``baseline``, the dash-dotted one the random ``span`` (QA,
    ROUGE-1). No bases: one empty panel saying so."""
    m, rec = analysis["metric"], records
    fit_rows = analysis["bases"].set_index("base")
    bases = list(fit_rows.index)
    grid = Panels(len(bases), [f"synthetic base {b:,}" for b in bases], shared_yaxes=True,
                  panel_width=360, height=400)
    fig = grid.fig
    ci = intervals[intervals["metric"] == m]
    for i, base in enumerate(bases, start=1):
        r, first = fit_rows.loc[base], i == 1
        syn = rec[(rec["base"] == base) & (rec["kind"] == "synthetic")]
        fig.add_trace(go.Scatter(x=syn["n"], y=syn[m], mode="markers", name="synthetic only, "
                                 "one seed", marker=dict(color=SEED_LINE, size=6),
                                 legendgroup="seed", showlegend=first), **grid.at(i))
        mean = ci[(ci["base"] == base) & (ci["kind"] == "synthetic")].sort_values("added")
        fig.add_trace(go.Scatter(
            x=base + mean["added"], y=mean["mean"], mode="markers", name="synthetic only, "
            "mean (95% CI)", marker=dict(color=COLORS[0], size=9), legendgroup="mean",
            showlegend=first, error_y=error_bars(mean)), **grid.at(i))
        x_top = float(base + mean["added"].max()) if len(mean) else float(base)
        cap = base + 3 * (x_top - base) if x_top > base else 1.5 * base
        eq = r["equivalent"] if finite(r["equivalent"]) else None
        x_plot = min(max(x_top, base + eq if eq is not None else x_top), cap)
        if finite(r.get("a1")):
            xs = np.linspace(base, x_plot, 60)
            fig.add_trace(go.Scatter(x=xs, y=r["a0"] + r["a1"] * np.log(xs), mode="lines",
                                     line=dict(color=COLORS[0], width=2), name="log fit",
                                     legendgroup="fit", showlegend=first), **grid.at(i))
        hum = ci[(ci["base"] == base) & (ci["kind"] == "human")]
        if len(hum):
            fig.add_trace(go.Scatter(  # a little right of the base's own point, whose
                # error bar it would hide
                x=[base + 0.02 * (x_top - base)] * len(hum), y=hum["mean"], mode="markers",
                customdata=[base] * len(hum),
                hovertemplate=f"base {base:,} + {analysis['human']} human<br>%{{y:.4f}}"
                              "<extra></extra>",
                name=f"+{analysis['human']} human (95% CI)", marker=dict(color=COLORS[3],
                                                                          size=10),
                legendgroup="human", showlegend=first, error_y=error_bars(hum)), **grid.at(i))
            if eq is not None and eq > 0:  # at the score the fit was read at (its seeds')
                y = float(r["y_star"]) if finite(r.get("y_star")) else float(hum["mean"].iloc[0])
                fig.add_trace(go.Scatter(
                    x=[base, base + min(eq, x_plot - base)], y=[y, y], mode="lines",
                    line=dict(color=COLORS[3], dash="dash"), name="equivalent synthetic",
                    legendgroup="eq", showlegend=first), **grid.at(i))
                beyond = " (beyond the plot)" if base + eq > x_plot else ""
                fig.add_annotation(x=base + min(eq, x_plot - base), y=y, text=f"+{eq:,.0f}"
                                   f"{beyond}", showarrow=False, yshift=12,
                                   font=dict(color=COLORS[3]), **grid.at(i))
        # (not 'synthetic points in the training set': three panels in style.MAX_WIDTH ran
        # their titles together)
        fig.update_xaxes(title_text="synthetic training points", **grid.at(i))
    for i in range(1, len(bases) + 1):  # one y range: judged on every panel's data, so after
        baseline_line(fig, baseline, **grid.at(i), label=i == 1, shared=True)
        span_line(fig, span, **grid.at(i), label=i == 1, shared=True)
    note_if_empty(fig, not bases)
    return grid.layout(title, metric_label(m), legend_y=-0.3)


def figure_title(name: str, human: int) -> str:
    """'FEVER: +200 human points against more synthetic points'."""
    return f"{name}: +{human} human points against more synthetic points"


def figure_caption(n_seeds: int, n_test: int, human: int, bases: pd.DataFrame | None = None,
                   baseline: float | None = None,
                   span: tuple[int, float] | None = None, fit_seeds: int | None = None) -> str:
    """Caption of :func:`figure` (``bases``: ``analysis["bases"]``, whose positive
    equivalents get the dashed line; ``baseline``: the majority baseline it draws;
    ``fit_seeds``: how many seeds the fit's means are over, ``analysis["fit_seeds"]``)."""
    drawn = bases is None or bool((pd.to_numeric(bases["equivalent"], errors="coerce") > 0).any())
    matched = ("the dashed line to the synthetic size the fit says matches it (the equivalent; "
               "cut at three times the fitted range)" if drawn else
               "no dashed line: on no base does the fit match their score with more synthetic "
               "points (the table below says why)")
    return (f"One panel per synthetic base. Grey: single seeds of the synthetic-only runs; blue: "
            f"their mean over {curves.counted(n_seeds, 'seed')} with a 95% bootstrap interval "
            f"({resampled(n_seeds, n_test)}) and the log fit on "
            + (f"the means over the {fit_seeds} seeds with every run (a seed lacks one; the "
               f"dashed line is at their +human mean)" if fit_seeds and fit_seeds < n_seeds
               else "those means")
            + f"; red: the base "
            f"plus {human} human points, drawn at its synthetic size (a little to the right, "
            f"not to hide the base's own point), and {matched}."
            + baseline_sentence(baseline, span))


# --------------------------------------------------------------------------- per base
def bases_table(bases: pd.DataFrame, human: int) -> pd.DataFrame:
    """The per-base equivalents (``analysis["bases"]``) with readable column names: base,
    score +human, the fit (a0, a1, r2, fit at base), the equivalent and its 95% CI, status
    and the break-even price ratio."""
    names = {k: v.format(human=human) for k, v in BASES_COLUMNS.items()}
    bases = bases.assign(**{c: none_needed(bases[c], bases["base"])
                            for c in ("equivalent", "low", "high") if c in bases})
    table = bases[[c for c in BASES_COLUMNS if c in bases]].rename(columns=names)
    formats: dict[str, Any] = {names[c]: whole_points for c in ("equivalent", "low", "high")
                               if c in bases}
    if "breakeven_ratio" in bases:  # an equivalent / human points: as precise as the sentences
        formats[names["breakeven_ratio"]] = lambda v: f"{float(v):.3g}"
    return with_formats(table, formats)


def gains_table(bases: pd.DataFrame, human: int) -> pd.DataFrame:
    """What the human points added over each base (``analysis["bases"]``), paired per test
    row within each seed: base, score +human, the gain, its 95% interval and the smallest
    gain detectable. Beside :func:`bases_table` until 2026-12-06, whose sixteen columns were
    981 px wide on FEVER's smoke run and 1,011 on ROPES's (1,021 with three bases): they
    scrolled sideways in JupyterLab's output area beside the file browser (room for 813 px at
    a 1280-px window, 899 at 1366: ``bench/jupyterlab_walk.py``)."""
    names = {k: v.format(human=human) for k, v in GAINS_COLUMNS.items()}
    return bases[[c for c in GAINS_COLUMNS if c in bases]].rename(columns=names)


def bases_caption(human: int, n_boot: int | None = None) -> str:
    """Caption of :func:`bases_table`; ``n_boot``: the resamples drawn (the analysis's)."""
    drawn = (f"{n_boot:,} resamples, the draw notebook 06 gives the log curve too; "
             if n_boot else "none drawn here: no seed has every trade-off run, so there is "
                            "no interval until `run_all.py --notebooks 04` trains them; "
             if n_boot == 0 else "")
    return (f"Per base, on the seed means: the score with {human} human points, the fit, the "
            "additional synthetic points that match it, its 95% bootstrap interval over seeds "
            f"and test rows ({drawn}each resample refits; a resample without a finite answer "
            "counts in "
            "its own column and ranks where it belongs: above every number when no synthetic "
            "amount matches the human points, at minus the base (a synthetic set of size 0) "
            "when the synthetic curve does not rise and the human points do not beat it; the "
            "upper end reads ∞ when 2.5% or more of the resamples lie above every number: "
            "[300, ∞) reads 'at least 300') and the price ratio "
            "(human / synthetic) below which human annotation is cheaper (blank where the "
            "equivalent is undefined, or ≤ 0: the price line below says whether human points "
            "pay there).")


def gains_caption(human: int) -> str:
    """Caption of :func:`gains_table`."""
    return (f"Per base: what the {human} human points added over the base, paired per test "
            "row within each seed, with its 95% interval (seeds and test rows) and the "
            "smallest gain this run could detect at 80% power.")


# --------------------------------------------------------------------------- Table 3
def table3_table(dataset: str, table3: dict[str, Any]) -> pd.DataFrame:
    """Paper Table 3 for one dataset (``analysis["table3"]``): one row of the equivalents'
    mean, median, 25th and 75th percentile, the operating points and the undefined ones; the
    four left blank when most operating points had none (:func:`curves.mostly_undefined`:
    they would summarise one or a few seeds as the experiment's answer), the quartiles when
    fewer than :data:`curves.QUARTILES_MIN` had one (the caption gives the values)."""
    blank, few = curves.mostly_undefined(table3), curves.few_values(table3)
    stats = {name: None if blank or (few and key in ("p25", "p75")) else table3[key]
             for name, key in (("mean", "mean"), ("median", "median"),
                               ("25th percentile", "p25"), ("75th percentile", "p75"))}
    return pd.DataFrame([{"dataset": dataset, **stats, "with an equivalent": table3["n"],
                          "without one": table3["n_undefined"]}])


#: why a median without the undefined operating points is not the whole story
UNDEFINED_LEFT_OUT = ("; left out, such a point would have ranked above every number (no "
                      "synthetic amount reaches its score: a curve below it, or its ceiling) or "
                      "at minus the base (none needed), so the statistics of the rest lean "
                      "away from it. A seed whose synthetic-only curve falls (a1 <= 0) has none "
                      "here: the protocol's exp((y* - a0) / a1) would still give it a number, "
                      "which a larger score would make smaller, so the paper's Table 3 may hold "
                      "such points where this one counts them 'without one'")


def table3_caption(human: int, n_bases: int, n_seeds: int,
                   table3: dict[str, Any] | None = None) -> str:
    """Caption of :func:`table3_table`, ending with the paper's own Table 3 means and medians
    (:data:`littlehuman.findings.PAPER_TABLE3`, one decimal)."""
    blank = (f" The statistics are left blank: {curves.unpriced_phrase(table3)} "
             f"({curves.priced_rest_phrase(table3, format(table3['median'], ',.0f'))})."
             if table3 and curves.table3_reading(table3) == "unpriced"
             else "")
    points = n_bases * n_seeds
    seen = (table3["n"] + table3["n_undefined"]) if table3 else points
    missing = (f", of which {seen} measured: the others' runs are missing"
               if seen < points else "")
    return (f"Summary of the additional synthetic points matching {human} human points over the "
            f"operating points (each base and seed: {n_bases} x {n_seeds}{missing}); undefined "
            "equivalents (no finite match) are left out and counted ('with an equivalent', "
            "'without one')"
            + (UNDEFINED_LEFT_OUT if table3 and table3.get("n_undefined") else "")
            + f".{blank}{few_values_sentence(table3) if not blank else ''} "
            + paper_table3_sentence())


def few_values_sentence(table3: dict[str, Any] | None) -> str:
    """' The quartiles are left blank: 2 equivalents, -214 and -154.' where fewer than
    :data:`curves.QUARTILES_MIN` operating points had one; '' otherwise."""
    if not table3 or not curves.few_values(table3) or not table3.get("values"):
        return ""
    n = len(table3["values"])
    return (f" The quartiles are left blank: {curves.counted(n, 'equivalent')}, "
            f"{curves.values_phrase(table3)}.")


def paper_table3_sentence() -> str:
    """'Paper Table 3 (synthetic bases of 1000, ...): WANLI mean 17,671.7 / median
    16,905.4; ROPES ...', from :data:`~littlehuman.findings.PAPER_TABLE3`."""
    parts = []
    for i, (dataset, row) in enumerate(PAPER_TABLE3.items()):
        mean, median = (format(Decimal(one_decimal(row[k])), ",") for k in ("mean", "median"))
        parts.append(f"{_paper_name(dataset)} mean {mean} / median {median}" if i == 0 else
                     f"{_paper_name(dataset)} {mean} / {median}")
    return ("Paper Table 3 (synthetic bases of 1000, 2000 and 3000 points, "
            "200 human points each, Llama-3.1-8B on GPT-3.5 twins; an equivalent grows with its "
            "base and the human points: compare orders of magnitude): " + "; ".join(parts) + ".")


def one_decimal(value: float) -> str:
    """Rounded half up on the decimal digits as written (6006.45 -> 6006.5), as the paper."""
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _paper_name(dataset: str) -> str:
    """The dataset's name as the paper writes it: the registry title without its note
    ('FEVER (gold evidence)' -> 'FEVER')."""
    from littlehuman.data.registry import find

    spec = find(dataset)
    return spec.title.split(" (")[0] if spec else dataset


# --------------------------------------------------------------------------- operating points
def operating_points_table(points: pd.DataFrame) -> pd.DataFrame:
    """Every operating point at seed level (``analysis["points"]``, one base and seed, its
    own fit), without the level and message columns (nor ``extrapolation``, which repeats the
    message's parentheses)."""
    seed = points[points["level"] == "seed"]
    shown = seed.drop(columns=["level", "message"])
    table = shown.drop(columns=["extrapolation"] if "extrapolation" in shown else []).rename(
        columns=OPERATING_POINT_HEADERS)
    return with_formats(table, {c: whole_points for c in ("synthetic size matching", "equivalent")
                                if c in table})


#: the operating points' columns as a reader names them
OPERATING_POINT_HEADERS = {"human_points": "human points", "y_star": "score +human",
                           "n_fit": "sizes fitted", "r2": "R²", "fit_at_base": "fit at base",
                           "synthetic_size": "synthetic size matching"}


def operating_points_caption() -> str:
    """Caption of :func:`operating_points_table`."""
    return "Every operating point (one base and seed, its own fit): the numbers Table 3 summarises."
