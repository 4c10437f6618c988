"""Test helper: a slow 8-run sweep on an invented FV fixture, for the kill test.

Usage: ``python tests/helpers/sweep_worker.py STORE_DIR [SLEEP_S]``. Each fit sleeps
SLEEP_S seconds; after each run is stored it prints ``DONE <key>``. tests/test_runs.py
SIGKILLs it mid-sweep, then reruns the same sweep in-process through this module.
All rows here are invented fixtures, not dataset text.
"""
from __future__ import annotations

import functools
import sys
import time
from typing import Any

import pandas as pd

from littlehuman.data.schema import finalize
from littlehuman.learners import make_learner
from littlehuman.learners.baseline import MajorityLearner
from littlehuman.executors import run_missing
from littlehuman.runs import RunSpec, RunStore, execute

DATASET = "toyfv"


def fixture_rows(n_train: int = 40, n_valid: int = 8, n_test: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invented real FV rows (a third of train labelled 1) and one twin per train row,
    every twin labelled 1 (a label shift that moves the majority baseline)."""
    rows = []
    for split, count in (("train", n_train), ("valid", n_valid), ("test", n_test)):
        for i in range(count):
            rows.append({
                "row_id": f"{DATASET}-{split}-{i:03d}", "split": split,
                "context_id": f"{split}-ctx-{i // 2}",
                "context": f"Invented evidence sentence {i} about the {split} fixture.",
                "claim": f"Invented claim number {i}.",
                "label": int(i % 3 == 0), "meta": "",
            })
    real = finalize(pd.DataFrame(rows), DATASET, "fv", sources={})  # invented: no file
    train = real[real["split"] == "train"]
    synthetic = train.assign(
        source_row_id=train["row_id"], row_id="syn-" + train["row_id"],
        claim="Synthetic claim about " + train["context_id"], label=1,
    ).reset_index(drop=True)
    return real, synthetic


def accuracy(task: str, preds: list, golds: list) -> dict[str, float]:
    """A stand-in scorer: FV accuracy."""
    return {"accuracy": sum(int(p == g) for p, g in zip(preds, golds)) / len(golds)}


class SleepyMajority(MajorityLearner):
    """The majority learner with a slow fit (``sleep_s`` seconds)."""

    def __init__(self, task: str, seed: int = 0, sleep_s: float = 0.0, **ignored: Any) -> None:
        super().__init__(task, seed)
        self.sleep_s = sleep_s

    def fit(self, train: pd.DataFrame, valid: pd.DataFrame | None = None) -> "SleepyMajority":
        time.sleep(self.sleep_s)
        super().fit(train, valid)
        return self


def factory(name: str, task: str, seed: int = 0, **params: Any) -> Any:
    if name == "sleepy":
        return SleepyMajority(task, seed=seed, **params)
    return make_learner(name, task, seed=seed, **params)


def specs(sleep_s: float) -> list[RunSpec]:
    return [RunSpec.make(DATASET, "sweep", 20, f, s, "fixture", "sleepy", {"sleep_s": sleep_s})
            for s in (0, 1) for f in (0.0, 0.25, 0.5, 1.0)]


RUN = functools.partial(execute, learner_factory=factory, scorer=accuracy)


class PrintingStore(RunStore):
    def write(self, spec, record, predictions):  # type: ignore[override]
        folder = super().write(spec, record, predictions)
        print(f"DONE {spec.key()}", flush=True)
        return folder


def main(argv: list[str]) -> None:
    store_dir, sleep_s = argv[0], float(argv[1]) if len(argv) > 1 else 0.4
    real, synthetic = fixture_rows()
    counts = run_missing(specs(sleep_s), real, synthetic, PrintingStore(store_dir),
                       progress=False, run=RUN)
    print(f"COUNTS {counts['skipped']} {counts['ran']}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
