"""Training throughput of the LoRA learner: our configuration vs the authors', in one run.

    python bench/lora_throughput.py [--tiny] [--steps 30] [--tasks fv qa] [--json out.json]

Builds a model of the Llama-3.1-8B architecture with RANDOM weights (a LlamaConfig of that
size, nothing downloaded; ``--tiny``: a 2-layer config for CPU) and trains LoRA on synthetic
rows whose token lengths are sampled from the real training rows of FEVER (FV) and
FairyTaleQA (QA), loaded with ``littlehuman.data.load``; lengths are ``words * 1.3`` (a
word-level bench tokenizer then makes one token per word). Max lengths are the PROTOCOL's
(100 and 400). For each task it measures, one after the other in the same process:

- ours: ``dtype="auto"`` (bf16 on CUDA), QA packing, ``--batch-size`` examples a step (the
  learner halves its micro-batch on CUDA out-of-memory until one fits, same gradients), no
  gradient checkpointing, loss on the answer;
- authors: fp32 weights, batch 1 (QA: grad-accum 2), gradient checkpointing, no packing
  (their packing made full rows; batch 1 has no padding either), loss on the whole sequence.

Tokens/s and MFU are the learner's own ``fit_stats`` log windows (every ``--log-every``
steps) after the first, which holds the warm-up; MFU is the learner's (4N for frozen weights,
6N for trainable ones, plus attention, over the card's dense peak for the weights' dtype: bf16
or fp32; None on CPU). The first GPU check's MFU (2026-12-04) counted 6N over the bf16 peak. On CPU only ``--tiny`` is practical and its numbers only show the pipeline runs.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from littlehuman.learners.lora import LoraLearner  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("LITTLEHUMAN_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data")
DATASETS = {"fv": "fever", "qa": "fairytaleqa"}
BENCH_WORDS = 1000  # bench tokenizer: w0 .. w999, one token each
LLAMA_8B = dict(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=131072,
                rope_theta=500000.0, rms_norm_eps=1e-5, tie_word_embeddings=False)
TINY = dict(vocab_size=2048, hidden_size=64, intermediate_size=224, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
            rope_theta=500000.0, rms_norm_eps=1e-5, tie_word_embeddings=False)


class RandomWeightsLearner(LoraLearner):
    """The LoRA learner on a model built from ``model_dir``'s config.json with random weights."""

    def _load_base(self) -> Any:
        from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification

        config = AutoConfig.from_pretrained(self.model_dir)
        kwargs = {"dtype": self._torch_dtype(), "attn_implementation": self._attn()}
        with torch.device(self._device()):
            if self.task == "fv":
                config.num_labels, config.pad_token_id = 2, self._tokenizer.pad_token_id
                return AutoModelForSequenceClassification.from_config(config, **kwargs)
            return AutoModelForCausalLM.from_config(config, **kwargs)


def save_bench_tokenizer(path: Path) -> None:
    """The word-level bench tokenizer (w0 .. w999, one token each) in ``path``."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(["<unk>", "<s>", "</s>", "|", "ANSWER", ":"]
                                         + [f"w{k}" for k in range(BENCH_WORDS)])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                            unk_token="<unk>").save_pretrained(path)


def make_model_dir(path: Path, tiny: bool, config_class: Any = None, **shape: Any) -> None:
    """config.json of the bench architecture (Llama-3.1-8B's shape, or :data:`TINY`; ``shape``
    overrides fields, ``config_class`` replaces LlamaConfig) plus the word-level bench tokenizer."""
    from transformers import LlamaConfig

    save_bench_tokenizer(path)
    (config_class or LlamaConfig)(**{**(TINY if tiny else LLAMA_8B), **shape},
                                  bos_token_id=1, eos_token_id=2).save_pretrained(path)


def length_pool(task: str, data_dir: str) -> pd.DataFrame:
    """Approximate token lengths (words * 1.3) of the real training rows' text columns."""
    from littlehuman import data

    df = data.load(DATASETS[task], data_dir, use_cache=False)
    df = df[df["split"] == "train"]
    cols = ["context", "claim"] if task == "fv" else ["context", "question", "answer"]
    return pd.DataFrame({c: (df[c].astype(str).str.split().str.len() * 1.3).round().clip(lower=1).astype(int)
                         for c in cols})


def synthetic_rows(pool: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` rows of random bench words with the lengths of ``pool``'s rows at ``n`` evenly
    spaced quantiles of their total length, in a random order: a short fit sees the pool's
    lengths, where a random draw of the authors' 12 FV rows had a mean 20% under ours (a
    reviewer's find: their tokens/s, nearly proportional to row length, came out low)."""
    rng = np.random.default_rng(seed)
    order = np.argsort(pool.sum(axis=1).to_numpy(), kind="stable")
    at = ((np.arange(n) + 0.5) / n * len(pool)).astype(int).clip(0, len(pool) - 1)
    picks = pool.iloc[order[at]].iloc[rng.permutation(n)]
    rows = {c: [" ".join(f"w{k}" for k in rng.integers(0, BENCH_WORDS, int(m))) for m in picks[c]]
            for c in pool.columns}
    if "claim" in rows:
        rows["label"] = list(rng.integers(0, 2, n))
    return pd.DataFrame(rows)


#: tokens of a QA row besides its context, question and answer (BOS, " | ", " ANSWER: ", " |")
QA_SEPARATORS = 5


def authors_params(task: str, pool: pd.DataFrame, max_length: int) -> dict[str, Any]:
    """The authors' configuration (PROTOCOL): fp32, gradient checkpointing, the loss on every
    token, one row a micro-batch; QA at grad-accum 2, its rows :func:`authors_pool`'s (their
    packing fills every row)."""
    base = dict(dtype="fp32", gradient_checkpointing=True, loss_on="all", batch_size=1,
                packing=False)
    return {**base, "grad_accum": 1 if task == "fv" else 2}


def authors_pool(task: str, pool: pd.DataFrame, max_length: int) -> pd.DataFrame:
    """The lengths the authors train on. FV: the pool's. QA: rows of exactly ``max_length``
    tokens, as their SFTTrainer's packing makes them (examples end to end, the stream cut into
    rows of the max length, attention across them): each row's context fills it. The first
    emulation (2026-12-05) packed as many mean-length examples as fill 80% of a row, which at
    FairyTaleQA's 258 tokens a row at 400 was one example a micro-batch, the unpacked timing
    it meant to replace (a reviewer's find)."""
    if task == "fv":
        return pool
    filled = pool.copy()
    filled["context"] = (max_length - QA_SEPARATORS - filled["question"] - filled["answer"]).clip(lower=1)
    return filled


def measure(task: str, model_dir: Path, pool: pd.DataFrame, max_length: int, steps: int, log_every: int,
            learner_class: type = RandomWeightsLearner, **params: Any) -> dict[str, Any]:
    """One fit of ``steps`` optimizer steps; steady-state tokens/s and MFU (the median of the
    learner's log windows after the first, which holds the warm-up), peak GPU memory and the
    micro-batch the learner settled on (it halves its micro-batch on CUDA out-of-memory, same
    gradients). The model is freed before returning. ``learner_class``: a subclass of
    :class:`RandomWeightsLearner` (bench/gpu_check.py's shared-GPU step waits in ``_load_base``)."""
    per_step = params["batch_size"] * params.get("grad_accum", 1)
    rows = synthetic_rows(pool, steps * per_step, seed=0)
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    learner = learner_class(task, seed=0, model_dir=str(model_dir), epochs=1, max_length=max_length,
                                   progress=False, log_every=log_every, **params)
    try:
        learner.fit(rows)
        stats = learner.fit_stats
    finally:
        learner._model = None
        del learner
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    windows = stats["log"][1:] or stats["log"]
    mfus = [w["mfu"] for w in windows if w["mfu"] is not None]
    # the median window, and the tokens per micro-batch it ran at (plan_points pairs the two:
    # the whole fit's mean had stood beside one window's rate)
    middle = sorted(windows, key=lambda w: w["tokens_per_s"])[len(windows) // 2] if windows else {}
    return {"tokens_per_s": round(statistics.median(w["tokens_per_s"] for w in windows)) if windows
            else stats["tokens_per_s"],
            "window_tokens_per_micro_batch": middle.get("tokens_per_micro_batch"),
            "mfu": statistics.median(mfus) if mfus else None,
            "fit_tokens_per_s": stats["tokens_per_s"],  # the whole fit, its first steps' warm-up and new shapes included
            "peak_mem_gib": round(torch.cuda.max_memory_allocated() / 2**30, 1) if torch.cuda.is_available() else None,
            "batch": params["batch_size"], "micro_batch": stats["micro_batch_cap"] or params["batch_size"],
            "grad_accum": params.get("grad_accum", 1), "dtype": stats["dtype"], "attn": stats["attn_implementation"],
            "packing": stats["packing"], "grad_ckpt": params.get("gradient_checkpointing", False),
            "pad_fraction": stats["pad_fraction"], "steps": stats["steps"], "train_tokens": stats["train_tokens"],
            "n_params": stats["n_params"],
            "model_type": json.loads((Path(model_dir) / "config.json").read_text())["model_type"]}


def bench_task(task: str, model_dir: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    from littlehuman import data

    pool = length_pool(task, args.data_dir)
    max_length = data.get(DATASETS[task]).max_seq_len
    results = []
    t0 = time.perf_counter()
    ours = measure(task, model_dir, pool, max_length, args.steps, args.log_every, batch_size=args.batch_size,
                   dtype="auto", packing=True, gradient_checkpointing=False, loss_on="answer")
    results.append({"task": task, "config": "ours", **ours,
                    "wall_s": round(time.perf_counter() - t0, 1)})
    t0 = time.perf_counter()
    authors = measure(task, model_dir, authors_pool(task, pool, max_length), max_length, args.steps,
                      args.log_every, **authors_params(task, pool, max_length))
    results.append({"task": task, "config": "authors", **authors,
                    "wall_s": round(time.perf_counter() - t0, 1)})
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="a 2-layer model for CPU instead of Llama-3.1-8B's shape")
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    ap.add_argument("--tasks", nargs="+", default=["fv", "qa"], choices=["fv", "qa"])
    ap.add_argument("--steps", type=int, default=30, help="optimizer steps per configuration")
    ap.add_argument("--log-every", type=int, default=5, help="steps per throughput window")
    ap.add_argument("--batch-size", type=int, default=None,
                    help="ours: examples a step; the learner halves its micro-batch on OOM (64 on CUDA, 16 on CPU)")
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = ap.parse_args()
    args.batch_size = args.batch_size or (64 if torch.cuda.is_available() else 16)
    if not args.tiny and not torch.cuda.is_available():
        raise SystemExit("the Llama-3.1-8B-sized bench needs a CUDA GPU: use --tiny on CPU")

    device = torch.cuda.get_device_name() if torch.cuda.is_available() else f"cpu ({torch.get_num_threads()} threads)"
    print(f"device={device} torch={torch.__version__} model={'tiny' if args.tiny else 'Llama-3.1-8B shape'} "
          f"(random weights) steps={args.steps} tf32={torch.backends.cuda.matmul.allow_tf32}", flush=True)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        make_model_dir(Path(tmp), args.tiny)
        for task in args.tasks:
            results += bench_task(task, Path(tmp), args)
    print(f"{'task':<4} {'config':<8} {'dtype':<9} {'attn':<17} {'batch':>5} {'micro':>5} {'ckpt':>5} {'packing':>10} "
          f"{'pad%':>5} {'tok/s':>9} {'MFU':>6} {'mem GiB':>7} {'wall s':>6}")
    for r in results:
        mfu = "-" if r["mfu"] is None else f"{r['mfu']:.1%}"
        mem = "-" if r["peak_mem_gib"] is None else f"{r['peak_mem_gib']:.1f}"
        print(f"{r['task']:<4} {r['config']:<8} {r['dtype']:<9} {r['attn']:<17} {r['batch']:>5} {r['micro_batch']:>5} "
              f"{str(r['grad_ckpt']):>5} {str(r['packing']):>10} {100 * r['pad_fraction']:>5.1f} "
              f"{r['tokens_per_s']:>9.0f} {mfu:>6} {mem:>7} {r['wall_s']:>6.1f}")
    for task in args.tasks:
        ours, authors = (next(r for r in results if r["task"] == task and r["config"] == c)
                         for c in ("ours", "authors"))
        print(f"{task}: ours / authors training tokens/s = {ours['tokens_per_s'] / authors['tokens_per_s']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({"device": device, "tiny": args.tiny, "results": results}, indent=2))


if __name__ == "__main__":
    main()
