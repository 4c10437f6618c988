"""The majority baseline: FV predicts the most common training label, QA the most common
training answer (compared lower-cased and stripped, as the QA metrics compare them).

An honest floor for every table, and the learner tests use because it fits instantly.
Ties go to the smallest value (label 0; the alphabetically first answer).
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from littlehuman.errors import LittleHumanError
from littlehuman.learners.base import as_texts

FILENAME = "majority.json"


class MajorityLearner:
    """Predicts one constant, learned from the training rows; ignores other parameters."""

    def __init__(self, task: str, seed: int = 0, **ignored: Any) -> None:
        if task not in ("fv", "qa"):
            raise LittleHumanError(f"unknown task {task!r}: use 'fv' or 'qa'")
        self.task = task
        self.seed = seed
        self.value: int | str | None = None
        self.fit_stats: dict[str, Any] = {}

    def fit(self, train: pd.DataFrame, valid: pd.DataFrame | None = None) -> "MajorityLearner":
        """Learn the majority value of ``train`` (``valid`` is not needed)."""
        start = time.perf_counter()
        column = "label" if self.task == "fv" else "answer"
        if len(train) == 0 or column not in train.columns:
            raise LittleHumanError(f"majority learner: the training rows have no {column!r} values")
        if self.task == "fv":
            values = train[column].astype(int)
        else:
            # as the other learners read answers: a missing one is "", not "nan"
            values = pd.Series(as_texts(train[column])).str.strip().str.lower()
        counts = values.value_counts()
        top = int(counts.max())
        value = min(v for v, c in counts.items() if c == top)
        self.value = int(value) if self.task == "fv" else str(value)
        self.fit_stats = {
            "n_train": int(len(train)),
            "majority": self.value,
            "majority_share": float(top / len(train)),
            "fit_s": time.perf_counter() - start,
        }
        return self

    def predict(self, rows: pd.DataFrame) -> list:
        """The majority value once per row."""
        if self.value is None:
            raise LittleHumanError("majority learner: call fit() (or load()) before predict()")
        return [self.value] * len(rows)

    def save(self, directory: Path) -> None:
        """Write ``majority.json`` into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        state = {"task": self.task, "seed": self.seed, "value": self.value, "fit_stats": self.fit_stats}
        (directory / FILENAME).write_text(json.dumps(state, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "MajorityLearner":
        """Reload a learner written by :meth:`save`."""
        path = Path(directory) / FILENAME
        if not path.is_file():
            raise LittleHumanError(f"no saved majority learner at {path}: save() one there first")
        state = json.loads(path.read_text(encoding="utf-8"))
        learner = cls(task=state["task"], seed=state["seed"])
        learner.value, learner.fit_stats = state["value"], state["fit_stats"]
        return learner
