"""Notebook 06 (the advisor): the curve families' fits and their hold-out errors, Table 3 under
each family beside the paper's, the budget's split and the pilot plan, each with its caption.

``report`` is :func:`littlehuman.experiments.advisor.families_report`'s dict.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from littlehuman import curves, families
from littlehuman.families import FAMILIES, POOLED, curve_points
from littlehuman.findings import fmt_points
from littlehuman.plots import tradeoff as tradeoff_plots
from littlehuman.plots.style import (BAND, COLORS, TEMPLATE, Panels, baseline_line,
                                     baseline_sentence, metric_label, none_needed, note_if_empty,
                                     resampled, span_line, whole_points, with_formats)

#: a colour per family (the paper's log fit keeps the trade-off figure's blue)
FAMILY_COLORS: dict[str, str] = {"log": COLORS[0], "power": COLORS[2], "exp": COLORS[4]}


def fits_figure(report: dict[str, Any], title: str) -> go.Figure:
    """One panel per base: the synthetic-only runs (grey: seed means per size), each family's
    fitted curve over the measured sizes and on to three times their range (dotted beyond the
    largest size), the +human score (red) and where each family puts its equivalent; the
    majority baseline dotted and (QA, ROUGE-1) the random-span one dash-dotted, as notebook
    04's figure (a reviewer: this one had neither)."""
    runs, data_means = report["runs"], report["run_means"]
    bases = list(report["bases"])
    grid = Panels(len(bases), [f"synthetic base {b:g}" for b in bases], shared_yaxes=True,
                  panel_width=380, height=420)
    fig = grid.fig
    sizes, cols = families.synthetic_sizes(runs)
    measured = families.isotonic_rows(data_means[cols])[0] if sizes.size > 1 else None
    for i, base in enumerate(bases, start=1):
        first = i == 1
        if measured is not None and len(bases) > 1:  # the other bases' runs go further
            keep = sizes >= base
            fig.add_trace(go.Scatter(x=sizes[keep], y=measured[keep], mode="lines",
                                     line=dict(color="#9a9a9a", width=5),
                                     name="every base's runs, made non-decreasing (no curve)",
                                     legendgroup="iso", showlegend=first, opacity=0.6),
                          **grid.at(i))
        x, y, _ = curve_points(runs, data_means, base)
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers",
                                 name="synthetic only, mean over seeds",
                                 marker=dict(color="#444", size=9), legendgroup="m",
                                 showlegend=first), **grid.at(i))
        x_max = float(x.max()) if x.size else float(base)
        top = base + 3 * (x_max - base) if x_max > base else 1.5 * base
        for f in report["families"]:
            fit = report["fit"][(base, f)]
            if not fit.usable:
                continue
            for lo, hi, dash, show in ((float(base), x_max, None, first),
                                       (x_max, top, "dot", False)):
                xs = np.linspace(lo, hi, 50)
                fig.add_trace(go.Scatter(x=xs, y=fit.predict(xs), mode="lines",
                                         line=dict(color=FAMILY_COLORS.get(f), dash=dash),
                                         name=FAMILIES[f].label, legendgroup=f,
                                         showlegend=show), **grid.at(i))
        y_star = report["y_star"].get(base)
        if y_star is not None:
            fig.add_trace(go.Scatter(x=[base], y=[y_star], mode="markers",
                                     name=f"+{report['human']} human, mean over seeds",
                                     marker=dict(color=COLORS[3], size=11), legendgroup="h",
                                     showlegend=first), **grid.at(i))
            fig.add_hline(y=y_star, line=dict(color=COLORS[3], dash="dash", width=1),
                          **grid.at(i))
        # (not 'synthetic points in the training set': three panels in style.MAX_WIDTH ran
        # their titles together)
        fig.update_xaxes(title_text="synthetic training points", **grid.at(i))
    for i in range(1, len(bases) + 1):  # one y range: judged on every panel's data, so after
        baseline_line(fig, report.get("baseline"), **grid.at(i), label=i == 1, shared=True)
        span_line(fig, report.get("span"), **grid.at(i), label=i == 1, shared=True)
    note_if_empty(fig, not bases)
    return grid.layout(title, metric_label(report["metric"]), legend_y=-0.3)


def fits_caption(report: dict[str, Any]) -> str:
    """Caption of :func:`fits_figure`."""
    return (f"Each curve family fitted by least squares on the synthetic-only runs' means over "
            f"{curves.counted(report['n_seeds'], 'seed')} ({report['n_rows']:,} test rows "
            "each); solid over the "
            "measured sizes, dotted beyond them (an extrapolation). Red: the base plus "
            f"{report['human']} human points and its score across the panel; a family's "
            "equivalent is where its curve crosses that line. The power law and the exponential "
            "saturation level off under a ceiling of 1; the log fit never does."
            + (" Thick grey: the synthetic-only runs of every base as one curve (the synthetic "
               "sets are nested), made non-decreasing: where it crosses the red line is the "
               "equivalent read off the runs with no curve assumed (below the tables)."
               if len(report["bases"]) > 1 else "")
            + baseline_sentence(report.get("baseline"), report.get("span")))


def fits_table(report: dict[str, Any]) -> pd.DataFrame:
    """Per base and family: the fitted formula, its RMSE, fit status, where it levels off and
    the leave-largest-size-out error (the equivalents: :func:`equivalents_table`)."""
    f = _fits(report)
    return pd.DataFrame({
        "base": f["base"], "curve": f["label"], "fitted": f["formula"], "RMSE": f["rmse"],
        "fit status": f["fit_status"], "levels off at": [_asymptote(v) for v in f["asymptote"]],
        "hold-out error": f["holdout_error"]})


def equivalents_table(report: dict[str, Any]) -> pd.DataFrame:
    """Per base and family: the equivalent with its interval and status, and the resamples
    without one. Beside :func:`fits_table` in one table until 2026-12-06: its twelve columns
    were 818 px wide on FEVER's smoke run and 866 on ROPES's, so at a 1280-px window they
    scrolled sideways in JupyterLab's output area beside the file browser (room for 813 px
    there: ``bench/jupyterlab_walk.py``)."""
    f = _fits(report)
    level = f"{report['level']:.0%}"
    points = ["equivalent synthetic points", f"{level} CI low", f"{level} CI high"]
    return with_formats(pd.DataFrame({
        "base": f["base"], "curve": f["label"],
        "equivalent synthetic points": none_needed(f["equivalent"], f["base"]),
        f"{level} CI low": none_needed(f["low"], f["base"]),
        f"{level} CI high": none_needed(f["high"], f["base"]),
        "equivalent status": f["eq_status"],
        "resamples without one": f["undefined"].astype("Int64")}),
        dict.fromkeys(points, whole_points))


def _fits(report: dict[str, Any]) -> pd.DataFrame:
    """The report's fits per base (the pooled row left out)."""
    f = report["fits"]
    return f[f["base"] != POOLED]


def _asymptote(value: Any) -> str:
    """A fit's asymptote as the fits table shows it: 'never' (the log), 'never (it falls)'
    (a falling log), '1 (the bound)' where the fit ran to the metric's ceiling (the sizes do
    not show where it levels off)."""
    if value is None or np.isnan(value):
        return "–"  # the fit failed
    if not np.isfinite(value):
        return "never" if value > 0 else "never (it falls)"
    return "1 (the bound)" if value >= 1 - 1e-9 else f"{value:.3f}"


def fits_caption_table(report: dict[str, Any]) -> str:
    """Caption of :func:`fits_table`."""
    return ("Per base and curve family, on the seed means: the fit and its hold-out error "
            "(fitted on every size but the largest, predicted there, minus the measured mean: "
            "positive = too optimistic). Levels off at: the fitted asymptote c ('never' for "
            "the log; '1 (the bound)' where the fit ran to the metric's ceiling: the sizes do "
            "not pin down where it levels off, and its resamples' asymptotes scatter, so its "
            "interval often reaches ∞). "
            "Fit status: 'ok', 'flat' (does not rise), 'saturated' (levelled off by "
            "the largest size) or why it failed.")


def equivalents_caption_table(report: dict[str, Any]) -> str:
    """Caption of :func:`equivalents_table`."""
    rows = "seeds and test rows" if report["rows_resampled"] else "seeds only"
    boot = (f"({report['n_boot']:,} resamples of {rows}; each refits every family; resamples "
            "without a finite equivalent are counted and ranked where they belong: above "
            "every number when no synthetic amount reaches the score, at minus the base (size "
            f"0) when none is needed; the upper end reads ∞ when {(1 - report['level']) / 2:.1%} "
            "or more of them lie above every number; resamples whose fit failed are left out, "
            f"and with more than {1 - report['level']:.0%} of those no interval is given)"
            if report["n_boot"] else
            f"(none here: {report['n_seeds']} seed with run-level scores only leaves nothing "
            "to resample)")
    return (f"The same fits: the additional synthetic points matching +{report['human']} "
            f"human points, and a {report['level']:.0%} bootstrap interval {boot}. "
            "Equivalent status: 'ok'; 'saturated' (the "
            "human points did not beat the curve); 'unreachable' (the score lies above the "
            "family's asymptote, so no amount of synthetic data matches it); 'no_gain' (the curve "
            "does not rise); 'extrapolated' (matched beyond "
            f"{curves.EXTRAPOLATION_FACTOR:g} times the largest fitted size).")


def table3_table(report: dict[str, Any]) -> pd.DataFrame:
    """The paper's Table 3 statistic under each family (per-seed operating points), with the
    paper's own row beneath when it reports this dataset."""
    from littlehuman.plots.tradeoff import one_decimal

    t = report["table3_frame"].copy()
    stats = ["mean", "median", "p25", "p75"]
    ours = t["family"] != "paper"
    for i in t.index[ours]:  # most operating points undefined: the rest is not the answer
        if curves.mostly_undefined(t.loc[i]):
            t.loc[i, stats] = np.nan
        elif curves.few_values(t.loc[i]):  # quartiles of 2 or 3 numbers: the caption's values
            t.loc[i, ["p25", "p75"]] = np.nan
    for i in t.index[~ours]:  # the paper's digits as it prints them (6006.45 -> 6006.5)
        t.loc[i, stats] = [float(one_decimal(v)) for v in t.loc[i, stats]]
    level = report.get("level", 0.95)

    def over_bases(family: str) -> str:
        said = families.median_phrase(families.median_equivalent(report, family), level) \
            if family in report.get("families", ()) else None
        return said[0].lstrip("+") if said else "–"

    return pd.DataFrame({"curve": t["curve"], "with an equivalent": t["n"].astype("Int64"),
                         "without one": t["n_undefined"].astype("Int64"), "mean": t["mean"],
                         "median": t["median"], "25th percentile": t["p25"],
                         "75th percentile": t["p75"],
                         (MEDIAN_OVER_BASES if len(report.get("bases", ())) != 1 else
                          ONE_BASE_FIT): [over_bases(f) for f in t["family"]]})


#: :func:`table3_table`'s column of the headline's number (ONE_BASE_FIT: one base)
MEDIAN_OVER_BASES = "median over bases, seed-mean fits [95%]"
ONE_BASE_FIT = "seed-mean fit [95%]"


def table3_caption(report: dict[str, Any]) -> str:
    """Caption of :func:`table3_table`."""
    n_bases = len(report["bases"])
    paper = ("" if (report["table3_frame"]["family"] == "paper").any() else
             " The paper does not report this dataset.")
    return (f"Additional synthetic points matching +{report['human']} human points, summarised "
            f"over the operating points (each base and seed: {n_bases} x "
            f"{report['n_seeds']}, each seed its own fit) under each curve family; undefined "
            "equivalents (no finite match) are left out and counted"
            + (tradeoff_plots.UNDEFINED_LEFT_OUT
               if any((report["table3"][f] or {}).get("n_undefined") for f in report["families"])
               else "")
            + ". These statistics have no interval; the last column has one: "
            + (f"the median over the {n_bases} bases of each family's fit on the seed means, "
               "taken again in each bootstrap resample of seeds and test rows"
               if n_bases > 1 else "each family's fit on the seed means, with its bootstrap "
               "interval over seeds and test rows")
            + " (the headline's number; ∞: the resamples that no finite amount matches, "
            "which rank above every number; a low end at minus the base: resamples that need "
            "no synthetic points at all; nominal 95%: in simulations of a known truth it held "
            "it 87-98% of the time under the family the hold-out chose: docs/advisor.md). The paper's "
            "row is its "
            "Table 3 (log fit, 200 human points on synthetic bases of 1000-3000): an equivalent "
            "grows with its base and the human points, so compare orders of magnitude, not "
            f"digits.{paper}"
            + (" A family's statistics are left blank where most of its operating points gave "
               "no finite equivalent (the rest would stand for one or a few seeds)."
               if any(curves.mostly_undefined(report["table3"][f]) for f in report["families"])
               else "")
            + _few_values_sentence(report))


def _few_values_sentence(report: dict[str, Any]) -> str:
    """' Quartiles of fewer than 4 equivalents are left blank; the values: log -214 and -154;
    ...' for the families with so few (:func:`curves.few_values`); '' where none has."""
    few = [f"{families.FAMILIES[f].label} {curves.values_phrase(report['table3'][f])}"
           for f in report["families"]
           if curves.few_values(report["table3"][f])
           and not curves.mostly_undefined(report["table3"][f])
           and report["table3"][f].get("values")]
    return (f" Quartiles of fewer than {curves.QUARTILES_MIN} equivalents are left blank; the "
            f"values: {'; '.join(few)}." if few else "")


def breakeven_sentence(report: dict[str, Any]) -> str:
    """The break-even price ratio under each family, in markdown: the headline's equivalent
    (the median over the bases of the seed-mean fits, :func:`~littlehuman.families.
    median_equivalent`) over the human points with its 95% interval, Table 3's median's ratio
    beside it; where a family has no such interval, Table 3's alone (none where most operating
    points had no finite equivalent, :func:`~littlehuman.curves.mostly_undefined`: that
    median is one or a few seeds', the rest's ratio beside it); with prices, where yours lies
    against the intervals. None at all when the runs learned nothing."""
    if report.get("learned_nothing"):
        return ("**Break-even price ratio:** none: the runs learned nothing (see the top of "
                "this page).")
    h = report["human"]
    parts, intervals = [], []
    fits = report.get("fits")
    for fam, ratio in report["breakeven"].items():
        t3 = report["table3"][fam]
        mine = (fits[(fits["family"] == fam) & (fits["base"] != POOLED)]
                if fits is not None and "eq_status" in fits else None)
        flat = mine is not None and len(mine) and (mine["eq_status"] == "no_gain").all()
        # the ratio is Table 3's median over the human points (None where that median is)
        reading = "none" if ratio is None else curves.table3_reading(t3)
        if flat and reading in ("none", "unpriced"):
            # the headline's words: a curve that does not rise prices nothing (its resamples'
            # "none needed" read as a ratio of 0 [0, 0] beside "no equivalent", a helper saw;
            # so did "0 [0, ∞)" where one seed of three priced, a reviewer)
            rest = ("" if ratio is None else f"; Table 3's median: none ({curves.unpriced_phrase(t3)}"
                    f"; {curves.priced_rest_phrase(t3, format(ratio, '.3g'))})")
            parts.append(f"{FAMILIES[fam].label} none "
                         f"({families.no_equivalent_reason(mine)} on the seed means{rest})")
            continue
        if reading == "none":
            table3 = "none (no finite median)"
        elif reading == "unpriced":
            table3 = (f"none ({curves.unpriced_phrase(t3)}; "
                      f"{curves.priced_rest_phrase(t3, format(ratio, '.3g'))})")
        elif reading == "at_or_below_0":  # an equivalent at or below 0: no synthetic
            # point for a human one, unless the interval reaches above 0 ("never pay" beside
            # [0, ∞), a reviewer)
            ends = _breakeven_ends(report, fam)
            table3 = (f"0, an equivalent of {fmt_points(t3['median'])}: "
                      + ("human points never pay" if ends is None or ends[2] <= 0 else
                         "the run cannot tell whether human points pay"))
        else:
            table3 = f"{ratio:.3g}"
        ends = _breakeven_ends(report, fam)
        if ends:
            intervals.append((fam, *ends))
            parts.append(f"{FAMILIES[fam].label} {families.ratio_text(*ends)} (Table 3's median: "
                         f"{table3})")
        else:
            parts.append(f"{FAMILIES[fam].label} {table3} (Table 3's median; no interval)")
    ph, ps = report.get("price_human") or 0, report.get("price_synthetic") or 0
    yours = ""
    if ph > 0 and ps > 0:
        yours = f" Yours: {ph / ps:.3g} (${ph:g} / ${ps:g})"
        yours += (f", {_against_intervals(intervals, ph / ps)}." if intervals else ".")
    yours += _runs_clause(report, ph / ps if ph > 0 and ps > 0 else None)
    yours += _curves_against_runs(_per_base_intervals(report),
                                  families.run_ratios(report.get("measured"), h))
    return ("**Break-even price ratio** (human annotation pays while one human point costs less "
            "than this many synthetic points: the curves' equivalent, "
            + ("the median over the bases of the fits on the seed means"
               if len(report.get("bases", ())) != 1 else "the fit on the seed means")
            + f", / {h}, with its 95% interval): "
            f"{'; '.join(parts)}.{yours}")


def _breakeven_ends(report: dict[str, Any], family: str
                    ) -> tuple[float, float, float] | None:
    """(ratio, low, high) of ``family``'s headline equivalent per human point (an equivalent
    at or below 0 is a ratio of 0: human points never pay), None without an interval."""
    m = families.median_equivalent(report, family)
    h = report["human"]
    if not m or m["low"] is None or m["value"] is None or not math.isfinite(m["value"]) \
            or h <= 0:
        return None
    return families.per_human_point(m["value"], m["low"], m["high"], h)


def _against_intervals(shown: list[tuple[str, float, float, float]], ratio: float) -> str:
    """Where the user's price ``ratio`` lies against each family's break-even interval."""
    side = families.ratio_side(shown, ratio)
    if side == "above":
        return "above every interval: synthetic points pay at your prices"
    if side == "below":
        return "below every interval: human points pay at your prices"
    inside = [FAMILIES[f].label for f, _, lo, hi in shown if lo <= ratio <= hi]
    if len(inside) == len(shown) > 1:
        return "inside each family's interval: the curves alone do not say which pays"
    if inside:
        return (f"inside the interval of the {' and the '.join(inside)}: the curves alone do "
                "not say which pays")
    return "between the families' intervals: which pays depends on the family"


def _per_base_intervals(report: dict[str, Any]) -> dict[float, list[tuple]]:
    """{base: [(family, ratio, low, high)]}: each family's fit on that base, per human point,
    where it has an interval (the per-base table's)."""
    fits, h = report.get("fits"), report["human"]
    out: dict[float, list[tuple]] = {}
    if fits is None or h <= 0 or not {"low", "high", "equivalent"} <= set(fits):
        return out
    for r in fits[fits["base"] != POOLED].to_dict("records"):
        # an unbounded end is an interval too ([1,218, inf) lies across a reading of 1,441)
        if all(isinstance(r[k], (int, float)) and not math.isnan(r[k]) for k in ("low", "high")):
            out.setdefault(float(r["base"]), []).append(
                (r["family"], r["equivalent"] / h, r["low"] / h, r["high"] / h))
    return out


def _curves_against_runs(intervals: dict[float, list[tuple]], runs: list[tuple]) -> str:
    """' On base 2,000 every curve's interval lies above the reading off the runs: ...' for
    the bases where each family's own interval there (``intervals``: {base: [(family, value,
    low, high)]}, per human point) lies wholly above, or wholly below, that base's reading
    off the runs (``runs``: (base, value, low, high)); '' where no base is so. Base by base: a
    reviewer found the median over the bases set against one base's reading."""
    for side, clear in (("above", lambda lo, hi, r: lo > r[3]),
                        ("below", lambda lo, hi, r: hi < r[2])):
        bases = [r[0] for r in runs
                 if intervals.get(float(r[0]))
                 and all(clear(lo, hi, r) for _, _, lo, hi in intervals[float(r[0])])]
        if bases:
            said = " and ".join(f"{b:,.0f}" for b in bases)
            return (f" On base{'s' if len(bases) > 1 else ''} {said} every curve's own interval "
                    f"lies {side} the reading off the runs: there the curves' shapes, not the "
                    "noise, set their ratios; read the runs' where they reach.")
    return ""


def _runs_clause(report: dict[str, Any], ratio: float | None) -> str:
    """' Read off the runs with no curve ...: base 1,000 6.73 [6.49, 7.21]; ...' with where
    ``ratio`` lies ('' without a reading inside the runs)."""
    runs = families.run_ratios(report.get("measured"), report["human"])
    if not runs:
        return ""
    each = "; ".join(f"base {b:,.0f} {families.ratio_text(v, lo, hi)}"
                     for b, v, lo, hi in runs)
    said = f" Read off the runs with no curve assumed (above the table): {each}"
    if ratio is None:
        return said + "."
    return said + {"above": "; yours lies above every one: synthetic points pay at your "
                            "prices, whatever the curve.",
                   "below": "; yours lies below every one: human points pay at your prices, "
                            "whatever the curve.",
                   "inside": "; yours lies inside at least one: the runs do not settle it "
                             "either.",
                   "between": "; yours lies between them, inside none: the bases disagree, "
                              "and the runs do not settle it either."
                   }[families.ratio_side(runs, ratio)]


def budget_figure(answer: dict[str, Any], metric: str, title: str) -> go.Figure:
    """Two panels against the share of the budget spent on human points. Above: the predicted
    score (dashed where the synthetic size lies outside the measured ones), its bootstrap
    band, the best split marked. Below: each split's score minus all synthetic's with its
    paired band, the decision itself (the bands above are ~10x wider than the gaps that
    decide)."""
    from plotly.subplots import make_subplots

    g = answer["grid"]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.6, 0.4])
    share = g["share_human"] * 100
    hover = ("%{x:.1f}% on human: %{customdata[0]:.0f} human, %{customdata[1]:,.0f} "
             "synthetic, ")
    panels = (("score", "low", "high", "predicted score", "95% bootstrap band", 1),
              ("vs_all_synthetic", "vs_low", "vs_high", "minus all synthetic",
               "95% band of the difference", 2))
    for value, low, high, name, band, row in panels:
        if low in g and np.isfinite(g[low]).any():
            fig.add_trace(go.Scatter(x=np.concatenate([share, share[::-1]]),
                                     y=np.concatenate([g[high], g[low][::-1]]), fill="toself",
                                     fillcolor=BAND, line=dict(width=0), hoverinfo="skip",
                                     name=band, showlegend=row == 1), row=row, col=1)
        for supported, dash, label in ((True, None, name),
                                       (False, "dash", f"{name}, extrapolated synthetic size")):
            y = np.where(g["supported"] == supported, g[value], np.nan)
            if np.isfinite(y).any():
                fig.add_trace(go.Scatter(x=share, y=y, mode="lines", name=label,
                                         line=dict(color=COLORS[0], dash=dash, width=2),
                                         customdata=np.c_[g["h"], g["s"]],
                                         hovertemplate=hover + f"{name} %{{y:.4f}}<extra></extra>"),
                              row=row, col=1)
    fig.add_hline(y=0, line=dict(color="grey", width=1), row=2, col=1)
    b = answer["best"]
    i_best = int(np.argmin(np.abs(g["h"].to_numpy() - b["h"])))
    for row, y in ((1, b["score"]), (2, float(g["vs_all_synthetic"].iloc[i_best]))):
        fig.add_trace(go.Scatter(x=[b["share_human"] * 100], y=[y], mode="markers",
                                 marker=dict(color=COLORS[3], size=12, symbol="star"),
                                 name=f"best: {b['h']:.0f} human + {b['s']:,.0f} synthetic",
                                 showlegend=row == 1), row=row, col=1)
    fig.update_layout(title=title, template=TEMPLATE, height=560, width=720,
                      legend=dict(orientation="h", y=-0.18))
    fig.update_yaxes(title_text=f"predicted {metric_label(metric)}", row=1, col=1)
    fig.update_yaxes(title_text="minus all synthetic", row=2, col=1)
    fig.update_xaxes(title_text="share of the budget spent on human points (%)", row=2, col=1)
    return fig


def cautions(report: dict[str, Any]) -> str:
    """What notebook 06 says under its title about the runs behind it (Markdown; "" when
    nothing): no answer when none learned anything, else notebook 04's cautions."""
    if report.get("learned_nothing"):
        return f"**No answer: {report['learned_nothing']}.**"
    left = report.get("seeds_left_out") or []
    left_out = ("" if not left else  # page 04 reads their complete bases: say why they differ
                f"seed{'s' * (len(left) > 1)} {', '.join(map(str, left))} left out: "
                f"{'each lacks' if len(left) > 1 else 'it lacks'} a trade-off run, and the "
                "curves here are fitted on the seeds with every run (notebook 04's Table 3 "
                "counts their complete bases, so its numbers can differ); rerun "
                "`run_all.py --notebooks 04` to train the missing runs")
    if report.get("mostly_nothing"):
        return (f"**Dry run: {report['mostly_nothing']}.**"
                + (f" **Caution: {left_out}.**" if left_out else ""))
    flags = list(report.get("flags") or []) + ([left_out] if left_out else [])
    return f"**Caution (the trade-off's runs): {'; '.join(flags)}.**" if flags else ""


def budget_caption(answer: dict[str, Any], n_seeds: int, n_rows: int) -> str:
    """Caption of :func:`budget_figure`."""
    m = answer["measured"]
    return (f"A budget of ${curves.money(answer['budget'])} at ${answer['price_human']:g} per "
            "human and "
            f"${answer['price_synthetic']:g} per synthetic point, split every way up to the "
            f"{answer['worth']['human_points']} human points the experiment measured (no "
            "further: buying more is not supported); the rest buys synthetic points. Score: the "
            f"{FAMILIES[answer['family']].label} fitted on the synthetic-only runs of every base, "
            "plus the human points' gain over it (their measured score minus the curve's at "
            "their base), scaled linearly between 0 and the "
            f"measured number; band: 95% over bootstrap resamples ({resampled(n_seeds, n_rows)}). "
            "Below: each split's predicted score minus all synthetic's, its band from the same "
            "resamples, paired (above 0: better than spending everything on synthetic "
            "points)." + (f" Dashed: synthetic sizes outside the measured {m[0]:,.0f}-{m[1]:,.0f}."
                          if not np.asarray(answer["grid"]["supported"]).all() else
                          f" Every split buys synthetic sizes within the measured "
                          f"{m[0]:,.0f}-{m[1]:,.0f}."))


def purchases_figure(bought: dict[str, Any], title: str) -> go.Figure:
    """Every measured training set as a purchase (``bought``:
    :func:`littlehuman.experiments.purchases.at_prices`): its cost against its score with
    the 95% interval, synthetic-only sets and sets with human points apart, the measured
    frontier as a step line, the budget and the best purchase within it marked."""
    t = bought["table"].sort_values("cost")
    fig = go.Figure()
    hover = ("%{customdata[0]}: $%{x:,.2f}, %{y:.4f} [%{customdata[1]:.4f}, "
             "%{customdata[2]:.4f}] (%{customdata[3]})<extra></extra>")
    for with_human, color, symbol, name in ((False, COLORS[0], "circle", "synthetic only"),
                                            (True, COLORS[3], "diamond", "with human points")):
        part = t[(t["human"] > 0) == with_human]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["cost"], y=part["mean"], mode="markers", name=name,
            marker=dict(color=color, symbol=symbol, size=9),
            error_y=dict(type="data", symmetric=False, array=part["high"] - part["mean"],
                         arrayminus=part["mean"] - part["low"], color=color, thickness=1),
            customdata=np.c_[[curves.mix_phrase(h, n, points=False)
                                for h, n in zip(part["human"], part["synthetic"])], part["low"],
                             part["high"], part["sources"]],
            hovertemplate=hover))
    edge = t[t["frontier"]]
    fig.add_trace(go.Scatter(x=edge["cost"], y=edge["mean"], mode="lines", name="measured frontier",
                             line=dict(color="grey", width=1, shape="hv"), hoverinfo="skip"))
    if bought.get("budget"):
        fig.add_vline(x=bought["budget"], line=dict(color="grey", dash="dash", width=1))
        # its label on the log axis at log10 of the budget: add_vline's own put it at 10^1000
        # for a $1,000 budget, out of sight (ROPES smoke in JupyterLab, 2026-12-06); to the
        # line's left, as the axis ends near it
        fig.add_annotation(x=math.log10(bought["budget"]), xref="x", y=1, yref="y domain",
                           text=f"budget ${curves.money(bought['budget'])}", showarrow=False,
                           xanchor="right", yanchor="top", font=dict(color="grey", size=11))
    best = bought.get("best")
    if best:
        label = curves.mix_phrase(best["human"], best["synthetic"])
        fig.add_trace(go.Scatter(x=[best["cost"]], y=[best["mean"]], mode="markers",
                                 marker=dict(color=COLORS[1], size=15, symbol="star"),
                                 name=f"best within the budget: {label}"))
    fig.update_layout(title=title, template=TEMPLATE, height=480, width=720,
                      legend=dict(orientation="h", y=-0.22))
    fig.update_xaxes(type="log", title_text="cost at your prices ($, log scale)")
    fig.update_yaxes(title_text=metric_label(bought["metric"]))
    return fig


def purchases_caption(bought: dict[str, Any], n_boot: int) -> str:
    """Caption of :func:`purchases_figure` and :func:`purchases_table`."""
    t = bought["table"]
    budget = (" Dashed: the budget; star: the measured purchase within it that scores highest "
              "(the table's 'best in' is the share of resamples in which each affordable "
              "purchase scores highest; the table also lists every affordable purchase that is "
              "the best in some resample, and the cheapest beyond the budget that beats the "
              "best, settled)." if bought.get("budget") else "")
    names = {"sweep": "the replacement sweep", "zoom": "the zoom", "trade-off": "the trade-off"}
    ran = [names[n] for n in names if t["sources"].str.contains(n, regex=False).any()]
    which = ran[0] if len(ran) == 1 else f"{', '.join(ran[:-1])} and {ran[-1]}"
    return (f"Every training set {which} trained "
            f"({len(t)} distinct mixes of human and synthetic points), as a purchase at "
            f"${bought['price_human']:g} per human and ${bought['price_synthetic']:g} per "
            f"synthetic point: its cost against its {bought['metric']}, the mean over "
            f"{curves.counted(bought['seeds'], 'seed')} with a 95% bootstrap interval "
            f"({resampled(bought['seeds'], bought['rows'])}; one draw of {n_boot:,} resamples for "
            "every mix: the shares and differences below come from the same resamples). Line and "
            "table: the measured frontier, each purchase scoring above every cheaper one. "
            "The bars are each mix's own interval, wide because a seed's shift moves every mix "
            "alike: two mixes are compared by their paired difference (the sentence below), "
            "not by whether their bars overlap. No curve: between and beyond these mixes the "
            "runs say nothing." + budget)


def purchases_table(bought: dict[str, Any]) -> pd.DataFrame:
    """The measured frontier (and the best purchases within the budget, where off it), by
    cost."""
    t = bought["table"]
    keep = t["frontier"].to_numpy().copy()
    if "share_best" in t:  # every affordable purchase that is the best in some resample
        keep |= (t["share_best"] > 0).to_numpy()
    for key in ("best", "best_synthetic", "best_human", "next_step"):
        r = bought.get(key)
        if r:
            keep |= ((t["human"] == r["human"]) & (t["synthetic"] == r["synthetic"])).to_numpy()
    t = t[keep].sort_values("cost")
    frame = pd.DataFrame({"cost ($)": t["cost"], "human": t["human"].astype(int),
                          "synthetic": t["synthetic"].astype(int), "score": t["mean"],
                          "95% CI": [f"[{lo:.4f}, {hi:.4f}]"
                                     for lo, hi in zip(t["low"], t["high"])],
                          "on the frontier": t["frontier"].astype(bool), "from": t["sources"]})
    if "share_best" in t:
        frame.insert(5, "best in", [None if pd.isna(v) else curves.share_text(v)
                                    for v in t["share_best"]])
    return with_formats(frame, {"cost ($)": curves.money, "score": "{:.4f}"})


def pilot_table(report: dict[str, Any]) -> pd.DataFrame:
    """The pilot plan: per uncertain answer, its interval's width now, the width wanted, the
    seeds for it and the training runs they add."""
    def width(value: Any) -> str | None:  # points or a score, as the sentences write it
        return None if value is None or not math.isfinite(value) else curves.amount(value)

    rows = [{"answer": p["what"], "goal": p["goal"], "width now": width(p["width"]),
             "width wanted": width(p["target_width"]), "seeds now": p["seeds_now"],
             "seeds needed": p["seeds_needed"], "more runs": p["more_runs"]}
            for p in report["pilot"]]
    frame = pd.DataFrame(rows, columns=["answer", "goal", "width now", "width wanted",
                                        "seeds now", "seeds needed", "more runs"])
    counts = ["seeds now", "seeds needed", "more runs"]  # whole numbers, "–" where none
    frame[counts] = frame[counts].astype("Float64").round().astype("Int64")
    return frame


def pilot_caption(report: dict[str, Any]) -> str:
    """Caption of :func:`pilot_table`."""
    return ("How many seeds would make each uncertain answer confident, assuming an interval's "
            "width shrinks as Student t's, t(seeds - 1) / sqrt(seeds) (independent seeds whose "
            "spread stays what the seeds run here show and dominates the width; the same test "
            "rows, whose share of the width does not shrink): the fewest seeds "
            "reaching the width wanted, each seed "
            f"{curves.counted(report['runs_per_seed'], 'training run')}. "
            "With few seeds the spread itself is uncertain: read it as an order of magnitude. "
            f"From fewer than {curves.PILOT_MIN_SEEDS} seeds no count is given ('–'): 'more "
            f"runs' is then what {curves.PILOT_MIN_SEEDS} seeds cost, after which the plan is "
            "read again (in a simulation with a known truth, intervals from 3 seeds were "
            "inflated, not merely noisy: counts from them missed by 1.3-1.5x either way, and "
            f"most past {curves.PILOT_MAX_SEEDS} seeds were settled by 20).")


__all__ = ["FAMILY_COLORS", "budget_caption", "cautions", "budget_figure",
           "equivalents_caption_table", "equivalents_table",
           "fits_caption", "fits_caption_table", "fits_figure", "fits_table", "pilot_caption",
           "pilot_table", "purchases_caption", "purchases_figure", "purchases_table",
           "table3_caption", "table3_table"]
