"""The openai-batch backend against the fake OpenAI server's Batch API (tests/fake_openai.py on
127.0.0.1): joining by custom_id, file splitting, resubmission, the persisted state and
resuming after kill -9, and the key. All chats are invented fixtures; polls every 0.05 s.
"""
from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from fake_openai import REFUSAL, FakeOpenAI, protocol_reply
from littlehuman.errors import LittleHumanError
from littlehuman.generation import GenerationCache, PromptSpec, generate_synthetic, request_key
from littlehuman.generation.backends.base import Completion
from littlehuman.generation.backends.openai_batch import OpenAIBatchBackend, _Run
from littlehuman.generation.generate import read_send_log, unsent_requests

WORKER_PATH = Path(__file__).parent / "helpers" / "batch_worker.py"
_spec = importlib.util.spec_from_file_location("batch_worker", WORKER_PATH)
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
chats = worker.chats
_chat_spec = importlib.util.spec_from_file_location(
    "openai_worker", Path(__file__).parent / "helpers" / "openai_worker.py")
chat_worker = importlib.util.module_from_spec(_chat_spec)
_chat_spec.loader.exec_module(chat_worker)
SECRET_BYTES = b"SECRET123"


def backend(server: FakeOpenAI, tmp_path: Path, **kwargs) -> OpenAIBatchBackend:
    return worker.make(server.base_url, str(tmp_path / "batches"), **kwargs)


def ids_for(n: int) -> list[str]:
    return [f"{i:02d}-" + "ab" * 20 for i in range(n)]


def uploaded(server: FakeOpenAI) -> list[list[dict]]:
    """The input files uploaded, each as its parsed lines."""
    return [[json.loads(line) for line in f["content"].splitlines()]
            for f in server.files.values() if f["file"]["purpose"] == "batch"]


def count(server: FakeOpenAI, method: str, path: str) -> int:
    return len(server.requests(method, path))


def assert_no_secret(*roots: Path) -> None:
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                assert SECRET_BYTES not in path.read_bytes(), f"the key leaked into {path}"


def wait_for(condition, what: str, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


# ---------------------------------------------------------------- answers

def test_results_are_joined_by_custom_id_not_by_order(fake, tmp_path):
    batch, ids = chats(6), ids_for(6)
    b = backend(fake, tmp_path, seed=7)
    got = dict(b.complete_iter(batch, ids=ids))
    assert sorted(got) == list(range(6))
    assert [got[i].text for i in range(6)] == [protocol_reply(m) for m in batch]
    assert all(got[i].prompt_tokens == sum(len(m["content"]) for m in batch[i]) // 4
               and got[i].completion_tokens == len(got[i].text) // 4 for i in range(6))
    (sent,) = uploaded(fake)
    assert [line["custom_id"] for line in sent] == ids
    assert sent[0]["url"] == "/v1/chat/completions" and sent[0]["method"] == "POST"
    assert {k: sent[0]["body"][k] for k in ("model", "temperature", "max_tokens", "seed")} == {
        "model": "gpt-3.5-turbo", "temperature": 1.0, "max_tokens": 120, "seed": 7}
    (state,) = fake.batches.values()
    output = fake.files[state["batch"]["output_file_id"]]["content"].splitlines()
    assert [json.loads(line)["custom_id"] for line in output] != ids  # the server shuffled
    assert count(fake, "POST", "/v1/files") == 1 and count(fake, "POST", "/v1/batches") == 1
    assert b.uploads == b.batches_created == 1 and b.failures == 0
    spent = b.cost()
    assert spent["batch"] and spent["calls"] == 6 and spent["missing_usage"] == 0
    assert spent["dollars"] == pytest.approx(
        (spent["input_tokens"] * 0.5 + spent["output_tokens"] * 1.5) / 1e6 / 2)
    assert list((tmp_path / "batches").glob("*.json")) == []  # done: the state is gone
    assert b.complete([]) == []


def test_default_ids_are_request_keys_and_duplicates_are_sent_once(fake, tmp_path):
    batch = chats(3)
    b = backend(fake, tmp_path)
    replies = b.complete(batch + [batch[1]])
    assert [r.text for r in replies] == [protocol_reply(m) for m in batch + [batch[1]]]
    (sent,) = uploaded(fake)
    assert [line["custom_id"] for line in sent] == [
        request_key("openai-batch", b.model, m, b.params) for m in batch]
    with pytest.raises(LittleHumanError, match="one non-empty id per request"):
        list(b.complete_iter(batch, ids=["a", "b"]))


def test_params_and_identity(key_env, tmp_path):
    b = OpenAIBatchBackend(temperature=0, state_dir=tmp_path)
    assert b.identity() == {"backend": "openai-batch", "model": "gpt-3.5-turbo", "params": {
        "temperature": 0.0, "max_new_tokens": 120, "host": "api.openai.com"}}
    assert b.batch_pricing and b.name == "openai-batch"
    local = OpenAIBatchBackend(base_url="http://gpu-node:8000/v1", seed=1, poll_s=5)
    assert local.params == {"temperature": 1.0, "max_new_tokens": 120, "host": "gpu-node:8000",
                            "seed": 1}
    assert local.state_dir.parts[-2:] == ("data", "batches")


def test_through_generate_synthetic_with_the_cache(fake, tmp_path):
    rows = chat_worker.fixture_rows(8)
    cache_path = tmp_path / "gen.jsonl"
    fake.script_batches("request_error", "request_error")  # 4 fail, then 2 of those again
    with pytest.raises(LittleHumanError, match="2 of 8 requests still failed"):
        generate_synthetic(rows, rows, backend(fake, tmp_path), PromptSpec("fv"),
                           cache=GenerationCache(cache_path), progress=False)
    cache = GenerationCache(cache_path)
    assert len(cache) == 6 and all(r["usage"]["prompt_tokens"] for r in cache._records.values())
    kept = set(cache._records)
    b = backend(fake, tmp_path)
    syn, stats = generate_synthetic(rows, rows, b, PromptSpec("fv"), cache=cache, progress=False)
    assert stats["calls"] == 2 and stats["cache_hits"] == 6 and stats["generated"] == 8
    resent = {x["custom_id"] for x in uploaded(fake)[-1]}
    assert len(resent) == 2 and not resent & kept  # only the two missing went out
    assert syn["source_row_id"].tolist() == rows["row_id"].tolist()
    assert syn["label"].tolist() == rows["label"].tolist()
    sent = len(fake.log)
    again, stats = generate_synthetic(rows, rows, b, PromptSpec("fv"), cache=cache, progress=False)
    assert stats["calls"] == 0 and len(fake.log) == sent
    assert_no_secret(tmp_path)


# ---------------------------------------------------------------- splitting

def test_files_split_by_request_count(fake, tmp_path):
    b = backend(fake, tmp_path, max_requests_per_file=3)
    replies = b.complete(chats(7))
    assert [r.text for r in replies] == [protocol_reply(m) for m in chats(7)]
    assert [len(lines) for lines in uploaded(fake)] == [3, 3, 1]
    assert len(fake.batches) == 3 and count(fake, "POST", "/v1/batches") == 3


def test_files_split_by_bytes(fake, tmp_path):
    probe = backend(fake, tmp_path)
    sizes = [len(probe.line(cid, m)) for cid, m in zip(ids_for(5), chats(5))]
    limit = sizes[0] + sizes[1] + 1  # two lines fit, three do not
    b = backend(fake, tmp_path, max_bytes_per_file=limit)
    got = dict(b.complete_iter(chats(5), ids=ids_for(5)))
    assert len(got) == 5
    files = [f for f in fake.files.values() if f["file"]["purpose"] == "batch"]
    assert [len(f["content"].splitlines()) for f in files] == [2, 2, 1]
    assert all(len(f["content"]) <= limit for f in files)
    tiny = backend(fake, tmp_path / "t", max_bytes_per_file=sizes[0] - 1)
    with pytest.raises(LittleHumanError, match="over the .*-byte file limit"):
        tiny.complete(chats(1))
    assert len(files) == count(fake, "POST", "/v1/files")  # nothing more was uploaded


# ---------------------------------------------------------------- resubmission

def test_expired_batch_resubmits_the_missing_requests_once(fake, tmp_path):
    fake.script_batches("expire")
    b = backend(fake, tmp_path)
    events: list[tuple[int, str]] = []
    b.on_event = lambda i, event: events.append((i, event))
    got = dict(b.complete_iter(chats(4), ids=ids_for(4)))
    assert events == [(i, "sent") for i in range(4)] + [(2, "retry:expired"), (3, "retry:expired")]
    assert [got[i].text for i in range(4)] == [protocol_reply(m) for m in chats(4)]
    first, second = uploaded(fake)
    assert [x["custom_id"] for x in second] == ids_for(4)[2:]  # only the missing half
    assert [s["batch"]["status"] for s in fake.batches.values()] == ["expired", "completed"]
    assert b.failures == 0 and len(b.usage_log) == 4


def test_failed_batch_is_resubmitted_once_then_given_up(fake, tmp_path):
    fake.script_batches("fail", "fail")
    b = backend(fake, tmp_path)
    events: list[tuple[int, str]] = []
    b.on_event = lambda i, event: events.append((i, event))
    with pytest.raises(LittleHumanError, match="3 of 3 requests still failed after one "
                       "resubmission .*batch failed: the input file failed validation"):
        list(b.complete_iter(chats(3)))
    assert len(fake.batches) == 2 and b.failures == 3
    assert events[3:] == [(i, "retry:failed") for i in range(3)] + [
        (i, "failed:failed") for i in range(3)]


def test_request_errors_are_resubmitted_once_then_counted(fake, tmp_path):
    fake.script_batches("request_error", "request_error")
    cache = GenerationCache(tmp_path / "gen.jsonl")
    batch, ids = chats(5), ids_for(5)
    b = backend(fake, tmp_path)
    events: list[tuple[int, str]] = []
    b.on_event = lambda i, event: events.append((i, event))
    got = {}
    with pytest.raises(LittleHumanError, match="2 of 5 requests still failed after one "
                       r"resubmission \(last: HTTP 500: The server had an error\)"):
        for i, reply in b.complete_iter(batch, ids=ids):
            got[i] = reply
            cache.put(ids[i], {"reply": reply.text})
    # positions 0, 2, 4 failed the first time; of the three resent, positions 0 and 2 again
    assert sorted(got) == [1, 2, 3] and b.failures == 2
    assert events[5:] == [(0, "retry:request_error"), (2, "retry:request_error"),
                          (4, "retry:request_error"), (0, "failed:request_error"),
                          (4, "failed:request_error")]
    assert [[x["custom_id"] for x in f] for f in uploaded(fake)][1] == [ids[0], ids[2], ids[4]]
    assert list((tmp_path / "batches").glob("*.json")) == []
    # the rerun sends only the two still missing, afresh
    todo = [i for i in range(5) if ids[i] not in cache]
    again = backend(fake, tmp_path)
    rest = dict(again.complete_iter([batch[i] for i in todo], ids=[ids[i] for i in todo]))
    assert todo == [0, 4] and len(rest) == 2 and uploaded(fake)[-1][0]["custom_id"] == ids[0]


def test_a_malformed_batch_is_resubmitted_and_reports_its_events(fake, tmp_path):
    fake.script_batches("malformed")  # positions 0 and 2 answer 200 without choices
    batch, ids = chats(3), ids_for(3)
    b = backend(fake, tmp_path)
    events: list[tuple[int, str]] = []
    b.on_event = lambda i, event: events.append((i, event))
    got = dict(b.complete_iter(batch, ids=ids))
    assert [got[i].text for i in range(3)] == [protocol_reply(m) for m in batch]
    first, second = uploaded(fake)
    assert [x["custom_id"] for x in second] == [ids[0], ids[2]]
    assert len(fake.batches) == 2 and b.failures == 0
    assert len(b.usage_log) == 5  # the two replies without text were billed too
    assert events == [(0, "sent"), (1, "sent"), (2, "sent"),
                      (0, "retry:empty"), (2, "retry:empty")]


def test_replies_without_text_twice_are_yielded_empty_and_given_up(fake, tmp_path):
    fake.script_batches("malformed", "malformed")  # the resent position 0 is malformed again
    batch, ids = chats(3), ids_for(3)
    b = backend(fake, tmp_path)
    events: list[tuple[int, str]] = []
    b.on_event = lambda i, event: events.append((i, event))
    got = dict(b.complete_iter(batch, ids=ids))
    assert got[0] == Completion("") and got[0].prompt_tokens is None
    assert [got[i].text for i in (1, 2)] == [protocol_reply(batch[i]) for i in (1, 2)]
    assert len(fake.batches) == 2 and b.failures == 1
    assert events[3:] == [(0, "retry:empty"), (2, "retry:empty"), (0, "failed:empty")]
    assert list((tmp_path / "batches").glob("*.json")) == []


def test_an_empty_reply_is_not_cached_as_an_answer(fake, tmp_path):
    rows = chat_worker.fixture_rows(4)
    fake.script_batches("malformed")
    cache = GenerationCache(tmp_path / "gen.jsonl")
    syn, stats = generate_synthetic(rows, rows, backend(fake, tmp_path), PromptSpec("fv"),
                                    cache=cache, progress=False)
    assert stats["generated"] == 4 and stats["reasked"] == 0 and stats["calls"] == 4
    assert all(r["reply"] for r in cache._records.values()) and len(cache) == 4
    assert len(fake.batches) == 2


def test_batch_replies_are_read_as_the_chat_backend_reads_them(fake, tmp_path):
    """A reviewer: the chat backend's reply fixes had missed the Batch API's: a key echoed in
    an output line was kept, a usage count that is no number raised a bare ValueError on
    every rerun (the paid batch could never be read), content parts read as empty."""
    from fake_openai import KEY

    from littlehuman.generation.backends.openai_batch import _has_text

    b = backend(fake, tmp_path)
    echoed = b.completion({"choices": [{"message": {"content": f"Claim: Bearer {KEY} saw it.||"
                                                               "\nLabel: True"}}],
                           "usage": {"prompt_tokens": "ten", "completion_tokens": [3]}})
    assert KEY not in echoed and echoed.startswith("Claim: Bearer *** saw it.")
    assert b.usage_log[-1] == {"prompt_tokens": None, "completion_tokens": None}
    body = {"choices": [{"message": {"content": [{"type": "text", "text": "Claim: a.||"},
                                                 {"type": "reasoning", "text": "hm"},
                                                 {"type": "text", "text": "\nLabel: True"}]}}]}
    assert _has_text(body) and b.completion(body) == "Claim: a.||\nLabel: True"


def test_refusals_are_answers_sent_once_and_the_generation_layer_asks_again(key_env, tmp_path):
    rows = chat_worker.fixture_rows(8)
    with FakeOpenAI(refusal_rate=0.5) as server:
        cache = GenerationCache(tmp_path / "gen.jsonl")
        syn, stats = generate_synthetic(rows, rows, backend(server, tmp_path), PromptSpec("fv"),
                                        cache=cache, progress=False)
        files = uploaded(server)
    replies = [r["reply"] for r in cache._records.values()]
    assert REFUSAL in replies and all(r == REFUSAL or r.startswith("Claim:") for r in replies)
    sent = [line["custom_id"] for lines in files for line in lines]
    assert len(sent) == len(set(sent)) == stats["calls"] == 8 + stats["reasked"]
    assert len(files[0]) == 8 and stats["reasked"] == sum(map(len, files[1:])) > 0  # new keys
    assert read_send_log(cache) == {key: ["sent"] for key in sent}
    assert stats["generated"] + stats["missing"] == 8 and len(syn) == stats["generated"]


def test_a_request_too_long_for_the_context_is_not_resent_but_asked_again(key_env, tmp_path):
    """A request in the error file as 400 context_length_exceeded is not resubmitted
    identically (it would fail again, and the run used to end asking for a rerun that fails
    the same way): it is yielded empty at once, and the row is asked again with other
    examples; the long row itself, never fitting, is left for a spare."""
    rows = chat_worker.fixture_rows(12)
    rows.loc[5, "context"] = "An invented passage that goes on and on. " * 100  # ~4,100 chars
    with FakeOpenAI(context_tokens=900) as server:
        cache = GenerationCache(tmp_path / "gen.jsonl")
        syn, stats = generate_synthetic(rows, rows, backend(server, tmp_path), PromptSpec("fv"),
                                        cache=cache, progress=False)
        files = uploaded(server)
    sent = [line["custom_id"] for lines in files for line in lines]
    assert len(sent) == len(set(sent))  # nothing sent twice
    assert "toy005" not in set(syn["source_row_id"]) and stats["generated"] == 11
    assert stats["faults"]["failed"]["too_long"] >= 3  # row 5's three asks at least
    assert stats["missing"] == 1


# ---------------------------------------------------------------- state and resuming

def test_state_is_saved_as_soon_as_the_batch_exists(key_env, tmp_path):
    with FakeOpenAI(batch_polls_to_complete=10**6) as server:
        b = backend(server, tmp_path)
        result: dict = {}
        thread = threading.Thread(target=lambda: result.update(
            replies=b.complete(chats(3))), daemon=True)
        thread.start()
        # the first poll comes after the create's answer was saved
        wait_for(lambda: count(server, "GET", f"/v1/batches/{next(iter(server.batches), '')}"),
                 "the first poll")
        (path,) = (tmp_path / "batches").glob("*.json")
        state = json.loads(path.read_text())
        (batch_id,) = server.batches
        (file_id,) = [f for f, v in server.files.items() if v["file"]["purpose"] == "batch"]
        assert [(j["file_id"], j["batch_id"]) for j in state["jobs"]] == [(file_id, batch_id)]
        assert len(state["jobs"][0]["ids"]) == 3 and state["identity"] == b.identity()
        assert_no_secret(tmp_path)
        server.batch_polls_to_complete = 1
        thread.join(30)
    assert len(result["replies"]) == 3 and not path.exists()


def test_a_killed_run_between_upload_and_create_resumes_without_uploading(fake, tmp_path):
    fake.script("ok", "500")  # the upload passes, the create fails (max_retries=0)
    with pytest.raises(LittleHumanError, match="HTTP 500|500.*a rerun resumes them"):
        backend(fake, tmp_path).complete(chats(2))
    assert count(fake, "POST", "/v1/files") == 1 and not fake.batches
    (state,) = [json.loads(p.read_text()) for p in (tmp_path / "batches").glob("*.json")]
    assert [j["status"] for j in state["jobs"]] == ["creating"]
    b = backend(fake, tmp_path)
    assert len(b.complete(chats(2))) == 2
    assert count(fake, "POST", "/v1/files") == 1 and len(fake.batches) == 1
    assert b.uploads == 0 and b.batches_created == 1
    assert count(fake, "GET", "/v1/batches") == 1  # it looked for the batch before creating


def test_a_rerun_for_the_unanswered_subset_resumes_the_same_batches(fake, tmp_path):
    fake.batch_polls_to_complete = 1
    batch, ids = chats(6), ids_for(6)
    stream = backend(fake, tmp_path, max_requests_per_file=2).complete_iter(batch, ids=ids)
    kept = dict(next(stream) for _ in range(3))  # the caller kept three, then stopped
    stream.close()
    assert len(list((tmp_path / "batches").glob("*.json"))) == 1
    sent = (count(fake, "POST", "/v1/files"), count(fake, "POST", "/v1/batches"))
    todo = [i for i in range(6) if i not in kept]
    b = backend(fake, tmp_path, max_requests_per_file=2)
    rest = dict(b.complete_iter([batch[i] for i in todo], ids=[ids[i] for i in todo]))
    assert (count(fake, "POST", "/v1/files"), count(fake, "POST", "/v1/batches")) == sent
    assert sorted(todo[j] for j in rest) == todo
    assert all(rest[j].text == protocol_reply(batch[todo[j]]) for j in rest)
    assert list((tmp_path / "batches").glob("*.json")) == []


def test_a_rerun_asking_for_more_merges_the_unfinished_state(fake, tmp_path):
    fake.batch_polls_to_complete = 1
    batch, ids = chats(6), ids_for(6)
    stream = backend(fake, tmp_path, max_requests_per_file=2).complete_iter(batch[:4], ids[:4])
    kept = dict([next(stream)])
    stream.close()
    (first_path,) = (tmp_path / "batches").glob("*.json")
    sent = count(fake, "POST", "/v1/batches")
    todo = [i for i in range(6) if i not in kept]  # the three left, and two new requests
    b = backend(fake, tmp_path, max_requests_per_file=2)
    rest = dict(b.complete_iter([batch[i] for i in todo], ids=[ids[i] for i in todo]))
    assert sorted(todo[j] for j in rest) == todo and b.uploads == b.batches_created == 1
    assert count(fake, "POST", "/v1/batches") == sent + 1
    assert [x["custom_id"] for x in uploaded(fake)[-1]] == ids[4:]  # only the new ones
    assert not first_path.exists() and list((tmp_path / "batches").glob("*.json")) == []


def kill_worker_when(server: FakeOpenAI, state_dir, n: int, tmp_path, ready, what: str) -> None:
    """Start the batch worker on ``n`` chats, SIGKILL it once ``ready()`` holds (or it
    exited), and check it died of that signal (its stderr otherwise)."""
    out, err = open(tmp_path / "stdout.txt", "w"), open(tmp_path / "stderr.txt", "w")
    with out, err:
        proc = subprocess.Popen(
            [sys.executable, str(WORKER_PATH), str(state_dir), server.base_url, str(n)],
            stdout=out, stderr=err, env={**os.environ})
        try:
            wait_for(lambda: proc.poll() is not None or ready(), what)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "stderr.txt").read_text()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_kill9_between_submit_and_download_then_rerun_polls_the_same_batch(key_env, tmp_path):
    state_dir, n = tmp_path / "batches", 6
    with FakeOpenAI(batch_polls_to_complete=10**6) as server:
        kill_worker_when(server, state_dir, n, tmp_path, lambda: any(
            e["method"] == "GET" and e["path"].startswith("/v1/batches/")
            for e in server.log), "the worker's first poll")
        uploads, creates = count(server, "POST", "/v1/files"), count(server, "POST", "/v1/batches")
        assert uploads == creates == 1 and len(list(state_dir.glob("*.json"))) == 1
        assert_no_secret(tmp_path)
        # a dry run meanwhile counts the submitted requests as paid for, not as to send
        b = worker.make(server.base_url, str(state_dir))
        keys = {request_key(b.name, b.model, m, b.params) for m in chats(n)}
        assert b.submitted_ids() == keys
        unsent = unsent_requests(b, chats(n + 2), GenerationCache(tmp_path / "none.jsonl"))
        assert (unsent["distinct"], unsent["cached"], unsent["submitted"]) == (n + 2, 0, n)
        assert unsent["to_send"] == chats(n + 2)[n:]

        server.batch_polls_to_complete = 1
        got = worker.run(str(state_dir), server.base_url, n)
        assert count(server, "POST", "/v1/files") == uploads  # zero new uploads
        assert count(server, "POST", "/v1/batches") == creates  # zero new batches
    assert [got[i].text for i in range(n)] == [protocol_reply(m) for m in chats(n)]
    assert list(state_dir.glob("*.json")) == [] and b.submitted_ids() == set()


def test_a_batch_last_seen_failed_counts_as_to_send_again(key_env, tmp_path):
    """submitted_ids reads the saved states: created and uncollected batches count, a batch
    last seen failed (its requests are resubmitted) or never created does not."""
    b = OpenAIBatchBackend(state_dir=tmp_path)
    jobs = [{"ids": ["a", "b"], "batch_id": "batch_1", "status": "in_progress",
             "collected": False},
            {"ids": ["c"], "batch_id": "batch_2", "status": "failed", "collected": False},
            {"ids": ["d"], "batch_id": None, "status": "uploaded", "collected": False},
            {"ids": ["e"], "batch_id": "batch_3", "status": "completed", "collected": True}]
    (tmp_path / "x-y.json").write_text(json.dumps(
        {"version": 1, "custom_ids": list("abcde"), "jobs": jobs}))
    assert b.submitted_ids() == {"a", "b"}
    assert OpenAIBatchBackend(state_dir=tmp_path / "absent").submitted_ids() == set()
    assert_no_secret(tmp_path)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_kill9_during_the_batch_create_then_rerun_adopts_that_batch(key_env, tmp_path):
    state_dir, n = tmp_path / "batches", 4
    # the batch exists at once, its create reply would come 30 s later
    with FakeOpenAI(batch_polls_to_complete=1, create_batch_delay_s=30) as server:
        kill_worker_when(server, state_dir, n, tmp_path, lambda: bool(server.batches),
                         "the worker's batch create")
        (path,) = state_dir.glob("*.json")
        (job,) = json.loads(path.read_text())["jobs"]
        (ours,) = server.batches
        assert job["status"] == "creating" and job["batch_id"] is None
        assert server.batches[ours]["batch"]["input_file_id"] == job["file_id"]
        # 120 newer batches of other files: finding ours takes a second page of the list
        for i in range(120):
            other = server.add_file(b'{"custom_id": "x"}\n', f"other{i}.jsonl", "batch")
            server.create_batch(other["id"], "/v1/chat/completions", "24h")

        server.create_batch_delay_s = 0
        b = worker.make(server.base_url, str(state_dir))
        events: list[tuple[int, str]] = []
        b.on_event = lambda i, event: events.append((i, event))
        got = dict(b.complete_iter(chats(n)))
        assert count(server, "POST", "/v1/batches") == 1  # one batch created in all
        assert count(server, "POST", "/v1/files") == 1 and b.batches_created == 0
        assert len(server.requests("GET", "/v1/batches")) == 2  # paged to find it
        assert server.batches[ours]["polls"] >= 1
    assert [got[i].text for i in range(n)] == [protocol_reply(m) for m in chats(n)]
    assert events == [(i, "sent") for i in range(n)]  # the killed run never reported them
    assert list(state_dir.glob("*.json")) == []
    assert_no_secret(tmp_path)


def test_the_batch_lookup_stops_at_batches_older_than_the_file(key_env, tmp_path):
    listed = [SimpleNamespace(id=f"batch_{n}", input_file_id=f, created_at=t) for n, f, t in (
        (4, "file-2", 10_100), (3, "file-1", 10_050), (2, "file-0", 9_000),
        (1, "file-x", 1_000), (0, "file-1", 500))]  # newest first, as the API lists them
    seen: list[str] = []

    def pages(limit: int):
        assert 1 <= limit <= 100
        for batch in listed:
            seen.append(batch.id)
            yield batch

    client = SimpleNamespace(batches=SimpleNamespace(list=pages))
    run = _Run(OpenAIBatchBackend(state_dir=tmp_path), client, chats(1), ["a"])
    assert run.find_batch({"file_id": "file-1", "file_created_at": 10_000}).id == "batch_3"
    assert seen == ["batch_4", "batch_3", "batch_2", "batch_1"]  # batch_1 is too old: stop
    assert run.find_batch({"file_id": "file-9", "file_created_at": 10_000}) is None
    seen.clear()
    assert run.find_batch({"file_id": "file-1"}).id == "batch_3"  # an old state: no time
    assert len(seen) == 5


def test_the_state_never_depends_on_a_password_in_the_base_url(key_env, tmp_path):
    plain = worker.make("http://127.0.0.1:9/v1", str(tmp_path))
    secret = worker.make("http://user:hunter2-password@127.0.0.1:9/v1", str(tmp_path))
    paths = [_Run(b, None, chats(2), ids_for(2)).state.path for b in (plain, secret)]
    assert paths[0] == paths[1]


# ---------------------------------------------------------------- the key

def test_missing_key_fails_before_any_request(fake, monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(LittleHumanError, match="set OPENAI_API_KEY"):
        OpenAIBatchBackend(base_url=fake.base_url, state_dir=tmp_path)
    monkeypatch.setenv("MY_KEY", "  ")
    with pytest.raises(LittleHumanError, match="set MY_KEY"):
        OpenAIBatchBackend(base_url=fake.base_url, api_key_env="MY_KEY", state_dir=tmp_path)
    assert fake.log == []


def test_refused_key_is_scrubbed_and_nothing_is_saved(key_env, tmp_path):
    with FakeOpenAI(api_key="a-different-key-entirely") as server:
        b = backend(server, tmp_path)
        with pytest.raises(LittleHumanError, match="check the key in OPENAI_API_KEY") as info:
            b.complete(chats(2))
        assert "SECRET123" not in str(info.value) and "***" in str(info.value)
        assert [(e["method"], e["status"]) for e in server.log] == [("POST", 401)]
        assert "SECRET123" not in repr(b) + str(b.identity()) + str(vars(b))
    assert not (tmp_path / "batches").exists()
    assert_no_secret(tmp_path)


def test_the_fake_server_checks_the_key_on_every_batch_route(key_env):
    """A self-test of tests/fake_openai.py, not of littlehuman: the tests above that expect a
    401 for a wrong key (test_refused_key_is_scrubbed_and_nothing_is_saved) rely on every
    route the batch backend uses checking it."""
    import openai

    with FakeOpenAI() as server:
        client = openai.OpenAI(api_key="wrong-key-value", base_url=server.base_url,
                               max_retries=0)
        for call in (lambda: client.batches.retrieve("batch_x"),
                     lambda: client.files.content("file-x"),
                     lambda: client.batches.create(input_file_id="f", completion_window="24h",
                                                   endpoint="/v1/chat/completions")):
            with pytest.raises(openai.AuthenticationError):
                call()
        assert [e["status"] for e in server.log] == [401, 401, 401]


def test_completion_of_a_reply_records_usage(key_env, tmp_path):
    b = OpenAIBatchBackend(state_dir=tmp_path)
    body = {"choices": [{"message": {"content": " hi "}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1}}
    assert b.completion(body) == Completion("hi", 3, 1)
    assert b.completion({"choices": []}) == Completion("", None, None)
    assert b.completion({"choices": [{"message": {"content": None}}]}) == Completion("")
    assert b.failures == 0 and len(b.usage_log) == 3  # a give-up counts, not a reply


def test_credentials_in_the_base_url_reach_the_batch_api(monkeypatch, tmp_path):
    import base64

    password = "hunter2-correct-horse"
    basic = "Basic " + base64.b64encode(f"alice:{password}".encode()).decode()
    monkeypatch.setenv("OPENAI_API_KEY", "unused-by-this-server")
    with FakeOpenAI(api_key=basic) as server:  # a proxy that checks the user-info only
        url = server.base_url.replace("http://", f"http://alice:{password}@")
        b = worker.make(url, str(tmp_path / "batches"))
        replies = dict(b.complete_iter(chats(2)))
        assert sorted(replies) == [0, 1] and all(r.startswith("Claim:") for r in replies.values())
        assert server.log and all(e["auth_ok"] for e in server.log)
        assert password not in repr(b) + b.base_url + str(b.identity())
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert password.encode() not in written and b"alice" not in written
    with FakeOpenAI() as server:  # a wrong password: one line, pointing at the URL too
        url = server.base_url.replace("http://", f"http://alice:{password}@")
        b = worker.make(url, str(tmp_path / "batches2"))
        with pytest.raises(LittleHumanError, match="user:password in --base-url") as err:
            dict(b.complete_iter(chats(1)))
        assert password not in str(err.value)


def test_the_batch_generator_refuses_the_completions_endpoint(key_env, tmp_path):
    """It sends chat requests only: --endpoint completions (a base model) is one line, not
    chat requests sent to a server that cannot serve them."""
    from littlehuman import config
    from littlehuman.generation import backend_from_profile

    prof = config.profile("smoke", generator="openai-batch", endpoint="chat")
    assert isinstance(backend_from_profile(prof), OpenAIBatchBackend)
    with pytest.raises(LittleHumanError, match="--endpoint completions"):
        backend_from_profile(config.profile("smoke", generator="openai-batch",
                                            endpoint="completions"))
