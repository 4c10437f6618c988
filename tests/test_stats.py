"""Bootstrap intervals and seed comparisons on cases with known answers."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from littlehuman.errors import LittleHumanError
from littlehuman.stats import (bootstrap_ci, bootstrap_run_means, hierarchical_bootstrap,
                               paired_seed_comparison)


def test_bootstrap_of_a_constant_is_a_point():
    est, low, high = bootstrap_ci(np.full(40, 0.625))
    assert est == low == high == 0.625
    med = bootstrap_ci([3.0] * 7, stat=np.median, n_boot=50)
    assert med == (3.0, 3.0, 3.0)


def test_bootstrap_ci_of_normal_mean_covers_and_has_the_textbook_width():
    rng = np.random.default_rng(1)
    n, mu, sd = 2000, 5.0, 2.0
    est, low, high = bootstrap_ci(rng.normal(mu, sd, n), n_boot=2000, seed=3)
    assert low < mu < high and low < est < high
    assert (high - low) == pytest.approx(2 * 1.96 * sd / math.sqrt(n), rel=0.15)


def test_bootstrap_ci_is_seeded_and_validates():
    values = np.arange(30.0)
    assert bootstrap_ci(values, seed=4) == bootstrap_ci(values, seed=4)
    assert bootstrap_ci(values, seed=4) != bootstrap_ci(values, seed=5)
    narrow, wide = bootstrap_ci(values, level=0.5), bootstrap_ci(values, level=0.99)
    assert wide[1] < narrow[1] < narrow[2] < wide[2]
    # a statistic without ``axis`` works too
    assert bootstrap_ci(values, stat=lambda v: float(np.max(v)), n_boot=100)[0] == 29.0
    for bad in ([], [1.0, float("nan")]):
        with pytest.raises(LittleHumanError):
            bootstrap_ci(bad)
    with pytest.raises(LittleHumanError):
        bootstrap_ci(values, level=1.5)


def test_hierarchical_bootstrap_adds_seed_variation():
    rng = np.random.default_rng(0)
    same = {s: rng.binomial(1, 0.7, 400) for s in range(3)}
    apart = {0: rng.binomial(1, 0.5, 400), 1: rng.binomial(1, 0.7, 400),
             2: rng.binomial(1, 0.9, 400)}
    est, low, high = hierarchical_bootstrap(apart, n_boot=1000)
    assert est == pytest.approx(np.mean([v.mean() for v in apart.values()]))
    assert low < est < high
    same_width = np.subtract(*hierarchical_bootstrap(same, n_boot=1000)[2:0:-1])
    assert high - low > 2 * same_width
    assert hierarchical_bootstrap({0: np.ones(10), 1: np.ones(10)}, n_boot=100) == (1.0, 1.0, 1.0)
    with pytest.raises(LittleHumanError, match=r"different numbers of test rows \(10, 20\)"):
        hierarchical_bootstrap({0: np.ones(10), 1: np.ones(20)}, n_boot=100)


def test_seed_means_alone_give_students_t_interval():
    # one score per seed: the interval is the t interval with k - 1 degrees of freedom (the
    # plain percentile bootstrap gave mean +- 1.96 sqrt((k-1)/k) s / sqrt(k): 0.37x as wide
    # at 3 seeds)
    from scipy.stats import t as student_t

    for values in ([0.61, 0.65, 0.66, 0.67, 0.556], [0.1, 0.2, 0.3]):
        v = np.array(values)
        est, low, high = hierarchical_bootstrap({i: [x] for i, x in enumerate(v)},
                                                n_boot=40_000, seed=3)
        half = student_t.ppf(0.975, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size)
        assert est == pytest.approx(v.mean())
        assert high - low == pytest.approx(2 * half, rel=0.05)  # skewed by an outlying seed:
        assert low == pytest.approx(v.mean() - half, abs=0.1 * half)  # the bounds move a little
        assert high == pytest.approx(v.mean() + half, abs=0.1 * half)


def test_seeds_sharing_test_rows_share_the_rows_spread():
    # five seeds that answered the same test rows alike: the test rows' own sampling is all
    # the uncertainty, as wide as for one seed (a row draw per seed saw a fifth of it)
    rows = np.random.default_rng(4).binomial(1, 0.6, 500).astype(float)
    _, low1, high1 = hierarchical_bootstrap({0: rows}, n_boot=4000, seed=1)
    _, low5, high5 = hierarchical_bootstrap({s: rows for s in range(5)}, n_boot=4000, seed=1)
    assert high5 - low5 == pytest.approx(high1 - low1, rel=0.08)


def test_a_contrast_between_runs_gets_the_difficulty_they_share():
    # two runs on the same rows share each row's difficulty; their answers are noisy apart.
    # The difference of their bootstrapped means must be as uncertain as the bootstrap of
    # the per-row differences, where the difficulty cancels (one shrink factor for both runs
    # left part of the answer noise in: 6% wider here)
    rng = np.random.default_rng(9)
    difficulty = rng.normal(0.0, 1.5, 800)
    scores = {}
    for s in range(5):
        shift = rng.normal(0.0, 0.05, 2)
        p = 1 / (1 + np.exp(-(difficulty[None, :] + shift[:, None] + [[0.3], [0.0]])))
        scores[s] = (rng.random(p.shape) < p).astype(float)
    boot = bootstrap_run_means(scores, 8000, seed=1)
    low, high = np.percentile(boot[:, 0] - boot[:, 1], [2.5, 97.5])
    _, d_low, d_high = hierarchical_bootstrap({s: a[0] - a[1] for s, a in scores.items()},
                                              n_boot=8000, seed=1)
    assert high - low == pytest.approx(d_high - d_low, rel=0.025)


def test_hierarchical_intervals_cover_at_their_level_when_seeds_disagree():
    # 3 seeds whose spread dominates the test rows' noise, as the cpu profile's trade-off:
    # the plain percentile bootstrap covered about 80% of such experiments
    # (bench/interval_coverage.py); this one covers 95% within simulation noise
    rng = np.random.default_rng(7)
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)  # the truth, by quadrature
    truth = weights @ (1 / (1 + np.exp(-(0.5 + math.hypot(1.0, 0.4) * nodes)))) / weights.sum()
    covered, sims = 0, 200
    for sim in range(sims):
        difficulty = rng.normal(0.5, 1.0, 300)
        seeds = rng.normal(0.0, 0.4, 3)
        p = 1 / (1 + np.exp(-(difficulty[None, :] + seeds[:, None])))
        scores = (rng.random(p.shape) < p).astype(float)
        _, low, high = hierarchical_bootstrap({s: scores[s] for s in range(3)}, n_boot=400,
                                              seed=sim)
        covered += low <= truth <= high
    assert 0.90 <= covered / sims <= 0.99


def test_paired_comparison_three_seeds_one_side():
    out = paired_seed_comparison({0: 0.90, 1: 0.80, 2: 0.85}, {0: 0.80, 1: 0.70, 2: 0.80})
    assert (out["agree"], out["n_seeds"], out["favours"]) == (3, 3, "a")
    assert out["sign_p"] == pytest.approx(0.25)
    assert out["permutation_p"] == pytest.approx(0.25)
    assert out["min_p"] == 0.25 and "0.25" in out["message"]
    assert out["differences"] == pytest.approx([0.1, 0.1, 0.05])


def test_paired_comparison_mixed_signs_ties_and_missing_seeds():
    a = {0: 1.0, 1: 2.0, 2: 3.0, 3: 4.0, 9: 0.0}
    b = {0: 2.0, 1: 1.0, 2: 3.0, 3: 1.0}
    out = paired_seed_comparison(a, b)  # differences -1, 1, 0, 3
    assert (out["a_better"], out["b_better"], out["ties"]) == (2, 1, 1)
    assert out["dropped_seeds"] == [9]
    assert out["sign_p"] == pytest.approx(1.0)
    # the exact sign-flip p, by brute force over the 16 sign patterns
    flips = np.array([[x, y, z, w] for x in (1, -1) for y in (1, -1) for z in (1, -1)
                      for w in (1, -1)])
    expected = np.mean(np.abs(flips @ np.array([-1, 1, 0, 3])) >= 3)
    assert out["permutation_p"] == pytest.approx(expected)
    # the tied seed moves neither test: 3 untied seeds allow at best 0.25 (a reviewer: 0.125)
    assert out["min_p"] == 0.25 and "4 seeds, 1 of them tied, no two-sided p can go below 0.25" \
        in out["message"]
    with pytest.raises(LittleHumanError):
        paired_seed_comparison({0: 1.0}, {1: 1.0})


def test_sign_flip_p_beyond_the_exact_range_is_never_zero():
    # 20 seeds all one way: the exact two-sided p is 2 / 2**20; a Monte Carlo estimate that
    # misses the two extreme patterns must not report p = 0
    out = paired_seed_comparison({s: 1.0 + 0.01 * s for s in range(20)},
                                 dict.fromkeys(range(20), 0.0))
    assert out["permutation_p"] > 0
    # a middling case: the Monte Carlo p agrees with the exact one by brute force
    rng = np.random.default_rng(2)
    diffs = rng.normal(0.3, 1.0, 18)
    out = paired_seed_comparison(dict(enumerate(diffs)), dict.fromkeys(range(18), 0.0))
    signs = 1 - 2 * ((np.arange(2 ** 18)[:, None] >> np.arange(18)) & 1)
    exact = np.mean(np.abs(signs @ diffs) >= abs(diffs.sum()) - 1e-9)
    assert out["permutation_p"] == pytest.approx(exact, abs=4 * math.sqrt(exact / 100_000) + 1e-5)


def tradeoff_records(slopes=(0.08,) * 4, bumps=(0.0,) * 4) -> pd.DataFrame:
    """Seed s: synthetic runs on 0.1 + slopes[s] ln(x); its human run on base 2000 scores as
    5000 synthetic points would, plus bumps[s]. Equal slopes and no bumps: equivalent 3000."""
    rows = []
    for seed, (a1, bump) in enumerate(zip(slopes, bumps)):
        for i in range(5):
            rows.append({"base": 2000, "kind": "synthetic", "added": 200 * i, "seed": seed,
                         "accuracy": 0.1 + a1 * math.log(2000 + 200 * i)})
        rows.append({"base": 2000, "kind": "human", "added": 200, "seed": seed,
                     "accuracy": 0.1 + a1 * math.log(5000) + bump})
    return pd.DataFrame(rows)


def bootstrap_equivalent(records: pd.DataFrame, metric: str, base: float, n_boot: int,
                         seed: int = 0, level: float = 0.95, row_scores=None):
    """``(estimate, low, high, undefined resamples)`` of the log curve's equivalent on
    ``base``, as notebooks 04 and 06 compute it (:func:`littlehuman.families.analyse`)."""
    from littlehuman import families

    data = families.CurveData.from_records(records, metric)
    if row_scores is not None:
        keys = [tuple(k) for k in data.runs[["kind", "base", "added"]].to_numpy()]
        data = families.CurveData(data.runs, {s: np.vstack([np.asarray(row_scores[s][k])
                                                            for k in keys])
                                              for s in data.per_seed}, data.human)
    fits = families.analyse(data, ("log",), n_boot=n_boot, seed=seed, level=level)["fits"]
    row = fits[fits["base"] == base].iloc[0]
    none = lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else v  # noqa
    return (none(row["equivalent"]), none(row["low"]), none(row["high"]),
            int(row["undefined"]))


def test_bootstrap_equivalent_noiseless_is_zero_width():
    est, low, high, failed = bootstrap_equivalent(tradeoff_records(), "accuracy", 2000,
                                                  n_boot=200)
    assert est == pytest.approx(3000.0, rel=1e-9)
    assert low == pytest.approx(est, rel=1e-9) and high == pytest.approx(est, rel=1e-9)
    assert failed == 0


def test_bootstrap_equivalent_counts_resamples_without_an_answer():
    slopes, bumps = (0.06, 0.08, 0.10, -0.10), (0.01, -0.01, 0.02, 0.0)
    est, low, high, failed = bootstrap_equivalent(tradeoff_records(slopes, bumps), "accuracy",
                                                  2000, n_boot=400, seed=1)
    a1, bump = np.mean(slopes), np.mean(bumps)  # the estimate refits the seed means
    assert est == pytest.approx(5000 * math.exp(bump / a1) - 2000, rel=1e-9)
    assert 0.05 * 400 < failed < 400  # resamples dominated by seed 3 have a falling curve
    # ... with the +human score below it at the base: no synthetic amount is needed, so they
    # rank at -base (a synthetic set of size 0, below every equivalent) and are kept, not
    # dropped (nor is the interval blank)
    assert low == -2000.0 and est < high < math.inf
    _, low, high, failed_50 = bootstrap_equivalent(tradeoff_records(slopes, bumps), "accuracy",
                                                   2000, n_boot=400, seed=1, level=0.5)
    assert failed_50 == failed and failed > 0.25 * 400 and low == -2000.0
    # a flat curve: the +human score on it ranks at -base, above it above every number (+inf)
    flat = tradeoff_records(slopes=(0.0,) * 4)
    assert bootstrap_equivalent(flat, "accuracy", 2000, n_boot=50) == (
        None, -2000.0, -2000.0, 50)
    above = tradeoff_records(slopes=(0.0,) * 4, bumps=(0.01,) * 4)
    assert bootstrap_equivalent(above, "accuracy", 2000, n_boot=50) == (
        None, math.inf, math.inf, 50)


def test_ranked_interval_is_numpys_percentile_with_infinities_ranked():
    from littlehuman.stats import ranked_interval

    rng = np.random.default_rng(4)
    values = rng.normal(size=1000)
    assert ranked_interval(values)[:2] == pytest.approx(tuple(np.percentile(values, [2.5, 97.5])))
    assert ranked_interval(values)[2] == 0
    # 2% above any number: the upper end is still a number, the 97.5th of all resamples
    lifted = np.concatenate([values[:980], [math.inf] * 20])
    low, high, n_inf = ranked_interval(lifted)
    assert n_inf == 20 and math.isfinite(high) and high == pytest.approx(
        np.percentile(np.concatenate([values[:980], [1e9] * 20]), 97.5))
    # 3% above: unbounded above, the low end unchanged
    low3, high3, _ = ranked_interval(np.concatenate([values[:970], [math.inf] * 30]))
    assert high3 == math.inf and low3 == pytest.approx(
        np.percentile(np.concatenate([values[:970], [1e9] * 30]), 2.5))
    assert ranked_interval([-math.inf] * 5 + [1.0] * 95)[0] == -math.inf
    # a failed fit (None, NaN) has no place to rank: left out, up to 5% of them
    assert ranked_interval([None] * 5 + list(values[:95]))[2] == 5
    assert ranked_interval([math.nan] * 6 + list(values[:94])) == (None, None, 6)
    assert ranked_interval([]) == (None, None, 0)


def test_defined_interval_needs_level_of_the_resamples():
    from littlehuman.stats import defined_interval

    rng = np.random.default_rng(3)
    finite_values = list(rng.normal(size=950))
    low, high, undefined = defined_interval(finite_values + [None] * 50, 0.95)  # 5%: allowed
    assert undefined == 50
    assert (low, high) == pytest.approx(tuple(np.percentile(finite_values, [2.5, 97.5])))
    assert defined_interval(finite_values[:949] + [None] * 51, 0.95) == (None, None, 51)
    assert defined_interval([math.nan, math.inf, 1.0], 0.5) == (None, None, 2)
    assert defined_interval([], 0.95) == (None, None, 0)


def test_detectable_effect_is_z_plus_z_power_standard_errors():
    from littlehuman.stats import detectable_effect

    assert detectable_effect(-1.959964, 1.959964) == pytest.approx(1.959964 + 0.841621, rel=1e-5)
    assert math.isnan(detectable_effect(0.0, 0.0))  # no spread to tell power by
    assert detectable_effect(-1, 1, power=0.5) == pytest.approx(1.0)


@pytest.mark.parametrize("k, exact", [(3, 5.66), (5, 3.77), (10, 3.15)])
def test_detectable_effect_on_a_t_interval_is_safe_and_close(k, exact):
    """On k seeds' Student-t interval (what the small-seed bootstrap gives) the formula reads
    at most 10% above the exact two-sided t-test's 80%-power effect (noncentral t; the
    README's 3.77 and 5.66 standard errors), never below it."""
    from scipy import stats as sps

    from littlehuman.stats import detectable_effect

    t_crit = sps.t.ppf(0.975, k - 1)
    power = sps.nct.sf(t_crit, k - 1, exact) + sps.nct.cdf(-t_crit, k - 1, exact)
    assert power == pytest.approx(0.8, abs=0.002)  # the README's figure is the exact one
    assert exact <= detectable_effect(-t_crit, t_crit) <= 1.10 * exact


def noisy_rows(records: pd.DataFrame, n_rows: int, spread: float, seed: int = 0
               ) -> dict[int, dict[tuple, np.ndarray]]:
    """Per seed and run (kind, base, added): ``n_rows`` test-row scores whose mean is exactly
    the run's score in ``records`` (independent noise of sd ``spread`` per run)."""
    rng = np.random.default_rng(seed)
    out: dict[int, dict[tuple, np.ndarray]] = {}
    for r in records.to_dict("records"):
        noise = rng.normal(0.0, spread, n_rows)
        out.setdefault(r["seed"], {})[(r["kind"], r["base"], r["added"])] = (
            r["accuracy"] + noise - noise.mean())
    return out


def test_bootstrap_equivalent_with_one_seed_and_no_rows_gives_no_interval():
    # one seed, run-level scores only: resampling seeds can only redraw that seed, so a
    # zero-width interval would claim a certainty the data do not have
    one = tradeoff_records(slopes=(0.07,), bumps=(0.01,))
    est, low, high, failed = bootstrap_equivalent(one, "accuracy", 2000, n_boot=100)
    assert est == pytest.approx(5000 * math.exp(0.01 / 0.07) - 2000, rel=1e-9)
    assert (low, high, failed) == (None, None, 0)


def test_bootstrap_equivalent_resamples_seeds_and_test_rows():
    slopes, bumps = (0.06, 0.08, 0.07), (0.01, -0.005, 0.004)
    records = tradeoff_records(slopes, bumps)
    rows = noisy_rows(records, 60, 0.05)
    est, low, high, failed = bootstrap_equivalent(records, "accuracy", 2000, n_boot=3000,
                                                  seed=5, row_scores=rows)
    # the estimate stays the one on the seed means
    assert est == pytest.approx(bootstrap_equivalent(records, "accuracy", 2000, n_boot=10)[0])
    # brute force, written out loop by loop: the mean over seeds, plus the deviation at one
    # draw of test rows shared by every seed and run, mapped by A = D^1/2 V^-1/2 (V: the row
    # means' covariance between runs, D: V less the ANOVA residual covariance / seeds), plus
    # the drawn seeds' mean deviation times sqrt(k/(k-1)) and a t factor, clipped to [0, 1];
    # then refit y = a0 + a1 ln(x) by np.polyfit and invert
    rng = np.random.default_rng(11)
    runs = [*(("synthetic", 2000, 200 * i) for i in range(5)), ("human", 2000, 200)]
    x = np.log([2000 + 200 * i for i in range(5)])
    table = np.array([[rows[s][run] for run in runs] for s in range(3)])  # seeds x runs x rows
    seed_means, row_means = table.mean(axis=2), table.mean(axis=0)
    grand = seed_means.mean(axis=0)
    v = np.cov(row_means)
    residual_cov = np.zeros((6, 6))
    for s in range(3):
        for i in range(60):
            e = table[s, :, i] - seed_means[s] - row_means[:, i] + grand
            residual_cov += np.outer(e, e) / (2 * 59)
    d_values, d_vectors = np.linalg.eigh(v - residual_cov / 3)
    v_values, v_vectors = np.linalg.eigh(v)
    mapping = (d_vectors @ np.diag(np.sqrt(np.clip(d_values, 0, None))) @ d_vectors.T
               @ v_vectors @ np.diag(v_values ** -0.5) @ v_vectors.T)
    brute = []
    for _ in range(3000):
        pick = rng.integers(0, 60, 60)
        at_rows = mapping @ (row_means[:, pick].mean(axis=1) - grand)
        drawn = seed_means[rng.integers(0, 3, 3)].mean(axis=0) - grand
        t_factor = math.sqrt(2 / rng.chisquare(2))
        means = np.clip(grand + at_rows + math.sqrt(1.5) * t_factor * drawn, 0, 1)
        a1, a0 = np.polyfit(x, means[:5], 1)
        if a1 > 0:
            brute.append(math.exp((means[5] - a0) / a1) - 2000)
        else:  # no equivalent: ranked above every number, or below where none is needed
            brute.append(-1e12 if means[5] <= a0 + a1 * math.log(2000) else 1e12)
    ref_low, ref_high = np.percentile(brute, [2.5, 97.5])
    assert failed == pytest.approx(sum(abs(b) == 1e12 for b in brute), abs=60)
    assert low == pytest.approx(ref_low, rel=0.1) and high == pytest.approx(ref_high, rel=0.1)
    # answer noise apart in every seed and run is in the seed means already: the interval is
    # the one from the seed means alone; a difficulty shared by the seeds' test rows (a row
    # hard for one run is hard for all) adds spread the seed means cannot see
    seeds_only = bootstrap_equivalent(records, "accuracy", 2000, n_boot=3000, seed=5)
    assert high - low == pytest.approx(seeds_only[2] - seeds_only[1], rel=0.15)
    difficulty = np.random.default_rng(2).normal(0.0, 0.01, 60)
    difficulty -= difficulty.mean()  # the runs' means stay as they were
    hard_rows = {s: {run: v + difficulty * (1 + run[2] / 400) for run, v in by_run.items()}
                 for s, by_run in rows.items()}
    _, low_h, high_h, _ = bootstrap_equivalent(records, "accuracy", 2000, n_boot=3000,
                                               seed=5, row_scores=hard_rows)
    assert high_h - low_h > 1.2 * (high - low)
    # one seed with test rows: an interval from the rows alone
    one = records[records["seed"] == 0]
    e1, l1, h1, _ = bootstrap_equivalent(one, "accuracy", 2000, n_boot=500, row_scores=rows)
    assert l1 < e1 < h1
    with pytest.raises(LittleHumanError, match="test rows"):  # one seed's runs are stale
        bootstrap_run_means({0: np.zeros((6, 60)), 1: np.zeros((6, 59))}, 10)


def test_sign_test_p_is_scipys_two_sided_binomial_test():
    from scipy.stats import binomtest

    from littlehuman.stats import sign_test_p

    assert sign_test_p(0, 0) == 1.0
    for n in range(1, 31):
        for wins in range(n + 1):
            assert sign_test_p(wins, n - wins) == pytest.approx(
                binomtest(wins, n, 0.5).pvalue, rel=1e-12, abs=1e-15), (wins, n)


def test_the_coverage_bench_runs_at_toy_size(capsys):
    # bench/interval_coverage.py measures the README's coverage table; kept from rotting here
    from benches import load

    bench = load("interval_coverage")
    assert bench.main(["--sims", "3", "--n-boot", "50"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "plain percentile" in lines[1] and "library" in lines[1]
    assert len([line for line in lines if line.startswith(("mean,", "diff,"))]) == 6
    # the trade-off's equivalents: a header and one row per method under each scenario
    eq = [i for i, line in enumerate(lines) if line.startswith("equivalent,")]
    assert len(eq) == len(bench.EQUIVALENT_SCENARIOS) == 3
    for i in eq:
        assert "truth +" in lines[i] and "method" in lines[i + 1] and "coverage" in lines[i + 1]
        assert [lines[i + 2 + j].split()[0] for j in range(len(bench.EQ_METHODS))] == [
            "plain", "dropped", "library", "inverted"]
    # a truth that is not logarithmic (--only misspecified): each scenario, each base's three
    # families and the hold-out's choice, with each family's limit (its bias with no noise)
    capsys.readouterr()
    assert bench.main(["--only", "misspecified", "--sims", "1", "--n-boot", "10"]) == 0
    out = capsys.readouterr().out.splitlines()
    heads = [line for line in out if line.startswith("misspecified,")]
    assert len(heads) == len(bench.MIS_SCENARIOS)
    first = out[out.index(heads[0]):out.index(heads[1])]  # near-linear: T 1500
    limits = {line.split()[1]: line.split()[2] for line in first
              if line.split()[:1] == ["1000"] and line.split()[1] in ("log", "exp")}
    assert limits == {"log": "1,649", "exp": "1,333"}  # as fitted to the noise-free curve
    # the truth by quadrature: E[expit(N(0, 1))] is 1/2 by symmetry
    assert bench.mean_expit(0.0, 1.0) == pytest.approx(0.5, abs=1e-12)
    assert bench.mean_expit(0.6, 1e-9) == pytest.approx(1 / (1 + math.exp(-0.6)), rel=1e-9)
    # the equivalent's truth is the designed one: the population means are exactly logarithmic
    sizes, mu, truth = bench.equivalent_truth(1000, 0.08, 600.0, 0.1)
    assert list(sizes) == [1000, 1200, 1400, 1600, 1800] and mu.size == 6
    assert truth == pytest.approx(600.0, rel=1e-6)
    # the bench's vectorised equivalents are the library's, the undefined ranked at +-inf
    from littlehuman.curves import equivalent_points, fit_log

    rng = np.random.default_rng(0)
    means = 0.7 + rng.normal(0.0, 0.03, (300, 6))
    means[:3, :5] = 0.7  # flat curves: a slope of exactly 0
    for row, got in zip(means, bench.ranked_equivalents(sizes, means, 1000.0)):
        fit = fit_log(sizes, row[:-1])
        want = equivalent_points(fit, float(row[-1]), 1000.0).value
        if want is None:
            assert got == (-1000.0 if row[-1] <= fit.predict(1000.0) else np.inf)
        else:
            assert got == pytest.approx(want, rel=1e-9)
    # the prototype's open interval: numpy's percentiles without infinities, +inf past 2.5%
    values = rng.normal(0.0, 1.0, 1000)
    assert bench.open_interval(values) == pytest.approx(tuple(np.percentile(values, [2.5, 97.5])))
    values[:30] = np.inf
    low, high = bench.open_interval(values)
    assert high == np.inf  # 3% at +inf; the low end is the 2.5th percentile of all 1,000
    assert low == pytest.approx(np.percentile(values[30:], 100 * 0.025 * 999 / 969), rel=1e-12)
    # the prototype's inverted interval: tight around a sure match; unbounded above a flat
    # curve (there two rays, as Fieller's, so the hull is everything)
    exact = 0.7 + 0.08 * np.log(np.append(sizes, 1600.0) / 1000.0)
    low, high = bench.inverted_interval(sizes, exact + rng.normal(0, 1e-3, (500, 6)), 1000.0)
    assert 500 < low < 600 < high < 700
    flat = np.append(np.full(5, 0.7), 0.72)
    low, high = bench.inverted_interval(sizes, flat + rng.normal(0, 1e-3, (500, 6)), 1000.0)
    assert high == np.inf


def test_the_bootstrap_draws_bench_runs_at_toy_size(capsys):
    # bench/bootstrap_draws.py measures the README's Monte Carlo error table; kept from rotting
    from benches import load

    bench = load("bootstrap_draws")
    assert bench.main(["--sims", "2", "--draws", "2", "--n-boot", "50", "100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines if line.strip().startswith(("50 ", "100 "))]
    assert len(rows) == 6 and all(row[-1].endswith("x") for row in rows)
    assert [row[-1] for row in rows[::2]] == ["1.0x"] * 3  # the baseline against itself
