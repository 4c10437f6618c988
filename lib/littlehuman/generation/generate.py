"""Generate a synthetic twin for each real training row, through the cache, in batches.

Every request is keyed by its content (``request_key``) and its reply stored in the cache
before it counts as done, so an interrupted run resumes where it stopped and a rerun makes
no backend calls. Synthetic rows are matched to real rows by ``row_id``, never by order.
"""
from __future__ import annotations

import dataclasses
import inspect
import json
import sys
import threading
import time
import unicodedata
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
from filelock import FileLock, Timeout
from tqdm.auto import tqdm

from littlehuman.data.schema import Task, columns
from littlehuman.errors import LittleHumanError
from littlehuman.generation.backends.base import Backend, Reply, RequestFeed, as_completion
from littlehuman.generation.cache import GenerationCache, _cut_torn_tail, request_key
from littlehuman.generation.parsing import FIELDS, PARSER_VERSION, finished, parse_reply
from littlehuman.generation.prompts import ExamplePool, PromptSpec, sort_pool
from littlehuman.paths import atomic_write, cache_dir


def synthetic_path(dataset: str, gen_id: str) -> Path:
    """``cache_dir()/synthetic/<dataset>/<gen_id>.parquet``."""
    return cache_dir() / "synthetic" / dataset / f"{gen_id}.parquet"


def generation_cache_path(dataset: str) -> Path:
    """``cache_dir()/generation/<dataset>.jsonl``: every reply to one dataset's requests."""
    return cache_dir() / "generation" / f"{dataset}.jsonl"


def unsent_requests(backend: Backend, requests: list[list[dict[str, str]]],
                    cache: GenerationCache) -> dict[str, Any]:
    """What a first ask of ``requests`` would still send: the distinct requests, how many of
    them ``cache`` already answers, how many sit in a batch already submitted (Batch API:
    collected, not sent again), and the chats left to send. Re-asks are not counted."""
    distinct = dict(zip((_key(backend, m, 0) for m in requests), requests))
    cached = {key for key in distinct if key in cache}
    submitted = backend.submitted_ids() - cached
    return {"distinct": len(distinct), "cached": len(cached),
            "submitted": len(submitted & distinct.keys()),
            "to_send": [m for key, m in distinct.items()
                        if key not in cached and key not in submitted]}


def _complete(backend: Backend, batch: list[list[dict[str, str]]]) -> list[Reply]:
    replies = backend.complete(batch)
    if len(replies) != len(batch):
        raise LittleHumanError(
            f"backend {backend.name} returned {len(replies)} replies for {len(batch)} requests: "
            "fix the backend so it answers every request in order"
        )
    return replies


class SendLog:
    """Every request a backend sent, one line per event in ``<cache>.sent.jsonl`` beside the
    generation cache (``{"key", "event"}``: ``sent``, ``retry:<cause>``, ``failed:<cause>``;
    see ``Backend.on_event``), appended and flushed as it happens (a kill loses nothing the
    OS has; a torn last line is cut by the next writer, under the log's lock, as the cache
    does), and counted for this process. The bill reads it back: what was sent, re-sent
    after a kill, retried and given up, across every process that ever ran."""

    def __init__(self, cache: GenerationCache | None) -> None:
        self.path = None if cache is None else cache.path.with_suffix(".sent.jsonl")
        self.counts: Counter[str] = Counter()
        self._guard = threading.Lock()

    def recorder(self, keys: list[str]) -> Callable[[int, str], None]:
        """An ``on_event`` for one call whose request ``i`` has cache key ``keys[i]``."""
        def record(index: int, event: str) -> None:
            with self._guard:
                self.counts[event] += 1
                if self.path is not None:
                    line = json.dumps({"key": keys[index], "event": event}) + "\n"
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    # under the log's lock, a torn last line (a writer killed, a disk that
                    # filled mid-line) is cut first: it had glued itself to the next event
                    with FileLock(str(self.path) + ".lock"), open(self.path, "a+b") as fh:
                        _cut_torn_tail(fh)
                        fh.write(line.encode("utf-8"))
        return record

    def summary(self) -> dict[str, Any]:
        """This process's counts: sent (first sends and re-sends), retried and failed by cause."""
        return _fault_summary(self.counts)


def _fault_summary(counts: Counter[str]) -> dict[str, Any]:
    retried = {e.split(":", 1)[1]: n for e, n in sorted(counts.items()) if e.startswith("retry:")}
    failed = {e.split(":", 1)[1]: n for e, n in sorted(counts.items()) if e.startswith("failed:")}
    return {"sent": counts.get("sent", 0) + sum(retried.values()), "retried": retried,
            "failed": failed}


def read_send_log(cache: GenerationCache) -> dict[str, list[str]]:
    """The events of every key in the cache's send log, in order (a torn line is skipped)."""
    path = cache.path.with_suffix(".sent.jsonl")
    out: dict[str, list[str]] = {}
    if not path.exists():
        return out
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                entry = json.loads(line)
                out.setdefault(entry["key"], []).append(str(entry["event"]))
            except (ValueError, KeyError, TypeError):
                continue
    return out


def _stream(backend: Backend, todo: list[str], requests: dict[str, list[dict[str, str]]],
            store: Callable[[str, Reply], None], bar: Any,
            stop: Callable[[], bool] = lambda: False) -> None:
    """All of ``todo`` in one ``complete_iter`` call, each reply stored as it arrives; on an
    error, or once ``stop()`` says so after a stored reply, the stream is closed at once (so a
    backend can stop what it has in flight). A backend whose ``complete_iter`` takes ``ids``
    gets the request keys (stable custom ids)."""
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
            if stop():
                return
    finally:
        if hasattr(stream, "close"):
            stream.close()
    if len(done) != len(todo):
        raise LittleHumanError(
            f"backend {backend.name} streamed {len(done)} replies for {len(todo)} requests: "
            "fix the backend so it answers every request (the answered ones are cached)"
        )


def _key(backend: Backend, messages: list[dict[str, str]], attempt: int) -> str:
    """The cache key of one request; a re-ask's key also names its attempt, so it never
    collides with an earlier ask even when the prompt comes out the same."""
    params = backend.params if attempt == 0 else {**backend.params, "reask": int(attempt)}
    return request_key(backend.name, backend.model, messages, params)


#: quotes compared as their straight forms
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _same_text(text: str) -> str:
    """``text`` as compared for a copy: case, spacing, end punctuation, curly quotes and
    Unicode's compatibility forms aside ("Bob\u2019s" copies "Bob's": a reviewer)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(text.casefold().split()).strip(" .!?\"'")


def _copied(parsed: dict[str, Any], messages: list[dict[str, str]], task: Task) -> bool:
    """Whether the reply repeats one of the prompt's few-shot examples: a real row of another
    context, not a synthetic point. FV: the same claim; QA: the same question with the same
    answer (a generic question, "Which city has more pollution?", may fit the new context
    with an answer of its own)."""
    fields = FIELDS[task] if task == "qa" else FIELDS[task][:1]
    mine = [_same_text(str(parsed[f])) for f in fields]
    for message in messages:
        if message["role"] == "assistant":
            shown = parse_reply(message["content"], task)
            if shown is not None and [_same_text(str(shown[f])) for f in fields] == mine:
                return True
    return False


def _twin(reply: str, row: dict[str, Any], task: Task, conditioned: bool,
          truncated: bool = False) -> tuple[dict[str, Any] | None, bool]:
    """The parsed twin of one reply (None: unusable: unparseable, empty, a refusal, or cut by
    the token limit inside its fields: ``truncated`` and not :func:`finished`) and whether its
    FV label differs from the one asked for. An FV reply that states no label takes the one
    asked for, and says so in ``label_stated`` (False): FEVER's cpu twins, 55-63 of 500, had
    read as twins whose label agreed with the one asked (a reviewer, 2026-12-06)."""
    parsed = parse_reply(reply, task)
    if parsed is None or (truncated and not finished(reply, task)):
        return None, False
    if task != "fv":
        return parsed, False
    asked = int(row["label"]) if conditioned else None
    mismatch = False
    parsed["label_stated"] = parsed["label"] is not None
    if parsed["label"] is None:
        parsed["label"] = asked
    elif asked is not None and parsed["label"] != asked:
        mismatch = True
    return (None, False) if parsed["label"] is None else (parsed, mismatch)


def generate_synthetic(
    rows: pd.DataFrame,
    pool: pd.DataFrame,
    backend: Backend,
    prompt: PromptSpec,
    cache: GenerationCache | None = None,
    batch_size: int = 8,
    progress: bool = True,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One synthetic row per row of ``rows``, from its own context, with ``prompt.k`` examples
    of ``pool`` (the requests of :meth:`PromptSpec.requests`).

    Returns the synthetic rows (unified columns with ``split="train"``, the real row's
    ``dataset``/``context_id``/``context``, ``row_id = "syn:<generator_id>:<real row_id>"``,
    ``meta = ""``, plus ``source_row_id`` and ``attempt``: 0 when the first reply was usable,
    else the re-ask that gave it) and stats: requested, generated, missing (rows left without
    a twin), reasked (re-asks sent in this pass), unusable_replies (copied_examples and
    cut_short among them: a reply repeating a few-shot example's claim or question, one the token limit cut
    inside its fields), cache_hits, calls (requests handed
    to the backend), label_mismatch (FV: parsed label differs from the one asked for),
    faults (what the backend sent, retried and gave up, by cause; see ``SendLog``), seconds.

    A reply that cannot be read (unparseable, empty, a refusal, cut by the token limit, a copy
    of an example: real data of another context, not a twin) is asked again up to
    ``prompt.reask`` times, each time with a fresh draw of few-shot examples (chain-of-thought
    examples: a new order) under a new cache key, so the unusable reply stays cached and is
    never sent again, and a rerun replays the same chain from the cache. FV labels are the
    parsed ones, falling back to the requested label when the reply gives none. Rows whose
    requests are identical (same context, label and examples) share one call and one reply.
    Each cached reply keeps the call's token ``usage`` when the backend reports it (see
    ``bill``).

    A backend with ``complete_iter(batch)`` (yielding ``(index, reply)`` in completion order)
    gets every uncached request of an attempt at once, ignoring ``batch_size``, and each
    reply is cached the moment it arrives; other backends get ``batch_size`` requests per
    ``complete`` call.
    """
    start = time.perf_counter()
    gen_id = prompt.generator_id(backend)
    task = prompt.task
    records = rows.to_dict("records")
    asker = _Asker(records, pool, backend, prompt, cache, progress)
    asker.run(batch_size)
    twins, pending = asker.twins, asker.missing

    out = []
    for i, row in enumerate(records):
        if i not in twins:
            continue
        parsed, attempt, _ = twins[i]
        out.append({
            **parsed,
            "row_id": f"syn:{gen_id}:{row['row_id']}",
            "dataset": row["dataset"],
            "split": "train",
            "context_id": row["context_id"],
            "context": row["context"],
            "meta": "",
            "source_row_id": row["row_id"],
            "attempt": attempt,
            **({"requested_label": int(row["label"])} if task == "fv" else {}),
        })
    extra = ["source_row_id", "attempt"] + (["requested_label", "label_stated"]
                                            if task == "fv" else [])
    frame = pd.DataFrame(out, columns=columns(task) + extra).astype({"attempt": "int64"})
    if task == "fv":
        frame = frame.astype({"label": "int64", "requested_label": "int64",
                              "label_stated": "bool"})
    stats = {
        "requested": len(records),
        "generated": len(frame),
        "missing": len(pending),
        "unparseable": len(pending),  # the rows dropped (kept for older readers)
        "reasked": asker.reasked,
        "unusable_replies": asker.unusable,
        "copied_examples": asker.copies,
        "cut_short": asker.cut_short,
        "cache_hits": asker.hits,
        "calls": asker.calls,
        "label_mismatch": sum(twins[i][2] for i in twins) if task == "fv" else 0,
        "faults": asker.sends.summary(),
        "seconds": round(time.perf_counter() - start, 3),
    }
    return frame, stats


#: a generator is given up on when, of the first HOPELESS_AFTER_ASKS replies read, fewer than
#: HOPELESS_USABLE_SHARE were usable: it refuses or ignores the few-shot format, and asking
#: every other row (again, then spares for them) would pay for nothing. A generator at that
#: share would give a twin to at most 27% of the rows after two re-asks.
HOPELESS_AFTER_ASKS = 100
HOPELESS_USABLE_SHARE = 0.1


class _Asker:
    """The asks of one ``generate_synthetic`` call: each row's first ask, then a re-ask with
    fresh examples while its reply is unusable (up to ``prompt.reask``), each answered from
    the cache or sent. A backend that takes a :class:`RequestFeed` gets re-asks while its first wave is
    still in flight (they fill the slots it frees); others get them in rounds. ``offline``:
    replay the chains from the cache only (nothing is sent; an unanswered ask leaves its row
    missing), as the bill does. ``asked`` holds every request asked (key -> messages)."""

    def __init__(self, records: list[dict[str, Any]], pool: pd.DataFrame, backend: Backend,
                 prompt: PromptSpec, cache: GenerationCache | None, progress: bool,
                 offline: bool = False) -> None:
        self.records, self.backend, self.prompt, self.cache = records, backend, prompt, cache
        self.pool, self.cot = ExamplePool(sort_pool(pool)), prompt.cot_frame
        self.progress, self.offline = progress, offline
        self.asked: dict[str, list[dict[str, str]]] = {}
        self.sends = SendLog(cache)
        self.attempt = [0] * len(records)
        self.twins: dict[int, tuple[dict[str, Any], int, bool]] = {}
        self.missing: list[int] = []
        self.uncached: list[int] = []  # offline: rows whose ask is not in the cache
        self.waiting: dict[str, list[int]] = {}  # a sent request's key -> the rows it answers
        self.outbox: list[tuple[str, list[dict[str, str]]]] = []  # to send (rounds)
        self.feed: RequestFeed | None = None
        self.feed_keys: list[str] = []
        self.hits = self.calls = self.reasked = self.unusable = 0
        self.copies = self.cut_short = 0  # unusable replies: an example copied, cut by the limit
        self.hopeless: str | None = None  # why the generator was given up on
        self.bar: Any = None
        self.queueing = False

    def run(self, batch_size: int) -> None:
        if getattr(self.backend, "takes_feed", False):
            self.feed = RequestFeed()
        self.queueing = True  # the bar shows the first total once, not row by row
        for i in range(len(self.records)):
            self.ask(i)
        self.queueing = False
        if self.bar is not None:
            self.bar.refresh()
        previous = self.backend.on_event
        try:
            if self.feed is not None and len(self.feed) and not self.hopeless:
                self.backend.on_event = self.sends.recorder(self.feed_keys)
                self._stream_feed()
            while self.outbox and not self.hopeless:  # rounds: the last round's re-asks
                todo, self.outbox = self.outbox, []
                _send(self.backend, [k for k, _ in todo], dict(todo), self.answer, self.sends,
                      batch_size, self.bar, stop=lambda: self.hopeless is not None)
        finally:
            self.backend.on_event = previous
            if self.cache is not None:
                self.cache.sync()  # the replies put since the last fsync
            if self.bar is not None:
                self.bar.close()
        if self.hopeless:
            raise LittleHumanError(self.hopeless)
        self.missing.sort()

    def ask(self, i: int) -> None:
        """Ask row ``i`` at its current attempt: from the cache (then judge at once), by
        joining an identical request already on its way, or by sending (nothing once the
        generator is given up on)."""
        while not self.hopeless:
            attempt = self.attempt[i]
            row = self.records[i]
            messages = self.prompt.messages(row, self.pool, attempt, self.cot)
            key = _key(self.backend, messages, attempt)
            self.asked.setdefault(key, messages)
            if key in self.waiting:
                self.waiting[key].append(i)
                return
            if self.cache is None:
                record = None
            else:  # a replay only looks: it counts no cache hits
                record = (self.cache.peek if self.offline else self.cache.get)(key)
            if record is None and self.offline:
                self.missing.append(i)
                self.uncached.append(i)
                return
            if record is None:
                self.waiting[key] = [i]
                self.calls += 1
                self.reasked += attempt > 0  # sent now (a replay from the cache had counted)
                self._progress(1)
                if self.feed is not None:
                    self.feed_keys.append(key)
                    self.feed.put(messages)
                else:
                    self.outbox.append((key, messages))
                return
            self.hits += 1
            if self._judge(i, record["reply"], messages, bool(record.get("truncated"))):
                return

    def _judge(self, i: int, reply: str, messages: list[dict[str, str]],
               truncated: bool = False) -> bool:
        """Keep row ``i``'s twin from ``reply`` to ``messages`` (``truncated``: the token
        limit cut it); else move it to its next attempt (True: the row needs nothing more
        now)."""
        task = self.prompt.task
        parsed, differs = _twin(reply, self.records[i], task, self.prompt.conditioned, truncated)
        if parsed is None and truncated:
            self.cut_short += 1
        elif parsed is not None and _copied(parsed, messages, task):
            parsed = None
            self.copies += 1
        if parsed is not None:
            self.twins[i] = (parsed, self.attempt[i], differs)
            return True
        self.unusable += 1
        self._judge_generator(reply)
        if self.attempt[i] >= self.prompt.reask:
            self.missing.append(i)
            return True
        self.attempt[i] += 1
        return False

    def _judge_generator(self, last: str) -> None:
        """Give the generator up (``hopeless``: the one-line error ``run`` raises) when too few
        replies read were usable: see :data:`HOPELESS_USABLE_SHARE`. Nothing more is then
        sent; every reply so far is cached. A replay (``offline``) never gives up."""
        read = len(self.twins) + self.unusable
        if self.offline or self.hopeless or read < HOPELESS_AFTER_ASKS or \
                len(self.twins) >= HOPELESS_USABLE_SHARE * read:
            return
        said = " ".join(last.split())
        said = repr(said if len(said) <= 120 else said[:120] + "...") if said else "an empty reply"
        where = f" (every reply is kept in {self.cache.path})" if self.cache is not None else ""
        long = self.sends.counts.get("failed:too_long", 0)
        if 2 * long >= self.unusable:  # mostly refused by the server, not by the model
            self.hopeless = (
                f"generation stopped: {len(self.twins)} usable replies of the first {read}; the "
                f"server refused {long} requests so far as longer than model "
                f"{self.backend.model}'s context: lower "
                "--prompt-context-words, --k-shots or --max-new-tokens, or use a model with a "
                "longer context")
            return
        field = FIELDS[self.prompt.task][0]
        why = (f"it copies the few-shot examples' {field}s ({self.copies} of its replies)"
               if 2 * self.copies >= self.unusable else
               f"--max-new-tokens cuts its replies short ({self.cut_short} of them)"
               if 2 * self.cut_short >= self.unusable else
               "it refuses or does not answer in the few-shot format")
        self.hopeless = (
            f"generation stopped: {self.backend.name} model {self.backend.model} gave "
            f"{len(self.twins)} usable replies of the first {read} (the last: {said}): "
            f"{why}{where}. Try another "
            "--gen-model, --endpoint completions for a base model, or your own twins with "
            "--synthetic FILE")

    def answer(self, key: str, reply: Reply) -> None:
        """A reply arrived: cache it (with its usage), then judge every row waiting on it."""
        done = as_completion(reply)
        record: dict[str, Any] = {"reply": done.text, "backend": self.backend.name,
                                  "model": self.backend.model}
        if done.prompt_tokens is not None or done.completion_tokens is not None:
            record["usage"] = done.usage()
        if done.truncated:
            record["truncated"] = True
        if self.cache is not None:
            self.cache.put(key, record)
        for i in self.waiting.pop(key, []):
            if not self._judge(i, done.text, self.asked[key], done.truncated):
                self.ask(i)

    def _progress(self, added: int) -> None:
        if self.bar is None:
            self.bar = tqdm(total=0, desc=f"generate {self.backend.name}",
                            disable=not self.progress)
        self.bar.total += added
        if not self.queueing:  # a re-ask: show the new total now
            self.bar.refresh()

    def _stream_feed(self) -> None:
        """Every request of the feed, re-asks included, in one ``complete_iter`` call."""
        assert self.feed is not None
        seen: set[int] = set()
        stream = self.backend.complete_iter(self.feed)  # type: ignore[attr-defined]
        try:
            for index, reply in stream:
                if not 0 <= index < len(self.feed_keys) or index in seen:
                    raise LittleHumanError(
                        f"backend {self.backend.name} streamed reply index {index} twice or "
                        "out of range: fix its complete_iter")
                seen.add(index)
                self.answer(self.feed_keys[index], reply)
                self.bar.update(1)
                if self.hopeless:
                    return
        finally:
            if hasattr(stream, "close"):
                stream.close()


def _send(backend: Backend, todo: list[str], requests: dict[str, list[dict[str, str]]],
          on_reply: Callable[[str, Reply], None], sends: SendLog, batch_size: int,
          bar: Any, stop: Callable[[], bool] = lambda: False) -> None:
    """Send the ``todo`` requests (one round), handing each reply to ``on_reply(key, reply)``
    as it arrives, until ``stop()`` says so; the backend reports what it sends to ``sends``."""
    if not todo:
        return
    if callable(getattr(backend, "complete_iter", None)):
        backend.on_event = sends.recorder(todo)
        _stream(backend, todo, requests, on_reply, bar, stop)
    else:
        for i in range(0, len(todo), batch_size):
            if stop():
                return
            chunk = todo[i: i + batch_size]
            backend.on_event = sends.recorder(chunk)
            for key, reply in zip(chunk, _complete(backend, [requests[key] for key in chunk])):
                on_reply(key, reply)
            bar.update(len(chunk))


def generation_lock(dataset: str, gen_id: str) -> FileLock:
    """The lock one process holds while it generates a (dataset, generator)'s twins: a second
    process waits for it, then finds the first one's replies in the cache."""
    path = cache_dir() / "locks" / f"generate-{dataset}-{gen_id}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path))


@contextmanager
def holding(lock: FileLock, what: str, progress: bool = True) -> Iterator[None]:
    """Hold ``lock``; when another process has it, say so in one line, then wait."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if progress:
            print(f"waiting for another process that is {what} (lock {lock.lock_file})",
                  file=sys.stderr, flush=True)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def load_or_generate(
    rows: pd.DataFrame,
    pool: pd.DataFrame,
    backend: Backend,
    prompt: PromptSpec,
    cache: GenerationCache | None = None,
    batch_size: int = 8,
    progress: bool = True,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The synthetic twins of ``rows`` from ``synthetic_path`` (named by
    ``prompt.generator_id(backend)``), generating only missing ones (``generate_synthetic``).

    Runs under :func:`generation_lock`, so two processes never pay for the same request: the
    second waits, then reads the first one's twins and replies. New rows are appended to the
    parquet file (written to a temp file, then renamed). The cache defaults to
    ``cache_dir()/generation/<dataset>.jsonl``. Rows without a twin are asked again from the
    cache (their re-asks replayed; only re-asks beyond what is cached are sent) and stay
    absent when every try was unusable. After new calls, the token bill of every request
    behind ``rows`` is written beside the parquet (``<gen_id>.bill.json``, see ``bill``), and
    with ``progress`` one line says what was sent, retried, re-asked and is missing.
    """
    datasets = rows["dataset"].unique()
    if len(datasets) != 1:
        raise LittleHumanError(f"load_or_generate takes rows of one dataset, got {list(datasets)}")
    dataset = str(datasets[0])
    gen_id = prompt.generator_id(backend)
    path = synthetic_path(dataset, gen_id)
    with holding(generation_lock(dataset, gen_id), f"generating {dataset} twins", progress):
        if cache is None:
            cache = GenerationCache(generation_cache_path(dataset))
        else:
            cache.refresh()  # what another process added while we waited
        have = _read_twins(path)
        differ = 0 if have is None else _check_parsed(have, pool, backend, prompt, cache, path,
                                                      progress)
        todo = rows if have is None else rows[~rows["row_id"].isin(have["source_row_id"])]
        new, stats = generate_synthetic(todo, pool, backend, prompt, cache=cache,
                                        batch_size=batch_size, progress=progress)
        stats["from_file"] = len(rows) - len(todo)
        stored = read_bill(dataset, gen_id)
        asked = set((stored or {}).get("asked_rows", []))
        # a reply paid for in a run killed before its bill was written (or a disk that filled
        # there) comes back from the cache with no call: its rows not on the bill say so
        if stats["calls"] or stored is None or not set(rows["row_id"].astype(str)) <= asked:
            if have is not None:  # rows an unreadable bill had listed
                asked |= set(have["source_row_id"].astype(str))
            asked |= set(rows["row_id"].astype(str))
            every = pool[pool["row_id"].astype(str).isin(asked)]
            if len(every) < len(asked):  # rows outside the pool: bill the ones given too
                every = pd.concat([every, rows[~rows["row_id"].isin(every["row_id"])]])
            summary = bill(every, pool, backend, prompt, cache)
            write_bill(dataset, gen_id, {**summary, "asked_rows": sorted(asked)})
        if len(new):
            merged = new if have is None else pd.concat([have, new], ignore_index=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, lambda handle: merged.to_parquet(handle, index=False))
            if not differ:
                stamp_parsed(path, len(merged))
            have = merged
    if progress and stats["calls"]:
        print(fault_line(dataset, gen_id, stats, local=backend.local), flush=True)
    if have is None:
        return new, stats
    return twins_in_order(have, rows), stats


def parsed_path(path: Path) -> Path:
    """``<synthetic_path>`` with ``.parsed.json``: the parser version its twins were last
    checked against (see :func:`_check_parsed`)."""
    return path.with_suffix(".parsed.json")


def stamp_parsed(path: Path, n_twins: int) -> None:
    """Mark the twins file ``path`` as read by this :data:`PARSER_VERSION`."""
    text = json.dumps({"parser": PARSER_VERSION, "twins": n_twins})
    atomic_write(parsed_path(path), lambda handle: handle.write(text.encode("utf-8")))


def _check_parsed(twins: pd.DataFrame, pool: pd.DataFrame, backend: Backend,
                  prompt: PromptSpec, cache: GenerationCache, path: Path,
                  progress: bool) -> int:
    """How many stored ``twins`` today's parser reads differently from their cached replies
    (replayed offline: nothing is sent), checked once per :data:`PARSER_VERSION`.

    The stored twins are kept either way, as runs trained on them are: when some differ, one
    line says how many and how to rebuild; when none does, the file is marked as checked."""
    stamp = parsed_path(path)
    try:
        if json.loads(stamp.read_text(encoding="utf-8")).get("parser") == PARSER_VERSION:
            return 0
    except (OSError, ValueError, AttributeError):
        pass
    sources = pool[pool["row_id"].isin(twins["source_row_id"])]
    records = sources.to_dict("records")
    replay = _Asker(records, pool, backend, prompt, cache, progress=False, offline=True)
    replay.run(batch_size=1)
    fields = FIELDS[prompt.task]
    stored = {(r["source_row_id"], int(r["attempt"])): tuple(str(r[f]) for f in fields)
              for r in twins.to_dict("records")}
    now = {(records[i]["row_id"], attempt): tuple(str(parsed[f]) for f in fields)
           for i, (parsed, attempt, _) in replay.twins.items()}
    # not checkable: rows outside the pool, or whose stored reply left the cache (a cleared
    # cache). A row the replay takes past its stored attempt to an ask never made reads
    # differently (a reply now refused, a copy of an example: a reviewer found those passed
    # as unchecked, and the file was stamped)
    stored_attempt = twins.groupby("source_row_id")["attempt"].max().astype(int).to_dict()
    checkable = set(sources["row_id"]) - {
        records[i]["row_id"] for i in replay.uncached
        if replay.attempt[i] <= stored_attempt.get(records[i]["row_id"], 0)}
    differ = sum(now.get(key) != value for key, value in stored.items() if key[0] in checkable)
    if differ == 0:
        stamp_parsed(path, len(stored))
    elif progress:
        print(f"[{path.parent.name}] {differ} of {len(stored)} stored twins read differently "
              f"with this version's parser (refusals, copies of an example, label "
              f"sentences...); they and the "
              f"runs trained on them are kept: to use the new reading, delete {path} (rebuilt "
              f"from the cached replies; a row whose reply is now refused is asked again) and "
              f"the runs of generator {path.stem} under "
              f"{cache_dir() / 'runs' / path.parent.name}", file=sys.stderr, flush=True)
    return differ


def twins_in_order(twins: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``twins`` whose ``source_row_id`` is a row of ``rows``, in the order of
    ``rows`` (a row's several twins keep theirs)."""
    order = {row_id: i for i, row_id in enumerate(rows["row_id"].astype(str))}
    wanted = twins[twins["source_row_id"].isin(order)]
    wanted = wanted.iloc[wanted["source_row_id"].map(order).argsort(kind="stable").to_numpy()]
    return wanted.reset_index(drop=True)


def _read_twins(path: Path) -> pd.DataFrame | None:
    """The stored twins (``attempt`` 0 for files written before re-asks existed); None when
    there are none, or when the file cannot be read (damaged outside this project, e.g. by an
    interrupted copy: its twins are rebuilt from the cached replies, nothing sent for them
    again while the cache holds them)."""
    if not path.exists():
        return None
    try:
        have = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        print(f"note: the twins file {path} cannot be read ({type(exc).__name__}): rebuilt "
              "from the cached replies", file=sys.stderr, flush=True)
        return None
    if "attempt" not in have.columns:
        have["attempt"] = 0
    return have


def fault_line(dataset: str, gen_id: str, stats: dict[str, Any], local: bool = False) -> str:
    """One line: what this generation sent, how it went, what was re-asked and is missing.
    A ``local`` generator (:attr:`Backend.local`: rules or a model run here) sends nothing:
    its prompts are said answered here, not "48 requests, 48 sent (retries: none)"."""
    faults = stats.get("faults") or {}
    retried = ", ".join(f"{cause} x{n}" for cause, n in faults.get("retried", {}).items())
    failed = sum(faults.get("failed", {}).values())
    sent = faults.get("sent") or stats.get("calls", 0)
    how = (f"{stats.get('calls', 0)} prompts answered here (a local generator: nothing sent)"
           if local else f"{stats.get('calls', 0)} requests, {sent} sent (retries: "
           f"{retried or 'none'}), {failed} given up")
    return (f"[{dataset}] generation {gen_id}: {how}; {stats.get('reasked', 0)} "
            f"re-asked for unusable replies; {stats.get('generated', 0)} twins, "
            f"{stats.get('missing', 0)} rows without one")


def bill_path(dataset: str, gen_id: str) -> Path:
    """``<synthetic_path>`` with ``.bill.json``: what every request behind its twins cost
    (the rows of every experiment that asked this generator; ``asked_rows`` lists them)."""
    return synthetic_path(dataset, gen_id).with_suffix(".bill.json")


# causes after which a send may have cost tokens though no reply was kept: the server
# generated (a timeout, a body we could not read, an empty completion); a 429, a 5xx or a
# refused connection did not generate
BILLABLE_CAUSES = ("timeout", "bad_json", "empty")


#: the re-asks a bill's replay follows a row's cached replies through: more than any run asks
REPLAY_REASKS = 1_000


def bill(
    rows: pd.DataFrame,
    pool: pd.DataFrame,
    backend: Backend,
    prompt: PromptSpec,
    cache: GenerationCache,
) -> dict[str, Any]:
    """What the requests behind ``rows`` (asked with ``prompt``) cost, re-asks and re-sends
    included.

    Tokens: the usage stored in the cache for each answered request, counted once (rows sharing
    a request share its call), whether it was paid in this run or an earlier one;
    ``missing_usage`` counts cached replies without usage (a backend that reports none, or a
    cache older than usage records); ``server_refused`` the requests kept as an empty reply
    because the server refused them or sent no text (not answered: in ``failed`` by cause);
    ``at_cap`` the replies that ran to ``max_new_tokens`` (cut short there: a reply the parser may read in part, or a loop left uncut). From the send log
    (``SendLog``), across every process: ``sent`` (HTTP requests or Batch entries, retries and
    re-sends included), ``retried`` and ``failed`` by cause, ``resent_after_kill`` (a request
    sent again because the process that sent it died before its reply was kept) and
    ``unkept_sends``: sends that may have cost tokens though no reply was kept (a timeout, an
    unreadable or empty 200, a kill in flight), priced as an estimate (prompt characters / 4 and
    ``max_new_tokens``) in ``unkept_input_tokens``/``unkept_output_tokens``. Dollars are
    computed when shown (``cost.cost``), so a price override needs no rerun.
    """
    from littlehuman.generation.cost import estimate_tokens

    # replayed with no bound on re-asks: each row's chain of cached replies to its end, so a
    # later, lower --reask (or a kill before an earlier run's bill) keeps the re-asks paid for
    # (a reviewer: 121 requests billed where 131 were sent)
    replay = _Asker(rows.to_dict("records"), pool, backend,
                    dataclasses.replace(prompt, reask=REPLAY_REASKS), cache, False, offline=True)
    replay.run(batch_size=1)
    log = read_send_log(cache)
    # only what was sent or answered: a replay at a larger --reask than a row was asked with
    # looks up attempts never made
    asks = {key: messages for key, messages in replay.asked.items()
            if key in log or cache.peek(key) is not None}
    rows_info = {"reasked_rows": sum(attempt > 0 for _, attempt, _ in replay.twins.values()),
                 "missing": len(replay.missing), "copied_examples": replay.copies,
                 "cut_short": replay.cut_short, "unusable_replies": replay.unusable}
    max_new = int(backend.params.get("max_new_tokens", 0) or 0)
    usages = []
    sent = resent = unkept = unkept_in = 0
    retried: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    refused = 0
    for key in sorted(asks):
        record = cache.peek(key)
        events = log.get(key, [])
        # a request the server refused (too long) or answered with no text is cached as an
        # empty reply, to be asked again: no answer, and no reply without token counts (a
        # reviewer: 18 refusals counted as answered)
        if (record is not None and not record.get("reply") and "usage" not in record
                and events and events[-1].startswith("failed:")):
            refused += 1
        elif record is not None:
            usages.append(record.get("usage") or {"prompt_tokens": None, "completion_tokens": None})
        if not events and record is not None:
            sent += 1  # a local backend, or a reply cached before the send log existed
            continue
        lost, is_open = 0, False
        for event in events:
            kind, _, cause = event.partition(":")
            if kind == "retry":
                retried[cause] += 1
                lost += cause in BILLABLE_CAUSES
            elif kind == "sent" and is_open:
                resent += 1
                lost += 1
            elif kind == "failed":
                failed[cause] += 1
                lost += cause in BILLABLE_CAUSES
            if kind in ("sent", "retry"):
                sent += 1
                is_open = True
            elif kind == "failed":
                is_open = False
        if is_open and record is None:
            lost += 1  # in flight when its process died
        if lost:
            unkept += lost
            unkept_in += lost * estimate_tokens(asks[key])
    return {"backend": backend.name, "model": backend.model,
            "batch_pricing": bool(getattr(backend, "batch_pricing", False)),
            "requests": len(asks), "answered": len(usages), "server_refused": refused,
            "input_tokens": sum(int(u.get("prompt_tokens") or 0) for u in usages),
            "output_tokens": sum(int(u.get("completion_tokens") or 0) for u in usages),
            "missing_usage": sum(u.get("prompt_tokens") is None for u in usages),
            "at_cap": sum(max_new > 0 and int(u.get("completion_tokens") or 0) >= max_new
                          for u in usages),
            "sent": sent, "retried": dict(sorted(retried.items())),
            "failed": dict(sorted(failed.items())), "resent_after_kill": resent,
            "unkept_sends": unkept, "unkept_input_tokens": unkept_in,
            "unkept_output_tokens": unkept * max_new,
            "rows": len(rows), **rows_info}


def write_bill(dataset: str, gen_id: str, summary: dict[str, Any]) -> None:
    """Store the bill ``summary`` of a generation atomically at :func:`bill_path`."""
    path = bill_path(dataset, gen_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(summary, indent=1).encode("utf-8")
    atomic_write(path, lambda handle: handle.write(text))


def read_bill(dataset: str, gen_id: str) -> dict[str, Any] | None:
    """The stored bill of one generator's twins, or None before any generation or when the
    file cannot be read (then the next generation writes it anew from the cache)."""
    try:
        bill_data = json.loads(bill_path(dataset, gen_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return bill_data if isinstance(bill_data, dict) else None
