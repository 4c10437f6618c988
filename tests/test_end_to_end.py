"""The smoke profile end to end, as CI runs it: raw files -> outputs/index.html.

One FV (FEVER) and one QA (FairyTaleQA) dataset; then a rerun that must make no generation
call and train nothing (asserted on the counters the run records, not on time).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def run_all(home: Path, data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LITTLEHUMAN_HOME": str(home), "LITTLEHUMAN_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, str(REPO / "run_all.py"), *args], env=env,
                          capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="module")
def smoke_home(tmp_path_factory, shared_data):
    home = tmp_path_factory.mktemp("home")
    for name in ("fever", "fairytaleqa"):
        proc = run_all(home, shared_data, "--dataset", name, "--profile", "smoke")
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


def test_rerun_generates_and_trains_nothing(smoke_home, shared_data):
    before = {p: p.read_bytes() for p in (smoke_home / "data" / "runs").rglob("record.json")}
    first = json.loads((smoke_home / "outputs/fever/smoke/summary.json").read_text())
    proc = run_all(smoke_home, shared_data, "--dataset", "fever", "--profile", "smoke")
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((smoke_home / "outputs/fever/smoke/summary.json").read_text())
    assert summary["generation_calls"] == 0
    assert summary["runs_trained"] == 0
    assert summary["runs_skipped"] == first["runs_trained"] + first["runs_skipped"]
    after = {p: p.read_bytes() for p in (smoke_home / "data" / "runs").rglob("record.json")}
    assert after == before


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
