"""An append-only JSONL cache of generation requests, safe to interrupt.

One line per completed request: ``{"key": <sha256>, "record": {...}}``. Each ``put`` writes
its line, flushes and fsyncs before returning, so a killed job loses at most the request in
flight; a torn last line (a crash mid-write) is ignored on open and cut off before the next
append. The cache stores exactly the records it is given: pass no secrets.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from littlehuman.errors import LittleHumanError


def request_key(backend: str, model: str, messages: list[dict[str, str]], params: dict) -> str:
    """sha256 of the canonical JSON of (backend, model, messages, params)."""
    payload = {"backend": backend, "model": model, "messages": messages, "params": params}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class GenerationCache:
    """Completed requests by key, backed by one JSONL file (created on the first ``put``)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._records: dict[str, dict[str, Any]] = {}
        self._torn_at: int | None = None  # offset of a torn last line found on open
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        offset = 0
        for number, line in enumerate(data.splitlines(keepends=True), start=1):
            end = offset + len(line)
            try:
                entry = json.loads(line)
                key, record = entry["key"], entry["record"]
            except (ValueError, KeyError, TypeError):
                if end == len(data):  # the torn last line of an interrupted write
                    self._torn_at = offset
                    break
                raise LittleHumanError(
                    f"generation cache {self.path} has a corrupt line {number}: "
                    "delete that line (or the file, to regenerate) and rerun"
                ) from None
            if not line.endswith(b"\n"):  # complete JSON but no newline: still torn
                self._torn_at = offset
                break
            self._records[key] = record
            offset = end

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
        """Append one line and make it durable (flush + fsync) before returning."""
        line = json.dumps({"key": key, "record": record}, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as fh:
            if self._torn_at is not None:  # cut the torn tail off before appending
                fh.truncate(self._torn_at)
                self._torn_at = None
            fh.write(line.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        self._records[key] = record
