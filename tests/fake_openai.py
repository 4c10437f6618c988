"""A fake OpenAI server for tests and benchmarks: a real HTTP server (``ThreadingHTTPServer``
on 127.0.0.1, a free port, in a thread) that speaks the wire format of
``POST /v1/chat/completions`` and answers in the PROTOCOL's few-shot format, with ``usage``;
and of the Batch API: ``POST /v1/files`` (a multipart upload), ``GET /v1/files/{id}``,
``GET /v1/files/{id}/content``, ``POST /v1/batches`` and ``GET /v1/batches/{id}``.

- ``latency_s``: every request sleeps this long before its reply (a 429 comes at once).
- ``script(*faults)``: the next requests, in arrival order, get these faults, one each:
  ``"429"`` (with ``Retry-After: retry_after``), ``"500"``, ``"slow"`` (sleeps ``slow_s``
  before replying: past a client timeout), ``"malformed"`` (200 with no choices), ``"empty"``
  (200 with a null message content), ``"nonjson"`` (200 with an HTML body), ``"truncated"``
  (200, ``application/json``, its body cut in half: a proxy that dropped the connection),
  ``"error200"`` (200 whose body is an error object, as some proxies answer an overload),
  ``"lax"`` (a whole reply with its ``Content-Length`` header twice: httpx reads it, aiohttp's
  strict parser does not),
  ``"length"`` (a chat reply cut inside its claim, ``finish_reason: "length"``),
  ``"echo_auth"`` (a chat reply repeating the request's ``Authorization`` header),
  ``"trickle"`` (a chat reply sent in 8 pieces over ``slow_s``), ``"not_a_completion"`` (200,
  the JSON body ``[]``),
  ``"bad_usage"`` (token counts that are no numbers), ``"parts"`` (the content as a list of
  text parts), ``"ok"``.
- ``log``: one dict per request, appended when it arrives (``t_start``) and completed when
  answered (``t_end``, ``status``, ``fault``): the messages (for ``/v1/completions``: the
  ``prompt`` as one message), their sha256 ``hash`` (of the prompt text for completions), the
  sampling settings and ``auth_ok``. The server checks ``Authorization: Bearer <key>`` (or
  the whole header, when ``api_key`` is ``"Basic <base64>"``: a password-protected proxy)
  against a sha256 of the expected key and keeps only that digest and the boolean, never a
  key. A 401 echoes the token it was sent (as a careless proxy might), to test that clients
  scrub error text.
- ``max_in_flight``: the most requests handled at once.
- Every route checks the key (401 otherwise); ``"429"``, ``"500"`` and ``"slow"`` apply to
  every route, ``"malformed"``, ``"empty"``, ``"nonjson"`` and ``"truncated"`` to chat and
  text completions. Every ``log`` entry has the request's ``method`` and ``path`` (so tests
  count uploads and batch creations).

Batches: ``files`` and ``batches`` hold every uploaded/produced file (with its ``content``
bytes) and every batch (the Batch object as served, plus ``polls``). A batch starts
``validating``, is ``in_progress`` after its first retrieve and ends after
``batch_polls_to_complete`` retrieves: its output file then holds one line per request, built
with the same ``reply`` as chat (with ``usage``), in a shuffled order when ``shuffle_output``.
``script_batches(*faults)``: the next created batches get these, one each: ``"ok"``,
``"expire"`` (status ``expired``; the output covers the first half of the requests, the rest
are missing), ``"request_error"`` (the requests at even positions of the input file go to the
error file with status 500), ``"malformed"`` (those at even positions answer 200 without
choices), ``"fail"`` (status ``failed`` with ``errors``, no output file).

Real-output faults, each a constructor argument (default off):

- ``refusal_rate``: that share of replies (chat, ``/v1/completions`` and batch output) is a
  refusal as the model's text (``REFUSAL``), decided from a sha256 of the request's messages
  or prompt: reproducible, yet a re-ask with other few-shot examples is decided afresh.
- ``nonjson_rate``: that share of chat/completions requests get a 200 whose body is HTML, not
  JSON (as a proxy in front of a server may send); random per request (``seed``), so a retry
  can succeed. ``rate_429``: that share of POST requests get a 429 (every route), random per
  request. Both draw from one ``random.Random(seed)`` in arrival order.
- ``chat_template_missing``: chat completions answer 500 with the message ``transformers
  serve`` gives for a model without a chat template (``/v1/completions`` works).
- ``context_tokens``: a chat or text completion (or a batch's request) whose prompt
  (characters / 4) plus ``max_tokens`` passes it answers 400 ``context_length_exceeded``, in
  OpenAI's words (a batch: in its error file).
- ``POST /v1/completions`` takes a plain-text ``prompt`` and answers ``choices[0].text``.
- ``GET /v1/batches`` lists batches (newest first, ``limit``/``after``);
  ``create_batch_delay_s``: ``POST /v1/batches`` records the batch, then sleeps that long
  before it answers (a client killed meanwhile leaves a batch on the server).

Replies are invented text built from the request (no dataset text). Run as a script
(``python tests/fake_openai.py --latency 0.2 [--refusal-rate 0.05 --rate-429 0.05
--retry-after 0.05]``) it prints its base URL and serves until killed, expecting the key in
``$OPENAI_API_KEY`` (default: ``KEY``).
"""
from __future__ import annotations

import argparse
import email.parser
import email.policy
import hashlib
import itertools
import json
import os
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

KEY = "test-SECRET123-placeholder"  # a made-up key: the tests check it never leaks
REFUSAL = "I'm sorry, but I can't help with that request."
NO_CHAT_TEMPLATE = ("Cannot use chat template functions because tokenizer.chat_template is not "
                    "set and no template argument was passed! For information about writing "
                    "templates and setting the tokenizer.chat_template attribute, please see the "
                    "documentation at https://huggingface.co/docs/transformers/main/en/chat_templating")
FAULTS = ("ok", "429", "500", "slow", "malformed", "empty", "nonjson", "truncated", "bare500",
          "detail400", "error200", "length", "lax", "echo_auth", "bad_usage", "parts", "trickle", "not_a_completion")
BATCH_FAULTS = ("ok", "expire", "request_error", "malformed", "fail")


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


def plain_messages(prompt: str) -> list[dict[str, str]]:
    """A plain-text few-shot prompt (``prompts.render_plain``) read back as chat messages:
    its first block as the system text and its last ``Context:`` as the user turn, enough for
    ``protocol_reply``."""
    system = prompt.split("\n\n", 1)[0]
    last = prompt.rsplit("Context:", 1)
    context = ("Context:" + last[1]).strip() if len(last) > 1 else prompt
    return [{"role": "system", "content": system}, {"role": "user", "content": context}]


def _share(text: str, salt: str) -> float:
    """A number in [0, 1) fixed by ``text``: the same request always gets the same one."""
    return int(hashlib.sha256((salt + text).encode()).hexdigest()[:8], 16) / 16 ** 8


def parse_multipart(content_type: str, raw: bytes) -> dict[str, tuple[str | None, bytes]]:
    """The parts of a ``multipart/form-data`` body: ``{field name: (filename, bytes)}``."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return parts


_ROUTES = (  # (method, path pattern, handler name)
    ("POST", re.compile(r"/v1/chat/completions"), "_chat"),
    ("POST", re.compile(r"/v1/completions"), "_completion"),
    ("GET", re.compile(r"/v1/batches"), "_list_batches"),
    ("POST", re.compile(r"/v1/files"), "_upload"),
    ("GET", re.compile(r"/v1/files/(?P<id>[\w-]+)"), "_file"),
    ("GET", re.compile(r"/v1/files/(?P<id>[\w-]+)/content"), "_content"),
    ("POST", re.compile(r"/v1/batches"), "_create_batch"),
    ("GET", re.compile(r"/v1/batches/(?P<id>[\w-]+)"), "_retrieve_batch"),
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms stall
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict | None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self._send_bytes(status, data, "application/json", headers)

    def _send_bytes(self, status: int, data: bytes, content_type: str,
                    headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _error(self, entry: dict, status: int, message: str, code: str | None = None) -> None:
        entry["status"] = status
        self._send(status, {"error": {"message": message, "type": "invalid_request_error",
                                      "code": code}})

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self._handle("POST")

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        path = self.path.split("?", 1)[0].rstrip("/")
        entry: dict[str, Any] = {"t_start": time.monotonic(), "method": method, "path": self.path}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        entry["auth_ok"] = hashlib.sha256(token.encode()).hexdigest() == fake.key_digest
        body: dict[str, Any] = {}
        if path != "/v1/files" and method == "POST":
            body = json.loads(raw or b"{}")
        if path not in ("/v1/files", "/v1/batches") and method == "POST":
            messages = body.get("messages") or []
            if "prompt" in body:
                entry["prompt"] = str(body["prompt"])
                messages = [{"role": "prompt", "content": entry["prompt"]}]
            digest = (hashlib.sha256(entry["prompt"].encode()).hexdigest() if "prompt" in entry
                      else messages_hash(messages))
            entry.update(messages=messages, hash=digest, model=body.get("model"),
                         max_tokens=body.get("max_tokens"), stop=body.get("stop"),
                         temperature=body.get("temperature"), seed=body.get("seed"))
        fault = fake.arrive(entry)
        try:
            self._answer(fake, entry, fault, token, method, path, body, raw)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            entry["status"] = "disconnected"
        finally:
            fake.leave(entry)

    def _answer(self, fake: "FakeOpenAI", entry: dict, fault: str, token: str, method: str,
                path: str, body: dict, raw: bytes) -> None:
        route = next(((name, match) for verb, pattern, name in _ROUTES
                      if verb == method and (match := pattern.fullmatch(path))), None)
        if route is None:
            return self._error(entry, 404, f"no route {method} {self.path}")
        if not entry["auth_ok"]:
            return self._error(entry, 401, f"Incorrect API key provided: {token}",
                               "invalid_api_key")
        if fault != "429":  # a rate limiter turns a request away at once
            time.sleep(fake.latency_s + (fake.slow_s if fault == "slow" else 0.0))
        if fault == "nonjson" and route[0] in ("_chat", "_completion"):
            entry["status"] = 200
            return self._send_bytes(200, b"<html><body>upstream proxy error</body></html>",
                                    "text/html")
        if fault == "lax" and route[0] in ("_chat", "_completion"):  # Content-Length twice:
            entry["status"] = 200  # httpx reads it, aiohttp's strict parser refuses the reply
            whole = json.dumps(fake.chat_completion(body) if route[0] == "_chat"
                               else fake.text_completion(body)).encode()
            return self._send_bytes(200, whole, "application/json",
                                    {"Content-Length": str(len(whole))})
        if fault == "truncated" and route[0] in ("_chat", "_completion"):
            entry["status"] = 200
            whole = json.dumps(fake.chat_completion(body) if route[0] == "_chat"
                               else fake.text_completion(body)).encode()
            return self._send_bytes(200, whole[:len(whole) // 2], "application/json")
        if fault == "429":
            entry["status"] = 429
            return self._send(429, {"error": {"message": "Rate limit reached", "type": "requests",
                                              "code": "rate_limit_exceeded"}},
                              {"Retry-After": str(fake.retry_after)})
        if fault == "bare500":  # as transformers serve answers an exception: text, no JSON
            entry["status"] = 500
            return self._send_bytes(500, b"Internal Server Error", "text/plain")
        if fault == "detail400":  # as FastAPI servers (transformers serve) refuse a request
            entry["status"] = 400
            return self._send(400, {"detail": "Server is pinned to '/models/x'; requested 'y'."})
        if fault == "error200":  # as some proxies answer an overload: a 200 holding an error
            entry["status"] = 200
            return self._send(200, {"error": {"message": "upstream overloaded", "code": 503}})
        if fault == "500":
            entry["status"] = 500
            return self._send(500, {"error": {"message": "The server had an error", "code": None}})
        if fault == "not_a_completion" and route[0] == "_chat":  # JSON, but [] (a broken
            entry["status"] = 200  # server): no completion to read, and no model's answer
            return self._send_bytes(200, b"[]", "application/json")
        if fault == "trickle" and route[0] == "_chat":  # a whole reply, a little at a time:
            entry["status"] = 200  # each gap under the client's timeout, the whole over it
            data = json.dumps(fake.chat_completion(body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            step = -(-len(data) // 8)
            for start in range(0, len(data), step):
                self.wfile.write(data[start:start + step])
                self.wfile.flush()
                time.sleep(fake.slow_s / 8)
            return None
        if fault == "echo_auth" and route[0] == "_chat":  # a server repeating the request's
            entry["status"] = 200  # Authorization header in an ordinary reply
            reply = fake.chat_completion(body)
            message = reply["choices"][0]["message"]
            message["content"] = message["content"].replace(
                "Claim: ", f"Claim: The server saw Bearer {token} and ", 1)
            return self._send(200, reply)
        name, match = route
        getattr(self, name)(fake, entry, fault, body, raw, **match.groupdict())

    def _too_long(self, fake: "FakeOpenAI", entry: dict, text: str, body: dict) -> bool:
        """Answer 400 as OpenAI does when the request does not fit (``over_context``)."""
        long = fake.over_context(text, body)
        if long:
            self._error(entry, 400, long, "context_length_exceeded")
        return bool(long)

    def _chat(self, fake: "FakeOpenAI", entry: dict, fault: str, body: dict, raw: bytes) -> None:
        if fake.chat_template_missing:
            entry["status"] = 500
            return self._send(500, {"error": {"message": NO_CHAT_TEMPLATE, "code": None}})
        text = "".join(m.get("content") or "" for m in body.get("messages") or [])
        if self._too_long(fake, entry, text, body):
            return
        entry["status"] = 200
        self._send(200, fake.chat_completion(body, fault))

    def _completion(self, fake: "FakeOpenAI", entry: dict, fault: str, body: dict,
                    raw: bytes) -> None:
        if self._too_long(fake, entry, str(body.get("prompt") or ""), body):
            return
        entry["status"] = 200
        self._send(200, fake.text_completion(body, fault))

    def _list_batches(self, fake: "FakeOpenAI", entry: dict, fault: str, body: dict,
                      raw: bytes) -> None:
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(self.path).query)
        limit = int((query.get("limit") or ["20"])[0])
        after = (query.get("after") or [None])[0]
        entry["status"] = 200
        self._send(200, fake.list_batches(limit, after))

    def _upload(self, fake: "FakeOpenAI", entry: dict, fault: str, body: dict,
                raw: bytes) -> None:
        parts = parse_multipart(self.headers.get("Content-Type") or "", raw)
        if "file" not in parts:
            return self._error(entry, 400, "no file in the upload")
        filename, content = parts["file"]
        purpose = parts.get("purpose", (None, b""))[1].decode()
        file = fake.add_file(content, filename or "upload", purpose)
        entry.update(status=200, file_id=file["id"], bytes=len(content))
        self._send(200, file)

    def _file(self, fake: "FakeOpenAI", entry: dict, fault: str, body: dict, raw: bytes,
              id: str) -> None:
        if id not in fake.files:
            return self._error(entry, 404, f"No such File object: {id}")
        entry["status"] = 200
        self._send(200, fake.files[id]["file"])

    def _content(self, fake: "FakeOpenAI", entry: dict, fault: str, body: dict, raw: bytes,
                 id: str) -> None:
        if id not in fake.files:
            return self._error(entry, 404, f"No such File object: {id}")
        entry["status"] = 200
        self._send_bytes(200, fake.files[id]["content"], "application/octet-stream")

    def _create_batch(self, fake: "FakeOpenAI", entry: dict, fault: str, body: dict,
                      raw: bytes) -> None:
        file_id = body.get("input_file_id")
        if file_id not in fake.files:
            return self._error(entry, 400, f"No such File object: {file_id}")
        batch = fake.create_batch(file_id, str(body.get("endpoint")),
                                  str(body.get("completion_window")))
        entry.update(batch_id=batch["id"], input_file_id=file_id)
        time.sleep(fake.create_batch_delay_s)  # created: a client killed now leaves it behind
        entry["status"] = 200
        self._send(200, batch)

    def _retrieve_batch(self, fake: "FakeOpenAI", entry: dict, fault: str, body: dict,
                        raw: bytes, id: str) -> None:
        if id not in fake.batches:
            return self._error(entry, 404, f"No such Batch object: {id}")
        batch = fake.poll_batch(id)
        entry.update(status=200, batch_id=id, batch_status=batch["status"])
        self._send(200, batch)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many clients connect at once in the benchmark
    fake: "FakeOpenAI"


class FakeOpenAI:
    """The server; ``with FakeOpenAI(...) as fake:`` starts it, ``fake.base_url`` is its URL."""

    def __init__(self, api_key: str = KEY, latency_s: float = 0.0, retry_after: float = 1,
                 slow_s: float = 2.0,
                 reply: Callable[[list[dict[str, str]]], str] = protocol_reply,
                 batch_polls_to_complete: int = 2, shuffle_output: bool = True,
                 refusal_rate: float = 0.0, nonjson_rate: float = 0.0, rate_429: float = 0.0,
                 chat_template_missing: bool = False, create_batch_delay_s: float = 0.0,
                 context_tokens: int | None = None, seed: int = 0) -> None:
        self.key_digest = hashlib.sha256(api_key.encode()).hexdigest()
        self.refusal_rate, self.nonjson_rate, self.rate_429 = refusal_rate, nonjson_rate, rate_429
        self.chat_template_missing = chat_template_missing
        self.context_tokens = context_tokens
        self.create_batch_delay_s = create_batch_delay_s
        self._random = random.Random(seed)
        self.latency_s, self.retry_after, self.slow_s, self.reply = latency_s, retry_after, slow_s, reply
        self.batch_polls_to_complete = batch_polls_to_complete
        self.shuffle_output = shuffle_output
        self.log: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        #: file id -> {"file": the File object, "content": bytes}
        self.files: dict[str, dict[str, Any]] = {}
        #: batch id -> {"batch": the Batch object, "polls": retrieves so far, "fault": str}
        self.batches: dict[str, dict[str, Any]] = {}
        self._faults: list[str] = []
        self._batch_faults: list[str] = []
        self._ids = itertools.count(1)
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

    def script_batches(self, *faults: str) -> None:
        """Faults for the next created batches, in creation order (see the module docstring)."""
        unknown = set(faults) - set(BATCH_FAULTS)
        if unknown:
            raise ValueError(f"unknown batch faults {sorted(unknown)}: use {BATCH_FAULTS}")
        with self._lock:
            self._batch_faults.extend(faults)

    def requests(self, method: str, path: str) -> list[dict[str, Any]]:
        """The logged requests to ``method path`` (path without the query), answered or not."""
        return [e for e in self.log if e["method"] == method and
                e["path"].split("?", 1)[0].rstrip("/") == path]

    def arrive(self, entry: dict[str, Any]) -> str:
        with self._lock:
            fault = self._faults.pop(0) if self._faults and entry["auth_ok"] else "ok"
            if fault == "ok" and entry["auth_ok"] and entry["method"] == "POST":
                draw = self._random.random()
                if draw < self.rate_429:
                    fault = "429"
                elif draw < self.rate_429 + self.nonjson_rate:
                    fault = "nonjson"
            entry["fault"] = fault
            self.log.append(entry)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return fault

    def leave(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.in_flight -= 1
            entry["t_end"] = time.monotonic()

    # ------------------------------------------------------------ chat and batches

    def over_context(self, text: str, body: dict[str, Any]) -> str | None:
        """OpenAI's message when the prompt ``text`` (characters / 4) plus ``max_tokens``
        passes ``context_tokens``, else None."""
        asked = len(text) // 4 + int(body.get("max_tokens") or 0)
        if self.context_tokens is None or asked <= self.context_tokens:
            return None
        return (f"This model's maximum context length is {self.context_tokens} tokens. However, "
                f"you requested {asked} tokens. Please reduce the length of the messages.")

    def chat_completion(self, body: dict[str, Any], fault: str = "ok") -> dict[str, Any]:
        """The chat completion object answering request ``body`` (``fault``: malformed/empty)."""
        messages = body.get("messages") or []
        reply = self._reply(messages)
        prompt_tokens = sum(len(m.get("content") or "") for m in messages) // 4
        message: dict[str, Any] = {"role": "assistant", "content": reply}
        choices: list[dict] = [{"index": 0, "message": message, "finish_reason": "stop",
                                "logprobs": None}]
        if fault == "malformed":
            choices = []
        elif fault == "empty":
            message["content"] = None
        elif fault == "length":  # the token limit cut the reply inside its claim
            message["content"] = reply.split("||")[0][:30]
            choices[0]["finish_reason"] = "length"
        elif fault == "parts":  # the content as a list of parts, as some servers send it
            message["content"] = [{"type": "text", "text": reply[:9]},
                                  {"type": "text", "text": reply[9:]}]
        usage: dict[str, Any] = {"prompt_tokens": prompt_tokens,
                                 "completion_tokens": len(reply) // 4,
                                 "total_tokens": prompt_tokens + len(reply) // 4}
        if fault == "bad_usage":  # counts that are no numbers, on a reply that was paid for
            usage = {"prompt_tokens": "ten", "completion_tokens": None, "total_tokens": [1]}
        return {
            "id": f"chatcmpl-{messages_hash(messages)[:12]}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model"), "choices": choices,
            "usage": usage,
        }

    def _reply(self, messages: list[dict[str, str]]) -> str:
        """The model's text for ``messages``: a refusal for ``refusal_rate`` of requests."""
        if self.refusal_rate and _share(messages_hash(messages), "refuse") < self.refusal_rate:
            return REFUSAL
        return self.reply(messages)

    def text_completion(self, body: dict[str, Any], fault: str = "ok") -> dict[str, Any]:
        """The completions object (``/v1/completions``) answering a plain-text ``prompt``."""
        prompt = str(body.get("prompt") or "")
        messages = plain_messages(prompt)
        if self.refusal_rate and _share(hashlib.sha256(prompt.encode()).hexdigest(),
                                        "refuse") < self.refusal_rate:
            reply = REFUSAL
        else:
            reply = self.reply(messages)
        stops = body.get("stop") or []
        stops = [stops] if isinstance(stops, str) else stops
        ends = [reply.find(s) for s in stops if s and s in reply]
        if ends:  # as a server does: the text up to the first stop sequence, without it
            reply = reply[:min(ends)]
        choices: list[dict] = [{"index": 0, "text": " " + reply, "finish_reason": "stop",
                                "logprobs": None}]
        if fault == "malformed":
            choices = []
        elif fault == "empty":
            choices[0]["text"] = ""
        return {"id": f"cmpl-{hashlib.sha256(prompt.encode()).hexdigest()[:12]}",
                "object": "text_completion", "created": int(time.time()),
                "model": body.get("model"), "choices": choices,
                "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(reply) // 4,
                          "total_tokens": len(prompt) // 4 + len(reply) // 4}}

    def list_batches(self, limit: int = 20, after: str | None = None) -> dict[str, Any]:
        """Batches newest first, a page of ``limit`` after batch id ``after``."""
        with self._lock:
            every = [dict(b["batch"]) for b in reversed(list(self.batches.values()))]
        if after is not None:
            ids = [b["id"] for b in every]
            every = every[ids.index(after) + 1:] if after in ids else []
        page = every[:limit]
        return {"object": "list", "data": page, "has_more": len(every) > limit,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None}

    def add_file(self, content: bytes, filename: str, purpose: str) -> dict[str, Any]:
        """Store a file; its File object."""
        with self._lock:
            file_id = f"file-fake{next(self._ids):04d}"
            file = {"id": file_id, "object": "file", "bytes": len(content),
                    "created_at": int(time.time()), "filename": filename, "purpose": purpose,
                    "status": "processed", "expires_at": None, "status_details": None}
            self.files[file_id] = {"file": file, "content": content}
        return file

    def create_batch(self, input_file_id: str, endpoint: str,
                     completion_window: str) -> dict[str, Any]:
        """A new batch (``validating``) over an uploaded file; takes the next scripted fault."""
        now = int(time.time())
        with self._lock:
            batch_id = f"batch_fake{next(self._ids):04d}"
            fault = self._batch_faults.pop(0) if self._batch_faults else "ok"
            total = len(self.files[input_file_id]["content"].splitlines())
            batch = {
                "id": batch_id, "object": "batch", "endpoint": endpoint,
                "input_file_id": input_file_id, "completion_window": completion_window,
                "status": "validating", "created_at": now, "expires_at": now + 86400,
                "in_progress_at": None, "finalizing_at": None, "completed_at": None,
                "failed_at": None, "expired_at": None, "cancelling_at": None,
                "cancelled_at": None, "output_file_id": None, "error_file_id": None,
                "errors": None, "metadata": None,
                "request_counts": {"total": total, "completed": 0, "failed": 0},
            }
            self.batches[batch_id] = {"batch": batch, "polls": 0, "fault": fault}
            return dict(batch)

    def poll_batch(self, batch_id: str) -> dict[str, Any]:
        """The batch as one more retrieve sees it: in progress, then done after
        ``batch_polls_to_complete`` retrieves."""
        with self._lock:
            state = self.batches[batch_id]
            batch = state["batch"]
            state["polls"] += 1
            if batch["status"] in ("validating", "in_progress"):
                counts = batch["request_counts"]
                if state["polls"] >= self.batch_polls_to_complete:
                    self._finish(batch, state["fault"])
                else:
                    batch.update(status="in_progress", in_progress_at=batch["created_at"])
                    counts["completed"] = (counts["total"] * state["polls"]
                                           // max(1, self.batch_polls_to_complete))
            return dict(batch)

    def _finish(self, batch: dict[str, Any], fault: str) -> None:
        """Answer every request of ``batch`` (under the lock), as its fault says."""
        now = int(time.time())
        requests = []
        try:
            for line in self.files[batch["input_file_id"]]["content"].splitlines():
                requests.append(json.loads(line))
            ids = [r["custom_id"] for r in requests]
            valid = len(set(ids)) == len(ids) and all(r.get("url") == batch["endpoint"]
                                                      for r in requests)
        except (ValueError, KeyError, TypeError):
            valid = False
        if fault == "fail" or not valid:
            batch.update(status="failed", failed_at=now, errors={"object": "list", "data": [{
                "code": "invalid_request", "line": 1, "param": None,
                "message": "the input file failed validation (fake)"}]})
            return
        output, errors = [], []
        for i, request in enumerate(requests):
            line = {"id": f"batch_req_{batch['id']}_{i}", "custom_id": request["custom_id"],
                    "error": None}
            if fault == "expire" and i >= len(requests) // 2:
                continue
            if fault == "request_error" and i % 2 == 0:
                line["response"] = {"status_code": 500, "request_id": f"req_{i}", "body": {
                    "error": {"message": "The server had an error", "type": "server_error"}}}
                errors.append(line)
                continue
            asked = request.get("body") or {}
            long = self.over_context(
                "".join(m.get("content") or "" for m in asked.get("messages") or []), asked)
            if long:
                line["response"] = {"status_code": 400, "request_id": f"req_{i}", "body": {
                    "error": {"message": long, "type": "invalid_request_error",
                              "code": "context_length_exceeded"}}}
                errors.append(line)
                continue
            broken = fault == "malformed" and i % 2 == 0
            body = self.chat_completion(asked, "malformed" if broken else "ok")
            line["response"] = {"status_code": 200, "request_id": f"req_{i}", "body": body}
            output.append(line)
        if self.shuffle_output:
            random.Random(batch["id"]).shuffle(output)
        for kind, lines in (("output", output), ("error", errors)):
            if lines:
                file_id = f"file-fake{next(self._ids):04d}"
                content = "".join(json.dumps(x) + "\n" for x in lines).encode()
                self.files[file_id] = {"file": {
                    "id": file_id, "object": "file", "bytes": len(content), "created_at": now,
                    "filename": f"{batch['id']}_{kind}.jsonl", "purpose": "batch_output",
                    "status": "processed"}, "content": content}
                batch[f"{kind}_file_id"] = file_id
        batch["request_counts"].update(completed=len(output), failed=len(errors))
        if fault == "expire":
            batch.update(status="expired", expired_at=now)
        else:
            batch.update(status="completed", finalizing_at=now, completed_at=now)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self, port: int = 0) -> "FakeOpenAI":
        """Serve on ``port`` (0: a free one; a stopped server's port: the same server back)."""
        self._server = _Server(("127.0.0.1", port), _Handler)
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
    parser.add_argument("--retry-after", type=float, default=1.0, help="a 429's Retry-After")
    parser.add_argument("--refusal-rate", type=float, default=0.0)
    parser.add_argument("--nonjson-rate", type=float, default=0.0)
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    fake = FakeOpenAI(api_key=os.environ.get("OPENAI_API_KEY", KEY), latency_s=args.latency,
                      retry_after=args.retry_after, refusal_rate=args.refusal_rate,
                      nonjson_rate=args.nonjson_rate, rate_429=args.rate_429, seed=args.seed)
    fake.start()
    print(fake.base_url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
