"""Generation backends: one interface (:class:`Backend`), built by name with :func:`make_backend`.

- ``extractive``: a rule-based, deterministic baseline (no model; NOT an LLM).
- ``gemma``: Gemma 3 270M, a small base model that runs offline on CPU.
- ``hf``: any local transformers model folder (``--model-dir``): its chat template if it has
  one, else the chat as plain text; batched with left padding, GPU when present.
- ``openai``: chat completions from OpenAI or any OpenAI-compatible server (needs a key in
  the environment, ``OPENAI_API_KEY`` by default).
- ``openai-batch``: the same requests through OpenAI's Batch API (half price, resumable).
"""
from __future__ import annotations

from typing import Any

from littlehuman.errors import LittleHumanError
from littlehuman.generation.backends.base import Backend
from littlehuman.generation.backends.extractive import ExtractiveBackend
from littlehuman.generation.backends.gemma import GemmaBackend
from littlehuman.generation.backends.hf import HFBackend
from littlehuman.generation.backends.openai_batch import OpenAIBatchBackend
from littlehuman.generation.backends.openai_chat import OpenAIChatBackend

BACKENDS: dict[str, type[Backend]] = {
    "extractive": ExtractiveBackend, "gemma": GemmaBackend, "hf": HFBackend, "openai": OpenAIChatBackend,
    "openai-batch": OpenAIBatchBackend,
}


def make_backend(name: str, **kwargs: Any) -> Backend:
    """A backend by name; ``kwargs`` go to its constructor (e.g. ``temperature``, ``seed``)."""
    if name not in BACKENDS:
        raise LittleHumanError(
            f"unknown generation backend {name!r}: choose one of {', '.join(BACKENDS)}"
        )
    return BACKENDS[name](**kwargs)


__all__ = ["BACKENDS", "Backend", "ExtractiveBackend", "GemmaBackend", "HFBackend", "OpenAIBatchBackend",
           "OpenAIChatBackend",
           "make_backend"]
