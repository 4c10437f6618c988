"""Fused against per-weight AdamW in the encoder learner's MiniLM training steps, on this CPU.

    python bench/encoder_adamw.py [--steps 6] [--batch 16] [--length 96] [--rounds 2]

Builds MiniLM for FV, then times ``--steps`` training steps (forward, backward, clipping,
AdamW, the cpu profile's 16 rows of 96 tokens) from a fresh optimizer, once with
``torch.optim.AdamW(fused=True)`` (what the learner uses) and once with the default
per-weight loop, alternating the two ``--rounds`` times in one process. Prints the seconds of
the first step (where AdamW allocates its state) and of the later ones, the optimizer's own
share, and the per-weight / fused time ratio (above 1: fused is faster). A smoke-profile run
trains 2-3 steps, so the first step's cost is most of it there.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

import torch  # noqa: E402

from cpu_bf16 import minilm_fv_model  # noqa: E402  (bench/cpu_bf16.py)
from littlehuman.learners.encoder import MAX_GRAD_NORM  # noqa: E402
from littlehuman.machine import usable_cores  # noqa: E402


def timed_steps(model, fused: bool, steps: int, batch: int, length: int) -> tuple[list[float], list[float]]:
    """Seconds per step and seconds in ``optimizer.step`` per step, from a fresh optimizer."""
    opt = torch.optim.AdamW(model.parameters(), lr=2e-4, fused=fused)
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, 20000, (batch, length), generator=generator)
    labels = torch.randint(0, 2, (batch,), generator=generator)
    step_s, opt_s = [], []
    for _ in range(steps):
        start = time.perf_counter()
        loss = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
        before = time.perf_counter()
        opt.step()
        opt.zero_grad(set_to_none=True)
        end = time.perf_counter()
        step_s.append(end - start)
        opt_s.append(end - before)
    return step_s, opt_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--length", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(usable_cores())
    model = minilm_fv_model()
    timed_steps(model, True, 1, args.batch, args.length)  # warm the model's own first step up
    results: dict[bool, list[tuple[list[float], list[float]]]] = {True: [], False: []}
    for _ in range(args.rounds):
        for fused in (False, True):
            results[fused].append(timed_steps(model, fused, args.steps, args.batch, args.length))
    print(f"MiniLM FV, {args.batch} rows x {args.length} tokens, {args.steps} steps from a fresh "
          f"AdamW, {args.rounds} rounds alternating, {torch.get_num_threads()} threads, "
          f"torch {torch.__version__}")
    print(f"{'AdamW':<11} {'first step s':>12} {'later steps s':>14} {'of it AdamW s':>14} {'run of steps s':>15}")
    totals = {}
    for fused, label in ((False, "per-weight"), (True, "fused")):
        firsts = [s[0] for s, _ in results[fused]]
        laters = [x for s, _ in results[fused] for x in s[1:]]
        opts = [x for _, o in results[fused] for x in o[1:]]
        totals[fused] = statistics.median(sum(s) for s, _ in results[fused])
        print(f"{label:<11} {statistics.median(firsts):>12.2f} {statistics.median(laters):>14.2f} "
              f"{statistics.median(opts):>14.3f} {totals[fused]:>15.2f}")
    print(f"per-weight / fused, whole run of {args.steps} steps: {totals[False] / totals[True]:.2f}x")


if __name__ == "__main__":
    main()
