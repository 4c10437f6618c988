"""The price advisor: given the profile's prices per human and per synthetic point, which route
the trade-off analysis says is cheaper, in numbers and in words."""
from __future__ import annotations

import math
from typing import Any

from typing import TYPE_CHECKING

from littlehuman import curves
from littlehuman.experiments.grid import jsonable
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
        bounds = [curves.advise(v, p.price_human, p.price_synthetic, h)["cheaper"]
                  for v in (r["low"], r["high"]) if finite(v)]
        rising = finite(r.get("a1")) and r["a1"] > 0
        score = (r["a0"] + r["a1"] * math.log(r["base"] + adv["synthetic_points_for_human_cost"])
                 if rising else None)
        per_base.append({"base": int(r["base"]), "status": r["status"], **adv,
                         "interval": [r["low"], r["high"]],
                         "robust": len(bounds) == 2 and set(bounds) == {adv["cheaper"]},
                         "score_with_human": r["y_star"], "score_same_money_synthetic": score,
                         "message": _advice_sentence(r, h, adv, score, metric)})
    t3 = analysis["table3"]
    overall = curves.advise(t3["median"], p.price_human, p.price_synthetic, h)
    prices = (f"At ${p.price_human:g} per human point and ${p.price_synthetic:g} per synthetic "
              f"point (ratio {ratio:.3g})")
    if t3["median"] is None:
        verdict = (f"{prices}: no operating point gave a finite synthetic equivalent, so the "
                   "prices cannot be compared; see each base below.")
    elif t3["median"] <= 0:
        verdict = (f"{prices}: the median equivalent is {t3['median']:.0f} <= 0 (saturation): "
                   f"the {h} human points did not beat the synthetic curve, so buy neither for "
                   f"{metric} on this evidence.")
    else:
        spread = (f"; over the operating points the break-even ratio runs from "
                  f"{t3['p25'] / h:.3g} to {t3['p75'] / h:.3g} (25th-75th percentile)")
        settled = ((ratio < t3["p25"] / h and overall["cheaper"] == "human")
                   or (ratio > t3["p75"] / h and overall["cheaper"] == "synthetic"))
        action = (f"buy the next {h} human points" if overall["cheaper"] == "human" else
                  f"buy the {t3['median']:.0f} synthetic points instead"
                  if overall["cheaper"] == "synthetic" else "either route costs the same")
        verdict = (f"{prices}: {action}. {h} human points cost ${overall['human_cost']:.4g}; "
                   f"the median of {t3['n']} operating points matches them with "
                   f"{t3['median']:.0f} synthetic points (${overall['synthetic_cost']:.4g}), "
                   f"and the same ${overall['human_cost']:.4g} buys "
                   f"{overall['synthetic_points_for_human_cost']:.0f} synthetic points. Human "
                   f"points pay while a human point costs less than "
                   f"{overall['breakeven_price_ratio']:.3g} synthetic ones{spread}: "
                   + ("your prices are clear of that range." if settled else
                      "your ratio falls inside that range, so the answer is not settled."))
    caveats = [
        f"measured only for +{h} human points on synthetic bases of "
        f"{', '.join(str(b['base']) for b in per_base)}: buying more human points than that "
        "is an extrapolation the experiment does not support",
        f"{len(trade_off_seeds(p))} seed(s) per point; the intervals resample seeds (and test rows for "
        "the scores), not the choice of bases",
        "the synthetic curve y = a0 + a1 ln(x) is fitted on a narrow range of sizes: "
        "equivalents far beyond it are extrapolations",
    ]
    off = [f"{b['base']}: {b['status']}" for b in per_base if b["status"] != "ok"]
    if off:
        caveats.append("bases whose equivalent is not a plain number: " + "; ".join(off))
    return jsonable({"price_human": p.price_human, "price_synthetic": p.price_synthetic,
                      "price_ratio": ratio, "human_points": h, "overall": overall,
                      "verdict": verdict, "per_base": per_base, "caveats": caveats})


def _advice_sentence(r: dict[str, Any], h: int, adv: dict[str, Any], score: float | None,
                     metric: str) -> str:
    """One base's advice in words (``r``: its row of ``tradeoff_analysis(...)["bases"]``)."""
    head = (f"On a synthetic set of {int(r['base'])}, {h} more human points cost "
            f"${adv['human_cost']:.4g}")
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
                    f"({gain:+.4g} over the synthetic curve): buy neither on this evidence.")
        why = ("more synthetic data did not raise " + metric if r["status"] == "no_gain"
               else "the synthetic amount matching them is beyond any finite number")
        return (f"{head}; {why}, but the human points added {gain:+.4g}: buy the {h} human "
                "points, no amount of synthetic data can be priced against them.")
    interval = (f" (95% CI {r['low']:.0f} to {r['high']:.0f})"
                if finite(r["low"]) and finite(r["high"]) else "")
    same = (f"; the same money buys {adv['synthetic_points_for_human_cost']:.0f} synthetic "
            f"points, which the fitted curve puts at {metric} {score:.4g} against "
            f"{r['y_star']:.4g} with the human points" if score is not None else "")
    action = (f"buy the {h} human points" if adv["cheaper"] == "human" else
              f"buy {adv['equivalent_points']:.0f} synthetic points instead"
              if adv["cheaper"] == "synthetic" else "either route costs the same")
    return (f"{head}; matching them takes about {adv['equivalent_points']:.0f}{interval} more "
            f"synthetic points (${adv['synthetic_cost']:.4g}){same}: {action}.")
