"""What the zoom and trade-off experiments share: their run specs, training the missing runs,
reading finished runs from the store, bootstrap intervals over seeds, and JSON-able output."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from littlehuman import runs, stats
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError
from littlehuman.pipeline import Experiment
from littlehuman.runs import RunSpec

ZOOM, TRADEOFF = "zoom", "tradeoff"


def _eval_rows(exp: Experiment, train: pd.DataFrame) -> pd.DataFrame:
    """``train`` plus the (capped) valid and test rows every run of ``exp`` sees."""
    rest = exp.eval_rows[exp.eval_rows["split"] != "train"]
    return pd.concat([train, rest], ignore_index=True)


def _spec(exp: Experiment, experiment: str, n: int, fraction: float, seed: int) -> RunSpec:
    """A run of this experiment. Zoom and trade-off training sets are drawn from rows that
    start with the sweep's pool, so the pool size is part of their name (``zoom@pool200``):
    another ``--n-train`` never reuses their records."""
    params = exp.learner_params()
    params.pop("progress", None)
    if experiment in (ZOOM, TRADEOFF):
        experiment = f"{experiment}@pool{exp.n}"
    return RunSpec.make(exp.name, experiment, n, fraction, seed, exp.generator_id,
                        exp.profile.learner, params)


def _run(exp: Experiment, specs: list[RunSpec], real: pd.DataFrame, synthetic: pd.DataFrame,
         executor: runs.Executor, progress: bool) -> dict[str, int]:
    """Train the specs the store lacks, as :meth:`Experiment.run_sweep` does (local workers
    or SLURM, as the profile says)."""
    from littlehuman.executors import make_executor

    return runs.run_sweep(specs, real, synthetic, exp.store, progress=progress,
                          executor=executor, jobs=exp.profile.jobs,
                          backend=make_executor(exp.profile))


def _run_row(exp: Experiment, spec: RunSpec) -> dict[str, Any] | None:
    rec = exp.store.get(spec)
    if rec is None:
        return None
    metrics = dict(rec["metrics"])
    return {"seed": spec.seed, "n_test": metrics.pop("n", None), **metrics,
            "fit_s": rec["timings_s"].get("fit"), "key": rec["key"]}


def _missing(exp: Experiment, notebook: str) -> LittleHumanError:
    return LittleHumanError(f"{exp.name}: no finished {notebook} runs for this profile: run "
                            f"`python run_all.py --dataset {exp.name} --notebooks "
                            f"{'03' if notebook == ZOOM else '04'}` first")


def _intervals(exp: Experiment, cells: dict[tuple, dict[int, RunSpec]], names: list[str],
               metrics: list[str], n_boot: int, level: float) -> pd.DataFrame:
    """Per cell and metric: the mean over seeds and a bootstrap CI resampling seeds, then test
    examples (as :meth:`Experiment.intervals`). Cells without a finished run are skipped."""
    rows = []
    for key, per_seed in cells.items():
        scores = {s: exp.per_example_scores(spec) for s, spec in per_seed.items()
                  if exp.store.has(spec)}
        if not scores:
            continue
        for m in metrics:
            est, low, high = stats.hierarchical_bootstrap(
                {s: df[m].to_numpy(dtype=float) for s, df in scores.items()}, n_boot=n_boot,
                level=level, seed=schema.stable_seed(exp.name, "ci", *key, m))
            rows.append({**dict(zip(names, key)), "metric": m, "mean": est, "low": low,
                         "high": high, "seeds": len(scores)})
    return pd.DataFrame(rows, columns=[*names, "metric", "mean", "low", "high", "seeds"])


def _finite(value: Any) -> bool:
    return value is not None and not pd.isna(value) and math.isfinite(float(value))


def _jsonable(value: Any) -> Any:
    """``value`` with numpy scalars turned into Python ones, NaN/NA into None, tuples into
    lists (so ``json.dumps`` takes it as it is)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value
