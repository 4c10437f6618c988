"""Where a LoRA optimizer step's time goes: per-step wall times and a torch.profiler table.

    python bench/gpu_profile.py --out DIR            # Llama-3.1-8B architecture, random weights (GPU)
    python bench/gpu_profile.py --tiny --out DIR     # a 2-layer toy on the CPU (checks the script)

Written after the first GPU check (2026-12-04, H200) showed a fixed cost of about 0.3-0.4 s per
optimizer step whatever its size (FV at batch 8: 440 tokens a step, 1,082 tokens/s, MFU 4.7%).
For FV and QA at ``--batch`` (8, the paper profile's), one fit of ``--steps`` optimizer steps on
bench/token_lengths.json's lengths; each step timed between two synchronizes (``step_ms``) and
the time between steps (``gap_ms``: batching, logging); steps 4-6 under torch.profiler, whose
tables (top ops by self CPU time and by device time) go to DIR/profile.txt.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
sys.path.insert(0, str(ROOT / "bench"))

import torch  # noqa: E402

import gpu_check  # noqa: E402  (bench/gpu_check.py: the stored token lengths)
import lora_throughput as lt  # noqa: E402  (bench/lora_throughput.py)
from littlehuman.learners.lora import LoraLearner  # noqa: E402

PROFILED = range(4, 7)  # 1-based optimizer steps run under the profiler


def sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def profile_fit(task: str, model_dir: Path, batch: int, steps: int, tiny: bool) -> tuple[list[str], str]:
    """One fit with every optimizer step timed; the profiler's tables for steps 4-6."""
    pool, max_length = gpu_check.load_pool(task, cap=64 if tiny else None)
    rows = lt.synthetic_rows(pool, steps * batch, seed=0)
    real_step = LoraLearner._train_step
    times: list[tuple[float, float]] = []
    activities = [torch.profiler.ProfilerActivity.CPU]
    if torch.cuda.is_available():
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    prof = torch.profiler.profile(activities=activities)

    def timed(self: Any, step: Any, group: list[Any]) -> Any:
        n = len(times) + 1
        if n == PROFILED.start:
            prof.__enter__()
        sync()
        start = time.perf_counter()
        out = real_step(self, step, group)
        sync()
        times.append((start, time.perf_counter()))
        if n == PROFILED.stop - 1:
            prof.__exit__(None, None, None)
        return out

    LoraLearner._train_step = timed
    try:
        learner = lt.RandomWeightsLearner(task, seed=0, model_dir=str(model_dir), epochs=1, max_length=max_length,
                                          progress=False, log_every=1000, batch_size=batch, dtype="auto",
                                          packing=True, gradient_checkpointing=False, loss_on="answer")
        learner.fit(rows)
    finally:
        LoraLearner._train_step = real_step
    stats = learner.fit_stats
    learner._model = None
    step_ms = [round(1000 * (b - a)) for a, b in times]
    gap_ms = [round(1000 * (times[i + 1][0] - times[i][1])) for i in range(len(times) - 1)]
    lines = [f"== {task} batch {batch}: {stats['train_tokens']:,} tokens in {stats['steps']} steps, "
             f"dtype {stats['dtype']}, attn {stats['attn_implementation']}",
             f"step_ms {step_ms}", f"gap_ms {gap_ms}"]
    averages = prof.key_averages()
    tables = []
    for key in ("self_cpu_time_total", "self_device_time_total" if torch.cuda.is_available() else None):
        if key:
            tables.append(f"-- {task}: top ops by {key} over steps {PROFILED.start}-{PROFILED.stop - 1}\n"
                          + averages.table(sort_by=key, row_limit=25, max_name_column_width=60))
    return lines, "\n".join(tables)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--tiny", action="store_true", help="a 2-layer toy model (CPU)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--tasks", nargs="+", default=["fv", "qa"], choices=["fv", "qa"])
    args = ap.parse_args(argv)
    if args.steps < PROFILED.stop - 1:
        ap.error(f"--steps must be at least {PROFILED.stop - 1}: steps {PROFILED.start}-{PROFILED.stop - 1} are profiled")
    args.out.mkdir(parents=True, exist_ok=True)
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    report = [f"device {device}, torch {torch.__version__}"]
    with tempfile.TemporaryDirectory() as tmp:
        lt.make_model_dir(Path(tmp), args.tiny)
        for task in args.tasks:
            lines, tables = profile_fit(task, Path(tmp), args.batch, args.steps, args.tiny)
            print("\n".join(lines), flush=True)
            report += lines + [tables]
            (args.out / "profile.txt").write_text("\n".join(report) + "\n")
            gpu_check.free_memory()
    print(f"wrote {args.out / 'profile.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
