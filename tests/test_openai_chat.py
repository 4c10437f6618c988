"""The openai chat backend through generate_synthetic against a real local HTTP server
(tests/fake_openai.py on 127.0.0.1), plus cost, secrets and streaming into the cache.

Timing checks are lower bounds only (a retry waits at least Retry-After; paced requests start
at least ~0.5 s apart), measured on the server's clock. All rows are invented fixtures.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from fake_openai import FakeOpenAI
from littlehuman.errors import LittleHumanError
from littlehuman.generation import (
    Backend,
    GenerationCache,
    PromptSpec,
    generate_synthetic,
    load_or_generate,
    make_backend,
    request_key,
)
from littlehuman.generation.backends.openai_chat import (COMPLETION_STOPS, HTTP_CLIENT_ENV, OpenAIChatBackend,
                                                          RateLimiter, http_client_kind)
from littlehuman.generation.cost import PRICES, cost, estimate, load_prices, price
from littlehuman.secrets import Secret, scrub

WORKER_PATH = Path(__file__).parent / "helpers" / "openai_worker.py"
_spec = importlib.util.spec_from_file_location("openai_worker", WORKER_PATH)
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
SECRET_BYTES = b"SECRET123"
FV_TRUE = "Given the context, come up with a True claim. Answer in the format below:"


@pytest.fixture(params=["aiohttp", "httpx"])
def http_client(request, monkeypatch):
    """Each HTTP client the backend can send with (``http_client_kind``), as the environment
    picks it: the faults must read the same through both."""
    monkeypatch.setenv(HTTP_CLIENT_ENV, request.param)
    return request.param


def backend(server: FakeOpenAI, **kwargs) -> OpenAIChatBackend:
    settings = {"concurrency": 4, "timeout_s": 10, "backoff_s": 0.05, **kwargs}
    return make_backend("openai", base_url=server.base_url, **settings)


def chats(n: int) -> list[list[dict[str, str]]]:
    return [[{"role": "system", "content": FV_TRUE},
             {"role": "user", "content": f"Context: Invented town number {i} has a mill."}]
            for i in range(n)]


def assert_no_secret(root: Path, *texts: str) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            assert SECRET_BYTES not in path.read_bytes(), f"the key leaked into {path}"
    for text in texts:
        assert "SECRET123" not in text


# ---------------------------------------------------------------- answers, retries, faults

def test_answers_land_and_parse(http_client, fake, tmp_path):
    rows = worker.fixture_rows(12)
    b = backend(fake, seed=3)
    syn, stats = generate_synthetic(rows, rows, b, PromptSpec("fv"),
                                    cache=GenerationCache(tmp_path / "c.jsonl"), progress=False)
    assert stats["calls"] == stats["generated"] == 12 and stats["unparseable"] == 0
    assert stats["label_mismatch"] == 0 and syn["label"].tolist() == rows["label"].tolist()
    assert syn["source_row_id"].tolist() == rows["row_id"].tolist()
    assert all(c.startswith("The text begins with Invented passage") for c in syn["claim"])
    assert len(fake.log) == 12 and all(e["auth_ok"] and e["status"] == 200 for e in fake.log)
    first = fake.log[0]
    assert (first["model"], first["max_tokens"], first["temperature"], first["seed"]) == (
        "gpt-3.5-turbo", 120, 1.0, 3)
    assert b.attempts == 12 and b.failures == 0 and len(b.usage_log) == 12
    spent = b.cost()
    assert spent["calls"] == 12 and spent["missing_usage"] == 0
    assert spent["input_tokens"] == sum(sum(len(m["content"]) for m in e["messages"]) // 4
                                        for e in fake.log)
    assert spent["dollars"] == pytest.approx(
        (spent["input_tokens"] * 0.5 + spent["output_tokens"] * 1.5) / 1e6)


def test_qa_answers_parse(fake):
    rows = pd.DataFrame([{"row_id": f"q{i}", "dataset": "toyqa", "split": "train",
                          "context_id": f"c{i}", "context": f"Invented story {i} about a fox.",
                          "question": f"Invented question {i}?", "answer": f"fox {i}", "meta": ""}
                         for i in range(4)])
    syn, stats = generate_synthetic(rows, rows, backend(fake), PromptSpec("qa"), progress=False)
    assert stats["generated"] == 4 and syn["answer"].str.startswith("Invented story").all()


def test_retry_after_is_honoured(http_client, fake):
    fake.retry_after = 1
    fake.script("429")
    b = backend(fake)
    assert b.complete(chats(1))[0].startswith("Claim:")
    assert [e["status"] for e in fake.log] == [429, 200]
    assert fake.log[1]["t_start"] - fake.log[0]["t_start"] >= 1.0
    assert b.attempts == 2 and b.failures == 0


def test_server_error_then_success(http_client, fake):
    fake.script("500", "500")
    b = backend(fake)
    assert b.complete(chats(1))[0].startswith("Claim:")
    assert [e["status"] for e in fake.log] == [500, 500, 200] and b.attempts == 3


def test_timeout_then_success(http_client, fake):
    fake.slow_s = 3.0
    fake.script("slow")
    b = backend(fake, timeout_s=1.0)  # the retry is answered well within it, even on a busy box
    assert b.complete(chats(1))[0].startswith("Claim:")
    assert len(fake.log) == 2 and b.attempts == 2 and b.failures == 0
    # resent once the first timed out (the server may have logged the first a little late)
    assert fake.log[1]["t_start"] - fake.log[0]["t_start"] >= 0.9


def test_a_reply_that_trickles_in_past_the_timeout_is_timed_out(http_client, fake):
    """--request-timeout is for the whole request: the HTTP clients time out only between
    reads, and a reviewer's server sending a little at a time was waited on 13 s under 2."""
    fake.slow_s = 4.0  # 8 pieces 0.5 s apart: no gap reaches the 1.5 s timeout
    fake.script("trickle")
    b = backend(fake, timeout_s=1.5)
    seen = events_of(b)
    assert b.complete(chats(1))[0].startswith("Claim:")
    assert seen == ["sent", "retry:timeout"] and len(fake.log) == 2


def test_malformed_reply_counts_as_failure(http_client, fake):
    fake.script("nonjson", "empty")
    b = backend(fake, max_retries=1)
    assert b.complete(chats(1)) == [""]
    assert b.failures == 1 and b.attempts == 2 and len(b.usage_log) == 1  # the empty one billed
    rows = worker.fixture_rows(2)
    fake.script("malformed")
    b = backend(fake, max_retries=0, concurrency=1)
    syn, stats = generate_synthetic(rows, rows, b, PromptSpec("fv"), progress=False)
    # the empty reply is asked again with fresh examples (a new request): both rows get twins
    assert stats["reasked"] == 1 and stats["generated"] == 2 and stats["missing"] == 0
    assert b.failures == 1 and len(fake.log) == 2 + 3  # 2 above; 2 rows + 1 re-ask here
    syn, stats = generate_synthetic(rows, rows, backend(fake, max_retries=0),
                                    PromptSpec("fv", reask=0), progress=False)
    assert stats["missing"] == 0  # (no cache here: the row is asked afresh and answered)


@pytest.mark.parametrize("fault", ["malformed", "empty"])
def test_an_empty_completion_is_not_resent_but_asked_again_with_fresh_examples(fake, fault):
    """A 200 without a completion text (no choices, or an empty content: a content filter;
    at temperature 0 the same request gets the same again) is sent once, whatever retries are
    left, and comes back empty at once; the row is asked again with other examples."""
    fake.script(fault)
    b = backend(fake, max_retries=5)
    events: list[tuple[int, str]] = []
    b.on_event = lambda i, event: events.append((i, event))
    assert b.complete(chats(1)) == [""]
    assert b.attempts == 1 and len(fake.log) == 1 and b.failures == 1
    assert events == [(0, "sent"), (0, "failed:empty")]
    rows = worker.fixture_rows(2)
    fake.script(fault)
    generated = backend(fake, max_retries=5, concurrency=1)
    syn, stats = generate_synthetic(rows, rows, generated, PromptSpec("fv"), progress=False)
    assert stats["reasked"] == 1 and stats["generated"] == 2 and stats["missing"] == 0
    assert generated.attempts == 3 and len(fake.log) == 1 + 3  # 2 rows + 1 re-ask, no resend


def test_persistent_errors_end_with_an_error_after_the_others_are_kept(fake, tmp_path):
    fake.script("500")
    rows = worker.fixture_rows(3)
    cache = GenerationCache(tmp_path / "c.jsonl")
    with pytest.raises(LittleHumanError, match="1 of 3 requests still failed after 0 retries"):
        generate_synthetic(rows, rows, backend(fake, max_retries=0, concurrency=1),
                           PromptSpec("fv"), cache=cache, progress=False)
    assert len(cache) == 2  # the answered ones were cached as they arrived
    syn, stats = generate_synthetic(rows, rows, backend(fake), PromptSpec("fv"), cache=cache,
                                    progress=False)
    assert stats["calls"] == 1 and stats["cache_hits"] == 2 and len(syn) == 3


def test_fatal_errors_stop_at_once_and_are_scrubbed(http_client, key_env):
    with FakeOpenAI(api_key="sk-a-different-key") as server:
        b = backend(server)
        with pytest.raises(LittleHumanError, match="check the key in OPENAI_API_KEY") as info:
            b.complete(chats(3))
        assert "SECRET123" not in str(info.value) and "***" in str(info.value)
        assert 1 <= len(server.log) <= 3 and not server.log[0]["auth_ok"]
    with FakeOpenAI() as server:
        with pytest.raises(LittleHumanError, match="base_url ends in /v1"):
            make_backend("openai", base_url=server.base_url[:-3]).complete(chats(1))


# ---------------------------------------------------------------- pacing and concurrency

def test_rate_limiter_spaces_requests(fake):
    b = backend(fake, rpm=120)
    b.complete(chats(4))
    starts = sorted(e["t_start"] for e in fake.log)
    # 0.5 s nominal, as the server saw them (its threads may log one a little late)
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.3
    assert starts[-1] - starts[0] >= 1.2


def test_rate_limiter_books_requests_and_tokens(monkeypatch):
    from types import SimpleNamespace

    from littlehuman.generation.backends import openai_chat

    clock = SimpleNamespace(monotonic=lambda: 100.0)  # all booked at one instant
    monkeypatch.setattr(openai_chat, "time", clock)
    tokens = RateLimiter(tpm=600)  # 10 tokens/s
    waits = [tokens.reserve(5), tokens.reserve(5), tokens.reserve(10), tokens.reserve(1)]
    assert waits == pytest.approx([0.0, 0.5, 1.0, 2.0])
    both = RateLimiter(rpm=60, tpm=6000)  # 1 request/s, 100 tokens/s
    assert [both.reserve(10), both.reserve(10), both.reserve(500)] == pytest.approx(
        [0.0, 1.0, 2.0])
    assert both.reserve(1) == pytest.approx(7.0)  # the 500 tokens took 5 s


def test_concurrency_bound_is_respected(key_env):
    with FakeOpenAI(latency_s=0.2) as server:
        backend(server, concurrency=3).complete(chats(9))
        assert len(server.log) == 9 and 2 <= server.max_in_flight <= 3


def test_a_failing_consumer_stops_the_requests_in_flight(key_env, tmp_path):
    class FullDisk(GenerationCache):
        def put(self, key, record):
            if len(self) == 2:
                raise OSError("disk full")
            super().put(key, record)

    rows = worker.fixture_rows(12)
    with FakeOpenAI(latency_s=0.2) as server:
        with pytest.raises(OSError, match="disk full") as info:  # held: keeps its frames alive
            generate_synthetic(rows, rows, backend(server, concurrency=2), PromptSpec("fv"),
                               cache=FullDisk(tmp_path / "c.jsonl"), progress=False)
        time.sleep(0.5)  # what was on its way at the failure reaches the server's log
        sent = len(server.log)
        time.sleep(0.5)
        assert sent <= 6 and len(server.log) == sent  # stopped: nothing more went out
        assert info.value is not None
    assert not [t for t in threading.enumerate() if t.name == "openai-chat"]


# ---------------------------------------------------------------- cache, resume, kill -9

def test_rerun_of_a_finished_generation_sends_no_request(fake, tmp_path):
    rows = worker.fixture_rows(6)
    path = tmp_path / "c.jsonl"
    first, _ = generate_synthetic(rows, rows, backend(fake), PromptSpec("fv"),
                                  cache=GenerationCache(path), progress=False)
    sent = len(fake.log)
    again, stats = generate_synthetic(rows, rows, backend(fake), PromptSpec("fv"),
                                      cache=GenerationCache(path), progress=False)
    assert sent == 6 and len(fake.log) == sent
    assert stats["calls"] == 0 and stats["cache_hits"] == 6
    pd.testing.assert_frame_equal(first, again)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_kill9_mid_generation_then_rerun_resends_only_unfinished(key_env, tmp_path):
    cache_path, n, concurrency = tmp_path / "gen.jsonl", 16, 2
    with FakeOpenAI(latency_s=0.2) as server:
        out, err = open(tmp_path / "stdout.txt", "w"), open(tmp_path / "stderr.txt", "w")
        with out, err:
            proc = subprocess.Popen(
                [sys.executable, str(WORKER_PATH), str(cache_path), server.base_url, str(n),
                 str(concurrency)], stdout=out, stderr=err, env={**os.environ})
            deadline = time.monotonic() + 90
            try:
                while time.monotonic() < deadline and proc.poll() is None:
                    answered = sum(e.get("status") == 200 and "t_end" in e for e in server.log)
                    if answered >= 7:  # a point unrelated to the client's batches
                        break
                    time.sleep(0.02)
                os.kill(proc.pid, signal.SIGKILL)
            finally:
                proc.kill()
                proc.wait()
        t_kill = time.monotonic()
        assert proc.returncode == -signal.SIGKILL, (tmp_path / "stderr.txt").read_text()
        time.sleep(0.5)  # let requests in flight at the kill reach the log
        before = list(server.log)
        cached = set(GenerationCache(cache_path)._records)
        # answered but not yet cached at the kill: at most the replies waiting for the
        # consumer (a request is sent only while fewer than `concurrency` wait) and the
        # `concurrency` in flight
        unsaved = 2 * concurrency - 1
        assert 7 - unsaved <= len(cached) < n

        syn, stats = worker.run(str(cache_path), server.base_url, n, concurrency)
        after = server.log[len(before):]
        b = worker.make(server.base_url)
    key_of = lambda entry: request_key(b.name, b.model, entry["messages"], b.params)  # noqa: E731
    answered_before = {key_of(e) for e in before if e.get("status") == 200}
    resent = [key_of(e) for e in after]
    assert cached <= answered_before  # every cached reply is one the server answered
    assert not set(resent) & cached  # nothing finished (cached) is sent again
    assert len(resent) == len(set(resent)) == n - len(cached) == stats["calls"]
    assert set(GenerationCache(cache_path)._records) == cached | set(resent)
    # server-side finished before the kill but not yet cached: at most `unsaved`
    finished = {key_of(e) for e in before if e.get("status") == 200 and e["t_end"] < t_kill}
    assert len(finished & set(resent)) <= unsaved
    assert syn["source_row_id"].tolist() == worker.fixture_rows(n)["row_id"].tolist()
    assert stats["generated"] == n
    assert_no_secret(tmp_path)


# ---------------------------------------------------------------- the key

def test_key_never_leaks(http_client, fake, home, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    rows = worker.fixture_rows(5)
    fake.retry_after = 0.05
    fake.script("429", "500", "malformed")
    b = backend(fake)
    syn, stats = load_or_generate(rows, rows, b, PromptSpec("fv"), progress=False)
    assert stats["calls"] == 6 and stats["reasked"] == 1 and len(syn) == 5  # malformed: re-asked
    texts = [repr(b), str(b.identity()), str(vars(b)), PromptSpec("fv").generator_id(b),
             json.dumps(b.params), repr(b._key), caplog.text]
    assert_no_secret(home, *texts)
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(b)
    captured = capfd.readouterr()
    assert_no_secret(home, captured.out, captured.err)


def test_missing_key_fails_before_any_request(fake, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(LittleHumanError, match="set OPENAI_API_KEY"):
        make_backend("openai", base_url=fake.base_url)
    monkeypatch.setenv("MY_KEY", "  ")
    with pytest.raises(LittleHumanError, match="set MY_KEY"):
        OpenAIChatBackend(base_url=fake.base_url, api_key_env="MY_KEY")
    assert fake.log == []


def test_params_and_identity(key_env):
    b = OpenAIChatBackend(temperature=0)
    assert b.identity() == {"backend": "openai", "model": "gpt-3.5-turbo", "params": {
        "temperature": 0.0, "max_new_tokens": 120, "host": "api.openai.com"}}
    local = OpenAIChatBackend(base_url="http://gpu-node:8000/v1", model="llama", seed=1)
    assert local.params == {"temperature": 1.0, "max_new_tokens": 120, "host": "gpu-node:8000",
                            "seed": 1}
    # a reviewer: two servers on one host (:18001 and :18002) shared their cached replies
    from littlehuman.generation.backends.openai_chat import server_identity
    assert len({server_identity(u) for u in ("http://127.0.0.1:18001/v1",
                                             "http://127.0.0.1:18002/v1",
                                             "https://127.0.0.1/other/v1")}) == 3
    assert server_identity("https://api.openai.com/v1") == "api.openai.com"  # ids as before
    assert server_identity("http://gpu-node/v1/") == "gpu-node"


def test_scrub():
    assert scrub("bad key sk-proj-abcdEFGH1234 sent") == "bad key *** sent"
    assert scrub("Authorization: Bearer abc.def") == "Authorization: Bearer ***"
    assert scrub("a plain message") == "a plain message"
    assert repr(Secret("sk-xyz-123456")) == "Secret('***')" and str(Secret("s")) == "Secret('***')"


# ---------------------------------------------------------------- cost

def test_cost_and_batch_discount():
    usage = [{"prompt_tokens": 600_000, "completion_tokens": 100_000},
             {"prompt_tokens": 400_000, "completion_tokens": 900_000}]
    full = cost(usage, "gpt-3.5-turbo")
    assert (full["input_tokens"], full["output_tokens"], full["dollars"]) == (1_000_000, 1_000_000, 2.0)
    assert cost(usage, "gpt-3.5-turbo", batch=True)["dollars"] == 1.0
    assert cost(usage, "gpt-4-turbo")["dollars"] == 40.0
    assert cost(usage, "gpt-4o-mini-2024-07-18")["dollars"] == pytest.approx(0.75)
    assert price("gpt-4o-2024-08-06") == PRICES["gpt-4o"] and price("gpt-4o") == (2.5, 10.0)
    # older snapshots at their own prices, not the undated model's (a reviewer's find)
    assert price("gpt-4o-2024-05-13") == (5.0, 15.0)
    assert price("gpt-3.5-turbo-1106") == (1.0, 2.0) and price("gpt-3.5-turbo-0613") == (1.5, 2.0)
    # the completions model and the 16k one are not the undated chat model either
    assert price("gpt-3.5-turbo-instruct") == (1.5, 2.0) and price("gpt-3.5-turbo-16k-0613") == (3.0, 4.0)
    assert price("gpt-3.5-turbo-0125") == price("gpt-3.5-turbo") == (0.5, 1.5)
    missing = cost(usage + [{"prompt_tokens": None, "completion_tokens": None}], "my-local-llama")
    assert missing["dollars"] is None and missing["missing_usage"] == 1 and missing["calls"] == 3


def test_estimate_and_price_override(tmp_path):
    requests = [[{"role": "system", "content": "x" * 40}, {"role": "user", "content": "y" * 60}]] * 10
    est = estimate(requests, "gpt-4o", max_new_tokens=120)
    assert (est["requests"], est["input_tokens"], est["output_tokens"]) == (10, 250, 1200)
    assert est["dollars"] == pytest.approx((250 * 2.5 + 1200 * 10.0) / 1e6)
    assert "characters / 4" in est["method"]
    assert estimate(requests, "gpt-4o", 120, batch=True)["dollars"] == pytest.approx(est["dollars"] / 2)
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"gpt-4o": [5, 15], "my-model": [1, 1]}))
    prices = load_prices(path)
    assert prices["gpt-4o"] == (5.0, 15.0) and prices["gpt-3.5-turbo"] == PRICES["gpt-3.5-turbo"]
    assert estimate(requests, "my-model", 120, prices=prices)["dollars"] == pytest.approx(1450 / 1e6)
    path.write_text("{not json")
    with pytest.raises(LittleHumanError, match="cannot read prices"):
        load_prices(path)
    # a price that is negative, not a number, NaN or not a pair is an error, not "$-0.00"/"$nan"
    for bad in ('{"gpt-4o": [-1, 2]}', '{"gpt-4o": [NaN, 2]}', '{"gpt-4o": [1, Infinity]}',
                '{"gpt-4o": [1, 2, 3]}', '{"gpt-4o": ["1", "2"]}', '{"gpt-4o": [true, 2]}',
                '{"gpt-4o": 5}', "[" * 100_000 + "]" * 100_000):  # too deep: RecursionError
        path.write_text(bad)
        with pytest.raises(LittleHumanError, match="cannot read prices"):
            load_prices(path)
    path.write_text('\ufeff{"gpt-4o": [5, 15]}', encoding="utf-8")  # a BOM, as own files may have
    assert load_prices(path)["gpt-4o"] == (5.0, 15.0)


# ---------------------------------------------------------------- streaming into the cache

class StreamingBackend(Backend):
    """Yields replies in reverse order; raises after ``fail_after`` replies when set."""

    name, model = "streaming", "test"

    def __init__(self, fail_after: int | None = None) -> None:
        self.params, self.fail_after, self.sent = {}, fail_after, 0

    def complete(self, batch):
        raise AssertionError("generate_synthetic must stream")

    def complete_iter(self, batch):
        for i in reversed(range(len(batch))):
            if self.fail_after is not None and self.sent == self.fail_after:
                raise RuntimeError("connection lost")
            self.sent += 1
            context = batch[i][-1]["content"].removeprefix("Context: ")
            yield i, f"Claim: {context}||\nLabel: {'Untrue' if 'Untrue' in batch[i][0]['content'] else 'True'}"


def test_streaming_backend_caches_each_reply_as_it_arrives(tmp_path):
    rows = worker.fixture_rows(6)
    cache = GenerationCache(tmp_path / "c.jsonl")
    with pytest.raises(RuntimeError, match="connection lost"):
        generate_synthetic(rows, rows, StreamingBackend(fail_after=2), PromptSpec("fv"),
                           cache=cache, batch_size=1, progress=False)
    assert len(GenerationCache(tmp_path / "c.jsonl")) == 2
    again = StreamingBackend()
    syn, stats = generate_synthetic(rows, rows, again, PromptSpec("fv"), cache=cache, batch_size=1,
                                    progress=False)
    assert again.sent == stats["calls"] == 4 and stats["cache_hits"] == 2
    assert syn["source_row_id"].tolist() == rows["row_id"].tolist()
    assert syn["label"].tolist() == rows["label"].tolist()


# ---------------------------------------------------------------- real-output faults

def events_of(b: OpenAIChatBackend) -> list[str]:
    seen: list[str] = []
    b.on_event = lambda i, event: seen.append(event)
    return seen


def test_a_200_cut_short_is_retried_as_bad_json(http_client, fake):
    fake.script("truncated")
    b = backend(fake, concurrency=1)
    seen = events_of(b)
    assert b.complete(chats(1))[0].startswith("Claim:")
    assert seen == ["sent", "retry:bad_json"] and b.failures == 0 and len(fake.log) == 2


def test_a_200_holding_an_error_is_resent_not_kept_as_an_empty_reply(http_client, fake):
    # a reviewer's proxy answered 200 {"error": ...} during an outage: it was kept as an empty
    # reply, so the row spent its re-asks and a rerun never asked the server again
    fake.script("error200")
    b = backend(fake, concurrency=1)
    seen = events_of(b)
    assert b.complete(chats(1))[0].startswith("Claim:")
    assert seen == ["sent", "retry:5xx"] and b.failures == 0 and len(fake.log) == 2


def test_a_server_echoing_the_key_in_a_reply_has_it_kept_nowhere(http_client, fake, tmp_path):
    """A reviewer's server repeated the request's Authorization header inside an ordinary 200
    reply: the key reached the generation cache, the twins, page 01 and its HTML."""
    fake.script("echo_auth", "echo_auth")
    b = backend(fake, concurrency=1)
    replies = b.complete(chats(2))
    assert all(r.startswith("Claim: The server saw Bearer *** and ") for r in replies)
    assert len(fake.log) == 2 and b.failures == 0  # kept, not asked again and paid twice
    rows = worker.fixture_rows(4)
    fake.script(*["echo_auth"] * 4)
    syn, _ = generate_synthetic(rows, rows, b, PromptSpec("fv"),
                                cache=GenerationCache(tmp_path / "c.jsonl"), progress=False)
    assert len(syn) == 4 and all(c.startswith("The server saw Bearer *** and ")
                                 for c in syn["claim"])
    assert_no_secret(tmp_path, syn.to_csv())


def test_a_paid_reply_with_unreadable_token_counts_or_content_parts_is_kept(http_client, fake):
    """A reviewer: ``"prompt_tokens": "ten"`` stopped the generation as a refused request, and
    its rerun paid for the answered replies again; content sent as a list of parts was read as
    an empty reply and asked again."""
    fake.script("bad_usage", "parts")
    b = backend(fake, concurrency=1)
    replies = b.complete(chats(2))
    assert all(r.startswith("Claim:") and "Label:" in r for r in replies)
    assert len(fake.log) == 2 and b.failures == 0
    assert b.usage_log[0] == {"prompt_tokens": None, "completion_tokens": None}
    assert isinstance(b.usage_log[1]["prompt_tokens"], int)
    from littlehuman.generation.backends.openai_chat import token_count

    assert [token_count(v) for v in (12, " 7 ", 3.0, "²", "ten", -1, True, None)] == [
        12, 7, 3, None, None, None, None, None]  # "²" is a digit to isdigit(), not to int()


def test_a_200_whose_json_is_no_completion_is_resent_not_asked_again(http_client, fake):
    """A reviewer: a body of [] or null was read as the model's empty answer, so the row was
    asked again with other examples (paid each time) and the server never named as broken."""
    fake.script("not_a_completion")
    b = backend(fake, concurrency=1)
    seen = events_of(b)
    assert b.complete(chats(1))[0].startswith("Claim:")
    assert seen == ["sent", "retry:bad_json"] and len(fake.log) == 2
    assert fake.log[0]["hash"] == fake.log[1]["hash"]  # the same request, resent


def test_a_full_disk_under_the_send_log_is_the_os_error_not_a_server_refusal(fake):
    """A reviewer's tmpfs filled while the send log was written: the run said the server
    'refused a request (OSError: No space left on device)'."""
    import errno

    b = backend(fake, concurrency=1)

    def full(index, event):
        raise OSError(errno.ENOSPC, "No space left on device")

    b.on_event = full
    with pytest.raises(OSError) as err:
        b.complete(chats(1))
    assert err.value.errno == errno.ENOSPC and not isinstance(err.value, LittleHumanError)


def test_a_reply_the_token_limit_cut_is_marked_truncated(fake):
    fake.script("length")
    b = backend(fake, concurrency=1)
    cut, whole = b.complete(chats(2))
    assert cut.truncated and not whole.truncated and "||" not in cut


def test_random_429s_and_html_pages_are_retried_until_every_reply_lands(http_client, key_env):
    with FakeOpenAI(rate_429=0.2, nonjson_rate=0.1, retry_after=0.01, seed=0) as server:
        # seed 0 draws a 429 and HTML pages within the first 30 sends; max_retries: a
        # streak of faults may fall on the one request still in flight at the end
        b = backend(server, max_retries=12)
        seen = events_of(b)
        replies = b.complete(chats(30))
        assert all(r.startswith("Claim: The text begins with") for r in replies)
        assert seen.count("sent") == 30 and "retry:429" in seen and "retry:bad_json" in seen
        assert b.attempts == len(server.log) == 30 + sum(e.startswith("retry:") for e in seen)
        faults = [e["fault"] for e in server.log]
    with FakeOpenAI(rate_429=0.2, nonjson_rate=0.1, retry_after=0.01, seed=0) as server:
        backend(server, concurrency=1, max_retries=12).complete(chats(30))
        assert [e["fault"] for e in server.log][:10] == faults[:10]  # seeded: reproducible


def test_refusals_are_decided_by_the_request(key_env):
    from fake_openai import REFUSAL

    with FakeOpenAI(refusal_rate=0.5) as server:
        b = backend(server)
        first, again = b.complete(chats(20)), b.complete(chats(20))
        assert first == again and 3 <= first.count(REFUSAL) <= 17
        plain = backend(server, endpoint="completions").complete(chats(20))
        assert 3 <= plain.count(REFUSAL) <= 17
        sent = server.requests("POST", "/v1/completions")
        assert all(e["hash"] == hashlib.sha256(e["prompt"].encode()).hexdigest() for e in sent)


def test_completions_cut_a_base_model_that_runs_on(key_env):
    from fake_openai import protocol_reply

    def rambling(messages):
        return protocol_reply(messages) + "\nUser: Context: Another invented passage.\nAssistant:"

    with FakeOpenAI(reply=rambling) as server:
        reply = backend(server, endpoint="completions").complete(chats(1))[0]
        sent = server.requests("POST", "/v1/completions")
    assert reply == "Claim: The text begins with Invented town number 0.||\nLabel: True"
    # the server is asked to stop where the reply is cut anyway (it had run on to the limit:
    # 60 of 60 Gemma replies through transformers serve, a user's walk)
    assert sent[0]["stop"] == list(COMPLETION_STOPS)


@pytest.mark.parametrize("stop", COMPLETION_STOPS)
def test_a_completion_stopped_by_the_server_keeps_what_the_cut_keeps(stop):
    """A stop sequence lies where :func:`cut_reply` cuts a reply anyway, so a server that
    stops there returns what would be kept of the whole reply: the replies, and the cache
    keys, which do not name the stops, stay as they were."""
    from littlehuman.generation.backends.hf import cut_reply, reply_ends

    replies = ["Claim: The town lies on a river.||\nLabel: True",
               "Question: Which town is older?||\nAnswer: Eastham",
               "Claim: The town lies on a river.",  # stopped before its label line
               "**Claim:** A river town.\nLabel: Untrue\n",
               "Claim: Two lines\nof claim.\n\nLabel: True",  # a blank line inside
               "", "\n", "\n\n  "]  # a stop before the reply began, or after blank lines
    for reply in replies:
        for start in ("", " ", "\n\n", " \n\n "):  # what may open a base model's reply
            whole = start + reply + stop + " Context: more text\nUser: and more\n\nSystem: x"
            stopped = whole[:whole.index(stop)]  # as a server returns it: up to the first stop
            assert reply_ends(whole)
            assert cut_reply(whole) == cut_reply(stopped), (start, reply)
    # a blank line is no stop: a reply opening with one stopped before it began (a review)
    assert "\n\n" not in COMPLETION_STOPS


def test_a_completion_at_the_limit_after_an_unkeyed_line_is_not_cut(key_env):
    """A base model that writes on past its claim line to ``max_new_tokens``: the parser reads
    no further than the first line without a key, so the reply is whole (10 of 60 such
    Gemma replies had been re-asked as cut inside their fields); one cut inside its claim
    is still cut."""
    from types import SimpleNamespace

    def response(text: str) -> SimpleNamespace:
        choice = SimpleNamespace(text=text, finish_reason="length")
        return SimpleNamespace(choices=[choice], usage=None, error=None, model_extra={})

    b = make_backend("openai", endpoint="completions", base_url="http://127.0.0.1:9/v1")
    ran_on = b._reply(response(" Claim: Penn's film career began in 1991.\nHe was nominated "
                               "for an award.\nThe film was first shown in the year and"))
    assert not ran_on.truncated and ran_on.text.startswith("Claim: Penn's film career")
    assert b._reply(response(" Claim: The film was first released in the")).truncated
    # a line without a key that the limit cut (a QA answer written unkeyed) is not whole
    assert b._reply(response(" Question: Who won?\nThe team from the north of the")).truncated
    # nor one whose field wraps onto a second line before the key the limit cut: the parser
    # reads that key (a review: both had become twins with a cut answer, a wrong label)
    assert b._reply(response(" Question: Who founded the town\nby the river?\nAnswer: The "
                             "brothers Jo")).truncated
    assert b._reply(response(" Claim: The film was shot in Canada\nand released in 1991.\n"
                             "Label: Tr")).truncated


def test_credentials_in_the_base_url_are_used_and_never_shown(monkeypatch):
    password = "hunter2-correct-horse"
    basic = "Basic " + base64.b64encode(f"alice:{password}".encode()).decode()
    monkeypatch.setenv("OPENAI_API_KEY", "unused-by-this-server")
    with FakeOpenAI(api_key=basic) as server:  # a proxy that checks the user-info only
        url = server.base_url.replace("http://", f"http://alice:{password}@")
        b = make_backend("openai", base_url=url, concurrency=1)
        assert b.complete(chats(1))[0].startswith("Claim:")
        assert server.log[0]["auth_ok"]
        shown = [repr(b), b.base_url, str(b.params), str(b.identity())]
        assert not [text for text in shown if password in text or "alice" in text]
    with FakeOpenAI() as server:  # a wrong password: the 401 echoes it, scrubbed
        url = server.base_url.replace("http://", f"http://alice:{password}@")
        with pytest.raises(LittleHumanError, match="Basic \\*\\*\\*") as err:
            make_backend("openai", base_url=url, max_retries=0).complete(chats(1))
        assert password not in str(err.value) and basic[6:] not in str(err.value)
        # the credentials a proxy checks are the URL's: the hint says so, without showing them
        assert "the user:password in --base-url" in str(err.value)
    with FakeOpenAI() as server:  # no user-info: the hint names the key's variable only
        with pytest.raises(LittleHumanError, match="check the key in OPENAI_API_KEY\\)?$"):
            make_backend("openai", base_url=server.base_url, max_retries=0).complete(chats(1))


def test_the_http_client_is_aiohttp_where_it_can_be(monkeypatch):
    """aiohttp took 14-21% less client CPU a request (bench/generation.py); a URL's user-info
    keeps httpx, which sends it as Basic auth (aiohttp refuses it beside a header)."""
    monkeypatch.delenv(HTTP_CLIENT_ENV, raising=False)
    assert http_client_kind("http://127.0.0.1:8000/v1") == "aiohttp"
    assert http_client_kind("http://alice:pw@127.0.0.1:8000/v1") == "httpx"
    assert http_client_kind("http://127.0.0.1:8000/v1", "httpx") == "httpx"
    monkeypatch.setenv(HTTP_CLIENT_ENV, "httpx")
    assert http_client_kind("http://127.0.0.1:8000/v1") == "httpx"
    monkeypatch.setenv(HTTP_CLIENT_ENV, "curl")
    with pytest.raises(LittleHumanError, match="LITTLEHUMAN_OPENAI_HTTP='curl': choose aiohttp"):
        http_client_kind("http://127.0.0.1:8000/v1")


def test_a_reply_aiohttp_cannot_read_is_resent_through_httpx(fake, caplog):
    """aiohttp's strict parser refuses replies httpx reads (a reviewer's own server: a 9 KB
    header, bare line feeds, a folded header, Content-Length twice): the batch stopped as if
    the server had refused the request. Now the backend sends through httpx from then on."""
    caplog.set_level(logging.WARNING)
    fake.script("lax", "ok", "lax")
    b = backend(fake, http_client="aiohttp", concurrency=1)
    seen = events_of(b)
    assert all(r.startswith("Claim:") for r in b.complete(chats(3)))
    assert b.http_client == "httpx" and b.failures == 0
    assert sorted(seen) == ["retry:connection", "sent", "sent", "sent"]  # one resend
    assert [e["fault"] for e in fake.log] == ["lax", "ok", "lax", "ok"]  # the 2nd lax read by httpx
    said = [r.getMessage() for r in caplog.records if "could not read" in r.getMessage()]
    assert len(said) == 1 and "sending through httpx from now on" in said[0]


def test_a_server_that_is_not_there_is_a_connection_error_through_either_client(key_env):
    """The SDK's aiohttp transport maps a refused connection to a connect *timeout*: the
    advice had said to raise --request-timeout for a server that was not running."""
    import socket

    with socket.socket() as sock:  # a free port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    for kind in ("aiohttp", "httpx"):
        b = make_backend("openai", base_url=url, http_client=kind, max_retries=1, backoff_s=0.01)
        with pytest.raises(LittleHumanError) as err:
            b.complete(chats(1))
        assert "(connection;" in str(err.value) and "is running and reachable" in str(err.value)
        assert "--request-timeout" not in str(err.value), kind


def test_a_proxy_variable_the_http_client_cannot_read_is_one_line(fake, monkeypatch, http_client):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy-user:proxy-pw@127.0.0.1:notaport")
    monkeypatch.setenv("NO_PROXY", "")
    with pytest.raises(LittleHumanError, match="check the proxy variables") as err:
        backend(fake).complete(chats(1))
    assert "proxy-pw" not in str(err.value) and not fake.log


def test_an_https_url_for_a_plain_http_server_says_use_http_at_once(fake):
    """TLS against a plain-HTTP server (`transformers serve` given https://) was retried for
    94 s, then said to check that the server was running (a reviewer, by hand)."""
    url = fake.base_url.replace("http://", "https://")
    for kind in ("aiohttp", "httpx"):
        b = make_backend("openai", base_url=url, http_client=kind, max_retries=3, backoff_s=5.0)
        started = time.monotonic()
        with pytest.raises(LittleHumanError) as err:
            b.complete(chats(1))
        assert "use http:// in --base-url" in str(err.value), (kind, str(err.value))
        assert "still failed after" not in str(err.value) and "\n" not in str(err.value)
        assert time.monotonic() - started < 4.0, kind  # no retry: its backoff is 5 s


def test_a_model_the_server_does_not_serve_points_at_gen_model(key_env):
    """`transformers serve` pinned to one model answers 400 "Server is pinned to ...; requested
    ..." for another name: the advice had been "fix the request or the server settings"."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Pinned(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps({"detail": "Server is pinned to '/models/gemma3-270m'; requested "
                                         "'gemma-3-270m'"}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pinned)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        for kind in ("aiohttp", "httpx"):
            b = make_backend("openai", base_url=url, model="gemma-3-270m", http_client=kind,
                             max_retries=1, backoff_s=0.01)
            with pytest.raises(LittleHumanError) as err:
                b.complete(chats(1))
            said = str(err.value)
            assert "pinned to" in said and "give --gen-model the name it serves" in said, said
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_answered_then_went_away_is_waited_for(fake, http_client, monkeypatch):
    """An outage or a restart of a server that has answered: each request retries for up to
    OUTAGE_S, not 6 attempts (a reviewer's `transformers serve` restart took 31-40 s and two
    requests had spent their retries: the run failed); past it, the line says so."""
    from littlehuman.generation.backends import openai_chat

    b = backend(fake, max_retries=1, backoff_s=0.05)
    assert len(b.complete(chats(1))) == 1  # the server has answered
    port = int(fake.base_url.rsplit(":", 1)[1].split("/")[0])
    fake.stop()
    threading.Timer(1.5, fake.start, kwargs={"port": port}).start()
    replies = b.complete(chats(4))  # every request fails at first, then is answered
    assert len(replies) == 4 and all(r for r in replies)
    assert b.attempts > 1 + 4 * 2  # more than max_retries + 1 sends each, in all
    fake.stop()  # for good: past the outage's limit, the run stops and says why
    monkeypatch.setattr(openai_chat, "OUTAGE_S", 0.5)
    with pytest.raises(LittleHumanError) as err:
        b.complete(chats(2))
    assert ("2 of 2 requests still failed after 0.5 s of retries (the server had answered "
            "before) (connection;") in str(err.value)
