"""Open a local HTML page in headless Chromium and report what a reader's console would show.

Chromium is driven over the DevTools protocol on ``--remote-debugging-pipe`` (JSON messages
separated by NUL bytes on file descriptors 3 and 4), so no websocket client or browser package
is needed. Every host name is made unresolvable (``--host-resolver-rules``): the page is read
as it would be offline, and anything it tries to fetch from the internet is a console error.
"""
from __future__ import annotations

import fcntl
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-extensions", "--disable-component-update",
    "--no-first-run", "--no-default-browser-check", "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-pipe",
)

# the child: our pipe ends become its fds 3 and 4, then it becomes Chromium
_LAUNCH = ("import os, sys; r, w = map(int, sys.argv[1:3]); os.dup2(r, 3); os.dup2(w, 4); "
           "os.close(r); os.close(w); os.execv(sys.argv[3], sys.argv[3:])")


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable: ``$CHROMIUM`` if set, else the first on PATH."""
    if os.environ.get("CHROMIUM"):
        return shutil.which(os.environ["CHROMIUM"])
    return next(filter(None, map(shutil.which, CANDIDATES)), None)


class _Pipe:
    """One DevTools connection: numbered commands, replies awaited, events kept in order."""

    def __init__(self, to_browser: int, from_browser: int, deadline: float):
        self.out, self.deadline = to_browser, deadline
        self.sel = selectors.DefaultSelector()
        self.sel.register(from_browser, selectors.EVENT_READ)
        self.inp, self.buf, self.events, self.next_id = from_browser, b"", [], 0

    def _read(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0 or not self.sel.select(left):
            raise TimeoutError("Chromium did not answer in time")
        chunk = os.read(self.inp, 1 << 20)
        if not chunk:
            raise RuntimeError("Chromium closed the DevTools pipe")
        self.buf += chunk

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self.buf:
            self._read()
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.out, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str) -> None:
        seen = len(self.events)
        while not any(e["method"] == method for e in self.events[seen:]):
            msg = self._message()
            if "method" in msg:
                self.events.append(msg)


def _where(url: str | None, line: int | None) -> str:
    return f" ({url}:{line + 1})" if url and line is not None else f" ({url})" if url else ""


def _console_errors(events: list[dict[str, Any]]) -> list[str]:
    """Uncaught exceptions, console.error/assert calls, and browser errors (failed loads)."""
    out = []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            desc = d.get("exception", {}).get("description", "").split("\n")[0]
            out.append(f"{d.get('text', 'Uncaught')} {desc}".strip()
                       + _where(d.get("url"), d.get("lineNumber")))
        elif e["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
            out.append(f"console.{p['type']}: {args}")
        elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
            entry = p["entry"]
            out.append(f"{entry['source']}: {entry['text']}" + _where(entry.get("url"), None))
    return out


def _high(fd: int) -> int:
    """``fd`` moved to a number >= 10, clear of the 3 and 4 the child's ends are mapped to."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


def load_page(path: Path, timeout: float = 60.0, settle_ms: int = 500) -> tuple[str, list[str]]:
    """Load ``path`` (file://, offline), let its scripts run, and return the DOM as serialised
    after JavaScript ran together with every console error (one string each)."""
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("no Chromium executable found (apt-get install chromium)")
    url = Path(path).resolve().as_uri()
    to_r, to_w = map(_high, os.pipe())      # we write commands, Chromium reads them on fd 3
    from_r, from_w = map(_high, os.pipe())  # Chromium writes replies and events on fd 4
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, \
            tempfile.TemporaryFile() as log:
        cmd = [sys.executable, "-c", _LAUNCH, str(to_r), str(from_w),
               exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"]
        proc = subprocess.Popen(cmd, pass_fds=(to_r, from_w), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, start_new_session=True)
        os.close(to_r)
        os.close(from_w)
        pipe = _Pipe(to_w, from_r, time.monotonic() + timeout)
        try:
            pages = [t for t in pipe.send("Target.getTargets")["targetInfos"] if t["type"] == "page"]
            target = (pages[0]["targetId"] if pages else
                      pipe.send("Target.createTarget", url="about:blank")["targetId"])
            session = pipe.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Runtime", "Log", "Page"):
                pipe.send(f"{domain}.enable", session)
            pipe.send("Page.navigate", session, url=url)
            pipe.wait_for("Page.loadEventFired")
            pipe.send("Runtime.evaluate", session, awaitPromise=True, expression=(
                "new Promise(r => requestAnimationFrame(() => setTimeout(r, %d)))" % settle_ms))
            dom = pipe.send("Runtime.evaluate", session, returnByValue=True,
                            expression="document.documentElement.outerHTML")["result"]["value"]
            errors = _console_errors([e for e in pipe.events if e.get("sessionId") == session])
            pipe.send("Browser.close")
        except (TimeoutError, RuntimeError) as e:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{e} while loading {url}; Chromium's log ends:\n{tail}") from None
        finally:
            os.close(to_w)
            os.close(from_r)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # Chromium and its helpers, started here
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return dom, errors


class _Figures(HTMLParser):
    """Per ``div.plotly-graph-div``: whether an ``svg.main-svg`` was drawn inside it, and how
    many traces plotly.js drew there (``g.trace`` elements: one per drawn trace and panel)."""

    def __init__(self) -> None:
        super().__init__()
        self.drawn: list[bool] = []
        self.traces: list[int] = []
        self.ids: list[str | None] = []
        self.depth, self.inside = 0, None  # div depth, and the depth of the open figure div

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div":
            self.depth += 1
            if self.inside is None and "plotly-graph-div" in classes:
                self.inside = self.depth
                self.drawn.append(False)
                self.traces.append(0)
                self.ids.append(dict(attrs).get("id"))
        elif tag == "svg" and self.inside is not None and "main-svg" in classes:
            self.drawn[-1] = True
        elif tag == "g" and self.inside is not None and "trace" in classes:
            self.traces[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            if self.inside == self.depth:
                self.inside = None
            self.depth -= 1


def _parse(dom: str) -> _Figures:
    parser = _Figures()
    parser.feed(dom)
    parser.close()
    return parser


def plotly_figures(dom: str) -> list[bool]:
    """One entry per plotly figure div in ``dom``: True where plotly.js drew it (an SVG)."""
    return _parse(dom).drawn


def plotly_traces(dom: str) -> dict[str, int]:
    """Per plotly figure div (by its id; ``#i`` when it has none): the traces plotly.js drew
    in it (0 for a figure drawn empty or not at all)."""
    parsed = _parse(dom)
    return {fid or f"#{i}": n for i, (fid, n) in enumerate(zip(parsed.ids, parsed.traces))}
