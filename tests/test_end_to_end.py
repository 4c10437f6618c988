"""The smoke profile end to end, as CI runs it: raw files -> outputs/index.html.

One FV (FEVER: the cold run conftest's ``fever_smoke`` shares with other modules, copied) and
one QA (FairyTaleQA) dataset; then a rerun that must make no generation call and train
nothing (asserted on the counters the run records, not on time).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cli import FEVER_SMOKE, run_all

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke_home(fever_smoke, tmp_path_factory, shared_data):
    """A copy of the shared cold FEVER smoke run's home (conftest's ``fever_smoke``), with a
    cold FairyTaleQA smoke run added."""
    home = tmp_path_factory.mktemp("e2e") / "home"
    shutil.copytree(fever_smoke[0], home)
    proc = run_all(home, shared_data, "--dataset", "fairytaleqa", "--profile", "smoke")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return home


@pytest.mark.parametrize("name,task", [("fever", "fv"), ("fairytaleqa", "qa")])
def test_smoke_reports(smoke_home, name, task):
    folder = smoke_home / "outputs" / name / "smoke"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["task"] == task
    # 3 sweep runs, 2 more zoom runs (100% at n=48 is the sweep's), 6 trade-off runs
    assert summary["generation_calls"] > 0 and summary["runs_trained"] == 3 + 2 + 6
    for nb in ("01_generate", "02_replacement_sweep", "03_zoom", "04_tradeoff", "05_analysis"):
        page = (folder / f"{nb}.html").read_text()
        assert "plotly" in page.lower() and "Plotly.newPlot" in page, nb
    assert summary["sweep"]["status"] == "ok" and "90->100%" in summary["sweep"]["text"]
    assert summary["zoom"]["paired"] and summary["tradeoff"]["headline"]
    sweep = (folder / "02_replacement_sweep.html").read_text()
    assert "test score vs synthetic fraction" in sweep
    if task == "qa":
        for label in ("Exact match", "ROUGE-1", "BERTScore F1"):
            assert label in sweep
        assert "Kendall tau" in sweep  # Table 1: do the QA metrics rank the fractions alike?
        assert "Kendall tau" in (folder / "03_zoom.html").read_text()  # Table 2
    index = (smoke_home / "outputs" / "index.html").read_text()
    assert f"{name}/smoke/02_replacement_sweep.html" in index


def test_rerun_generates_and_trains_nothing_and_keeps_unchanged_reports(smoke_home, shared_data):
    folder = smoke_home / "outputs/fever/smoke"
    before = {p: p.read_bytes() for p in (smoke_home / "data" / "runs").rglob("record.json")}
    reports = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    first = json.loads((folder / "summary.json").read_text())
    proc = run_all(smoke_home, shared_data, *FEVER_SMOKE)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # nothing a notebook shows changed: no kernel started, every report kept as it was
    assert "nothing the notebooks show has changed" in proc.stdout and "executing" not in proc.stdout
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == reports
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


def _execute_directly(name: str, home: Path, data_dir: Path):
    """Run notebook ``name`` as JupyterLab's "Run All" would: from notebooks/, its default
    parameters, a kernel of this environment."""
    import nbclient
    import nbformat

    nb = nbformat.read(REPO / "notebooks" / name, as_version=4)
    env = {"LITTLEHUMAN_HOME": str(home), "LITTLEHUMAN_DATA_DIR": str(data_dir)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                         resources={"metadata": {"path": str(REPO / "notebooks")}})
        try:
            client.execute()
            return nb, None
        except nbclient.exceptions.CellExecutionError as exc:
            return nb, exc
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


@pytest.mark.parametrize("name", ["01_generate.ipynb", "02_replacement_sweep.ipynb",
                                  "03_zoom.ipynb", "04_tradeoff.ipynb", "05_analysis.ipynb",
                                  "06_advise.ipynb"])
def test_each_notebook_runs_directly_with_its_defaults(smoke_home, shared_data, name):
    """JupyterLab as the first use: after the smoke run, each notebook top to bottom with its
    own parameters cell (fever, smoke) draws its figures."""
    nb, error = _execute_directly(name, smoke_home, shared_data)
    assert error is None, str(error)[-2000:]
    figures = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if "Plotly.newPlot" in o.get("data", {}).get("text/html", "")]
    assert figures, f"{name} drew no figure"


def test_a_notebook_run_before_any_run_says_which_command_first(tmp_path, shared_data):
    nb, error = _execute_directly("02_replacement_sweep.ipynb", tmp_path / "empty", shared_data)
    assert error is not None
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if o.get("output_type") == "error"]
    assert len(shown) == 1 and len(shown[0]["traceback"]) == 1  # one line, no traceback
    assert "run `python run_all.py --dataset fever --profile smoke` first" in shown[0]["traceback"][0]
    assert not (tmp_path / "empty" / "data" / "synthetic").exists()  # nothing generated


def test_the_kernel_reads_the_runners_checkout_not_the_installed_one(tmp_path, shared_data):
    """Two clones: the package importable from B (PYTHONPATH, as an install from B would
    make it), run_all.py started from A. The notebooks must read A's runs, not B's."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    a, b = tmp_path / "A", tmp_path / "B"
    for clone in (a, b):
        shutil.copytree(REPO / "lib", clone / "lib", ignore=ignore)
        shutil.copy(REPO / "run_all.py", clone / "run_all.py")
    shutil.copytree(REPO / "notebooks", a / "notebooks", ignore=ignore)
    proc = run_all(None, shared_data, "--dataset", "fever", "--profile", "smoke", "--learner",
                   "majority", "--notebooks", "02", "--no-html",  # no training needed
                   script=a / "run_all.py", env={"PYTHONPATH": str(b / "lib")}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (a / "outputs/fever/smoke/02_replacement_sweep.ipynb").exists()
    assert (a / "data/runs/fever").is_dir() and not (b / "data").exists()
    assert not (b / "outputs").exists()


def test_own_file_end_to_end(tmp_path, shared_data):
    """--dataset path/to/file with mapped columns and label words, to an HTML report."""
    import csv

    path = tmp_path / "my_claims.csv"
    colours = ["red", "blue", "green", "yellow"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["evidence", "statement", "verdict"])
        for i in range(90):  # invented rows
            colour, other = colours[i % 4], colours[(i + 1) % 4]
            true = i % 3 != 0
            w.writerow([f"Box {i} is {colour}. It was made in {1990 + i % 30}.",
                        f"Box {i} is {colour if true else other}.",
                        "SUPPORTS" if true else "REFUTES"])
    home = tmp_path / "home"
    proc = run_all(home, shared_data, "--dataset", str(path), "--profile", "smoke",
                   "--columns", "evidence=context,statement=claim,verdict=label",
                   "--learner", "majority", "--n-train", "40",
                   "--price-human", "0.50", "--price-synthetic", "0.002")
    assert proc.returncode == 0, proc.stderr[-3000:]
    folder = home / "outputs" / "my_claims" / "smoke"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["task"] == "fv" and summary["runs_trained"] > 3
    assert "Plotly.newPlot" in (folder / "02_replacement_sweep.html").read_text()
    # the advisor: an answer at these prices in the trade-off report and the summary
    advice = summary["tradeoff"]["advice"]
    assert advice is not None and advice["verdict"]
    assert advice["verdict"][:40] in (folder / "04_tradeoff.html").read_text()


def test_lora_learner_through_the_cli(tmp_path, shared_data):
    """--learner lora --model-dir DIR on a tiny random Llama (no download), smoke profile."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import AutoModelForCausalLM, LlamaConfig, PreTrainedTokenizerFast

    words = (shared_data / "fever" / "test.jsonl").read_text().split()[:5000]
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator([" ".join(words)], trainers.WordLevelTrainer(
        special_tokens=["<unk>", "<s>", "</s>"], vocab_size=800))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                        unk_token="<unk>")
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=512, bos_token_id=1, eos_token_id=2)
    torch.manual_seed(0)
    model_dir = tmp_path / "tiny-llama"
    AutoModelForCausalLM.from_config(config).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)

    home = tmp_path / "home"
    proc = run_all(home, shared_data, "--dataset", "fever", "--profile", "smoke",
                   "--learner", "lora", "--model-dir", str(model_dir), "--epochs", "1",
                   "--notebooks", "02", "--no-html")
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = list((home / "data" / "runs" / "fever" / "sweep").rglob("record.json"))
    assert len(records) == 3
    record = json.loads(records[0].read_text())
    assert record["spec"]["learner"] == "lora" and record["fit_stats"]["tokens_per_s"] > 0
    missing = run_all(tmp_path / "home2", shared_data, "--dataset", "fever", "--profile", "smoke",
                      "--learner", "lora")
    assert missing.returncode == 2 and "--model-dir" in missing.stderr


def test_openai_generator_through_the_cli(tmp_path, shared_data, monkeypatch):
    """--generator openai against the fake OpenAI server: dry run, generation, rerun, no leak."""
    from fake_openai import KEY, FakeOpenAI

    home = tmp_path / "home"
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        common = ("--dataset", "wanli", "--profile", "smoke", "--generator", "openai",
                  "--base-url", server.base_url, "--learner", "majority", "--n-train", "40")
        dry = run_all(home, shared_data, *common, "--dry-run")
        assert dry.returncode == 0, dry.stderr[-2000:]
        assert "40 requests to openai (gpt-3.5-turbo)" in dry.stdout and "Batch API" in dry.stdout
        assert server.log == [] and not (home / "data" / "generation").exists()
        first = run_all(home, shared_data, *common, "--notebooks", "01", "--no-html")
        assert first.returncode == 0, first.stderr[-2000:]
        sent = len(server.log)
        assert sent == 40 and all(entry["auth_ok"] for entry in server.log)
        again = run_all(home, shared_data, *common, "--notebooks", "01", "--no-html")
        assert again.returncode == 0 and len(server.log) == sent  # nothing sent twice
    for path in home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in first.stdout + first.stderr + again.stdout + again.stderr


def test_openai_batch_generator_through_the_cli(tmp_path, shared_data, monkeypatch):
    """--generator openai-batch against the fake server: one upload and one batch, a rerun
    sends nothing, and notebook 01 shows the bill at the Batch API's half price."""
    from fake_openai import KEY, FakeOpenAI

    home = tmp_path / "home"
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        common = ("--dataset", "wanli", "--profile", "smoke", "--generator", "openai-batch",
                  "--base-url", server.base_url, "--batch-poll-s", "0.05", "--learner",
                  "majority", "--n-train", "30", "--notebooks", "01", "--no-html")
        first = run_all(home, shared_data, *common)
        assert first.returncode == 0, first.stderr[-2000:]
        assert len(server.requests("POST", "/v1/files")) == 1
        assert len(server.requests("POST", "/v1/batches")) == 1
        sent = len(server.log)
        again = run_all(home, shared_data, *common)
        assert again.returncode == 0 and len(server.log) == sent
    notebook = next((home / "outputs").rglob("01_generate.ipynb")).read_text()
    assert "Batch API: 50%" in notebook and "gpt-3.5-turbo" in notebook
    for path in home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
