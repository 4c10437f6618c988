"""Facts about the machine that choose fast settings: usable cores, bfloat16 on the CPU; and
running out of GPU memory as an answer rather than a crash."""
from __future__ import annotations

import contextlib
import functools
import gc
import os
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from littlehuman.errors import LittleHumanError

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 (an item)
R = TypeVar("R")

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
def warn_if_slow_bf16(what: str, flag: str) -> None:
    """Warn once per ``what`` when the CPU lists no bfloat16 instructions (there bfloat16 is
    emulated and can be slower than float32); ``flag``: the option that turns it off
    (the learner's, or the generator's: one line had named both)."""
    if cpu_bf16() is False:
        warnings.warn(
            f"{what} runs in bfloat16 but this CPU lists no bfloat16 instructions "
            f"({' or '.join(BF16_FLAGS)}): it may be faster with {flag} (docs/profiles.md)",
            stacklevel=2)


def sdpa_without_cudnn() -> Any:
    """A context in which SDPA picks among the kernels enabled around it less cuDNN's (which
    builds an execution plan per new shape: ``littlehuman.learners.lora.SDPA_CUDNN``); where
    cuDNN's is the only one enabled (a check that asks for it alone), nothing changes."""
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel

    cuda = torch.backends.cuda
    enabled = [kernel for kernel, on in ((SDPBackend.FLASH_ATTENTION, cuda.flash_sdp_enabled()),
                                         (SDPBackend.EFFICIENT_ATTENTION, cuda.mem_efficient_sdp_enabled()),
                                         (SDPBackend.MATH, cuda.math_sdp_enabled())) if on]
    return sdpa_kernel(enabled) if enabled else contextlib.nullcontext()


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


def in_chunks_halving_on_oom(
    items: Sequence[I],
    size: int,
    fn: Callable[[list[I]], Sequence[R]],
    *,
    too_big: str,
    halved: Callable[[int, int], str],
    key: Callable[[I], Any] | None = None,
    on_chunk: Callable[[int], None] | None = None,
    on_halve: Callable[[int], None] | None = None,
) -> tuple[list[R], int]:
    """``fn`` over ``items`` taken ``size`` at a time, in their order; returns its results
    aligned with ``items`` (``fn`` returns one per item of its chunk) and the chunk size in
    force at the end, for later calls to start at.

    A chunk that runs out of GPU memory (:func:`unless_out_of_memory`) is run again, and the
    rest after it, half its length at a time, after the warning ``halved(failed, size)`` (the
    length that failed, the new one); ``key``, where given, first sorts the items not yet done
    by it (stably), so that items alike (prompts of similar length) share a chunk. A chunk of
    one that runs out of memory raises :class:`LittleHumanError` with ``too_big``.
    ``on_chunk(n)`` follows each chunk of ``n`` done (a progress bar), ``on_halve(size)`` each
    halving (to remember the size at once, even if a later chunk of one fails).
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    positions = list(range(len(items)))
    out: list[Any] = [None] * len(items)
    done = 0
    while done < len(positions):
        chunk = positions[done:done + size]
        results = unless_out_of_memory(fn, [items[p] for p in chunk])
        if results is None:  # out of GPU memory: the same items again, half as many at a time
            if len(chunk) == 1:
                raise LittleHumanError(too_big)
            size = len(chunk) // 2
            if key is not None:
                positions[done:] = sorted(positions[done:], key=lambda p: key(items[p]))
            if on_halve is not None:
                on_halve(size)
            warnings.warn(halved(len(chunk), size), stacklevel=2)
            continue
        for p, result in zip(chunk, results):
            out[p] = result
        done += len(chunk)
        if on_chunk is not None:
            on_chunk(len(chunk))
    return out, size
