"""The headline findings from a sweep: paired drops with intervals (a fake study whose
per-example scores are known)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from littlehuman import config, findings, index
from littlehuman.experiments import sweep
from littlehuman.experiments.grid import Shape


@dataclass(frozen=True)
class Spec:
    fraction: float
    seed: int

    def key(self) -> str:  # as RunSpec's: what the intervals' draws are seeded by
        return f"toy-{self.fraction}-{self.seed}"


class FakeStudy:
    """The sweep's cells over the given (fraction, seed) scores; the store is the dict."""

    name, task, main_metric = "toy", "fv", "accuracy"

    def __init__(self, scores: dict[tuple[float, int], np.ndarray]) -> None:
        self.scores = scores
        self.profile = config.profile("smoke", seeds=sorted({s for _, s in scores}),
                                      sweep_fractions=sorted({f for f, _ in scores}))
        self.shape = Shape("toy", "fv", 100, 100)
        self.store = self
        labels = [1] * 70 + [0] * 30
        self.train_pool = pd.DataFrame({"label": labels, "split": "train",
                                        "row_id": [f"r{i}" for i in range(100)]})
        self.eval_rows = pd.concat([self.train_pool, self.train_pool.assign(split="test")])

    def run_spec(self, cell):
        return Spec(cell.fraction, cell.seed)

    def has(self, spec):
        return (spec.fraction, spec.seed) in self.scores

    def get(self, spec):
        if not self.has(spec):
            return None
        accuracy = float(self.scores[(spec.fraction, spec.seed)].mean())
        return {"key": f"{spec}", "spec": {"n": 100}, "train": {"n_rows": 100}, "fit_stats": {},
                "metrics": {"accuracy": accuracy, "n": 100}, "timings_s": {"fit": 0.0}}

    def predictions(self, spec):
        scores = self.scores[(spec.fraction, spec.seed)]
        return pd.DataFrame({"row_id": [f"r{i}" for i in range(len(scores))],
                             "prediction": scores.astype(int), "score:accuracy": scores})


def correct(k: int, n: int = 100) -> np.ndarray:
    return np.array([1.0] * k + [0.0] * (n - k))


def test_last_ten_percent_drop_is_paired_and_has_an_interval():
    scores = {}
    for seed in (0, 1, 2):
        scores[(0.0, seed)] = correct(80)
        scores[(0.9, seed)] = correct(78)  # first 90%: -0.02
        scores[(1.0, seed)] = correct(60)  # last 10%: -0.18
    out = sweep.summary(FakeStudy(scores))
    assert out["status"] == "ok" and out["seeds"] == 3 and out["holds"]
    assert out["first_90"][0] == pytest.approx(0.02)
    assert out["last_10"][0] == pytest.approx(0.18)
    low, high = out["last_10"][1:]
    assert 0 < low < 0.18 < high
    assert "90->100%" in out["text"]
    assert out["baseline"] == pytest.approx(0.7)  # the pool's majority label on test
    drop = out["detectable"]["last_10"]  # the smallest detectable drop: 2.80 standard errors
    assert drop == pytest.approx(2.8016 * (high - low) / (2 * 1.95996), rel=1e-3)
    assert "could detect at 80% power" in out["text"] and "(95% CI, 3 seeds;" in out["text"]
    one = sweep.summary(FakeStudy({k: v for k, v in scores.items() if k[1] == 0}))
    assert "(95% CI, 1 seed;" in one["text"], one["text"]
    # the 100% runs (0.60) fall below it
    assert out["flags"] == ["3 of 9 runs do not beat the majority baseline (accuracy 0.700)"]


def test_one_seed_judges_no_finding():
    """ROPES smoke, one seed: the index read finding 1 "holds, the whole 95% interval lies
    above 0" from +0.058 [+0.000, +0.145] while the page's caption said the one-seed interval
    resamples test rows only and is too narrow (a user). One seed now judges nothing, either
    way; two seeds judge by their interval, as before."""
    scores = {(0.0, 0): correct(80), (0.9, 0): correct(78), (1.0, 0): correct(60)}
    one = sweep.summary(FakeStudy(scores))
    assert one["contrast"]["seeds"] == 1 and one["contrast"]["estimate"][1] > 0
    found = findings.finding_last_10(one)
    assert found["verdict"] == findings.NOT_VISIBLE and found["one_seed"] and not one["holds"]
    assert "from one seed" in found["text"] and "run 2 or more seeds" in found["text"]
    two = {**scores, (0.0, 1): correct(81), (0.9, 1): correct(79), (1.0, 1): correct(59)}
    assert findings.finding_last_10(sweep.summary(FakeStudy(two)))["verdict"] == findings.HOLDS
    for seeds, word in ((1, findings.NOT_VISIBLE), (2, findings.CONTRADICTED),
                        (None, findings.CONTRADICTED)):  # None: an older summary, not known
        assert findings.verdict(-0.2, -0.3, -0.1, seeds=seeds)["verdict"] == word
    zoom = {"comparisons": [{"n": 48, "human": 1, "difference": [0.1, 0.05, 0.15],
                             "detectable": 0.07, "seeds": 1}]}
    assert findings.finding_few_human(zoom)["verdict"] == findings.NOT_VISIBLE
    zoom["comparisons"][0]["seeds"] = 3
    assert findings.finding_few_human(zoom)["verdict"] == findings.HOLDS
    trade = {"human_points": 200, "bases": [{"base": 1000, "gain": [0.1, 0.05, 0.15],
                                             "gain_seeds": 1, "status": "ok",
                                             "equivalent": 900.0, "interval": [400.0, 2000.0]}]}
    assert findings.finding_tradeoff(trade)["verdict"] == findings.NOT_VISIBLE
    trade["bases"][0]["gain_seeds"] = 3
    assert findings.finding_tradeoff(trade)["verdict"] == findings.HOLDS


def test_one_rule_says_which_intervals_rest_on_one_seed():
    """The verdict, the budget answer and the measured purchases share one test of 'one seed'
    (each had its own, reading a missing count three ways)."""
    assert [findings.from_one_seed(n) for n in (0, 1, 1.0, 2, 3, None, float("nan"), "x")] == \
        [True, True, True, False, False, False, False, False]


def test_the_index_prints_no_bound_that_is_not_0_as_0():
    """"+0.058 [+0.000, +0.145]" read beside "the whole interval lies above 0" (a user)."""
    assert index._iv([0.058, 0.0004, 0.145]) == "+0.058 [+4.0e-04, +0.145]"
    assert index._iv([0.0, 0.0, -0.00002]) == "+0.000 [+0.000, -2.0e-05]"
    assert index._iv([0.021, -0.001, 0.042]) == "+0.021 [-0.001, +0.042]"


def test_identical_runs_give_a_zero_drop_and_do_not_hold():
    scores = {(f, 0): correct(70) for f in (0.0, 0.9, 1.0)}
    out = sweep.summary(FakeStudy(scores))
    assert out["last_10"] == [0.0, 0.0, 0.0] and not out["holds"]
    # a zero-width interval says nothing about power (it read "detect ...: 0.000 and 0.000")
    assert "0.000 and 0.000" not in out["text"]
    assert "detect at 80% power: not estimable (every resample gave the same difference)" \
        in out["text"]
    verdict = findings.finding_last_10(out)  # runs alike everywhere learned nothing
    assert verdict["verdict"] == findings.NOT_MEASURED and "0.000" not in verdict["text"]
    assert (findings.fmt_detectable(0.0381), findings.fmt_detectable(0.00004),
            findings.fmt_detectable(0.05, 4)) == ("0.038", "4.0e-05", "0.0500")


def test_missing_fractions_are_said_in_words():
    out = sweep.summary(FakeStudy({(0.0, 0): correct(5), (1.0, 0): correct(4)}))
    assert out["status"] == "missing" and "0.9" in out["text"]


def test_paper_table3_and_formatting():
    assert findings.paper_table3("fever")["q25"] < 0
    assert findings.paper_table3("scifact") is None
    assert findings.fmt_points(12345.6) == "12,346" and findings.fmt_points(None) == "-"


def test_metric_agreement_ranks_settings_per_metric():
    from littlehuman.plots.sweep import metric_agreement

    means = pd.DataFrame({"fraction": [0.0, 0.5, 1.0], "rouge1": [0.3, 0.2, 0.1],
                          "bleu": [0.05, 0.04, 0.01], "exact_match": [0.1, 0.2, 0.0]})
    table = metric_agreement(means, ["rouge1", "bleu", "exact_match"]).set_index("metric")
    assert table.loc["bleu", "Kendall tau vs rouge1"] == 1.0
    assert table.loc["rouge1", "ranking (best first)"] == "0% > 50% > 100%"
    assert table.loc["exact_match", "Kendall tau vs rouge1"] == pytest.approx(1 / 3, abs=1e-3)
    assert not table.loc["exact_match", "same best"] and table.loc["exact_match", "same worst"]
    assert metric_agreement(means.head(1), ["rouge1"]).empty


def test_index_states_each_base_with_its_interval_or_its_reason():
    from littlehuman.index import _base_text

    ok = {"base": 1000, "status": "ok", "equivalent": 2345.6, "interval": [1200.0, 4100.0],
          "message": "unused"}
    assert _base_text(ok) == "base 1,000: +2,346 synthetic points [1,200, 4,100]."
    shaky = {**ok, "failed_resamples": 12}
    assert _base_text(shaky).endswith("[1,200, 4,100]; 12 bootstrap resamples had no equivalent.")
    open_above = {**ok, "interval": [1200.0, "inf"], "failed_resamples": 40}
    assert _base_text(open_above) == ("base 1,000: +2,346 synthetic points [1,200, ∞); 40 "
                                      "bootstrap resamples had no equivalent.")
    from littlehuman.findings import fmt_points_interval
    assert fmt_points_interval(math.inf, math.inf) == "(∞, ∞)"  # each end shows its own sign
    assert fmt_points_interval("-inf", 5.0) == "(-∞, 5]"
    assert fmt_points_interval(None, 5.0) == "(no interval)"
    flat = {"base": 16, "status": "no_gain", "equivalent": None, "interval": [None, None],
            "message": "the synthetic-only curve does not rise"}
    assert _base_text(flat) == "base 16: the synthetic-only curve does not rise"


def test_summary_carries_the_curve_and_the_paired_contrast():
    import json

    scores = {}
    for seed in (0, 1, 2):
        scores[(0.0, seed)] = correct(80)
        scores[(0.9, seed)] = correct(78 - seed)
        scores[(1.0, seed)] = correct(60)
    out = sweep.summary(FakeStudy(scores))
    json.dumps(out)  # JSON-able as it is
    curve = out["curve"]
    assert curve["metric"] == "accuracy"
    assert [p["fraction"] for p in curve["points"]] == [0.0, 0.9, 1.0]
    assert [p["mean"] for p in curve["points"]] == pytest.approx([0.80, 0.77, 0.60])
    assert all(p["low"] <= p["mean"] <= p["high"] and p["seeds"] == 3 for p in curve["points"])
    assert sorted((r["fraction"], r["seed"], r["score"]) for r in curve["runs"])[:2] == [
        (0.0, 0, 0.8), (0.0, 1, 0.8)] and len(curve["runs"]) == 9
    # (s90 - s100) - (s0 - s90) = 0.17 - 0.03, paired per test row: clear of 0, holds
    est, low, high = out["contrast"]["estimate"]
    assert est == pytest.approx(0.14) and 0 < low < est < high
    assert out["contrast"]["seeds"] == 3 and out["contrast"]["detectable"] > 0
    assert out["holds"] and findings.finding_last_10(out)["verdict"] == findings.HOLDS


def test_the_last_ten_percent_contradicted_when_the_first_ninety_cost_more():
    scores = {}
    for seed in (0, 1):
        scores[(0.0, seed)] = correct(90)
        scores[(0.9, seed)] = correct(60)  # first 90%: -0.30
        scores[(1.0, seed)] = correct(58)  # last 10%: -0.02
    out = sweep.summary(FakeStudy(scores))
    assert out["contrast"]["estimate"][2] < 0 and not out["holds"]
    assert findings.finding_last_10(out)["verdict"] == findings.CONTRADICTED


def test_a_sweep_without_0_9_still_has_its_curve():
    out = sweep.summary(FakeStudy({(0.0, 0): correct(5), (1.0, 0): correct(4)}))
    assert out["status"] == "missing" and len(out["curve"]["points"]) == 2
    assert findings.finding_last_10(out)["verdict"] == findings.NOT_MEASURED


def test_paired_drop_is_the_two_fraction_contrast_and_names_mismatched_test_sets():
    from littlehuman.errors import LittleHumanError

    scores = {(f, s): correct(80 - int(20 * f) - s) for f in (0.0, 0.9) for s in (0, 1)}
    study = FakeStudy(scores)
    drop = sweep.paired_drop(study, 0.9, 0.0, "accuracy", n_boot=200)
    assert drop[0] == pytest.approx(0.18) and drop[3] == 2
    contrast = sweep.paired_contrast(study, {0.0: 1.0, 0.9: -1.0}, "accuracy", n_boot=200,
                                     seed_parts=("drop", 0.9, 0.0))
    assert contrast == drop
    study.scores[(0.9, 1)] = correct(50, n=90)
    with pytest.raises(LittleHumanError, match=r"seed 1 at fractions 0.0, 0.9 scored different"):
        sweep.paired_drop(study, 0.9, 0.0, "accuracy", n_boot=200)


def test_the_papers_finding_2_as_the_paper_states_it():
    # the paper's captions (shared/paper): Figures 2, 6, 8, 12 and 13 are the 95-100% zoom,
    # 5 and 7 the 0-100% sweep; its text: "the results for n=1000 have more variance and hence
    # have a minority of cases where the relationship does not hold" (Figure 13)
    import re

    text = findings.PAPER_FINDINGS["few_human"]
    cited = {int(x) for group in re.findall(r"Figures? ([\d, and-]+)", text)
             for x in re.findall(r"\d+", group)}
    assert cited and cited <= {2, 6, 8, 12, 13} and 2 in cited, text
    assert "every size" not in text and "n = 5000" in text


def test_an_unbounded_end_survives_summary_json_as_text():
    import json

    from littlehuman.experiments.grid import jsonable, unbounded_as_text

    written = json.loads(json.dumps(jsonable(
        [unbounded_as_text(v) for v in (318.0, np.float64(np.inf), None, -math.inf)])))
    assert written == [318.0, "inf", None, "-inf"]  # None stays "no interval"
    v = findings.verdict(2000.0, *written[:2], null=200.0)
    assert v["verdict"] == findings.HOLDS and v["high"] == math.inf


def test_finding_3_reads_the_interval_whatever_the_status():
    """A reviewer: a saturated base (the human points below the synthetic curve) with an
    equivalent of -400 [-1,800, -50] against 200 human points read "not measured", and an
    extrapolated one, 500,000 [50, inf), "holds", though each interval says otherwise."""
    from littlehuman.findings import CONTRADICTED, HOLDS, NOT_MEASURED, NOT_VISIBLE, finding_tradeoff

    def judged(**base):
        gain = {"gain": [0.02, 0.01, 0.03], "gain_detectable": 0.01, "failed_resamples": 0}
        return finding_tradeoff({"human_points": 200, "bases": [{"base": 3000, **gain, **base}]})

    saturated = judged(status="saturated", equivalent=-400.0, interval=[-1800.0, -50.0])
    assert saturated["verdict"] == CONTRADICTED and saturated["estimate"] == -400.0
    assert judged(status="saturated", equivalent=-400.0, interval=[-1800.0, 900.0])["verdict"] \
        == NOT_VISIBLE
    assert judged(status="saturated", equivalent=-400.0, interval=[None, None])["verdict"] \
        == NOT_MEASURED  # no interval: nothing to judge the price by
    far = judged(status="extrapolated", equivalent=500000.0, interval=[50.0, "inf"])
    assert far["verdict"] == NOT_VISIBLE
    assert judged(status="extrapolated", equivalent=500000.0, interval=[900.0, "inf"])["verdict"] \
        == HOLDS
    # a curve that does not rise on the seed means: its resamples' interval is read, with
    # no estimate of its own; every resample unmatched, or none drawn: its words decide
    flat = judged(status="no_gain", equivalent=None, interval=[30.0, "inf"])
    assert flat["verdict"] == NOT_VISIBLE and flat["estimate"] is None
    for interval in (["inf", "inf"], [None, None]):
        assert judged(status="no_gain", equivalent=None, interval=interval)["verdict"] == HOLDS
    assert judged(status="extrapolated", equivalent=500000.0, interval=[None, None])["verdict"] \
        == HOLDS


def test_a_sweep_of_runs_that_learned_nothing_measures_no_finding_1():
    """A helper's own QA file: every sweep run scored ROUGE-1 0.026 and the index read finding
    1 as 'not visible at this power, +0.000 [+0.000, +0.000]'."""
    scores = {(f, seed): correct(26) * 0 + 0.026 for f in (0.0, 0.9, 1.0) for seed in (0, 1)}
    out = sweep.summary(FakeStudy(scores))
    assert out["learned_nothing"].startswith("every one of the 6 sweep runs")
    assert "no finding is read off them" in out["learned_nothing"]
    assert ". No reading: every one of the 6 sweep runs" in out["text"]
    found = findings.finding_last_10(out)
    assert found["verdict"] == findings.NOT_MEASURED and found["how"] == out["learned_nothing"]


def test_zoom_and_trade_off_runs_that_learned_nothing_measure_no_finding_2_or_3():
    """A reviewer's index: finding 1 read 'not measured' beside findings 2 and 3 'not visible
    at this power' for the same runs (constant predictors), as if more seeds would tell."""
    why = "every one of the 6 trade-off runs gives the same output for every test row, ..."
    zoom = {"comparisons": [{"n": 48, "human": 1, "difference": [0.0, 0.0, 0.0],
                             "detectable": None}]}
    assert findings.finding_few_human(zoom)["verdict"] == findings.NOT_VISIBLE  # varied runs: power
    few = findings.finding_few_human({**zoom, "learned_nothing": why})
    assert few["verdict"] == findings.NOT_MEASURED and few["how"] == why
    trade = {"human_points": 200, "bases": [{"base": 1000, "gain": [0.0, 0.0, 0.0],
                                             "status": "no_gain", "interval": [None, None]}]}
    assert findings.finding_tradeoff(trade)["verdict"] == findings.NOT_VISIBLE
    priced = findings.finding_tradeoff({**trade, "learned_nothing": why})
    assert priced["verdict"] == findings.NOT_MEASURED and priced["how"] == why and priced["bases"] == []
    # nor does the index price them: "this run, Table 3: median 902 (values 3 and 1,800...)"
    # stood under "not measured" on SciFact's smoke runs (a user)
    table3 = {"median": 902.0, "n": 2, "n_undefined": 0, "values": [3.0, 1800.0]}
    assert index._own_table3(findings.finding_tradeoff({**trade, "table3": table3}))
    priced = findings.finding_tradeoff({**trade, "table3": table3, "learned_nothing": why})
    assert priced["table3"] is None and index._own_table3(priced) == ""


def test_the_index_says_what_a_table_3_median_at_or_below_0_is():
    """FairyTaleQA's smoke runs: the index read "this run, Table 3: median -2 (...)" with no
    word of what a negative equivalent is, where notebook 04's headline says it."""
    from littlehuman.curves import BELOW_THE_CURVE

    trade = {"human_points": 200, "bases": [{"base": 1000, "gain": [0.0, 0.0, 0.0],
                                             "status": "no_gain", "interval": [None, None]}]}
    for median, said in ((-2.0, True), (0.0, True), (40.0, False)):
        table3 = {"median": median, "n": 2, "n_undefined": 0, "values": [median, median]}
        line = index._own_table3(findings.finding_tradeoff({**trade, "table3": table3}))
        assert (index.esc(BELOW_THE_CURVE) in line) is said, line


def test_metric_agreement_says_ties_not_rankings():
    """A helper's own QA file: exact match 0.000 at every fraction read '0% > 90% > 100%,
    same best: yes', and the sentence counted it among the metrics that agree."""
    from littlehuman.plots.sweep import agreement_sentence, metric_agreement

    means = pd.DataFrame({"fraction": [0.0, 0.9, 1.0], "rouge1": [0.03, 0.02, 0.01],
                          "exact_match": [0.0, 0.0, 0.0], "bleu": [0.02, 0.02, 0.01]})
    table = metric_agreement(means, ["rouge1", "exact_match", "bleu"]).set_index("metric")
    assert table.loc["exact_match", "ranking (best first)"] == "all tied"
    assert table.loc["exact_match", "same best"] is None
    assert table.loc["bleu", "ranking (best first)"] == "0% = 90% > 100%"
    assert not table.loc["bleu", "same best"] and table.loc["bleu", "same worst"]
    said = agreement_sentence(metric_agreement(means, ["rouge1", "exact_match", "bleu"]))
    assert "0 of 1 other metrics pick rouge1's best setting (exact_match scores every " \
           "setting alike and ranks nothing)" in said
    alike = agreement_sentence(metric_agreement(means, ["exact_match", "rouge1"]))
    assert alike.endswith("exact_match scores every setting alike, so there is no ranking to "
                          "agree on.")


def test_no_finished_runs_names_the_profile_and_renders_as_one_line(tmp_path, monkeypatch,
                                                                     shared_data):
    """A reviewer opened notebook 03 in JupyterLab after `--notebooks 01` (smoke): a traceback
    ending in `run python run_all.py --dataset fever --notebooks 03`, which runs the cpu
    profile (~30 min, Gemma), not the smoke one the notebook shows."""
    from littlehuman.errors import LittleHumanError
    from littlehuman.experiments import grid, sweep as sweep_mod
    from littlehuman.study import Study

    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    study = Study.create("fever", config.profile("smoke", seeds=(0, 1)), str(shared_data))
    with pytest.raises(LittleHumanError) as err:
        grid.records(study, sweep_mod.cells(study.profile, study.shape), "03")
    said = str(err.value)
    assert "--profile smoke" in said and "--seeds 0,1" in said and said.endswith("--notebooks 03` first")
    assert err.value._render_traceback_() == [f"error: {said}"]  # IPython: the line alone
