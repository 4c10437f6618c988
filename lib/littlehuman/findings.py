"""The paper's own numbers, to show beside ours. The three findings are measured by the
experiments that test them (each one's ``summary``):

1. *The last 10% of human data matters most*: :func:`littlehuman.experiments.sweep.summary`.
2. *~125 human points reliably lift a purely synthetic model*:
   :func:`littlehuman.experiments.zoom.summary`.
3. *200 human points are worth an order of magnitude more synthetic ones*:
   :func:`littlehuman.experiments.tradeoff.summary`, beside :data:`PAPER_TABLE3`.
"""
from __future__ import annotations


import numpy as np


# The paper's Table 3: additional synthetic points matching 200 human points (mean, median,
# 25th and 75th percentile over operating points; Llama-3.1-8B learner, GPT-3.5-Turbo data).
PAPER_TABLE3: dict[str, dict[str, float]] = {
    "wanli": {"mean": 17671.7, "median": 16905.38, "q25": 9711.42, "q75": 22931.17},
    "ropes": {"mean": 17332.69, "median": 6006.45, "q25": 3622.95, "q75": 21944.36},
    "fairytaleqa": {"mean": 281951.01, "median": 36901.45, "q25": 15128.74, "q75": 813134.81},
    "fever": {"mean": 1155.13, "median": 236.37, "q25": -1400.05, "q75": 7073.19},
}


def paper_table3(dataset: str) -> dict[str, float] | None:
    """The paper's Table 3 row for a dataset, where the paper gives one."""
    return PAPER_TABLE3.get(dataset)


def fmt_points(value: float | None) -> str:
    """A number of data points for a table (thousands separated; '-' when unknown)."""
    if value is None or not np.isfinite(value):
        return "-"
    return f"{value:,.0f}"
