"""The committed notebooks: valid nbformat 4.5 with cell ids, no outputs, a parameters cell."""
from __future__ import annotations

import warnings
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: the Python version the notebooks record (the project's .venv, as the README measures):
#: JupyterLab opens them unmodified under it
NOTEBOOKS_PYTHON = "3.11.7"


def test_the_six_notebooks_are_there():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean_and_valid(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nbformat warns (MissingIDFieldWarning) on a cell without an id
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    ids = [c["id"] for c in nb.cells]
    assert len(set(ids)) == len(ids)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "commit notebooks without outputs"
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1  # papermill's


# the paper's figures each notebook reproduces, from their captions (shared/paper): 1 is the
# sweep; 2, 6, 8, 12 and 13 "Model performance as the synthetic proportion ... varies from 95%
# to 100%"; 3 and 14 "Adding 200 real data points ..."; 4, 16, 17 and 18 the analysis
PAPER_FIGURES = {"02": {1}, "03": {2, 6, 8, 12, 13}, "04": {3, 14}, "05": {4, 16, 17, 18}}


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] in PAPER_FIGURES],
                         ids=lambda p: p.name)
def test_headings_name_the_papers_figures(path):
    import re

    nb = nbformat.read(path, as_version=4)
    headings = [line for c in nb.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("#")]
    named = set()
    for line in headings:
        for group in re.findall(r"Figures? ([\d, and]+)", line):
            named |= {int(x) for x in re.findall(r"\d+", group)}
    assert named == PAPER_FIGURES[path.name[:2]], headings


def test_every_header_says_when_the_data_is_a_partial_release(home, shared_data):
    """WANLI's 100-row sample stands in for its release: each notebook's header says so,
    from lib (the rows' notes), and says nothing for a full release."""
    import dataclasses

    from littlehuman import config
    from littlehuman.notebook import data_note
    from littlehuman.study import Study

    study = Study.create("wanli", config.profile("smoke"), data_dir=str(shared_data))
    assert data_note(study).startswith("\n\n**Partial data:** only train_sample.jsonl is here")
    assert data_note(dataclasses.replace(study, notes=[])) == ""
    for path in NOTEBOOKS:
        header = nbformat.read(path, as_version=4).cells[1].source
        assert header.count("data_note(study)") == 1, path.name


def test_a_notebook_without_the_runs_data_folder_says_where_to_give_it(tmp_path, monkeypatch):
    """Quick start runs `run_all.py --dataset fever --data-dir ../shared/data`; a notebook
    opened afterwards with its default parameters looked in data/raw, told the user to fetch
    FEVER and then run that very command, which changed nothing. When the project has
    loaded the dataset before (its processed cache is there), the line says to give the
    folder: data_dir in the parameters cell, or LITTLEHUMAN_DATA_DIR."""
    from littlehuman.notebook import NothingToShow, open_study

    home = tmp_path / "home"
    (home / "data" / "raw").mkdir(parents=True)
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(home))
    monkeypatch.delenv("LITTLEHUMAN_DATA_DIR", raising=False)
    with pytest.raises(NothingToShow) as before:  # never loaded here: fetch, then run
        open_study("fever", "smoke")
    assert "LITTLEHUMAN_DATA_DIR" not in str(before.value)
    assert "run `python run_all.py --dataset fever --profile smoke`" in str(before.value)
    (home / "data" / "processed" / "fever").mkdir(parents=True)
    (home / "data" / "processed" / "fever" / "manifest.json").write_text("{}")
    with pytest.raises(NothingToShow) as after:
        open_study("fever", "smoke")
    message = str(after.value)
    assert "\n" not in message
    assert 'data_dir = "DIR"' in message and "LITTLEHUMAN_DATA_DIR=DIR" in message
    assert "--data-dir" in message


def test_a_relative_data_dir_in_the_parameters_cell_reads_as_on_the_command_line(tmp_path, monkeypatch):
    """JupyterLab runs a notebook's kernel in notebooks/, while the Quick start's
    `--data-dir ../shared/data` is relative to the project folder. Typed into the parameters
    cell, it was read from notebooks/ (seen in JupyterLab 4.6 on 2026-12-03: "data directory
    .../shared/data (from --data-dir) does not exist ... Then run `python run_all.py --dataset
    fever --profile smoke --data-dir ../shared/data`", the command the user had just run).
    A relative path that is not there from the kernel's folder is read from the project folder."""
    import os

    from littlehuman.notebook import NothingToShow, open_study

    repo = Path(__file__).resolve().parents[1]
    raw = tmp_path / "raw"
    (raw / "fever").mkdir(parents=True)  # a data folder, without FEVER's files
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LITTLEHUMAN_DATA_DIR", raising=False)
    monkeypatch.chdir(repo / "notebooks")  # where JupyterLab starts the kernel
    relative = os.path.relpath(raw, repo)  # as given to run_all.py from the project folder
    with pytest.raises(NothingToShow) as found:
        open_study("fever", "smoke", relative)
    message = str(found.value)
    assert "does not exist" not in message, message  # the folder was found ...
    assert str(raw / "fever") in message, message  # ... and FEVER's files looked for in it
    monkeypatch.chdir(repo)  # from the project folder, the same path reads the same folder
    with pytest.raises(NothingToShow) as again:
        open_study("fever", "smoke", relative)
    assert str(raw / "fever") in str(again.value)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_as_jupyter_saves_it(path):
    """Opened in JupyterLab, a notebook whose kernelspec reads other than the kernel Lab
    starts ("Python 3" against ipykernel's "Python 3 (ipykernel)") is marked modified at once:
    leaving the page asks about unsaved changes, and Lab's autosave rewrote the committed file
    two minutes later (seen 2026-12-03, JupyterLab 4.6, with its keys reordered too). The
    executed copies in outputs/ take their kernelspec from here (papermill). So: ipykernel's
    own kernelspec, and the bytes nbformat writes (what Jupyter's save writes).

    And the kernel's whole language_info: with only its name stored, Lab wrote in the rest
    (version, mimetype, codemirror_mode, ...) as its kernel connected, so every notebook opened
    modified under any Python (the walk's JSON lines, 2026-12-06: "dirty": true on opening all
    six, JupyterLab 4.6.6, Chromium 156; with it stored they open unmodified under the
    project's Python, 3.11.7, and still modified under another version)."""
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import get_kernel_dict

    nb = nbformat.read(path, as_version=4)
    spec = nb.metadata["kernelspec"]
    assert spec == {"name": "python3", "display_name": get_kernel_dict()["display_name"],
                    "language": "python"}
    info = nb.metadata["language_info"]
    assert info == {**IPythonKernel.language_info, "version": info["version"]}
    assert info["version"] == NOTEBOOKS_PYTHON
    assert path.read_text(encoding="utf-8") == nbformat.writes(nb) + "\n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_show_their_sentences_through_plots_markdown(path):
    """IPython's Markdown as it is reads two dollar signs in a paragraph as LaTeX in JupyterLab
    (notebook 04's advice at your prices: 'At 0.5perhumanpointand0.002 per synthetic point',
    2026-12-06); :func:`littlehuman.plots.markdown` escapes them."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "Markdown(" not in code.replace("plots.markdown(", "")
