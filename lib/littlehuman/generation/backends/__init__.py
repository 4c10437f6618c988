"""Generation backends: one interface (:class:`Backend`), built by name with :func:`make_backend`
or from a profile with :func:`backend_from_profile`.

- ``extractive``: a rule-based, deterministic baseline (no model; NOT an LLM).
- ``gemma``: Gemma 3 270M, a small base model that runs offline on CPU.
- ``hf``: any local transformers model folder (``--model-dir``): its chat template if it has
  one, else the chat as plain text; batched with left padding, GPU when present.
- ``openai``: chat completions from OpenAI or any OpenAI-compatible server (needs a key in
  the environment, ``OPENAI_API_KEY`` by default).
- ``openai-batch``: the same requests through OpenAI's Batch API (half price, resumable).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from littlehuman.errors import LittleHumanError
from littlehuman.generation.backends.base import Backend
from littlehuman.generation.backends.extractive import ExtractiveBackend
from littlehuman.generation.backends.gemma import GemmaBackend
from littlehuman.generation.backends.hf import HFBackend
from littlehuman.generation.backends.openai_batch import OpenAIBatchBackend
from littlehuman.generation.backends.openai_chat import OpenAIChatBackend

if TYPE_CHECKING:
    from littlehuman.config import Profile

BACKENDS: dict[str, type[Backend]] = {
    "extractive": ExtractiveBackend, "gemma": GemmaBackend, "hf": HFBackend,
    "openai": OpenAIChatBackend, "openai-batch": OpenAIBatchBackend,
}


def backend_class(name: str) -> type[Backend]:
    """The backend class named ``name`` (a LittleHumanError naming the choices if none is)."""
    if name not in BACKENDS:
        raise LittleHumanError(
            f"unknown generation backend {name!r}: choose one of {', '.join(BACKENDS)}"
        )
    return BACKENDS[name]


def make_backend(name: str, **kwargs: Any) -> Backend:
    """A backend by name; ``kwargs`` go to its constructor (e.g. ``temperature``, ``seed``)."""
    return backend_class(name)(**kwargs)


def backend_from_profile(profile: "Profile") -> Backend:
    """The backend ``profile.generator`` names, built by its ``from_profile`` from the
    profile's fields."""
    return backend_class(profile.generator).from_profile(profile)


__all__ = ["BACKENDS", "Backend", "ExtractiveBackend", "GemmaBackend", "HFBackend",
           "OpenAIBatchBackend", "OpenAIChatBackend", "backend_class", "backend_from_profile",
           "make_backend"]
