"""Host-device syncs in the LoRA learner's training steps: a debugging and test aid.

A sync is the CPU waiting for the GPU: reading a value (``.item()``, ``if tensor:``), a count
(``nonzero``, a boolean index) or a blocking copy. Inside a training step it stops the CPU from
queueing the next kernels while the GPU works. :func:`watch_steps` watches every
``LoraLearner._train_step`` run inside it in two ways:

- :class:`SyncProbe`, on any device (the CPU included, so CI can check it): the operations
  that make the GPU report to the host, when they touch data on the training device (the
  model's weights, what :func:`littlehuman.learners.lora.to_device` sent, and all computed from
  them);
- on CUDA, ``torch.cuda.set_sync_debug_mode("warn")``: the syncs CUDA really performed,
  blocking copies included.
"""
from __future__ import annotations

import contextlib
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.weak import WeakIdKeyDictionary

#: aten operations that read a value or a count back from the device
SYNCING = ("aten._local_scalar_dense", "aten.nonzero", "aten.masked_select", "aten.is_nonzero",
           "aten.unique", "aten._unique2", "aten.equal", "aten.repeat_interleave.Tensor")


class SyncProbe(TorchDispatchMode):
    """Records the operations that would sync on CUDA, when they touch data marked as on the
    device (:meth:`mark`) or computed from it; each as ``op at file:line <- ...``."""

    def __init__(self) -> None:
        super().__init__()
        self.on_device = WeakIdKeyDictionary()
        self.syncs: list[str] = []

    def mark(self, *tensors: torch.Tensor) -> None:
        for t in tensors:
            self.on_device[t] = True

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        tensors = [a for a in tree_flatten((args, kwargs))[0] if isinstance(a, torch.Tensor)]
        touched = any(t in self.on_device for t in tensors)
        if touched and _syncs(func, args):
            frames = [f for f in traceback.extract_stack()[:-1] if "_python_dispatch" not in f.filename]
            self.syncs.append(f"{func} at " + " <- ".join(f"{Path(f.filename).name}:{f.lineno}"
                                                        for f in reversed(frames[-3:])))
        out = func(*args, **kwargs)
        if touched:
            self.mark(*(o for o in tree_flatten(out)[0] if isinstance(o, torch.Tensor)))
        return out


def _syncs(func: Any, args: tuple) -> bool:
    name = str(func)
    if name.startswith(SYNCING) or str(func.overloadpacket) in SYNCING:
        return True
    return func is torch.ops.aten.index.Tensor and any(  # a boolean index is a nonzero
        isinstance(i, torch.Tensor) and i.dtype == torch.bool for i in args[1] if i is not None)


#: the text of the warning CUDA's sync debug mode gives per sync (c10/cuda/CUDAFunctions.cpp);
#: not "synchroniz" alone, which also matches the mode's own once-per-process notice that it "is a
#: prototype feature and does not yet detect all synchronizing operations" (seen on an H200)
CUDA_SYNC_WARNING = "called a synchronizing CUDA operation"


@dataclass
class SyncReport:
    """What :func:`watch_steps` saw: optimizer steps, probe findings, CUDA's own warnings."""

    steps: int = 0
    probe: list[str] = field(default_factory=list)
    cuda: list[str] = field(default_factory=list)
    marked: int = 0

    def per_step(self) -> dict[str, float | None]:
        n = max(self.steps, 1)
        return {"probe_syncs_per_step": round(len(self.probe) / n, 2),
                "cuda_syncs_per_step": round(len(self.cuda) / n, 2) if torch.cuda.is_available() else None}


@contextlib.contextmanager
def watch_steps() -> Iterator[SyncReport]:
    """Watch every LoRA training step run inside the block (see the module docstring)."""
    from littlehuman.learners import lora

    report = SyncReport()
    real_to_device, real_step = lora.to_device, lora.LoraLearner._train_step
    probe: SyncProbe | None = None

    def sent(batch: dict[str, Any], device: torch.device) -> dict[str, Any]:
        out = real_to_device(batch, device)
        if probe is not None:
            probe.mark(*(v for v in out.values() if isinstance(v, torch.Tensor)))
        return out

    def watched(self: Any, step: Any, group: list[Any]) -> Any:
        nonlocal probe
        probe = SyncProbe()
        probe.mark(*self._model.parameters(), *self._model.buffers())
        cuda = step.device.type == "cuda"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if cuda:
                torch.cuda.synchronize()
                torch.cuda.set_sync_debug_mode("warn")
            try:
                with probe:
                    out = real_step(self, step, group)
            finally:
                if cuda:
                    torch.cuda.set_sync_debug_mode("default")
        report.steps += 1
        report.probe += probe.syncs
        report.marked += len(probe.on_device)
        report.cuda += [str(w.message).splitlines()[0] for w in caught if CUDA_SYNC_WARNING in str(w.message)]
        probe = None
        return out

    lora.to_device, lora.LoraLearner._train_step = sent, watched
    try:
        yield report
    finally:
        lora.to_device, lora.LoraLearner._train_step = real_to_device, real_step
