"""Throughput of the Gemma 3 270M generation backend on CPU.

Reads ~N FEVER-like and ~N FairyTaleQA-like rows straight from the raw release files
(``LITTLEHUMAN_DATA_DIR`` or ../shared/data), generates one synthetic row for each with
k=3 examples from the same file, and prints load time (first, i.e. dequantise + save, vs
cached), prompt and new tokens per row, rows/min and the parse rate.

    python bench/gemma_cpu.py [--rows 10] [--batch-size 8] [--threads N] [--fresh]

``--fresh`` builds the dequantised model in a temporary folder (measures the first load)
instead of using ``cache_dir()/models/gemma3-270m``. No cache is used for the requests.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

from littlehuman.data.schema import short_hash
from littlehuman.generation import GemmaBackend, build_messages, draw_examples, parse_reply

DATA = Path(os.environ.get("LITTLEHUMAN_DATA_DIR")
            or Path(__file__).resolve().parents[2] / "shared" / "data")


def fever_rows(n_pool: int = 300) -> pd.DataFrame:
    """FEVER-lite validation rows as unified FV rows (first ``n_pool`` lines)."""
    rows = []
    with open(DATA / "fever" / "validation.jsonl") as fh:
        for i, line in zip(range(n_pool), fh):
            r = json.loads(line)
            context = "\n".join(r["evidence"]).replace("-LRB-", "(").replace("-RRB-", ")")
            rows.append({"row_id": f"fever:{i}", "dataset": "fever", "split": "train",
                         "context_id": short_hash(context), "context": context,
                         "claim": r["claim"], "label": int(r["label"] == "SUPPORTS"), "meta": ""})
    return pd.DataFrame(rows)


def fairytale_rows(n_stories: int = 12) -> pd.DataFrame:
    """FairytaleQA train questions of the first ``n_stories`` stories as unified QA rows."""
    rows = []
    root = DATA / "fairytaleqa" / "FairytaleQA_Dataset" / "split_for_training" / "train"
    for qfile in sorted(glob.glob(str(root / "*-questions.csv")))[:n_stories]:
        story = pd.read_csv(qfile.replace("-questions.csv", "-story.csv"))
        text = dict(zip(story["section"].astype(str), story["text"]))
        for q in pd.read_csv(qfile).itertuples():
            ids = [s.strip() for s in str(q.cor_section).split(",")]
            context = " ".join(text.get(s, "") for s in ids).strip()
            if not context or not isinstance(q.answer1, str):
                continue
            name = Path(qfile).name.removesuffix("-questions.csv")
            rows.append({"row_id": f"ftqa:{name}:{q.question_id}", "dataset": "fairytaleqa",
                         "split": "train", "context_id": short_hash(context), "context": context,
                         "question": q.question, "answer": q.answer1, "meta": q.attribute1})
    return pd.DataFrame(rows)


def bench(backend: GemmaBackend, pool: pd.DataFrame, task: str, n: int, batch_size: int) -> None:
    rows = pool.sample(n=n, random_state=0)
    requests = [build_messages(row, draw_examples(pool, row, k=3, seed=0), task)
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
    print(f"{task}: {n} rows in {seconds:.1f} s = {60 * n / seconds:.1f} rows/min; "
          f"prompt tokens/row {prompt_tokens / n:.0f}, new tokens/row {new_tokens / n:.1f}, "
          f"parsed {parsed}/{n}")
    for reply in replies[:3]:
        print("   reply:", reply.replace("\n", " \\n ")[:200])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10, help="rows per task")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores)")
    ap.add_argument("--fresh", action="store_true", help="time the first (dequantising) load")
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
    bench(backend, fever_rows(), "fv", args.rows, args.batch_size)
    bench(backend, fairytale_rows(), "qa", args.rows, args.batch_size)


if __name__ == "__main__":
    main()
