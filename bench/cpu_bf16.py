"""bfloat16 against float32 on this CPU: what ``config.fit_to_machine`` decides on.

    python bench/cpu_bf16.py [--steps 3] [--batch 16] [--length 96]

Times MiniLM training steps (forward, backward, AdamW; the cpu profile's batch of 16 rows of
96 tokens) and a 1024x1024 matrix product, in float32 and under bfloat16 autocast, with all
usable cores, and prints whether the CPU lists bfloat16 instructions (AVX512-BF16 or AMX)
and the bfloat16 / float32 time ratio (above 1: bfloat16 is slower here).
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

import torch  # noqa: E402

from littlehuman.learners.encoder import default_model_dir  # noqa: E402
from littlehuman.learners.training import quiet_transformers  # noqa: E402
from littlehuman.machine import cpu_bf16, usable_cores  # noqa: E402


def matmul_seconds(bf16: bool, reps: int = 5) -> float:
    dtype = torch.bfloat16 if bf16 else torch.float32
    a, b = torch.randn(1024, 1024, dtype=dtype), torch.randn(1024, 1024, dtype=dtype)
    a @ b
    start = time.perf_counter()
    for _ in range(reps):
        a @ b
    return (time.perf_counter() - start) / reps


def minilm_fv_model():
    """The bundled MiniLM with a seeded 2-label head, in training mode, loaded quietly."""
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(0)
    with warnings.catch_warnings(), quiet_transformers():
        warnings.simplefilter("ignore")
        model = AutoModelForSequenceClassification.from_pretrained(str(default_model_dir()),
                                                                   num_labels=2)
    return model.train()


def step_seconds(bf16: bool, steps: int, batch: int, length: int) -> float:
    model = minilm_fv_model()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-4)
    ids = torch.randint(1000, 20000, (batch, length))
    labels = torch.randint(0, 2, (batch,))
    times = []
    for _ in range(steps + 1):  # the first step warms up
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        times.append(time.perf_counter() - start)
    return sum(times[1:]) / steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--length", type=int, default=96)
    args = ap.parse_args()
    torch.set_num_threads(usable_cores())
    print(f"CPU lists bfloat16 instructions: {cpu_bf16()}; {usable_cores()} cores; "
          f"torch {torch.__version__}", flush=True)
    for what, run in (("1024x1024 matmul", matmul_seconds),
                      (f"MiniLM training step ({args.batch} x {args.length} tokens)",
                       lambda bf16: step_seconds(bf16, args.steps, args.batch, args.length))):
        f32, b16 = run(False), run(True)
        print(f"{what}: float32 {f32 * 1000:.1f} ms, bfloat16 {b16 * 1000:.1f} ms, "
              f"bfloat16/float32 = {b16 / f32:.2f}x", flush=True)


if __name__ == "__main__":
    main()
