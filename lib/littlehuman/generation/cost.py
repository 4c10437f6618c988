"""What generation costs: dollars from recorded token usage, and a dry-run estimate.

Prices are US dollars per 1M tokens, (input, output), standard tier, from OpenAI's pricing
page (https://platform.openai.com/docs/pricing), as listed there in 2025-2026 (checked
against copies of that page dated March 2025 and May 2026; openai.com itself was not reachable
from here); gpt-4-turbo is in its legacy table. Prices change: check them before spending,
and override them with ``load_prices(path)`` (a JSON file ``{"model": [input, output]}``).
The Batch API bills half of these (``BATCH_DISCOUNT``).
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from littlehuman.errors import LittleHumanError

PRICES: dict[str, tuple[float, float]] = {
    "gpt-3.5-turbo": (0.50, 1.50),  # gpt-3.5-turbo-0125
    # older snapshots kept their own (higher) prices: a prefix would have priced them as the
    # undated model (a reviewer's find; OpenAI's pricing page as recalled, not fetched here:
    # check yours, and --prices FILE overrides any of these)
    "gpt-3.5-turbo-1106": (1.00, 2.00),
    "gpt-3.5-turbo-0613": (1.50, 2.00),
    "gpt-3.5-turbo-instruct": (1.50, 2.00),  # the completions model (--endpoint completions)
    "gpt-3.5-turbo-16k": (3.00, 4.00),  # gpt-3.5-turbo-16k-0613
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),  # gpt-4o-2024-08-06 and later
    "gpt-4o-2024-05-13": (5.00, 15.00),
}
BATCH_DISCOUNT = 0.5  # the Batch API bills this fraction of the standard price
CHARS_PER_TOKEN = 4  # a rough English average; used only where no tokenizer count exists

Prices = Mapping[str, tuple[float, float]]


def load_prices(path: str | os.PathLike) -> dict[str, tuple[float, float]]:
    """``PRICES`` updated from a JSON file ``{"model": [input, output]}`` ($ per 1M tokens)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))  # a BOM is fine
        extra = {str(m): _rate(m, p) for m, p in data.items()}
    except (OSError, ValueError, RecursionError, TypeError, KeyError, IndexError,
            AttributeError) as exc:
        raise LittleHumanError(
            f"cannot read prices from {path}: write JSON like "
            f'{{"gpt-4o": [2.5, 10.0]}} (dollars per 1M input and output tokens) ({exc})'
        ) from None
    return {**PRICES, **extra}


def _rate(model: Any, pair: Any) -> tuple[float, float]:
    """One model's (input, output): two finite numbers >= 0 (a negative or NaN price, or a
    third number, would give a bill of "$-0.00" or "$nan" instead of an error)."""
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        raise ValueError(f"{model!r}: expected [input, output], got {pair!r}")
    if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in pair):
        raise ValueError(f"{model!r}: prices must be numbers, got {pair!r}")
    rate = (float(pair[0]), float(pair[1]))
    if not all(math.isfinite(x) and x >= 0 for x in rate):
        raise ValueError(f"{model!r}: prices must be finite and >= 0, got {pair!r}")
    return rate


def price(model: str, prices: Prices | None = None) -> tuple[float, float] | None:
    """(input, output) $ per 1M tokens: the exact model, else the longest listed prefix
    (``gpt-4o-mini-2024-07-18`` -> ``gpt-4o-mini``); None when unlisted."""
    prices = PRICES if prices is None else prices
    if model in prices:
        return prices[model]
    prefixes = [m for m in prices if model.startswith(m + "-")]
    return prices[max(prefixes, key=len)] if prefixes else None


def _dollars(tokens_in: int, tokens_out: int, model: str, batch: bool,
             prices: Prices | None) -> float | None:
    rate = price(model, prices)
    if rate is None:
        return None
    factor = BATCH_DISCOUNT if batch else 1.0
    return (tokens_in * rate[0] + tokens_out * rate[1]) / 1e6 * factor


def cost(usages: Iterable[Mapping[str, Any]], model: str, batch: bool = False,
         prices: Prices | None = None) -> dict[str, Any]:
    """Tokens and dollars of recorded calls (``{"prompt_tokens", "completion_tokens"}`` each,
    as the API reports them). ``dollars`` is None for a model without a price; calls whose
    server reported no usage are counted in ``missing_usage`` and cost nothing here."""
    usages = list(usages)
    missing = sum(u.get("prompt_tokens") is None or u.get("completion_tokens") is None
                  for u in usages)
    tokens_in = sum(int(u.get("prompt_tokens") or 0) for u in usages)
    tokens_out = sum(int(u.get("completion_tokens") or 0) for u in usages)
    return {"model": model, "calls": len(usages), "input_tokens": tokens_in,
            "output_tokens": tokens_out, "missing_usage": missing, "batch": batch,
            "dollars": _dollars(tokens_in, tokens_out, model, batch, prices)}


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """Prompt tokens of one chat, estimated as characters / 4 (no tokenizer)."""
    return math.ceil(sum(len(m["content"]) for m in messages) / CHARS_PER_TOKEN)


def estimate(requests: Iterable[list[dict[str, str]]], model: str, max_new_tokens: int,
             batch: bool = False, prices: Prices | None = None) -> dict[str, Any]:
    """A dry-run upper estimate for sending ``requests``: prompt tokens as characters / 4
    (rough: real tokenizers differ by 10-30% and add a few tokens per message), every reply
    at the full ``max_new_tokens`` (few use them all)."""
    requests = list(requests)
    tokens_in = sum(estimate_tokens(r) for r in requests)
    tokens_out = len(requests) * int(max_new_tokens)
    return {"model": model, "requests": len(requests), "input_tokens": tokens_in,
            "output_tokens": tokens_out, "batch": batch,
            "dollars": _dollars(tokens_in, tokens_out, model, batch, prices),
            "method": "prompt tokens = characters / 4; output = max_new_tokens per request"}
