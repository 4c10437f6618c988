"""Learners by name. Each module registers a factory in ``LEARNERS``.

``make_learner(name, task, seed=0, **params)`` builds one; unknown names are a
LittleHumanError listing the known ones.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

from littlehuman.errors import LittleHumanError
from littlehuman.learners.base import Learner

# name -> "module:factory"; factories are called as factory(task=..., seed=..., **params)
LEARNERS: dict[str, str] = {
    "encoder": "littlehuman.learners.encoder:EncoderLearner",
    "majority": "littlehuman.learners.baseline:MajorityLearner",
    "lora": "littlehuman.learners.lora:LoraLearner",
}


def learner_names() -> list[str]:
    return list(LEARNERS)


def make_learner(name: str, task: str, seed: int = 0, **params: Any) -> Learner:
    """Build the learner ``name`` for ``task`` ("fv" or "qa")."""
    if name not in LEARNERS:
        raise LittleHumanError(f"unknown learner {name!r}: choose one of {', '.join(LEARNERS)}")
    module, attr = LEARNERS[name].split(":")
    factory: Callable[..., Learner] = getattr(importlib.import_module(module), attr)
    return factory(task=task, seed=seed, **params)


__all__ = ["Learner", "LEARNERS", "learner_names", "make_learner"]
