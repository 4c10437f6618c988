"""CPU throughput of the encoder learner (MiniLM): training tokens/s and prediction rows/s.

    python bench/learner_cpu.py [--data-dir ../shared/data] [--rows 200] [--threads N]

Trains 1 epoch on ``--rows`` FEVER (FV) and FairyTaleQA (QA) training rows at each dataset's
PROTOCOL max length (capped at MiniLM's 512), then predicts ``--predict-rows`` test rows.
The scores after so little training only show that the pipeline runs; they are no result.
With ``--gemma`` it also measures the cpu profile's generator (Gemma 3 270M, prompt contexts
cut to 120 words) in rows/min through bench/gemma_cpu.py.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def bench(name: str, args: argparse.Namespace) -> dict:
    """Fit and predict one dataset; returns the measured numbers."""
    from littlehuman import data
    from littlehuman.learners import make_learner
    from littlehuman.learners.encoder import token_f1

    spec = data.get(name)
    df = data.load(name, args.data_dir, use_cache=False)
    train = df[df["split"] == "train"].sample(n=args.rows, random_state=0)
    test = df[df["split"] == "test"].sample(n=args.predict_rows, random_state=0)
    learner = make_learner("encoder", task=spec.task, seed=0, epochs=args.epochs,
                           max_length=min(spec.max_seq_len, 512), threads=args.threads,
                           progress=not args.quiet)
    learner.fit(train)
    t0 = time.perf_counter()
    preds = learner.predict(test)
    predict_s = time.perf_counter() - t0
    if spec.task == "fv":
        score = sum(int(p == y) for p, y in zip(preds, test["label"])) / len(test)
    else:
        score = sum(token_f1(p, a) for p, a in zip(preds, test["answer"])) / len(test)
    stats = learner.fit_stats
    return {"dataset": name, "task": spec.task, "max_length": learner.max_length,
            "threads": stats["threads"], "train_rows": stats["train_rows"],
            "dropped": stats["train_rows_in"] - stats["train_rows"],
            "train_tokens": stats["train_tokens"], "train_s": stats["train_seconds"],
            "tokens_per_s": stats["tokens_per_s"], "predict_rows_per_s": len(test) / predict_s,
            "score": score, "spans": {k: stats[k] for k in
                                      ("rows_without_span", "rows_fuzzy_span", "rows_span_truncated")}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=os.environ.get("LITTLEHUMAN_DATA_DIR", str(DEFAULT_DATA)))
    ap.add_argument("--rows", type=int, default=200, help="training rows per dataset")
    ap.add_argument("--predict-rows", type=int, default=200, help="test rows to predict")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    ap.add_argument("--gemma", action="store_true", help="also measure the gemma generator's rows/min")
    ap.add_argument("--gemma-rows", type=int, default=8, help="rows per task for --gemma")
    args = ap.parse_args()

    import torch

    print(f"cpus={os.cpu_count()} torch={torch.__version__} data_dir={args.data_dir}")
    header = (f"{'dataset':<12} {'task':<4} {'maxlen':>6} {'thr':>4} {'rows':>5} {'drop':>5} "
              f"{'tokens':>7} {'train s':>8} {'tok/s':>7} {'pred rows/s':>11} {'score':>6}")
    results = [bench(name, args) for name in ("fever", "fairytaleqa")]
    print(header)
    for r in results:
        print(f"{r['dataset']:<12} {r['task']:<4} {r['max_length']:>6} {r['threads']:>4} "
              f"{r['train_rows']:>5} {r['dropped']:>5} {r['train_tokens']:>7} {r['train_s']:>8.1f} "
              f"{r['tokens_per_s']:>7.0f} {r['predict_rows_per_s']:>11.1f} {r['score']:>6.3f}")
    for r in results:
        if r["task"] == "qa":
            print(f"{r['dataset']} training spans: {r['spans']}")
    print("score: FV accuracy / QA token F1 on the sampled test rows after this short training")
    if args.gemma:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        os.environ.setdefault("LITTLEHUMAN_DATA_DIR", args.data_dir)
        import gemma_cpu
        from littlehuman.generation import GemmaBackend

        backend = GemmaBackend(threads=args.threads)
        backend.load()
        for name, task in (("fever", "fv"), ("fairytaleqa", "qa")):
            gemma_cpu.bench(backend, gemma_cpu.train_rows(name), task, args.gemma_rows,
                            batch_size=4, context_words=120)


if __name__ == "__main__":
    main()
