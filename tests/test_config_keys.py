"""A flag that changes what a run trains, selects on or is scored on changes the run's key; the
named profiles' own runs keep the keys they had."""
from __future__ import annotations

import json

import pytest

from littlehuman import config
from littlehuman.experiments import sweep
from littlehuman.runs import RunSpec
from littlehuman.study import Study


def first_key(dataset: str, name: str, data_dir=None, **overrides) -> str:
    prof = config.profile(name, **overrides)
    study = Study.create(dataset, prof, data_dir=data_dir)
    return study.run_spec(sweep.cells(prof, study.shape)[0]).key()


@pytest.mark.parametrize("field,value", [("n_test", 20), ("n_valid", 5)])
def test_the_rows_a_run_is_scored_and_selected_on_enter_its_key(home, shared_data, field, value):
    # the valid rows pick the kept epoch, the test rows are what is scored: other rows, other run
    assert first_key("fever", "smoke", shared_data, **{field: value}) != \
        first_key("fever", "smoke", shared_data)


def test_the_named_profiles_keep_their_keys(home, shared_data):
    prof = config.profile("smoke")
    study = Study.create("fever", prof, data_dir=shared_data)
    cell = sweep.cells(prof, study.shape)[0]
    plain = RunSpec.make("fever", cell.experiment, cell.n, cell.fraction, cell.seed,
                         study.generator_id, prof.learner, study.learner_params)
    assert study.run_spec(cell).key() == plain.key()
    assert "evaluation" not in plain.to_dict()  # what older records hold
    assert RunSpec.from_dict(json.loads(json.dumps(plain.to_dict()))) == plain


def test_the_data_seed_enters_the_key_of_runs_on_a_synthetic_file(home, tmp_path):
    # generated twins carry the data seed in their generator id; a file's twins do not, yet the
    # seed draws the splits and the sweep's rows
    rows = [{"context": f"Box {i} is red. It sits on shelf {i}.", "claim": f"Box {i} is red.",
             "label": "SUPPORTS" if i % 2 else "REFUTES"} for i in range(80)]
    data = tmp_path / "boxes.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    twins = tmp_path / "twins.jsonl"
    twins.write_text("".join(json.dumps({**r, "claim": r["claim"].replace("red", "blue"),
                                         "label": "REFUTES"}) + "\n" for r in rows))
    one = first_key(str(data), "smoke", synthetic=str(twins), learner="majority", n_train=20)
    other = first_key(str(data), "smoke", synthetic=str(twins), learner="majority", n_train=20,
                      data_seed=7)
    assert one != other


@pytest.mark.parametrize("generator,field,value", [
    ("openai", "concurrency", 3), ("openai", "rpm", 60), ("openai", "tpm", 1000),
    ("openai", "request_timeout", 5.0), ("openai-batch", "batch_poll_s", 1.0),
    ("openai", "api_key_env", "OTHER_KEY")])
def test_request_pacing_makes_the_same_twins_and_re_executes_no_report(
        key_env, monkeypatch, generator, field, value):
    # how fast and with which key requests go changes no twin, so no notebook re-executes
    # for it (report.run_all leaves config.RUN_ONLY out of the notebooks' digests)
    from littlehuman.generation import backend_from_profile

    monkeypatch.setenv("OTHER_KEY", "sk-other")
    prof = config.profile("smoke", generator=generator)
    assert backend_from_profile(prof).identity() == \
        backend_from_profile(prof.replace(**{field: value})).identity()
    assert field in config.RUN_ONLY


def test_file_and_folder_fields_are_made_absolute_for_the_notebooks(tmp_path, monkeypatch):
    """The runner hands notebooks (kernels in notebooks/) absolute paths: every FILE or DIR
    field, read from the working directory; empty ones stay empty, nothing else changes."""
    monkeypatch.chdir(tmp_path)
    prof = config.profile("smoke", learner="lora", model_dir="models/tiny", prices="p.json")
    got = prof.with_absolute_paths()
    assert got.model_dir == str(tmp_path / "models" / "tiny") and got.prices == str(tmp_path / "p.json")
    assert got.gen_model_dir == got.synthetic == got.cot_examples == ""
    assert got.replace(model_dir=prof.model_dir, prices=prof.prices) == prof
    assert got.with_absolute_paths() == got


def test_json_override_values_are_checked_against_their_fields_type():
    """A reviewer's notebook overrides: {"n_train": 40.5}, {"seeds": [0, 0.5]} and
    {"train_bf16": 2} were accepted (tracebacks later), {"seeds": 5} failed inside tuple()."""
    import pytest

    from littlehuman.errors import LittleHumanError

    for name, value in (("n_train", 40.5), ("seeds", [0, 0.5]), ("train_bf16", 2),
                        ("seeds", 5), ("epochs", 1e9), ("generator", 3)):
        with pytest.raises(LittleHumanError, match=f"--{name.replace('_', '-')}"):
            config.coerce(name, value)
    assert config.coerce("seeds", [0, 1]) == (0, 1) and config.coerce("lr", 1) == 1.0
    assert config.coerce("sweep_fractions", [0, 0.5, 1]) == (0.0, 0.5, 1.0)
    assert config.profile("smoke", n_train=40, train_bf16=True).n_train == 40


@pytest.mark.parametrize("name,learner,given,same_as", [
    # the learner's default typed out trains the profile's own runs, not a second set of them
    ("paper", "lora", {"epochs": 2}, {}),                        # lora FV: 2 epochs
    ("paper", "lora", {"lr": 4e-4}, {}),                         # FV "scripts": 5e-5 x 8
    ("paper", "lora", {"lr": 5e-5, "lr_scaling": "none"}, {"lr_scaling": "none"}),
    # the settings' own rate asked for by --lr, and by --lr-scaling none (a reviewer: two keys)
    ("paper", "lora", {"lr": 5e-5}, {"lr_scaling": "none"}),
    ("paper", "lora", {"lr": 8e-5, "lora_settings": "paper"}, {"lora_settings": "paper"}),
    ("cpu", "encoder", {"epochs": 0}, {}),                       # cpu spells the encoder's 3
    ("smoke", "encoder", {"epochs": 3}, {"epochs": 0}),          # smoke trains 1: both the default
    ("paper", "encoder", {"lr": 5e-5}, {}),
])
def test_the_default_spelled_out_and_0_give_one_run(home, shared_data, name, learner, given,
                                                    same_as):
    base = {"learner": learner, "generator": "extractive"} | (
        {"model_dir": str(home)} if learner == "lora" else {})
    assert first_key("fever", name, shared_data, **base, **given) == \
        first_key("fever", name, shared_data, **base, **same_as)


@pytest.mark.parametrize("name,given", [
    ("paper", {"epochs": 3}), ("paper", {"lr": 2e-4}), ("paper", {"lr": 5e-5}),
    ("paper", {"lr_scaling": "sqrt"}), ("cpu", {"epochs": 2}),
    ("cpu", {"lr": 0}), ("smoke", {"epochs": 2}),
])
def test_another_value_than_the_default_is_another_run(home, shared_data, name, given):
    base = {"model_dir": str(home), "generator": "extractive"} if name == "paper" else {}
    assert first_key("fever", name, shared_data, **base, **given) != \
        first_key("fever", name, shared_data, **base)


def test_the_named_profiles_spell_epochs_and_lr_as_they_did(home, shared_data):
    """A profile's own runs keep their keys: what a profile sets is in its parameters as it
    was (not 0) and what it leaves to the learner stays out, but for the lora learner's rate
    scaled to the batch (since 2026-12-07), which is spelled (`lora_lr`)."""
    from littlehuman.data import DATASETS
    from littlehuman.learners import learner_params
    from littlehuman.learners.defaults import lora_lr

    for name, prof in config.PROFILES.items():
        prof = prof.replace(model_dir=str(home)) if prof.learner == "lora" else prof
        for task, dataset in (("fv", "fever"), ("qa", "ropes")):
            params = learner_params(prof, task, DATASETS[dataset])
            for field in ("epochs", "lr"):
                value = getattr(prof, field)
                if field == "lr" and prof.learner == "lora" and not value:
                    value = lora_lr(task, prof.lora_settings, prof.batch_size, prof.grad_accum,
                                    scaling=prof.lr_scaling)
                assert params.get(field) == (value or None), (name, task, field)


def test_a_report_lists_only_the_settings_its_task_reads():
    """summary.json of a QA run listed the encoder's FV pooling, which it never read."""
    from littlehuman.config import READ_FOR_TASK, for_task

    settings = {"seeds": [0, 1], **{k: 1 for k in READ_FOR_TASK}}
    assert set(for_task(settings, "qa")) == {"seeds", "qa_windows"}
    assert set(for_task(settings, "fv")) == {"seeds", "pooling", "label_conditioned"}
