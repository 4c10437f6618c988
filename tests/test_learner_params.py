"""``learners.learner_params`` and ``learners.training_epochs``: a profile -> a learner's
hyper-parameters and epochs, with the learner's own defaults taken from its module.

The dicts are hashed into run keys, so they are pinned here exactly (types included): they were
computed with ``pipeline.Experiment.learner_params()`` (minus its "progress" key) before that
logic moved into the learners' registry (the cpu profile's since it was resized for issue 13);
a change here changes every user's cached run keys.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from littlehuman import config, data
from littlehuman.errors import LittleHumanError
from littlehuman.learners import learner_params, training_epochs
from littlehuman.learners.defaults import LORA_SETTINGS

MODEL = "/fake/model"

# (profile, learner, dataset) -> the params, as Experiment.learner_params() gave them
PINNED = {
    # FEVER's PROTOCOL 100 caps the smoke profile's 128; the encoder trains its top 2 layers
    # since 2026-12-03 (smoke runs cached before are trained again)
    ("smoke", "encoder", "fever"): {"batch_size": 16, "epochs": 1, "lr": 0.0002, "max_length": 100,
                                    "train_layers": 2},
    ("smoke", "encoder", "fairytaleqa"): {"batch_size": 16, "epochs": 1, "lr": 0.0002,
                                          "max_length": 128, "train_layers": 2},
    ("smoke", "lora", "fever"): {"batch_size": 16, "epochs": 1, "lr": 0.0002, "max_length": 100,
                                 "model_dir": MODEL},
    ("smoke", "lora", "fairytaleqa"): {"batch_size": 16, "epochs": 1, "lr": 0.0002,
                                       "max_length": 128, "max_new_tokens": 15,
                                       "model_dir": MODEL},
    ("smoke", "majority", "fever"): {},
    ("smoke", "majority", "fairytaleqa"): {},
    # the cpu profile as issue 13 resized it (n 500, lengths capped at 96, bfloat16, a 30%
    # warmup for the encoder), with the FV head on mean pooling since 2026-12-01
    ("cpu", "encoder", "fever"): {"batch_size": 16, "bf16": True, "epochs": 3, "lr": 0.0002,
                                  "max_length": 96, "pooling": "mean", "warmup_ratio": 0.3},
    ("cpu", "encoder", "fairytaleqa"): {"batch_size": 16, "bf16": True, "epochs": 3,
                                        "lr": 0.0002, "max_length": 96, "warmup_ratio": 0.3},
    ("cpu", "lora", "fever"): {"batch_size": 16, "epochs": 3, "lr": 0.0002, "max_length": 96,
                               "model_dir": MODEL},
    ("cpu", "lora", "fairytaleqa"): {"batch_size": 16, "epochs": 3, "lr": 0.0002,
                                     "max_length": 96, "max_new_tokens": 15, "model_dir": MODEL},
    ("cpu", "majority", "fever"): {},
    ("cpu", "majority", "fairytaleqa"): {},
    ("paper", "encoder", "fever"): {"batch_size": 8, "max_length": 100},
    ("paper", "encoder", "fairytaleqa"): {"batch_size": 8, "max_length": 400},
    # the authors' rates scaled to batch 8 since 2026-12-07 (--lr-scaling linear since the
    # forty-third session): FV 5e-5 x 8, QA 2e-4 x 8/2 (lora runs cached before train again)
    ("paper", "lora", "fever"): {"batch_size": 8, "lr": 0.0004, "max_length": 100,
                                 "model_dir": MODEL},
    ("paper", "lora", "fairytaleqa"): {"batch_size": 8, "lr": 0.0008, "max_length": 400,
                                       "max_new_tokens": 15, "model_dir": MODEL},
    ("paper", "majority", "fever"): {},
    ("paper", "majority", "fairytaleqa"): {},
}
TASK = {"fever": "fv", "fairytaleqa": "qa"}


def same(got: dict, want: dict) -> bool:
    """Equal as the run key sees them: the same keys and values of the same JSON types."""
    return json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)


@pytest.mark.parametrize("prof,learner,dataset", sorted(PINNED))
def test_params_are_the_pinned_ones(prof, learner, dataset):
    p = config.profile(prof, learner=learner, model_dir=MODEL)
    got = learner_params(p, TASK[dataset], data.DATASETS[dataset])
    assert same(got, PINNED[(prof, learner, dataset)]), got


def test_lora_settings_that_differ_from_the_learner_defaults_are_included():
    tuned = config.profile("paper", learner="lora", model_dir=MODEL, lora_settings="paper",
                           loss_on="all", gradient_checkpointing=True, compile=True, grad_accum=4)
    extra = {"compile": True, "grad_accum": 4, "gradient_checkpointing": True, "loss_on": "all",
             "settings": "paper"}
    # the paper text's rates (FV 1e-5, QA 1e-2) scaled to 8 x 4 examples a step
    assert same(learner_params(tuned, "fv", data.DATASETS["fever"]),
                {"batch_size": 8, "lr": 0.00032, "max_length": 100, "model_dir": MODEL,
                 **extra})
    assert same(learner_params(tuned, "qa", data.DATASETS["fairytaleqa"]),
                {"batch_size": 8, "lr": 0.16, "max_length": 400, "max_new_tokens": 15,
                 "model_dir": MODEL, **extra})


@pytest.mark.parametrize("scaling,batch,accum,fv,qa", [
    ("linear", 8, 1, 0.0004, 0.0008), ("linear", 4, 2, 0.0004, 0.0008),
    ("sqrt", 8, 1, 0.000141421, 0.0004), ("none", 8, 1, None, None),
    ("linear", 1, 1, None, 0.0001),  # the authors' FV batch: their rate, keyed as before
    ("sqrt", 1, 2, 7.07107e-05, None),  # the authors' QA step: their rate
])
def test_the_settings_rate_follows_the_batch(scaling, batch, accum, fv, qa):
    """The paper profile's lora runs take the authors' rate scaled from their batch (FV 1
    example a step, QA 2) to batch x grad-accum, spelled in the run's parameters; where that
    is the authors' own rate it stays out, so runs trained at it keep their keys."""
    p = config.profile("paper", model_dir=MODEL, lr_scaling=scaling, batch_size=batch,
                       grad_accum=accum)
    for task, dataset, want in (("fv", "fever", fv), ("qa", "fairytaleqa", qa)):
        got = learner_params(p, task, data.DATASETS[dataset]).get("lr")
        assert got == want, (task, got)


def test_a_rate_given_is_used_as_it_is_and_the_default_typed_out_is_the_default():
    scaled = learner_params(config.profile("paper", model_dir=MODEL), "fv", None)
    typed = learner_params(config.profile("paper", model_dir=MODEL, lr=4e-4), "fv", None)
    assert same(scaled, typed)
    given = learner_params(config.profile("paper", model_dir=MODEL, lr=2e-5), "fv", None)
    assert given["lr"] == 2e-5
    # the settings' own rate given: left to the learner, which trains at it, under the key of
    # --lr-scaling none's run (a reviewer: the one run had two keys)
    own = learner_params(config.profile("paper", model_dir=MODEL, lr=5e-5), "fv", None)
    assert "lr" not in own and LORA_SETTINGS[("fv", "scripts")]["lr"] == 5e-5
    assert same(own, learner_params(config.profile("paper", model_dir=MODEL, lr_scaling="none"),
                                    "fv", None))
    # the encoder has no authors' batch: its rate is never scaled
    assert "lr" not in learner_params(config.profile("paper", learner="encoder"), "fv", None)


def test_lr_scaling_choices_match_the_learners():
    from littlehuman.learners.defaults import LR_SCALINGS, lora_lr

    assert config.CHOICES["lr_scaling"] == LR_SCALINGS
    with pytest.raises(LittleHumanError, match="lr scaling"):
        lora_lr("fv", "scripts", 8, scaling="cubic")


def test_explicit_sizes_and_a_users_own_file():
    p = config.profile("smoke", learner="lora", model_dir=MODEL, epochs=7, lr=1e-3,
                       max_length=64, batch_size=2)
    assert same(learner_params(p, "fv", data.DATASETS["fever"]),
                {"batch_size": 2, "epochs": 7, "lr": 0.001, "max_length": 64, "model_dir": MODEL})
    # no DatasetSpec (a user's file): the profile's max_length (else 256), lora QA
    # max_new_tokens 16; the encoder's bf16 enters only when set
    cpu = config.profile("cpu", learner="lora", model_dir=MODEL)
    assert same(learner_params(cpu, "qa", None),
                {"batch_size": 16, "epochs": 3, "lr": 0.0002, "max_length": 96,
                 "max_new_tokens": 16, "model_dir": MODEL})
    assert same(learner_params(config.profile("cpu"), "fv", None),
                {"batch_size": 16, "epochs": 3, "lr": 0.0002, "max_length": 96, "bf16": True,
                 "pooling": "mean", "warmup_ratio": 0.3})
    assert same(learner_params(config.profile("cpu", max_length=0), "fv", None),
                {"batch_size": 16, "epochs": 3, "lr": 0.0002, "max_length": 256, "bf16": True,
                 "pooling": "mean", "warmup_ratio": 0.3})


@pytest.mark.parametrize("learner", ["encoder", "lora"])
def test_the_shortest_max_length_the_profile_takes_is_one_each_learner_trains(learner, tmp_path):
    """`--max-length 1` passed the profile and was refused by the encoder after the twins were
    made; the profile now refuses below config.MIN_MAX_LENGTH, and that length is one both
    learners take on every dataset and on a user's file (lora: its reply plus 16 tokens)."""
    from littlehuman.learners import make_learner

    (tmp_path / "config.json").write_text("{}")
    low = config.MIN_MAX_LENGTH
    with pytest.raises(LittleHumanError, match=f"--max-length must be 0 or a whole number >= {low}"):
        config.profile("smoke", learner=learner, max_length=low - 1)
    p = config.profile("smoke", learner=learner, model_dir=str(tmp_path), max_length=low)
    for spec in [*data.DATASETS.values(), None]:
        for task in ([spec.task] if spec else ["fv", "qa"]):
            params = learner_params(p, task, spec)
            assert params["max_length"] == low
            make_learner(learner, task, **params)  # its own checks pass
    with pytest.raises(LittleHumanError, match="max_length"):
        make_learner(learner, "qa", **{**learner_params(p, "qa", None), "max_length": low - 1})


def test_max_length_is_capped_by_the_protocol_and_ropes_keeps_the_context_tail():
    fever, ropes = data.DATASETS["fever"], data.DATASETS["ropes"]
    cpu = config.profile("cpu")  # max_length 96
    assert learner_params(cpu, "fv", fever)["max_length"] == 96  # the cap, under PROTOCOL's 100
    assert learner_params(config.profile("cpu", max_length=512), "fv", fever)["max_length"] == 100
    qa = learner_params(cpu, "qa", ropes)
    assert qa["max_length"] == 96 and qa["context_side"] == "tail"
    assert "context_side" not in learner_params(cpu, "qa", data.DATASETS["fairytaleqa"])
    paper = config.profile("paper", model_dir="/models/llama")  # the lora learner's too
    assert learner_params(paper, "qa", ropes)["context_side"] == "tail"
    assert "context_side" not in learner_params(paper, "qa", data.DATASETS["fairytaleqa"])
    # windows over the whole context replace ROPES's tail; one window (the default) enters no key
    assert "max_windows" not in qa
    windowed = learner_params(config.profile("cpu", qa_windows="4"), "qa", ropes)
    assert windowed["max_windows"] == 4 and "context_side" not in windowed
    assert "max_windows" not in learner_params(config.profile("cpu", qa_windows=4), "fv", fever)
    plain = learner_params(config.profile("cpu", train_bf16=False), "fv", fever)
    assert "bf16" not in plain and "train_layers" not in plain
    assert learner_params(config.profile("cpu", train_layers=2), "fv", fever)["train_layers"] == 2


def test_lora_model_dir_is_resolved_and_required():
    home = config.profile("paper", model_dir="~/llama")
    assert learner_params(home, "fv", None)["model_dir"] == str(Path.home() / "llama")
    with pytest.raises(LittleHumanError, match="--model-dir") as err:
        learner_params(config.profile("paper"), "fv", data.DATASETS["fever"])
    assert "\n" not in str(err.value)


def test_lora_defaults_come_from_the_learner(monkeypatch):
    from littlehuman.learners.lora import LoraLearner

    p = config.profile("paper", model_dir=MODEL, grad_accum=4)
    assert learner_params(p, "fv", None)["grad_accum"] == 4
    monkeypatch.setitem(LoraLearner.DEFAULTS, "grad_accum", 4)
    assert "grad_accum" not in learner_params(p, "fv", None)
    monkeypatch.setitem(LoraLearner.DEFAULTS, "max_new_tokens", 9)
    assert learner_params(p, "qa", None)["max_new_tokens"] == 9


@pytest.mark.parametrize("prof,learner,fv,qa", [
    ("smoke", "encoder", 1, 1), ("smoke", "lora", 1, 1), ("smoke", "majority", 0, 0),
    ("cpu", "encoder", 3, 3), ("cpu", "lora", 3, 3), ("cpu", "majority", 0, 0),
    ("paper", "encoder", 3, 3), ("paper", "lora", 2, 5), ("paper", "majority", 0, 0),
])
def test_training_epochs(prof, learner, fv, qa):
    p = config.profile(prof, learner=learner)
    assert (training_epochs(p, "fv"), training_epochs(p, "qa")) == (fv, qa)


def test_training_epochs_default_is_the_learners():
    from littlehuman.learners.encoder import EncoderLearner
    from littlehuman.learners.lora import SETTINGS

    p = config.profile("paper", learner="encoder")
    assert training_epochs(p, "qa") == EncoderLearner.DEFAULT_EPOCHS == 3
    for settings in ("scripts", "paper"):
        lora = config.profile("paper", lora_settings=settings)
        for task in ("fv", "qa"):
            assert training_epochs(lora, task) == SETTINGS[(task, settings)]["epochs"]


def test_max_length_is_the_datasets_capped_by_the_profiles():
    from littlehuman.learners import OWN_FILE_MAX_LENGTH, max_length

    assert max_length(config.profile("paper"), data.DATASETS["fever"]) == 100
    assert max_length(config.profile("paper"), None) == OWN_FILE_MAX_LENGTH == 256
    assert max_length(config.profile("smoke"), data.DATASETS["fever"]) == 100  # PROTOCOL cap
    assert max_length(config.profile("smoke"), data.DATASETS["ropes"]) == 128
    assert max_length(config.profile("smoke"), None) == 128


def test_warmup_ratio_enters_only_when_it_differs_from_the_encoders():
    fever = data.DATASETS["fever"]
    assert "warmup_ratio" not in learner_params(config.profile("cpu", warmup_ratio=0.1), "fv", fever)
    assert learner_params(config.profile("cpu"), "fv", fever)["warmup_ratio"] == 0.3
    from littlehuman.learners.encoder import EncoderLearner

    assert EncoderLearner("fv").warmup_ratio == EncoderLearner.DEFAULT_WARMUP == 0.1
    with pytest.raises(LittleHumanError, match="--warmup-ratio"):
        config.profile("cpu", warmup_ratio=1.0)


def imported_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh Python process has imported after running ``code``."""
    probe = f"import sys; {code}; print(sorted(m for m in {modules!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return ast.literal_eval(out.stdout.strip())


def test_run_parameters_and_a_notebooks_statistics_import_neither_torch_nor_scipy_stats():
    """A notebook kernel needs a run's key (learner_params) and the statistics, not the
    learners: importing torch costs its kernel 2-3 s, scipy.stats ~1 s (once each of six)."""
    code = ("from littlehuman import config, data, stats; "
            "from littlehuman.learners import learner_params, training_epochs; "
            "learner_params(config.profile('cpu'), 'fv', data.DATASETS['fever']); "
            "learner_params(config.profile('paper', model_dir='/m'), 'qa', data.DATASETS['coqa']); "
            "training_epochs(config.profile('paper'), 'qa'); training_epochs(config.profile('cpu'), 'fv')")
    assert imported_after(code, ("torch", "scipy.stats", "transformers")) == []


def test_experiments_and_the_scores_a_notebook_shows_import_no_scipy_or_nltk():
    """Every kernel and run imports littlehuman.experiments; scipy.optimize (~0.5 s) waits for a
    curve fit, and ROUGE-1, the sign test and the detectable effect need neither scipy.stats
    (~1 s) nor rouge-score's RougeScorer module, which imports nltk (~2.7 s)."""
    code = ("import littlehuman.experiments; from littlehuman import metrics, stats; "
            "metrics.rouge1('the cat sat', 'a cat'); metrics.per_example('qa', ['a b'], ['b c'], "
            "bertscore=False); stats.detectable_effect(-0.1, 0.2); "
            "stats.paired_seed_comparison({0: 0.5, 1: 0.6, 2: 0.7}, {0: 0.4, 1: 0.6, 2: 0.5})")
    assert imported_after(code, ("scipy.optimize", "scipy.stats", "nltk", "torch")) == []


def test_pooling_enters_fv_runs_only_when_not_cls():
    fever, ropes = data.DATASETS["fever"], data.DATASETS["ropes"]
    assert "pooling" not in learner_params(config.profile("cpu", pooling="cls"), "fv", fever)
    assert "pooling" not in learner_params(config.profile("cpu"), "qa", ropes)
    assert "pooling" not in learner_params(config.profile("smoke"), "fv", fever)
    with pytest.raises(LittleHumanError, match="--pooling"):
        config.profile("cpu", pooling="max")
