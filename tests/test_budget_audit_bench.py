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
    per = audit.simulate(truth, audit.runs_frame(), 2, 50, np.random.default_rng(0), 0.0)
    assert set(per) == {0, 1} and per[0].shape == (18, 50)
