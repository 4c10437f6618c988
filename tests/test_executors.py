"""Executors: local workers pinned to GPUs, the submitit path (run with submitit's LOCAL
cluster, no SLURM needed), requeue after preemption, resubmission after a killed task, and
the SLURM parameters built from a profile. Rows are invented fixtures (tests/helpers)."""
from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import submitit
from filelock import FileLock

from littlehuman import config, executors
from littlehuman.errors import LittleHumanError
from littlehuman.executors import LocalExecutor, SlurmExecutor, make_executor, visible_gpus
from littlehuman.executors import _claim, claim_path, claim_runs, current_claim, live_claims
from littlehuman.executors import live_jobs, run_missing, submitted_job
from littlehuman.runs import RunSpec, RunStore

HELPERS = Path(__file__).parent / "helpers"
sys.path.insert(0, str(HELPERS))
import flaky_run  # noqa: E402
from polling import heartbeat_state, wait_until  # noqa: E402
import sweep_worker  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


@pytest.fixture()
def child_path(monkeypatch):
    """Let submitit's and the pool's child processes import the helpers by name; wait 1 s,
    not submitit's 15 s (meant for slow shared filesystems), for a dead task's result file."""
    monkeypatch.setattr(submitit.local.local.LocalJob, "_results_timeout_s", 1)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(HELPERS)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))


@pytest.fixture(autouse=True)
def no_cluster_name(monkeypatch):
    """Claims here name no SLURM cluster unless a test says so: this machine's scontrol is not
    asked (9 s a call where SLURM is installed but stopped)."""
    monkeypatch.setattr(executors, "_CLUSTER_NAME", [""])
    monkeypatch.setattr(executors, "_CLUSTER_NAME_FAILED", [])


def _specs(fractions=(0.0, 0.5, 1.0), seeds=(0,)) -> list[RunSpec]:
    return [RunSpec.make("toyfv", "sweep", 20, f, s, "fixture", "majority")
            for s in seeds for f in fractions]


def _local_slurm(tmp_path: Path, **kw) -> SlurmExecutor:
    """The submitit path on submitit's local cluster (one process per task)."""
    return SlurmExecutor(gpus_per_job=0, cpus_per_job=1, folder=tmp_path / "slurm",
                         cluster="local", **{"poll_s": 0.2, **kw})


def _finished(marker_dir: Path) -> list[str]:
    log = marker_dir / "finished.log"
    return log.read_text().split() if log.exists() else []


def _assert_stored_once(store: RunStore, specs: list[RunSpec]) -> None:
    records = sorted(store.root.rglob("record.json"))
    assert len(records) == len(specs) and all(store.has(s) for s in specs)
    assert sorted(p.parent.name for p in records) == sorted(s.key() for s in specs)


def test_make_executor_picks_and_rejects():
    local = make_executor(config.profile("smoke", jobs=3))
    assert isinstance(local, LocalExecutor) and local.jobs == 3
    slurm = make_executor(config.profile("paper", executor="slurm", slurm_partition="gpu"))
    assert isinstance(slurm, SlurmExecutor) and slurm.partition == "gpu"
    with pytest.raises(LittleHumanError, match="choose one of local, slurm"):
        make_executor(config.profile("smoke", executor="kubernetes"))
    with pytest.raises(LittleHumanError, match="jobs"):
        LocalExecutor(jobs=0)


def test_local_slots_one_worker_per_gpu(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert LocalExecutor(jobs=1, gpus=2).slots() == ["0", "1"]
    assert LocalExecutor(jobs=3, gpus=2).slots() == ["0", "1", "0"]
    assert LocalExecutor(jobs=1, gpus=1).slots() == [None]
    assert LocalExecutor(jobs=3, gpus=1).slots() == [None, None, None]  # one GPU: the workers share it
    assert LocalExecutor(jobs=2, gpus=0).slots() == [None, None]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3, 5,6")
    assert visible_gpus(2) == ["3", "5"]
    assert LocalExecutor(jobs=1, gpus=2).slots() == ["3", "5"]


def test_local_workers_no_more_than_runs_or_cores(monkeypatch):
    """--jobs 1000 on a 2-core machine starts 2 workers and says so; 3 runs start 3 at most;
    GPU slots are not capped by the cores."""
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(executors, "usable_cores", lambda: 2)
    slots, note = LocalExecutor(jobs=1000, gpus=0).workers(runs=40)
    assert slots == [None, None]
    assert note == "--jobs 1000 is more than the 2 core(s) this process may use: training 2 at once"
    assert LocalExecutor(jobs=2, gpus=0).workers(runs=40) == ([None, None], None)
    assert LocalExecutor(jobs=2, gpus=0).workers(runs=1) == ([None], None)
    assert LocalExecutor(jobs=4, gpus=4).workers(runs=3) == (["0", "1", "2"], None)


def test_local_workers_are_pinned_to_gpus(tmp_path, monkeypatch, child_path):
    """Two (pretend) GPUs: two spawned workers, each run sees one CUDA_VISIBLE_DEVICES."""
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs(seeds=(0, 1))
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run,
                       executor=LocalExecutor(jobs=1, gpus=2))
    assert counts == {"skipped": 0, "ran": 6}
    seen = {store.get(s)["cuda_visible_devices"] for s in specs}
    assert seen and seen <= {"0", "1"}
    _assert_stored_once(store, specs)


def test_slurm_path_runs_into_store_and_skips_stored(tmp_path, child_path):
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs()
    serial = RunStore(tmp_path / "serial")
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    run_missing(specs[:1], real, synthetic, store, progress=False, run=run)
    backend = _local_slurm(tmp_path)
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run, executor=backend)
    assert counts == {"skipped": 1, "ran": 2}
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # the stored one was not resubmitted
    _assert_stored_once(store, specs)
    run_missing(specs, real, synthetic, serial, progress=False, run=run)
    for spec in specs:  # a task's result equals an in-process run's
        assert store.get(spec)["metrics"] == serial.get(spec)["metrics"]
        assert store.get(spec)["hostname"]
    sweeps = list((tmp_path / "slurm").iterdir())
    assert len(sweeps) == 1 and not (sweeps[0] / "inputs.pkl").exists()  # inputs removed on success
    assert run_missing(specs, real, synthetic, store, progress=False, run=run,
                     executor=backend) == {"skipped": 3, "ran": 0}
    assert len(list((tmp_path / "slurm").iterdir())) == 1  # nothing submitted


def test_killed_task_is_resubmitted_and_finishes(tmp_path, child_path):
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs()
    victim = specs[1].key()
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), victims=(victim,))
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run,
                       executor=_local_slurm(tmp_path, retries=1))
    assert counts == {"skipped": 0, "ran": 3}
    assert (tmp_path / f"{victim}.first").exists()  # the first attempt did die
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)
    _assert_stored_once(store, specs)
    # each task beat beside its own claim: the killed one's last word was "running"
    beats = {(spec.key(), generation): json.loads(executors.heartbeat_path(
                 claim_path(store, spec, generation)).read_text())
             for spec in specs for generation in (0, 1)
             if executors.heartbeat_path(claim_path(store, spec, generation)).exists()}
    assert sorted(beats) == sorted([(s.key(), 0) for s in specs] + [(victim, 1)])
    assert [key for key, beat in beats.items() if beat["state"] != "ended"] == [(victim, 0)]
    assert beats[(victim, 0)]["state"] == "running"
    for (key, generation), beat in beats.items():
        claim = json.loads(claim_path(store, specs[[s.key() for s in specs].index(key)],
                                      generation).read_text())
        assert beat["job_id"] == claim["job_id"]


def test_a_run_another_sweep_stored_after_this_ones_task_died_is_not_counted_ran(
        tmp_path, child_path, monkeypatch):
    """A reviewer: this sweep's task died, another sweep claimed the run and stored it, and
    the retry only waited for it; "ran" (summary.json's runs_trained) still counted it."""
    real, synthetic = sweep_worker.fixture_rows()
    store, (spec,) = RunStore(tmp_path / "store"), _specs(fractions=(0.0,))
    claim_first, rounds = executors.claim_runs, []
    (tmp_path / "b").mkdir()  # sweep B's own markers

    def other_sweep_takes_over(store_, specs, sweep):
        rounds.append(sweep)
        if len(rounds) == 2:  # after this sweep's task died: sweep B claims the run, trains it
            generation, _ = current_claim(store_, spec)
            claim_path(store_, spec, generation + 1).write_text(json.dumps(
                {"sweep": "sweep-B", "host": socket.gethostname(), "pid": os.getpid(),
                 "claimed": time.time()}))
        mine, theirs = claim_first(store_, specs, sweep)
        if len(rounds) == 2:
            store.write(spec, *flaky_run.flaky_run(spec, real, synthetic,
                                                   marker_dir=str(tmp_path / "b")))
        return mine, theirs

    monkeypatch.setattr(executors, "claim_runs", other_sweep_takes_over)
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), victims=(spec.key(),),
                            mode="kill")
    counts = run_missing([spec], real, synthetic, store, progress=False, run=run,
                         executor=_local_slurm(tmp_path, retries=1))
    assert counts == {"skipped": 1, "ran": 0} and len(rounds) == 2
    assert _finished(tmp_path) == []  # this sweep's task never finished it


def test_killed_task_without_retries_is_reported(tmp_path, child_path):
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs(fractions=(0.0, 0.5))
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), victims=(specs[0].key(),))
    with pytest.raises(LittleHumanError, match="1 of 2 runs failed after 1 attempt.*rerun"):
        run_missing(specs, real, synthetic, store, progress=False, run=run,
                  executor=_local_slurm(tmp_path, retries=0))
    assert not store.has(specs[0]) and store.has(specs[1])
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run,
                       executor=_local_slurm(tmp_path, retries=0))
    assert counts == {"skipped": 1, "ran": 1}
    _assert_stored_once(store, specs)


def test_a_retry_resubmits_its_own_failed_runs_though_the_scheduler_still_lists_them(
        tmp_path, child_path, monkeypatch):
    """Both runs raise at every attempt, retries=1: each is submitted twice, then one error
    about the runs themselves. On a real SLURM sacct still reported a task that had just
    raised as RUNNING or COMPLETING when the retry claimed the runs (2 of 4 tries): the sweep
    took its own jobs for another sweep's ("2 run(s) are being trained by another sweep
    (75_0, 75_1)"), resubmitted nothing and ended with "job 75_1 of another sweep ended
    without its record". Here the scheduler's lag is a job process reported alive the first
    time it is asked about."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs(fractions=(0.0, 0.5))
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), mode="raise",
                            victims=tuple(s.key() for s in specs))
    asked: set[str] = set()
    process_runs = executors._process_runs

    def lagging(pid: str) -> bool:
        if pid not in asked:
            asked.add(pid)
            return True
        return process_runs(pid)

    monkeypatch.setattr(executors, "_process_runs", lagging)
    with pytest.raises(LittleHumanError, match="2 of 2 runs failed after 2 attempt") as caught:
        run_missing(specs, real, synthetic, store, progress=False, run=run,
                    executor=_local_slurm(tmp_path, retries=1))
    assert "another sweep" not in str(caught.value)
    assert sorted((tmp_path / "attempts.log").read_text().split()) == sorted(
        [s.key() for s in specs] * 2)  # each run submitted twice: resubmitted once
    # the run's own error and the task's log (it named the .out log's path as the error)
    assert re.search(r"RuntimeError: no memory left for run \w+ \(log \S+_log\.err\)",
                     str(caught.value)), str(caught.value)


def test_rerun_waits_for_the_live_jobs_of_an_interrupted_sweep(tmp_path, child_path, capsys):
    """A sweep whose jobs still run (its call was interrupted; the jobs go on) and the same
    command again: the rerun submits only the run no live job holds, waits for the others'
    records, and every run is trained once."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs()
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), sleep_s=4)
    first = threading.Thread(target=run_missing, args=(specs[:2], real, synthetic, store),
                             kwargs=dict(progress=False, run=run, executor=_local_slurm(tmp_path)),
                             daemon=True)
    first.start()
    deadline = time.monotonic() + 30
    while not all(submitted_job(store, s) for s in specs[:2]) and time.monotonic() < deadline:
        time.sleep(0.05)
    held = [submitted_job(store, s) for s in specs[:2]]
    assert live_jobs(held) == {h["job_id"] for h in held}
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run,
                         executor=_local_slurm(tmp_path))
    first.join(timeout=60)
    assert counts == {"skipped": 2, "ran": 1}
    assert "2 run(s) are being trained by another sweep" in capsys.readouterr().out
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # each trained once
    _assert_stored_once(store, specs)
    assert not live_jobs(submitted_job(store, s) for s in specs)  # all ended


def test_rerun_of_runs_all_held_by_live_jobs_submits_nothing(tmp_path, child_path, capsys):
    """The same sweep again while all its runs are still being trained by the first one's jobs:
    nothing is submitted and no (empty) sweep folder is left behind."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs(fractions=(0.0, 1.0))
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), sleep_s=3)
    first = threading.Thread(target=run_missing, args=(specs, real, synthetic, store),
                             kwargs=dict(progress=False, run=run, executor=_local_slurm(tmp_path)),
                             daemon=True)
    first.start()
    deadline = time.monotonic() + 30
    while not all(submitted_job(store, s) for s in specs) and time.monotonic() < deadline:
        time.sleep(0.05)
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run,
                         executor=_local_slurm(tmp_path))
    first.join(timeout=60)
    assert counts == {"skipped": 2, "ran": 0}
    assert "2 run(s) are being trained by another sweep" in capsys.readouterr().out
    assert len(list((tmp_path / "slurm").iterdir())) == 1  # the first sweep's folder only
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)
    _assert_stored_once(store, specs)


def test_two_sweeps_started_at_once_train_each_run_once(tmp_path, child_path):
    """Two SLURM sweeps of the same runs started together (a notebook and run_all, say): each
    run is claimed by one of them, the other waits for it; each run is trained once."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs(seeds=(0, 1))
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), sleep_s=1)
    start, results = threading.Barrier(2), []

    def sweep() -> None:
        start.wait()
        results.append(run_missing(specs, real, synthetic, store, progress=False, run=run,
                                   executor=_local_slurm(tmp_path)))

    threads = [threading.Thread(target=sweep, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2 and sum(r["ran"] for r in results) == len(specs)
    assert all(r["ran"] + r["skipped"] == len(specs) for r in results)
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # each trained once
    _assert_stored_once(store, specs)


_CLAIMER = """
import json, sys, time
from littlehuman.executors import claim_runs
from littlehuman.runs import RunSpec, RunStore
root, sweep, at = sys.argv[1], sys.argv[2], float(sys.argv[3])
specs = [RunSpec.make("toyfv", "sweep", 20, 0.0, s, "fixture", "majority") for s in range(40)]
while time.time() < at:
    time.sleep(0.001)
mine, theirs = claim_runs(RunStore(root), specs, sweep)
print(json.dumps(sorted(s.key() for s in mine)), flush=True)
sys.stdin.read()  # alive until every claimer has claimed: a dead sweep's claims are free
"""


def test_claims_are_exclusive_across_processes(tmp_path):
    """Four processes claim the same 40 runs at the same instant, half of which hold a dead
    claim (a job that ended without its record): every run is claimed by exactly one, the
    dead claims are taken over as the next generation, and no claim is left half written."""
    store = RunStore(tmp_path / "store")
    specs = [RunSpec.make("toyfv", "sweep", 20, 0.0, s, "fixture", "majority") for s in range(40)]
    dead = {"job_id": "999999999", "cluster": "local", "host": "elsewhere", "folder": "."}
    for spec in specs[::2]:
        path = claim_path(store, spec)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dead))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parents[1] / "lib")] + os.environ.get("PYTHONPATH", "").split(os.pathsep))}
    at = time.time() + 3
    procs = [subprocess.Popen([sys.executable, "-c", _CLAIMER, str(store.root), f"sweep{i}", str(at)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
             for i in range(4)]
    claimed = [json.loads(proc.stdout.readline() or "null") for proc in procs]
    for proc in procs:  # (one that started late, once another had exited, took its claims)
        proc.communicate(timeout=60)
    assert all(proc.returncode == 0 for proc in procs)
    everyone = [key for keys in claimed for key in keys]
    assert sorted(everyone) == sorted(s.key() for s in specs)  # each run once, none lost
    for spec in specs:
        generation, claim = current_claim(store, spec)
        assert generation == (1 if spec in specs[::2] else 0)
        assert claim["sweep"] in {f"sweep{i}" for i in range(4)} and not claim.get("job_id")
        assert spec.key() in claimed[int(claim["sweep"][-1])]
    assert not [p for p in store.root.rglob("*.tmp")]


def test_slurm_claims_and_local_locks_respect_each_other(tmp_path):
    """A local sweep does not train a run a live SLURM claim holds (and trains it once that
    claim is dead); a SLURM sweep does not claim a run a local sweep holds the lock of."""
    store = RunStore(tmp_path / "store")
    spec, other = _specs(fractions=(0.0, 1.0))
    path = claim_path(store, spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"sweep": "theirs", "host": socket.gethostname(),
                                "pid": os.getpid(), "claimed": time.time()}))
    assert _claim(store, spec, block=False) == ("busy", None)  # claimed, not yet submitted
    path.write_text(json.dumps({"sweep": "theirs", "host": socket.gethostname(), "pid": 0}))
    state, lock = _claim(store, spec, block=False)  # its sweep's process is gone
    assert state == "mine" and lock.is_locked
    held_by_another = FileLock(str(store.beside(other, ".lock")))
    held_by_another.acquire()
    try:
        mine, theirs = claim_runs(store, [spec, other], "sweep-b")
    finally:
        lock.release()
        held_by_another.release()
    assert list(theirs) == [spec, other] and not mine  # both runs held by local locks
    assert current_claim(store, other) == (-1, None)  # the claim it made was taken back
    assert live_claims(list(theirs.values())) == [False, False]  # both locks released now


def test_a_sweep_that_cannot_submit_releases_its_claims(tmp_path, monkeypatch):
    """Submitting the array fails: the error reaches the caller and the sweep's claims are
    gone, so another sweep need not wait for them to age."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs()

    def refuse(*args, **kwargs):
        raise RuntimeError("the submission broke")

    monkeypatch.setattr(submitit.AutoExecutor, "map_array", refuse)
    with pytest.raises(RuntimeError, match="the submission broke"):
        run_missing(specs, real, synthetic, store, progress=False, executor=_local_slurm(tmp_path))
    assert all(current_claim(store, s) == (-1, None) for s in specs)


@pytest.mark.parametrize("says", [
    "sbatch: error: invalid partition specified: nosuch\n"
    "sbatch: error: Batch job submission failed: Invalid partition name specified",
    "sbatch: error: Invalid generic resource (gres) specification",
    "sbatch: error: Memory specification can not be satisfied\n"
    "sbatch: error: Batch job submission failed: Requested node configuration is not available",
], ids=["partition", "gres", "memory"])
def test_an_array_sbatch_refuses_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, says):
    """sbatch refuses the array (what a real one-node SLURM answered to --slurm-partition
    nosuch, --slurm-gpus-per-job 1 without GRES and --slurm-mem-gb 64 on a 24 GB node):
    one line with sbatch's words and the flags to check, the claims released, no sweep
    folder left. It was submitit's FailedJobError as a traceback (run_all exited 1), and each
    try left a sweep folder holding the pickled inputs."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs()

    def refuse(*args, **kwargs):
        raise submitit.core.utils.FailedJobError(says)

    monkeypatch.setattr(submitit.AutoExecutor, "map_array", refuse)
    with pytest.raises(LittleHumanError, match="sbatch refused the array of 3 run") as caught:
        run_missing(specs, real, synthetic, store, progress=False, executor=_local_slurm(tmp_path))
    message = str(caught.value)
    assert "\n" not in message and "--slurm-partition" in message
    assert says.splitlines()[-1].split("error: ")[1] in message
    assert all(current_claim(store, s) == (-1, None) for s in specs)
    assert list((tmp_path / "slurm").iterdir()) == []



def test_an_sbatch_the_controller_did_not_answer_says_rerun(tmp_path, monkeypatch):
    """A reviewer: a transient 'Socket timed out' from the controller read as a bad flag."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs()

    def timed_out(*args, **kwargs):
        raise submitit.core.utils.FailedJobError(
            "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation")

    monkeypatch.setattr(submitit.AutoExecutor, "map_array", timed_out)
    with pytest.raises(LittleHumanError, match="did not answer in time: rerun") as caught:
        run_missing(specs, real, synthetic, store, progress=False, executor=_local_slurm(tmp_path))
    assert "--slurm-partition" not in str(caught.value)


def test_a_store_without_hard_links_is_one_line(tmp_path, monkeypatch):
    """A filesystem that refuses hard links (some SMB mounts) cannot hold claims: one
    actionable error naming the folder, no claim or temp file left."""
    def refuse(src, dst):
        raise PermissionError(errno.EPERM, "Operation not permitted", dst)

    monkeypatch.setattr(os, "link", refuse)
    store = RunStore(tmp_path / "store")
    with pytest.raises(LittleHumanError, match="needs a shared filesystem with hard links"):
        claim_runs(store, _specs(), "sweep-a")
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_an_unsubmitted_claim_lives_while_its_sweep_does():
    """A claim not yet submitted: live while its sweep's process runs here; from another host,
    for UNREPORTED_GRACE_S; an unreadable claim is dead."""
    here, now = socket.gethostname(), time.time()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert live_claims([
        {"sweep": "a", "host": here, "pid": os.getpid(), "claimed": now},
        {"sweep": "b", "host": here, "pid": child.pid, "claimed": now},
        {"sweep": "c", "host": "elsewhere", "pid": 1, "claimed": now - 5},
        {"sweep": "d", "host": "elsewhere", "pid": 1, "claimed": now - 1e6},
        {},
    ]) == [True, False, True, False, False]


def test_a_claim_is_not_held_by_a_later_process_with_its_pid():
    """An unsubmitted claim names its process by pid and start: after a reboot, or in a
    container whose pids count from 1, a later process given the same pid does not keep the
    claim alive (the sweeps would wait for it forever); a claim made before starts were
    recorded goes by the pid alone."""
    here, now, pid = socket.gethostname(), time.time(), os.getpid()
    started = executors.process_started(pid)
    assert started and started == executors.process_started(pid)
    boot, ticks = started.rsplit(":", 1)
    mine = {"sweep": "a", "host": here, "pid": pid, "claimed": now}
    assert live_claims([
        {**mine, "pid_started": started},
        {**mine, "pid_started": f"{boot}:{int(ticks) - 1}"},  # an earlier process, this boot
        {**mine, "pid_started": f"another-boot:{ticks}"},  # the same tick before a reboot
        mine,
    ]) == [True, False, False, True]
    assert executors.process_started(2 ** 22 + 1) == ""  # above any pid_max: no such process


def test_a_claim_from_another_pid_namespace_is_judged_by_its_age():
    """Two containers on one host may share its name, and their sweeps are often both pid 1:
    each read the other's pid in its own namespace and took a live claim for dead (a
    reviewer, with unshare). A claim made in another pid namespace lives for
    UNREPORTED_GRACE_S, as one made on another host; one without a namespace (older) goes by
    its pid."""
    here, now, pid = socket.gethostname(), time.time(), os.getpid()
    ours = executors.pid_namespace()
    assert ours.startswith("pid:[")
    elsewhere = {"sweep": "a", "host": here, "pid": 2 ** 22 + 1, "pid_namespace": "pid:[1]"}
    assert live_claims([
        {**elsewhere, "claimed": now - 5},
        {**elsewhere, "claimed": now - 1e6},
        {**elsewhere, "pid": pid, "pid_namespace": ours, "claimed": now - 1e6},
        {"sweep": "a", "host": here, "pid": 2 ** 22 + 1, "claimed": now},
    ]) == [True, False, True, False]


def test_a_claim_records_its_process_start(tmp_path):
    """claim_runs writes the claiming process's start beside its pid."""
    store = RunStore(tmp_path / "runs")
    spec = RunSpec.make("toyfv", "sweep", 20, 0.0, 0, "fixture", "majority")
    mine, theirs = claim_runs(store, [spec], "sweep-a")
    claim = json.loads(claim_path(store, spec, mine[spec]).read_text())
    assert not theirs and claim["pid"] == os.getpid()
    assert claim["pid_started"] == executors.process_started(os.getpid()) != ""
    assert claim["pid_namespace"] == executors.pid_namespace() != ""


def _fake_squeue(folder: Path, monkeypatch, stdout: str = "", stderr: str = "", rc: int = 0) -> Path:
    """An ``squeue`` first on PATH that prints ``stdout`` and ``stderr``, exits ``rc`` and
    appends its arguments to ``<folder>/squeue.calls``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "squeue.out").write_text(stdout)
    (folder / "squeue.err").write_text(stderr)
    script = folder / "squeue"
    script.write_text(f"""#!/bin/sh
echo "$@" >> '{folder / "squeue.calls"}'
cat '{folder / "squeue.out"}'
cat '{folder / "squeue.err"}' >&2
exit {rc}
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return folder / "squeue.calls"


def test_a_claim_lives_as_long_as_the_scheduler_says(tmp_path, monkeypatch):
    """SLURM claims: live while sacct reports a live state; a job neither sacct nor squeue can
    report (no controller either, while slurmd runs its jobs on) is live until its task writes
    its result (it had counted as dead 10 minutes after submission: a local sweep then
    trained its run beside it); a local job is its process on this host."""
    _fake_squeue(tmp_path / "bin", monkeypatch, stderr="squeue: error: Unable to contact slurm controller", rc=1)
    states = {"11_0": "RUNNING", "11_1": "PENDING", "11_2": "COMPLETED", "11_3": "CANCELLED by 5"}
    calls = []
    monkeypatch.setattr(submitit.SlurmJob.watcher, "update", lambda: calls.append(1))
    monkeypatch.setattr(submitit.SlurmJob.watcher, "get_state",
                        lambda job_id, mode="standard": states.get(job_id, "UNKNOWN"))
    now = time.time()
    slurm = lambda job_id, age=0.0: {"job_id": job_id, "cluster": "slurm", "folder": ".",
                                     "submitted": now - age}
    ended = submitit.core.utils.JobPaths(tmp_path / "jobs", job_id="12_2").result_pickle
    ended.parent.mkdir(parents=True)
    ended.write_bytes(b"")  # the task raised: submitit wrote its result
    held = [slurm("11_0"), slurm("11_1", age=1e6), slurm("11_2"), slurm("11_3"),
            slurm("12_0", age=5), slurm("12_1", age=1e6),
            {**slurm("12_2", age=1e6), "folder": str(tmp_path / "jobs")}]
    assert live_jobs(held) == {"11_0", "11_1", "12_0", "12_1"}
    assert len(calls) == 1  # one sacct call for every claim
    here = {"cluster": "local", "host": socket.gethostname()}
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert live_jobs([{**here, "job_id": str(os.getpid())},
                      {**here, "job_id": str(os.getpid()), "host": "elsewhere"},
                      {**here, "job_id": str(child.pid)}]) == {str(os.getpid())}


def test_a_job_neither_sacct_nor_squeue_lists_is_dead(tmp_path, monkeypatch):
    """A pending array task cancelled by its id (scancel 137_5) never reaches sacct: on a real
    SLURM (22.05) its claim counted as live for the 10 minutes of UNREPORTED_GRACE_S, so the
    rerun of a killed sweep waited 641 s before training that run. squeue, asked about the
    jobs sacct does not list (one call), settles it: listed = its state, absent = dead."""
    monkeypatch.setattr(submitit.SlurmJob.watcher, "update", lambda: None)
    monkeypatch.setattr(submitit.SlurmJob.watcher, "get_state",
                        lambda job_id, mode="standard": {"11_0": "COMPLETED"}.get(job_id, "UNKNOWN"))
    calls = _fake_squeue(tmp_path / "bin", monkeypatch, stdout="12_1|PENDING\n12_0|RUNNING\n")
    now = time.time()
    held = [{"job_id": job_id, "cluster": "slurm", "folder": ".", "submitted": now - 5}
            for job_id in ("11_0", "12_0", "12_1", "12_5")]
    assert live_jobs(held) == {"12_0", "12_1"}  # 12_5: fresh, but SLURM holds it no more
    assert calls.read_text().split() == ["-h", "-r", "-o", "%i|%T", "-j", "12"]  # only sacct's unknowns
    _fake_squeue(tmp_path / "bin", monkeypatch, stderr="slurm_load_jobs error: Invalid job id specified", rc=1)
    assert live_jobs(held) == set()  # every id unknown to the controller
    _fake_squeue(tmp_path / "bin", monkeypatch, stderr="Unable to contact slurm controller", rc=1)
    assert live_jobs(held) == {"12_0", "12_1", "12_5"}  # no answer: fresh claims live on


def test_a_sweep_ends_when_slurm_forgets_a_pending_task(tmp_path, monkeypatch):
    """The sweep's own wait: a task cancelled while pending is UNKNOWN to submitit forever
    (never done), and on a real SLURM the sweep did not end in 150 s (it would not have).
    Now it ends with one error naming the job; the others' records are kept."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs()

    class Job:  # what the sweep reads of a submitit job
        def __init__(self, index: int) -> None:
            self.job_id = f"31_{index}"
            self.paths = submitit.core.utils.JobPaths(tmp_path / "slurm" / self.job_id, job_id=self.job_id)

        def done(self) -> bool:
            return self.job_id != "31_2"  # 31_2: cancelled while pending

        def result(self) -> str:
            return "stored"

    def submit(_executor, _fn, _stores, _inputs, _runs, submitted, _generations):
        for spec in submitted[:2]:  # the first two tasks ran and stored their runs
            store.write(spec, *flaky_run.flaky_run(spec, real, synthetic, marker_dir=str(tmp_path)))
        return [Job(i) for i in range(len(submitted))]

    monkeypatch.setattr(submitit.AutoExecutor, "map_array", submit)
    monkeypatch.setattr(submitit.SlurmJob.watcher, "update", lambda: None)
    monkeypatch.setattr(submitit.SlurmJob.watcher, "get_state",
                        lambda job_id, mode="standard": "UNKNOWN")
    _fake_squeue(tmp_path / "bin", monkeypatch, stderr="slurm_load_jobs error: Invalid job id specified", rc=1)
    executor = SlurmExecutor(cluster="slurm", gpus_per_job=0, folder=tmp_path / "slurm",
                             poll_s=0.05, retries=0)
    monkeypatch.setattr(SlurmExecutor, "submitit_executor",
                        lambda self, folder: submitit.AutoExecutor(folder=folder, cluster="debug"))

    def hung(*_args):
        raise TimeoutError("the sweep still waits for the forgotten task")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        with pytest.raises(LittleHumanError, match=r"1 of 3 runs failed.*job 31_2: SLURM no longer knows it"):
            run_missing(specs, real, synthetic, store, progress=False, executor=executor)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert [store.has(s) for s in specs] == [True, True, False]


def _warn_when_started(marker: Path) -> threading.Thread:
    """A thread that sends SIGUSR2 (SLURM's warning before preemption or the time limit) to
    the task whose pid ``marker`` will hold (flaky_run's ``preempt`` mode), once it does."""
    def warn() -> None:
        deadline = time.monotonic() + 60
        while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        if marker.exists():
            os.kill(int(marker.read_text()), signal.SIGUSR2)

    thread = threading.Thread(target=warn, daemon=True)
    thread.start()
    return thread


def _a_warned_sweep(tmp_path: Path) -> tuple:
    """Two runs whose first (the victim) waits at its first start for SLURM's warning, which
    a thread sends: rows, store, specs, the run callable, the victim's marker, the thread."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs(fractions=(0.0, 1.0))
    marker = tmp_path / f"{specs[0].key()}.first"
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path),
                            victims=(specs[0].key(),), mode="preempt")
    return real, synthetic, store, specs, run, marker, _warn_when_started(marker)


def test_preempted_task_is_checkpointed_and_requeued(tmp_path, child_path):
    """SIGUSR2 (SLURM's warning before preemption) -> submitit calls checkpoint() and requeues
    the same call; the rerun finishes the spec."""
    real, synthetic, store, specs, run, marker, thread = _a_warned_sweep(tmp_path)
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run,
                       executor=_local_slurm(tmp_path, retries=0))  # no resubmission: submitit requeued it
    thread.join(timeout=5)
    assert counts == {"skipped": 0, "ran": 2}
    assert marker.exists()
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)
    _assert_stored_once(store, specs)
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "slurm").rglob("*.err"))
    assert "caught signal sigusr2" in logs.lower() and "preempted" in logs.lower()


def test_a_preempted_task_with_a_short_limit_is_requeued(tmp_path, child_path):
    """With a limit of 10 minutes or less, submitit calls every warning a time-out, and a task
    at its time limit is not requeued: a preemption failed the run, with "raise
    --slurm-time-min". A warning long before the limit is now a preemption: requeued."""
    real, synthetic, store, specs, run, marker, thread = _a_warned_sweep(tmp_path)
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run,
                         executor=_local_slurm(tmp_path, retries=0, time_min=5))
    thread.join(timeout=5)
    assert counts == {"skipped": 0, "ran": 2}
    _assert_stored_once(store, specs)
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "slurm").rglob("*.err"))
    assert "this job is preempted" in logs and "timed-out" not in logs
    assert re.search(r"a warning after 0\.\d of 5 minutes: a preemption", logs)


def _handler(ran_s: float, limit_min: int) -> Any:
    """submitit's signal handler of a task that has run ``ran_s`` seconds of ``limit_min``."""
    from types import SimpleNamespace

    from submitit.core.job_environment import SignalHandler

    handler = SignalHandler(None, None, SimpleNamespace(_timeout_min=limit_min))
    handler._start_time = time.time() - ran_s
    return handler


def test_a_warning_is_the_limit_only_near_it(monkeypatch):
    """The rule judge_warnings_by_the_limit gives submitit's handler: the last WARNING_S +
    WARNING_EARLY_S seconds before the limit are the limit's, anything earlier a preemption
    (off SLURM, by the task's own clock)."""
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    window = executors.WARNING_S + executors.WARNING_EARLY_S
    assert executors._at_the_limit(_handler(240 * 60 - window + 5, 240))
    assert not executors._at_the_limit(_handler(240 * 60 - window - 30, 240))
    assert not executors._at_the_limit(_handler(0.8 * 240 * 60, 240))  # submitit: a time-out
    assert executors._at_the_limit(_handler(1, 1))  # a limit shorter than the window


def test_in_a_slurm_job_a_warning_is_judged_by_slurms_clock(tmp_path, monkeypatch, capsys):
    """In a SLURM job the task's own clock starts late (after a prolog, a container's start,
    the imports from a slow shared filesystem: a reviewer's 125 s on a real SLURM), so a real
    time-out looked like a preemption and was requeued at every limit. squeue's time used and
    limit decide; where squeue cannot say, submitit's own rule."""
    monkeypatch.setenv("SLURM_JOB_ID", "466")
    started_late = _handler(60, 5)  # the task's clock: 1 of 5 minutes
    calls = _fake_squeue(tmp_path / "bin", monkeypatch, stdout="466|4:05|5:00\n")
    assert executors._at_the_limit(started_late)  # SLURM: 245 s of 300
    assert calls.read_text().split() == ["-h", "-j", "466", "-o", "%A|%M|%l"]
    # the array task that keeps the array's id: squeue lists every task, a pending one first
    _fake_squeue(tmp_path / "bin", monkeypatch, stdout="467|0:00|5:00\n466|4:24|5:00\n")
    assert executors._at_the_limit(started_late)
    _fake_squeue(tmp_path / "bin", monkeypatch, stdout="466|1:00:00|4:00:00\n")
    assert not executors._at_the_limit(_handler(3500, 240))  # preempted after an hour of 4
    _fake_squeue(tmp_path / "bin", monkeypatch, stdout="466|3:57:00|4:00:00\n")
    assert executors._at_the_limit(_handler(60, 240))
    _fake_squeue(tmp_path / "bin", monkeypatch, stdout="467|3:57:00|4:00:00\n")  # not its own
    assert not executors._at_the_limit(_handler(60, 240))  # no line of its own: submitit's rule
    _fake_squeue(tmp_path / "bin", monkeypatch, stderr="Unable to contact slurm controller", rc=1)
    capsys.readouterr()
    assert executors._at_the_limit(_handler(60, 5))  # submitit's rule: under 10 min, always
    assert ("squeue could not say how long job 466 has run (no line of its own; it said: "
            "Unable to contact slurm controller): submitit's rule calls it the time limit") \
        in capsys.readouterr().err  # the task's log says why, for the next time it happens
    assert not executors._at_the_limit(_handler(60, 240))
    _fake_squeue(tmp_path / "bin", monkeypatch, stdout="466|1:00|UNLIMITED\n")
    assert not executors._at_the_limit(_handler(60, 240))  # no limit: submitit's rule


def test_slurm_times_are_read_in_every_form():
    assert [executors.slurm_seconds(t) for t in ("0:00", "3:05", "1:02:03", "2-01:00:00")] == [
        0, 185, 3723, 176400]
    for bad in ("UNLIMITED", "INVALID", "", "5", "1:2:3:4", "-1:00"):
        with pytest.raises(ValueError):
            executors.slurm_seconds(bad)


def test_slurm_parameters_from_profile(tmp_path, monkeypatch):
    prof = config.profile("paper", executor="slurm", slurm_partition="gpu-long",
                          slurm_gpus_per_job=2, slurm_cpus_per_job=12, slurm_mem_gb=96,
                          slurm_time_min=600, slurm_max_parallel=7)
    ex = SlurmExecutor.from_profile(prof)
    assert ex.parameters() == {
        "name": "littlehuman", "nodes": 1, "tasks_per_node": 1, "gpus_per_node": 2,
        "cpus_per_task": 12, "mem_gb": 96, "timeout_min": 600, "slurm_array_parallelism": 7,
        "slurm_partition": "gpu-long",
    }
    assert "slurm_partition" not in SlurmExecutor.from_profile(config.profile("paper")).parameters()

    bin_dir = tmp_path / "bin"  # a PATH with a stand-in srun: submitit's SLURM executor is built, never run
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(LittleHumanError, match="no SLURM cluster"):
        ex.submitit_executor(tmp_path / "jobs")
    (bin_dir / "srun").write_text("#!/bin/sh\nexit 1\n")
    (bin_dir / "srun").chmod(0o755)
    slurm = ex.submitit_executor(tmp_path / "jobs" / "%j")._executor
    params = slurm.parameters
    assert params["partition"] == "gpu-long" and params["array_parallelism"] == 7
    assert params["gpus_per_node"] == 2 and params["cpus_per_task"] == 12
    assert params["mem"] == "96GB" and params["time"] == 600
    sbatch = slurm._make_submission_file_text("python -m x", "uid")
    for line in ("#SBATCH --partition=gpu-long", "#SBATCH --gpus-per-node=2",
                 "#SBATCH --cpus-per-task=12", "#SBATCH --mem=96GB", "#SBATCH --time=600",
                 "#SBATCH --signal=USR2@"):
        assert line in sbatch


def test_a_failed_run_does_not_throw_away_the_runs_in_flight(tmp_path, child_path):
    """--jobs 2: one run fails at once while the other worker is still training; the failure
    is raised, but only after the other run, paid for, is stored (it was discarded)."""
    real, synthetic = sweep_worker.fixture_rows()
    bad = RunSpec.make("toyfv", "sweep", 20, 0.0, 0, "fixture", "no-such-learner")
    good = RunSpec.make("toyfv", "sweep", 20, 0.5, 0, "fixture", "sleepy", {"sleep_s": 3.0})
    store = RunStore(tmp_path)
    with pytest.raises(LittleHumanError, match="no-such-learner"):
        run_missing([bad, good], real, synthetic, store, run=sweep_worker.RUN,
                    executor=LocalExecutor(jobs=2, gpus=0), progress=False)
    assert store.has(good) and not store.has(bad)


ORPHANS = """
import sys
from littlehuman.executors import LocalExecutor, run_missing
from littlehuman.runs import RunSpec, RunStore
import sweep_worker
real, synthetic = sweep_worker.fixture_rows()
specs = [RunSpec.make("toyfv", "sweep", 20, f, 0, "fixture", "sleepy", {"sleep_s": 60.0})
         for f in (0.0, 1.0)]
run_missing(specs, real, synthetic, RunStore(sys.argv[1]), run=sweep_worker.RUN,
            executor=LocalExecutor(jobs=2, gpus=0), progress=False)
"""


def _children(pid: int) -> list[int]:
    """The live pool workers (``spawn_main``) whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if stat[0] != "Z" and int(stat[1]) == pid and b"spawn_main" in cmd:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc")
def test_pool_workers_leave_when_the_sweep_is_killed(tmp_path, child_path):
    """--jobs 2, the sweep's process SIGKILLed mid-run: its workers (orphans now, whose
    results nobody can store) leave within seconds instead of training on, then blocking
    forever holding their memory (and on a GPU machine, the GPU's)."""
    proc = subprocess.Popen([sys.executable, "-c", ORPHANS, str(tmp_path / "store")])
    workers: list[int] = []
    try:
        deadline = time.time() + 120
        while len(workers) < 2 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert len(workers) == 2, "the pool's two workers never started"
        time.sleep(3)  # into their runs
        proc.kill()
        proc.wait()
        # within seconds; later on a busy machine, where a worker may still be importing
        deadline = time.time() + 60
        while time.time() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
            time.sleep(0.2)
        left = [w for w in workers if Path(f"/proc/{w}").exists()]
        assert not left, f"workers {left} outlived the sweep"
    finally:
        proc.kill()
        for w in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(w, signal.SIGKILL)


def test_a_worker_killed_mid_run_is_one_line_error(tmp_path, child_path):
    """--jobs 2, a worker SIGKILLed mid-run (the out-of-memory killer): a LittleHumanError
    (one line from the CLI, not concurrent.futures' BrokenProcessPool traceback) that says
    what happened and what to do; a rerun does the rest."""
    real, synthetic = sweep_worker.fixture_rows()
    specs = _specs()
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path),
                            victims=(specs[0].key(),))
    store = RunStore(tmp_path / "store")
    with pytest.raises(LittleHumanError, match="worker process.*died.*rerun"):
        run_missing(specs, real, synthetic, store, run=run,
                    executor=LocalExecutor(jobs=2, gpus=0), progress=False)
    counts = run_missing(specs, real, synthetic, store, run=run, progress=False)
    assert counts["ran"] >= 1 and all(store.has(s) for s in specs)


def test_a_worker_killed_leaves_the_other_workers_runs_to_finish(tmp_path):
    """--jobs 2, one worker SIGKILLed while the other trains: the other's run is stored (one
    shared process pool had killed every worker with the dead one, and the rerun trained that
    run again: a reviewer's find)."""
    real, synthetic = sweep_worker.fixture_rows()
    victim, survivor = _specs(fractions=(0.0, 1.0))
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path),
                            victims=(victim.key(),), slow=(survivor.key(),), slow_s=3.0)
    store = RunStore(tmp_path / "store")
    with pytest.raises(LittleHumanError, match=r"died while training.*; 1 run\(s\) of this sweep"):
        run_missing([victim, survivor], real, synthetic, store, run=run,
                    executor=LocalExecutor(jobs=2, gpus=0), progress=False)
    assert store.has(survivor) and not store.has(victim)
    assert _finished(tmp_path) == [survivor.key()]


def test_a_run_that_cannot_be_claimed_lets_the_runs_in_flight_finish(tmp_path, monkeypatch):
    """A full disk when the third run's lock is made, while the second trains in a worker:
    the error is raised once the second is stored (it was killed with Ctrl-C's handling, and
    the rerun trained it again: a reviewer's find)."""
    from littlehuman import executors

    real, synthetic = sweep_worker.fixture_rows()
    specs = _specs()
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path),
                            slow=(specs[1].key(),), slow_s=3.0)
    claims, claim = [], executors._claim

    def full_disk_at_the_third(store, spec, block, **kw):
        claims.append(spec.key())
        if len(claims) == 3:
            raise OSError(28, "No space left on device", "x.lock")
        return claim(store, spec, block, **kw)

    monkeypatch.setattr(executors, "_claim", full_disk_at_the_third)
    store = RunStore(tmp_path / "store")
    with pytest.raises(OSError, match="No space left"):
        run_missing(specs, real, synthetic, store, run=run,
                    executor=LocalExecutor(jobs=2, gpus=0), progress=False)
    assert store.has(specs[0]) and store.has(specs[1]) and not store.has(specs[2])


def test_signals_are_held_until_a_slurm_submission_is_marked():
    """A reviewer: Ctrl-C between submitting an array and writing its job ids into the claims
    left claims naming a dead process, and the rerun submitted those runs again."""
    from littlehuman.executors import signals_deferred

    reached = False
    # as from a terminal: a suite started in the background (`nohup pytest ... &`) runs with
    # SIGINT ignored, and the signal delivered again after the block would be ignored too
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with signals_deferred():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)
                reached = True  # the block finishes first
    finally:
        signal.signal(signal.SIGINT, before)
    assert reached


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_an_interrupted_pool_stops_its_workers_before_their_locks_go():
    """A reviewer: SIGTERM to a `--jobs 2` sweep released its run locks while its workers
    trained on, so another sweep trained the same runs beside them."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from littlehuman.executors import _stop_workers

    pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"))
    pool.submit(_sleep, 60)
    deadline = time.time() + 30
    while not any(p.is_alive() for p in pool._processes.values()) and time.time() < deadline:
        time.sleep(0.05)
    workers = list(pool._processes.values())
    assert workers and all(_running(p.pid) for p in workers)
    start = time.time()
    _stop_workers(pool)
    assert time.time() - start < 10 and not any(_running(p.pid) for p in workers)


def test_a_pool_worker_that_ignores_sigterm_is_killed():
    """A worker that handles or ignores SIGTERM outlived the stop's wait and trained on once
    its run's lock was released (a reviewer's find: nothing escalated to SIGKILL)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from littlehuman.executors import _stop_workers

    pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"),
                               initializer=signal.signal, initargs=(signal.SIGTERM, signal.SIG_IGN))
    pool.submit(_sleep, 60)
    deadline = time.time() + 30
    while not any(p.is_alive() for p in pool._processes.values()) and time.time() < deadline:
        time.sleep(0.05)
    workers = list(pool._processes.values())
    time.sleep(1.0)  # past the initializer: SIGTERM is ignored from here on
    assert workers and all(_running(p.pid) for p in workers)
    start = time.time()
    try:
        _stop_workers(pool, grace_s=1.0)
        assert time.time() - start < 8 and not any(_running(p.pid) for p in workers)
    finally:  # a failing run leaves no worker behind
        for process in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether a process of this pid still runs (a zombie does not). Not `Process.is_alive()`:
    the pool's manager thread reaps a terminated worker too, and while it has reaped it but
    not yet stored its exit code, `is_alive()` in another thread says True (it failed this
    test about 1 run in 6 beside two busy processes; the worker was gone from /proc)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_a_retry_waits_for_its_own_task_that_has_not_ended(tmp_path, monkeypatch):
    """A reviewer, on a real SLURM: `scontrol suspend` on a sweep's running task made submitit
    call it done without a result; the retry took over the sweep's own claim, resubmitted the
    run, and the resumed task trained it too (twice). The sweep's own claim is taken over only
    once its task wrote its result (returned or raised), else waited for while alive."""
    from types import SimpleNamespace

    from littlehuman.executors import mark_submitted

    store, spec = RunStore(tmp_path / "store"), _specs()[0]
    mine, _ = claim_runs(store, [spec], "sweep-a")
    folder = tmp_path / "slurm" / "sweep-a" / "41_0"
    job = SimpleNamespace(job_id="41_0", paths=SimpleNamespace(folder=folder))
    mark_submitted(store, spec, job, "slurm", mine[spec])
    monkeypatch.setattr(executors, "live_claims", lambda claims: [True] * len(claims))
    mine, theirs = claim_runs(store, [spec], "sweep-a")  # suspended: alive, no result
    assert not mine and spec in theirs
    folder.mkdir(parents=True)
    (folder / "41_0_0_result.pkl").write_bytes(b"")  # it raised: submitit wrote its result
    mine, theirs = claim_runs(store, [spec], "sweep-a")
    assert spec in mine and not theirs
    # another sweep's live claim stays theirs, result or not
    mark_submitted(store, spec, job, "slurm", mine[spec])
    mine, theirs = claim_runs(store, [spec], "sweep-b")
    assert not mine and spec in theirs


@pytest.mark.parametrize("raised, said", [
    (ValueError("the config is invalid:\n  learning_rate must be > 0"),
     "ValueError: the config is invalid: learning_rate must be > 0"),
    (RuntimeError("rows that failed:\n----------------------\nrow 3"),
     "RuntimeError: rows that failed: ---------------------- row 3"),
    (KeyError("k"), "KeyError: 'k'"),
])
def test_a_failed_tasks_line_names_its_whole_exception(raised, said):
    """A reviewer: a message of several lines gave its last line alone ('learning_rate must
    be > 0'), and one holding submitit's own rule gave a line of code."""
    import traceback

    try:
        raise raised
    except Exception:  # noqa: BLE001 - the trace a task's log holds
        trace = traceback.format_exc()
    failed = submitit.core.utils.FailedJobError(
        f"Job (task=0) failed during processing with trace:\n----------------------\n{trace}\n"
        "----------------------\nYou can check full logs with 'job.stderr(0)' and "
        "'job.stdout(0)'or at paths:\n  - /s/41_0_0_log.err\n  - /s/41_0_0_log.out")
    assert executors._why_task_failed(failed) == said
    assert executors._why_task_failed(RuntimeError("srun: error: a\nsignal 9")) == "signal 9"


def test_a_sweeps_poll_keeps_sacct_on_its_back_off(monkeypatch):
    """A reviewer: the poll asked submitit's watcher to register jobs it already knew, which
    restarts its back-off, so sacct was called every poll (19 calls for a 95 s sweep where 5
    had been; hundreds over a 4 h job). A known job is read from the cache."""
    watcher = submitit.SlurmJob.watcher
    monkeypatch.setattr(executors, "_squeue_states", lambda ids: None)
    watcher.register_job("5_0")
    checked = watcher._last_status_check = time.time() - 1.0
    try:
        assert executors._slurm_states(["5_0"], refresh=False) == {"5_0": "UNKNOWN"}
        assert watcher._last_status_check == checked
    finally:
        watcher._registered.discard("5_0")


def test_a_task_at_its_time_limit_is_not_requeued_and_says_raise_the_limit(tmp_path, child_path):
    """SLURM's warning signal near the time limit: submitit requeued the task up to 3 times,
    and each requeue trained the run from scratch up to the limit again (a real SLURM, limit
    1 min: 4 starts of one run, 3 of them 2 min apart, before submitit's 'timed-out too many
    times'), and the retry started it again. Now the task stops at once, is not resubmitted,
    and the sweep says to raise --slurm-time-min."""
    # with a 1 min limit submitit calls the warning a time-out
    real, synthetic, store, specs, run, marker, thread = _a_warned_sweep(tmp_path)
    with pytest.raises(LittleHumanError, match=r"1 of 2 runs failed \(1 stopped at the time limit, "
                                               r"not resubmitted\).*reached its time limit "
                                               r"\(--slurm-time-min 1\).*raise --slurm-time-min"):
        run_missing(specs, real, synthetic, store, progress=False, run=run,
                    executor=_local_slurm(tmp_path, retries=1, time_min=1))
    thread.join(timeout=5)
    # the victim was neither requeued nor resubmitted (its second start would have finished)
    assert _finished(tmp_path) == [specs[1].key()]
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "slurm").rglob("*.err"))
    assert "timed-out" in logs and "Requeued" not in logs


def test_a_task_slurm_killed_at_its_time_limit_says_raise_the_limit(tmp_path):
    """A task whose warning came too late for submitit (no result, sacct state TIMEOUT)."""
    from types import SimpleNamespace

    class Job:
        paths = SimpleNamespace(stderr=tmp_path / "7_0_0_log.err")

        def result(self) -> None:
            raise submitit.core.utils.UncompletedJobError(
                "Job 7_0 (task: 0) with path /s/7_0_0_result.pkl\nhas not produced any output "
                "(state: TIMEOUT)\nError stream produced:\n---\nslurmstepd: error: *** JOB 8 "
                "ON vm CANCELLED AT 2026-12-06T10:00:00 DUE TO TIME LIMIT ***")

    said, out_of_time = executors._task_outcome(Job(), 30)
    assert said.startswith("it reached its time limit (--slurm-time-min 30)") and "\n" not in said
    assert out_of_time


def _claim_on(store: RunStore, spec: RunSpec, job_id: str, cluster_name: str | None) -> dict:
    """A submitted claim on ``spec`` by another sweep, its job on SLURM cluster
    ``cluster_name`` (None: a claim from before names were recorded), long past any grace."""
    claim = {"sweep": "elsewhere", "job_id": job_id, "cluster": "slurm", "folder": "/x",
             "host": "login-b", "submitted": time.time() - 1e6}
    if cluster_name is not None:
        claim["slurm_cluster"] = cluster_name
    path = claim_path(store, spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(claim))
    return claim


def test_a_claim_of_another_slurm_cluster_is_live_and_not_taken_over(tmp_path, monkeypatch):
    """A store on a home shared by two clusters: a job of cluster 'b' is in neither sacct nor
    squeue of cluster 'a', so 'a' called it gone and took its run over (trained twice). Now a
    claim names its cluster; another cluster's claim is live, and squeue is not asked."""
    monkeypatch.setattr(executors, "slurm_cluster_name", lambda: "a")
    monkeypatch.setattr(submitit.SlurmJob.watcher, "update", lambda: None)
    monkeypatch.setattr(submitit.SlurmJob.watcher, "get_state",
                        lambda job_id, mode="standard": "UNKNOWN")
    calls = _fake_squeue(tmp_path / "bin", monkeypatch,
                         stderr="slurm_load_jobs error: Invalid job id specified", rc=1)
    store, specs = RunStore(tmp_path / "store"), _specs()
    held = [_claim_on(store, spec, job_id, name)
            for spec, job_id, name in zip(specs, ("12_0", "13_0", "14_0"), ("b", "a", None))]
    assert live_jobs(held) == {"12_0"}  # 13_0 (this cluster's) and 14_0 (unnamed): gone
    assert calls.read_text().split()[-1] == "13,14"
    mine, theirs = claim_runs(store, specs, "sweep-a")
    assert list(theirs) == [specs[0]] and sorted(mine, key=specs.index) == specs[1:]


def test_a_local_sweep_waiting_on_a_slurm_job_backs_off(tmp_path, monkeypatch):
    """Each look at a live SLURM claim asks sacct: every 5 s that was about 840 calls an hour
    per waiting run (a reviewer). The waits double up to CLAIM_POLL_MAX_S."""
    store, (spec,) = RunStore(tmp_path / "store"), _specs(fractions=(0.0,))
    _claim_on(store, spec, "12_0", None)
    looks = iter([True] * 7 + [False])
    monkeypatch.setattr(executors, "live_claims", lambda claims: [next(looks)])
    waits = []
    monkeypatch.setattr(executors.time, "sleep", waits.append)
    state, lock = _claim(store, spec, block=True)
    lock.release()
    assert state == "mine"
    assert waits == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0, 60.0]


def test_a_claim_naming_a_cluster_is_not_judged_while_this_ones_name_is_unknown(tmp_path,
                                                                               monkeypatch):
    """A reviewer: with scontrol down (or after one time-out, cached 60 s) a claim of cluster
    'b' was judged by this cluster's sacct, which may list another job of the same id as
    COMPLETED: the run was taken over and trained twice. It is unaskable until the name is
    known: live while its task has not written its result."""
    monkeypatch.setattr(executors, "_CLUSTER_NAME", [])
    monkeypatch.setattr(executors, "_CLUSTER_NAME_FAILED", [time.monotonic()])  # scontrol failed
    monkeypatch.setattr(submitit.SlurmJob.watcher, "update", lambda: None)
    monkeypatch.setattr(submitit.SlurmJob.watcher, "get_state",
                        lambda job_id, mode="standard": "COMPLETED")  # cluster a's job 12_0
    _fake_squeue(tmp_path / "bin", monkeypatch, stdout="")
    store, specs = RunStore(tmp_path / "store"), _specs()
    held = [_claim_on(store, specs[0], "12_0", "b"), _claim_on(store, specs[1], "13_0", None)]
    assert live_claims(held) == [True, False]  # unnamed: judged by sacct, as before
    mine, theirs = claim_runs(store, specs, "sweep-a")
    assert list(theirs) == [specs[0]]


def test_every_slurm_state_but_an_ended_one_is_live(tmp_path, monkeypatch):
    """A reviewer: a list of live states had missed STOPPED (SIGSTOP: the job trains on when
    continued), SIGNALING, SPECIAL_EXIT and RESV_DEL_HOLD, so squeue listing such a job (sacct
    down) had it called dead and its run taken over."""
    for live in ("PENDING", "RUNNING", "SUSPENDED", "STOPPED", "SIGNALING", "SPECIAL_EXIT",
                 "RESV_DEL_HOLD", "PREEMPTED", "REQUEUE_HOLD", "COMPLETING", "CONFIGURING"):
        assert executors.live_state(live), live
    for ended in ("COMPLETED", "CANCELLED by 0", "FAILED", "TIMEOUT", "OUT_OF_MEMORY",
                  "NODE_FAIL", "BOOT_FAIL", "DEADLINE", executors.GONE, "UNKNOWN", ""):
        assert not executors.live_state(ended), ended
    monkeypatch.setattr(submitit.SlurmJob.watcher, "update", lambda: None)
    monkeypatch.setattr(submitit.SlurmJob.watcher, "get_state",
                        lambda job_id, mode="standard": "UNKNOWN")  # sacct cannot answer
    _fake_squeue(tmp_path / "bin", monkeypatch,
                 stdout="88_0|STOPPED\n88_1|SIGNALING\n88_2|SPECIAL_EXIT\n88_3|COMPLETED\n")
    held = [{"job_id": f"88_{i}", "cluster": "slurm", "folder": ".", "submitted": time.time()}
            for i in range(4)]
    assert live_jobs(held) == {"88_0", "88_1", "88_2"}


def test_a_job_first_seen_suspended_is_asked_about_again(tmp_path, monkeypatch):
    """submitit calls SUSPENDED done and never asks sacct about such a job again; for us it
    is live, so a task resumed and then failed kept the sweep waiting for ever (a reviewer).
    Through submitit's own watcher and a fake sacct."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    state = tmp_path / "state"
    state.write_text("SUSPENDED")
    sacct = bin_dir / "sacct"
    sacct.write_text(f"#!/bin/sh\necho 'JobID|State|NodeList'\necho \"77_0|$(cat '{state}')|n1\"\n")
    sacct.chmod(0o755)
    _fake_squeue(bin_dir, monkeypatch, stdout="")
    monkeypatch.setattr(submitit.SlurmJob, "watcher", submitit.slurm.slurm.SlurmInfoWatcher())
    assert executors._slurm_states(["77_0"]) == {"77_0": "SUSPENDED"}
    state.write_text("FAILED")  # resumed, then the task raised
    assert executors._slurm_states(["77_0"]) == {"77_0": "FAILED"}


def test_a_machine_without_slurm_waits_for_a_slurm_job_and_says_so(tmp_path, monkeypatch,
                                                                   child_path, capsys):
    """A workstation sharing the run store with a cluster, with no squeue or sacct: a claim of
    a job submitted 20 minutes before counted as dead (no answer, past the grace), so its
    local sweep trained the run the job was training. Now it waits for the record and says
    why it cannot tell more."""
    real, synthetic = sweep_worker.fixture_rows()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no SLURM commands
    assert not executors.slurm_commands_here()
    store, specs = RunStore(tmp_path / "store"), _specs(fractions=(0.0, 1.0))
    claim = _claim_on(store, specs[0], "12_0", None)
    assert live_claims([claim]) == [True]
    done = threading.Timer(0.5, lambda: store.write(specs[0], *flaky_run.flaky_run(
        specs[0], real, synthetic, marker_dir=str(tmp_path))))  # the cluster's job finishes
    line = executors._waiting_line

    def waiting(*args):  # the job finishes once the sweep waits for it
        done.start()
        return line(*args)

    monkeypatch.setattr(executors, "_waiting_line", waiting)
    monkeypatch.setattr(executors._claim, "__defaults__", (0.1,))  # poll every 0.1 s, not 5
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run)
    done.join()
    assert counts == {"skipped": 1, "ran": 1}
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # each trained once
    said = capsys.readouterr().out
    assert ("waiting for SLURM job(s) of another sweep (job 12_0) to finish run "
            f"{specs[0].key()}") in said
    assert ("to see their state, so a task that says it ended, or stops beating for 15 minutes "
            "while it runs, counts as ended, and one not started, suspended, signalled or "
            "requeued is waited for; if such a job is gone for good, rerun the sweep where SLURM "
            "runs") in said
    every = claim_path(store, specs[0]).parent / f".{specs[0].key()}.slurm*"
    assert f"(or, if that cannot be, delete its claims {every})" in said  # every generation
    # a task that wrote its result (it raised, or stopped at its limit) trains nothing more:
    # its claim is dead here too (it had held the run for ever), and the line no longer
    # blames it where another process's lock is what holds the run
    claim["folder"] = str(tmp_path / "slurm")
    result = submitit.core.utils.JobPaths(claim["folder"], job_id="12_0").result_pickle
    result.parent.mkdir(parents=True)
    result.write_bytes(b"")
    assert live_claims([claim]) == [False]
    claim_path(store, specs[1]).write_text(json.dumps({**claim}))
    assert line(store, specs[1]).startswith("waiting for another process")
    bin_dir = tmp_path / "bin"  # with squeue here (it answers without the job), it is gone
    _fake_squeue(bin_dir, monkeypatch, stderr="slurm_load_jobs error: Invalid job id specified", rc=1)
    monkeypatch.setattr(submitit.SlurmJob.watcher, "update", lambda: None)
    monkeypatch.setattr(submitit.SlurmJob.watcher, "get_state", lambda job_id, mode="standard": "UNKNOWN")
    assert executors.slurm_commands_here() and live_claims([claim]) == [False]


def test_a_sweep_waits_for_another_clusters_job_and_says_so(tmp_path, monkeypatch, child_path,
                                                            capsys):
    real, synthetic = sweep_worker.fixture_rows()
    monkeypatch.setattr(executors, "slurm_cluster_name", lambda: "a")
    store, specs = RunStore(tmp_path / "store"), _specs(fractions=(0.0, 1.0))
    _claim_on(store, specs[0], "12_0", "b")
    done = threading.Timer(0.5, lambda: store.write(specs[0], *flaky_run.flaky_run(
        specs[0], real, synthetic, marker_dir=str(tmp_path))))  # cluster b's job finishes
    held_by = executors._held_by

    def saying_whose(*args):  # cluster b's job finishes once the sweep says it waits for it
        if not done.is_alive() and not done.finished.is_set():
            done.start()
        return held_by(*args)

    monkeypatch.setattr(executors, "_held_by", saying_whose)
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run,
                         executor=_local_slurm(tmp_path))
    done.join()
    assert counts == {"skipped": 1, "ran": 1}
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # each trained once
    said = capsys.readouterr().out
    assert ("1 run(s) are being trained by job(s) of SLURM cluster 'b' (12_0); waiting for them "
            "instead of submitting them again; this cluster ('a') cannot see their state, so a "
            "task that says it ended, or stops beating for 15 minutes while it runs, counts as "
            "ended, and one not started, suspended, signalled or requeued is waited for; if such "
            "a job is gone for good, rerun the sweep on 'b'") in said


def test_a_task_beats_while_it_trains_and_says_how_it_left(tmp_path):
    """A SLURM task's heartbeat: "running", renewed while the run trains; "ended" when it
    returns or raises; "requeued" on the SystemExit with which submitit leaves a preempted
    task it requeued; "suspended" from SIGTSTP to SIGCONT and "signalled" from SIGTERM on,
    each signal passed on to the handler of before, which is back afterwards. A heartbeat
    that cannot be written does not stop the task."""
    beat = tmp_path / ".run.slurm.beat"
    state = functools.partial(heartbeat_state, beat)
    with executors.TaskHeartbeat(beat, every_s=0.05):
        first = json.loads(beat.read_text())
        time.sleep(0.4)
        later = json.loads(beat.read_text())
    assert first["state"] == later["state"] == "running" and later["beat"] > first["beat"]
    assert state() == "ended"
    with pytest.raises(RuntimeError), executors.TaskHeartbeat(beat):
        raise RuntimeError("CUDA out of memory")
    assert state() == "ended"
    with pytest.raises(SystemExit), executors.TaskHeartbeat(beat):
        sys.exit(-1)
    assert state() == "requeued"
    received: list[int] = []
    record = lambda signum, _frame: received.append(signum)
    signals = (signal.SIGTSTP, signal.SIGCONT, signal.SIGTERM)
    before = {signum: signal.signal(signum, record) for signum in signals}
    try:
        with executors.TaskHeartbeat(beat, every_s=0.01):
            states = []
            for signum, expected in zip(signals, ("suspended", "running", "signalled")):
                os.kill(os.getpid(), signum)
                assert wait_until(lambda: state() == expected, 10)
                time.sleep(0.1)  # beats go on: the state stays
                states.append(state())
        assert states == ["suspended", "running", "signalled"] and received == list(signals)
        assert [signal.getsignal(signum) for signum in signals] == [record] * 3
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
    with executors.TaskHeartbeat(tmp_path / "no such folder" / ".run.slurm.beat", every_s=0.01):
        time.sleep(0.05)
    assert not [t for t in threading.enumerate() if t.name == "littlehuman-heartbeat"]


def _process_state(pid: int) -> str:
    """The state letter of ``pid``: "T" only once every thread is stopped (the beat thread
    may finish a write after the main thread stops)."""
    letter = lambda stat: stat.read_text().rsplit(")", 1)[1].split()[0]  # noqa: E731
    threads = {letter(task / "stat") for task in Path(f"/proc/{pid}/task").iterdir()}
    return "T" if threads == {"T"} else letter(Path(f"/proc/{pid}/stat"))


def _heartbeat_child(beat: Path, body: str, every_s: float = 0.05) -> subprocess.Popen:
    """A process that runs ``body`` inside a TaskHeartbeat writing ``beat`` every ``every_s``
    (SUSPENDED_GRACE_S 5 s)."""
    return subprocess.Popen([sys.executable, "-c", f"""
import hashlib, time
from pathlib import Path
from littlehuman import executors
executors.SUSPENDED_GRACE_S = 5.0
with executors.TaskHeartbeat(Path({str(beat)!r}), every_s={every_s!r}):
    {body}
"""], env={**os.environ, "PYTHONPATH": str(Path(executors.__file__).parents[1])})


def test_a_task_killed_anywhere_in_its_first_beat_leaves_no_heartbeat_or_a_whole_one(tmp_path):
    """Created, then written, the first heartbeat was left empty by a kill between the two,
    and an empty heartbeat reads as live (no heartbeat of the job) until SLURM is asked. The
    task is killed before each file call of its first beat in turn, down to none: each time
    there is no heartbeat (the job is taken for pending) or a whole one."""
    beat = tmp_path / ".run.slurm.beat"
    outcomes = []
    for kill_at in range(50):
        beat.unlink(missing_ok=True)
        child = subprocess.run([sys.executable, "-c", f"""
import os, signal
from pathlib import Path
from littlehuman import executors
calls = [0]
def killed_at_call(name):
    real = getattr(os, name)
    def call(*args, **kwargs):
        calls[0] += 1
        if calls[0] > {kill_at}:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(os, name, call)
for name in ("open", "pwrite", "write", "fsync", "chmod", "replace", "link", "close"):
    killed_at_call(name)
executors.TaskHeartbeat(Path({str(beat)!r})).beat()
"""], env={**os.environ, "PYTHONPATH": str(Path(executors.__file__).parents[1])})
        outcomes.append(heartbeat_state(beat) if beat.exists() else "none")
        assert outcomes[-1] in ("none", "running"), (kill_at, beat.read_bytes()[:40])
        if child.returncode == 0:
            break
    assert child.returncode == 0, "killed at every one of 50 calls"
    assert outcomes[0] == "none" and outcomes[-1] == "running", outcomes


def test_a_task_inside_a_long_c_call_is_suspended_and_resumed_as_slurm_does_it(tmp_path):
    """SLURM suspends with SIGTSTP, then SIGSTOP, and resumes with SIGCONT. With the task's
    main thread inside one long C call, Python's handlers ran only after the resume: the task
    stopped still saying "running" (judged dead 15 minutes on), and on its resume the late
    SIGTSTP handler stopped it for good (a reviewer, on a real SLURM). The signals are now
    read as they arrive: "suspended" before the stop, "running" after, and the task ends."""
    beat = tmp_path / ".run.slurm.beat"
    child = _heartbeat_child(beat, "hashlib.pbkdf2_hmac('sha256', b'x', b'y', 25_000_000)")
    try:
        stat = lambda: _process_state(child.pid)
        state = functools.partial(heartbeat_state, beat)
        assert wait_until(lambda: beat.exists() and state() == "running", 30)
        time.sleep(0.3)  # inside the C call by now
        child.send_signal(signal.SIGTSTP)
        assert wait_until(lambda: state() == "suspended", 5)  # while the main thread is in C
        child.send_signal(signal.SIGSTOP)
        assert wait_until(lambda: stat() == "T", 5)
        time.sleep(0.5)
        assert state() == "suspended" and stat() == "T"
        child.send_signal(signal.SIGCONT)
        assert wait_until(lambda: state() == "running", 5)
        assert child.wait(timeout=120) == 0 and state() == "ended"  # not stopped again
    finally:
        child.kill()
        child.wait()


def test_a_task_that_beats_long_after_sigtstp_says_running_again(tmp_path, monkeypatch):
    """SLURM stops a task within seconds of its SIGTSTP. One that still beats
    SUSPENDED_GRACE_S later was resumed, whatever signals it read (a reviewer saw a resumed
    task say "suspended" after racing SIGTSTP, SIGSTOP and SIGCONT): "running" again, so a
    task later killed without a word is not held for ever as "suspended"."""
    monkeypatch.setattr(executors, "SUSPENDED_GRACE_S", 2.0)  # room to see "suspended"
    beat = tmp_path / ".run.slurm.beat"
    state = functools.partial(heartbeat_state, beat)
    before = signal.signal(signal.SIGTSTP, lambda *_: None)  # (no stop here)
    try:
        with executors.TaskHeartbeat(beat, every_s=0.05):
            started = time.monotonic()  # the grace counts from when the beat thread reads it
            os.kill(os.getpid(), signal.SIGTSTP)
            assert wait_until(lambda: state() == "suspended", 5)
            assert wait_until(lambda: state() == "running", 10)
            assert time.monotonic() - started >= executors.SUSPENDED_GRACE_S
    finally:
        signal.signal(signal.SIGTSTP, before)


def test_a_task_still_dies_on_sigterm(tmp_path):
    """SIGTERM with no handler of its own still ends a task (its heartbeat says so first)."""
    beat = tmp_path / ".run.slurm.beat"
    child = _heartbeat_child(beat, "time.sleep(60)")
    try:
        state = functools.partial(heartbeat_state, beat)
        assert wait_until(lambda: beat.exists() and state() == "running", 30)
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == -signal.SIGTERM and state() == "signalled"
    finally:
        child.kill()
        child.wait()


def test_a_task_that_comes_back_to_a_run_taken_over_leaves_it(tmp_path, monkeypatch):
    """A task that runs again (requeued after a node was lost, resumed after a suspension)
    when a sweep that could not ask SLURM has called its job dead and taken the run: it trains
    nothing where a later claim or a local sweep's lock holds the run, and keeps a record
    stored while it trained (it had trained the run twice and overwritten the record)."""
    real, synthetic = sweep_worker.fixture_rows()
    store, spec = RunStore(tmp_path / "store"), _specs()[0]
    inputs = tmp_path / "inputs.pkl"
    pd.to_pickle((real, synthetic), inputs)
    trained: list[str] = []

    def run(spec, real, synthetic):
        trained.append(spec.key())
        return flaky_run.flaky_run(spec, real, synthetic, marker_dir=str(tmp_path))

    task = executors.RunTask()
    claim_path(store, spec, 1).parent.mkdir(parents=True, exist_ok=True)
    claim_path(store, spec, 1).write_text("{}")  # another SLURM sweep's later claim
    assert task(store, str(inputs), run, spec, 0) == executors.TAKEN_OVER and not trained
    claim_path(store, spec, 1).unlink()
    assert executors._mark_taken_over(store, spec, 0)  # a local sweep's mark
    assert not executors._mark_taken_over(store, spec, 0)  # one sweep takes a claim over
    assert task(store, str(inputs), run, spec, 0) == executors.TAKEN_OVER and not trained
    claim_path(store, spec, 1).unlink()

    def stored_meanwhile(spec, real, synthetic):
        record, predictions = run(spec, real, synthetic)
        store.write(spec, {**record, "by": "the sweep that took it over"}, predictions)
        return record, predictions

    assert task(store, str(inputs), stored_meanwhile, spec, 0) == "skipped"
    assert store.get(spec)["by"] == "the sweep that took it over" and trained == [spec.key()]
    assert task(store, str(inputs), run, spec, 0) == "skipped" and trained == [spec.key()]
    taken = SimpleNamespace(result=lambda: executors.TAKEN_OVER)
    assert executors._task_outcome(taken, 60) == (executors.TAKEN_OVER, False)


@pytest.mark.parametrize("stored", ["before its task runs", "before the sweep's next poll"])
def test_a_run_its_task_did_not_train_is_not_counted_as_ran(tmp_path, monkeypatch, child_path,
                                                           stored):
    """Another sweep took the run over (its mark) and stored it: before the task ran (it
    returns "skipped"), or after the task returned TAKEN_OVER but before this sweep polled
    again. Either way this sweep said ran: 1 for a run it never trained (a reviewer's
    tests); runs are counted by what their task returned."""
    real, synthetic = sweep_worker.fixture_rows()
    store, spec = RunStore(tmp_path / "store"), _specs()[0]
    claim_runs, job_done = executors.claim_runs, submitit.local.local.LocalJob.done
    writes: list[Any] = []

    def claimed_then_taken(store_, specs, sweep):
        mine, theirs = claim_runs(store_, specs, sweep)
        for spec_, generation in mine.items():
            executors._mark_taken_over(store, spec_, generation)  # a local sweep's mark
            record, predictions = flaky_run.flaky_run(spec_, real, synthetic,
                                                      marker_dir=str(tmp_path))
            writes.append(functools.partial(store.write, spec_, {**record, "by": "B"},
                                            predictions))
            if stored == "before its task runs":
                writes.pop()()
        return mine, theirs

    def done_then_stored(job, *args, **kwargs):  # the task has returned; the sweep is yet
        done = job_done(job, *args, **kwargs)   # to look at the store
        if done and writes:
            writes.pop()()
        return done

    monkeypatch.setattr(executors, "claim_runs", claimed_then_taken)
    monkeypatch.setattr(submitit.local.local.LocalJob, "done", done_then_stored)
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    counts = run_missing([spec], real, synthetic, store, run=run, progress=False,
                         executor=_local_slurm(tmp_path, retries=0))
    results = [pickle.loads(r.read_bytes())[1] for r in (tmp_path / "slurm").rglob("*_result.pkl")]
    assert results == ["skipped" if stored == "before its task runs" else executors.TAKEN_OVER]
    assert _finished(tmp_path) == [spec.key()] and store.get(spec)["by"] == "B"
    assert counts == {"skipped": 1, "ran": 0}


def test_a_run_taken_over_then_given_up_and_failing_here_spends_its_attempts(
        tmp_path, monkeypatch, child_path):
    """A task finds its run taken over (no attempt spent); the sweep that took it gives up
    (its mark dies), so this sweep claims it again, and its task now fails: that failure
    spends the attempt, and the sweep ends with one line (it must not retry for ever)."""
    real, synthetic = sweep_worker.fixture_rows()
    store, spec = RunStore(tmp_path / "store"), _specs()[0]
    claim_runs = executors.claim_runs
    rounds: list[int] = []

    def claimed_then_taken(store_, specs, sweep):
        mine, theirs = claim_runs(store_, specs, sweep)
        rounds.append(len(mine))
        if len(rounds) == 1:
            for spec_, generation in mine.items():  # a local sweep's mark, its lock free:
                executors._mark_taken_over(store, spec_, generation)  # it gave up at once
        if len(rounds) > 5:
            raise RuntimeError("the sweep claims the run again and again")
        return mine, theirs

    monkeypatch.setattr(executors, "claim_runs", claimed_then_taken)
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), victims=(spec.key(),),
                            mode="raise")
    with pytest.raises(LittleHumanError, match=r"1 of 1 runs failed after 1 attempt\(s\); last "
                                               r"failure job \S+: RuntimeError: no memory left"):
        run_missing([spec], real, synthetic, store, run=run, progress=False,
                    executor=_local_slurm(tmp_path, retries=0))
    assert rounds == [1, 1]
    assert (tmp_path / "attempts.log").read_text().split() == [spec.key()]  # trained once


def test_a_mark_is_left_where_the_store_has_no_hard_links(tmp_path, monkeypatch, child_path):
    """A workstation whose mount of the store has no hard links (SMB) took a dead SLURM
    claim over without a mark, so the claim's task, coming back, trained the run again (a
    reviewer). The mark is then created exclusively by open(); where nothing can be created,
    one line says so and nothing is trained."""
    real, synthetic = sweep_worker.fixture_rows()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no SLURM commands here
    store, spec = RunStore(tmp_path / "store"), _specs()[0]
    _claim_on(store, spec, "12_0", None)
    executors.heartbeat_path(claim_path(store, spec)).write_text(json.dumps(
        {"job_id": "12_0", "state": "ended", "beat": time.time()}))  # ended without its record

    def no_links(*_args, **_kw):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    assert executors._mark_taken_over(store, spec, 0)
    assert not executors._mark_taken_over(store, spec, 0)  # one taker still
    assert executors._taken_over(store, spec, 0) and "lock_name" in current_claim(store, spec)[1]
    claim_path(store, spec, 1).unlink()
    real_open = open
    monkeypatch.setattr("builtins.open", lambda file, mode="r", *a, **kw: (
        (_ for _ in ()).throw(PermissionError(13, "Permission denied"))
        if mode == "x" else real_open(file, mode, *a, **kw)))
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    with pytest.raises(LittleHumanError, match=r"cannot take run \w+ over from a SLURM job"):
        run_missing([spec], real, synthetic, store, progress=False, run=run,
                    executor=LocalExecutor(jobs=1))
    assert _finished(tmp_path) == []


def test_a_process_the_task_forks_keeps_its_signals_to_itself(tmp_path):
    """A worker the task forks (a data loader's) inherited the heartbeat's wakeup fd: a
    SIGTERM meant for the worker left the task "signalled" for good (a reviewer). The child
    forgets the heartbeat: its handlers are those of before, its signals its own."""
    import multiprocessing

    beat = tmp_path / ".run.slurm.beat"
    state = functools.partial(heartbeat_state, beat)
    before = signal.signal(signal.SIGTERM, lambda *_: None)  # as submitit's bypass
    try:
        with executors.TaskHeartbeat(beat, every_s=0.05):
            forked = multiprocessing.get_context("fork")
            ready = forked.Event()  # set in the worker, after the fork's hooks have run
            worker = forked.Process(target=lambda: (ready.set(), time.sleep(30)))
            worker.start()
            assert ready.wait(30)
            worker.terminate()  # SIGTERM to the worker alone: the handler of before in it
            time.sleep(0.5)
            assert state() == "running" and worker.is_alive()  # (that handler ignores it)
            worker.kill()
            worker.join(10)
            os.kill(os.getpid(), signal.SIGTERM)  # the task's own is still read
            assert wait_until(lambda: state() == "signalled", 5)
    finally:
        signal.signal(signal.SIGTERM, before)
    assert state() == "ended"


def test_a_local_sweeps_mark_lives_while_it_holds_the_runs_lock(tmp_path):
    """A local sweep that takes a dead SLURM claim over leaves a later claim naming the run's
    lock: live while a process holds that lock, dead once it is released (a failed run
    blocks no one), wherever the store is mounted (the lock is found beside the claim)."""
    store, spec = RunStore(tmp_path / "store"), _specs()[0]
    _claim_on(store, spec, "12_0", None)  # a dead SLURM claim, taken over:
    assert executors._mark_taken_over(store, spec, 0)
    generation, mark = current_claim(store, spec)
    assert generation == 1 and mark["lock_name"] == f".{spec.key()}.lock"
    assert live_claims([mark]) == [False]
    holder = subprocess.Popen([sys.executable, "-c", f"""
import time
from filelock import FileLock
with FileLock({str(store.lock(spec).lock_file)!r}):
    print("held", flush=True)
    time.sleep(60)
"""], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert live_claims([mark]) == [True]
        assert live_claims([{k: v for k, v in mark.items() if k != "_file"}]) == [False]
    finally:
        holder.kill()
        holder.wait()
    assert live_claims([mark]) == [False]


def test_a_slurm_sweep_waits_for_the_sweep_that_took_its_run_over(tmp_path, monkeypatch,
                                                                  child_path):
    """A task that finds its run taken over (TAKEN_OVER) leaves it; its sweep had then called
    the run failed ("1 of 1 runs failed" with no retries) or counted it as its own (ran: 1).
    It now waits for the sweep that took it, without spending an attempt, and counts it as
    skipped (a reviewer's test)."""
    real, synthetic = sweep_worker.fixture_rows()
    store, spec = RunStore(tmp_path / "store"), _specs()[0]
    claim_runs = executors.claim_runs
    taken: list[bool] = []

    def claimed_then_taken(store_, specs, sweep):  # sweep B takes the run just after
        mine, theirs = claim_runs(store_, specs, sweep)
        for spec_, generation in mine.items():
            if not taken:
                taken.append(True)
                claim_path(store, spec_, generation + 1).write_text(json.dumps({
                    "sweep": "B", "host": socket.gethostname(), "pid": os.getpid(),
                    "pid_started": executors.process_started(os.getpid()),
                    "pid_namespace": executors.pid_namespace(), "claimed": time.time()}))
                record, predictions = flaky_run.flaky_run(spec_, real, synthetic,
                                                          marker_dir=str(tmp_path))
                threading.Timer(3, lambda: store.write(spec_, {**record, "by": "B"},
                                                       predictions)).start()
        return mine, theirs

    monkeypatch.setattr(executors, "claim_runs", claimed_then_taken)
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    counts = run_missing([spec], real, synthetic, store, run=run, progress=False,
                         executor=_local_slurm(tmp_path, retries=0))
    assert counts == {"skipped": 1, "ran": 0} and store.get(spec)["by"] == "B"
    assert _finished(tmp_path) == [spec.key()]  # B's training alone


def test_where_slurm_cannot_be_asked_a_started_task_is_judged_by_its_heartbeat(tmp_path,
                                                                               monkeypatch):
    """On a machine without SLURM's commands, or for another cluster's job, a job killed
    without writing its result (out of memory, a lost node, SLURM's kill at the limit), or
    whose log folder (and so its result) is mounted at another path, held its run for ever.
    Its task's heartbeat beside the claim now says: silent for HEARTBEAT_STALE_S while
    running, or ended, is dead; no heartbeat (not started), a requeued one, another job's or
    an unreadable one leaves the claim live. Where SLURM answers, its state decides."""
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no SLURM commands
    store, spec = RunStore(tmp_path / "store"), _specs()[0]
    _claim_on(store, spec, "12_0", None)
    beat = executors.heartbeat_path(claim_path(store, spec))
    assert beat.name == f".{spec.key()}.slurm.beat"

    def live(state: str | None = None, age_s: float = 0.0, job_id: str = "12_0") -> bool:
        if state:
            beat.write_text(json.dumps({"job_id": job_id, "state": state,
                                        "beat": time.time() - age_s}))
        return live_claims([current_claim(store, spec)[1]])[0]

    stale = executors.HEARTBEAT_STALE_S
    assert live()  # no heartbeat: pending, or a task older than heartbeats
    assert live("running", age_s=stale - 60)
    assert not live("running", age_s=stale + 60)
    assert not live("ended")
    assert live("requeued", age_s=10 * stale)
    assert live("suspended", age_s=10 * stale) and live("signalled", age_s=10 * stale)
    assert live("ended", job_id="11_0")
    beat.write_text("{half a heartbeat")
    assert live()
    assert not live("running", age_s=stale + 60)
    assert "_file" not in json.loads(claim_path(store, spec).read_text())  # never written
    # another cluster's job: the same
    monkeypatch.setattr(executors, "slurm_cluster_name", lambda: "a")
    _claim_on(store, spec, "12_0", "b")
    assert live("running", age_s=1) and not live("running", age_s=stale + 60)
    # where SLURM answers, its state decides
    _claim_on(store, spec, "12_0", None)
    monkeypatch.setenv("PATH", path)
    _fake_squeue(tmp_path / "bin", monkeypatch, stdout="12_0|RUNNING\n")
    monkeypatch.setattr(submitit.SlurmJob.watcher, "update", lambda: None)
    monkeypatch.setattr(submitit.SlurmJob.watcher, "get_state", lambda job_id, mode="standard": "UNKNOWN")
    assert live("ended")


def test_a_local_sweep_trains_a_run_whose_slurm_task_went_silent(tmp_path, monkeypatch,
                                                                 child_path, capsys):
    """A workstation without SLURM's commands waits for a cluster job's run, and trains it
    itself once the job's task has stopped beating (killed without a word)."""
    real, synthetic = sweep_worker.fixture_rows()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(executors, "HEARTBEAT_STALE_S", 1e6)
    silent = threading.Timer(2.0, setattr, (executors, "HEARTBEAT_STALE_S", 0.5))  # (undone
    monkeypatch.setattr(executors._claim, "__defaults__", (0.1,))  # by monkeypatch)
    store, specs = RunStore(tmp_path / "store"), _specs(fractions=(0.0, 1.0))
    _claim_on(store, specs[0], "12_0", None)
    executors.heartbeat_path(claim_path(store, specs[0])).write_text(json.dumps(
        {"job_id": "12_0", "state": "running", "beat": time.time()}))
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    started = time.monotonic()
    silent.start()  # the job's task beats no more from here
    counts = run_missing(specs, real, synthetic, store, progress=False, run=run,
                         executor=LocalExecutor(jobs=1))
    silent.join()
    assert counts == {"skipped": 0, "ran": 2} and time.monotonic() - started >= 2.0
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)
    generation, mark = current_claim(store, specs[0])  # the job's task, should it come back,
    assert generation == 1 and "lock_name" in mark  # finds its run taken over
    assert executors._taken_over(store, specs[0], 0) and live_claims([mark]) == [False]
    assert "waiting for SLURM job(s) of another sweep (job 12_0)" in capsys.readouterr().out


def test_a_claim_names_its_slurm_cluster(tmp_path, monkeypatch):
    """scontrol's ClusterName goes into a SLURM claim once asked; none without scontrol."""
    from types import SimpleNamespace

    from littlehuman.executors import mark_submitted

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "scontrol").write_text("#!/bin/sh\necho 'Configuration data as of now'\n"
                                      "echo 'AuthType                = auth/munge'\n"
                                      "echo 'ClusterName             = gpu-east'\n")
    (bin_dir / "scontrol").chmod(0o755)
    monkeypatch.setattr(executors, "_CLUSTER_NAME", [])
    monkeypatch.setenv("PATH", str(bin_dir))
    store, spec = RunStore(tmp_path / "store"), _specs()[0]
    mine, _ = claim_runs(store, [spec], "sweep-a")
    job = SimpleNamespace(job_id="41_0", paths=SimpleNamespace(folder=tmp_path / "41_0"))
    mark_submitted(store, spec, job, "slurm", mine[spec])
    assert submitted_job(store, spec)["slurm_cluster"] == "gpu-east"
    monkeypatch.setattr(executors, "_CLUSTER_NAME", [])
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert executors.slurm_cluster_name() == ""
    # a failure is not asked again at once (a controller that is down takes 9-10 s a call,
    # and every claim naming a cluster asks), but after CLUSTER_NAME_RETRY_S
    monkeypatch.setenv("PATH", str(bin_dir))
    assert executors.slurm_cluster_name() == ""
    monkeypatch.setattr(executors, "CLUSTER_NAME_RETRY_S", 0.0)
    assert executors.slurm_cluster_name() == "gpu-east"


def test_ctrl_c_while_sbatch_hangs_leaves_no_sweep_folder(tmp_path, monkeypatch):
    """Ctrl-C reaches a hanging sbatch too (one process group): it dies, submitit raises,
    and the held-back Ctrl-C then left the sweep folder with its pickled inputs behind (a
    real SLURM, slurmctld paused). No task of a failed sbatch can run: the controller took
    that array anyway once resumed, and its tasks failed at launch, folder or not (submitit
    makes their folders only after sbatch answers). So the folder goes; once the array is
    submitted, Ctrl-C leaves the folder to its running tasks."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), _specs()

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # held back until the submission is over
        raise submitit.core.utils.FailedJobError("sbatch: error: interrupted")

    monkeypatch.setattr(submitit.AutoExecutor, "map_array", interrupted)
    # as from a terminal: a suite started in the background (`nohup pytest ... &`) runs with
    # SIGINT ignored, and the os.kill above did nothing (a reviewer)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_missing(specs, real, synthetic, store, progress=False,
                        executor=_local_slurm(tmp_path))
    finally:
        signal.signal(signal.SIGINT, before)
    assert list((tmp_path / "slurm").iterdir()) == []
    assert all(current_claim(store, s) == (-1, None) for s in specs)

    class Job:
        def __init__(self, index: int) -> None:
            self.job_id = f"9_{index}"
            self.paths = submitit.core.utils.JobPaths(tmp_path / "slurm" / "x", job_id=self.job_id)

        def done(self) -> bool:
            raise KeyboardInterrupt  # Ctrl-C while the sweep waits for its tasks

    monkeypatch.setattr(submitit.AutoExecutor, "map_array",
                        lambda _self, _fn, *columns: [Job(i) for i in range(len(columns[-1]))])
    with pytest.raises(KeyboardInterrupt):
        run_missing(specs, real, synthetic, store, progress=False, executor=_local_slurm(tmp_path))
    [kept] = list((tmp_path / "slurm").iterdir())
    assert (kept / "inputs.pkl").exists()


def test_a_task_stopped_mid_beat_leaves_a_whole_heartbeat(tmp_path):
    """SLURM's SIGSTOP lands wherever the beat thread is. A beat written as truncate, then
    write, left the file empty when the stop fell between the two (the CI once read None for
    "suspended"), and an empty heartbeat reads as live for ever, even after the job dies. A
    beat is now one write over a file that never shrinks: stopped at any point, the file
    holds a whole heartbeat."""
    beat = tmp_path / ".run.slurm.beat"
    child = _heartbeat_child(beat, "time.sleep(120)", every_s=0.0)
    try:
        assert wait_until(lambda: heartbeat_state(beat) == "running", 30)
        for _ in range(300):
            child.send_signal(signal.SIGSTOP)
            assert wait_until(lambda: _process_state(child.pid) == "T", 5)
            assert heartbeat_state(beat) == "running"  # not empty, not half written
            child.send_signal(signal.SIGCONT)
            time.sleep(0.002)
    finally:
        child.kill()
        child.wait()
