"""What the measured runs bought (notebook 06, no curve): every run of the sweep, the zoom and
the trade-off read as a purchase, the measured frontier and the best purchase a budget
affords, on known scores."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from littlehuman import curves, mixing
from littlehuman.errors import LittleHumanError
from littlehuman.experiments import advisor, purchases, sweep, tradeoff, zoom
from littlehuman.plots import advice as advice_plots

from test_experiments import experiment, specs_of, write_runs


def bought(spec) -> tuple[int, int]:
    """(human, synthetic) points of a run's training set."""
    synthetic = mixing.n_replaced(spec.n, spec.fraction)
    return spec.n - synthetic, synthetic


def known_score(spec) -> float:
    """A purchase's known score: a human point adds 0.004, a synthetic one 0.001."""
    h, s = bought(spec)
    return 0.3 + 0.004 * h + 0.001 * s


def test_mix_phrase_names_a_purchase():
    assert curves.mix_phrase(200, 3000) == "200 human + 3,000 synthetic points"
    assert curves.mix_phrase(0, 3800) == "3,800 synthetic points"
    assert curves.mix_phrase(500, 0, points=False) == "500 human"
    assert curves.mix_phrase(0, 0) == "0 synthetic points"


def test_the_frontier_keeps_each_purchase_that_beats_every_cheaper_one():
    costs = np.array([10.0, 20.0, 20.0, 30.0, 40.0, 5.0])
    means = np.array([0.5, 0.4, 0.6, 0.55, 0.7, 0.45])
    assert purchases.frontier(costs, means).tolist() == [True, False, True, False, True, True]


def test_every_experiments_runs_are_read_as_purchases_with_their_scores(home):
    exp = experiment(seeds="0 1", price_human=1.0, price_synthetic=0.1)
    every = [s for m in (sweep, zoom, tradeoff) for s in specs_of(exp, m)]
    write_runs(exp, every, known_score)
    p = purchases.measure(exp, n_boot=200)
    assert sorted(zip(p.mixes["human"], p.mixes["synthetic"])) == sorted(
        {bought(s) for s in every})
    for r in p.mixes.to_dict("records"):
        assert r["mean"] == pytest.approx(0.3 + 0.004 * r["human"] + 0.001 * r["synthetic"])
        assert r["low"] == pytest.approx(r["mean"]) and r["high"] == pytest.approx(r["mean"])
    # a zoom cell at the sweep's n is a sweep run: one mix, both experiments, its runs once
    shared = p.mixes[p.mixes["sources"] == "sweep, zoom"]
    assert not shared.empty and (shared["runs"] == 2).all()  # 2 seeds, one run each
    assert p.seeds == 2 and p.left_out == [] and p.boot.shape == (200, len(p.mixes))


def test_the_best_affordable_purchase_and_whether_human_points_pay(home):
    exp = experiment(seeds="0 1", price_human=1.0, price_synthetic=0.1)
    every = [s for m in (sweep, zoom, tradeoff) for s in specs_of(exp, m)]
    write_runs(exp, every, known_score)
    p = purchases.measure(exp, n_boot=200)
    mixes = {bought(s) for s in every}
    for budget in (1.0, 5.0, 12.0, 40.0):  # none; no human points; both; both
        answer = purchases.at_prices(p, 1.0, 0.1, budget)
        affordable = [m for m in mixes if m[0] * 1.0 + m[1] * 0.1 <= budget + 1e-9]
        if not affordable:
            assert answer["status"] == "nothing_affordable"
            assert answer["sentence"].startswith(f"No measured purchase fits ${budget:g}")
            continue
        expected = max(affordable, key=lambda m: (0.004 * m[0] + 0.001 * m[1]))
        best = answer["best"]
        assert answer["status"] == "ok" and (best["human"], best["synthetic"]) == expected
        assert best["share_best"] == pytest.approx(1.0)  # no noise: always the same pick
        with_human = [m for m in affordable if m[0]]
        without = [m for m in affordable if not m[0]]
        if with_human and without:
            gain = (max(0.004 * h + 0.001 * s for h, s in with_human)
                    - max(0.001 * s for _, s in without))
            assert answer["gain"]["value"] == pytest.approx(gain)
            assert answer["gain"]["low"] == pytest.approx(gain)
            assert ("human points pay, settled" if gain > 0 else
                    "human points do not pay, settled") in answer["sentence"]
        else:
            assert answer["gain"] is None


def _purchases(rows: list[tuple[int, int, float]], boot: np.ndarray) -> purchases.Purchases:
    mixes = pd.DataFrame(rows, columns=["human", "synthetic", "mean"]).assign(
        sources="trade-off", runs=3)
    mixes["low"], mixes["high"] = np.percentile(boot, [2.5, 97.5], axis=0)
    return purchases.Purchases(mixes, boot, "accuracy", 3, 500, 0.95, [])


def test_a_close_call_is_not_settled_and_the_pick_is_counted_over_the_resamples():
    rng = np.random.default_rng(0)
    means = np.array([0.70, 0.71, 0.60, 0.90])  # 1,000 syn; 200 h + 500 syn; 500 syn; dear
    boot = means + rng.normal(0, 0.02, (4000, 4))
    p = _purchases([(0, 1000, 0.70), (200, 500, 0.71), (0, 500, 0.60), (2000, 0, 0.90)], boot)
    answer = purchases.at_prices(p, 0.5, 0.05, 130.0)
    assert (answer["best"]["human"], answer["best"]["synthetic"]) == (200, 500)
    assert 0.5 < answer["human_share"] < 0.9  # the pick changes from resample to resample
    t = answer["table"]
    assert t["share_best"].sum() == pytest.approx(1.0) and t["share_best"].isna().sum() == 1
    gain = answer["gain"]
    assert gain["value"] == pytest.approx(0.01) and gain["low"] < 0 < gain["high"]
    said = answer["sentence"]
    assert said.startswith("Within $130, the best measured purchase is 200 human + 500 "
                           "synthetic points ($125): accuracy 0.71 [")
    assert "the best without human points is 1,000 synthetic points ($50)" in said
    assert "not settled, the evidence cannot tell which is better" in said
    assert ": the runs do not single it out" in said  # the best in under 80% of resamples
    assert "The dearest measured purchase" not in said  # the budget is below the dearest
    # past the budget: the 2,000 human points ($1,000) beat it by 0.19, settled
    step = answer["next_step"]
    assert (step["human"], step["synthetic"]) == (2000, 0) and step["gain"]["low"] > 0
    assert "Past the budget, the cheapest measured purchase that beats it, settled, is 2,000 " \
        "human points ($1,000): +0.19 [" in said
    # no purely synthetic purchase past the budget to weigh it against: said (a helper read
    # ROPES's "125 human + 4,875 synthetic" step as "human points pay past the budget")
    assert "] (no purely synthetic purchase past the budget was measured, so this says what " \
        "more money buys, not that human points are what to buy with it)." in said


def test_resamples_whose_best_is_tied_at_the_bound_pick_nothing():
    """A reviewer (2026-12-05): on ROPES's simulation 1,000 synthetic points, 0.10 below the
    best, was 'the best' in some resamples: 6 of 10,000 clipped at 1.0 (3 seeds' t factor
    has heavy tails), where np.argmax hands a tie to the first mix."""
    boot = np.tile([0.60, 0.70], (100, 1))
    boot[:6] = 1.0  # six resamples clipped at the metric's bound
    p = _purchases([(0, 1000, 0.60), (0, 2000, 0.70)], boot)
    answer = purchases.at_prices(p, 1.0, 0.05, 500.0)
    assert answer["tied_resamples"] == 6
    assert answer["table"]["share_best"].tolist() == [0.0, 1.0]
    assert curves.share_text(0.0002) == "<1%" and curves.share_text(0.9998) == ">99%"
    assert curves.share_text(0.0) == "0%" and curves.share_text(0.53) == "53%"


def test_what_the_sentence_says_without_a_comparison_or_past_the_dearest_purchase():
    boot = np.tile([0.6, 0.7], (100, 1))
    p = _purchases([(0, 1000, 0.6), (0, 2000, 0.7)], boot)
    answer = purchases.at_prices(p, 1.0, 0.05, 500.0)
    assert answer["best_human"] is None and answer["gain"] is None
    assert "no measured purchase with human points fits the budget" in answer["sentence"]
    assert answer["sentence"].endswith("The dearest measured purchase costs $100: the runs "
                                       "say nothing of what the other $400 would buy.")
    assert "2,000 synthetic points ($100): accuracy 0.7 [0.7, 0.7], spending $100 of the " \
        "$500, the best in 100%" in answer["sentence"]
    # past the budget a dearer purchase that does not beat it clearly: said so, not as if it
    # were settled that nothing beats it (a helper's walk)
    noisy = np.array([0.60, 0.61]) + np.random.default_rng(0).normal(0, 0.02, (2000, 2))
    close = purchases.at_prices(_purchases([(0, 1000, 0.60), (0, 2000, 0.61)], noisy),
                                1.0, 0.05, 60.0)
    assert close["next_step"] is None and close["best"]["synthetic"] == 1000
    assert "No measured purchase past the budget beats it with an interval clear of 0." in \
        close["sentence"]
    priced = purchases.at_prices(p, 1.0, 0.05)  # no budget: the frontier alone
    assert "status" not in priced and priced["table"]["frontier"].all()


def test_notebook_06s_table_keeps_the_frontier_and_the_picks(home):
    exp = experiment(seeds="0 1", price_human=1.0, price_synthetic=0.1, budget=12.0)
    write_runs(exp, [s for m in (sweep, zoom, tradeoff) for s in specs_of(exp, m)],
               known_score)
    report = advisor.families_report(exp, n_boot=200)
    answer = report["purchases"]
    assert answer["status"] == "ok" and answer["n_boot"] == 200
    table = advice_plots.purchases_table(answer)
    assert list(table["cost ($)"]) == sorted(table["cost ($)"])
    picks = {(answer[k]["human"], answer[k]["synthetic"])
             for k in ("best", "best_synthetic", "best_human", "next_step") if answer[k]}
    shown = set(zip(table["human"], table["synthetic"]))
    assert picks <= shown
    assert all(r["on the frontier"] or (r["human"], r["synthetic"]) in picks
               for r in table.to_dict("records"))
    assert table["on the frontier"].sum() == answer["table"]["frontier"].sum()
    fig = advice_plots.purchases_figure(answer, "t")
    assert [t.name for t in fig.data][-1].startswith("best within the budget: ")
    # the budget's label sits on its line: on a log axis an annotation's x is the log10 (it
    # was the budget itself, 10^1000 for $1,000: no label, ROPES smoke in JupyterLab 2026-12-06)
    assert fig.layout.xaxis.type == "log"
    (label,) = [a for a in fig.layout.annotations if a.text.startswith("budget $")]
    assert label.x == pytest.approx(math.log10(answer["budget"]))
    assert fig.layout.shapes[0].x0 == answer["budget"]  # a shape's x is the value itself
    caption = advice_plots.purchases_caption(answer, 200)
    assert f"({len(answer['table'])} distinct mixes" in caption and "2 seeds" in caption
    assert caption.startswith("Every training set the replacement sweep, the zoom and the "
                              "trade-off trained")
    alone = {**answer, "table": answer["table"][answer["table"]["sources"] == "trade-off"]}
    assert advice_plots.purchases_caption(alone, 200).startswith(
        "Every training set the trade-off trained")  # `advise` trains the trade-off alone
    summary = advisor.summary(exp, report)
    assert summary["purchases"]["sentence"] == answer["sentence"]
    assert summary["purchases"]["frontier"][0]["cost"] == answer["table"]["cost"].min()
    unpriced = {**report, "purchases": None, "price_human": 0.0}
    assert "give a price per human" in advisor.purchases_missing_sentence(unpriced)
    assert "learned nothing" in advisor.purchases_missing_sentence(
        {**report, "learned_nothing": "every run scored the majority baseline"})


def test_a_mix_missing_a_seed_is_left_out_and_said(home):
    exp = experiment(seeds="0 1", price_human=1.0, price_synthetic=0.1)
    every = [s for m in (sweep, zoom, tradeoff) for s in specs_of(exp, m)]
    gap = next(s for s in specs_of(exp, sweep) if s.seed == 1 and s.fraction == 0.0)
    write_runs(exp, [s for s in every if s != gap], known_score)
    p = purchases.measure(exp, n_boot=100)
    assert bought(gap) not in set(zip(p.mixes["human"], p.mixes["synthetic"]))
    assert p.left_out == ["1 measured mix(es) left out: they lack a run of seed(s) 0, 1, which "
                          "every mix is read on"]
    empty = experiment(seeds="5 6", price_human=1.0, price_synthetic=0.1)  # none run
    with pytest.raises(LittleHumanError, match="no seed has a finished run"):
        purchases.measure(empty, n_boot=100)


def test_the_buy_line_ends_with_what_the_runs_bought():
    rng = np.random.default_rng(1)
    means = np.array([0.70, 0.66, 0.60])
    p = _purchases([(0, 1000, 0.70), (200, 500, 0.66), (0, 500, 0.60)],
                   means + rng.normal(0, 0.005, (2000, 3)))
    answer = purchases.at_prices(p, 0.5, 0.05, 400.0)
    said = advisor.purchases_clause({"purchases": answer})
    assert said.startswith(" Read off the runs with no curve: within $400 the best measured "
                           "purchase is 1,000 synthetic points ($50; the dearest measured one "
                           "costs $125); human points do not pay among them (-0.04 [")
    assert said.endswith("]).")  # the curve's split agrees (or is not given): no more
    measured = advisor.purchases_clause({"purchases": answer}, (200.0, 500.0))
    assert measured.startswith(said[:-1]) and "; the split above was measured: 0.66 [" in measured
    unmeasured = advisor.purchases_clause({"purchases": answer}, (200.0, 700.0))
    assert unmeasured.endswith("; the split above was not measured, so the runs do not test it "
                               "(they compare only the mixes the experiments trained).")
    assert advisor.purchases_clause({"purchases": answer}, (0.0, 7000.0)) == said
    assert advisor.purchases_clause({"purchases": None}) == ""
    assert advisor.purchases_clause({"purchases": {"status": "nothing_affordable"}}) == ""


def test_without_a_curves_split_the_buy_line_is_what_the_runs_bought():
    """FEVER's cpu profile (2026-12-05): the synthetic-only curve did not rise, so no family
    gave a split and the page's Result and the command's output said nothing to buy, while
    the measured purchases had an answer."""
    p = _purchases([(0, 500, 0.52), (12, 488, 0.53)],
                   np.array([0.52, 0.53]) + np.random.default_rng(2).normal(0, 0.02, (500, 2)))
    answer = purchases.at_prices(p, 0.5, 0.002, 20.0)
    line = advisor.buy_line({"budget": {"status": "flat"}, "purchases": answer})
    assert line.startswith("No curve gives a budget split here. Read off the runs with no "
                           "curve: within $20 the best measured purchase is 12 human + 488 "
                           "synthetic points ($6.98")
    assert advisor.buy_line({"budget": {"status": "flat"}, "purchases": None}) == ""


def test_stale_runs_make_the_section_say_why_not_a_traceback(home):
    exp = experiment(seeds="0 1", price_human=1.0, price_synthetic=0.1, budget=12.0)
    every = [s for m in (sweep, zoom, tradeoff) for s in specs_of(exp, m)]
    write_runs(exp, every, known_score)
    stale = next(s for s in specs_of(exp, sweep) if s.fraction == 0.0 and s.seed == 0)
    exp.store.write(stale, {"metrics": {"accuracy": 0.5, "n": 10}, "timings_s": {"fit": 0.0}},
                    pd.DataFrame({"row_id": [f"t{i}" for i in range(10)], "prediction": 1,
                                  "gold": 1, "score:accuracy": 0.5}))
    report = advisor.families_report(exp, n_boot=100)
    assert report["purchases"]["status"] == "unavailable"
    said = advisor.purchases_missing_sentence(report)
    assert said.startswith("No measured purchases: fever: the runs scored different numbers of "
                           "test rows;") and said.endswith("rerun them.")
    assert advisor.summary(exp, report)["purchases"]["status"] == "unavailable"
    assert advisor.purchases_clause(report) == ""


def test_seeds_some_mixes_have_beyond_the_common_ones_are_said(home):
    """The sweep's mixes on 3 seeds, the trade-off's on 2: every mix is read on the 2 (paired
    resamples need one set), and the page says the sweep's third is not read (a helper saw
    06's scores differ from 02's without a word)."""
    exp = experiment(seeds="0 1 2", tradeoff_seeds=2, price_human=1.0, price_synthetic=0.1)
    every = [s for m in (sweep, zoom, tradeoff) for s in specs_of(exp, m)]
    write_runs(exp, every, known_score)
    p = purchases.measure(exp, n_boot=100)
    assert p.seeds == 2
    assert p.left_out == [
        "every mix is read on seed(s) 0, 1, those every mix has; the runs of seed(s) 2 that some "
        "mixes also have (the sweep's, the zoom's) are not read here, so those mixes' scores "
        "differ from the pages that read all their seeds (more trade-off seeds, "
        "`--tradeoff-seeds`, bring them in)"]


def test_purchases_that_score_alike_everywhere_are_no_open_question():
    """A helper's own QA file: 1 human + 47 synthetic points predicted what 48 synthetic ones
    did, and the page called their 0 [0, 0] "not settled, the evidence cannot tell"."""
    rng = np.random.default_rng(2)
    same = 0.42 + rng.normal(0, 0.01, (1000, 1))
    p = _purchases([(0, 48, 0.42), (1, 47, 0.42)], np.hstack([same, same]))
    answer = purchases.at_prices(p, 0.5, 0.002, 20.0)
    assert purchases.alike(answer["gain"])
    assert "no difference: the two score alike in every resample" in answer["sentence"]
    assert "not settled" not in answer["sentence"]
    assert "human points change nothing among them (0 [0, 0])" in \
        advisor.purchases_clause({"purchases": answer})
