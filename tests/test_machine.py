"""``littlehuman.machine``: usable cores and the bfloat16 warning."""
from __future__ import annotations

import warnings

import pytest

from littlehuman import machine


def test_usable_cores_is_positive():
    assert machine.usable_cores() >= 1


@pytest.mark.parametrize("has_bf16, warns", [(False, 1), (True, 0), (None, 0)])
def test_slow_bf16_warns_once_only_where_the_cpu_lacks_it(monkeypatch, has_bf16, warns):
    monkeypatch.setattr(machine, "cpu_bf16", lambda: has_bf16)
    machine.warn_if_slow_bf16.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        machine.warn_if_slow_bf16("the encoder learner")
        machine.warn_if_slow_bf16("the encoder learner")
    assert len(caught) == warns
    if warns:
        assert "--gen-dtype float32 --train-bf16 false" in str(caught[0].message)
    machine.warn_if_slow_bf16.cache_clear()
