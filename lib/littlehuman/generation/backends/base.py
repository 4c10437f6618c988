"""The one interface every generation backend implements."""
from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

if TYPE_CHECKING:
    from littlehuman.config import Profile


class Completion(str):
    """One reply text (a ``str``) that also carries the tokens it cost, as the backend
    counted them (None: unknown), and whether the token limit cut it before it ended
    (``truncated``: no end of turn, stop or end of the reply's format came first)."""

    prompt_tokens: int | None
    completion_tokens: int | None
    truncated: bool

    def __new__(cls, text: str, prompt_tokens: int | None = None,
                completion_tokens: int | None = None, truncated: bool = False) -> "Completion":
        self = super().__new__(cls, text)
        self.prompt_tokens = None if prompt_tokens is None else int(prompt_tokens)
        self.completion_tokens = None if completion_tokens is None else int(completion_tokens)
        self.truncated = bool(truncated)
        return self

    @property
    def text(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return (f"Completion({str(self)!r}, prompt_tokens={self.prompt_tokens}, "
                f"completion_tokens={self.completion_tokens}"
                + (", truncated=True)" if self.truncated else ")"))

    def usage(self) -> dict[str, int | None]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}


Reply = Union[str, Completion]


def as_completion(reply: Reply) -> Completion:
    """A backend's reply (a bare text or a :class:`Completion`) as a Completion."""
    return reply if isinstance(reply, Completion) else Completion(str(reply))


class RequestFeed:
    """Requests handed to a streaming backend while it works: ``complete_iter(feed)`` sends
    what is ``put`` and yields ``(index, reply)``; the consumer may ``put`` more while it
    handles a reply (a re-ask of an unusable one goes out at once, into the slots the first
    wave frees, instead of a second round after it). The backend calls ``settle(index)`` once
    the consumer has handled a request's reply (or the request was given up); the feed closes
    when nothing is left in flight. ``close()`` ends it early."""

    def __init__(self, batch: list[list[dict[str, str]]] | None = None) -> None:
        self.messages: list[list[dict[str, str]]] = []
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._guard = threading.Lock()
        self._open = 0
        self.settled = 0  # requests the consumer is done with
        for messages in batch or []:
            self.put(messages)

    def __len__(self) -> int:
        return len(self.messages)

    def put(self, messages: list[dict[str, str]]) -> int:
        """Queue one request; its index."""
        with self._guard:
            index = len(self.messages)
            self.messages.append(messages)
            self._open += 1
        self._queue.put(index)
        return index

    def settle(self, index: int) -> None:
        """Request ``index`` is done with (answered and handled, or given up)."""
        with self._guard:
            self._open -= 1
            self.settled += 1
            finished = self._open <= 0
        if finished:
            self.close()

    def close(self) -> None:
        self._queue.put(None)

    def take(self) -> list[int] | None:
        """Block for the next queued indexes (all that are waiting); None once closed."""
        first = self._queue.get()
        if first is None:
            self._queue.put(None)  # stays closed for any later take
            return None
        out = [first]
        while True:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                return out
            if more is None:
                self._queue.put(None)
                return out
            out.append(more)


class Backend:
    """Turns a batch of chats into reply texts.

    ``name`` and ``model`` say what generates; ``params`` holds every setting that changes
    the replies (temperature, max_new_tokens, seed...). The three make up ``identity()``,
    which keys the generation cache and names the synthetic files, so none of them may
    hold a secret (an API key belongs elsewhere).

    ``complete`` returns one reply per chat, in order: a text, or a :class:`Completion` that
    also carries the call's token usage (stored in the cache and billed). A backend may also
    offer ``complete_iter(batch, ids=None)`` yielding ``(index, reply)`` in completion order;
    ``ids`` are the requests' stable cache keys (a Batch API backend uses them as custom ids).
    One whose ``complete_iter`` also takes a :class:`RequestFeed` as ``batch`` (requests added
    while it runs) sets ``takes_feed``. ``from_profile`` builds a backend from a profile's
    fields (see ``backends.backend_from_profile``).
    """

    name: str
    model: str
    params: dict[str, Any]
    #: True when it runs here, seeded by the data seed, with no per-token price (extractive,
    #: gemma, hf); False for an API (openai, openai-batch)
    local: bool = False
    #: True when replies are billed at Batch API prices
    batch_pricing: bool = False
    #: True when ``complete_iter`` takes a :class:`RequestFeed` (requests added while it runs)
    takes_feed: bool = False
    #: set by the caller before ``complete``/``complete_iter``; a backend that talks to a
    #: server calls ``on_event(index in the batch, event)`` at every HTTP send and give-up.
    #: Events: ``"sent"`` (a request's first send in this call), ``"retry:<cause>"`` (sent
    #: again after ``<cause>``), ``"failed:<cause>"`` (given up after ``<cause>``); causes:
    #: ``429``, ``5xx``, ``timeout``, ``connection``, ``bad_json`` (a 200 whose body is not
    #: JSON), ``empty`` (a 200 without a completion text), ``too_long`` (refused as longer
    #: than the model's context), ``expired``/``request_error``
    #: (Batch API). Local backends send nothing and never call it.
    on_event: Optional[Callable[[int, str], None]] = None

    def _event(self, index: int, event: str) -> None:
        """Report one event to ``on_event`` (when set)."""
        if self.on_event is not None:
            self.on_event(index, event)

    @classmethod
    def from_profile(cls, profile: "Profile") -> "Backend":
        """This backend with the settings ``profile`` gives it."""
        raise NotImplementedError(f"{cls.__name__} cannot be built from a profile")

    def complete(self, batch: list[list[dict[str, str]]]) -> list[Reply]:
        """One reply per chat, in order."""
        raise NotImplementedError

    def identity(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.model, "params": dict(self.params)}

    def submitted_ids(self) -> set[str]:
        """Request keys already handed to the server and still to be collected (a Batch
        API backend's submitted batches): a rerun collects them instead of sending them."""
        return set()
