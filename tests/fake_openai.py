"""A fake OpenAI chat-completions server for tests and benchmarks: a real HTTP server
(``ThreadingHTTPServer`` on 127.0.0.1, a free port, in a thread) that speaks the wire format of
``POST /v1/chat/completions`` and answers in the PROTOCOL's few-shot format, with ``usage``.

- ``latency_s``: every request sleeps this long before its reply.
- ``script(*faults)``: the next requests, in arrival order, get these faults, one each:
  ``"429"`` (with ``Retry-After: retry_after``), ``"500"``, ``"slow"`` (sleeps ``slow_s``
  before replying: past a client timeout), ``"malformed"`` (200 with no choices), ``"empty"``
  (200 with a null message content), ``"ok"``.
- ``log``: one dict per request, appended when it arrives (``t_start``) and completed when
  answered (``t_end``, ``status``): the messages, their sha256 ``hash``, the sampling settings
  and ``auth_ok``. The server checks ``Authorization: Bearer <key>`` against a sha256 of the
  expected key and keeps only that digest and the boolean, never a key. A 401 echoes the
  token it was sent (as a careless proxy might), to test that clients scrub error text.
- ``max_in_flight``: the most requests handled at once.

Replies are invented text built from the request (no dataset text). Run as a script
(``python tests/fake_openai.py --latency 0.2``) it prints its base URL and serves until
killed, expecting the key in ``$OPENAI_API_KEY`` (default: ``KEY``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

KEY = "test-SECRET123-placeholder"  # a made-up key: the tests check it never leaks
FAULTS = ("ok", "429", "500", "slow", "malformed", "empty")


def messages_hash(messages: list[dict[str, str]]) -> str:
    """sha256 of the canonical JSON of a request's messages."""
    text = json.dumps(messages, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def protocol_reply(messages: list[dict[str, str]]) -> str:
    """A reply in the few-shot format, built from the request's system prompt and context."""
    system = messages[0]["content"] if messages else ""
    words = messages[-1]["content"].removeprefix("Context:").split()[:4] if messages else []
    topic = " ".join(words) or "nothing"
    if "question and answer" in system:
        return f"Question: What does the text begin with?||\nAnswer: {topic}"
    label = "Untrue" if "a Untrue" in system else "True"
    return f"Claim: The text begins with {topic}.||\nLabel: {label}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms stall
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict | None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        fake = self.server.fake
        entry: dict[str, Any] = {"t_start": time.monotonic(), "path": self.path}
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        entry["auth_ok"] = hashlib.sha256(token.encode()).hexdigest() == fake.key_digest
        messages = body.get("messages") or []
        entry.update(messages=messages, hash=messages_hash(messages), model=body.get("model"),
                     max_tokens=body.get("max_tokens"), temperature=body.get("temperature"),
                     seed=body.get("seed"))
        fault = fake.arrive(entry)
        try:
            self._answer(fake, entry, fault, token, body, messages)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            entry["status"] = "disconnected"
        finally:
            fake.leave(entry)

    def _answer(self, fake: "FakeOpenAI", entry: dict, fault: str, token: str, body: dict,
                messages: list[dict[str, str]]) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            entry["status"] = 404
            return self._send(404, {"error": {"message": f"no route {self.path}", "code": None}})
        if not entry["auth_ok"]:
            entry["status"] = 401
            return self._send(401, {"error": {
                "message": f"Incorrect API key provided: {token}", "type": "invalid_request_error",
                "code": "invalid_api_key"}})
        time.sleep(fake.latency_s + (fake.slow_s if fault == "slow" else 0.0))
        if fault == "429":
            entry["status"] = 429
            return self._send(429, {"error": {"message": "Rate limit reached", "type": "requests",
                                              "code": "rate_limit_exceeded"}},
                              {"Retry-After": str(fake.retry_after)})
        if fault == "500":
            entry["status"] = 500
            return self._send(500, {"error": {"message": "The server had an error", "code": None}})
        reply = fake.reply(messages)
        prompt_tokens = sum(len(m.get("content") or "") for m in messages) // 4
        message: dict[str, Any] = {"role": "assistant", "content": reply}
        choices: list[dict] = [{"index": 0, "message": message, "finish_reason": "stop",
                                "logprobs": None}]
        if fault == "malformed":
            choices = []
        elif fault == "empty":
            message["content"] = None
        entry["status"] = 200
        self._send(200, {
            "id": f"chatcmpl-{entry['hash'][:12]}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model"), "choices": choices,
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(reply) // 4,
                      "total_tokens": prompt_tokens + len(reply) // 4},
        })


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many clients connect at once in the benchmark
    fake: "FakeOpenAI"


class FakeOpenAI:
    """The server; ``with FakeOpenAI(...) as fake:`` starts it, ``fake.base_url`` is its URL."""

    def __init__(self, api_key: str = KEY, latency_s: float = 0.0, retry_after: float = 1,
                 slow_s: float = 2.0,
                 reply: Callable[[list[dict[str, str]]], str] = protocol_reply) -> None:
        self.key_digest = hashlib.sha256(api_key.encode()).hexdigest()
        self.latency_s, self.retry_after, self.slow_s, self.reply = latency_s, retry_after, slow_s, reply
        self.log: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def script(self, *faults: str) -> None:
        """Faults for the next requests, in arrival order (see the module docstring)."""
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}: use {FAULTS}")
        with self._lock:
            self._faults.extend(faults)

    def arrive(self, entry: dict[str, Any]) -> str:
        with self._lock:
            fault = self._faults.pop(0) if self._faults and entry["auth_ok"] else "ok"
            entry["fault"] = fault
            self.log.append(entry)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return fault

    def leave(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.in_flight -= 1
            entry["t_end"] = time.monotonic()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> "FakeOpenAI":
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    args = parser.parse_args()
    fake = FakeOpenAI(api_key=os.environ.get("OPENAI_API_KEY", KEY), latency_s=args.latency)
    fake.start()
    print(fake.base_url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
