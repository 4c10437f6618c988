"""One dataset through the pipeline: rows -> synthetic twins -> replacement sweep -> records.

:class:`Experiment` is what ``run_all.py`` and the notebooks share: the CLI calls
:meth:`Experiment.prepare` (generation and training, with progress bars; all cached), and the
notebooks rebuild the same Experiment from their parameters and only read and show.
"""
from __future__ import annotations

import dataclasses
import json
import warnings
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from littlehuman import config, data, paths
from littlehuman.config import Profile
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError

QA_METRICS = ["exact_match", "inclusion", "reverse_inclusion", "bleu", "rouge1", "bertscore_f1"]
FV_METRICS = ["accuracy"]
LOCAL_GENERATORS = ("extractive", "gemma", "hf")  # run here: our seed, no per-token price


@dataclass
class Experiment:
    """A dataset, its rows and a profile; every expensive product is cached on disk."""

    name: str
    task: str
    profile: Profile
    rows: pd.DataFrame = field(repr=False)
    data_dir: str | None = None

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def create(cls, dataset: str, profile: Profile, data_dir: str | None = None,
               custom: dict[str, Any] | None = None) -> "Experiment":
        options = {k: v for k, v in (custom or {}).items() if v not in (None, False, {})}
        from littlehuman.data import custom as custom_mod

        if not custom_mod.is_custom_path(dataset):
            options = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = data.load(dataset, data_dir, seed=profile.data_seed, **options)
        return cls(rows.attrs["dataset"], rows.attrs["task"], profile, rows, data_dir)

    @classmethod
    def from_params(cls, dataset: str, profile: str, data_dir: str | None = None,
                    overrides: str | dict = "{}", custom: str | dict = "{}") -> "Experiment":
        """Rebuild the Experiment from a notebook's papermill parameters."""
        overrides = json.loads(overrides) if isinstance(overrides, str) else overrides
        custom = json.loads(custom) if isinstance(custom, str) else custom
        return cls.create(dataset, config.profile(profile, **overrides), data_dir or None, custom)

    def profile_overrides(self) -> dict[str, Any]:
        """The fields where this profile differs from its named base (JSON-able)."""
        base = config.PROFILES[self.profile.name]
        return {f.name: getattr(self.profile, f.name) for f in dataclasses.fields(Profile)
                if getattr(self.profile, f.name) != getattr(base, f.name)}

    # ---- rows -----------------------------------------------------------------------------
    @property
    def spec(self) -> data.DatasetSpec | None:
        return data.DATASETS.get(self.name)

    @property
    def metrics(self) -> list[str]:
        return FV_METRICS if self.task == "fv" else QA_METRICS

    @property
    def main_metric(self) -> str:
        """The metric headlines, figures and the trade-off fit use: FV accuracy, QA ROUGE-1."""
        return "accuracy" if self.task == "fv" else "rouge1"

    def split(self, name: str) -> pd.DataFrame:
        return self.rows[self.rows["split"] == name]

    @property
    def n(self) -> int:
        """The sweep's training-set size: the profile's, else the PROTOCOL's, capped by train."""
        wanted = self.profile.n_train or (self.spec.n_sweep if self.spec else 5000)
        return min(wanted, len(self.split("train")))

    def _cap(self, df: pd.DataFrame, cap: int, tag: str) -> pd.DataFrame:
        if not cap or cap >= len(df):
            return df
        rng = np.random.default_rng(schema.stable_seed(self.name, tag, cap, self.profile.data_seed))
        return df.iloc[np.sort(rng.choice(len(df), size=cap, replace=False))]

    @cached_property
    def train_pool(self) -> pd.DataFrame:
        """The n real train rows of the sweep (seeded by the data seed): the rows to twin."""
        return self._cap(self.split("train"), self.n, "train-pool")

    @cached_property
    def eval_rows(self) -> pd.DataFrame:
        """Train pool + (capped) valid + (capped) test: what every run of the sweep sees."""
        valid = self._cap(self.split("valid"), self.profile.n_valid, "valid")
        test = self._cap(self.split("test"), self.profile.n_test, "test")
        return pd.concat([self.train_pool, valid, test], ignore_index=True)

    # ---- generation -----------------------------------------------------------------------
    @cached_property
    def backend(self):
        from littlehuman.generation import make_backend

        p = self.profile
        kwargs: dict[str, Any] = {}
        if p.generator in LOCAL_GENERATORS:
            kwargs["seed"] = p.data_seed
        if p.generator == "hf":
            if not p.gen_model_dir:
                raise LittleHumanError("--generator hf needs --gen-model-dir DIR: a local "
                                       "transformers model folder (save_pretrained layout)")
            kwargs["model_dir"] = str(Path(p.gen_model_dir).expanduser().resolve())
        if p.generator != "extractive":
            kwargs.update(temperature=p.temperature, max_new_tokens=p.max_new_tokens)
        if p.generator.startswith("openai"):
            kwargs.update(api_key_env=p.api_key_env, base_url=p.base_url or None)
            if p.gen_model:
                kwargs["model"] = p.gen_model
        if p.generator == "openai":
            kwargs.update(concurrency=p.concurrency, rpm=p.rpm or None, tpm=p.tpm or None,
                          endpoint=p.endpoint, timeout_s=p.request_timeout or None)
        if p.generator == "openai-batch":
            kwargs["poll_s"] = p.batch_poll_s
        return make_backend(p.generator, **kwargs)

    def dry_run(self) -> dict[str, Any]:
        """What generating the twins would send and cost, before anything is sent.

        An upper bound: requests whose reply is already cached are not sent again, and the
        estimate counts every reply at the full ``max_new_tokens``."""
        from littlehuman.generation.cost import estimate
        from littlehuman.generation.generate import build_requests

        p = self.profile
        requests = build_requests(self.train_pool, self.split("train"), self.task,
                                  p.data_seed, p.k_shots, p.label_conditioned,
                                  p.prompt_context_words, self.cot)
        model = p.gen_model or ("gpt-3.5-turbo" if p.generator.startswith("openai") else p.generator)
        chat = estimate(requests, model, p.max_new_tokens, batch=False, prices=self.prices)
        batch = estimate(requests, model, p.max_new_tokens, batch=True, prices=self.prices)
        return {"dataset": self.name, "generator": p.generator, "model": model,
                "requests": chat["requests"], "input_tokens": chat["input_tokens"],
                "output_tokens": chat["output_tokens"], "dollars_chat": chat["dollars"],
                "dollars_batch": batch["dollars"], "method": chat["method"]}

    @cached_property
    def cot(self) -> pd.DataFrame | None:
        """The user's chain-of-thought examples (``--cot-examples FILE``), or None."""
        from littlehuman.generation.prompts import load_cot_examples

        if not self.profile.cot_examples:
            return None
        return load_cot_examples(self.profile.cot_examples, self.task, self.name)

    @cached_property
    def prices(self) -> dict[str, tuple[float, float]]:
        """The price table, with ``--prices FILE`` applied."""
        from littlehuman.generation.cost import PRICES, load_prices

        return load_prices(self.profile.prices) if self.profile.prices else dict(PRICES)

    @property
    def generator_id(self) -> str:
        from littlehuman.generation import generator_id

        return generator_id(self.backend, self.profile.label_conditioned, self.profile.k_shots,
                            self.profile.data_seed, self.profile.prompt_context_words, self.cot)

    def generation_args(self) -> dict[str, Any]:
        """The arguments of ``load_or_generate`` besides ``rows`` (one place for all callers)."""
        p = self.profile
        return {"pool": self.split("train"), "task": self.task, "backend": self.backend,
                "seed": p.data_seed, "k": p.k_shots, "label_conditioned": p.label_conditioned,
                "context_words": p.prompt_context_words, "batch_size": p.gen_batch_size,
                "cot": self.cot, "reask": p.reask}

    def synthetic(self, progress: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The synthetic twins of the train pool (generated once, then read from disk), plus
        one spare twin for each pool row left without one (see
        :func:`littlehuman.experiments.twins.twins_with_spares`)."""
        from littlehuman.experiments.twins import twins_with_spares

        return twins_with_spares(self, self.train_pool, progress)

    def bill(self) -> dict[str, Any] | None:
        """Tokens and dollars of the requests behind the twins (None before generation):
        ``generate.read_bill`` priced with this profile's table (Batch API at half price)."""
        from littlehuman.generation.cost import cost
        from littlehuman.generation.generate import read_bill

        stored = read_bill(self.name, self.generator_id)
        if stored is None:
            return None
        stored.pop("asked_rows", None)  # which rows: kept on disk, not worth showing
        paid = cost([{"prompt_tokens": stored["input_tokens"],
                      "completion_tokens": stored["output_tokens"]}], stored["model"],
                    batch=stored["batch_pricing"], prices=self.prices)
        unkept = cost([{"prompt_tokens": stored.get("unkept_input_tokens", 0),
                        "completion_tokens": stored.get("unkept_output_tokens", 0)}],
                      stored["model"], batch=stored["batch_pricing"], prices=self.prices)
        local = stored["backend"] in LOCAL_GENERATORS
        return {**stored, "dollars": None if local else paid["dollars"],
                "dollars_unkept": None if local else unkept["dollars"], "local": local}

    # ---- the replacement sweep ------------------------------------------------------------
    def learner_params(self) -> dict[str, Any]:
        """The learner's hyper-parameters from the profile (0 = the learner's own default)."""
        p = self.profile
        if p.learner == "majority":
            return {}
        max_len = p.max_length or (self.spec.max_seq_len if self.spec else 256)
        params: dict[str, Any] = {"batch_size": p.batch_size, "max_length": max_len,
                                  "progress": False}
        if p.epochs:
            params["epochs"] = p.epochs
        if p.lr:
            params["lr"] = p.lr
        if p.learner == "lora":
            if not p.model_dir:
                raise LittleHumanError("--learner lora needs --model-dir DIR: a local Hugging Face "
                                       "model folder (e.g. a download of Llama-3.1-8B)")
            params["model_dir"] = str(Path(p.model_dir).expanduser().resolve())
            # only settings that differ from the learner's defaults (keeps run keys stable)
            extra = {"settings": (p.lora_settings, "scripts"), "loss_on": (p.loss_on, "answer"),
                     "gradient_checkpointing": (p.gradient_checkpointing, False),
                     "compile": (p.compile, False), "grad_accum": (p.grad_accum, 1)}
            params.update({k: v for k, (v, default) in extra.items() if v != default})
            if self.task == "qa":
                params["max_new_tokens"] = (self.spec.max_new_tokens if self.spec else None) or 16
        return params

    def sweep_specs(self) -> list:
        from littlehuman.runs import RunSpec

        params = self.learner_params()
        params.pop("progress", None)
        return [RunSpec.make(self.name, "sweep", self.n, f, s, self.generator_id,
                             self.profile.learner, params)
                for s in self.profile.seeds for f in self.profile.sweep_fractions]

    @property
    def store(self):
        from littlehuman.runs import RunStore

        return RunStore(paths.cache_dir() / "runs")

    def run_sweep(self, progress: bool = False) -> dict[str, int]:
        from littlehuman import runs
        from littlehuman.executors import make_executor

        synthetic, _ = self.synthetic(progress=progress)
        execute = partial(runs.execute, learner_factory=_quiet_factory)
        return runs.run_sweep(self.sweep_specs(), self.eval_rows, synthetic, self.store,
                              progress=progress, executor=execute, jobs=self.profile.jobs,
                              backend=make_executor(self.profile))

    def prepare(self, progress: bool = True) -> dict[str, Any]:
        """Generate and train everything the notebooks will show (all cached)."""
        _, stats = self.synthetic(progress=progress)
        counts = self.run_sweep(progress=progress)
        return {"generation": stats, "sweep": counts}

    def records(self) -> pd.DataFrame:
        """One row per finished run of this profile's sweep: spec fields + metrics."""
        out = []
        for spec in self.sweep_specs():
            rec = self.store.get(spec)
            if rec is None:
                continue
            metrics = dict(rec["metrics"])
            n_test = metrics.pop("n", None)
            out.append({"fraction": spec.fraction, "seed": spec.seed, "n": spec.n,
                        "n_test": n_test, **metrics, "fit_s": rec["timings_s"].get("fit"),
                        "key": rec["key"]})
        if not out:
            raise LittleHumanError(f"{self.name}: no finished runs for this profile: run "
                                   f"`python run_all.py --dataset {self.name}` first")
        return pd.DataFrame(out).sort_values(["seed", "fraction"]).reset_index(drop=True)

    def per_example_scores(self, spec) -> pd.DataFrame:
        """Per-example test scores of one finished run (recomputed for older records)."""
        preds = self.store.predictions(spec)
        cols = [c for c in preds.columns if c.startswith("score:")]
        if cols:
            return preds[cols].rename(columns=lambda c: c.split(":", 1)[1])
        from littlehuman.metrics import per_example

        return per_example(self.task, preds["prediction"].tolist(), preds["gold"].tolist())

    def intervals(self, n_boot: int = 2000, level: float = 0.95) -> pd.DataFrame:
        """Per fraction and metric: the mean over seeds and a bootstrap CI that resamples seeds
        and then test examples (``stats.hierarchical_bootstrap``)."""
        from littlehuman.stats import hierarchical_bootstrap

        by_fraction: dict[float, dict[int, pd.DataFrame]] = {}
        for spec in self.sweep_specs():
            if self.store.has(spec):
                by_fraction.setdefault(spec.fraction, {})[spec.seed] = self.per_example_scores(spec)
        rows = []
        for fraction, per_seed in sorted(by_fraction.items()):
            for m in self.metrics:
                est, low, high = hierarchical_bootstrap(
                    {s: df[m].to_numpy(dtype=float) for s, df in per_seed.items()},
                    n_boot=n_boot, level=level,
                    seed=schema.stable_seed(self.name, "ci", fraction, m))
                rows.append({"fraction": fraction, "metric": m, "mean": est, "low": low,
                             "high": high, "seeds": len(per_seed)})
        return pd.DataFrame(rows)

    def headline(self) -> str:
        """A one-line result: the main metric at 0% and 100% synthetic (mean over seeds)."""
        rec = self.records()
        m = self.main_metric
        means = rec.groupby("fraction")[m].mean()
        lo, hi = means.index.min(), means.index.max()
        parts = [f"{m} {means[lo]:.3f} at {lo:.0%} synthetic -> {means[hi]:.3f} at {hi:.0%}"]
        if 0.9 in means.index and hi == 1.0:
            parts.append(f"(change 0->90%: {means[0.9] - means[lo]:+.3f}; "
                         f"90->100%: {means[hi] - means[0.9]:+.3f})")
        seeds = rec["seed"].nunique()
        return " ".join(parts) + f"; n={self.n}, {seeds} seed{'s' if seeds > 1 else ''}"


def _quiet_factory(name: str, task: str, seed: int = 0, **params: Any):
    from littlehuman.learners import make_learner

    import os

    if name != "majority":
        params.setdefault("progress", False)
        if name == "encoder" and os.environ.get("LITTLEHUMAN_THREADS"):  # --jobs workers
            params.setdefault("threads", int(os.environ["LITTLEHUMAN_THREADS"]))
    return make_learner(name, task, seed=seed, **params)
