"""The curve families (log, power law, exponential saturation): fits that recover known
parameters, statuses instead of crashes on flat, saturated and degenerate data, equivalents,
the leave-largest-size-out choice, the disagreement sentence and the bootstrap."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from littlehuman import curves
from littlehuman import families as F
from littlehuman.curves import LogFit, equivalent_points
from littlehuman.errors import LittleHumanError
from littlehuman.stats import bootstrap_run_means

X = np.arange(1000.0, 3001.0, 250.0)  # 9 sizes


def power(x, c=0.85, a=0.3, b=0.8, s=1000.0):
    return c - a * (np.asarray(x, float) / s) ** -b


def expo(x, c=0.8, a=0.6, b=1.5, s=3000.0):
    return c - a * np.exp(-b * np.asarray(x, float) / s)


def logc(x, a0=0.1, a1=0.05):
    return a0 + a1 * np.log(x)


# ---- fits recover known parameters -----------------------------------------------------------
def test_power_law_recovers_its_parameters():
    fit = F.fit_family("power", X, power(X), ceiling=1.0)
    assert fit.status == "ok" and fit.rmse < 1e-8
    c, a, b = fit.params
    assert c == pytest.approx(0.85, abs=1e-6) and b == pytest.approx(0.8, rel=1e-5)
    # a is in units of the fit's own scale (the largest size): a (x/s)^-b is the same curve
    assert fit.predict(1234.0) == pytest.approx(float(power(1234.0)), abs=1e-9)
    assert fit.asymptote == pytest.approx(0.85, abs=1e-6)


def test_exponential_saturation_recovers_its_parameters():
    fit = F.fit_family("exp", X, expo(X), ceiling=1.0)
    assert fit.status == "ok" and fit.rmse < 1e-8
    c, a, b = fit.params
    assert (c, a, b) == pytest.approx((0.8, 0.6, 1.5), rel=1e-5)  # scale 3000 = largest size
    assert fit.inverse(float(expo(2222.0))) == pytest.approx(2222.0, rel=1e-6)


def test_log_family_is_the_papers_fit():
    fit = F.fit_family("log", X, logc(X))
    assert fit.params == pytest.approx((0.1, 0.05))
    assert fit.asymptote == math.inf and fit.status == "ok"
    # a falling log levels off nowhere (a helper read '1 (the bound)' for one)
    assert F.fit_family("log", X, 1 - logc(X)).asymptote == -math.inf
    lf = curves.fit_log(X, logc(X))
    for y_star, base in ((float(logc(1800.0)), 1000.0), (float(logc(900.0)), 1000.0), (5.0, 1000.0)):
        mine, theirs = F.equivalent(fit, y_star, base), equivalent_points(lf, y_star, base)
        assert (mine.status, mine.value) == (theirs.status, theirs.value)


def test_ceiling_bounds_the_asymptote():
    # log data rise without end: a power law may only approach them from under the ceiling
    fit = F.fit_family("power", X, logc(X, 0.55, 0.05), ceiling=1.0)
    assert fit.usable and fit.asymptote <= 1.0 + 1e-12
    free = F.fit_family("power", X, logc(X, 0.55, 0.05))
    assert free.rmse <= fit.rmse + 1e-12


# ---- flat, saturated, degenerate: statuses, not crashes --------------------------------------
@pytest.mark.parametrize("family", F.FAMILY_NAMES)
def test_flat_and_falling_curves_are_flat(family):
    for y in (np.full(X.size, 0.5), 0.7 - 1e-5 * X):
        fit = F.fit_family(family, X, y, ceiling=1.0)
        assert fit.status == "flat", (family, fit)
        eq = F.equivalent(fit, 0.9, 1000.0)
        assert (eq.status, eq.value) == ("no_gain", None)


def test_formulas_say_a_constant_a_rate_at_its_bound_and_a_falling_log():
    x = [250, 300, 350]
    falling = [0.53, 0.52, 0.51]
    assert F.fit_family("log", x, falling).describe() == "y = 0.8577 - 0.0593 ln(x)"
    for family in ("power", "exp"):  # a >= 0 binds: a constant, not "- 0 (x/350)^-0.01"
        fit = F.fit_family(family, x, falling)
        assert fit.describe().startswith("y = 0.52 (a constant") and fit.rate_at_bound is None
    kink = 0.1 + 0.004 * np.log(x) + np.array([0, 5e-4, 0])  # three sizes, a bend up
    steep = F.fit_family("power", x, kink)
    assert steep.rate_at_bound == F._B_GRID["power"][-1]
    assert "b at the edge of its search range, 5:" in steep.describe()
    clean = F.fit_family("power", X, 0.8 - 0.3 * (X / X.max()) ** -0.5)
    assert clean.rate_at_bound is None and "edge" not in clean.describe()


@pytest.mark.parametrize("family", ["power", "exp"])
def test_a_curve_that_levelled_off_inside_the_sizes_is_saturated(family):
    y = np.where(X > 1000, 0.6, 0.5)  # jumps once, then flat
    fit = F.fit_family(family, X, y, ceiling=1.0)
    assert fit.status == "saturated"
    assert fit.asymptote == pytest.approx(0.6, abs=0.02)
    above = F.equivalent(fit, 0.65, 2000.0)  # the human points beat what synthetic can reach
    assert (above.status, above.value) == ("unreachable", None)
    below = F.equivalent(fit, 0.55, 2000.0)
    assert below.status == "saturated" and below.value < 0


def test_too_few_sizes_and_bad_values_are_reported():
    two = F.fit_family("power", [1000, 1000, 2000], [0.5, 0.52, 0.6])
    assert two.status == "too_few_sizes" and not two.usable and "3 distinct sizes" in two.message
    assert math.isnan(float(two.predict(1500.0)))
    assert F.equivalent(two, 0.7, 1000).status == "too_few_sizes"
    one = F.fit_family("log", [500, 500], [0.5, 0.6])
    assert one.status == "too_few_sizes"
    # NaN scores and non-positive sizes are left out, not fatal
    fit = F.fit_family("exp", [0, 1000, 1500, 2000, 2500, 3000],
                       [0.1, *expo([1000, 1500, 2000]), np.nan, float(expo(3000))], ceiling=1.0)
    assert fit.status == "ok" and fit.n_points == 4
    with pytest.raises(Exception, match="unknown curve family"):
        F.fit_family("cubic", X, logc(X))


def test_noisy_data_still_fit():
    rng = np.random.default_rng(3)
    for seed in range(20):
        y = power(X) + rng.normal(0, 0.02, X.size)
        for family in F.FAMILY_NAMES:
            fit = F.fit_family(family, X, y, ceiling=1.0)
            assert fit.usable and np.isfinite(fit.predict(X)).all()


# ---- many fits at once (the bootstrap's) ------------------------------------------------------
def _noisy_rows(n_rows: int, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = power(X)[None, :] + rng.normal(0, 0.03, (n_rows, X.size))
    rows[0] = 0.6  # exactly flat
    rows[1] = expo(X)  # exact, saturating
    return rows


def test_many_log_fits_are_fit_log_row_by_row():
    rows = _noisy_rows(40)
    for ys, fit in zip(rows, F.fit_family_many("log", X, rows)):
        ref = curves.fit_log(X, ys)
        assert fit.params == pytest.approx((ref.a0, ref.a1), rel=1e-9, abs=1e-12)
        assert fit.status == F.fit_family("log", X, ys).status
    assert F.fit_family_many("log", X, rows)[0].params[1] == 0.0  # flat: slope exactly 0


@pytest.mark.parametrize("family", ["power", "exp"])
@pytest.mark.parametrize("ceiling", [1.0, None])
def test_many_fits_find_the_least_squares_optimum_over_b(family, ceiling):
    """Every row's residual is no worse than the best of a dense grid over b (each b's (c, a)
    solved exactly), which the 60-point grid plus the golden-section search must reach."""
    rows = _noisy_rows(30)
    fits = F.fit_family_many(family, X, rows, ceiling)
    u = X / X.max()
    dense = np.geomspace(F._B_GRID[family][0], F._B_GRID[family][-1], 20001)
    g = F._g(family, dense[:, None], u[None, :])
    for ys, fit in zip(rows, fits):
        assert fit.usable
        _, _, rss = F._solve_c_a(g, ys[None, :], ceiling)
        got = float(((fit.predict(X) - ys) ** 2).sum())
        assert got <= float(rss.min()) + 1e-12
        if ceiling is not None:
            assert fit.params[0] <= ceiling


def test_many_fits_do_not_depend_on_the_batch(monkeypatch):
    """Chunked, in one batch or one row at a time, a row gets the same fit; a row with a
    missing score is fitted on its other sizes, as fit_family fits it."""
    rows = _noisy_rows(12)
    rows[3, 4] = np.nan
    whole = F.fit_family_many("power", X, rows, 1.0)
    monkeypatch.setattr(F, "_FIT_CHUNK", 5)
    chunked = F.fit_family_many("power", X, rows, 1.0)
    for i, ys in enumerate(rows):
        alone = F.fit_family("power", X, ys, 1.0, refine=False)
        for fit in (whole[i], chunked[i]):
            assert fit.status == alone.status and fit.n_points == alone.n_points
            # the residual is flat in b near its minimum: rounding moves b, not the fit
            assert fit.rmse == pytest.approx(alone.rmse, rel=1e-9)
            assert fit.params == pytest.approx(alone.params, rel=1e-6)
    assert whole[3].n_points == X.size - 1
    assert F.fit_family_many("exp", X[:2], rows[:, :2])[0].status == "too_few_sizes"
    with pytest.raises(Exception, match="as many scores as sizes"):
        F.fit_family_many("log", X, rows[:, :3])


def test_refine_never_loses_to_the_profile_search():
    rows = _noisy_rows(20, seed=9)
    for family in ("power", "exp"):
        for ys in rows:
            plain = F.fit_family(family, X, ys, 1.0, refine=False)
            polished = F.fit_family(family, X, ys, 1.0)
            assert polished.rmse <= plain.rmse + 1e-15


# ---- equivalents -----------------------------------------------------------------------------
def test_power_equivalent_recovers_the_known_number_of_points():
    fit = F.fit_family("power", X, power(X), ceiling=1.0)
    eq = F.equivalent(fit, float(power(1000 + 1500)), 1000.0)
    assert eq.status == "ok" and eq.value == pytest.approx(1500.0, rel=1e-6)
    far = F.equivalent(fit, float(power(1000 + 1e6)), 1000.0)
    assert far.status == "extrapolated" and far.value == pytest.approx(1e6, rel=1e-4)
    assert F.equivalent(fit, 0.9, 1000.0).status == "unreachable"  # above c = 0.85


def test_power_equivalent_beyond_a_float_is_said_not_raised():
    # b = 0.01 (the grid's smallest): y = 0.9 - 0.3 (x/3000)^-0.01 reaches 0.9 - 1e-6 only at
    # x = 3000 (1e-6 / 0.3)^-100 = 3000 x 10^547, beyond a float
    fit = F.FamilyFit("power", (0.9, 0.3, 0.01), "ok", "fitted", 0.0, 9, 9, 1000.0, 3000.0,
                      3000.0)
    assert fit.inverse(0.9 - 1e-6) == math.inf
    eq = F.equivalent(fit, 0.9 - 1e-6, 1000.0)
    assert (eq.status, eq.value) == ("extrapolated", None)
    assert "more than a float can hold" in eq.message
    # just inside a float: 3000 (1e-3 / 0.3)^-100 = 3000 x 10^(100 log10 300)
    near = F.equivalent(fit, 0.9 - 1e-3, 1000.0)
    assert near.status == "extrapolated"
    assert near.synthetic_size == pytest.approx(3000.0 * 300.0 ** 100, rel=1e-9)


# ---- the choice by leave-largest-size-out ----------------------------------------------------
def test_holdout_prefers_a_saturating_family_over_the_log_fit_on_power_law_data():
    x = np.repeat(X, 3)
    y = power(x, c=0.75, a=0.4, b=1.5) + np.tile([-0.002, 0.0, 0.002], X.size)
    errors = F.holdout_errors(x, y, ceiling=1.0)
    err = errors.set_index("family")["error"].abs()
    assert err["log"] > 5 * max(err["power"], err["exp"])
    assert errors["held_out"].eq(3000.0).all() and errors["sem"].iloc[0] > 0
    choice = F.choose(errors, noise=1e-4)
    assert choice["best"] in ("power", "exp") and choice["decisive"]
    assert "comes closest" in choice["sentence"]


def test_choice_says_when_it_cannot_tell_or_test():
    errors = pd.DataFrame({"family": ["log", "power", "exp"], "error": [0.010, 0.009, np.nan],
                           "sem": [0.02] * 3})
    choice = F.choose(errors)
    assert choice["best"] == "power" and not choice["decisive"]
    assert "cannot tell them apart" in choice["sentence"]
    assert choice["untestable"] == ["exp"] and "not testable" in choice["sentence"]
    # three sizes: holding one out leaves two, too few for a 3-parameter family
    three = F.holdout_errors([250, 300, 350], [0.5, 0.55, 0.58], ceiling=1.0)
    assert three.set_index("family").loc["power", "status"] == "too_few_sizes"
    only = F.choose(three)
    assert only["best"] == "log"
    # one candidate does not "come closest" (the cpu profile's pages said it did, 2026-12-05)
    assert "only the log (paper) could be tested" in only["sentence"]
    assert "comes closest" not in only["sentence"]
    # one size held out: its error, not "a mean" of one (a reviewer, FEVER's cpu page 06)
    assert "(absolute error at the one size held out: log (paper) " in only["sentence"]
    two = pd.DataFrame({"family": ["log", "log", "power", "power"],
                        "error": [0.010, 0.012, 0.009, 0.008], "sem": [0.02] * 4})
    assert "(mean absolute error: " in F.choose(two)["sentence"]
    none = F.choose(F.holdout_errors([300, 350], [0.5, 0.55], families=["power"]))
    assert none["best"] is None and "No family could be tested" in none["sentence"]
    # and the sentence names the curve the advice then uses
    assert F.chosen_family({"choice": none}) == "log" and "log fit is used" in none["sentence"]


def test_choice_says_a_tie_and_an_unknown_noise():
    # a flat curve (a learner predicting one class): every family predicts the held-out size
    # exactly as well, so none comes closest, whatever the noise
    x = [250, 300, 350, 400, 450]
    flat = F.holdout_errors(x, [0.479] * 5, ceiling=1.0)
    assert flat["error"].eq(0.0).all() and flat["sem"].isna().all()  # one run per size
    for noise in (None, 0.0, 0.01):
        tie = F.choose(flat, noise=noise)
        assert not tie["decisive"] and "comes closest" not in tie["sentence"]
        assert "equally well" in tie["sentence"] and "cannot tell them apart" in tie["sentence"]
        assert tie["best"] == "log"  # the paper's curve on a tie (the first in the order shown)
    # one seed: no standard error, so a margin cannot be called decisive, and that is said
    one = pd.DataFrame({"family": ["log", "power", "exp"], "error": [0.010, 0.0099, 0.02],
                        "sem": [np.nan] * 3})
    choice = F.choose(one)
    assert choice["best"] == "power" and not choice["decisive"]
    assert "no standard error" in choice["sentence"]
    clear = F.choose(one.assign(sem=0.00005))  # a margin of 0.0001 over it
    assert clear["decisive"] and "no standard error" not in clear["sentence"]


def test_disagreement_is_said_in_a_sentence():
    apart = F.disagreement({"log": {"value": 5000, "low": 4000, "high": 6000, "status": "ok"},
                            "power": {"value": 900, "low": 700, "high": 1200, "status": "ok"}})
    assert apart and "disagree" in apart and "log (paper) 5,000 [4,000, 6,000]" in apart
    assert "do not overlap" in apart
    assert F.disagreement({"log": {"value": 1000, "low": 800, "high": 1300, "status": "ok"},
                           "power": {"value": 900, "low": 700, "high": 1200,
                                     "status": "ok"}}) is None
    kinds = F.disagreement({"log": {"value": 1000, "low": 800, "high": 1300, "status": "ok"},
                            "exp": {"value": None, "status": "unreachable"}})
    assert kinds and "gives no number (unreachable)" in kinds
    # a curve that does not rise prices nothing, as numbers of at most 0 do: one answer
    # (FairyTaleQA's cpu profile: power -98, exp -10 beside the log's no_gain, "disagree")
    inf = math.inf
    assert F.disagreement({"power": {"value": -98, "low": -250, "high": inf, "status": "saturated"},
                           "exp": {"value": -10, "low": -250, "high": inf, "status": "saturated"},
                           "log": {"value": None, "status": "no_gain"}}) is None
    priced = F.disagreement({"power": {"value": 400, "low": 100, "high": 900, "status": "ok"},
                             "log": {"value": None, "status": "no_gain"}})
    assert priced and "gives no number (no_gain)" in priced
    # an end at minus the base reads '≤ 0' there too, as the tables (a reviewer)
    apart = F.disagreement({"power": {"value": 20, "low": -250, "high": 60, "status": "ok"},
                            "log": {"value": 900, "low": 700, "high": 1200, "status": "ok"}},
                           floor=-250.0)
    assert "power law 20 [≤ 0, 60]" in apart, apart


# ---- the bootstrap and the analysis ----------------------------------------------------------
def test_resampling_seeds_and_rows():
    per = {0: np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]),
           1: np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])}
    means = bootstrap_run_means(per, 50, seed=1)
    assert means.shape == (50, 2) and (means[:, 0] == 1.0).all() and (means[:, 1] == 0).all()
    spread = {0: np.array([[0.0, 1.0] * 50]), 1: np.array([[0.0, 1.0] * 50])}
    rows = bootstrap_run_means(spread, 400, seed=2)
    seeds_only = bootstrap_run_means(spread, 400, seed=2, rows=False)
    assert rows.std() > 0.02 and seeds_only.std() == 0.0  # row resampling moves the mean
    assert rows.mean() == pytest.approx(0.5, abs=0.01)
    # two seeds, one score each: half the resamples draw both (the mean, 0.5); the rest
    # spread as Student's t with 1 degree of freedom, whose 95% interval is 0.5 +- 6.35
    # (12.7 x 0.707 / sqrt(2)); the seed draws' three values make it about 0.89 of that
    two = bootstrap_run_means({0: np.array([[0.0]]), 1: np.array([[1.0]])}, 20_000, seed=0)[:, 0]
    assert np.median(two) == 0.5 and 0.48 < (two == 0.5).mean() < 0.52
    assert np.percentile(two, 97.5) - 0.5 == pytest.approx(0.89 * 6.35, rel=0.06)
    assert 0.5 - np.percentile(two, 2.5) == pytest.approx(0.89 * 6.35, rel=0.06)
    bounded = bootstrap_run_means({0: np.array([[0.0]]), 1: np.array([[1.0]])}, 2000, seed=0,
                                  bounds=(0.0, 1.0))
    assert bounded.min() == 0.0 and bounded.max() == 1.0  # a mean score stays a score


def known_data(curve, gains, bases=(1000, 2000), seeds=(0, 1, 2), rows=4, noise=0.0,
               human=200):
    """CurveData from ``curve``: synthetic runs base + 250 i (i = 0..4) and base + human
    points scoring the curve at base + gains[base]; ``noise``: a per-seed shift."""
    keys = [(b, "synthetic", 250 * i) for b in bases for i in range(5)] + \
        [(b, "human", human) for b in bases]
    runs = pd.DataFrame(keys, columns=["base", "kind", "added"])
    score = [float(curve(b + a)) if k == "synthetic" else float(curve(b + gains[b]))
             for b, k, a in keys]
    per = {s: np.tile(np.array(score)[:, None] + noise * (s - 1), (1, rows)) for s in seeds}
    return F.CurveData(runs, per, human)


def test_analysis_on_a_known_power_law():
    data = known_data(lambda x: power(x, 0.75, 0.4, 1.5), {1000: 600.0, 2000: 300.0})
    res = F.analyse(data, n_boot=40, ceiling=1.0)
    fits = res["fits"].set_index(["base", "family"])
    assert fits.loc[(1000, "power"), "equivalent"] == pytest.approx(600.0, rel=1e-4)
    assert fits.loc[(2000, "power"), "equivalent"] == pytest.approx(300.0, rel=1e-4)
    # no noise: every resample is the same curve, the interval has no width
    assert fits.loc[(1000, "power"), "low"] == pytest.approx(fits.loc[(1000, "power"), "high"])
    assert res["choice"]["best"] in ("power", "exp")
    assert abs(fits.loc[(1000, "log"), "holdout_error"]) > \
        abs(fits.loc[(1000, "power"), "holdout_error"])
    assert set(res["table3"]) == set(F.FAMILY_NAMES)
    t3 = res["table3"]["power"]
    assert t3["n"] == 6 and t3["median"] == pytest.approx(450.0, rel=1e-3)
    assert (F.POOLED, "power") in res["fit"] and res["y_star"][1000] == pytest.approx(
        float(power(1600, 0.75, 0.4, 1.5)))


def test_a_seed_shift_shared_by_every_size_does_not_blur_the_choice():
    """A seed effect moves every size of that seed alike and cancels in a hold-out error; the
    standard error of the measured mean (0.029 here) counted it, so the hold-out could not
    tell the exact family from the others (seen at the paper's scale, bench/report_scale.py).
    The noise is now the bootstrap's spread of the margin itself."""
    data = known_data(lambda x: power(x, 0.75, 0.4, 1.5), {1000: 600.0, 2000: 300.0},
                      noise=0.05)
    res = F.analyse(data, n_boot=200, ceiling=1.0)
    assert res["choice"]["best"] == "power" and res["choice"]["decisive"]
    assert "cannot tell" not in res["choice"]["sentence"]
    old = F.choose(res["holdout"][res["holdout"]["base"] != F.POOLED])  # the sem rule
    assert not old["decisive"] and "standard error (0.0289)" in old["sentence"]


def test_analysis_says_when_families_disagree():
    # log data far beyond the sizes: the log fit matches them, the capped families cannot
    data = known_data(lambda x: logc(x, 0.2, 0.06), {1000: 40_000.0, 2000: 40_000.0})
    res = F.analyse(data, n_boot=30, ceiling=1.0)
    fits = res["fits"].set_index(["base", "family"])
    assert fits.loc[(1000, "log"), "equivalent"] == pytest.approx(40_000.0, rel=1e-6)
    sentence = res["disagreements"][1000]
    assert sentence is not None and "disagree" in sentence


def test_flat_data_through_the_analysis_does_not_crash():
    data = known_data(lambda x: 0.5 + 0 * x, {1000: 0.0, 2000: 0.0})
    res = F.analyse(data, n_boot=20, ceiling=1.0)
    assert set(res["fits"].query("base != 'all'")["eq_status"]) == {"no_gain"}
    # the +human score on the flat curve: no synthetic amount needed, every resample ranked
    # at size 0 (-base), none dropped
    fits = res["fits"].set_index(["base", "family"])
    assert (fits.loc[(1000, "log"), "low"], fits.loc[(1000, "log"), "high"]) == (-1000, -1000)
    assert fits.loc[(1000, "log"), "undefined"] == 20
    assert all(t["median"] is None for t in res["table3"].values())


def test_curve_data_from_run_records():
    rows = []
    for seed in (0, 1):
        for a in (0, 250, 500):
            rows.append({"base": 1000, "kind": "synthetic", "added": a, "seed": seed,
                         "accuracy": float(logc(1000 + a))})
        rows.append({"base": 1000, "kind": "human", "added": 200, "seed": seed,
                     "accuracy": float(logc(1700))})  # 700 more points
    data = F.CurveData.from_records(pd.DataFrame(rows), "accuracy")
    assert not data.rows_resampled and data.human == 200 and len(data.per_seed) == 2
    res = F.analyse(data, n_boot=20)
    log = res["fits"].set_index(["base", "family"]).loc[(1000, "log")]
    assert log["equivalent"] == pytest.approx(700.0, rel=1e-6)
    ops = curves.operating_points(pd.DataFrame(rows), "accuracy")
    assert res["table3"]["log"]["median"] == pytest.approx(
        curves.table3(ops[ops["level"] == "seed"]["equivalent"])["median"])


def test_one_seed_of_run_level_scores_gives_no_interval_rather_than_a_zero_width_one():
    # one seed and no per-row scores: nothing to resample; a zero-width interval, a
    # "confident" split and "100% of resamples" would claim a certainty one seed cannot give
    rows = []
    for base in (1000, 2000):
        for a in (0, 200, 400, 600, 800):
            rows.append({"base": base, "kind": "synthetic", "added": a, "seed": 0,
                         "accuracy": float(logc(base + a))})
        rows.append({"base": base, "kind": "human", "added": 200, "seed": 0,
                     "accuracy": float(logc(base + 1700))})
    res = F.analyse(F.CurveData.from_records(pd.DataFrame(rows), "accuracy"), n_boot=20)
    assert res["n_boot"] == 0 and res["n_seeds"] == 1
    log = res["fits"].set_index(["base", "family"]).loc[(1000, "log")]
    assert log["equivalent"] == pytest.approx(1700.0, rel=1e-6)
    assert pd.isna(log["low"]) and pd.isna(log["high"])
    ans = F.budget_answer(res, 10.0, 1.0, 5000.0, family="log")
    assert ans["status"] == "ok" and not ans["confident"]
    assert ans["best"]["score_low"] is None and ans["worth"]["low"] is None
    assert ans["gain_over_all_synthetic"]["low"] is None
    assert "nothing to resample" in ans["sentence"] and "nan" not in ans["sentence"]
    from littlehuman.plots.advice import equivalents_caption_table
    assert "0 resamples" not in equivalents_caption_table(res)
    assert "nothing to resample" in equivalents_caption_table(res)


def test_log_fit_behaves_as_before():
    fit = F.fit_family("log", X, logc(X))
    lf = fit.as_logfit()
    assert isinstance(lf, LogFit) and (lf.a0, lf.a1) == pytest.approx((0.1, 0.05))
    with pytest.raises(LittleHumanError, match="as_logfit"):
        F.fit_family("power", X, power(X)).as_logfit()


def _report(equivalents: dict[tuple[float, str], float | None], pilot=(), budget=None,
            disagreements=None, best="log"):
    """A families report as notebook 06 reads it: fits per (base, family), no disagreement."""
    import pandas as pd

    fits = pd.DataFrame([{"base": b, "family": f, "equivalent": v}
                         for (b, f), v in equivalents.items()])
    return {"fits": fits, "disagreements": disagreements or {}, "pilot": list(pilot),
            "budget": budget, "choice": {"best": best}}


def test_notebook_06_says_agreement_only_when_there_was_something_to_compare():
    from littlehuman.experiments.advisor import agreement_sentence

    both = _report({(250, "log"): 60.0, (250, "power"): 70.0, (300, "log"): 40.0})
    assert agreement_sentence(both).startswith("**The families' intervals overlap**")
    alone = _report({(250, "log"): 60.0, (250, "power"): None, (250, "exp"): None})
    text = agreement_sentence(alone)
    assert text.startswith("**Nothing to compare:**") and "(log (paper))" in text
    none = _report({(250, "log"): None, (250, "power"): None})
    assert "no curve family gives a finite equivalent" in agreement_sentence(none)
    said = _report({(250, "log"): 1.0}, disagreements={250: "The curve families disagree ..."})
    assert agreement_sentence(said) == "**Disagreement:** The curve families disagree ..."


def test_notebook_06_says_no_more_seeds_only_when_there_is_a_settled_number():
    from littlehuman.experiments.advisor import pilot_sentence

    settled = _report({(250, "log"): 60.0})
    assert "no more seeds needed" in pilot_sentence(settled)
    nothing = _report({(250, "log"): None, (250, "power"): 80.0})  # the chosen log gives none
    text = pilot_sentence(nothing)
    assert "no more seeds needed" not in text and "gives no finite equivalent" in text
    from littlehuman.experiments.advisor import UNSETTLED_ADVICE
    assert text.endswith(UNSETTLED_ADVICE)  # one rule where no interval gives a width
    with_budget = _report({(250, "log"): None}, budget={"status": "ok"})
    assert "no more seeds needed" in pilot_sentence(with_budget)
    assert pilot_sentence(_report({(250, "log"): 60.0}, pilot=[{"what": "x"}])) == ""
    two = {**_report({(250, "power"): None, (250, "exp"): None}, best="power"),
           "choice": {"best": "power", "plausible": ["power", "exp"]}}
    assert pilot_sentence(two).startswith(
        "No pilot plan: neither the power law nor the exponential saturation (the hold-outs "
        "cannot tell them apart) gives a finite equivalent")
    # one seed: nothing is settled, whatever its intervals (they resample test rows alone)
    one = pilot_sentence({**settled, "n_seeds": 1})
    assert "no more seeds needed" not in one and one.startswith("No pilot plan from one seed")
    assert "Run 3 seeds or more (`--seeds 0,1,2`)" in one


def test_resamples_without_an_equivalent_are_ranked_not_dropped():
    # bootstrap resamples with no finite equivalent rank where they belong, as the trade-off's
    # bootstrap_equivalent does (dropping them undercovered: bench/interval_coverage.py)
    rising = F.fit_family("log", X, logc(X))
    value, has_one = F.ranked_equivalent(rising, float(logc(1700)), 1000)
    assert value == pytest.approx(700.0) and has_one
    flat = F.fit_family("log", X, 0.5 + 0 * X)
    # above a flat curve no amount reaches it; on it none is needed: size 0, -base
    assert F.ranked_equivalent(flat, 0.6, 1000) == (math.inf, False)
    assert F.ranked_equivalent(flat, 0.5, 1000) == (-1000.0, False)
    capped = F.fit_family("power", X, power(X))
    assert F.ranked_equivalent(capped, capped.asymptote + 0.01, 1000) == (math.inf, False)
    assert F.ranked_equivalent(rising, math.nan, 1000) == (None, False)  # nowhere to rank
    # in the analysis: an end past which more than 2.5% of resamples lie reads +-inf
    e = {"value": 700.0, "low": 300.0, "high": math.inf}
    assert F._fmt(e) == "700 [300, ∞)" and (F._lo(e), F._hi(e)) == (300.0, math.inf)
    assert F._fmt({"value": 700.0, "low": None, "high": None}) == "700"


def test_beyond_every_number_agrees_with_an_interval_that_reaches_infinity():
    at_least = {"value": 700.0, "low": 300.0, "high": math.inf, "status": "ok"}
    beyond = {"value": None, "low": None, "high": None, "status": "unreachable"}
    assert F.disagreement({"log": at_least, "power": beyond}) is None
    closed = {**at_least, "high": 900.0}
    sentence = F.disagreement({"log": closed, "power": beyond})
    assert sentence is not None and "gives no number (unreachable)" in sentence
    flat = {**beyond, "status": "no_gain"}  # not beyond every number: still a disagreement
    assert F.disagreement({"log": at_least, "power": flat}) is not None


def test_choice_lists_the_families_the_holdout_cannot_tell_from_the_best():
    errors = pd.DataFrame({"family": ["log", "power", "exp"], "error": [0.010, 0.002, 0.003],
                           "sem": [0.0005] * 3})
    clear = F.choose(errors)  # margins 0.001 and 0.008 over the power law, noise 0.0005
    assert clear["decisive"] and clear["plausible"] == ["power"]
    close = F.choose(errors.assign(sem=0.002))
    assert not close["decisive"] and close["plausible"] == ["power", "exp"]
    # the runner-up's margin is clear of its noise, a further family's is not (its own
    # bootstrap spread is wider): not decisive, and the sentence names that family
    n = 400
    rng = np.random.default_rng(0)
    resampled = {"power": 0.002 + rng.normal(0, 1e-4, n), "exp": 0.003 + rng.normal(0, 1e-4, n),
                 "log": 0.010 + rng.normal(0, 0.02, n)}
    mixed = F.choose(errors, resampled=resampled)
    assert mixed["plausible"] == ["power", "log"] and not mixed["decisive"]
    assert "margin over the log (paper)" in mixed["sentence"]
    assert "its own bootstrap standard error" in mixed["sentence"]
    # untestable families cannot be told apart either; none testable: every family
    untested = F.choose(errors.assign(error=[0.010, 0.002, np.nan], sem=0.0001))
    assert untested["plausible"] == ["power", "exp"]
    assert F.choose(errors.assign(error=np.nan))["plausible"] == ["log", "power", "exp"]
    assert F.plausible_families({"choice": untested, "families": ["log", "power"]}) == ["power"]


def test_the_median_over_bases_is_the_median_of_their_equivalents_resample_by_resample():
    # three bases worth 600, 300 and 900 synthetic points, a per-seed shift so resamples vary
    gains = {1000: 600.0, 2000: 300.0, 3000: 900.0}
    data = known_data(lambda x: power(x, 0.75, 0.4, 1.5), gains, bases=tuple(gains), rows=6,
                      noise=0.002)
    res = F.analyse(data, ("power", "log"), n_boot=200, ceiling=1.0)
    fits = res["fits"].set_index(["base", "family"])
    m = F.median_equivalent(res, "power")
    assert m["bases"] == 3 and m["value"] == pytest.approx(
        float(np.median([fits.loc[(b, "power"), "equivalent"] for b in gains])))
    # the interval is the median taken inside each resample, not a median of the bases' ends
    per_resample = np.median(np.stack([res["boot_equivalents"][(b, "power")] for b in gains]),
                             axis=0)
    low, high, _ = F.stats.ranked_interval(per_resample.tolist())
    assert (m["low"], m["high"]) == (pytest.approx(low), pytest.approx(high))
    assert m["low"] < m["value"] < m["high"]
    number, what = F.median_phrase(m)
    assert number == f"{m['value']:+,.0f} [{m['low']:,.0f}, {m['high']:,.0f}]"
    assert what == ("the median over the 3 bases of the fits on the seed means, with its 95% "
                    "interval")


def test_the_median_of_one_base_is_that_bases_equivalent_and_interval():
    data = known_data(lambda x: power(x, 0.75, 0.4, 1.5), {1000: 600.0}, bases=(1000,),
                      rows=6, noise=0.002)
    res = F.analyse(data, ("power",), n_boot=100, ceiling=1.0)
    row = res["fits"].set_index(["base", "family"]).loc[(1000, "power")]
    m = F.median_equivalent(res, "power")
    assert (m["value"], m["low"], m["high"], m["bases"]) == (
        pytest.approx(row["equivalent"]), row["low"], row["high"], 1)
    assert F.median_phrase(m)[1] == "the fit on the seed means, with its 95% interval"


def test_a_median_over_bases_ranks_what_has_no_equivalent():
    ranked = F.ranked_median
    assert ranked(np.array([3.0, math.inf, 1.0])) == 3.0
    assert ranked(np.array([1.0, math.inf])) == math.inf  # half unreachable: no finite median
    assert ranked(np.array([-1000.0, math.inf])) == math.inf  # none needed vs unreachable
    assert math.isnan(ranked(np.array([-math.inf, math.inf])))
    assert ranked(np.array([2.0, math.nan, 4.0])) == 3.0  # a failed fit is left out
    assert math.isnan(ranked(np.array([math.nan])))
    # no finite value: no phrase, so the headline falls back to Table 3's median
    assert F.median_phrase({"value": math.inf, "low": 5.0, "high": math.inf, "bases": 2}) is None
    assert F.median_phrase(None) is None
    # no resamples (one seed of run-level scores): the number, and why it has no interval
    assert F.median_phrase({"value": 17.0, "low": None, "high": None, "bases": 2}) == (
        "+17", "the median over the 2 bases of the fits on the seed means; no interval: "
        "nothing to resample")
    # 'none needed' is ranked at minus the base: said as '≤ 0', not as '-250' synthetic
    # points (a helper read "-250 [-250, ∞)" on FEVER's cpu profile as minus 250 points)
    assert F.median_phrase({"value": -250.0, "low": -250.0, "high": math.inf, "bases": 1,
                            "floor": -250.0})[0] == "≤ 0 [≤ 0, ∞)"
    assert F.median_phrase({"value": -14.0, "low": -1250.0, "high": 7000.0, "bases": 2,
                            "floor": -1000.0})[0] == "-14 [≤ 0, 7,000]"
    # every resample at or below 0: not '≤ 0 [≤ 0, -20]', which a helper read as reversed
    assert F.median_phrase({"value": -24.0, "low": -24.0, "high": -20.0, "bases": 2,
                            "floor": -16.0})[0] == "≤ 0 (every resample ≤ 0)"


# ---- no curve at all: the equivalent read off the measured runs -------------------------------
def test_isotonic_rows_are_scikit_learns_isotonic_regression_row_by_row():
    from sklearn.isotonic import isotonic_regression

    rng = np.random.default_rng(7)
    rows = rng.normal(0, 1, (300, 12)).cumsum(axis=1) * 0.1 + rng.normal(0, 1, (300, 12))
    got = F.isotonic_rows(rows, chunk=64)  # chunks of another size: the same fit
    assert np.allclose(got, [isotonic_regression(r) for r in rows], atol=1e-12)
    assert (np.diff(got, axis=1) >= -1e-12).all()


def test_crossings_interpolate_between_measured_sizes():
    sizes = np.array([1000.0, 1200.0, 1400.0])
    fitted = np.array([[0.5, 0.6, 0.7], [0.5, 0.6, 0.7], [0.5, 0.6, 0.7], [0.5, 0.5, 0.7]])
    got = F.crossings(sizes, fitted, np.array([0.65, 0.8, 0.4, 0.6]))
    middle = math.sqrt(1200.0 * 1400.0)  # halfway between 1,200 and 1,400 on a log axis
    assert got[0] == pytest.approx(middle)
    assert got[1] == math.inf and got[2] == 1000.0  # above every score; at or below the first
    assert got[3] == pytest.approx(middle)  # a flat stretch: from its far end
    assert F.crossings(sizes, fitted[:1], np.array([math.nan]))[0] == math.inf


def test_crossings_read_a_log_shaped_stretch_exactly_and_a_saturating_one_closer():
    """Across a wide stretch (3,800 to 5,000 synthetic points, as the sweep's run lies past
    the trade-off's), a log-shaped curve's crossing is exact; a saturating curve's is closer
    than a straight line in the size (which leans high: +4% of the equivalent here)."""
    sizes = np.array([3800.0, 5000.0])
    log_curve = 0.1 * np.log(sizes)
    assert F.crossings(sizes, log_curve, np.array([0.1 * math.log(4333.0)]))[0] == (
        pytest.approx(4333.0))

    def saturating(s):
        return 1 - np.exp(-np.asarray(s) / 3333.0)

    truth = 4333.0
    read = F.crossings(sizes, saturating(sizes), saturating(np.array([truth])))[0]
    frac = (saturating(truth) - saturating(3800.0)) / (saturating(5000.0) - saturating(3800.0))
    straight = 3800.0 + frac * 1200.0
    assert truth < read < straight and straight - truth > 3 * (read - truth)


def test_measured_equivalents_read_the_nested_runs_without_a_curve():
    # a straight curve (no family's shape), sizes 1,000-3,000 over both bases: base 1,000's
    # +human score sits at 1,600 (inside), base 2,000's at 3,500 (past the last run)
    def line(x):
        return 0.5 + 1e-4 * np.asarray(x, float)

    data = known_data(line, {1000: 600.0, 2000: 1500.0}, rows=6, noise=0.002)
    res = F.analyse(data, ("log",), n_boot=100, ceiling=1.0)
    got = res["measured"].set_index("base")
    # 1,600 lies 0.4 of the way from 1,500 to 1,750, read along the log of the size: a
    # straight line in the size comes out 1% low
    read = 1500 * (1750 / 1500) ** 0.4 - 1000
    assert got.loc[1000, "status"] == "ok" and read == pytest.approx(595.4, abs=0.1)
    assert got.loc[1000, "equivalent"] == pytest.approx(read)
    assert got.loc[1000, "low"] == pytest.approx(read, abs=1) and \
        got.loc[1000, "high"] == pytest.approx(read, abs=1)  # a seed shift moves all alike
    assert got.loc[2000, "status"] == "beyond" and pd.isna(got.loc[2000, "equivalent"])
    assert got.loc[2000, "at_least"] == 1000.0 and got.loc[2000, "largest"] == 3000.0
    assert got.loc[2000, "beyond"] == 100
    # a +human score below the base's own: not above the measured curve
    below = F.analyse(known_data(line, {1000: -100.0, 2000: 300.0}), ("log",), n_boot=20)
    row = below["measured"].set_index("base").loc[1000]
    assert row["status"] == "saturated" and row["equivalent"] == pytest.approx(0.0)
    from littlehuman.experiments import advisor

    said = advisor.measured_sentence({**res, "human": 200})
    assert "base 1,000: +595 [595, 595]; base 2,000: more than 1,000." in said
    assert "the largest measured size is 3,000)" in said  # the trade-off's own runs reach it
    # past the trade-off's own runs, the sweep's run: said (ROPES's cpu page 06 gave "500"
    # where the trade-off stopped at 350, a reviewer)
    flat = pd.DataFrame([{"base": 250.0, "equivalent": None, "status": "flat", "at_least": 250.0,
                          "low": None, "high": None, "beyond": 0, "largest": 500.0,
                          "reach": 350.0, "unbeaten": False}])
    assert ("the largest measured size is 500, the sweep's purely synthetic run, past the "
            "trade-off's own runs (to 350)") in advisor.measured_sentence({"measured": flat,
                                                                         "human": 50})
    # it leads notebook 06's headline: no curve shape to be wrong about
    assert advisor._measured_lead({**res, "human": 200}) == (
        "+200 human points ~ +595 [595, 595] synthetic points on base 1,000, read off the "
        "measured runs with no curve assumed (base 2,000: more than 1,000, past the runs)")
    assert advisor._measured_lead({**below, "human": 200}) == (
        "+200 human points ~ +298 [298, 298] synthetic points on base 2,000 and +0 [0, 0] (not "
        "above the base's own synthetic-only run) on base 1,000, read off the measured runs with "
        "no curve assumed")
    # the break-even ratio with no curve: 595 / 200 = 2.98 synthetic points per human point
    ratios = F.run_ratios(res["measured"], 200)
    assert len(ratios) == 1 and ratios[0][0] == 1000.0
    assert ratios[0][1:] == pytest.approx((read / 200,) * 3, abs=0.01)
    assert (F.ratio_side(ratios, 10.0), F.ratio_side(ratios, 1.0)) == ("above", "below")
    assert F.ratio_side([(1000.0, 3.0, 2.0, math.inf)], 10.0) == "inside"
    # a ratio between two bases' intervals lies inside neither (a reviewer: it read "inside at
    # least one")
    apart = [(1000.0, 1.5, 1.0, 2.0), (2000.0, 5.5, 5.0, 6.0)]
    assert (F.ratio_side(apart, 3.0), F.ratio_side(apart, 5.5)) == ("between", "inside")
    from littlehuman.plots import advice as advice_plots

    said = advice_plots._runs_clause({**res, "human": 200}, 10.0)
    assert said.startswith(" Read off the runs with no curve assumed (above the table): base "
                           "1,000 2.98 [2.98, 2.98]")
    assert said.endswith("; yours lies above every one: synthetic points pay at your prices, "
                         "whatever the curve.")
    assert advice_plots._runs_clause({**res, "human": 200}, None).endswith("[2.98, 2.98].")
    # edges: a score under every measured one on a later base is at most that much; runs
    # that do not rise give no reading; past the runs the resamples that were not are said
    under = F.analyse(known_data(line, {1000: 300.0, 2000: -1500.0}), ("log",), n_boot=20)
    row = under["measured"].set_index("base").loc[2000]
    assert row["status"] == "below" and row["equivalent"] == pytest.approx(-1000.0)
    assert advisor.measured_phrase(row.to_dict()) == (
        "at most -1,000 (none needed: the +human score lies below every measured synthetic-only "
        "score)")  # a helper read "at most -8 (below every measured score)" as a price
    flat = F.analyse(known_data(lambda x: 0.6 + 0 * np.asarray(x, float), {1000: 300.0,
                                                                         2000: 300.0}),
                     ("log",), n_boot=20)
    assert set(flat["measured"]["status"]) == {"flat"}
    assert advisor.measured_phrase(flat["measured"].iloc[0].to_dict()) == \
        "no reading (the synthetic-only runs do not rise)"
    past = {"status": "beyond", "at_least": 100.0, "low": 29.0, "high": math.inf,
            "beyond": 6986, "equivalent": None}
    assert advisor.measured_phrase(past) == ("more than 100 (95%: from 29, past the runs in "
                                             "6,986 resamples)")
    assert advisor.measured_clause({**res, "human": 200}) == (
        "; read off the measured runs without a curve: +595 [595, 595] on base 1,000, more "
        "than 1,000 on base 2,000")


def test_a_reading_off_the_runs_gives_nothing_for_a_gain_the_bases_own_run_does_not_show():
    """The non-decreasing fit pools the base's run with a collapsed one above it (FEVER's cpu
    runs: 350 pulled 300 down), so a +human score below the base's own synthetic-only run
    crossed that pooled curve higher up and read as synthetic points worth buying (a lower
    end of 62 beside a paired gain of +0.008 [-0.020, +0.044], a reviewer, 2026-12-06)."""
    runs = pd.DataFrame([(1000, "synthetic", a) for a in (0, 250, 500, 750, 1000)]
                        + [(1000, "human", 200)], columns=["base", "kind", "added"])
    rng = np.random.default_rng(0)

    def data(human_score, noise):
        scores = np.array([0.60, 0.50, 0.62, 0.64, 0.66, human_score])
        per = {s: np.clip(scores[:, None] + rng.normal(0, noise, (6, 40)) + 0.005 * s, 0, 1)
               for s in (0, 1, 2)}
        return F.CurveData(runs, per, 200)

    below = F.analyse(data(0.59, 0.01), ("log",), n_boot=200)["measured"].iloc[0]
    assert below["status"] == "saturated" and below["equivalent"] <= 0
    assert below["high"] <= 0  # no resample beats the base's own run: none reads a price
    clear = F.analyse(data(0.61, 0.01), ("log",), n_boot=200)["measured"].iloc[0]
    assert clear["status"] == "ok" and 300 < clear["low"] <= clear["high"] < 500
    # a gain over the base's own run the resamples cannot tell from 0: the lower end says so
    noisy = data(0.605, 0.08)
    unclear = F.analyse(noisy, ("log",), n_boot=200)
    boot = F.stats.bootstrap_run_means(noisy.per_seed, 200, 0, noisy.rows_resampled,
                                       bounds=F.metrics.SCORE_RANGE)  # analyse's resamples
    assert np.allclose(boot[:, 5], unclear["boot_y_star"][1000])
    assert 0.05 < (boot[:, 5] <= boot[:, 0]).mean() < 0.5
    row = unclear["measured"].iloc[0]
    assert row["status"] == "ok" and row["low"] <= 0 < row["equivalent"] < row["high"]


def test_a_tie_with_a_measured_run_is_read_at_that_run_not_past_every_run():
    """WANLI's smoke runs scored 0.5, 0.5, 0.3, 0.5, 0.5 at sizes 16-48 and +8 human points
    0.5: the non-decreasing fit's means, differences of running sums, came out
    0.49999999999999989 at 40 and 48, and the pages read "more than 32 ... above every
    measured run" (a reviewer)."""
    fitted = F.isotonic_rows(np.array([[0.5, 0.5, 0.3, 0.5, 0.5]]))
    assert fitted[0, -1] < 0.5  # the rounding itself, which the reading must absorb
    sizes = np.array([16.0, 24, 32, 40, 48])
    assert F.crossings(sizes, fitted, np.array([0.5]))[0] == pytest.approx(40.0)
    runs = pd.DataFrame([(16, "synthetic", a) for a in (0, 8, 16, 24, 32)] + [(16, "human", 8)],
                        columns=["base", "kind", "added"])
    tenths = {0.5: [1] * 5 + [0] * 5, 0.3: [1] * 3 + [0] * 7}  # ten test rows, scored 0/1
    per = {0: np.array([tenths[v] for v in (0.5, 0.5, 0.3, 0.5, 0.5, 0.5)], float)}
    row = F.analyse(F.CurveData(runs, per, 8), ("log",), n_boot=50)["measured"].iloc[0]
    # the +human score ties the base's own run: nothing bought
    assert row["status"] == "saturated" and row["equivalent"] == pytest.approx(0.0)
    per[0][-1] = [1] * 6 + [0] * 4  # 0.6: above every run, past them
    row = F.analyse(F.CurveData(runs, per, 8), ("log",), n_boot=50)["measured"].iloc[0]
    assert row["status"] == "beyond"


def test_a_tie_with_the_bases_own_run_reads_nothing_in_any_seed_order():
    """A mean over seeds depends on their order: scores 0.4, 0.6, 0.8 average 0.6 and 0.4,
    0.8, 0.6 average 0.6000000000000001, which read +451 where the same scores in the
    base's order read 0 (a reviewer). The base's own run is compared within TIE; the page
    says which comparison held the score back."""
    runs = pd.DataFrame([(1000, "synthetic", a) for a in (0, 250, 500, 750, 1000)]
                        + [(1000, "human", 200)], columns=["base", "kind", "added"])
    seeds = {0: [4, 3, 6, 7, 7], 1: [6, 3, 6, 6, 7], 2: [8, 3, 7, 7, 7]}  # 1,250 collapsed

    def measured(human):
        per = {s: np.array([[1] * k + [0] * (10 - k) for k in ks + [human[i]]], float)
               for i, (s, ks) in enumerate(seeds.items())}
        data = F.CurveData(runs, per, 200)
        return data.run_means(), F.analyse(data, ("log",), n_boot=200)["measured"].iloc[0]

    means, same = measured([4, 6, 8])
    assert means[5] == means[0] and same["status"] == "saturated" and same["high"] == 0.0
    means, other = measured([4, 8, 6])
    assert means[5] != means[0]  # one ulp apart
    assert other["status"] == "saturated" and other["equivalent"] == 0.0 and other["unbeaten"]
    from littlehuman.experiments import advisor

    assert advisor.measured_phrase(other.to_dict()).endswith(
        "(not above the base's own synthetic-only run)")
    # the curve, not the base's own run, held it back: a larger run pooled in at the base
    runs2 = pd.DataFrame([(1000, "synthetic", a) for a in (0, 250, 500, 750, 1000)]
                         + [(1000, "human", 200)] + [(2000, "synthetic", a) for a in (0, 250, 500)]
                         + [(2000, "human", 200)], columns=["base", "kind", "added"])
    means2 = np.array([.55, .58, .60, .70, .62, .60, .62, .72, .74, .64])
    row = F.measured_equivalents(runs2, means2, np.empty((0, len(runs2))), [1000, 2000],
                                 {1000: .60, 2000: .64}, {}).set_index("base").loc[2000]
    assert row["status"] == "saturated" and not row["unbeaten"]
    assert advisor.measured_phrase(row.to_dict()).endswith(
        "(not above the measured curve at the base)")


def test_a_batch_of_fits_predicts_inverts_and_carries_gains_as_each_fit_does():
    """FitBatch and curves.gain_at_rows, which budget_answer evaluates 10,000 resamples with
    at once (4x faster on the paper profile), against FamilyFit and curves.gain_at per fit:
    failed fits, falling curves, NaN scores, sizes below and beyond the bases."""
    rng = np.random.default_rng(3)
    xs = np.array([1000.0, 1200, 1400, 1800, 2000, 2400, 3000, 3800])
    for family in F.FAMILY_NAMES:
        fits = []
        for i in range(60):
            y = 0.5 + 0.1 * rng.uniform(0.5, 1.5) * np.log(xs / 1000) + rng.normal(0, 0.01, 8)
            fits.append(F.fit_family(family, xs, 0.7 - 0.05 * np.log(xs / 1000) if i % 7 == 0
                                     else y, ceiling=1.0))
        fits.append(F.FamilyFit(family, (), "did_not_converge", "no", None, 8, 8, 1000.0,
                                3800.0))
        batch = F.FitBatch(fits)
        sizes = np.array([400.0, 1000.0, 2500.0, 6000.0, 50000.0])
        want = np.array([[f.predict(x) for x in sizes] for f in fits])
        assert np.allclose(batch.predict(sizes), want, rtol=1e-12, equal_nan=True)
        ys = rng.uniform(0.3, 1.1, len(fits))
        ys[::11] = np.nan
        want = np.array([f.inverse(y) for f, y in zip(fits, ys)])
        assert np.allclose(batch.inverse(ys), want, rtol=1e-12, equal_nan=True)
        bases = [1000.0, 2000.0, 3000.0]
        gains = rng.normal(0.03, 0.02, (len(fits), 3))
        gains[5, 1] = np.nan
        want = np.array([curves.gain_at(sizes, bases, g, f) if f.usable else
                         curves.gain_at(sizes, bases, g) for f, g in zip(fits, gains)])
        got = curves.gain_at_rows(sizes, bases, gains, batch)
        usable = batch.usable
        assert np.allclose(got[usable], want[usable], rtol=1e-12, atol=1e-15, equal_nan=True)
    from littlehuman.errors import LittleHumanError

    with pytest.raises(LittleHumanError, match="one family"):
        F.FitBatch([fits[0], F.fit_family("log", xs, 0.5 + 0.1 * np.log(xs))])


def test_ranked_many_ranks_every_resample_as_ranked_equivalent_does():
    """families.ranked_many (every bootstrap resample at once, 10,000 a base and family in
    notebook 06) against ranked_equivalent per fit: reached, saturated, none needed under a
    flat or falling curve, above the asymptote, past a float, failed fits, NaN scores."""
    rng = np.random.default_rng(5)
    xs = np.array([1000.0, 1200, 1400, 1800, 2000, 2400, 3000, 3800])
    for family in F.FAMILY_NAMES:
        fits = []
        for i in range(80):
            slope = {0: -0.05, 1: 0.0}.get(i % 9, rng.uniform(0.02, 0.15))
            y = 0.5 + slope * np.log(xs / 1000) + rng.normal(0, 0.004, 8) * (i % 9 > 1)
            fits.append(F.fit_family(family, xs, y, ceiling=1.0))
        fits.append(F.FamilyFit(family, (), "too_few_sizes", "no", None, 2, 2, 1000.0,
                                1200.0))
        ys = rng.uniform(0.35, 1.05, len(fits))
        ys[::13] = np.nan
        ys[3] = 0.999999  # near or past an asymptote
        for base in (1000.0, 3000.0):
            value, has = F.ranked_many(F.FitBatch(fits), ys, base)
            for i, (fit, y) in enumerate(zip(fits, ys)):
                want, want_has = F.ranked_equivalent(fit, float(y), base)
                assert has[i] == want_has, (family, i)
                if want is None:
                    assert np.isnan(value[i]), (family, i)
                else:
                    assert value[i] == pytest.approx(want, rel=1e-12, abs=1e-9), (family, i)
        statuses = {F.equivalent(f, float(y), 1000.0).status for f, y in zip(fits, ys)
                    if f.usable and np.isfinite(y)}
        assert len(statuses) >= 2, statuses  # more than one branch exercised
