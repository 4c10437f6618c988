"""The CLI end to end on paths that need no shared smoke run, each in its own home: a notebook
opened before any run, the kernel reading the runner's checkout, your own file, the LoRA
learner, and the ``openai`` and ``openai-batch`` generators against the fake server.

Split from test_end_to_end.py (which shares one smoke home between its tests) so that
pytest-xdist's ``--dist loadfile`` can run the two files on two workers.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli import run_all
from notebook_run import execute_directly

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_a_notebook_run_before_any_run_says_which_command_first(tmp_path, shared_data):
    nb, error = execute_directly("02_replacement_sweep.ipynb", tmp_path / "empty", shared_data)
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
    """--learner lora --model-dir DIR on a tiny random Llama (no download), smoke profile.
    DIR relative to the working directory, as the README's Gemma example gives it: the runs
    trained, then notebook 02, whose kernel runs in notebooks/, resolved it there and found no
    runs (seen with Gemma 270M on 2026-12-04)."""
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
                   "--learner", "lora", "--model-dir", model_dir.name, "--epochs", "1",
                   "--notebooks", "02", "--no-html", cwd=tmp_path)
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
        dry = run_all(home, shared_data, *common, "--dry-run", "--notebooks", "01")
        assert dry.returncode == 0, dry.stderr[-2000:]
        assert "40 requests to send to openai (gpt-3.5-turbo):" in dry.stdout
        every = run_all(home, shared_data, *common, "--dry-run")  # the zoom twins 8 rows more
        assert "48 requests to send to openai (gpt-3.5-turbo):" in every.stdout
        assert "Batch API" in dry.stdout
        assert server.log == [] and not (home / "data" / "generation").exists()
        first = run_all(home, shared_data, *common, "--notebooks", "01", "--no-html")
        assert first.returncode == 0, first.stderr[-2000:]
        sent = len(server.log)
        assert sent == 40 and all(entry["auth_ok"] for entry in server.log)
        # notebook 01 alone makes the twins and trains nothing (on a GPU node, before the
        # training goes to a cluster: README)
        assert not (home / "data" / "runs").exists() and "nothing trained yet" in first.stdout
        again = run_all(home, shared_data, *common, "--notebooks", "01", "--no-html")
        assert again.returncode == 0 and len(server.log) == sent  # nothing sent twice
        summary = json.loads((home / "outputs/wanli/smoke/summary.json").read_text())
        assert summary["settings"]["base_url"] == server.base_url  # read by this generator
        priced = run_all(home, shared_data, *common, "--dry-run", "--notebooks", "01")  # nor priced twice
        assert ("0 requests to send to openai (gpt-3.5-turbo) (40 answered already (cache): "
                "not sent again): ~0 input + <= 0 output tokens, $0.00 chat") in priced.stdout
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
    # WANLI's 100-row sample, not its release: said once in the terminal, in the notebook's
    # header and in the summary the index reads
    assert first.stdout.count("[wanli] partial data: only train_sample.jsonl") == 1
    assert "**Partial data:** only train_sample.jsonl" in notebook
    summary = json.loads(next((home / "outputs").rglob("summary.json")).read_text())
    assert len(summary["data_notes"]) == 1 and "80/10/10" in summary["data_notes"][0]
    for path in home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
