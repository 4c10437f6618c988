"""Executors: where many runs happen (:func:`run_missing`). Both put every result in the same
:class:`~littlehuman.runs.RunStore` and skip the specs it already holds.

- :class:`LocalExecutor`: this machine. One worker process per GPU when CUDA reports several
  (``CUDA_VISIBLE_DEVICES`` pinned per worker); otherwise ``jobs`` workers (1 = in process).
  Each run is trained under its inter-process lock (:meth:`RunStore.lock`), so several
  processes sweeping the same store at once train each run once in total and share the work.
- :class:`SlurmExecutor`: a SLURM array job through submitit, one array task per run. The
  task callable is checkpointable, so a preempted task is requeued by submitit; a task that
  reaches its time limit is neither requeued nor resubmitted (its run would start again from
  scratch and time out again: the sweep says to raise the limit); a task that dies (killed,
  out of memory, node failure) is resubmitted up to ``retries`` times. Tasks write their own results to the store, which must be on a shared
  filesystem. Each run is claimed exclusively before it is submitted (:func:`claim_runs`),
  then its claim names its job (:func:`mark_submitted`), so a second sweep, started at the
  same time or later, waits for a run that the first holds instead of submitting it again.

:func:`make_executor` picks one from a profile (``--executor local|slurm``).
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

import pandas as pd
import submitit
from filelock import FileLock, Timeout
from tqdm.auto import tqdm

from littlehuman import paths
from littlehuman.config import EXECUTORS, Profile
from littlehuman.errors import LittleHumanError
from littlehuman.machine import usable_cores
from littlehuman.runs import RunFn, RunSpec, RunStore, execute


class Executor(Protocol):
    """Runs the specs the store lacks; returns ``{"skipped": ..., "ran": ...}``."""

    def run(self, specs: list[RunSpec], real: pd.DataFrame, synthetic: pd.DataFrame,
            store: RunStore, run: RunFn = execute, progress: bool = True) -> dict[str, int]: ...


def run_missing(specs: Iterable[RunSpec], real: pd.DataFrame, synthetic: pd.DataFrame,
                store: RunStore, run: RunFn = execute, executor: Executor | None = None,
                jobs: int = 1, progress: bool = True) -> dict[str, int]:
    """Do every spec that has no record yet, storing each as it finishes.

    ``run(spec, real, synthetic) -> (record, predictions)`` does one run (default
    :func:`~littlehuman.runs.execute`; e.g. ``functools.partial(execute, scorer=...)`` to swap
    a part); ``executor`` decides where (default ``LocalExecutor(jobs=jobs)``: in process,
    or with ``jobs > 1`` or several GPUs in spawned worker processes). Returns ``{"skipped":
    finished before, "ran": run now}``."""
    chosen = executor if executor is not None else LocalExecutor(jobs=jobs)
    return chosen.run(list(specs), real, synthetic, store, run, progress)


def make_executor(profile: Profile) -> Executor:
    """The executor that ``profile.executor`` names ('local' or 'slurm')."""
    if profile.executor == "local":
        return LocalExecutor(jobs=profile.jobs)
    if profile.executor == "slurm":
        return SlurmExecutor.from_profile(profile)
    raise LittleHumanError(
        f"unknown executor {profile.executor!r}: choose one of {', '.join(EXECUTORS)}"
    )


_NO_SLURM = ("--executor slurm: no SLURM cluster here ({}): run from a login node of the "
             "cluster, or use --executor local")


# --------------------------------------------------------------------------- local
def visible_gpus(count: int | None = None) -> list[str]:
    """The ids to put in each worker's ``CUDA_VISIBLE_DEVICES``: the first ``count`` (default:
    as many as CUDA reports) of this process's ``CUDA_VISIBLE_DEVICES``, else 0, 1, ..."""
    if count is None:
        import torch

        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    ids = [x.strip() for x in env.split(",") if x.strip()] if env else []
    return (ids or [str(i) for i in range(count)])[:count]


@dataclass(frozen=True)
class LocalExecutor:
    """Runs on this machine. ``gpus``: None = as many as CUDA reports, 0 = ignore GPUs."""

    jobs: int = 1
    gpus: int | None = None

    def __post_init__(self) -> None:
        if int(self.jobs) < 1 or (self.gpus is not None and int(self.gpus) < 0):
            raise LittleHumanError(f"--jobs must be >= 1 (got {self.jobs}) and gpus >= 0 (got {self.gpus})")

    def slots(self) -> list[str | None]:
        """Each worker's ``CUDA_VISIBLE_DEVICES`` (None = left as is). With several GPUs:
        ``max(jobs, gpus)`` workers given the GPUs round-robin; otherwise ``jobs`` workers."""
        gpus = visible_gpus(self.gpus)
        if len(gpus) > 1:
            return [gpus[i % len(gpus)] for i in range(max(self.jobs, len(gpus)))]
        return [None] * self.jobs

    def workers(self, runs: int) -> tuple[list[str | None], str | None]:
        """The :meth:`slots` worth starting for ``runs`` runs, and a note when fewer than
        asked: no more workers than runs, and on CPUs no more than the cores this process may
        use (a second training process per core only slows both; GPUs are not capped)."""
        slots, note = self.slots(), None
        cores = usable_cores()
        if len(slots) > cores and all(slot is None for slot in slots):
            note = (f"--jobs {self.jobs} is more than the {cores} core(s) this process may "
                    f"use: training {cores} at once")
            slots = slots[:cores]
        return slots[:max(1, runs)], note

    def run(self, specs: list[RunSpec], real: pd.DataFrame, synthetic: pd.DataFrame,
            store: RunStore, run: RunFn = execute, progress: bool = True) -> dict[str, int]:
        """Run the specs the store lacks; this process writes each record as it arrives.

        Each run is claimed with its lock first and skipped when another process finished it
        meanwhile. A run another process is training is put off to the end, then waited for
        (one line says so) and skipped once stored, or trained here if that process died.
        ``skipped`` counts runs finished before or by another process."""
        specs = list(specs)
        todo = [s for s in specs if not store.has(s)]
        counts = {"skipped": len(specs) - len(todo), "ran": 0}
        if not todo:
            return counts
        slots, note = self.workers(len(todo))
        if note and progress:
            print(note, flush=True)
        if len(slots) == 1:
            with tqdm(total=len(todo), desc="runs", unit="run", disable=not progress) as bar:
                _schedule(todo, real, synthetic, store, run, _InProcess(), 1, counts, bar)
            return counts
        from concurrent.futures.process import BrokenProcessPool

        threads = max(1, usable_cores() // len(slots))
        bar = tqdm(total=len(todo), desc=f"runs ({len(slots)} jobs)", unit="run",
                   disable=not progress)
        try:
            with bar, _SlotPools(slots, threads) as pool:
                _schedule(todo, real, synthetic, store, run, pool, len(slots), counts, bar)
        except BrokenProcessPool:
            raise LittleHumanError(
                f"a worker process of the sweep died while training (out of memory? killed?); "
                f"{counts['ran']} run(s) of this sweep finished and are stored: rerun to do the "
                "rest, with fewer --jobs if memory is short") from None
        return counts


class _SlotPools:
    """One single-worker process pool per slot (GPU or core share), submitted to as one pool:
    a worker that dies (the out-of-memory killer) breaks its own pool only. One shared pool
    had killed every other worker with it, and the runs they were training were lost (a
    reviewer's find)."""

    def __init__(self, slots: list[str | None], threads: int) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("spawn")
        self._pools = [ProcessPoolExecutor(max_workers=1, mp_context=ctx,
                                           initializer=_worker_init,
                                           initargs=(threads, slot, os.getpid()))
                       for slot in slots]
        self._last: dict[int, Future] = {}

    def submit(self, fn: Any, *args: Any) -> Future:
        """Submit to a pool whose last call is done (the scheduler keeps no more calls in
        flight than there are pools)."""
        index = next(i for i in range(len(self._pools))
                     if i not in self._last or self._last[i].done())
        self._last[index] = future = self._pools[index].submit(fn, *args)
        return future

    @property
    def _processes(self) -> dict[int, Any]:
        """Every pool's worker processes (for :func:`_stop_workers`)."""
        return {pid: process for pool in self._pools
                for pid, process in (getattr(pool, "_processes", None) or {}).items()}

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        for pool in self._pools:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def __enter__(self) -> "_SlotPools":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown(wait=True)


def _set_threads(threads: int) -> None:
    """Give this process its share of the cores (learners read LITTLEHUMAN_THREADS)."""
    import torch

    os.environ["LITTLEHUMAN_THREADS"] = str(max(1, threads))
    torch.set_num_threads(max(1, threads))


def _worker_init(threads: int, slot: str | None, parent: int) -> None:
    """Pin the worker to its GPU ``slot`` (before anything touches CUDA), share cores, and
    leave when the sweep's process ``parent`` is gone (:func:`_exit_with_parent`)."""
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True,
                     name="exit-with-parent").start()
    if slot is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = slot
    _set_threads(threads)


def _exit_with_parent(parent: int, poll_s: float = 1.0) -> None:
    """End this worker once process ``parent`` is no longer its parent. Killed with SIGKILL,
    the sweep tells its pool nothing: the workers would train on (nobody can store their
    result, and the run's lock is free for another process to train it) and then wait for
    work forever, holding their memory and GPU."""
    while os.getppid() == parent:
        time.sleep(poll_s)
    os._exit(1)


class _InProcess:
    """A stand-in for a pool that runs each submitted call at once, in this process."""

    def submit(self, fn: Any, *args: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001 - re-raised by future.result()
            future.set_exception(exc)
        return future


#: the longest wait between two looks at a live SLURM claim by a local sweep (from ``poll_s``,
#: doubling)
CLAIM_POLL_MAX_S = 60.0


def _claim(store: RunStore, spec: RunSpec, block: bool,
           poll_s: float = 5.0) -> tuple[str, FileLock | None]:
    """("mine", the held lock) to train the run; ("done", None) when it is stored; ("busy",
    None) when another local process holds its lock or a live SLURM sweep claims it (only
    when not ``block``; else wait for that). A dead SLURM claim is taken over with a mark
    (:func:`_mark_taken_over`), for its task should it run again."""
    lock, wait_s = store.lock(spec), poll_s
    while True:
        try:
            lock.acquire(timeout=-1 if block else 0)
        except Timeout:
            return "busy", None
        try:
            if store.has(spec):
                lock.release()
                return "done", None
            generation, claim = current_claim(store, spec)
            # a local sweep's mark (below) is dead to the lock's holder: its sweep is not training
            if not claim or "lock_name" in claim:
                return "mine", lock
            if not live_claims([claim])[0]:
                if _mark_taken_over(store, spec, generation):
                    return "mine", lock
                lock.release()  # a sweep claimed it first: judge its claim
                continue
        except BaseException:
            lock.release()
            raise
        lock.release()  # a SLURM sweep trains it: its job holds no lock here
        if not block:
            return "busy", None
        time.sleep(wait_s)  # backing off: each poll asks sacct (a reviewer: 840 calls an hour)
        wait_s = min(wait_s * 2, max(poll_s, CLAIM_POLL_MAX_S))


def _mark_taken_over(store: RunStore, spec: RunSpec, generation: int) -> bool:
    """Take a dead SLURM claim (``generation``) over for a local sweep that holds the run's
    lock: a later claim that lives while the lock is held (:func:`live_claims`), so that the
    claim's task, should it run again (requeued, resumed), leaves the run (:func:`_taken_over`)
    and SLURM sweeps wait for it. False when another sweep claimed the run first."""
    text = json.dumps({"sweep": f"local-{socket.gethostname()}-{os.getpid()}",
                       "lock_name": store.beside(spec, ".lock").name,
                       "host": socket.gethostname(), "claimed": time.time()})
    path = claim_path(store, spec, generation + 1)
    try:
        paths.atomic_write(path, lambda handle: handle.write(text.encode("utf-8")),
                           exclusive=True)
    except FileExistsError:
        return False
    except OSError:  # no hard links here (an SMB mount): an exclusive create, where the
        try:         # claim's task cannot find the mark half written (it looks for the file)
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            return False
        except OSError as exc:
            raise LittleHumanError(
                f"cannot take run {spec.key()} over from a SLURM job that ended without it: "
                f"no claim can be written in {path.parent} ({exc}); its task would train it "
                "again should it run again. Run the sweep where the store is writable") from exc
    return True


def _describe(spec: RunSpec) -> str:
    return f"{spec.dataset} {spec.experiment} n={spec.n} f={spec.fraction:.4g} s={spec.seed}"


def _schedule(todo: list[RunSpec], real: pd.DataFrame, synthetic: pd.DataFrame,
              store: RunStore, run: RunFn, pool: Any, capacity: int, counts: dict[str, int],
              bar: Any) -> None:
    """Keep up to ``capacity`` claimed runs in ``pool``, claiming one at a time so processes
    started together share the runs; runs locked by another process come last, blocking.
    A failed run, or a run that cannot be claimed or submitted (a full disk when its lock is
    made), stops new submissions; the runs still in flight are stored as they finish (they
    were paid for), then the first failure is raised. Only Ctrl-C and SIGTERM stop them."""
    pending: deque[RunSpec] = deque(todo)
    deferred: deque[RunSpec] = deque()
    in_flight: dict[Future, tuple[RunSpec, FileLock]] = {}
    failure: Exception | None = None
    try:
        while in_flight or (failure is None and (pending or deferred)):
            while failure is None and len(in_flight) < capacity and (pending or deferred):
                if not pending and in_flight:
                    break  # finish our own runs before waiting on another process
                try:
                    started = _start_next(pending, deferred, store, pool, run, real, synthetic,
                                          bar)
                except Exception as exc:  # noqa: BLE001 - raised once the others are stored
                    failure = exc  # (a reviewer: a full disk at a claim killed the workers)
                    break
                if started is None:
                    continue
                if started == "skipped":
                    counts["skipped"] += 1
                    bar.update(1)
                    continue
                in_flight[started[0]] = started[1:]
            if not in_flight:
                continue
            finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in finished:
                spec, lock = in_flight.pop(future)
                try:
                    record, predictions = future.result()
                    store.write(spec, record, predictions)
                except Exception as exc:  # noqa: BLE001 - raised once the others are stored
                    failure = failure or exc
                    continue
                finally:
                    lock.release()
                counts["ran"] += 1
                bar.update(1)
    except BaseException:  # Ctrl-C, SIGTERM: stop the workers before their runs' locks go
        _stop_workers(pool)  # (a reviewer: another sweep trained them beside the still-running
        raise                # workers, whose results the pool's exit then threw away)
    finally:
        for _spec, held in in_flight.values():
            held.release()
    if failure is not None:
        raise failure


def _start_next(pending: deque[RunSpec], deferred: deque[RunSpec], store: RunStore, pool: Any,
                run: RunFn, real: pd.DataFrame, synthetic: pd.DataFrame,
                bar: Any) -> tuple[Future, RunSpec, FileLock] | str | None:
    """Claim the next run and submit it: (its future, spec, held lock); "skipped" when it is
    stored; None when another process holds it (put off to ``deferred``). A put-off run is
    waited for (blocking) once ``pending`` is empty."""
    if pending:
        spec = pending.popleft()
        state, lock = _claim(store, spec, block=False)
        if state == "busy":
            deferred.append(spec)
            return None
    else:
        spec = deferred.popleft()
        state, lock = _claim(store, spec, block=False)
        if state == "busy":
            tqdm.write(_waiting_line(store, spec), file=sys.stdout)
            state, lock = _claim(store, spec, block=True)
    if state == "done" or lock is None:
        return "skipped"
    bar.set_postfix_str(_describe(spec))
    try:
        future = pool.submit(run, spec, real, synthetic)
    except BaseException:  # e.g. Ctrl-C during an in-process run, or a broken pool
        lock.release()
        raise
    return future, spec, lock


def _stop_workers(pool: Any, grace_s: float = 5.0) -> None:
    """Terminate a process pool's workers now and cancel what it has not started (in-process
    scheduling has none); a worker still there after ``grace_s`` (one that handles or ignores
    SIGTERM) is killed, so none trains on once its run's lock is gone. What they were
    training is lost, as Ctrl-C means; a rerun redoes it."""
    processes = getattr(pool, "_processes", None)
    if not processes:
        return
    workers = list(processes.values())
    for process in workers:
        process.terminate()
    deadline = time.monotonic() + grace_s
    for process in workers:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in workers:
        if process.exitcode is None:  # (None too where the pool's thread reaped it first)
            process.kill()
            process.join(5)
    pool.shutdown(wait=False, cancel_futures=True)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back until the block ends (then raised as usual): a sweep
    interrupted between submitting a SLURM array and writing its job ids into the runs'
    claims left claims that named only a dead process, so a rerun submitted those runs again
    (a reviewer's find). Held by handlers of its own, not a signal mask (another thread
    would take a masked signal). A no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: received.append(signum))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:  # delivered again, to the handlers of before
            signal.raise_signal(received[0])


# --------------------------------------------------------------------------- slurm
class RunTask(submitit.helpers.Checkpointable):
    """One array task: one run, written to the store by the task itself.

    On preemption submitit calls the inherited ``checkpoint()``, which returns a
    ``DelayedSubmission`` of this same call, and requeues it; the requeued call skips the spec
    if it was stored in the meantime (the store's record is written last, atomically). At its
    time limit it is not requeued (:meth:`SlurmExecutor.submitit_executor`). While it trains
    it keeps a heartbeat beside its claim (:class:`TaskHeartbeat`); a task that comes back
    (requeued, resumed) to find its run taken over by another sweep leaves it to that sweep,
    and one that finds it stored when done keeps the stored record.
    """

    def __call__(self, store: RunStore, inputs: str, run: RunFn, spec: RunSpec,
                 generation: int = 0) -> str:
        if store.has(spec):
            return "skipped"
        judge_warnings_by_the_limit()
        cpus = os.environ.get("SLURM_CPUS_PER_TASK")
        if cpus:
            _set_threads(int(cpus))
        if _taken_over(store, spec, generation):
            return TAKEN_OVER
        with TaskHeartbeat(heartbeat_path(claim_path(store, spec, generation))):
            real, synthetic = pd.read_pickle(inputs)
            record, predictions = run(spec, real, synthetic)
            if store.has(spec):  # a sweep that took it over stored it meanwhile: kept
                return "skipped"
            store.write(spec, record, predictions)
        return spec.key()


#: seconds between a SLURM task's heartbeats (:class:`TaskHeartbeat`)
HEARTBEAT_S = 60.0
#: how old a running task's last heartbeat may be before a sweep that cannot ask SLURM about
#: its job (:func:`live_claims`) calls the task dead: well above :data:`HEARTBEAT_S`, for a
#: slow shared filesystem and clocks that differ between hosts
HEARTBEAT_STALE_S = 900.0
#: the size of a heartbeat file: each beat writes its JSON padded with spaces to it (or to
#: the file's size, where an earlier heartbeat was longer)
HEARTBEAT_BYTES = 512


def heartbeat_path(claim_file: Path) -> Path:
    """The heartbeat of the task that a claim's job runs, beside the claim:
    ``.<key>.slurm[.<g>].beat`` for ``.<key>.slurm[.<g>].json``."""
    return claim_file.with_suffix(".beat")


class TaskHeartbeat:
    """A context manager that keeps a SLURM task's heartbeat at ``path`` while its run trains:
    the task's job id, its state and the time, written every ``every_s``
    (:data:`HEARTBEAT_S`). States: "running"; "suspended" from SLURM's SIGTSTP (``scontrol
    suspend``, gang scheduling: the SIGSTOP that follows stops the beats too) to its SIGCONT;
    "signalled" from a SIGTERM on (SLURM's requeue, a preemption, scancel: a kill follows, and
    a requeued job runs again); on leaving, "ended" (returned or raised) or "requeued" on
    SystemExit (submitit exits so after requeueing a preempted task). A sweep that cannot ask
    SLURM about the job reads it (:func:`_heartbeat_stopped`): only "ended", or "running"
    gone silent (a task killed without a word: out of memory, a node lost), mean the job will
    not train its run. A heartbeat that cannot be written is skipped.

    The signals are read where they arrive, not in Python's handlers: those run in the main
    thread between bytecodes, so with the task inside one long C call SLURM's SIGSTOP came
    first and the task stopped still "running", and on its resume the late SIGTSTP handler
    stopped it for good (a reviewer, on a real SLURM). Instead Python's C-level handler
    writes each signal's number to a pipe (:func:`signal.set_wakeup_fd`), which the beat
    thread reads in their order. The Python handlers only pass each signal on to the handler
    of before (submitit's), SIGTERM's default also; SIGTSTP's default stop is left to SLURM's
    SIGSTOP. Installed in the main thread only, where no wakeup fd is taken already."""

    def __init__(self, path: Path, every_s: float | None = None) -> None:
        self.path, self.every_s = path, every_s
        try:
            self.job_id = str(submitit.JobEnvironment().job_id)
        except RuntimeError:  # not in a submitit job
            self.job_id = ""
        self.state = "running"
        self._suspended_at = 0.0  # time.monotonic() at the last SIGTSTP
        self._lock = threading.RLock()  # the beat thread against the main thread's beats
        self._thread = threading.Thread(target=self._keep_beating, daemon=True,
                                        name="littlehuman-heartbeat")
        self._previous: dict[int, Any] = {}  # the handlers of before, while ours are set
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)

    def beat(self, state: str | None = None) -> None:
        """Write the heartbeat, as ``state`` from now on when one is given. Written in place,
        not through a temp file (no folder listing a minute per task on a shared filesystem),
        as one write of :data:`HEARTBEAT_BYTES` over the last, never truncated: a task stopped
        anywhere (SLURM's SIGSTOP) leaves a whole heartbeat. Truncate, then write, left it
        empty when the stop fell between the two, and an empty heartbeat reads as live for
        ever. A reader that catches it half written (another host, mid-write) takes the claim
        for live. The first beat creates the file whole, through a temp file
        (:func:`paths.atomic_write`): created, then written, it was left empty by a kill
        between the two."""
        with self._lock:
            self.state = state or self.state
            text = json.dumps({"job_id": self.job_id, "state": self.state, "beat": time.time(),
                               "host": socket.gethostname()})
            block = text.encode("utf-8").ljust(HEARTBEAT_BYTES)
            try:
                try:
                    fd = os.open(self.path, os.O_WRONLY)
                except FileNotFoundError:  # the first beat
                    paths.atomic_write(self.path, lambda handle: handle.write(block))
                    return
                try:  # padded with spaces (JSON allows them) over the whole of the last
                    os.pwrite(fd, block.ljust(os.fstat(fd).st_size), 0)
                finally:
                    os.close(fd)
            except OSError:  # a full or unreachable filesystem: the next beat tries again
                pass

    def _keep_beating(self) -> None:
        every = HEARTBEAT_S if self.every_s is None else self.every_s
        due = time.monotonic() + every
        while True:
            ready, _, _ = select.select([self._read], [], [], max(0.0, due - time.monotonic()))
            if not ready:  # this thread runs, so the task is not stopped: where SIGCONT came
                # before SIGTSTP (both pending at the resume), "suspended" would stay for good
                late = (self.state == "suspended"
                        and time.monotonic() - self._suspended_at > SUSPENDED_GRACE_S)
                self.beat("running" if late else None)
                due = time.monotonic() + every
                continue
            for signum in os.read(self._read, 512):
                if signum == 0:  # __exit__'s
                    return
                if signum == signal.SIGTSTP:
                    self._suspended_at = time.monotonic()
                    self.beat("suspended")
                elif signum == signal.SIGCONT and self.state == "suspended":
                    self.beat("running")
                elif signum == signal.SIGTERM:
                    self.beat("signalled")

    def _pass_on(self, signum: int, frame: Any) -> None:
        previous = self._previous[signum]
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL and signum == signal.SIGTERM:  # its default: to end
            self.beat("signalled")  # before the beat thread may have read it
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    def __enter__(self) -> "TaskHeartbeat":
        if threading.current_thread() is threading.main_thread():
            theirs = signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
            if theirs != -1:  # someone else reads signals so (an event loop): theirs
                signal.set_wakeup_fd(theirs)
            else:
                for signum in (signal.SIGTSTP, signal.SIGCONT, signal.SIGTERM):
                    self._previous[signum] = signal.signal(signum, self._pass_on)
        _BEATING[:] = [self]
        self.beat("running")
        self._thread.start()
        return self

    def forget_in_child(self) -> None:
        """In a process forked from the task (a data loader's worker): its signals are its
        own, not the task's (they went to the task's pipe, and a worker's SIGTERM left the
        task "signalled" for good, a reviewer); the handlers of before, no wakeup fd."""
        try:
            self._give_signals_back()
        except ValueError:  # forked from a thread that is not the main one there
            pass
        os.close(self._read)
        os.close(self._write)

    def _give_signals_back(self) -> None:
        """The signal handlers of before, and no wakeup fd, where __enter__ set ours."""
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        if self._previous:
            signal.set_wakeup_fd(-1)

    def __exit__(self, kind: type[BaseException] | None, *_exc: Any) -> None:
        _BEATING.clear()
        self._give_signals_back()
        os.write(self._write, b"\0")
        self._thread.join()
        os.close(self._read)
        os.close(self._write)
        self.beat("requeued" if kind is not None and issubclass(kind, SystemExit) else "ended")


#: the heartbeat this process keeps now, if any (for :func:`_forget_heartbeat_in_child`)
_BEATING: list[TaskHeartbeat] = []


def _forget_heartbeat_in_child() -> None:
    if _BEATING:
        _BEATING.pop().forget_in_child()


os.register_at_fork(after_in_child=_forget_heartbeat_in_child)


def _taken_over(store: RunStore, spec: RunSpec, generation: int) -> bool:
    """Whether another sweep has taken run ``spec`` from this task's claim (``generation``)
    while the task waited to run again (requeued after a node was lost, or resumed after a
    sweep that cannot ask SLURM called it dead): a later claim, which a SLURM sweep writes to
    take a dead claim over, and a local sweep too (:func:`_claim`)."""
    return claim_path(store, spec, generation + 1).exists()


#: seconds after a SIGTSTP within which SLURM's SIGSTOP stops a task: a task that still beats
#: later was resumed (:class:`TaskHeartbeat`)
SUSPENDED_GRACE_S = 30.0
#: what a task returns when another sweep took its run over (:func:`_taken_over`)
TAKEN_OVER = "taken over"


#: seconds before a task's time limit that SLURM warns it (submitit's ``--signal USR2@90``)
WARNING_S = 90
#: how much earlier a time limit's warning may come: SLURM may send it "up to 60 seconds
#: earlier than specified" (sbatch's manual), and squeue counts whole seconds
WARNING_EARLY_S = 120


def judge_warnings_by_the_limit() -> None:
    """Make this task's submitit call a warning signal a time-out only when it comes within
    :data:`WARNING_S` + :data:`WARNING_EARLY_S` of the time limit, a preemption otherwise
    (:func:`_at_the_limit`).

    submitit calls it a time-out from 80% of the limit on, or 10 minutes before it, whichever
    is later: with a limit of 10 minutes or less, always. Since a run at its time limit is not
    requeued (:meth:`SlurmExecutor.submitit_executor`), such a preempted task failed at once
    with "raise --slurm-time-min", where it should have been requeued. Replaces the method on
    the task's own signal handler only; where submitit's handler is not found (another
    submitit), its own rule stays."""
    from submitit.core.job_environment import SignalHandler

    for number in (signal.SIGUSR1, signal.SIGUSR2):
        handler = getattr(signal.getsignal(number), "__self__", None)
        if isinstance(handler, SignalHandler) and hasattr(handler, "_start_time") \
                and hasattr(getattr(handler, "_delayed", None), "_timeout_min"):
            handler.has_timed_out = functools.partial(_at_the_limit, handler)


def _at_the_limit(handler: Any) -> bool:
    """Whether a warning now is the time limit's, by SLURM's own clock: the time the job has
    run and its limit, from squeue (:func:`_slurm_clock`). Not by the task's: its clock starts
    once the task's Python has started and unpickled its call, minutes into the job where a
    prolog, a container or a cold shared filesystem is slow, and then a real time-out looked
    like a preemption and was requeued at every limit, for ever (a reviewer, on a real
    SLURM). Where squeue cannot say, submitit's own rule; off SLURM (submitit's local
    cluster, whose task is the job), the task's clock."""
    job = os.environ.get("SLURM_JOB_ID")
    clock = _slurm_clock(job) if job else (time.time() - handler._start_time,
                                           handler._delayed._timeout_min * 60)
    if isinstance(clock, str):
        reached = type(handler).has_timed_out(handler)
        how = (f"; squeue could not say how long job {job} has run ({clock}): submitit's "
               "rule calls it")
    else:
        ran, limit = clock
        reached = ran >= limit - WARNING_S - WARNING_EARLY_S
        how = f" after {ran / 60:.1f} of {limit / 60:.0f} minutes:"
    print(f"littlehuman: a warning{how} {'the time limit' if reached else 'a preemption'}",
          file=sys.stderr, flush=True)
    return reached


def _slurm_clock(job: str) -> tuple[float, float] | str:
    """(seconds job ``job`` has run, its time limit in seconds) from one ``squeue`` call; why
    not, in words, when squeue cannot say (no controller, no limit). Read from the line of
    ``job`` itself (squeue's %A): the array task that keeps the array's own id is asked by
    that id, for which squeue lists every task of the array, a pending one first (a
    reviewer, on a real SLURM: a task at 4:24 of 5:00 read a pending sibling's 0:00)."""
    done = None
    try:
        done = subprocess.run(["squeue", "-h", "-j", job, "-o", "%A|%M|%l"],
                              capture_output=True, text=True, timeout=30)
        lines = [line.split("|") for line in done.stdout.splitlines()]
        used, limit = next(rest for own, *rest in lines if own.strip() == job and len(rest) == 2)
        return slurm_seconds(used), slurm_seconds(limit)
    except (OSError, subprocess.SubprocessError, StopIteration, ValueError) as exc:
        said = " ".join(f"{done.stdout} {done.stderr}".split())[:300] if done else ""
        why = ("no line of its own" if isinstance(exc, StopIteration)
               else f"{type(exc).__name__}: {exc}")
        return why + (f"; it said: {said}" if said else "")


def slurm_seconds(text: str) -> float:
    """SLURM's ``[days-][hours:]minutes:seconds`` (squeue's %M and %l) in seconds; ValueError
    for anything else ("UNLIMITED", "INVALID")."""
    days, dash, clock = text.strip().rpartition("-")
    parts = [int(part) for part in clock.split(":")]
    if not 2 <= len(parts) <= 3 or min(parts) < 0 or (dash and not days):
        raise ValueError(f"not a SLURM time: {text!r}")
    hours, minutes, seconds = ([0] * (3 - len(parts))) + parts
    return ((int(days) if days else 0) * 24 + hours) * 3600.0 + minutes * 60 + seconds


@dataclass(frozen=True)
class SlurmExecutor:
    """A SLURM array job (one task per run) through submitit.

    ``folder``: submitit's logs and the pickled inputs (default ``<cache>/slurm``), one
    sub-folder per sweep. ``cluster``: submitit's cluster, "slurm"; "local" or "debug" run
    the same path without a cluster (tests). ``retries``: resubmissions of the runs whose
    task failed (not of those stopped at their time limit). ``poll_s``: seconds between checks of the jobs' states. The call waits for
    the array; interrupted, it leaves the jobs running (their results still reach the store).

    It takes no file locks (unreliable on many shared filesystems). Instead each run is
    claimed with a file created exclusively beside it (a hard link, atomic on NFS too), which
    names the job once submitted (:func:`claim_runs`, :func:`mark_submitted`). A sweep that
    finds a live claim of another sweep (its job alive by the scheduler, or, not submitted
    yet, its process alive) waits for that run (polling the store) instead of submitting it,
    and claims it again only if the claim dies without a record. So two sweeps started at
    once, or a rerun of a command whose first call was interrupted (its jobs keep running),
    pay for nothing twice. A SLURM sweep also leaves alone a run whose lock a local sweep on
    this host holds, and a local sweep a run with a live SLURM claim.
    """

    partition: str = ""
    gpus_per_job: int = 1
    cpus_per_job: int = 8
    mem_gb: int = 64
    time_min: int = 240
    max_parallel: int = 32
    folder: Path | None = None
    cluster: str = "slurm"
    retries: int = 1
    poll_s: float = 30.0
    name: str = "littlehuman"

    @classmethod
    def from_profile(cls, profile: Profile, **overrides: Any) -> "SlurmExecutor":
        """The profile's ``slurm_*`` fields (plus ``overrides`` of this class's fields)."""
        return cls(partition=profile.slurm_partition, gpus_per_job=profile.slurm_gpus_per_job,
                   cpus_per_job=profile.slurm_cpus_per_job, mem_gb=profile.slurm_mem_gb,
                   time_min=profile.slurm_time_min, max_parallel=profile.slurm_max_parallel,
                   **overrides)

    def parameters(self) -> dict[str, Any]:
        """The keyword arguments of submitit's ``AutoExecutor.update_parameters``."""
        params: dict[str, Any] = dict(
            name=self.name, nodes=1, tasks_per_node=1, gpus_per_node=int(self.gpus_per_job),
            cpus_per_task=int(self.cpus_per_job), mem_gb=int(self.mem_gb),
            timeout_min=int(self.time_min), slurm_array_parallelism=int(self.max_parallel),
        )
        if self.partition:
            params["slurm_partition"] = self.partition
        return params

    @staticmethod
    def check_cluster() -> None:
        """Raise a one-line LittleHumanError when this machine cannot submit to SLURM (no
        ``srun`` on PATH, what submitit looks for): ``run_all.py`` asks before any twin is
        generated or paid for."""
        if shutil.which("srun") is None:
            raise LittleHumanError(_NO_SLURM.format("srun is not on PATH"))

    def submitit_executor(self, folder: Path | str) -> submitit.AutoExecutor:
        """submitit's executor for ``folder`` with :meth:`parameters` applied. A task that
        reaches its time limit is not requeued (``max_num_timeout=0``; submitit's default
        requeued it 3 times): a run keeps no training checkpoint, so each requeue trained it
        from scratch up to the limit again (seen on a real SLURM); it fails at once instead."""
        try:
            executor = submitit.AutoExecutor(folder=folder, cluster=self.cluster,
                                             slurm_max_num_timeout=0, local_max_num_timeout=0)
        except RuntimeError as exc:  # no srun on PATH
            raise LittleHumanError(_NO_SLURM.format(exc)) from exc
        executor.update_parameters(**self.parameters())
        return executor

    def run(self, specs: list[RunSpec], real: pd.DataFrame, synthetic: pd.DataFrame,
            store: RunStore, run: RunFn = execute, progress: bool = True) -> dict[str, int]:
        """Submit the specs the store lacks as one array job, wait, resubmit failed runs.
        Runs that a live job of another sweep is training are waited for, not submitted;
        ``skipped`` counts them with the runs stored before."""
        specs = list(specs)
        todo = [s for s in specs if not store.has(s)]
        counts = {"skipped": len(specs) - len(todo), "ran": 0}
        if not todo:
            return counts
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        root = Path(self.folder or paths.cache_dir() / "slurm").expanduser().resolve()
        sweep_dir = root / f"{stamp}-{uuid.uuid4().hex[:8]}"
        sweep_dir.mkdir(parents=True, exist_ok=True)
        inputs = sweep_dir / "inputs.pkl"
        pd.to_pickle((real, synthetic), inputs)
        executor = self.submitit_executor(sweep_dir / "%j")
        total, failure, attempts = len(todo), "", 1 + max(0, int(self.retries))
        submitted: set[RunSpec] = set()
        timed_out: set[RunSpec] = set()  # not resubmitted: they would time out again
        taken: set[RunSpec] = set()  # their last task did not train them (another sweep did)
        trained: set[RunSpec] = set()  # a task of this sweep stored them: what it "ran"
        bar = tqdm(total=total, desc=f"runs (slurm, {sweep_dir.name})", unit="run",
                   disable=not progress)
        try:
            attempt = 0
            while attempt < attempts:
                retry = [s for s in todo if s not in timed_out]
                if not retry:
                    break
                mine, theirs = claim_runs(store, retry, sweep_dir.name)
                groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
                for claim in theirs.values():
                    groups.setdefault(_held_by(claim, sweep_dir.name), []).append(claim)
                for (whose, advice), held in groups.items():
                    named = sorted({"a local sweep" if "lock" in c or "lock_name" in c
                                    else str(c.get("job_id") or "not yet submitted")
                                    for c in held})
                    tqdm.write(f"{len(held)} run(s) are being trained by {whose} "
                               f"({', '.join(named[:3])}{', ...' if len(named) > 3 else ''}); "
                               f"waiting for them instead of submitting them again{advice}",
                               file=sys.stdout)
                if mine:
                    failure = self._submit_and_wait(executor, mine, store, str(inputs), run,
                                                    bar, submitted, timed_out, taken,
                                                    trained) or failure
                failure = self._wait_for_others(theirs, store, bar, sweep_dir.name) or failure
                todo = [s for s in todo if not store.has(s)]
                if not todo:
                    break
                # runs whose tasks found them another sweep's are waited for in the next
                # round, which counts as no attempt when they are all that is left
                attempt += 0 if set(todo) <= (taken & set(mine)) else 1
        except BaseException:  # a refused sbatch, Ctrl-C or SIGTERM (also while sbatch hangs)
            bar.close()
            if not submitted:  # no task of this sweep can run (_submit_and_wait): no folder left
                shutil.rmtree(sweep_dir, ignore_errors=True)
            raise
        bar.close()
        if todo:
            stopped = sum(s in timed_out for s in todo)
            how = f"after {attempts} attempt(s)" if not stopped else (
                f"({stopped} stopped at the time limit, not resubmitted"
                + (f"; {len(todo) - stopped} after {attempts} attempt(s))"
                   if stopped < len(todo) else ")"))
            raise LittleHumanError(f"{len(todo)} of {total} runs failed {how}; last failure "
                                   f"{failure}; rerun to retry only those")
        # not submitted - taken: a task that failed, then another sweep's run, counted too
        counts["ran"] = len(trained)
        counts["skipped"] += total - counts["ran"]
        inputs.unlink(missing_ok=True)
        if not submitted:  # every run was another sweep's: leave no empty sweep folder
            shutil.rmtree(sweep_dir, ignore_errors=True)
        return counts

    def _wait_for_others(self, theirs: dict[RunSpec, dict[str, Any]], store: RunStore,
                         bar: Any, sweep: str = "") -> str:
        """Wait until each run of ``theirs`` (run -> another sweep's claim, from
        :func:`claim_runs`, or this one's, named ``sweep``, whose job is not ended) is stored or
        its newest claim is dead. Returns the last failure in words ("" when none)."""
        waiting, failure = dict(theirs), ""
        while waiting:
            for spec in [s for s in waiting if store.has(s)]:
                del waiting[spec]
                bar.update(1)
            for spec, claim in list(waiting.items()):  # a claim may have been submitted since
                if "lock" not in claim:
                    waiting[spec] = current_claim(store, spec)[1] or {}
            alive = live_claims(list(waiting.values()))
            for (spec, claim), lives in zip(list(waiting.items()), alive):
                if not lives and not store.has(spec):
                    del waiting[spec]
                    whose = ("this sweep" if sweep and claim.get("sweep") == sweep
                             else "another sweep")
                    failure = (f"job {claim['job_id']} of {whose} ended without its record"
                               if claim.get("job_id") else
                               f"another sweep gave up run {spec.key()} without its record")
            if waiting:
                time.sleep(self.poll_s)
        return failure

    def _submit_and_wait(self, executor: submitit.AutoExecutor, claimed: dict[RunSpec, int],
                         store: RunStore, inputs: str, run: RunFn, bar: Any,
                         submitted: set[RunSpec], timed_out: set[RunSpec],
                         taken: set[RunSpec], trained: set[RunSpec]) -> str:
        """Submit the runs ``claimed`` by this sweep (run -> its claim's generation) as one
        array, add them to ``submitted`` and write each job into its run's claim, wait for
        them all, adding those stopped at the time limit to ``timed_out`` and those whose
        task did not train the run (another sweep did or will: :data:`TAKEN_OVER`, or found
        it stored; no failure) to ``taken``, and those its task trained to ``trained``.
        Returns the last failure in words ("" when none failed).

        When submitit's ``sbatch`` fails (refused, or killed by Ctrl-C while it hung), no task
        of the array can train, even one the controller took (seen on a real SLURM): submitit
        makes each task's folder and puts its pickled call there only once sbatch has printed
        the job id, so such a task fails at launch (no folder for its log)."""
        specs = list(claimed)
        n, failure = len(specs), ""
        with signals_deferred():  # submitted and marked, or neither
            try:
                jobs = executor.map_array(RunTask(), [store] * n, [inputs] * n, [run] * n, specs,
                                          [claimed[s] for s in specs])
            except Exception as exc:
                release_claims(store, claimed)  # not submitted: let other sweeps have them
                if isinstance(exc, submitit.core.utils.FailedJobError):  # sbatch said no
                    why = _sbatch_says(exc)
                    advice = _RERUN if any(w in why for w in _UNANSWERED) else _CHECK_FLAGS
                    raise LittleHumanError(_REFUSED.format(n=n, why=why,
                                                           advice=advice)) from None
                raise
            submitted.update(specs)
            for job, spec in zip(jobs, specs):
                mark_submitted(store, spec, job, self.cluster, claimed[spec])
        spec_of = {id(job): spec for job, spec in zip(jobs, specs)}
        waiting = list(jobs)
        while waiting:  # as submitit.helpers.as_completed, but a job SLURM forgot ends too
            finished = {id(j) for j in waiting if j.done()}
            ended: list[tuple[Any, str | None]] = [(j, None) for j in waiting if id(j) in finished]
            rest = [j for j in waiting if id(j) not in finished]
            if rest and self.cluster == "slurm":
                # a pending array task cancelled by its id (scancel 12_3) is in neither sacct
                # nor squeue: submitit calls it UNKNOWN, never done, and the sweep waited forever
                states = _slurm_states([str(j.job_id) for j in rest], refresh=False)
                ended += [(j, f"SLURM no longer knows it (cancelled before it started?) (log "
                              f"folder {j.paths.folder})") for j in rest
                          if states.get(str(j.job_id)) == GONE
                          and not j.paths.result_pickle.exists()]  # (else: done() next)
            for job, gone in ended:
                waiting.remove(job)
                spec = spec_of[id(job)]
                if store.has(spec):  # counted as this sweep's only if its task trained it
                    why, out_of_time = "", False
                    ours = not gone and _returned(job) == spec.key()
                    (taken.discard if ours else taken.add)(spec)
                    if ours:
                        trained.add(spec)
                else:
                    why, out_of_time = (gone, False) if gone else _task_outcome(job, self.time_min)
                    if why == TAKEN_OVER:  # another sweep trains it: waited for next round
                        taken.add(spec)
                        continue
                    taken.discard(spec)  # (a failure spends an attempt, whatever came before)
                if out_of_time:
                    timed_out.add(spec)
                if why:
                    failure = f"job {job.job_id}: {why}"
                else:
                    bar.update(1)
            if waiting:
                time.sleep(self.poll_s)
        return failure


def _held_by(claim: dict[str, Any], sweep: str) -> tuple[str, str]:
    """Who holds a run that the sweep named ``sweep`` waits for, and what to do if it never
    comes ("" = nothing), as the sweep's line says them."""
    if claim.get("sweep") == sweep:
        return "this sweep's own job(s), not ended (suspended or held)", ""
    if other := other_cluster(claim):
        return (f"job(s) of SLURM cluster {other!r}",
                f"; this cluster ({slurm_cluster_name()!r}) cannot see their state, so "
                f"{_UNSEEN_JOBS}, rerun the sweep on {other!r}")
    if _slurm_job(claim) and not slurm_commands_here():
        return ("SLURM job(s) of another sweep", "; this machine has no SLURM commands (squeue, "
                f"sacct) to see their state, so {_UNSEEN_JOBS}, rerun the sweep where SLURM runs")
    return "another sweep", ""  # its job, its process (not submitted yet) or a local sweep


#: how a sweep that cannot see a job's state judges it (:func:`live_claims`), and what is left
_UNSEEN_JOBS = (f"a task that says it ended, or stops beating for {HEARTBEAT_STALE_S / 60:.0f} "
                "minutes while it runs, counts as ended, and one not started, suspended, "
                "signalled or requeued is waited for; if such a job is gone for good")


def _waiting_line(store: RunStore, spec: RunSpec) -> str:
    """What a local sweep says when it waits for a run that another process or SLURM job
    holds."""
    _generation, claim = current_claim(store, spec)
    if claim and _slurm_job(claim) and live_claims([claim])[0]:  # (else a lock holds it)
        whose, advice = _held_by(claim, "")
        if advice:  # where that cluster is gone for good, the claims are all that is left
            every = claim_path(store, spec).with_name(f".{spec.key()}.slurm*")
            advice += f" (or, if that cannot be, delete its claims {every})"
        return (f"waiting for {whose} (job {claim['job_id']}) to finish run {spec.key()} "
                f"({_describe(spec)}){advice}")
    return f"waiting for another process to finish run {spec.key()} ({_describe(spec)})"


#: what submitit says of a task its time limit ended: its own handler of SLURM's warning
#: signal (not requeued), or SLURM's kill at the limit (no result)
_TIMED_OUT = ("timed-out too many times", "(state: TIMEOUT)")


def _returned(job: Any) -> Any:
    """What a finished task returned (:meth:`RunTask.__call__`: the run's key when it trained
    it); None when it raised or left no result."""
    try:
        return job.result()
    except Exception:  # noqa: BLE001 - a failed task returned nothing
        return None


def _task_outcome(job: Any, time_min: int) -> tuple[str, bool]:
    """('', False) when a finished task returned, else why it failed with its log (submitit's
    outcome: it waits a little for a slow shared filesystem) and whether its time limit
    stopped it (then the words say to raise the limit); (:data:`TAKEN_OVER`, False) when the
    task found its run another sweep's."""
    try:
        returned = job.result()
    except Exception as exc:  # noqa: BLE001 - any task failure is reported
        if any(words in str(exc) for words in _TIMED_OUT):
            return (f"it reached its time limit (--slurm-time-min {time_min}) and was stopped, "
                    f"not requeued or resubmitted (a run starts again from scratch): raise "
                    f"--slurm-time-min (log {job.paths.stderr})"), True
        return f"{_why_task_failed(exc)} (log {job.paths.stderr})", False
    return (TAKEN_OVER if returned == TAKEN_OVER else ""), False


#: the line submitit puts either side of a failed task's traceback
_TRACE_RULE = "\n----------------------\n"


def _why_task_failed(exc: BaseException) -> str:
    """One line on why a task failed: the exception a task raised, its name and every line of
    its message, from the traceback submitit puts between two rules (then the log paths: the
    last line was the path of the .out log; a message with such a rule or several lines of its
    own was cut, a reviewer), else the message's last line (e.g. srun's for a killed task)."""
    text = str(exc).strip()
    first, last = text.find(_TRACE_RULE), text.rfind(_TRACE_RULE)
    if "failed during processing" in text[:max(first, 0)] and 0 <= first < last:
        trace = text[first + len(_TRACE_RULE):last].splitlines()
        frames = [i for i, line in enumerate(trace) if line.startswith('  File "')]
        start = frames[-1] + 1 if frames else 0
        while start < len(trace) and trace[start].startswith("    "):  # the frame's code, ^^^
            start += 1
        said = " ".join(line.strip() for line in trace[start:] if line.strip())
        if said:
            return said
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


_REFUSED = ("sbatch refused the array of {n} run(s), so none of them was submitted (runs of "
            "earlier rounds stay): {why}; {advice}")
#: what to do after a refusal: the flags for a request the cluster cannot meet; a rerun for a
#: controller that did not answer (a reviewer: 'Socket timed out' read as a bad flag)
_CHECK_FLAGS = ("check --slurm-partition, --slurm-gpus-per-job, --slurm-cpus-per-job, "
                "--slurm-mem-gb and --slurm-time-min against the cluster (sinfo)")
_RERUN = "the controller did not answer in time: rerun the same command (nothing is lost)"
_UNANSWERED = ("timed out", "Unable to contact slurm controller", "Socket", "Connection refused")


def _sbatch_says(exc: BaseException) -> str:
    """sbatch's complaint (submitit's FailedJobError holds its stderr) as one line."""
    lines = [line.strip().removeprefix("sbatch: error:").strip()
             for line in str(exc).splitlines() if line.strip()]
    return "; ".join(lines) or type(exc).__name__


# --------------------------------------------------------------------------- slurm claims
#: how long a sweep on another host (or in another pid namespace) may take from claiming runs
#: to submitting them: its claim counts as live that long
UNREPORTED_GRACE_S = 600.0
#: the state :func:`_slurm_states` gives a job that neither sacct nor squeue lists
GONE = "GONE"
#: SLURM states of a job that has ended: it writes no run any more (``sacct``'s and
#: ``squeue``'s words, upper case). Every other state is live: a list of the live ones had
#: missed STOPPED (SIGSTOP: it trains on when continued), SIGNALING, SPECIAL_EXIT and
#: RESV_DEL_HOLD, and called such jobs dead (a reviewer). PREEMPTED stays live: under
#: PreemptMode=REQUEUE the job runs again.
ENDED_STATES = frozenset({"BOOT_FAIL", "CANCELLED", "COMPLETED", "DEADLINE", "FAILED",
                          "NODE_FAIL", "OUT_OF_MEMORY", "TIMEOUT", "REVOKED", GONE})


def live_state(state: str) -> bool:
    """Whether a job in SLURM ``state`` ("CANCELLED by 0": its first word) may still write
    its run; "UNKNOWN" (nobody could say) is not judged here."""
    word = (str(state).split() or [""])[0].upper()
    return bool(word) and word != "UNKNOWN" and word not in ENDED_STATES


def claim_path(store: RunStore, spec: RunSpec, generation: int = 0) -> Path:
    """Where a SLURM sweep claims a run, beside the run's folder (like its lock):
    ``.<key>.slurm.json``, then ``.<key>.slurm.<g>.json`` for each later sweep that took over
    a dead claim (its job ended without the run's record)."""
    return store.beside(spec, ".slurm.json" if generation == 0 else f".slurm.{generation}.json")


def current_claim(store: RunStore, spec: RunSpec) -> tuple[int, dict[str, Any] | None]:
    """The newest claim on ``spec``: (its generation, its content); (-1, None) when there is
    none; content ``{}`` when the file cannot be read (it then counts as dead)."""
    generation = -1
    while claim_path(store, spec, generation + 1).exists():
        generation += 1
    if generation < 0:
        return -1, None
    path = claim_path(store, spec, generation)
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = {}
    found = found if isinstance(found, dict) else {}
    return generation, ({**found, CLAIM_FILE: str(path)} if found else found)


#: the key under which :func:`current_claim` gives a claim's own file (never written into it)
CLAIM_FILE = "_file"


def claim_runs(store: RunStore, specs: Iterable[RunSpec], sweep: str
               ) -> tuple[dict[RunSpec, int], dict[RunSpec, dict[str, Any]]]:
    """Claim each run of ``specs`` for the sweep named ``sweep``, unless a live claim of
    another sweep or a local process holds it (or it is stored meanwhile): returns (the runs
    now this sweep's -> their claim's generation, the runs held elsewhere -> that claim).

    A claim is created exclusively (:func:`paths.atomic_write` with ``exclusive``), a dead one
    is taken over by creating the next generation the same way, so of two sweeps started at
    once exactly one claims each run. A claim of this same ``sweep`` whose task has ended
    (:func:`_task_ended`: a retry) is taken over the same way, however the scheduler reports
    its job. Write the job into each claim with
    :func:`mark_submitted` once submitted, or :func:`release_claims` if not submitted."""
    mine: dict[RunSpec, int] = {}
    theirs: dict[RunSpec, dict[str, Any]] = {}
    pending = list(specs)
    while pending:
        current = {s: current_claim(store, s) for s in pending}
        held = [claim for _gen, claim in current.values() if claim]
        alive = dict(zip(map(id, held), live_claims(held)))
        lost: list[RunSpec] = []
        for spec in pending:
            generation, claim = current[spec]
            # this sweep's own claim whose task has ended (a retry): taken over whatever sacct
            # says; a task that raised is still RUNNING or COMPLETING there for a moment, and
            # the retry took it for another sweep's and never resubmitted the run. A task that
            # wrote no result (suspended, held for a requeue) may still train: waited for
            ours = bool(claim) and claim.get("sweep") == sweep and _task_ended(claim)
            if claim and alive[id(claim)] and not ours:
                theirs[spec] = claim
                continue
            text = json.dumps({"sweep": sweep, "host": socket.gethostname(), "pid": os.getpid(),
                               "pid_started": process_started(os.getpid()),
                               "pid_namespace": pid_namespace(), "claimed": time.time()})
            path = claim_path(store, spec, generation + 1)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                paths.atomic_write(path, lambda handle: handle.write(text.encode("utf-8")),
                                   exclusive=True)
            except FileExistsError:
                lost.append(spec)  # another sweep claimed it first: read its claim
                continue
            except OSError as exc:  # e.g. a filesystem without hard links (some SMB mounts)
                raise LittleHumanError(
                    f"--executor slurm cannot claim run {spec.key()} in {path.parent} ({exc}): "
                    "the run store needs a shared filesystem with hard links (NFS, Lustre, "
                    "GPFS, BeeGFS); set LITTLEHUMAN_HOME to a folder on one"
                ) from exc
            if store.has(spec):  # finished since the caller looked
                path.unlink(missing_ok=True)
            elif _lock_held(lock := store.lock(spec)):  # a local sweep is training it
                path.unlink(missing_ok=True)
                theirs[spec] = {"lock": lock.lock_file}
            else:
                mine[spec] = generation + 1
        pending = lost
    return mine, theirs


def _task_ended(claim: dict[str, Any]) -> bool:
    """Whether a claim's task is over as far as its run goes: never submitted, or its result
    pickle (submitit writes one when the task returns or raises) exists. SLURM can report a
    task that raised as RUNNING for a moment; submitit calls a SUSPENDED one done, with no
    result, while it may still resume and train."""
    if not claim.get("job_id"):
        return True
    if not claim.get("folder"):  # no result to look for
        return False
    paths_of = submitit.core.utils.JobPaths(claim["folder"], job_id=str(claim["job_id"]))
    return paths_of.result_pickle.exists()


def _heartbeat_stopped(claim: dict[str, Any], now: float) -> bool:
    """Whether the task of a claim's job has said it ended, or stopped beating
    :data:`HEARTBEAT_STALE_S` ago while running (:class:`TaskHeartbeat`). False where there is
    no heartbeat of that job: a task not started yet (pending), requeued, or older than
    heartbeats."""
    file = claim.get(CLAIM_FILE)
    try:
        beat = json.loads(heartbeat_path(Path(file)).read_text(encoding="utf-8")) if file else {}
    except (OSError, ValueError):
        return False
    if not isinstance(beat, dict) or str(beat.get("job_id")) != str(claim.get("job_id")):
        return False
    try:
        silent_s = now - float(beat.get("beat", now))
    except (TypeError, ValueError):
        return False
    return beat.get("state") == "ended" or (beat.get("state") == "running"
                                            and silent_s > HEARTBEAT_STALE_S)


def release_claims(store: RunStore, claimed: dict[RunSpec, int]) -> None:
    """Remove this sweep's claims ``claimed`` (from :func:`claim_runs`) that were never
    submitted, so that other sweeps need not wait for them to age."""
    for spec, generation in claimed.items():
        claim_path(store, spec, generation).unlink(missing_ok=True)


def mark_submitted(store: RunStore, spec: RunSpec, job: Any, cluster: str,
                   generation: int = 0) -> None:
    """Write ``job`` (a submitit job on ``cluster``) into this sweep's claim on ``spec`` (its
    ``generation``, as :func:`claim_runs` returned it), with this SLURM cluster's name when
    scontrol gives it (:func:`slurm_cluster_name`)."""
    path = claim_path(store, spec, generation)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        claim = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        claim = {}
    claim.update({"job_id": str(job.job_id), "cluster": cluster, "folder": str(job.paths.folder),
                  "host": socket.gethostname(), "submitted": time.time()})
    if cluster == "slurm" and (name := slurm_cluster_name()):
        claim["slurm_cluster"] = name
    text = json.dumps(claim)
    paths.atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def submitted_job(store: RunStore, spec: RunSpec) -> dict[str, Any] | None:
    """The newest claim on ``spec`` when it names a submitted job, else None."""
    _generation, claim = current_claim(store, spec)
    return claim if claim and claim.get("job_id") else None


def live_claims(claims: list[dict[str, Any]]) -> list[bool]:
    """Whether each claim may still lead to its run's record.

    A submitted SLURM job by SLURM's own state (one ``sacct`` call for all of them, through
    submitit's watcher; for a job sacct does not list, one ``squeue`` call): live in any
    state but an ended one (:data:`ENDED_STATES`), dead where neither lists it
    (:data:`GONE`). A job whose state
    cannot be asked, because it is another cluster's (:func:`other_cluster`: a home shared by
    two clusters), this machine has no SLURM commands (a workstation sharing the store) or
    sacct and squeue both fail (the controller down), is live until its task writes its
    result (:func:`_task_ended`: it returned or raised, so it trains nothing more). Judged by
    age there instead, a sweep trained the runs of jobs that were still training them. On
    submitit's local cluster (tests), a job is live while its process (its id is the pid)
    runs on this host. A claim not submitted yet lives while its sweep's process does (on
    another host or in another pid namespace: for :data:`UNREPORTED_GRACE_S`); a local
    sweep's lock, or its mark on a claim it took over (:func:`_mark_taken_over`), while the
    lock is held."""
    jobs = [c for c in claims if _slurm_job(c)]
    commands = slurm_commands_here()
    unseen = {id(c) for c in jobs if not commands or other_cluster(c) or _cluster_unknown(c)}
    asked = [str(c["job_id"]) for c in jobs if id(c) not in unseen]
    states = _slurm_states(asked) if asked else {}
    here, now = socket.gethostname(), time.time()
    alive = []
    for claim in claims:
        if "lock" in claim:
            alive.append(_lock_held(FileLock(claim["lock"])))
        elif "lock_name" in claim:  # a local sweep's (_mark_taken_over): while it holds the lock
            alive.append(bool(claim.get(CLAIM_FILE)) and _lock_held(FileLock(str(
                Path(claim[CLAIM_FILE]).with_name(claim["lock_name"])))))
        elif _slurm_job(claim):
            state = ("UNKNOWN" if id(claim) in unseen
                     else states.get(str(claim["job_id"]), "UNKNOWN").upper())
            alive.append(live_state(state)
                         or (state == "UNKNOWN" and not _task_ended(claim)
                             and not _heartbeat_stopped(claim, now)))
        elif claim.get("job_id"):
            alive.append(claim.get("host") == here and _process_runs(str(claim["job_id"])))
        elif claim.get("pid"):
            alive.append(_claimer_runs(claim) if _same_pids(claim, here)
                         else now - float(claim.get("claimed", 0)) < UNREPORTED_GRACE_S)
        else:
            alive.append(False)
    return alive


_CLUSTER_NAME: list[str] = []  # slurm_cluster_name's answer, once it has one
_CLUSTER_NAME_FAILED: list[float] = []  # when scontrol last could not say
#: seconds a failed ``scontrol show config`` is not asked again: with the controller down it
#: takes 9-10 s to fail, and it is asked for each claim that names a cluster
CLUSTER_NAME_RETRY_S = 60.0


def slurm_cluster_name() -> str:
    """This machine's SLURM cluster (``scontrol show config``'s ClusterName); "" when scontrol
    cannot say. Asked once per process once it answers, and not again for
    :data:`CLUSTER_NAME_RETRY_S` after it could not."""
    if _CLUSTER_NAME:
        return _CLUSTER_NAME[0]
    if _CLUSTER_NAME_FAILED and time.monotonic() - _CLUSTER_NAME_FAILED[0] < CLUSTER_NAME_RETRY_S:
        return ""
    try:
        shown = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True,
                               timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        shown = ""
    for line in shown.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "ClusterName" and value.strip():
            _CLUSTER_NAME.append(value.strip())
            return value.strip()
    _CLUSTER_NAME_FAILED[:] = [time.monotonic()]
    return ""


def slurm_commands_here() -> bool:
    """Whether this machine has SLURM's ``squeue`` or ``sacct`` to ask about a job."""
    return shutil.which("squeue") is not None or shutil.which("sacct") is not None


def _slurm_job(claim: dict[str, Any]) -> bool:
    """Whether a claim names a submitted job on a SLURM cluster (not submitit's local one)."""
    return bool(claim.get("job_id")) and claim.get("cluster") == "slurm"


def other_cluster(claim: dict[str, Any]) -> str:
    """The SLURM cluster a claim's job was submitted on when it is not this machine's, else ""
    (also when either name is unknown: claims made before names were recorded)."""
    theirs = str(claim.get("slurm_cluster") or "")
    ours = slurm_cluster_name() if theirs else ""
    return theirs if ours and theirs != ours else ""


def _cluster_unknown(claim: dict[str, Any]) -> bool:
    """Whether a claim names its cluster but this machine cannot say its own (``scontrol``
    down or timed out): this cluster's sacct may then list another job of the same id, and a
    sweep had taken over, and trained again, a run another cluster's job trained (a reviewer).
    Such a claim is judged as unaskable."""
    return bool(claim.get("slurm_cluster")) and not slurm_cluster_name()


def live_jobs(held: Iterable[dict[str, Any]]) -> set[str]:
    """The job ids among the submitted claims ``held`` whose job may still write its run
    (:func:`live_claims`)."""
    held = [h for h in held if h and h.get("job_id")]
    return {str(h["job_id"]) for h, alive in zip(held, live_claims(held)) if alive}


def _lock_held(lock: FileLock) -> bool:
    """Whether another process holds ``lock`` (a local sweep trains its run now)."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def _slurm_states(job_ids: list[str], refresh: bool = True) -> dict[str, str]:
    """SLURM's state of each job: ``sacct``'s (one call, through submitit's watcher; none
    with ``refresh=False``: the watcher's last answer), and for a job sacct does not list,
    ``squeue``'s (one call): :data:`GONE` when squeue answers without it (a pending array
    task cancelled by its id is never written to sacct), "UNKNOWN" when squeue cannot
    answer either (the claim is then live until its task writes its result)."""
    watcher = submitit.SlurmJob.watcher
    try:
        for job_id in job_ids:  # registers a job it does not know (register_job on a known one
            watcher.get_state(job_id, mode="cache")  # restarts its back-off: sacct every poll)
        if refresh:
            # submitit calls SUSPENDED (REQUEUE_HOLD, RESIZING, ...) done and never asks
            # sacct about it again; for us it is live, so its end must be seen (a reviewer:
            # a task resumed and failed kept the sweep waiting forever)
            finished = getattr(watcher, "_finished", None)
            if isinstance(finished, set):
                finished.difference_update(
                    j for j in job_ids
                    if live_state(watcher.get_state(j, mode="cache")))
            watcher.update()
        states = {job_id: watcher.get_state(job_id, mode="cache") for job_id in job_ids}
    except Exception:  # noqa: BLE001 - no sacct here: judge by the claims' age alone
        states = {job_id: "UNKNOWN" for job_id in job_ids}
    unknown = [job_id for job_id, state in states.items() if state.upper() == "UNKNOWN"]
    queued = _squeue_states(unknown) if unknown else None
    if queued is not None:
        states.update({job_id: queued.get(job_id, GONE) for job_id in unknown})
    return states


def _squeue_states(job_ids: list[str]) -> dict[str, str] | None:
    """The jobs among ``job_ids`` that the controller still holds (pending, running,
    completing, ...) -> their state, from one ``squeue`` call (array tasks one by one); None
    when squeue cannot answer (no controller, no squeue)."""
    mains = sorted({job_id.split("_")[0] for job_id in job_ids})
    try:
        done = subprocess.run(["squeue", "-h", "-r", "-o", "%i|%T", "-j", ",".join(mains)],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:  # one id it does not know is an answer; anything else is not
        return {} if "Invalid job id" in done.stderr else None
    listed = dict(line.strip().split("|", 1) for line in done.stdout.splitlines() if "|" in line)
    return {job_id: listed[job_id] for job_id in job_ids if job_id in listed}


def process_started(pid: int) -> str:
    """When process ``pid`` started, as this boot's id and the start in clock ticks after it
    (Linux's /proc); "" where that cannot be read. Tells a process from a later one that got
    its pid back (after a reboot, or in a container whose pids count from 1)."""
    fields = _proc_stat(pid)
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""
    return f"{boot}:{fields[19]}" if len(fields) > 19 else ""


def _proc_stat(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (the state first, the
    start tick 20th); [] where that cannot be read (no such process, no /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def pid_namespace() -> str:
    """This process's pid namespace (Linux's /proc); "" where that cannot be read."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _same_pids(claim: dict[str, Any], here: str) -> bool:
    """Whether a claim's pid can be looked up here: made on this host and, where both are
    known, in this pid namespace (two containers on one host may share its name, and their
    sweeps are often both pid 1: each took the other's live claim for dead, a reviewer)."""
    theirs, ours = str(claim.get("pid_namespace") or ""), pid_namespace()
    return claim.get("host") == here and (not theirs or not ours or theirs == ours)


def _claimer_runs(claim: dict[str, Any]) -> bool:
    """Whether the process that made an unsubmitted claim on this host still runs: its pid
    runs and, where the claim recorded its start (:func:`process_started`), started then; a
    process that got the pid back later does not hold the claim."""
    pid = str(claim["pid"])
    recorded = str(claim.get("pid_started") or "")
    return _process_runs(pid) and (not recorded or process_started(int(pid)) in (recorded, ""))


def _process_runs(pid: str) -> bool:
    """Whether process ``pid`` runs (a finished child not reaped yet does not)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """A finished child not reaped yet (Linux's /proc; elsewhere assumed not)."""
    return _proc_stat(pid)[:1] == ["Z"]
