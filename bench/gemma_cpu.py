"""Throughput of the Gemma 3 270M generation backend on CPU.

Loads FEVER and FairyTaleQA with the project's loaders (``LITTLEHUMAN_DATA_DIR`` or
../shared/data), generates one synthetic row for N training rows of each with k=3 examples, and prints load time (first, i.e. dequantise + save, vs
cached), prompt and new tokens per row, rows/min and the parse rate.

    python bench/gemma_cpu.py [--rows 10] [--batch-size 8] [--threads N] [--fresh] [--context-words 120]

``--fresh`` builds the dequantised model in a temporary folder (measures the first load)
instead of using ``cache_dir()/models/gemma3-270m``. No cache is used for the requests.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

from littlehuman.generation import GemmaBackend, build_messages, draw_examples, parse_reply

DATA = Path(os.environ.get("LITTLEHUMAN_DATA_DIR")
            or Path(__file__).resolve().parents[2] / "shared" / "data")


def train_rows(name: str) -> pd.DataFrame:
    """The dataset's real training rows, through the project's loader."""
    import warnings

    from littlehuman import data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = data.load(name, DATA)
    return df[df["split"] == "train"].reset_index(drop=True)


def bench(backend: GemmaBackend, pool: pd.DataFrame, task: str, n: int, batch_size: int,
          context_words: int = 3000) -> float:
    """Generate for ``n`` rows of ``pool``; print and return rows/min."""
    rows = pool.sample(n=n, random_state=0)
    requests = [build_messages(row, draw_examples(pool, row, k=3, seed=0), task,
                               context_words=context_words)
                for row in rows.to_dict("records")]
    prompt_tokens = new_tokens = parsed = 0
    replies: list[str] = []
    start = time.perf_counter()
    for i in range(0, n, batch_size):
        replies += backend.complete(requests[i: i + batch_size])
        prompt_tokens += backend.last_usage["prompt_tokens"]
        new_tokens += backend.last_usage["new_tokens"]
    seconds = time.perf_counter() - start
    parsed = sum(parse_reply(r, task) is not None for r in replies)
    print(f"gemma {task} (context cut to {context_words} words, batch {batch_size}): {n} rows "
          f"in {seconds:.1f} s = {60 * n / seconds:.1f} rows/min; prompt tokens/row "
          f"{prompt_tokens / n:.0f}, new tokens/row {new_tokens / n:.1f}, parsed {parsed}/{n}")
    return 60 * n / seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10, help="rows per task")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores)")
    ap.add_argument("--fresh", action="store_true", help="time the first (dequantising) load")
    ap.add_argument("--context-words", type=int, default=3000,
                    help="cut prompt contexts to this many words (the cpu profile uses 120)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.fresh:
            start = time.perf_counter()
            GemmaBackend(threads=args.threads, model_dir=Path(tmp) / "gemma").load()
            seconds = time.perf_counter() - start
            print(f"first load (assemble + dequantise + save + load): {seconds:.1f} s")
        start = time.perf_counter()
        backend = GemmaBackend(threads=args.threads)
        backend.load()
        seconds = time.perf_counter() - start
        print(f"cached load (builds the cache if it is missing): {seconds:.1f} s "
              f"[{len(os.sched_getaffinity(0))} cores, {torch.get_num_threads()} threads, "
              f"load average {os.getloadavg()[0]:.1f}]")
    bench(backend, train_rows("fever"), "fv", args.rows, args.batch_size, args.context_words)
    bench(backend, train_rows("fairytaleqa"), "qa", args.rows, args.batch_size, args.context_words)


if __name__ == "__main__":
    main()
