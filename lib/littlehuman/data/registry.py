"""The registry of dataset names: task, loader module and per-dataset settings (PROTOCOL)."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from littlehuman.errors import LittleHumanError


@dataclass(frozen=True)
class DatasetSpec:
    """What littlehuman knows about one of the paper's datasets.

    ``module`` is the loader module under ``littlehuman.data``; it exposes
    ``source_files(raw_dir) -> list[Path]``, ``load_raw(raw_dir, seed=42) -> DataFrame`` and
    ``REMOTE: list[RemoteFile]``.
    """

    name: str
    task: str  # "fv" | "qa"
    module: str
    title: str
    n_sweep: int  # PROTOCOL experiment 1: the training size (the split capped at this)
    max_seq_len: int
    max_new_tokens: int | None = None  # QA only
    small: bool = False  # SciFact: the experiments use sizes / 10
    sentence_per_line: bool = False  # FEVER: the context is its evidence sentences, one a line

    def loader(self) -> ModuleType:
        return importlib.import_module(f"littlehuman.data.{self.module}")


DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in [
        DatasetSpec("fever", "fv", "fever", "FEVER (gold evidence)", 5000, 100,
                    sentence_per_line=True),
        DatasetSpec("scifact", "fv", "scifact", "SciFact (entailment)", 500, 512, small=True),
        DatasetSpec("wanli", "fv", "wanli", "WANLI", 5000, 150),
        DatasetSpec("factify", "fv", "factify", "FACTIFY 1.0 (text-only)", 5000, 800),
        DatasetSpec("ropes", "qa", "ropes", "ROPES", 5000, 400, 5),
        DatasetSpec("coqa", "qa", "coqa", "CoQA (first turn)", 5000, 512, 10),
        DatasetSpec("qaconv", "qa", "qaconv", "QAConv", 5000, 512, 5),
        DatasetSpec("fairytaleqa", "qa", "fairytaleqa", "FairyTaleQA", 5000, 400, 15),
    ]
}


def names() -> list[str]:
    """Every registered dataset name, in the paper's order (FV first, then QA)."""
    return list(DATASETS)


def find(name: str) -> DatasetSpec | None:
    """The spec of a registered dataset (the name's case and spaces aside), None for any other
    name (the user's own file)."""
    return DATASETS.get(str(name).strip().lower())


def get(name: str) -> DatasetSpec:
    """The spec of a dataset; an unknown name is a LittleHumanError listing the known ones."""
    spec = find(name)
    if spec is None:
        raise LittleHumanError(
            f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)} "
            "or give your own CSV/JSONL/parquet file, a folder of train.*/test.* files or "
            "train=FILE,test=FILE"
        )
    return spec
