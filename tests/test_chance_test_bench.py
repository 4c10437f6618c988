"""bench/chance_test_calibration.py at toy size: its simulated sweeps are what the pages build,
and the runs it makes alike fool the pooled tests where the tests over the rows hold."""
from __future__ import annotations

import numpy as np
from benches import load


def test_the_bench_runs_and_its_alike_runs_at_chance_fool_only_the_pooled_tests(capsys):
    bench = load("chance_test_calibration")
    rng = np.random.default_rng(0)
    fooled = {"fv": [], "qa": []}
    for task, make in (("fv", bench.fv_records), ("qa", bench.qa_records)):
        for _ in range(30):
            pooled, over_rows = bench.p_values(task, make(rng, 60, 13, 0.0, 0.95))
            fooled[task].append((pooled < 0.05, over_rows < 0.05))
    for task, hits in fooled.items():
        pooled, over_rows = np.array(hits).mean(axis=0)
        assert pooled > 0.2 and over_rows < 0.2, (task, pooled, over_rows)
    assert bench.main(["--sims", "2", "--runs", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("\nfv ") + out.count("\nqa ") == len(bench.SCENARIOS)
