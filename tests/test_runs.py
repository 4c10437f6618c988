"""RunSpec keys, the atomic RunStore, execute/run_missing, the majority baseline, and a sweep
SIGKILLed mid-way then resumed. All rows are invented fixtures (tests/helpers/sweep_worker.py)."""
from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from littlehuman.errors import LittleHumanError
from littlehuman.learners import make_learner
from littlehuman.learners.baseline import MajorityLearner
from littlehuman.executors import run_missing
from littlehuman.runs import RunSpec, RunStore, execute

WORKER_PATH = Path(__file__).parent / "helpers" / "sweep_worker.py"
_spec = importlib.util.spec_from_file_location("sweep_worker", WORKER_PATH)
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

SPEC_ARGS = [
    ("fever", "sweep", 5000, 0.975, 0, "openai:gpt-3.5-turbo", "encoder", {"lr": 5e-5, "epochs": 2}),
    ("ropes", "zoom", 1000, 1, 2, "offline", "majority", {}),
    ("wanli", "sweep", 300, 0.1, 1, "g", "lora", {"target": ["q", "v"], "r": 64, "bf16": True}),
]


def test_spec_key_is_stable_across_processes():
    here = [RunSpec.make(*args[:-1], learner_params=args[-1]).key() for args in SPEC_ARGS]
    code = ("import json, sys; from littlehuman.runs import RunSpec; "
            "args = json.loads(sys.argv[1]); "
            "print(json.dumps([RunSpec.make(*a[:-1], learner_params=a[-1]).key() for a in args]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, json.dumps(SPEC_ARGS)], env=env,
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == here
    assert len(set(here)) == len(here) and all(len(k) == 16 for k in here)


def test_spec_normalises_and_round_trips():
    a = RunSpec.make("fever", "sweep", 100, 0, 0, "g", "encoder", {"b": 1, "a": [1, 2]})
    b = RunSpec.make("fever", "sweep", 100.0, 0.0, 0, "g", "encoder", {"a": (1, 2), "b": 1})
    assert a == b and hash(a) == hash(b) and a.key() == b.key()
    assert a.learner_params == (("a", (1, 2)), ("b", 1))
    d = a.to_dict()
    assert d["learner_params"] == {"a": [1, 2], "b": 1}
    assert RunSpec.from_dict(json.loads(json.dumps(d))) == a
    assert a.key() != RunSpec.make("fever", "sweep", 100, 0, 0, "g", "encoder", {"b": 2, "a": [1, 2]}).key()
    assert a.key() != RunSpec.make("fever", "sweep", 100, 0.1, 0, "g", "encoder", {"b": 1, "a": [1, 2]}).key()
    with pytest.raises(LittleHumanError):
        RunSpec.make("fever", "sweep", 1, 0, 0, "g", "encoder", {"x": {"nested": 1}})
    with pytest.raises(LittleHumanError, match="lacks"):
        RunSpec.from_dict({"dataset": "fever"})


def _preds(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"row_id": [f"t{i}" for i in range(n)], "prediction": [1] * n, "gold": [i % 2 for i in range(n)]})


def test_store_write_get_records(tmp_path):
    store = RunStore(tmp_path)
    s1 = RunSpec.make("toy", "sweep", 10, 0.5, 0, "g", "majority")
    s2 = RunSpec.make("toy", "zoom", 10, 1.0, 1, "g", "majority", {"k": 3})
    assert not store.has(s1) and store.get(s1) is None and store.records().empty
    store.write(s1, {"metrics": {"accuracy": 0.25}, "train": {"n_real": 5, "n_synthetic": 5}}, _preds())
    store.write(s2, {"metrics": {"accuracy": 0.75, "n": 7}}, _preds(4))
    assert store.has(s1) and store.get(s1)["spec"] == s1.to_dict() and store.get(s1)["key"] == s1.key()
    pd.testing.assert_frame_equal(store.predictions(s2), _preds(4))
    assert not list(tmp_path.rglob("*.tmp"))
    (store.path(s1) / ".record.json.stray.tmp").write_text("{torn")  # a killed writer's leftover

    recs = store.records()
    assert list(recs["key"]) == [s1.key(), s2.key()]
    assert list(recs["accuracy"]) == [0.25, 0.75]
    assert recs.loc[1, "metric_n"] == 7 and recs.loc[1, "n"] == 10  # metric renamed, spec kept
    assert recs.loc[1, "learner_params"] == '{"k": 3}' and recs.loc[0, "n_synthetic"] == 5
    assert list(store.records(experiment="zoom")["key"]) == [s2.key()]
    assert store.records(dataset="other").empty

    (store.path(s2) / "record.json").write_text("{not json")
    with pytest.raises(LittleHumanError, match="delete its folder"):
        store.records()


def _count_parquet_reads(monkeypatch) -> list:
    reads, real = [], pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda path, *a, **k: reads.append(path) or real(path, *a, **k))
    return reads


def test_store_reads_each_prediction_file_once(tmp_path, monkeypatch):
    store, spec = RunStore(tmp_path), RunSpec.make("toy", "sweep", 10, 0.5, 0, "g", "majority")
    store.write(spec, {"metrics": {}}, _preds(4))
    reads = _count_parquet_reads(monkeypatch)
    first = store.predictions(spec)
    first["prediction"] = 0  # a caller's change is its own copy's, not the kept frame's
    del first["gold"]  # (in place, as inplace=True did: deprecated in pandas 3.1)
    for again in (store.predictions(spec), RunStore(tmp_path).predictions(spec)):
        pd.testing.assert_frame_equal(again, _preds(4))
    assert len(reads) == 1


def test_store_reads_a_rewritten_run_again(tmp_path, monkeypatch):
    store, spec = RunStore(tmp_path), RunSpec.make("toy", "sweep", 10, 0.5, 0, "g", "majority")
    store.write(spec, {"metrics": {}}, _preds(4))
    reads = _count_parquet_reads(monkeypatch)
    pd.testing.assert_frame_equal(store.predictions(spec), _preds(4))
    changed = _preds(4).assign(prediction=[0, 1, 0, 1])  # same shape: maybe the same size
    store.write(spec, {"metrics": {}}, changed)
    pd.testing.assert_frame_equal(store.predictions(spec), changed)
    _preds(6).to_parquet(store.path(spec) / "predictions.parquet", index=False)  # another writer
    pd.testing.assert_frame_equal(store.predictions(spec), _preds(6))
    pd.testing.assert_frame_equal(store.predictions(spec), _preds(6))
    assert len(reads) == 3


def test_store_record_is_written_last(tmp_path, monkeypatch):
    store, spec = RunStore(tmp_path), RunSpec.make("toy", "sweep", 10, 0.5, 0, "g", "majority")
    real_replace = os.replace

    def crash_on_record(src, dst):
        if str(dst).endswith("record.json"):
            raise OSError("simulated crash")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_record)
    with pytest.raises(OSError):
        store.write(spec, {"metrics": {}}, _preds())
    assert (store.path(spec) / "predictions.parquet").is_file()
    assert not store.has(spec) and store.records().empty
    assert not list(tmp_path.rglob("*.tmp"))
    monkeypatch.setattr(os, "replace", real_replace)
    store.write(spec, {"metrics": {}}, _preds())
    assert store.has(spec)


def test_a_run_whose_predictions_are_gone_is_done_again(tmp_path):
    """A record without its predictions (deleted by hand, a disk cleaned up) is no finished
    run: a sweep trains it again instead of leaving analysis to fail on it at every rerun."""
    real, synthetic = worker.fixture_rows()
    store = RunStore(tmp_path)
    specs = [RunSpec.make("toyfv", "sweep", 20, f, 0, "fixture", "majority") for f in (0.0, 1.0)]
    assert run_missing(specs, real, synthetic, store, progress=False, run=worker.RUN)["ran"] == 2
    (store.path(specs[1]) / "predictions.parquet").unlink()
    assert not store.has(specs[1]) and store.get(specs[1]) is None
    assert list(store.records()["key"]) == [specs[0].key()]
    assert run_missing(specs, real, synthetic, store, progress=False,
                       run=worker.RUN) == {"skipped": 1, "ran": 1}
    assert store.has(specs[1]) and len(store.predictions(specs[1])) == 12

def test_a_run_counts_the_human_rows_its_learner_kept():
    """A learner that names the rows it trained on (``kept_rows``: the encoder, which leaves
    out QA rows without a span) gets the human rows among them counted in the record; one
    that does not, none (FairyTaleQA's zoom: 12 more human points, about 4 trainable)."""
    from littlehuman.learners.baseline import MajorityLearner

    real, synthetic = worker.fixture_rows()
    spec = RunSpec.make("toyfv", "sweep", 20, 0.25, 0, "fixture", "majority")
    seen = {}

    class EveryOtherRow(MajorityLearner):
        def fit(self, train, valid=None):
            seen["synthetic"] = train["is_synthetic"].to_numpy(bool)
            self.kept_rows = list(range(0, len(train), 2))
            return super().fit(train, valid)

    record, _ = execute(spec, real, synthetic, scorer=worker.accuracy,
                        learner_factory=lambda name, task, **kw: EveryOtherRow(task, **kw))
    human_kept = int((~seen["synthetic"][::2]).sum())
    assert record["train"]["n_real_trained"] == human_kept and 0 < human_kept < 15
    plain, _ = execute(spec, real, synthetic, scorer=worker.accuracy)
    assert "n_real_trained" not in plain["train"]


def test_execute_record_and_predictions():
    real, synthetic = worker.fixture_rows()
    spec = RunSpec.make("toyfv", "sweep", 20, 0.25, 0, "fixture", "majority")
    record, preds = execute(spec, real, synthetic, scorer=worker.accuracy)
    test = real[real["split"] == "test"]
    assert record["train"] == {"n_rows": 20, "n_real": 15, "n_synthetic": 5, "n_valid": 8,
                               "n_test": 12, "n_label1": record["train"]["n_label1"],
                               "n_spare_twins": 0}
    assert set(record) >= {"key", "spec", "metrics", "fit_stats", "timings_s", "versions",
                           "hostname", "started_utc", "finished_utc"}
    assert set(record["versions"]) == {"python", "torch", "transformers", "pandas", "littlehuman",
                                       "commit", "dirty"}
    from littlehuman.provenance import git_state
    assert record["versions"]["commit"] == git_state()["commit"]  # the code that trained it
    assert set(record["timings_s"]) == {"mix", "fit", "predict", "score", "total"}
    assert list(preds.columns) == ["row_id", "prediction", "gold"]
    assert list(preds["row_id"]) == list(test["row_id"]) and list(preds["gold"]) == list(test["label"])
    majority = record["fit_stats"]["majority"]
    assert record["metrics"]["accuracy"] == pytest.approx((test["label"] == majority).mean())
    json.dumps(record)
    with pytest.raises(LittleHumanError, match="real rows are from"):
        execute(RunSpec.make("other", "sweep", 20, 0.0, 0, "g", "majority"), real, synthetic,
                scorer=worker.accuracy)


def test_sweep_runs_then_skips(tmp_path):
    real, synthetic = worker.fixture_rows()
    store = RunStore(tmp_path)
    specs = [RunSpec.make("toyfv", "sweep", 20, f, 0, "fixture", "majority") for f in (0.0, 0.5, 1.0)]
    assert run_missing(specs, real, synthetic, store, progress=False,
                     run=lambda s, r, y: execute(s, r, y, scorer=worker.accuracy)) == {"skipped": 0, "ran": 3}
    recs = store.records("toyfv", "sweep")
    test = real[real["split"] == "test"]
    # the fixture's twins are all labelled 1: at fraction 1 the majority flips to 1
    assert recs.loc[recs["fraction"] == 0.0, "accuracy"].item() == pytest.approx((test["label"] == 0).mean())
    assert recs.loc[recs["fraction"] == 1.0, "accuracy"].item() == pytest.approx((test["label"] == 1).mean())
    assert run_missing(specs + specs[:1], real, synthetic, store, progress=False,
                     run=worker.RUN) == {"skipped": 4, "ran": 0}


def test_majority_learner_fv_qa_save_load(tmp_path):
    fv = make_learner("majority", "fv", seed=3, unused=1)
    assert isinstance(fv, MajorityLearner)
    with pytest.raises(LittleHumanError, match="fit"):
        fv.predict(pd.DataFrame({"claim": ["x"]}))
    fv.fit(pd.DataFrame({"label": [1, 0, 1]}))
    assert fv.predict(pd.DataFrame({"claim": ["a", "b"]})) == [1, 1]
    assert fv.fit_stats["majority_share"] == pytest.approx(2 / 3)
    qa = MajorityLearner("qa").fit(pd.DataFrame({"answer": ["Yes", " yes", "no", "blue", "no "]}))
    assert qa.predict(pd.DataFrame({"question": ["q"]})) == ["no"]  # tie broken alphabetically
    qa.save(tmp_path / "m")
    again = MajorityLearner.load(tmp_path / "m")
    assert again.task == "qa" and again.predict(pd.DataFrame({"q": [1, 2]})) == ["no", "no"]
    with pytest.raises(LittleHumanError):
        MajorityLearner("nli")
    # a missing answer is "", as the other learners read it, not the text "nan" (a reviewer)
    gaps = MajorityLearner("qa").fit(pd.DataFrame({"answer": [None, float("nan"), "blue"]}))
    assert gaps.value == ""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sweep_survives_sigkill_and_resumes(tmp_path):
    root, sleep_s = tmp_path / "store", 0.4
    with open(tmp_path / "stderr.txt", "w") as err:
        proc = subprocess.Popen([sys.executable, str(WORKER_PATH), str(root), str(sleep_s)],
                                stdout=subprocess.PIPE, stderr=err, text=True)
        watchdog = threading.Timer(120, proc.kill)
        watchdog.start()
        done = []
        try:
            for line in proc.stdout:
                if line.startswith("DONE "):
                    done.append(line.split()[1])
                    if len(done) == 3:
                        os.kill(proc.pid, signal.SIGKILL)
                        break
        finally:
            watchdog.cancel()
            proc.wait()
    assert len(done) == 3, (tmp_path / "stderr.txt").read_text()
    assert proc.returncode == -signal.SIGKILL

    store = RunStore(root)
    record_files = sorted(root.rglob("record.json"))
    for path in record_files:  # no torn record: each parses and has its predictions
        rec = json.loads(path.read_text())
        assert rec["key"] == path.parent.name
        assert len(pd.read_parquet(path.parent / "predictions.parquet")) == 12
    recs = store.records()
    finished = len(recs)
    assert finished == len(record_files) and 3 <= finished < 8
    assert set(done) <= set(recs["key"])
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in record_files}

    real, synthetic = worker.fixture_rows()
    counts = run_missing(worker.specs(sleep_s), real, synthetic, store, progress=False,
                       run=worker.RUN)
    assert counts == {"skipped": finished, "ran": 8 - finished}
    assert all(store.has(s) for s in worker.specs(sleep_s)) and len(store.records()) == 8
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in record_files} == before


def test_parallel_sweep_matches_serial(tmp_path):
    """--jobs 2: runs in spawned worker processes land in the store like serial ones."""
    real, synthetic = worker.fixture_rows()
    specs = [RunSpec.make("toyfv", "sweep", 20, f, s, "fixture", "majority")
             for f in (0.0, 0.5, 1.0) for s in (0, 1)]
    serial, parallel = RunStore(tmp_path / "serial"), RunStore(tmp_path / "parallel")
    assert run_missing(specs, real, synthetic, serial, progress=False) == {"skipped": 0, "ran": 6}
    assert run_missing(specs[:2], real, synthetic, parallel, progress=False) == {"skipped": 0, "ran": 2}
    counts = run_missing(specs, real, synthetic, parallel, progress=False, jobs=2)
    assert counts == {"skipped": 2, "ran": 4}
    for spec in specs:
        assert parallel.get(spec)["metrics"] == serial.get(spec)["metrics"]
        pd.testing.assert_frame_equal(parallel.predictions(spec), serial.predictions(spec))


def test_a_kill_while_a_run_is_redone_never_pairs_its_old_record_with_new_predictions(tmp_path, monkeypatch):
    """A reviewer: redoing a run wrote the new predictions, then the record; a kill between
    left the old record beside the new predictions, and `has` read them as one run."""
    from littlehuman import runs

    store = RunStore(tmp_path)
    spec = RunSpec.make("fever", "sweep", 10, 0.5, 0, "g", "majority", {})
    old = pd.DataFrame({"row_id": ["a"], "prediction": [1]})
    store.write(spec, {"metrics": {"accuracy": 0.9}, "note": "old"}, old)
    real = runs.atomic_write

    def killed_at_the_record(path, write):
        if path.name == RunStore.RECORD:
            raise KeyboardInterrupt  # the process dies between the two writes
        return real(path, write)

    monkeypatch.setattr(runs, "atomic_write", killed_at_the_record)
    with pytest.raises(KeyboardInterrupt):
        store.write(spec, {"metrics": {"accuracy": 0.1}, "note": "new"},
                    pd.DataFrame({"row_id": ["a"], "prediction": [0]}))
    assert not store.has(spec)  # not finished: the rerun redoes it, nothing mixed


def test_a_killed_writers_old_temp_files_go_with_the_next_write(tmp_path):
    """A reviewer's kill -9 before a rename left `.<name>.*.tmp` files (and the processed
    rows' `.tmp-*` copies) that no later run removed; an hour-old one is a dead writer's."""
    import os
    import time

    from littlehuman.paths import atomic_write

    target = tmp_path / "record.json"
    old, fresh = tmp_path / ".record.json.abc123.tmp", tmp_path / ".record.json.def456.tmp"
    for leftover in (old, fresh):
        leftover.write_text("half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    atomic_write(target, lambda handle: handle.write(b"{}"))
    assert target.read_text() == "{}" and not old.exists()
    assert fresh.exists()  # perhaps a live writer's: kept


def test_another_configurations_runs_and_twins_leave_a_reports_fingerprint_alone(home):
    """A report's inputs are its own twins and runs: a cpu run of SciFact re-executed every
    page after another configuration of SciFact had run (the previous sessions' note). The
    unscoped fingerprint still sees every cache of the dataset."""
    import os

    from littlehuman import freshness, paths

    root = paths.cache_dir()
    ours, theirs = root / "runs/ds/sweep/aaa", root / "runs/ds/sweep/bbb"
    for folder in (ours, theirs, root / "processed/ds"):
        folder.mkdir(parents=True)
    (root / "synthetic/ds").mkdir(parents=True)
    for f in (ours / "record.json", theirs / "record.json", root / "processed/ds/rows.parquet",
              root / "synthetic/ds/gen1.parquet", root / "synthetic/ds/gen1.bill.json",
              root / "synthetic/ds/gen2.parquet"):
        f.write_text("x")
    (root / "generation").mkdir()
    (root / "generation/ds.jsonl").write_text("{}\n")

    def scoped() -> str:
        return freshness.data_fingerprint("ds", None, "gen1", [ours, root / "runs/ds/zoom/ccc"])

    before, everything = scoped(), freshness.data_fingerprint("ds")
    (theirs / "predictions.parquet").write_text("y")  # another configuration's run finishes
    (root / "synthetic/ds/gen2.parquet").write_text("yy")  # and its twins grow
    (root / "generation/ds.jsonl").write_text("{}\n{}\n")
    assert scoped() == before and freshness.data_fingerprint("ds") != everything
    for changed in (root / "synthetic/ds/gen1.bill.json", ours / "record.json",
                    root / "processed/ds/rows.parquet"):
        os.utime(changed, ns=(0, changed.stat().st_mtime_ns + 10**9))
        assert scoped() != before, changed
        before = scoped()
    (root / "runs/ds/zoom/ccc").mkdir(parents=True)  # one of ours, not run before: now is
    (root / "runs/ds/zoom/ccc/record.json").write_text("z")
    assert scoped() != before
