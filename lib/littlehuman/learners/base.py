"""The learner protocol: ``fit(train, valid) -> learner`` and ``predict(rows) -> predictions``.

FV learners predict a list of ints in {0, 1}; QA learners predict a list of answer strings.
Learners are constructed by name with :func:`littlehuman.learners.make_learner`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class Learner(Protocol):
    """A trainable model over unified rows (see ``littlehuman.data.schema``)."""

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
