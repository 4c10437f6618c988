"""The unified row format of PROTOCOL.md and the helpers every loader shares.

FV rows: ``row_id, dataset, split, context_id, context, claim, label, meta``.
QA rows: ``row_id, dataset, split, context_id, context, question, answer, meta``.
``label`` is an int in {0, 1}; ``meta`` is a string ("" when there is none);
``row_id`` is stable across loads and unique within a dataset; ``split`` is one of
``train``, ``valid``, ``test``.
"""
from __future__ import annotations

import decimal
import hashlib
import os
import re
from typing import Iterable, Literal, Mapping, Sequence, Union

import numpy as np
import pandas as pd

from littlehuman.errors import LittleHumanError

Task = Literal["fv", "qa"]
SPLITS: tuple[str, ...] = ("train", "valid", "test")
#: the splits every experiment needs rows of (valid may be empty: it only picks the epoch)
REQUIRED_SPLITS: tuple[str, ...] = ("train", "test")
#: the frame ``attrs`` key of the notes a loader leaves for the user (a partial release...)
NOTES = "notes"
COMMON = ["row_id", "dataset", "split", "context_id", "context"]
FV_COLUMNS = COMMON + ["claim", "label", "meta"]
QA_COLUMNS = COMMON + ["question", "answer", "meta"]

# PROTOCOL: Supports / Entails -> 1; Refutes, Contradicts, Not Enough Info, Neutral -> 0.
LABEL_WORDS: dict[str, int] = {
    "supports": 1, "support": 1, "supported": 1, "entailment": 1, "entails": 1, "entail": 1,
    "entailed": 1,
    "true": 1, "1": 1, "support_text": 1,
    "refutes": 0, "refute": 0, "refuted": 0, "contradiction": 0, "contradicts": 0,
    "contradict": 0, "not enough info": 0, "nei": 0, "neutral": 0,
    "false": 0, "untrue": 0, "0": 0, "insufficient_text": 0,
    # the class names of common hub datasets: GLUE/SuperGLUE RTE and QNLI, HANS, Climate-FEVER
    "not_entailment": 0, "not entailment": 0, "non-entailment": 0, "not_entailed": 0,
    "not supported": 0, "not_supported": 0, "unsupported": 0, "not_enough_info": 0,
}


def columns(task: Task) -> list[str]:
    """The ordered columns of a unified frame for ``task``."""
    if task == "fv":
        return list(FV_COLUMNS)
    if task == "qa":
        return list(QA_COLUMNS)
    raise LittleHumanError(f"unknown task {task!r}: use 'fv' or 'qa'")


def target_column(task: Task) -> str:
    """``claim`` for FV, ``question`` for QA."""
    return "claim" if task == "fv" else "question"


def label_from_word(word: object) -> int | None:
    """Map a label word (or 0/1, true/false) to {0, 1}; None when it is not a known label."""
    if isinstance(word, (bool, np.bool_)):
        return int(word)
    if isinstance(word, (int, np.integer)) and int(word) in (0, 1):
        return int(word)
    if isinstance(word, (float, np.floating, decimal.Decimal)) and word in (0, 1):
        return int(word)  # a parquet decimal column's Decimal('0') too
    if isinstance(word, str):
        return LABEL_WORDS.get(word.strip().lower())
    return None


def stable_seed(*parts: object) -> int:
    """A 32-bit seed derived from any parts (dataset, experiment, size, fraction, seed...)."""
    text = "\x1f".join(repr(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def short_hash(text: str, n: int = 12) -> str:
    """A short, stable hex digest of a string (for context ids built from text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


_WS = re.compile(r"[ \t]+")


def clean_text(text: object) -> str:
    """Strip a cell and collapse runs of spaces/tabs (newlines are kept: FEVER uses them);
    a carriage return is a line break too (26 FairyTaleQA stories break paragraphs with two
    of them: 998 rows had kept them, a reviewer)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def assign_train_valid(
    context_ids: Iterable[object], seed: int, valid_frac: float = 0.2
) -> np.ndarray:
    """Seeded train/valid assignment, grouped by context so that no context is in both.

    Returns an array of "train"/"valid" aligned with ``context_ids``. Deterministic: the
    same ids (in any order) and seed give the same assignment.
    """
    ids = pd.Series(list(context_ids), dtype="object").astype(str)
    groups = np.array(sorted(ids.unique()))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(groups))
    n_valid = int(round(valid_frac * len(groups)))
    valid = set(groups[order[:n_valid]])
    return np.where(ids.isin(valid).to_numpy(), "valid", "train")


def assign_three_way(
    keys: Iterable[object], seed: int, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
) -> np.ndarray:
    """Seeded train/valid/test assignment by group key (used when a release has no splits)."""
    ids = pd.Series(list(keys), dtype="object").astype(str)
    groups = np.array(sorted(ids.unique()))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(groups))
    n_valid = int(round(fractions[1] * len(groups)))
    n_test = int(round(fractions[2] * len(groups)))
    valid = set(groups[order[:n_valid]])
    test = set(groups[order[n_valid:n_valid + n_test]])
    out = np.full(len(ids), "train", dtype=object)
    out[ids.isin(valid).to_numpy()] = "valid"
    out[ids.isin(test).to_numpy()] = "test"
    return out.astype(str)


def subsample(df: pd.DataFrame, frac: float, seed: int) -> pd.DataFrame:
    """A seeded sample of ``frac`` of the rows, in their original order (frac >= 1: all)."""
    if frac >= 1.0:
        return df
    n = int(round(frac * len(df)))
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(df), size=n, replace=False))
    return df.iloc[keep]


Source = Union[str, os.PathLike]


def _split_check(df: pd.DataFrame, dataset: str, task: Task,
                 sources: Mapping[str, Source | Sequence[Source]],
                 before: pd.DataFrame | None = None) -> None:
    """Raise naming the file(s) a required split comes from when it has no usable row;
    ``before``: the rows before those with empty fields were dropped, to tell a split that
    got no row at all (a seeded split of a few rows) from one whose rows were all empty."""
    for split in REQUIRED_SPLITS:
        if (df["split"] == split).any():
            continue
        given = sources.get(split, ())
        files = [str(given)] if isinstance(given, (str, os.PathLike)) else [str(f) for f in given]
        where = " and ".join(files) or "the files read"
        fields = "context and claim" if task == "fv" else "context, question and answer"
        read = len(before) if before is not None else len(df)
        why = (f"none of the {read} row(s) read falls in it: an empty file, or too few rows or "
               "contexts for a seeded split to give it one"
               if before is not None and not (before["split"] == split).any() else
               f"none with a non-empty {fields}; {len(df)} usable row(s) in all")
        raise LittleHumanError(  # (a reviewer: 4 complete WANLI rows were called incomplete)
            f"{dataset}: no usable {split} row in {where} ({why}): check that "
            f"{'it is' if len(files) < 2 else 'they are'} the dataset's own, complete "
            f"file{'s' if len(files) > 1 else ''} (not empty or truncated)")


def finalize(df: pd.DataFrame, dataset: str, task: Task, *,
             sources: Mapping[str, Source | Sequence[Source]],
             notes: Sequence[str] = ()) -> pd.DataFrame:
    """Clean, check and order a loader's frame into the unified schema.

    Drops rows whose context or target is empty (as the authors' ``drop_col_nans`` does),
    casts types, orders rows by split then row_id, and checks row_id uniqueness and labels.
    ``sources`` maps each split to the file(s) its rows come from (required, so that every
    loader names them; ``{}`` for rows read from no file): a required split
    (:data:`REQUIRED_SPLITS`) left with no row is a LittleHumanError naming them. ``notes``
    (what the user must know about these rows, e.g. a partial release) are kept in
    ``attrs[NOTES]``.
    """
    cols = columns(task)
    if df.empty:
        _split_check(pd.DataFrame({"split": []}), dataset, task, sources)
    df = df.copy()
    df["dataset"] = dataset
    if "meta" not in df:
        df["meta"] = ""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise LittleHumanError(f"{dataset}: loader produced no column(s) {missing}")
    text_cols = ["context", "claim"] if task == "fv" else ["context", "question", "answer"]
    for col in text_cols:
        df[col] = [clean_text(x) for x in df[col]]
    df["meta"] = ["" if m is None or (isinstance(m, float) and np.isnan(m)) else str(m)
                  for m in df["meta"]]
    df["context_id"] = df["context_id"].astype(str)
    df["row_id"] = df["row_id"].astype(str)
    df["split"] = df["split"].astype(str)
    nonempty = np.logical_and.reduce([df[c].str.len() > 0 for c in text_cols])
    before, df = df, df[nonempty]
    _split_check(df, dataset, task, sources, before)
    if task == "fv":
        bad = ~df["label"].isin([0, 1])
        if bad.any():
            raise LittleHumanError(f"{dataset}: labels outside {{0, 1}} in {int(bad.sum())} rows")
        df["label"] = df["label"].astype("int64")
    bad_split = ~df["split"].isin(SPLITS)
    if bad_split.any():
        raise LittleHumanError(f"{dataset}: unknown split(s) {sorted(df.loc[bad_split, 'split'].unique())}")
    dup = df["row_id"].duplicated()
    if dup.any():
        raise LittleHumanError(f"{dataset}: duplicate row_id {df.loc[dup, 'row_id'].iloc[0]!r}")
    order = df["split"].map({s: i for i, s in enumerate(SPLITS)})
    df = df.assign(_o=order).sort_values(["_o", "row_id"], kind="stable").drop(columns="_o")
    out = df[cols].reset_index(drop=True)
    out.attrs = {NOTES: list(notes)} if notes else {}
    return out
