"""The QA loaders (ROPES, CoQA, QAConv, FairytaleQA) against the raw release files.

Expected counts are computed here straight from the raw files, independently of the loaders.
CoQA and the QAConv dialogue text are not in shared/data: they are tested on invented fixtures.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from littlehuman.data import coqa, fairytaleqa, qaconv, ropes, schema
from littlehuman.errors import LittleHumanError

DATA_DIR = Path(os.environ.get("LITTLEHUMAN_DATA_DIR")
                or Path(__file__).resolve().parents[2] / "shared" / "data")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FTQA_ROOT = DATA_DIR / "fairytaleqa" / "FairytaleQA_Dataset" / "split_for_training"
QACONV_QA = DATA_DIR / "qaconv" / "QAConv-V1.1"


def _needs(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"raw data not found: {path}")


def _check_frame(df: pd.DataFrame) -> None:
    assert list(df.columns) == schema.QA_COLUMNS
    for col in ("context", "question", "answer"):
        assert (df[col].str.strip().str.len() > 0).all(), col
    assert df["row_id"].is_unique
    assert set(df["split"]) <= set(schema.SPLITS)
    ids = {s: set(g["row_id"]) for s, g in df.groupby("split")}
    assert not (ids.get("train", set()) & ids.get("valid", set()))
    assert not (ids.get("train", set()) & ids.get("test", set()))


@pytest.fixture(scope="module")
def ropes_df() -> pd.DataFrame:
    _needs(DATA_DIR / "ropes")
    return ropes.load_raw(DATA_DIR / "ropes")


@pytest.fixture(scope="module")
def ftqa_df() -> pd.DataFrame:
    _needs(FTQA_ROOT)
    return fairytaleqa.load_raw(DATA_DIR / "fairytaleqa")


# ---------------------------------------------------------------- ROPES

def _ropes_raw(name: str) -> list[tuple[str, str, str]]:
    """(question id, background, situation) of every question with a non-empty answer."""
    data = json.loads((DATA_DIR / "ropes" / name).read_text())
    return [(q["id"], p["background"], p["situation"])
            for a in data["data"] for p in a["paragraphs"] for q in p["qas"]
            if any(x["text"].strip() for x in q["answers"])]


def test_ropes_counts_and_splits(ropes_df: pd.DataFrame) -> None:
    _check_frame(ropes_df)
    train, dev = _ropes_raw("train-v1.0.json"), _ropes_raw("dev-v1.0.json")
    counts = ropes_df["split"].value_counts()
    assert counts["train"] + counts["valid"] == len(train)
    assert counts["test"] == len(dev)
    assert set(ropes_df.loc[ropes_df["split"] == "test", "row_id"]) == {f"ropes:{i}" for i, _, _ in dev}
    # 80/20 by paragraph, and no paragraph on both sides
    by_ctx = ropes_df[ropes_df["split"] != "test"].groupby("context_id")["split"].nunique()
    assert (by_ctx == 1).all()
    paragraphs = ropes_df[ropes_df["split"] != "test"].drop_duplicates("context_id")
    assert abs((paragraphs["split"] == "valid").mean() - 0.2) < 0.01


def test_ropes_context_is_background_newline_situation(ropes_df: pd.DataFrame) -> None:
    assert ropes_df["context"].str.contains("\n").all()
    raw = {f"ropes:{i}": schema.clean_text(b + "\n" + s) for i, b, s in _ropes_raw("dev-v1.0.json")}
    test = ropes_df[ropes_df["split"] == "test"]
    assert (test["context"] == test["row_id"].map(raw)).all()


def test_ropes_loads_identically_twice(ropes_df: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(ropes_df, ropes.load_raw(DATA_DIR / "ropes"))


def test_ropes_missing_file_named(tmp_path: Path) -> None:
    _needs(DATA_DIR / "ropes")
    shutil.copy(DATA_DIR / "ropes" / "dev-v1.0.json", tmp_path)
    with pytest.raises(LittleHumanError, match="missing train-v1.0.json in"):
        ropes.source_files(tmp_path)


# ---------------------------------------------------------------- FairytaleQA

def test_fairytaleqa_counts_and_splits(ftqa_df: pd.DataFrame) -> None:
    _check_frame(ftqa_df)
    counts = ftqa_df["split"].value_counts()
    for folder, split in [("train", "train"), ("val", "valid"), ("test", "test")]:
        n = sum(len(pd.read_csv(f)) for f in (FTQA_ROOT / folder).glob("*-questions.csv"))
        assert counts[split] == n, split
    assert ftqa_df["meta"].str.len().gt(0).all()


def test_fairytaleqa_multi_section_context(ftqa_df: pd.DataFrame) -> None:
    story = "the-white-cat"
    sections = pd.read_csv(FTQA_ROOT / "train" / f"{story}-story.csv", dtype=str)
    questions = pd.read_csv(FTQA_ROOT / "train" / f"{story}-questions.csv", dtype=str)
    multi = questions[questions["cor_section"].str.contains(",")]
    assert len(multi) > 0
    for _, q in multi.iterrows():
        parts = [p.strip() for p in q["cor_section"].split(",")]
        row = ftqa_df[(ftqa_df["split"] == "train") & (ftqa_df["question"] == schema.clean_text(q["question"]))
                      & (ftqa_df["context_id"] == f"fairytaleqa:{story}:{','.join(parts)}")]
        assert len(row) == 1
        context = row["context"].iloc[0]
        texts = [schema.clean_text(sections.loc[sections["section"] == p, "text"].iloc[0]) for p in parts]
        assert all(t in context for t in texts)
        assert context.index(texts[0]) < context.index(texts[-1])  # in the listed order


def test_carriage_returns_are_line_breaks(ftqa_df: pd.DataFrame) -> None:
    """26 FairyTaleQA stories break paragraphs with two carriage returns: 998 rows kept them
    inside their context (a reviewer); they are line breaks, and blank lines go, as with
    newlines."""
    assert schema.clean_text("a.\r\r  b\r\nc") == schema.clean_text("a.\n\n  b\nc") == "a.\nb\nc"
    assert not ftqa_df["context"].str.contains("\r", regex=False).any()


def test_fairytaleqa_repeated_question_ids_kept(ftqa_df: pd.DataFrame) -> None:
    rows = ftqa_df[ftqa_df["row_id"].str.startswith("fairytaleqa:train:the-raspberry-worm:")]
    raw = pd.read_csv(FTQA_ROOT / "train" / "the-raspberry-worm-questions.csv")
    assert raw["question_id"].duplicated().any()
    assert len(rows) == len(raw)


def test_fairytaleqa_loads_identically_twice(ftqa_df: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(ftqa_df, fairytaleqa.load_raw(DATA_DIR / "fairytaleqa"))


def test_fairytaleqa_missing_story_file_named(tmp_path: Path) -> None:
    _needs(FTQA_ROOT)
    root = tmp_path / "FairytaleQA_Dataset" / "split_for_training"
    for folder in ("train", "val", "test"):
        (root / folder).mkdir(parents=True)
        shutil.copy(FTQA_ROOT / "val" / "black-arts-questions.csv", root / folder)
        if folder != "test":
            shutil.copy(FTQA_ROOT / "val" / "black-arts-story.csv", root / folder)
    with pytest.raises(LittleHumanError, match="test/black-arts-story.csv") as e:
        fairytaleqa.source_files(tmp_path)
    assert "train/black-arts-story.csv" not in str(e.value)


# ---------------------------------------------------------------- QAConv

def test_qaconv_read_qa_files_counts() -> None:
    _needs(QACONV_QA)
    df = qaconv.read_qa_files(DATA_DIR / "qaconv")
    counts = df["split"].value_counts()
    for name, split in [("trn", "train"), ("val", "valid"), ("tst", "test")]:
        raw = json.loads((QACONV_QA / f"{name}.json").read_text())
        assert counts[split] == sum(1 for r in raw if r["answers"]), split
    assert counts["train"] == 27_287 - 1_299  # SOURCES.md
    assert df["row_id"].is_unique
    assert set(df["meta"]) == {"True", "False"}
    assert "context" not in df.columns


def test_qaconv_without_segments_names_the_file(tmp_path: Path) -> None:
    _needs(QACONV_QA)
    (tmp_path / "QAConv-V1.1").mkdir()
    for name in ("trn.json", "val.json", "tst.json"):
        (tmp_path / "QAConv-V1.1" / name).symlink_to(QACONV_QA / name)
    assert len(qaconv.read_qa_files(tmp_path)) > 0
    with pytest.raises(LittleHumanError, match="article_segment.json") as e:
        qaconv.load_raw(tmp_path)
    assert "QAConv-V1.1.zip" in str(e.value) and "trn.json" not in str(e.value)


def test_qaconv_fixture_context() -> None:
    with pytest.warns(UserWarning, match="dropped 1 QA rows"):
        df = qaconv.load_raw(FIXTURES / "qaconv")
    _check_frame(df)
    assert df["split"].value_counts().to_dict() == {"train": 2, "valid": 1, "test": 1}
    row = df.set_index("row_id").loc["qaconv:trn-0"]
    assert row["context"] == ("Ola: The shipment of blue widgets leaves on Friday.|"
                              "Bo: Then I will call the warehouse at noon.|")
    assert row["answer"] == "on Friday" and row["meta"] == "False"
    assert row["context_id"] == "fixture_chat-1"
    assert not df["context"].str.contains("prev_ctx").any()
    assert df.set_index("row_id").loc["qaconv:val-0", "context"].count("|") == 3


def test_qaconv_segments_not_a_mapping_is_one_line_error(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "qaconv" / "QAConv-V1.1", tmp_path / "QAConv-V1.1")
    segments = tmp_path / "QAConv-V1.1" / "article_segment.json"
    segments.write_text(json.dumps([{"seg_dialog": []}]))
    with pytest.raises(LittleHumanError, match="article_segment.json") as e:
        qaconv.load_raw(tmp_path)
    assert str(segments) in str(e.value)


def test_qaconv_segments_covering_no_question_is_one_line_error(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "qaconv" / "QAConv-V1.1", tmp_path / "QAConv-V1.1")
    segments = tmp_path / "QAConv-V1.1" / "article_segment.json"
    segments.write_text(json.dumps({"invented-0": {"seg_dialog": [{"speaker": "A", "text": "b"}]}}))
    with pytest.warns(UserWarning), pytest.raises(LittleHumanError, match="qaconv: no usable train row"):
        qaconv.load_raw(tmp_path)


def test_qaconv_segments_at_dataset_root(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "qaconv" / "QAConv-V1.1", tmp_path / "QAConv-V1.1")
    (tmp_path / "QAConv-V1.1" / "article_segment.json").rename(tmp_path / "article_segment.json")
    assert qaconv.source_files(tmp_path)[-1] == tmp_path / "article_segment.json"
    with pytest.warns(UserWarning):
        df = qaconv.load_raw(tmp_path)
    assert len(df) == 4
    [note] = df.attrs[schema.NOTES]  # the rows dropped reach the user as a note, not a warning alone
    assert note.endswith("QA rows were dropped: their dialogue segment is not in this "
                         "article_segment.json (a partial copy?)")


# ---------------------------------------------------------------- CoQA (fixture)

def test_coqa_fixture_first_turns_only() -> None:
    df = coqa.load_raw(FIXTURES / "coqa")
    _check_frame(df)
    stories = {}
    for name in ("coqa-train-v1.0.json", "coqa-dev-v1.0.json"):
        for s in json.loads((FIXTURES / "coqa" / name).read_text())["data"]:
            stories[s["id"]] = s
    assert len(df) == len(stories) == 5
    for _, row in df.iterrows():
        s = stories[row["context_id"]]
        assert row["question"] == s["questions"][0]["input_text"]
        assert row["answer"] == s["answers"][0]["input_text"]
        assert row["context"] == s["story"]
        assert row["meta"] == s["source"]
    counts = df["split"].value_counts().to_dict()
    assert counts == {"train": 2, "valid": 1, "test": 2}
    assert df.set_index("row_id").loc["coqa:fixture0train0b", "answer"] == "four kilometres"


def test_coqa_deterministic_and_missing_named(tmp_path: Path) -> None:
    pd.testing.assert_frame_equal(coqa.load_raw(FIXTURES / "coqa"), coqa.load_raw(FIXTURES / "coqa"))
    shutil.copy(FIXTURES / "coqa" / "coqa-train-v1.0.json", tmp_path)
    with pytest.raises(LittleHumanError, match="coqa-dev-v1.0.json") as e:
        coqa.load_raw(tmp_path)
    assert "stanford.edu" in str(e.value)


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"data": ' + "7" * 5001 + "}"],
                         ids=["too-deep", "huge-number"])
def test_coqa_and_ropes_files_python_cannot_parse_are_one_line(tmp_path: Path, body: str) -> None:
    """JSON that Python's parser refuses with a RecursionError or a ValueError that is not a
    JSONDecodeError had given a traceback (a reviewer's CoQA file)."""
    for folder, name, load in (("coqa", "coqa-train-v1.0.json", coqa.load_raw),
                               ("ropes", "train-v1.0.json", ropes.load_raw)):
        shutil.copytree(FIXTURES / "coqa", tmp_path / "coqa", dirs_exist_ok=True)
        (tmp_path / "ropes").mkdir(exist_ok=True)
        (tmp_path / "ropes" / "dev-v1.0.json").write_text(body)
        (tmp_path / folder / name).write_text(body)
        with pytest.raises(LittleHumanError) as e:
            load(tmp_path / folder)
        assert name in str(e.value) and "\n" not in str(e.value)


def _coqa_story(i: int, answer: str) -> dict:
    """One story in CoQA v1.0's layout; every word invented here."""
    story = f"Invented tale {i}. Mira flew a blue kite over the hill on a windy day."
    return {"source": "mctest", "id": f"invented{i}", "filename": f"invented{i}.txt",
            "story": story, "name": f"invented{i}.txt",
            "questions": [{"input_text": "What did Mira fly?", "turn_id": 1},
                          {"input_text": "Where?", "turn_id": 2}],
            "answers": [{"span_start": 14, "span_end": 26, "span_text": answer,
                         "input_text": answer, "turn_id": 1},
                        {"span_start": 27, "span_end": 41, "span_text": "over the hill",
                         "input_text": "over the hill", "turn_id": 2}]}


@pytest.mark.parametrize("train,dev,empty", [
    ([], [_coqa_story(100 + i, "a blue kite") for i in range(6)], "train"),
    ([_coqa_story(i, "") for i in range(5)], [_coqa_story(100, "a blue kite")], "train"),
    ([_coqa_story(i, "a blue kite") for i in range(5)], [], "test"),
], ids=["train-data-empty", "train-first-answers-empty", "dev-data-empty"])
def test_coqa_file_leaving_a_split_empty_is_one_line_error_naming_it(
        tmp_path: Path, train: list, dev: list, empty: str) -> None:
    """A file that parses but leaves train (or test) with no usable row: an error up front,
    naming the file, not a run that dies later on an empty training pool."""
    for name, stories in (("coqa-train-v1.0.json", train), ("coqa-dev-v1.0.json", dev)):
        (tmp_path / name).write_text(json.dumps({"version": "1.0", "data": stories}))
    with pytest.raises(LittleHumanError, match=f"coqa: no usable {empty} row") as e:
        coqa.load_raw(tmp_path)
    named = "coqa-train-v1.0.json" if empty == "train" else "coqa-dev-v1.0.json"
    assert str(tmp_path / named) in str(e.value) and "\n" not in str(e.value)


def test_fairytaleqa_split_without_a_usable_question_names_its_folder(tmp_path: Path) -> None:
    questions = _ftqa_invented(tmp_path)
    questions.write_text("question_id,cor_section,attribute1,question,answer1\n"
                         "q1,9,action,What ran?,the fox\n")  # section 9: no such section
    with pytest.warns(UserWarning), pytest.raises(LittleHumanError,
                                                  match="fairytaleqa: no usable test row") as e:
        fairytaleqa.load_raw(tmp_path)
    assert str(questions.parent) in str(e.value)


def test_fairytaleqa_dropped_questions_are_a_note_on_the_rows(tmp_path: Path) -> None:
    questions = _ftqa_invented(tmp_path)
    questions.write_text(questions.read_text() + "q2,9,action,Who hid?,the hare\n")
    with pytest.warns(UserWarning):
        df = fairytaleqa.load_raw(tmp_path)
    assert df.attrs[schema.NOTES] == ["1 of 4 questions were dropped: their cor_section names "
                                      "no section of their story's file (a partial or altered copy?)"]

def _ftqa_invented(root: Path) -> Path:
    """A three-split FairytaleQA layout with one invented story per split; the test questions file."""
    base = root / "FairytaleQA_Dataset" / "split_for_training"
    for folder in ("train", "val", "test"):
        (base / folder).mkdir(parents=True)
        (base / folder / "tale-story.csv").write_text("section,text\n1,An invented fox ran.\n")
        (base / folder / "tale-questions.csv").write_text(
            "question_id,cor_section,attribute1,question,answer1\n"
            "q1,1,action,What ran?,the fox\n")
    return base / "test" / "tale-questions.csv"


def test_fairytaleqa_invented_layout_loads(tmp_path: Path) -> None:
    _ftqa_invented(tmp_path)
    df = fairytaleqa.load_raw(tmp_path)
    assert df["split"].tolist() == ["train", "valid", "test"]
    assert set(df["answer"]) == {"the fox"} and set(df["meta"]) == {"action"}
    assert not df.attrs.get(schema.NOTES)  # nothing dropped: nothing to tell


@pytest.mark.parametrize("tail", [b"q2,1,action,Who?,caf\xe9\n", b"q2,1\n", b'q2,1,action,"Who?\n'],
                         ids=["latin1", "short-row", "unterminated-quote"])
def test_fairytaleqa_malformed_csv_is_one_line_error(tmp_path: Path, tail: bytes) -> None:
    questions = _ftqa_invented(tmp_path)
    questions.write_bytes(questions.read_bytes() + tail)
    with pytest.raises(LittleHumanError) as e:
        fairytaleqa.load_raw(tmp_path)
    assert str(questions) in str(e.value) and "\n" not in str(e.value)
