"""Learners by name. Each module registers a factory in ``LEARNERS``.

``make_learner(name, task, seed=0, **params)`` builds one; unknown names are a
LittleHumanError listing the known ones. :func:`learner_params` turns a profile into the
``params`` of a run (what its run key hashes), :func:`training_epochs` and
:func:`max_length` say how many epochs and how long examples a run trains; the learners' own
defaults are read from the torch-free :mod:`littlehuman.learners.defaults`.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from littlehuman.errors import LittleHumanError
from littlehuman.learners import defaults
from littlehuman.learners.base import Learner

if TYPE_CHECKING:
    from littlehuman.config import Profile
    from littlehuman.data import DatasetSpec

# name -> "module:factory"; factories are called as factory(task=..., seed=..., **params)
LEARNERS: dict[str, str] = {
    "encoder": "littlehuman.learners.encoder:EncoderLearner",
    "majority": "littlehuman.learners.baseline:MajorityLearner",
    "lora": "littlehuman.learners.lora:LoraLearner",
}

#: datasets whose long contexts the learners (encoder, lora) cut at the start, keeping the end:
#: ROPES's context is background + situation and its answers are mostly in the situation (82%
#: of 500 training answers occur there verbatim)
KEEP_CONTEXT_TAIL = ("ropes",)

#: max_length for a user's own file (it has no PROTOCOL sequence length) when the profile's is 0
OWN_FILE_MAX_LENGTH = 256


def make_learner(name: str, task: str, seed: int = 0, **params: Any) -> Learner:
    """Build the learner ``name`` for ``task`` ("fv" or "qa")."""
    if name not in LEARNERS:
        raise LittleHumanError(f"unknown learner {name!r}: choose one of {', '.join(LEARNERS)}")
    module, attr = LEARNERS[name].split(":")
    factory: Callable[..., Learner] = getattr(importlib.import_module(module), attr)
    return factory(task=task, seed=seed, **params)


def max_length(profile: Profile, dataset_spec: DatasetSpec | None) -> int:
    """The longest training example, in tokens: the dataset's PROTOCOL length, capped by the
    profile's when it sets one; for a user's own file (``dataset_spec`` None) the profile's,
    else :data:`OWN_FILE_MAX_LENGTH`."""
    if dataset_spec is None:
        return profile.max_length or OWN_FILE_MAX_LENGTH
    return min(profile.max_length or dataset_spec.max_seq_len, dataset_spec.max_seq_len)


def learner_params(profile: Profile, task: str, dataset_spec: DatasetSpec | None) -> dict[str, Any]:
    """The hyper-parameters of ``profile.learner`` for ``task`` on a dataset (``dataset_spec``
    None: a user's own file), as :func:`make_learner` takes them; they are hashed into the run
    keys, so a change here changes every cached run's key.

    A profile's 0 means the learner's own default, and ``epochs`` and ``lr`` take the form
    of the named profile's own value (:func:`_spelled`): left out where it leaves the default
    to the learner, spelled out where it spells it, so that ``--epochs 0`` and the default
    typed out train one run, not two, and the profiles' own runs keep their keys;
    ``max_length`` is :func:`max_length`; the encoder's ``bf16``, ``train_layers``,
    ``warmup_ratio``, (FV) ``pooling`` and (QA) ``max_windows`` (``qa_windows``) enter only
    when they differ from its defaults; (QA) ``context_side`` is "tail" for
    :data:`KEEP_CONTEXT_TAIL` with one window (the lora learner's too). The majority learner
    takes none. lora needs
    ``model_dir`` (a one-line LittleHumanError otherwise) and gets only the settings that
    differ from ``defaults.LORA_DEFAULTS``, and for QA the dataset's ``max_new_tokens``; its
    default ``lr`` is the settings' scaled to the batch (``lr_scaling``), spelled wherever that
    differs from the settings' own."""
    p = profile
    if p.learner == "majority":
        return {}
    params: dict[str, Any] = {"batch_size": p.batch_size,
                              "max_length": max_length(p, dataset_spec)}
    for name in ("epochs", "lr"):
        if _spelled(p, task, name):
            params[name] = getattr(p, name) or learner_default(p, task, name)
    if p.learner == "encoder":  # set only when on: the runs of earlier profiles keep their keys
        params.update({k: v for k, v in (("bf16", p.train_bf16),
                                          ("train_layers", p.train_layers)) if v})
        if p.warmup_ratio != defaults.ENCODER_WARMUP:
            params["warmup_ratio"] = p.warmup_ratio
        if task == "fv" and p.pooling != defaults.ENCODER_POOLING:
            params["pooling"] = p.pooling
        if task == "qa" and p.qa_windows > 1:  # the windows cover the context: no side to keep
            params["max_windows"] = p.qa_windows
        elif task == "qa" and dataset_spec is not None and dataset_spec.name in KEEP_CONTEXT_TAIL:
            params["context_side"] = "tail"
    if p.learner == "lora":
        if not p.model_dir:
            raise LittleHumanError(lora_model_problem(p.model_dir))
        params["model_dir"] = str(Path(p.model_dir).expanduser().resolve())
        chosen = {"settings": p.lora_settings, "loss_on": p.loss_on,
                  "gradient_checkpointing": p.gradient_checkpointing, "compile": p.compile,
                  "grad_accum": p.grad_accum, "liger": p.liger}
        params.update({k: v for k, v in chosen.items() if v != defaults.LORA_DEFAULTS[k]})
        if task == "qa" and dataset_spec is not None and dataset_spec.name in KEEP_CONTEXT_TAIL:
            params["context_side"] = "tail"  # as the encoder (a reviewer: 188 of 8,736 ROPES
            # train rows had lost their answer's situation when the start was kept)
        own = defaults.LORA_SETTINGS[(task, p.lora_settings)]["lr"]
        if "lr" not in params:  # spelled where scaled: runs at the settings' own rate keep their keys
            scaled = learner_default(p, task, "lr")
            if scaled != own:
                params["lr"] = scaled
        elif p.lr == own and p.lr != getattr(_named_profile(p), "lr", None):
            # the settings' own rate asked for by --lr: the run --lr-scaling none trains, under
            # its key (a reviewer: one run keyed twice)
            del params["lr"]
        if task == "qa":
            params["max_new_tokens"] = ((dataset_spec.max_new_tokens if dataset_spec else None)
                                        or defaults.LORA_DEFAULTS["max_new_tokens"])
    return params


def learner_default(profile: Profile, task: str, name: str) -> Any:
    """What ``profile``'s learner trains ``task`` with when the profile's ``name`` ("epochs"
    or "lr") is 0: lora's per ``lora_settings`` (its lr scaled to the profile's batch by
    ``lr_scaling``: :func:`defaults.lora_lr`), the encoder's :mod:`defaults`."""
    if profile.learner == "lora" and name == "lr":
        return defaults.lora_lr(task, profile.lora_settings, profile.batch_size,
                                profile.grad_accum, scaling=profile.lr_scaling)
    if profile.learner == "lora":
        return defaults.LORA_SETTINGS[(task, profile.lora_settings)][name]
    return {"epochs": defaults.ENCODER_EPOCHS, "lr": defaults.ENCODER_LR}[name]


def _named_profile(profile: Profile) -> Profile | None:
    """The named profile ``profile`` was made from (None for one of a user's own)."""
    from littlehuman.config import PROFILES  # (config imports the learners' defaults)

    return PROFILES.get(profile.name)


def _spelled(profile: Profile, task: str, name: str) -> bool:
    """Whether ``profile``'s ``name`` ("epochs" or "lr") enters a run's parameters: when it
    trains with another value than the learner's default, or when the named profile it was
    made from spells the default out (the cpu profile's 3 encoder epochs), so that 0 there
    reads as the default spelled. A profile not among :data:`littlehuman.config.PROFILES`
    spells what is not 0, as all did before (a spelled default, e.g. the paper profile's
    ``--epochs 2``, had trained the profile's runs a second time under another key)."""
    value = getattr(profile, name)
    named = _named_profile(profile)
    if named is None:
        return bool(value)
    default = learner_default(profile, task, name)
    return (value or default) != default or getattr(named, name) == default


def train_layers_problem(train_layers: int, layers: int | None = None) -> str | None:
    """What is wrong with ``--train-layers N`` for the encoder, in one line, or None: N may be
    at most the model's ``layers`` (None: read from the bundled MiniLM's config.json, no
    torch). Above them it had been taken silently, trained as N = ``layers`` (every layer,
    the embeddings frozen: neither all of the model nor ``--train-layers 0``) under a run key
    of its own. The CLI asks before anything runs, the learner when it loads the model."""
    if not train_layers:
        return None
    layers = defaults.encoder_layers() if layers is None else layers
    if layers is None or train_layers <= layers:
        return None
    return (f"--train-layers {train_layers} is more than the encoder's {layers} layers: give 1 "
            f"to {layers} (the top N layers and the head train, the embeddings stay frozen), "
            "or 0 to train the whole model")


def lora_model_problem(model_dir: str) -> str | None:
    """What is wrong with ``--model-dir`` for the lora learner, in one line, or None: it must
    be given and hold a Hugging Face model (its config.json). The CLI asks before any twin is
    generated (and paid for), not when the first run trains."""
    if not model_dir:
        return ("--learner lora needs --model-dir DIR: a local Hugging Face model folder (e.g. "
                "a download of Llama-3.1-8B)")
    if not (Path(model_dir).expanduser() / "config.json").is_file():
        return (f"--model-dir {model_dir} is not a local Hugging Face model folder (no "
                "config.json): download the model (e.g. `hf download meta-llama/Llama-3.1-8B "
                "--local-dir DIR`) and pass --model-dir DIR")
    return None


def training_epochs(profile: Profile, task: str) -> int:
    """Epochs one run of ``profile`` trains for ``task``: the profile's, else the learner's
    default (lora: its SETTINGS table for ``profile.lora_settings``); the majority baseline
    trains none."""
    if profile.learner == "majority":
        return 0
    return int(profile.epochs or learner_default(profile, task, "epochs"))


__all__ = ["KEEP_CONTEXT_TAIL", "Learner", "LEARNERS", "OWN_FILE_MAX_LENGTH", "learner_default",
           "learner_params", "make_learner", "max_length", "training_epochs"]
