"""bench/interval_coverage.py's misspecified scenario runs at toy size, with the sweep's
purely synthetic run that notebook 06 reads off beside the trade-off's."""
from __future__ import annotations

import math

import numpy as np
from benches import load


def test_the_misspecified_scenario_reads_every_base_off_the_runs_up_to_the_sweeps_run():
    coverage = load("interval_coverage")
    runs, _, means = coverage.saturating_truth(0.55, 0.35, 1500.0, 0.0, 0.0)
    assert runs.iloc[-1].tolist() == [coverage.SWEEP_N, "other", 0]
    assert means[-1] > means[:-1].max()  # the largest purchase of synthetic points of all
    out = coverage.misspecified_scenario(0.55, 0.35, 1500.0, 0.0, 0.0, True, 3, 300, 2, 50,
                                         np.random.default_rng(0))
    read = out["got"][(3000, coverage.MEASURED)]
    # base 3,000 + 200 human (worth 650) lies between the trade-off's 3,800 (570) and the
    # sweep's 5,000 (750): a number, not "more than 800"
    assert np.isfinite(read["estimate"]).all() and not math.isinf(read["estimate"][0])
    assert out["truth"] == coverage.HUMAN / coverage.SYNTHETIC_WORTH
