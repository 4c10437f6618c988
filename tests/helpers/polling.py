"""Waiting, in tests, for what another process or thread does."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable


def wait_until(check: Callable[[], Any], timeout_s: float, step_s: float = 0.05) -> bool:
    """Ask ``check`` every ``step_s`` until it holds (True) or ``timeout_s`` has passed (then
    its last answer). A check that raises OSError or ValueError (a file not there yet, or
    caught half written) has not held yet."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if check():
                return True
        except (OSError, ValueError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(step_s)


def heartbeat_state(path: Path) -> str | None:
    """The state a SLURM task's heartbeat file says (``executors.TaskHeartbeat``); None while
    the file is empty (created, not yet written)."""
    return json.loads(path.read_text() or "{}").get("state")
