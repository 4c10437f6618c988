"""LoRA fine-tuning of a local Hugging Face causal LM (Llama, Mistral, ...), per PROTOCOL.

- FV: ``AutoModelForSequenceClassification`` (2 labels, the pad token set to EOS when the
  tokenizer has none) over ``context + " | " + claim``; predicts the argmax label.
- QA: causal LM over ``context + " | " + question + " ANSWER: "`` followed by the target
  ``answer + " |"``; predicts by greedy batched decoding (left padding, no repetition penalty,
  ``max_new_tokens``), cut at the first "|" and stripped. Generation stops at EOS or at any
  token containing "|".
- Prompt and target are tokenized separately and concatenated, at training and at prediction
  alike, so the model continues exactly the prompt it will be given. Only the context is cut
  (at a token boundary) to fit ``max_length``, keeping its start, or with
  ``context_side="tail"`` its end (ROPES: its situation, which the questions ask about, ends
  the context); a claim/question that does not fit even with
  no context keeps its end and is counted; answers longer than ``max_length // 2`` tokens are
  cut and counted. At prediction the prompt leaves room for ``max_new_tokens``.
- Loss (QA): ``loss_on="answer"`` (the default) trains on the answer tokens only, the usual
  choice for instruction/QA tuning: the model is never asked to reproduce the context, and the
  loss is not dominated by long contexts. ``loss_on="all"`` is the authors' whole-sequence loss
  (SFTTrainer without a completion-only collator). Logits are computed only at positions that
  have a target (:func:`model_logits`), which skips the vocabulary projection of the context.
- Hyper-parameters: ``settings="scripts"`` (default) takes the authors' scripts' values, see
  :data:`SETTINGS`; ``settings="paper"`` takes the paper text's learning rates. Explicit
  ``epochs``/``lr``/``r``/``alpha``/``dropout`` override. The settings' rates are the
  authors', set for their batch (FV 1 example a step, QA 2): the profiles pass ``lr`` scaled
  to ``batch_size * grad_accum`` (:func:`littlehuman.learners.defaults.lora_lr`, ``--lr-scaling``);
  this class, given no ``lr``, takes the settings' rate as it is. AdamW (no weight decay), linear
  schedule with warmup, gradient clipping, ``batch_size`` examples per micro-batch times
  ``grad_accum``; the loss of an optimizer step is the mean over its target tokens (QA) or
  examples (FV), however they were split into micro-batches.
- Speed: bf16 on CUDA when supported, fp32 on CPU (``dtype="auto"``); with a bf16 base the
  trainable weights (LoRA, FV's score head) stay fp32 for AdamW and the forward runs under bf16
  autocast, with peft's cast of each LoRA input to fp32 switched off (autocast computes those
  matmuls in bf16 anyway: the cast only added two copies per adapted layer). peft's LoRA layers
  run a lean forward (:mod:`littlehuman.learners.lean_lora`, :data:`LEAN_LORA_FORWARD`): the
  scaling on the rank-r side and the add inside B's matmul, fewer passes over each layer's
  output, the same sums up to rounding. SDPA attention
  without cuDNN's kernel on CUDA (:data:`SDPA_CUDNN`), or
  flash-attention-2 when installed with bf16 on CUDA. QA training PACKS each micro-batch's
  examples (first-fit decreasing) into rows of at most ``max_length`` tokens, with
  ``position_ids`` restarting at 0 per example: with flash-attention the micro-batch becomes
  one padding-free row read by the varlen kernel (``cu_seq_lens`` computed on the CPU);
  otherwise a block-diagonal causal 4D mask keeps every example to itself (see
  :func:`collate_packed`). Packing changes speed, not the optimization: the same examples
  make the same steps. FV (and QA with ``packing=False``) uses length-grouped batches with
  dynamic padding. Gradient checkpointing and ``torch.compile`` only when asked. Ask for a
  large ``batch_size``: a step that runs out of GPU memory is redone in smaller chunks with
  the same gradients (see ``_accumulate``), so the largest batch that fits is found, not guessed.
- ``liger`` (CUDA, opt-in, unmeasured): Liger's fused Triton kernels for RMSNorm, SwiGLU
  and RoPE (``liger-kernel``), see :meth:`LoraLearner._with_liger`.
- Throughput: every ``log_every`` optimizer steps, tokens/s and MFU (:func:`training_flops`:
  ``4 * N * tokens`` for the frozen non-embedding weights, which need no weight gradients, the
  vocabulary projection counted only where logits are computed, ``2 * N`` more for the trainable
  adapter and head weights, plus ``12 * layers * width * sum(example_len ** 2)`` for attention,
  over the card's dense peak for the weights' dtype, :data:`PEAK_BF16_FLOPS` or
  :data:`PEAK_FP32_FLOPS`; None on CPU or an unknown card). Padding never counts as work, so
  it shows as lost MFU. The first GPU check (2026-12-04) counted nanoGPT's ``6 * N`` over the
  bf16 peak for every run: its MFU figures are not comparable with later ones.
- Model selection, with ``select_on_valid`` and a non-empty ``valid``, keeps the epoch with
  the best valid accuracy (FV) or token F1 (QA); the valid split only, never test.
- Seeded (python, numpy, torch) and deterministic on CPU for a given thread count.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from littlehuman.errors import LittleHumanError
from littlehuman.learners.base import as_texts, check_rows, read_meta, write_meta
from littlehuman.learners.defaults import LORA_DEFAULTS, LORA_SETTINGS
from littlehuman.learners import lean_lora
from littlehuman.learners.training import (VALID_METRIC, bucket_batches, quiet_transformers,
                                           seed_everything, valid_score)
from littlehuman.machine import in_chunks_halving_on_oom, sdpa_without_cudnn, unless_out_of_memory

TASKS = ("fv", "qa")
#: (task, settings) -> hyper-parameters; "scripts" = the authors' training scripts.
SETTINGS = LORA_SETTINGS  # (task, settings) -> hyper-parameters (learners/defaults.py)
#: dense bf16 tensor-core peak FLOP/s by device-name fragment (first match wins)
PEAK_BF16_FLOPS: tuple[tuple[str, float], ...] = (
    ("H100 PCIE", 756e12), ("H100 NVL", 835e12), ("H100", 989.4e12), ("H200 NVL", 835e12),
    ("H200", 989.4e12), ("A100", 312e12),
)
#: the same for fp32 without TF32 (the authors' setting; torch's default leaves TF32 off)
PEAK_FP32_FLOPS: tuple[tuple[str, float], ...] = (
    ("H100 PCIE", 51e12), ("H100 NVL", 60e12), ("H100", 67e12), ("H200 NVL", 60e12),
    ("H200", 67e12), ("A100", 19.5e12),
)
_DTYPES = {"bf16": torch.bfloat16, "bfloat16": torch.bfloat16, "fp32": torch.float32, "float32": torch.float32}
_PARAMS = ("model_dir", "epochs", "lr", "batch_size", "grad_accum", "max_length", "max_new_tokens", "r",
           "alpha", "dropout", "target_modules", "loss_on", "dtype", "packing", "gradient_checkpointing",
           "compile", "liger", "select_on_valid", "settings", "log_every", "progress", "context_side")
IGNORE = -100
#: whether SDPA may pick cuDNN's attention kernel on CUDA (torch prefers it on Hopper). Off: it
#: builds an execution plan for every new (batch, length) shape, which padded FV batches bring at
#: almost every step, and costs 1-3 ms of CPU per call even with its plan cached; on an H200 its
#: forward and backward took 28% of the CPU time of an FV step at batch 8, whose GPU sat idle 85%
#: of the step (bench/gpu_results/2026-12-04-h200/3_profile_batch8.txt). Flash (no mask) and
#: memory-efficient (masks) kernels need no plan. bench/gpu_check.py measures both settings.
SDPA_CUDNN = False
#: whether peft casts each LoRA layer's input to the adapter's dtype (fp32) under a bf16 base. Off:
#: the forward runs under bf16 autocast, which casts it back for the bf16 matmul, so the cast only
#: adds copies, forward and backward (a 2-layer toy: 185 -> 135 casts a step, 27% fewer; the H200
#: profile counted about 2,050 casts a step on Llama-3.1-8B, and copies took 17% of its GPU
#: time); the matmuls, and so the loss and gradients, are the same (tested).
PEFT_INPUT_CASTS = False
#: whether peft's LoRA layers run :func:`littlehuman.learners.lean_lora.lean_forward`: the
#: scaling on the rank-r side and the add inside B's matmul (``addmm``): two passes over an
#: adapted layer's output fewer forward and one backward (the kernel count about the same),
#: the same sums up to rounding (tested); bench/lora_forward.py measures it on the CPU,
#: bench/gpu_check.py step 5 on a GPU.
LEAN_LORA_FORWARD = True


@contextlib.contextmanager
def _peft_quiet() -> Iterator[None]:
    """Hide peft's use of transformers' deprecated ``is_gradient_checkpointing`` (not ours to fix)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        yield


# --------------------------------------------------------------------------- packing
def pack_bins(lengths: list[int], capacity: int) -> list[list[int]]:
    """First-fit decreasing: example indices grouped into rows of at most ``capacity`` tokens."""
    bins: list[list[int]] = []
    loads: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda k: (-lengths[k], k)):
        slot = next((b for b, load in enumerate(loads) if load + lengths[i] <= capacity), None)
        if slot is None:
            bins.append([i])
            loads.append(lengths[i])
        else:
            bins[slot].append(i)
            loads[slot] += lengths[i]
    return bins


def block_causal_mask(segments: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Additive ``(rows, 1, W, W)`` mask: token q sees token k iff same segment and k <= q."""
    width = segments.shape[1]
    same = segments[:, :, None] == segments[:, None, :]
    allowed = same & torch.ones(width, width, dtype=torch.bool, device=segments.device).tril()
    mask = torch.zeros(allowed.shape, dtype=dtype, device=segments.device)
    return mask.masked_fill_(~allowed, torch.finfo(dtype).min)[:, None]


def collate_packed(
    examples: list[dict[str, Any]], max_length: int, pad_id: int, *, varlen: bool = False,
    dtype: torch.dtype = torch.float32,
) -> dict[str, Any]:
    """Pack examples (``input_ids`` and ``labels`` lists) into rows, positions restarting at 0.

    ``varlen``: one padding-free row and no mask, with flash-attention's ``cu_seq_lens_q/k``
    (the sequence boundaries) and ``max_length_q/k`` computed here. Otherwise rows of at most
    ``max_length`` tokens padded to the longest row, with a block-diagonal causal
    ``attention_mask`` (pads form a segment of their own) and ``segments`` (example index
    within its row, -1 on pads).
    """
    lengths = [len(e["input_ids"]) for e in examples]
    bins = [list(range(len(examples)))] if varlen else pack_bins(lengths, max_length)
    width = max(sum(lengths[i] for i in b) for b in bins)
    shape = (len(bins), width)
    input_ids = torch.full(shape, pad_id, dtype=torch.long)
    labels = torch.full(shape, IGNORE, dtype=torch.long)
    positions = torch.zeros(shape, dtype=torch.long)
    segments = torch.full(shape, -1, dtype=torch.long)
    for row, members in enumerate(bins):
        at = 0
        for k, i in enumerate(members):
            n = lengths[i]
            input_ids[row, at:at + n] = torch.tensor(examples[i]["input_ids"])
            labels[row, at:at + n] = torch.tensor(examples[i]["labels"])
            positions[row, at:at + n] = torch.arange(n)
            segments[row, at:at + n] = k
            at += n
    batch: dict[str, Any] = {"input_ids": input_ids, "labels": labels, "position_ids": positions}
    if varlen:  # flash-attention's own varlen arguments: else it derives them on the GPU, with a sync
        cu = torch.tensor([0, *itertools.accumulate(lengths)], dtype=torch.int32)
        batch.update(cu_seq_lens_q=cu, cu_seq_lens_k=cu, max_length_q=max(lengths), max_length_k=max(lengths))
    else:
        batch["attention_mask"] = block_causal_mask(segments, dtype)
        batch["segments"] = segments
    return batch


def collate_padded(seqs: list[list[int]], pad_id: int, *, left: bool = False) -> dict[str, torch.Tensor]:
    """Pad token-id lists to the longest one; returns ``input_ids`` and a 2D ``attention_mask``."""
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for b, s in enumerate(seqs):
        cols = slice(width - len(s), width) if left else slice(0, len(s))
        ids[b, cols] = torch.tensor(s, dtype=torch.long)
        mask[b, cols] = 1
    return {"input_ids": ids, "attention_mask": mask}


def causal_padding_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor | None:
    """The 4D mask of a right-padded batch (:func:`block_causal_mask`, pads a segment of their
    own), or None when nothing is padded (plain causal attention).

    Built on the CPU so that transformers need not ask the GPU whether the batch has padding
    (its ``padding_mask.all()`` is a host-device sync in every forward)."""
    if bool(attention_mask.all()):
        return None
    return block_causal_mask(attention_mask.long() - 1, dtype)  # segment 0: tokens, -1: pads


def target_positions(labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row, the positions whose next token is a target, and those targets: ``(rows, K)``
    each, K the most any row has, padded with position 0 and target ``IGNORE``.

    Computed on the CPU (see :class:`HeadPositions`): a boolean mask on the device (or indexing
    the labels with one) makes the GPU report how many positions it kept, a host-device sync."""
    following = labels[:, 1:]
    keep = following != IGNORE
    k = max(int(keep.sum(1).max()), 1) if keep.numel() else 1
    order = torch.argsort((~keep).to(torch.int8), dim=1, stable=True)[:, :k]  # kept positions first, in order
    kept = keep.gather(1, order)
    targets = following.gather(1, order).masked_fill(~kept, IGNORE)
    return order.masked_fill(~kept, 0), targets


class HeadPositions:
    """A forward pre-hook for the output head: while ``positions`` is set, the head sees only
    the hidden states there (``(rows, K)``, from :func:`target_positions`), so logits
    ``(rows, K, vocab)`` are computed only where there is a target. A hook rather than
    ``logits_to_keep``, whose tensor forms differ across transformers versions (5.17 indexes a
    2D tensor as 1D positions). See :func:`model_logits`."""

    def __init__(self) -> None:
        self.positions: torch.Tensor | None = None

    def __call__(self, _module: Any, args: tuple) -> tuple | None:
        if self.positions is None:
            return None
        return (torch.take_along_dim(args[0], self.positions[..., None], dim=1), *args[1:])


def head_positions(model: Any) -> HeadPositions:
    """The model's :class:`HeadPositions` hook, registered on first use (kept on the head module)."""
    head = model.get_output_embeddings()
    if not isinstance(getattr(head, "_littlehuman_positions", None), HeadPositions):
        head._littlehuman_positions = HeadPositions()
        head.register_forward_pre_hook(head._littlehuman_positions)
    return head._littlehuman_positions


def model_logits(model: Any, batch: dict[str, Any], positions: torch.Tensor | None = None) -> torch.Tensor:
    """The model's logits for ``batch``; with ``positions``, only there (``(rows, K, vocab)``).

    What training compiles with ``torch.compile``: ``positions`` is an input of the compiled
    function, so its shape is dynamic like the batch's (read from the hook's attribute alone,
    it would be a fixed-shape module property: a recompile per shape). Register the hook
    (:func:`head_positions`) before compiling."""
    if positions is None:
        return model(**batch, use_cache=False).logits
    hook = head_positions(model)
    hook.positions = positions
    try:
        return model(**batch, use_cache=False).logits
    finally:
        hook.positions = None


def to_device(batch: dict[str, Any], device: torch.device) -> dict[str, Any]:
    """The batch's tensors on ``device`` (other values as they are); to CUDA from pinned memory
    without blocking (a plain copy from pageable memory waits for the GPU to finish its queue,
    a sync per micro-batch)."""
    if device.type != "cuda":
        return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}
    return {k: v.pin_memory().to(device, non_blocking=True) if isinstance(v, torch.Tensor) else v
            for k, v in batch.items()}


# --------------------------------------------------------------------------- FLOPs
def peak_flops(device: torch.device, dtype: torch.dtype | None = None) -> float | None:
    """The device's dense peak FLOP/s for ``dtype`` (bf16 from :data:`PEAK_BF16_FLOPS`, fp32
    from :data:`PEAK_FP32_FLOPS`: the authors' fp32 had been set against the bf16 peak, ~15x
    too high); None on CPU/unknown."""
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device).upper()
    table = PEAK_FP32_FLOPS if dtype == torch.float32 else PEAK_BF16_FLOPS
    return next((peak for key, peak in table if key in name), None)


def training_flops(n_body: int, n_head: int, n_layers: int, attn_width: int, tokens: int,
                   logit_tokens: int, sum_sq_lengths: int, n_trainable: int = 0) -> float:
    """Model FLOPs of a LoRA training step (forward + backward): 2N forward and 2N for the
    inputs' gradients of each frozen weight (no weight gradient: 4N, where full fine-tuning's
    nanoGPT count is 6N, which overstated LoRA's work ~1.5x, a reviewer measured with torch's
    FlopCounterMode), 6N for the ``n_trainable`` adapter and head weights (counted in
    ``n_body`` already: 2N more), and attention's ``12 L d sum(len^2)``."""
    return (4.0 * (n_body * tokens + n_head * logit_tokens) + 2.0 * n_trainable * tokens
            + 12.0 * n_layers * attn_width * sum_sq_lengths)


def _flop_shape(model: Any) -> dict[str, int]:
    """Non-embedding parameters, vocabulary-head parameters, layers, attention width."""
    unique = {id(p): p.numel() for p in model.parameters()}
    emb = model.get_input_embeddings().weight
    out = model.get_output_embeddings()
    head = 0 if out is None else out.weight.numel()
    tied = out is not None and out.weight is emb
    cfg = model.config.get_text_config() if hasattr(model.config, "get_text_config") else model.config
    heads = int(cfg.num_attention_heads)
    head_dim = int(getattr(cfg, "head_dim", None) or cfg.hidden_size // heads)
    trainable = sum(p.numel() for p in {id(p): p for p in model.parameters()}.values()
                    if p.requires_grad)
    return {"n_body": sum(unique.values()) - emb.numel() - (0 if tied else head), "n_head": head,
            "n_layers": int(cfg.num_hidden_layers), "attn_width": heads * head_dim,
            "n_trainable": trainable}


class _Meter:
    """Training tokens, token slots (pads included) and model FLOPs: per log window and in total.

    Timing covers training only (``start``/``stop`` around each epoch, not validation); on
    CUDA the clock reads after a synchronize.
    """

    def __init__(self, device: torch.device, peak: float | None) -> None:
        self.device, self.peak = device, peak
        self.steps = self.tokens = self.slots = 0
        self.flops = self.seconds = 0.0
        self.entries: list[dict[str, Any]] = []
        self.t0 = self.w_t0 = 0.0
        self._window()

    def _now(self) -> float:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    def _window(self) -> None:
        self.w_loss, self.w_items, self.w_tokens, self.w_flops = torch.zeros((), device=self.device), 0, 0, 0.0
        self.w_micro = 0

    def start(self) -> None:
        self._window()
        self.t0 = self.w_t0 = self._now()

    def add(self, loss_sum: torch.Tensor, tokens: int, slots: int, flops: float) -> None:
        self.w_loss += loss_sum
        self.w_tokens += tokens
        self.w_micro += 1
        self.w_flops += flops
        self.tokens, self.slots, self.flops = self.tokens + tokens, self.slots + slots, self.flops + flops

    def step(self, items: int) -> None:
        self.steps += 1
        self.w_items += items

    def log(self) -> dict[str, Any]:
        """Close the window: step, loss (per target), tokens/s and MFU since the last log."""
        now = self._now()
        dt = max(now - self.w_t0, 1e-9)
        entry = {"step": self.steps, "loss": round(self.w_loss.item() / max(self.w_items, 1), 6),
                 "tokens_per_s": round(self.w_tokens / dt, 1),
                 "tokens_per_micro_batch": round(self.w_tokens / max(self.w_micro, 1), 1),
                 "mfu": None if self.peak is None else round(self.w_flops / dt / self.peak, 4)}
        self.entries.append(entry)
        self._window()
        self.w_t0 = now
        return entry

    def stop(self) -> None:
        self.seconds += self._now() - self.t0

    def summary(self) -> dict[str, Any]:
        secs = self.seconds
        return {"steps": self.steps, "train_tokens": self.tokens,
                "pad_fraction": round(1 - self.tokens / self.slots, 4) if self.slots else 0.0,
                "train_seconds": round(secs, 3), "tokens_per_s": round(self.tokens / secs, 1) if secs else None,
                "mfu": None if self.peak is None or not secs else round(self.flops / secs / self.peak, 4),
                "peak_flops": self.peak, "log": self.entries}


@dataclass
class _Step:
    """What every optimizer step of one fit uses (see :meth:`LoraLearner._train_step`)."""

    forward: Any
    feats: list[dict[str, Any]]
    device: torch.device
    dtype: torch.dtype
    varlen: bool
    params: list[torch.nn.Parameter]
    optimizer: torch.optim.Optimizer
    schedule: Any
    meter: _Meter
    shape: dict[str, int]
    max_grad_norm: float


def liger_problem(device: torch.device | None = None) -> str | None:
    """Why ``liger`` cannot run here (one line: no CUDA GPU, or no liger-kernel package), or None."""
    import importlib.util

    device = device or torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type != "cuda":
        return ("--liger true needs a CUDA GPU (Liger's kernels are Triton kernels): leave it "
                "false on this machine")
    if importlib.util.find_spec("liger_kernel") is None:
        return "--liger true needs the liger-kernel package: pip install liger-kernel"
    return None


def apply_liger(base: Any) -> Any:
    """``base`` with liger-kernel's instance patch: RMSNorm, SwiGLU and RoPE, not its
    cross-entropy (the learner computes logits at the target positions itself). No checks
    (:func:`liger_problem`); patching runs without a GPU, the kernels do not."""
    from liger_kernel.transformers import _apply_liger_kernel_to_instance

    _apply_liger_kernel_to_instance(model=base, rope=True, rms_norm=True, swiglu=True,
                                    cross_entropy=False, fused_linear_cross_entropy=False)
    return base


# --------------------------------------------------------------------------- the learner
class LoraLearner:
    """A LoRA-tuned local causal LM for FV (classification head) or QA (generation).

    ``fit_stats``: learner, task, model, device, dtype, attn_implementation (what the loaded
    model uses), adapter_dtype (peft keeps LoRA weights in fp32 over a bf16 base), packing (None,
    "varlen" or "block-mask"), hyper (resolved hyper-parameters), n_params / trainable_params,
    train_rows_in, train_rows, rows_context_cut, rows_claim_cut / rows_question_cut,
    rows_answer_cut (QA), steps (optimizer), train_tokens (non-pad), pad_fraction, seconds
    (whole fit), train_seconds, tokens_per_s, mfu, peak_flops, log (per ``log_every`` steps:
    step, loss, tokens_per_s, mfu), epochs_run, best_epoch, train_loss (per epoch),
    valid_scores, valid_metric, valid_score.
    """

    #: the constructor's defaults of what a profile sets besides the sizes and the SETTINGS
    #: values: :func:`littlehuman.learners.learner_params` passes only the ones that differ,
    #: so the run keys made before a setting existed stay the same
    DEFAULTS = LORA_DEFAULTS

    def __init__(
        self,
        task: str,
        seed: int = 0,
        model_dir: str | None = None,
        epochs: int | None = None,
        lr: float | None = None,
        batch_size: int = 8,
        grad_accum: int = DEFAULTS["grad_accum"],
        max_length: int = 512,
        max_new_tokens: int = DEFAULTS["max_new_tokens"],
        r: int | None = None,
        alpha: float | None = None,
        dropout: float | None = None,
        target_modules: str | list[str] = "all-linear",
        loss_on: str = DEFAULTS["loss_on"],
        dtype: str = "auto",
        packing: bool = True,
        gradient_checkpointing: bool = DEFAULTS["gradient_checkpointing"],
        compile: bool = DEFAULTS["compile"],
        liger: bool = DEFAULTS["liger"],
        select_on_valid: bool = False,
        settings: str = DEFAULTS["settings"],
        log_every: int = 10,
        progress: bool = True,
        context_side: str = "head",
    ) -> None:
        if task not in TASKS:
            raise LittleHumanError(f"unknown task {task!r} for the lora learner: use 'fv' or 'qa'")
        if context_side not in ("head", "tail"):
            raise LittleHumanError(f"lora learner: context_side must be 'head' or 'tail', not "
                                   f"{context_side!r}")
        if (task, settings) not in SETTINGS:
            raise LittleHumanError(f"lora learner: settings must be 'scripts' or 'paper', not {settings!r}")
        if not model_dir or not (Path(model_dir) / "config.json").is_file():
            raise LittleHumanError(
                f"lora learner: model_dir={model_dir!r} is not a local Hugging Face model directory "
                "(with config.json): download the model (e.g. `hf download meta-llama/Llama-3.1-8B "
                "--local-dir DIR`) and pass it as --model-dir DIR (model_dir=DIR in Python)"
            )
        if loss_on not in ("answer", "all"):
            raise LittleHumanError(f"lora learner: loss_on must be 'answer' or 'all', not {loss_on!r}")
        if dtype != "auto" and dtype not in _DTYPES:
            raise LittleHumanError(f"lora learner: dtype must be auto, bf16 or fp32, not {dtype!r}")
        if min(int(batch_size), int(grad_accum), int(max_new_tokens), int(log_every)) < 1:
            raise LittleHumanError("lora learner: batch_size, grad_accum, max_new_tokens and log_every must be >= 1")
        if int(max_length) < int(max_new_tokens) + 16:
            raise LittleHumanError("lora learner: max_length must exceed max_new_tokens by at least 16 tokens")
        self.task = task
        self.seed = int(seed)
        self.model_dir = str(model_dir)
        self.epochs = None if epochs is None else int(epochs)
        self.lr = None if lr is None else float(lr)
        self.batch_size = int(batch_size)
        self.grad_accum = int(grad_accum)
        #: the most examples one forward pass holds (None: the whole batch), lowered on OOM
        self.micro_cap: int | None = None
        self.max_length = int(max_length)
        self.max_new_tokens = int(max_new_tokens)
        self.r = None if r is None else int(r)
        self.alpha = None if alpha is None else float(alpha)
        self.dropout = None if dropout is None else float(dropout)
        self.target_modules = target_modules if isinstance(target_modules, str) else list(target_modules)
        self.loss_on = loss_on
        self.dtype = dtype
        self.packing = bool(packing)
        self.gradient_checkpointing = bool(gradient_checkpointing)
        self.compile = bool(compile)
        self.liger = bool(liger)
        self.select_on_valid = bool(select_on_valid)
        self.settings = settings
        self.log_every = int(log_every)
        self.progress = bool(progress)
        self.context_side = context_side
        self.hyper: dict[str, Any] = dict(SETTINGS[(task, settings)])
        for key in ("epochs", "lr", "r", "alpha", "dropout"):
            if getattr(self, key) is not None:
                self.hyper[key] = getattr(self, key)
        if self.hyper["epochs"] < 1 or self.hyper["lr"] <= 0 or self.hyper["r"] < 1:
            raise LittleHumanError("lora learner: epochs and r must be >= 1 and lr > 0")
        self.fit_stats: dict[str, Any] = {}
        self._model: Any = None
        self._tokenizer: Any = None

    # ----------------------------------------------------------------- public protocol
    def fit(self, train: pd.DataFrame, valid: pd.DataFrame | None = None) -> "LoraLearner":
        """LoRA-tune on ``train``; with ``select_on_valid``, keep the best epoch on ``valid``."""
        from peft import LoraConfig, get_peft_model, get_peft_model_state_dict, set_peft_model_state_dict
        from transformers import get_linear_schedule_with_warmup

        self._check_rows(train, "train", with_target=True)
        if valid is not None and len(valid) == 0:
            valid = None
        if valid is not None:
            self._check_rows(valid, "valid", with_target=True)
        start = time.perf_counter()
        self._model = None  # free a previous fit's model before loading the next
        seed_everything(self.seed)
        self._tokenizer = self._load_tokenizer()
        base = self._with_liger(self._load_base())
        if self.gradient_checkpointing:
            if hasattr(base, "activation_checkpointing_enable"):  # the newer name
                base.activation_checkpointing_enable({"use_reentrant": False})
            else:
                base.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        base.config.use_cache = False
        h = self.hyper
        config = LoraConfig(r=h["r"], lora_alpha=h["alpha"], lora_dropout=h["dropout"], bias="none",
                            target_modules=self.target_modules,
                            task_type="SEQ_CLS" if self.task == "fv" else "CAUSAL_LM")
        with _peft_quiet():
            model = get_peft_model(base, config)
        for param in model.parameters():  # AdamW's lr-sized updates round away in bf16 weights
            if param.requires_grad and param.dtype != torch.float32:  # (FV's score head; peft keeps LoRA fp32)
                param.data = param.data.float()
        self._model = self._tuned_layers(model)
        feats, counts = self._encode(train, training=True)
        if not feats:
            raise LittleHumanError(f"lora learner: none of the {len(train)} training rows is usable")

        device, dtype = self._device(), self._torch_dtype()
        varlen = self.task == "qa" and self.packing and self._attn() == "flash_attention_2"
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=h["lr"], weight_decay=0.0, fused=device.type == "cuda")
        n_micro = -(-len(feats) // self.batch_size)
        steps = h["epochs"] * -(-n_micro // self.grad_accum)
        schedule = get_linear_schedule_with_warmup(optimizer, math.ceil(h["warmup_ratio"] * steps), steps)
        if self.task == "qa":
            head_positions(model)  # before compiling: registering a hook is no graph operation
        forward = functools.partial(model_logits, model)
        if self.compile:
            forward = torch.compile(forward, dynamic=True)
        meter = _Meter(device, peak_flops(device, dtype))
        step = _Step(forward, feats, device, dtype, varlen, params, optimizer, schedule, meter,
                     _flop_shape(model), h["max_grad_norm"])
        rng = np.random.default_rng(self.seed)
        lengths = np.array([len(f["input_ids"]) for f in feats])
        best_score, best_epoch, best_state, valid_scores, losses = None, h["epochs"], None, [], []
        for epoch in range(1, h["epochs"] + 1):
            model.train()
            if self.task == "qa" and self.packing:
                perm = rng.permutation(len(feats))
                batches = [perm[i:i + self.batch_size] for i in range(0, len(perm), self.batch_size)]
            else:
                batches = bucket_batches(lengths, self.batch_size, rng)
            groups = [batches[i:i + self.grad_accum] for i in range(0, len(batches), self.grad_accum)]
            bar = tqdm(groups, disable=not self.progress, leave=False,
                       desc=f"lora {self.task} epoch {epoch}/{h['epochs']}")
            meter.start()
            epoch_loss, epoch_items = torch.zeros((), device=device), 0
            for group in bar:
                loss_sum, items = self._train_step(step, group)
                epoch_loss += loss_sum
                epoch_items += items
                if meter.steps % self.log_every == 0:
                    entry = meter.log()
                    bar.set_postfix(loss=f"{entry['loss']:.4f}", tok_s=f"{entry['tokens_per_s']:.0f}",
                                    mfu="-" if entry["mfu"] is None else f"{entry['mfu']:.1%}")
            meter.stop()
            losses.append(round(epoch_loss.item() / max(epoch_items, 1), 6))
            if valid is not None and self.select_on_valid:
                score = self._score(valid)
                valid_scores.append(score)
                if best_score is None or score > best_score:
                    best_score, best_epoch = score, epoch
                    best_state = {k: v.detach().to("cpu", copy=True)
                                  for k, v in get_peft_model_state_dict(model).items()}
        if best_state is not None and best_epoch != h["epochs"]:
            set_peft_model_state_dict(model, best_state)
        model.eval()
        n_all = sum(p.numel() for p in model.parameters())
        self.fit_stats = {
            "learner": "lora", "task": self.task, "model": Path(self.model_dir).name,
            "device": str(device), "dtype": str(dtype).replace("torch.", ""),
            "attn_implementation": getattr(model.config, "_attn_implementation", None) or self._attn(),
            "adapter_dtype": str(params[0].dtype).replace("torch.", ""),
            "packing": None if self.task == "fv" or not self.packing else ("varlen" if varlen else "block-mask"),
            "hyper": dict(h), "n_params": n_all, "trainable_params": sum(p.numel() for p in params),
            "train_rows_in": int(len(train)), "train_rows": len(feats), **counts,
            **meter.summary(), "seconds": round(time.perf_counter() - start, 3),
            "epochs_run": h["epochs"], "best_epoch": best_epoch, "micro_batch_cap": self.micro_cap,
            "liger": self.liger,
            "train_loss": losses, "valid_scores": valid_scores,
            "valid_metric": None if not valid_scores else VALID_METRIC[self.task],
            "valid_score": best_score,
        }
        return self

    def predict(self, rows: pd.DataFrame) -> list:
        """Ints in {0, 1} (FV) or answer strings (QA), aligned with ``rows``."""
        if self._model is None:
            raise LittleHumanError("the lora learner is not fitted: call fit() or LoraLearner.load() first")
        self._check_rows(rows, "predict", with_target=False)
        if len(rows) == 0:
            return []
        self._model.eval()
        feats, _ = self._encode(rows, training=False)
        order = np.argsort([len(f["input_ids"]) for f in feats], kind="stable")
        size = 4 * (self.micro_cap or self.batch_size)
        out: list = [None] * len(feats)
        config = self._generation_config() if self.task == "qa" else None
        bar = tqdm(total=len(order), disable=not self.progress, leave=False, desc=f"lora {self.task} predict")
        items = [feats[i] for i in order]
        with torch.inference_mode(), self._compute(), bar:
            preds, _ = in_chunks_halving_on_oom(
                items, size, lambda chunk: self._predict_chunk(chunk, config), on_chunk=bar.update,
                halved=lambda failed, size: (f"lora learner: out of GPU memory predicting {failed} "
                                             f"rows at once: continuing with {size}"),
                too_big="lora learner: one example does not fit in GPU memory at prediction: "
                        "pass a smaller --max-length")
        for f, p in zip(items, preds):
            out[f["row"]] = p
        return out

    def _predict_chunk(self, chunk: list[dict[str, Any]], config: Any) -> list:
        return self._predict_fv(chunk) if self.task == "fv" else self._predict_qa(chunk, config)

    def save(self, directory: Path) -> None:
        """Write the adapter (peft ``save_pretrained``) and ``learner.json`` into ``directory``."""
        if self._model is None:
            raise LittleHumanError("the lora learner is not fitted: nothing to save")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._model.save_pretrained(str(directory / "adapter"))
        write_meta(directory, "lora", self.task, self.seed,
                   {k: getattr(self, k) for k in _PARAMS}, self.fit_stats)

    @classmethod
    def load(cls, directory: Path) -> "LoraLearner":
        """Rebuild a fitted learner written by :meth:`save` (the base model from its model_dir)."""
        from peft import PeftModel

        directory = Path(directory)
        meta = read_meta(directory, "lora", "adapter")
        learner = cls(task=meta["task"], seed=meta["seed"], **meta["params"])
        seed_everything(learner.seed)
        learner._tokenizer = learner._load_tokenizer()
        with quiet_transformers(), _peft_quiet():
            learner._model = learner._tuned_layers(
                PeftModel.from_pretrained(learner._with_liger(learner._load_base()),
                                          str(directory / "adapter")).eval())
        learner.fit_stats = meta.get("fit_stats", {})
        return learner

    # ----------------------------------------------------------------- model loading
    def _device(self) -> torch.device:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")

    def _torch_dtype(self) -> torch.dtype:
        if self.dtype != "auto":
            return _DTYPES[self.dtype]
        cuda_bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
        return torch.bfloat16 if cuda_bf16 else torch.float32

    def _forward(self) -> Any:
        """The logits function training uses (:func:`model_logits` on the current model, uncompiled)."""
        return functools.partial(model_logits, self._model)

    def _compute(self) -> contextlib.ExitStack:
        """What every forward runs under: bf16 autocast when the base is bf16 (the fp32
        trainable weights, LoRA and FV's score head, meet bf16 activations in bf16 matmuls; a
        no-op for an fp32 base), and on CUDA the SDPA kernels without cuDNN's
        (:data:`SDPA_CUDNN`), within whatever kernels are enabled around it."""
        dtype, device = self._torch_dtype(), self._device()
        stack = contextlib.ExitStack()
        stack.enter_context(torch.autocast(device.type, dtype=dtype, enabled=dtype != torch.float32))
        stack.enter_context(self._kernels())
        return stack

    def _kernels(self) -> Any:
        """The SDPA kernels a forward may use: on CUDA all enabled but cuDNN's
        (:data:`SDPA_CUDNN`). The backward runs under them too: gradient checkpointing
        recomputes the forward there, and a kernel other than the forward's (cuDNN, torch's
        first choice on Hopper) saves other tensors, which checkpointing refuses
        (CheckpointError: a reviewer, shown through this learner on the CPU)."""
        if self._device().type == "cuda" and not SDPA_CUDNN:
            return sdpa_without_cudnn()
        return contextlib.nullcontext()

    def _tuned_layers(self, model: Any) -> Any:
        """``model`` with peft's input casts off under a bf16 base (:data:`PEFT_INPUT_CASTS`) and
        its LoRA layers on the lean forward (:data:`LEAN_LORA_FORWARD`)."""
        if self._torch_dtype() != torch.float32 and not PEFT_INPUT_CASTS:
            for module in model.modules():
                if hasattr(module, "cast_input_dtype_enabled"):
                    module.cast_input_dtype_enabled = False
        if LEAN_LORA_FORWARD:
            lean_lora.install(model)
        return model

    def _with_liger(self, base: Any) -> Any:
        """``base`` with Liger's fused Triton kernels for RMSNorm, SwiGLU and RoPE when ``liger``
        (CUDA only; not its fused cross-entropy: the learner computes logits at the target
        positions itself). Liger patches transformers' modules for the whole process: later
        models of this process (a sweep's runs, which share the setting) use them too."""
        if not self.liger:
            return base
        problem = liger_problem(self._device())
        if problem:
            raise LittleHumanError(problem)
        return apply_liger(base)

    def _attn(self) -> str:
        from transformers.utils import is_flash_attn_2_available

        fast = self._device().type == "cuda" and self._torch_dtype() == torch.bfloat16
        return "flash_attention_2" if fast and is_flash_attn_2_available() else "sdpa"

    def _load_tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        with quiet_transformers():
            tok = AutoTokenizer.from_pretrained(self.model_dir)
        if tok.pad_token is None:
            if tok.eos_token is None:
                raise LittleHumanError(f"lora learner: the tokenizer in {self.model_dir} has neither pad nor EOS token")
            tok.pad_token = tok.eos_token
        return tok

    def _load_base(self) -> Any:
        """The base model on the training device (override to build one without weights on disk)."""
        from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

        kwargs: dict[str, Any] = {"dtype": self._torch_dtype(), "attn_implementation": self._attn()}
        if self._device().type == "cuda":
            kwargs["device_map"] = {"": torch.cuda.current_device()}
        with quiet_transformers():
            if self.task == "fv":
                return AutoModelForSequenceClassification.from_pretrained(
                    self.model_dir, num_labels=2, pad_token_id=self._tokenizer.pad_token_id, **kwargs)
            return AutoModelForCausalLM.from_pretrained(self.model_dir, **kwargs)

    # ----------------------------------------------------------------- encoding
    def _check_rows(self, rows: pd.DataFrame, where: str, with_target: bool) -> None:
        check_rows(rows, self.task, "lora", where, with_target)

    def _fit_texts(self, heads: list[str], tails: list[str], budgets: list[int]) -> tuple[list[list[int]], int, int]:
        """Token ids (with special tokens) of ``head + tail`` within ``budgets``, cutting the head
        at its end, or with ``context_side="tail"`` at its start (at a token boundary).

        Returns the ids, the number of heads cut and of tails cut (when even no head is too long).
        """
        def kept(head: str, offs: list[tuple[int, int]], keep: int) -> str:
            if not keep:
                return ""
            return head[:offs[keep - 1][1]] if self.context_side == "head" else head[offs[-keep][0]:]

        tok = self._tokenizer
        n_special = len(tok("a")["input_ids"]) - len(tok("a", add_special_tokens=False)["input_ids"])
        out = tok([h + t for h, t in zip(heads, tails)])["input_ids"]
        over = [i for i, ids in enumerate(out) if len(ids) > budgets[i]]
        if not over:
            return out, 0, 0
        offsets = tok([heads[i] for i in over], add_special_tokens=False,
                      return_offsets_mapping=True)["offset_mapping"]
        tails_cut = 0
        for i, offs in zip(over, offsets):
            ids, keep = out[i], len(offs)
            for _ in range(4):  # re-tokenizing at the cut may merge differently: shrink until it fits
                keep = max(0, keep - (len(ids) - budgets[i]))
                ids = tok(kept(heads[i], offs, keep) + tails[i])["input_ids"]
                if len(ids) <= budgets[i] or keep == 0:
                    break
            if len(ids) > budgets[i]:  # keep the special prefix and the end (the tail, if it alone is too long)
                ids = ids[:n_special] + ids[len(ids) - (budgets[i] - n_special):]
                tails_cut += keep == 0
            out[i] = ids
        return out, len(over), tails_cut

    def _encode(self, rows: pd.DataFrame, training: bool) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """One feature per row: ``input_ids``, ``row``; for training ``labels`` and ``n_target``."""
        contexts = as_texts(rows["context"])
        if self.task == "fv":
            tails = [" | " + c for c in as_texts(rows["claim"])]
            ids, n_ctx, n_tail = self._fit_texts(contexts, tails, [self.max_length] * len(rows))
            labels = rows["label"].astype(int).tolist() if training else [None] * len(rows)
            feats = [{"input_ids": x, "row": i, "labels": y, "n_target": 1}
                     for i, (x, y) in enumerate(zip(ids, labels))]
            return feats, {"rows_context_cut": n_ctx, "rows_claim_cut": n_tail}
        tails = [" | " + q + " ANSWER: " for q in as_texts(rows["question"])]
        if not training:
            ids = self._fit_texts(contexts, tails, [self.max_length - self.max_new_tokens] * len(rows))[0]
            return [{"input_ids": x, "row": i} for i, x in enumerate(ids)], {}
        targets = self._tokenizer([a + " |" for a in as_texts(rows["answer"])], add_special_tokens=False)["input_ids"]
        cap = self.max_length // 2
        n_answer_cut = sum(len(t) > cap for t in targets)
        targets = [t[:cap] for t in targets]
        prompts, n_ctx, n_tail = self._fit_texts(contexts, tails, [self.max_length - len(t) for t in targets])
        feats = []
        for i, (p, t) in enumerate(zip(prompts, targets)):
            ids = p + t
            labels = [IGNORE] * len(p) + t if self.loss_on == "answer" else [IGNORE] + ids[1:]
            feats.append({"input_ids": ids, "labels": labels, "row": i,
                          "n_target": sum(y != IGNORE for y in labels[1:])})
        return feats, {"rows_context_cut": n_ctx, "rows_question_cut": n_tail, "rows_answer_cut": n_answer_cut}

    # ----------------------------------------------------------------- training / prediction
    def _train_step(self, step: "_Step", group: list[Any]) -> tuple[torch.Tensor, int]:
        """One optimizer step over ``group`` (a list of micro-batches of feature indices):
        its summed loss (a tensor on the device, never read here) and its target count."""
        items = sum(step.feats[i]["n_target"] for idx in group for i in idx)
        total = torch.zeros((), device=step.device)
        shape = step.shape
        for loss_sum, n_slots, chunk in self._accumulate(step, group, items):
            n_tok = sum(len(f["input_ids"]) for f in chunk)
            step.meter.add(loss_sum, n_tok, n_slots, training_flops(
                shape["n_body"], shape["n_head"], shape["n_layers"], shape["attn_width"], n_tok,
                sum(f["n_target"] for f in chunk) if self.task == "qa" else 0,
                sum(len(f["input_ids"]) ** 2 for f in chunk), shape["n_trainable"]))
            total += loss_sum
        torch.nn.utils.clip_grad_norm_(step.params, step.max_grad_norm)
        step.optimizer.step()
        step.schedule.step()
        step.optimizer.zero_grad(set_to_none=True)
        step.meter.step(items)
        return total, items

    def _accumulate(self, step: "_Step", group: list[Any], items: int
                    ) -> list[tuple[torch.Tensor, int, list[dict[str, Any]]]]:
        """Backward every micro-batch of one optimizer step; per chunk (loss sum, slots, chunk).

        On CUDA out-of-memory the step starts over with its micro-batches split into chunks
        of at most half the size that failed (``micro_cap``, kept for later steps). Each
        chunk's loss is divided by the whole step's target count, so the gradients, and hence
        the optimization, are the same as unsplit: only memory and speed change. One example
        that does not fit is an error that says what to change."""
        while True:
            cap = self.micro_cap or max(len(idx) for idx in group)
            chunks = [[step.feats[i] for i in idx[j:j + cap]] for idx in group for j in range(0, len(idx), cap)]
            done = unless_out_of_memory(lambda: [self._backward(step, chunk, items) for chunk in chunks])
            if done is not None:
                return done
            step.optimizer.zero_grad(set_to_none=True)  # drop this step's partial gradients
            if cap == 1:
                raise LittleHumanError(
                    "lora learner: one example does not fit in GPU memory: pass "
                    "--gradient-checkpointing true or a smaller --max-length")
            self.micro_cap = cap // 2
            if step.device.type == "cuda":  # the failed attempt's ceiling is not the run's peak
                torch.cuda.reset_peak_memory_stats(step.device)
            warnings.warn(f"lora learner: out of GPU memory at {cap} examples per "
                          f"micro-batch: continuing with {self.micro_cap} (same gradients)")

    def _backward(self, step: "_Step", chunk: list[dict[str, Any]], items: int
                  ) -> tuple[torch.Tensor, int, list[dict[str, Any]]]:
        """Forward and backward of one chunk, its loss scaled by the step's target count; returns
        (loss sum, detached; slots; chunk). Its own frame, so that on out-of-memory the failed
        chunk's graph dies with the exception instead of living on in a local through the retry."""
        loss_sum, n_slots = self._loss_sum(step.forward, chunk, step.device, step.dtype, step.varlen)
        with self._kernels():  # a checkpointed forward is recomputed here: the same kernels
            (loss_sum / items).backward()
        return loss_sum.detach(), n_slots, chunk

    def _loss_sum(self, forward: Any, chunk: list[dict[str, Any]], device: torch.device, dtype: torch.dtype,
                  varlen: bool) -> tuple[torch.Tensor, int]:
        """Summed loss of one micro-batch and the token slots it occupied (pads included).

        Every tensor is built on the CPU and sent without blocking, so a step queues its work
        on the GPU without waiting for it (tests/test_learner_lora.py checks for syncs)."""
        pad = self._tokenizer.pad_token_id
        if self.packing and self.task == "qa":
            batch = collate_packed(chunk, self.max_length, pad, varlen=varlen, dtype=dtype)
            batch.pop("segments", None)
        else:
            batch = collate_padded([f["input_ids"] for f in chunk], pad)
            if self._attn() != "flash_attention_2":  # flash-attention takes the 2D mask (and unpads with it)
                mask = causal_padding_mask(batch.pop("attention_mask"), dtype)
                if mask is not None:
                    batch["attention_mask"] = mask
            if self.task == "fv":
                batch["labels"] = torch.tensor([f["labels"] for f in chunk])
            else:
                batch["labels"] = torch.full_like(batch["input_ids"], IGNORE)
                for b, f in enumerate(chunk):
                    batch["labels"][b, :len(f["labels"])] = torch.tensor(f["labels"])
        slots = batch["input_ids"].numel()
        if self.task == "fv":
            batch = to_device(batch, device)
            labels = batch.pop("labels")
            with self._compute():
                logits = forward(batch).float()
            return F.cross_entropy(logits, labels, reduction="sum"), slots
        batch["positions"], batch["targets"] = target_positions(batch.pop("labels"))
        batch = to_device(batch, device)
        targets, positions = batch.pop("targets"), batch.pop("positions")
        with self._compute():
            logits = forward(batch, positions).float()
        return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE, reduction="sum"), slots

    def _predict_fv(self, chunk: list[dict[str, Any]]) -> list[int]:
        device = self._device()
        batch = collate_padded([f["input_ids"] for f in chunk], self._tokenizer.pad_token_id)
        logits = self._model(**{k: v.to(device) for k, v in batch.items()}).logits
        return [int(x) for x in logits.argmax(-1).tolist()]

    def _generation_config(self) -> Any:
        """Greedy, no repetition penalty; stops at EOS or any token containing "|".

        Also made the model's own generation config: ``generate`` merges the model folder's
        ``generation_config.json`` into the one passed (transformers 5 fills every field left
        unset from it, e.g. an n-gram ban; 4.5x replaces fields left at their default, so
        Llama-3.1's ``do_sample=True, temperature=0.6`` would sample), and with the model's
        config being this one, nothing else reaches decoding."""
        from transformers import GenerationConfig

        tok = self._tokenizer
        stops = [tok.eos_token_id] if tok.eos_token_id is not None else []
        stops += sorted(i for t, i in tok.get_vocab().items() if "|" in t)
        config = GenerationConfig(max_new_tokens=self.max_new_tokens, do_sample=False, num_beams=1,
                                  repetition_penalty=1.0, pad_token_id=tok.pad_token_id,
                                  eos_token_id=stops or None, bos_token_id=tok.bos_token_id)
        self._model.get_base_model().generation_config = config
        return config

    def _predict_qa(self, chunk: list[dict[str, Any]], config: Any) -> list[str]:
        tok = self._tokenizer
        batch = collate_padded([f["input_ids"] for f in chunk], tok.pad_token_id, left=True)
        batch = {k: v.to(self._device()) for k, v in batch.items()}
        out = self._model.generate(**batch, generation_config=config)
        texts = tok.batch_decode(out[:, batch["input_ids"].shape[1]:], skip_special_tokens=True)
        return [t.split("|", 1)[0].strip() for t in texts]

    def _score(self, rows: pd.DataFrame) -> float:
        return valid_score(self.task, self.predict(rows), rows)
