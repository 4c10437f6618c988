"""A walk through the notebooks in JupyterLab, in headless Chromium, as a user reads them.

    jupyter lab --no-browser --ip 127.0.0.1 --port 8899 --ServerApp.token=TOKEN \
        --ServerApp.root_dir=. --LabApp.expose_app_in_browser=True   # (as root: --allow-root)
    python bench/jupyterlab_walk.py --token TOKEN --open notebooks/02_replacement_sweep.ipynb \
        [--run | --restart-run 2] [--set dataset=scifact] [--save] [--shots /tmp/lab-shots/02] \
        [--window 1366x900]

The server's environment is the notebooks' (LITTLEHUMAN_HOME, LITTLEHUMAN_DATA_DIR, PYTHONPATH);
``--LabApp.expose_app_in_browser`` gives the page ``window.jupyterapp``, whose command
registry is how "Run All Cells" and "Restart Kernel and Run All" are pressed here. Chromium
is driven over the DevTools protocol on a pipe (tests/browser.py); every host name but
127.0.0.1 is unresolvable, so anything fetched from the internet shows as a failed request.
For each notebook it prints one JSON line per step (opened, run, each restart): seconds,
whether Lab marks the notebook modified, execution prompts, plotly figures (how many, how many
drawn with an SVG, traces per figure, each one's drawn width beside its output area's and how
many scroll sideways there), tables (how many, their rows, and for each, scrolled into view:
its columns and headers, its laid-out width beside its room, the output area less its padding,
whether that output area scrolls sideways to show it, or clips it: ``cut``), captions, error and
stderr outputs, console errors and failed or external network requests; ``--shots`` saves
screenshots of the notebook scrolled top to bottom; ``--save`` saves it at the end (as
Ctrl-S); ``--window`` sizes the browser window (default 1400x1000; Lab opens in its default
layout, the file browser open beside the notebook). Seen with it on 2026-12-03 (JupyterLab
4.6.6, plotly 7.1.0, Chromium 150): the problems fixed in commits 0cbf7a2, 67bddd1, bf55d5b,
4a843bf and 9afef2d; on 2026-12-06, at 1366x900, ROPES's six-panel sweep figure (990 px)
scrolling sideways in its 919-px output area (``plots.style.MAX_WIDTH``). Tables measured on
2026-12-06 (a helper; JupyterLab 4.6.6, Chromium 156): Run All of notebooks 02-06 at 1280x800
and 1366x900 on FEVER's and ROPES's smoke runs, and of 03, 04 and 06 on ROPES with the paper's
panel counts (``--zoom-sizes 32,40,48 --tradeoff-bases 16,24,32``). A table's room is the
output area less its 20-px right padding: 813 px at 1280, 899 at 1366. Three tables were wider
and scrolled sideways (none was cut: Lab's output area scrolls): 03's paired table (16
columns: 978 px on FEVER, 1,037 on ROPES, at both widths), 04's bases table (16 columns: 981,
1,011, 1,021 with three bases, at both widths) and 06's fits table (12 columns: 818, 866, at
1280). Every other table fit, the widest by wrapping its headers to fill the room.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser import _LAUNCH, FLAGS, _console_errors, _high, _Pipe, find_chromium  # noqa: E402

LAB_FLAGS = tuple(f for f in FLAGS if not f.startswith("--host-resolver-rules")) + (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",)

# what a notebook panel shows, read from the DOM of the current notebook
NB = ("[...window.jupyterapp.shell.widgets('main')]"
      ".find(x => x.sessionContext && x.content && x.isVisible)")

STATE_JS = r"""
(() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  if (!nb) return {open: false};
  const cells = [...nb.querySelectorAll('.jp-Cell')];
  const code = cells.filter(c => c.classList.contains('jp-CodeCell'));
  const prompts = code.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || '');
  const figs = [...nb.querySelectorAll('.js-plotly-plot')];
  const outs = [...nb.querySelectorAll('.jp-OutputArea-output')];
  const bad = outs.filter(o => /stderr|error/.test(o.getAttribute('data-mime-type') || ''));
  const kernel = document.querySelector('.jp-Notebook-ExecutionIndicator, .jp-Toolbar-kernelStatus');
  return {
    open: true, cells: cells.length, code_cells: code.length, prompts,
    figures: figs.length,
    figures_drawn: figs.filter(f => f.querySelector('svg.main-svg')).length,
    traces: figs.map(f => f.querySelectorAll('g.trace').length),
    figure_sizes: figs.map(f => [f.clientWidth, f.clientHeight]),
    // each figure's drawn width, the output area it sits in, and whether that scrolls
    // sideways to show it
    drawn_widths: figs.map(f => { const svg = f.querySelector('svg.main-svg');
      return svg ? +svg.getAttribute('width') : null; }),
    output_widths: figs.map(f => (f.closest('.jp-OutputArea-output') || f).clientWidth),
    figures_scrolling: figs.filter(f => { const o = f.closest('.jp-OutputArea-output');
      return o && o.scrollWidth > o.clientWidth + 1; }).length,
    file_browser_open: !!document.querySelector('#filebrowser:not(.lm-mod-hidden)'),
    html_plotly_divs: nb.querySelectorAll('.jp-RenderedHTMLCommon .plotly-graph-div').length,
    tables: nb.querySelectorAll('.jp-OutputArea-output table').length,
    table_rows: [...nb.querySelectorAll('.jp-OutputArea-output table')].map(t => t.rows.length),
    captions: [...nb.querySelectorAll('.jp-OutputArea-output p > em:first-child')]
      .map(e => e.textContent.slice(0, 80)),
    error_outputs: bad.map(o => o.textContent.slice(0, 600)),
    mime_types: outs.map(o => o.getAttribute('data-mime-type')),
    untrusted_notes: [...nb.querySelectorAll('.jp-OutputArea-output')]
      .filter(o => /not trusted|untrusted|Javascript output is disabled/i.test(o.textContent)).length,
    kernel_busy: !!document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="busy"]'),
    dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.textContent.slice(0, 300)),
    scroll_height: (nb.closest('.jp-WindowedPanel-outer') || nb).scrollHeight,
  };
})()
"""


class Lab:
    """One headless Chromium with one page, kept open across several notebooks."""

    def __init__(self, timeout: float = 900.0, window: tuple[int, int] = (1400, 1000)):
        exe = find_chromium()
        if exe is None:
            raise SystemExit("no Chromium executable found")
        to_r, to_w = map(_high, os.pipe())
        from_r, from_w = map(_high, os.pipe())
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-lab-")
        self.log = tempfile.TemporaryFile()
        cmd = [sys.executable, "-c", _LAUNCH, str(to_r), str(from_w), exe, *LAB_FLAGS,
               f"--window-size={window[0]},{window[1]}",
               f"--user-data-dir={self.profile.name}", "about:blank"]
        self.proc = subprocess.Popen(cmd, pass_fds=(to_r, from_w), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log, start_new_session=True)
        os.close(to_r)
        os.close(from_w)
        self.fds = (to_w, from_r)
        self.pipe = _Pipe(to_w, from_r, time.monotonic() + timeout)
        pages = [t for t in self.pipe.send("Target.getTargets")["targetInfos"]
                 if t["type"] == "page"]
        target = pages[0]["targetId"]
        self.s = self.pipe.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.pipe.send(f"{domain}.enable", self.s)
        self.pipe.send("Emulation.setDeviceMetricsOverride", self.s, width=window[0],
                       height=window[1], deviceScaleFactor=1, mobile=False)
        self.mark = 0

    def close(self) -> None:
        try:
            self.pipe.send("Browser.close")
        except Exception:
            pass
        for fd in self.fds:
            os.close(fd)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        self.profile.cleanup()

    def js(self, expression: str, await_promise: bool = False):
        r = self.pipe.send("Runtime.evaluate", self.s, expression=expression,
                           returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in r:
            raise RuntimeError(f"JS: {r['exceptionDetails'].get('exception', {}).get('description')}")
        return r["result"].get("value")

    def pump(self, seconds: float) -> None:
        """Let events arrive for ``seconds`` (a harmless evaluation reads them in)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.js("1")
            time.sleep(0.25)

    def navigate(self, url: str) -> None:
        self.pipe.send("Page.navigate", self.s, url=url)
        self.pipe.wait_for("Page.loadEventFired")

    def new_events(self) -> list[dict]:
        ev = self.pipe.events[self.mark:]
        self.mark = len(self.pipe.events)
        return [e for e in ev if e.get("sessionId") == self.s]

    def shot(self, path: Path) -> None:
        data = self.pipe.send("Page.captureScreenshot", self.s, format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def wait(self, expression: str, timeout: float, step: float = 0.5) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.js(expression):
                return True
            time.sleep(step)
        return False


def network_failures(events: list[dict]) -> list[str]:
    urls = {e["params"]["requestId"]: e["params"]["request"]["url"]
            for e in events if e["method"] == "Network.requestWillBeSent"}
    out = []
    for e in events:
        if e["method"] == "Network.loadingFailed":
            p = e["params"]
            if p.get("canceled"):
                continue
            out.append(f"{urls.get(p['requestId'], '?')[:160]}: {p.get('errorText')}")
    external = sorted({u[:160] for u in urls.values()
                       if u.startswith("http") and "127.0.0.1" not in u})
    return out + [f"external request: {u}" for u in external]


def wait_idle(lab: Lab, timeout: float) -> bool:
    """The kernel idle and no cell waiting ('[*]') for a few polls in a row."""
    js = (f"(() => {{ const w = {NB};"
          " const k = w && w.sessionContext && w.sessionContext.session &&"
          " w.sessionContext.session.kernel; const status = k ? k.status : 'none';"
          " const busy = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden)"
          " .jp-InputPrompt')].some(p => p.textContent.includes('*'));"
          " return status === 'idle' && !busy; })()")
    end = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < end:
        calm = calm + 1 if lab.js(js) else 0
        if calm >= 4:
            return True
        time.sleep(0.5)
    return False


def scroll_shots(lab: Lab, shots: Path, prefix: str, limit: int = 30) -> list[str]:
    """Screenshots of the notebook from top to bottom, a viewport at a time."""
    taken = []
    # Lab's toast asking about Jupyter news covers the bottom right of every shot: hidden
    # (not answered, so no setting is written)
    lab.js("document.querySelectorAll('.jp-Notification-Toast-Close').forEach(b => b.click())")
    lab.js("(() => { const o = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)"
           " .jp-WindowedPanel-outer'); if (o) o.scrollTop = 0; })()")
    for i in range(limit):
        lab.pump(1.0)
        path = shots / f"{prefix}_{i:02d}.png"
        lab.shot(path)
        taken.append(str(path))
        moved = lab.js("(() => { const o = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)"
                       " .jp-WindowedPanel-outer'); if (!o) return false; const before = o.scrollTop;"
                       " o.scrollTop += o.clientHeight * 0.9; return o.scrollTop > before; })()")
        if not moved:
            break
    return taken


def command(lab: Lab, cmd: str, args: dict | None = None, wait: bool = True) -> None:
    """Run a JupyterLab command; ``wait=False`` for one that opens a dialog first."""
    call = f"window.jupyterapp.commands.execute({json.dumps(cmd)}, {json.dumps(args or {})})"
    lab.js(call + ".then(() => 'ok')" if wait else f"({call}, 'started')", await_promise=wait)


def open_notebook(lab: Lab, base: str, token: str, path: str) -> float:
    t0 = time.monotonic()
    lab.navigate(f"{base}/lab/tree/{path}?reset&token={token}")
    lab.wait("!!window.jupyterapp && !!document.querySelector('.jp-NotebookPanel .jp-Cell')", 120)
    lab.wait(f"(() => {{ const w = {NB}; if (w) window.jupyterapp.shell.activateById(w.id); return !!(w && w.sessionContext"
             " && w.sessionContext.session && w.sessionContext.session.kernel &&"
             " w.sessionContext.session.kernel.status === 'idle'); })()", 120)
    return time.monotonic() - t0


# each rendered table scrolled into view (Lab skips laying out a cell off screen), then its
# laid-out width beside its output area's and whether that scrolls sideways to show it or
# clips it ("cut": wider, yet the output area does not scroll)
TABLES_JS = r"""
(async () => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  if (!nb) return [];
  const outer = nb.closest('.jp-WindowedPanel-outer');
  const top = outer ? outer.scrollTop : 0;
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const cells = [...nb.querySelectorAll('.jp-Cell')];
  const found = [];
  for (const t of [...nb.querySelectorAll('.jp-OutputArea-output table')]) {
    t.scrollIntoView({block: 'nearest'});
    await frame();
    const o = t.closest('.jp-OutputArea-output');
    const head = t.tHead ? t.tHead.rows[t.tHead.rows.length - 1] : t.rows[0];
    const ths = head ? [...head.cells] : [];
    const css = getComputedStyle(o), overflow = css.overflowX;
    // the room a table has: the output area less its padding (20 px on the right in Lab 4.6)
    const room = o.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
    const wide = o.scrollWidth > o.clientWidth + 1;
    const scrolls = wide && /auto|scroll/.test(overflow);
    found.push({
      cell: cells.indexOf(t.closest('.jp-Cell')), rows: t.rows.length, columns: ths.length,
      headers: ths.map(h => h.textContent.trim()),
      width: Math.ceil(t.getBoundingClientRect().width), scroll_width: t.scrollWidth,
      output_width: o.clientWidth, room, output_scroll_width: o.scrollWidth, overflow_x: overflow,
      scrolls, cut: wide && !scrolls,
      header_widths: ths.map(h => Math.round(h.getBoundingClientRect().width)),
    });
  }
  if (outer) outer.scrollTop = top;
  return found;
})()
"""


def report(lab: Lab, label: str, seconds: float, shots: Path | None) -> dict:
    lab.pump(3.0)
    state = lab.js(STATE_JS)
    state["table_sizes"] = lab.js(TABLES_JS, await_promise=True)
    state["tables_wider"] = sum(t["scroll_width"] > t["room"] + 1 for t in state["table_sizes"])
    state["tables_scrolling"] = sum(t["scrolls"] for t in state["table_sizes"])
    state["tables_cut"] = sum(t["cut"] for t in state["table_sizes"])
    state.pop("mime_types", None)
    events = lab.new_events()
    dirty = lab.js(f"(() => {{ const w = {NB}; return w ? w.context.model.dirty : null; }})()")
    out = {"label": label, "seconds": round(seconds, 1), "dirty": dirty, **state,
           "console_errors": _console_errors(events), "network_failures": network_failures(events)}
    if shots is not None:
        out["shots"] = scroll_shots(lab, shots, label)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:8899")
    ap.add_argument("--token", required=True)
    ap.add_argument("--open", action="append", required=True, help="notebook path (repeatable)")
    ap.add_argument("--run", action="store_true", help="Run All Cells after opening")
    ap.add_argument("--restart-run", type=int, default=0,
                    help="then 'Restart Kernel and Run All' this many times")
    ap.add_argument("--set", action="append", metavar="KEY=VALUE",
                    help="set a parameter (a string) in the parameters cell before running")
    ap.add_argument("--shots", type=Path)
    ap.add_argument("--save", action="store_true", help="save the notebook at the end (Ctrl-S)")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--window", default="1400x1000", metavar="WxH",
                    help="the browser window in CSS pixels (Lab's default layout: the file "
                         "browser open)")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.window.lower().split("x"))
    lab = Lab(timeout=args.timeout * 4, window=(width, height))
    try:
        for path in args.open:
            label = Path(path).stem
            t_open = open_notebook(lab, args.url, args.token, path)
            print(json.dumps(report(lab, f"{label}_opened", t_open,
                                    args.shots if not args.run else None)), flush=True)
            for pair in args.set or []:  # edit the parameters cell as a user types in it
                key, value = pair.split("=", 1)
                lab.js(f"(() => {{ const w = {NB}; const cell = w.content.widgets[0];"
                       " const src = cell.model.sharedModel.getSource();"
                       f" cell.model.sharedModel.setSource(src.replace(new RegExp('^{key} = .*$', 'm'),"
                       f" {json.dumps(f'{key} = {json.dumps(value)}')})); }})()")
            if args.run:
                t0 = time.monotonic()
                command(lab, "notebook:run-all-cells")
                time.sleep(2)
                wait_idle(lab, args.timeout)
                print(json.dumps(report(lab, f"{label}_run", time.monotonic() - t0, args.shots)),
                      flush=True)
            for i in range(args.restart_run):
                t0 = time.monotonic()
                command(lab, "notebook:restart-run-all", wait=False)
                lab.pump(1.5)
                lab.js("(() => { const b = document.querySelector('.jp-Dialog .jp-mod-accept');"
                       " if (b) b.click(); })()")  # "Restart" in Lab's confirmation dialog
                time.sleep(2)
                wait_idle(lab, args.timeout)
                print(json.dumps(report(lab, f"{label}_restart{i + 1}", time.monotonic() - t0,
                                        args.shots if i == args.restart_run - 1 else None)),
                      flush=True)
            if args.save:
                lab.js(f"{NB}.context.save().then(() => 'saved')", await_promise=True)
                lab.pump(1.0)
    finally:
        lab.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
