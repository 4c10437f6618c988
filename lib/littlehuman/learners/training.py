"""What the torch learners (encoder, lora) share: seeding, quiet transformers loading,
length-bucketed batches (their text columns: :func:`littlehuman.learners.base.as_texts`) and
the validation score that picks their epoch."""
from __future__ import annotations

import contextlib
import random
from typing import Iterator

import numpy as np
import pandas as pd
import torch

from littlehuman.learners.base import as_texts
from littlehuman.learners.spans import token_f1

#: the validation metric each task's epoch is picked on
VALID_METRIC = {"fv": "accuracy", "qa": "token_f1"}


def valid_score(task: str, predictions: list, rows: pd.DataFrame) -> float:
    """:data:`VALID_METRIC` of ``predictions`` on ``rows``: accuracy against the labels (FV),
    the mean token F1 against the answers (QA)."""
    if task == "fv":
        return float(np.mean(np.asarray(predictions) == rows["label"].astype(int).to_numpy()))
    return float(np.mean([token_f1(p, g) for p, g in zip(predictions, as_texts(rows["answer"]))]))


POOL_BATCHES = 32  # length bucketing sorts within pools of this many batches


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' load report and progress bar (the new head is expected)."""
    from transformers.utils import logging as hf_logging

    level, bar = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bar:
            hf_logging.enable_progress_bar()


def bucket_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffle, sort by length within pools, cut into batches, shuffle the batches."""
    perm = rng.permutation(len(lengths))
    pool = batch_size * POOL_BATCHES
    batches = []
    for k in range(0, len(perm), pool):
        chunk = perm[k:k + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]
