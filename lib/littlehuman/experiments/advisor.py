"""The price advisor: given the profile's prices per human and per synthetic point, which route
the trade-off analysis says is cheaper, in numbers and in words (:func:`advice`, notebook 04);
and the curve families behind it (:func:`families_report`, notebook 06): the paper's log fit,
a power law and an exponential saturation, which extrapolates best, where they disagree, the
best split of a budget, and how many more seeds a confident answer needs."""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from littlehuman import config, curves, families, stats
from littlehuman.config import RUN_ONLY
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError
from littlehuman.experiments import grid
from littlehuman.experiments.grid import jsonable, unbounded_as_text
from littlehuman.findings import MORE_SEEDS, ONE_SEED_WHY
from littlehuman.metrics import SCORE_RANGE
from littlehuman.stats import finite

if TYPE_CHECKING:
    from littlehuman.study import Study


def advice(study: "Study", analysis: dict[str, Any]) -> dict[str, Any] | None:
    """The advisor's answer at the profile's ``price_human`` / ``price_synthetic`` (None when
    either is unset).

    Per base (on the seed means): :func:`curves.advise` on the equivalent, whether its
    bootstrap interval's bounds give the same answer (``robust``), what the human points'
    money buys in synthetic points and the score the fitted curve gives that, and a sentence.
    Overall: the same on the median equivalent over operating points, with the interquartile
    range of the break-even price ratio, and caveats. Only the measured number of human points
    is advised on: the experiment says nothing about buying more than that."""
    from littlehuman.experiments.tradeoff import seeds as trade_off_seeds

    p = study.profile
    if not (p.price_human > 0 and p.price_synthetic > 0):
        return None
    h, ratio, metric = analysis["human"], p.price_human / p.price_synthetic, analysis["metric"]
    per_base = []
    for r in analysis["bases"].to_dict("records"):
        eq = r["equivalent"] if finite(r["equivalent"]) else None
        adv = curves.advise(eq, p.price_human, p.price_synthetic, h)
        bounds = cheaper_at_bounds(r["low"], r["high"], p.price_human, p.price_synthetic, h)
        rising = finite(r.get("a1")) and r["a1"] > 0
        score = (r["a0"] + r["a1"] * math.log(r["base"] + adv["synthetic_points_for_human_cost"])
                 if rising else None)
        capped = score is not None and not SCORE_RANGE[0] <= score <= SCORE_RANGE[1]
        if capped:  # the log curve passes 1 far enough out: no score leaves 0-1
            score = float(np.clip(score, *SCORE_RANGE))
        measured = _measured_at(analysis, r["base"], adv["synthetic_points_for_human_cost"])
        robust = len(bounds) == 2 and set(bounds) == {adv["cheaper"]}
        per_base.append({"base": int(r["base"]), "status": r["status"], **adv,
                         "interval": [unbounded_as_text(r["low"]),
                                      unbounded_as_text(r["high"])],
                         "robust": robust,
                         "score_with_human": r["y_star"], "score_same_money_synthetic": score,
                         "score_capped": capped,
                         "score_same_money_measured": None if measured is None else measured[0],
                         "message": _advice_sentence(r, h, adv, score, metric, capped,
                                                     analysis.get("learned_nothing"),
                                                     measured, robust)
                         + _read_off_note(analysis.get("measured"), r["base"])})
    t3 = analysis["table3"]
    # one seed's number is not the experiment's answer: where most operating points have no
    # equivalent, or the runs learned nothing, the overall comparison is 'unknown' too, as the
    # verdict says (a helper read 'synthetic is cheaper' beside 'cannot be compared')
    reading = curves.table3_reading(t3, analysis.get("learned_nothing"))
    priced = reading not in ("learned_nothing", "unpriced")
    overall = curves.advise(t3["median"] if priced else None, p.price_human, p.price_synthetic,
                            h)
    if not priced:
        why = (analysis["learned_nothing"] if analysis.get("learned_nothing")
               else curves.unpriced_phrase(t3))
        overall["message"] = f"not priced: {why}, so the prices cannot be compared."
    prices = (f"At ${p.price_human:g} per human point and ${p.price_synthetic:g} per synthetic "
              f"point (ratio {ratio:.3g})")
    if reading == "learned_nothing":
        verdict = f"{prices}: no advice, {analysis['learned_nothing']}."
    elif reading == "none":
        verdict = (f"{prices}: no operating point gave a finite synthetic equivalent, so the "
                   "prices cannot be compared; see each base below.")
    elif reading == "unpriced":
        verdict = (f"{prices}: {curves.unpriced_phrase(t3)}, so the prices cannot be compared "
                   "on this evidence; see each base below.")
    elif reading == "at_or_below_0":
        verdict = (f"{prices}: the median equivalent is {t3['median']:.0f} <= 0 (saturation): "
                   f"the {h} human points did not beat the synthetic curve, so buy neither for "
                   f"{metric} on this evidence.")
    else:
        if curves.few_values(t3) and t3.get("values"):  # quartiles of 2-3 numbers mislead
            spread = (f"; over the operating points the break-even ratio is "
                      f"{curves.values_phrase(t3, per_point=h)} (their scatter, not the "
                      "uncertainty)")
        else:
            spread = (f"; over the operating points the break-even ratio runs from "
                      f"{t3['p25'] / h:.3g} to {t3['p75'] / h:.3g} (25th-75th percentile: "
                      "their scatter, not the uncertainty)")
        # settled only by an interval: the median over the bases, per human point
        mid = analysis.get("median_equivalent") or {}
        if mid.get("low") is not None and finite(mid.get("value")):
            ends = families.per_human_point(mid["value"], mid["low"], mid["high"], h)
            spread += (f"; with its uncertainty, the median over the bases of the fits on the "
                       f"seed means per human point is {families.ratio_text(*ends)} (95%)")
            clear = _against_median_interval(ratio, ends, overall["cheaper"])
        else:
            clear = "no interval to settle it (nothing to resample)."
        runs = families.run_ratios(analysis.get("measured"), h)
        if runs:
            side = families.ratio_side(runs, ratio)
            clear += (" Read off the runs with no curve (notebook 06), per human point: "
                      + "; ".join(f"base {b:,.0f} {families.ratio_text(v, lo, hi)}"
                                  for b, v, lo, hi in runs)
                      + {"above": ": your ratio is above every one, so synthetic points pay "
                                  "at your prices.",
                         "below": ": your ratio is below every one, so human points pay at "
                                  "your prices.",
                         "inside": ": your ratio falls inside at least one, so the runs do "
                                   "not settle it either.",
                         "between": ": your ratio lies between them (inside none), so the "
                                    "bases disagree and the runs do not settle it either."
                         }[side])
        action = (f"buy the next {h} human points" if overall["cheaper"] == "human" else
                  "synthetic points are the cheaper route"
                  if overall["cheaper"] == "synthetic" else "either route costs the same")
        verdict = (f"{prices}: {action}. {h} human points cost "
                   f"${curves.money(overall['human_cost'])}; "
                   f"the median of {t3['n']} operating points matches them with "
                   f"{t3['median']:,.0f} synthetic points "
                   f"(${curves.money(overall['synthetic_cost'])}), "
                   f"and the same ${curves.money(overall['human_cost'])} buys "
                   f"{overall['synthetic_points_for_human_cost']:,.0f} synthetic points. Human "
                   f"points pay while a human point costs less than "
                   f"{overall['breakeven_price_ratio']:.3g} synthetic ones{spread}: {clear}")
    caveats = [
        f"measured only for +{h} human points on synthetic bases of "
        f"{', '.join(str(b['base']) for b in per_base)}: buying more human points than that "
        "is an extrapolation the experiment does not support",
        _seeds_per_point(len(trade_off_seeds(p)), analysis.get("fit_seeds"))
        + "; the intervals resample seeds (and test rows for the scores), not the choice of "
        "bases",
        f"the synthetic curve {families.FAMILIES['log'].formula} is fitted on a narrow range of "
        "sizes: equivalents far beyond it are extrapolations",
    ]
    off = [f"{b['base']}: {b['status']}" for b in per_base if b["status"] != "ok"]
    if off:
        caveats.append("bases whose equivalent is not a plain number: " + "; ".join(off))
    return jsonable({"price_human": p.price_human, "price_synthetic": p.price_synthetic,
                      "price_ratio": ratio, "human_points": h, "overall": overall,
                      "verdict": verdict, "per_base": per_base, "caveats": caveats})


def _seeds_per_point(run: int, fitted: Sequence[int] | None) -> str:
    """'3 seeds per point', or where some lack a run (the fit reads the seeds with every
    run): '2 seeds per point (of the 3 run: the others lack a run)'. The profile's count had
    been said whatever the fit read (a reviewer)."""
    if fitted is None or len(fitted) >= run:
        return f"{curves.counted(run, 'seed')} per point"
    return (f"{curves.counted(len(fitted), 'seed')} per point (of the {run} run: the others "
            "lack a trade-off run)")


def _read_off_row(measured: pd.DataFrame | None, base: float,
                  statuses: Sequence[str] = ("ok",)) -> dict[str, Any] | None:
    """That base's row of the reading off the runs (:func:`families.measured_equivalents`)
    when its status is one of ``statuses`` (default: the +human score lies inside the runs),
    else None."""
    if measured is None or measured.empty:
        return None
    rows = [m for m in measured.to_dict("records") if m["base"] == base]
    return rows[0] if rows and rows[0]["status"] in statuses else None


def _read_off_note(measured: pd.DataFrame | None, base: float) -> str:
    """' Read off the runs with no curve (notebook 06): +1,346 [1,298, 1,441].' for notebook
    04's per-base advice, where that base's +human score lies inside the runs ('' else)."""
    row = _read_off_row(measured, base)
    return "" if row is None else (
        f" Read off the runs with no curve (notebook 06): {measured_phrase(row)}.")


def log_against_runs(measured: pd.DataFrame | None, base: float, low: Any, high: Any,
                     gain: Sequence[Any] | None = None) -> str:
    """Notebook 04's per-base note: the reading off the runs with no curve beside the log
    curve's equivalent, and, where the two 95% intervals (the log's ``low``-``high`` and the
    runs') do not overlap, that the log curve's shape or extrapolation, not the noise, sets
    its number; past the runs, the least they say, and where its lower end says the human
    points beat the base while their own paired ``gain`` over it ([est, low, high]) is not
    clear of 0, that too (:func:`_unsupported_lower_ends`); '' where there is no reading."""
    row = _read_off_row(measured, base, ("ok", "beyond"))
    if row is None:
        return ""
    note = f" Read off the runs with no curve: {measured_phrase(row)}"
    if row["status"] == "beyond":
        claims = _beyond_the_gain(row, gain)
        return note + (" (the +human score lies above every measured run: past them, only "
                       "a curve speaks)" + (
                           f"; its lower end {claims}: {DRAWN_APART[0].lower()}"
                           f"{DRAWN_APART[1:]} is the direct comparison" if claims else "") + ".")
    ends = (low, high, row.get("low"), row.get("high"))
    if any(v is None or pd.isna(v) for v in ends):
        return note + "."
    log_low, log_high, run_low, run_high = (float(v) for v in ends)
    if families.read_past_reach(row):
        note += (f" (read past the trade-off's runs, between {row['reach']:,.0f} and the "
                 f"sweep's {row['largest']:,.0f} synthetic points, on the log of the size: notebook 06 says "
                 "how well that held in simulation)")
    if log_low <= run_high and run_low <= log_high:
        return note + "; the two intervals overlap."
    side = "above" if log_low > run_high else "below"
    return (note + f"; the log curve's interval lies wholly {side} it: here the log curve's "
            "shape or its extrapolation past this base's own runs, not the noise, sets its "
            "number (notebook 06 fits shapes that level off and leads with this reading).")


def cheaper_at_bounds(low: Any, high: Any, price_human: float, price_synthetic: float,
                      human: int) -> list[str]:
    """The cheaper route (:func:`littlehuman.curves.advise`) at each end of an equivalent's
    interval that has one: an unbounded upper end (no synthetic amount matches the human
    points) favours human points; a missing end gives nothing."""
    return ["human" if v == math.inf else
            curves.advise(v, price_human, price_synthetic, human)["cheaper"]
            for v in (low, high) if finite(v) or v == math.inf]


def _measured_at(analysis: dict[str, Any], base: float, added: float
                 ) -> tuple[float, int] | None:
    """(mean over seeds, seeds) of a synthetic-only run of ``base + added`` points when one
    was measured on any base (``added`` a whole number of points; the synthetic sets are
    nested, so base 1,000 + 2,000 is base 3,000's own run), else None."""
    if not finite(added) or abs(added - round(added)) > 1e-6:
        return None
    return (analysis.get("synthetic_measured") or {}).get(float(base + round(added)))


def _against_median_interval(ratio: float, ends: tuple[float, float, float],
                             cheaper: str | None) -> str:
    """Where the price ``ratio`` lies against the (value, low, high) break-even interval of
    the median over the bases, said on that interval's own side: it can disagree with the
    action, which Table 3's median (fits per seed) gives."""
    side = "below" if ratio < ends[1] else "above" if ratio > ends[2] else "inside"
    if side == "inside":
        return "your ratio falls inside that interval, so the curve does not settle it."
    if {"below": "human", "above": "synthetic"}[side] == cheaper:
        return "your prices are clear of that interval."
    pays = "human" if side == "below" else "synthetic"
    return (f"your ratio lies {side} that interval, where {pays} points pay: it points the "
            "other way from the operating points' median, so the curve does not settle it.")


def _advice_sentence(r: dict[str, Any], h: int, adv: dict[str, Any], score: float | None,
                     metric: str, capped: bool = False, learned_nothing: str | None = None,
                     measured: tuple[float, int] | None = None, robust: bool = True) -> str:
    """One base's advice in words (``r``: its row of ``tradeoff_analysis(...)["bases"]``;
    ``capped``: ``score`` was the fitted curve's, outside the metric's range, capped into it;
    ``learned_nothing``: why no run says anything, :func:`grid.learned_nothing`;
    ``measured``: (score, seeds) of a synthetic-only run of exactly the same money's size;
    ``robust``: both ends of the equivalent's interval give the same answer)."""
    head = (f"On a synthetic set of {int(r['base']):,}, {h} more human points cost "
            f"${curves.money(adv['human_cost'])}")
    if learned_nothing:
        return f"{head}; no advice: the runs learned nothing (see the verdict above)."
    if r["status"] == "incomplete":
        return f"{head}; runs are missing for this base, so there is no advice."
    gain = r["y_star"] - r["fit_at_base"]
    if r["status"] == "saturated":
        return (f"{head}; they scored {r['y_star']:.4g} against the synthetic curve's "
                f"{r['fit_at_base']:.4g} at this base ({gain:+.4g}): they buy nothing the "
                "synthetic data does not already reach, so do not buy them here.")
    if adv["cheaper"] == "unknown":  # no_gain, or a match too large for a float
        if gain <= 0:
            return (f"{head}; neither more synthetic data nor the human points raised {metric} "
                    f"({gain:+.4g} over the synthetic curve): this run cannot tell whether "
                    "either helps here (the human points' gain over the base, with its "
                    "interval, is in the per-base table above), so it gives no reason to buy "
                    "either.")
        why = ("more synthetic data did not raise " + metric if r["status"] == "no_gain"
               else "the synthetic amount matching them is beyond any finite number")
        return (f"{head}; {why}, but the human points added {gain:+.4g}: buy the {h} human "
                "points, no amount of synthetic data can be priced against them.")
    if (finite(r["low"]) and families.at_floor(r["low"], -float(r["base"]))
            and not finite(r["high"])):  # at the floor as the tables read it (-249.99999)
        return (f"{head}; matching them takes about {adv['equivalent_points']:,.0f} more "
                "synthetic points on the fitted curve, but its 95% interval runs from none "
                "needed to more than any finite number: no advice for this base.")
    low = ("" if not finite(r["low"])  # no interval (no seed has every run: a reviewer's crash)
           else "≤ 0" if families.at_floor(r["low"], -float(r["base"]))  # minus the base, as
           else f"{r['low']:,.0f}")  # the tables read it
    interval = (f" (95% CI {low} to {r['high']:,.0f})"
                if finite(r["low"]) and finite(r["high"]) else
                f" (95% CI at least {r['low']:,.0f})" if finite(r["low"]) else "")
    same = (f"; the same money buys {adv['synthetic_points_for_human_cost']:,.0f} synthetic "
            f"points, which the fitted curve puts at {metric} {score:.4g}"
            + (" (capped: the log curve, extrapolated that far, leaves the metric's range)"
               if capped else "")
            + (f" (measured there: {measured[0]:.4g}, the mean of {measured[1]} seed"
               f"{'s' if measured[1] != 1 else ''})" if measured else "")
            + f" against {r['y_star']:.4g} with the human points" if score is not None else "")
    action = (f"buy the {h} human points" if adv["cheaper"] == "human" else
              "synthetic points are the cheaper route here"
              if adv["cheaper"] == "synthetic" else "either route costs the same")
    unsettled = ("" if robust or adv["cheaper"] not in ("human", "synthetic") else
                 ", though its 95% interval does not settle it")
    return (f"{head}; matching them takes about {adv['equivalent_points']:,.0f}{interval} more "
            f"synthetic points (${curves.money(adv['synthetic_cost'])}){same}: "
            f"{action}{unsettled}.")


# --------------------------------------------------------------------------- curve families
#: every score this project measures lies in [0, 1]: the asymptote of a family stays under it
CEILING = 1.0
#: what the pilot plan says where no interval gives it a width to start from (an unbounded
#: one, or no finite equivalent at all): one rule for both (FEVER's and ROPES's cpu-profile
#: pages said "more seeds cannot settle it" and "run more seeds" of the same situation)
UNSETTLED_ADVICE = ("More seeds (`--seeds`, `--tradeoff-seeds`), more sizes per base "
                    "(`--tradeoff-steps`) or more human points per base (`--tradeoff-human`) "
                    "may settle it; `--plan` prices each; read the intervals again after.")
#: the pilot plan's goal for an equivalent: its interval within +-25% of the estimate
EQUIVALENT_PRECISION = 0.25
#: a budget gain under this share of its interval's width is a tie: no seeds are planned for
#: it (ROPES's cpu profile: +0.0000087 in a 0.0094-wide interval asked for a width of 9e-06)
TIE_SHARE = 0.01


def is_tie(gain: dict[str, Any]) -> bool:
    """Whether a budget gain (value, low, high) is a tie: an interval, and the estimate under
    :data:`TIE_SHARE` of its width."""
    return finite(gain.get("low")) and finite(gain.get("high")) and \
        abs(gain["value"]) < TIE_SHARE * (gain["high"] - gain["low"])


def curve_data(study: "Study", metric: str | None = None) -> "families.CurveData":
    """The trade-off's per-test-row scores (``metric``, default the main one) for the curve
    families: every seed that has all the trade-off runs, each run's test rows in one array.
    Raises :class:`~littlehuman.errors.LittleHumanError` when no seed has them all."""
    from littlehuman.experiments import tradeoff
    from littlehuman.experiments.scaling import sizes

    metric = metric or study.main_metric
    cells = tradeoff.cells(study.profile, study.shape)
    keys = list(dict.fromkeys(tuple(v for _, v in c.coords) for c in cells))  # (base, kind, added)
    rows = tradeoff.row_scores(study, metric)
    per_seed = {}
    for seed in tradeoff.seeds(study.profile):
        have = rows.get(seed, {})
        if not all((kind, base, added) in have for base, kind, added in keys):
            continue
        arrays = [have[(kind, base, added)] for base, kind, added in keys]
        if len({a.size for a in arrays}) == 1 and all(np.isfinite(a).all() for a in arrays):
            per_seed[seed] = np.vstack(arrays)
    if not per_seed:
        raise LittleHumanError(f"no trade-off seed of {study.name} has every run finished with "
                               f"{metric} scores; run `run_all.py --notebooks 04` first")
    for size, arrays in _other_synthetic_runs(study, metric, keys, per_seed).items():
        keys.append((size, families.OTHER_SYNTHETIC, 0))
        per_seed = {seed: np.vstack([m, arrays[seed]]) for seed, m in per_seed.items()}
    runs = pd.DataFrame(keys, columns=["base", "kind", "added"])
    return families.CurveData(runs, per_seed, sizes(study.profile, study.shape).human)


def _other_synthetic_runs(study: "Study", metric: str, keys: list[tuple],
                          per_seed: dict[int, np.ndarray]) -> dict[int, dict[int, np.ndarray]]:
    """The other experiments' purely synthetic runs (the sweep's and the zoom's at fraction
    1) at sizes past the trade-off's synthetic-only ones ({size: {seed: per-row scores}}),
    where every seed of ``per_seed`` has one finished with ``metric`` on the same test rows:
    the reading off the runs reaches that far (ROPES's simulation: base 3,000's +human score
    lay between the trade-off's largest size, 3,800, and the sweep's 5,000)."""
    from littlehuman.experiments import purchases

    largest = max(base + added for base, kind, added in keys if kind == "synthetic")
    rows = next(iter(per_seed.values())).shape[1]
    out = {}
    for (human, size), entry in sorted(purchases.collected(study).items()):
        if human or size <= largest or not set(per_seed) <= set(entry["runs"]):
            continue
        try:
            arrays = {seed: purchases.run_scores(study, metric, entry["runs"][seed].values())
                      for seed in per_seed}
        except LittleHumanError:  # stale runs: the trade-off's reading goes without them
            continue
        if all(a.size == rows and np.isfinite(a).all() for a in arrays.values()):
            out[size] = arrays
    return out


def curve_analysis(study: "Study", metric: str,
                   family_names: Sequence[str] = families.FAMILY_NAMES,
                   n_boot: int = curves.EQUIVALENT_RESAMPLES, level: float = 0.95
                   ) -> dict[str, Any]:
    """:func:`littlehuman.families.analyse` of the study's trade-off (:func:`curve_data`),
    with the one bootstrap draw per study and metric: notebook 04 (the ``log`` family alone)
    and notebook 06 (every family) resample the same seeds and test rows, so the paper's
    curve gets the same interval in both."""
    return families.analyse(curve_data(study, metric), family_names, n_boot=n_boot,
                            level=level, seed=schema.stable_seed(study.name, "families", metric),
                            ceiling=CEILING)


def families_report(study: "Study", metric: str | None = None,
                    n_boot: int = curves.EQUIVALENT_RESAMPLES,
                    level: float = 0.95, budget: float | None = None) -> dict[str, Any]:
    """Every curve family on the trade-off (:func:`littlehuman.families.analyse`: fits,
    leave-largest-size-out errors, the choice, equivalents with intervals over seeds and test
    rows, disagreements, ``table3`` per family), plus: ``table3_frame`` (DataFrame: the paper's
    Table 3 statistic per family beside the paper's own row), ``breakeven`` ({family: ratio or None}: today's
    break-even price ratio under each family), ``budget`` (:func:`families.budget_answer`
    under the first of :func:`families.budget_families` (the chosen family where the
    budget's own hold-out keeps it) at the profile's prices and ``budget`` (default: the profile's
    ``budget`` field, when it has one); None without prices and budget; status
    ``learned_nothing`` with a sentence when no trade-off run learned anything),
    ``flags`` (:func:`grid.flags` of the trade-off's runs), ``learned_nothing``
    (:func:`grid.learned_nothing`: then no pilot plan either),
    ``budget_by_family`` ({family: the same}), ``budget_disagreement`` (a sentence when the
    families split the budget differently, else None), ``budget_robust``
    (:func:`families.robust_split` over :func:`families.budget_families`, those the hold-out
    of the curves fitted to every base at once cannot tell from the best: None unless two or
    more), ``pilot``
    (:func:`pilot_rows`), ``purchases`` (:func:`measured_purchases`: what the measured runs
    bought at the profile's prices, no curve; None without prices or when the runs learned
    nothing), ``gains`` (the human points' paired gain per base,
    :func:`~littlehuman.experiments.tradeoff.human_gain`; None when the runs learned
    nothing), ``runs_per_seed``, ``metric``, ``dataset``, ``seeds_left_out`` (trade-off seeds
    with some runs but not every one: the curves and this page's Table 3 leave them out),
    ``trade_off_seeds`` (the seeds the trade-off trains)."""
    from littlehuman.experiments import tradeoff
    from littlehuman.findings import paper_table3

    metric = metric or study.main_metric
    result = curve_analysis(study, metric, n_boot=n_boot, level=level)
    h = result["human"]
    rows = []
    for f in result["families"]:
        t3 = result["table3"][f]
        rows.append({"curve": families.FAMILIES[f].label, "family": f, **t3})
    paper = paper_table3(study.name)
    if paper:
        rows.append({"curve": "paper (log; Llama-3.1-8B, GPT-3.5 data, +200 human)",
                     "family": "paper", "n": None, "n_undefined": None, "mean": paper["mean"],
                     "median": paper["median"], "p25": paper["q25"], "p75": paper["q75"]})
    breakeven = {f: (curves.breakeven_price_ratio(result["table3"][f]["median"], h)
                     if result["table3"][f]["median"] is not None and h > 0 else None)
                 for f in result["families"]}
    p = study.profile
    budget = budget if budget is not None else float(getattr(p, "budget", 0.0) or 0.0)
    priced = p.price_human > 0 and p.price_synthetic > 0 and budget > 0
    records, baseline = tradeoff.records(study), grid.majority_baseline(study)
    nothing = grid.learned_nothing(records, metric, "trade-off runs",
                                   trained=grid.trained_with(study))
    answers = ({f: families.budget_answer(result, p.price_human, p.price_synthetic, budget,
                                          family=f) for f in result["families"]}
               if priced and not nothing else {})
    plausible = families.budget_families(result)  # the budget's own hold-out's choice first
    answer = answers.get(plausible[0]) if plausible else None
    if priced and nothing:
        answer = {"status": "learned_nothing", "budget": budget, "price_human": p.price_human,
                  "price_synthetic": p.price_synthetic,
                  "sentence": "No budget split: the runs learned nothing (see the top of this page)."}
    runs_per_seed = len({c.run for c in tradeoff.cells(p, study.shape)}) // max(
        1, len(tradeoff.seeds(p)))
    bought = None if nothing else measured_purchases(study, metric, n_boot, level, budget)
    gains = None if nothing else tradeoff.human_gain(study, metric,  # the curves' seeds
                                                     level=result.get("level", 0.95),
                                                     among=result["seeds"])
    pilot = [] if nothing else pilot_rows(result, answer, runs_per_seed,
                                          _saturated_gains(gains, result), bought)
    left_out = sorted(set(records["seed"]) - set(result["seeds"])) if len(records) else []
    return {**result, "metric": metric, "dataset": study.name, "seeds_left_out": left_out,
            "trade_off_seeds": list(tradeoff.seeds(p)),
            "flags": grid.flags(records, baseline, metric, grid.best_constant(study, metric)),
            "learned_nothing": nothing,
            "baseline": baseline.get(metric), "span": grid.span_baseline(records, metric),
            "gains": gains,
            "mostly_nothing": grid.mostly_learned_nothing(records, "trade-off runs",
                                                          baseline.get(metric), metric),
            "table3_frame": pd.DataFrame(rows), "breakeven": breakeven, "budget": answer,
            "budget_by_family": answers,
            "budget_credits": ({f: families.pooled_credits(result, f) for f in answers}
                               if answers else {}),
            "budget_disagreement": families.budget_disagreement(answers, plausible),
            "budget_robust": families.robust_split(answers, plausible),
            "budget_asked": budget, "price_human": p.price_human,
            "price_synthetic": p.price_synthetic, "runs_per_seed": runs_per_seed,
            "pilot": pilot, "purchases": bought}


def measured_purchases(study: "Study", metric: str, n_boot: int, level: float,
                       budget: float) -> dict[str, Any] | None:
    """What the measured runs bought at the profile's prices, no curve
    (:func:`littlehuman.experiments.purchases.at_prices`, with the ``budget`` when it is
    above 0), plus ``left_out`` and ``n_boot``; None without prices; status 'unavailable' with
    the reason as its ``sentence`` where the runs cannot be read so (no seed has every mix's
    runs, stale runs)."""
    from littlehuman.experiments import purchases

    p = study.profile
    if not (p.price_human > 0 and p.price_synthetic > 0):
        return None
    try:
        measured = purchases.measure(study, metric, n_boot, level)
    except LittleHumanError as exc:
        return {"status": "unavailable", "sentence": f"No measured purchases: {exc}."}
    return {**purchases.at_prices(measured, p.price_human, p.price_synthetic,
                                  budget if budget > 0 else None),
            "left_out": measured.left_out, "n_boot": n_boot}


def _saturated_gains(gains: pd.DataFrame, result: dict[str, Any]) -> pd.DataFrame | None:
    """The human points' ``gains`` (:func:`~littlehuman.experiments.tradeoff.human_gain`)
    when a planned family has a saturated base (the pilot plan narrows the gain there), else
    None (it is not needed)."""
    mine = _pilot_fits(result)
    if not any(finite(v) and v <= 0 for v in mine.get("equivalent", pd.Series(dtype=float))):
        return None
    return gains


def _pilot_fits(result: dict[str, Any]) -> pd.DataFrame:
    """The fits of the families the pilot plan narrows
    (:func:`~littlehuman.families.pilot_families`: those neither hold-out tells from the
    best), one row per family and base (the pooled rows left out), the chosen family's
    first."""
    fits = result["fits"]
    names = families.pilot_families(result)
    mine = fits[fits["family"].isin(names) & (fits["base"] != families.POOLED)]
    order = mine["family"].map({f: i for i, f in enumerate(names)})
    return mine.iloc[np.argsort(order.to_numpy(), kind="stable")]


def pilot_rows(result: dict[str, Any], answer: dict[str, Any] | None,
               runs_per_seed: int, gains: pd.DataFrame | None = None,
               bought: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The pilot plan: for each base's equivalent under each family neither hold-out tells
    from the best (:func:`~littlehuman.families.pilot_families`; the chosen one alone when
    the per-base one was decisive) whose interval is wider than
    +-:data:`EQUIVALENT_PRECISION` of it, and for the budget decision when its interval reaches 0, how many seeds would narrow it enough
    (:func:`littlehuman.curves.pilot_plan`). An equivalent whose interval is unbounded
    (resamples no synthetic amount matches) or missing (fits that failed) gets a row too,
    without a number of seeds. A saturated base (equivalent <= 0: the human points did not
    beat the synthetic curve) is planned on the human points' gain over that base instead
    (``gains``: :func:`littlehuman.experiments.tradeoff.human_gain`), whose interval clear
    of 0 is the answer there; +-25% of an equivalent at or below 0 says little. The
    equivalents read off the runs (``result["measured"]``, inside them with a closed interval)
    get the same rule; so does, with its interval reaching 0, the measured purchases' best
    with human points against the best without (``bought``: :func:`measured_purchases`).
    Each row: what, goal, and the plan's keys."""
    n_seeds, out = result["n_seeds"], []
    fits = _pilot_fits(result).to_dict("records")
    saturated: dict[Any, list[dict[str, Any]]] = {}  # base -> its families at or below 0
    for r in fits:
        if finite(r.get("equivalent")) and r["equivalent"] <= 0:
            saturated.setdefault(r["base"], []).append(r)
    for r in fits:
        fam = r["family"]
        if not finite(r.get("equivalent")):
            continue
        if r["equivalent"] <= 0:  # one row per base: the gain is no family's (a reviewer
            # read one plan three times, "Run 5 seeds" under each family)
            if saturated[r["base"]][0] is r:
                row = _saturated_row(saturated[r["base"]], n_seeds, runs_per_seed, gains)
                if row:
                    out.append(row)
            continue
        if not (finite(r.get("low")) and finite(r.get("high"))):
            if finite(r.get("undefined")) and r["undefined"] > 0:  # too uncertain for one
                out.append(_no_interval_row(r, fam, n_seeds, result))
            continue
        out += _precision_row(f"the equivalent on base {r['base']:,.0f} "
                              f"({families.FAMILIES[fam].label}, {r['equivalent']:,.0f} "
                              "synthetic points)", r, n_seeds, runs_per_seed)
    measured = result.get("measured")
    for m in ([] if measured is None else measured.to_dict("records")):
        if m["status"] != "ok" or not (finite(m["low"]) and finite(m["high"])):
            continue  # past the runs, or open above: the curves' rows cover it
        out += _precision_row(f"the reading off the runs on base {m['base']:,.0f} (no curve, "
                              f"{m['equivalent']:,.0f} synthetic points)", m, n_seeds,
                              runs_per_seed)
    out += _purchases_row(bought, n_seeds, runs_per_seed)
    if answer and answer.get("status") == "ok":
        g = answer["gain_over_all_synthetic"]
        what = f"the best split's score against {g['against']}"
        if is_tie(g) and not answer["confident"]:  # seeds would chase a difference of ~0
            out.insert(0, {"what": what, "goal": "an interval clear of 0, if the estimate holds",
                           "width": g["high"] - g["low"], "target_width": None,
                           "seeds_now": n_seeds, "seeds_needed": None, "more_seeds": None,
                           "more_runs": None, "within_reach": None, "assumption": None,
                           "message": f"{what} is {curves.digits(g['value'], sign=True)}, "
                                      f"under {TIE_SHARE:.0%} of its interval's width "
                                      f"({curves.amount(g['high'] - g['low'])}): a tie. No "
                                      "number of seeds is planned for it: either split does "
                                      "about as well on this evidence."})
        elif finite(g.get("low")) and finite(g.get("high")) and not answer["confident"] \
                and abs(g["value"]) > 0:  # the purchase itself: first
            plan = curves.pilot_plan(g["high"] - g["low"], n_seeds,
                                     clear_of_zero_width(g["value"], g["low"], g["high"]),
                                     runs_per_seed, what)
            if plan["seeds_needed"] is not None and plan["more_seeds"]:
                plan["message"] += (" A gain read off the curves narrowed more slowly than "
                                    "that in a simulation with a known truth (at 5-12 seeds "
                                    "its width was 1.1-1.3x the rule's): read the count as a "
                                    "floor.")
            out.insert(0, {"what": what, "goal": "an interval clear of 0, if the estimate holds",
                           **plan})
    return out


def _purchases_row(bought: dict[str, Any] | None, n_seeds: int, runs_per_seed: int
                   ) -> list[dict[str, Any]]:
    """A pilot row for the measured purchases' best with human points against the best
    without (:func:`measured_purchases`) when its paired interval reaches 0 and the
    difference is not 0, else none."""
    gain = (bought or {}).get("gain")
    if not gain or gain["value"] == 0 or gain["low"] > 0 or gain["high"] < 0:
        return []
    what = (f"the best measured purchase with human points against the best without "
            f"({curves.digits(gain['value'], sign=True)}, no curve)")
    return [{"what": what, "goal": "an interval clear of 0, if the estimate holds",
             **curves.pilot_plan(gain["high"] - gain["low"], n_seeds,
                                 clear_of_zero_width(gain["value"], gain["low"], gain["high"]),
                                 runs_per_seed, what)}]


def _precision_row(what: str, e: dict[str, Any], n_seeds: int, runs_per_seed: int
                   ) -> list[dict[str, Any]]:
    """A pilot row for an equivalent ``e`` (equivalent, low, high: a closed interval) wider
    than +-:data:`EQUIVALENT_PRECISION` of it, else none."""
    width, target = e["high"] - e["low"], 2 * EQUIVALENT_PRECISION * abs(e["equivalent"])
    if not (target > 0 and width > target):
        return []
    return [{"what": what, "goal": f"within +-{EQUIVALENT_PRECISION:.0%}",
             **curves.pilot_plan(width, n_seeds, target, runs_per_seed, what)}]


def clear_of_zero_width(value: float, low: float, high: float) -> float:
    """The width at which the interval ``[low, high]`` around ``value``, shrinking in
    proportion, stops reaching 0: its whole width times ``|value|`` over the distance from
    ``value`` to the end on 0's side (twice ``|value|`` only for an interval centred on
    it; an estimate at one end of its interval needs that side to shrink below ``|value|``)."""
    near = value - low if value > 0 else high - value
    width = high - low
    return width * abs(value) / near if near > 0 else width


def _saturated_row(fits: list[dict[str, Any]], n_seeds: int, runs_per_seed: int,
                   gains: pd.DataFrame | None) -> dict[str, Any] | None:
    """The pilot row of a saturated base (``fits``: its families' fits with an equivalent at
    or below 0): seeds to tell the human points' gain over the base from 0 (None when that
    gain is unknown, or already clear of 0)."""
    r = fits[0]
    mine = gains[gains["base"] == r["base"]] if gains is not None else pd.DataFrame()
    if mine.empty:
        return None
    g = mine.iloc[0]
    if not (finite(g["gain_low"]) and finite(g["gain_high"])) or g["gain"] == 0 \
            or g["gain_low"] > 0 or g["gain_high"] < 0:
        return None
    said = ", ".join(f"{families.FAMILIES[f['family']].label}: "
                     f"{families.points_or_none_needed(f['equivalent'], -float(f['base']))}"
                     for f in fits)
    what = (f"the human points' gain over base {r['base']:,.0f} ({g['gain']:+.3g}; the "
            f"equivalent{'s' if len(fits) > 1 else ''} ({said}) say they did not beat the "
            "synthetic curve)")
    return {"what": what, "goal": "an interval clear of 0, if the estimate holds",
            **curves.pilot_plan(g["gain_high"] - g["gain_low"], n_seeds,
                                clear_of_zero_width(g["gain"], g["gain_low"], g["gain_high"]),
                                runs_per_seed, what)}


def _no_interval_row(r: dict[str, Any], fam: str, n_seeds: int, result: dict[str, Any]
                     ) -> dict[str, Any]:
    """A pilot row for an equivalent with an unbounded interval or none (resamples without a
    finite equivalent): the width arithmetic has no width to start from, so it gives no
    number of seeds."""
    what = (f"the equivalent on base {r['base']:,.0f} ({families.FAMILIES[fam].label}, "
            f"{r['equivalent']:,.0f} synthetic points)")
    level, n_boot = result.get("level", 0.95), result.get("n_boot")
    share = f"{int(r['undefined']):,} of {n_boot:,}" if n_boot else f"{int(r['undefined']):,}"
    # an end at minus the base reads '≤ 0', as in the fits table above it ('[-24, ∞)' beside
    # the table's '≤ 0' to '∞' on ROPES's smoke runs, seen in JupyterLab 2026-12-06)
    has = (f"its {level:.0%} interval is unbounded, "
           f"{families.interval_or_none_needed(r['low'], r['high'], -float(r['base']))}"
           if families.has_interval(r) else f"it has no {level:.0%} interval")
    message = (f"{what}: {has} with {curves.counted(n_seeds, 'seed')}, since {share} bootstrap "
               "resamples find no finite equivalent, so it is not settled; with no width to "
               "start from, the "
               f"seeds arithmetic cannot say how many seeds would settle it. {UNSETTLED_ADVICE}")
    return {"what": what, "goal": f"within +-{EQUIVALENT_PRECISION:.0%}", "width": None,
            "target_width": 2 * EQUIVALENT_PRECISION * abs(r["equivalent"]),
            "seeds_now": n_seeds, "seeds_needed": None, "more_seeds": None, "more_runs": None,
            "within_reach": None, "assumption": None, "message": message}


def agreement_sentence(report: dict[str, Any]) -> str:
    """What notebook 06 says under the families' table (Markdown): each disagreement, else
    whether there was anything to compare (families that fit but give no number, or a single
    family with one, are no agreement)."""
    if report.get("learned_nothing"):
        return ("**Agreement not judged:** the runs learned nothing (see the top of this page), "
                "so the families fit noise.")
    sentences = [s for s in report["disagreements"].values() if s]
    if sentences:
        return "\n\n".join(f"**Disagreement:** {s}" for s in sentences)
    fits = report["fits"]
    fits = fits[fits["base"] != families.POOLED]
    numbered = fits[[finite(v) for v in fits.get("equivalent", pd.Series(dtype=float))]]
    if numbered.empty:
        return ("**Nothing to compare:** no curve family gives a finite equivalent on any base "
                "(see each one's status above).")
    per_base = numbered.groupby("base")["family"].nunique()
    has_ends = {"low", "high"} <= set(numbered.columns)
    bounded = numbered[[finite(lo) and finite(hi) for lo, hi in
                        zip(numbered["low"], numbered["high"])]] if has_ends else numbered
    if has_ends and (per_base >= 2).any() and bounded.empty:
        return ("**Agreement not judged:** every family's interval is unbounded, so any two "
                f"would overlap; their equivalents {_equivalents_span(numbered)} synthetic "
                "points.")
    if (per_base < 2).all():
        labels = sorted({families.FAMILIES[f].label for f in numbered["family"]})
        return (f"**Nothing to compare:** on every base at most one family gives a number "
                f"({', '.join(labels)}); the others could not be fitted or give none, so "
                "agreement cannot be judged.")
    return ("**The families' intervals overlap** on every base where two or more give a "
            f"number (their equivalents {_equivalents_span(numbered)} synthetic points); "
            "overlapping is not agreeing: read each family's number against the others' "
            "intervals in the table above.")


def _equivalents_span(numbered: pd.DataFrame) -> str:
    """'run from -124 to +1,331' over the fits' equivalents, one at its base's floor (none
    needed) as '≤ 0'; 'are all ≤ 0' where both ends read alike (a reviewer: 'from -250 to
    -250', of near-flat fits on base 250)."""
    ordered = numbered.assign(v=numbered["equivalent"].astype(float)).sort_values("v")
    low, high = (families.points_or_none_needed(r["v"], -float(r["base"]))
                 for r in (ordered.iloc[0], ordered.iloc[-1]))
    return f"are all {low}" if low == high else f"run from {low} to {high}"


def pilot_sentence(report: dict[str, Any]) -> str:
    """What notebook 06 says when the pilot plan is empty: every answer already settled, or
    no number to narrow at all (more seeds cannot settle what no family gives)."""
    if report["pilot"]:
        return ""
    if report.get("learned_nothing"):
        return ("No pilot plan: more seeds of runs that learn nothing settle nothing (see the "
                "top of this page).")
    if report.get("n_seeds") == 1:
        return ("No pilot plan from one seed: every interval on this page resamples the test "
                "rows alone and the spread between seeds is unseen, so none of them can be "
                "called settled, nor scaled to a number of seeds. Run 3 seeds or more "
                "(`--seeds 0,1,2`), then read the plan again.")
    names = families.pilot_families(report)
    mine = _pilot_fits(report)
    has_number = any(finite(v) for v in mine.get("equivalent", pd.Series(dtype=float)))
    answer = report.get("budget")
    if not has_number and not (answer and answer.get("status") == "ok"):
        who = (f"{families.named(names)} gives no finite equivalent" if len(names) == 1 else
               f"{'neither' if len(names) == 2 else 'none of'} "
               f"{families.named(names, 'nor' if len(names) == 2 else 'and')} (the hold-outs "
               "cannot tell them apart) gives a finite equivalent")
        return (f"No pilot plan: {who} on the seed means and there is no "
                "budget answer, so there is no interval whose width the seeds arithmetic could "
                f"start from. {UNSETTLED_ADVICE}")
    return ("Every interval the plan weighs is already narrow enough for its answer "
            f"(equivalents within +-{EQUIVALENT_PRECISION:.0%}; on a saturated base, the human "
            "points' gain clear of 0; the budget's split and the measured purchases' best with "
            "human points against the best without clear of 0): no more seeds needed.")


def open_families_sentence(report: dict[str, Any]) -> str:
    """What notebook 06 says under its pilot plan when the per-base hold-out cannot tell two
    or more families apart (else ""): which of them the all-bases hold-out rules out (the
    plan leaves those out: :func:`~littlehuman.families.pilot_families`), that the plan
    covers each of the rest, and that seeds narrow each family's intervals without telling
    the families apart; more sizes per base do, at one run per base and seed each."""
    names = families.plausible_families(report)
    if len(names) < 2 or report.get("learned_nothing"):
        return ""
    planned = families.pilot_families(report)
    ruled_out = [f for f in names if f not in planned]
    untested = [f for f in names if f in (report["choice"].get("untestable") or [])]
    tested = [f for f in names if f not in untested]
    if not untested:
        head = f"The per-base hold-out cannot tell {families.named(names)} apart"
    else:  # a family the smaller sizes could not fit is open for want of a test
        head = ("The per-base hold-out " + (f"cannot tell {families.named(tested)} apart and "
                                            if len(tested) > 1 else
                                            f"could test only {families.named(tested)} and "
                                            if tested else "")
                + f"could not test {families.named(untested)} (the sizes but the largest do not "
                "fit "
                + ("it" if len(untested) == 1 else "them") + "): it rules none of them out")
    if ruled_out:
        verb = "predicts" if len(ruled_out) == 1 else "predict"
        head += (f"; on the all-bases hold-out (every base's synthetic-only runs at once) "
                 f"{families.named(ruled_out)} {verb} the largest size worse than the "
                 "best family by more than the margin's noise")
        if len(planned) == 1:
            covers = (f", so the plan narrows {families.named(planned)} alone"
                      if report.get("pilot") else "")
            return f"{head}{covers}."
    covers = ((", so the plan covers each of them" if not ruled_out else
               f", so the plan covers {families.named(planned)}") if report.get("pilot") else "")
    # each trade-off seed trains the step, read on the curves or not (a reviewer: 2 of 3)
    runs = len(report["bases"]) * len(report.get("trade_off_seeds") or range(report["n_seeds"]))
    return (f"{head}{covers}. More seeds narrow each family's intervals but do not tell the "
            "families apart; more sizes per base (`--tradeoff-steps`, one more synthetic-only "
            f"size per base and seed each: {curves.counted(runs, 'run')} per step here) give "
            "the hold-out a larger size to predict and more sizes to fit.")


def pilot_notes(report: dict[str, Any]) -> list[str]:
    """What notebook 06 says under its pilot plan besides the rows: that a settled budget
    split does not wait on them, and :func:`open_families_sentence`."""
    notes = []
    answer = report.get("budget") or {}
    if report.get("pilot") and answer.get("status") == "ok" and answer.get("confident"):
        notes.append("The budget's split is already settled (its gain's interval is clear of "
                     "0): these seeds would narrow the equivalents, not change what to buy.")
    return notes + [s for s in [open_families_sentence(report)] if s]


def worth_sentence(answer: dict[str, Any]) -> str:
    """What notebook 06 says under the budget's answer (:func:`families.budget_answer`, status
    ok): what the measured human points are worth in synthetic points at the best split's
    synthetic size, with its interval (an end may be unbounded: 'at least')."""
    w = answer["worth"]
    value = (f"{w['value']:,.0f} synthetic points" if finite(w.get("value"))
             else "no finite number of synthetic points")
    at = w["at_synthetic"]
    if not families.has_interval(w):
        interval = ""
    elif families.at_floor(w["low"], -at) and w["high"] == math.inf:  # "none needed" .. "none reaches"
        interval = (f" (its 95% CI runs from none needed to more than any finite number: the "
                    f"resamples settle nothing; {w['undefined']:,} without a finite answer)")
    else:
        interval = (f" (95% CI {families.interval_or_none_needed(w['low'], w['high'], -at)}; "
                    f"{w['undefined']:,} resamples without a finite answer)")
    fitted = (f" on the {families.FAMILIES[answer['family']].label} fitted to every base's "
              "synthetic-only runs at once (the table above fits each base alone)"
              if answer.get("family") in families.FAMILIES else "")
    bases = answer.get("bases") or []
    near = (min(bases) if at < min(bases) else max(bases)) if bases else None
    carried = (f"; beyond the measured bases this is carried over from base "
               f"{near:,.0f}, the nearest, not measured at {at:,.0f}"
               if near is not None and not min(bases) <= at <= max(bases) else "")
    return (f"At {at:,.0f} synthetic points, the {w['human_points']} human "
            f"points are worth {value}{interval}{fitted}{carried}"
            + ("." if w["status"] == "ok" else f": {w['status']}."))


def _with_prices(command: list[str], example: dict[str, float], overrides: str | dict,
                 custom: str | dict, data_dir: str) -> tuple[str, str]:
    """``run_all.py`` ``command`` (its words up to the dataset and profile) with the flags the
    report was made with (``overrides``, ``custom``, ``data_dir``) and ``example``'s prices,
    as one shell line; and the parameters cell's ``overrides`` with the prices in."""
    import shlex

    from littlehuman.notebook import run_all_flags

    given = json.loads(overrides) if isinstance(overrides, str) else dict(overrides or {})
    # how fast and where runs happen is the reader's own (a kept page suggested --jobs 2);
    # what the run would not read (float32 set for a CPU without bfloat16 beside --generator
    # openai) run_all.py refuses
    profile = command[command.index("--profile") + 1] if "--profile" in command else "cpu"
    unread = config.unread_settings(profile, given)
    kept = {k: v for k, v in given.items()
            if k not in example and k not in RUN_ONLY and k not in unread}
    line = " ".join(shlex.quote(p) for p in [
        "python", "run_all.py", *command, *(["--data-dir", data_dir] if data_dir else []),
        *run_all_flags(kept, custom), *run_all_flags(example)])
    return line, json.dumps({**kept, **example})


def no_budget_sentence(dataset: str, profile: str, overrides: str | dict = "{}",
                       custom: str | dict = "{}", data_dir: str = "",
                       report: dict[str, Any] | None = None) -> str:
    """What notebook 06 says without prices: how to give them, to ``run_all.py`` (a report,
    with the flags behind the notebook's ``overrides`` and ``custom`` options, so that it
    reads the same data with the same settings) or in the parameters cell (the notebook run
    in JupyterLab); and, where ``report`` (:func:`families_report`) gives a break-even price
    ratio, that those are the answer meanwhile."""
    example = {"price_human": 0.5, "price_synthetic": 0.002, "budget": 1000}
    command, cell = _with_prices(["advise", dataset, "--profile", profile], example,
                                 overrides, custom, data_dir)
    ratios = report is None or (not report.get("learned_nothing") and any(
        r is not None and not curves.mostly_undefined(report["table3"][f])
        for f, r in report["breakeven"].items()))
    return ("No budget answer: give the price of a human point, of a synthetic point and a "
            f"budget: `{command}`, or in the parameters cell `overrides = '{cell}'`."
            + (" Without them, the break-even price ratios above are the answer." if ratios else
               " No break-even price ratio above gives an answer either."))


def no_prices_sentence(dataset: str, profile: str, overrides: str | dict = "{}",
                       custom: str | dict = "{}", data_dir: str = "",
                       price: str = "") -> str:
    """What notebook 04 says without prices: the command and parameters cell that give them
    (as :func:`no_budget_sentence`), then ``price`` (the trade-off's break-even sentence)."""
    example = {"price_human": 0.5, "price_synthetic": 0.002}
    command, cell = _with_prices(["--dataset", dataset, "--profile", profile, "--notebooks",
                                  "04"], example, overrides, custom, data_dir)
    priced = not price.startswith("no break-even")
    return (f"No prices given: `{command}` (dollars per point), or in the parameters cell "
            f"`overrides = '{cell}'`, gives the advice"
            + ("." if priced else ", which here could only say the human points are not priced.")
            + (f" Without prices: {price}." if price else ""))


def _worth_as_json(worth: dict[str, Any] | None) -> dict[str, Any] | None:
    """The budget answer's worth of the human points, its interval's unbounded ends as text."""
    if worth is None:
        return None
    return {**worth, **{end: unbounded_as_text(worth.get(end)) for end in ("low", "high")}}


def budget_curves_sentence(report: dict[str, Any]) -> str:
    """What notebook 06 says under the budget's answer: each family's curve as the budget
    reads it, fitted to every base's synthetic-only runs at once (the fits table fits each base
    alone), with its RMSE and the synthetic points it credits the human points with on each
    base; a poor fit there moves a family's split (empty without a budget answer)."""
    answer = report.get("budget") or {}
    if answer.get("status") != "ok":
        return ""
    parts = []
    credits = report.get("budget_credits") or {}
    for fam in report["families"]:
        fit = report["fit"].get((families.POOLED, fam))
        if fit is None or not fit.usable:
            continue
        said_credits = [_credit_text(c) for c in credits.get(fam, [])]
        rmse = f"RMSE {fit.rmse:.2g}; " if finite(fit.rmse) else ""
        parts.append(f"{families.FAMILIES[fam].label} ({rmse}{' / '.join(said_credits)})")
    bases = ("bases " if len(report["bases"]) > 1 else "base ") + " / ".join(
        f"{b:,.0f}" for b in report["bases"])
    said = ("**The budget's curves**, each fitted to every base's synthetic-only runs at once, "
            f"with the synthetic points they credit the {report['human']} human points with on "
            f"{bases}: {'; '.join(parts)}. A family whose curve fits all bases poorly credits "
            "them differently from its per-base fits in the table above, and its split moves "
            "with it.")
    pooled = report.get("pooled_choice") or {}
    if pooled.get("sentence"):
        said += f" {pooled['sentence']}"
    said += _pooled_breakeven(report, credits.get(answer["family"], []), answer)
    answers = {f: a for f, a in (report.get("budget_by_family") or {}).items()
               if a.get("status") == "ok"}
    if len(answers) > 1 and not report.get("budget_disagreement"):
        agree = families.named(list(answers))
        humans = [a["best"]["h"] for a in answers.values()]
        alike = ("none of them buys human points" if max(humans) == 0 else
                 "their best splits buy human points alike, within a tenth of the measured "
                 "number")
        said += f" {agree[:1].upper()}{agree[1:]} agree on the split ({alike})."
    return said


def _credit_text(credit: dict[str, Any]) -> str:
    """One base's credit on a budget curve (:func:`~littlehuman.families.pooled_credits`):
    '1,370 [1,284, 1,493]', the value alone without an interval, 'none' without a value; an
    end at minus the base '≤ 0', as the tables read it."""
    if not finite(credit["value"]):
        return "none"
    ci = (f" {families.interval_or_none_needed(credit['low'], credit['high'], -float(credit['base']))}"
          if credit["low"] is not None else "")
    return f"{credit['value']:,.0f}{ci}"


def _pooled_breakeven(report: dict[str, Any], credits: list[dict[str, Any]],
                      answer: dict[str, Any]) -> str:
    """The break-even price ratio on the budget's curve of the chosen family, per base with
    its interval, against the user's (the credit over the human points)."""
    h = report["human"]
    shown = [c for c in credits if finite(c["value"]) and finite(c["low"]) and h > 0]
    if not shown:
        return ""
    ratio = answer["price_human"] / answer["price_synthetic"]
    ratios = [(c["base"], *families.per_human_point(c["value"], c["low"], c["high"], h))
              for c in shown]
    each = " / ".join(families.ratio_text(v, lo, hi) for _, v, lo, hi in ratios)
    side = families.ratio_side(ratios, ratio)
    if side == "above":
        verdict = "above every interval: synthetic points pay at your prices"
    elif side == "below":
        verdict = "below every interval: human points pay at your prices"
    else:
        inside = [b for b, _, lo, hi in ratios if lo <= ratio <= hi]
        where = (f"the interval on base{'s' if len(inside) > 1 else ''} "
                 + " and ".join(f"{b:,.0f}" for b in inside)) if inside else "their range"
        verdict = f"inside {where}: this curve cannot say which pays at your prices there"
    label = families.FAMILIES[answer["family"]].label
    those = "those bases" if len(shown) > 1 else f"base {shown[0]['base']:,.0f}"
    return (f" On the {label}'s curve the break-even price ratio is {each} on {those}; "
            f"yours, {ratio:.3g}, lies {verdict}.")


def buy_line(report: dict[str, Any]) -> str:
    """One sentence that says what to buy with the budget (empty without a budget answer):
    the robust split when the hold-out cannot tell the families apart, else the chosen
    family's best split, and whether the chosen family's gain over the other end of the
    budget line is settled (its interval clear of 0); then what the measured runs bought
    (:func:`purchases_clause`), which is the whole answer where no curve gives a split;
    marked a dry run where most trade-off runs learned nothing (``mostly_nothing``)."""
    line = _buy_line(report)
    mostly = report.get("mostly_nothing")
    return (f"Dry run, most trade-off runs learned nothing (see the top of this page): {line}"
            if line and mostly else line)


def _buy_line(report: dict[str, Any]) -> str:
    """:func:`buy_line` without its dry-run prefix."""
    answer = report.get("budget") or {}
    if answer.get("status") != "ok":
        runs = purchases_clause(report)
        return f"{_no_split_sentence(report)}{runs}" if runs else ""
    label = families.FAMILIES[answer["family"]].label
    robust = report.get("budget_robust")
    split = robust or answer["best"]
    budget = answer["budget"]
    what = (f"{split['h']:,.0f} human and {split['s']:,.0f} synthetic points "
            f"({split['share_human']:.0%} of ${curves.money(budget)} on human points)"
            if split["h"] > 0 else
            f"{split['s']:,.0f} synthetic points (all ${curves.money(budget)})")
    g = answer["gain_over_all_synthetic"]
    if finite(g.get("low")) and finite(g.get("high")):
        margin = f"beats {g['against']} by {curves.signed_interval(g)}"
        margin += (": settled." if answer["confident"] else
                   ", a tie: either end does as well on this evidence." if is_tie(g) else
                   f", from one seed, {ONE_SEED_WHY}: not settled ({MORE_SEEDS})."
                   if answer.get("one_seed") and (g["low"] > 0 or g["high"] < 0) else
                   f", below 0 throughout: the resamples favour the other end ({g['against']}), "
                   "so this split is not settled." if g["high"] < 0
                   else ", an interval reaching 0: not settled, the evidence cannot tell which end "
                   "is better.")
    else:
        margin = "has no interval to say whether it is settled."
    runs = purchases_clause(report, (split["h"], split["s"]))
    head = f"Buy {what}" if split.get("supported", True) else _beyond_the_runs(
        what, split["s"], answer.get("measured"))
    if not robust:
        return f"{head}: the {label}'s best split, which {margin}{runs}"
    basis = ("the best split under every family the all-bases hold-out does not rule out"
             if robust["max_regret"] <= 1e-12 else
             "the split that loses least under every family the all-bases hold-out does not "
             "rule out")
    return f"{head}: {basis}. Under the {label} its best split {margin}{runs}"


def _beyond_the_runs(what: str, synthetic: float, measured: Any) -> str:
    """The buy line's opening where its split buys a synthetic set outside the measured sizes:
    no instruction to buy. "Buy 10,000 synthetic points (all $20)" opened a one-seed answer
    read 200x past runs of 16-48 points, its caveats after it (a user)."""
    lo, hi = (float(v) for v in measured) if measured else (math.nan, math.nan)
    # the curves' sizes: another experiment may have measured a larger set, which the same
    # page names (a reviewer: 'the largest ... measured (40 points)' beside a run of 48)
    far = (f"{synthetic / hi:,.0f}x the largest synthetic set the curves were fitted on "
           f"({hi:,.0f} points)" if synthetic >= 2 * hi else
           f"past the largest synthetic set the curves were fitted on ({hi:,.0f} points)"
           if synthetic > hi else f"below the smallest synthetic set the curves were fitted "
           f"on ({lo:,.0f} points)" if synthetic < lo else "outside the sizes the curves "
           "were fitted on")
    return (f"No purchase these runs support: the curves would buy {what}, {far}, an "
            "extrapolation to measure near before buying")


def _no_split_sentence(report: dict[str, Any]) -> str:
    """The buy line's start where the family the budget is read under gives no split: that no
    curve does, or that the others the all-bases hold-out cannot tell from it do, and no split
    holds under all of them (:func:`families.robust_split`)."""
    answer = report.get("budget") or {}
    answers = report.get("budget_by_family") or {}
    if not answers:
        return "No curve gives a budget split here."
    others = [f for f in families.budget_families(report)
              if f != answer.get("family") and (answers.get(f) or {}).get("status") == "ok"]
    if not others or answer.get("family") not in families.FAMILIES:
        return "No curve gives a budget split here."
    return (f"No budget split: the {families.FAMILIES[answer['family']].label} gives none, and "
            f"the all-bases hold-out cannot tell it from {families.named(others)}, which "
            f"{'do' if len(others) > 1 else 'does'}, so no split holds under every curve it "
            "leaves open.")


def purchases_clause(report: dict[str, Any], split: tuple[float, float] | None = None) -> str:
    """The buy line's last sentence: the best measured purchase within the budget, no curve
    (:func:`measured_purchases`), whether human points pay among the measured ones, the
    cheapest measured purchase past the budget that beats it, settled, and, where the curve's
    ``split`` (human, synthetic points) has human points and the measured best does not, or
    the reverse, whether that split was itself measured ('' without an answer)."""
    from littlehuman.experiments import purchases

    bought = report.get("purchases") or {}
    if bought.get("status") != "ok":
        return ""
    best, gain, step = bought["best"], bought["gain"], bought.get("next_step")
    parts = [f"within ${curves.money(bought['budget'])} the best measured purchase is "
             f"{curves.mix_phrase(best['human'], best['synthetic'])} "
             f"(${curves.money(best['cost'])}"
             + (f"; the dearest measured one costs ${curves.money(bought['largest_cost'])}"
                if bought["largest_cost"] < bought["budget"] else "") + ")"]
    if gain is not None:
        parts.append(("human points pay among them" if gain["low"] > 0 else
                      "human points do not pay among them" if gain["high"] < 0 else
                      "human points change nothing among them" if purchases.alike(gain) else
                      "whether human points pay among them is not settled")
                     + f" ({curves.signed_interval(gain)})")
    if step:
        parts.append("past the budget, the cheapest measured purchase that beats it, settled, "
                     f"is {curves.mix_phrase(step['human'], step['synthetic'])} "
                     f"(${curves.money(step['cost'])}; {curves.signed_interval(step['gain'])})")
    if gain is not None and split is not None and (split[0] > 0) != (best["human"] > 0):
        t = bought["table"]
        row = t[(t["human"] == round(split[0])) & (t["synthetic"] == round(split[1]))]
        parts.append("the split above was not measured, so the runs do not test it (they "
                     "compare only the mixes the experiments trained)" if row.empty else
                     f"the split above was measured: {curves.digits(row.iloc[0]['mean'])} "
                     f"[{curves.digits(row.iloc[0]['low'])}, "
                     f"{curves.digits(row.iloc[0]['high'])}]")
    return " Read off the runs with no curve: " + "; ".join(parts) + "."


def measured_phrase(m: dict[str, Any], unit: str = "") -> str:
    """One base's equivalent read off the measured runs: '+1,308 [1,291, 1,416]', '+1,337
    [1,265, > 1,800)' (resamples above every measured score), 'more than 800 (95%: from
    29, past the runs in 6,986 resamples)', '+0 [0, > 100)' (not above the measured curve
    at the base), 'at most -1,000 (none needed: ...)' (below every measured score), 'no
    reading' (the runs do not rise); ``unit`` (' synthetic points') after the number and its interval."""
    status, beyond = m["status"], int(m.get("beyond") or 0)
    low, high = m.get("low"), m.get("high")
    has = low is not None and not pd.isna(low)
    top = (None if not has else f"> {m['at_least']:,.0f})" if math.isinf(high) else
           f"{high:,.0f}]")
    if status == "flat":
        return "no reading (the synthetic-only runs do not rise)"
    if status == "beyond":
        past = (f" (95%: from {low:,.0f}, past the runs in {beyond:,} resamples)"
                if has and math.isfinite(low) else "")
        return f"more than {m['at_least']:,.0f}{unit}{past}"
    if status == "below":
        return (f"at most {m['equivalent']:+,.0f}{unit} (none needed: the +human score lies "
                "below every measured synthetic-only score)")
    value = f"{m['equivalent']:+,.0f}"
    ci = f" [{low:,.0f}, {top}" if has else ""
    note = ("" if status != "saturated" else " (not above the base's own synthetic-only run)"
            if m.get("unbeaten") else " (not above the measured curve at the base)")
    return f"{value}{ci}{unit}{note}"


def measured_sentence(report: dict[str, Any]) -> str:
    """Notebook 06's reading of each base's equivalent off the measured runs, no curve
    assumed (:func:`~littlehuman.families.measured_equivalents`), in markdown; '' where
    there is none (fewer than two synthetic sizes)."""
    measured = report.get("measured")
    if measured is None or measured.empty:
        return ""
    each = "; ".join(f"base {m['base']:,.0f}: {measured_phrase(m)}"
                     for m in measured.to_dict("records"))
    largest = float(measured["largest"].iloc[0])
    own_reach = measured["reach"].iloc[0] if "reach" in measured else None
    beyond_own = (f", the sweep's purely synthetic run, past the trade-off's own runs (to "
                  f"{float(own_reach):,.0f})"  # a reviewer: ROPES's "500" read as measured
                  if stats.finite(own_reach) and largest > float(own_reach) else "")
    marked = "> " in each
    far = [m for m in measured.to_dict("records") if families.read_past_reach(m)]
    reach = far[0]["reach"] if far else None  # the trade-off's own largest run
    stretch = ("" if not far else
               f" {'Bases' if len(far) > 1 else 'Base'} "
               f"{', '.join(format(m['base'], ',.0f') for m in far)} "
               f"{'cross' if len(far) > 1 else 'crosses'} past the trade-off's "
               f"largest run ({reach:,.0f}), on the other experiments' purely synthetic runs "
               f"(the sweep's, up to {largest:,.0f}), read along the log of the size across so "
               "wide a stretch: where the curve bends inside it the reading is off by that bend "
               "(in simulation its interval held the truth 0.92-0.97 of the time there, median "
               "bias -8% to +9%).")
    unsupported = _unsupported_lower_ends(report)
    return (f"**Read off the measured runs, no curve assumed** (+{report['human']} human "
            "points in synthetic points: every base's synthetic-only runs as one curve, the "
            "synthetic sets being nested, made non-decreasing by isotonic regression; the "
            "+human score's crossing, linear in the log of the size between the two measured "
            "sizes around it; 95% "
            f"interval over the same resamples): {each}. It reaches only as far as the runs "
            f"(the largest measured size is {largest:,.0f}{beyond_own}"
            + ("; '> N' marks resamples above every measured score" if marked else "")
            + "); within that reach it has no shape to be wrong about, so a family whose "
            "equivalent lies outside these intervals owes it to its shape or to extrapolating "
            "past its own base's runs." + stretch + unsupported)


#: why a reading off the runs and the paired gain can disagree near 0 (their intervals are
#: resampled apart: :func:`_unsupported_lower_ends`); the sentence goes on with the comparison
DRAWN_APART = ("The two are resampled apart (the gain pairs each seed's two runs on the same "
               "test rows, the reading resamples every run's mean at once), so near 0 one can "
               "clear it where the other does not; the gain")


def _unsupported_lower_ends(report: dict[str, Any]) -> str:
    """' On base 250 the lower end (62) says the human points beat the base, where their own
    paired gain over it, +0.013 [-0.003, +0.031], is not clear of 0: ...' for each base whose
    reading off the runs has a lower end above 0 while the human points' gain over the base
    (``gains``, :func:`~littlehuman.experiments.tradeoff.human_gain`) is not clear of 0; ''
    where none does. FEVER's cpu runs showed it first (a reviewer, 2026-12-06): the isotonic
    fit had pooled 300's mean with 350's, pulled down by a collapsed run. Since
    :func:`~littlehuman.families.measured_equivalents` caps at 0 each resample whose +human
    score does not beat the base's own run, what is left is the two intervals' own draws: the
    gain pairs each seed's two runs on the same test rows, the reading resamples every run's
    mean at once, so near 0 one can clear it where the other does not."""
    measured, gains = report.get("measured"), report.get("gains")
    if measured is None or measured.empty or gains is None or gains.empty:
        return ""
    by_base = gains.set_index("base")
    said = []
    for m in measured.to_dict("records"):
        if m["base"] not in by_base.index:
            continue
        g = by_base.loc[m["base"]]
        claims = _beyond_the_gain(m, [g["gain"], g["gain_low"], g["gain_high"]])
        if claims:
            said.append(f"on base {m['base']:,.0f} its lower end ({m['low']:,.0f}) {claims}")
    if not said:
        return ""
    return (" Read that interval with the runs: " + "; ".join(said) + f". {DRAWN_APART} "
            "and the head-to-head on page 04 are the direct comparisons.")


def _beyond_the_gain(m: dict[str, Any], gain: Sequence[Any] | None) -> str:
    """'says the human points beat the base, where their own paired gain over it, +0.013
    [-0.003, +0.031], is not clear of 0' where a reading off the runs (``m``, a row of
    :func:`~littlehuman.families.measured_equivalents`) has a lower end above 0 while the
    human points' paired ``gain`` over the base ([est, low, high]) is not clear of 0; ''
    otherwise (:func:`_unsupported_lower_ends`, :func:`log_against_runs`)."""
    g = list(gain or []) + [None] * 3
    if not (stats.finite(m.get("low")) and m["low"] > 0
            and all(stats.finite(v) for v in g[:3]) and g[1] <= 0):
        return ""
    return (f"says the human points beat the base, where their own paired gain over it, "
            f"{g[0]:+.3f} [{g[1]:+.3f}, {g[2]:+.3f}], is not clear of 0")


def measured_clause(report: dict[str, Any]) -> str:
    """The headline's '; read off the measured runs without a curve: +1,308 [1,291, 1,416]
    on base 1,000, ...' ('' where no base's crossing lies within the measured sizes)."""
    measured = report.get("measured")
    if measured is None or measured.empty or not (measured["status"] == "ok").any():
        return ""
    each = ", ".join(f"{measured_phrase(m)} on base {m['base']:,.0f}"
                     for m in measured.to_dict("records"))
    return f"; read off the measured runs without a curve: {each}"


#: the headline's caution with one seed: its intervals resample the test rows only (a
#: helper's walk: byte-identical files under four names drew other rows and read +8, +26, +40
#: and "no answer", each with an interval)
ONE_SEED_CAUTION = ("one seed: the intervals resample its test rows only, so another draw of "
                    "the training rows (another --data-seed, or the same file under another "
                    "name) can land outside them; run more seeds (--seeds)")


def _measured_lead(report: dict[str, Any]) -> str:
    """The headline's opening where some base's +human score lies within the measured runs:
    '+200 human points ~ +1,346 [1,298, 1,441] synthetic points on base 1,000 and +1,329
    [1,260, 1,421] on base 2,000, read off the measured runs with no curve assumed (base
    3,000: more than 800, past the runs)'; '' otherwise."""
    measured = report.get("measured")
    if measured is None or measured.empty or not (measured["status"] == "ok").any():
        return ""
    rows = measured.to_dict("records")
    inside = [m for m in rows if m["status"] != "beyond"]
    past = [m for m in rows if m["status"] == "beyond"]
    inside.sort(key=lambda m: m["status"] != "ok")  # the readings first, then saturated
    said = [f"{measured_phrase(m, ' synthetic points' if i == 0 else '')} on base "
            f"{m['base']:,.0f}" for i, m in enumerate(inside)]
    joined = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
    beyond = ("; ".join(f"base {m['base']:,.0f}: {measured_phrase(m)}" for m in past))
    return (f"+{report['human']} human points ~ {joined}, read off the measured runs with no "
            "curve assumed" + (f" ({beyond}, past the runs)" if past else ""))


def _past_runs_sentence(report: dict[str, Any]) -> str:
    """The headline's second sentence after a reading off the runs: what the curve fitted to
    every base's runs at once (the budget's: the all-bases hold-out's choice, the synthetic
    sets being one nested curve) credits the human points with on each base, past the runs
    too: 'Past the runs the budget reads the exponential saturation fitted to every base's
    runs at once (...); it credits them with 1,370 [1,284, 1,493] / ... synthetic points on
    bases 1,000 / ...';
    '' when that fit failed."""
    fams = families.budget_families(report)
    if not fams:
        return ""
    credits = ((report.get("budget_credits") or {}).get(fams[0])  # the budget's, if priced
               or families.pooled_credits(report, fams[0]))
    if not credits:
        return ""
    each = " / ".join(_credit_text(c) for c in credits)
    bases = " / ".join(f"{c['base']:,.0f}" for c in credits)
    chosen = (report.get("pooled_choice") or {}).get("decisive")
    how = ("the all-bases hold-out's choice" if chosen and len(fams) == 1 else
           f"the all-bases hold-out does not rule out {families.named(fams[1:])}"
           if len(fams) > 1 else "the all-bases hold-out's best, untested against the others")
    return (f"Past the runs the budget reads the {families.FAMILIES[fams[0]].label} fitted to "
            f"every base's runs at once ({how}); it credits them with {each} synthetic points on "
            f"base{'s' if len(credits) > 1 else ''} {bases}")


def _open_families_clause(r: dict[str, Any], mids: dict[str, Any], level: float) -> str:
    """'; the per-base hold-out does not single it out: +1,331 to +2,875 across the 2
    families it cannot tell apart, their 95% intervals together [678, ∞)', or '' when it
    chose, or fewer than two of those families have a finite median."""
    open_ = [mids[f] for f in families.plausible_families(r)
             if families.median_phrase(mids.get(f), level)]
    if r["choice"].get("decisive") or len(open_) < 2:
        return ""
    floor = max(m.get("floor", -math.inf) for m in open_)
    low, high = (families.points_or_none_needed(v, floor)
                 for v in (min(m["value"] for m in open_), max(m["value"] for m in open_)))
    clause = ("; the per-base hold-out does not single it out: "
              + (f"{low} under each of the {len(open_)} families it cannot tell apart"
                 if low == high else
                 f"{low} to {high} across the {len(open_)} families it cannot tell apart"))
    if all(m["low"] is not None for m in open_):
        hull = families.interval_or_none_needed(min(m["low"] for m in open_),
                                                max(m["high"] for m in open_), floor)
        clause += f", their {level:.0%} intervals together {hull}"
    return clause


def _purchases_as_json(bought: dict[str, Any] | None) -> dict[str, Any] | None:
    """The measured purchases' answer for ``summary.json``: the budget's picks, the gain of
    buying human points and the sentence, and the measured frontier (None without one)."""
    if bought is None or "table" not in bought:
        return bought
    edge = bought["table"][bought["table"]["frontier"]].sort_values("cost")
    return {**{k: bought.get(k) for k in ("status", "budget", "best", "best_synthetic",
                                          "best_human", "gain", "human_share", "sentence",
                                          "largest_cost", "left_out")},
            "frontier": edge[["human", "synthetic", "cost", "mean", "low", "high",
                              "sources"]].to_dict("records")}


def purchases_missing_sentence(report: dict[str, Any]) -> str:
    """What notebook 06 says where it shows no measured purchases."""
    bought = report.get("purchases") or {}
    if bought.get("status") == "unavailable":
        return bought["sentence"]
    if report.get("learned_nothing"):
        return "No purchases to read: the runs learned nothing (see the top of this page)."
    if not (report.get("price_human", 0) > 0 and report.get("price_synthetic", 0) > 0):
        return ("Prices give every measured training set a cost: give a price per human and "
                "per synthetic point (see the budget section above) to read what each bought.")
    return "No measured purchases."


def _lone_caveat(report: dict[str, Any], family: str) -> str:
    """:func:`curves.lone_caveat` of ``family``'s per-seed operating points
    (:func:`families.analyse`'s ``table3_extrapolations``), under every family."""
    return curves.lone_caveat((report.get("table3_extrapolations") or {}).get(family) or [])


def summary(study: "Study", report: dict[str, Any] | None = None) -> dict[str, Any]:
    """JSON-able headline numbers of :func:`families_report` for the index: metric, seeds, the
    chosen family and why, per family the Table 3 median and the break-even ratio, per base
    each family's equivalent with its interval and status, the disagreement sentences, the
    budget answer (None without one), the families the hold-out cannot tell from the best and
    the split that does well under each (``budget_robust``, None unless two or more), the
    pilot plan's messages and a one-line ``headline``."""
    r = report or families_report(study)
    fam = families.chosen_family(r)
    fits = r["fits"][r["fits"]["base"] != families.POOLED]
    per_base = [{"base": b["base"], "family": b["family"], "equivalent": b["equivalent"],
                 "interval": [unbounded_as_text(b["low"]), unbounded_as_text(b["high"])],
                 "status": b["eq_status"],
                 "holdout_error": b["holdout_error"]} for b in fits.to_dict("records")]
    t3 = {f: r["table3"][f] for f in r["families"]}
    med = t3[fam]["median"]
    mids = {f: families.median_equivalent(r, f) for f in r["families"]}
    level = r.get("level", 0.95)
    disagree = [s for s in r["disagreements"].values() if s]
    label = families.FAMILIES[fam].label
    reading = curves.table3_reading(t3[fam], r.get("learned_nothing"))
    if reading == "learned_nothing":
        headline = f"+{r['human']} human points: no answer, {r['learned_nothing']}"
    elif reading == "none":  # the chosen curve prices nothing: say why, after the runs' reading
        lead = _measured_lead(r)
        why = families.no_equivalent_reason(fits[fits["family"] == fam])
        headline = (f"{lead}; the {label} gives no equivalent ({why})" if lead else
                    f"+{r['human']} human points: the {label} gives no synthetic equivalent "
                    f"({why})")
    elif reading == "unpriced":
        headline = (f"+{r['human']} human points: not priced under the {label}, "
                    f"{curves.unpriced_phrase(t3[fam])}; "
                    f"{curves.priced_rest_phrase(t3[fam], format(med, '+,.0f'))}"
                    + _lone_caveat(r, fam))
    else:
        table3 = f"Table 3's median of {curves.operating_points_phrase(t3[fam])}"
        said = families.median_phrase(mids[fam], level)
        lead = _measured_lead(r)
        past = _past_runs_sentence(r) if lead else ""
        if lead and past:  # no curve shape to be wrong about, then the curve of every run
            headline = f"{lead}. {past}"
        elif said:
            headline = (f"+{r['human']} human points ~ {said[0]} synthetic points under the "
                        f"{label} ({said[1]}; {table3}: {med:+,.0f})"
                        + (f"; {curves.BELOW_THE_CURVE}" if mids[fam]["value"] <= 0 else "")
                        + _open_families_clause(r, mids, level) + measured_clause(r))
        else:
            headline = (f"+{r['human']} human points ~ {med:+,.0f} synthetic points under the "
                        f"{label} ({table3}; on the seed means the median over the bases "
                        "has no finite value)"
                        + (f"; {curves.BELOW_THE_CURVE}" if reading == "at_or_below_0" else "")
                        + _open_families_clause(r, mids, level) + measured_clause(r))
    if reading not in ("learned_nothing", "none"):  # a price was given: on what gain
        from littlehuman.experiments.tradeoff import unseen_gain_clause

        headline += unseen_gain_clause(r.get("gains"), r["metric"])
    if disagree and not r.get("learned_nothing"):
        headline += "; the curve families disagree"
    cautions = list(r.get("flags") or []) + ([ONE_SEED_CAUTION] if r["n_seeds"] == 1 else [])
    if cautions and not r.get("learned_nothing"):
        headline += f" (caution: {'; '.join(cautions)})"
    budget = r["budget"]
    out = {"dataset": r["dataset"], "metric": r["metric"], "human_points": r["human"],
           "seeds": r["n_seeds"], "test_rows": r["n_rows"], "chosen_family": fam,
           "choice": r["choice"]["sentence"], "mean_abs_holdout_error":
           r["choice"]["mean_abs_error"], "table3": t3,
           # an equivalent at or below 0 is a ratio of 0, as the pages say (a reviewer: -3.68)
           "breakeven": {f: None if v is None else max(0.0, v) for f, v in r["breakeven"].items()},
           "per_base": per_base, "disagreements": disagree, "headline": headline,
           "measured": [] if r.get("measured") is None else [
               {k: unbounded_as_text(v) for k, v in m.items()}
               for m in r["measured"].to_dict("records")],
           "median_equivalent": {f: None if m is None else
                                 {**m, "value": unbounded_as_text(m["value"]),
                                  "low": unbounded_as_text(m["low"]),
                                  "high": unbounded_as_text(m["high"])}
                                 for f, m in mids.items()},
           "budget": None if budget is None else {
               k: budget.get(k) for k in ("family", "status", "best", "all_synthetic",
                                          "gain_over_all_synthetic", "p_buy_human",
                                          "confident", "one_seed", "caveats", "sentence",
                                          "budget",
                                          "price_human", "price_synthetic")}
           | {"worth": _worth_as_json(budget.get("worth"))},
           "budget_disagreement": r.get("budget_disagreement"),
           "plausible_families": families.plausible_families(r),
           "budget_families": families.budget_families(r),
           "all_bases_holdout": (r.get("pooled_choice") or {}).get("sentence"),
           "budget_credits": {f: [{**c, "low": unbounded_as_text(c["low"]),
                                   "high": unbounded_as_text(c["high"])} for c in cs]
                              for f, cs in (r.get("budget_credits") or {}).items()},
           "buy": buy_line(r) if not r.get("learned_nothing") else "",
           "budget_robust": None if not r.get("budget_robust") else {
               k: r["budget_robust"][k] for k in ("h", "s", "share_human", "max_regret",
                                                  "first_best_regret", "families",
                                                  "chosen_best", "per_family", "sentence")},
           "purchases": _purchases_as_json(r.get("purchases")),
           "pilot": [p["message"] for p in r["pilot"]], "flags": r.get("flags") or [],
           "learned_nothing": r.get("learned_nothing")}
    return jsonable(out)
