"""Profiles: every size, model and seed of a run, in one place.

``smoke`` is CI-sized (minutes, rule-based generator), ``cpu`` is the default (real but small,
one laptop: Gemma 3 270M generates, MiniLM learns), ``paper`` is the published setting (GPU and
an API key). Every field can be overridden from the command line (``--<field-name> VALUE``,
generated from this dataclass) or as a papermill parameter (``overrides``).
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from littlehuman.errors import LittleHumanError
from littlehuman.secrets import base_url_problem

PAPER_FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 1.0)
#: the shortest training example a learner takes, in tokens (``--max-length``): the encoder's
#: floor, which also leaves lora its reply plus 16 tokens (at most 16 + 16 here: a dataset's
#: max_new_tokens, else lora's default); the profile refuses less before anything runs, where
#: the learner had refused it only after the twins were generated
MIN_MAX_LENGTH = 32


def _section(title: str) -> Callable[..., Any]:
    """The maker of the profile fields shown under the --help heading ``title``.

    ``make(default, help, zero="", metavar="")``: ``help`` says what the field does; ``zero``
    what a 0 means when 0 is not a plain zero (``--help`` and the validation error say it);
    ``metavar`` names the value in ``--help`` (default: its type)."""

    def make(default: Any, help: str, zero: str = "", metavar: str = "") -> Any:
        return field(default=default, metadata={"section": title, "help": help, "zero": zero,
                                                "metavar": metavar})

    return make


_generation = _section("generation of the synthetic twins")
_sweep = _section("experiment 1, the replacement sweep")
_zoom = _section("experiment 2, the zoom on the last few percent")
_tradeoff = _section("experiment 3, the trade-off (synthetic bases grown by synthetic steps or "
                     "by human points)")
_advisor = _section("the advisor (which data to buy next, human or synthetic)")
_learner = _section("the learner")
_execution = _section("execution")
#: settings that change where and how fast runs and API requests happen, never what they
#: produce (so a report made with other values of them still shows the same numbers)
RUN_ONLY: frozenset[str] = frozenset({
    "jobs", "executor", "slurm_partition", "slurm_gpus_per_job", "slurm_cpus_per_job",
    "slurm_mem_gb", "slurm_time_min", "slurm_max_parallel",
    "concurrency", "rpm", "tpm", "request_timeout", "batch_poll_s", "api_key_env"})

#: settings that only some notebooks show (the advisor's prices and budget: the trade-off's
#: advice in notebook 04 and notebook 06), by notebook; every other setting that is not
#: RUN_ONLY may change what every notebook shows
SHOWN_ONLY_BY: dict[str, frozenset[str]] = {
    "price_human": frozenset({"04", "06"}), "price_synthetic": frozenset({"04", "06"}),
    "budget": frozenset({"06"})}


@dataclass(frozen=True)
class Profile:
    """One complete configuration of the pipeline (see PROTOCOL.md for the paper's values).

    What each field does is its ``metadata["help"]`` (:func:`field_help` shows it in ``--help``)."""

    name: str = field(default="cpu", metadata={
        "help": "the named profile this one starts from (chosen with --profile, not a flag)"})
    generator: str = _generation(
        "gemma", "who writes the twins: extractive (rule-based, no model), gemma (Gemma 3 "
        "270M, CPU), hf (a local transformers model), openai (chat API), openai-batch (the "
        "Batch API: half price, replies within 24 h)")
    synthetic: str = _generation(
        "", "your own synthetic rows instead of generated ones: a CSV/JSONL/parquet file with "
        "the columns of --dataset FILE and an optional source_id naming the human row each was "
        "made from (else matched by context); no generation call is made and --generator is "
        "not used; the file's digest names its twins and runs (\"\" = generate)",
        metavar="FILE")
    gen_model: str = _generation(
        "", "the prompt model's name for the API generators (\"\" = gpt-3.5-turbo)",
        metavar="NAME")
    gen_model_dir: str = _generation(
        "", "hf: a local transformers model folder (save_pretrained layout) to generate with",
        metavar="DIR")
    base_url: str = _generation(
        "", "an OpenAI-compatible server, e.g. http://localhost:8000/v1 (\"\" = "
        "$OPENAI_BASE_URL, else api.openai.com)", metavar="URL")
    api_key_env: str = _generation(
        "OPENAI_API_KEY", "the environment variable that holds the API key", metavar="VAR")
    concurrency: int = _generation(16, "openai: API requests in flight at once")
    rpm: int = _generation(0, "openai: API requests per minute", zero="no limit")
    tpm: int = _generation(0, "openai: API tokens per minute", zero="no limit")
    endpoint: str = _generation(
        "chat", "openai: chat (/v1/chat/completions) or completions (/v1/completions, for "
        "base models)")
    request_timeout: float = _generation(
        0.0, "openai: seconds to wait for one HTTP request",
        zero="60 for api.openai.com, else 600")
    k_shots: int = _generation(3, "few-shot examples per request")
    label_conditioned: bool = _generation(
        True, "FV: ask for a claim with a given label (the label-shift correction of PROTOCOL)")
    temperature: float = _generation(0.0, "sampling temperature of the generator")
    max_new_tokens: int = _generation(120, "the longest reply, in tokens")
    prompt_context_words: int = _generation(
        3000, "contexts in the prompt are cut to this many words")
    gen_batch_size: int = _generation(4, "requests per batch of a local generator")
    gen_dtype: str = _generation(
        "auto", "gemma/hf: the weights' type: auto (bfloat16 on a GPU, float32 on a CPU), "
        "float32 or bfloat16 (on a CPU with AVX512-BF16 or AMX, Gemma made 2.7-3.1x the "
        "twins a minute of float32, 13-18 of 24 replies the same: docs/profiles.md; without them it is "
        "slow). A set "
        "value is part of the generator's id")
    gen_loop_tokens: int = _generation(
        16, "gemma/hf: a reply whose last N or more tokens repeat one stretch (a sentence "
        "said over and over) stops there and keeps its first copy, where a small base model "
        "would loop to --max-new-tokens and hold its whole batch there (docs/profiles.md). A set value "
        "is part of the generator's id", zero="off (never cut a loop)")
    gen_stop_unkeyed: bool = _generation(
        True, "gemma/hf: a reply ends at the line break closing its first line without a key "
        "after its Claim:/Question: line (the parser reads no further), where a small base "
        "model writes on to --max-new-tokens (docs/profiles.md). On, it is part of the generator's id")
    reask: int = _generation(
        2, "times an unusable reply (unparseable, empty, refused) is asked again")
    cot_examples: str = _generation(
        "", "chain-of-thought: a JSON file of hand-written examples (\"\" = off)",
        metavar="FILE")
    batch_poll_s: float = _generation(
        30.0, "openai-batch: seconds between polls of a submitted batch")
    prices: str = _generation(
        "", "a JSON file {\"model\": [input, output]} ($ per 1M tokens) laid over the price "
        "table", metavar="FILE")
    n_train: int = _sweep(0, "training-set size", zero="the dataset's PROTOCOL size, capped "
                          "by its train split")
    sweep_fractions: tuple[float, ...] = _sweep(
        PAPER_FRACTIONS, "synthetic shares of the training set, one run each")
    seeds: tuple[int, ...] = _sweep((0, 1, 2), "training seeds: every run is repeated per seed")
    n_valid: int = _sweep(0, "cap on the validation rows used for model selection", zero="all")
    n_test: int = _sweep(0, "cap on the test rows scored (a seeded sample)", zero="all")
    zoom_sizes: tuple[int, ...] = _zoom(
        (5000, 3000, 1000), "training-set sizes to zoom at (for a 5,000-row dataset: SciFact "
        "takes a tenth, a small train split scales them down)")
    zoom_fractions: tuple[float, ...] = _zoom(
        (0.95, 0.975, 1.0), "synthetic shares compared at each zoom size")
    tradeoff_bases: tuple[int, ...] = _tradeoff(
        (1000, 2000, 3000), "sizes of the purely synthetic training sets that are grown (scaled "
        "as --zoom-sizes)")
    tradeoff_human: int = _tradeoff(200, "human points added to each base")
    tradeoff_step: int = _tradeoff(200, "synthetic points per step of the synthetic-only curve")
    tradeoff_steps: int = _tradeoff(4, "synthetic steps per base")
    tradeoff_seeds: int = _tradeoff(0, "how many of --seeds the trade-off runs (the first ones)",
                                    zero="all of --seeds")
    price_human: float = _advisor(0.0, "dollars per human data point",
                                  zero="no advice (both prices are needed)")
    price_synthetic: float = _advisor(0.0, "dollars per synthetic data point",
                                      zero="no advice (both prices are needed)")
    budget: float = _advisor(0.0, "dollars to spend on new data points, human and synthetic "
                             "together (notebook 06 splits it)",
                             zero="no budget answer (the break-even price ratio only)")
    learner: str = _learner(
        "encoder", "the model trained on each mix: encoder (a small encoder, CPU), lora (LoRA "
        "on a local causal LM, GPU), majority (the majority-class baseline)")
    model_dir: str = _learner(
        "", "lora: the local Hugging Face model folder to tune (e.g. Llama-3.1-8B)",
        metavar="DIR")
    epochs: int = _learner(3, "training epochs",
                           zero="the learner's default (lora: per --lora-settings)")
    lr: float = _learner(5e-5, "learning rate",
                         zero="the learner's default (lora: per --lora-settings)")
    batch_size: int = _learner(16, "training examples per batch")
    max_length: int = _learner(0, "longest training example, in tokens, at most the dataset's "
                               "PROTOCOL length (a user's file: any)",
                               zero="the dataset's PROTOCOL max sequence length (a user's "
                               "file: 256)")
    warmup_ratio: float = _learner(
        0.1, "encoder: the share of training steps the learning rate warms up over (0.3 kept "
        "all five FEVER seeds learning at lr 2e-4 where 0.1 left two at chance: docs/profiles.md)")
    train_bf16: bool = _learner(
        False, "encoder: bfloat16 autocast in training and prediction (fast on CPUs with "
        "AVX512-BF16 or AMX: docs/profiles.md)")
    train_layers: int = _learner(
        0, "encoder: train only the top N transformer layers (and the head; the embeddings "
        "stay frozen), N at most the model's layers (MiniLM: 6)", zero="all layers")
    pooling: str = _learner(
        "cls", "encoder FV: what the head reads, BERT's [CLS] pooler (cls) or the mean over the "
        "pair's tokens (mean, as MiniLM was trained: docs/profiles.md)")
    qa_windows: int = _learner(
        1, "encoder QA: read a context longer than --max-length as up to N overlapping "
        "windows, trained and predicted as in BERT's SQuAD fine-tuning (1: cut it there; docs/pipeline.md)")
    lora_settings: str = _learner(
        "scripts", "lora: the authors' scripts' hyper-parameters (scripts) or the paper "
        "text's (paper)")
    lr_scaling: str = _learner(
        "linear", "lora: how the learning rate of --lora-settings, set for the authors' batch "
        "(FV 1 example a step, QA 2), follows --batch-size x --grad-accum: in proportion "
        "(linear), by the square root of the ratio (sqrt) or not at all (none: the authors' "
        "rates); a --lr you give is used as it is (docs/profiles.md)")
    loss_on: str = _learner(
        "answer", "lora QA: the loss on the answer tokens (answer) or on every token (all, the "
        "authors' loss)")
    gradient_checkpointing: bool = _learner(
        False, "lora: trade speed for memory (the authors had it on)")
    compile: bool = _learner(False, "lora: torch.compile the model")
    liger: bool = _learner(
        False, "lora on CUDA: Liger's fused kernels for RMSNorm, SwiGLU and RoPE (pip install "
        "liger-kernel; not yet measured on a GPU)")
    grad_accum: int = _learner(1, "lora: micro-batches per optimizer step")
    jobs: int = _execution(1, "training runs at once on this machine (1 = in process)")
    executor: str = _execution(
        "local", "where training runs: local (this machine) or slurm (a cluster, via submitit)")
    slurm_partition: str = _execution("", "slurm: the partition to submit to", metavar="NAME")
    slurm_gpus_per_job: int = _execution(1, "slurm: GPUs per job")
    slurm_cpus_per_job: int = _execution(8, "slurm: CPU cores per job")
    slurm_mem_gb: int = _execution(64, "slurm: memory per job, in GB")
    slurm_time_min: int = _execution(240, "slurm: time limit per job, in minutes")
    slurm_max_parallel: int = _execution(32, "slurm: array jobs running at once")
    data_seed: int = _execution(
        42, "the seed of the dataset splits, the samples and the few-shot draws")

    def replace(self, **changes: Any) -> "Profile":
        """A copy with ``changes`` applied (CLI strings parsed), validated."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise LittleHumanError(f"unknown profile field(s) {sorted(unknown)}: see --help")
        return dataclasses.replace(self, **{k: coerce(k, v) for k, v in changes.items()}).validate()

    def with_absolute_paths(self) -> "Profile":
        """A copy whose file and folder fields (``--model-dir``, ``--gen-model-dir``,
        ``--synthetic``, ``--cot-examples``, ``--prices``) are absolute, read from the current
        working directory: the notebooks' kernels run in ``notebooks/`` and would read a
        relative one from there (``--model-dir data/models/...`` trained its runs, then
        notebook 02 found none: their keys hold the folder the runner resolved)."""
        paths = [f.name for f in fields(self) if f.metadata.get("metavar") in ("FILE", "DIR")]
        return self.replace(**{name: str(Path(getattr(self, name)).expanduser().resolve())
                               for name in paths if getattr(self, name)})

    def validate(self) -> "Profile":
        """Raise a one-line LittleHumanError naming the flag of the first bad field (a negative
        size or count, an empty list or one with a value twice, a fraction outside [0, 1], an
        unknown choice...); else
        return ``self``."""
        for name, (rule, check, hint) in _RULES.items():
            value = getattr(self, name)
            items = value if isinstance(value, tuple) else (value,)
            if isinstance(value, tuple) and not value:
                example = shown_value(getattr(PROFILES["smoke"], name))
                raise LittleHumanError(f"{_flag(name)} is empty: give one or more values, "
                                       f"e.g. {_flag(name)} {example}")
            repeated = [v for i, v in enumerate(items) if v in items[:i]]
            if isinstance(value, tuple) and repeated:
                raise LittleHumanError(f"{_flag(name)} lists {repeated[0]} more than once: "
                                       "give each value once")
            for item in items:
                if _ok(check, item):
                    continue
                got = ",".join(str(v) for v in value) if isinstance(value, tuple) else value
                if isinstance(check, tuple):
                    raise LittleHumanError(f"unknown {_flag(name)} {got!r}: choose one of {rule}")
                raise LittleHumanError(f"{_flag(name)} must be {rule} (got {got!r}){hint}")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.api_key_env or ""):
            # the value is not echoed: a key pasted here by mistake must not be printed
            raise LittleHumanError("--api-key-env must name an environment variable (letters, "
                                   "digits, _), e.g. OPENAI_API_KEY, not hold the key itself")
        problem = base_url_problem(self.base_url) if self.base_url else None
        if problem:  # the value is not echoed: it may hold a password
            raise LittleHumanError(problem)
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


PROFILES: dict[str, Profile] = {
    "smoke": Profile(
        name="smoke", generator="extractive", n_train=48, sweep_fractions=(0.0, 0.9, 1.0),
        seeds=(0,), n_valid=32, n_test=48, epochs=1, lr=2e-4, batch_size=16, max_length=128,
        # the top 2 of MiniLM's 6 layers and the head: a cold FairyTaleQA sweep 60 -> 44 s on
        # 2 cores (no gradients or AdamW state for the embeddings and lower layers;
        # docs/benchmarks.md, "The test suite")
        train_layers=2,
        zoom_sizes=(48,), tradeoff_bases=(16, 24), tradeoff_human=8, tradeoff_step=8,
        tradeoff_steps=2,
    ),
    "cpu": Profile(
        # sized by power (issue 13) to finish one dataset in under 30 min cold on 2 cores
        # (docs/profiles.md): 500 human rows, 5 seeds, every test row, the fractions that test findings
        # 1 and 2. bfloat16 for Gemma and MiniLM (measured 2.7-3.1x and 2.9x faster than
        # float32 on an AVX512-BF16 CPU: bench/gemma_cpu.py, bench/learner_cpu.py); lengths
        # capped at 96 tokens (FEVER's PROTOCOL 100, its rows average 65; ROPES keeps the end
        # of its context, where its situation and answers are: 96 tokens cost 28% less than 128
        # at the same F1, measured); lr 2e-4 because MiniLM at 5e-5 stayed at chance on 200
        # FEVER rows (0.51 vs 0.65 measured)
        name="cpu", generator="gemma", gen_dtype="bfloat16", n_train=500,
        prompt_context_words=120, sweep_fractions=(0.0, 0.5, 0.9, 0.95, 0.975, 1.0),
        seeds=(0, 1, 2, 3, 4), n_valid=60, n_test=0, epochs=3, lr=2e-4, batch_size=16,
        max_length=96, train_bf16=True, warmup_ratio=0.3, pooling="mean",
        # 3 epochs and a 30% warmup: at 2 epochs, or with a 10% warmup, two FEVER seeds in five
        # stayed at chance (loss 0.693, measured); with both, five in five learn (one in five
        # stayed at chance in the 42-run profile until the FV head read the mean over tokens,
        # as MiniLM was trained, not its untrained [CLS] pooler: docs/profiles.md). The zoom at
        # 500 is the sweep's own runs (free); the trade-off grows one synthetic base of 250
        # within the 500 twins the sweep already generates, on the paper's 3 seeds
        zoom_sizes=(500,), tradeoff_bases=(250,), tradeoff_human=50,
        tradeoff_step=50, tradeoff_steps=2, tradeoff_seeds=3,
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


#: the fields where a profile asks for bfloat16 on the CPU -> their float32 values
CPU_BF16: dict[str, tuple[Any, Any]] = {"gen_dtype": ("bfloat16", "float32"),
                                        "train_bf16": (True, False)}


def fit_to_machine(prof: Profile, chosen: Iterable[str] = ()) -> tuple[Profile, str | None]:
    """``prof`` for this machine, and a line saying what changed (None: nothing this run
    reads did).

    On a CPU that lists no bfloat16 instructions (:func:`littlehuman.machine.cpu_bf16` False)
    bfloat16 is emulated: a MiniLM training step ran 17.8x slower than in float32 on such a
    2-core EPYC, a matrix product 89x (``bench/cpu_bf16.py``, docs/profiles.md). There the
    bfloat16 a profile sets itself becomes float32 (Gemma's weights, MiniLM's autocast); a
    field the user set (named in ``chosen``) is kept. The
    changed fields are ordinary overrides: they name other twins and runs than bfloat16's, and
    the notebooks receive them with the rest."""
    from littlehuman.machine import BF16_FLAGS, cpu_bf16

    if cpu_bf16() is not False:
        return prof, None
    chosen = set(chosen)
    changes = {name: f32 for name, (bf16, f32) in CPU_BF16.items()
               if name not in chosen and getattr(prof, name) == bf16}
    if not changes:
        return prof, None

    def flags(values: dict[str, Any]) -> str:
        return " ".join(f"--{k.replace('_', '-')} {str(v).lower()}" for k, v in values.items())

    # the line names only what this run's generator and learner read (gen_dtype is no setting
    # of openai's); the others change too, silently, so that a report's settings stay the same
    read = {k: v for k, v in changes.items() if getattr(prof, READ_BY[k][0]) in READ_BY[k][1]}
    return prof.replace(**changes), (
        f"this CPU lists no bfloat16 instructions ({' or '.join(BF16_FLAGS)}): the {prof.name} "
        f"profile runs in float32 here ({flags(read)}), since emulated bfloat16 is far "
        f"slower; its twins and runs differ from a bfloat16 CPU's "
        f"({flags({k: CPU_BF16[k][0] for k in read})} insists)") if read else None


def coerce(name: str, value: Any) -> Any:
    """Parse ``value`` (possibly a CLI string) into the type of Profile field ``name``."""
    default = {f.name: f.default for f in fields(Profile)}[name]
    if not isinstance(value, str):
        return _typed(name, value, default)
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
            f"bad value {value!r} for --{name.replace('_', '-')}: expected {_expected(default)}"
        ) from None


def _of_kind(value: Any, default: Any) -> bool:
    """Whether a JSON value (a notebook's ``overrides``, papermill's parameters) has the kind
    of ``default``: a bool for a bool, a whole number (not a bool) for an int, any number for
    a float, text for text."""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def _typed(name: str, value: Any, default: Any) -> Any:
    """A non-text override ``value`` checked against field ``name``'s type (JSON values had
    passed unchecked: ``{"n_train": 40.5}`` reached the runs as a traceback, ``{"seeds": 5}``
    failed inside tuple())."""
    if isinstance(default, tuple):
        kind = default[0] if default else 0.5
        if isinstance(value, (list, tuple)) and all(_of_kind(v, kind) for v in value):
            return tuple(float(v) if isinstance(kind, float) else v for v in value)
    elif _of_kind(value, default):
        return float(value) if isinstance(default, float) else value
    raise LittleHumanError(f"bad value {value!r} for --{name.replace('_', '-')}: expected "
                           f"{_expected(default)}")


def _expected(default: Any) -> str:
    """What a flag's value must look like, in words, from its field's default."""
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, tuple):
        kind = "whole numbers" if default and isinstance(default[0], int) else "numbers"
        return f"comma-separated {kind}, e.g. {','.join(map(str, default[:3])) or '0.5,1'}"
    if isinstance(default, int):
        return "a whole number"
    return "a number" if isinstance(default, float) else "text"


_FIELDS = {f.name: f for f in fields(Profile)}  # name -> the field (its metadata: help, zero...)

# the choices of the fields that name a component (tests check they match the registries)
GENERATORS = ("extractive", "gemma", "hf", "openai", "openai-batch")
LEARNERS = ("encoder", "lora", "majority")
EXECUTORS = ("local", "slurm")
CHOICES = {"generator": GENERATORS, "learner": LEARNERS, "executor": EXECUTORS,
           "endpoint": ("chat", "completions"), "lora_settings": ("scripts", "paper"),
           "lr_scaling": ("linear", "sqrt", "none"),
           "loss_on": ("answer", "all"), "gen_dtype": ("auto", "float32", "bfloat16"),
           "pooling": ("cls", "mean")}
_AT_LEAST_0 = ("rpm", "tpm", "k_shots", "reask", "n_train", "n_valid", "n_test", "epochs",
               "slurm_gpus_per_job", "data_seed", "train_layers", "tradeoff_seeds")
_AT_LEAST_1 = ("concurrency", "max_new_tokens", "prompt_context_words", "gen_batch_size",
               "tradeoff_human", "tradeoff_step", "tradeoff_steps", "batch_size", "grad_accum",
               "jobs", "slurm_cpus_per_job", "slurm_mem_gb", "slurm_time_min",
               "slurm_max_parallel", "qa_windows")
_FLOAT_AT_LEAST_0 = ("temperature", "request_timeout", "batch_poll_s", "lr", "price_human",
                     "price_synthetic", "budget")


def _zero_hint(name: str) -> str:
    """"; 0 = <what a 0 means>" for a field whose 0 is special, else ""."""
    zero = _FIELDS[name].metadata.get("zero", "")
    return f"; 0 = {zero}" if zero else ""


def _rules() -> dict[str, tuple[str, Any, str]]:
    """field -> (what it must be, a check (a predicate or a tuple of choices), a hint)."""
    out: dict[str, tuple[str, Any, str]] = {}
    for name in _AT_LEAST_0:
        out[name] = ("a whole number >= 0", lambda v: v >= 0, _zero_hint(name))
    for name in _AT_LEAST_1:
        out[name] = ("a whole number >= 1", lambda v: v >= 1, "")
    for name in _FLOAT_AT_LEAST_0:
        out[name] = ("a finite number >= 0", lambda v: math.isfinite(v) and v >= 0,
                     _zero_hint(name))
    for name in ("sweep_fractions", "zoom_fractions"):
        out[name] = ("fractions between 0 and 1", lambda v: math.isfinite(v) and 0 <= v <= 1,
                     ": e.g. 0,0.5,0.9,1")
    # seeds reach torch.manual_seed and numpy, which take at most 64 / 32 bits: 2**64 had
    # passed here and crashed after the twins were made
    out["seeds"] = ("whole numbers from 0 to 2**32 - 1", lambda v: 0 <= v < 2**32, "")
    out["data_seed"] = ("a whole number from 0 to 2**32 - 1", lambda v: 0 <= v < 2**32, "")
    out["gen_loop_tokens"] = ("0 or a whole number >= 2", lambda v: v == 0 or v >= 2,
                              "; 0 = off")
    out["max_length"] = (f"0 or a whole number >= {MIN_MAX_LENGTH}",
                         lambda v: v == 0 or v >= MIN_MAX_LENGTH, _zero_hint("max_length"))
    out["warmup_ratio"] = ("a number in [0, 1)", lambda v: math.isfinite(v) and 0 <= v < 1, "")
    for name in ("zoom_sizes", "tradeoff_bases"):
        out[name] = ("whole numbers >= 1", lambda v: v >= 1, "")
    for name, choices in CHOICES.items():
        out[name] = (", ".join(choices), choices, "")
    out["synthetic"] = ("a .csv, .jsonl/.json or .parquet file",
                        lambda v: v == "" or v.strip().lower().endswith(_data_suffixes()), "")
    return out


def _data_suffixes() -> tuple[str, ...]:
    """The suffixes of the data files the loaders read (``custom.FORMATS``; imported when a
    value is checked, so that importing config does not import pandas)."""
    from littlehuman.data.custom import FORMATS

    return tuple(FORMATS)


def _ok(check: Any, value: Any) -> bool:
    if isinstance(check, tuple):
        return value in check
    try:
        return bool(check(value))
    except (TypeError, ValueError):
        return False


def _flag(name: str) -> str:
    return f"--{name.replace('_', '-')}"


#: the generators that send requests to a server
API_GENERATORS = ("openai", "openai-batch")
#: the server's address and its key's variable: read by the API generators only, yet taken
#: with every generator (READ_BY leaves them out); where the generator does not read them
#: they are no setting of a report (:func:`unread_server_fields`): a --base-url given to the
#: extractive generator had re-executed every notebook, twice
SERVER_FIELDS = ("base_url", "api_key_env")


def unread_server_fields(generator: str) -> tuple[str, ...]:
    """:data:`SERVER_FIELDS` where ``generator`` sends nothing to a server, else ()."""
    return () if generator in API_GENERATORS else SERVER_FIELDS


#: profile fields that only some generators, learners or executors read: field -> (the field
#: that chooses, the choices that read it). The server's address and key variable are left
#: out: a script may give them with every generator (the smoke run of the tests does).
READ_BY: dict[str, tuple[str, tuple[str, ...]]] = {
    "gen_model": ("generator", API_GENERATORS), "gen_model_dir": ("generator", ("hf",)),
    **dict.fromkeys(("concurrency", "rpm", "tpm", "endpoint", "request_timeout"),
                    ("generator", ("openai",))),
    "batch_poll_s": ("generator", ("openai-batch",)),
    **dict.fromkeys(("temperature", "max_new_tokens"), ("generator", ("gemma", "hf", *API_GENERATORS))),
    **dict.fromkeys(("gen_batch_size", "gen_dtype", "gen_loop_tokens", "gen_stop_unkeyed"),
                    ("generator", ("gemma", "hf"))),
    **dict.fromkeys(("model_dir", "lora_settings", "lr_scaling", "loss_on", "gradient_checkpointing",
                     "compile", "liger", "grad_accum"), ("learner", ("lora",))),
    **dict.fromkeys(("warmup_ratio", "train_bf16", "train_layers", "pooling", "qa_windows"),
                    ("learner", ("encoder",))),
    **dict.fromkeys(("epochs", "lr", "batch_size", "max_length"), ("learner", ("encoder", "lora"))),
    "jobs": ("executor", ("local",)),
    **{f.name: ("executor", ("slurm",)) for f in fields(Profile) if f.name.startswith("slurm_")},
}


def unread_settings(profile_name: str, overrides: dict[str, Any]) -> set[str]:
    """The fields among ``overrides`` that profile ``profile_name`` with them would not read
    (:data:`READ_BY`): :func:`fit_to_machine` sets ``gen_dtype``/``train_bf16`` whatever the
    generator and learner, and a suggested command holding them was refused
    (``--generator openai --gen-dtype float32``). Empty when the overrides do not make a
    profile."""
    try:
        prof = profile(profile_name, **{k: v for k, v in overrides.items() if k in _FIELDS})
    except (LittleHumanError, TypeError, ValueError):
        return set()
    return {name for name in overrides if name in READ_BY
            and getattr(prof, READ_BY[name][0]) not in READ_BY[name][1]}


def check_chosen(prof: Profile, chosen: Iterable[str]) -> None:
    """Raise a one-line LittleHumanError when a field the user set (named in ``chosen``; a
    profile's own values are never at fault) would be ignored: a setting of another
    generator, learner or executor (:data:`READ_BY`), a generation setting beside
    ``--synthetic FILE``, more ``--tradeoff-seeds`` than ``--seeds``, or an advisor price
    or budget without both prices."""
    chosen = set(chosen)
    for name in sorted(chosen):
        if prof.synthetic and name != "synthetic" and \
                _FIELDS[name].metadata.get("section") == _FIELDS["synthetic"].metadata["section"]:
            raise LittleHumanError(f"{_flag(name)} is a setting of generation, and --synthetic "
                                   f"FILE makes no generation call: leave one of them out")
        if name not in READ_BY:
            continue
        by, readers = READ_BY[name]
        if getattr(prof, by) not in readers:
            which = " or ".join([", ".join(readers[:-1]), readers[-1]] if readers[:-1] else readers)
            raise LittleHumanError(
                f"{_flag(name)} is read only by {_flag(by)} {which}, not by this run's "
                f"{_flag(by)} {getattr(prof, by)}: leave it out, or "
                + (f"add {_flag(by)} {readers[0]}" if len(readers) == 1 else "choose one of those"))
    if "tradeoff_seeds" in chosen and prof.tradeoff_seeds > len(prof.seeds):
        raise LittleHumanError(f"--tradeoff-seeds {prof.tradeoff_seeds} is more than the "
                               f"{len(prof.seeds)} of --seeds: give at most {len(prof.seeds)}, "
                               "or more --seeds")
    prices = (prof.price_human, prof.price_synthetic)
    if (prof.budget or any(prices)) and not all(prices):
        given = ", ".join(f"{_flag(k)} {getattr(prof, k):g}" for k in ("price_human", "price_synthetic")
                          if k in chosen)
        raise LittleHumanError("the advisor needs both prices above 0: give --price-human and "
                               "--price-synthetic (dollars per point), or neither"
                               + (" and no --budget" if prof.budget else "")
                               + (f" (got {given})" if given else ""))


#: profile fields that the encoder reads for one task only: field -> that task
READ_FOR_TASK: dict[str, str] = {"pooling": "fv", "qa_windows": "qa", "label_conditioned": "fv"}
_TASK_NAMES = {"fv": "fact verification", "qa": "question answering"}


def for_task(settings: Mapping[str, Any], task: str, generator: str | None = None
             ) -> dict[str, Any]:
    """``settings`` without the fields read only for another task (:data:`READ_FOR_TASK`):
    a QA report neither lists ``pooling`` nor re-executes when ``--dataset all --pooling``
    changes it; with ``generator``, nor the server's where it sends nothing to one
    (:func:`unread_server_fields`)."""
    unread = unread_server_fields(generator) if generator else ()
    return {k: v for k, v in settings.items()
            if READ_FOR_TASK.get(k, task) == task and k not in unread}


def check_task_settings(chosen: Iterable[str], tasks: Iterable[str]) -> None:
    """Raise a one-line LittleHumanError when a field the user set (named in ``chosen``) is
    read only for a task (:data:`READ_FOR_TASK`) that none of this run's datasets has."""
    tasks = set(tasks)
    for name in sorted(set(chosen) & set(READ_FOR_TASK)):
        task = READ_FOR_TASK[name]
        if task not in tasks:
            raise LittleHumanError(
                f"{_flag(name)} is read only for {_TASK_NAMES[task]} ({task}) datasets, and "
                f"this run's dataset is {' and '.join(_TASK_NAMES[t] for t in sorted(tasks))}: "
                "leave it out")


_RULES = _rules()


def shown_value(value: Any) -> str:
    """A profile value as it is typed on the command line (a list: one read back from JSON)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value)
    return str(value) if value != "" else '""'


def field_help() -> dict[str, str]:
    """One ``--help`` line per profile field: what it does (what 0 means, when 0 is special),
    then its value in each profile, e.g. ``few-shot examples per request (smoke=3, cpu=3,
    paper=3)``."""
    out = {}
    for name, f in _FIELDS.items():
        if name == "name":
            continue
        values = ", ".join(f"{p}={shown_value(getattr(prof, name))}" for p, prof in PROFILES.items())
        out[name] = f"{f.metadata['help']}{_zero_hint(name)} ({values})"
    return out


def field_sections() -> dict[str, list[str]]:
    """The ``--help`` headings, in order, each with the profile fields under it."""
    out: dict[str, list[str]] = {}
    for name, f in _FIELDS.items():
        if name != "name":
            out.setdefault(f.metadata["section"], []).append(name)
    return out


def field_metavar(name: str) -> str:
    """How ``--help`` names the value of profile field ``name``: a DIR, FILE..., else its type
    (``INT,...`` for a list)."""
    f = _FIELDS[name]
    if f.metadata.get("metavar"):
        return f.metadata["metavar"]
    if name in CHOICES:
        return "NAME"
    if isinstance(f.default, tuple):
        return f"{type(f.default[0]).__name__.upper()},..."
    return type(f.default).__name__.upper()
