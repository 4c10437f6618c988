"""Tests of the user's-own-dataset loader (littlehuman.data.custom).

Every file here is a fixture written into tmp_path by the tests, with invented text.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from littlehuman.data import schema
from littlehuman.data.custom import (
    IDENTITY,
    SHOWN_PROBLEMS,
    CustomReport,
    absolute_spec,
    check_identity,
    fingerprint,
    is_custom_path,
    layout,
    load_custom,
)
from littlehuman.errors import LittleHumanError


def fv_rows(n_contexts: int = 10, per_context: int = 2, split: bool = True) -> list[dict]:
    """Invented FV rows: per_context claims about each of n_contexts contexts."""
    rows = []
    for c in range(n_contexts):
        for k in range(per_context):
            row = {"id": f"r{c}-{k}", "context": f"The lantern of town {c} is painted blue.",
                   "claim": f"Town {c} has a blue lantern, claim {k}.", "label": (c + k) % 2}
            if split:
                row["split"] = "train" if c < 6 else "valid" if c < 8 else "test"
            rows.append(row)
    return rows


def qa_rows(n_contexts: int = 10, split: bool = True) -> list[dict]:
    """Invented QA rows, one per context."""
    rows = []
    for c in range(n_contexts):
        row = {"id": c, "context": f"Mira planted {c + 3} pear trees by the old mill.",
               "question": "How many pear trees did Mira plant?", "answer": str(c + 3)}
        if split:
            row["split"] = "train" if c < 6 else "valid" if c < 8 else "test"
        rows.append(row)
    return rows


def write(path: Path, rows: list[dict]) -> Path:
    """Write rows as CSV, JSON Lines or parquet according to the suffix."""
    if path.suffix == ".csv":
        pd.DataFrame(rows).to_csv(path, index=False)
    elif path.suffix in (".jsonl", ".json"):
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pd.DataFrame(rows).to_parquet(path, index=False)
    return path


def write_csv_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- good files ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".parquet"])
def test_fv_each_format(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"My Claims{suffix}", fv_rows())
    df, report = load_custom(path)
    assert list(df.columns) == schema.FV_COLUMNS
    assert len(df) == 20
    assert report == CustomReport(
        name="my_claims", task="fv", path=str(path), n_rows_read=20, n_bad_rows=0, problems=[],
        split_note="splits from the file's split column",
        split_counts={"train": 12, "valid": 4, "test": 4},
    )
    assert set(df["dataset"]) == {"my_claims"}
    assert df["label"].dtype == "int64" and df["label"].sum() == 10
    row = df.set_index("row_id").loc["my_claims:r3-1"]
    assert row["claim"] == "Town 3 has a blue lantern, claim 1."
    assert row["label"] == 0 and row["split"] == "train" and row["meta"] == ""
    assert row["context_id"] == schema.short_hash("The lantern of town 3 is painted blue.")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_qa_each_format(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"pears{suffix}", qa_rows())
    df, report = load_custom(path)
    assert list(df.columns) == schema.QA_COLUMNS
    assert report.task == "qa" and report.split_counts == {"train": 6, "valid": 2, "test": 2}
    row = df.set_index("row_id").loc["pears:4"]
    assert row["answer"] == "7" and row["question"] == "How many pear trees did Mira plant?"


def test_formats_give_the_same_frame(tmp_path: Path) -> None:
    frames = [load_custom(write(tmp_path / f"same{s}", fv_rows()))[0] for s in (".csv", ".jsonl", ".parquet")]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])


def test_column_mapping_and_case(tmp_path: Path) -> None:
    rows = [{"Evidence": r["context"], "statement": r["claim"], "LABEL": r["label"], "Split": r["split"]}
            for r in fv_rows()]
    path = write(tmp_path / "mapped.csv", rows)
    df, report = load_custom(path, columns={"Evidence": "context", "statement": "claim"})
    assert report.task == "fv" and len(df) == 20
    assert df["claim"].str.startswith("Town").all()
    with pytest.raises(LittleHumanError, match=r"no column 'evidense'.*'Evidence'"):
        load_custom(path, columns={"evidense": "context"})
    # another case of their name is theirs, as our names match (docs/datasets.md)
    assert len(load_custom(path, columns={"evidence": "context", "STATEMENT": "claim"})[0]) == 20
    with pytest.raises(LittleHumanError, match="map to one of"):
        load_custom(path, columns={"Evidence": "premise"})


def test_row_ids_without_id_column_are_line_numbers(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "id"} for r in fv_rows()]
    df, _ = load_custom(write(tmp_path / "noid.csv", rows), name="Mine!")
    assert set(df["dataset"]) == {"mine"}
    assert set(df["row_id"]) == {f"mine:{line}" for line in range(2, 22)}  # header is line 1


def test_meta_and_context_id(tmp_path: Path) -> None:
    rows = qa_rows()
    for i, r in enumerate(rows):
        r["meta"] = {"genre": "farm", "n": i} if i % 2 else "plain"
        r["context_id"] = f"story-{i // 2}"
    df, _ = load_custom(write(tmp_path / "meta.jsonl", rows))
    by_id = df.set_index("row_id")
    assert json.loads(by_id.loc["meta:1", "meta"]) == {"genre": "farm", "n": 1}
    assert by_id.loc["meta:2", "meta"] == "plain"
    assert by_id.loc["meta:5", "context_id"] == "story-2"


def test_label_words(tmp_path: Path) -> None:
    words = {"SUPPORTS": 1, "Refutes": 0, "NOT ENOUGH INFO": 0, "entailment": 1, "neutral": 0,
             "contradiction": 0, "True": 1, "FALSE": 0, "1": 1, "0": 0, "1.0": 1, True: 1, False: 0,
             "not_entailment": 0, "non-entailment": 0, "NOT_ENOUGH_INFO": 0, "Not Supported": 0}
    rows = [{"context": f"Context number {i}.", "claim": f"Claim {i}.", "label": w,
             "split": ["train", "valid", "test"][i % 3]} for i, w in enumerate(words)]
    df, _ = load_custom(write(tmp_path / "words.jsonl", rows))
    got = dict(zip(df["claim"], df["label"]))
    assert got == {f"Claim {i}.": want for i, want in enumerate(words.values())}


def test_split_aliases(tmp_path: Path) -> None:
    rows = fv_rows()
    aliases = ["trn", "validation", "val", "dev", "tst", "TEST ", "Train"]
    for i, r in enumerate(rows):
        r["split"] = aliases[i % len(aliases)]
    _, report = load_custom(write(tmp_path / "aliases.csv", rows))
    assert report.split_counts == {"train": 5, "valid": 9, "test": 6}


# --- splits ----------------------------------------------------------------------------


def test_seeded_three_way_split_grouped_by_context(tmp_path: Path) -> None:
    path = write(tmp_path / "nosplit.csv", fv_rows(n_contexts=100, per_context=3, split=False))
    df, report = load_custom(path)
    assert report.split_counts == {"train": 240, "valid": 30, "test": 30}
    assert "80/10/10" in report.split_note and "seed 42" in report.split_note
    assert (df.groupby("context_id")["split"].nunique() == 1).all()
    again, _ = load_custom(path)
    pd.testing.assert_frame_equal(df, again)
    other, _ = load_custom(path, seed=7)
    assert not df.set_index("row_id")["split"].equals(other.set_index("row_id")["split"])


def test_missing_valid_split_is_carved_from_train(tmp_path: Path) -> None:
    rows = fv_rows(n_contexts=50, split=False)
    for i, r in enumerate(rows):
        r["split"] = "test" if i >= 80 else "train"  # 10 test contexts, 40 train contexts
    df, report = load_custom(write(tmp_path / "novalid.jsonl", rows))
    assert "20%" in report.split_note
    assert report.split_counts["test"] == 20  # the file's test rows are untouched
    assert report.split_counts["valid"] == 2 * round(0.2 * 40)  # 20% of the 40 train contexts
    assert (df.groupby("context_id")["split"].nunique() == 1).all()


def test_no_test_rows_is_an_error(tmp_path: Path) -> None:
    rows = [dict(r, split="train") for r in fv_rows()]
    with pytest.raises(LittleHumanError, match="no test rows"):
        load_custom(write(tmp_path / "notest.csv", rows))
    with pytest.raises(LittleHumanError, match="too few"):
        load_custom(write(tmp_path / "tiny.csv", fv_rows(n_contexts=3, split=False)))


# --- task ------------------------------------------------------------------------------


def test_task_inference_and_check(tmp_path: Path) -> None:
    both = [dict(r, question="Q?", answer="A") for r in fv_rows()]
    path = write(tmp_path / "both.csv", both)
    with pytest.raises(LittleHumanError, match="both FV and QA"):
        load_custom(path)
    assert load_custom(path, task="qa")[1].task == "qa"
    neither = write(tmp_path / "neither.csv", [{"context": "x", "text": "y"}])
    with pytest.raises(LittleHumanError, match=r"FV needs columns context, claim, label.*'text'.*--columns.*--task fv\|qa"):
        load_custom(neither)
    with pytest.raises(LittleHumanError, match=r"missing required column\(s\) 'question', 'answer'"):
        load_custom(write(tmp_path / "fv.csv", fv_rows()), task="qa")
    with pytest.raises(LittleHumanError, match="unknown task"):
        load_custom(path, task="nli")
    # the advice maps one of the file's own columns, not an example the file does not have
    passage = write(tmp_path / "passage.csv", [{"passage": "x", "claim": "c", "label": "1"}])
    with pytest.raises(LittleHumanError, match=r"'context' for FV; .*\(e\.g\. --columns passage=context\)"):
        load_custom(passage)


def test_a_qa_file_run_as_fv_is_not_told_to_map_its_id_to_claim(tmp_path: Path) -> None:
    """A QA file with --task fv was told '(e.g. --columns qid=claim)' (a walk, ropes_qa.csv)."""
    rows = [{"qid": r["id"], "passage": r["context"], "query": r["question"], "reply": r["answer"]}
            for r in qa_rows(split=False)]
    path = write(tmp_path / "ropes.csv", rows)
    mapping = {"passage": "context", "query": "question", "reply": "answer"}
    for columns in (mapping, mapping | {"qid": "id"}):
        with pytest.raises(LittleHumanError) as caught:
            load_custom(path, task="fv", columns=columns)
        message = str(caught.value)
        assert message.endswith("'qid', 'passage', 'query', 'reply'; it looks like a QA dataset: "
                                "drop --task fv or pass --task qa")
    with pytest.raises(LittleHumanError, match=r"it looks like an FV dataset: drop --task qa or "
                                               r"pass --task fv$"):
        load_custom(write(tmp_path / "fv.csv", fv_rows()), task="qa")
    # no column left that could be the missing one: no example, the columns FV needs
    ids = [{"row_id": c, "qid": c, "Split": "train", "key": "k", "context": "x", "claim": "c"}
           for c in range(10)]
    with pytest.raises(LittleHumanError) as caught:
        load_custom(write(tmp_path / "ids.csv", ids))
    assert str(caught.value).endswith("; FV needs columns context, claim, label: rename yours "
                                      "or map them with --columns")
    # a mapped column is not the example either; an unmapped unknown one is
    with pytest.raises(LittleHumanError, match=r"\(e\.g\. --columns query=claim\)$"):
        load_custom(path, task="fv", columns={"passage": "context"})


def test_the_load_line_names_unused_columns_and_a_small_test_split(tmp_path: Path) -> None:
    """A new user's file with annotator and notes columns: they were dropped without a word,
    and a 10-row test split was not mentioned until the captions (a walk, 2026-12-05)."""
    rows = [dict(r, annotator="a1", notes="checked") for r in fv_rows()]
    _, report = load_custom(write(tmp_path / "boxes.csv", rows))
    line = report.describe()
    assert "; columns not used: annotator, notes" in line
    test = report.split_counts["test"]
    assert test < 100 and f"; only {test} test rows: every score and interval rests on them" in line
    _, plain = load_custom(write(tmp_path / "plain.csv", fv_rows()))
    assert "columns not used" not in plain.describe()


def test_a_changed_dataset_names_files_that_share_a_name_by_their_paths() -> None:
    from littlehuman.data.custom import _what_changed

    assert _what_changed({"/a/x.csv": "1"}, {"/b/x.csv": "1"}) == \
        "now read: /b/x.csv; no longer read: /a/x.csv"
    assert _what_changed({"/a/x.csv": "1", "/a/y.csv": "2"}, {"/a/x.csv": "3"}) == \
        "x.csv changed; no longer read: y.csv"


def test_missing_required_column(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "label"} for r in fv_rows()]
    with pytest.raises(LittleHumanError) as err:
        load_custom(write(tmp_path / "nolabel.csv", rows))
    message = str(err.value)
    assert "'label'" in message and "columns found: 'id', 'context', 'claim', 'split'" in message


# --- bad rows --------------------------------------------------------------------------

BAD_CASES = {
    # name: (file name, lines, position and column the error must name)
    "bad label": ("a.csv", ["context,claim,label,split", "Ctx one.,Claim one.,1,test",
                            "Ctx two.,Claim two.,maybe,train"], ["line 3", "'label'", "'maybe'"]),
    "empty context": ("b.csv", ["context,claim,label,split", "Ctx one.,Claim one.,1,train",
                                "Ctx two.,Claim two.,0,test", "  ,Claim three.,0,train"],
                      ["line 4", "'context'", "empty value"]),
    "unknown split": ("c.csv", ["context,claim,label,split", "Ctx one.,Claim one.,1,test",
                                "Ctx two.,Claim two.,0,holdout"], ["line 3", "'split'", "'holdout'"]),
    "duplicate id": ("d.jsonl", [json.dumps({"id": 7, "context": "Ctx one.", "claim": "C1.",
                                             "label": 1, "split": "test"}),
                                 json.dumps({"id": "7", "context": "Ctx two.", "claim": "C2.",
                                             "label": 0, "split": "train"})],
                     ["line 2", "'id'", "duplicate id '7'", "first on line 1"]),
    "malformed json": ("e.jsonl", [json.dumps({"context": "Ctx one.", "claim": "C1.", "label": 1,
                                               "split": "test"}), "",
                                   '{"context": "Ctx two.", "claim": "C2." "label": 0}'],
                       ["line 3", "malformed JSON", "Expecting ',' delimiter"]),
    "missing value": ("f.jsonl", [json.dumps({"context": "Ctx one.", "claim": "C1.", "label": 1,
                                              "split": "test"}),
                                  json.dumps({"context": None, "claim": "C2.", "label": 0,
                                              "split": "train"})],
                      ["line 2", "'context'", "missing value"]),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_rows_are_named(tmp_path: Path, case: str) -> None:
    file_name, lines, expected = BAD_CASES[case]
    # and good train rows of both labels last: the rows left once the bad one is dropped hold
    # train and test, and train rows a learner can learn from
    good = [{**({"id": 9 + label} if '"id"' in lines[0] else {}), "context": f"Ctx {9 + label}.",
             "claim": f"C{9 + label}.", "label": label, "split": "train"} for label in (0, 1)]
    lines = lines + [json.dumps(g) if file_name.endswith(".jsonl")
                     else f"{g['context']},{g['claim']},{g['label']},train" for g in good]
    path = write_csv_lines(tmp_path / file_name, lines)
    with pytest.raises(LittleHumanError) as err:
        load_custom(path)
    message = str(err.value)
    assert "\n" not in message and "1 bad row(s)" in message
    assert message.endswith("; fix them in the file, or use --skip-bad-rows to drop them")
    for text in expected:
        assert text in message

    df, report = load_custom(path, skip_bad_rows=True)
    assert report.n_bad_rows == 1 and len(report.problems) == 1
    assert report.n_rows_read == len(df) + 1
    for text in expected:
        assert text in report.problems[0]


def test_a_split_column_leaving_no_train_row_is_named(tmp_path: Path) -> None:
    """Rows of split test and valid only: no training set, an error naming the file (it
    had loaded, and a run died later on an empty training pool)."""
    path = write_csv_lines(tmp_path / "no_train.csv", [
        "context,claim,label,split", "Ctx one.,Claim one.,1,test", "Ctx two.,Claim two.,0,valid"])
    with pytest.raises(LittleHumanError, match="no usable train row") as err:
        load_custom(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_skipped_rows_problems_do_not_ride_on_every_frame(tmp_path: Path) -> None:
    """The loaded frame's attrs, which pandas copies into every frame made from it, hold the
    problems shown, not one per skipped row (10,000 of them made a dry run 7x slower)."""
    from littlehuman import data

    rows = fv_rows(n_contexts=100)  # 200 rows
    for i, row in enumerate(rows):
        row["split"] = "train" if i < 120 else "valid" if i < 160 else "test"
        if i % 2:
            row["label"] = "perhaps"
    path = write(tmp_path / "half_bad.csv", rows)
    df = data.load(str(path), skip_bad_rows=True)
    report = df.attrs["report"]
    assert report["n_bad_rows"] == len(rows) // 2 and len(df) == len(rows) - len(rows) // 2
    assert len(report["problems"]) == SHOWN_PROBLEMS
    assert report["problems"][0].startswith("line 3:")


def test_every_bad_row_is_listed(tmp_path: Path) -> None:
    rows = fv_rows()
    for i in (0, 3, 5, 8, 11):
        rows[i]["label"] = "perhaps"
    rows[13]["claim"] = ""
    path = write(tmp_path / "many.csv", rows)
    with pytest.raises(LittleHumanError, match=r"6 bad row\(s\) of 20: line 2: .*; \.\.\.; fix them in the file, or use --skip"):
        load_custom(path)
    df, report = load_custom(path, skip_bad_rows=True)
    assert report.n_bad_rows == 6 and len(df) == 14
    assert [p.split(":")[0] for p in report.problems] == [f"line {i + 2}" for i in (0, 3, 5, 8, 11, 13)]
    assert "column 'claim': empty value" in report.problems[-1]
    assert sum(report.split_counts.values()) == 14


def test_csv_line_numbers_follow_multiline_fields(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["context", "claim", "label", "split"])
        w.writerow(["First line.\nSecond line.\nThird line.", "C1.", "1", "test"])  # lines 2-4
        w.writerow(["Ctx.", "C2.", "2", "train"])  # line 5
    with pytest.raises(LittleHumanError, match="line 5: column 'label': bad label '2'"):
        load_custom(path)
    # the wrong number of fields is a bad row too
    write_csv_lines(path, ["context,claim,label,split", "Ctx.,C1.,1,test", "Ctx, with comma.,C2.,0,train"])
    with pytest.raises(LittleHumanError, match="line 3: 5 fields where the header has 4"):
        load_custom(path)


def test_parquet_rows_are_numbered_from_one(tmp_path: Path) -> None:
    rows = fv_rows()
    rows[4]["claim"] = None
    with pytest.raises(LittleHumanError, match="row 5: column 'claim': missing value"):
        load_custom(write(tmp_path / "p.parquet", rows))


def test_all_rows_bad_is_an_error_even_when_skipping(tmp_path: Path) -> None:
    path = write_csv_lines(tmp_path / "allbad.csv", ["context,claim,label", ",C1.,1", ",C2.,0"])
    with pytest.raises(LittleHumanError, match="all 2 rows are bad"):
        load_custom(path, skip_bad_rows=True)


# --- files -----------------------------------------------------------------------------


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(LittleHumanError, match="no such file"):
        load_custom(tmp_path / "absent.csv")
    (tmp_path / "data.txt").write_text("context,claim,label\n")
    with pytest.raises(LittleHumanError, match=r"unsupported file type '\.txt'"):
        load_custom(tmp_path / "data.txt")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(LittleHumanError, match="empty"):
        load_custom(tmp_path / "empty.csv")
    (tmp_path / "header.csv").write_text("context,claim,label\n\n")
    with pytest.raises(LittleHumanError, match="no data rows"):
        load_custom(tmp_path / "header.csv")
    (tmp_path / "blank.jsonl").write_text("\n  \n")
    with pytest.raises(LittleHumanError, match="empty"):
        load_custom(tmp_path / "blank.jsonl")
    (tmp_path / "array.json").write_text(json.dumps(fv_rows()))
    with pytest.raises(LittleHumanError, match="JSON array"):
        load_custom(tmp_path / "array.json")
    (tmp_path / "fake.parquet").write_text("not parquet")
    with pytest.raises(LittleHumanError, match="not a readable parquet"):
        load_custom(tmp_path / "fake.parquet")
    (tmp_path / "quote.csv").write_text('context,claim,label\n"unclosed,C1.,1\n')
    with pytest.raises(LittleHumanError, match="unreadable CSV"):
        load_custom(tmp_path / "quote.csv")


def test_a_semicolon_or_tab_separated_csv_is_told_to_save_it_comma_separated(tmp_path: Path) -> None:
    """Excel writes ';'-separated CSV (with a BOM) in many locales: the quoting error, or a
    one-column file's missing columns, said nothing of the separator (a walk, excel.csv)."""
    rows = [{"context": f'"It is cold," said the Snow Man {c}.', "question": "Who spoke?",
             "answer": "the Snow Man"} for c in range(10)]
    excel = tmp_path / "excel.csv"
    pd.DataFrame(rows).to_csv(excel, sep=";", index=False, encoding="utf-8-sig")
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfcontext;question;answer")
    advice = "looks ';'-separated: save it as comma-separated CSV (or as JSON Lines / parquet)"
    with pytest.raises(LittleHumanError) as caught:  # quoted fields: a csv.Error
        load_custom(excel)
    assert str(caught.value) == f"{excel} {advice}"
    # no quotes: it parses, as one column named 'context;question;answer'
    plain = write_csv_lines(tmp_path / "plain.csv", ["\ufeffcontext;question;answer"] + [
        f"Mira planted {c} pear trees;How many trees?;{c}" for c in range(10)])
    for options in ({}, {"task": "qa"}, {"columns": {"passage": "context"}}):
        with pytest.raises(LittleHumanError) as caught:
            load_custom(plain, **options)
        assert str(caught.value) == f"plain.csv {advice}"
    tabs = write_csv_lines(tmp_path / "tabs.csv", ["context\tquestion\tanswer"] + [
        f"Mira planted {c} pear trees\tHow many trees?\t{c}" for c in range(10)])
    with pytest.raises(LittleHumanError, match=r"^tabs\.csv looks tab-separated: save it as "
                                               r"comma-separated CSV"):
        load_custom(tabs, task="qa")
    # a comma-separated file with a BOM: the BOM is not part of the first column's name
    bom = tmp_path / "bom.csv"
    pd.DataFrame(qa_rows()).to_csv(bom, index=False, encoding="utf-8-sig")
    assert len(load_custom(bom)[0]) == 10


def test_is_custom_path(tmp_path: Path) -> None:
    assert is_custom_path("mine.csv") and is_custom_path("x/y.JSONL") and is_custom_path("a.parquet")
    assert is_custom_path("b.json")
    assert not is_custom_path("fever") and not is_custom_path("notes.txt")
    existing = tmp_path / "rows"
    existing.write_text("x")
    assert is_custom_path(str(existing))


# --- several files: a folder of split files, or train=...,test=... ----------------------


def split_folder(root: Path, rows: list[dict], suffixes: dict[str, str] | None = None,
                 names: dict[str, str] | None = None) -> Path:
    """Write rows (with a split key) as one file per split under root; the split key is
    dropped. ``suffixes`` and ``names`` choose each split's format and file name."""
    root.mkdir(parents=True, exist_ok=True)
    suffixes = suffixes or {}
    names = names or {}
    for split in ("train", "valid", "test"):
        part = [{k: v for k, v in r.items() if k != "split"} for r in rows if r["split"] == split]
        if part:
            write(root / f"{names.get(split, split)}{suffixes.get(split, '.csv')}", part)
    return root


def test_folder_of_split_files_gives_the_same_frame_as_one_file_with_a_split_column(tmp_path: Path) -> None:
    rows = fv_rows()
    one, one_report = load_custom(write(tmp_path / "same.csv", rows))
    folder = split_folder(tmp_path / "folder" / "same", rows,
                          suffixes={"train": ".csv", "valid": ".jsonl", "test": ".parquet"})
    many, report = load_custom(folder)
    pd.testing.assert_frame_equal(one, many)  # ids from the id column: the same row ids
    assert report.name == "same" and report.task == "fv"
    assert report.split_counts == one_report.split_counts == {"train": 12, "valid": 4, "test": 4}
    assert report.split_note == "splits from the file names"
    assert report.files == [("train", str(folder / "train.csv"), 12),
                            ("valid", str(folder / "valid.jsonl"), 4),
                            ("test", str(folder / "test.parquet"), 4)]
    assert report.n_rows_read == 20 and report.n_bad_rows == 0 and report.ignored == []
    assert sorted(report.sources) == sorted(str(p) for p in folder.iterdir())
    line = report.describe()
    assert "\n" not in line and "train.csv 12, valid.jsonl 4, test.parquet 4" in line
    assert "train 12, valid 4, test 4" in line


def test_explicit_split_files_equal_the_folder(tmp_path: Path) -> None:
    rows = qa_rows()
    folder = split_folder(tmp_path / "pears", rows)
    spec = f"train={folder / 'train.csv'}, test={folder / 'test.csv'},valid={folder / 'valid.csv'}"
    a, ra = load_custom(folder)
    b, rb = load_custom(spec)
    pd.testing.assert_frame_equal(a, b)
    assert ra.name == rb.name == "pears"  # train.csv: named after its folder
    assert [s for s, _, _ in rb.files] == ["train", "valid", "test"]
    for stem, name in (("fever_train", "custom_fever"), ("train-claims", "claims"), ("Mine", "mine")):
        write(tmp_path / f"{stem}.csv", [{k: v for k, v in r.items() if k != "split"} for r in rows[:6]])
        spec = f"train={tmp_path / f'{stem}.csv'},test={folder / 'test.csv'}"
        assert load_custom(spec)[1].name == name


def test_rows_without_ids_get_ids_from_their_file_and_position(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "id"} for r in fv_rows()]
    folder = split_folder(tmp_path / "noid", rows, suffixes={"test": ".parquet"})
    df, _ = load_custom(folder)
    ids = set(df["row_id"])
    assert {"noid:train.csv:2", "noid:train.csv:13", "noid:valid.csv:2", "noid:test.parquet:1",
            "noid:test.parquet:4"} <= ids
    assert len(ids) == 20  # line 2 of train.csv and of valid.csv do not collide
    # two files with the same name (explicit form): the row ids use their paths
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a" / "data.csv", rows[:12])
    write(tmp_path / "b" / "data.csv", rows[16:])
    df, report = load_custom(f"train={tmp_path / 'a' / 'data.csv'},test={tmp_path / 'b' / 'data.csv'}")
    assert df["row_id"].is_unique and len(df) == 16
    assert f"data:{tmp_path / 'b' / 'data.csv'}:2" in set(df["row_id"])


def test_no_valid_file_carves_valid_from_train_by_context(tmp_path: Path) -> None:
    rows = fv_rows(n_contexts=50, split=False)
    for i, r in enumerate(rows):
        r["split"] = "test" if i >= 80 else "train"
    df, report = load_custom(split_folder(tmp_path / "nv", rows))
    assert "no valid file" in report.split_note and "seed 42" in report.split_note
    assert report.split_counts == {"train": 64, "valid": 16, "test": 20}
    assert (df.groupby("context_id")["split"].nunique() == 1).all()
    other, _ = load_custom(tmp_path / "nv", seed=7)
    assert not df.set_index("row_id")["split"].equals(other.set_index("row_id")["split"])


def test_folder_names_aliases_case_shards_and_ignored_files(tmp_path: Path) -> None:
    rows = fv_rows()
    folder = tmp_path / "hf"
    folder.mkdir()
    train = [r for r in rows if r["split"] == "train"]
    write(folder / "train-00000-of-00002.parquet", train[:5])
    write(folder / "train-00001-of-00002.parquet", train[5:])
    write(folder / "DEV.jsonl", [r for r in rows if r["split"] == "valid"])  # dev -> valid
    write(folder / "Testing.csv", [r for r in rows if r["split"] == "test"])
    write(folder / "notes.csv", rows[:2])
    (folder / "README.md").write_text("not data\n")
    (folder / ".train.csv.swp").write_text("editor junk\n")
    (folder / "train").mkdir()  # a folder is not a file
    df, report = load_custom(folder)
    assert report.split_counts == {"train": 12, "valid": 4, "test": 4}
    assert [Path(f).name for _, f, _ in report.files] == [
        "train-00000-of-00002.parquet", "train-00001-of-00002.parquet", "DEV.jsonl", "Testing.csv"]
    assert report.ignored == ["notes.csv"] and "ignored (named after no split): notes.csv" in report.describe()
    # a missing shard, two files for one split, shards of different sets
    (folder / "train-00001-of-00002.parquet").unlink()
    write(folder / "train-00002-of-00003.parquet", train[5:])
    with pytest.raises(LittleHumanError, match="several files for the train split"):
        load_custom(folder)
    (folder / "train-00002-of-00003.parquet").unlink()
    write(folder / "train-00001-of-00003.parquet", train[5:])
    write(folder / "train-00000-of-00003.parquet", train[:5])
    (folder / "train-00000-of-00002.parquet").unlink()
    with pytest.raises(LittleHumanError, match=r"sharded in 3 files but shard\(s\) 00002 are missing"):
        load_custom(folder)
    write(folder / "train.csv", train)
    with pytest.raises(LittleHumanError, match=r"several files for the train split \(train-0"):
        load_custom(folder)


def test_split_column_in_a_split_file(tmp_path: Path) -> None:
    rows = fv_rows()
    folder = tmp_path / "sc"
    folder.mkdir()
    for split in ("train", "valid", "test"):  # keep the (agreeing) split column
        write(folder / f"{split}.csv", [r for r in rows if r["split"] == split])
    df, _ = load_custom(folder)
    assert len(df) == 20
    test = [r for r in rows if r["split"] == "test"]
    test[1] = dict(test[1], split="train")
    test[3] = dict(test[3], split="Valid")
    write(folder / "test.csv", test)
    for skip in (False, True):  # not a bad row: --skip-bad-rows does not drop it
        with pytest.raises(LittleHumanError) as err:
            load_custom(folder, skip_bad_rows=skip)
        msg = str(err.value)
        assert "\n" not in msg and "2 row(s) whose split column disagrees with their file's name" in msg
        assert "test.csv line 3 says 'train', the file is test" in msg
        assert "test.csv line 5 says 'Valid', the file is test" in msg
    test[1]["split"], test[3]["split"] = "", "holdout"  # empty: the file decides; unknown: bad row
    write(folder / "test.csv", test)
    with pytest.raises(LittleHumanError, match=r"1 bad row\(s\) of 20: test.csv line 5: column 'split': unknown split 'holdout'"):
        load_custom(folder)


def test_bad_rows_of_every_file_are_named_with_their_file(tmp_path: Path) -> None:
    rows = fv_rows()
    folder = split_folder(tmp_path / "bad", rows, suffixes={"valid": ".jsonl", "test": ".parquet"})
    train = [r for r in rows if r["split"] == "train"]
    train[1]["label"] = "perhaps"
    write(folder / "train.csv", [{k: v for k, v in r.items() if k != "split"} for r in train])
    test = [{k: v for k, v in r.items() if k != "split"} for r in rows if r["split"] == "test"]
    test[2]["claim"] = None
    test[3]["id"] = "r0-0"  # an id of train.csv
    write(folder / "test.parquet", test)
    with (folder / "valid.jsonl").open("a") as f:
        f.write('{"context": "x", "claim": "y" "label": 1}\n')
    with pytest.raises(LittleHumanError) as err:
        load_custom(folder)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"{folder}/: 4 bad row(s) of 21: ")
    assert "train.csv line 3: column 'label': bad label 'perhaps'" in msg
    assert "valid.jsonl line 5: malformed JSON" in msg
    assert "test.parquet row 3: column 'claim': missing value" in msg
    assert msg.endswith("; ...; fix them in the file, or use --skip-bad-rows to drop them")
    df, report = load_custom(folder, skip_bad_rows=True)
    assert report.n_bad_rows == 4 and len(df) == 17 and report.n_rows_read == 21
    assert report.problems[-1] == ("test.parquet row 4: column 'id': duplicate id 'r0-0' "
                                   "(first on train.csv line 2)")
    assert "4 bad row(s) dropped (--skip-bad-rows), the first: train.csv line 3" in report.describe()


def test_files_python_cannot_read_as_they_are_are_one_line(tmp_path: Path) -> None:
    """A reviewer's files: JSON that Python's parser refuses with a ValueError or
    RecursionError (not a JSONDecodeError) and a parquet column of dates past 9999 gave
    tracebacks; a pretty-printed .json file was told to rename its columns; a parquet decimal
    label column was "not 0/1"."""
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = fv_rows(split=False)
    path = write(tmp_path / "odd.jsonl", rows)
    with path.open("a") as f:
        f.write('{"context": "x", "claim": "y", "label": ' + "7" * 5001 + "}\n")
        f.write('{"context": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    with pytest.raises(LittleHumanError) as err:
        load_custom(path)
    said = str(err.value)
    assert "2 bad row(s) of 22" in said and "\n" not in said
    assert "line 21: malformed JSON (Exceeds the limit (4300 digits) for integer string " \
           "conversion)" in said and "line 22: malformed JSON (nested too deeply)" in said
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps({"data": rows}, indent=2))
    message = ("not JSON Lines: one JSON object{} over the file, not one per line: write one "
               "object per line")
    with pytest.raises(LittleHumanError, match=re.escape(message.format(""))):
        load_custom(pretty)
    pretty.write_text(json.dumps({"data": rows}))  # on one line: its rows under one key
    with pytest.raises(LittleHumanError,
                       match=re.escape(message.format(" (its rows are under 'data')"))):
        load_custom(pretty)
    # a one-row file whose row holds a list of objects is a row (a reviewer: it was refused)
    one = write(tmp_path / "one.jsonl", [{**rows[0], "meta": [{"annotator": "a1"}]}])
    with pytest.raises(LittleHumanError, match="too few|rows") as few:
        load_custom(one)
    assert "not JSON Lines" not in str(few.value)
    # a comma after every object: each line is a bad row, and the line says so
    commas = tmp_path / "commas.jsonl"
    commas.write_text("".join(json.dumps(r) + ",\n" for r in rows))
    with pytest.raises(LittleHumanError, match=r"commas.jsonl: no line is a JSON object \(line "
                                               r"1: malformed JSON \(Extra data"):
        load_custom(commas)
    table = pa.Table.from_pylist([{**r, "label": decimal.Decimal(r["label"])} for r in rows])
    assert pa.types.is_decimal(table.schema.field("label").type)
    pq.write_table(table, tmp_path / "decimal.parquet")
    loaded = load_custom(tmp_path / "decimal.parquet")[0]
    assert dict(zip(loaded["claim"], loaded["label"])) == {r["claim"]: r["label"] for r in rows}
    dates = pa.array([253_402_300_800 + i for i in range(len(rows))], pa.timestamp("s"))
    pq.write_table(pa.Table.from_pylist(rows).append_column("when", dates),
                   tmp_path / "dates.parquet")  # past 9999-12-31: no Python datetime
    doubled = pa.Table.from_arrays([pa.array(["c"]), pa.array(["x"]), pa.array(["y"])],
                                   names=["context", "claim", "claim"])
    pq.write_table(doubled, tmp_path / "doubled.parquet")  # arrow: "Multiple matches for ..."
    with pytest.raises(LittleHumanError, match=r"doubled.parquet: column\(s\) 'claim' appear "
                                               r"more than once: rename one"):
        load_custom(tmp_path / "doubled.parquet")
    with pytest.raises(LittleHumanError, match=r"dates.parquet: column 'when' holds values "
                                               r"Python cannot read \(.*\): drop or convert it"):
        load_custom(tmp_path / "dates.parquet")


def test_split_files_must_fit_one_task(tmp_path: Path) -> None:
    folder = split_folder(tmp_path / "mixed", fv_rows())
    write(folder / "test.csv", [{k: v for k, v in r.items() if k != "split"} for r in qa_rows()])
    with pytest.raises(LittleHumanError, match=r"test.csv: missing required column\(s\) 'claim', 'label' for FV"
                                               r".*it has QA columns but an earlier file of the "
                                               r"dataset is FV: give every file one task's columns$"):
        load_custom(folder)
    with pytest.raises(LittleHumanError, match=r"train.csv: missing required column\(s\) 'question', 'answer'"):
        load_custom(folder, task="qa")
    rows = [{"Evidence": r["context"], "claim": r["claim"], "label": r["label"], "split": r["split"]}
            for r in fv_rows()]
    folder = split_folder(tmp_path / "mapped", rows)
    assert len(load_custom(folder, columns={"Evidence": "context"})[0]) == 20
    # their name as our names are matched, but for case (a reviewer: "no column 'evidence'")
    assert len(load_custom(folder, columns={"evidence ": "context"})[0]) == 20
    write(folder / "valid.csv", [{"context": r["Evidence"], "claim": r["claim"], "label": r["label"]}
                                 for r in rows if r["split"] == "valid"])
    with pytest.raises(LittleHumanError, match="valid.csv: no column 'Evidence' to map"):
        load_custom(folder, columns={"Evidence": "context"})


def test_split_file_errors(tmp_path: Path) -> None:
    rows = fv_rows()
    folder = split_folder(tmp_path / "f", [r for r in rows if r["split"] != "test"])
    write(folder / "other.csv", rows[:2])
    with pytest.raises(LittleHumanError) as err:
        load_custom(folder)
    msg = str(err.value)
    assert "no test.* file" in msg and "found: other.csv, train.csv, valid.csv" in msg
    assert "--dataset train=FILE,test=FILE" in msg and "\n" not in msg
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(LittleHumanError, match=r"no train.\* and test.\* file: .*found: nothing"):
        load_custom(tmp_path / "empty_dir")
    (folder / "test.csv").write_text("")
    with pytest.raises(LittleHumanError, match=r"test.csv: the file is empty: write its rows in it"):
        load_custom(folder)
    (folder / "test.csv").write_text("context,claim,label\n")
    with pytest.raises(LittleHumanError, match=r"test.csv: the file has no data rows"):
        load_custom(folder)
    write(folder / "test.csv", [dict(r, claim="") for r in rows if r["split"] == "test"])
    with pytest.raises(LittleHumanError, match=r"no good test rows left \(test.csv: every row is bad\)"):
        load_custom(folder, skip_bad_rows=True)
    train = folder / "train.csv"
    (tmp_path / "notes.txt").write_text("context,claim,label\n")
    for spec, needle in (
        (f"train={train}", "no test file"),
        (f"test={train}", "no train file"),
        (f"train={train},holdout={train}", "unknown split 'holdout'"),
        (f"train=,test={train}", "no file after train="),
        (f"train={train},test={tmp_path / 'absent.csv'}", "no such file"),
        (f"train={train},test={tmp_path / 'notes.txt'}", "unsupported file type"),
    ):
        with pytest.raises(LittleHumanError, match=re.escape(needle)):
            load_custom(spec)


def test_is_custom_path_and_absolute_spec_for_several_files(tmp_path: Path, monkeypatch) -> None:
    folder = split_folder(tmp_path / "mine", fv_rows())
    assert is_custom_path(str(folder)) and is_custom_path("train=a.csv,test=b.csv")
    assert is_custom_path("TRAIN = a.csv, Test=b.csv")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fever").mkdir()
    assert not is_custom_path("fever") and not is_custom_path("FEVER ") and is_custom_path("./fever")
    (tmp_path / "all").mkdir()
    assert not is_custom_path("all")
    assert absolute_spec("mine") == str(folder)
    assert absolute_spec("train=mine/train.csv, test=mine/test.csv") == (
        f"train={folder / 'train.csv'},test={folder / 'test.csv'}")
    assert layout(absolute_spec("mine")).kind == "folder"
    monkeypatch.chdir(folder)
    assert load_custom(absolute_spec("."))[1].name == "mine"  # "." is named after the folder
    assert load_custom(".")[1].name == "mine"


def test_fingerprint_follows_every_file(tmp_path: Path) -> None:
    rows = fv_rows()
    folder = split_folder(tmp_path / "fp", rows)
    base = load_custom(folder)[1].fingerprint
    assert len(base) == 16 and load_custom(folder)[1].fingerprint == base
    for split in ("train", "valid", "test"):
        path = folder / f"{split}.csv"
        before = path.read_bytes()
        part = [{k: v for k, v in r.items() if k != "split"} for r in rows if r["split"] == split]
        part[0]["claim"] += " Indeed."
        write(path, part)
        assert load_custom(folder)[1].fingerprint != base, split
        path.write_bytes(before)
    assert load_custom(folder)[1].fingerprint == base
    assert load_custom(folder, seed=7)[1].fingerprint == base  # every split given: no seed used
    df, _ = load_custom(folder)
    assert fingerprint(df.sample(frac=1, random_state=0)) == base  # row order does not matter


def test_check_identity_guards_stored_results(tmp_path: Path, home: Path) -> None:
    rows = fv_rows()
    folder = split_folder(tmp_path / "ident", rows)
    df, report = load_custom(folder)
    record = home / "data" / "processed" / "ident" / IDENTITY
    check_identity(df, report, record=False)
    assert not record.exists()
    check_identity(df, report)
    saved = json.loads(record.read_text())
    assert saved["fingerprint"] == report.fingerprint and len(saved["files"]) == 3
    check_identity(df, report)  # same rows: fine

    test = [{k: v for k, v in r.items() if k != "split"} for r in rows if r["split"] == "test"]
    test[0]["label"] = 1 - test[0]["label"]
    write(folder / "test.csv", test)
    df2, report2 = load_custom(folder)
    check_identity(df2, report2, record=False)  # nothing stored yet under the name: fine
    runs = home / "data" / "runs" / "ident" / "sweep"
    runs.mkdir(parents=True)
    (runs / "record.json").write_text("{}")
    with pytest.raises(LittleHumanError) as err:
        check_identity(df2, report2)
    msg = str(err.value)
    assert "\n" not in msg and "(test.csv changed)" in msg and str(runs.parent) in msg
    assert "rename the file or folder" in msg
    assert json.loads(record.read_text()) == saved  # not overwritten
    (folder / "valid.csv").unlink()
    df3, report3 = load_custom(folder)
    with pytest.raises(LittleHumanError, match=r"test.csv changed; no longer read: valid.csv"):
        check_identity(df3, report3)
    write(folder / "valid.csv", [{k: v for k, v in r.items() if k != "split"}
                                 for r in rows if r["split"] == "valid"])
    write(folder / "test.csv", [{k: v for k, v in r.items() if k != "split"}
                                for r in rows if r["split"] == "test"])
    check_identity(*load_custom(folder))  # back to the stored rows: fine again


def test_check_identity_names_an_option_change(tmp_path: Path, home: Path) -> None:
    folder = split_folder(tmp_path / "opts", [r for r in fv_rows() if r["split"] != "valid"])
    check_identity(*load_custom(folder))  # valid carved from train with seed 42
    (home / "data" / "synthetic" / "opts").mkdir(parents=True)
    (home / "data" / "synthetic" / "opts" / "x.parquet").write_bytes(b"stored twins")
    check_identity(*load_custom(folder))
    with pytest.raises(LittleHumanError, match=r"\(same files: --columns, --skip-bad-rows or --data-seed changed\)"):
        check_identity(*load_custom(folder, seed=3))


# --- Hugging Face datasets: saved folders and class labels ------------------------------

NLI_NAMES = ["entailment", "neutral", "contradiction"]  # the class order of SNLI/MNLI/ANLI


def nli_dataset(n: int, start: int = 0, labels: list[int] | None = None):
    """An invented NLI dataset whose label is a ClassLabel (class ids, as the hub stores them)."""
    import datasets

    features = datasets.Features({"premise": datasets.Value("string"),
                                  "hypothesis": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=NLI_NAMES)})
    ids = range(start, start + n)
    return datasets.Dataset.from_dict(
        {"premise": [f"The lantern of town {i} is painted blue." for i in ids],
         "hypothesis": [f"Town {i} has a lantern." for i in ids],
         "label": labels if labels is not None else [i % 3 for i in ids]}, features=features)


NLI_COLUMNS = {"premise": "context", "hypothesis": "claim"}


def entailed(ids: range) -> list[int]:
    """PROTOCOL's binary label of the invented rows: only entailment (class id 0) is 1."""
    return [1 if i % 3 == 0 else 0 for i in ids]


def test_parquet_from_datasets_reads_class_labels_by_name(tmp_path: Path) -> None:
    """A parquet file written by `datasets` (the hub's parquet files are) records its features:
    class id 0 is "entailment" (our 1), not the number 0 (which reads as not supported)."""
    path = tmp_path / "nli.parquet"
    nli_dataset(30).to_parquet(str(path))
    df, report = load_custom(path, columns=NLI_COLUMNS)
    order = df.sort_values("row_id", key=lambda s: s.str.split(":").str[-1].astype(int))
    assert order["label"].tolist() == entailed(range(30))
    assert report.class_names == {"label": NLI_NAMES}
    assert "label read by its class names: 0 entailment -> 1, 1 neutral -> 0, " \
           "2 contradiction -> 0" in report.describe()
    plain = tmp_path / "plain.parquet"  # the same ids without the features: read as numbers
    pd.read_parquet(path).to_parquet(plain, index=False)
    pd.read_parquet(plain)  # still a good file
    with pytest.raises(LittleHumanError, match=r"look like 3-class NLI ids"):
        load_custom(plain, columns=NLI_COLUMNS)


def test_class_label_minus_one_is_missing_and_out_of_range_is_bad(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    labels = [i % 3 for i in range(30)]
    labels[2], labels[4] = -1, 5  # -1: the hub's "no label"; 5: no such class
    path = tmp_path / "unlabelled.parquet"
    nli_dataset(30).to_parquet(str(path))
    table = pq.read_table(path)  # the features kept, the ids set by hand
    table = table.set_column(table.schema.get_field_index("label"), "label",
                             pa.array(labels, pa.int64()))
    pq.write_table(table, path)
    with pytest.raises(LittleHumanError) as err:
        load_custom(path, columns=NLI_COLUMNS)
    assert "row 3: column 'label': missing value" in str(err.value)
    assert "row 5: column 'label': bad label 5" in str(err.value)
    df, report = load_custom(path, columns=NLI_COLUMNS, skip_bad_rows=True)
    assert len(df) == 28 and report.n_bad_rows == 2


def test_saved_dataset_dict_folder(tmp_path: Path) -> None:
    import datasets

    folder = tmp_path / "my_nli"
    datasets.DatasetDict({"train": nli_dataset(24), "validation": nli_dataset(6, 100),
                          "test": nli_dataset(9, 200), "unlabeled": nli_dataset(3, 300)}
                         ).save_to_disk(str(folder))
    assert is_custom_path(str(folder)) and layout(folder).kind == "folder"
    df, report = load_custom(folder, columns=NLI_COLUMNS)
    assert report.name == "my_nli" and report.task == "fv"
    assert report.split_counts == {"train": 24, "valid": 6, "test": 9}
    assert report.ignored == ["unlabeled"] and "ignored (named after no split): unlabeled" \
        in report.describe()
    for split, ids in (("train", range(24)), ("valid", range(100, 106)), ("test", range(200, 209))):
        part = df[df["split"] == split]
        by_context = dict(zip(part["context"], part["label"]))
        assert [by_context[f"The lantern of town {i} is painted blue."] for i in ids] == entailed(ids)
    assert report.class_names == {"label": NLI_NAMES}
    assert sorted(Path(f).name for f in report.sources) == ["test", "train", "validation"]


def test_saved_single_dataset_folder_is_one_file(tmp_path: Path) -> None:
    folder = tmp_path / "one"
    nli_dataset(40).save_to_disk(str(folder))
    df, report = load_custom(folder, columns=NLI_COLUMNS)
    assert report.name == "one" and len(df) == 40 and report.n_rows_read == 40
    assert "seeded 80/10/10" in report.split_note
    assert sorted(df["label"]) == sorted(entailed(range(40)))


def test_saved_dataset_changes_are_fingerprinted(tmp_path: Path) -> None:
    import datasets

    folder = tmp_path / "fp_nli"
    parts = {"train": nli_dataset(24), "test": nli_dataset(9, 200)}
    datasets.DatasetDict(parts).save_to_disk(str(folder))
    _, before = load_custom(folder, columns=NLI_COLUMNS)
    datasets.DatasetDict({**parts, "test": nli_dataset(9, 200, labels=[1] * 9)}).save_to_disk(
        str(tmp_path / "tmp"))
    import shutil

    shutil.rmtree(folder)
    shutil.move(str(tmp_path / "tmp"), folder)
    _, after = load_custom(folder, columns=NLI_COLUMNS)
    assert after.fingerprint != before.fingerprint
    changed = [f for f in after.sources if after.sources[f] != before.sources.get(f)]
    assert [Path(f).name for f in changed] == ["test"]


def test_saved_dataset_dict_errors(tmp_path: Path) -> None:
    import datasets

    folder = tmp_path / "no_test"
    datasets.DatasetDict({"train": nli_dataset(6), "validation": nli_dataset(3, 9)}
                         ).save_to_disk(str(folder))
    with pytest.raises(LittleHumanError, match=r"splits train, validation has no test split"):
        load_custom(folder, columns=NLI_COLUMNS)
    both = tmp_path / "both"
    datasets.DatasetDict({"train": nli_dataset(6), "val": nli_dataset(3, 9),
                          "validation": nli_dataset(3, 20), "test": nli_dataset(3, 30)}
                         ).save_to_disk(str(both))
    with pytest.raises(LittleHumanError, match=r"splits val, validation all hold the valid split"):
        load_custom(both, columns=NLI_COLUMNS)
    broken = tmp_path / "broken"
    nli_dataset(6).save_to_disk(str(broken))
    for arrow in broken.glob("*.arrow"):
        arrow.write_bytes(b"not arrow")
    with pytest.raises(LittleHumanError, match=r"not a readable saved Hugging Face dataset"):
        load_custom(broken, columns=NLI_COLUMNS)
    (tmp_path / "bad_index").mkdir()
    (tmp_path / "bad_index" / "dataset_dict.json").write_text("{")
    with pytest.raises(LittleHumanError, match=r"not a readable DatasetDict index"):
        load_custom(tmp_path / "bad_index")


def test_a_synthetic_file_must_be_a_file(tmp_path: Path) -> None:
    from littlehuman.data.synthetic_file import checked

    folder = tmp_path / "saved"
    nli_dataset(3).save_to_disk(str(folder))
    with pytest.raises(LittleHumanError, match=r"is not a file"):
        checked(folder)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_several_answers_keep_the_first(tmp_path: Path, suffix: str) -> None:
    """SQuAD-style answers ({"text": [...], "answer_start": [...]}) and answer lists give their
    first non-empty text (PROTOCOL: "first answer text"); no answer at all is a bad row."""
    rows = qa_rows()
    for i, row in enumerate(rows):
        first = row.pop("answer")
        row["answers"] = ({"text": ["", first, "other"], "answer_start": [0, 5, 9]} if i % 2
                          else {"text": [first, "other"], "answer_start": [5, 9]})
    path = write(tmp_path / f"squad{suffix}", rows)
    df, report = load_custom(path, columns={"answers": "answer"})
    assert dict(zip(df["row_id"], df["answer"])) == {f"squad:{c}": str(c + 3) for c in range(10)}
    assert report.first_answers == 10
    assert "answer: the first of several answers in 10 row(s)" in report.describe()
    lists = [{**r, "answers": [str(i + 3), "x"]} for i, r in enumerate(qa_rows()) if r.pop("answer")]
    df, report = load_custom(write(tmp_path / f"lists{suffix}", lists), columns={"answers": "answer"})
    assert sorted(df["answer"], key=int) == [str(c + 3) for c in range(10)]
    rows[3]["answers"] = {"text": [], "answer_start": []}  # SQuAD 2.0: no answer
    with pytest.raises(LittleHumanError, match=r"(line|row) 4: column 'answer': missing value"):
        load_custom(write(tmp_path / f"unanswerable{suffix}", rows), columns={"answers": "answer"})


def test_one_answer_is_not_counted_as_several(tmp_path: Path) -> None:
    _, report = load_custom(write(tmp_path / "plain.jsonl", qa_rows()))
    assert report.first_answers == 0 and "several answers" not in report.describe()
    # a list of one answer (or of one and empty ones) is one answer too
    rows = [{**r, "answer": [r["answer"]] if i % 2 else [r["answer"], " "]}
            for i, r in enumerate(qa_rows())]
    rows[0]["answer"] = {"text": [rows[0]["answer"][0], "another"], "answer_start": [0, 4]}
    _, report = load_custom(write(tmp_path / "lists.jsonl", rows))
    assert report.first_answers == 1, report.describe()
    assert "the first of several answers in 1 row(s)" in report.describe()


def test_hub_shards_with_a_fingerprint_are_read_together(tmp_path: Path) -> None:
    """Older `datasets` pushed shards as train-00000-of-00002-<16 hex digits>.parquet."""
    rows = fv_rows()
    folder = tmp_path / "pushed"
    folder.mkdir()
    train = [r for r in rows if r["split"] == "train"]
    write(folder / "train-00000-of-00002-5f6c2f0fa2d4b1a7.parquet", train[:5])
    write(folder / "train-00001-of-00002-0a9e3c1d2b4f6e8a.parquet", train[5:])
    write(folder / "test-00000-of-00001-77aa00bb11cc22dd.parquet",
          [r for r in rows if r["split"] == "test"])
    df, report = load_custom(folder)
    assert report.split_counts["train"] + report.split_counts["valid"] == 12
    assert report.split_counts["test"] == 4 and report.ignored == []
    (folder / "train-00001-of-00002-0a9e3c1d2b4f6e8a.parquet").unlink()  # one shard of two left
    with pytest.raises(LittleHumanError, match=r"sharded in 2 files but shard\(s\) 00001 are missing"):
        load_custom(folder)


def test_a_folder_per_split(tmp_path: Path) -> None:
    """The hub's parquet conversion: train/0000.parquet, 0001.parquet, validation/..., test/...:
    the same frame as one file with a split column; files named relative to the folder."""
    rows = fv_rows()
    one, _ = load_custom(write(tmp_path / "conv.csv", rows))
    folder = tmp_path / "conv"
    parts = {"train": [r for r in rows if r["split"] == "train"],
             "validation": [r for r in rows if r["split"] == "valid"],
             "test": [r for r in rows if r["split"] == "test"]}
    for sub, part in parts.items():
        (folder / sub).mkdir(parents=True)
        write(folder / sub / "0000.parquet", part[:4])
        if part[4:]:
            write(folder / sub / "0001.parquet", part[4:])
    (folder / "README.md").write_text("a dataset card\n")
    many, report = load_custom(folder)
    pd.testing.assert_frame_equal(one, many)
    assert report.name == "conv" and report.split_counts == {"train": 12, "valid": 4, "test": 4}
    assert "(train/0000.parquet 4, train/0001.parquet 8, validation/0000.parquet 4, " \
           "test/0000.parquet 4)" in report.describe()
    without_ids = tmp_path / "noid"
    for sub, part in parts.items():
        (without_ids / sub).mkdir(parents=True)
        write(without_ids / sub / "0000.parquet", [{k: v for k, v in r.items() if k != "id"}
                                                   for r in part])
    df, _ = load_custom(without_ids)  # ids from each file's path inside the folder, not on disk
    assert "noid:test/0000.parquet:1" in set(df["row_id"])
    assert not any(str(tmp_path) in r for r in df["row_id"])
    (folder / "val").mkdir()
    write(folder / "val" / "0000.parquet", parts["validation"])
    with pytest.raises(LittleHumanError, match=r"folders val/, validation/ all hold the valid split"):
        load_custom(folder)


def test_a_hub_clone_points_at_its_data_folder(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    (clone / "data").mkdir(parents=True)
    (clone / "README.md").write_text("a dataset card\n")
    write(clone / "data" / "train.csv", fv_rows(split=False)[:12])
    write(clone / "data" / "test.csv", fv_rows(split=False)[12:])
    with pytest.raises(LittleHumanError) as err:
        load_custom(clone)
    assert f"the data may be in {clone / 'data'}" in str(err.value) and "\n" not in str(err.value)
    assert load_custom(clone / "data")[1].n_rows_read == 20


# --- a user-tester's files: class ids, one label, copied test rows, encodings, NUL -------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_three_class_nli_ids_are_refused_with_the_mapping_to_apply(tmp_path: Path, suffix: str) -> None:
    """Labels 0/1/2 (SNLI's ids kept as numbers) had read 0 as "not supported" and 1 as
    "supported", the 2s dropped by --skip-bad-rows (or named as bad labels without it)."""
    rows = fv_rows(split=False)
    for i, row in enumerate(rows):
        row["label"] = i % 3
    rows[1]["label"] = -1  # SNLI's "no gold label" among them
    path = write(tmp_path / f"snli{suffix}", rows)
    first = "line 4" if suffix == ".csv" else "line 3"  # the third row, after a CSV's header
    for skip in (False, True):
        with pytest.raises(LittleHumanError) as err:
            load_custom(path, skip_bad_rows=skip)
        msg = str(err.value)
        assert "\n" not in msg and msg.startswith(f"snli{suffix}: column 'label' holds 0, 1 and 2 "
                                                  f"(6 row(s) of 2, the first on {first})")
        assert "3-class NLI ids (SNLI/MultiNLI: 0 entailment, 1 neutral, 2 contradiction)" in msg
        assert "map({0: 1, 1: 0, 2: 0})" in msg and "bad label" not in msg
    # a split file's ids are named by their file, under the user's column name
    folder = split_folder(tmp_path / "nli", [{("gold" if k == "label" else k): v for k, v in r.items()}
                                             for r in fv_rows()])
    with pytest.raises(LittleHumanError, match=r"column 'gold' \(label\) holds 0, 1 and 2 \(1 row"
                                               r"\(s\) of 2, the first on test.csv line 3\)"):
        test = pd.read_csv(folder / "test.csv")
        test.loc[1, "gold"] = 2
        test.to_csv(folder / "test.csv", index=False)
        load_custom(folder, columns={"gold": "label"})
    # other numbers are bad labels, as before: 0-3 is no NLI id set, nor is a 2 without a 1
    for labels in ([0, 1, 2, 3], [0, 2]):
        rows = fv_rows(split=False)
        for i, row in enumerate(rows):
            row["label"] = labels[i % len(labels)]
        with pytest.raises(LittleHumanError, match="bad label '?2'?"):
            load_custom(write(tmp_path / f"other{len(labels)}{suffix}", rows))


def test_train_rows_of_one_label_are_refused(tmp_path: Path) -> None:
    """Train rows all of one label had run the whole pipeline (1.000 everywhere, advice to make
    the learner learn first)."""
    rows = fv_rows()
    for row in rows:
        row["label"] = 1
    with pytest.raises(LittleHumanError) as err:
        load_custom(write(tmp_path / "yes.csv", rows))
    assert str(err.value) == (
        "yes.csv: every train row has label 1 (supported): a learner has nothing to learn from "
        "them: the train rows need both labels: add train rows of label 0 (not supported: "
        "refuted or not enough info), or check that the label column reads as you meant (0/1, "
        "true/false or FEVER/NLI words)")
    # split files; the rows of the other label all bad and dropped
    rows = fv_rows()
    for row in rows:
        if row["split"] == "train" and row["label"] == 1:
            row["claim"] = None
    folder = split_folder(tmp_path / "no", rows)
    with pytest.raises(LittleHumanError, match=r"no/: every train row \(after dropping 6 bad "
                                               r"row\(s\)\) has label 0 \(not supported"):
        load_custom(folder, skip_bad_rows=True)
    # test rows of one label load, said in the load line; QA has no label
    rows = fv_rows()
    for row in rows:
        if row["split"] == "test":
            row["label"] = 0
    _, report = load_custom(write(tmp_path / "test_no.csv", rows))
    assert report.test_label == 0
    assert "; every test row has label 0 (not supported): always saying it scores 1.000" \
        in report.describe()
    _, report = load_custom(write(tmp_path / "qa.csv", qa_rows()))
    assert report.test_label is None and "every test row" not in report.describe()


def copied_folder(root: Path, suffix: str = ".csv") -> Path:
    """Split files whose test file repeats two train rows (other ids, same text)."""
    rows = fv_rows()
    train = [r for r in rows if r["split"] == "train"]
    rows += [{**train[i], "id": f"copy-{i}", "split": "test"} for i in (0, 5)]
    return split_folder(root, rows, suffixes={"test": suffix})


def test_test_rows_copying_train_rows_are_refused_or_dropped(tmp_path: Path) -> None:
    """A user's test split repeating train rows under other ids had passed unflagged."""
    folder = copied_folder(tmp_path / "copied")
    with pytest.raises(LittleHumanError) as err:
        load_custom(folder)
    assert str(err.value) == (
        f"{folder}/: 2 test row(s) of 6 repeat a train row (the same context and claim), e.g. "
        "test.csv line 6 (id 'copy-0') is train.csv line 2 (id 'r0-0'): a learner tested on "
        "rows it trained on scores too high: remove them from the test file (or from the train "
        "file), or use --skip-bad-rows to drop them from the test split")
    df, report = load_custom(folder, skip_bad_rows=True)
    assert report.test_copies == 2 and report.split_counts["test"] == 4 and len(df) == 20
    assert not df["row_id"].str.contains("copy").any()
    assert "; 2 test row(s) dropped that repeat a train row's context and claim " \
           "(--skip-bad-rows)" in report.describe()
    explicit = f"train={folder / 'train.csv'},test={folder / 'test.csv'}"
    with pytest.raises(LittleHumanError, match="2 test row.s. of 6 repeat a train row"):
        load_custom(explicit)
    # the same context with another claim is no copy; neither is a train row repeated in train
    rows = fv_rows()
    rows.append({**rows[0], "id": "other", "claim": "Another claim.", "split": "test"})
    rows.append({**rows[0], "id": "again", "split": "train"})
    _, report = load_custom(split_folder(tmp_path / "fine", rows))
    assert report.test_copies == 0
    # one file with a split column is the user's split too
    rows = fv_rows()
    rows.append({**rows[3], "id": "copy", "split": "test"})
    with pytest.raises(LittleHumanError, match=r"one.csv: 1 test row.s. of 5 repeat a train row "
                                               r".*line 22 \(id 'copy'\) is line 5 \(id 'r1-1'\)"
                                               r".*drop those rows or give them another split"):
        load_custom(write(tmp_path / "one.csv", rows))
    # QA: the same context and question
    rows = qa_rows()
    rows.append({**rows[0], "id": 99, "split": "test"})
    with pytest.raises(LittleHumanError, match="the same context and question"):
        load_custom(split_folder(tmp_path / "qa", rows))
    # a test split that is all copies leaves nothing to test on, skipping or not
    rows = [r for r in fv_rows() if r["split"] == "train"]
    rows += [{**r, "id": f"c{i}", "split": "test"} for i, r in enumerate(rows[:3])]
    with pytest.raises(LittleHumanError, match=r"all 3 test rows repeat a train row"):
        load_custom(split_folder(tmp_path / "all", rows), skip_bad_rows=True)


def test_not_utf8_names_the_byte_its_offset_and_line(tmp_path: Path) -> None:
    """The line had said "not UTF-8 text (invalid continuation byte)", not where."""
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("context,claim,label\nCtx one.,C1.,1\nCaf\u00e9 two.,C2.,0\n".encode("latin-1"))
    with pytest.raises(LittleHumanError) as err:
        load_custom(latin)
    assert str(err.value) == (
        f"{latin}: not UTF-8 text: byte 0xe9 at offset 38 (line 3): invalid continuation byte: "
        "re-save it as UTF-8 (in Excel: Save As 'CSV UTF-8')")
    # past the reader's first buffer, and a JSON Lines file
    lines = "".join(json.dumps({"context": f"Ctx \u00e9 {i}.", "claim": "C.", "label": i % 2}) + "\n"
                    for i in range(20000))
    late = tmp_path / "late.jsonl"
    late.write_bytes(lines.encode("utf-8") + b'{"context": "\xe9"}\n')
    with pytest.raises(LittleHumanError, match=rf"byte 0xe9 at offset {len(lines.encode()) + 13} "
                                               r"\(line 20001\): invalid continuation byte: "
                                               r"re-save it as UTF-8$"):
        load_custom(late)
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("context,claim,label\nCtx one.,C1.,1\n".encode("utf-16"))
    with pytest.raises(LittleHumanError, match="offset 0 .line 1.: invalid start byte; it starts "
                                               "with a UTF-16 byte order mark: re-save it as UTF-8"):
        load_custom(utf16)


def test_a_nul_byte_in_a_text_is_a_bad_row(tmp_path: Path) -> None:
    """NUL bytes had been kept in the texts (and cut them in C-string consumers)."""
    rows = fv_rows()
    rows[4]["context"] = "The lantern\x00 of town 2."
    path = write(tmp_path / "nul.csv", rows)
    with pytest.raises(LittleHumanError, match=r"1 bad row\(s\) of 20: line 6: column 'context': "
                                               r"a NUL byte \(\\x00\) at character 12: remove it"):
        load_custom(path)
    df, report = load_custom(path, skip_bad_rows=True)
    assert report.n_bad_rows == 1 and len(df) == 19 and not df["context"].str.contains("\x00").any()
