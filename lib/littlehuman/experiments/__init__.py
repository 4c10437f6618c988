"""The paper's experiments, one module each, in the order they run:

- :mod:`.sweep`: experiment 1, the replacement sweep (notebook 02; finding 1)
- :mod:`.zoom`: experiment 2, the last few synthetic percent (notebook 03; finding 2)
- :mod:`.tradeoff`: experiment 3, human against synthetic points (notebook 04; finding 3),
  with the price advice in :mod:`.advisor`; what the runs of all three bought at a price,
  no curve, in :mod:`.purchases`

Each declares its grid once, ``cells(profile, shape) -> list[Cell]`` (what it trains: sizes,
fractions, seeds, run names and how each training set is mixed), and builds everything on it:
``prepare(study, progress)`` generates the twins and trains the missing cells (all cached),
``records`` / ``intervals`` / ``summary`` read the store for the notebook and the index, and
``--plan`` counts the same cells (:func:`distinct_runs`). Shared machinery: :mod:`.grid`
(Shape, Cell, training, records, intervals), :mod:`.scaling` (zoom and trade-off sizes scaled
to a dataset), :mod:`.twins` (which rows get synthetic twins, generating them, their bill).

Adding an experiment is one module with ``NAME``, ``NOTEBOOK`` (and ``ALSO_SHOWN_BY``, the
other notebooks that show it, if any), ``cells``, ``prepare`` and ``summary``, listed in
:data:`EXPERIMENTS`, plus its notebook.
"""
from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from littlehuman.config import Profile
from littlehuman.errors import LittleHumanError
from littlehuman.experiments import grid, scaling, sweep, tradeoff, twins, zoom
from littlehuman.experiments.grid import Cell, Shape

#: every experiment, in the order run_all prepares them (the sweep's twins come first)
EXPERIMENTS: dict[str, ModuleType] = {m.NAME: m for m in (sweep, zoom, tradeoff)}


def shown_by(module: ModuleType) -> tuple[str, ...]:
    """The notebooks that show an experiment: its ``NOTEBOOK``, then those its module lists in
    ``ALSO_SHOWN_BY`` (none when it lists none; the trade-off lists 06, the advisor)."""
    return (module.NOTEBOOK, *getattr(module, "ALSO_SHOWN_BY", ()))


#: notebooks that need none of the sweep's runs: 01 shows its twins alone (run_all makes them
#: without training: on a GPU node before the training goes to a cluster), 06 the advisor
WITHOUT_SWEEP_RUNS = frozenset({"01", "06"})


def run_commits(study: Any) -> dict[str, int]:
    """How many of the study's finished runs (every experiment's, each run once) each commit
    trained: ``{"<12 hex digits>": n, "<12 hex digits> dirty": n, "not recorded": n}`` (the
    last for runs from before their records kept it, or from outside a git checkout). A
    report re-executed at a later commit shows runs trained at an earlier one: the ledger
    names both."""
    counts: dict[str, int] = {}
    for cells in distinct_runs(study.profile, study.shape).values():
        for cell in cells:
            record = study.store.get(study.run_spec(cell))
            if record is None:
                continue
            versions = record.get("versions") or {}
            commit = versions.get("commit")
            name = (f"{str(commit)[:12]}{' dirty' if versions.get('dirty') else ''}"
                    if commit else "not recorded")
            counts[name] = counts.get(name, 0) + 1
    return counts


def run_folders(study: Any) -> list[Path]:
    """The folders of every run the study's experiments declare, finished or not: what its
    pages read (:func:`littlehuman.freshness.data_fingerprint`)."""
    return [study.store.path(study.run_spec(c))
            for cells in distinct_runs(study.profile, study.shape).values() for c in cells]


def finished_runs(study: Any, notebooks: list[str]) -> int:
    """How many of the runs these notebooks prepare have finished, each once
    (:func:`distinct_runs`: the zoom's at the sweep's n counts once)."""
    return sum(study.store.has(study.run_spec(c))
               for cells in distinct_runs(study.profile, study.shape, notebooks).values()
               for c in cells)


def for_notebooks(notebooks: list[str]) -> list[ModuleType]:
    """The experiments to prepare for these notebooks: the sweep whenever a notebook other
    than 01 and 06 runs (05 shows its runs, the index its headline), the others when a
    notebook that shows them runs (:func:`shown_by`)."""
    return [m for m in EXPERIMENTS.values()
            if (m is sweep and set(notebooks) - WITHOUT_SWEEP_RUNS)
            or set(shown_by(m)) & set(notebooks)]


def distinct_runs(profile: Profile, shape: Shape,
                  notebooks: list[str] | None = None) -> dict[str, list[Cell]]:
    """Per experiment, its cells that are runs of their own: a run two experiments declare
    (a zoom cell at the sweep's n that the sweep has) is counted under the first, and a run
    two cells share (a trade-off synthetic set serving two bases) once. With ``notebooks``,
    only the experiments those notebooks prepare (:func:`for_notebooks`, as the runner does:
    ``advise`` is the trade-off alone)."""
    chosen = EXPERIMENTS.values() if notebooks is None else for_notebooks(notebooks)
    seen: set[tuple] = set()
    out: dict[str, list[Cell]] = {}
    for module in chosen:
        name = module.NAME
        out[name] = []
        for cell in module.cells(profile, shape):
            if cell.run not in seen:
                seen.add(cell.run)
                out[name].append(cell)
    return out


def check_before_generation(study: Any, notebooks: list[str]) -> None:
    """What would stop these notebooks' experiments after the twins were generated (and, by
    an API, paid for), checked first by the code that would stop them, each a one-line
    LittleHumanError; run_all and ``--dry-run`` call it before anything is generated:

    - a ``--synthetic FILE`` is read and matched (bad rows, the other task's columns:
      :func:`~littlehuman.data.synthetic_file.load_synthetic`), and when the sweep's twins are
      made, checked to cover its largest fraction (:func:`.twins.sweep_twins`, within
      :func:`.twins.unstored`);
    - with the encoder on a QA dataset, a run that trains on human rows alone needs one whose
      answer has a span in its context, as does a run on the file's rows alone
      (:func:`littlehuman.learners.spans.qa_rows_problem`, the encoder's rule and line)."""
    found = study.synthetic_file  # reads and checks the file
    chosen = for_notebooks(notebooks)
    if found is not None and (sweep in chosen or "01" in notebooks):
        with twins.unstored():
            twins.sweep_twins(study)
    if study.profile.learner != "encoder" or study.task != "qa":
        return
    from littlehuman.learners.spans import qa_rows_problem

    cells = [c for cs in distinct_runs(study.profile, study.shape, notebooks).values() for c in cs]
    pool = study.train_pool
    # human rows alone: a run of the pool's rows (or fewer of them) trains on none usable
    human = [c for c in cells if c.fraction == 0 and c.n <= len(pool)]
    problem = human and qa_rows_problem(pool, human[0].n)
    synthetic = [c for c in cells if c.fraction == 1]
    if not problem and found is not None and synthetic:  # the file's rows alone
        problem = qa_rows_problem(found.rows, synthetic[0].n)
    if problem:
        raise LittleHumanError(f"{study.name}: {problem}")


__all__ = ["EXPERIMENTS", "Cell", "Shape", "check_before_generation", "distinct_runs",
           "finished_runs", "for_notebooks", "grid", "run_folders", "scaling", "shown_by",
           "sweep", "tradeoff", "twins", "zoom"]
