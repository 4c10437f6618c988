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
    sweep's (only missing twins are generated; they join the same parquet file)."""
    from littlehuman.generation import load_or_generate

    p = exp.profile
    return load_or_generate(
        rows=rows, pool=exp.split("train"), task=exp.task, backend=exp.backend,
        seed=p.data_seed, k=p.k_shots, label_conditioned=p.label_conditioned,
        context_words=p.prompt_context_words, batch_size=p.gen_batch_size, progress=progress)


def twinned_rows(exp: Experiment, count: int, progress: bool = False
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The shortest :func:`twin_rows` prefix in which ``count`` rows have a twin (a row whose
    reply was unparseable has none, so a few more rows may be twinned), its twins and the
    summed generation stats."""
    total: dict[str, Any] = {}
    want, n_train = count, len(exp.split("train"))
    while True:
        rows = twin_rows(exp, want)
        synthetic, gen = generate_twins(exp, rows, progress)
        for k, v in gen.items():
            total[k] = total.get(k, 0) + v
        have = int(rows["row_id"].isin(synthetic["source_row_id"]).sum())
        if have >= count or len(rows) >= n_train:
            return rows, synthetic, total
        want = len(rows) + count - have
