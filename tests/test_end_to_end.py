"""The smoke profile end to end, as CI runs it: raw files -> outputs/index.html.

One FV dataset (FEVER: the cold run conftest's ``fever_smoke`` shares with other modules,
copied; the QA one, FairyTaleQA, is test_end_to_end_qa.py's, so another worker runs it); then
a rerun that must make no generation call and train nothing (asserted on the counters the
run records, not on time); then each notebook run directly, as JupyterLab would. The CLI
paths that need no shared run are in test_end_to_end_paths.py.
"""
from __future__ import annotations

import json
import os
import shutil

import pytest

from cli import FEVER_SMOKE, run_all
from notebook_run import execute_directly
from smoke_checks import check_smoke_reports

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke_home(fever_smoke, tmp_path_factory):
    """A copy of the shared cold FEVER smoke run's home (conftest's ``fever_smoke``)."""
    home = tmp_path_factory.mktemp("e2e") / "home"
    shutil.copytree(fever_smoke[0], home)
    return home


def test_smoke_reports(smoke_home):
    check_smoke_reports(smoke_home, "fever", "fv")


def test_rerun_generates_and_trains_nothing_and_keeps_unchanged_reports(smoke_home, shared_data):
    folder = smoke_home / "outputs/fever/smoke"
    before = {p: p.read_bytes() for p in (smoke_home / "data" / "runs").rglob("record.json")}
    reports = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    index = smoke_home / "outputs/index.html"
    indexed = index.stat().st_mtime_ns
    first = json.loads((folder / "summary.json").read_text())
    proc = run_all(smoke_home, shared_data, *FEVER_SMOKE)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # nothing a notebook shows changed: no kernel started, every report kept as it was, and
    # the index too (a reviewer: its 4.8 MB were written again, the same bytes)
    assert "nothing the notebooks show has changed" in proc.stdout and "executing" not in proc.stdout
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == reports
    assert index.stat().st_mtime_ns == indexed
    # where runs would happen (--jobs) changes nothing a notebook shows: still kept
    proc = run_all(smoke_home, shared_data, *FEVER_SMOKE, "--jobs", "2")
    assert proc.returncode == 0 and "nothing the notebooks show has changed" in proc.stdout
    # nor does naming the same raw files by --data-dir instead of LITTLEHUMAN_DATA_DIR
    proc = run_all(smoke_home, None, *FEVER_SMOKE, "--data-dir", str(shared_data))
    assert proc.returncode == 0 and "nothing the notebooks show has changed" in proc.stdout, \
        proc.stdout[-2000:]
    # one run record touched: the notebooks re-execute (their inputs' digest changed)
    record = next(iter(before))
    os.utime(record, ns=(record.stat().st_atime_ns, record.stat().st_mtime_ns + 10**9))
    proc = run_all(smoke_home, shared_data, *FEVER_SMOKE, "--notebooks", "02", "--no-html")
    assert proc.returncode == 0 and "executing 02_replacement_sweep" in proc.stdout
    # --force-notebooks re-executes an unchanged report; the rerun trained nothing
    proc = run_all(smoke_home, shared_data, *FEVER_SMOKE, "--force-notebooks",
                   "--notebooks", "02,03,04")  # the three that train: the sweep, zoom, trade-off
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("executing") == 3
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["generation_calls"] == 0
    assert summary["runs_trained"] == 0
    assert summary["runs_skipped"] == first["runs_trained"] + first["runs_skipped"]
    after = {p: p.read_bytes() for p in (smoke_home / "data" / "runs").rglob("record.json")}
    assert after == before


def test_a_dataset_failing_after_another_committed_still_rewrites_the_index(smoke_home, shared_data,
                                                                            tmp_path):
    """``--dataset all`` from another raw folder: FEVER's page 02 is committed, then SciFact's
    report folder, a file in the way, stops the run (one line, exit 2). The index must follow
    FEVER's new page: it had been written only after the last dataset, so it went on
    describing the run before. FEVER's other pages, made from the other folder's data, go
    (reviewers' finds). (Broken raw files stop the run before any dataset's work since
    2026-12-06: every dataset is loaded first.)"""
    home = tmp_path / "home"  # a copy: the modules' later tests read the shared one's pages
    shutil.copytree(smoke_home, home, symlinks=True)
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("fever", "scifact"):
        (raw / name).symlink_to(shared_data / name, target_is_directory=True)
    (home / "outputs" / "scifact").write_text("in the way of SciFact's reports\n")
    index = home / "outputs" / "index.html"
    index.unlink()
    proc = run_all(home, None, "--dataset", "all", "--profile", "smoke", "--data-dir",
                   str(raw), "--notebooks", "02", "--no-html", "--no-fetch")
    assert proc.returncode == 2 and "scifact" in proc.stderr, proc.stderr[-2000:]
    folder = home / "outputs/fever/smoke"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["runs_trained"] == 0 and index.is_file()
    assert summary["finished"] in index.read_text()  # the index shows this run's FEVER
    assert summary["inputs"]["data_dir"] == str(raw)
    assert "data_dir" in proc.stdout and "removed" in proc.stdout  # said, in one line
    assert sorted(p.name for p in folder.glob("0*")) == ["02_replacement_sweep.ipynb"]


def test_plotlyjs_shared_writes_one_copy_that_the_reports_and_index_load(smoke_home, shared_data):
    """``--plotlyjs shared``: one plotly.js beside index.html, loaded by relative path; the
    mode is part of a report's digest, so switching re-renders it and a rerun keeps it."""
    import plotly
    from plotly.offline import get_plotlyjs

    folder, outputs = smoke_home / "outputs/fever/smoke", smoke_home / "outputs"
    inline = (folder / "02_replacement_sweep.html").stat().st_size
    proc = run_all(smoke_home, shared_data, *FEVER_SMOKE, "--notebooks", "02", "--plotlyjs", "shared")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "executing 02_replacement_sweep" in proc.stdout  # the mode changed: re-rendered
    shared = outputs / f"plotly-{plotly.__version__}.min.js"
    assert shared.read_text(encoding="utf-8") == get_plotlyjs()
    page = (folder / "02_replacement_sweep.html").read_text(encoding="utf-8")
    assert f'src="../../{shared.name}"' in page and get_plotlyjs() not in page
    assert len(page.encode()) < inline / 5
    executed = (folder / "02_replacement_sweep.ipynb").read_text(encoding="utf-8")  # the same
    assert get_plotlyjs() not in executed and len(executed.encode()) < inline / 5
    assert "application/vnd.plotly.v1+json" in executed  # what JupyterLab draws
    index = (outputs / "index.html").read_text(encoding="utf-8")
    assert f'src="{shared.name}"' in index and get_plotlyjs() not in index
    proc = run_all(smoke_home, shared_data, *FEVER_SMOKE, "--notebooks", "02", "--plotlyjs", "shared")
    assert "nothing the notebooks show has changed" in proc.stdout
    proc = run_all(smoke_home, shared_data, *FEVER_SMOKE, "--notebooks", "02", "--plotlyjs", "everywhere")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


@pytest.mark.parametrize("name", ["01_generate.ipynb", "02_replacement_sweep.ipynb",
                                  "03_zoom.ipynb", "04_tradeoff.ipynb", "05_analysis.ipynb",
                                  "06_advise.ipynb"])
def test_each_notebook_runs_directly_with_its_defaults(smoke_home, shared_data, name):
    """JupyterLab as the first use: after the smoke run, each notebook top to bottom with its
    own parameters cell (fever, smoke) draws its figures."""
    nb, error = execute_directly(name, smoke_home, shared_data)
    assert error is None, str(error)[-2000:]
    figures = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if "Plotly.newPlot" in o.get("data", {}).get("text/html", "")]
    assert figures, f"{name} drew no figure"
