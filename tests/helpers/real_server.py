"""Test helper: a real ``transformers serve`` (the ``transformers[serving]`` extra) on
127.0.0.1, pinned to one local model folder, for tests/test_real_server.py.

``transformers serve DIR`` preloads the folder before it listens, so once ``GET /health``
answers 200 the model is in memory; every request must then name the model exactly as
``DIR`` was given (or leave ``model`` out), else the server answers 400 "Server is pinned
to ...". The server runs with the Hub switched off (``HF_HUB_OFFLINE``) and without its
once-a-day PyPI version check. It is started in its own session and stopped by its pid.

Usage by hand: ``python tests/helpers/real_server.py MODEL_DIR`` prints the base URL and
serves until Ctrl-C.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",  # `transformers` CLI otherwise asks PyPI for a newer version
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_command() -> list[str]:
    """The ``transformers`` console script of this interpreter's environment, else ``-m``."""
    script = Path(sys.executable).with_name("transformers")
    if script.is_file():
        return [str(script), "serve"]
    return [sys.executable, "-m", "transformers.cli.transformers", "serve"]


class RealServer:
    """``transformers serve MODEL_DIR`` on a free port; a context manager (or start/stop).

    ``base_url`` is the ``.../v1`` URL to give the openai backend, ``model`` the name
    requests must carry (the folder's path as passed on the command line). The server's
    output goes to ``log_path`` (a temporary file by default); ``log_tail()`` reads it back.
    """

    def __init__(self, model_dir: str | os.PathLike, log_path: str | os.PathLike | None = None,
                 startup_timeout_s: float = 180.0, device: str = "cpu") -> None:
        self.model = str(Path(model_dir).resolve())
        self.log_path = Path(log_path) if log_path else Path(
            tempfile.mkstemp(prefix="transformers-serve-", suffix=".log")[1])
        self.startup_timeout_s = startup_timeout_s
        self.device = device
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.startup_s: float | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def start(self, attempts: int = 3) -> "RealServer":
        """Start the server and wait until ``/health`` answers 200 (model loaded).

        Retries on another port if the one picked was taken in the meantime."""
        for attempt in range(attempts):
            self.port = free_port()
            start = time.monotonic()
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    serve_command() + [self.model, "--host", "127.0.0.1", "--port",
                                       str(self.port), "--device", self.device],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    env={**os.environ, **OFFLINE_ENV}, start_new_session=True)
            try:
                self._wait_ready()
            except RuntimeError:
                self.stop()
                if attempt + 1 < attempts and "address already in use" in self.log_tail().lower():
                    continue
                raise
            self.startup_s = time.monotonic() - start
            return self
        raise AssertionError("unreachable")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"transformers serve exited with {self.proc.returncode} "
                                   f"before it was ready; its log:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health",
                                            timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"transformers serve not ready after {self.startup_timeout_s:.0f} s; "
                           f"its log:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM the server (its own process group, led by the pid started here), then
        SIGKILL after 15 s. Safe to call twice."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        for sig, wait_s in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
            try:
                os.killpg(proc.pid, sig)  # the group created by start_new_session, pgid == pid
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> "RealServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    server = RealServer(sys.argv[1]).start()
    print(f"{server.base_url} model={server.model} (ready in {server.startup_s:.1f} s; "
          f"log {server.log_path})", flush=True)
    try:
        server.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
