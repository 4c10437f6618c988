"""OpenAI chat completions (or any OpenAI-compatible server: vLLM, Ollama, llama.cpp, a proxy)
through the official ``openai`` SDK's ``AsyncOpenAI``.

Requests run concurrently (at most ``concurrency`` in flight), paced to ``rpm`` requests and
``tpm`` tokens per minute (a request counts as its prompt characters / 4 plus
``max_new_tokens``), and retried by us alone (the SDK's own retries are off) on 429, 408, 409,
5xx, timeouts and connection errors: after the server's ``Retry-After`` when it sends one,
else after an exponential backoff with full jitter. ``complete_iter`` yields each reply the
moment it arrives, so the caller can store it before the next one (a killed run loses no
finished call).

Failures: a 200 whose body is not JSON (a proxy's HTML page, a body cut short) or is JSON but
no completion (``[]``, ``null``, no ``choices`` list) is retried like a 5xx; a reply whose
choices hold no text is not resent but returned as ``""`` at once (the generation layer asks
again with fresh examples) and counted in ``failures``; so is a request
the server refuses as longer than the model's context (``too_long``: its few-shot examples may
be shorter at the re-ask, and a row that never fits is covered by a spare). Requests still
failing with a transient error after ``max_retries`` retries are counted too; the batch then
ends with a LittleHumanError once every other request has been answered (and yielded), so a
rerun sends only those; the error quotes the server's own last message and says what to try
for that cause (``--endpoint completions`` when the server has no chat template,
``--request-timeout`` after timeouts, a lower concurrency or an rpm limit after 429s). Errors no retry can fix (401,
403, 404, 400 but ``too_long``, ``insufficient_quota``) stop the batch at once. Every send, retry (by cause) and
give-up is reported through ``on_event``.

``endpoint="completions"`` serves base models (vLLM and ``transformers serve`` refuse chat for
a model without a chat template): the few-shot chat is rendered as plain text exactly as the
``hf`` backend renders it for a base model (``prompts.render_plain``), sent to
``/v1/completions``, and the reply cut where the hf backend cuts a plain-text reply.

The API key is read from the environment when the backend is built, held in a
:class:`~littlehuman.secrets.Secret` and scrubbed from every message; a base URL's
user-info (``user:password@``) is sent but never shown (``secrets.public_url``); the HTTP
client sends it as ``Authorization: Basic``, in place of the key (for a server behind a
password-protected proxy).
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import email.utils
import functools
import json
import logging
import os
import queue
import re
import threading
import time
from typing import TYPE_CHECKING, Any, AsyncIterator, Awaitable, Callable, Iterator
from urllib.parse import urlsplit

from tenacity import AsyncRetrying, retry_if_exception, wait_random_exponential

from littlehuman.errors import LittleHumanError
from littlehuman.generation.backends.base import Backend, Completion, Reply, RequestFeed
from littlehuman.generation.backends.hf import cut_reply, whole_at_limit
from littlehuman.generation.cost import cost, estimate_tokens
from littlehuman.generation.prompts import render_plain
from littlehuman.secrets import (Secret, api_key, base_url_problem, forget, key_hint,
                                 public_url, scrub, scrub_known)

if TYPE_CHECKING:
    from littlehuman.config import Profile

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_RETRY_AFTER_S = 600.0  # a longer Retry-After (a daily quota?) is cut to this
MAX_BACKOFF_S = 60.0
#: how long a request keeps retrying a server it cannot connect to once that server has
#: answered this backend: an outage or a restart, not a wrong address (a reviewer's
#: `transformers serve` came back in 31-40 s, after two requests had spent their 6 retries
#: and failed the run). A server never reached still fails after ``max_retries`` (a wrong
#: port is said in seconds, not minutes)
OUTAGE_S = 300.0
ENDPOINTS = ("chat", "completions")
#: what ``--endpoint completions`` asks the server to stop at: the next turn of the chat as
#: ``render_plain`` writes it, where the reply is cut after it arrives anyway
#: (:func:`cut_reply`), so a base model stops writing there instead of running on to
#: ``max_new_tokens``, and what is kept, and its cache key, are as without them. Not a blank
#: line: a reply that opens with one (after ``Assistant:``) would stop before it began, where
#: the cut skips leading space
COMPLETION_STOPS = ("\nUser:", "\nContext:", "\nSystem:")
OPENAI_TIMEOUT_S = 60.0  # api.openai.com answers in seconds
LOCAL_TIMEOUT_S = 600.0  # any other server: a CPU server may need minutes per request
_DONE = object()



def server_identity(url: str) -> str:
    """Which server answers, for the cache key and generator id: the host, with its port when
    the URL names one and its path when it is not OpenAI's ``/v1`` (credentials never enter:
    ``url`` is public). Two servers on one host (:8000 and :8001) had shared their cached
    replies, a reviewer found; ``api.openai.com`` and a plain host keep the id they had."""
    parts = urlsplit(url)
    host = parts.hostname or url
    try:
        port = parts.port
    except ValueError:  # the value is not echoed: it may hold a password
        raise LittleHumanError("--base-url has a port that is not a number from 0 to 65535 "
                               "(e.g. http://localhost:8000/v1)") from None
    if port:
        host += f":{port}"
    path = parts.path.rstrip("/")
    return host + (path if path not in ("", "/v1") else "")

class _GaveUp:
    """Marks a request given up on (after its retries), for the consumer's count."""

    def __init__(self, index: int) -> None:
        self.index = index


def token_count(value: Any) -> int | None:
    """A usage field as a count of tokens, or None where the server sent none or no number
    (``"prompt_tokens": "ten"`` had stopped a paid generation, whose rerun paid again)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal():
        try:
            return int(value.strip())
        except ValueError:  # digits int() does not read
            return None
    return None


def text_of_parts(content: Any) -> Any:
    """A chat message's content as text: a list of parts (``[{"type": "text", "text":
    ...}]``, which some servers send) joined; anything else as it is."""
    if not isinstance(content, list):
        return content

    def text(part: Any) -> Any:  # a text part's text; a reasoning part's is not the answer
        get = part.get if isinstance(part, dict) else functools.partial(getattr, part)
        return get("text", None) if get("type", "text") == "text" else None

    texts = [t for t in map(text, content) if isinstance(t, str)]
    return "".join(texts) if texts else None


class _Malformed(Exception):
    """A 200 reply without a usable completion (``cause``: ``empty`` or ``bad_json``)."""

    def __init__(self, message: str, cause: str = "empty") -> None:
        super().__init__(message)
        self.cause = cause


#: environment variable naming the HTTP client under the SDK: "aiohttp" (the default where
#: the SDK's aiohttp client is installed, the ``openai[aiohttp]`` extra this package asks
#: for) or "httpx" (the SDK's own default)
HTTP_CLIENT_ENV = "LITTLEHUMAN_OPENAI_HTTP"
HTTP_CLIENTS = ("aiohttp", "httpx")


def http_client_kind(base_url: str, wanted: str | None = None) -> str:
    """The HTTP client the backend sends with: ``wanted`` (else :data:`HTTP_CLIENT_ENV`, else
    "aiohttp"), where it can: aiohttp needs the SDK's aiohttp client installed and a base URL
    without user-info (aiohttp refuses a URL's credentials beside the SDK's Authorization
    header, where httpx sends them as Basic auth). aiohttp took 14-21% less of the client's CPU
    a request than httpx, for 3-9% more requests a second at concurrency 64 (``bench/
    generation.py``, 2 cores, 2026-12-06): the client's CPU is what caps the rate on a small
    machine."""
    wanted = (wanted or os.environ.get(HTTP_CLIENT_ENV) or "aiohttp").strip().lower()
    if wanted not in HTTP_CLIENTS:
        raise LittleHumanError(f"{HTTP_CLIENT_ENV}={wanted!r}: choose aiohttp or httpx "
                               "(or leave it unset)")
    if wanted == "aiohttp" and _aiohttp_installed() and urlsplit(base_url).username is None:
        return "aiohttp"
    return "httpx"


@functools.lru_cache(maxsize=1)
def _aiohttp_installed() -> bool:
    """Whether the SDK's aiohttp client can be built (openai >= 1.9x with its aiohttp extra;
    without the extra the SDK's class raises RuntimeError when built). Its aiohttp session
    opens at the first request, so building one here opens nothing."""
    import openai

    client_class = getattr(openai, "DefaultAioHttpClient", None)
    if client_class is None:
        return False
    try:
        client_class(trust_env=False)  # the proxy variables are read where it is used
    except RuntimeError:
        return False
    return True


def default_timeout(base_url: str) -> float:
    """Seconds per request when none is given: 60 for api.openai.com, else 600."""
    host = urlsplit(base_url).hostname or ""
    return OPENAI_TIMEOUT_S if host.endswith("api.openai.com") else LOCAL_TIMEOUT_S


class RateLimiter:
    """Paces request starts to ``rpm`` requests and ``tpm`` tokens per minute (None: no
    limit). A token bucket that holds one request: each request books the next free start
    time of both budgets, so starts are evenly spaced rather than bursty."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None) -> None:
        self.rpm, self.tpm = rpm, tpm
        self._next_request = 0.0  # monotonic time the request budget is free again
        self._next_token = 0.0

    def reserve(self, tokens: int) -> float:
        """Book a start for a request of ``tokens``; the seconds to wait before it."""
        now = time.monotonic()
        start = max(now, self._next_request, self._next_token)
        if self.rpm:
            self._next_request = start + 60.0 / self.rpm
        if self.tpm:
            self._next_token = start + 60.0 * tokens / self.tpm
        return start - now

    async def wait(self, tokens: int) -> None:
        await asyncio.sleep(self.reserve(tokens))


class Slots:
    """At most ``n`` requests in flight, handed out first come first served, except that a
    request being re-sent (after a 429, a 5xx, a timeout...) goes before every first send:
    with thousands of requests queued, a retry would otherwise wait behind all of them (and a
    kill meanwhile would leave it neither answered nor known to have failed)."""

    def __init__(self, n: int) -> None:
        self.free = int(n)
        self._waiting: tuple[collections.deque, collections.deque] = (
            collections.deque(), collections.deque())  # (re-sends, first sends)

    @contextlib.asynccontextmanager
    async def hold(self, resend: bool = False) -> AsyncIterator[None]:
        await self._acquire(resend)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, resend: bool) -> None:
        if self.free > 0 and not (self._waiting[0] or self._waiting[1]):
            self.free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[0 if resend else 1].append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # it was handed a slot just as it was cancelled
            raise

    def _release(self) -> None:
        for queue_ in self._waiting:
            while queue_:
                waiter = queue_.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self.free += 1


def retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked to wait (``retry-after-ms`` or ``Retry-After``), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    return None


class OpenAIBase(Backend):
    """What the chat and Batch backends share: the key (read from the environment when built,
    so a missing one fails before any work), the model, the base URL, ``params``
    (temperature, max_new_tokens, the server's host, seed when set; never the key), the bill
    of the calls answered so far and ``complete`` over ``complete_iter``."""

    usage_log: list[dict[str, int | None]]
    local = False

    @staticmethod
    def _profile_kwargs(profile: "Profile") -> dict[str, Any]:
        """The constructor settings both API backends take from a profile (no seed: the
        server samples; ``model`` only when ``gen_model`` names one)."""
        kwargs: dict[str, Any] = {"temperature": profile.temperature,
                                  "max_new_tokens": profile.max_new_tokens,
                                  "api_key_env": profile.api_key_env,
                                  "base_url": profile.base_url or None}
        if profile.gen_model:
            kwargs["model"] = profile.gen_model
        return kwargs

    def _setup(self, model: str, temperature: float, max_new_tokens: int,
               base_url: str | None, api_key_env: str, seed: int | None) -> None:
        self._key = Secret(api_key(api_key_env))
        self.api_key_env = api_key_env
        self.model = str(model)
        if len(self._key.reveal()) < 8 and self._key.reveal().lower() in self.model.lower():
            forget(self._key.reveal())  # a dummy key named after the model: no secret
        url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        problem = base_url_problem(url, "--base-url" if base_url else "OPENAI_BASE_URL")
        if problem:
            raise LittleHumanError(problem)
        self._base_url = Secret(url)  # may carry user:password@: sent, never shown
        self.base_url = public_url(url)
        self.params: dict[str, Any] = {
            "temperature": float(temperature), "max_new_tokens": int(max_new_tokens),
            "host": server_identity(self.base_url)}
        if seed is not None:
            self.params["seed"] = int(seed)
        self.usage_log = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, params={self.params!r})"

    def cost(self, batch: bool | None = None, prices: Any = None) -> dict[str, Any]:
        """Tokens and dollars of every call answered so far (see ``cost.cost``), at Batch API
        prices when ``batch`` (default: this backend's ``batch_pricing``)."""
        batch = self.batch_pricing if batch is None else batch
        return cost(self.usage_log, self.model, batch=batch, prices=prices)

    def complete(self, batch: list[list[dict[str, str]]]) -> list[Reply]:
        replies: list[Reply | None] = [None] * len(batch)
        for i, reply in self.complete_iter(batch):  # type: ignore[attr-defined]
            replies[i] = reply
        return [Completion("") if r is None else r for r in replies]


def server_error(response: Any) -> str | None:
    """The message of a 200 reply whose body is an error object (``{"error": {...}}``, as
    some proxies and servers answer an overload) and holds no choices, scrubbed; else None."""
    if getattr(response, "choices", None):
        return None
    extra = getattr(response, "model_extra", None) or {}
    error = getattr(response, "error", None) or extra.get("error")
    if error is None:
        return None
    if isinstance(error, dict):
        error = error.get("message") or json.dumps(error, default=str)
    said = scrub(" ".join(str(error).split()))
    return said if len(said) <= 200 else said[:200] + "..."


def _status(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


#: what a failed send ran into (:func:`cause`) that resending the same request would not
#: mend: the reply comes back as ``""`` at once and the caller asks again with fresh
#: examples. An empty completion (a content filter, a null content; at temperature 0 the
#: same request gets it again) used to be resent up to ``max_retries`` times first.
ASKED_AGAIN = ("too_long", "empty")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from, outermost first."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def refused_connection(exc: BaseException) -> bool:
    """Whether aiohttp failed to connect or lost the connection (refused, reset, closed
    without a reply, a TLS failure) under an SDK error: the SDK's aiohttp transport maps every
    ``aiohttp.ClientConnectionError`` to a connect *timeout*, and the advice then said to raise
    ``--request-timeout`` for a server that is not running (a reviewer's find, 2026-12-06)."""
    try:
        import aiohttp
    except ImportError:
        return False
    return any(isinstance(e, aiohttp.ClientConnectionError)
               and not isinstance(e, (asyncio.TimeoutError, TimeoutError)) for e in _chain(exc))


def unreachable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the server could not be connected to (refused, reset, gone), not
    that it was slow: through httpx an ``APIConnectionError`` that is no time-out, through
    aiohttp :func:`refused_connection`."""
    import openai

    if exc is None or plain_http_server(exc):
        return False
    return refused_connection(exc) or (isinstance(exc, openai.APIConnectionError)
                                       and not isinstance(exc, openai.APITimeoutError))


def unread_reply(exc: BaseException) -> BaseException | None:
    """The aiohttp error under ``exc`` where aiohttp's strict HTTP parser could not read a
    reply that httpx reads (a header over 8,190 bytes, bare line feeds, a folded header, a
    duplicated Content-Length...) or that is not HTTP at all; the SDK lets it through
    unwrapped, and its ``status`` of 400 is aiohttp's, not the server's. None otherwise. The
    backend resends such a request through httpx (:meth:`OpenAIChatBackend._request`)."""
    try:
        import aiohttp
    except ImportError:
        return None
    import openai

    if isinstance(exc, openai.APIError):
        return None
    return next((e for e in _chain(exc) if isinstance(e, aiohttp.ClientResponseError)), None)


def plain_http_server(exc: BaseException) -> bool:
    """Whether ``exc`` is TLS meeting a server that answers in plain HTTP (an https:// URL for
    an http:// server): no retry mends that (a reviewer's run retried it for 94 s, then said
    to check the server was running)."""
    import ssl

    return any(isinstance(e, ssl.SSLError) and "WRONG_VERSION_NUMBER" in str(e)
               for e in _chain(exc))


def _retryable(exc: BaseException) -> bool:
    import openai

    if plain_http_server(exc):
        return False
    if isinstance(exc, _Malformed):
        return exc.cause != "empty"  # an empty completion is asked again, not resent
    if unread_reply(exc) is not None:
        return True  # resent through httpx
    if isinstance(exc, openai.APIConnectionError):
        return True  # APITimeoutError is an APIConnectionError
    if isinstance(exc, (openai.APIResponseValidationError, json.JSONDecodeError)):
        return True  # a 200 whose body the SDK could not read (cut short, say)
    status = _status(exc)
    if status is None or getattr(exc, "code", None) == "insufficient_quota":
        return False
    return status in (408, 409, 429) or status >= 500


#: how servers say a request is longer than the model's context (OpenAI: code
#: context_length_exceeded; vLLM: "This model's maximum context length is ..."; others)
_TOO_LONG = re.compile(r"context[ _]length|context window|maximum context|too long|too many "
                       r"tokens|exceeds? the (?:model'?s? )?(?:maximum|max|limit)", re.I)


def refused_as_too_long(status: int | None, code: Any, message: str) -> bool:
    """Whether a refusal (HTTP status, error code, message) says the request does not fit the
    model's context: a fault of that one request (its few-shot examples), not of the run's
    settings."""
    return status == 413 or status == 400 and (code == "context_length_exceeded"
                                               or bool(_TOO_LONG.search(message)))


def too_long(exc: BaseException) -> bool:
    """:func:`refused_as_too_long` for an SDK error."""
    return refused_as_too_long(_status(exc), getattr(exc, "code", None), describe(exc))


def cause(exc: BaseException) -> str:
    """What a failed send ran into, as the event names it: ``429``, ``5xx``, ``timeout``,
    ``connection``, ``bad_json``, ``empty``, ``too_long`` (else ``other``)."""
    import openai

    if isinstance(exc, _Malformed):
        return exc.cause
    if unread_reply(exc) is not None or refused_connection(exc):
        return "connection"
    if too_long(exc):
        return "too_long"
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, (openai.APIResponseValidationError, json.JSONDecodeError)):
        return "bad_json"
    status = _status(exc) or 0
    if status == 429:
        return "429"
    if status == 408:
        return "timeout"
    return "5xx" if status >= 500 or status == 409 else "other"


def describe(exc: BaseException) -> str:
    """An SDK error as one line, with any key scrubbed. Where the SDK found no OpenAI-shaped
    message (``Error code: 400`` alone), the server's own body is quoted: FastAPI servers
    (``transformers serve``) answer ``{"detail": ...}`` or plain text."""
    root = refused_connection(exc) and next(e for e in _chain(exc) if e.__cause__ is None)
    if root:  # aiohttp's own words ("Cannot connect to host ..."), not the SDK's "timed out"
        exc = root
    text = getattr(exc, "message", None) or str(exc) or "no message"
    if _status(exc) is None and not isinstance(exc, _Malformed):  # SDK errors: name the kind
        text = f"{type(exc).__name__}: {text}"
    body = getattr(exc, "body", None)
    if re.fullmatch(r"Error code: \d+", text.strip()) and body:
        if isinstance(body, dict):
            body = body.get("detail") or body.get("message") or body.get("error") or body
        said = body if isinstance(body, str) else json.dumps(body, default=str)
        text = f"{text}: {said}"
    text = scrub(" ".join(str(text).split()))  # scrubbed whole: a cut could split a key
    return text if len(text) <= 400 else text[:400] + "..."


class OpenAIChatBackend(OpenAIBase):
    """Chat completions from ``model`` at ``base_url`` (default: OpenAI, or the environment's
    ``OPENAI_BASE_URL``; give OpenAI-compatible servers their ``.../v1`` URL).

    ``params`` (hence the cache key and generator id) hold ``temperature``, ``max_new_tokens``,
    the server's ``host`` and ``seed`` when set; never the key. Counters: ``usage_log`` (one
    ``{"prompt_tokens", "completion_tokens"}`` per answered call, as the server reports them;
    see :meth:`cost`), ``attempts`` (HTTP requests sent, retries included) and ``failures``.
    ``backoff_s`` scales the exponential backoff (the first retry waits up to that long).
    ``http_client``: "aiohttp" or "httpx" (None: :data:`HTTP_CLIENT_ENV`, else aiohttp where
    it can, :func:`http_client_kind`).
    """

    name = "openai"

    @classmethod
    def from_profile(cls, profile: "Profile") -> "OpenAIChatBackend":
        """The profile's model, server, key variable, sampling and pacing (0 = unset for
        rpm, tpm and request_timeout)."""
        return cls(**cls._profile_kwargs(profile), concurrency=profile.concurrency,
                   rpm=profile.rpm or None, tpm=profile.tpm or None, endpoint=profile.endpoint,
                   timeout_s=profile.request_timeout or None)

    def __init__(
        self,
        model: str = "gpt-3.5-turbo",
        temperature: float = 1.0,
        max_new_tokens: int = 120,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 16,
        rpm: float | None = None,
        tpm: float | None = None,
        timeout_s: float | None = None,
        max_retries: int = 6,
        seed: int | None = None,
        backoff_s: float = 1.0,
        endpoint: str = "chat",
        http_client: str | None = None,
    ) -> None:
        if int(concurrency) < 1 or int(max_new_tokens) < 1 or int(max_retries) < 0:
            raise LittleHumanError(
                "openai backend: concurrency and max_new_tokens must be >= 1 and max_retries >= 0"
            )
        if (rpm is not None and rpm <= 0) or (tpm is not None and tpm <= 0):
            raise LittleHumanError("openai backend: rpm and tpm must be positive (or unset)")
        if endpoint not in ENDPOINTS:
            raise LittleHumanError(f"unknown --endpoint {endpoint!r}: choose chat or completions")
        if timeout_s is not None and float(timeout_s) <= 0:
            raise LittleHumanError("--request-timeout must be a positive number of seconds")
        self._setup(model, temperature, max_new_tokens, base_url, api_key_env, seed)
        self.endpoint = endpoint
        if endpoint != "chat":  # chat keeps the cache keys and generator ids it always had
            self.params["endpoint"] = endpoint
        self.concurrency = int(concurrency)
        self.rpm, self.tpm = rpm, tpm
        self.timeout_s = float(timeout_s) if timeout_s is not None else default_timeout(self.base_url)
        self.max_retries = int(max_retries)
        self.backoff_s = float(backoff_s)
        self.http_client = http_client_kind(self._base_url.reveal(), http_client)
        self.attempts = 0
        self.failures = 0
        self.answered = False  # the server has answered a request (its outages are waited out)
        self._backlog: Callable[[], int] = lambda: 0  # replies not yet handled (set per run)

    takes_feed = True

    def complete_iter(self, batch: list[list[dict[str, str]]] | RequestFeed
                      ) -> Iterator[tuple[int, Reply]]:
        """``(index in batch, reply)`` as each request is answered, in completion order.

        ``batch`` may be a :class:`RequestFeed`: requests the caller puts while handling a
        reply are sent at once, in the slots that free up. The requests run on an event loop
        in a worker thread (so this works inside a notebook's running loop too); closing the
        iterator early cancels what is in flight.
        """
        feed = batch if isinstance(batch, RequestFeed) else RequestFeed(batch)
        if not len(feed):
            return
        results: queue.SimpleQueue = queue.SimpleQueue()
        loop = asyncio.new_event_loop()
        task = loop.create_task(self._run(feed, results.put))

        def run() -> None:
            try:
                loop.run_until_complete(task)
            except BaseException as exc:  # handed to the consumer below
                results.put(exc)
            finally:
                loop.run_until_complete(loop.shutdown_default_executor())
                results.put(_DONE)
                loop.close()

        thread = threading.Thread(target=run, name="openai-chat", daemon=True)
        thread.start()
        try:
            while (item := results.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, _GaveUp):
                    feed.settle(item.index)
                    continue
                yield item
                feed.settle(item[0])  # after the caller handled it (and maybe put more)
        finally:
            feed.close()  # frees the loop's wait for more requests
            if thread.is_alive():
                try:
                    loop.call_soon_threadsafe(task.cancel)
                except RuntimeError:  # the loop closed meanwhile
                    pass
                thread.join()

    async def _run(self, feed: RequestFeed, emit: Callable[[Any], None]) -> None:
        limiter = RateLimiter(self.rpm, self.tpm)
        slots = Slots(self.concurrency)
        gave_up: list[BaseException] = []
        clients: dict[str, Any] = {}
        closing = contextlib.AsyncExitStack()

        async def client() -> Any:
            """The SDK client of the HTTP client in use (built at its first request)."""
            kind = self.http_client
            if kind not in clients:  # set before the await: one client per kind
                clients[kind] = self._client(kind)
                await closing.enter_async_context(clients[kind])
            return clients[kind]

        emitted = [0]

        def hand_over(item: Any) -> None:
            emitted[0] += 1
            emit(item)

        # backpressure: a reply is safe only once the consumer has stored it, so no request
        # is sent while `concurrency` replies wait for the consumer (a kill then loses at most
        # those and the ones in flight)
        self._backlog = lambda: emitted[0] - feed.settled

        async def one(i: int, messages: list[dict[str, str]]) -> None:
            try:
                reply = await self._request(client, slots, limiter, i, messages)
            except Exception as exc:
                if isinstance(exc, OSError):  # ours (a full disk under the send log), not the
                    emit(exc)  # server's: the one line the CLI gives any OS error
                    return
                kind = cause(exc)
                if kind not in ASKED_AGAIN and not _retryable(exc):  # stops everything
                    emit(LittleHumanError(self._fatal(exc)))  # (the consumer raises it)
                    return
                self.failures += 1
                self._event(i, f"failed:{kind}")
                if kind in ASKED_AGAIN:
                    reply: Reply = ""  # asked again with fresh examples by the caller
                else:
                    gave_up.append(exc)
                    hand_over(_GaveUp(i))
                    return
            hand_over((i, reply))

        loop = asyncio.get_running_loop()
        tasks: list[asyncio.Future] = []
        await client()  # a proxy setting the HTTP client cannot read fails here, in one line
        async with closing:
            try:
                while (indexes := await loop.run_in_executor(None, feed.take)) is not None:
                    tasks += [asyncio.ensure_future(one(i, feed.messages[i])) for i in indexes]
                await asyncio.gather(*tasks)
            finally:
                for pending in tasks:
                    pending.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        if gave_up:
            raise LittleHumanError(self._gave_up(gave_up, len(feed)))

    def _client(self, kind: str) -> Any:
        """An SDK client sending through ``kind`` ("aiohttp" or "httpx"); an environment the
        HTTP client cannot read (a malformed ``HTTP_PROXY``) is one line, scrubbed."""
        import openai

        try:
            transport = ({"http_client": openai.DefaultAioHttpClient(timeout=self.timeout_s)}
                         if kind == "aiohttp" else {})
            return openai.AsyncOpenAI(api_key=self._key.reveal(),
                                      base_url=self._base_url.reveal(), max_retries=0,
                                      timeout=self.timeout_s, **transport)
        except Exception as exc:
            raise LittleHumanError(
                f"openai backend: the HTTP client cannot be set up ({describe(exc)}): check "
                "the proxy variables (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY)") from None

    def _gave_up(self, errors: list[BaseException], total: int) -> str:
        """One line: how many requests failed, on what, the server's words, what to try."""
        causes = sorted({cause(e) for e in errors})
        last = errors[-1]
        said = describe(last)
        said = said if len(said) <= 300 else said[:300] + "..."
        advice = {
            "timeout": f"the server took longer than {self.timeout_s:g} s a request: give it "
                       "more with --request-timeout SECONDS (or a lower --concurrency)",
            "429": "the server is rate-limiting: lower --concurrency or set --rpm/--tpm",
            "connection": f"check that the server at {self.base_url} is running and reachable",
            "bad_json": "the server (or a proxy in front of it) answers pages that are not "
                        "JSON completions: check --base-url",
        }
        hint = "; ".join(advice[c] for c in causes if c in advice)
        if "chat template" in said.lower() or "chat_template" in said.lower():
            hint = ("the server has no chat template for this model (a base model): use "
                    "--endpoint completions")
        elif causes == ["5xx"] and self.endpoint == "chat":
            hint = ("the server keeps failing: check its logs; a base model without a chat "
                    "template fails this way (transformers serve answers a bare 500): then "
                    "use --endpoint completions")
        elif not hint:
            hint = "the server keeps failing: check its logs"
        kept = ("none was answered" if len(errors) == total else
                "the others were answered and kept")
        # no connection, or no reply in time: the words quoted are the client's
        who = "the client said" if cause(last) in {"connection", "timeout"} else "the server said"
        tried = (f"{OUTAGE_S:g} s of retries (the server had answered before)"
                 if self.answered and unreachable(last) else f"{self.max_retries} retries")
        return (f"openai backend: {len(errors)} of {total} requests still failed after "
                f"{tried} ({', '.join(causes)}; {who}: {said}); "
                f"{kept}: {hint}, then rerun to send only these")

    async def _request(self, client: Callable[[], Awaitable[Any]], slots: Slots,
                       limiter: RateLimiter, index: int,
                       messages: list[dict[str, str]]) -> Completion:
        """One request with its retries; ``client()`` gives the SDK client to send with. A
        reply aiohttp cannot read (:func:`unread_reply`) switches the backend to httpx, for
        this request's resend and every later one."""
        tokens = estimate_tokens(messages) + self.params["max_new_tokens"]
        extra = {"seed": self.params["seed"]} if "seed" in self.params else {}
        retrying = AsyncRetrying(
            stop=self._stop,
            retry=retry_if_exception(_retryable),
            wait=self._wait,
            before_sleep=lambda state: log.info(
                "openai: retry %d after %s", state.attempt_number,
                describe(state.outcome.exception())),
            reraise=True,
        )
        previous: BaseException | None = None
        async for attempt in retrying:
            with attempt:
                async with slots.hold(resend=previous is not None):
                    while self._backlog() >= self.concurrency:
                        await asyncio.sleep(0.005)
                    await limiter.wait(tokens)
                    self.attempts += 1
                    self._event(index, "sent" if previous is None else f"retry:{cause(previous)}")
                    try:
                        sdk = await client()
                        if self.endpoint == "completions":
                            sending = sdk.completions.create(
                                model=self.model, prompt=render_plain(messages),
                                temperature=self.params["temperature"],
                                max_tokens=self.params["max_new_tokens"],
                                stop=list(COMPLETION_STOPS), **extra)
                        else:
                            sending = sdk.chat.completions.create(
                                model=self.model, messages=messages,
                                temperature=self.params["temperature"],
                                max_tokens=self.params["max_new_tokens"], **extra)
                        response = await self._in_time(sending)
                        self.answered = True
                    except Exception as exc:
                        previous = exc
                        unread = unread_reply(exc)
                        if unread is not None and self.http_client == "aiohttp":
                            said = scrub(" ".join(str(unread).split()))
                            log.warning("openai: aiohttp could not read a reply of %s (%s): "
                                        "sending through httpx from now on", self.params["host"],
                                        said if len(said) <= 200 else said[:200] + "...")
                            self.http_client = "httpx"
                        raise
                try:
                    return self._reply(response)
                except _Malformed as exc:
                    previous = exc
                    raise
        raise AssertionError("unreachable: tenacity returns or re-raises")

    async def _in_time(self, sending: Awaitable[Any]) -> Any:
        """``sending``'s reply within ``timeout_s`` in all: the HTTP clients time out only
        between reads, so a reply that trickled in had taken 13 s under a 2 s timeout (a
        reviewer's server); past it, the SDK's own timeout error (retried as one)."""
        import httpx
        import openai

        try:
            return await asyncio.wait_for(sending, self.timeout_s)
        except asyncio.TimeoutError:
            path = "completions" if self.endpoint == "completions" else "chat/completions"
            url = f"{self.base_url.rstrip('/')}/{path}"  # public: no password in it
            raise openai.APITimeoutError(request=httpx.Request("POST", url)) from None

    def _stop(self, state: Any) -> bool:
        """Stop retrying after ``max_retries``, unless the server answered before and now
        cannot be reached: then for up to :data:`OUTAGE_S` from the request's first send."""
        if state.attempt_number <= self.max_retries:
            return False
        outage = self.answered and unreachable(state.outcome.exception())
        return not (outage and state.seconds_since_start < OUTAGE_S)

    def _wait(self, state: Any) -> float:
        asked = retry_after(state.outcome.exception())
        if asked is not None:
            return min(asked, MAX_RETRY_AFTER_S)
        return wait_random_exponential(multiplier=self.backoff_s, max=MAX_BACKOFF_S)(state)

    def _reply(self, response: Any) -> Completion:
        """The completion and its tokens; records the call's usage first (a malformed reply
        is billed too). A body that was not JSON reaches us as a ``str`` (the SDK returns a
        non-JSON content type as text): ``bad_json``."""
        if isinstance(response, (str, bytes)):
            raise _Malformed("the server answered 200 with a body that is not JSON", "bad_json")
        usage = getattr(response, "usage", None)
        tokens = {k: token_count(getattr(usage, k, None))
                  for k in ("prompt_tokens", "completion_tokens")}
        self.usage_log.append(tokens)
        error = server_error(response)
        if error is not None:  # a 200 whose body is an error: resent like a 5xx, never kept
            raise _Malformed(f"the server answered 200 with an error: {error}", "5xx")
        if not isinstance(getattr(response, "choices", None), list):  # a body of [] or null:
            # a broken server, resent, not a model's empty answer asked again with new examples
            raise _Malformed("the server answered 200 with JSON that is not a completion",
                             "bad_json")
        try:
            choice = response.choices[0]
            text = choice.text if self.endpoint == "completions" else choice.message.content
        except (AttributeError, IndexError, KeyError, TypeError):
            choice, text = None, None
        text = text_of_parts(text)
        cut = getattr(choice, "finish_reason", None) == "length"
        if isinstance(text, str) and self.endpoint == "completions":
            cut = cut and not whole_at_limit(text)  # no end came before the limit
            text = cut_reply(text)  # a base model runs on past its reply
        if not isinstance(text, str) or not text.strip():
            raise _Malformed("the server answered without a completion text")
        # a server that echoes the request's Authorization header into its reply (a
        # reviewer's): the key would reach the cache, page 01 and its HTML
        return Completion(scrub_known(text.strip()), **tokens, truncated=cut)

    def _fatal(self, exc: BaseException) -> str:
        host = self.params["host"]
        if plain_http_server(exc):
            return (f"openai backend: {host} answers in plain HTTP, not TLS "
                    f"({describe(exc)}): use http:// in --base-url, not https://")
        status = _status(exc)
        hint = {
            401: key_hint(self.api_key_env, self._base_url.reveal()),
            403: f"check that the key may use model {self.model!r}",
            404: f"check the model name {self.model!r} and that base_url ends in /v1",
        }.get(status or 0, "fix the request or the server settings")
        if getattr(exc, "code", None) == "insufficient_quota":
            hint = "the account is out of credit: check its plan and billing"
        said = describe(exc).lower()
        if "chat template" in said or "chat_template" in said:  # vLLM answers 400 for a base model
            hint = "the model has no chat template (a base model): use --endpoint completions"
        elif "pinned to" in said or "model" in said and re.search(
                r"does not exist|not found|not served", said):
            # transformers serve: 400 "Server is pinned to '<dir>'; requested '<name>'"
            hint = (f"the server does not serve model {self.model!r}: give --gen-model the "
                    "name it serves (its /v1/models lists them)")
        return f"openai backend: {host} refused a request ({describe(exc)}): {hint}"
