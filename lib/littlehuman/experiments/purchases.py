"""What the measured runs bought, no curve assumed (notebook 06).

Every training set the three experiments trained (the replacement sweep, the zoom, the
trade-off) is a purchase of ``h`` human and ``s`` synthetic points with a measured score. At a
price per point each has a cost, so the runs themselves answer the budget question as far
as they reach: which measured purchase a budget affords scores highest, and whether the best
one with human points beats the best one without. The curves of :mod:`littlehuman.families`
answer it everywhere, at the price of a shape; this answers it only at measured mixes, with
no shape to be wrong about.

Every mix's score is resampled in one draw over seeds and test rows
(:func:`littlehuman.stats.bootstrap_run_means`): how often each affordable mix is the best
counts the pick's uncertainty, and the best with human points and the best without (each
picked on the means) are compared paired, on the same resamples. Re-picking both bests in
every resample instead gave intervals that held the truth only 0.80-0.93 of the time in
``bench/budget_audit.py``'s simulations (the maximum's bias); the paired contrast of the
two named mixes, 0.94-0.98.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from littlehuman import curves, mixing, stats
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError
from littlehuman.experiments import EXPERIMENTS, grid, tradeoff
from littlehuman.findings import MORE_SEEDS, ONE_SEED_WHY, from_one_seed
from littlehuman.metrics import SCORE_RANGE

if TYPE_CHECKING:
    from littlehuman.study import Study

#: how the page names an experiment's runs (else by its ``NAME``)
LABELS = {tradeoff.NAME: "trade-off"}
#: a cost within this share of the budget is affordable (the budget's own rounding)
_COST_TOLERANCE = 1e-9


@dataclass
class Purchases:
    """Every measured mix: ``mixes`` (one row per (human, synthetic) pair: human, synthetic,
    sources (the experiments that trained it), runs (distinct runs read, on the seeds used),
    mean (over seeds and test rows), low, high), ``boot`` (resamples x mixes, the mean scores
    of one draw over seeds and test rows), ``seeds`` and ``rows`` behind them, ``left_out``
    (sentences: mixes left out for a missing seed)."""

    mixes: pd.DataFrame
    boot: np.ndarray = field(repr=False)
    metric: str
    seeds: int
    rows: int
    level: float
    left_out: list[str]


def collected(study: "Study") -> dict[tuple[int, int], dict[str, Any]]:
    """Per (human, synthetic) pair: the experiments with a finished run of it, and per seed
    its finished runs by key (one run can serve several experiments: the zoom's sweep-sized
    cells are sweep runs, a trade-off size serves every base that reaches it)."""
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for module in EXPERIMENTS.values():
        source = LABELS.get(module.NAME, module.NAME)
        for cell in module.cells(study.profile, study.shape):
            spec = study.run_spec(cell)
            if not study.store.has(spec):
                continue
            synthetic = mixing.n_replaced(cell.n, cell.fraction)
            entry = out.setdefault((cell.n - synthetic, synthetic), {"sources": [], "runs": {}})
            if source not in entry["sources"]:
                entry["sources"].append(source)
            entry["runs"].setdefault(cell.seed, {})[spec.key()] = spec
    return out


def _common_seeds(mixes: dict[tuple[int, int], dict[str, Any]], study: "Study") -> list[int]:
    """The seeds every mix (:func:`collected`) is read on: the trade-off's seeds that all its
    mixes have (the advisor's runs); without trade-off runs, the seeds every mix has."""
    own = [set(e["runs"]) for e in mixes.values() if LABELS[tradeoff.NAME] in e["sources"]]
    every = own or [set(e["runs"]) for e in mixes.values()]
    seeds = set.intersection(*every) if every else set()
    if own:
        seeds &= set(tradeoff.seeds(study.profile))
    return sorted(seeds)


def measure(study: "Study", metric: str | None = None,
            n_boot: int = curves.EQUIVALENT_RESAMPLES, level: float = 0.95) -> Purchases:
    """Every finished run of the sweep, the zoom and the trade-off as a purchase
    (:class:`Purchases`), on the seeds every mix has (:func:`_common_seeds`); a mix missing
    one of them is left out and said. Two distinct runs of one mix and seed (a zoom set and a
    trade-off set of the same sizes) are averaged row by row. Raises
    :class:`~littlehuman.errors.LittleHumanError` when no seed has every mix's runs."""
    metric = metric or study.main_metric
    every_mix = collected(study)
    seeds = _common_seeds(every_mix, study)
    if not seeds:
        raise LittleHumanError(f"{study.name}: no seed has a finished run of every measured "
                               "mix; run `run_all.py --notebooks 04` first")
    kept = {mix: e for mix, e in sorted(every_mix.items()) if set(seeds) <= set(e["runs"])}
    dropped = len(every_mix) - len(kept)
    left_out = ([f"{dropped} measured mix(es) left out: they lack a run of seed(s) "
                 f"{', '.join(map(str, seeds))}, which every mix is read on"] if dropped else [])
    extra = sorted(set().union(*(e["runs"] for e in kept.values())) - set(seeds))
    own = set(tradeoff.seeds(study.profile))
    failed = [s for s in extra if s in own]  # trade-off seeds lacking a run: rerun them
    extra = [s for s in extra if s not in own]
    if failed:  # (a reviewer: these were blamed on the sweep and sent to --tradeoff-seeds)
        left_out.append(
            f"the runs of trade-off seed(s) {', '.join(map(str, failed))} are not read here: "
            "some trade-off mix lacks its run of them (failed or not trained yet), and every "
            "mix is read on the same seeds; rerun `run_all.py --notebooks 04` to train it")
    if extra:  # paired resamples need one set of seeds: the others' runs are not read here
        left_out.append(
            f"every mix is read on seed(s) {', '.join(map(str, seeds))}, those every mix has; "
            f"the runs of seed(s) {', '.join(map(str, extra))} that some mixes also have (the "
            "sweep's, the zoom's) are not read here, so those mixes' scores differ from the "
            "pages that read all their seeds (more trade-off seeds, `--tradeoff-seeds`, "
            "bring them in)")
    rows = {seed: [run_scores(study, metric, e["runs"][seed].values()) for e in kept.values()]
            for seed in seeds}
    if len({a.size for arrays in rows.values() for a in arrays}) > 1:
        raise LittleHumanError(_stale(study))
    unscored = [seed for seed, arrays in rows.items()  # as the curves leave such seeds out
                if not all(np.isfinite(a).all() for a in arrays)]  # (NaN had crashed page 06)
    if unscored:
        seeds = [seed for seed in seeds if seed not in unscored]
        rows = {seed: rows[seed] for seed in seeds}
        if not seeds:
            raise LittleHumanError(f"{study.name}: every seed has a run without a {metric} "
                                   "score for every test row; rerun those runs")
        left_out.append(f"seed(s) {', '.join(map(str, unscored))} not read: a run of theirs "
                        f"has no {metric} score for some test rows")
    per_seed = {seed: np.vstack(arrays) for seed, arrays in rows.items()}
    keys = sorted(k for e in kept.values() for seed in seeds for k in e["runs"][seed])
    mixes = pd.DataFrame({
        "human": [h for h, _ in kept], "synthetic": [s for _, s in kept],
        "sources": [", ".join(e["sources"]) for e in kept.values()],
        "runs": [len({k for seed in seeds for k in e["runs"][seed]}) for e in kept.values()]})
    return from_scores(mixes, per_seed, metric, n_boot, level,
                       schema.stable_seed(study.name, "purchases", metric, *keys),
                       left_out)


def run_scores(study: "Study", metric: str, specs: Iterable[Any]) -> np.ndarray:
    """Per test row, the mean ``metric`` score of ``specs``, the distinct finished runs of one
    mix and seed (one run, or a zoom set and a trade-off set of the same sizes)."""
    arrays = [grid.per_example_scores(study, spec)[metric].to_numpy(float) for spec in specs]
    if len({a.size for a in arrays}) > 1:
        raise LittleHumanError(_stale(study))
    return np.mean(arrays, axis=0)


def _stale(study: "Study") -> str:
    """The error of runs that scored different numbers of test rows."""
    return (f"{study.name}: the runs scored different numbers of test rows; every run of a "
            "study scores the same test set, so some are stale: rerun them")


def from_scores(mixes: pd.DataFrame, per_seed: dict[Any, np.ndarray], metric: str,
                n_boot: int = curves.EQUIVALENT_RESAMPLES, level: float = 0.95, seed: int = 0,
                left_out: list[str] | None = None) -> Purchases:
    """:class:`Purchases` from the mixes (``human``, ``synthetic``, ``sources``, ``runs``) and
    per seed their (mixes x test rows) scores: each mix's mean over seeds and rows, and one
    bootstrap draw over seeds and test rows for all of them
    (:func:`littlehuman.stats.bootstrap_run_means`)."""
    boot = stats.bootstrap_run_means(per_seed, n_boot, bounds=SCORE_RANGE, seed=seed)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(boot, [tail, 100 - tail], axis=0)
    means = np.mean([m.mean(axis=1) for m in per_seed.values()], axis=0)
    rows = next(iter(per_seed.values())).shape[1]
    return Purchases(mixes.assign(mean=means, low=low, high=high).reset_index(drop=True), boot,
                     metric, len(per_seed), rows, level, list(left_out or []))


def frontier(costs: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Which mixes lie on the measured cost frontier: those scoring above every mix that
    costs no more (ties in cost: the higher score)."""
    order = np.lexsort((-means, costs))
    on = np.zeros(len(costs), bool)
    best = -np.inf
    for i in order:
        if means[i] > best:
            on[i], best = True, means[i]
    return on


def at_prices(p: Purchases, price_human: float, price_synthetic: float,
              budget: float | None = None) -> dict[str, Any]:
    """The measured purchases at these prices: ``table`` (the mixes with their ``cost`` and
    ``frontier``; with a budget, ``affordable`` and ``share_best``: the share of resamples in
    which the mix is the best affordable one), and with a budget: ``status`` ('ok' or
    'nothing_affordable'), ``best`` (the best affordable mix on the means), ``best_synthetic``
    and ``best_human`` (the best affordable without and with human points, None where the
    budget affords none), ``gain`` (best with human points minus best without: value on the
    means, low and high over the resamples, paired: the two mixes named; None
    unless both exist), ``human_share`` (resamples whose best affordable mix has human
    points; ``share_best`` and it leave out the ``tied_resamples``, whose best is tied),
    ``next_step`` (past the budget, the cheapest mix that beats the best with a paired
    interval clear of 0, with that ``gain``; None where none does), ``largest_cost`` and a
    ``sentence``."""
    t = p.mixes.assign(cost=p.mixes["human"] * price_human
                       + p.mixes["synthetic"] * price_synthetic)
    t["frontier"] = frontier(t["cost"].to_numpy(float), t["mean"].to_numpy(float))
    out: dict[str, Any] = {"table": t, "budget": budget, "price_human": price_human,
                           "price_synthetic": price_synthetic, "metric": p.metric,
                           "seeds": p.seeds, "rows": p.rows, "level": p.level,
                           "largest_cost": float(t["cost"].max())}
    if budget is None:
        return out
    affordable = (t["cost"] <= budget * (1 + _COST_TOLERANCE)).to_numpy()
    t["affordable"] = affordable
    if not affordable.any():
        out.update(status="nothing_affordable", sentence=(
            f"No measured purchase fits ${curves.money(budget)}: the cheapest, "
            f"{_mix(t.loc[t['cost'].idxmin()])}, costs ${curves.money(t['cost'].min())}."))
        return out
    idx = np.flatnonzero(affordable)
    top = p.boot[:, idx]
    # a resample whose best is tied (clipped at the metric's bound: 3 seeds' t factor has
    # heavy tails) picks nothing; np.argmax would hand it to the first mix
    single = (top == top.max(axis=1, keepdims=True)).sum(axis=1) == 1
    # tied in every resample: no share (argmax had given every resample to the first mix,
    # "the best in 100%", a reviewer)
    picks = idx[np.argmax(top[single], axis=1)] if single.any() else idx[:0]
    t["share_best"] = (np.bincount(picks, minlength=len(t)) / len(picks) if len(picks)
                       else np.nan)
    t.loc[~t["affordable"], "share_best"] = np.nan
    means, human = t["mean"].to_numpy(float), t["human"].to_numpy() > 0

    def best_of(rows: np.ndarray) -> int | None:
        return int(rows[np.argmax(means[rows])]) if rows.size else None

    i_best = best_of(idx)
    i_with, i_without = best_of(idx[human[idx]]), best_of(idx[~human[idx]])
    out.update(status="ok", best=_row(t, i_best),
               best_synthetic=None if i_without is None else _row(t, i_without),
               best_human=None if i_with is None else _row(t, i_with),
               human_share=float(np.mean(human[picks])) if len(picks) else math.nan,
               tied_resamples=int((~single).sum()),
               gain=None, next_step=_next_step(p, t, i_best, budget))
    if i_with is not None and i_without is not None:  # the two mixes named, paired
        out["gain"] = _paired(p, i_with, i_without)
    out["sentence"] = purchase_sentence(out)
    return out


def _paired(p: Purchases, i: int, j: int) -> dict[str, float]:
    """Mix ``i``'s score minus mix ``j``'s: on the means, with its interval over the same
    resamples (paired)."""
    tail = (1 - p.level) / 2 * 100
    low, high = np.percentile(p.boot[:, i] - p.boot[:, j], [tail, 100 - tail])
    means = p.mixes["mean"].to_numpy(float)
    return {"value": float(means[i] - means[j]), "low": float(low), "high": float(high)}


def _next_step(p: Purchases, t: pd.DataFrame, i_best: int, budget: float
               ) -> dict[str, Any] | None:
    """Past the budget, the cheapest measured purchase that beats the best affordable one
    with a paired interval clear of 0: what more money would buy for sure (None: none does)."""
    dearer = t[t["cost"] > budget * (1 + _COST_TOLERANCE)].sort_values("cost", kind="stable")
    for j in dearer.index:  # t's index is the mixes' position
        gain = _paired(p, int(j), i_best)
        if gain["low"] > 0:
            return {**_row(t, int(j)), "gain": gain}
    return None


def _row(t: pd.DataFrame, i: int) -> dict[str, Any]:
    """Mix ``i`` of the table as a plain dict."""
    r = t.iloc[int(i)]
    return {"human": int(r["human"]), "synthetic": int(r["synthetic"]), "cost": float(r["cost"]),
            "mean": float(r["mean"]), "low": float(r["low"]), "high": float(r["high"]),
            "sources": r["sources"], "share_best": float(r.get("share_best", np.nan))}


def _mix(r: Any) -> str:
    """'200 human + 3,000 synthetic points' (:func:`littlehuman.curves.mix_phrase`)."""
    return curves.mix_phrase(r["human"], r["synthetic"])


def _scored(r: dict[str, Any], metric: str) -> str:
    """'200 human + 1,000 synthetic points ($110): rouge1 0.662 [0.655, 0.669]'."""
    d = curves.digits
    return (f"{_mix(r)} (${curves.money(r['cost'])}): {metric} {d(r['mean'])} "
            f"[{d(r['low'])}, {d(r['high'])}]")


def purchase_sentence(answer: dict[str, Any]) -> str:
    """The measured purchases' answer to the budget in words (:func:`at_prices`, status ok)."""
    metric, budget, level = answer["metric"], answer["budget"], answer["level"]
    best, syn, hum, gain = (answer[k] for k in ("best", "best_synthetic", "best_human", "gain"))
    spent = (f", spending ${curves.money(best['cost'])} of the ${curves.money(budget)}"
             if best["cost"] < 0.9 * budget else "")
    tied = math.isnan(best["share_best"])  # tied with another in every resample
    head = (f"Within ${curves.money(budget)}, the best measured purchase is "
            f"{_scored(best, metric)}{spent}, "
            + ("tied with another in every resample: the runs do not single it out" if tied
               else f"the best in {curves.share_text(best['share_best'])} of the resamples"
               + (": the runs do not single it out" if best["share_best"] < 0.8 else "")))
    one_seed = from_one_seed(answer.get("seeds"))
    if hum is None:
        head += ("; no measured purchase with human points fits the budget, so the runs cannot "
                 "say here whether human points pay")
    elif syn is None:
        head += ("; every measured purchase the budget affords has human points, so the runs "
                 "cannot weigh them against one without")
    else:
        other = syn if best["human"] else hum
        clear = gain["low"] > 0 or gain["high"] < 0
        verdict = (f"human points {'pay' if gain['low'] > 0 else 'do not pay'} on this one "
                   f"seed, {ONE_SEED_WHY}: not settled ({MORE_SEEDS})" if clear and one_seed else
                   "human points pay, settled" if gain["low"] > 0 else
                   "human points do not pay, settled" if gain["high"] < 0 else
                   "no difference: the two score alike in every resample" if alike(gain) else
                   "an interval reaching 0: not settled, the evidence cannot tell which is better")
        head += (f"; the best {'without' if best['human'] else 'with'} human points is "
                 f"{_scored(other, metric)}. Among the measured purchases, the best with human "
                 f"points minus the best without: {curves.signed_interval(gain)} "
                 f"({level:.0%}, paired over the same resamples): {verdict}"
                 + ("" if math.isnan(answer["human_share"]) else
                    f"; in {curves.share_text(answer['human_share'])} of the resamples the best "
                    "affordable purchase has human points"))
    step = answer.get("next_step")
    if step:
        head += (". Past the budget, the cheapest measured purchase that beats it"
                 + (" (an interval clear of 0 on one seed, not settled)" if one_seed else
                    ", settled,") + " is "
                 f"{_mix(step)} (${curves.money(step['cost'])}): "
                 f"{curves.signed_interval(step['gain'])}")
        t = answer["table"]
        if step["human"] and not ((t["cost"] > budget) & (t["human"] == 0)).any():
            head += (" (no purely synthetic purchase past the budget was measured, so this says "
                     "what more money buys, not that human points are what to buy with it)")
    elif answer["largest_cost"] > budget:
        head += ". No measured purchase past the budget beats it with an interval clear of 0"
    head += ". The runs compare only the mixes the experiments trained; other splits are the "
    head += "curves' to price (above)"
    if answer["largest_cost"] < budget:
        spare = budget - answer["largest_cost"]
        head += (f". The dearest measured purchase costs ${curves.money(answer['largest_cost'])}"
                 f": the runs say nothing of what the other ${curves.money(spare)} would buy")
    return head + "."


def alike(gain: dict[str, Any]) -> bool:
    """Whether a paired difference is 0 in every resample (``value``, ``low`` and ``high`` all
    0): the two purchases score alike on every test row, which is no open question (a helper's
    own QA file: 1 human + 47 synthetic points predicted what 48 synthetic ones did)."""
    return gain["value"] == gain["low"] == gain["high"] == 0
