"""Test helper: ``generate_synthetic`` through the openai backend against a fake server, for
the kill test in tests/test_openai_chat.py.

Usage: ``python tests/helpers/openai_worker.py CACHE_PATH BASE_URL [N_ROWS] [CONCURRENCY]``,
with the key in ``$OPENAI_API_KEY``. Prints ``ROWS <generated> CALLS <calls>`` when done. The
test SIGKILLs it mid-run, then reruns ``run`` in-process with the same cache.
All rows here are invented fixtures, not dataset text.
"""
from __future__ import annotations

import sys
from typing import Any

import pandas as pd

from littlehuman.generation import GenerationCache, PromptSpec, generate_synthetic
from littlehuman.generation.backends.openai_chat import OpenAIChatBackend


def fixture_rows(n: int = 16) -> pd.DataFrame:
    """``n`` invented FV rows, one context each, labels alternating."""
    return pd.DataFrame([{
        "row_id": f"toy{i:03d}", "dataset": "toyfv", "split": "train", "context_id": f"c{i}",
        "context": f"Invented passage {i}: the harbour of Velm{i} opened in {1900 + i}.",
        "claim": f"Invented claim {i}.", "label": i % 2, "meta": "",
    } for i in range(n)])


def make(base_url: str, concurrency: int = 2) -> OpenAIChatBackend:
    return OpenAIChatBackend(base_url=base_url, concurrency=concurrency, timeout_s=10,
                             backoff_s=0.05)


def run(cache_path: str, base_url: str, n: int = 16,
        concurrency: int = 2) -> tuple[pd.DataFrame, dict[str, Any]]:
    rows = fixture_rows(n)
    return generate_synthetic(rows, rows, make(base_url, concurrency), PromptSpec("fv"),
                              cache=GenerationCache(cache_path), progress=False)


def main(argv: list[str]) -> None:
    n = int(argv[2]) if len(argv) > 2 else 16
    concurrency = int(argv[3]) if len(argv) > 3 else 2
    frame, stats = run(argv[0], argv[1], n, concurrency)
    print(f"ROWS {len(frame)} CALLS {stats['calls']}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
