"""bench/learner_cpu.py times the runs run_all.py would make on this machine."""
from __future__ import annotations

from benches import load


def test_the_bench_trains_in_fp32_where_the_cpu_would_emulate_bf16(monkeypatch):
    """Its variants took the cpu profile as written, bfloat16 autocast included, where
    run_all.py switches to float32 (a CPU without bfloat16 instructions): a reviewer timed
    that bf16, which no run makes there, 4.6-6.4x slower."""
    from littlehuman import machine

    bench = load("learner_cpu")
    for listed, bf16 in ((False, False), (True, True), (None, True)):
        monkeypatch.setattr(machine, "cpu_bf16", lambda listed=listed: listed)
        assert bench.variant_profile("new").train_bf16 is bf16
        assert bench.variant_profile("top2").train_bf16 is bf16
        assert bench.variant_profile("before").train_bf16 is False
