"""Generate a synthetic twin for each real training row, through the cache, in batches.

Every request is keyed by its content (``request_key``) and its reply stored in the cache
before it counts as done, so an interrupted run resumes where it stopped and a rerun makes
no backend calls. Synthetic rows are matched to real rows by ``row_id``, never by order.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
import time
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from tqdm.auto import tqdm

from littlehuman.data.schema import Task, columns
from littlehuman.errors import LittleHumanError
from littlehuman.generation.backends.base import Backend, Reply, as_completion
from littlehuman.generation.cache import GenerationCache, request_key
from littlehuman.generation.parsing import parse_reply
from littlehuman.generation.prompts import MAX_CONTEXT_WORDS, build_messages, draw_examples
from littlehuman.paths import cache_dir


def generator_id(backend: Backend, label_conditioned: bool, k: int, seed: int,
                 context_words: int = MAX_CONTEXT_WORDS, cot: pd.DataFrame | None = None) -> str:
    """A short id naming one generator setup: ``<backend name>-<10 hex digits>``
    (``<backend name>-cot-<10 hex digits>`` with chain-of-thought examples)."""
    spec = {"id": backend.identity(), "label_conditioned": bool(label_conditioned),
            "k": int(k), "seed": int(seed)}
    if context_words != MAX_CONTEXT_WORDS:  # the PROTOCOL's cut keeps the shorter id spec
        spec["context_words"] = int(context_words)
    if cot is not None:
        spec["cot"] = cot.drop(columns=["row_id", "context_id"]).to_dict("records")
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
        return f"{backend.name}-cot-{digest}"
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    return f"{backend.name}-{digest}"


def synthetic_path(dataset: str, gen_id: str) -> Path:
    """``cache_dir()/synthetic/<dataset>/<gen_id>.parquet``."""
    return cache_dir() / "synthetic" / dataset / f"{gen_id}.parquet"


def _complete(backend: Backend, batch: list[list[dict[str, str]]]) -> list[Reply]:
    replies = backend.complete(batch)
    if len(replies) != len(batch):
        raise LittleHumanError(
            f"backend {backend.name} returned {len(replies)} replies for {len(batch)} requests: "
            "fix the backend so it answers every request in order"
        )
    return replies


def _stream(backend: Backend, todo: list[str], requests: dict[str, list[dict[str, str]]],
            store: Callable[[str, Reply], None], bar: Any) -> None:
    """All of ``todo`` in one ``complete_iter`` call, each reply stored as it arrives; on an
    error the stream is closed at once (so a backend can stop what it has in flight). A
    backend whose ``complete_iter`` takes ``ids`` gets the request keys (stable custom ids)."""
    done: set[int] = set()
    complete_iter = backend.complete_iter  # type: ignore[attr-defined]
    extra = {"ids": list(todo)} if "ids" in inspect.signature(complete_iter).parameters else {}
    stream = complete_iter([requests[key] for key in todo], **extra)
    try:
        for index, reply in stream:
            if not 0 <= index < len(todo) or index in done:
                raise LittleHumanError(
                    f"backend {backend.name} streamed reply index {index} twice or out of "
                    "range: fix its complete_iter"
                )
            done.add(index)
            store(todo[index], reply)
            bar.update(1)
    finally:
        if hasattr(stream, "close"):
            stream.close()
    if len(done) != len(todo):
        raise LittleHumanError(
            f"backend {backend.name} streamed {len(done)} replies for {len(todo)} requests: "
            "fix the backend so it answers every request (the answered ones are cached)"
        )


def build_requests(
    rows: pd.DataFrame,
    pool: pd.DataFrame,
    task: Task,
    seed: int = 0,
    k: int = 3,
    label_conditioned: bool = True,
    context_words: int = MAX_CONTEXT_WORDS,
    cot: pd.DataFrame | None = None,
) -> list[list[dict[str, str]]]:
    """The chat messages of every row's request, in row order (no backend needed: a dry run
    prices them before anything is sent). With ``cot`` (chain-of-thought examples from
    ``prompts.load_cot_examples``) every request shows those examples instead of drawn ones."""
    conditioned = label_conditioned and task == "fv"
    pool = pool.sort_values("row_id", kind="stable").reset_index(drop=True)
    out = []
    for row in rows.to_dict("records"):
        if cot is not None:
            examples = cot
        else:
            examples = draw_examples(pool, row, k=k, seed=seed, label_conditioned=conditioned)
        out.append(build_messages(row, examples, task, label_conditioned=conditioned,
                                  context_words=context_words))
    return out


def generate_synthetic(
    rows: pd.DataFrame,
    pool: pd.DataFrame,
    task: Task,
    backend: Backend,
    seed: int = 0,
    k: int = 3,
    label_conditioned: bool = True,
    cache: GenerationCache | None = None,
    batch_size: int = 8,
    progress: bool = True,
    context_words: int = MAX_CONTEXT_WORDS,
    cot: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One synthetic row per row of ``rows``, from its own context, with ``k`` examples of ``pool``.

    Returns the synthetic rows (unified columns with ``split="train"``, the real row's
    ``dataset``/``context_id``/``context``, ``row_id = "syn:<generator_id>:<real row_id>"``,
    ``meta = ""``, plus ``source_row_id``) and stats: requested, generated, unparseable
    (dropped), cache_hits, calls (requests sent to the backend), label_mismatch (FV: parsed
    label differs from the one asked for), seconds. FV labels are the parsed ones, falling
    back to the requested label when the reply gives none. Rows whose requests are identical
    (same context, label and examples) share one call and one reply. ``cot``: chain-of-thought
    examples (see ``build_requests``). Each cached reply keeps the call's token ``usage``
    when the backend reports it (see ``bill``).

    A backend with ``complete_iter(batch)`` (yielding ``(index, reply)`` in completion order)
    gets every uncached request at once, ignoring ``batch_size``, and each reply is cached
    the moment it arrives; other backends get ``batch_size`` requests per ``complete`` call.
    """
    start = time.perf_counter()
    gen_id = generator_id(backend, label_conditioned, k, seed, context_words, cot)
    conditioned = label_conditioned and task == "fv"
    records = rows.to_dict("records")
    keys, requests = [], {}
    for messages in build_requests(rows, pool, task, seed, k, label_conditioned, context_words, cot):
        key = request_key(backend.name, backend.model, messages, backend.params)
        keys.append(key)
        requests.setdefault(key, messages)

    replies: dict[str, str] = {}
    hits = 0
    for key in requests:
        record = cache.get(key) if cache is not None else None
        if record is not None:
            replies[key] = record["reply"]
            hits += 1
    todo = [key for key in requests if key not in replies]

    def store(key: str, reply: Reply) -> None:
        done = as_completion(reply)
        record: dict[str, Any] = {"reply": done.text, "backend": backend.name,
                                  "model": backend.model}
        if done.prompt_tokens is not None or done.completion_tokens is not None:
            record["usage"] = done.usage()
        if cache is not None:
            cache.put(key, record)
        replies[key] = done.text

    bar = tqdm(total=len(todo), desc=f"generate {backend.name}", disable=not progress or not todo)
    if todo and callable(getattr(backend, "complete_iter", None)):
        _stream(backend, todo, requests, store, bar)
    else:
        for i in range(0, len(todo), batch_size):
            chunk = todo[i: i + batch_size]
            for key, reply in zip(chunk, _complete(backend, [requests[key] for key in chunk])):
                store(key, reply)
            bar.update(len(chunk))
    bar.close()

    out, unparseable, mismatch = [], 0, 0
    for row, key in zip(records, keys):
        parsed = parse_reply(replies[key], task)
        if parsed is not None and task == "fv":
            asked = int(row["label"]) if conditioned else None
            if parsed["label"] is None:
                parsed["label"] = asked
            elif asked is not None and parsed["label"] != asked:
                mismatch += 1
            if parsed["label"] is None:
                parsed = None
        if parsed is None:
            unparseable += 1
            continue
        out.append({
            **parsed,
            "row_id": f"syn:{gen_id}:{row['row_id']}",
            "dataset": row["dataset"],
            "split": "train",
            "context_id": row["context_id"],
            "context": row["context"],
            "meta": "",
            "source_row_id": row["row_id"],
            **({"requested_label": int(row["label"])} if task == "fv" else {}),
        })
    extra = ["source_row_id"] + (["requested_label"] if task == "fv" else [])
    frame = pd.DataFrame(out, columns=columns(task) + extra)
    if task == "fv":
        frame = frame.astype({"label": "int64", "requested_label": "int64"})
    stats = {
        "requested": len(records),
        "generated": len(frame),
        "unparseable": unparseable,
        "cache_hits": hits,
        "calls": len(todo),
        "label_mismatch": mismatch if task == "fv" else 0,
        "seconds": round(time.perf_counter() - start, 3),
    }
    return frame, stats


def load_or_generate(
    rows: pd.DataFrame,
    pool: pd.DataFrame,
    task: Task,
    backend: Backend,
    seed: int = 0,
    k: int = 3,
    label_conditioned: bool = True,
    cache: GenerationCache | None = None,
    batch_size: int = 8,
    progress: bool = True,
    context_words: int = MAX_CONTEXT_WORDS,
    cot: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The synthetic twins of ``rows`` from ``synthetic_path``, generating only missing ones.

    New rows are appended to the parquet file (written to a temp file, then renamed). The
    cache defaults to ``cache_dir()/generation/<dataset>.jsonl``. Rows whose reply was
    unparseable are retried from the cache (no backend call) and stay absent. After new
    calls, the token bill of every request behind ``rows`` is written beside the parquet
    (``<gen_id>.bill.json``, see ``bill``).
    """
    datasets = rows["dataset"].unique()
    if len(datasets) != 1:
        raise LittleHumanError(f"load_or_generate takes rows of one dataset, got {list(datasets)}")
    dataset = str(datasets[0])
    gen_id = generator_id(backend, label_conditioned, k, seed, context_words, cot)
    path = synthetic_path(dataset, gen_id)
    if cache is None:
        cache = GenerationCache(cache_dir() / "generation" / f"{dataset}.jsonl")
    have = pd.read_parquet(path) if path.exists() else None
    todo = rows if have is None else rows[~rows["row_id"].isin(have["source_row_id"])]
    new, stats = generate_synthetic(todo, pool, task, backend, seed=seed, k=k,
                                    label_conditioned=label_conditioned, cache=cache,
                                    batch_size=batch_size, progress=progress,
                                    context_words=context_words, cot=cot)
    stats["from_file"] = len(rows) - len(todo)
    if stats["calls"] or not bill_path(dataset, gen_id).exists():
        write_bill(dataset, gen_id, bill(rows, pool, task, backend, cache, seed, k,
                                         label_conditioned, context_words, cot))
    if len(new):
        merged = new if have is None else pd.concat([have, new], ignore_index=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        merged.to_parquet(tmp, index=False)
        os.replace(tmp, path)
        have = merged
    if have is None:
        return new, stats
    order = {row_id: i for i, row_id in enumerate(rows["row_id"])}
    wanted = have[have["source_row_id"].isin(order)]
    wanted = wanted.iloc[wanted["source_row_id"].map(order).argsort(kind="stable").to_numpy()]
    return wanted.reset_index(drop=True), stats


def bill_path(dataset: str, gen_id: str) -> Path:
    """``<synthetic_path>`` with ``.bill.json``: the tokens every request behind it cost."""
    return synthetic_path(dataset, gen_id).with_suffix(".bill.json")


def bill(
    rows: pd.DataFrame,
    pool: pd.DataFrame,
    task: Task,
    backend: Backend,
    cache: GenerationCache,
    seed: int = 0,
    k: int = 3,
    label_conditioned: bool = True,
    context_words: int = MAX_CONTEXT_WORDS,
    cot: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Tokens of the distinct requests behind ``rows``, from the usage stored in the cache.

    Counts each request once (rows sharing a request share its call), whether it was paid in
    this run or an earlier one; ``missing_usage`` counts cached replies without usage (a
    backend that reports none, or a cache older than usage records). Dollars are computed
    when shown (``cost.cost``), so a price override needs no rerun.
    """
    keys = {request_key(backend.name, backend.model, m, backend.params)
            for m in build_requests(rows, pool, task, seed, k, label_conditioned, context_words, cot)}
    usages = []
    for key in sorted(keys):
        record = cache.peek(key)
        if record is not None:
            usages.append(record.get("usage") or {"prompt_tokens": None, "completion_tokens": None})
    return {"backend": backend.name, "model": backend.model,
            "batch_pricing": bool(getattr(backend, "batch_pricing", False)),
            "requests": len(keys), "answered": len(usages),
            "input_tokens": sum(int(u.get("prompt_tokens") or 0) for u in usages),
            "output_tokens": sum(int(u.get("completion_tokens") or 0) for u in usages),
            "missing_usage": sum(u.get("prompt_tokens") is None for u in usages)}


def write_bill(dataset: str, gen_id: str, summary: dict[str, Any]) -> None:
    path = bill_path(dataset, gen_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(summary, indent=1))
    os.replace(tmp, path)


def read_bill(dataset: str, gen_id: str) -> dict[str, Any] | None:
    """The stored bill of one generator's twins, or None before any generation."""
    path = bill_path(dataset, gen_id)
    return json.loads(path.read_text()) if path.exists() else None
