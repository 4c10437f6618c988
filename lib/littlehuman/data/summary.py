"""A table of the datasets that can be found: ``python run_all.py --list-datasets``."""
from __future__ import annotations

import os
import warnings

import pandas as pd

from littlehuman import data, paths
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError


def describe(df: pd.DataFrame, task: str) -> dict[str, object]:
    """Rows per split, label balance (FV: share of label 1) and median word counts."""
    counts = df["split"].value_counts()
    target = schema.target_column(task)  # type: ignore[arg-type]
    words = lambda col: float(df[col].str.split().str.len().median())  # noqa: E731
    row: dict[str, object] = {s: int(counts.get(s, 0)) for s in schema.SPLITS}
    row["label=1"] = f"{df['label'].mean():.0%}" if task == "fv" else "-"
    row["ctx words"] = words("context")
    row["target words"] = words(target) if task == "fv" else f"{words(target):g} / {words('answer'):g}"
    return row


def table(data_dir: str | os.PathLike | None = None, seed: int = 42
          ) -> tuple[pd.DataFrame, dict[str, str], dict[str, str], dict[str, list[str]]]:
    """(table of the datasets loaded, {name: why not found} for those whose files are missing,
    {name: why not usable} for those whose files are there but do not load, {name: the
    loader's notes} for the loaded ones that have some, e.g. WANLI's 100-row sample)."""
    rows, missing, unusable, notes = [], {}, {}, {}
    for name in data.names():
        spec = data.get(name)
        try:
            spec.loader().source_files(paths.raw_data_dir(data_dir) / spec.name)
        except LittleHumanError as e:
            missing[name] = str(e)
            continue
        try:
            with warnings.catch_warnings():  # the notes say it, once
                warnings.simplefilter("ignore")
                df = data.load(name, data_dir, seed=seed)
        except LittleHumanError as e:
            unusable[name] = str(e)
            continue
        rows.append({"dataset": name, "task": spec.task.upper(), **describe(df, spec.task)})
        if df.attrs.get(schema.NOTES):
            notes[name] = list(df.attrs[schema.NOTES])
    return pd.DataFrame(rows), missing, unusable, notes


def print_table(data_dir: str | os.PathLike | None = None, seed: int = 42) -> None:
    """Print :func:`table` (one row per dataset found), then each partial, unusable and
    missing dataset with why."""
    found, missing, unusable, notes = table(data_dir, seed)
    if len(found):
        print(found.to_string(index=False))
        print("target words: the claim (FV) or question / answer (QA); label=1: share of "
              "Supports/Entails")
    else:
        print("no dataset found")
    for name, said in notes.items():
        for note in said:
            print(f"partial data: {name}: {note}")
    for name, why in unusable.items():  # the loader names the dataset too
        print(f"unusable: {name}: {why.removeprefix(f'{name}: ')}")
    for name, why in missing.items():
        print(f"not found: {name}: {why.removeprefix(f'{name}: ')}")
