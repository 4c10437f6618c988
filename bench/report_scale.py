"""The reports at the paper's scale, in simulation: the `paper` profile's whole grid (PROTOCOL
sizes, 13 fractions, 3 seeds, the zoom at 1,000/3,000/5,000 and the trade-off on bases of
1,000-3,000; 111 runs on FEVER) with a simulated learner, then the six notebooks, one at a
time and side by side, against the smoke profile's six in the same run.

    python bench/report_scale.py [--dataset fever] [--data-dir DIR] [--home DIR] [--keep]

What it answers: after days of GPU training, do the reports of a paper-scale run execute in
minutes on the machine that trained it, and in how much memory (the intervals resample
seeds and every test row 2,000-10,000 times over 111 runs)? Nothing here trains a model:
the runs go through the real run store, mixing, scoring and records, but the learner is the
`majority` learner's slot filled by :class:`SimulatedLearner`, which answers a test row
right with a probability that grows with the human and the synthetic rows it was given
(more for human ones), with common random numbers per seed and row so runs are paired as a
real learner's are. Twins come from the rule-based `extractive` generator. The notebooks
read the runs by their keys, as after a real run.

Prints the seconds of generation and runs, of each notebook alone (with its HTML), of all
six side by side, the peak memory of a notebook kernel, and the smoke profile's six side by
side on the same machine for scale. Nothing is kept unless ``--keep`` (the home is printed).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
DEFAULT_DATA = REPO.parent / "shared" / "data"
NOTEBOOK_IDS = ("01", "02", "03", "04", "05", "06")


def _uniform(*parts: Any) -> float:
    """A uniform number in [0, 1) fixed by ``parts`` (the same in every process)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0 ** 64


SYNTHETIC_WORTH = 0.15
"""What a synthetic row is worth in human rows to :class:`SimulatedLearner`: h human points
are worth exactly h / 0.15 synthetic ones on any base, the truth the trade-off estimates."""


class SimulatedLearner:
    """A learner whose test accuracy is known: right on a row with probability ``skill``,
    0.55 + 0.35 (1 - exp(-(human + 0.15 synthetic) / 1500)) plus a seed effect (sd 0.01);
    the row's draw is shared by every run of a seed (paired runs). QA answers the gold
    answer when right and "no answer" else."""

    def __init__(self, task: str, seed: int = 0, **ignored: Any) -> None:
        self.task, self.seed = task, seed
        self.skill = math.nan
        self.fit_stats: dict[str, Any] = {}

    def fit(self, train: pd.DataFrame, valid: pd.DataFrame | None = None) -> "SimulatedLearner":
        synthetic = int(train["is_synthetic"].sum())
        human = len(train) - synthetic
        effect = np.random.default_rng(1000 + self.seed).normal(0.0, 0.01)
        worth = human + SYNTHETIC_WORTH * synthetic
        self.skill = 0.55 + 0.35 * (1 - math.exp(-worth / 1500)) + effect
        self.fit_stats = {"n_train": len(train), "skill": self.skill}
        return self

    def predict(self, rows: pd.DataFrame) -> list:
        right = [_uniform(self.seed, r) < self.skill for r in rows["row_id"].astype(str)]
        if self.task == "fv":
            return [int(g) if ok else 1 - int(g) for ok, g in zip(right, rows["label"])]
        return [str(g) if ok else "no answer" for ok, g in zip(right, rows["answer"])]

    def save(self, directory: Path) -> None:  # nothing worth keeping
        pass


def children_peak_mib() -> float:
    """The largest resident set of any finished child process so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def recovered(summary_path: Path) -> None:
    """Print each curve family's equivalent per base (notebook 06's, with its 95% interval)
    and the advisor's answer beside the simulation's truth."""
    summary = json.loads(summary_path.read_text())
    advice = summary["advisor"] or {}
    human = summary["tradeoff"]["human_points"]
    truth = human / SYNTHETIC_WORTH
    print(f"truth: +{human} human points = {truth:,.0f} synthetic points on every base")
    held = 0
    for row in advice.get("per_base") or []:
        low, high = (float(v) if v is not None else None for v in row["interval"])
        inside = low is not None and high is not None and low <= truth <= high
        held += inside
        shown = "no interval" if low is None or high is None else f"[{low:,.0f}, {high:,.0f}]"
        value = "none" if row["equivalent"] is None else f"{row['equivalent']:,.0f}"
        print(f"  base {row['base']:,}, {row['family']}: {value} {shown} "
              f"({'holds' if inside else 'does not hold'} the truth; {row['status']})")
    print(f"  {held} of {len(advice.get('per_base') or [])} intervals hold the truth; "
          f"chosen family {advice.get('chosen_family')}; advisor: {advice.get('headline')}")


def timed_report(report: Any, dataset: str, profile: Any, data_dir: str, notebooks: list[str],
                 out: Path) -> float:
    start = time.perf_counter()
    report.run_all(dataset, profile, data_dir=data_dir, notebooks=notebooks, html=True,
                   output_dir=out, force_notebooks=True, plotlyjs="shared")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="fever")
    parser.add_argument("--data-dir", default=os.environ.get("LITTLEHUMAN_DATA_DIR",
                                                             str(DEFAULT_DATA)))
    parser.add_argument("--home", help="work here (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the home")
    parser.add_argument("--alone", default=",".join(NOTEBOOK_IDS),
                        help="the notebooks to time one at a time (comma-separated ids)")
    args = parser.parse_args()
    home = Path(args.home or tempfile.mkdtemp(prefix="report_scale."))
    os.environ["LITTLEHUMAN_HOME"] = str(home)
    os.environ["LITTLEHUMAN_DATA_DIR"] = args.data_dir

    from littlehuman import config, experiments, learners, report
    from littlehuman.study import Study

    # the majority learner's slot, filled in this process only (jobs 1 trains in process)
    learners.LEARNERS["majority"] = f"{__name__}:SimulatedLearner"
    paper = config.profile("paper", generator="extractive", learner="majority")
    smoke = config.profile("smoke")
    study = Study.create(args.dataset, paper, data_dir=args.data_dir)
    print(f"{args.dataset}, paper profile: n = {study.n:,}, {study.n_test:,} test rows, "
          f"{len(paper.seeds)} seeds; home {home}", flush=True)

    start = time.perf_counter()
    runs = 0
    for experiment in experiments.for_notebooks(list(NOTEBOOK_IDS)):
        runs += experiment.prepare(study, progress=False)["runs"].get("ran", 0)
    print(f"twins and {runs} runs: {time.perf_counter() - start:.0f} s", flush=True)

    out = home / "outputs"
    alone = {}
    for nb in [n for n in args.alone.split(",") if n]:
        alone[nb] = timed_report(report, args.dataset, paper, args.data_dir, [nb], out)
        print(f"  notebook {nb} alone: {alone[nb]:.0f} s (kernel peak so far "
              f"{children_peak_mib():.0f} MiB)", flush=True)
    together = timed_report(report, args.dataset, paper, args.data_dir, list(NOTEBOOK_IDS), out)
    peak = children_peak_mib()
    recovered(out / args.dataset / "paper" / "summary.json")
    timed_report(report, args.dataset, smoke, args.data_dir, list(NOTEBOOK_IDS), out)  # trains
    smoke_s = timed_report(report, args.dataset, smoke, args.data_dir, list(NOTEBOOK_IDS), out)
    print(f"\n{args.dataset}: paper profile's six notebooks side by side {together:.0f} s "
          f"(one at a time, summed: {sum(alone.values()):.0f} s); smoke profile's six "
          f"{smoke_s:.0f} s: ratio {together / smoke_s:.1f}x; largest child process "
          f"{peak:.0f} MiB; {os.cpu_count()} cores")
    if not args.keep and not args.home:
        shutil.rmtree(home, ignore_errors=True)
    else:
        print(f"kept: {home}")


if __name__ == "__main__":
    main()
