"""Which real train rows get synthetic twins, and generating them: the sweep twins
``exp.train_pool``; an experiment that needs more rows twins the further train rows of
:func:`twin_order`, so the sweep's twins are always reused."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from littlehuman.data import schema
from littlehuman.pipeline import Experiment


def twin_order(exp: Experiment) -> pd.DataFrame:
    """Every real train row in the order they get twins: the sweep's ``train_pool`` first,
    then the other train rows in an order seeded by the data seed."""
    pool = exp.train_pool
    rest = exp.split("train").sort_values("row_id", kind="stable")
    rest = rest[~rest["row_id"].isin(pool["row_id"])]
    rng = np.random.default_rng(schema.stable_seed(exp.name, "twin-order", exp.profile.data_seed))
    return pd.concat([pool, rest.iloc[rng.permutation(len(rest))]])


def twin_rows(exp: Experiment, size: int) -> pd.DataFrame:
    """The real train rows to twin for an experiment that uses ``size`` of them: the sweep's
    pool, extended along :func:`twin_order` when ``size`` is larger (capped by the split)."""
    return twin_order(exp).iloc[:max(int(size), len(exp.train_pool))]


def generate_twins(exp: Experiment, rows: pd.DataFrame,
                   progress: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The twins of ``rows``, generated exactly as :meth:`Experiment.synthetic` generates the
    sweep's (same settings from ``exp.generation_args()``; only missing twins are generated;
    they join the same parquet file)."""
    from littlehuman.generation import load_or_generate

    return load_or_generate(rows=rows, progress=progress, **exp.generation_args())


def add_stats(total: dict[str, Any], stats: dict[str, Any]) -> None:
    """Add one generation's stats into ``total`` (counts summed, faults merged by cause)."""
    for k, v in stats.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total[k] = total.get(k, 0) + v
        elif k == "faults":
            faults = total.setdefault("faults", {"sent": 0, "retried": {}, "failed": {}})
            faults["sent"] += v.get("sent", 0)
            for part in ("retried", "failed"):
                for cause, n in v.get(part, {}).items():
                    faults[part][cause] = faults[part].get(cause, 0) + n


def twins_with_spares(exp: Experiment, rows: pd.DataFrame, progress: bool = False
                      ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The twins of ``rows``, plus one spare twin for each row left without one (every ask
    unusable): the twins of the next rows along :func:`twin_order` after ``rows``, which any
    larger experiment twins anyway. A mix that must replace a row without a twin takes a
    spare's twin instead (``mixing.replacement_mix``), so every synthetic fraction, 100%
    included, can be built. Stats gain ``spares`` (spare twins returned)."""
    synthetic, total = generate_twins(exp, rows, progress)
    missing = len(rows) - int(rows["row_id"].isin(synthetic["source_row_id"]).sum())
    total = dict(total)
    total["spares"] = 0
    if missing == 0:
        return synthetic, total
    order = twin_order(exp)
    rest = order[~order["row_id"].isin(rows["row_id"])]
    spare_rows, spares, stats = _prefix_with_twins(exp, rest, missing, 0, progress)
    stats.pop("from_file", None)
    add_stats(total, stats)
    kept = spare_rows[spare_rows["row_id"].isin(spares["source_row_id"])]["row_id"].iloc[:missing]
    spares = spares[spares["source_row_id"].isin(kept)]
    total["spares"] = len(spares)
    return pd.concat([synthetic, spares], ignore_index=True), total


def _prefix_with_twins(exp: Experiment, order: pd.DataFrame, count: int, at_least: int,
                       progress: bool) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The shortest prefix of ``order`` (``at_least`` rows long) in which ``count`` rows have
    a twin (a row whose every ask was unusable has none, so a few more rows may be twinned),
    its twins and the summed generation stats; all of ``order`` when it has too few."""
    total: dict[str, Any] = {}
    take = max(count, at_least)
    while True:
        rows = order.iloc[:take]
        synthetic, gen = generate_twins(exp, rows, progress)
        add_stats(total, gen)
        have = int(rows["row_id"].isin(synthetic["source_row_id"]).sum())
        if have >= count or take >= len(order):
            return rows, synthetic, total
        take += count - have


def twinned_rows(exp: Experiment, count: int, progress: bool = False
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The shortest :func:`twin_rows` prefix in which ``count`` rows have a twin (a row whose
    reply was unparseable has none, so a few more rows may be twinned), its twins and the
    summed generation stats."""
    return _prefix_with_twins(exp, twin_order(exp), count, len(exp.train_pool), progress)
