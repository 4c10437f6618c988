"""What the notebooks share beyond the experiments: opening their Study from the parameters
cell, and saying in one line which command to run first when nothing has been made yet (a
notebook opened in JupyterLab before ``run_all.py``)."""
from __future__ import annotations

import json
import os
import shlex

from littlehuman.errors import LittleHumanError
from littlehuman.study import Study


class NothingToShow(Exception):
    """The notebook has nothing to show yet. IPython renders it as its message alone (no
    traceback), and "Run All" stops at it."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def run_all_flags(overrides: str | dict = "{}", custom: str | dict = "{}",
                  profile: str | None = None) -> list[str]:
    """The ``run_all.py`` flags behind a notebook's ``overrides`` (profile fields) and
    ``custom`` (the options of the user's own file: ``--task``, ``--columns``,
    ``--skip-bad-rows``), so that a command a report suggests runs on the same data with the
    same settings. With ``profile`` (its name), settings that profile would not read with
    these overrides are left out (``run_all.py`` refuses them; see
    ``config.unread_settings``)."""
    from littlehuman import config

    changed = json.loads(overrides) if isinstance(overrides, str) else dict(overrides or {})
    options = json.loads(custom) if isinstance(custom, str) else dict(custom or {})
    unread = config.unread_settings(profile, changed) if profile else set()
    out: list[str] = []
    for name, value in changed.items():
        if name in unread:
            continue
        text = (",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else
                str(value).lower() if isinstance(value, bool) else str(value))
        out += [f"--{name.replace('_', '-')}", text]
    if options.get("task"):
        out += ["--task", str(options["task"])]
    if options.get("columns"):
        out += ["--columns", ",".join(f"{k}={v}" for k, v in options["columns"].items())]
    if options.get("skip_bad_rows"):
        out.append("--skip-bad-rows")
    return out


def first_command(dataset: str, profile: str, data_dir: str = "", overrides: str | dict = "{}",
                  custom: str | dict = "{}") -> str:
    """The ``run_all.py`` command that makes what a notebook with these parameters shows."""
    parts = ["python", "run_all.py", "--dataset", dataset, "--profile", profile]
    if data_dir:
        parts += ["--data-dir", data_dir]
    return " ".join(shlex.quote(p) for p in parts + run_all_flags(overrides, custom, profile))


def setup_phrase(study: Study) -> str:
    """What trained on what, for a notebook's header: 'Learner `encoder`
    (all-MiniLM-L6-v2 (bundled), at most 96 tokens, 3 epochs, its best epoch chosen on 60
    human validation rows), generator `gemma`
    (gemma-3-270m-q4_k_m, temperature 0, prompt contexts cut to 120 words)' (the models the
    ledger names, :mod:`littlehuman.provenance`)."""
    from littlehuman import provenance
    from littlehuman.generation.prompts import MAX_CONTEXT_WORDS
    from littlehuman.learners import training_epochs

    learner, generator = provenance.learner_entry(study), provenance.generator_entry(study)
    p = study.profile
    params = learner.get("params") or {}
    epochs = training_epochs(p, study.task)  # also where the learner's default is left out
    about = ([learner["model"]] if learner.get("model") else []) + (
        [f"at most {params['max_length']} tokens"] if params.get("max_length") else []) + (
        [f"{epochs} epoch{'s' if epochs != 1 else ''}"] if epochs else [])
    if params.get("select_on_valid", p.learner == "encoder") and epochs > 1:
        n_valid = int(study.eval_rows["split"].eq("valid").sum())
        if n_valid:  # so even a "100% synthetic" run sees these human rows
            about.append(f"its best epoch chosen on {n_valid} human validation rows")
    made = [generator["model"]] if generator.get("model") else []
    if generator.get("backend") not in ("file", "extractive"):  # a model wrote the twins
        made.append(f"temperature {p.temperature:g}")
        if p.prompt_context_words < MAX_CONTEXT_WORDS:
            made.append(f"prompt contexts cut to {p.prompt_context_words} words")
    return (f"Learner `{p.learner}`" + (f" ({', '.join(about)})" if about else "")
            + f", generator `{study.generator_name}`" + (f" ({', '.join(made)})" if made else ""))


def data_note(study: Study) -> str:
    """What a notebook's header adds on the data: a paragraph per note of the loader (a
    partial release, such as WANLI's 100-row sample split 80/10/10); "" when there is none."""
    return "".join(f"\n\n**Partial data:** {note}." for note in study.notes)


def registered(dataset: str) -> bool:
    """Whether ``dataset`` names a registered dataset (not the user's own file)."""
    from littlehuman.data import registry

    return registry.find(dataset) is not None


def _loaded_from_elsewhere(dataset: str, data_dir: str) -> bool:
    """Whether a registered dataset that failed to load from the default data folder was
    loaded by this project before (its processed cache is there): then ``run_all.py`` read
    it from another folder (``--data-dir``) that the notebook was not given."""
    from littlehuman import paths
    from littlehuman.data import registry

    if data_dir or os.environ.get("LITTLEHUMAN_DATA_DIR"):
        return False
    try:
        name = registry.get(dataset).name
    except LittleHumanError:  # the user's own file: the path is the parameter
        return False
    return (paths.cache_dir() / "processed" / name / "manifest.json").is_file()


def from_project_folder(path: str) -> str:
    """A relative path of the parameters cell as ``run_all.py`` read it: JupyterLab runs the
    kernel in ``notebooks/``, while paths given to ``run_all.py`` (the Quick start's
    ``--data-dir ../shared/data``) are relative to the project folder, where it runs. A
    relative path that is not there from the kernel's folder but is from the checkout's (the
    folder with ``run_all.py``) or the project's (``LITTLEHUMAN_HOME``) is made absolute
    from it; any other path is returned as it is."""
    from pathlib import Path

    from littlehuman import paths

    text = str(path).strip()
    try:
        given = Path(text).expanduser()
        if not text or given.is_absolute() or given.exists():
            return path
        checkout = Path(paths.__file__).resolve().parents[2]
        for base in (checkout, paths.project_root()):
            if (base / given).exists():
                return str((base / given).resolve())
    except (OSError, ValueError):
        pass
    return path


def open_study(dataset: str, profile: str, data_dir: str = "", overrides: str | dict = "{}",
               custom: str | dict = "{}") -> Study:
    """The Study of a notebook's parameters (:meth:`Study.from_params`), once ``run_all.py`` has
    generated its twins; before that, :class:`NothingToShow` naming the command to run first
    (a notebook never starts generation itself: that may take hours or cost money)."""
    from littlehuman.generation.generate import synthetic_path

    command = first_command(dataset, profile, data_dir, overrides, custom)
    data_dir = from_project_folder(data_dir)
    if not registered(dataset):
        dataset = from_project_folder(dataset)
    try:
        study = Study.from_params(dataset, profile, data_dir, overrides, custom)
    except LittleHumanError as exc:
        if _loaded_from_elsewhere(dataset, data_dir):
            raise NothingToShow(
                f"Nothing to show: {exc}. This project has loaded {dataset} before, so its "
                "raw files were read from another folder (run_all.py's --data-dir): give that "
                'folder here, as data_dir = "DIR" in the parameters cell, or start Jupyter '
                "with LITTLEHUMAN_DATA_DIR=DIR set."
            ) from None
        raise NothingToShow(f"Nothing to show: {exc}. Then run `{command}`.") from None
    if not synthetic_path(study.name, study.generator_id).exists():
        raise NothingToShow(f"Nothing to show yet for {study.name} (profile {profile}): run "
                            f"`{command}` first, from the project folder.")
    return study
