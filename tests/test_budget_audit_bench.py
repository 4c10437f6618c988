"""bench/budget_audit.py runs, and its summary reads the truth it simulates."""
from __future__ import annotations

import numpy as np
import pytest
from benches import load


def test_the_budget_audit_finds_the_true_best_split_and_summarises(capsys):
    audit = load("budget_audit")
    truth = audit.Truth()
    # ratio 3 < 6.67: human points pay, all 200 of them; ratio 10 > 6.67: none
    assert audit.true_best(truth, 0.006, 7.0)["h"] == 200.0
    assert audit.true_best(truth, 0.020, 8.0)["h"] == 0.0
    assert truth(200.0, 0.0) == pytest.approx(truth(0.0, 200 / 0.15))
    assert audit.main(["--sims", "1", "--n-boot", "20", "--rows", "200"]) == 0
    out = capsys.readouterr().out
    assert "1 experiments (3 seeds x 200 rows, 20 resamples" in out
    for name, _, _ in audit.SCENARIOS:
        assert name in out
    assert "MEASURED" in out  # the measured purchases, no curve, beside the families'
    runs = audit.runs_frame()
    per = audit.simulate(truth, runs, 3, 400, np.random.default_rng(1), 0.0)
    best = {name: audit.true_best(truth, ph, budget) for name, ph, budget in audit.SCENARIOS}
    rows = {r["scen"]: r for r in audit.measured_rows(truth, runs, per, best, 0, 50)}
    # $8 at ratio 10 affords 3,800 synthetic points ($7.6: worth 570) or 200 human + 2,000
    # synthetic ($8: worth 500); the truth's best measured purchase has no human points
    assert rows["r10_in"]["status"] == "ok" and rows["r10_in"]["true_h"] == 0.0
    assert rows["r10_in"]["true_gain"] > 0  # oriented to the pick: positive when it is right
    assert rows["r3_small"]["status"] == "ok" and "gain" not in rows["r3_small"]  # no human mix
    per = audit.simulate(truth, audit.runs_frame(), 2, 50, np.random.default_rng(0), 0.0)
    assert set(per) == {0, 1} and per[0].shape == (18, 50)
