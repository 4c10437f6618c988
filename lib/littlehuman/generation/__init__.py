"""Synthetic data generation: few-shot prompts, reply parsing, backends and a resumable cache.

``generate_synthetic`` twins each real training row with one synthetic row from the same
context (PROTOCOL "Synthetic generation"), asked as a :class:`PromptSpec` says, from a backend
(``backend_from_profile``); ``load_or_generate`` keeps the result on disk.
"""
from littlehuman.generation.backends import (
    Backend,
    ExtractiveBackend,
    GemmaBackend,
    backend_from_profile,
    make_backend,
)
from littlehuman.generation.cache import GenerationCache, request_key
from littlehuman.generation.generate import (
    generate_synthetic,
    load_or_generate,
    read_bill,
    synthetic_path,
)
from littlehuman.generation.parsing import parse_reply
from littlehuman.generation.prompts import (
    ExamplePool,
    PromptSpec,
    build_messages,
    clean_context,
    draw_examples,
    format_answer,
    render_plain,
    system_prompt,
)

__all__ = [
    "Backend", "ExamplePool", "ExtractiveBackend", "GemmaBackend", "GenerationCache", "PromptSpec",
    "backend_from_profile", "build_messages", "clean_context", "draw_examples", "format_answer",
    "generate_synthetic", "load_or_generate", "make_backend", "parse_reply", "read_bill",
    "render_plain", "request_key", "synthetic_path", "system_prompt",
]
