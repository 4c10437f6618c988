"""The data layer: the paper's eight datasets and a user's own file as unified rows.

>>> from littlehuman import data
>>> df = data.load("fever")            # all splits, a `split` column
>>> data.names()                        # the registry of dataset names

Raw files are read from ``data_dir`` / ``LITTLEHUMAN_DATA_DIR`` / ``data/raw`` (see
:mod:`littlehuman.paths`); processed splits are cached as parquet under
``data/processed/<dataset>/`` (see :mod:`littlehuman.data.processed`).
"""
from __future__ import annotations

import os
from typing import Any

import pandas as pd

from littlehuman import paths
from littlehuman.data import processed, schema
from littlehuman.data.registry import DATASETS, DatasetSpec, find, get, names
from littlehuman.errors import LittleHumanError

__all__ = ["load", "names", "get", "find", "DATASETS", "DatasetSpec", "schema"]


def load(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    seed: int = 42,
    use_cache: bool = True,
    **custom_options: Any,
) -> pd.DataFrame:
    """All splits of dataset ``name`` (or of a user's CSV/JSONL/parquet file) as unified rows.

    ``custom_options`` (``task``, ``columns``, ``skip_bad_rows``) apply to a user's file only.
    The frame's ``attrs`` hold ``dataset``, ``task``, ``from_cache`` and ``notes``: what the
    user must be told about these rows (:data:`schema.NOTES`; e.g. WANLI's 100-row sample
    standing in for the release), on every load, cached or not.
    """
    from littlehuman.data import custom

    if custom.is_custom_path(str(name)):
        df, report = custom.load_custom(name, seed=seed, **custom_options)
        # the bad rows' problems as shown, not all of them: pandas copies attrs into every
        # frame made from this one (a reviewer: 10,000 skipped rows made a dry run 7x slower)
        df.attrs.update(dataset=report.name, task=report.task, from_cache=False,
                        report={**report.__dict__,
                                "problems": report.problems[:custom.SHOWN_PROBLEMS]})
        df.attrs[schema.NOTES] = []
        return df
    if custom_options:
        raise LittleHumanError(
            f"options {sorted(custom_options)} apply only to your own dataset file, not to {name!r}"
        )
    spec = get(name)
    module = spec.loader()
    raw_dir = paths.raw_data_dir(data_dir) / spec.name
    files = module.source_files(raw_dir)
    expected = {
        "dataset": spec.name,
        "seed": seed,
        "loader_version": processed.loader_version(module),
        "sources": processed.source_digests(files, raw_dir),
    }
    folder = paths.cache_dir() / "processed" / spec.name
    df = processed.read_if_fresh(folder, expected) if use_cache else None
    from_cache = df is not None
    if df is None:
        df = module.load_raw(raw_dir, seed=seed)
        if use_cache:
            processed.write(folder, df, expected)
    df.attrs.update({"dataset": spec.name, "task": spec.task, "from_cache": from_cache,
                     schema.NOTES: list(df.attrs.get(schema.NOTES, []))})
    return df
