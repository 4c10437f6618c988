"""``--plan``: the runs, training tokens and GPU-hours of every experiment, before anything runs.

Per dataset and experiment: the cells each experiment declares
(:mod:`littlehuman.experiments`: ``cells(profile, shape)``, the same the runner trains), each
distinct run counted once (a zoom run at the sweep's n is a sweep run; nested trade-off sets
are trained once). Tokens of a run = training rows x epochs x mean tokens per row, the mean
taken over the dataset's real training rows (synthetic rows are assumed as long):
``words x 1.3``, or the real tokenizer of ``profile.model_dir`` when it is set, each row
capped at the max sequence length. A dataset whose raw files are missing is planned with
the PROTOCOL sizes and rows assumed to fill the max sequence length (an upper bound), and
is marked "estimated without data". GPU-hours = tokens / tokens-per-second, ours and the
authors' configuration's, each from a line of a micro-batch's time against its tokens
(:class:`StepTime`: a fixed overhead, then a time per token) through two rates measured on a
GPU, at micro-batches of the profile's batch size (the authors': one row) of the dataset's
mean length: short rows leave a step bound by the overhead, long ones by the compute.
Evaluation (predicting the test rows, greedy decoding for QA) is not in the hours:
``eval_rows`` says how many rows it predicts.

With ``measure`` (``--plan-measure``) the encoder learner is timed on this machine instead, as
the profile builds it (:func:`measure_encoder`): one epoch on a sample of each dataset's train
rows gives its training tokens/s and what a fit costs beside its steps (loading the model,
encoding the rows), a prediction of a sample of its test rows the rows predicted a second; the
hours are then hours on this machine's clock of training and of predicting the test rows.
"""
from __future__ import annotations

import json
import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from littlehuman import data, experiments, learners
from littlehuman.config import Profile
from littlehuman.data import schema, wanli
from littlehuman.errors import LittleHumanError
from littlehuman.experiments.grid import Shape

@dataclass(frozen=True)
class StepTime:
    """Seconds of one forward-backward micro-batch of T tokens: ``overhead_s + s_per_token * T``
    (what launching its kernels costs whatever its size, then the compute that grows with it),
    the line through two measured ``(tokens per micro-batch, tokens/s)`` points."""

    overhead_s: float
    s_per_token: float

    @classmethod
    def through(cls, first: tuple[float, float], second: tuple[float, float]) -> "StepTime":
        (t1, r1), (t2, r2) = first, second
        slope = (t2 / r2 - t1 / r1) / (t2 - t1)
        return cls(overhead_s=t1 / r1 - slope * t1, s_per_token=slope)

    def tokens_per_s(self, tokens: float) -> float:
        """Training tokens/s of micro-batches of ``tokens`` tokens."""
        return tokens / (self.overhead_s + self.s_per_token * tokens)


def _batches_measured(batches: dict[str, list[int]]) -> str:
    """"batch 8 and 64", or per task where the tasks were measured at different batches."""
    said = {task: " and ".join(map(str, pair)) for task, pair in batches.items()}
    if len(set(said.values())) == 1:
        return f"batch {next(iter(said.values()))}"
    return "batch " + "; ".join(f"{said[task]} ({task.upper()})" for task in said)


#: the measured points (tokens per micro-batch, tokens/s), with the device and the gpu_check
#: tables they came from: written by bench/plan_points.py from a GPU session's results
#: (bench/gpu_results/), so that a new session updates the plan without arithmetic by hand.
#: Ours (bf16, packing for QA): per task, batch 8 and a larger batch; the authors' configuration
#: (fp32, batch 1, QA grad-accum 2, gradient checkpointing), measured at one length per task:
#: one line through FV's and QA's points stands for both (the same configuration; neither
#: task uses cuDNN's attention in fp32)
GPU_RATES = json.loads((Path(__file__).with_name("gpu_rates.json")).read_text())
OURS_POINTS = {task: tuple(map(tuple, pts)) for task, pts in GPU_RATES["ours"].items()}
AUTHORS_POINTS = tuple(map(tuple, GPU_RATES["authors"]))
OURS_STEP = {task: StepTime.through(*points) for task, points in OURS_POINTS.items()}
AUTHORS_STEP = {task: StepTime.through(*AUTHORS_POINTS) for task in OURS_POINTS}
#: the micro-batch token range each model was measured on (outside it: extrapolated)
MEASURED_TOKENS = {"ours": {t: (p[0][0], p[1][0]) for t, p in OURS_POINTS.items()},
                   "authors": {t: (AUTHORS_POINTS[0][0], AUTHORS_POINTS[1][0]) for t in OURS_POINTS}}
MEASURED_ON = (f"one {GPU_RATES['device']} ({'; '.join(GPU_RATES['sources'])}): LoRA (FV r64, "
               "QA r16) on the "
               "Llama-3.1-8B architecture at FEVER's and FairyTaleQA's token lengths; ours bf16 at "
               f"{_batches_measured(GPU_RATES['ours_batches'])}, the authors' fp32 batch 1 with "
               "gradient checkpointing")
WORDS_TO_TOKENS = 1.3
SAMPLE_ROWS = 5000  # rows measured per dataset (a seeded sample when the split is larger)
NO_DATA = "estimated without data"
#: rows ``--plan-measure`` fits for one epoch, and rows it predicts, per dataset (a seeded sample)
MEASURE_TRAIN_ROWS, MEASURE_TEST_ROWS = 512, 128
COLUMNS = ["dataset", "task", "experiment", "runs", "train_rows", "epochs", "tokens_per_row",
           "train_tokens", "tokens_per_s", "gpu_hours", "authors_tokens_per_s", "authors_gpu_hours",
           "eval_rows", "eval_hours", "tokens_by", "data", "note"]


def runs_per_experiment(profile: Profile, shape: Shape,
                        notebooks: list[str] | None = None) -> dict[str, list[int]]:
    """The training rows of every distinct run, per experiment: the experiments' own cells
    (:func:`littlehuman.experiments.distinct_runs`), so the plan counts what would train;
    with ``notebooks`` (``--notebooks``, ``advise``), only the experiments they prepare."""
    return {name: sorted(c.n for c in cells)
            for name, cells in experiments.distinct_runs(profile, shape, notebooks).items()}


def grid_notes(profile: Profile, shape: Shape, notebooks: list[str] | None = None) -> list[str]:
    """How the zoom and trade-off sizes were scaled, and how many zoom cells are sweep runs
    (when both are planned)."""
    notes = list(experiments.scaling.sizes(profile, shape).notes)
    chosen = (experiments.EXPERIMENTS.values() if notebooks is None
              else experiments.for_notebooks(notebooks))
    if not {experiments.sweep, experiments.zoom} <= set(chosen):
        return notes
    zoom = experiments.zoom.cells(profile, shape)
    shared = len({c.run for c in zoom} & {c.run for c in experiments.sweep.cells(profile, shape)})
    if shared:
        notes.append(f"{shared} zoom runs at n={shape.n} are sweep runs (counted once)")
    return notes


def training_texts(rows: pd.DataFrame, task: str) -> list[str]:
    """What the learner reads per row (PROTOCOL): FV ``context | claim``; QA
    ``context | question ANSWER: answer |``."""
    context = rows["context"].astype(str)
    if task == "fv":
        return (context + " | " + rows["claim"].astype(str)).tolist()
    return (context + " | " + rows["question"].astype(str) + " ANSWER: "
            + rows["answer"].astype(str) + " |").tolist()


def read_tokens(counts: np.ndarray, max_len: int, windows: int = 1,
                fixed: np.ndarray | None = None) -> np.ndarray:
    """Tokens the learner reads of rows of ``counts`` tokens: each capped at ``max_len``. With
    ``windows`` > 1 (the encoder's QA windows, ``--qa-windows``) ``counts`` are the context's
    tokens and ``fixed`` those every window repeats (the question and the special tokens): up
    to ``windows`` windows of ``max_len``, consecutive ones sharing a quarter of it
    (``encoder.WINDOW_OVERLAP_DIVISOR``) of context, as the tokenizer's overflowing windows."""
    if windows <= 1:
        return np.minimum(counts, max_len)
    from littlehuman.learners.encoder import WINDOW_OVERLAP_DIVISOR

    fixed = np.zeros_like(counts) if fixed is None else np.asarray(fixed, dtype=float)
    stride = max_len // WINDOW_OVERLAP_DIVISOR
    room = np.maximum(max_len - fixed, stride + 1)  # context tokens one window holds
    extra = np.ceil(np.maximum(counts - room, 0) / (room - stride))
    used = np.minimum(1 + extra, windows)
    return used * fixed + np.minimum(counts + (used - 1) * stride, used * room)


# [CLS] question [SEP] context [SEP]: the tokens every QA window of a BERT-like encoder adds
PAIR_SPECIAL_TOKENS = 3


def _counts(texts: list[str], tok: Any, special: bool = False) -> np.ndarray:
    """Tokens per text: the tokenizer's (with its special tokens where ``special``: the LoRA
    learner's BOS), or words x WORDS_TO_TOKENS (words have none)."""
    if tok is None:
        return np.array([len(t.split()) for t in texts], dtype=float) * WORDS_TO_TOKENS
    ids = tok(texts, add_special_tokens=special)["input_ids"] if texts else []
    return np.array([len(i) for i in ids], dtype=float)


def row_tokens(texts: list[str], max_len: int, model_dir: str = "", windows: int = 1,
               windowed: tuple[list[str], list[str]] | None = None) -> tuple[float, str]:
    """Mean tokens per row as the learner reads them (:func:`read_tokens`), and how they were
    counted. ``windowed`` (questions, contexts) with ``windows`` > 1: the encoder's QA
    windows, each repeating the question (cut at half the max length) and
    :data:`PAIR_SPECIAL_TOKENS`."""
    tok = None
    if model_dir:
        from transformers import AutoTokenizer

        try:
            tok = AutoTokenizer.from_pretrained(str(Path(model_dir).expanduser()))
        except (OSError, ValueError) as exc:
            raise LittleHumanError(f"--model-dir {model_dir}: no tokenizer there ({exc}): give a "
                                   "local Hugging Face model folder, or leave it out to count words") from exc
        how = f"tokenizer of {Path(model_dir).name}"
    else:
        how = f"words x {WORDS_TO_TOKENS}"
    if windows > 1 and windowed is not None:
        questions, contexts = windowed
        fixed = np.minimum(_counts(questions, tok), max_len // 2) + PAIR_SPECIAL_TOKENS
        read = read_tokens(_counts(contexts, tok), max_len, windows, fixed)
        how += f", up to {windows} windows of {max_len} each repeating the question"
    else:
        read = read_tokens(_counts(texts, tok, special=True), max_len)
    return float(read.mean()) if len(read) else 0.0, how


def _reason(message: str, name: str) -> str:
    """The first clause of a loader's message, without its ``<dataset>: `` prefix."""
    if message.startswith(f"{name}: "):
        message = message[len(name) + 2:]
    return message.split(": ")[0]


def _dataset_facts(name: str, profile: Profile, data_dir: str | None,
                   custom: dict[str, Any] | None = None) -> dict[str, Any]:
    """The dataset's :class:`Shape`, test rows per run, tokens per row and notes. ``custom``:
    the options of the user's own file (``task``, ``columns``, ``skip_bad_rows``), read as
    the run reads them (:meth:`littlehuman.study.Study.create`)."""
    from littlehuman.data import custom as custom_file

    spec = data.find(name)
    max_len = learners.max_length(profile, spec)
    try:
        with warnings.catch_warnings():  # e.g. WANLI's sample-only warning: see the n note
            warnings.simplefilter("ignore")
            rows = data.load(name, data_dir, seed=profile.data_seed,
                             **custom_file.load_options(str(name), custom))
    except LittleHumanError as exc:
        if spec is None:
            raise
        return {"shape": Shape.of(spec.name, spec.task, profile, None), "eval_rows": None,
                "tokens_per_row": float(max_len), "data": NO_DATA, "max_length": max_len,
                "tokens_by": f"max length {max_len} (no rows to measure)",
                "notes": [_reason(str(exc), spec.name)]}
    task, dataset = rows.attrs["task"], rows.attrs["dataset"]
    split = rows["split"].astype(str)
    train, n_test = rows[split == "train"], int((split == "test").sum())
    sample = dataset == wanli.NAME and wanli.from_sample(rows)
    shape = Shape.of(dataset, task, profile, len(train))
    notes = []
    if shape.n < shape.wanted:
        notes.append(f"train split has {len(train)} rows < {shape.wanted}: n capped"
                     # what a run on these files trains; the full release plans far more (a
                     # reviewer read WANLI's 0.17 GPU-hours as the dataset's, not the sample's)
                     + (f" (only the release's {len(rows)}-row sample is here: the full "
                        "dataset plans as many hours as one without data)" if sample else ""))
    if len(train) > SAMPLE_ROWS:
        rng = np.random.default_rng(schema.stable_seed(dataset, "plan", profile.data_seed))
        train = train.iloc[np.sort(rng.choice(len(train), size=SAMPLE_ROWS, replace=False))]
    windows = profile.qa_windows if task == "qa" and profile.learner == "encoder" else 1
    windowed = ((train["question"].astype(str).tolist(), train["context"].astype(str).tolist())
                if windows > 1 else None)
    tokens, how = row_tokens(training_texts(train, task), max_len, profile.model_dir, windows,
                             windowed)
    return {"shape": shape, "eval_rows": min(profile.n_test, n_test) if profile.n_test else n_test,
            "tokens_per_row": tokens, "data": "sample rows" if sample else "real rows",
            "tokens_by": how, "notes": notes, "max_length": max_len, "spec": spec,
            "train": train, "test": rows[split == "test"]}


def measure_encoder(profile: Profile, spec: Any, task: str, train: pd.DataFrame,
                    test: pd.DataFrame) -> dict[str, float]:
    """The encoder learner timed on this machine as ``profile`` builds it for this dataset
    (:func:`learners.learner_params`): one epoch on a seeded sample of up to
    :data:`MEASURE_TRAIN_ROWS` of ``train`` (its own ``tokens_per_s``: non-pad tokens over the
    seconds of its steps) and ``seconds_per_row`` (those seconds over the rows given), the
    seconds a fit spends beside its steps (``fit_overhead_s``: loading the model, encoding the
    rows),
    the share of the rows it trains on (``kept_share``: QA rows whose answer it cannot find in
    their context are left out), and the test rows a prediction of up to :data:`MEASURE_TEST_ROWS` of ``test`` gets
    through a second (``rows_per_s``; None without test rows)."""
    params = {**learners.learner_params(profile, task, spec), "epochs": 1, "progress": False}

    def sample(frame: pd.DataFrame, size: int) -> pd.DataFrame:
        return frame.sample(n=min(size, len(frame)), random_state=0) if len(frame) else frame

    learner = learners.make_learner("encoder", task, seed=0, **params)
    learner.fit(sample(train, MEASURE_TRAIN_ROWS))
    stats = learner.fit_stats
    rows = sample(test, MEASURE_TEST_ROWS)
    rows_per_s = None
    if len(rows):
        start = time.perf_counter()
        learner.predict(rows)
        rows_per_s = len(rows) / max(time.perf_counter() - start, 1e-9)
    return {"tokens_per_s": float(stats["tokens_per_s"]),
            "seconds_per_row": float(stats["train_seconds"]) / max(int(stats["train_rows_in"]), 1),
            "fit_overhead_s": max(float(stats["seconds"]) - float(stats["train_seconds"]), 0.0),
            "rows_per_s": rows_per_s, "threads": int(stats["threads"]), "bf16": bool(stats["bf16"]),
            "train_rows": int(stats["train_rows_in"]), "test_rows": len(rows),
            "kept_share": int(stats["train_rows"]) / max(int(stats["train_rows_in"]), 1)}


def _given_rate(given: float | None) -> float | None:
    """A rate the user gave (``--plan-tokens-per-s``), checked; None when none was given."""
    if given is not None and not (math.isfinite(given) and given > 0):
        raise LittleHumanError(f"tokens per second must be a finite number > 0 (got {given:g}): "
                               "give a measured rate, e.g. --plan-tokens-per-s 7083")
    return None if given is None else float(given)


def _extrapolated(config: str, task: str, tokens: float) -> bool:
    """Whether ``tokens`` per micro-batch lie well outside (by over 25%) the measured range."""
    low, high = MEASURED_TOKENS[config][task]
    return not low / 1.25 <= tokens <= high * 1.25


def plan(datasets: Sequence[str], profile: Profile, data_dir: str | None = None,
         tokens_per_s: float | None = None,
         authors_tokens_per_s: float | None = None,
         notebooks: list[str] | None = None,
         custom: dict[str, Any] | None = None, measure: bool = False) -> pd.DataFrame:
    """One row per dataset and experiment: runs, training rows and tokens, our tokens/s and
    GPU-hours, the authors' configuration's, evaluation rows (not in the hours), how tokens were
    counted, whether real rows were measured, and notes. Our rate is :data:`OURS_STEP`'s for
    micro-batches of the profile's ``batch_size`` rows of the dataset's mean length, the
    authors' :data:`AUTHORS_STEP`'s for one row; ``tokens_per_s`` / ``authors_tokens_per_s``
    (one rate for every dataset) replace them. ``attrs`` hold the given rates (None: modelled)
    and the batch size. ``notebooks`` (``--notebooks``; ``advise`` runs 06 alone) keeps the
    experiments a run with those notebooks prepares; None plans them all. ``custom``: your own
    file's options (``--task``, ``--columns``, ``--skip-bad-rows``). ``measure``: the encoder
    timed here (:func:`measure_encoder`) gives ``tokens_per_s``, ``gpu_hours`` (then this machine's hours of
    training, each run's fit overhead included) and ``eval_hours``; ``attrs["measured"]`` holds
    each dataset's timing."""
    if measure and profile.learner != "encoder":
        raise LittleHumanError(
            f"--plan-measure times the encoder learner on this CPU, not {profile.learner}"
            + (": for LoRA on a GPU give a measured rate with --plan-tokens-per-s "
               "(bench/gpu_check.py measures one)" if profile.learner == "lora" else
               " (the majority learner trains nothing worth timing)"))
    if measure and (tokens_per_s is not None or authors_tokens_per_s is not None):
        raise LittleHumanError("--plan-measure and --plan-tokens-per-s are two rates: give the "
                               "one to use")
    ours_given, authors_given = _given_rate(tokens_per_s), _given_rate(authors_tokens_per_s)
    measured: dict[str, dict[str, Any]] = {}
    batch = int(profile.batch_size)
    out, notes_by = [], {}
    for name in datasets:
        facts = _dataset_facts(name, profile, data_dir, custom)
        shape = facts["shape"]
        epochs = learners.training_epochs(profile, shape.task)
        per_row = facts["tokens_per_row"]
        ours = ours_given or OURS_STEP[shape.task].tokens_per_s(batch * max(per_row, 1.0))
        theirs = authors_micro_batch(shape.task, per_row, facts["max_length"])
        authors = authors_given or AUTHORS_STEP[shape.task].tokens_per_s(theirs)
        notes = facts["notes"] + grid_notes(profile, shape, notebooks)
        far = [who for who, given, tokens in (("ours", ours_given, batch * per_row),
                                             ("authors", authors_given, theirs))
               if given is None and _extrapolated(who, shape.task, tokens)]
        if far and not measure:
            notes.append(f"{' and '.join(far)} rate extrapolated beyond the micro-batch sizes measured")
        notes_by[shape.dataset] = notes
        timing = None
        if measure and facts.get("train") is not None:
            print(f"[{shape.dataset}] timing the encoder on this machine ...", flush=True)
            try:
                timing = measured[shape.dataset] = measure_encoder(
                    profile, facts["spec"], shape.task, facts["train"], facts["test"])
            except LittleHumanError as exc:  # e.g. a QA sample none of whose answers it finds
                notes.append(f"not timed: {exc}")
        elif measure:
            notes.append("not timed: no rows to time the encoder on")
        if measure:  # this machine's rate replaces the GPU's
            ours = timing["tokens_per_s"] if timing else math.nan
        for experiment, sizes in runs_per_experiment(profile, shape, notebooks).items():
            tokens = sum(sizes) * epochs * per_row
            eval_rows = None if facts["eval_rows"] is None else facts["eval_rows"] * len(sizes)
            if timing:
                # the rows at the timed seconds per row: the plan's tokens per row count
                # the LoRA text in words or another tokenizer, the rate the encoder's own
                # tokens (a reviewer found the mix 9% high)
                hours = (sum(sizes) * epochs * timing["seconds_per_row"]
                         + len(sizes) * timing["fit_overhead_s"]) / 3600
                eval_hours = (eval_rows / timing["rows_per_s"] / 3600
                              if timing["rows_per_s"] and eval_rows is not None else math.nan)
            elif measure:  # not timed
                hours, eval_hours = math.nan, math.nan
            else:
                hours, eval_hours = tokens / ours / 3600, None
            out.append({
                "dataset": shape.dataset, "task": shape.task, "experiment": experiment,
                "runs": len(sizes), "train_rows": sum(sizes), "epochs": epochs,
                "tokens_per_row": round(per_row, 1), "train_tokens": round(tokens),
                "tokens_per_s": ours, "gpu_hours": hours,
                "authors_tokens_per_s": authors, "authors_gpu_hours": tokens / authors / 3600,
                "eval_rows": eval_rows, "eval_hours": eval_hours,
                "tokens_by": facts["tokens_by"], "data": facts["data"], "note": "; ".join(notes),
            })
    frame = pd.DataFrame(out, columns=COLUMNS)
    frame["eval_rows"] = frame["eval_rows"].astype("Int64")
    frame.attrs.update(tokens_per_s=ours_given, authors_tokens_per_s=authors_given, batch_size=batch,
                       learner=profile.learner, profile=profile.name, notes=notes_by,
                       measure=measure, measured=measured)
    return frame


def authors_micro_batch(task: str, tokens_per_row: float, max_length: int) -> float:
    """Tokens in one of the authors' micro-batches: one row (FV), or for QA one sequence of
    the max length, as their SFTTrainer packs examples (PROTOCOL: batch 1, packing; a
    reviewer found the plan had timed them one unpacked row at a time)."""
    return float(max_length) if task == "qa" else max(tokens_per_row, 1.0)


def _model_text(batch: int, tasks: list[str]) -> str:
    """How the modelled rates were made, in one sentence per configuration."""
    def line(step: StepTime) -> str:
        return f"{step.overhead_s:.3f} s + {1000 * step.s_per_token:.3f} ms/token"

    ours = "; ".join(f"{t.upper()} {line(OURS_STEP[t])}" for t in tasks)
    return (f"tok/s: a micro-batch of {batch} rows of the dataset's mean length takes a fixed overhead "
            f"plus a time per token, the line through two measured points per task ({ours}); the "
            f"authors' configuration at batch 1 (QA: one packed sequence of the max length), one "
            f"line for both tasks ({line(AUTHORS_STEP['fv'])}).")


def _formatted(df: pd.DataFrame, formats: dict[str, str]) -> pd.DataFrame:
    """The plan's columns as text ('?' where unknown), per ``formats``, with its data column."""
    table = pd.DataFrame({"dataset": df["dataset"], "experiment": df["experiment"]})
    for col, fmt in formats.items():
        table[col] = [("?" if pd.isna(v) else format(v, fmt)) for v in df[col]]
    table["data"] = df["data"]
    return table


def _eval_total(df: pd.DataFrame) -> str:
    """The test rows predicted in all, '+' where a dataset's are unknown."""
    return f"{df['eval_rows'].sum():,}" + ("+" if df["eval_rows"].isna().any() else "")


def _dataset_lines(df: pd.DataFrame) -> list[str]:
    """Per dataset: where its rows came from, how tokens were counted, its notes."""
    notes_by = df.attrs.get("notes", {})
    return [f"{dataset}: {group['data'].iloc[0]}; tokens per row by {group['tokens_by'].iloc[0]}"
            + "".join(f"; {n}" for n in notes_by.get(dataset, []))
            for dataset, group in df.groupby("dataset", sort=False)]


def _format_measured(df: pd.DataFrame) -> str:
    """The plan timed on this machine (``--plan-measure``): hours of training and of
    predicting the test rows, the timings behind them and what they leave out."""
    table = _formatted(df, {"runs": ",", "train_rows": ",", "epochs": "", "tokens_per_row": ".1f",
                            "train_tokens": ",", "tokens_per_s": ",.0f", "gpu_hours": ",.2f",
                            "eval_rows": ",", "eval_hours": ",.2f"})

    def total(col: str) -> str:
        known = df[col].dropna()
        return f"{known.sum():,.2f}" + ("+?" if len(known) < len(df) else "")

    table.loc[len(table)] = {
        "dataset": "TOTAL", "experiment": "", "runs": f"{df['runs'].sum():,}",
        "train_rows": f"{df['train_rows'].sum():,}", "epochs": "", "tokens_per_row": "",
        "train_tokens": f"{df['train_tokens'].sum():,}", "tokens_per_s": "",
        "gpu_hours": total("gpu_hours"), "eval_rows": _eval_total(df),
        "eval_hours": total("eval_hours"), "data": ""}
    table = table.rename(columns={"tokens_per_s": "tok/s here", "gpu_hours": "hours train",
                                  "eval_hours": "hours test"})
    lines = [f"Plan for profile {df.attrs.get('profile', '?')} (learner encoder), timed on this "
             "machine", table.to_string(index=False), ""]

    def minutes(col: str) -> str:
        known = float(df[col].dropna().sum()) * 60
        return f"{known:,.1f}" if known < 10 else f"{known:,.0f}"

    if df["gpu_hours"].notna().any():
        lines.append(f"In all, about {minutes('gpu_hours')} min of training and "
                     f"{minutes('eval_hours')} min of predicting test rows on this machine"
                     + (", and more for the datasets not timed." if df["gpu_hours"].isna().any()
                        else "."))
    for dataset, t in df.attrs.get("measured", {}).items():
        speed = (f"{t['rows_per_s']:,.1f} test rows/s over {t['test_rows']}" if t["rows_per_s"]
                 else "no test rows to time")
        lines.append(f"{dataset} timed: one epoch on {t['train_rows']} train rows, {t['threads']} "
                     f"threads, {'bfloat16' if t['bf16'] else 'float32'}: "
                     f"{t['tokens_per_s']:,.0f} training tokens/s and {t['fit_overhead_s']:.1f} s a "
                     f"fit beside its steps"
                     + (f"; trains {t['kept_share']:.0%} of the rows (the others' answers are not "
                        "in the tokens it reads)" if t["kept_share"] < 1 else "")
                     + f"; {speed}")
    lines.append("Hours on this machine's clock, runs one after another as --jobs 1 trains "
                 "them, each with the threads above (--jobs N shares the cores among N). "
                 "hours train: the rows trained times the seconds a row took in the timed "
                 "epoch (rows left out cost none), plus each run's fit overhead; hours test: "
                 "the test rows predicted / rows/s. Not included: generating the twins "
                 "(--dry-run counts "
                 "the requests; a local model's speed: bench/gemma_cpu.py), scoring the valid "
                 "rows each epoch, the metrics (BERTScore for QA) and the notebooks.")
    return "\n".join(lines + _dataset_lines(df))


def format_plan(df: pd.DataFrame) -> str:
    """The plan as a text table with a TOTAL row, the rates and what the hours leave out."""
    if df.attrs.get("measure"):
        return _format_measured(df)
    ours, authors = df.attrs.get("tokens_per_s"), df.attrs.get("authors_tokens_per_s")
    tasks = list(dict.fromkeys(df["task"])) or list(OURS_STEP)
    table = _formatted(df, {"runs": ",", "train_rows": ",", "epochs": "", "tokens_per_row": ".1f",
                            "train_tokens": ",", "tokens_per_s": ",.0f", "gpu_hours": ",.2f",
                            "authors_tokens_per_s": ",.0f", "authors_gpu_hours": ",.2f",
                            "eval_rows": ","})
    eval_total = _eval_total(df)
    table.loc[len(table)] = {
        "dataset": "TOTAL", "experiment": "", "runs": f"{df['runs'].sum():,}",
        "train_rows": f"{df['train_rows'].sum():,}", "epochs": "", "tokens_per_row": "",
        "train_tokens": f"{df['train_tokens'].sum():,}", "tokens_per_s": "",
        "gpu_hours": f"{df['gpu_hours'].sum():,.2f}", "authors_tokens_per_s": "",
        "authors_gpu_hours": f"{df['authors_gpu_hours'].sum():,.2f}", "eval_rows": eval_total, "data": ""}
    table = table.rename(columns={"tokens_per_s": "tok/s", "gpu_hours": "GPU-h",
                                  "authors_tokens_per_s": "tok/s authors", "authors_gpu_hours": "GPU-h authors"})
    lines = [f"Plan for profile {df.attrs.get('profile', '?')} (learner {df.attrs.get('learner', '?')})",
             table.to_string(index=False), ""]
    given = [f"{who} at the {rate:,.0f} tokens/s given" for who, rate in (("GPU-h", ours),
                                                                            ("GPU-h authors", authors)) if rate]
    if ours is None or authors is None:
        lines.append(_model_text(int(df.attrs.get("batch_size", 8)), tasks)
                     + f" Measured on {MEASURED_ON}." + (f" {'; '.join(given)}." if given else ""))
    else:
        lines.append(f"{'; '.join(given)}.")
    if df.attrs.get("learner") not in (None, "lora") and ours is None:
        measure = (" (or add --plan-measure to time the encoder on this machine, a few "
                   "seconds a dataset, and get its hours)"
                   if df.attrs["learner"] == "encoder" else "")
        lines.append(f"Those rates are the LoRA 8B learner's on a GPU, not {df.attrs['learner']}'s: "
                     f"give your learner's measured tokens/s with --plan-tokens-per-s{measure}.")
    lines.append("Training only: evaluation (predicting eval_rows test rows, with greedy decoding "
                 "for QA) is not in the hours ('?': test split unknown). Tokens per row are "
                 "measured on real train rows; synthetic rows are assumed as long.")
    return "\n".join(lines + _dataset_lines(df))
