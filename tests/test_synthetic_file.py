"""``--synthetic FILE``: the user's own synthetic rows instead of generated twins.

Invented rows ("Box i of the train shelf is red...") are fixtures, not dataset text; the FEVER
test builds its synthetic file from FEVER's own train rows, in the test's tmp_path."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cli import run_all
from littlehuman import config, mixing
from littlehuman.data import synthetic_file
from littlehuman.errors import LittleHumanError
from littlehuman.experiments import sweep, tradeoff, twins, zoom
from littlehuman.generation import synthetic_path
from littlehuman.study import Study

COLOURS = ["red", "blue", "green", "yellow"]


def boxes(n_train: int = 60, n_other: int = 12) -> list[dict]:
    """An FV dataset with an id and a split column (invented rows)."""
    rows = []
    for split, count in (("train", n_train), ("valid", n_other), ("test", n_other)):
        for i in range(count):
            true = i % 3 != 0
            rows.append({"id": f"{split}{i}", "split": split,
                         "context": f"Box {i} of the {split} shelf is {COLOURS[i % 4]}. It was "
                                    f"made in {1990 + i % 30}.",
                         "claim": f"Box {i} is {COLOURS[i % 4] if true else COLOURS[(i + 1) % 4]}.",
                         "label": int(true)})
    return rows


def write(path: Path, rows: list[dict]) -> Path:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    elif path.suffix == ".parquet":
        pd.DataFrame(rows).to_parquet(path, index=False)
    else:
        pd.DataFrame(rows).to_csv(path, index=False)
    return path


def twins_of(rows: list[dict], source: bool = True) -> list[dict]:
    """One synthetic row per train row: its context, a new claim, its label."""
    out = []
    for r in rows:
        if r["split"] == "train":
            out.append({**({"source_id": r["id"]} if source else {}), "context": r["context"],
                        "claim": "Synthetic: " + r["claim"], "label": r["label"]})
    return out


def study(dataset: str | Path, synthetic: Path | None, data_dir: str | None = None,
          **overrides) -> Study:
    profile = config.profile("smoke", learner="majority",
                             **({"synthetic": str(synthetic)} if synthetic else {}), **overrides)
    return Study.create(str(dataset), profile, data_dir=data_dir)


@pytest.fixture()
def no_generation(monkeypatch):
    """Fail any generation call."""
    def refuse(*args, **kwargs):
        raise AssertionError("a generation call was made")

    monkeypatch.setattr("littlehuman.generation.load_or_generate", refuse)
    monkeypatch.setattr("littlehuman.generation.generate.generate_synthetic", refuse)


# ---- a good file, with source_id --------------------------------------------------------
def test_twins_with_source_id_feed_sweep_zoom_and_tradeoff(tmp_path, home, no_generation,
                                                           capsys):
    data = write(tmp_path / "boxes.csv", boxes())
    file = write(tmp_path / "twins.jsonl", twins_of(boxes()))
    exp = study(data, file, seeds="0 1")
    assert exp.generator_id == synthetic_file.generator_id(file)
    assert exp.generator_id.startswith("file-") and len(exp.generator_id) == 21

    done = sweep.prepare(exp, progress=True)
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(f"[boxes] your own synthetic rows: 60 read from {file} (generator id "
                           f"{exp.generator_id}, no generation call): 60 twin(s) of train rows "
                           "(60 by source_id, 0 by context)")
    assert done["generation"]["calls"] == 0 and done["generation"]["from_file"] == 48
    assert done["generation"]["spares"] == 0 and done["runs"]["ran"] == 6
    assert synthetic_path(exp.name, exp.generator_id).exists()  # where the notebooks look

    synthetic, _ = twins.sweep_twins(exp)
    assert len(synthetic) == 48 and set(synthetic["source_row_id"]) == set(exp.train_pool["row_id"])
    full = mixing.replacement_mix(exp.train_pool, synthetic, 48, 1.0, 0, exp.name)
    assert full["claim"].str.startswith("Synthetic: ").all()
    spec = exp.run_spec(sweep.cells(exp.profile, exp.shape)[-1])
    assert spec.generator == exp.generator_id and spec.fraction == 1.0
    assert exp.store.get(spec)["train"]["n_synthetic"] == 48

    assert zoom.prepare(exp, progress=False)["runs"]["ran"] == 4  # 95% and 97.5% x 2 seeds
    trade = tradeoff.prepare(exp, progress=False)
    assert trade["generation"]["calls"] == 0 and trade["runs"]["ran"] == 12
    assert len(tradeoff.records(exp)) == 16
    json.dumps(tradeoff.summary(exp))
    assert twins.bill(exp)["requests"] == 0 and twins.dry_run(exp)["requests"] == 0


def test_the_pool_prefers_rows_with_a_twin_and_spares_cover_the_rest(tmp_path, home,
                                                                    no_generation):
    rows = boxes()
    data = write(tmp_path / "boxes.csv", rows)
    plain = study(data, None)
    pool = set(plain.train_pool["row_id"])
    # twins of 40 train rows: the 12 not in the default pool and 28 of it
    train = [r for r in rows if r["split"] == "train"]
    outside = [r for r in train if f"boxes:{r['id']}" not in pool]
    inside = [r for r in train if f"boxes:{r['id']}" in pool]
    file = write(tmp_path / "some.csv", twins_of(outside + inside[:28])
                 + [{"source_id": "", "context": "A box that no row has.", "claim": "It is red.",
                     "label": 1}])
    exp = study(data, file)
    assert len(exp.train_pool) == 48
    assert exp.train_pool["row_id"].isin(exp.synthetic_file.twins["source_row_id"]).sum() == 40
    synthetic, stats = twins.twins_with_spares(exp, exp.train_pool)
    own = synthetic["source_row_id"].isin(exp.train_pool["row_id"])
    assert (int(own.sum()), stats["spares"]) == (40, 1)  # a spare: the row without a source
    assert synthetic[~own]["claim"].tolist() == ["It is red."]
    with pytest.raises(LittleHumanError, match=r"fraction 1.0 of n=48 needs 48 synthetic twins "
                       r".*add rows to the file"):
        mixing.replacement_mix(exp.train_pool, synthetic, 48, 1.0, 0, exp.name)
    mixed = mixing.replacement_mix(exp.train_pool, synthetic, 48, 0.85, 0, exp.name)
    assert mixed["is_synthetic"].sum() == 41 and mixed["spare_twin"].sum() == 1
    with pytest.raises(LittleHumanError) as err:  # 100% synthetic: before anything is trained
        sweep.prepare(exp, progress=False)
    assert str(err.value) == (
        "boxes: the sweep replaces up to 48 of its n=48 rows, but some.csv twins 40 of them and "
        "1 spare(s) stand in (40 train rows have a twin in it, 1 row(s) without a source): add "
        "synthetic rows to the file, or lower --n-train or the largest --sweep-fractions")
    assert not list(exp.store.root.rglob("record.json"))
    part = study(data, file, sweep_fractions="0,0.85")
    assert sweep.prepare(part, progress=False)["runs"]["ran"] == 2

    every = study(data, write(tmp_path / "all.csv", twins_of(rows)))
    assert set(every.train_pool["row_id"]) == pool  # a file twinning every row: the same pool


# ---- matching by context ------------------------------------------------------------------
def test_rows_without_source_id_are_matched_by_context(tmp_path, home, no_generation):
    rows = boxes()
    data = write(tmp_path / "boxes.csv", rows)
    made = twins_of(rows, source=False)[::-1]  # no source_id column, in another order
    made += [{"context": "A box that no row has.", "claim": "It is red.", "label": 1},
             {"context": rows[-1]["context"], "claim": "A twin of a test row.", "label": 0},
             {"context": made[0]["context"], "claim": "A second twin.", "label": 1}]
    exp = study(data, write(tmp_path / "made.parquet", made))
    found = exp.synthetic_file
    rep = found.report
    assert (rep.read, rep.twins_by_context, rep.twins_by_source_id) == (63, 60, 0)
    assert (rep.without_source, rep.left_out_eval, rep.train_without) == (2, 1, 0)
    human = exp.split("train").set_index("row_id")
    for twin in found.twins.itertuples():
        assert human.loc[twin.source_row_id, "context"] == twin.context
        assert human.loc[twin.source_row_id, "label"] == twin.label  # FV: labels paired first
    assert "2 without a source of their own" in rep.describe()
    assert "1 left out: their source or context is a valid or test row" in rep.describe()
    assert sweep.prepare(exp, progress=False)["runs"]["ran"] == 3

    # the trade-off takes the rows without a source after the twins
    every = mixing.tradeoff_mix(exp.split("train"), found.rows, 61, "synthetic", 1, 0, exp.name)
    assert every["is_synthetic"].all() and len(every) == 62
    assert {"It is red.", "A second twin."} <= set(every["claim"])


def test_tradeoff_without_unsourced_rows_is_unchanged(tmp_path):
    """Twins alone: the trade-off mix is the one generated twins get, bit for bit."""
    rows = pd.DataFrame([{"row_id": f"d:{i}", "dataset": "d", "split": "train",
                          "context_id": f"c{i}", "context": f"Box {i}.", "claim": f"Box {i} is red.",
                          "label": i % 2, "meta": ""} for i in range(30)])
    made = rows.assign(source_row_id=rows["row_id"], row_id="syn:" + rows["row_id"],
                       claim="Synthetic.")
    before = mixing.tradeoff_mix(rows, made, 10, "human", 5, 0, "d")
    lone = pd.DataFrame([{**made.iloc[0].to_dict(), "row_id": "syn:x", "source_row_id": ""}])
    after = mixing.tradeoff_mix(rows, pd.concat([made, lone]), 10, "human", 5, 0, "d")
    assert before.equals(after)  # the base and the human rows: the twins' order
    more = mixing.tradeoff_mix(rows, pd.concat([made, lone]), 30, "synthetic", 1, 0, "d")
    assert len(more) == 31 and "syn:x" in set(more["row_id"])
    with pytest.raises(LittleHumanError, match="needs 32 synthetic rows"):
        mixing.tradeoff_mix(rows, pd.concat([made, lone]), 30, "synthetic", 2, 0, "d")


def test_tradeoff_short_of_twins_from_a_file_says_to_add_rows_to_it(tmp_path, home,
                                                                     no_generation):
    """Too few (or no) twins in a --synthetic file: the remedy is rows added to the file and
    the size flags, never generating twins (nothing is generated for a file)."""
    data = write(tmp_path / "boxes.csv", boxes())
    few = [r for r in twins_of(boxes()) if r["source_id"] in {f"train{i}" for i in range(5)}]
    exp = study(data, write(tmp_path / "few.jsonl", few))
    with pytest.raises(LittleHumanError) as caught:
        tradeoff.prepare(exp, progress=False)
    message = str(caught.value)
    assert "but only 5 have one: add synthetic rows for more train rows to your file, or lower " \
           "--tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps" in message
    assert "generate" not in message
    test_only = [{"source_id": r["id"], "context": r["context"], "claim": "Synthetic: " + r["claim"],
                  "label": r["label"]} for r in boxes() if r["split"] == "test"]
    exp = study(data, write(tmp_path / "test_only.jsonl", test_only))
    with pytest.raises(LittleHumanError) as caught:
        tradeoff.prepare(exp, progress=False)
    message = str(caught.value)
    assert message.startswith("boxes: no train row has a synthetic twin in your --synthetic "
                              "file, so the trade-off")
    assert "cannot run at any size: add synthetic rows for train rows to your file" in message
    assert "generate" not in message and "lower" not in message


# ---- broken files: one line naming the rows ------------------------------------------------
@pytest.mark.parametrize("case,expected", [
    ("missing_column", r"bad\.csv: missing required column\(s\) 'label' for FV; columns found: "
                       r"'source_id', 'context', 'claim'"),
    ("bad_label", r"bad\.csv: 2 bad synthetic row\(s\) of 60: line 3: column 'label': bad label "
                  r"'maybe' .*; line 6: column 'label': bad label 'perhaps'"),
    ("unknown_source", r"bad\.csv: 1 bad synthetic row\(s\) of 60: line 5: column 'source_id': "
                       r"no human row 'nope' \(give a row's id, or its row_id, e\.g\. 'boxes:"),
    ("empty", r"bad\.csv: the file is empty"),
])
def test_broken_files_are_one_line_naming_the_rows(tmp_path, home, case, expected):
    data = write(tmp_path / "boxes.csv", boxes())
    made = twins_of(boxes())
    path = tmp_path / "bad.csv"
    if case == "missing_column":
        write(path, [{k: v for k, v in r.items() if k != "label"} for r in made])
    elif case == "bad_label":
        made[1]["label"], made[4]["label"] = "maybe", "perhaps"
        write(path, made)
    elif case == "unknown_source":
        made[3]["source_id"] = "nope"
        write(path, made)
    else:
        path.write_text("")
    exp = study(data, path)
    with pytest.raises(LittleHumanError, match=expected) as err:
        twins.sweep_twins(exp)
    assert "\n" not in str(err.value)


def test_a_synthetic_file_missing_a_column_is_told_to_rename_it_not_to_map_it(tmp_path, home):
    """--columns does not apply to a --synthetic file: its missing-column line said "rename
    yours or map them (e.g. evidence=context)", a mapping that cannot be given for it."""
    data = write(tmp_path / "boxes.csv", boxes())
    path = write(tmp_path / "bad.csv", [{"evidence" if k == "context" else k: v
                                         for k, v in r.items()} for r in twins_of(boxes())])
    with pytest.raises(LittleHumanError) as err:
        twins.sweep_twins(study(data, path))
    message = str(err.value)
    assert message.startswith("bad.csv: missing required column(s) 'context' for FV")
    assert "map them" not in message and "--columns does not apply" in message


def test_cli_names_the_bad_rows_in_one_line_and_runs_a_good_file(tmp_path, home):
    work = tmp_path / "work"
    work.mkdir()
    write(work / "boxes.csv", boxes())
    made = twins_of(boxes())
    made[2]["label"] = "maybe"
    write(work / "bad.jsonl", made)
    common = ["--dataset", "boxes.csv", "--profile", "smoke", "--learner", "majority",
              "--notebooks", "01,02", "--no-html"]
    bad = run_all(home, None, *common, "--synthetic", "bad.jsonl", cwd=work, timeout=240)
    assert bad.returncode == 2, bad.stderr[-2000:]
    lines = [x for x in bad.stderr.splitlines() if x.strip() and not x.startswith("runs:")]
    assert lines == ["error: bad.jsonl: 1 bad synthetic row(s) of 60: line 3: column 'label': "
                     "bad label 'maybe' (not 0/1, true/false or a FEVER/NLI label word): fix "
                     "them (the columns of --dataset FILE for FV, plus an optional source_id "
                     "naming the human row each was made from; --skip-bad-rows applies to "
                     "the human rows only)"]
    missing = run_all(home, None, *common, "--synthetic", "nothere.csv", cwd=work, timeout=240)
    assert missing.returncode == 2 and missing.stderr.strip() == (
        f"error: no such file: {work / 'nothere.csv'}: check the path")

    write(work / "twins.csv", twins_of(boxes()))
    good = run_all(home, None, *common, "--synthetic", "twins.csv", cwd=work, timeout=240)
    assert good.returncode == 0, good.stderr[-3000:]
    assert "your own synthetic rows: 60 read from" in good.stdout
    summary = json.loads((home / "outputs" / "boxes" / "smoke" / "summary.json").read_text())
    assert summary["generation_calls"] == 0 and summary["runs_trained"] == 3
    assert summary["settings"]["synthetic"] == str(work / "twins.csv")  # absolute
    assert summary["bill"]["backend"] == "file"
    page = (home / "outputs" / "boxes" / "smoke" / "01_generate.ipynb").read_text()
    assert "twins from your file" in page and "no prompt model was asked" in page
    assert "asked file-" not in page and "prompt-model calls" not in page  # the generator's wording



def test_the_file_check_and_the_profile_take_the_loaders_suffixes(tmp_path, monkeypatch):
    """One check of a --synthetic file (``synthetic_file.checked``: absolute path, one-line
    errors); the profile's field takes exactly the suffixes ``custom.FORMATS`` reads."""
    from littlehuman.data import custom

    monkeypatch.chdir(tmp_path)
    write(tmp_path / "twins.csv", twins_of(boxes()))
    assert synthetic_file.checked("twins.csv") == tmp_path / "twins.csv"
    for name, needle in (("nothere.csv", f"no such file: {tmp_path / 'nothere.csv'}: check "
                                          "the path"),
                         ("notes.txt", "unsupported file type '.txt'")):
        if name.endswith(".txt"):
            (tmp_path / name).write_text("context,claim,label\n")
        with pytest.raises(LittleHumanError) as err:
            synthetic_file.checked(name)
        assert needle in str(err.value) and "\n" not in str(err.value)
    for suffix in custom.FORMATS:
        assert config.profile("smoke", synthetic=f"twins{suffix.upper()}").synthetic
    with pytest.raises(LittleHumanError, match="synthetic"):
        config.profile("smoke", synthetic="twins.txt")

# ---- identity -------------------------------------------------------------------------------
def test_a_changed_file_gets_new_ids_and_a_note(tmp_path, home, no_generation, capsys):
    data = write(tmp_path / "boxes.csv", boxes())
    file = write(tmp_path / "twins.csv", twins_of(boxes()))
    first = study(data, file)
    sweep.prepare(first, progress=True)
    stored = synthetic_path(first.name, first.generator_id)
    mtime = stored.stat().st_mtime_ns
    again = study(data, file)
    assert again.generator_id == first.generator_id
    assert sweep.prepare(again, progress=True)["runs"] == {"skipped": 3, "ran": 0}
    assert stored.stat().st_mtime_ns == mtime  # the same rows: not rewritten
    capsys.readouterr()

    made = twins_of(boxes())
    made[0]["claim"] = "Synthetic: edited."
    write(file, made)  # the same path, other content
    edited = study(data, file)
    assert edited.generator_id != first.generator_id
    first_keys = {first.run_spec(c).key for c in sweep.cells(first.profile, first.shape)}
    edited_keys = {edited.run_spec(c).key for c in sweep.cells(edited.profile, edited.shape)}
    assert not first_keys & edited_keys  # never the same run
    assert sweep.prepare(edited, progress=True)["runs"]["ran"] == 3
    out = capsys.readouterr().out
    assert (f"{file} changed since it was last used (generator id {first.generator_id} -> "
            f"{edited.generator_id})") in out
    assert stored.exists()  # the old twins stay where they were
    # and without a file, the generator's own id (nothing of the file's)
    assert not study(data, None).generator_id.startswith("file-")


# ---- a paper dataset ---------------------------------------------------------------------
def test_fever_with_a_synthetic_file_of_its_own_train_rows(tmp_path, home, shared_data,
                                                           no_generation, capsys):
    plain = study("fever", None, data_dir=str(shared_data))
    pool = plain.train_pool
    others = plain.split("train")[~plain.split("train")["row_id"].isin(pool["row_id"])]
    made = [{"source_id": r.row_id, "context": r.context, "claim": f"Synthetic claim {i}.",
             "label": r.label} for i, r in enumerate(pool.itertuples())]
    # matched by context, as another copy of the release may write it: FEVER's bracket
    # tokens instead of brackets, other spacing
    made += [{"source_id": "", "context": "  " + r.context.replace("(", "-LRB- ").replace(
        ")", " -RRB-").replace(" ", "  "), "claim": f"Matched by context {i}.",
              "label": r.label} for i, r in enumerate(others.iloc[:20].itertuples())]
    assert any("-LRB-" in m["context"] for m in made[len(pool):])  # the texts differ
    test = plain.split("test").iloc[0]
    made.append({"source_id": test["row_id"], "context": test["context"], "claim": "Leaks.",
                 "label": 1})
    file = write(tmp_path / "my_fever_twins.jsonl", made)

    exp = study("fever", file, data_dir=str(shared_data))
    assert set(exp.train_pool["row_id"]) == set(pool["row_id"])  # the same sweep rows
    done = sweep.prepare(exp, progress=True)
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(f"[fever] your own synthetic rows: 69 read from {file}")
    assert "68 twin(s) of train rows (48 by source_id, 20 by context)" in line
    assert "1 left out: their source or context is a valid or test row" in line
    assert done["generation"]["calls"] == 0 and done["runs"]["ran"] == 3
    synthetic, _ = twins.sweep_twins(exp)
    assert synthetic["claim"].str.startswith("Synthetic claim").all() and len(synthetic) == 48
    assert "Leaks." not in set(exp.synthetic_file.rows["claim"])
    assert sweep.records(exp)["n"].eq(48).all()


def test_headers_name_the_file_not_the_profiles_generator(tmp_path, home):
    write(tmp_path / "boxes.csv", boxes())
    made = study(tmp_path / "boxes.csv", write(tmp_path / "twins.jsonl", twins_of(boxes())))
    assert made.generator_name == "your file twins.jsonl"
    assert study(tmp_path / "boxes.csv", None).generator_name == "extractive"


@pytest.mark.parametrize("case", ["bad_label", "qa_file", "too_few"])
def test_dry_run_reads_the_file_and_stops_where_the_run_would(tmp_path, home, capsys, case):
    """--dry-run had priced "0 requests to send to file" and exited 0 for a file that the run
    then refused (a user-tester: 300 bad labels; a QA file for an FV dataset): it reads and
    matches the file with the run's code, says the run's one line, and writes nothing."""
    from littlehuman.cli import main

    data = write(tmp_path / "boxes.csv", boxes())
    made = twins_of(boxes())
    if case == "bad_label":
        made[1]["label"] = "maybe"
    elif case == "qa_file":
        made = [{"context": r["context"], "question": "Which colour?", "answer": "red"}
                for r in made]
    else:
        made = made[:5]
    path = write(tmp_path / "bad.jsonl", made)
    common = ["--dataset", str(data), "--profile", "smoke", "--learner", "majority",
              "--synthetic", str(path)]
    assert main([*common, "--dry-run"]) == 2
    out, err = capsys.readouterr()
    assert "requests to send" not in out and len(err.splitlines()) == 1
    assert not (home / "data" / "synthetic").exists() and not (home / "data" / "runs").exists()
    assert main([*common, "--notebooks", "02", "--no-html"]) == 2  # the run's own line
    assert capsys.readouterr().err == err
    assert not list((home / "data").rglob("record.json"))
    expected = {"bad_label": "error: bad.jsonl: 1 bad synthetic row(s) of 60: line 2: column "
                             "'label': bad label 'maybe'",
                "qa_file": "error: bad.jsonl: missing required column(s) 'claim', 'label' for FV",
                "too_few": "error: boxes: the sweep replaces up to 48 of its n=48 rows, but "
                           "bad.jsonl twins 5 of them"}[case]
    assert err.startswith(expected), err


def test_dry_run_says_what_the_file_gives(tmp_path, home, capsys):
    """A good file: the dry run prints the line the run starts with, and still writes nothing."""
    from littlehuman.cli import main

    data = write(tmp_path / "boxes.csv", boxes())
    path = write(tmp_path / "twins.jsonl", twins_of(boxes()))
    assert main(["--dataset", str(data), "--profile", "smoke", "--synthetic", str(path),
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"[boxes] your own synthetic rows: 60 read from {path}" in out
    assert "[boxes] 0 requests to send to file (twins.jsonl)" in out
    assert not (home / "data" / "synthetic").exists()
