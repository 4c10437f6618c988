"""Facts about the machine that choose fast settings: usable cores, bfloat16 on the CPU; and
running out of GPU memory as an answer rather than a crash."""
from __future__ import annotations

import functools
import gc
import os
import warnings
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@functools.lru_cache(maxsize=1)
def cpu_bf16() -> bool | None:
    """Whether the CPU lists bfloat16 instructions (AVX512-BF16 or AMX); None where it cannot
    be told (no /proc/cpuinfo: macOS, Windows)."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text(errors="replace").split())
    except OSError:
        return None
    return any(flag in flags for flag in BF16_FLAGS)


@functools.lru_cache(maxsize=None)
def warn_if_slow_bf16(what: str) -> None:
    """Warn once per ``what`` when the CPU lists no bfloat16 instructions (there bfloat16 is
    emulated and can be slower than float32)."""
    if cpu_bf16() is False:
        warnings.warn(
            f"{what} runs in bfloat16 but this CPU lists no bfloat16 instructions "
            f"({' or '.join(BF16_FLAGS)}): it may be faster with --gen-dtype float32 "
            "--train-bf16 false (README: Profiles)", stacklevel=2)


def unless_out_of_memory(fn: Callable[..., T], *args: Any) -> T | None:
    """``fn(*args)``, or None when it ran out of GPU memory, cleaned up: the caller retries
    with less. The cleanup runs after the exception is gone, so the tensors its traceback held
    (the failed attempt's activations) are freed before the CUDA cache is emptied."""
    import torch

    try:
        return fn(*args)
    except torch.OutOfMemoryError:
        pass
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return None
