"""Opt-in: the SLURM executor against a REAL SLURM (sbatch, sacct, scontrol requeue), where
tests/test_executors.py uses submitit's local cluster. Skipped unless ``sbatch`` and ``sacct``
are on PATH and ``squeue`` answers (so skipped in CI). A one-node cluster for it:
``sudo bash bench/slurm_local_cluster.sh``; then
``LITTLEHUMAN_SLURM_PARTITION=debug pytest tests/test_slurm_real.py`` (a few minutes).
The store and the logs are under pytest's tmp_path, so the jobs must run on this machine
(or tmp_path be on a shared filesystem). Rows are invented fixtures (tests/helpers)."""
from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import submitit

from littlehuman.errors import LittleHumanError
from littlehuman import executors
from littlehuman.executors import LocalExecutor, claim_path, current_claim, live_jobs, run_missing
from littlehuman.executors import submitted_job
from littlehuman.runs import RunStore

HELPERS = Path(__file__).parent / "helpers"
sys.path.insert(0, str(HELPERS))
import flaky_run  # noqa: E402
from polling import heartbeat_state, wait_until  # noqa: E402
import slurm_sweep  # noqa: E402
import sweep_worker  # noqa: E402

PARTITION = os.environ.get("LITTLEHUMAN_SLURM_PARTITION", "debug")


def _no_slurm() -> str:
    """Why there is no SLURM to test against ("" = there is one)."""
    missing = [c for c in ("sbatch", "sacct", "squeue", "scancel") if not shutil.which(c)]
    if missing:
        return f"no SLURM here: {', '.join(missing)} not on PATH"
    try:
        subprocess.run(["squeue", "-h"], check=True, capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"squeue does not answer: {exc}"
    return ""


REASON = _no_slurm()
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON)


@pytest.fixture()
def child_path(monkeypatch):
    """The jobs inherit this environment (sbatch exports it): let them import the helpers;
    wait 2 s, not 15, for the result file of a task that died."""
    monkeypatch.setattr(submitit.SlurmJob, "_results_timeout_s", 2)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(HELPERS)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))


def _finished(marker_dir: Path) -> list[str]:
    log = marker_dir / "finished.log"
    return log.read_text().split() if log.exists() else []


def _assert_stored_once(store: RunStore, specs) -> None:
    records = sorted(store.root.rglob("record.json"))
    assert sorted(p.parent.name for p in records) == sorted(s.key() for s in specs)


def _job_folders(root: Path) -> list[str]:
    """The jobs submitit made a log folder for, under every sweep folder of ``root`` (an
    array's own folder, holding its submission script, is left out: its tasks are counted)."""
    names = [p.name for sweep in root.iterdir() for p in sweep.iterdir() if p.is_dir()]
    return sorted(n for n in names if not any(m.startswith(n + "_") for m in names))


def _history(job_id: str) -> list[str]:
    """Every state sacct recorded for ``job_id``, requeued runs included, oldest first."""
    return subprocess.run(["sacct", "-j", job_id, "--duplicates", "-X", "-n", "-o", "State"],
                          check=True, capture_output=True, text=True).stdout.split()


def test_sweep_lands_in_the_store_each_run_once(tmp_path, child_path):
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(3)
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    backend = slurm_sweep.executor(str(tmp_path / "slurm"), PARTITION)
    counts = run_missing(specs, real, synthetic, store, run=run, executor=backend, progress=False)
    assert counts == {"skipped": 0, "ran": 3}
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)
    _assert_stored_once(store, specs)
    ids = [submitted_job(store, s)["job_id"] for s in specs]  # array tasks: "<job>_<index>"
    name = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True).stdout
    name = name.split("ClusterName", 1)[1].split("=", 1)[1].split()[0]  # each claim names it
    assert [submitted_job(store, s).get("slurm_cluster") for s in specs] == [name] * 3
    assert len({i.split("_")[0] for i in ids}) == 1 and sorted(i.split("_")[1] for i in ids) == ["0", "1", "2"]
    assert wait_until(lambda: not live_jobs(submitted_job(store, s) for s in specs), 60, 0.5)
    assert run_missing(specs, real, synthetic, store, run=run, executor=backend,
                       progress=False) == {"skipped": 3, "ran": 0}
    assert len(list((tmp_path / "slurm").iterdir())) == 1  # the rerun submitted nothing


def test_killed_task_is_resubmitted_and_finishes(tmp_path, child_path, monkeypatch):
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(3)
    victim = specs[1].key()
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), victims=(victim,))
    counts = run_missing(specs, real, synthetic, store, run=run, progress=False,
                         executor=slurm_sweep.executor(str(tmp_path / "slurm"), PARTITION, retries=1))
    assert counts == {"skipped": 0, "ran": 3}
    assert (tmp_path / f"{victim}.first").exists()  # the first attempt did die
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)
    _assert_stored_once(store, specs)
    assert len(_job_folders(tmp_path / "slurm")) == 4  # 3 array tasks + 1 resubmission
    # the killed task's heartbeat: its last word was "running"; where SLURM cannot be asked,
    # its claim dies once that word is HEARTBEAT_STALE_S old (it had held the run for ever)
    killed = next(s for s in specs if s.key() == victim)
    claim = {**json.loads(claim_path(store, killed, 0).read_text()),
             "_file": str(claim_path(store, killed, 0))}
    beat = json.loads(executors.heartbeat_path(claim_path(store, killed, 0)).read_text())
    assert beat["state"] == "running" and beat["job_id"] == claim["job_id"]
    assert live_jobs([claim]) == set()  # sacct: FAILED
    monkeypatch.setattr(executors, "slurm_commands_here", lambda: False)
    assert live_jobs([claim]) == {claim["job_id"]}  # no result, a heartbeat of a moment ago
    monkeypatch.setattr(executors, "HEARTBEAT_STALE_S", 0.0)
    assert live_jobs([claim]) == set()
    for spec in specs:  # every task that trained its run said so
        newest = current_claim(store, spec)[1]
        beat = json.loads(executors.heartbeat_path(Path(newest["_file"])).read_text())
        assert (beat["state"], beat["job_id"]) == ("ended", newest["job_id"])


@pytest.mark.parametrize("time_min", [240, 5])
def test_preempted_task_is_checkpointed_and_requeued(tmp_path, child_path, time_min):
    """What submitit's SlurmJob._interrupt() does: scancel --signal TERM, then USR2 -> the task
    checkpoints and `scontrol requeue`s itself; the requeued task finishes the run. Also with
    a limit of 5 minutes, where submitit alone calls every warning a time-out (then the run
    failed: a task at its limit is not requeued)."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(2)
    victim = specs[0]
    marker = tmp_path / f"{victim.key()}.first"
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path),
                            victims=(victim.key(),), mode="preempt")
    sent: list[str] = []
    requeued_live: list[bool] = []
    beats: list[bool] = []  # the task's heartbeat said "requeued" as it left

    def preempt() -> None:
        if wait_until(lambda: marker.exists() and marker.read_text() and submitted_job(store, victim), 120, 0.2):
            job_id = submitted_job(store, victim)["job_id"]
            for sig in ("TERM", "USR2"):
                subprocess.run(["scancel", job_id, "--signal", sig], check=True)
            sent.append(job_id)
            if wait_until(lambda: "REQUEUED" in _history(job_id), 60, 0.5):  # pending again:
                requeued_live.append(live_jobs([submitted_job(store, victim)]) == {job_id})
                beat = executors.heartbeat_path(claim_path(store, victim))  # what it left:
                beats.append(wait_until(lambda: '"requeued"' in beat.read_text(), 10, 0.1))

    thread = threading.Thread(target=preempt, daemon=True)
    thread.start()
    counts = run_missing(specs, real, synthetic, store, run=run, progress=False,  # no resubmission:
                         executor=slurm_sweep.executor(str(tmp_path / "slurm"), PARTITION, retries=0,
                                                       time_min=time_min))
    thread.join(timeout=5)
    assert sent and counts == {"skipped": 0, "ran": 2}
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)
    _assert_stored_once(store, specs)
    assert len(_job_folders(tmp_path / "slurm")) == 2  # requeued by SLURM, not resubmitted
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "slurm").rglob("*.err"))
    assert "caught signal sigusr2" in logs.lower() and "requeu" in logs.lower()
    assert requeued_live == [True]  # the requeued task counted as live while it waited
    assert beats == [True]
    # SLURM holds a requeued batch job back ~2 min (its BeginTime), then reruns it
    assert wait_until(lambda: _history(sent[0])[-1:] == ["COMPLETED"], 60, 0.5)
    assert "REQUEUED" in _history(sent[0])


def test_a_suspended_job_is_waited_for_where_slurm_cannot_be_asked(tmp_path, child_path,
                                                                    monkeypatch):
    """``scontrol suspend`` stops a task (SIGTSTP, then SIGSTOP), and its heartbeat with it: a
    sweep that could not ask SLURM called the job dead 15 minutes on and trained its run, which
    the job trained again once resumed (a reviewer, on this cluster). The task now says
    "suspended" first; that claim lives however old its beat, a local sweep waits for the job,
    and the run is trained once."""
    store, spec = RunStore(tmp_path / "store"), slurm_sweep.specs(1)[0]
    sweep = subprocess.Popen([sys.executable, str(HELPERS / "slurm_sweep.py"), str(store.root),
                              str(tmp_path), str(tmp_path / "slurm"), PARTITION, "20", "1"],
                             env=os.environ.copy())
    try:
        beat = executors.heartbeat_path(claim_path(store, spec))
        said = functools.partial(heartbeat_state, beat)
        assert wait_until(lambda: beat.exists() and submitted_job(store, spec), 120, 0.2)
        job_id = submitted_job(store, spec)["job_id"]
        assert said() == "running"
        subprocess.run(["scontrol", "suspend", job_id], check=True)
        assert wait_until(lambda: said() == "suspended", 20, 0.2)
        monkeypatch.setattr(executors, "slurm_commands_here", lambda: False)
        monkeypatch.setattr(executors, "HEARTBEAT_STALE_S", 0.0)  # its beat is old at once
        assert live_jobs([current_claim(store, spec)[1]]) == {job_id}
        monkeypatch.setattr(executors, "HEARTBEAT_STALE_S", 60.0)  # once resumed, it beats
        resume = threading.Timer(5, lambda: subprocess.run(["scontrol", "resume", job_id]))
        resume.start()
        monkeypatch.setattr(executors._claim, "__defaults__", (0.5,))
        real, synthetic = sweep_worker.fixture_rows()
        run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
        counts = run_missing([spec], real, synthetic, store, run=run, progress=False,
                             executor=LocalExecutor(jobs=1))  # waits for the resumed job
        resume.join()
        assert counts == {"skipped": 1, "ran": 0}
        assert sweep.wait(timeout=120) == 0
    finally:
        sweep.kill()
    assert _finished(tmp_path) == [spec.key()]  # trained once, by the job
    assert said() == "ended"


def test_rerun_after_the_submitting_process_was_killed(tmp_path, child_path, capsys):
    """A sweep's submitting process is SIGKILLed once its jobs are marked (the jobs go on);
    the same sweep again (one run more) waits for those jobs instead of submitting them,
    submits only the new run, and every run is trained once."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(3)
    first = subprocess.Popen(
        [sys.executable, str(HELPERS / "slurm_sweep.py"), str(store.root), str(tmp_path),
         str(tmp_path / "first"), PARTITION, "15", "2"], env=os.environ.copy())
    try:
        assert wait_until(lambda: all(submitted_job(store, s) for s in specs[:2]), 120, 0.2)
        held = [submitted_job(store, s) for s in specs[:2]]
        assert live_jobs(held) == {h["job_id"] for h in held}  # sacct: PENDING or RUNNING
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), sleep_s=15)
    counts = run_missing(specs, real, synthetic, store, run=run, progress=False,
                         executor=slurm_sweep.executor(str(tmp_path / "second"), PARTITION))
    assert counts == {"skipped": 2, "ran": 1}
    assert "2 run(s) are being trained by another sweep" in capsys.readouterr().out
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # each trained once
    _assert_stored_once(store, specs)
    assert len(_job_folders(tmp_path / "first")) == 2 and len(_job_folders(tmp_path / "second")) == 1
    assert wait_until(lambda: not live_jobs(submitted_job(store, s) for s in specs), 60, 0.5)
    states = subprocess.run(["sacct", "-X", "-n", "-P", "-o", "State"] +
                            [a for h in held for a in ("-j", h["job_id"])],
                            check=True, capture_output=True, text=True).stdout.split()
    assert states == ["COMPLETED", "COMPLETED"]


def test_two_sweeps_started_at_once_submit_each_run_once(tmp_path, child_path):
    """Two processes start the same 3-run SLURM sweep at the same moment: each run is
    submitted by one of them (its claim is exclusive), both finish, each run trained once."""
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(3)
    at = str(time.time() + 8)  # both have imported everything by then
    procs = [subprocess.Popen(
        [sys.executable, str(HELPERS / "slurm_sweep.py"), str(store.root), str(tmp_path),
         str(tmp_path / name), PARTITION, "3", "3", at], env=os.environ.copy(),
        stdout=subprocess.PIPE, text=True) for name in ("first", "second")]
    outs = [proc.communicate(timeout=300)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0]
    counts = [json.loads(out.split("COUNTS ", 1)[1]) for out in outs]
    assert sum(c["ran"] for c in counts) == 3 and all(c["ran"] + c["skipped"] == 3 for c in counts)
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # each trained once
    _assert_stored_once(store, specs)
    submitted = [_job_folders(tmp_path / name) if (tmp_path / name).exists() else []
                 for name in ("first", "second")]
    assert sum(map(len, submitted)) == 3


def test_an_array_sbatch_refuses_is_one_line_and_leaves_nothing(tmp_path, child_path):
    """A partition the cluster lacks: sbatch refuses, the sweep says so in one line, releases
    its claims and leaves no sweep folder (it was a FailedJobError traceback and a folder
    holding the pickled inputs, for each try)."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(2)
    with pytest.raises(LittleHumanError, match="sbatch refused the array of 2 run.*partition") as caught:
        run_missing(specs, real, synthetic, store, run=flaky_run.flaky_run, progress=False,
                    executor=slurm_sweep.executor(str(tmp_path / "slurm"), "nosuch-littlehuman"))
    assert "\n" not in str(caught.value)
    assert all(current_claim(store, s) == (-1, None) for s in specs)
    assert list((tmp_path / "slurm").iterdir()) == []


def test_a_run_that_raises_is_resubmitted_once_then_reported(tmp_path, child_path):
    """Both runs raise at every attempt, retries=1: 2 arrays of 2 tasks, then one error about
    the runs. sacct still lists a task that has just raised as RUNNING/COMPLETING: the retry
    took its own jobs for another sweep's in 2 of 4 tries ("job 75_1 of another sweep ended
    without its record"), resubmitting nothing."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(2)
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path), mode="raise",
                            victims=tuple(s.key() for s in specs))
    with pytest.raises(LittleHumanError, match="2 of 2 runs failed after 2 attempt") as caught:
        run_missing(specs, real, synthetic, store, run=run, progress=False,
                    executor=slurm_sweep.executor(str(tmp_path / "slurm"), PARTITION, retries=1))
    assert "another sweep" not in str(caught.value)
    assert "RuntimeError: no memory left for run" in str(caught.value)  # not the .out log's path
    assert sorted((tmp_path / "attempts.log").read_text().split()) == sorted(
        [s.key() for s in specs] * 2)
    assert len(_job_folders(tmp_path / "slurm")) == 4



def _cancel_while_pending(store: RunStore, spec, cancelled: list[str]) -> None:
    """scancel the array task of ``spec`` by its id while it and another task of its array
    are PENDING (behind :func:`node_taken`). Cancelled so, it is never written to sacct;
    the last pending task of an array is (CANCELLED), and was always handled."""
    if wait_until(lambda: submitted_job(store, spec), 120, 0.1):
        job_id = submitted_job(store, spec)["job_id"]
        squeue = subprocess.run(["squeue", "-h", "-r", "-o", "%i|%T", "-j", job_id.split("_")[0]],
                                capture_output=True, text=True).stdout
        if f"{job_id}|PENDING" in squeue and squeue.count("|PENDING") >= 2:
            subprocess.run(["scancel", job_id], check=True)
            cancelled.append(job_id)


@pytest.fixture()
def node_taken():
    """Every CPU of the node held for 15 s by another job, so a sweep's tasks start pending."""
    cpus = subprocess.run(["sinfo", "-h", "-p", PARTITION, "-o", "%c"], check=True,
                          capture_output=True, text=True).stdout.split()[0]
    job = subprocess.run(["sbatch", "--parsable", "-p", PARTITION, "-c", cpus, "-o", "/dev/null",
                          "--wrap", "sleep 15"], check=True, capture_output=True, text=True).stdout.strip()
    yield job
    subprocess.run(["scancel", job], check=False)


@pytest.fixture()
def alarm():
    """Fail a test whose sweep hangs instead of hanging the suite."""
    def hung(*_args):
        raise TimeoutError("the sweep still waits")

    previous = signal.signal(signal.SIGALRM, hung)
    yield signal.alarm
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_a_pending_task_cancelled_by_its_id_is_resubmitted(tmp_path, child_path, node_taken, alarm):
    """scancel <job>_<i> while the array waits: sacct never lists the task, submitit calls it
    UNKNOWN (never done) and the sweep waited forever (still waiting after 150 s). Now the
    sweep sees squeue no longer holds it, resubmits the run once, and every run is trained
    once."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(3)
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    cancelled: list[str] = []
    thread = threading.Thread(target=_cancel_while_pending, args=(store, specs[2], cancelled), daemon=True)
    thread.start()
    alarm(150)
    counts = run_missing(specs, real, synthetic, store, run=run, progress=False,
                         executor=slurm_sweep.executor(str(tmp_path / "slurm"), PARTITION, retries=1))
    alarm(0)
    assert cancelled and counts == {"skipped": 0, "ran": 3}
    assert _history(cancelled[0]) == []  # what made it hang: sacct has no record of it
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # each trained once
    _assert_stored_once(store, specs)
    assert submitted_job(store, specs[2])["job_id"] != cancelled[0]  # a new job trained it


def test_rerun_after_a_kill_does_not_wait_for_a_cancelled_pending_task(tmp_path, child_path,
                                                                        node_taken, capsys):
    """The submitting process is SIGKILLed, then a pending task is scancelled by its id: the
    rerun waited 641 s (the 10 minutes a claim sacct does not list counted as live) before
    training that run. Now squeue settles it: the rerun waits only for the live tasks and
    submits the cancelled run at once."""
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(3)
    first = subprocess.Popen(
        [sys.executable, str(HELPERS / "slurm_sweep.py"), str(store.root), str(tmp_path),
         str(tmp_path / "first"), PARTITION, "0", "3"], env=os.environ.copy())
    try:
        assert wait_until(lambda: all(submitted_job(store, s) for s in specs), 120, 0.1)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    cancelled: list[str] = []
    _cancel_while_pending(store, specs[2], cancelled)
    assert cancelled
    real, synthetic = sweep_worker.fixture_rows()
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))
    started = time.monotonic()
    counts = run_missing(specs, real, synthetic, store, run=run, progress=False,
                         executor=slurm_sweep.executor(str(tmp_path / "second"), PARTITION))
    assert time.monotonic() - started < 120
    assert counts == {"skipped": 2, "ran": 1}
    assert "2 run(s) are being trained by another sweep" in capsys.readouterr().out
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # each trained once
    _assert_stored_once(store, specs)


def test_a_task_at_its_time_limit_is_stopped_not_requeued(tmp_path, child_path):
    """--slurm-time-min 1: SLURM warns (USR2, 90 s before the limit: at once) and submitit
    requeued the task 3 times, 2 min apart, training the run from scratch each time (4 starts,
    10 min, then submitit's 'timed-out too many times'). Now the task stops at its first
    warning, neither requeued nor resubmitted, and the sweep names the limit; a rerun with a quick run trains it
    once."""
    real, synthetic = sweep_worker.fixture_rows()
    store, specs = RunStore(tmp_path / "store"), slurm_sweep.specs(2)
    slow = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path),
                             victims=(specs[0].key(),), mode="preempt")  # waits 120 s
    started = time.monotonic()  # the slow run alone: a quick one may be warned at 1 min too
    with pytest.raises(LittleHumanError, match=r"1 of 1 runs failed \(1 stopped at the time limit, "
                                               r"not resubmitted\).*reached its time limit "
                                               r"\(--slurm-time-min 1\)") as caught:
        run_missing(specs[:1], real, synthetic, store, run=slow, progress=False,  # a resubmitted
                    executor=slurm_sweep.executor(str(tmp_path / "slurm"), PARTITION,  # run would
                                                  retries=1, time_min=1))  # finish: no error
    assert time.monotonic() - started < 110 and "\n" not in str(caught.value)
    job_id = submitted_job(store, specs[0])["job_id"]
    assert wait_until(lambda: _history(job_id) and _history(job_id)[-1] not in
                      ("PENDING", "RUNNING", "COMPLETING"), 60, 0.5)
    assert "REQUEUED" not in _history(job_id) and _finished(tmp_path) == []
    run = functools.partial(flaky_run.flaky_run, marker_dir=str(tmp_path))  # warned >= 30 s in
    counts = run_missing(specs, real, synthetic, store, run=run, progress=False,
                         executor=slurm_sweep.executor(str(tmp_path / "rerun"), PARTITION,
                                                       time_min=2))
    assert counts == {"skipped": 0, "ran": 2}
    assert sorted(_finished(tmp_path)) == sorted(s.key() for s in specs)  # each trained once
    _assert_stored_once(store, specs)
