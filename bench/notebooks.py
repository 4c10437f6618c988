"""The notebooks of one finished run, executed one after another vs side by side.

    python bench/notebooks.py [--home DIR] [--dataset fever] [--profile smoke] [--repeats 2]

``run_all.py`` does the expensive work first, then executes the six notebooks, which only read
the caches; since 2026-12-01 it runs them side by side (``report.stage_notebooks``, one kernel
per core, at most 4). This bench makes a finished smoke run of the dataset in a temporary home
(or reads the one in ``--home``), then executes all six notebooks with their HTML into a
scratch folder, alternating one worker and the default, ``--repeats`` times each, and prints
the seconds of each and the ratio. Nothing is kept. The machine's load average is printed:
compare the ratio of one run, not seconds across runs.
"""
from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
DEFAULT_DATA = REPO.parent / "shared" / "data"


def finished_run(home: Path, dataset: str, profile: str, data_dir: Path) -> None:
    """Run ``run_all.py`` for ``dataset`` in ``home`` (a no-op when it is finished there)."""
    env = {**os.environ, "LITTLEHUMAN_HOME": str(home), "LITTLEHUMAN_DATA_DIR": str(data_dir)}
    proc = subprocess.run([sys.executable, str(REPO / "run_all.py"), "--dataset", dataset,
                           "--profile", profile, "--no-html"], env=env, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"run_all.py failed: {proc.stderr[-2000:]}")


def timed(workers: int, names: list[str], params: dict, scratch: Path) -> float:
    """Seconds to execute ``names`` (with HTML) with ``workers`` at once; nothing is kept."""
    from littlehuman import report

    start = time.perf_counter()
    with report.kernel_sockets() as sockets, report.kernel_environment():
        staged = report.stage_notebooks(names, scratch, params, True, sockets, workers=workers)
    seconds = time.perf_counter() - start
    report.discard(staged)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, help="a project root with the finished run "
                    "(default: a temporary one, made first)")
    ap.add_argument("--dataset", default="fever")
    ap.add_argument("--profile", default="smoke")
    ap.add_argument("--data-dir", type=Path,
                    default=Path(os.environ.get("LITTLEHUMAN_DATA_DIR") or DEFAULT_DATA))
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="lh-bench-notebooks-"))
    try:
        finished_run(home, args.dataset, args.profile, args.data_dir)
        os.environ["LITTLEHUMAN_HOME"] = str(home)
        from littlehuman import report

        names = list(report.NOTEBOOKS.values())
        params = {"dataset": args.dataset, "profile": args.profile,
                  "data_dir": str(args.data_dir.resolve()), "overrides": "{}", "custom": "{}"}
        scratch = Path(tempfile.mkdtemp(prefix="lh-bench-notebooks-out-"))
        default = report.notebook_workers(len(names))
        for module in ("papermill", "nbconvert"):  # here, not in the first timed run: the
            importlib.import_module(module)        # 1-worker baseline paid ~1 CPU-s for them
        print(f"{len(names)} notebooks of {args.dataset} ({args.profile}), load average "
              f"{os.getloadavg()[0]:.2f}; default workers here: {default}", flush=True)
        seconds: dict[int, list[float]] = {1: [], default: []}
        for _ in range(args.repeats):
            for workers in (1, default):
                seconds[workers].append(timed(workers, names, params, scratch))
                print(f"  {workers} worker(s): {seconds[workers][-1]:.1f} s", flush=True)
        shutil.rmtree(scratch, ignore_errors=True)
        one, side = statistics.median(seconds[1]), statistics.median(seconds[default])
        print(f"median: one after another {one:.1f} s, {default} side by side {side:.1f} s: "
              f"{one / side:.2f}x (load average now {os.getloadavg()[0]:.2f})")
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
