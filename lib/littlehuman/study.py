"""One dataset under one profile: its rows, the sweep size ``n`` and the run store.

``run_all.py`` builds a :class:`Study` and hands it to each experiment's ``prepare``
(:mod:`littlehuman.experiments`); the notebooks rebuild the same Study from their papermill
parameters (:meth:`Study.from_params`) and only read and show. What the Study derives from
the profile is built where it belongs: the prompt by
:meth:`~littlehuman.generation.PromptSpec.from_profile`, the generator by
:func:`~littlehuman.generation.backend_from_profile`, the learner's hyper-parameters by
:func:`~littlehuman.learners.learner_params`.
"""
from __future__ import annotations

import dataclasses
import json
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from littlehuman import config, data, paths
from littlehuman.config import Profile
from littlehuman.data import schema
from littlehuman.experiments.grid import Cell, Shape
from littlehuman.metrics import MAIN_METRIC, METRICS
from littlehuman.runs import RunSpec, RunStore

if TYPE_CHECKING:
    from littlehuman.data.synthetic_file import SyntheticFile
    from littlehuman.generation import PromptSpec
    from littlehuman.generation.backends.base import Backend


@dataclass
class Study:
    """A dataset's rows under a profile; every expensive product is cached on disk.

    ``notes``: what the loader says the user must know about the rows (a partial release
    such as WANLI's 100-row sample: :data:`littlehuman.data.schema.NOTES`); the run prints
    them, the reports and the index show them."""

    name: str
    task: str
    profile: Profile
    rows: pd.DataFrame = field(repr=False)
    data_dir: str | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, dataset: str, profile: Profile, data_dir: str | None = None,
               custom: dict[str, Any] | None = None) -> "Study":
        """Load ``dataset`` (a registered name or the path of the user's own file; ``custom``:
        that file's options) under ``profile``."""
        from littlehuman.data import custom as custom_file

        with warnings.catch_warnings():  # the loader's warnings come back as notes
            warnings.simplefilter("ignore")
            rows = data.load(dataset, data_dir, seed=profile.data_seed,
                             **custom_file.load_options(dataset, custom))
        return cls(rows.attrs["dataset"], rows.attrs["task"], profile, rows, data_dir,
                   notes=list(rows.attrs.get(schema.NOTES, [])))

    @classmethod
    def from_params(cls, dataset: str, profile: str, data_dir: str | None = None,
                    overrides: str | dict = "{}", custom: str | dict = "{}") -> "Study":
        """Rebuild the Study from a notebook's papermill parameters (the profile fitted to
        this machine as ``run_all.py`` fits it: :func:`config.fit_to_machine`)."""
        overrides = json.loads(overrides) if isinstance(overrides, str) else overrides
        custom = json.loads(custom) if isinstance(custom, str) else custom
        prof, _ = config.fit_to_machine(config.profile(profile, **overrides), chosen=overrides)
        return cls.create(dataset, prof, data_dir or None, custom)

    def profile_overrides(self) -> dict[str, Any]:
        """The fields where this profile differs from its named base (JSON-able), but for the
        server's (:data:`config.SERVER_FIELDS`) where its generator sends nothing to one."""
        base = config.PROFILES[self.profile.name]
        unread = config.unread_server_fields(self.profile.generator)
        return {f.name: getattr(self.profile, f.name) for f in dataclasses.fields(Profile)
                if getattr(self.profile, f.name) != getattr(base, f.name)
                and f.name not in unread}

    # ---- rows -----------------------------------------------------------------------------
    @property
    def dataset_spec(self) -> data.DatasetSpec | None:
        """The registry entry (None for the user's own file)."""
        return data.find(self.name)

    @property
    def metrics(self) -> list[str]:
        return METRICS[self.task]

    @property
    def main_metric(self) -> str:
        """The metric headlines, figures and the trade-off fit use: FV accuracy, QA ROUGE-1."""
        return MAIN_METRIC[self.task]

    def split(self, name: str) -> pd.DataFrame:
        """The study's rows of split ``name`` (train, valid or test)."""
        return self.rows[self.rows["split"] == name]

    @cached_property
    def shape(self) -> Shape:
        """The facts the experiment grids are declared on (name, task, n, train rows)."""
        return Shape.of(self.name, self.task, self.profile, len(self.split("train")))

    @property
    def n(self) -> int:
        """The sweep's training-set size (:meth:`Shape.of`)."""
        return self.shape.n

    def _cap(self, df: pd.DataFrame, cap: int, tag: str) -> pd.DataFrame:
        if not cap or cap >= len(df):
            return df
        rng = np.random.default_rng(schema.stable_seed(self.name, tag, cap, self.profile.data_seed))
        return df.iloc[np.sort(rng.choice(len(df), size=cap, replace=False))]

    @cached_property
    def train_pool(self) -> pd.DataFrame:
        """The n real train rows of the sweep (seeded by the data seed): the rows to twin.

        With ``--synthetic FILE`` rows with a twin in the file are preferred: the rows of
        that draw that have one are kept (so a file covering them gives the same pool), rows
        of it without one are swapped for a seeded draw of the other twinned train rows, and
        only when those run out do rows without a twin stay (a replaced one takes a spare)."""
        train = self.split("train")
        drawn = self._cap(train, self.n, "train-pool")
        found = self.synthetic_file
        if found is None:
            return drawn
        has = train["row_id"].isin(found.twins["source_row_id"])
        inside = train["row_id"].isin(drawn["row_id"])
        if bool(has[inside].all()):
            return drawn
        lacking = int((inside & ~has).sum())
        swap = self._cap(train[has & ~inside], lacking, "train-pool-twinned")
        stay = self._cap(train[inside & ~has], lacking - len(swap), "train-pool-untwinned")
        if len(swap) == lacking:  # (a cap of 0 means no cap)
            stay = stay.iloc[:0]
        keep = (inside & has) | train["row_id"].isin(swap["row_id"]) \
            | train["row_id"].isin(stay["row_id"])
        return train[keep]

    @cached_property
    def eval_rows(self) -> pd.DataFrame:
        """Train pool + (capped) valid + (capped) test: what every run of the sweep sees."""
        valid = self._cap(self.split("valid"), self.profile.n_valid, "valid")
        test = self._cap(self.split("test"), self.profile.n_test, "test")
        return pd.concat([self.train_pool, valid, test], ignore_index=True)

    @property
    def n_test(self) -> int:
        """Human test rows every run is scored on."""
        return int(self.eval_rows["split"].eq("test").sum())

    # ---- what the profile builds ------------------------------------------------------------
    @cached_property
    def prompt(self) -> "PromptSpec":
        """How the profile asks for twins (few-shot examples, chain of thought...)."""
        from littlehuman.generation import PromptSpec

        return PromptSpec.from_profile(self.profile, self.task, self.name)

    @cached_property
    def backend(self) -> "Backend":
        """The profile's generator (``--generator``), not yet loaded."""
        from littlehuman.generation import backend_from_profile

        return backend_from_profile(self.profile)

    @cached_property
    def synthetic_file(self) -> "SyntheticFile | None":
        """The user's own synthetic rows (``--synthetic FILE``) matched to this dataset's rows,
        or None: twins are generated (:mod:`littlehuman.data.synthetic_file`)."""
        if not self.profile.synthetic:
            return None
        from littlehuman.data.synthetic_file import load_synthetic

        return load_synthetic(self.profile.synthetic, self.rows, self.task, self.name)

    @cached_property
    def generator_id(self) -> str:
        """Who made the twins: the prompt and backend's id, or ``file-<digest>`` of the user's
        synthetic file. It names the twins' file and enters every run key."""
        if self.synthetic_file is not None:
            return self.synthetic_file.generator_id
        return self.prompt.generator_id(self.backend)

    @property
    def generator_name(self) -> str:
        """What made the synthetic rows, for headers and captions: the profile's generator, or
        the user's synthetic file by name."""
        if self.profile.synthetic:
            return f"your file {Path(self.profile.synthetic).name}"
        return self.profile.generator

    @cached_property
    def learner_params(self) -> dict[str, Any]:
        """The learner's hyper-parameters (:func:`littlehuman.learners.learner_params`)."""
        from littlehuman.learners import learner_params

        return learner_params(self.profile, self.task, self.dataset_spec)

    @cached_property
    def store(self) -> RunStore:
        return RunStore(paths.cache_dir() / "runs")

    @cached_property
    def evaluation(self) -> dict[str, Any]:
        """What every run's rows depend on besides its spec's other fields, where this profile
        differs from its named one: the caps on the valid rows (model selection) and the test
        rows (what is scored), and with ``--synthetic FILE`` the data seed, which draws the
        splits and the sweep's rows (a generated twin's id holds it already). Empty with the
        named profile's values, so their runs keep their keys (:class:`RunSpec`)."""
        base = config.PROFILES[self.profile.name]
        fields = ["n_valid", "n_test"] + (["data_seed"] if self.profile.synthetic else [])
        return {f: getattr(self.profile, f) for f in fields
                if getattr(self.profile, f) != getattr(base, f)}

    def run_spec(self, cell: Cell) -> RunSpec:
        """The run of one grid cell: its training set, this study's generator and learner,
        and the rows it is selected and scored on (:attr:`evaluation`)."""
        return RunSpec.make(self.name, cell.experiment, cell.n, cell.fraction, cell.seed,
                            self.generator_id, self.profile.learner, self.learner_params,
                            self.evaluation)
