"""Execute the notebooks with papermill, render them to HTML, and write ``outputs/index.html``.

``run_all`` is what ``python run_all.py --dataset ...`` calls: for each dataset it first checks
that the report folder can be written, does the expensive work in this process (generation
and training, with tqdm progress on the terminal; everything cached), then executes the
notebooks, which find every result cached and only show it.

Reports are written as one transaction per dataset: every requested notebook, its HTML and
``summary.json`` go to temporary files (``.tmp-*``, unique per process) in the report folder,
and all are moved into place only when every one succeeded, so a failed run leaves the earlier
report whole. A process holds the folder's lock (``.report.lock``; ``.index.lock`` for
``index.html``) while it writes there, and removes the ``.tmp-*`` files a killed run left.
Kernels talk to papermill over IPC sockets in a private folder, not TCP, and import this
checkout's package and read this project root (:func:`kernel_environment`), whatever the
environment has installed. A kernel process's own output (not its cells': those travel in the
notebook) goes to a log file (:func:`kernel_log`), not to the user's terminal. A notebook is
re-executed only when something it shows could have changed (:mod:`littlehuman.freshness`);
``--force-notebooks`` re-executes anyway.
"""
from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
import warnings
from dataclasses import asdict
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Collection, Iterator, Mapping

from littlehuman import freshness, paths
from littlehuman.config import RUN_ONLY, SHOWN_ONLY_BY, Profile, for_task, shown_value
from littlehuman.errors import LittleHumanError
from littlehuman.lazy_imports import defer_iri_parsers
from littlehuman.secrets import public_url

if TYPE_CHECKING:  # imported where used, as load_studies does
    from littlehuman.study import Study

NOTEBOOKS = {
    "01": "01_generate.ipynb",
    "02": "02_replacement_sweep.ipynb",
    "03": "03_zoom.ipynb",
    "04": "04_tradeoff.ipynb",
    "05": "05_analysis.ipynb",
    "06": "06_advise.ipynb",
}


def notebooks_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "notebooks"


def report_dir(dataset: str, profile: Profile, root: Path | None = None) -> Path:
    """``<root>/<dataset>/<profile>`` (root: ``outputs/`` unless ``--output`` names another)."""
    return (root or paths.outputs_dir()) / dataset / profile.name


# ---------------------------------------------------------------------- writing safely
Staged = list[tuple[Path, Path]]  # (temporary file, its final path)
PROBE_BYTES = 64 * 1024


def check_writable(folder: Path) -> None:
    """Fail early, before any expensive work, when ``folder`` (or, while it does not exist
    yet, its nearest existing parent) cannot take a file: read-only, no permission, disk
    full. Writes and removes a small probe file; creates nothing else."""
    target = Path(folder)
    while not target.exists() and target.parent != target:
        target = target.parent
    if not target.is_dir():
        raise LittleHumanError(f"{target} is a file, not a folder: choose another --output folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=target)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM):
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from None
        raise LittleHumanError(  # /proc, /sys and the like: no plain files there
            f"cannot create a file in {target} ({exc.strerror or exc}): choose another "
            "--output folder (LITTLEHUMAN_HOME moves the caches too)") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from None
    finally:
        Path(probe).unlink(missing_ok=True)


def _naming(exc: OSError, path: Path) -> OSError:
    """``exc`` with ``path`` as its file name when it has none (ENOSPC on write has none)."""
    if exc.filename:
        return exc
    named = OSError(exc.errno, exc.strerror or str(exc), str(path))
    named.__cause__ = exc
    return named


@contextlib.contextmanager
def locked_folder(folder: Path, lock_name: str = ".report.lock") -> Iterator[Path]:
    """Hold ``folder``'s lock while writing there (creating the folder); on entry remove the
    ``.tmp-*`` files a killed run left (no live process has any while we hold the lock)."""
    from filelock import FileLock, Timeout

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / lock_name))
    try:
        lock.acquire(timeout=1)  # a short write (the index) passes silently
    except Timeout:
        print(f"waiting for another process writing {folder} to finish", flush=True)
        lock.acquire()
    try:
        paths.remove_stale(folder, ".tmp-*", older_than_s=0)
        yield folder
    finally:
        lock.release()


def _temp_file(folder: Path, suffix: str) -> Path:
    """A new, empty temporary file in ``folder`` with a per-process unique name."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
    os.close(fd)
    return Path(tmp)


def _write_temp(folder: Path, suffix: str, text: str) -> Path:
    tmp = _temp_file(folder, suffix)
    try:
        tmp.write_text(text, encoding="utf-8")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def commit(staged: Staged) -> None:
    """Move every staged file into place: each flushed to disk first (a power cut cannot
    leave a renamed but empty report beside valid digests), then renamed (atomic)."""
    for tmp, target in staged:
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)


def drop_html(out_dir: Path, names: list[str]) -> None:
    """Remove the HTML of notebooks ``names`` just executed without HTML (``--no-html``): it
    shows an earlier execution, and the index links every HTML of the folder."""
    for name in names:
        (out_dir / name).with_suffix(".html").unlink(missing_ok=True)


def changed_settings(earlier: dict[str, Any] | None, settings: Mapping[str, Any]
                     ) -> dict[str, tuple[Any, Any]]:
    """Field -> (earlier, now) for the settings that change what a report shows (all but
    :data:`config.RUN_ONLY`) where ``settings`` differ from those the ``earlier`` summary
    was made with; {} when it holds none (no report yet, or one from before they were kept)."""
    before = (earlier or {}).get("settings")
    if not isinstance(before, dict):
        return {}
    return {k: (before.get(k), v) for k, v in settings.items()
            if k not in RUN_ONLY and k in before and _jsonable(before[k]) != _jsonable(v)}


def showing(changed: Mapping[str, Any]) -> set[str]:
    """The notebooks that show any of the ``changed`` settings (:data:`config.SHOWN_ONLY_BY`;
    every notebook for any other setting)."""
    return set().union(*(SHOWN_ONLY_BY.get(k, NOTEBOOKS) for k in changed))


def notebook_parameters(name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """``parameters`` as notebook ``name`` gets them: its ``overrides`` without the settings
    it does not show (:data:`config.SHOWN_ONLY_BY`), so that a price or budget neither enters
    nor re-executes the pages that never show it."""
    if "overrides" not in parameters:
        return parameters
    key = next((k for k, f in NOTEBOOKS.items() if f == name), None)
    overrides = {k: v for k, v in json.loads(parameters["overrides"]).items()
                 if key is None or key in SHOWN_ONLY_BY.get(k, NOTEBOOKS)}
    return {**parameters, "overrides": json.dumps(overrides)}


def _jsonable(value: Any) -> Any:
    """``value`` as summary.json reads it back (tuples become lists)."""
    return json.loads(json.dumps(value))


def drop_pages(out_dir: Path, names: list[str]) -> list[str]:
    """Remove the executed notebooks ``names`` (.ipynb and .html) from ``out_dir``; the names
    of those that were there."""
    there = [n for n in names if (out_dir / n).exists() or (out_dir / n).with_suffix(".html").exists()]
    for name in there:
        (out_dir / name).unlink(missing_ok=True)
    drop_html(out_dir, there)
    return there


def discard(staged: Staged) -> None:
    """Remove the staged files of a failed transaction; the earlier report stays as it was."""
    for tmp, _target in staged:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def kernel_sockets() -> Iterator[str | None]:
    """A private (0700) temporary folder for the kernels' IPC sockets, removed afterwards
    (None on Windows, which has no IPC sockets: the default TCP transport is kept)."""
    if os.name == "nt":
        yield None
        return
    sockets = tempfile.mkdtemp(prefix="lh-kernel-")
    try:
        yield sockets
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def kernel_config(sockets: str | None, log: Path | None = None) -> Any:
    """A traitlets config for one papermill kernel: IPC transport through sockets in
    ``sockets`` (:func:`kernel_sockets`) under a name of its own, so kernels started at once
    never pick the same socket files (over TCP every kernel logs ipykernel's "running over TCP
    without encryption" warning; our kernels are local and need no port); with ``log``, the
    kernel process's own output goes there (:func:`kernel_manager_class`)."""
    from traitlets.config import Config

    config = Config()
    if sockets is not None:
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(sockets, uuid.uuid4().hex[:8])
    if log is not None:
        config.KernelManager.output_log = str(log)
    return config


def kernel_log(out_dir: Path, name: str) -> Path:
    """Where the kernel of notebook ``name``, run for the report folder ``out_dir``
    (``.../<dataset>/<profile>``), writes its process's own output:
    ``data/logs/kernels/<dataset>/<profile>/<notebook>.log``, replaced at each execution."""
    return (paths.cache_dir() / "logs" / "kernels" / out_dir.parent.name / out_dir.name
            / f"{Path(name).stem}.log")


@functools.cache
def kernel_manager_class() -> type:
    """jupyter_client's kernel manager with three changes for a runner on a terminal.

    The kernel is always this Python's own ipykernel (``sys.executable``), never a
    ``python3`` kernelspec found on disk: outside a virtual environment jupyter_client
    prefers the user's (``~/.local/share/jupyter/kernels/python3``), which often names
    another interpreter (seen: ``/usr/bin/python3: No module named ipykernel_launcher``, a
    kernel dead at start); the notebooks need this environment's packages anyway.

    The kernel process's own stdout and stderr (what C libraries, ipykernel's logger or
    libzmq write to its file descriptors: a ``pfd.revents & POLLIN`` assertion at exit was
    seen once with kernels side by side) are appended to the file named by ``output_log``
    when it is set and can be written, instead of reaching the user's terminal; cell outputs
    and errors travel over the messaging protocol into the notebook as before. And no SIGINT
    before shutdown:
    a kernel still flushing its last reply (likely with several side by side) logs
    ``KeyboardInterrupt caught in kernel`` for it; the shutdown request follows as before,
    then SIGTERM and SIGKILL if needed."""
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Unicode

    class RunnerKernelManager(AsyncKernelManager):
        output_log = Unicode("", config=True,
                             help="file for the kernel process's stdout and stderr (appended)")

        @property
        def kernel_spec(self) -> KernelSpec:  # jupyter_client's own fallback spec, always
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())
            return self._kernel_spec

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            with contextlib.ExitStack() as stack:
                if self.output_log:  # best effort: if it cannot be written, the terminal
                    with contextlib.suppress(OSError):
                        log = Path(self.output_log)
                        log.parent.mkdir(parents=True, exist_ok=True)
                        out = stack.enter_context(log.open("ab"))  # the child gets a copy
                        kw = {**kw, "stdout": out, "stderr": out}
                await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_interrupt_kernel(self) -> None:
            if not getattr(self, "shutting_down", False):  # set by shutdown_kernel first
                await super()._async_interrupt_kernel()

    return RunnerKernelManager


@contextlib.contextmanager
def kernel_environment() -> Iterator[None]:
    """The notebooks' kernels import this checkout's ``littlehuman`` and read this project
    root, whatever the environment has installed: ``PYTHONPATH`` starts with this package's
    folder, ``LITTLEHUMAN_HOME`` names the root and a relative ``LITTLEHUMAN_DATA_DIR`` is
    made absolute (kernels inherit the environment and run in notebooks/). The
    kernels are marked as a report's (``plots.style.REPORT_KERNEL_ENV``): their figures
    carry plotly.js inlined, as a report read offline needs."""
    from littlehuman.plots.style import REPORT_KERNEL_ENV

    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "LITTLEHUMAN_HOME",
                                             "LITTLEHUMAN_DATA_DIR", REPORT_KERNEL_ENV)}
    lib = str(Path(__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join([lib] + ([saved["PYTHONPATH"]]
                                                       if saved["PYTHONPATH"] else []))
    os.environ["LITTLEHUMAN_HOME"] = str(paths.project_root())
    if saved["LITTLEHUMAN_DATA_DIR"]:  # relative to where run_all ran, not notebooks/
        os.environ["LITTLEHUMAN_DATA_DIR"] = str(paths.raw_data_dir(None, must_exist=False))
    os.environ[REPORT_KERNEL_ENV] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def found_datasets(data_dir: str | None) -> tuple[list[str], list[str]]:
    """The registered datasets whose raw files are found under the raw-data folder, and those
    whose files are not (in registry order)."""
    from littlehuman import data

    root = paths.raw_data_dir(data_dir)
    found = []
    for name in data.names():
        try:
            data.get(name).loader().source_files(root / name)
            found.append(name)
        except LittleHumanError:
            pass
    return found, [name for name in data.names() if name not in found]


def load_studies(dataset: str, profile: Profile, data_dir: str | None,
                 custom: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
    """``(name as given, Study)`` of every dataset :func:`resolve_datasets` names, all loaded
    before any work starts: a file that leaves a split empty (or any other load error) stops
    ``--dataset all`` before the first dataset's runs, not after them."""
    from littlehuman.study import Study

    return [(name, Study.create(name, profile, data_dir=data_dir, custom=custom))
            for name in resolve_datasets(dataset, data_dir)]


def say_notes(study: Any) -> None:
    """Print the loader's notes on the rows (WANLI's 100-row sample...) and how the zoom's and
    trade-off's sizes were scaled to the dataset, once per run (``--tradeoff-human 1000`` on
    240 training rows became +234 human points on bases 3 and 5, which only notebook 04
    said, a user)."""
    from littlehuman.experiments import scaling

    for note in study.notes:
        print(f"[{study.name}] partial data: {note}", flush=True)
    for note in scaling.sizes(study.profile, study.shape).notes:
        print(f"[{study.name}] sizes: {note}", flush=True)


def resolve_datasets(dataset: str, data_dir: str | None, required: bool = True) -> list[str]:
    """'all' -> every registered dataset whose raw files are found (every registered one when
    not ``required``, e.g. for a plan); else the one given."""
    from littlehuman import data
    from littlehuman.data import custom

    if dataset != "all":
        if not custom.is_custom_path(dataset):
            data.get(dataset)
        return [dataset]
    if not required:
        return data.names()
    found, skipped = found_datasets(data_dir)
    root = paths.raw_data_dir(data_dir)
    if not found:
        raise LittleHumanError(f"no dataset's raw files were found under {root}: see --fetch")
    if skipped:  # say which were left out, rather than run fewer datasets without a word
        print(f"all: {len(found)} of {len(found) + len(skipped)} datasets have their raw files "
              f"in {root}: {', '.join(found)}; skipped, files not found: {', '.join(skipped)} "
              "(--list-datasets says what is missing)", flush=True)
    return found


#: papermill waits 60 s for a kernel to start by default; a loaded machine (a training job
#: beside it, several kernels starting at once) can take longer
KERNEL_START_TIMEOUT_S = 300


def stage_notebook(name: str, out_dir: Path, parameters: dict[str, Any], html_out: bool,
                   sockets: str | None = None, plotlyjs: str | None = None) -> Staged:
    """Execute notebook ``name`` with papermill into a temporary file in ``out_dir`` (and its
    HTML into another); return them with their final paths, for :func:`commit`. The kernel
    runs in ``notebooks/`` (set on the kernel, not by papermill's process-wide ``chdir``, so
    notebooks can run side by side in threads) with its sockets in ``sockets`` (a folder of
    its own when None); the notebook and its HTML load plotly.js from ``plotlyjs`` when given
    (a path relative to ``out_dir``). A failure removes what it wrote and raises (a failed cell as
    one line naming the cell by its first line and the executed notebook, kept beside the
    kernel's log with its traceback)."""
    defer_iri_parsers()  # before papermill imports nbformat, and so jsonschema
    import papermill as pm

    src = notebooks_dir() / name
    if not src.exists():
        raise LittleHumanError(f"notebook {src} is missing from the checkout")
    staged: Staged = []
    log = kernel_log(out_dir, name)
    executed = log.with_suffix(".ipynb")  # the last execution: kept beside its log if it fails
    with contextlib.suppress(OSError):  # the kernel appends: one execution per file
        log.unlink(missing_ok=True)
    with staging(staged, out_dir):
        try:
            with contextlib.ExitStack() as stack:
                if sockets is None:
                    sockets = stack.enter_context(kernel_sockets())
                tmp = _temp_file(out_dir, ".ipynb")
                staged.append((tmp, out_dir / name))
                log.parent.mkdir(parents=True, exist_ok=True)
                nb = pm.execute_notebook(str(src), str(executed),  # kept if a cell fails
                                         parameters=notebook_parameters(name, parameters),
                                         progress_bar=False, kernel_name="python3",
                                         config=kernel_config(sockets, log),
                                         kernel_manager_class=kernel_manager_class(),
                                         resources={"metadata": {"path": str(notebooks_dir())}},
                                         start_timeout=KERNEL_START_TIMEOUT_S)
        except pm.PapermillExecutionError as e:
            # the cell by its first line: papermill's count includes the parameters it
            # injects, so "cell 7" named none the reader could open
            first = next((line.strip() for line in (e.source or "").splitlines()
                          if line.strip()), "")
            first = first if len(first) <= 60 else first[:60] + "..."
            raise LittleHumanError(
                f"notebook {name} failed in its cell starting {first!r}: {e.ename}: "
                f"{e.evalue} (the executed notebook, with the traceback: {executed})") from None
        except RuntimeError as e:  # nbclient's DeadKernelError is one; so are start failures
            raise _kernel_failure(name, e, log) from None
        with contextlib.suppress(OSError):  # succeeded: the report holds it
            executed.unlink(missing_ok=True)
        nb.metadata.papermill["output_path"] = str(out_dir / name)  # where it lands, not tmp
        if plotlyjs:  # the HTML made from it then loads the shared copy too
            _share_plotlyjs_in_notebook(nb, plotlyjs)
        _write_notebook(nb, tmp)
        if html_out:
            target = (out_dir / name).with_suffix(".html")
            body = html_body(tmp, title=page_title(target))
            staged.append((_write_temp(out_dir, ".html", body), target))
    return staged


def _write_notebook(nb: Any, path: Path) -> None:
    """Write an executed notebook to its staged file as papermill does (nbformat's layout;
    :func:`commit` flushes it to disk)."""
    import nbformat

    path.write_text(nbformat.writes(nb), encoding="utf-8")


def _share_plotlyjs_in_notebook(nb: Any, src: str) -> None:
    """The executed notebook ``nb`` with plotly.js's inlined copy (in its first figure's HTML
    output) replaced by a script loading ``src``, as its HTML report does (``--plotlyjs
    shared``): 5 MB -> a few hundred KB. JupyterLab draws its figures from their plotly JSON
    either way (``plots.show``)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            page = out.get("data", {}).get("text/html")
            if page is None:
                continue
            page = "".join(page) if isinstance(page, list) else page
            shared = _load_plotlyjs_from(page, src)
            if shared != page:
                out["data"]["text/html"] = shared


def _kernel_failure(name: str, error: RuntimeError, log: Path) -> BaseException:
    """The one-line error for notebook ``name`` whose kernel died (nbclient's
    ``DeadKernelError``, or jupyter_client's "Kernel died before replying") or did not start
    in time; any other ``error`` as it is."""
    from nbclient.exceptions import DeadKernelError

    text = str(error)
    if text.startswith("Kernel didn't respond"):  # jupyter_client's start timeout
        return LittleHumanError(
            f"notebook {name}: its kernel did not start within {KERNEL_START_TIMEOUT_S} s (its "
            f"own output is in {log}): rerun when the machine is less busy, or with fewer "
            "notebooks at once (--notebooks)")
    if isinstance(error, DeadKernelError) or text.startswith("Kernel died"):
        said = _last_line(log)
        return LittleHumanError(
            f"notebook {name}: its kernel died (out of memory? killed? it could not start?)"
            + (f", its last line: {said!r}" if said else "") + f"; its own output is in {log}: "
            "free memory or run fewer notebooks at once (--notebooks), then rerun")
    return error


def _last_line(log: Path, limit: int = 200) -> str:
    """The last non-empty line of a kernel's log (at most ``limit`` characters), '' if none."""
    try:
        with log.open("rb") as f:
            f.seek(max(0, log.stat().st_size - 4096))
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    said = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return said if len(said) <= limit else said[:limit - 3] + "..."


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Papermill's and Jupyter's warnings silenced while notebooks execute, and papermill's
    logger (nbclient logs through it) below CRITICAL: a failure reaches the user as the one
    line :func:`stage_notebook` raises, not also as "Kernel died while waiting for execute
    reply.". Entered once, by the thread that starts them (``warnings.catch_warnings`` is
    not thread-safe)."""
    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def notebook_workers(count: int) -> int:
    """How many of ``count`` notebooks run at once: one per CPU core this process may use,
    at most 4 (each kernel holds its own imports, ~0.3 GB)."""
    from littlehuman.machine import usable_cores

    return max(1, min(count, usable_cores(), 4))


def stage_notebooks(names: list[str], out_dir: Path, parameters: dict[str, Any],
                    html_out: bool, sockets: str | None,
                    workers: int | None = None, plotlyjs: str | None = None) -> Staged:
    """:func:`stage_notebook` for each of ``names``, side by side (``workers`` at once, by
    default :func:`notebook_workers`): they only read the caches the expensive work filled,
    each in its own kernel. Staged files come back in the order of ``names``; the first
    failure (in that order) raises after every started notebook has stopped, and removes
    what all of them wrote."""
    from concurrent.futures import ThreadPoolExecutor

    workers = workers or notebook_workers(len(names))
    staged: Staged = []
    with staging(staged, out_dir), quiet():
        if workers == 1:
            for name in names:
                staged += stage_notebook(name, out_dir, parameters, html_out, sockets, plotlyjs)
            return staged
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook")
        futures = [pool.submit(_closing_its_loop, stage_notebook, name, out_dir, parameters,
                               html_out, sockets, plotlyjs) for name in names]
        try:
            for future in futures:  # wait for all (an interrupt stops the wait)
                future.exception()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            finished = [f for f in futures if f.done() and not f.cancelled()]
            for future in finished:  # on any failure, staging removes these too
                staged += future.result() if future.exception() is None else []
        errors = [f.exception() for f in finished if f.exception() is not None]
        if errors:
            raise errors[0]
    return staged


def _closing_its_loop(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` in a pool thread, then close the event loop nbclient made for the thread
    (jupyter_core keeps one per thread and never closes it: collected with the thread, it
    warns "unclosed event loop"); the thread's next notebook gets a new one."""
    from jupyter_core.utils import ensure_event_loop

    try:
        return fn(*args)
    finally:
        ensure_event_loop().close()


@contextlib.contextmanager
def staging(staged: Staged, out_dir: Path) -> Iterator[None]:
    """On any failure inside, remove the ``staged`` temp files (nothing is moved into place)
    and raise; an OSError as one line naming ``out_dir``."""
    try:
        yield
    except OSError as exc:
        discard(staged)
        raise _naming(exc, out_dir) from None
    except BaseException:
        discard(staged)
        raise


def execute_notebook(name: str, out_dir: Path, parameters: dict[str, Any], html_out: bool) -> Path:
    """Run one notebook with papermill into ``out_dir``; render HTML; atomic replacement."""
    with locked_folder(out_dir), quiet():
        commit(stage_notebook(name, out_dir, parameters, html_out))
        if not html_out:
            drop_html(out_dir, [name])
    return out_dir / name


# nbconvert's lab template loads require.js and MathJax from a CDN: an offline reader gets
# console errors. Our reports use neither (plotly.js is inlined once, no LaTeX), so drop both.
OFFLINE_TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
)


#: how a report gets plotly.js: ``inline`` (in every report and executed notebook, 4.8 MB
#: each: a page opens anywhere on its own) or ``shared`` (one copy beside index.html that they
#: load by relative path: still offline, a report ~0.3 MB, but one copied alone draws nothing)
PLOTLYJS_MODES = ("inline", "shared")


@functools.cache
def _plotlyjs() -> str:
    """plotly.js as plotly inlines it (``get_plotlyjs`` reads and decodes its 4.8 MB file at
    every call; a notebook's outputs are searched for it one by one)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def shared_plotlyjs(root: Path) -> Path:
    """``root/plotly-VERSION.min.js``, the copy every report of a ``shared`` run loads,
    written (atomically) when missing or not this plotly's."""
    import plotly

    target = root / f"plotly-{plotly.__version__}.min.js"
    source = _plotlyjs()
    if not target.is_file() or target.stat().st_size != len(source.encode()):
        root.mkdir(parents=True, exist_ok=True)
        commit([(_write_temp(root, ".js", source), target)])
    return target


def _load_plotlyjs_from(body: str, src: str) -> str:
    """``body`` with plotly.js's inlined copy (what ``plots.show`` and ``to_html`` put in the
    first figure's output) replaced by a script loading ``src``; unchanged when the inlined
    copy is not this plotly's (it then stays inline, so the page still draws)."""
    source = _plotlyjs()
    at = body.find(source)  # nbconvert rewrites the script tag's attributes, not its text
    if at < 0:
        return body
    start, end = body.rfind("<script", 0, at), body.find("</script>", at + len(source))
    if start < 0 or end < 0 or not body[start:at].endswith(">"):
        return body
    loader = f'<script charset="utf-8" src="{escape(src)}"></script>'
    return body[:start] + loader + body[end + len("</script>"):]


def page_title(report: Path) -> str:
    """A report's browser-tab title from where it lies (``.../<dataset>/<profile>/NN_name``):
    'fever · smoke · 02 replacement sweep', not nbconvert's 'Notebook' for every tab."""
    what = report.stem.replace("_", " ")
    return " · ".join([report.parent.parent.name, report.parent.name, what])


def html_body(notebook: Path, plotlyjs: str | None = None, title: str | None = None) -> str:
    """nbconvert's HTML export without the code (the executed .ipynb beside it has it) and
    without scripts fetched from the network (the page works offline), titled ``title``; with
    ``plotlyjs`` (a path relative to the page) plotly.js is loaded from there instead of
    inlined."""
    defer_iri_parsers()
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:  # a dollar sign written for JupyterLab's MathJax (plots.markdown)
        for out in cell.get("outputs", []):  # reads as Markdown's own escape here: no MathJax
            if "text/markdown" in out.get("data", {}):
                out["data"]["text/markdown"] = out["data"]["text/markdown"].replace("\\\\$",
                                                                                    "\\$")
    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="offline.html.j2")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or notebook.stem}})
    return _load_plotlyjs_from(body, plotlyjs) if plotlyjs else body


def render_html(notebook: Path, target: Path | None = None, plotlyjs: str | None = None) -> Path:
    """Render ``notebook`` to ``target`` (default: beside it, ``.html``) through a temporary
    file unique to this process (``plotlyjs`` as for :func:`html_body`)."""
    target = target or notebook.with_suffix(".html")
    body = html_body(notebook, plotlyjs, page_title(target))
    commit([(_write_temp(target.parent, ".html", body), target)])
    return target


def stage_summary(out_dir: Path, summary: dict[str, Any]) -> Staged:
    """``summary.json`` as a temporary file, for :func:`commit`."""
    text = json.dumps(summary, indent=1, default=str)
    return [(_write_temp(out_dir, ".json", text), out_dir / "summary.json")]


def write_summary(out_dir: Path, summary: dict[str, Any]) -> None:
    """Write ``out_dir/summary.json`` atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    commit(stage_summary(out_dir, summary))


def public_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Profile settings fit to write anywhere: ``base_url`` without its user-info (a
    password in ``http://user:password@host`` never reaches a notebook, summary or index)."""
    out = dict(settings)
    if out.get("base_url"):
        out["base_url"] = public_url(out["base_url"])
    return out


def pages_phrase(pages: list[str]) -> str:
    """``its page A showed those and was`` or ``its pages A, B showed those and were``."""
    if len(pages) == 1:
        return f"its page {pages[0]} showed those and was"
    return f"its pages {', '.join(pages)} showed those and were"


def rebuild_phrase(dropped: list[str], changed: Mapping[str, Any]) -> str:
    """How to get removed pages back: where only settings that change no run changed (the
    advisor's prices and budget, :data:`config.SHOWN_ONLY_BY`), ``--notebooks`` of those
    pages with these flags, from the cached runs (``advise`` with new prices removed page 04
    and said only "rerun with the earlier flags", a user); else the earlier flags."""
    earlier = "rerun with the earlier flags to rebuild them from the cached runs"
    if not all(k in SHOWN_ONLY_BY for k in changed):
        return earlier
    pages = ",".join(nb for nb, f in NOTEBOOKS.items() if f in dropped)
    return (f"`--notebooks {pages}` with these flags rebuilds "
            f"{'it' if len(dropped) == 1 else 'them'} at these settings from the cached runs; "
            "the earlier flags, as before")


def dry_run(dataset: str, profile: Profile, data_dir: str | None = None,
            custom: dict[str, Any] | None = None,
            notebooks: list[str] | None = None) -> list[dict[str, Any]]:
    """Print what generation would send and cost for each dataset, for the experiments
    ``notebooks`` prepare (None: all); send nothing. First, every dataset gets the checks a
    run makes before its twins are generated
    (:func:`~littlehuman.experiments.check_before_generation`: a ``--synthetic`` file read and
    matched as the run reads it, the encoder's usable QA rows), whose one line stops it."""
    from littlehuman import experiments
    from littlehuman.experiments import twins

    out = []
    studies = load_studies(dataset, profile, data_dir, custom)
    for _, study in studies:  # what the run would stop on after the twins: before any line
        experiments.check_before_generation(study, notebooks or list(NOTEBOOKS))
    for _, study in studies:
        say_notes(study)
        if study.synthetic_file is not None:  # what the run says of the file when it starts
            print(study.synthetic_file.report.describe(), flush=True)
        plan = twins.dry_run(study, notebooks)
        money = ("no price known" if plan["dollars_chat"] is None else
                 f"${plan['dollars_chat']:.2f} chat, ${plan['dollars_batch']:.2f} Batch API")
        done = [f"{plan[key]} {what}" for key, what in
                (("cached", "answered already (cache)"),
                 ("submitted", "in a batch already submitted")) if plan.get(key)]
        kept = f" ({', '.join(done)}: not sent again)" if done else ""
        print(f"[{plan['dataset']}] {plan['requests']} requests to send to {plan['generator']} "
              f"({plan['model']}){kept}: ~{plan['input_tokens']:,} input + <= "
              f"{plan['output_tokens']:,} output tokens, {money}", flush=True)
        if plan.get("unchecked"):
            print(f"[{plan['dataset']}] {plan['unchecked']}", flush=True)
        out.append(plan)
    print("estimate: prompt tokens = characters / 4, every reply at max_new_tokens; re-asks "
          "of unusable replies not counted")
    return out


def write_index(root: Path | None = None, plotlyjs: str = "inline") -> Path:
    """``outputs/index.html`` (or under ``root``): see :mod:`littlehuman.index`; ``plotlyjs``
    as for :func:`run_all`."""
    from littlehuman import index

    root = root or paths.outputs_dir()
    with locked_folder(root, ".index.lock"):
        target = root / "index.html"
        src = shared_plotlyjs(root).name if plotlyjs == "shared" else None
        page = index.page(root, src)
        try:  # the same page is not written again (a rerun that changed nothing rewrites nothing)
            same = target.read_bytes() == page.encode("utf-8")
        except OSError:
            same = False
        if not same:
            commit([(_write_temp(root, ".html", page), target)])
    return target


def read_summary(out_dir: Path) -> dict[str, Any] | None:
    """The report's ``summary.json`` (None when missing or unreadable)."""
    return paths.read_json_object(out_dir / "summary.json")


def summary_keys(notebooks: set[str]) -> set[str]:
    """The ``summary.json`` entries these notebooks' pages stand for: each experiment's under
    its ``NOTEBOOK``, the headline under 02's (the sweep's), the advisor's under 06's."""
    from littlehuman import experiments

    keys = {m.NAME for m in experiments.EXPERIMENTS.values() if m.NOTEBOOK in notebooks}
    return keys | ({"headline"} if experiments.sweep.NOTEBOOK in notebooks else set()) | (
        {"advisor"} if "06" in notebooks else set())


def rows_used(study: Any) -> dict[str, int]:
    """The rows behind the report, resolved: the sweep's n, the human validation rows every
    run selects its epoch on and the test rows it is scored on (the settings keep what was
    asked, where 0 means all)."""
    split = study.eval_rows["split"]
    return {"train": int(study.n), "valid": int(split.eq("valid").sum()),
            "test": int(split.eq("test").sum())}


#: the fields of a run's generation stats that add up across the experiments' calls (a row
#: replayed from the cache by a second experiment is no second request, re-ask or miss)
RUN_GENERATION = ("calls", "seconds", "faults")


def build_summary(study: Any, notebooks: list[str], chosen: list[Any],
                  generation: dict[str, Any], trained: dict[str, int], seconds: float,
                  previous: dict[str, Any] | None = None,
                  kept_pages: Collection[str] = ()) -> dict[str, Any]:
    """``summary.json`` of one report: the summary of each prepared experiment that a page run
    now shows (the ``previous`` summary's for the others, so running one notebook keeps the
    rest of the index and the index agrees with the pages it links; the
    sweep's with ``twins``, what the twins carry, :func:`~littlehuman.experiments.sweep.twin_defects`), the
    advisor's (notebook 06), the headline, what this run's generation sent
    (:data:`RUN_GENERATION`) and its training counts, the bill, wall time, date, settings,
    the rows they resolve to (:func:`rows_used`), the loader's notes on the data
    (``data_notes``: WANLI's 100-row sample...) and what produced it
    (:mod:`littlehuman.provenance`). ``kept_pages``: the notebooks whose earlier page stays
    beside this run's (not run now)."""
    from littlehuman import experiments, provenance
    from littlehuman.experiments import advisor

    before = previous or {}
    # only the experiments a page run now shows: one prepared for another notebook (the
    # sweep, for page 03's zoom) keeps its earlier summary, as its page is kept (a reviewer:
    # the index read 0.729 beside a kept page 02 reading 0.469); one shown by another page
    # too (the trade-off, by 06) only where its own page is not kept (`--notebooks 06` had
    # rewritten finding 3 beside a kept page 04 with other numbers)
    summaries = {m.NAME: m.summary(study) for m in chosen
                 if m.NOTEBOOK in notebooks
                 or (set(experiments.shown_by(m)) & set(notebooks)
                     and (m.NOTEBOOK not in kept_pages or before.get(m.NAME) is None))}
    if (summaries.get("sweep") or {}).get("status") == "ok":  # what finding 1 is read with
        summaries["sweep"]["twins"] = experiments.sweep.twin_defects(study)
    advice = advisor.summary(study) if "06" in notebooks else before.get("advisor")
    headline = (experiments.sweep.headline(study) if "sweep" in summaries
                else before.get("headline") if before.get("sweep")  # the sweep's, kept
                # the sweep trained for another page (03, 05) and no page 02 to contradict: its
                # runs' headline (a first --notebooks 03 had printed none: a reviewer)
                else experiments.sweep.headline(study) if experiments.sweep in chosen
                else (advice or {}).get("headline")  # an earlier advice's would be stale
                or ("the twins alone (notebook 01): nothing trained yet" if "01" in notebooks
                    else before.get("headline", "")))
    return {"dataset": study.name, "task": study.task, "profile": study.profile.name,
            "headline": headline, **{name: before.get(name) for name in experiments.EXPERIMENTS},
            **summaries, "advisor": advice,
            "bill": experiments.twins.bill(study),
            # what this run sent (the experiments' generations summed); the rows' counts are
            # the bill's: the zoom's and trade-off's replays of the sweep's twins had counted
            # its re-asks, misses and cut replies again (SciFact: 40 missing for 13)
            "generation": {k: generation[k] for k in RUN_GENERATION if k in generation},
            "seconds": round(seconds, 1), "generation_calls": int(generation.get("calls", 0)),
            "runs_trained": int(trained.get("ran", 0)),
            "runs_skipped": int(trained.get("skipped", 0)),
            "finished": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "settings": report_settings(study.profile, study.task),
            "rows": rows_used(study),
            "data_notes": list(study.notes),  # a partial release: what the rows are not
            "provenance": {**provenance.provenance(study),
                           "runs": provenance.never_raising(experiments.run_commits, study)}}


def report_settings(profile: Any, task: str) -> dict[str, Any]:
    """The settings a report of ``task`` is made with, as its summary keeps them and a later
    run compares with: public (no password), and none read only for another task or by
    another generator (:func:`config.for_task`)."""
    return for_task(public_settings(asdict(profile)), task, profile.generator)


def advice_lines(summary: dict[str, Any]) -> list[str]:
    """What the terminal says of page 06's answer after a run: the advisor's headline, the
    budget's sentence (not where the runs learned nothing), the robust split's and the buy
    line, each once and none that repeats the run's own headline."""
    advice = summary.get("advisor") or {}
    budget = advice.get("budget") or {}
    robust = advice.get("budget_robust") or {}
    said = [advice.get("headline"),
            budget.get("sentence") if budget.get("status") != "learned_nothing" else None,
            robust.get("sentence"), advice.get("buy")]
    return [s for s in said if s and s != summary.get("headline")]


def page_digests(study: Study, profile: Profile, params: Mapping[str, str],
                 overrides: Mapping[str, Any], data_dir: str | None, files: Collection[str],
                 html: bool, plotlyjs: str, code: str) -> tuple[dict[str, Any], dict[str, str]]:
    """What each notebook in ``files`` would show, as a digest (:func:`freshness.
    notebook_digest`) of the notebook, the parameters it is shown, the HTML mode, the code and
    the caches as they are now; and those shown parameters. Settings of where runs happen
    (--jobs, SLURM's) change nothing a notebook shows; where the raw files are read from is
    the folder resolved (--data-dir DIR and LITTLEHUMAN_DATA_DIR=DIR agree; 04 and 06 print
    it in the commands they suggest, which a kept page showed for a folder since deleted); a
    file a setting names (--prices, --synthetic, --cot-examples) counts by its content, not
    its path."""
    from littlehuman import experiments

    inputs = freshness.data_fingerprint(study.name, None, study.generator_id,
                                        experiments.run_folders(study))
    shown = {**params, "data_dir": str(paths.raw_data_dir(data_dir or None, must_exist=False)),
             "overrides": json.dumps({k: v for k, v in for_task(overrides, study.task).items()
                                      if k not in RUN_ONLY}),
             "files": freshness.named_files_digest(profile)}
    mode = html and plotlyjs or (plotlyjs != "inline" and f"{plotlyjs} without html")
    digests = {f: freshness.notebook_digest(notebooks_dir() / f, notebook_parameters(f, shown),
                                            mode, code, inputs)
               for f in files}
    return shown, digests


def prepare_for_notebooks(study: Study, notebooks: list[str]
                          ) -> tuple[list[Any], dict[str, Any], dict[str, int]]:
    """Make what ``notebooks`` show for ``study``: the twins, then each chosen experiment's
    runs (cached and resumable). Returns the experiments chosen, this run's generation
    (calls, re-asks, faults) and its runs (ran, skipped)."""
    from littlehuman import experiments

    chosen = experiments.for_notebooks(notebooks)
    generation: dict[str, Any] = {}
    trained: dict[str, int] = {}
    if "01" in notebooks and experiments.sweep not in chosen:  # the twins 01 shows, alone
        experiments.twins.add_stats(generation,
                                    experiments.twins.sweep_twins(study, progress=True)[1])
    for experiment in chosen:
        work = experiment.prepare(study, progress=True)
        experiments.twins.add_stats(generation, work["generation"])
        experiments.twins.add_stats(trained, work["runs"])
    if chosen:  # each run once: the zoom's sweep runs were counted by both as skipped
        trained["skipped"] = experiments.finished_runs(study, notebooks) - trained.get("ran", 0)
    return chosen, generation, trained


def run_all(dataset: str, profile: Profile, data_dir: str | None = None,
            custom: dict[str, Any] | None = None, notebooks: list[str] | None = None,
            html: bool = True, output_dir: str | os.PathLike | None = None,
            force_notebooks: bool = False, plotlyjs: str = "inline") -> list[Path]:
    """Run the pipeline and the notebooks for ``dataset`` ('all', a name or a file); the
    reports go under ``output_dir`` (default ``outputs/``), one transaction per dataset;
    ``plotlyjs`` is one of :data:`PLOTLYJS_MODES`."""
    from littlehuman import experiments

    notebooks = notebooks or list(NOTEBOOKS)
    if data_dir:  # notebooks run with cwd=notebooks/: pass absolute paths
        data_dir = str(Path(data_dir).expanduser().resolve())
    profile = profile.with_absolute_paths()
    unknown = [n for n in notebooks if n not in NOTEBOOKS]
    if unknown:
        raise LittleHumanError(f"unknown notebook(s) {unknown}: choose from {', '.join(NOTEBOOKS)}")
    if plotlyjs not in PLOTLYJS_MODES:
        raise LittleHumanError(f"unknown plotlyjs {plotlyjs!r}: choose from {', '.join(PLOTLYJS_MODES)}")
    root = Path(output_dir).expanduser().resolve() if output_dir else paths.outputs_dir()
    check_writable(root)
    shared = None
    # shared: the .ipynb loads it the same way, with or without HTML (--no-html had ignored
    # the mode there and inlined 4.8 MB into each notebook, a reviewer found)
    if plotlyjs == "shared":  # under the index's lock: its writer removes the
        with locked_folder(root, ".index.lock"):  # .tmp-* files it finds in root on entry
            shared = shared_plotlyjs(root)
    written: list[Path] = []
    try:
        loaded = load_studies(dataset, profile, data_dir, custom)
        for _, study in loaded:  # before any dataset's twins are generated (and paid for)
            experiments.check_before_generation(study, notebooks)
        while loaded:
            started = time.time()
            name, study = loaded.pop(0)  # (a finished dataset's Study and its caches go)
            say_notes(study)
            out_dir = report_dir(study.name, profile, root)
            check_writable(out_dir)  # before the expensive work
            chosen, generation, trained = prepare_for_notebooks(study, notebooks)
            overrides = public_settings(study.profile_overrides())
            params = {"dataset": name, "profile": profile.name, "data_dir": data_dir or "",
                      "overrides": json.dumps(overrides), "custom": json.dumps(custom or {})}
            files = {nb: NOTEBOOKS[nb] for nb in notebooks}
            code = freshness.code_digest()
            src = os.path.relpath(shared, out_dir) if shared else None
            with locked_folder(out_dir), kernel_sockets() as sockets, kernel_environment():
                # the caches as they are now: another process may have stored runs while we waited
                shown, digests = page_digests(study, profile, params, overrides, data_dir,
                                              files.values(), html, plotlyjs, code)
                previous = freshness.read_digests(out_dir)
                todo = (list(files) if force_notebooks else
                        freshness.stale(files, digests, previous, out_dir, html))
                if not todo:
                    summary = read_summary(out_dir) or {}
                    print(f"[{study.name}] nothing the notebooks show has changed since "
                          f"{summary.get('finished', '?')} UTC: kept the reports in {out_dir} "
                          "(--force-notebooks re-executes them)", flush=True)
                else:
                    earlier = read_summary(out_dir)
                    # a report folder shows one configuration: pages made with other settings go
                    # the data a report was made from counts as a setting: --notebooks 02 with
                    # another --data-dir had left pages 01, 03-06 of the old data beside it
                    inputs = {"data_dir": shown["data_dir"], "custom": params["custom"]}
                    changed = {**changed_settings(earlier,
                                                  report_settings(profile, study.task)),
                               **changed_settings({"settings": (earlier or {}).get("inputs")},
                                                  inputs)}
                    others: list[str] = []
                    if changed:  # the pages not re-executed that show a changed setting go
                        stale = showing(changed) - set(notebooks)
                        others = [f for nb, f in NOTEBOOKS.items() if nb in stale]
                        earlier = {k: v for k, v in (earlier or {}).items()
                                   if k not in summary_keys(stale)}
                        previous = {k: v for k, v in previous.items() if k not in others}
                    staged: Staged = []
                    with staging(staged, out_dir):
                        for nb in notebooks:
                            print(f"[{study.name}] executing {NOTEBOOKS[nb]}" if nb in todo else
                                  f"[{study.name}] {NOTEBOOKS[nb]} unchanged: kept", flush=True)
                        staged += stage_notebooks([NOTEBOOKS[nb] for nb in notebooks if nb in todo],
                                                  out_dir, params, html, sockets, plotlyjs=src)
                        kept = {nb for nb, f in NOTEBOOKS.items()
                                if f in previous and nb not in notebooks}
                        summary = {**build_summary(study, notebooks, chosen, generation,
                                                   trained, time.time() - started, earlier,
                                                   kept),
                                   "inputs": inputs}
                        staged += stage_summary(out_dir, summary)
                        staged.append((_write_temp(out_dir, ".json", json.dumps(
                            {**previous, **digests}, indent=1)), out_dir / freshness.DIGESTS_FILE))
                        # the pages of other settings go first: a kill after the new summary (its
                        # settings) was committed had left them for good
                        dropped = drop_pages(out_dir, others)
                        commit(staged[:-1])  # every notebook succeeded: all replace the old ones
                        if not html:  # at once; an earlier HTML of them would read as current
                            drop_html(out_dir, [NOTEBOOKS[nb] for nb in todo])
                        commit(staged[-1:])  # the digests last: a crash before re-executes them
                    if dropped:
                        what = ", ".join(f"{k} {shown_value(a)} -> {shown_value(b)}"
                                         for k, (a, b) in changed.items())
                        print(f"[{study.name}] the settings differ from this report's earlier ones "
                              f"({what}): {pages_phrase(dropped)} removed, so that {out_dir} "
                              f"shows one configuration ({rebuild_phrase(dropped, changed)})",
                              flush=True)
            written += [out_dir / NOTEBOOKS[nb] for nb in notebooks]
            print(f"[{study.name}] {summary.get('headline', '')} ({time.time() - started:.0f} s)",
                  flush=True)
            if "06" in notebooks:
                page = out_dir / NOTEBOOKS["06"]
                for said in advice_lines(summary):
                    print(f"[{study.name}] {said}", flush=True)
                print(f"[{study.name}] the advice: {page.with_suffix('.html') if html else page}",
                      flush=True)
    except Exception:  # the index follows every dataset whose pages were committed, even
        if written:  # when a later one fails: it had described the earlier run's pages
            with contextlib.suppress(Exception):  # the dataset's own error is the one to show
                print(f"index: {write_index(root, plotlyjs)}")
        raise
    print(f"index: {write_index(root, plotlyjs)}")
    return written
