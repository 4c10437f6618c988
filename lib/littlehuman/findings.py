"""The paper's own numbers, to show beside ours. The three findings are measured by the
experiments that test them (each one's ``summary``):

1. *The last 10% of human data matters most*: :func:`littlehuman.experiments.sweep.summary`.
2. *~125 human points reliably lift a purely synthetic model*:
   :func:`littlehuman.experiments.zoom.summary`.
3. *200 human points are worth an order of magnitude more synthetic ones*:
   :func:`littlehuman.experiments.tradeoff.summary`, beside :data:`PAPER_TABLE3`.

Each is judged on the index by one rule, :func:`verdict` (holds / not visible at this power /
contradicted / not measured), read from a ``summary.json`` by :func:`findings`.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np


# The paper's Table 3: additional synthetic points matching 200 human points (mean, median,
# 25th and 75th percentile over operating points; Llama-3.1-8B learner, GPT-3.5-Turbo data).
PAPER_TABLE3: dict[str, dict[str, float]] = {
    "wanli": {"mean": 17671.7, "median": 16905.38, "q25": 9711.42, "q75": 22931.17},
    "ropes": {"mean": 17332.69, "median": 6006.45, "q25": 3622.95, "q75": 21944.36},
    "fairytaleqa": {"mean": 281951.01, "median": 36901.45, "q25": 15128.74, "q75": 813134.81},
    "fever": {"mean": 1155.13, "median": 236.37, "q25": -1400.05, "q75": 7073.19},
}


def paper_table3(dataset: str) -> dict[str, float] | None:
    """The paper's Table 3 row for a dataset, where the paper gives one."""
    return PAPER_TABLE3.get(dataset)


def fmt_detectable(effect: float | None, digits: int = 3) -> str:
    """:func:`detectable_effect` as the reports say it; a zero-width interval (every resample
    gave the same difference: all runs predicted alike) has no spread to tell power by, and
    says so rather than claiming that an effect of 0 was detectable."""
    if effect is None or not np.isfinite(effect) or effect <= 0:
        return "not estimable (every resample gave the same difference)"
    return fmt_number(effect, digits)


def fmt_number(value: float, digits: int = 3, sign: bool = False) -> str:
    """``value`` to ``digits`` decimals ('+0.021' with ``sign``); one that would round to 0 but
    is not 0 says how small, '4.0e-04' (an interval read "[+0.000, +0.145]" beside "holds, the
    whole interval lies above 0", a user)."""
    plus = "+" if sign else ""
    if value != 0 and abs(value) < 0.5 * 10 ** -digits:
        return f"{value:{plus}.1e}"
    return f"{value:{plus}.{digits}f}"


def fmt_points(value: float | None) -> str:
    """A number of data points for a table (thousands separated; '-' when unknown)."""
    if value is None or not np.isfinite(value):
        return "-"
    return f"{round(value):,d}"  # -0.4 is '0', not '-0'


def median_answer_length(words: float) -> str:
    """The random span's length in words, as the caption and the flag say it: "their answers'
    median length 1 word" ("1 words" until 2026-12-07), "... 2.5 words"."""
    return f"their answers' median length {words:g} word{'s' * (words != 1)}"


def loss_in_words(triple: Any, digits: int = 3) -> str:
    """A loss ``[est, low, high]`` in words: 'lost +0.108 [+0.029, +0.180]', or, where the
    score rose, 'gained +0.003 [-0.011, +0.017]' (the sign and the ends turned), so the
    reports never say 'lost -0.003' (a reviewer); '-' when a part is missing."""
    values = list(triple or []) + [None] * 3
    if any(v is None for v in values[:3]):
        return "-"
    word, est, low, high = _as_lost_or_gained(*(float(v) for v in values[:3]))
    return f"{word} {est:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


def lost_or_gained(loss: float, digits: int = 3) -> str:
    """A loss without its interval (the headline's): 'lost 0.108', 'gained 0.005' where the
    score rose (the headline had read 'lost 0->90%: -0.005', a reviewer's find), 'no change
    seen' where it rounds to 0 (a mean: whether a change was there to see is the interval's,
    on the page)."""
    if round(loss, digits) == 0:
        return "no change seen"
    word, size, _, _ = _as_lost_or_gained(loss, loss, loss)
    return f"{word} {size:.{digits}f}"


def _as_lost_or_gained(est: float, low: float, high: float) -> tuple[str, float, float, float]:
    """('lost', est, low, high), or, where the score rose (est < 0), ('gained', -est, -high,
    -low): the one place a loss's sign becomes a word."""
    return ("lost", est, low, high) if est >= 0 else ("gained", -est, -high, -low)


def fmt_points_interval(low: Any, high: Any) -> str:
    """An equivalent's interval: '[1,200, 4,100]'; an infinite end (a float, or the string
    'inf' of a summary) is unbounded, '[1,200, ∞)' ("at least 1,200": resamples that no
    synthetic amount matches lie above); '(no interval)' when an end is missing."""
    lo, hi = interval_end(low), interval_end(high)
    if lo is None or hi is None:
        return "(no interval)"

    def end(v: float, left: bool) -> str:
        if math.isinf(v):
            sign = "-∞" if v < 0 else "∞"
            return f"({sign}" if left else f"{sign})"
        return f"[{fmt_points(v)}" if left else f"{fmt_points(v)}]"

    return f"{end(lo, True)}, {end(hi, False)}"


# --------------------------------------------------------------------------- verdicts
#: what the paper says about each finding, shown beside our verdicts on the index
PAPER_FINDINGS: dict[str, str] = {
    "last_10": "a slow decline up to 90% synthetic, then a steep drop from 90% to 100% "
               "(Figure 1): the last 10% of human data costs more than the first 90%",
    "few_human": "97.5% synthetic beats 100% on every dataset and seed at n = 5000 (Figures 2, "
                 "6 and 8; less reliably at n = 1000, Figure 13): ~125 human points reliably "
                 "lift a purely synthetic model",
    "tradeoff": "200 human points are worth far more synthetic points (Table 3: median "
                "236 on FEVER to 36,901 on FairyTaleQA, 1.2x to 185x per human point); "
                "judged here against 1x: each human point worth more than one synthetic one",
}

HOLDS, NOT_VISIBLE, CONTRADICTED, NOT_MEASURED = (
    "holds", "not visible at this power", "contradicted", "not measured")
VERDICTS = (HOLDS, NOT_VISIBLE, CONTRADICTED, NOT_MEASURED)


def interval_end(value: Any) -> float | None:
    """An interval's end: a number or +-inf (unbounded that side); None when missing."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _num(value: Any) -> float | None:
    """A finite number, else None."""
    out = interval_end(value)
    return out if out is not None and math.isfinite(out) else None


#: why an interval from one training seed settles nothing however clear of 0: the words every
#: page's one-seed clause shares (the rule itself: :func:`from_one_seed`)
ONE_SEED_WHY = "whose interval resamples its test rows only"
#: what to do about it
MORE_SEEDS = "run 2 or more seeds"


def from_one_seed(seeds: Any) -> bool:
    """True when an interval rests on one training seed (``seeds`` a known number below 2):
    it resamples test rows only, not how seeds differ, so :func:`verdict`, the budget answer
    and the measured purchases call nothing it shows settled. ``None`` (not known): False."""
    n = _num(seeds)
    return n is not None and n < 2


def verdict(estimate: Any, low: Any, high: Any, detectable: Any = None, null: float = 0.0,
            direction: int = +1, seeds: Any = None) -> dict[str, Any]:
    """THE rule every finding on the index is judged by (one place, so the three agree).

    ``estimate`` is the measured effect with its interval ``[low, high]`` (95% bootstrap);
    the paper's claim is that the effect lies beyond ``null`` in ``direction`` (+1: above,
    -1: below). Then the finding

    - **holds** when the whole interval lies on the paper's side of ``null``;
    - is **contradicted** when the whole interval lies on the other side;
    - is **not visible at this power** otherwise (the interval covers ``null``): the run
      could not tell; ``detectable`` (the smallest effect it could have seen at 80% power,
      :func:`littlehuman.stats.detectable_effect`) says how large an effect would have had
      to be;
    - is **not measured** when the estimate or either bound is missing (an old summary, an
      experiment not run, a fit that gave no number). A bound may be +-inf (unbounded).

    An interval touching ``null`` (e.g. a zero-width one at exactly ``null``) is not
    visible, and so is any from one training seed (``seeds`` 1; None: not known): its
    interval resamples test rows only, not how seeds differ, so it is too narrow to judge by
    (a user's one-seed smoke run read "holds" beside a caption saying so; ``one_seed`` is
    then True). Returns ``{"verdict", "estimate", "low", "high", "null", "detectable",
    "one_seed", "text"}``; ``text`` is a short sentence for a tooltip."""
    est, lo, hi, det = _num(estimate), interval_end(low), interval_end(high), _num(detectable)
    out: dict[str, Any] = {"estimate": est, "low": lo, "high": hi, "null": null,
                           "detectable": det, "one_seed": False}
    if est is None or lo is None or hi is None:
        return {**out, "verdict": NOT_MEASURED, "text": "no measured effect with an interval"}
    lo, hi = min(lo, hi), max(lo, hi)
    out.update(low=lo, high=hi)
    side = "above" if direction > 0 else "below"
    if (lo > null) if direction > 0 else (hi < null):
        word, why = HOLDS, f"the whole 95% interval lies {side} {null:g}"
    elif (hi < null) if direction > 0 else (lo > null):
        word, why = CONTRADICTED, (f"the whole 95% interval lies on the other side of "
                                   f"{null:g} than the paper's")
    else:
        word = NOT_VISIBLE
        why = f"the 95% interval covers {null:g}" + (
            f"; the smallest effect this run could detect at 80% power: {fmt_detectable(det)}"
            if det is not None or lo == hi else "")
    if word != NOT_VISIBLE and from_one_seed(seeds):
        word, why = NOT_VISIBLE, (f"{why}, but from one seed: its interval resamples test rows "
                                  f"only, not how seeds differ, too narrow to judge by; "
                                  f"{MORE_SEEDS}")
        out["one_seed"] = True
    return {**out, "verdict": word, "text": why}


def _interval(triple: Any) -> tuple[Any, Any, Any]:
    """(estimate, low, high) from a summary's ``[est, low, high]`` list (None-padded)."""
    values = list(triple) if isinstance(triple, (list, tuple)) else []
    return tuple((values + [None] * 3)[:3])  # type: ignore[return-value]


def finding_last_10(sweep: dict[str, Any] | None) -> dict[str, Any]:
    """Finding 1 from a sweep summary: the loss from 90% to 100% synthetic minus the loss
    from 0% to 90% (positive: the last 10% matters most, the paper's direction).

    Uses the paired contrast (``contrast``: one bootstrap over seeds and test rows of
    ``(s90 - s100) - (s0 - s90)``) where the summary has it; an older summary has only the
    two drops, each with its own interval: then the conservative interval of the
    difference, ``[last_low - first_high, last_high - first_low]`` (it holds only when the
    two intervals do not overlap). Not measured where the sweep's runs learned nothing
    (``learned_nothing``)."""
    sweep = sweep or {}
    contrast = sweep.get("contrast")
    first, last = _interval(sweep.get("first_90")), _interval(sweep.get("last_10"))
    if sweep.get("learned_nothing"):  # drops of 0 between runs that learned nothing
        out = {**verdict(None, None, None), "text": "the sweep's runs learned nothing",
               "how": sweep["learned_nothing"]}
    elif contrast:
        est, low, high = _interval(contrast.get("estimate"))
        out = verdict(est, low, high, contrast.get("detectable"), seeds=contrast.get("seeds"))
        out["how"] = "paired contrast (seeds x test rows)"
    elif None not in first and None not in last:
        out = verdict(last[0] - first[0], last[1] - first[2], last[2] - first[1],
                      seeds=sweep.get("seeds"))
        out["how"] = "the two drops' intervals, conservatively combined"
    else:
        out = verdict(None, None, None)
        out["how"] = sweep.get("text") or "no sweep"
    out["first_90"], out["last_10"] = list(first), list(last)
    out["paper"] = PAPER_FINDINGS["last_10"]
    return out


# the numbers of one size in zoom.summary's sentences (older summaries have only these)
_ZOOM_LINE = re.compile(
    r"n=(?P<n>\d+): (?P<human>\d+) more human points? .*? by (?P<est>[-+]?[\d.]+(?:e-?\d+)?)"
    r" on average \[(?P<low>[-+]?[\d.]+(?:e-?\d+)?), (?P<high>[-+]?[\d.]+(?:e-?\d+)?)\]"
    r"(?:.*?could detect at 80% power: (?P<det>[\d.]+(?:e-?\d+)?))?")


def zoom_comparisons(zoom: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per zoom size: ``{"n", "human", "difference": [est, low, high], "detectable"}`` of
    97.5% minus 100% synthetic on the main metric: the summary's ``comparisons`` when it has
    them, else read from its ``paired`` sentences."""
    zoom = zoom or {}
    if zoom.get("comparisons"):
        return list(zoom["comparisons"])
    out = []
    for line in zoom.get("paired") or []:
        m = _ZOOM_LINE.search(line)
        if m:
            out.append({"n": int(m["n"]), "human": int(m["human"]),
                        "difference": [float(m["est"]), float(m["low"]), float(m["high"])],
                        "detectable": _num(m["det"])})
    return out


def finding_few_human(zoom: dict[str, Any] | None) -> dict[str, Any]:
    """Finding 2 from a zoom summary: 97.5% minus 100% synthetic (positive: a few human
    points lift a synthetic model). The verdict is read at the largest zoom size (the most
    data, so the most human points); ``sizes`` holds every size's own verdict. Not measured
    where the zoom's runs learned nothing (``learned_nothing``): an interval of 0s there read
    "not visible at this power", as if more seeds would tell."""
    if (zoom or {}).get("learned_nothing"):  # differences of 0 between constant predictors
        return {**verdict(None, None, None), "text": "the zoom's runs learned nothing",
                "how": zoom["learned_nothing"], "sizes": [], "paper": PAPER_FINDINGS["few_human"]}
    sizes = []
    for c in sorted(zoom_comparisons(zoom), key=lambda c: c["n"]):
        v = verdict(*_interval(c.get("difference")), c.get("detectable"), seeds=c.get("seeds"))
        sizes.append({**v, "n": c["n"], "human": c.get("human")})
    out = dict(sizes[-1]) if sizes else verdict(None, None, None)
    out["sizes"], out["paper"] = sizes, PAPER_FINDINGS["few_human"]
    return out


#: statuses whose base is judged on its equivalent's interval where it has one (``ok`` is
#: always judged on it); without one, ``no_gain`` and ``extrapolated`` hold by their words
PRICED_BY_INTERVAL = ("saturated", "extrapolated", "no_gain")


def _estimate_to_judge(base: dict[str, Any]) -> float | None:
    """What a base's price is judged by where its equivalent has an interval: the
    equivalent, or, for a curve that does not rise on the seed means (``no_gain``: no
    estimate, only resamples), its interval's finite end. None where there is no interval to
    read (every resample unmatched, ``[inf, inf]``, is none either): its status's words decide."""
    low, high = (interval_end(e) for e in _interval(base.get("interval"))[:2])
    if low is None or high is None:
        return None
    if base.get("status") != "no_gain":
        return _num(base.get("equivalent"))
    return next((e for e in (low, high) if math.isfinite(e)), None)


def finding_tradeoff(tradeoff: dict[str, Any] | None) -> dict[str, Any]:
    """Finding 3 from a trade-off summary, per base (the verdict: at the largest base).

    First the human points' own gain over the purely synthetic base (paired, with its
    interval): not visible or contradicted there decides. When the gain holds, the price:
    an equivalent's interval (its upper end may be unbounded, 'inf': "at least low"), on
    the seed means whatever their status (``ok``; ``saturated``: the human points below the
    curve; ``extrapolated``; ``no_gain``: the curve does not rise there, while resamples
    may), holds when it lies above the human points added (each human point worth more
    than one synthetic one), is contradicted below them, not visible across them or, in a
    summary from before 2026-12-03, when too many resamples had no equivalent for an
    interval. Without an interval, a synthetic-only curve that does not rise (``no_gain``)
    or a match beyond the fitted range (``extrapolated``) holds (no amount of synthetic
    data within reach matches); the other statuses are not measured, and so is every base
    where the trade-off's runs learned nothing (``learned_nothing``)."""
    tradeoff = tradeoff or {}
    human = tradeoff.get("human_points")
    if tradeoff.get("learned_nothing"):
        return {**verdict(None, None, None), "text": "the trade-off's runs learned nothing",
                "how": tradeoff["learned_nothing"], "bases": [], "human": human,
                "table3": None, "median_equivalent": None,  # no price: the index said one
                "paper": PAPER_FINDINGS["tradeoff"]}
    bases = []
    for b in sorted(tradeoff.get("bases") or [], key=lambda b: b.get("base") or 0):
        gain = verdict(*_interval(b.get("gain")), b.get("gain_detectable"),
                       seeds=b.get("gain_seeds"))
        status, low, high = b.get("status"), *_interval(b.get("interval"))[:2]
        v = dict(gain)
        v["how"] = "the human points' gain over the base"
        if gain["verdict"] == HOLDS:
            judged = _estimate_to_judge(b) if status in PRICED_BY_INTERVAL else None
            failed = b.get("failed_resamples") or 0
            missing = interval_end(low) is None or interval_end(high) is None
            if status == "ok" and human is not None and missing and failed:
                # summaries before 2026-12-03 dropped those resamples: none past 5% of them
                v = {**verdict(b.get("equivalent"), 0.0, 0.0), "verdict": NOT_VISIBLE,
                     "low": None, "high": None,
                     "text": f"{failed:,} bootstrap resamples had no equivalent, too many for a "
                             "95% interval: the run cannot say what the human points are worth",
                     "how": f"the synthetic points worth {human} human ones, against {human}"}
            elif human is not None and (status == "ok" or judged is not None):
                # an end may be unbounded ('inf': resamples no synthetic amount matches,
                # ranked above every number); "at least low" can still hold. Whatever the
                # seed means' status, an interval is read (a reviewer: a saturated base
                # [-1,800, -50] against 200 human points read "not measured", an
                # extrapolated one [50, inf) "holds")
                v = verdict(b.get("equivalent") if status == "ok" else judged,
                            low, high, null=float(human))
                if status == "no_gain":
                    v["estimate"] = None
                v["how"] = (f"the synthetic points worth {human} human ones, against {human}: "
                            "each human point worth more than one synthetic one")
            elif status in ("no_gain", "extrapolated"):
                v["how"] = f"no synthetic amount within reach matches ({status})"
            else:
                v = {**verdict(None, None, None), "how": f"status {status}"}
        v.update(base=b.get("base"), status=status, equivalent=_num(b.get("equivalent")),
                 interval=[interval_end(low), interval_end(high)],
                 gain=list(_interval(b.get("gain"))))
        bases.append(v)
    out = dict(bases[-1]) if bases else verdict(None, None, None)
    out["bases"], out["human"], out["table3"] = bases, human, tradeoff.get("table3")
    out["median_equivalent"] = tradeoff.get("median_equivalent")
    out["paper"] = PAPER_FINDINGS["tradeoff"]
    return out


def findings(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The three findings' verdicts of one ``summary.json`` (old ones included)."""
    return {"last_10": finding_last_10(summary.get("sweep")),
            "few_human": finding_few_human(summary.get("zoom")),
            "tradeoff": finding_tradeoff(summary.get("tradeoff"))}
