"""The CPU learner (MiniLM) per run: the cpu profile's settings of today vs earlier ones.

    python bench/learner_cpu.py [--datasets fever,ropes] [--variants before,new] [--seed 0]
                                [--with-plan]

For each dataset, fits one run of each variant on the same seeded human training rows
(0% synthetic), keeps the best epoch on the profile's valid rows, predicts the test rows the
variant scores (all of them, or the profile's cap) and prints seconds per run (fit and
predict), training tokens/s, the rows trained on and the test score beside the majority
baseline. Variants:

- ``before``: the cpu profile until 2026-11 (n 200, max length 256, float32, ROPES keeping
  the start of its context, 2 epochs, test rows capped at 250);
- ``new``: today's cpu profile (``config.PROFILES["cpu"]``: its n, PROTOCOL lengths,
  bfloat16 autocast, all test rows);
- ``fp32``: the new sizes in float32 (what bfloat16 gives);
- ``top2``: the new profile training only the top 2 of MiniLM's 6 layers.

Every variant runs as ``run_all.py`` would run it here (float32 where the CPU has no bfloat16
instructions), after one untimed warm-up fit (the imports and the first model load).

The machine's load average is printed: compare ratios from one run, not across runs.

``--with-plan`` also prints what ``run_all.py --plan --plan-measure`` estimates for one sweep
run of the variant (training and predicting the test rows, from the encoder timed on a sample
of the rows) beside the seconds the run took: how far the plan's CPU-hours are from a run.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BEFORE = {"n_train": 200, "max_length": 256, "n_test": 250, "train_bf16": False, "epochs": 2}


def variant_profile(name: str):
    """The profile a variant trains with, fitted to this machine as ``run_all.py`` fits it
    (``config.fit_to_machine``: float32 where the CPU would emulate bfloat16; a reviewer timed
    the bfloat16 no run makes there 4.6-6.4x slower). ``before`` was float32 already."""
    from littlehuman.config import fit_to_machine, profile

    made = {"before": lambda: profile("cpu", **BEFORE),
            "new": lambda: profile("cpu"),
            "fp32": lambda: profile("cpu", train_bf16=False),
            "top2": lambda: profile("cpu", train_layers=2)}[name]()
    return fit_to_machine(made)[0]


def warm_up(dataset: str, data_dir: str) -> None:
    """One small untimed fit: the first fit of a process imports transformers and loads the
    model from disk (about 4 CPU-s here), which would be charged to the first variant timed,
    the baseline (a reviewer: 31 s outside training in the first of three alike fits, 5-8 s
    in the others)."""
    from littlehuman import data
    from littlehuman.learners import make_learner

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = data.load(dataset, data_dir)
    rows = df[df["split"] == "train"].head(8)
    make_learner("encoder", task=data.get(dataset).task, seed=0, progress=False, epochs=1,
                 max_length=64).fit(rows)


def bench(dataset: str, variant: str, data_dir: str, seed: int) -> dict:
    """One 0%-synthetic run of ``variant`` on ``dataset``: seconds, tokens/s, score."""
    import numpy as np

    from littlehuman import data
    from littlehuman.learners import learner_params, make_learner
    from littlehuman.learners.spans import token_f1

    prof = variant_profile(variant)
    spec = data.get(dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = data.load(dataset, data_dir)
    train = df[df["split"] == "train"]
    train = train.sample(n=min(prof.n_train or len(train), len(train)), random_state=seed)
    valid = df[df["split"] == "valid"]
    valid = valid.sample(n=min(prof.n_valid or len(valid), len(valid)), random_state=0)
    test = df[df["split"] == "test"]
    if prof.n_test:
        test = test.sample(n=min(prof.n_test, len(test)), random_state=0)
    params = learner_params(prof, spec.task, spec)
    if variant == "before":  # until 2026-11: max_length replaced the PROTOCOL's (FEVER: 256),
        params["max_length"] = BEFORE["max_length"]  # and ROPES kept its context's start
        params.pop("context_side", None)
    learner = make_learner("encoder", task=spec.task, seed=seed, progress=False, **params)
    start = time.perf_counter()
    learner.fit(train, valid)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    preds = learner.predict(test)
    predict_s = time.perf_counter() - start
    if spec.task == "fv":
        score = float(np.mean(np.asarray(preds) == test["label"].to_numpy()))
        share = float(test["label"].mean())
        baseline = max(share, 1 - share)
    else:
        score = float(np.mean([token_f1(p, a) for p, a in zip(preds, test["answer"])]))
        baseline = float("nan")
    stats = learner.fit_stats
    return {"dataset": dataset, "variant": variant, "params": params,
            "train_rows": f"{stats['train_rows']}/{stats['train_rows_in']}",
            "test_rows": len(test), "fit_s": fit_s, "predict_s": predict_s,
            "run_s": fit_s + predict_s, "tokens_per_s": stats["tokens_per_s"],
            "score": score, "majority": baseline}


def plan_estimate(dataset: str, variant: str, data_dir: str) -> float:
    """Seconds ``--plan --plan-measure`` gives one sweep run of ``variant`` on ``dataset``
    (training and predicting the test rows)."""
    from littlehuman.plan import plan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = plan([dataset], variant_profile(variant), data_dir, notebooks=["02"], measure=True)
    sweep = df[df["experiment"] == "sweep"].iloc[0]
    return float((sweep["gpu_hours"] + sweep["eval_hours"]) * 3600 / sweep["runs"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=os.environ.get("LITTLEHUMAN_DATA_DIR", str(DEFAULT_DATA)))
    ap.add_argument("--datasets", default="fever,ropes")
    ap.add_argument("--variants", default="before,new",
                    help="comma-separated: before, new, fp32, top2 (the first is the baseline)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--with-plan", action="store_true",
                    help="also print --plan --plan-measure's estimate of a sweep run's seconds")
    args = ap.parse_args()

    import torch

    print(f"cores={len(os.sched_getaffinity(0))} torch={torch.__version__} "
          f"load average {os.getloadavg()[0]:.1f}")
    variants = args.variants.split(",")
    from littlehuman.config import fit_to_machine, profile

    note = fit_to_machine(profile("cpu"))[1]
    if note:
        print(f"as run_all.py on this machine: {note}")
    warm_up(args.datasets.split(",")[0], args.data_dir)
    for dataset in args.datasets.split(","):
        results = [bench(dataset, v, args.data_dir, args.seed) for v in variants]
        for r in results:
            print(f"{dataset:<12} {r['variant']:<7} rows {r['train_rows']:>8} test {r['test_rows']:>5} "
                  f"fit {r['fit_s']:6.1f} s predict {r['predict_s']:5.1f} s = {r['run_s']:6.1f} s/run "
                  f"{r['tokens_per_s']:>7.0f} tokens/s  score {r['score']:.3f} "
                  f"(majority {r['majority']:.3f})  {json.dumps(r['params'])}", flush=True)
            if args.with_plan and r["variant"] != "before":  # the plan knows today's settings
                estimate = plan_estimate(dataset, r["variant"], args.data_dir)
                print(f"{dataset:<12} {r['variant']:<7} --plan --plan-measure: {estimate:6.1f} s/run, "
                      f"{estimate / r['run_s']:.2f}x the {r['run_s']:.1f} s measured", flush=True)
        base = results[0]
        for r in results[1:]:
            print(f"{dataset}: {r['variant']} vs {base['variant']}: tokens/s "
                  f"{r['tokens_per_s'] / base['tokens_per_s']:.2f}x, seconds per run "
                  f"{r['run_s'] / base['run_s']:.2f}x")
    print("score: FV accuracy / QA token F1 on the variant's test rows after one 0%-synthetic run")


if __name__ == "__main__":
    main()
