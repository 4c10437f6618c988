"""A flag that the chosen generator, learner, executor, dataset or mode never reads is one
error line (exit 2) naming what to do, not silently ignored; the combinations that are read
still run. Real ``run_all.py`` processes, stopped by --plan/--dry-run or by the check itself."""
from __future__ import annotations

import shutil

import pytest

from cli import run_all
from littlehuman import config
from littlehuman.errors import LittleHumanError


@pytest.mark.parametrize("args,needles", [
    # a setting of another learner: the run would train something else than asked
    (("--learner", "encoder", "--model-dir", "/models/llama"), ("--model-dir", "--learner lora")),
    (("--learner", "lora", "--model-dir", "/m", "--pooling", "mean"), ("--pooling", "encoder")),
    (("--learner", "majority", "--epochs", "5"), ("--epochs", "majority")),
    (("--grad-accum", "4",), ("--grad-accum", "--learner lora")),
    # an encoder setting of the other task (fever is FV: QA windows are never read)
    (("--qa-windows", "4"), ("--qa-windows", "question answering", "fact verification")),
    # a setting of another generator: the twins would come from something else than asked
    (("--gen-model", "gpt-4-turbo"), ("--gen-model", "openai", "extractive")),
    (("--generator", "gemma", "--gen-model-dir", "/m"), ("--gen-model-dir", "--generator hf")),
    (("--temperature", "0.7"), ("--temperature", "extractive")),
    (("--generator", "openai-batch", "--concurrency", "4"), ("--concurrency", "--generator openai")),
    # --synthetic FILE makes no generation call
    (("--synthetic", "{twins}", "--generator", "openai"), ("--generator", "--synthetic")),
    # another executor's settings
    (("--slurm-partition", "gpu"), ("--slurm-partition", "--executor slurm")),
    # the advisor needs both prices
    (("--budget", "100"), ("--budget", "--price-human", "--price-synthetic")),
    (("--price-human", "0.5"), ("--price-synthetic",)),
    # a price of 0 given: the line says so, rather than asking for what was given
    (("--price-human", "0.5", "--price-synthetic", "0"), ("above 0", "--price-synthetic 0")),
    # more trade-off seeds than seeds
    (("--seeds", "0,1", "--tradeoff-seeds", "3"), ("--tradeoff-seeds", "--seeds")),
    # options of a user's own file with a registered dataset
    (("--task", "qa"), ("--task", "your own")),
    (("--columns", "a=context"), ("--columns", "your own")),
    (("--skip-bad-rows",), ("--skip-bad-rows", "your own")),
    # two things to do at once
    (("--plan", "--dry-run"), ("--plan", "--dry-run")),
    (("--fetch", "fever"), ("--fetch", "--dataset")),
    (("--list-datasets",), ("--list-datasets", "--dataset")),
    (("--plan-tokens-per-s", "5000"), ("--plan-tokens-per-s", "--plan")),
    (("--plan-measure",), ("--plan-measure", "add --plan")),
    (("--plan", "--plan-measure", "--plan-tokens-per-s", "5000"), ("two rates",)),
    # an empty file, server or model: "" had been dropped (a reviewer: --synthetic "" went on
    # to paid generation, --base-url "" to api.openai.com)
    (("--synthetic", ""), ("--synthetic is empty",)),
    (("--generator", "openai", "--base-url", " "), ("--base-url is empty",)),
    (("--prices", ""), ("--prices is empty",)),
    (("--learner", "lora", "--model-dir", ""), ("--model-dir is empty",)),
])
def test_a_flag_nothing_reads_is_one_line_exit_2(tmp_path, shared_data, monkeypatch, capsys,
                                                 args, needles):
    """In-process through ``cli.main`` (what run_all.py calls; a real process below)."""
    from littlehuman import cli

    twins = tmp_path / "twins.jsonl"
    twins.write_text('{"context": "c", "claim": "x", "label": 1}\n')
    args = tuple(a.replace("{twins}", str(twins)) for a in args)
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    monkeypatch.setenv("LITTLEHUMAN_DATA_DIR", str(shared_data))
    code = cli.main(["--dataset", "fever", "--profile", "smoke", *args,
                     "--dry-run" if "--plan" not in args and "--dry-run" not in args else "--plan"])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert not (tmp_path / "data").exists() and not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("dataset,args,error", [
    ("ropes", ("--pooling", "mean"), "--pooling is read only for fact verification"),
    ("{qa_file}", ("--pooling", "mean"), "--pooling is read only for fact verification"),
    ("{qa_file}", ("--qa-windows", "3"), None),
    ("ropes", ("--qa-windows", "3"), None),
    ("all", ("--qa-windows", "3", "--pooling", "mean"), None),  # each read by some datasets
])
def test_an_encoder_setting_is_checked_against_the_datasets_task(
        tmp_path, shared_data, monkeypatch, capsys, dataset, args, error):
    from littlehuman import cli

    qa_file = tmp_path / "mine.jsonl"
    qa_file.write_text("".join(f'{{"context": "c {i} d", "question": "q{i}?", "answer": "d"}}\n'
                               for i in range(40)))
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    monkeypatch.setenv("LITTLEHUMAN_DATA_DIR", str(shared_data))
    code = cli.main(["--dataset", dataset.replace("{qa_file}", str(qa_file)), "--profile",
                     "smoke", *args, "--plan"])
    err = capsys.readouterr().err
    if error is None:
        assert code == 0, err
    else:
        assert code == 2 and err.startswith(f"error: {error}") and len(err.splitlines()) == 1, err


def test_all_checks_a_task_setting_against_the_datasets_found(tmp_path, shared_data,
                                                               monkeypatch, capsys):
    """'all' runs the datasets whose raw files are found: a QA setting over a folder holding
    only FEVER is read by none of them (it had been accepted, and unused)."""
    from littlehuman import cli

    raw = tmp_path / "raw"
    shutil.copytree(shared_data / "fever", raw / "fever")
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    code = cli.main(["--dataset", "all", "--data-dir", str(raw), "--profile", "smoke",
                     "--qa-windows", "3", "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --qa-windows is read only for question "
                                        "answering") and len(err.splitlines()) == 1, err
    assert not (tmp_path / "data").exists() and not (tmp_path / "outputs").exists()
    # a plan prices every registered dataset, so the same flag is read there
    assert cli.main(["--dataset", "all", "--data-dir", str(raw), "--profile", "smoke",
                     "--qa-windows", "3", "--plan"]) == 0


def test_a_flag_nothing_reads_stops_a_real_process(tmp_path, shared_data):
    proc = run_all(tmp_path, shared_data, "--dataset", "fever", "--profile", "smoke",
                   "--learner", "encoder", "--model-dir", "/models/llama", "--dry-run")
    assert proc.returncode == 2 and proc.stdout == "", (proc.stdout, proc.stderr)
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("error: --model-dir") and "--learner lora" in line
    assert not (tmp_path / "data").exists() and not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("args", [
    ("--generator", "openai", "--gen-model", "my-model", "--concurrency", "4", "--rpm", "60"),
    ("--generator", "openai-batch", "--batch-poll-s", "5", "--temperature", "1"),
    ("--learner", "encoder", "--pooling", "mean", "--warmup-ratio", "0.3", "--epochs", "2"),
    ("--executor", "slurm", "--slurm-partition", "gpu"),
    ("--price-human", "0.5", "--price-synthetic", "0.002", "--budget", "10"),
    ("--seeds", "0,1,2", "--tradeoff-seeds", "2"),
    ("--base-url", "http://127.0.0.1:9/v1"),  # a connection setting: scripts give it always
])
def test_flags_the_choices_read_pass(args):
    prof = config.profile("smoke", **{a[2:].replace("-", "_"): b
                                      for a, b in zip(args[::2], args[1::2])})
    config.check_chosen(prof, [a[2:].replace("-", "_") for a in args[::2]])


def test_the_profiles_own_values_are_never_the_users_choice():
    # the cpu profile sets encoder settings; with another learner they are simply unused
    prof = config.profile("cpu", learner="majority")
    config.check_chosen(prof, ["learner"])
    with pytest.raises(LittleHumanError, match="--warmup-ratio"):
        config.check_chosen(prof, ["learner", "warmup_ratio"])


def test_slurm_without_a_cluster_stops_before_any_twin_is_generated(tmp_path, shared_data,
                                                                    monkeypatch, capsys):
    """With a paid generator the twins would be bought first, then the sweep would fail."""
    from littlehuman import cli

    monkeypatch.setenv("LITTLEHUMAN_HOME", str(tmp_path))
    monkeypatch.setenv("LITTLEHUMAN_DATA_DIR", str(shared_data))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no srun, as on a laptop
    code = cli.main(["--dataset", "fever", "--profile", "smoke", "--executor", "slurm"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --executor slurm: no SLURM cluster here"), err
    assert len(err.splitlines()) == 1 and "srun" in err
    assert not (tmp_path / "data" / "synthetic").exists()
