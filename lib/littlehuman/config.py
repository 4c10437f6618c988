"""Profiles: every size, model and seed of a run, in one place.

``smoke`` is CI-sized (minutes, rule-based generator), ``cpu`` is the default (real but small,
one laptop: Gemma 3 270M generates, MiniLM learns), ``paper`` is the published setting (GPU and
an API key). Every field can be overridden from the command line (``--<field-name> VALUE``,
generated from this dataclass) or as a papermill parameter (``overrides``).
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, fields
from typing import Any

from littlehuman.errors import LittleHumanError

PAPER_FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 1.0)


@dataclass(frozen=True)
class Profile:
    """One complete configuration of the pipeline (see PROTOCOL.md for the paper's values)."""

    name: str = "cpu"
    # generation
    generator: str = "gemma"  # extractive | gemma | hf | openai | openai-batch
    gen_model: str = ""  # the prompt model's name for API generators ("" = gpt-3.5-turbo)
    gen_model_dir: str = ""  # hf: a local transformers model folder for generation
    base_url: str = ""  # an OpenAI-compatible server ("" = OPENAI_BASE_URL or api.openai.com)
    api_key_env: str = "OPENAI_API_KEY"  # the environment variable that holds the API key
    concurrency: int = 16  # API requests in flight
    rpm: int = 0  # API requests per minute (0 = no limit)
    tpm: int = 0  # API tokens per minute (0 = no limit)
    endpoint: str = "chat"  # openai: chat (/v1/chat/completions) | completions (/v1/completions, base models)
    request_timeout: float = 0.0  # openai: seconds per HTTP request (0 = 60 for api.openai.com, else 600)
    k_shots: int = 3
    label_conditioned: bool = True  # FV label-shift correction (PROTOCOL)
    temperature: float = 0.0
    max_new_tokens: int = 120
    prompt_context_words: int = 3000  # contexts in the prompt are cut to this many words
    gen_batch_size: int = 4
    reask: int = 2  # an unusable reply (unparseable, empty, refused) is asked again this many times
    cot_examples: str = ""  # chain-of-thought: a JSON file of hand-written examples ("" = off)
    batch_poll_s: float = 30.0  # openai-batch: seconds between polls of a submitted batch
    prices: str = ""  # a JSON file {"model": [input, output]} ($ per 1M tokens) over the table
    # experiment 1: the replacement sweep
    n_train: int = 0  # training-set size; 0 = the dataset's PROTOCOL size, capped by the split
    sweep_fractions: tuple[float, ...] = PAPER_FRACTIONS
    seeds: tuple[int, ...] = (0, 1, 2)
    n_valid: int = 0  # cap on validation rows used for model selection; 0 = all
    n_test: int = 0  # cap on test rows scored (a seeded sample); 0 = all
    # experiment 2: zoom on the last few percent (sizes for a 5,000-row dataset; SciFact / 10)
    zoom_sizes: tuple[int, ...] = (5000, 3000, 1000)
    zoom_fractions: tuple[float, ...] = (0.95, 0.975, 1.0)
    # experiment 3: the trade-off (synthetic bases, + human points, + synthetic steps)
    tradeoff_bases: tuple[int, ...] = (1000, 2000, 3000)
    tradeoff_human: int = 200
    tradeoff_step: int = 200
    tradeoff_steps: int = 4
    # the advisor: dollars per human point and per synthetic point (0 = no advice)
    price_human: float = 0.0
    price_synthetic: float = 0.0
    # learner
    learner: str = "encoder"  # encoder | lora | majority
    model_dir: str = ""  # lora: a local Hugging Face model folder (e.g. Llama-3.1-8B)
    epochs: int = 3  # 0 = the learner's PROTOCOL default (lora: FV 2, QA 5)
    lr: float = 5e-5  # 0 = the learner's PROTOCOL default (lora scripts: FV 5e-5, QA 2e-4)
    batch_size: int = 16
    max_length: int = 0  # 0 = the dataset's PROTOCOL max sequence length
    lora_settings: str = "scripts"  # lora: the authors' scripts' values, or "paper" (the text's)
    loss_on: str = "answer"  # lora QA: loss on the answer tokens, or "all" (the authors' loss)
    gradient_checkpointing: bool = False  # lora: trade speed for memory (the authors had it on)
    compile: bool = False  # lora: torch.compile the model
    grad_accum: int = 1  # lora: micro-batches per optimizer step
    # execution
    jobs: int = 1
    executor: str = "local"  # local | slurm (submitit)
    slurm_partition: str = ""
    slurm_gpus_per_job: int = 1
    slurm_cpus_per_job: int = 8
    slurm_mem_gb: int = 64
    slurm_time_min: int = 240
    slurm_max_parallel: int = 32  # array jobs running at once
    data_seed: int = 42  # the seed of the dataset splits

    def replace(self, **changes: Any) -> "Profile":
        """A copy with ``changes`` applied (CLI strings parsed), validated."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise LittleHumanError(f"unknown profile field(s) {sorted(unknown)}: see --help")
        return dataclasses.replace(self, **{k: coerce(k, v) for k, v in changes.items()}).validate()

    def validate(self) -> "Profile":
        """Raise a one-line LittleHumanError naming the flag of the first bad field (a negative
        size or count, an empty list, a fraction outside [0, 1], an unknown choice...); else
        return ``self``."""
        for name, (rule, check, hint) in _RULES.items():
            value = getattr(self, name)
            items = value if isinstance(value, tuple) else (value,)
            if isinstance(value, tuple) and not value:
                raise LittleHumanError(f"{_flag(name)} is empty: give one or more values, "
                                       f"e.g. {_flag(name)} {_example(name)}")
            for item in items:
                if _ok(check, item):
                    continue
                got = ",".join(str(v) for v in value) if isinstance(value, tuple) else value
                if isinstance(check, tuple):
                    raise LittleHumanError(f"unknown {_flag(name)} {got!r}: choose one of {rule}")
                raise LittleHumanError(f"{_flag(name)} must be {rule} (got {got!r}){hint}")
        if self.base_url and not self.base_url.lower().startswith(("http://", "https://")):
            # the value is not echoed: it may hold a password
            raise LittleHumanError("--base-url must start with http:// or https:// "
                                   "(e.g. http://localhost:8000/v1)")
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


PROFILES: dict[str, Profile] = {
    "smoke": Profile(
        name="smoke", generator="extractive", n_train=48, sweep_fractions=(0.0, 0.9, 1.0),
        seeds=(0,), n_valid=32, n_test=48, epochs=1, lr=2e-4, batch_size=16, max_length=128,
        zoom_sizes=(48,), tradeoff_bases=(16, 24), tradeoff_human=8, tradeoff_step=8,
        tradeoff_steps=2,
    ),
    "cpu": Profile(
        # sized to finish one dataset in about 30-40 min on 2 cores (README): 200 human rows, the
        # fractions that test "the last 10% matters most", 3 seeds; lr 2e-4 because MiniLM at
        # 5e-5 stayed at chance on 200 FEVER rows (0.51 vs 0.65 measured)
        name="cpu", generator="gemma", n_train=200, prompt_context_words=120,
        sweep_fractions=(0.0, 0.5, 0.9, 1.0), seeds=(0, 1, 2), n_valid=60, n_test=250,
        epochs=2, lr=2e-4, batch_size=16, max_length=256,
        # zoom and trade-off scaled to the 200 twins the sweep already generates
        zoom_sizes=(200, 100), tradeoff_bases=(50, 100, 150), tradeoff_human=25,
        tradeoff_step=25, tradeoff_steps=2,
    ),
    "paper": Profile(
        name="paper", generator="openai-batch", temperature=1.0, learner="lora",
        sweep_fractions=PAPER_FRACTIONS, seeds=(0, 1, 2), epochs=0, lr=0.0, batch_size=8,
    ),
}


def profile(name: str, **overrides: Any) -> Profile:
    """The named profile with ``overrides`` applied (values may be strings, as from a CLI),
    validated (:meth:`Profile.validate`)."""
    if name not in PROFILES:
        raise LittleHumanError(f"unknown profile {name!r}: choose one of {', '.join(PROFILES)}")
    return PROFILES[name].replace(**{k: v for k, v in overrides.items() if v is not None})


def coerce(name: str, value: Any) -> Any:
    """Parse ``value`` (possibly a CLI string) into the type of Profile field ``name``."""
    default = {f.name: f.default for f in fields(Profile)}[name]
    if not isinstance(value, str):
        return tuple(value) if isinstance(default, tuple) else value
    text = value.strip()
    try:
        if isinstance(default, bool):
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        if isinstance(default, tuple):
            items = [x for x in text.replace(",", " ").split() if x]
            kind = type(default[0]) if default else float
            return tuple(kind(x) for x in items)
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        return text
    except ValueError:
        raise LittleHumanError(
            f"bad value {value!r} for --{name.replace('_', '-')}: expected {type(default).__name__}"
        ) from None


# the choices of the fields that name a component (tests check they match the registries)
GENERATORS = ("extractive", "gemma", "hf", "openai", "openai-batch")
LEARNERS = ("encoder", "lora", "majority")
EXECUTORS = ("local", "slurm")
_CHOICES = {"generator": GENERATORS, "learner": LEARNERS, "executor": EXECUTORS,
            "endpoint": ("chat", "completions"), "lora_settings": ("scripts", "paper"),
            "loss_on": ("answer", "all")}
_AT_LEAST_0 = ("rpm", "tpm", "k_shots", "reask", "n_train", "n_valid", "n_test", "epochs",
               "max_length", "slurm_gpus_per_job", "data_seed")
_AT_LEAST_1 = ("concurrency", "max_new_tokens", "prompt_context_words", "gen_batch_size",
               "tradeoff_human", "tradeoff_step", "tradeoff_steps", "batch_size", "grad_accum",
               "jobs", "slurm_cpus_per_job", "slurm_mem_gb", "slurm_time_min",
               "slurm_max_parallel")
_FLOAT_AT_LEAST_0 = ("temperature", "request_timeout", "batch_poll_s", "lr", "price_human",
                     "price_synthetic")
_ZERO_MEANS = {"n_train": "; 0 = the dataset's PROTOCOL size", "n_valid": "; 0 = all",
               "n_test": "; 0 = all", "rpm": "; 0 = no limit", "tpm": "; 0 = no limit",
               "request_timeout": "; 0 = the default", "epochs": "; 0 = the learner's default",
               "lr": "; 0 = the learner's default", "max_length": "; 0 = the dataset's default"}


def _rules() -> dict[str, tuple[str, Any, str]]:
    """field -> (what it must be, a check (a predicate or a tuple of choices), a hint)."""
    out: dict[str, tuple[str, Any, str]] = {}
    for name in _AT_LEAST_0:
        out[name] = ("a whole number >= 0", lambda v: v >= 0, _ZERO_MEANS.get(name, ""))
    for name in _AT_LEAST_1:
        out[name] = ("a whole number >= 1", lambda v: v >= 1, "")
    for name in _FLOAT_AT_LEAST_0:
        out[name] = ("a number >= 0", lambda v: math.isfinite(v) and v >= 0,
                     _ZERO_MEANS.get(name, ""))
    for name in ("sweep_fractions", "zoom_fractions"):
        out[name] = ("fractions between 0 and 1", lambda v: math.isfinite(v) and 0 <= v <= 1,
                     ": e.g. 0,0.5,0.9,1")
    out["seeds"] = ("whole numbers >= 0", lambda v: v >= 0, "")
    for name in ("zoom_sizes", "tradeoff_bases"):
        out[name] = ("whole numbers >= 1", lambda v: v >= 1, "")
    for name, choices in _CHOICES.items():
        out[name] = (", ".join(choices), choices, "")
    return out


def _ok(check: Any, value: Any) -> bool:
    if isinstance(check, tuple):
        return value in check
    try:
        return bool(check(value))
    except (TypeError, ValueError):
        return False


def _flag(name: str) -> str:
    return f"--{name.replace('_', '-')}"


def _example(name: str) -> str:
    return ",".join(str(v) for v in getattr(PROFILES["smoke"], name))


_RULES = _rules()


def field_help() -> dict[str, str]:
    """One help line per profile field, with its value in each profile."""
    out = {}
    for f in fields(Profile):
        if f.name == "name":
            continue
        vals = ", ".join(f"{p}={json.dumps(getattr(prof, f.name))}" for p, prof in PROFILES.items())
        out[f.name] = f"profile field `{f.name}` ({vals})"
    return out
