"""Runs: what one run is (:class:`RunSpec`), doing it (:func:`execute`) and keeping its result
(:class:`RunStore`). Where many runs happen (this process, worker processes, SLURM) is
:mod:`littlehuman.executors`.

Store layout: ``<root>/<dataset>/<experiment>/<key>/{predictions.parquet,record.json}``.
Both files are written atomically (temp file in the same folder, fsync, rename), the
predictions first, so a ``record.json`` means the run is complete (one whose predictions were
deleted since counts as not finished, and is done again). A killed writer can
leave hidden ``.*.tmp`` files behind; they are never read. Beside each run's folder,
``.<key>.lock`` is the lock a process holds while it trains that run (:meth:`RunStore.lock`),
so two processes sweeping the same store pay each run once.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import platform
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
from filelock import FileLock

import littlehuman
from littlehuman.errors import LittleHumanError
from littlehuman.learners import make_learner
from littlehuman.mixing import replacement_mix
from littlehuman.paths import atomic_write

Params = tuple[tuple[str, Any], ...]
Scorer = Callable[[str, list, list], dict]
#: does one run: ``run(spec, real, synthetic) -> (record, predictions)`` (:func:`execute`)
RunFn = Callable[["RunSpec", pd.DataFrame, pd.DataFrame], tuple[dict, pd.DataFrame]]


def _freeze(value: Any) -> Any:
    """A hashable, JSON-able form of a hyper-parameter value."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    raise LittleHumanError(
        f"learner parameter value {value!r} is not a number, string, bool, None or list of them"
    )


def _thaw(value: Any) -> Any:
    return [_thaw(v) for v in value] if isinstance(value, tuple) else value


@dataclass(frozen=True)
class RunSpec:
    """One run: which training set (dataset, experiment, n, fraction, seed, generator) and
    which learner. Fields are normalised (ints, float fraction, sorted params), so equal
    specs have equal :meth:`key`. ``evaluation`` holds the settings of the rows a run sees
    besides its training set where they are not its named profile's
    (:meth:`littlehuman.study.Study.evaluation`); empty, it is left out of :meth:`to_dict`, so
    the keys of runs made before it existed stay what they were."""

    dataset: str
    experiment: str
    n: int
    fraction: float
    seed: int
    generator: str
    learner: str
    learner_params: Params = ()
    evaluation: Params = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "n", int(self.n))
        set_(self, "fraction", float(self.fraction))
        set_(self, "seed", int(self.seed))
        for name in ("learner_params", "evaluation"):
            params = getattr(self, name)
            items = params.items() if isinstance(params, Mapping) else params
            set_(self, name, tuple(sorted((str(k), _freeze(v)) for k, v in items)))

    @classmethod
    def make(cls, dataset: str, experiment: str, n: int, fraction: float, seed: int,
             generator: str, learner: str, learner_params: Mapping[str, Any] | None = None,
             evaluation: Mapping[str, Any] | None = None) -> "RunSpec":
        """Build a spec with ``learner_params`` and ``evaluation`` given as dicts."""
        return cls(dataset, experiment, n, fraction, seed, generator, learner,
                   tuple((learner_params or {}).items()), tuple((evaluation or {}).items()))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields; ``learner_params`` and ``evaluation`` as dicts, the latter
        only when not empty."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in ("learner_params", "evaluation"):
            out[name] = {k: _thaw(v) for k, v in getattr(self, name)}
        if not out["evaluation"]:
            del out["evaluation"]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RunSpec":
        """Inverse of :meth:`to_dict`."""
        names = [f.name for f in dataclasses.fields(cls)]
        missing = [n for n in names if n not in data and n != "evaluation"]
        if missing:
            raise LittleHumanError(f"run spec {dict(data)} lacks field(s) {missing}")
        return cls(**{n: data[n] for n in names if n in data})

    def key(self) -> str:
        """16 hex digits of the sha256 of the spec's canonical JSON (stable across processes)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


class RunStore:
    """Finished runs on disk, one folder per spec key."""

    RECORD = "record.json"
    PREDICTIONS = "predictions.parquet"

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, spec: RunSpec) -> Path:
        """The run's folder: ``<root>/<dataset>/<experiment>/<key>``."""
        for name in (spec.dataset, spec.experiment):
            if name in ("", ".", "..") or "/" in name or os.sep in name:
                raise LittleHumanError(f"{name!r} cannot name a run folder: use a plain name")
        return self.root / spec.dataset / spec.experiment / spec.key()

    def has(self, spec: RunSpec) -> bool:
        """Whether the run finished: its record and its predictions exist (a run whose
        predictions were deleted is not finished, so a sweep does it again). An unreadable
        record is a LittleHumanError saying what to do, here, before anything is built on it."""
        folder = self.path(spec)
        if not (folder / self.RECORD).is_file() or not (folder / self.PREDICTIONS).is_file():
            return False
        _read_record(folder / self.RECORD)
        return True

    def beside(self, spec: RunSpec, suffix: str) -> Path:
        """A hidden file beside the run's folder, ``.<key><suffix>`` (its lock, a SLURM
        sweep's mark): there before the run's folder is, and never read as a run."""
        folder = self.path(spec)
        return folder.parent / f".{folder.name}{suffix}"

    def lock(self, spec: RunSpec) -> FileLock:
        """The inter-process lock of one run: ``.<key>.lock`` beside its folder (created with
        the parent folders). Hold it while training the run; re-check :meth:`has` after
        acquiring, since another process may have finished the run meanwhile."""
        path = self.beside(spec, ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(path))

    def get(self, spec: RunSpec) -> dict[str, Any] | None:
        """The run's record, or None when it has not finished (:meth:`has`)."""
        folder = self.path(spec)
        if not (folder / self.RECORD).is_file() or not (folder / self.PREDICTIONS).is_file():
            return None
        return _read_record(folder / self.RECORD)

    def predictions(self, spec: RunSpec) -> pd.DataFrame:
        """The run's test predictions (row_id, prediction, gold). Read once per version of
        the file (:func:`_read_predictions`: a rewritten run is read again); each call
        returns its own copy."""
        path = self.path(spec) / self.PREDICTIONS
        if not path.is_file():
            raise LittleHumanError(f"no predictions at {path}: run the sweep for this spec first")
        try:
            return _read_predictions(path).copy()
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise LittleHumanError(f"unreadable run predictions {path} ({exc}): delete its "
                                   "folder and rerun to redo that run") from exc

    def write(self, spec: RunSpec, record: Mapping[str, Any], predictions: pd.DataFrame) -> Path:
        """Store a finished run atomically: any old record removed, the predictions, then the
        record (so a run counts as finished only with both, of one fit). An OSError
        (disk full, read-only...) names the run's folder."""
        folder = self.path(spec)
        full = {**record, "key": spec.key(), "spec": spec.to_dict()}
        text = json.dumps(full, indent=1, default=_json_default).encode("utf-8")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # a run redone: its old record goes first, or a kill between the two writes left
            # the old record beside the new predictions, read as one run (a reviewer's find)
            (folder / self.RECORD).unlink(missing_ok=True)
            atomic_write(folder / self.PREDICTIONS,
                         lambda h: predictions.to_parquet(h, index=False))
            _forget_predictions(folder / self.PREDICTIONS)
            atomic_write(folder / self.RECORD, lambda h: h.write(text))
        except OSError as exc:
            if exc.filename:
                raise
            raise OSError(exc.errno, exc.strerror or str(exc), str(folder)) from exc
        return folder

    def records(self, dataset: str | None = None, experiment: str | None = None) -> pd.DataFrame:
        """One row per finished run: key, spec fields (their dicts as JSON), train composition,
        total seconds, finish time and the metrics, each metric its own column."""
        spec_cols = ["key"] + [f.name for f in dataclasses.fields(RunSpec)]
        pattern = f"{dataset or '*'}/{experiment or '*'}/*/{self.RECORD}"
        rows = []
        for path in sorted(self.root.glob(pattern)):
            if not (path.parent / self.PREDICTIONS).is_file():
                continue  # not finished (:meth:`has`)
            rec = _read_record(path)
            row = {"key": rec["key"], **rec["spec"]}
            for name in ("learner_params", "evaluation"):
                row[name] = json.dumps(row.get(name, {}), sort_keys=True)
            train = rec.get("train", {})
            row.update({k: train.get(k) for k in ("n_real", "n_synthetic")})
            row["total_s"] = rec.get("timings_s", {}).get("total")
            row["finished_utc"] = rec.get("finished_utc")
            for name, value in rec.get("metrics", {}).items():
                row[f"metric_{name}" if name in row else name] = value
            rows.append(row)
        if not rows:
            return pd.DataFrame(columns=spec_cols)
        frame = pd.DataFrame(rows)
        order = ["dataset", "experiment", "n", "fraction", "seed", "key"]
        return frame.sort_values(order, kind="stable").reset_index(drop=True)


#: prediction files read lately, newest last: (absolute path, inode, mtime_ns, size) -> frame
_PREDICTIONS_READ: OrderedDict[tuple[str, int, int, int], pd.DataFrame] = OrderedDict()
_PREDICTIONS_KEPT = 256  # a few thousand test rows each: tens of MB at most
_PREDICTIONS_LOCK = threading.Lock()


def _read_predictions(path: Path) -> pd.DataFrame:
    """``pd.read_parquet(path)``, kept for the next call while the file is unchanged (same
    inode, mtime and size; a run rewritten by another process is a new file, and
    :meth:`RunStore.write` forgets the files it writes) and among the last
    ``_PREDICTIONS_KEPT`` read: a summary reads each run several times (records, intervals,
    paired drops). The frame returned is the kept one: copy it before handing it on."""
    st = os.stat(path)
    key = (os.path.abspath(path), st.st_ino, st.st_mtime_ns, st.st_size)
    with _PREDICTIONS_LOCK:
        frame = _PREDICTIONS_READ.get(key)
        if frame is not None:
            _PREDICTIONS_READ.move_to_end(key)
            return frame
    frame = pd.read_parquet(path)
    with _PREDICTIONS_LOCK:
        _PREDICTIONS_READ[key] = frame
        while len(_PREDICTIONS_READ) > _PREDICTIONS_KEPT:
            _PREDICTIONS_READ.popitem(last=False)
    return frame


def _forget_predictions(path: Path) -> None:
    """Drop what :func:`_read_predictions` kept of ``path`` (this process rewrote it: a new
    file could share the old one's inode, mtime and size within the clock's granularity)."""
    where = os.path.abspath(path)
    with _PREDICTIONS_LOCK:
        for key in [k for k in _PREDICTIONS_READ if k[0] == where]:
            del _PREDICTIONS_READ[key]


def _read_record(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        return record
    except (OSError, ValueError) as exc:
        raise LittleHumanError(
            f"unreadable run record {path} ({exc}): delete its folder and rerun to redo that run"
        ) from exc


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def _code_state() -> tuple[str | None, bool | None]:
    """The commit the package runs from and whether tracked files differ, taken once a process
    (5 ms here), at its first record: the code a process runs is what it imported, so a
    commit or edit made while it trains does not change what its later records name."""
    from littlehuman.provenance import git_state

    state = git_state()
    return state.get("commit"), state.get("dirty")


def _versions() -> dict[str, Any]:
    out: dict[str, Any] = {"python": platform.python_version()}
    out.update({name: _dist_version(name) for name in ("torch", "transformers", "pandas")})
    out["littlehuman"] = littlehuman.__version__
    out["commit"], out["dirty"] = _code_state()  # the ledger names the code that trained it
    return out


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


Mix = Callable[["RunSpec", pd.DataFrame, pd.DataFrame], pd.DataFrame]


def execute(
    spec: RunSpec,
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    learner_factory: Callable[..., Any] = make_learner,
    scorer: Scorer | None = None,
    mix: Mix | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Do one run: mix the training set, fit, predict the real test rows, score.

    ``real`` holds one dataset's real rows of all splits; ``synthetic`` its twins. The
    training set is :func:`replacement_mix` of the real train rows (or ``mix(spec, train
    rows, synthetic)``, which returns rows with a bool ``is_synthetic``, for experiments
    mixed another way, e.g. the trade-off); ``valid`` rows go to
    ``fit`` for model selection; the test rows are predicted and scored with
    ``scorer(task, preds, golds)`` (default :func:`littlehuman.metrics.score`). Returns the
    record (spec, metrics, fit_stats, timings, train composition, versions, host, times)
    and the predictions (row_id, prediction, gold, and with the default scorer one
    ``score:<metric>`` column of per-example scores for bootstrap intervals).
    """
    started, t_start = _utc_now(), time.perf_counter()
    task = "fv" if "claim" in real.columns else "qa"
    if "dataset" in real.columns:
        found = sorted(real["dataset"].astype(str).unique())
        if found != [spec.dataset]:
            raise LittleHumanError(
                f"the run is for dataset {spec.dataset!r} but the real rows are from {found}: "
                "pass that dataset's rows"
            )
    split = real["split"].astype(str)
    train_pool, valid, test = (real[split == s] for s in ("train", "valid", "test"))
    if len(test) == 0:
        raise LittleHumanError(f"{spec.dataset}: no test rows to evaluate on: load the test split")
    timings: dict[str, float] = {}

    tick = time.perf_counter()
    if mix is None:
        train = replacement_mix(train_pool, synthetic, spec.n, spec.fraction, spec.seed,
                                spec.dataset, spec.experiment)
    else:
        train = mix(spec, train_pool, synthetic)
    timings["mix"] = time.perf_counter() - tick

    tick = time.perf_counter()
    learner = learner_factory(spec.learner, task, seed=spec.seed, **dict(spec.learner_params))
    learner.fit(train, valid if len(valid) else None)
    timings["fit"] = time.perf_counter() - tick

    tick = time.perf_counter()
    preds = list(learner.predict(test))
    timings["predict"] = time.perf_counter() - tick
    if len(preds) != len(test):
        raise LittleHumanError(
            f"learner {spec.learner!r} returned {len(preds)} predictions for {len(test)} test rows"
        )

    tick = time.perf_counter()
    golds = test["label" if task == "fv" else "answer"].tolist()
    per_example = None
    if scorer is None:  # the default keeps per-example scores for bootstrap intervals
        from littlehuman.metrics import per_example as score_each

        per_example = score_each(task, preds, golds)
        metrics = {**{m: float(per_example[m].mean()) for m in per_example.columns},
                   "n": len(per_example)}
    else:
        metrics = dict(scorer(task, preds, golds))
    timings["score"] = time.perf_counter() - tick
    timings["total"] = time.perf_counter() - t_start

    synthetic_rows = int(train["is_synthetic"].sum())
    composition = {"n_rows": len(train), "n_real": len(train) - synthetic_rows,
                   "n_synthetic": synthetic_rows, "n_valid": len(valid), "n_test": len(test)}
    kept = getattr(learner, "kept_rows", None)  # the rows it trained on, where it says
    if kept is not None:
        composition["n_real_trained"] = int((~train["is_synthetic"].to_numpy(bool)[
            np.asarray(kept, dtype=int)]).sum())
    if task == "fv":
        composition["n_label1"] = int((train["label"] == 1).sum())
    # real output: twins that came from a re-ask, and rows whose own twin is missing (every
    # ask unusable) and that took a spare's twin instead (``mixing.replacement_mix``)
    if "attempt" in synthetic.columns:
        reasked = set(synthetic.loc[synthetic["attempt"] > 0, "row_id"].astype(str))
        composition["n_reasked_twins"] = int(
            (train["is_synthetic"] & train["row_id"].astype(str).isin(reasked)).sum())
    if "spare_twin" in train.columns:
        composition["n_spare_twins"] = int(train["spare_twin"].sum())
    record = {
        "key": spec.key(), "spec": spec.to_dict(), "task": task, "metrics": metrics,
        "fit_stats": dict(getattr(learner, "fit_stats", {}) or {}), "train": composition,
        "timings_s": timings, "versions": _versions(), "hostname": socket.gethostname(),
        "started_utc": started, "finished_utc": _utc_now(),
    }
    predictions = pd.DataFrame({"row_id": test["row_id"].astype(str).to_numpy(),
                                "prediction": preds, "gold": golds})
    if per_example is not None:  # one column per metric: "score:<metric>"
        for m in per_example.columns:
            predictions[f"score:{m}"] = per_example[m].to_numpy()
    return record, predictions

