"""An append-only JSONL cache of generation requests, safe to interrupt and to share.

One line per completed request: ``{"key": <sha256>, "record": {...}}``. Each ``put`` writes
its line to the OS before returning, so a killed process loses no reply it stored; it fsyncs
when the last fsync is :data:`SYNC_INTERVAL_S` old, and :meth:`GenerationCache.sync` at the end
of a generation. A machine that crashes can lose the replies put since the last fsync: the
last second's, or more where no reply came after them for longer (a stalled server) and the
OS had not written them back itself (Linux does within about 30 s). (An fsync per reply
took 7-10 ms on a loaded 2-core machine: replies the server had answered waited that long
each to be stored, and a kill -9 lost up to 14 of 16 in a reviewer's test.) Writers from
several processes take a lock file beside the cache (``filelock``) around each append; a
torn last line (a writer killed mid-write) is ignored when read and cut off by the next
writer, who checks the file's end under that lock, so a repair never cuts lines another
process appended. ``refresh`` reads what other processes appended since.
The cache stores exactly the records it is given: pass no secrets.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from filelock import FileLock

from littlehuman.errors import LittleHumanError

#: a put fsyncs the cache when the last fsync is this old (seconds): see the module's docstring
SYNC_INTERVAL_S = 1.0


def request_key(backend: str, model: str, messages: list[dict[str, str]], params: dict) -> str:
    """sha256 of the canonical JSON of (backend, model, messages, params)."""
    payload = {"backend": backend, "model": model, "messages": messages, "params": params}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cut_torn_tail(fh: Any) -> None:
    """Cut a last line without its newline (a killed writer's) off an open ``a+b`` file."""
    size = fh.seek(0, os.SEEK_END)
    if size == 0:
        return
    fh.seek(size - 1)
    if fh.read(1) == b"\n":
        return
    pos, chunk = size, 1 << 16
    while pos > 0:  # find the last newline, reading backwards
        start = max(0, pos - chunk)
        fh.seek(start)
        block = fh.read(pos - start)
        cut = block.rfind(b"\n")
        if cut >= 0:
            fh.truncate(start + cut + 1)
            return
        pos = start
    fh.truncate(0)


class GenerationCache:
    """Completed requests by key, backed by one JSONL file (created on the first ``put``)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._records: dict[str, dict[str, Any]] = {}
        self._offset = 0  # bytes of the file read so far (whole lines only)
        self._lines = 0  # lines read so far
        self._lock = FileLock(str(self.path) + ".lock")
        self._synced = 0.0  # time.monotonic() of the last fsync
        self._unsynced = False  # lines written since it
        self.refresh()

    def refresh(self) -> int:
        """Read the lines appended since the last read (by any process); returns how many.
        A last line without its newline is left for later (a write in progress or torn)."""
        if not self.path.exists():
            return 0
        with open(self.path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size < self._offset:  # the file was replaced or cut: read it again
                self._offset, self._lines = 0, 0
            fh.seek(self._offset)
            data = fh.read()
        count, offset = 0, self._offset
        for line in data.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break  # torn or still being written
            try:
                entry = json.loads(line)
                key, record = entry["key"], entry["record"]
            except (ValueError, KeyError, TypeError):
                raise LittleHumanError(
                    f"generation cache {self.path} has a corrupt line {self._lines + count + 1}: "
                    "delete that line (or the file, to regenerate) and rerun"
                ) from None
            self._records[key] = record
            offset += len(line)
            count += 1
        self._offset = offset
        self._lines += count
        return count

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, key: str) -> bool:
        return key in self._records

    def peek(self, key: str) -> dict[str, Any] | None:
        """The stored record, or None, without counting a hit or a miss."""
        return self._records.get(key)

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored record, or None; counts a hit or a miss."""
        record = self._records.get(key)
        if record is None:
            self.misses += 1
        else:
            self.hits += 1
        return record

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Append one line, written to the OS before returning (a kill loses nothing put); it
        reaches the disk at the next fsync (:data:`SYNC_INTERVAL_S`, :meth:`sync`)."""
        line = json.dumps({"key": key, "record": record}, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a+b") as fh:
            _cut_torn_tail(fh)
            fh.write(line.encode("utf-8"))
            fh.flush()
            now = time.monotonic()
            self._unsynced = now - self._synced < SYNC_INTERVAL_S
            if not self._unsynced:
                os.fsync(fh.fileno())
                self._synced = now
        self._records[key] = record

    def sync(self) -> None:
        """fsync what :meth:`put` wrote since the last fsync (nothing to do when none)."""
        if self._unsynced and self.path.exists():
            with open(self.path, "rb") as fh:
                os.fsync(fh.fileno())
            self._synced, self._unsynced = time.monotonic(), False
