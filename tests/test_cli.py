"""The command line: help, bad input (exit 2, one line, nothing overwritten), list-datasets."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from littlehuman import config, data
from littlehuman.cli import main
from cli import run_all



def run_cli(*args: str, home: Path, data_dir: Path | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_all(home, data_dir, *args, cwd=cwd, timeout=300)


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0]


def test_help_explains_every_flag(home):
    proc = run_cli("--help", home=home)
    assert proc.returncode == 0
    for f in config.Profile.__dataclass_fields__:
        if f != "name":
            assert f"--{f.replace('_', '-')}" in proc.stdout
    for flag in ("--dataset", "--list-datasets", "--fetch", "--no-fetch", "--data-dir", "--profile",
                 "--skip-bad-rows", "--columns"):
        assert flag in proc.stdout
    for section in config.field_sections():
        assert f"profile: {section}:" in proc.stdout
    text = " ".join(proc.stdout.split())  # argparse wraps the help lines
    assert "few-shot examples per request (smoke=3, cpu=3, paper=3)" in text
    assert "a folder holding train.* and test.* (and optionally valid.*)" in text
    assert "train=FILE,test=FILE[,valid=FILE]" in text and "downloaded on first use" in text


def test_usage_names_the_advise_command():
    """The usage line listed the flags alone, while the examples below it run `advise`."""
    from littlehuman.cli import build_parser

    usage = build_parser().format_usage()
    assert usage.startswith("usage: run_all.py [-h] [--dataset NAME|all|FILE|DIR]")
    assert "\n       run_all.py advise FILE|NAME [--synthetic FILE]" in usage
    assert " ".join(usage.split()).endswith("[--budget B]] [other flags]")


def test_help_names_the_data_folder_by_what_it_holds():
    """The examples gave --data-dir ../shared/data and its help "laid out like shared/data":
    folders of this project's machines, which a clone made elsewhere does not have."""
    from littlehuman.cli import build_parser

    text = " ".join(build_parser().format_help().split())
    assert "shared/data" not in text
    assert "--data-dir /path/to/raw" in text and "LITTLEHUMAN_DATA_DIR=/path/to/raw" in text
    assert "the folder holding the datasets' raw release files, one subfolder per dataset" in text


def test_field_help_says_what_each_field_does_and_each_profiles_value():
    helps, sections = config.field_help(), config.field_sections()
    names = [f.name for f in config.fields(config.Profile) if f.name != "name"]
    assert sorted(helps) == sorted(names)
    assert sorted(n for ns in sections.values() for n in ns) == sorted(names)
    assert [s.split(",")[0].split(" (")[0] for s in sections] == [
        "generation of the synthetic twins", "experiment 1", "experiment 2", "experiment 3",
        "the advisor", "the learner", "execution"]
    for name, text in helps.items():
        assert "profile field" not in text and text.endswith(")")
        for prof in config.PROFILES:
            assert f"{prof}=" in text, (name, text)
        for choice in config.CHOICES.get(name, ()):
            assert choice in text, (name, choice)
    assert helps["k_shots"] == "few-shot examples per request (smoke=3, cpu=3, paper=3)"
    assert helps["n_valid"].startswith("cap on the validation rows used for model selection; "
                                       "0 = all (smoke=32, cpu=60, paper=0)")
    assert "(smoke=0.0,0.9,1.0, cpu=0.0,0.5,0.9,0.95,0.975,1.0, paper=0.0,0.1," in helps["sweep_fractions"]
    assert "(smoke=false, cpu=false, paper=false)" in helps["compile"]
    assert '(smoke="", cpu="", paper="")' in helps["model_dir"]


def test_a_bad_value_says_what_0_means():
    from littlehuman.errors import LittleHumanError

    for field, needle in (("n_test", "0 = all"), ("epochs", "0 = the learner's default"),
                          ("rpm", "0 = no limit")):
        with pytest.raises(LittleHumanError, match=needle):
            config.profile("smoke", **{field: "-1"})


@pytest.mark.parametrize(
    "args,needles",
    [
        (("--dataset", "nosuch", "--profile", "smoke"), ("unknown dataset", "fever")),
        (("--frobnicate",), ("unrecognized arguments",)),
        (("--dataset", "fever", "--epochs", "many"), ("--epochs", "expected a whole number")),
        (("--dataset", "fever", "--seeds", "x"), ("--seeds", "comma-separated whole numbers, e.g. 0,1")),
        (("--dataset", "fever", "--train-bf16", "maybe"), ("--train-bf16", "true or false")),
        (("--profile", "huge"), ("invalid choice",)),
        ((), ("nothing to do",)),
        # a helper's walk: 'advice' for 'advise', and an abbreviated flag that passed silently
        (("advice", "facts.csv"), ("unknown command 'advice'", "the one command is advise")),
        (("--dataset", "fever", "--budg", "20"), ("unrecognized arguments: --budg",)),
        # a reviewer's canaries (session 30): refused before anything is written, not repeated
        (("--dataset", "fever", "--base-url", "http://h/v1?token=CANARYTOK"),
         ("--base-url must not hold a query string",)),
        (("--dataset", "fever", "--base-url", "http://a:CANARYPASS@h:99999/v1"),
         ("--base-url must be a URL with a port",)),
        (("--dataset", "fever", "--generator", "openai", "--api-key-env", "sk-CANARY-123"),
         ("--api-key-env must name an environment variable",)),
        (("--dataset", "ropes", "--label-conditioned", "false", "--dry-run"),
         ("--label-conditioned is read only for fact verification",)),
    ],
)
def test_bad_input_is_one_line_exit_2(home, shared_data, args, needles):
    result = run_cli(*args, home=home, data_dir=shared_data)
    assert_one_line_error(result, *needles)
    assert "CANARY" not in result.stdout + result.stderr


def test_missing_data_dir(home, tmp_path):
    proc = run_cli("--dataset", "fever", "--profile", "smoke", "--data-dir",
                   str(tmp_path / "nope"), home=home)
    assert_one_line_error(proc, "does not exist")


def test_missing_factify_file_is_one_line_and_overwrites_nothing(home, shared_data):
    sentinel = home / "outputs" / "factify" / "keep.txt"
    sentinel.parent.mkdir(parents=True)
    sentinel.write_text("old result")
    proc = run_cli("--dataset", "factify", "--profile", "smoke", home=home, data_dir=shared_data)
    assert_one_line_error(proc, "factify")
    assert sentinel.read_text() == "old result"
    assert sorted(p.name for p in sentinel.parent.iterdir()) == ["keep.txt"]


def test_bad_custom_file_is_one_line(home, shared_data, tmp_path):
    bad = tmp_path / "mine.csv"
    bad.write_text("context,claim,label\nsome evidence,a claim,maybe\n")
    proc = run_cli("--dataset", str(bad), "--profile", "smoke", home=home, data_dir=shared_data)
    assert_one_line_error(proc, "label")


def test_list_datasets_table(home, shared_data, capsys, monkeypatch):
    monkeypatch.setenv("LITTLEHUMAN_HOME", str(home))
    assert main(["--list-datasets", "--data-dir", str(shared_data)]) == 0
    out = capsys.readouterr().out
    table = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for name in ("fever", "scifact", "wanli", "ropes", "fairytaleqa"):
        assert name in table and ("FV" in table[name] or "QA" in table[name])
    assert "not found: factify" in out and "not found: coqa" in out and "not found: qaconv" in out
    assert "factify: factify:" not in out  # the name once, though the loader's message has it
    # WANLI's rows are its release's 100-row sample: said under the table
    [said] = [line for line in out.splitlines() if line.startswith("partial data: wanli: ")]
    assert "only train_sample.jsonl" in said and "80/10/10" in said


def _coqa_train_without_a_usable_row(root: Path) -> Path:
    """A CoQA folder whose train file parses but holds no story (the dev file is the
    invented fixture's); the train file."""
    import shutil

    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "coqa", root / "coqa")
    train = root / "coqa" / "coqa-train-v1.0.json"
    train.write_text('{"version": "1.0", "data": []}')
    return train


def test_a_file_leaving_the_train_split_empty_is_caught_before_anything_runs(home, tmp_path,
                                                                              shared_data):
    """--list-datasets marks it unusable (it showed train 0 with no remark), --dry-run and a
    run stop on one line naming the file (the dry run said "0 requests"; the run died later on
    "load_or_generate takes rows of one dataset, got []"); --dataset all stops before the
    datasets that come first have run."""
    import shutil

    raw = tmp_path / "raw"
    train = _coqa_train_without_a_usable_row(raw)
    listed = run_cli("--list-datasets", home=home, data_dir=raw)
    assert listed.returncode == 0
    [line] = [x for x in listed.stdout.splitlines() if "coqa" in x]
    assert line.startswith("unusable: coqa: no usable train row in ") and str(train) in line
    for extra in (("--dataset", "coqa", "--dry-run"), ("--dataset", "coqa")):
        proc = run_cli(*extra, "--profile", "smoke", "--no-fetch", home=home, data_dir=raw)
        assert_one_line_error(proc, "coqa: no usable train row in", str(train))
    shutil.copytree(shared_data / "wanli", raw / "wanli")  # runs before coqa in 'all'
    proc = run_cli("--dataset", "all", "--profile", "smoke", "--no-fetch", home=home, data_dir=raw)
    assert_one_line_error(proc, str(train))
    assert not (home / "outputs" / "wanli").exists() and not (home / "data" / "runs").exists()


def test_a_partial_release_is_said_once_per_run(home, shared_data):
    """WANLI's 100-row sample stands in for the release: a run says so once (the loader's
    warning had been swallowed, and nothing a user read said it)."""
    proc = run_cli("--dataset", "wanli", "--profile", "smoke", "--dry-run", home=home,
                   data_dir=shared_data)
    assert proc.returncode == 0, proc.stderr
    said = [line for line in (proc.stdout + proc.stderr).splitlines() if "train_sample" in line]
    assert len(said) == 1 and said[0].startswith("[wanli] partial data: only train_sample.jsonl")


def test_dry_run_prices_from_a_file_and_cot_examples(home, shared_data, tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text('{"my-model": [1000.0, 0.0]}')  # $1000 per 1M input tokens: easy to see
    common = ["--dataset", "scifact", "--profile", "smoke", "--generator", "openai",
              "--gen-model", "my-model", "--dry-run"]
    unpriced = run_all(home, shared_data, *common, env={"OPENAI_API_KEY": None}, timeout=300)
    assert unpriced.returncode == 0, unpriced.stderr
    assert "no price known" in unpriced.stdout  # priced without a key, saying what it skipped
    assert "OPENAI_API_KEY is not set, so replies already cached were not looked up" \
        in unpriced.stdout
    priced = run_cli(*common, "--prices", str(prices), home=home, data_dir=shared_data)
    assert priced.returncode == 0, priced.stderr
    assert "no price known" not in priced.stdout and "Batch API" in priced.stdout
    bad = run_cli(*common, "--cot-examples", str(tmp_path / "missing.json"), home=home,
                  data_dir=shared_data)
    assert_one_line_error(bad, "chain-of-thought", "--cot-examples")


def test_plan_prints_the_grid_without_running_anything(home, shared_data):
    proc = run_cli("--dataset", "all", "--profile", "paper", "--plan", home=home,
                   data_dir=shared_data)
    assert proc.returncode == 0, proc.stderr
    for needle in ("fever", "fairytaleqa", "coqa", "TOTAL", "GPU-h authors",
                   "estimated without data"):
        assert needle in proc.stdout
    assert not (home / "data" / "runs").exists()
    faster = run_cli("--dataset", "fever", "--profile", "paper", "--plan",
                     "--plan-tokens-per-s", "77100", home=home, data_dir=shared_data)
    assert faster.returncode == 0 and "77,100 tokens/s" in faster.stdout


def test_lora_flags_reach_the_learner_and_keep_default_keys(tmp_path):
    from littlehuman.learners import learner_params

    base = config.profile("smoke", learner="lora", model_dir=str(tmp_path))
    wanli = data.DATASETS["wanli"]
    plain = learner_params(base, "fv", wanli)
    assert not {"settings", "loss_on", "gradient_checkpointing", "compile"} & set(plain)
    tuned = learner_params(base.replace(lora_settings="paper", loss_on="all",
                                        gradient_checkpointing="true"), "fv", wanli)
    assert tuned["settings"] == "paper" and tuned["loss_on"] == "all"
    assert tuned["gradient_checkpointing"] is True


def test_output_piped_into_a_closed_reader_ends_quietly(home, tmp_path):
    """`run_all.py --plan ... | head -1`: the reader closing the pipe is no error of the
    user's (it read "error: Broken pipe: check that path and rerun"): no line on stderr, no
    traceback, the exit status a command killed by SIGPIPE has (141)."""
    proc = run_all(home, tmp_path, "--dataset", "fever", "--profile", "smoke", "--plan",
                   wait=False)
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == 141, err
    assert err == ""


def test_fetch_of_an_unknown_name_lists_what_can_be_fetched(home, capsys):
    """`--fetch nosuch` offered "or give your own CSV/JSONL/parquet file", which --fetch
    cannot take: the line lists the datasets it downloads, and 'all'."""
    assert main(["--fetch", "nosuch"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --fetch: unknown dataset 'nosuch'") and "\n" not in err
    assert "fever" in err and "fairytaleqa" in err and "all" in err
    assert "CSV" not in err and "train=FILE" not in err


def test_help_examples_keep_their_line_continuation():
    """The advise example in --help is two shell lines joined by a backslash; the string
    literal swallowed it, leaving one line with a run of spaces in the middle."""
    from littlehuman.cli import EPILOG

    assert "--price-human 0.5 \\\n      --price-synthetic 0.002" in EPILOG
    assert all("       --" not in line.strip() for line in EPILOG.splitlines())


def test_os_errors_are_one_line_naming_the_path_and_what_to_do():
    import errno

    from littlehuman.cli import os_error_message

    full = os_error_message(OSError(errno.ENOSPC, "No space left on device", "/x/outputs"))
    assert full.startswith("No space left on device (/x/outputs)") and "free some space" in full
    ro = os_error_message(OSError(errno.EROFS, "Read-only file system", "/x/outputs"))
    assert "--output" in ro and "read-only" in ro
    denied = os_error_message(PermissionError(errno.EACCES, "Permission denied", "/x"))
    assert "permissions" in denied and "--output" in denied
    assert "\n" not in os_error_message(OSError(errno.EIO, "I/O\nerror"))


def test_notebooks_flag_is_parsed_and_checked():
    from littlehuman.cli import parse_notebooks
    from littlehuman.errors import LittleHumanError

    assert parse_notebooks("01, 3,05") == ["01", "03", "05"]
    assert parse_notebooks("6") == ["06"]  # the advisor
    assert parse_notebooks("01,1,02,01") == ["01", "02"]  # once each: 01,1 ran 01 twice at once
    for bad in (",", "", "07", "01,x"):
        with pytest.raises(LittleHumanError, match="--notebooks"):
            parse_notebooks(bad)


def test_own_split_files_by_relative_path_and_a_changed_file_stops_the_rerun(home, tmp_path):
    """--dataset FOLDER and train=...,test=... given relative to the working directory (the
    notebooks run elsewhere), the same rows by both forms, and an edited file caught."""
    import csv
    import json

    work = tmp_path / "work"
    folder = work / "claims"
    folder.mkdir(parents=True)
    colours = ["red", "blue", "green", "yellow"]
    for name, lo, hi in (("train.csv", 0, 70), ("valid.csv", 70, 80), ("test.csv", 80, 100)):
        with open(folder / name, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["evidence", "statement", "verdict"])
            for i in range(lo, hi):  # invented rows
                true = i % 3 != 0
                w.writerow([f"Box {i} is {colours[i % 4]}.",
                            f"Box {i} is {colours[i % 4] if true else colours[(i + 1) % 4]}.",
                            "SUPPORTS" if true else "REFUTES"])
    common = ["--profile", "smoke", "--columns", "evidence=context,statement=claim,verdict=label",
              "--learner", "majority", "--n-train", "40", "--notebooks", "02", "--no-html"]
    first = run_cli("--dataset", "claims", *common, home=home, cwd=work)
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout.splitlines()[0] == (
        f"[claims] your own FV dataset: 100 rows read from {folder}{os.sep} (train.csv 70, "
        "valid.csv 10, test.csv 20); train 70, valid 10, test 20; splits from the file names; "
        "only 20 test rows: every score and interval rests on them (a larger test split narrows "
        "the intervals)")
    report = home / "outputs" / "claims" / "smoke"
    assert json.loads((report / "summary.json").read_text())["runs_trained"] == 3
    assert (report / "02_replacement_sweep.ipynb").exists()

    spec = "train=claims/train.csv,valid=claims/valid.csv,test=claims/test.csv"
    same = run_cli("--dataset", spec, *common, home=home, cwd=work)
    assert same.returncode == 0, same.stderr[-3000:]
    summary = json.loads((report / "summary.json").read_text())
    assert summary["runs_trained"] == 0 and summary["runs_skipped"] == 3  # the same rows

    with open(folder / "test.csv", "a", newline="") as f:
        csv.writer(f).writerow(["Box 999 is red.", "Box 999 is blue.", "REFUTES"])
    changed = run_cli("--dataset", "claims", *common, home=home, cwd=work)
    assert_one_line_error(changed, "claims: the rows differ", "(test.csv changed)",
                          str(home / "data" / "runs" / "claims"), "rename the file or folder")
    assert json.loads((report / "summary.json").read_text()) == summary  # the report is kept


@pytest.mark.parametrize("sig, word, code", [("SIGINT", "interrupted", 130),
                                             ("SIGTERM", "terminated", 143)])
def test_ctrl_c_and_kill_end_with_one_line(sig, word, code):
    """Ctrl-C and a plain `kill` (or a scheduler's SIGTERM) stop a run with one line and the
    shell's exit code, not a traceback (SIGTERM used to end the process without a word)."""
    import signal
    import subprocess
    import sys

    script = ("import os, signal, time\nfrom littlehuman import cli\n"
              f"cli._main = lambda argv: (os.kill(os.getpid(), signal.{sig}), time.sleep(30))\n"
              "raise SystemExit(cli.main([]))\n")
    # as from a terminal: a suite started in the background (`nohup pytest ... &`) hands its
    # children SIGINT ignored, which Ctrl-C never reaches either
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.returncode == code, proc.stderr[-2000:]
    assert proc.stderr.strip() == (f"{word}: finished steps are cached; rerun the same command "
                                   "to resume")


def test_all_names_the_datasets_it_skips(tmp_path, capsys):
    """--dataset all runs the datasets whose files are found and says which it left out (it
    used to run fewer datasets without a word)."""
    import shutil

    from littlehuman.report import resolve_datasets

    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "coqa", tmp_path / "coqa")
    assert resolve_datasets("all", str(tmp_path)) == ["coqa"]
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "1 of 8 datasets" in out and "--list-datasets" in out
    skipped = out.split("skipped, files not found: ")[1]
    assert all(name in skipped for name in data.names() if name != "coqa")
    assert resolve_datasets("all", str(tmp_path), required=False) == data.names()
    assert capsys.readouterr().out == ""  # a plan counts every dataset: nothing skipped


def test_liger_on_a_machine_without_cuda_is_one_line_before_anything_runs(home, shared_data, tmp_path):
    """`--liger true` needs a CUDA GPU: said at once, before twins are generated."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    proc = run_cli("--dataset", "fever", "--profile", "smoke", "--learner", "lora", "--model-dir", str(model),
                   "--liger", "true", home=home, data_dir=shared_data)
    assert_one_line_error(proc, "--liger true needs a CUDA GPU")
    assert not (home / "data" / "synthetic").exists() and not (home / "data" / "runs").exists()


@pytest.mark.parametrize("model_dir, notebooks", [(None, "02"), ("missing", "02"), (None, "05")])
def test_lora_without_a_model_folder_is_one_line_before_any_twin(home, shared_data, tmp_path,
                                                                 model_dir, notebooks):
    """The paper profile's learner is lora: its --model-dir was checked when the first run
    trained, after the twins were generated (and, with openai-batch, paid for)."""
    extra = () if model_dir is None else ("--model-dir", str(tmp_path / model_dir))
    proc = run_cli("--dataset", "fever", "--profile", "smoke", "--learner", "lora", *extra,
                   "--notebooks", notebooks, home=home, data_dir=shared_data)
    assert_one_line_error(proc, "--model-dir")  # notebook 05 shows the sweep's runs too
    assert not (home / "data" / "synthetic").exists() and not (home / "data" / "runs").exists()


@pytest.mark.parametrize("content, needle", [(None, "No such file"),
                                             ('{"gpt-4o": [2.5]}', "expected [input, output]"),
                                             ('{"gpt-4o": [2.5, 10.0]', "Expecting")])
def test_a_bad_prices_file_is_one_line_before_any_twin(home, shared_data, tmp_path, content,
                                                       needle):
    """`--prices FILE` was read by notebook 01 only after the twins were generated (and, by
    an API, paid for): a missing or malformed file is now refused before anything runs, with
    the rules and the line of the later read."""
    prices = tmp_path / "prices.json"
    if content is not None:
        prices.write_text(content)
    proc = run_cli("--dataset", "scifact", "--profile", "smoke", "--notebooks", "01",
                   "--prices", str(prices), home=home, data_dir=shared_data)
    assert_one_line_error(proc, f"--prices: cannot read prices from {prices}", needle)
    assert not (home / "data" / "synthetic").exists() and not (home / "outputs").exists()


def test_more_top_layers_than_the_encoder_has_is_one_line_before_any_twin(home, shared_data):
    """`--train-layers 99` (MiniLM has 6) was taken silently and trained as 6 under a run key
    of its own; the bundled model's config.json says how many before anything runs."""
    proc = run_cli("--dataset", "scifact", "--profile", "smoke", "--notebooks", "01",
                   "--train-layers", "99", home=home, data_dir=shared_data)
    assert_one_line_error(proc, "--train-layers 99 is more than the encoder's 6 layers: "
                                "give 1 to 6", "or 0 to train the whole model")
    assert not (home / "data").exists() and not (home / "outputs").exists()


def test_an_own_file_with_a_flag_its_task_never_reads_records_nothing(home, tmp_path):
    rows = "context,question,answer\n" + "".join(
        f"Ann met Bob on day {i}.,Who met Bob on day {i}?,Ann\n" for i in range(40))
    (tmp_path / "mine.csv").write_text(rows)
    proc = run_cli("--dataset", str(tmp_path / "mine.csv"), "--profile", "smoke",
                   "--pooling", "mean", home=home)
    assert proc.returncode == 2 and "--pooling" in proc.stderr
    assert not (home / "data" / "processed").exists()  # the rows' fingerprint: not recorded


def qa_file(path: Path, extractive: bool) -> Path:
    """300 invented QA rows; without ``extractive`` no answer stands in its context."""
    import json

    rows = [{"id": f"q{i}", "context": f"The story number {i // 2} tells of a fox in field {i % 7}.",
             "question": f"Where is fox {i}?",
             "answer": f"in field {i % 7}" if extractive else f"zebra{i} quokka"}
            for i in range(300)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_qa_answers_the_encoder_cannot_use_stop_before_generation(home, tmp_path, capsys,
                                                                   monkeypatch):
    """A QA file whose answers never occur in their contexts passed --dry-run and generation
    (an API's, paid for) and stopped at the first training run with the encoder's line: the
    same rule and line now stop it before any twin, for the encoder only."""
    import pandas as pd

    from littlehuman.learners import spans

    def refuse(*args, **kwargs):
        raise AssertionError("a generation call was made")

    monkeypatch.setattr("littlehuman.generation.load_or_generate", refuse)
    bad = qa_file(tmp_path / "qa_bad.jsonl", extractive=False)
    line = "error: qa_bad: " + spans.no_usable_rows(48) + "\n"
    common = ["--dataset", str(bad), "--profile", "smoke"]
    assert main([*common, "--dry-run"]) == 2
    out, err = capsys.readouterr()
    assert err == line and "requests to send" not in out
    assert main([*common, "--notebooks", "02", "--no-html"]) == 2  # the real run: no twin made
    assert capsys.readouterr().err == line
    assert not (home / "data" / "synthetic").exists()
    # the learner's own rule and line: fitted on those rows, it stops the same way
    from littlehuman.learners.encoder import EncoderLearner
    from littlehuman.errors import LittleHumanError

    rows = pd.read_json(bad, lines=True).iloc[:48]
    with pytest.raises(LittleHumanError) as fitted:
        EncoderLearner(task="qa", epochs=1, progress=False).fit(rows)
    assert line == f"error: qa_bad: {fitted.value}\n"
    # the other learners do not extract answers; notebook 01 alone trains nothing
    monkeypatch.undo()
    for more in (["--learner", "majority"], ["--notebooks", "01"]):
        assert main([*common, *more, "--dry-run"]) == 0, capsys.readouterr().err
    good = qa_file(tmp_path / "qa_good.jsonl", extractive=True)
    assert main(["--dataset", str(good), "--profile", "smoke", "--dry-run"]) == 0
    # a --synthetic file none of whose answers is usable: the 100% synthetic runs would stop
    twins = tmp_path / "twins.jsonl"
    twins.write_text(bad.read_text().replace('"id": "q', '"source_id": "q'))
    assert main(["--dataset", str(good), "--profile", "smoke", "--synthetic", str(twins),
                 "--dry-run"]) == 2
    assert capsys.readouterr().err == "error: qa_good: " + spans.no_usable_rows(48) + "\n"


@pytest.mark.parametrize("name", ["ropes", "fairytaleqa"])
@pytest.mark.parametrize("profile", ["cpu", "paper"])
def test_the_papers_qa_datasets_pass_the_encoders_check(home, shared_data, name, profile):
    """Many of their answers are no verbatim span of the context (ROPES, FairyTaleQA): the
    check stops only a run on which none is usable."""
    from littlehuman import experiments
    from littlehuman.report import NOTEBOOKS
    from littlehuman.study import Study

    study = Study.create(name, config.profile(profile, learner="encoder"), str(shared_data))
    experiments.check_before_generation(study, list(NOTEBOOKS))


@pytest.mark.parametrize("args", [
    ("--dataset", "{own}", "--dry-run"),
    ("--dataset", "{own}"),
    ("advise", "{own}"),
    ("--list-datasets",),
    ("--dataset", "fever", "--plan"),
    ("--dataset", "all", "--plan"),
])
def test_a_data_dir_that_does_not_exist_is_one_line_whatever_is_asked(home, tmp_path, capsys,
                                                                       args):
    """--data-dir /nonexistent had passed with a user's own file (exit 0) and had listed every
    dataset as not found with --list-datasets and --plan; it is refused before anything runs."""
    own = qa_file(tmp_path / "mine.jsonl", extractive=True)
    missing = tmp_path / "nope"
    argv = [a.format(own=own) for a in args] + ["--profile", "smoke", "--data-dir", str(missing)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, err
    assert err.startswith(f"error: data directory {missing} (from --data-dir) does not exist")
    if str(own) in argv:
        assert "your own dataset" in err and "leave --data-dir out" in err
    assert not missing.exists() and not (home / "data" / "processed").exists()


def test_help_names_the_program_as_it_was_started(monkeypatch, capsys):
    """`littlehuman --help` (the console script) printed `usage: run_all.py`."""
    for argv0, prog, typed in (("/venv/bin/littlehuman", "littlehuman", "littlehuman"),
                               ("run_all.py", "run_all.py", "python run_all.py"),
                               ("/x/lib/littlehuman/cli.py", "python -m littlehuman.cli",
                                "python -m littlehuman.cli")):
        monkeypatch.setattr("sys.argv", [argv0, "--help"])
        with pytest.raises(SystemExit):
            main()
        out = capsys.readouterr().out
        assert out.startswith(f"usage: {prog} [-h] [--dataset NAME|all|FILE|DIR]"), out[:200]
        assert f"\n       {prog} advise FILE|NAME" in out
        assert f"\n  {typed} --dataset all " in out
        if prog == "littlehuman":
            assert "run_all.py" not in out
        monkeypatch.setattr("sys.argv", [argv0, "--frobnicate"])
        assert main() == 2
        assert capsys.readouterr().err.endswith(f"(see {typed} --help)\n")
    assert main(["--frobnicate"]) == 2  # called with its arguments: the script's name
    assert capsys.readouterr().err.endswith("(see python run_all.py --help)\n")


def test_a_fresh_project_without_data_raw_says_which_files_to_get(tmp_path):
    """A fresh clone has no data/raw until its first download: --no-fetch, --dataset all and
    --list-datasets said that folder "does not exist: point --data-dir ... at the folder"
    (eight times for --list-datasets) instead of the files each dataset lacks and how to get
    them (a reviewer). A folder the user names must still exist."""
    home = tmp_path / "fresh"
    home.mkdir()
    proc = run_cli("--dataset", "ropes", "--profile", "smoke", "--no-fetch", home=home)
    assert_one_line_error(proc, "ropes: missing train-v1.0.json", "--fetch ropes")
    proc = run_cli("--dataset", "all", "--profile", "smoke", "--no-fetch", home=home)
    assert_one_line_error(proc, "no dataset's raw files were found under", "see --fetch")
    listed = run_cli("--list-datasets", home=home)
    assert listed.returncode == 0 and "does not exist" not in listed.stdout + listed.stderr
    assert "not found: ropes: missing train-v1.0.json" in listed.stdout
    assert not (home / "data" / "raw").exists()  # nothing made by looking
    proc = run_cli("--dataset", "ropes", "--profile", "smoke", home=home,
                   data_dir=tmp_path / "typo")
    assert_one_line_error(proc, "(from LITTLEHUMAN_DATA_DIR) does not exist")
    (home / "data").mkdir()
    (home / "data" / "raw").write_text("not a folder\n")  # said at once, as before
    proc = run_cli("--dataset", "ropes", "--profile", "smoke", "--no-fetch", home=home)
    assert_one_line_error(proc, "(from the default data/raw) is not a folder")


def test_advise_after_a_flag_says_it_comes_first(tmp_path):
    """`run_all.py --profile smoke advise my_data.csv ...` said "unrecognized arguments:
    advise my_data.csv" (a new user): it says where advise goes."""
    proc = run_cli("--profile", "smoke", "advise", "my_data.csv", "--price-human", "0.5",
                   home=tmp_path)
    assert_one_line_error(proc, "advise comes first, before its flags: ",
                          "run_all.py advise FILE|NAME")
    # only the word advise itself, out of place (a reviewer: 'advise.csv' and a second
    # 'advise' after a first one were told so too)
    for argv in (("--profile", "smoke", "advise.csv"), ("advise", "my.csv", "advise")):
        proc = run_cli(*argv, home=tmp_path)
        assert proc.returncode == 2 and "comes first" not in proc.stderr, proc.stderr
