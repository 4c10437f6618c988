"""The openai backend under real conditions: non-JSON 200s, base models behind
/v1/completions, slow servers, a server without a chat template, events for the send log,
and credentials in the base URL. Against the fake server (tests/fake_openai.py)."""
from __future__ import annotations

import pytest

from fake_openai import FakeOpenAI
from littlehuman.errors import LittleHumanError
from littlehuman.generation import PromptSpec, generate_synthetic, make_backend, render_plain
from test_openai_chat import backend, chats, events_of, worker


def test_a_200_that_is_not_json_is_retried(fake):
    fake.script("nonjson")
    b = backend(fake, concurrency=1)
    seen = events_of(b)
    assert b.complete(chats(1))[0].startswith("Claim:")
    assert seen == ["sent", "retry:bad_json"]
    assert len(fake.log) == 2 and b.failures == 0


def test_retry_events_and_give_up(fake):
    fake.script("429", "ok")
    b = backend(fake, concurrency=1)
    seen = events_of(b)
    b.complete(chats(1))
    assert seen == ["sent", "retry:429"]
    fake.script("500", "500")
    b = backend(fake, concurrency=1, max_retries=1)
    seen = events_of(b)
    with pytest.raises(LittleHumanError, match="the server said") as err:
        b.complete(chats(1))
    assert seen == ["sent", "retry:5xx", "failed:5xx"]
    assert "lower concurrency" not in str(err.value)


def test_a_server_that_never_answered_is_not_quoted_as_saying_anything(key_env):
    """No server on the port: the words are the client's ("Connection error."), which the
    line had called what "the server said" (a user's walk, killing transformers serve)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free, and nothing listens once the socket is closed
    b = make_backend("openai", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
    with pytest.raises(LittleHumanError, match="the client said") as err:
        b.complete(chats(1))
    assert "the server said" not in str(err.value)
    assert f"check that the server at http://127.0.0.1:{port}/v1 is running" in str(err.value)
    # a server that answered 500 before it went away: the words quoted are the last error's
    from littlehuman.generation.backends import openai_chat

    class Server500(Exception):
        pass

    class Gone(Exception):
        pass

    causes = {"Server500": "5xx", "Gone": "connection"}
    real_cause = openai_chat.cause
    try:
        openai_chat.cause = lambda exc: causes.get(type(exc).__name__) or real_cause(exc)
        gone = Gone("Connection error.")
        mixed = b._gave_up([Server500("Internal Server Error"), gone], 2)
        first = b._gave_up([gone, Server500("Internal Server Error")], 2)
    finally:
        openai_chat.cause = real_cause
    assert "the client said: " in mixed and "the server said" not in mixed
    assert "the server said: " in first


def test_completions_endpoint_serves_a_base_model(key_env, tmp_path):
    with FakeOpenAI(chat_template_missing=True) as server:
        chat = backend(server, max_retries=1)
        assert "endpoint" not in chat.params  # chat keeps its cache keys and ids
        with pytest.raises(LittleHumanError, match="--endpoint completions") as err:
            chat.complete(chats(1))
        assert "chat_template" in str(err.value)  # the server's own words
        rows = worker.fixture_rows(6)
        plain = backend(server, endpoint="completions")
        assert plain.params["endpoint"] == "completions"
        syn, stats = generate_synthetic(rows, rows, plain, PromptSpec("fv"), progress=False)
        assert stats["generated"] == 6 and stats["missing"] == 0
        sent = server.requests("POST", "/v1/completions")
        assert len(sent) == 6 and all(e["status"] == 200 for e in sent)
        # the chat rendered as the hf backend renders it for a base model
        system = {"role": "system", "content": "Given the context"}
        assert sent[0]["prompt"].startswith(render_plain([system])[:25])
        assert sent[0]["prompt"].rstrip().endswith(render_plain([]).rstrip() or "Assistant:")
        assert syn["claim"].str.startswith("The text begins with").all()


def test_unknown_endpoint_is_one_line(key_env):
    with pytest.raises(LittleHumanError, match="chat or completions"):
        make_backend("openai", endpoint="responses")


def test_timeout_defaults_by_host_and_the_flag_wins(key_env):
    assert make_backend("openai").timeout_s == 60
    assert make_backend("openai", base_url="http://127.0.0.1:8000/v1").timeout_s == 600
    assert make_backend("openai", base_url="http://127.0.0.1:8000/v1", timeout_s=5).timeout_s == 5


def test_timeouts_end_with_the_request_timeout_advice(fake):
    fake.slow_s = 1.0
    fake.script("slow", "slow")
    b = backend(fake, timeout_s=0.2, max_retries=1, concurrency=1)
    seen = events_of(b)
    with pytest.raises(LittleHumanError, match="--request-timeout"):
        b.complete(chats(1))
    assert seen == ["sent", "retry:timeout", "failed:timeout"]
    assert len(fake.requests("POST", "/v1/chat/completions")) == 2  # the retry limit holds


def test_credentials_in_the_base_url_are_sent_but_never_shown(fake):
    password = "hunter2-correct-horse"
    url = fake.base_url.replace("http://", f"http://alice:{password}@")
    b = make_backend("openai", base_url=url, max_retries=0, concurrency=1)
    assert password not in repr(b) and password not in b.base_url
    assert password not in str(b.params)
    # httpx sends the URL's user-info as Basic auth; the fake 401 echoes the token it got
    with pytest.raises(LittleHumanError) as err:
        b.complete(chats(1))
    text = str(err.value)
    assert "Basic ***" in text or "***" in text
    import base64

    assert password not in text
    assert base64.b64encode(f"alice:{password}".encode()).decode() not in text


def test_a_bare_500_on_chat_suggests_the_completions_endpoint(fake):
    fake.script("bare500", "bare500")
    b = backend(fake, max_retries=1, concurrency=1)
    with pytest.raises(LittleHumanError) as err:
        b.complete(chats(1))
    text = str(err.value)
    assert "--endpoint completions" in text and "Internal Server Error" in text
    assert "none was answered" in text


def test_a_fastapi_detail_is_quoted(fake):
    fake.script("detail400")
    with pytest.raises(LittleHumanError, match="Server is pinned to"):
        backend(fake, concurrency=1).complete(chats(1))


def test_reasks_go_out_while_the_first_wave_is_in_flight(key_env):
    from fake_openai import protocol_reply

    refused: list[str] = []

    def reply(messages):  # the first ask of row 0 is refused, every other ask answered
        if "passage 0:" in messages[-1]["content"] and not refused:
            refused.append("x")
            return "I'm sorry, but I can't help with that request."
        return protocol_reply(messages)

    with FakeOpenAI(latency_s=0.2, reply=reply) as server:
        rows = worker.fixture_rows(7)  # 4 waves of 2: the last has a free slot for the re-ask
        b = backend(server, concurrency=2)
        syn, stats = generate_synthetic(rows, rows, b, PromptSpec("fv"), progress=False)
        assert stats["reasked"] == 1 and stats["generated"] == 7 and stats["calls"] == 8
        log = server.requests("POST", "/v1/chat/completions")
        reask = [e for e in log if "passage 0:" in e["messages"][-1]["content"]][1]
        last_first_wave = max(e["t_end"] for e in log if e is not reask)
        assert reask["t_start"] < last_first_wave  # it did not wait for a second round


def test_a_slow_consumer_holds_back_new_requests(fake):
    """Replies are safe only once stored: while the consumer lags, no new request starts, so
    a kill can lose only about `concurrency` answered-but-unstored replies, not hundreds."""
    import time

    b = backend(fake, concurrency=4)
    lag = []
    for n, (i, reply) in enumerate(b.complete_iter(chats(40)), start=1):
        time.sleep(0.02)  # a consumer slower than the server
        lag.append(len(fake.log) - n)
    assert len(lag) == 40 and max(lag) <= 2 * 4
