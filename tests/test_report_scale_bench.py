"""bench/report_scale.py kept from rotting: its simulated learner's known worth and the lines
it prints against the truth (the bench itself takes minutes: README, Benchmarks)."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from benches import load


def bench():
    return load("report_scale")


def test_the_simulated_learner_is_worth_what_the_bench_says():
    rs = bench()
    test = pd.DataFrame({"row_id": [f"t{i}" for i in range(4000)], "label": [1, 0] * 2000})

    def skill(human: int, synthetic: int, seed: int = 0) -> float:
        train = pd.DataFrame({"is_synthetic": [False] * human + [True] * synthetic})
        return rs.SimulatedLearner("fv", seed=seed).fit(train).skill

    # 200 human points on a synthetic base score as 200 / 0.15 more synthetic points do
    assert skill(200, 1000) == pytest.approx(skill(0, 1000 + round(200 / rs.SYNTHETIC_WORTH)),
                                             abs=1e-3)
    learner = rs.SimulatedLearner("fv", seed=1).fit(
        pd.DataFrame({"is_synthetic": [False] * 5000}))
    right = (pd.Series(learner.predict(test)) == test["label"]).mean()
    assert right == pytest.approx(learner.skill, abs=0.03)
    # a seed's runs share each row's draw: a better run is right wherever a worse one is
    worse = rs.SimulatedLearner("fv", seed=1).fit(pd.DataFrame({"is_synthetic": [True] * 5000}))
    both = pd.DataFrame({"a": learner.predict(test), "b": worse.predict(test),
                         "gold": test["label"]})
    assert not ((both["b"] == both["gold"]) & (both["a"] != both["gold"])).any()
    qa = rs.SimulatedLearner("qa").fit(pd.DataFrame({"is_synthetic": [False] * 10}))
    assert set(qa.predict(pd.DataFrame({"row_id": ["r"] * 1, "answer": ["x"]}))) <= {"x", "no answer"}


def test_it_prints_each_family_against_the_truth(tmp_path, capsys):
    rs = bench()
    summary = {"tradeoff": {"human_points": 200},
               "advisor": {"chosen_family": "exp", "headline": "h", "per_base": [
                   {"base": 1000, "family": "log", "equivalent": 1640.2,
                    "interval": [1142.5, 2798.8], "status": "ok"},
                   {"base": 1000, "family": "exp", "equivalent": 1801.0,
                    "interval": [1400.0, "inf"], "status": "ok"},
                   {"base": 1000, "family": "power", "equivalent": None,
                    "interval": [None, None], "status": "unreachable"}]}}
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary))
    rs.recovered(path)
    out = capsys.readouterr().out
    assert f"= {200 / rs.SYNTHETIC_WORTH:,.0f} synthetic points" in out and math.isclose(
        200 / rs.SYNTHETIC_WORTH, 1333.33, rel_tol=1e-4)
    assert "base 1,000, log: 1,640 [1,142, 2,799] (holds the truth; ok)" in out
    assert "base 1,000, exp: 1,801 [1,400, inf] (does not hold the truth; ok)" in out
    assert "base 1,000, power: none no interval (does not hold the truth; unreachable)" in out
    assert "1 of 3 intervals hold the truth; chosen family exp" in out
