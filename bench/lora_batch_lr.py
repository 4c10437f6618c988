"""Does the LoRA learner learn at the paper profile's batch as at the authors'? Scores on real weights.

    python bench/lora_batch_lr.py --model-dir data/models/gemma3-270m [--dataset fever]
        [--rows 1000] [--test-rows 500] [--batch 8] [--variants authors,unscaled,linear,sqrt]
        [--seed 0] [--max-length N] [--dtype bf16|fp32] [--out results.jsonl]
    python bench/lora_batch_lr.py --tiny      # a toy run on a random 2-layer Llama: the bench runs

The authors set their learning rates for batch 1 (FV) and 1 x grad-accum 2 (QA); the paper
profile trains batch 8. This bench fits the same seeded human training rows (the dataset's
train split, the authors' epochs of ``--lora-settings scripts``) once per variant and scores
the same test rows:

- ``authors``: their batch (FV 1, QA 1 x 2) at their rate;
- ``unscaled``: ``--batch`` at their rate (the paper profile until 2026-12-07, ``--lr-scaling none``);
- ``linear`` / ``sqrt``: ``--batch`` at their rate scaled to it (``--lr-scaling``), each rate
  from ``learner_params`` of the paper profile, as a run gets it.

It prints one row a variant (batch, rate, optimizer steps, fit seconds, the test score: FV
accuracy beside the majority baseline, QA token F1) and the score against the ``authors`` row.
Scores, not speed: run it on real weights (the tiny random model learns nothing). On 2 CPU cores
with Gemma 3 270M in bfloat16, FEVER at 1,000 rows fits in 6-12 min a variant at batch 8 and
about 20 min at batch 1 (a Xeon with AVX512-BF16 / AMX; without those instructions ``--dtype``
defaults to fp32, and a variant takes several times longer).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_DATA = Path(os.environ.get("LITTLEHUMAN_DATA_DIR")
                    or Path(__file__).resolve().parents[2] / "shared" / "data")
VARIANTS = ("authors", "unscaled", "linear", "sqrt")


def variant_settings(variant: str, task: str, batch: int, model_dir: str) -> dict[str, Any]:
    """batch_size, grad_accum and lr of ``variant``, from the paper profile's learner_params."""
    from littlehuman import config
    from littlehuman.learners import learner_params
    from littlehuman.learners.defaults import AUTHORS_EXAMPLES_PER_STEP, LORA_SETTINGS

    if variant == "authors":
        batch_size, accum, scaling = 1, AUTHORS_EXAMPLES_PER_STEP[task], "none"
    else:
        batch_size, accum, scaling = batch, 1, "none" if variant == "unscaled" else variant
    prof = config.profile("paper", model_dir=model_dir, batch_size=batch_size, grad_accum=accum,
                          lr_scaling=scaling)
    lr = learner_params(prof, task, None).get("lr", LORA_SETTINGS[(task, "scripts")]["lr"])
    return {"batch_size": batch_size, "grad_accum": accum, "lr": lr}


def score(task: str, predictions: list, test: Any) -> dict[str, float]:
    """FV: accuracy and the majority baseline's; QA: mean token F1."""
    import numpy as np

    from littlehuman.metrics import accuracy

    if task == "fv":
        gold = test["label"].to_numpy()
        return {"score": accuracy(predictions, gold),
                "majority": float(max(np.mean(gold == v) for v in set(gold.tolist())))}
    from littlehuman.learners.spans import token_f1

    return {"score": float(np.mean([token_f1(p, a) for p, a in zip(predictions, test["answer"])]))}


def run_variant(variant: str, task: str, train: Any, test: Any, args: argparse.Namespace,
                learner_class: Any) -> dict[str, Any]:
    """Fit ``variant`` on ``train``, score it on ``test``."""
    settings = variant_settings(variant, task, args.batch, args.model_dir)
    learner = learner_class(task, seed=args.seed, model_dir=args.model_dir, dtype=args.dtype,
                            max_length=args.max_length, max_new_tokens=args.max_new_tokens,
                            epochs=args.epochs or None, progress=False, **settings)
    started = time.perf_counter()
    learner.fit(train)
    fit_s = time.perf_counter() - started
    return {"variant": variant, **settings, "epochs": learner.hyper["epochs"],
            "steps": learner.fit_stats.get("steps"), "fit_s": round(fit_s, 1),
            **score(task, list(learner.predict(test)), test)}


def print_table(rows: list[dict[str, Any]], task: str) -> None:
    base = next((r["score"] for r in rows if r["variant"] == "authors"), None)
    name = "accuracy" if task == "fv" else "token F1"
    print(f"{'variant':<9} {'batch':>7} {'lr':>10} {'steps':>6} {'fit s':>7} {name:>9}"
          + ("  majority" if task == "fv" else "") + ("  vs authors" if base is not None else ""))
    for r in rows:
        batch = f"{r['batch_size']}x{r['grad_accum']}" if r["grad_accum"] > 1 else str(r["batch_size"])
        line = f"{r['variant']:<9} {batch:>7} {r['lr']:>10.3g} {r['steps']!s:>6} {r['fit_s']:>7.1f} {r['score']:>9.3f}"
        line += f"  {r['majority']:>8.3f}" if task == "fv" else ""
        line += f"  {r['score'] - base:>+10.3f}" if base is not None else ""
        print(line)


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", default="", help="a local causal LM folder (real weights)")
    ap.add_argument("--dataset", default="fever")
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    ap.add_argument("--rows", type=int, default=1000, help="human training rows")
    ap.add_argument("--test-rows", type=int, default=500)
    ap.add_argument("--batch", type=int, default=8, help="the batch of the scaled variants")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=0, help="0: the authors' (FV 2, QA 5)")
    ap.add_argument("--max-length", type=int, default=0, help="0: the dataset's PROTOCOL length")
    ap.add_argument("--dtype", default="", choices=("bf16", "fp32", "auto"),
                    help="the learner's dtype (default: bf16 on a GPU or a CPU listing bfloat16 "
                    "instructions, fp32 on one that does not, where bf16 is emulated and an "
                    "AVX2-only CPU ran the ROPES bench at 1.1 cores for 40 min without "
                    "finishing its first variant)")
    ap.add_argument("--out", default="", help="also append one JSON line a variant here")
    ap.add_argument("--tiny", action="store_true",
                    help="a random 2-layer Llama, 32 rows, 16 test rows, 1 epoch: the bench runs")
    args = ap.parse_args(argv)
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown:
        ap.error(f"unknown variants {sorted(unknown)}: choose from {', '.join(VARIANTS)}")
    if not args.tiny and not (Path(args.model_dir) / "config.json").is_file():
        ap.error("--model-dir must be a local model folder with real weights (or give --tiny)")
    args.dtype = args.dtype or default_dtype()
    return args


def default_dtype() -> str:
    """bf16 where it is fast (a GPU, or a CPU listing bfloat16 instructions), else fp32."""
    import torch

    from littlehuman.machine import cpu_bf16

    return "bf16" if torch.cuda.is_available() or cpu_bf16() is not False else "fp32"


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    warnings.filterwarnings("ignore")
    from littlehuman import data
    from littlehuman.learners.lora import LoraLearner

    spec = data.get(args.dataset)
    task = spec.task
    learner_class = LoraLearner
    with tempfile.TemporaryDirectory() as scratch:
        if args.tiny:
            import lora_throughput as lt

            lt.make_model_dir(Path(scratch), tiny=True)
            args.model_dir, learner_class = scratch, lt.RandomWeightsLearner
            args.rows, args.test_rows, args.epochs, args.dtype = 32, 16, 1, "fp32"
        args.max_length = args.max_length or min(spec.max_seq_len, 128 if args.tiny else 10**9)
        args.max_new_tokens = spec.max_new_tokens or 16
        df = data.load(args.dataset, args.data_dir)
        train = df[df["split"] == "train"].sample(args.rows, random_state=args.seed)
        test = df[df["split"] == "test"].sample(min(args.test_rows, int((df["split"] == "test").sum())),
                                                random_state=1)
        print(f"{args.dataset} ({task}): {len(train)} training rows (seed {args.seed}), "
              f"{len(test)} test rows, max length {args.max_length}, {args.dtype}, "
              f"model {'tiny random' if args.tiny else args.model_dir}; load {os.getloadavg()[0]:.1f}",
              flush=True)
        rows = []
        for variant in args.variants.split(","):
            rows.append(run_variant(variant, task, train, test, args, learner_class))
            print(json.dumps(rows[-1]), flush=True)
            if args.out:
                with open(args.out, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"dataset": args.dataset, "rows": len(train),
                                         "seed": args.seed, **rows[-1]}) + "\n")
    print_table(rows, task)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
