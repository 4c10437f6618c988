"""Client CPU per generation request: building a request's few-shot chat through an
:class:`~littlehuman.generation.prompts.ExamplePool` (the pool indexed once: a draw looks up
the row's id, context and label; examples come as records, each context cleaned once; the
library's way since 2026-12-08) against the way before, kept here as the baseline: per
request, boolean masks over the whole pool (row id, label, context id), ``pool.iloc`` of the
draw, then ``iterrows()``. Both in the same run, on the same rows.

    python bench/prompt_build.py [--rows 2000] [--repeats 3] [--data-dir DIR]

On FEVER's and ROPES's real training pools (5,269 and 8,736 rows; a dataset whose raw files
are absent is skipped with a note): the first asks of ``--rows`` seeded pool rows, as a dry
run builds them (``PromptSpec.requests``, its index build included), k=3, ROPES's contexts
cut keeping their end as its profiles do. Prints ms per request (best of ``--repeats``) each
way, the speed-up, and whether every message of every request is identical: it must be
(cached replies are keyed by the messages; a changed draw would pay for every request again).
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from row_resampling import best_of  # noqa: E402
from littlehuman.data.schema import stable_seed  # noqa: E402
from littlehuman.generation.prompts import (  # noqa: E402
    PromptSpec,
    clean_context,
    format_answer,
    remove_urls,
    sort_pool,
    system_prompt,
)

DATASETS = [("fever", "fv", "head"), ("ropes", "qa", "tail")]


def masked_draw(pool: pd.DataFrame, row: dict, k: int, seed: int,
                label_conditioned: bool) -> pd.DataFrame:
    """The baseline's draw: masks over the whole pool per request (``draw_examples`` before)."""
    mask = (pool["row_id"] != row["row_id"]).to_numpy(dtype=bool)
    if label_conditioned and "label" in pool.columns and "label" in row:
        mask = mask & (pool["label"] == int(row["label"])).to_numpy(dtype=bool)
    other_context = mask & (pool["context_id"] != row["context_id"]).to_numpy(dtype=bool)
    if other_context.sum() >= k:
        mask = other_context
    candidates = np.flatnonzero(mask)
    rng = np.random.default_rng(stable_seed(row["dataset"], row["row_id"], seed))
    take = rng.choice(candidates, size=min(k, len(candidates)), replace=False)
    return pool.iloc[take]


def iterrows_chat(row: dict, examples: pd.DataFrame, task: str, label_conditioned: bool,
                  context_words: int, context_side: str) -> list[dict[str, str]]:
    """The baseline's chat: the examples through ``iterrows()`` (``build_messages`` before)."""
    label = int(row["label"]) if task == "fv" and label_conditioned else None
    messages = [{"role": "system", "content": system_prompt(task, label)}]

    def context(text: str) -> str:
        return "Context: " + clean_context(text, context_words, context_side)

    for _, ex in examples.iterrows():
        messages.append({"role": "user", "content": context(ex["context"])})
        messages.append({"role": "assistant", "content": remove_urls(format_answer(ex, task))})
    messages.append({"role": "user", "content": context(row["context"])})
    return messages


def baseline(spec: PromptSpec, rows: pd.DataFrame, pool: pd.DataFrame) -> list:
    """Every row's first ask, the way before (``PromptSpec.requests`` then)."""
    pool = sort_pool(pool)
    return [iterrows_chat(row, masked_draw(pool, row, spec.k, spec.seed, spec.conditioned),
                          spec.task, spec.conditioned, spec.context_words, spec.context_side)
            for row in rows.to_dict("records")]


def train_pool(name: str, data_dir: str) -> pd.DataFrame | None:
    """The dataset's training rows, or None (a note printed) when its raw files are absent."""
    from littlehuman import data
    from littlehuman.errors import LittleHumanError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = data.load(name, data_dir)
    except LittleHumanError as exc:
        print(f"{name}: skipped, raw files absent ({str(exc).splitlines()[0][:120]})")
        return None
    return df[df["split"] == "train"].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--data-dir", default=os.environ.get("LITTLEHUMAN_DATA_DIR") or str(
        Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = ap.parse_args(argv)
    print(f"{'dataset':<8} {'pool':>6} {'requests':>8} {'before ms':>10} {'index ms':>9} "
          f"{'speed-up':>9} {'identical':>9}")
    for name, task, side in DATASETS:
        pool = train_pool(name, args.data_dir)
        if pool is None:
            continue
        rows = pool.sample(n=min(args.rows, len(pool)), random_state=0)
        spec = PromptSpec(task, context_side=side)
        t_old, old = best_of(baseline, args.repeats, spec, rows, pool)
        t_new, new = best_of(spec.requests, args.repeats, rows, pool)
        n = len(rows)
        print(f"{name:<8} {len(pool):>6} {n:>8} {t_old / n * 1e3:>10.3f} "
              f"{t_new / n * 1e3:>9.3f} {t_old / t_new:>8.1f}x "
              f"{'yes' if old == new else 'NO':>9}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
