"""The learner protocol: ``fit(train, valid) -> learner`` and ``predict(rows) -> predictions``.

FV learners predict a list of ints in {0, 1}; QA learners predict a list of answer strings.
Learners are constructed by name with :func:`littlehuman.learners.make_learner`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from littlehuman.errors import LittleHumanError


def as_texts(column: pd.Series) -> list[str]:
    """A text column as strings: missing values (None, NaN) as ''."""
    return ["" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x) for x in column]


@runtime_checkable
class Learner(Protocol):
    """A trainable model over unified rows (see ``littlehuman.data.schema``).

    A learner that leaves training rows out (the encoder: QA rows without a span it can
    label) may also set ``kept_rows`` in fit(): the positions in ``train`` of the rows it
    trained on, so a run record counts the human rows among them (``n_real_trained``);
    without it, every row counts as kept where ``fit_stats`` reports no drop."""

    task: str  # "fv" | "qa"
    #: filled by fit(): timings, tokens/s, rows without a usable span, ... (JSON-able)
    fit_stats: dict[str, Any]

    def fit(self, train: pd.DataFrame, valid: pd.DataFrame | None = None) -> "Learner":
        """Train on ``train`` (model selection, if any, on ``valid`` only); return self."""
        ...

    def predict(self, rows: pd.DataFrame) -> list:
        """Predictions aligned with ``rows``: ints for FV, strings for QA."""
        ...

    def save(self, directory: Path) -> None:
        """Write what is needed to reload the fitted learner into ``directory``."""
        ...


def check_rows(rows: pd.DataFrame, task: str, learner: str, where: str, with_target: bool) -> None:
    """The columns a learner reads are present (and FV labels are 0/1 when ``with_target``)."""
    need = ["context", "claim"] if task == "fv" else ["context", "question"]
    if with_target:
        need.append("label" if task == "fv" else "answer")
    missing = [c for c in need if c not in rows.columns]
    if missing:
        raise LittleHumanError(f"{learner} {task} learner: {where} rows lack column(s) {missing}")
    if with_target and task == "fv" and not rows["label"].isin([0, 1]).all():
        raise LittleHumanError(f"{learner} fv learner: {where} labels must all be 0 or 1")


def write_meta(directory: Path, learner: str, task: str, seed: int, params: dict[str, Any],
               fit_stats: dict[str, Any]) -> None:
    """``learner.json`` beside a saved learner's weights: what :func:`read_meta` rebuilds from."""
    meta = {"learner": learner, "task": task, "seed": seed, "params": params,
            "fit_stats": fit_stats}
    (Path(directory) / "learner.json").write_text(json.dumps(meta, indent=2))


def read_meta(directory: Path, learner: str, weights: str) -> dict[str, Any]:
    """The ``learner.json`` of a saved ``learner`` whose weights are in ``directory/weights``."""
    directory = Path(directory)
    meta_file = directory / "learner.json"
    if not meta_file.is_file() or not (directory / weights).is_dir():
        raise LittleHumanError(
            f"{directory} holds no saved {learner} learner (learner.json and {weights}/)")
    meta = json.loads(meta_file.read_text())
    if meta.get("learner") != learner:
        raise LittleHumanError(
            f"{directory} holds a {meta.get('learner')!r} learner, not a {learner} one")
    return meta
