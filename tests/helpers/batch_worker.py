"""Test helper: the openai-batch backend against a fake server, for the kill test in
tests/test_openai_batch.py.

Usage: ``python tests/helpers/batch_worker.py STATE_DIR BASE_URL [N_REQUESTS]``, with the key
in ``$OPENAI_API_KEY``. Prints ``ANSWERED <n>`` when done. The test SIGKILLs it while its batch
is in progress, then reruns ``run`` in-process with the same state dir.
All chats here are invented fixtures, not dataset text.
"""
from __future__ import annotations

import sys

from littlehuman.generation.backends.base import Completion
from littlehuman.generation.backends.openai_batch import OpenAIBatchBackend

FV_TRUE = "Given the context, come up with a True claim. Answer in the format below:"


def chats(n: int) -> list[list[dict[str, str]]]:
    """``n`` invented chats in the FV prompt's shape, one context each."""
    return [[{"role": "system", "content": FV_TRUE},
             {"role": "user", "content": f"Context: Invented harbour number {i} has a crane."}]
            for i in range(n)]


def make(base_url: str, state_dir: str, **kwargs) -> OpenAIBatchBackend:
    settings = {"poll_s": 0.05, "timeout_s": 10, "max_retries": 0, "progress": False, **kwargs}
    return OpenAIBatchBackend(base_url=base_url, state_dir=state_dir, **settings)


def run(state_dir: str, base_url: str, n: int = 6) -> dict[int, Completion]:
    """Every reply by index."""
    return dict(make(base_url, state_dir).complete_iter(chats(n)))


def main(argv: list[str]) -> None:
    n = int(argv[2]) if len(argv) > 2 else 6
    print(f"ANSWERED {len(run(argv[0], argv[1], n))}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
