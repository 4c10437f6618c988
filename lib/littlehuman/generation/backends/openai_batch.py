"""OpenAI chat completions through the Batch API, at half the price, with results within the
``completion_window`` (24 h) instead of seconds.

Requests become JSONL lines ``{"custom_id", "method", "url", "body"}``, split into files of at
most ``max_requests_per_file`` requests and ``max_bytes_per_file`` bytes (the API's limits:
50,000 and 200 MB); each file is uploaded and run as one batch, polled every ``poll_s``
seconds (a tqdm bar counts requests completed / total). Results are joined back by
``custom_id`` (the caller's stable request keys), never by line order.

Resuming: a JSON state file per set of requests (under ``state_dir``, default
``data/batches``) records each file id the moment it is uploaded, marks its part
``"creating"`` just before ``batches.create`` is sent and records the batch id the moment the
batch exists (each write to a temp file, then renamed), so a rerun after a crash or a kill
polls the same batches instead of paying twice. A rerun that finds a part still
``"creating"`` (killed, or failed, while the create was in flight) first looks for a batch of
that input file (``batches.list``, newest first, paging back to the file's upload time) and
adopts it; only when there is none does it create one. A rerun asking for a subset of an
unfinished set (the rest were answered and cached) resumes that set; one asking for more
merges the unfinished sets it overlaps into one state. The state file is removed once every
request is answered or given up. One process at a time per state dir and model setup.

Failures: every request is sent at most ``MAX_SENDS`` (2) times: a request in the error file
(``request_error``), missing from the output of an expired (``expired``), failed or cancelled
(``failed``) batch, or answered with a 200 that has no choices or no text (``empty``) is
resubmitted once in a new batch. Failing again: an ``empty`` one is yielded as ``""`` (the
generation layer then asks again with fresh examples under a new cache key), as is at once,
without a resubmission, one refused as longer than the model's context (``too_long``); any other is not
yielded, and the run ends with a LittleHumanError once every other request has been yielded,
so a rerun sends only those. Both kinds count in ``failures``. Every send and give-up is
reported to ``on_event`` (``sent``, ``retry:<cause>``, ``failed:<cause>``). HTTP errors are
retried by the SDK (``max_retries``); what still fails stops the run with the state kept, to
resume. The API key is read from the environment when the backend is built, held in a
:class:`~littlehuman.secrets.Secret` and scrubbed from every message; the base URL
is only ever written without its user-info (``public_url``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from tqdm.auto import tqdm

from littlehuman.errors import LittleHumanError
from littlehuman.generation.backends.base import Completion
from littlehuman.generation.backends.openai_chat import (ASKED_AGAIN, OpenAIBase, describe,
                                                           refused_as_too_long, text_of_parts,
                                                           token_count)
from littlehuman.generation.cache import request_key
from littlehuman.paths import atomic_write, cache_dir
from littlehuman.secrets import key_hint, public_url, scrub, scrub_known

if TYPE_CHECKING:
    from littlehuman.config import Profile

log = logging.getLogger(__name__)
ENDPOINT = "/v1/chat/completions"
TERMINAL = ("completed", "failed", "expired", "cancelled")  # a batch that will not change
MAX_SENDS = 2  # each request is sent at most twice: once, then resubmitted once
LIST_PAGE = 100  # batches per page when looking for a batch whose create reply was lost
CLOCK_SLACK_S = 3600  # a batch listed this long before its file's upload time cannot be ours
STATE_VERSION = 1
LONG_TIMEOUT_S = 600.0  # uploads and downloads of files up to 200 MB


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class BatchState:
    """The persisted record of one set of requests: its ``custom_ids`` and its ``jobs``, one
    per uploaded file: ``{"ids", "file_id", "file_created_at" (server time), "batch_id" (None
    until created), "status" (``"uploaded"``, ``"creating"`` while the create may be in
    flight, then the batch's), "collected" (its results were yielded), "failed" (its ids
    without an answer), "causes" (why each failed: ``request_error``, ``expired``,
    ``failed``, ``empty``)}``."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path, self.data = path, data

    @property
    def jobs(self) -> list[dict[str, Any]]:
        return self.data["jobs"]

    def sends(self) -> Counter:
        """How many created batches each custom id was in."""
        return Counter(cid for job in self.jobs if job["batch_id"] for cid in job["ids"])

    def save(self) -> None:
        """Write atomically (temp file, fsync, rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.data).encode("utf-8")
        atomic_write(self.path, lambda handle: handle.write(text))

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    @staticmethod
    def load(path: Path) -> dict[str, Any]:
        """The batch state stored at ``path``; a LittleHumanError when it cannot be read (it
        names batches already paid for, so it is never silently replaced)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION or not isinstance(data.get("jobs"), list) \
                    or not isinstance(data.get("custom_ids"), list):
                raise ValueError("not a version-1 batch state")
            return data
        except (OSError, ValueError, AttributeError) as exc:
            raise LittleHumanError(
                f"openai-batch: cannot read the batch state {path} ({exc}): it names batches "
                "already paid for; fix or delete it (deleting resubmits those requests)"
            ) from None

    @classmethod
    def open(cls, state_dir: Path, identity: str, custom_ids: list[str],
             summary: dict[str, Any]) -> "BatchState":
        """The unfinished state of these ids: the one state of the same ``identity`` that
        holds them all; else every state of that identity sharing some of them, merged with
        the new ids into one (saved before the old files go); else a new (unsaved) state."""
        prefix = _digest(identity)[:16]

        def path_of(ids: list[str]) -> Path:
            return state_dir / f"{prefix}-{_digest(chr(10).join(ids))[:16]}.json"

        exact = path_of(custom_ids)
        if exact.exists():
            return cls(exact, cls.load(exact))
        wanted = set(custom_ids)
        found = [(p, cls.load(p)) for p in sorted(state_dir.glob(f"{prefix}-*.json"))
                 ] if state_dir.is_dir() else []
        overlapping = [(p, d) for p, d in found if wanted & set(d["custom_ids"])]
        if len(overlapping) == 1 and wanted <= set(overlapping[0][1]["custom_ids"]):
            return cls(*overlapping[0])
        data = {"version": STATE_VERSION, "identity": summary, "custom_ids": custom_ids,
                "jobs": [], "last_error": None}
        if not overlapping:
            return cls(exact, data)
        union = sorted(wanted.union(*(d["custom_ids"] for _, d in overlapping)))
        jobs = {job["file_id"]: job for _, d in overlapping for job in d["jobs"]}
        merged = cls(path_of(union), {**data, "custom_ids": union, "jobs": list(jobs.values())})
        merged.save()
        for old, _ in overlapping:
            if old != merged.path:
                old.unlink(missing_ok=True)
        return merged


class OpenAIBatchBackend(OpenAIBase):
    """Chat completions from ``model`` through the Batch API at ``base_url`` (default: OpenAI,
    or the environment's ``OPENAI_BASE_URL``).

    ``params`` (hence the cache key and generator id) hold ``temperature``,
    ``max_new_tokens``, the server's ``host`` and ``seed`` when set, as the chat backend's
    do; never the key. Counters: ``usage_log`` (one ``{"prompt_tokens",
    "completion_tokens"}`` per answered request; see :meth:`cost`), ``failures``, and
    ``uploads``/``batches_created`` (files and batches this object sent).
    """

    name = "openai-batch"
    batch_pricing = True

    @classmethod
    def from_profile(cls, profile: "Profile") -> "OpenAIBatchBackend":
        """The profile's model, server, key variable, sampling and ``batch_poll_s``; chat only
        (``--endpoint completions`` is a LittleHumanError)."""
        if profile.endpoint != "chat":
            raise LittleHumanError(
                f"--endpoint {profile.endpoint} is for --generator openai: the Batch API "
                "backend sends chat completions only; drop --endpoint or use --generator openai")
        return cls(**cls._profile_kwargs(profile), poll_s=profile.batch_poll_s)

    def __init__(
        self,
        model: str = "gpt-3.5-turbo",
        temperature: float = 1.0,
        max_new_tokens: int = 120,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        seed: int | None = None,
        poll_s: float = 30.0,
        timeout_s: float = 60,
        max_requests_per_file: int = 50_000,
        max_bytes_per_file: int = 200 * 1024 * 1024,
        completion_window: str = "24h",
        state_dir: str | os.PathLike | None = None,
        max_retries: int = 5,
        progress: bool = True,
    ) -> None:
        if int(max_new_tokens) < 1 or int(max_requests_per_file) < 1 or int(max_bytes_per_file) < 1:
            raise LittleHumanError("openai-batch backend: max_new_tokens, max_requests_per_file "
                                   "and max_bytes_per_file must be >= 1")
        if float(poll_s) < 0 or int(max_retries) < 0:
            raise LittleHumanError("openai-batch backend: poll_s and max_retries must be >= 0")
        self._setup(model, temperature, max_new_tokens, base_url, api_key_env, seed)
        self.poll_s = float(poll_s)
        self.timeout_s = float(timeout_s)
        self.max_requests_per_file = int(max_requests_per_file)
        self.max_bytes_per_file = int(max_bytes_per_file)
        self.completion_window = str(completion_window)
        self.state_dir = Path(state_dir) if state_dir is not None else cache_dir() / "batches"
        self.max_retries = int(max_retries)
        self.progress = bool(progress)
        self.failures = 0
        self.uploads = 0
        self.batches_created = 0

    def complete_iter(self, batch: list[list[dict[str, str]]],
                      ids: list[str] | None = None) -> Iterator[tuple[int, Completion]]:
        """``(index in batch, Completion)`` as each batch's results are downloaded.

        ``ids`` are the requests' stable keys, sent as ``custom_id`` (default: their
        ``request_key``); requests with the same id are sent once and answered together.
        """
        if not batch:
            return
        if ids is None:
            ids = [request_key(self.name, self.model, m, self.params) for m in batch]
        ids = [str(cid) for cid in ids]
        if len(ids) != len(batch) or not all(ids):
            raise LittleHumanError(f"openai-batch: got {len(ids)} ids for {len(batch)} requests "
                                   "(or an empty id): pass one non-empty id per request")
        import openai

        client = openai.OpenAI(api_key=self._key.reveal(), base_url=self._base_url.reveal(),
                               max_retries=self.max_retries, timeout=self.timeout_s)
        try:
            yield from _Run(self, client, batch, ids).run()
        finally:
            client.close()

    # ------------------------------------------------------------ helpers for _Run

    def line(self, custom_id: str, messages: list[dict[str, str]]) -> bytes:
        """One request of the input file, as JSONL bytes."""
        body: dict[str, Any] = {"model": self.model, "messages": messages,
                                "temperature": self.params["temperature"],
                                "max_tokens": self.params["max_new_tokens"]}
        if "seed" in self.params:
            body["seed"] = self.params["seed"]
        request = {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}
        return (json.dumps(request, ensure_ascii=False, separators=(",", ":")) + "\n").encode()

    def completion(self, body: Any) -> Completion:
        """The Completion in a 200 response body (``""`` when it has no choices or no text;
        ``truncated`` when its finish reason is the token limit); records its usage first (a
        reply without text is billed too)."""
        usage = body.get("usage") if isinstance(body, dict) else None
        usage = usage if isinstance(usage, dict) else {}
        # as the chat backend reads a reply: counts that are no numbers unknown (they had
        # stopped the collection, on every rerun), text parts joined, echoed keys replaced
        tokens = {k: token_count(usage.get(k)) for k in ("prompt_tokens", "completion_tokens")}
        self.usage_log.append(tokens)
        choice, text = _choice_text(body)
        if not isinstance(text, str) or not text.strip():
            return Completion("", **tokens)
        cut = isinstance(choice, dict) and choice.get("finish_reason") == "length"
        return Completion(scrub_known(text.strip()), **tokens, truncated=cut)

    def submitted_ids(self) -> set[str]:
        """The custom ids (request keys) of every batch created under ``state_dir`` and not
        yet collected, by the last state saved (a run killed while polling leaves them):
        already paid for, a rerun collects them. A batch last seen failed, expired or
        cancelled does not count: its requests are sent again."""
        if not self.state_dir.is_dir():
            return set()
        lost = set(TERMINAL) - {"completed"}
        return {cid for path in sorted(self.state_dir.glob("*.json"))
                for job in BatchState.load(path)["jobs"]
                if job.get("batch_id") and not job.get("collected")
                and job.get("status") not in lost for cid in job["ids"]}

    def fatal(self, exc: BaseException, state: BatchState) -> LittleHumanError:
        """A LittleHumanError for an API error the SDK's retries did not fix."""
        status = getattr(exc, "status_code", None)
        hint = {
            401: key_hint(self.api_key_env, self._base_url.reveal()),
            403: f"check that the key may use model {self.model!r} and the Batch API",
            404: "check that base_url ends in /v1 and that the server offers the Batch API",
        }.get(status or 0, "check the network and the server")
        saved = (f"; the submitted batches are saved in {state.path}: a rerun resumes them"
                 if state.path.exists() else "")
        return LittleHumanError(f"openai-batch backend: {self.params['host']} failed a request "
                                f"({describe(exc)}): {hint}{saved}")


class _Run:
    """One ``complete_iter`` call: submit, poll, collect, resubmit, against one state."""

    def __init__(self, backend: OpenAIBatchBackend, client: Any,
                 batch: list[list[dict[str, str]]], ids: list[str]) -> None:
        self.b, self.client = backend, client
        self.where: dict[str, list[int]] = {}
        for i, cid in enumerate(ids):
            self.where.setdefault(cid, []).append(i)
        self.messages = {cid: batch[idx[0]] for cid, idx in self.where.items()}
        identity = json.dumps({"identity": backend.identity(),
                               "base_url": public_url(backend.base_url),
                               "endpoint": ENDPOINT}, sort_keys=True)
        self.state = BatchState.open(backend.state_dir, identity, sorted(self.where),
                                     backend.identity())
        self.answered: set[str] = set()  # yielded (with a text, or "" after repeated empties)
        self.given_up: set[str] = set()  # not yielded: the run ends with an error

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        import openai

        try:
            return fn(*args, **kwargs)
        except openai.OpenAIError as exc:
            raise self.b.fatal(exc, self.state) from None

    def event(self, cid: str, event: str) -> None:
        """Report ``event`` for request ``cid`` (under its first index: a duplicate request
        is sent once)."""
        if cid in self.where:
            self.b._event(self.where[cid][0], event)

    def run(self) -> Iterator[tuple[int, Completion]]:
        bar = tqdm(total=len(self.where), desc="openai-batch requests completed", unit="req",
                   disable=not self.b.progress)
        try:
            for job in list(self.state.jobs):  # answered before, but not kept by the caller
                if job["collected"] and (set(job["ids"]) - set(job["failed"])) & self.where.keys():
                    yield from self.collect(job, self.call(self.client.batches.retrieve,
                                                           job["batch_id"]), again=True)
            while True:
                yield from self.submit()
                active = [job for job in self.state.jobs if not job["collected"]
                          and self.where.keys() & set(job["ids"])]
                if not active:
                    break
                finished, running = 0, 0
                for job in active:
                    batch = self.call(self.client.batches.retrieve, job["batch_id"])
                    if batch.status in TERMINAL:
                        yield from self.collect(job, batch)
                        finished += 1
                    elif batch.request_counts is not None:
                        running += batch.request_counts.completed + batch.request_counts.failed
                bar.n = min(bar.total, len(self.answered) + len(self.given_up) + running)
                bar.refresh()
                if not finished:
                    time.sleep(self.b.poll_s)
            bar.n = len(self.answered) + len(self.given_up)
        finally:
            bar.close()
        self.state.remove()
        if self.given_up:
            raise LittleHumanError(
                f"openai-batch backend: {len(self.given_up)} of {len(self.where)} requests "
                f"still failed after one resubmission (last: {self.state.data['last_error']}); "
                "the others were answered and kept: rerun to send only these"
            )

    def causes(self) -> dict[str, str]:
        """Why each request's latest collected send left it without an answer."""
        out: dict[str, str] = {}
        for job in self.state.jobs:
            if job["collected"]:
                for cid in job["failed"]:
                    out[cid] = (job.get("causes") or {}).get(cid) or _status_cause(job["status"])
        return out

    def submit(self) -> Iterator[tuple[int, Completion]]:
        """Upload and start a batch for every wanted request not answered, not in flight and
        sent fewer than MAX_SENDS times; give up on the others (yielding ``""`` for those
        whose last reply was empty). Saves the state after each upload and around each
        batch create."""
        busy = {cid for job in self.state.jobs if not job["collected"] for cid in job["ids"]}
        sends, causes = self.state.sends(), self.causes()
        todo = [cid for cid in self.where if cid not in self.answered
                and cid not in self.given_up and cid not in busy]
        # sent as often as allowed, or refused as too long (sending it again would not help)
        spent = {cid for cid in todo if sends[cid] >= MAX_SENDS or causes.get(cid) == "too_long"}
        for cid in todo:
            if cid in spent:
                cause = causes.get(cid, "request_error")
                self.b.failures += 1
                self.event(cid, f"failed:{cause}")
                if cause in ASKED_AGAIN:  # asked again with fresh examples
                    self.answered.add(cid)
                    for i in self.where[cid]:
                        yield i, Completion("")
                else:
                    self.given_up.add(cid)
        for ids, data in self.split([cid for cid in todo if cid not in spent]):
            file = self.call(self.upload, data)
            self.state.jobs.append({"ids": ids, "file_id": file.id,
                                    "file_created_at": getattr(file, "created_at", None),
                                    "batch_id": None, "status": "uploaded", "collected": False,
                                    "failed": [], "causes": {}})
            self.state.save()
        for job in self.state.jobs:  # uploaded (perhaps by a killed run), not yet started
            if job["batch_id"] is None and self.where.keys() & set(job["ids"]):
                self.start(job, sends, causes)

    def start(self, job: dict[str, Any], sends: Counter, causes: dict[str, str]) -> None:
        """Create the batch of an uploaded file, or adopt the one a killed or failed create
        left (a part not plainly ``"uploaded"`` may have had its create sent); then report
        each wanted request as sent, or resent after its last failure."""
        batch = None if job.get("status") == "uploaded" else self.find_batch(job)
        if batch is None:
            job["status"] = "creating"
            self.state.save()  # before the create: a kill now is found again by find_batch
            batch = self.call(self.client.batches.create, input_file_id=job["file_id"],
                              endpoint=ENDPOINT, completion_window=self.b.completion_window)
            self.b.batches_created += 1
            log.info("openai-batch: batch %s started (%d requests)", batch.id, len(job["ids"]))
        else:
            log.info("openai-batch: adopted batch %s of file %s, created by an earlier run",
                     batch.id, job["file_id"])
        job.update(batch_id=batch.id, status=batch.status)
        self.state.save()
        for cid in job["ids"]:
            self.event(cid, "sent" if not sends[cid]
                       else f"retry:{causes.get(cid, 'request_error')}")

    def find_batch(self, job: dict[str, Any]) -> Any | None:
        """The newest batch of ``job``'s input file (None: there is none), paging through
        ``batches.list`` (newest first) back to the file's upload time."""
        import openai

        since = job.get("file_created_at")
        found = []
        try:
            for batch in self.client.batches.list(limit=LIST_PAGE):
                if batch.input_file_id == job["file_id"]:
                    found.append(batch)
                created = getattr(batch, "created_at", None)
                if since is not None and created is not None and created < since - CLOCK_SLACK_S:
                    break  # listed newest first: older batches predate the file
        except openai.OpenAIError as exc:
            raise self.b.fatal(exc, self.state) from None
        if len(found) > 1:
            log.warning("openai-batch: %d batches run file %s; following the newest, %s",
                        len(found), job["file_id"], found[0].id)
        return found[0] if found else None

    def upload(self, data: bytes) -> Any:
        self.b.uploads += 1
        name = f"littlehuman-{hashlib.sha256(data).hexdigest()[:12]}.jsonl"
        return self.client.files.create(file=(name, data, "application/jsonl"), purpose="batch",
                                        timeout=max(self.b.timeout_s, LONG_TIMEOUT_S))

    def split(self, ids: list[str]) -> Iterator[tuple[list[str], bytes]]:
        """``ids`` in input files within the request and byte limits."""
        chunk: list[str] = []
        lines: list[bytes] = []
        size = 0
        for cid in ids:
            line = self.b.line(cid, self.messages[cid])
            if len(line) > self.b.max_bytes_per_file:
                raise LittleHumanError(
                    f"openai-batch: one request takes {len(line)} bytes, over the "
                    f"{self.b.max_bytes_per_file}-byte file limit: shorten the prompt "
                    "(prompt_context_words) or raise max_bytes_per_file"
                )
            if chunk and (len(chunk) >= self.b.max_requests_per_file
                          or size + len(line) > self.b.max_bytes_per_file):
                yield chunk, b"".join(lines)
                chunk, lines, size = [], [], 0
            chunk.append(cid)
            lines.append(line)
            size += len(line)
        if chunk:
            yield chunk, b"".join(lines)

    def download(self, file_id: str | None) -> list[dict[str, Any]]:
        if not file_id:
            return []
        text = self.call(self.client.files.content, file_id,
                         timeout=max(self.b.timeout_s, LONG_TIMEOUT_S)).text
        out = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                log.warning("openai-batch: skipped an unreadable line of file %s", file_id)
                continue
            if isinstance(entry, dict):
                out.append(entry)
        return out

    def collect(self, job: dict[str, Any], batch: Any,
                again: bool = False) -> Iterator[tuple[int, Completion]]:
        """Yield the wanted answers with a text of a finished batch, joined by custom_id;
        then record its other ids (error lines, replies without text, missing lines) with
        their cause and mark it collected."""
        ids = set(job["ids"])
        bodies: dict[str, Any] = {}
        errors: dict[str, tuple[str, str]] = {}  # custom id -> (cause, message)
        for entry in self.download(batch.output_file_id) + self.download(batch.error_file_id):
            cid = entry.get("custom_id")
            if cid not in ids or cid in bodies:
                continue
            response = entry.get("response") or {}
            if entry.get("error") is None and response.get("status_code") == 200:
                bodies[cid] = response.get("body")
                errors.pop(cid, None)
            else:
                errors[cid] = (_line_cause(entry), _line_error(entry))
        for cid in ids - bodies.keys() - errors.keys():
            errors[cid] = (_status_cause(batch.status), _batch_error(batch))
        for cid, body in bodies.items():
            wanted = cid in self.where and cid not in self.answered
            if not _has_text(body):  # billed, but no answer: resubmitted
                errors[cid] = ("empty", "HTTP 200 without a completion text")
                if wanted and not again:
                    self.b.completion(body)  # records its usage
            elif wanted:
                reply = self.b.completion(body)
                self.answered.add(cid)
                for i in self.where[cid]:
                    yield i, reply
        if errors:
            self.state.data["last_error"] = scrub(next(reversed(errors.values()))[1])[:300]
            log.info("openai-batch: batch %s (%s): %d requests unanswered", batch.id,
                     batch.status, len(errors))
        if not again:
            job.update(status=batch.status, collected=True, failed=sorted(errors),
                       causes={cid: cause for cid, (cause, _) in sorted(errors.items())})
            self.state.save()


def _choice_text(body: Any) -> tuple[Any, Any]:
    """A 200 body's first choice and its message's text (text parts joined), or (None, None)."""
    try:
        choice = body["choices"][0]
        return choice, text_of_parts(choice["message"]["content"])
    except (IndexError, KeyError, TypeError):
        return None, None


def _has_text(body: Any) -> bool:
    """Whether a 200 body holds a completion text."""
    text = _choice_text(body)[1]
    return isinstance(text, str) and bool(text.strip())


def _status_cause(status: str | None) -> str:
    """The cause of a request left without any line by a batch of this status."""
    return {"expired": "expired", "failed": "failed", "cancelled": "failed"}.get(
        status or "", "request_error")


def _line_parts(entry: dict[str, Any]) -> tuple[Any, Any, str]:
    """An error-file line's HTTP status, error code and message."""
    response = entry.get("response") or {}
    error = entry.get("error") or (response.get("body") or {}).get("error") or {}
    message = error.get("message") if isinstance(error, dict) else str(error)
    code = error.get("code") if isinstance(error, dict) else None
    return response.get("status_code"), code, message or "no message"


def _line_cause(entry: dict[str, Any]) -> str:
    """An error-file line's cause: ``too_long`` when it says the request does not fit the
    model's context (sending it again is pointless: the row is asked again with other
    examples), else ``request_error``."""
    return "too_long" if refused_as_too_long(*_line_parts(entry)) else "request_error"


def _line_error(entry: dict[str, Any]) -> str:
    """What went wrong with one request, from its error-file line."""
    status, _, message = _line_parts(entry)
    return f"{'HTTP ' + str(status) + ': ' if status else ''}{message}"


def _batch_error(batch: Any) -> str:
    """Why a batch left requests without any line (expired, failed, cancelled)."""
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    detail = f": {errors[0].message}" if errors and getattr(errors[0], "message", None) else ""
    return f"batch {batch.status}{detail}"
