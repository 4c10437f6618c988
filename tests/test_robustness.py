"""Robustness of a run: bad input and unwritable outputs are one line with exit 2 and leave the
earlier report byte-identical; reports are written as one transaction per dataset with
temporary files unique per process; two processes on one sweep train each run once; a
password in --base-url reaches no written file; kernels start without TCP warnings.

One cold smoke run of FEVER (conftest's ``fever_smoke``, shared with other modules) provides
the "yesterday's report" that every failing run below must leave untouched; each test that
changes files works on a copy.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from littlehuman import config, report
from littlehuman.errors import LittleHumanError
from littlehuman.executors import run_missing
from littlehuman.runs import RunSpec, RunStore

REPO = Path(__file__).resolve().parents[1]
HELPERS = Path(__file__).parent / "helpers"
sys.path.insert(0, str(HELPERS))
import sweep_worker  # noqa: E402
from cli import BASE_URL, FEVER_SMOKE, PASSWORD, run_all  # noqa: E402

TCP_WARNING = "without encryption"


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr[-3000:]
    assert lines[0].startswith("error: ") and "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes), lock files aside."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(".lock")}


def digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in snapshot(folder).items()}


@pytest.fixture(scope="module")
def smoke(fever_smoke):
    """The shared cold smoke run of FEVER, all notebooks, with a password in --base-url (the
    extractive generator sends nothing): (home, the CLI's CompletedProcess)."""
    return fever_smoke


@pytest.fixture()
def copy_home(smoke, tmp_path) -> Path:
    """A private copy of the smoke home (caches and reports) to break things in."""
    home = tmp_path / "home"
    shutil.copytree(smoke[0], home)
    return home


# ------------------------------------------------------------------ credentials, TCP warnings
@pytest.mark.slow
def test_password_in_base_url_reaches_no_file_and_no_kernel_warnings(smoke):
    home, proc = smoke
    assert TCP_WARNING not in proc.stderr  # ipykernel's warning, once per kernel over TCP
    written = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in written) and any(p.name == "record.json" for p in written)
    for path in written:  # outputs/ (notebooks, HTML, summary, index) and data/ (caches, runs)
        assert PASSWORD.encode() not in path.read_bytes(), path
        assert b"alice:" not in path.read_bytes(), path
    assert PASSWORD not in proc.stdout + proc.stderr
    folder = home / "outputs" / "fever" / "smoke"
    summary = json.loads((folder / "summary.json").read_text())
    # the extractive generator sends nothing: the server's address is no setting of its
    # reports (an API generator's is, masked: test_end_to_end_paths, report.public_settings)
    assert "base_url" not in summary["settings"]
    params = json.loads((folder / "02_replacement_sweep.ipynb").read_text())["metadata"]["papermill"]["parameters"]
    assert "base_url" not in json.loads(params["overrides"])
    assert not list(folder.glob(".tmp-*")) and not list((home / "outputs").glob(".tmp-*"))


# ------------------------------------------------------------------ bad input, one line
@pytest.mark.slow
@pytest.mark.parametrize("args,needles", [
    (("--n-train", "-5"), ("--n-train", ">= 0")),
    (("--n-test", "-1"), ("--n-test", ">= 0")),
    (("--seeds", ","), ("--seeds", "empty")),
    (("--sweep-fractions", "0,1.5"), ("--sweep-fractions", "between 0 and 1")),
    (("--zoom-fractions", ""), ("--zoom-fractions", "empty")),
    (("--endpoint", "telnet"), ("--endpoint", "chat, completions")),
    (("--request-timeout", "-3"), ("--request-timeout",)),
    (("--reask", "-1"), ("--reask",)),
    (("--notebooks", ","), ("--notebooks",)),
    (("--notebooks", "01,09"), ("--notebooks",)),
    (("--output", str(REPO / "run_all.py")), ("is a file", "--output")),
    (("--output", "/proc/littlehuman"), ("cannot create a file in /proc", "--output")),
])
def test_bad_input_is_one_line_and_rewrites_nothing(smoke, shared_data, args, needles):
    home = smoke[0]
    before = snapshot(home)
    proc = run_all(home, shared_data, "--dataset", "fever", "--profile", "smoke",
                   "--base-url", BASE_URL, *args)
    assert_one_line_error(proc, *needles)
    assert snapshot(home) == before


@pytest.mark.slow
def test_corrupt_record_is_one_line_before_any_report_is_rewritten(copy_home, shared_data):
    before = snapshot(copy_home / "outputs")
    record = sorted((copy_home / "data" / "runs" / "fever").rglob("record.json"))[-1]
    record.write_text("{broken")
    proc = run_all(copy_home, shared_data, "--dataset", "fever", "--profile", "smoke",
                   "--base-url", BASE_URL)
    assert_one_line_error(proc, "unreadable run record", "delete its folder")
    assert "executing" not in proc.stdout  # stopped before the notebooks
    assert snapshot(copy_home / "outputs") == before


@pytest.mark.slow
def test_failing_notebook_03_leaves_the_earlier_01_and_02(copy_home, shared_data):
    """Notebook 03 reads a zoom-only run (97.5% synthetic) whose predictions are corrupt: it
    fails after 01 and 02 executed; none of them (nor summary/index) replaces the old ones."""
    runs = copy_home / "data" / "runs" / "fever" / "sweep"
    zoom_only = [p.parent for p in runs.glob("*/record.json")
                 if json.loads(p.read_text())["spec"]["fraction"] == 0.975]
    assert len(zoom_only) == 1
    (zoom_only[0] / "predictions.parquet").write_bytes(b"not parquet")
    before = snapshot(copy_home / "outputs")
    proc = run_all(copy_home, shared_data, "--dataset", "fever", "--profile", "smoke",
                   "--base-url", BASE_URL)
    assert_one_line_error(proc, "03_zoom", "unreadable run predictions", "delete its folder")
    assert "executing 02_replacement_sweep" in proc.stdout
    # the cell named by its first line (papermill's count included its injected parameters),
    # and the executed notebook kept with its traceback, beside the kernel's log
    kept = copy_home / "data/logs/kernels/fever/smoke/03_zoom.ipynb"
    assert "in its cell starting" in proc.stderr and str(kept) in proc.stderr
    assert "unreadable run predictions" in kept.read_text()
    assert not (kept.parent / "02_replacement_sweep.ipynb").exists()  # succeeded: not kept
    assert snapshot(copy_home / "outputs") == before
    assert not list((copy_home / "outputs").rglob(".tmp-*"))


@pytest.mark.slow
def test_output_flag_puts_the_reports_elsewhere(copy_home, shared_data, tmp_path):
    before = snapshot(copy_home / "outputs")
    elsewhere = tmp_path / "reports"
    proc = run_all(copy_home, shared_data, "--dataset", "fever", "--profile", "smoke",
                   "--notebooks", "01,02", "--output", str(elsewhere))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(p.name for p in (elsewhere / "fever" / "smoke").iterdir()
                  if not p.name.startswith(".")) == [
        "01_generate.html", "01_generate.ipynb", "02_replacement_sweep.html",
        "02_replacement_sweep.ipynb", "notebook_digests.json", "summary.json"]
    assert "fever/smoke/02_replacement_sweep.html" in (elsewhere / "index.html").read_text()
    assert snapshot(copy_home / "outputs") == before


# ------------------------------------------------------------------ unwritable outputs
def _namespaces_work(tmp_path: Path) -> bool:
    """Whether `unshare -rm` can mount here (a private mount namespace, no real root needed)."""
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    target = tmp_path / "probe-mount"
    target.mkdir()
    probe = subprocess.run(["unshare", "-rm", "sh", "-c",
                            f"mount -t tmpfs -o size=1m tmpfs '{target}'"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.slow
def test_pages_of_an_earlier_execution_or_configuration_are_removed(copy_home, shared_data):
    """--no-html re-executing a notebook leaves no HTML of an earlier execution, which the
    index would link as the current report; the notebooks it did not execute keep theirs,
    unless they were made with other settings."""
    folder = copy_home / "outputs" / "fever" / "smoke"
    assert (folder / "01_generate.html").is_file()
    proc = run_all(copy_home, shared_data, *FEVER_SMOKE, "--notebooks", "01", "--no-html")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "executing 01_generate" in proc.stdout
    assert not (folder / "01_generate.html").exists()
    assert (folder / "02_replacement_sweep.html").is_file()
    index = (copy_home / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "01_generate.html" not in index and "02_replacement_sweep.html" in index
    assert "settings differ" not in proc.stdout  # --no-html changes nothing a report shows

    # a report folder shows one configuration: re-executing one notebook with a setting that
    # changes what the reports show removes the earlier pages of the others that show it
    # (the index would link them beside the new one as one report) and their findings,
    # saying so. Prices are shown by 04 (its advice) and 06 only: the other pages stay
    proc = run_all(copy_home, shared_data, *FEVER_SMOKE, "--notebooks", "04", "--no-html",
                   "--price-human", "1", "--price-synthetic", "0.01")
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if "settings differ" in x)
    assert "price_human 0.0 -> 1.0" in line and "showed those and was removed" in line
    # prices change no run: the line says how to get the page back at them, from the cache
    assert "(`--notebooks 06` with these flags rebuilds it at these settings from the " \
        "cached runs; the earlier flags, as before)" in line
    assert "06_advise.ipynb" in line and "03_zoom" not in line
    kept = ["01_generate.ipynb", "02_replacement_sweep.html", "02_replacement_sweep.ipynb",
            "03_zoom.html", "03_zoom.ipynb", "04_tradeoff.ipynb", "05_analysis.html",
            "05_analysis.ipynb"]
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        *kept, "notebook_digests.json", "summary.json"]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["sweep"] and summary["zoom"] and summary["headline"]
    assert summary["tradeoff"]["advice"] and summary["advisor"] is None
    assert summary["settings"]["price_human"] == 1.0
    # an FV report lists what FV reads, not QA's --qa-windows (config.for_task)
    assert "pooling" in summary["settings"] and "qa_windows" not in summary["settings"]
    assert sorted(json.loads((folder / "notebook_digests.json").read_text())) == \
        [f for f in kept if f.endswith(".ipynb")]
    index = (copy_home / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "03_zoom.html" in index and "06_advise.html" not in index

    # a page that does not show the prices is not re-executed for them: its parameters and
    # digest leave them out
    proc = run_all(copy_home, shared_data, *FEVER_SMOKE, "--notebooks", "01", "--no-html",
                   "--price-human", "1", "--price-synthetic", "0.01")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "nothing the notebooks show has changed" in proc.stdout, proc.stdout
    assert "executing" not in proc.stdout
    assert "price_human" not in (folder / "01_generate.ipynb").read_text()

    # a setting every page shows (the seeds): every page not re-executed goes
    proc = run_all(copy_home, shared_data, *FEVER_SMOKE, "--notebooks", "01", "--no-html",
                   "--price-human", "1", "--price-synthetic", "0.01", "--seeds", "0,1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if "settings differ" in x)
    assert "seeds" in line and "03_zoom.ipynb" in line and "price_human" not in line
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "01_generate.ipynb", "notebook_digests.json", "summary.json"]
    summary = json.loads((folder / "summary.json").read_text())
    # the sweep is prepared with every notebook but 01 and 06 (01 shows its twins alone)
    assert summary["sweep"] is None and summary["zoom"] is None and summary["tradeoff"] is None
    assert summary["advisor"] is None
    assert list(json.loads((folder / "notebook_digests.json").read_text())) == ["01_generate.ipynb"]
    index = (copy_home / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "03_zoom.html" not in index and "02_replacement_sweep.html" not in index

def test_prices_and_budget_are_shown_by_notebooks_04_and_06_alone():
    from littlehuman.report import NOTEBOOKS, showing, summary_keys

    assert showing({"budget": (0, 1)}) == {"06"}
    assert showing({"price_human": (0, 1), "budget": (0, 1)}) == {"04", "06"}
    assert showing({"price_human": (0, 1), "seeds": ([0], [0, 1])}) == set(NOTEBOOKS)
    assert summary_keys({"04", "06"}) == {"tradeoff", "advisor"}
    assert summary_keys({"02", "05"}) == {"sweep", "headline"}
    from dataclasses import fields

    from littlehuman.config import SHOWN_ONLY_BY, Profile

    assert set(SHOWN_ONLY_BY) <= {f.name for f in fields(Profile)}


def test_the_removed_pages_line_agrees_in_number():
    from littlehuman.report import pages_phrase

    assert pages_phrase(["01_generate.ipynb"]) == \
        "its page 01_generate.ipynb showed those and was"
    assert pages_phrase(["02_a.ipynb", "03_b.ipynb"]) == \
        "its pages 02_a.ipynb, 03_b.ipynb showed those and were"


@pytest.mark.slow
def test_read_only_outputs_is_one_line_before_the_work(copy_home, shared_data, tmp_path):
    if not _namespaces_work(tmp_path):
        pytest.skip("needs `unshare -rm` (user + mount namespaces) to mount outputs/ read-only")
    outputs = copy_home / "outputs"
    before = snapshot(outputs)
    shutil.rmtree(copy_home / "data" / "runs")  # would be retrained if the check came late
    script = (f"mount --bind '{outputs}' '{outputs}' && "
              f"mount -o remount,ro,bind '{outputs}' && exec \"$@\"")
    proc = run_all(copy_home, shared_data, "--dataset", "fever", "--profile", "smoke",
                   prefix=("unshare", "-rm", "sh", "-c", script, "sh"))
    assert_one_line_error(proc, "Read-only file system", str(outputs), "--output")
    assert not (copy_home / "data" / "runs").exists()  # nothing trained
    assert snapshot(outputs) == before


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores folder permissions")
def test_outputs_without_permission_is_one_line(copy_home, shared_data):
    outputs = copy_home / "outputs" / "fever" / "smoke"
    before = snapshot(outputs)
    outputs.chmod(0o555)
    try:
        proc = run_all(copy_home, shared_data, "--dataset", "fever", "--profile", "smoke")
    finally:
        outputs.chmod(0o755)
    assert_one_line_error(proc, "Permission denied", str(outputs), "permissions")
    assert snapshot(outputs) == before


@pytest.mark.slow
@pytest.mark.parametrize("free_kib", [0, 3000])
def test_full_disk_is_one_line_and_leaves_the_report(copy_home, shared_data, tmp_path, free_kib):
    """outputs/ on a tiny tmpfs holding yesterday's report: full from the start (the early
    check) or with room for the check but not for the new notebooks (the transaction)."""
    if not _namespaces_work(tmp_path):
        pytest.skip("needs `unshare -rm` (user + mount namespaces) to mount a tiny tmpfs")
    outputs, saved = copy_home / "outputs", tmp_path / "saved-outputs"
    shutil.move(outputs, saved)
    outputs.mkdir()
    expected = digests(saved)
    used_kib = sum(p.stat().st_size for p in saved.rglob("*") if p.is_file()) // 1024 + 64
    fill = "cat /dev/zero > \"$OUT/filler\" 2>/dev/null; " if free_kib == 0 else ""
    script = (f"OUT='{outputs}'; mount -t tmpfs -o size={used_kib + max(free_kib, 64)}k tmpfs "
              f"\"$OUT\" && cp -a '{saved}/.' \"$OUT/\" && {fill}\"$@\"; echo \"RC=$?\"; "
              f"rm -f \"$OUT/filler\"; cd \"$OUT\" && find . -type f ! -name '*.lock' "
              "-exec sha256sum {} + 1>&2")
    # --force-notebooks: the reports must be written again (this had relied on the missing
    # --base-url counting as a changed setting, which the extractive generator never reads)
    proc = run_all(copy_home, shared_data, "--dataset", "fever", "--profile", "smoke",
                   "--force-notebooks", prefix=("unshare", "-rm", "sh", "-c", script, "sh"))
    assert "RC=2" in proc.stdout, proc.stderr[-3000:]
    lines = re.split(r"[\r\n]+", proc.stderr)
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and "No space left on device" in errors[0], proc.stderr[-3000:]
    assert str(outputs) in errors[0] and "free some space" in errors[0]
    assert "Traceback" not in proc.stderr
    after = {line.split(None, 1)[1][2:]: line.split()[0] for line in lines
             if re.match(r"^[0-9a-f]{64}  \./", line)}
    assert after == expected  # byte-identical, and no temporary file left
    if free_kib == 0:
        assert "executing" not in proc.stdout  # caught by the early check
    else:
        assert "executing 01_generate" in proc.stdout  # caught while writing the reports


# ------------------------------------------------------------------ temporary files and locks
WRITER = """
import sys
from littlehuman import paths, report
tag = sys.argv[1]
folder = paths.outputs_dir() / "toy" / "smoke"
for i in range(150):
    report.write_summary(folder, {"dataset": "toy", "task": "fv", "profile": "smoke",
                                  "headline": f"{tag} {i}", "writer": tag})
    report.write_index()
print("OK")
"""


def test_two_processes_write_summary_and_index_at_once(tmp_path):
    """Fixed temporary names (.tmp-summary.json, .tmp-index.html) made one of two writers
    crash; unique names and the folder locks let both finish with whole files."""
    env = {**os.environ, "LITTLEHUMAN_HOME": str(tmp_path)}
    root = tmp_path / "outputs"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, tag], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag in ("a", "b")]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0 and out.split()[-1:] == ["OK"], err[-2000:]
    summary = json.loads((root / "toy" / "smoke" / "summary.json").read_text())
    assert summary["writer"] in ("a", "b")
    assert "toy" in (root / "index.html").read_text()
    assert not list(root.rglob(".tmp-*"))


@contextlib.contextmanager
def lock_held_by_another_process(path: Path):
    """A second process holding the file lock ``path``: entered once it holds it; yields a
    function that makes it let go (and returns once it has); killed on exit."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from filelock import FileLock; "
         "lock = FileLock(sys.argv[1]); lock.acquire(); print('HELD', flush=True); "
         "sys.stdin.readline(); lock.release(); print('FREE', flush=True); sys.stdin.read()",
         str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def let_go() -> None:
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "FREE"

    try:
        assert holder.stdout.readline().strip() == "HELD"
        yield let_go
    finally:
        holder.kill()
        holder.wait()


def test_stale_temp_files_go_but_never_a_live_writers(tmp_path):
    """A killed run's .tmp-* files are removed by the next writer of the folder, but only
    once no other process holds the folder's lock (that process's temp files are live)."""
    folder = tmp_path / "outputs" / "fever" / "smoke"
    folder.mkdir(parents=True)
    stale = [folder / ".tmp-abc123.ipynb", folder / ".tmp-01_generate.html"]
    for path in stale:
        path.write_text("left by a killed run")
    keep = folder / "01_generate.html"
    keep.write_text("yesterday's report")
    with lock_held_by_another_process(folder / ".report.lock") as let_go:
        entered = threading.Event()

        def write() -> None:
            with report.locked_folder(folder):
                entered.set()

        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(1.0)
        assert not entered.is_set() and all(p.exists() for p in stale)  # the holder's: kept
        let_go()
        thread.join(timeout=60)
        assert entered.is_set()
    assert not any(p.exists() for p in stale) and keep.read_text() == "yesterday's report"


def test_the_shared_plotlyjs_is_written_under_the_index_lock(tmp_path, monkeypatch):
    """run_all's shared plotly.js goes to outputs/ through a .tmp-* file, which a process
    writing the index removes on entering its lock (it assumes no live writer there then):
    the copy waits for that lock instead of being written beside its holder."""
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    monkeypatch.setattr(report, "resolve_datasets", lambda *args, **kwargs: [])
    root = tmp_path / "outputs"
    root.mkdir()
    with lock_held_by_another_process(root / ".index.lock") as let_go:
        thread = threading.Thread(target=report.run_all,
                                  args=("fever", config.profile("smoke")),
                                  kwargs={"plotlyjs": "shared"})
        thread.start()
        time.sleep(1.5)
        assert not list(root.glob("plotly-*.js")) and not list(root.glob(".tmp-*"))
        let_go()
        thread.join(timeout=60)
    assert len(list(root.glob("plotly-*.min.js"))) == 1 and (root / "index.html").is_file()


def test_a_report_is_judged_on_the_runs_there_once_its_lock_is_held(tmp_path, monkeypatch):
    """Another process may store runs while this one waits for the report folder's lock:
    whether the notebooks are current is decided on the store as it is once the lock is
    held, not as it was before the wait (that kept a report older than its runs)."""
    import contextlib as cl
    from types import SimpleNamespace

    from littlehuman import experiments, study as study_mod

    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    monkeypatch.setattr(report, "resolve_datasets", lambda *args, **kwargs: ["toy"])
    monkeypatch.setattr(study_mod.Study, "create", staticmethod(
        lambda name, *args, **kwargs: SimpleNamespace(name=name, profile_overrides=dict,
                                                      generator_id="gen", task="fv", notes=[])))
    monkeypatch.setattr(experiments, "for_notebooks", lambda notebooks: [])
    monkeypatch.setattr(experiments, "check_before_generation", lambda study, notebooks: None)
    monkeypatch.setattr(report, "say_notes", lambda study: None)  # the stub has no sizes
    runs = tmp_path / "data" / "runs" / "toy" / "sweep"  # the report's own runs, a and b
    monkeypatch.setattr(experiments, "run_folders", lambda study: [runs / "a", runs / "b"])
    monkeypatch.setattr(report, "build_summary", lambda *args, **kwargs: {"headline": "toy"})
    monkeypatch.setattr(report, "write_index", lambda *args, **kwargs: tmp_path / "index.html")
    executed: list[str] = []

    def stage(names, out_dir, *args, **kwargs):
        executed.extend(names)
        return [(report._write_temp(out_dir, ".ipynb", "{}"), out_dir / n) for n in names]

    monkeypatch.setattr(report, "stage_notebooks", stage)
    runs.mkdir(parents=True)
    (runs / "a").mkdir()
    (runs / "a" / "record.json").write_text("{}")
    profile = config.profile("smoke")
    report.run_all("toy", profile, notebooks=["02"], html=False)
    assert executed == ["02_replacement_sweep.ipynb"]
    report.run_all("toy", profile, notebooks=["02"], html=False)  # nothing changed: kept
    assert executed == ["02_replacement_sweep.ipynb"]

    locked = report.locked_folder

    @cl.contextmanager
    def after_a_wait(folder, lock_name=".report.lock"):
        with locked(folder, lock_name) as held:
            if lock_name == ".report.lock":  # another process stored a run meanwhile
                (runs / "b").mkdir(exist_ok=True)
                (runs / "b" / "record.json").write_text("{}")
            yield held

    monkeypatch.setattr(report, "locked_folder", after_a_wait)
    report.run_all("toy", profile, notebooks=["02"], html=False)
    assert executed == ["02_replacement_sweep.ipynb"] * 2

def test_render_html_and_summary_use_unique_temp_names(tmp_path, monkeypatch):
    """Another process's temp file named like the old fixed ones is never touched."""
    import nbformat

    folder = tmp_path / "out"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hello")])
    nbformat.write(nb, folder / "01_generate.ipynb")
    theirs = [folder / ".tmp-01_generate.html", folder / ".tmp-summary.json"]
    for path in theirs:
        path.write_text("another process is writing this")
    report.render_html(folder / "01_generate.ipynb")
    report.write_summary(folder, {"dataset": "x"})
    assert "hello" in (folder / "01_generate.html").read_text()
    assert json.loads((folder / "summary.json").read_text()) == {"dataset": "x"}
    assert all(p.read_text() == "another process is writing this" for p in theirs)


def test_a_report_page_is_titled_by_dataset_profile_and_notebook(tmp_path):
    """Browser tabs of several reports tell them apart (nbconvert titles every page
    'Notebook'); the title is escaped (a dataset of your own may be named anything)."""
    import nbformat

    folder = tmp_path / "my <data> & co" / "smoke"
    folder.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hello")]),
                   folder / "02_replacement_sweep.ipynb")
    page = report.render_html(folder / "02_replacement_sweep.ipynb").read_text()
    assert re.findall(r"<title>(.*?)</title>", page) == [
        "my &lt;data&gt; &amp; co · smoke · 02 replacement sweep"]


def _toy_notebooks(folder: Path, log: Path, **cells: str) -> None:
    """One notebook per keyword (``name=code``) in ``folder``: each appends its start and end
    times and working directory to ``log``, and runs ``code`` between them."""
    import nbformat

    folder.mkdir(parents=True)
    for name, code in cells.items():
        def stamp(what: str) -> str:
            return (f"import os, time\nwith open({str(log)!r}, 'a') as f:\n"
                    f"    f.write(f'{name} {{time.time()}} {{os.getcwd()}} {what}\\n')")
        nb = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell(stamp("start")), nbformat.v4.new_code_cell(code),
            nbformat.v4.new_code_cell(stamp("end"))])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, folder / f"{name}.ipynb")


def test_notebooks_run_side_by_side_in_order_and_in_their_folder(tmp_path, monkeypatch):
    """Two kernels at once (each its own sockets), both in notebooks/, staged in the given
    order; committing puts both in place."""
    source, out, log = tmp_path / "notebooks", tmp_path / "out", tmp_path / "log.txt"
    waits_for_quick = ("import time\nfor _ in range(1200):  # its end waits for quick's start\n"
                       f"    if any(l.startswith('quick ') for l in open({str(log)!r})): break\n"
                       "    time.sleep(0.1)")  # (2 min: on one kernel at a time it fails)
    _toy_notebooks(source, log, slow=waits_for_quick, quick="time.sleep(1)")
    monkeypatch.setattr(report, "notebooks_dir", lambda: source)
    out.mkdir()
    import gc
    import warnings

    with report.kernel_sockets() as sockets, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        staged = report.stage_notebooks(["slow.ipynb", "quick.ipynb"], out, {}, False,
                                        sockets, workers=2)
        gc.collect()  # the pool's threads are gone: what they left open is collected now
    # nbclient makes an event loop per thread; left open, each is collected with a warning
    assert not [w for w in caught if "unclosed event loop" in str(w.message)]
    assert [target.name for _, target in staged] == ["slow.ipynb", "quick.ipynb"]
    stamps = [line.split() for line in log.read_text().splitlines()]
    assert {cwd for _, _, cwd, _ in stamps} == {str(source)}
    times = {(name, what): float(t) for name, t, _, what in stamps}
    assert times["quick", "start"] < times["slow", "end"]  # they overlapped
    report.commit(staged)
    assert sorted(p.name for p in out.iterdir()) == ["quick.ipynb", "slow.ipynb"]


def test_a_failing_notebook_among_parallel_ones_leaves_nothing(tmp_path, monkeypatch):
    """The first failure in the given order is raised as one line after the others have
    finished; no temporary file of any of them stays behind."""
    source, out, log = tmp_path / "notebooks", tmp_path / "out", tmp_path / "log.txt"
    _toy_notebooks(source, log, ok="time.sleep(1)", bad="raise ValueError('broken on purpose')",
                   later="time.sleep(1)")
    monkeypatch.setattr(report, "notebooks_dir", lambda: source)
    out.mkdir()
    with report.kernel_sockets() as sockets, pytest.raises(LittleHumanError) as err:
        report.stage_notebooks(["ok.ipynb", "bad.ipynb", "later.ipynb"], out, {}, True,
                               sockets, workers=2)
    assert "bad.ipynb" in str(err.value) and "broken on purpose" in str(err.value)
    assert list(out.iterdir()) == []
    assert "later" in log.read_text()  # the others ran to their end


def test_notebook_workers_follow_the_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert report.notebook_workers(6) == 2 and report.notebook_workers(1) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert report.notebook_workers(6) == 4


def _run_in_kernel(manager_class: type, code: str, config: Any = None) -> None:
    """Start a kernel with ``manager_class`` (and ``config``), run ``code`` in it, shut it down.
    Over IPC sockets, as the runner's kernels: TCP ports are picked free, then bound by the
    kernel, which another worker's kernel started at that moment can take first."""
    import asyncio

    async def go(config: Any) -> None:
        km = manager_class(kernel_name="python3", config=config)
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            msg_id = kc.execute(code)
            while True:
                reply = await kc.get_shell_msg(timeout=60)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            assert reply["content"]["status"] == "ok", reply["content"]
        finally:
            kc.stop_channels()
            await km.shutdown_kernel()

    with report.kernel_sockets() as sockets:
        ipc = report.kernel_config(sockets)
        if config is not None:
            ipc.merge(config)
        asyncio.run(go(ipc))


def _sigint_at_shutdown(manager_class: type, flag: Path) -> bool:
    """Start a kernel with ``manager_class``, leave in its process group a child that writes
    ``flag`` on SIGINT, shut the kernel down; True when the child got a SIGINT."""
    child = ("import pathlib, signal, time\n"
             f"signal.signal(signal.SIGINT, lambda *a: pathlib.Path({str(flag)!r}).write_text('x'))\n"
             "print('ready', flush=True)\n"
             "time.sleep(10)\n")
    _run_in_kernel(manager_class, "import subprocess, sys\n"
                   f"child = subprocess.Popen([sys.executable, '-c', {child!r}], stdout=subprocess.PIPE, text=True)\n"
                   "child.stdout.readline()")
    time.sleep(0.5)
    return flag.exists()


def test_kernels_are_not_interrupted_at_shutdown(tmp_path):
    """jupyter_client SIGINTs a kernel's process group before asking it to shut down (a
    kernel still flushing logs "KeyboardInterrupt caught in kernel"); ours only asks."""
    from jupyter_client.manager import AsyncKernelManager

    assert _sigint_at_shutdown(AsyncKernelManager, tmp_path / "stock")  # the test can fail
    assert not _sigint_at_shutdown(report.kernel_manager_class(), tmp_path / "ours")


def test_kernels_run_in_this_python_whatever_kernelspec_the_user_has(tmp_path, monkeypatch):
    """Outside a virtual environment jupyter_client prefers the user's own ``python3``
    kernelspec, which often names another interpreter: stock, the kernel would be that one
    (seen: "/usr/bin/python3: No module named ipykernel_launcher", a kernel dead at start);
    ours is always this Python's ipykernel."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    spec = tmp_path / ".local" / "share" / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(tmp_path / "other-python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "another Python", "language": "python"}))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    for var in ("JUPYTER_DATA_DIR", "JUPYTER_PATH", "XDG_DATA_HOME"):
        monkeypatch.delenv(var, raising=False)
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == str(tmp_path / "other-python")
    assert AsyncKernelManager(kernel_name="python3").kernel_spec.argv[0] == str(tmp_path / "other-python")
    ours = report.kernel_manager_class()(kernel_name="python3")
    assert ours.kernel_spec.argv[0] == sys.executable
    _run_in_kernel(report.kernel_manager_class(),
                   f"import sys; assert sys.executable == {sys.executable!r}, sys.executable")


def test_a_kernels_own_output_goes_to_its_log_not_the_terminal(tmp_path, capfd):
    """What a kernel process writes to its file descriptors (C libraries, ipykernel's logger,
    a libzmq assertion at exit) reaches the runner's terminal with jupyter_client's manager,
    and only the log file with ours."""
    from jupyter_client.manager import AsyncKernelManager

    code = "import os\nos.write(2, b'zz-kernel-fd2\\n')\nos.write(1, b'zz-kernel-fd1\\n')"
    _run_in_kernel(AsyncKernelManager, code)
    stock = capfd.readouterr()
    assert "zz-kernel-fd2" in stock.err  # the test can fail
    log = tmp_path / "logs" / "01_generate.log"
    _run_in_kernel(report.kernel_manager_class(), code, report.kernel_config(None, log))
    ours = capfd.readouterr()
    assert "zz-kernel-fd" not in ours.err + ours.out
    assert {"zz-kernel-fd1", "zz-kernel-fd2"} <= set(log.read_text().split())


def test_a_kernel_log_that_cannot_be_written_stops_nothing(tmp_path, capfd):
    (tmp_path / "a-file").write_text("")
    log = tmp_path / "a-file" / "01_generate.log"  # its folder cannot be made
    _run_in_kernel(report.kernel_manager_class(), "import os\nos.write(2, b'zz-fallback\\n')",
                   report.kernel_config(None, log))
    assert "zz-fallback" in capfd.readouterr().err  # the terminal, as without a log


def test_a_kernel_that_does_not_start_in_time_is_one_line(tmp_path, monkeypatch):
    """A kernel that never answers (here: a process that only sleeps) within the start
    timeout (a machine too loaded to start one in 300 s) is one line, nothing written."""
    class NeverReady(report.kernel_manager_class()):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            await super()._async_launch_kernel(["sleep", "60"], **kw)

    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    monkeypatch.setattr(report, "kernel_manager_class", lambda: NeverReady)
    monkeypatch.setattr(report, "KERNEL_START_TIMEOUT_S", 1)
    out = tmp_path / "outputs" / "fever" / "smoke"
    out.mkdir(parents=True)
    with pytest.raises(LittleHumanError, match="its kernel did not start within 1 s") as got:
        report.stage_notebook("02_replacement_sweep.ipynb", out, {}, html_out=False)
    assert "--notebooks" in str(got.value) and list(out.iterdir()) == []


def test_a_kernel_dead_at_start_is_one_line_with_its_last_words(tmp_path, monkeypatch):
    """A kernel process that exits before it is ready (a broken environment): one line that
    quotes the last line the kernel wrote, nothing written."""
    class DeadAtStart(report.kernel_manager_class()):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            await super()._async_launch_kernel(
                ["sh", "-c", "echo starting; echo 'python: No module named ipykernel_launcher' >&2; exit 1"], **kw)

    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    monkeypatch.setattr(report, "kernel_manager_class", lambda: DeadAtStart)
    out = tmp_path / "outputs" / "fever" / "smoke"
    out.mkdir(parents=True)
    with pytest.raises(LittleHumanError, match="its kernel died") as got:
        report.stage_notebook("02_replacement_sweep.ipynb", out, {}, html_out=False)
    assert "its last line: 'python: No module named ipykernel_launcher'" in str(got.value)
    assert "\n" not in str(got.value) and list(out.iterdir()) == []


@pytest.mark.slow
def test_a_kernel_killed_mid_run_is_one_line_and_leaves_the_reports(copy_home, shared_data):
    """The kernel of a notebook being executed is killed (as the out-of-memory killer would):
    one line that names the notebook and its kernel's log, exit 2, the reports untouched."""
    import psutil

    before = snapshot(copy_home / "outputs")
    proc = run_all(copy_home, shared_data, *FEVER_SMOKE, "--notebooks", "02", "--force-notebooks",
                   wait=False)

    def kernels() -> list[psutil.Process]:
        found = []
        for child in psutil.Process(proc.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):  # it may be gone already
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    found.append(child)
        return found

    killed, deadline = None, time.monotonic() + 300
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(psutil.Error):
            if found := kernels():
                time.sleep(1.0)  # most likely in its first cells now; dead before ready counts too
                found[0].kill()
                killed = found[0]
        time.sleep(0.05)
    out, err = proc.communicate(timeout=300)
    assert killed is not None, err[-3000:]
    line = assert_one_line_error(subprocess.CompletedProcess(proc.args, proc.returncode, out, err),
                                 "02_replacement_sweep", "its kernel died", "--notebooks")
    log = copy_home / "data" / "logs" / "kernels" / "fever" / "smoke" / "02_replacement_sweep.log"
    assert str(log) in line and log.is_file()
    assert snapshot(copy_home / "outputs") == before


# ------------------------------------------------------------------ each run paid once
def _start_workers(tmp_path: Path, jobs: tuple[int, ...], sleep_s: float) -> list[str]:
    """Start one locked_sweep_worker per entry of ``jobs`` on one store, release them
    together; return each one's stdout."""
    store, go, log = tmp_path / "store", tmp_path / "go", tmp_path / "fits.log"
    env = {**os.environ, "LH_FIT_LOG": str(log), "PYTHONPATH": os.pathsep.join(
        [str(HELPERS)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    procs = []
    for i, n in enumerate(jobs):
        procs.append(subprocess.Popen(
            [sys.executable, str(HELPERS / "locked_sweep_worker.py"), str(store), str(go),
             str(sleep_s), str(n)], env={**env, "LH_WORKER_NAME": f"w{i}"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for proc in procs:
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read()[-2000:]
    go.write_text("go")
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        outs.append(out)
    return outs


@pytest.mark.parametrize("jobs", [(1, 1), (2, 1)])
def test_two_processes_on_one_sweep_train_each_run_once(tmp_path, jobs):
    outs = _start_workers(tmp_path, jobs, sleep_s=1.0)
    fits = (tmp_path / "fits.log").read_text().split("\n")
    by_worker = [line.split()[0] for line in fits if line.strip()]
    assert len(by_worker) == 8  # 8 runs, each trained once in total (not 16)
    assert set(by_worker) == {"w0", "w1"}  # and the two processes shared the work
    counts = [tuple(map(int, line.split()[1:])) for out in outs
              for line in out.splitlines() if line.startswith("COUNTS")]
    assert len(counts) == 2 and sum(ran for _skipped, ran in counts) == 8
    assert all(skipped + ran == 8 for skipped, ran in counts)
    assert [by_worker.count(f"w{i}") for i in range(2)] == [ran for _s, ran in counts]
    store = RunStore(tmp_path / "store")
    assert all(store.has(s) for s in sweep_worker.specs(1.0)) and len(store.records()) == 8


HOLDER = """
import json, sys, time
from pathlib import Path
import pandas as pd
from filelock import FileLock
from littlehuman.runs import RunSpec, RunStore
store, spec = RunStore(sys.argv[1]), RunSpec.from_dict(json.loads(sys.argv[2]))
lock = store.lock(spec)
lock.acquire()
print("HELD", flush=True)
deadline = time.time() + 120  # hold until the other process says it waits (however loaded)
while not Path(sys.argv[4]).exists() and time.time() < deadline:
    time.sleep(0.05)
if sys.argv[3] == "store":
    store.write(spec, {"metrics": {"accuracy": 0.125}, "by": "holder"},
                pd.DataFrame({"row_id": ["t"], "prediction": [1], "gold": [1]}))
    lock.release()
    print("STORED", flush=True)
    time.sleep(30)
"""


@pytest.mark.parametrize("holder_stores", [True, False])
def test_a_run_locked_by_another_process_is_waited_for(tmp_path, capsys, monkeypatch,
                                                        holder_stores):
    """The run another process holds comes last: waited for with one line, then skipped if
    that process stored it, or trained here if that process died without storing it. The
    holder lets go once the line is written, not after a fixed time."""
    from littlehuman import executors

    real, synthetic = sweep_worker.fixture_rows()
    specs = [RunSpec.make("toyfv", "sweep", 20, f, 0, "fixture", "majority")
             for f in (0.0, 0.5, 1.0)]
    store, waiting = RunStore(tmp_path / "store"), tmp_path / "waiting"
    write = executors.tqdm.write

    def write_and_tell(line, *args, **kwargs):
        write(line, *args, **kwargs)
        if line.startswith("waiting for another process"):
            waiting.touch()

    monkeypatch.setattr(executors.tqdm, "write", write_and_tell)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store.root), json.dumps(specs[0].to_dict()),
         "store" if holder_stores else "die", str(waiting)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "HELD"
        order = []

        def executor(spec, r, s):
            order.append(spec.fraction)
            return sweep_worker.RUN(spec, r, s)

        counts = run_missing(specs, real, synthetic, store, progress=False, run=executor)
    finally:
        holder.kill()
        holder.wait()
    out = capsys.readouterr().out
    waits = [line for line in out.splitlines() if line.startswith("waiting for another process")]
    assert len(waits) == 1 and specs[0].key() in waits[0]
    if holder_stores:
        assert counts == {"skipped": 1, "ran": 2} and order == [0.5, 1.0]
        assert store.get(specs[0])["by"] == "holder"
    else:
        assert counts == {"skipped": 0, "ran": 3} and order == [0.5, 1.0, 0.0]
        assert "by" not in store.get(specs[0])


# ------------------------------------------------------------------ profile validation
def test_every_numeric_and_choice_field_is_validated():
    free_text = {"name", "gen_model", "gen_model_dir", "base_url", "api_key_env", "cot_examples",
                 "prices", "model_dir", "slurm_partition"}
    for f in config.fields(config.Profile):
        if f.name in free_text or isinstance(f.default, bool):
            continue
        assert f.name in config._RULES, f"{f.name} has no validation rule"


def test_choice_lists_match_the_registries():
    from littlehuman.generation.backends import BACKENDS
    from littlehuman.learners import LEARNERS
    from littlehuman.learners.defaults import ENCODER_POOLINGS

    assert set(config.GENERATORS) == set(BACKENDS)
    assert set(config.LEARNERS) == set(LEARNERS)
    assert config.CHOICES["pooling"] == ENCODER_POOLINGS


@pytest.mark.parametrize("field,value,needle", [
    ("n_train", "-5", "--n-train"), ("n_valid", "-2", "--n-valid"), ("n_test", "-1", "--n-test"),
    ("seeds", ",", "--seeds is empty"), ("seeds", "-1", "--seeds"),
    ("sweep_fractions", "", "--sweep-fractions is empty"),
    ("seeds", "0,0,1", "--seeds lists 0 more than once"),  # was run once, shown as asked
    ("sweep_fractions", "0,0.5,0.50", "--sweep-fractions lists 0.5 more than once"),
    ("sweep_fractions", "0,1.01", "--sweep-fractions"), ("zoom_fractions", "-0.1", "--zoom-fractions"),
    ("zoom_sizes", "0", "--zoom-sizes"), ("tradeoff_bases", ",", "--tradeoff-bases"),
    ("endpoint", "grpc", "--endpoint"), ("request_timeout", "-1", "--request-timeout"),
    ("request_timeout", "nan", "--request-timeout"), ("reask", "-1", "--reask"),
    ("generator", "gpt5", "--generator"), ("learner", "svm", "--learner"),
    ("executor", "kubernetes", "--executor"), ("jobs", "0", "--jobs"),
    ("batch_size", "0", "--batch-size"), ("lr", "-1e-4", "--lr"), ("concurrency", "0", "--concurrency"),
    ("base_url", f"ftp://u:{PASSWORD}@host", "--base-url"),
    # refused by the encoder only after the twins were generated
    ("max_length", "1", "--max-length must be 0 or a whole number >= 32 (got 1)"),
    ("max_length", "31", "--max-length must be 0 or a whole number >= 32"),
    # inf was told "must be a number >= 0", which it is
    ("price_human", "inf", "--price-human must be a finite number >= 0 (got inf)"),
    ("temperature", "inf", "--temperature must be a finite number >= 0 (got inf)"),
    ("lr", "inf", "--lr must be a finite number >= 0 (got inf)"),
    ("budget", "nan", "--budget must be a finite number >= 0 (got nan)"),
])
def test_profile_validate_names_the_flag(field, value, needle):
    from littlehuman.errors import LittleHumanError

    with pytest.raises(LittleHumanError) as info:
        config.profile("smoke", **{field: value})
    message = str(info.value)
    assert needle in message and "\n" not in message and PASSWORD not in message
    with pytest.raises(LittleHumanError):
        config.profile("smoke").replace(**{field: value})


def test_valid_profiles_and_zero_defaults_pass():
    for name in config.PROFILES:
        assert config.profile(name).validate() == config.PROFILES[name]
    ok = config.profile("cpu", n_train="0", n_test="0", rpm="0", request_timeout="0", reask="0",
                        sweep_fractions="0,1", endpoint="completions",
                        base_url=f"https://u:{PASSWORD}@host/v1")
    assert ok.sweep_fractions == (0.0, 1.0) and ok.endpoint == "completions"


def test_public_settings_strip_user_info():
    settings = report.public_settings({"base_url": BASE_URL, "epochs": 1})
    assert settings == {"base_url": "http://127.0.0.1:9/v1", "epochs": 1}
    assert report.public_settings({"base_url": ""}) == {"base_url": ""}


def test_store_has_reports_a_corrupt_record(tmp_path):
    from littlehuman.errors import LittleHumanError

    store = RunStore(tmp_path)
    spec = RunSpec.make("toy", "sweep", 10, 0.5, 0, "g", "majority")
    store.write(spec, {"metrics": {}}, pd.DataFrame({"row_id": ["a"], "prediction": [1], "gold": [1]}))
    assert store.has(spec)
    (store.path(spec) / "record.json").write_text("[1, 2")
    with pytest.raises(LittleHumanError, match="delete its folder"):
        store.has(spec)
    (store.path(spec) / "predictions.parquet").write_bytes(b"garbage")
    with pytest.raises(LittleHumanError, match="unreadable run predictions"):
        store.predictions(spec)
    assert Path(store.lock(spec).lock_file) == store.path(spec).parent / f".{spec.key()}.lock"


def test_a_library_upgrade_re_executes_the_reports(monkeypatch):
    """The notebooks' digest holds the versions of the libraries that compute and draw them:
    an upgraded plotly or pandas can change what a kept report would show."""
    from littlehuman import freshness

    before = freshness.code_digest()
    assert freshness.code_digest() == before  # stable while nothing changes
    versions = freshness.library_versions()
    assert versions["pandas"] != "-" and versions["plotly"] != "-"
    assert freshness.library_versions(["no-such-package-here"]) == {"no-such-package-here": "-"}
    monkeypatch.setattr(freshness, "library_versions",
                        lambda names=freshness.REPORT_LIBRARIES: {**versions, "plotly": "99.0"})
    assert freshness.code_digest() != before


def test_reports_reach_the_disk_before_they_replace_the_old_ones(tmp_path, monkeypatch):
    """Each staged report file is fsynced before its rename (a power cut after the rename must
    not leave an empty notebook beside digests that call it current)."""
    from littlehuman import report

    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(report.os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(report.os, "replace",
                        lambda a, b: events.append("replace") or real_replace(a, b))
    staged = [(report._write_temp(tmp_path, ".ipynb", "{}"), tmp_path / "a.ipynb"),
              (report._write_temp(tmp_path, ".json", "{}"), tmp_path / "digests.json")]
    report.commit(staged)
    assert events == ["fsync", "replace", "fsync", "replace"]
    assert (tmp_path / "a.ipynb").read_text() == "{}"
