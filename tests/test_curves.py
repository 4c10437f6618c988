"""Trade-off analysis on synthetic curves with known answers (no training involved)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from littlehuman.errors import LittleHumanError
from littlehuman.curves import (LogFit, advise, breakeven_price_ratio, equivalent_points,
                                  fit_log, operating_points, table3)

A0, A1 = 0.2, 0.05
BASES = (1000, 2000, 3000)


def curve(x: float) -> float:
    return A0 + A1 * math.log(x)


def records(human_gain: dict[int, float], seeds=(0, 1, 2), noise: float = 0.0) -> pd.DataFrame:
    """Runs on the known curve; the human run on ``base`` scores as ``base + human_gain[base]``
    synthetic points would. ``noise`` shifts every score of seed s by ``noise * (s - 1)``."""
    rows = []
    for seed in seeds:
        shift = noise * (seed - 1)
        for base in BASES:
            rows += [{"base": base, "kind": "synthetic", "added": 200 * i, "seed": seed,
                      "accuracy": curve(base + 200 * i) + shift} for i in range(5)]
            rows.append({"base": base, "kind": "human", "added": 200, "seed": seed,
                         "accuracy": curve(base + human_gain[base]) + shift})
    return pd.DataFrame(rows)


def test_fit_log_recovers_known_coefficients():
    x = np.array([1000, 1200, 1400, 1600, 1800])
    fit = fit_log(x, A0 + A1 * np.log(x))
    assert fit.a0 == pytest.approx(A0, abs=1e-12)
    assert fit.a1 == pytest.approx(A1, abs=1e-12)
    assert fit.r2 == pytest.approx(1.0)
    assert (fit.n_points, fit.x_min, fit.x_max) == (5, 1000, 1800)


def test_fit_log_r2_of_noisy_data_below_one_and_needs_two_sizes():
    fit = fit_log([100, 200, 400, 800], [0.1, 0.3, 0.2, 0.4])
    assert 0 < fit.r2 < 1
    with pytest.raises(LittleHumanError, match="2 distinct"):
        fit_log([1000, 1000, 1000], [0.1, 0.2, 0.3])
    with pytest.raises(LittleHumanError):
        fit_log([1000, 2000], [0.1, float("nan")])


def test_equivalent_matches_closed_form():
    fit = LogFit(A0, A1, 1.0, 5, 1000, 1800)
    y_star = curve(3000 + 4321.5)
    eq = equivalent_points(fit, y_star, 3000)
    assert eq.status == "ok"
    assert eq.value == pytest.approx(math.exp((y_star - A0) / A1) - 3000, rel=1e-12)
    assert eq.value == pytest.approx(4321.5, rel=1e-9)
    assert "4,322" in eq.message


def test_no_gain_when_curve_does_not_rise():
    for a1 in (0.0, -0.03):
        eq = equivalent_points(LogFit(0.8, a1, 0.5, 5, 1000, 1800), 0.9, 1000)
        assert (eq.status, eq.value) == ("no_gain", None)
        assert "does not rise" in eq.message


def test_equal_scores_fit_a_flat_curve_whatever_the_rounding():
    # scores all equal: the least-squares slope is exactly 0 (no_gain), yet the mean of three
    # 0.7s is not 0.7 in floating point, which left a slope of +-1e-30 and so an
    # 'extrapolated' (or a 'saturated' -base) equivalent, depending on the score
    sizes = [1000, 1200, 1400]
    for y in np.linspace(0.01, 0.99, 99):
        fit = fit_log(sizes, [y] * 3)
        assert (fit.a0, fit.a1) == (y, 0.0) and math.isnan(fit.r2)  # R² is 0/0: undefined
        for y_star in (y + 0.01, y - 0.01):
            assert equivalent_points(fit, y_star, 1000).status == "no_gain"
    rows = [{"base": 1000, "kind": "synthetic", "added": 200 * i, "seed": 0, "accuracy": 0.7}
            for i in range(3)] + [{"base": 1000, "kind": "human", "added": 200, "seed": 0,
                                   "accuracy": 0.69}]
    points = operating_points(pd.DataFrame(rows), "accuracy")
    assert set(points["status"]) == {"no_gain"} and points["equivalent"].isna().all()


def test_saturated_when_human_score_is_below_the_curve():
    fit = LogFit(A0, A1, 1.0, 5, 1000, 1800)
    eq = equivalent_points(fit, curve(2500), 3000)
    assert eq.status == "saturated"
    assert eq.value == pytest.approx(-500, rel=1e-9)
    at_base = equivalent_points(fit, curve(3000), 3000)
    assert at_base.status == "saturated" and at_base.value <= 1e-6


def test_far_extrapolation_is_flagged_and_overflow_is_not_nan():
    fit = LogFit(A0, A1, 1.0, 5, 1000, 1800)
    far = equivalent_points(fit, curve(1000 + 1e7), 1000)
    assert far.status == "extrapolated"
    assert far.value == pytest.approx(1e7, rel=1e-9)
    near = equivalent_points(fit, curve(1000 + 170_000), 1000)  # 95x the largest size: kept
    assert near.status == "ok"
    huge = equivalent_points(fit, 1e6, 1000)
    assert (huge.status, huge.value) == ("extrapolated", None)
    assert "float" in huge.message


def test_operating_points_recover_known_equivalents_per_seed_and_mean():
    gain = {1000: 5000.0, 2000: 900.0, 3000: -300.0}
    ops = operating_points(records(gain, noise=0.01), "accuracy")
    assert len(ops) == 3 * 3 + 3
    assert set(ops["level"]) == {"seed", "mean"}
    for _, row in ops.iterrows():
        # a constant per-seed shift moves a0 only, so every fit recovers the same equivalent
        assert row["equivalent"] == pytest.approx(gain[row["base"]], rel=1e-6)
        assert row["a1"] == pytest.approx(A1, rel=1e-9)
        assert row["status"] == ("saturated" if gain[row["base"]] < 0 else "ok")
        assert row["human_points"] == 200 and row["n_fit"] == 5
    mean = ops[ops["level"] == "mean"]
    assert mean["seed"].isna().all()
    assert list(mean["base"]) == list(BASES)


def test_operating_points_flags_missing_runs_instead_of_crashing():
    recs = records({b: 500.0 for b in BASES}, seeds=(0,))
    recs = recs[~((recs["base"] == 2000) & (recs["kind"] == "human"))]
    recs = recs[~((recs["base"] == 3000) & (recs["added"] > 0))]
    ops = operating_points(recs, "accuracy").set_index(["level", "base"])
    assert ops.loc[("seed", 1000), "status"] == "ok"
    assert ops.loc[("seed", 2000), "status"] == "incomplete"
    assert "no run with human points" in ops.loc[("seed", 2000), "message"]
    assert ops.loc[("seed", 3000), "status"] == "incomplete"


def test_operating_points_rejects_bad_records():
    recs = records({b: 500.0 for b in BASES}, seeds=(0,))
    with pytest.raises(LittleHumanError, match="lack column"):
        operating_points(recs.drop(columns="seed"), "accuracy")
    with pytest.raises(LittleHumanError, match="several runs"):
        operating_points(pd.concat([recs, recs.iloc[:1]]), "accuracy")
    with pytest.raises(LittleHumanError, match="unknown kind"):
        operating_points(recs.assign(kind="real"), "accuracy")


def test_table3_on_known_lists():
    out = table3([1.0, 2.0, 3.0, 4.0, None, float("nan")])
    assert (out["n"], out["n_undefined"]) == (4, 2)
    assert (out["mean"], out["median"], out["p25"], out["p75"]) == (2.5, 2.5, 1.75, 3.25)
    paper = table3([4.0, 1.0, 3.0, 2.0], method="paper")  # sorted[int(n * q)]
    assert (paper["p25"], paper["median"], paper["p75"]) == (2.0, 2.5, 4.0)
    empty = table3([None, None])
    assert empty["mean"] is None and empty["n_undefined"] == 2
    assert out["values"] == [1.0, 2.0, 3.0, 4.0] and empty["values"] == []


def test_a_table3_of_few_values_gives_them_instead_of_quartiles_and_a_mean():
    from littlehuman.curves import BELOW_THE_CURVE, few_values, table3_spread, values_phrase

    two = table3([-154.2, None, -214.0])  # FairyTaleQA's cpu profile, 2026-12-06
    assert few_values(two) and values_phrase(two) == "-214 and -154"
    assert table3_spread(two) == "the values: -214 and -154"  # not 'mean -184' (= the median)
    three = table3([5.0, 31.0, 1200.0])
    assert values_phrase(three) == "+5, +31 and +1,200"
    assert values_phrase(three, signed=False) == "5, 31 and 1,200"
    four = table3([1.0, 2.0, 3.0, 40.0])
    assert not few_values(four) and table3_spread(four) == "mean 12"
    assert not few_values(table3([None, None]))  # nothing to give
    assert table3_spread({"n": 2, "n_undefined": 0, "mean": 7.0}) == "mean 7"  # from before
    assert "smaller than the base" in BELOW_THE_CURVE


def test_price_ratio_and_advice_arithmetic():
    assert breakeven_price_ratio(17000.0) == 85.0
    assert breakeven_price_ratio(2000.0, human_points=20) == 100.0
    assert breakeven_price_ratio(None) is None
    assert breakeven_price_ratio(-400.0) == -2.0

    cheap_human = advise(17000.0, price_human=10.0, price_synthetic=0.1)
    assert cheap_human["human_cost"] == 2000.0
    assert cheap_human["synthetic_cost"] == pytest.approx(1700.0)
    assert cheap_human["cheaper"] == "synthetic"  # ratio 100 > break-even 85
    assert cheap_human["synthetic_points_for_human_cost"] == pytest.approx(20000.0)

    human = advise(17000.0, price_human=5.0, price_synthetic=0.1)
    assert (human["cheaper"], human["price_ratio"]) == ("human", pytest.approx(50.0))
    assert "human is cheaper" in human["message"]

    assert advise(-100.0, 1.0, 1.0)["synthetic_cost"] == 0.0
    assert advise(None, 1.0, 1.0)["cheaper"] == "unknown"
    with pytest.raises(LittleHumanError):
        advise(100.0, 1.0, 0.0)


def test_a_median_says_how_many_operating_points_it_rests_on():
    from littlehuman.curves import operating_points_phrase, table3

    assert operating_points_phrase(table3([10.0, 20.0, 30.0])) == "3 operating points"
    assert operating_points_phrase(table3([173.0, None, None])) == (
        "the 1 of 3 operating points with a finite equivalent")
    assert operating_points_phrase(table3([5.0])) == "1 operating point"


def test_most_operating_points_unpriced_is_said_with_the_rest_beside_it():
    from littlehuman.curves import mostly_undefined, priced_rest_phrase, table3, unpriced_phrase

    one = table3([90.0, None, None])
    assert mostly_undefined(one) and not mostly_undefined(table3([90.0, 30.0, None]))
    assert not mostly_undefined(table3([90.0, None]))  # half: the median still stands
    assert unpriced_phrase(one) == "2 of 3 operating points gave no finite synthetic equivalent"
    assert priced_rest_phrase(one, "+90") == "the 1 that did: +90"
    assert priced_rest_phrase(table3([10.0, 50.0, None, None, None]), "+30") == (
        "the 2 that did: median +30")


def test_table3_is_read_in_one_order():
    """Every page reads Table 3 through ``table3_reading``: learned nothing before anything,
    then no equivalent at all, then most points without one (even where the rest's median is
    at or below 0), then a median at or below 0."""
    from littlehuman.curves import TABLE3_READINGS, table3, table3_reading

    assert table3_reading(table3([90.0]), "the runs learned nothing") == "learned_nothing"
    assert table3_reading(table3([None, None])) == "none"
    assert table3_reading(table3([])) == "none"
    assert table3_reading(table3([-5.0, None, None])) == "unpriced"  # not "at_or_below_0"
    assert table3_reading(table3([-5.0, 0.0, None])) == "at_or_below_0"
    assert table3_reading(table3([0.0])) == "at_or_below_0"
    assert table3_reading(table3([0.5, 90.0, None])) == "priced"
    assert set(TABLE3_READINGS) == {"learned_nothing", "none", "unpriced", "at_or_below_0",
                                    "priced"}


def test_messages_say_what_a_flat_curve_and_an_extrapolation_mean():
    """FEVER's cpu profile: "does not rise, so no amount of synthetic data matches 0.5158" was
    false of a falling curve (it crosses 0.5158), and the human points had not beaten the
    base either; ROPES's "1556 additional synthetic points match" came from a fit with R²
    0.015 at 5x the largest size (a reader of the reports, 2026-12-05)."""
    from littlehuman.curves import LogFit, equivalent_points

    falling = LogFit(0.62, -0.018, 0.4, 3, 250, 350)
    eq = equivalent_points(falling, 0.5158, 250)
    assert eq.status == "no_gain" and "no amount" not in eq.message
    assert "cannot be priced in synthetic points; nor did the human points beat the curve" in eq.message
    flat = LogFit(0.109 - 0.004 * math.log(1806), 0.004, 0.015, 3, 250, 350)
    far = equivalent_points(flat, 0.1090, 250)
    assert far.status == "ok"
    assert "(an extrapolation: 5.2x the largest size fitted, 350, from a fit with R² 0.01)" in far.message
    near = equivalent_points(LogFit(0.0, 0.1, 0.9, 3, 250, 350), 0.1 * math.log(300), 250)
    assert near.status == "ok" and "extrapolation" not in near.message


def test_zero_and_rounded_zero_are_written_unsigned():
    """An interval's end at the metric's bound is '0', not '+0'; -0.4 points are '0'."""
    from littlehuman import curves
    from littlehuman.findings import fmt_points

    assert (curves.digits(0.0, sign=True), curves.digits(-0.0), curves.digits(0.25, sign=True),
            curves.digits(-0.0833)) == ("0", "0", "+0.25", "-0.0833")
    assert (fmt_points(-0.4), fmt_points(-0.6), fmt_points(1234.5)) == ("0", "-1", "1,234")


def test_an_ok_match_past_the_fitted_sizes_carries_its_caveat_as_data():
    """The headline's lone-point caveat is read from ``extrapolation``, not parsed back out of
    the message (which says the same in its parentheses)."""
    from littlehuman.curves import equivalent_points, fit_log

    fit = fit_log([250.0, 300.0, 350.0], [0.50, 0.51, 0.52])
    far = equivalent_points(fit, 0.55, 250.0)
    assert far.status == "ok" and far.extrapolation.startswith("an extrapolation: ")
    assert f"({far.extrapolation})" in far.message
    near = equivalent_points(fit, 0.515, 250.0)
    assert near.status == "ok" and near.extrapolation == ""
