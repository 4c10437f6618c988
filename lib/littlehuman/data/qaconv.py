"""QAConv V1.1 (Wu et al., 2022) from the original release files.

The QA pairs are ``QAConv-V1.1/{trn,val,tst}.json`` (-> train/valid/test); the dialogue text is
``article_segment.json`` from ``dataset/QAConv-V1.1.zip`` of github.com/salesforce/QAConv.
Context = each ``seg_dialog`` turn as ``"speaker: text|"``, concatenated (``prev_ctx`` unused);
answer = the first answer (questions with no answer are dropped); context_id = the segment id;
meta = ``str(QG)`` ("True"/"False": the release's flag for questions from its question
generator rather than written by annotators).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd

from littlehuman.data import schema, sources
from littlehuman.errors import LittleHumanError

NAME = "qaconv"
TASK = "qa"
QA_DIR = "QAConv-V1.1"
QA_FILES: dict[str, str] = {"trn.json": "train", "val.json": "valid", "tst.json": "test"}
SEGMENTS = "article_segment.json"
REMOTE = sources.REMOTE[NAME]
_WHERE = f"it is in dataset/QAConv-V1.1.zip of github.com/salesforce/QAConv ({REMOTE[0].url})"


def segment_file(raw_dir: Path) -> Path | None:
    """``article_segment.json`` at ``<raw_dir>/`` or ``<raw_dir>/QAConv-V1.1/``; None if absent."""
    for path in (Path(raw_dir) / SEGMENTS, Path(raw_dir) / QA_DIR / SEGMENTS):
        if path.is_file():
            return path
    return None


def _missing_error(raw_dir: Path, missing: list[str]) -> LittleHumanError:
    names = ", ".join(Path(m).name for m in missing)
    also = f" ({SEGMENTS} may also be at {Path(raw_dir) / SEGMENTS})" if SEGMENTS in missing else ""
    return LittleHumanError(
        f"qaconv: missing {', '.join(missing)}: {_WHERE}; run `python run_all.py --fetch qaconv`, "
        f"or unzip it and put {names} in {Path(raw_dir) / QA_DIR}/{also}"
    )


def _qa_paths(raw_dir: Path, also_segments: bool = False) -> list[Path]:
    """The QA files (then ``article_segment.json`` if asked); raise naming every missing file."""
    paths = [Path(raw_dir) / QA_DIR / f for f in QA_FILES]
    missing = [f"{QA_DIR}/{p.name}" for p in paths if not p.is_file()]
    segments = segment_file(raw_dir) if also_segments else None
    if also_segments and segments is None:
        missing.append(SEGMENTS)
    if missing:
        raise _missing_error(raw_dir, missing)
    return paths + ([segments] if segments else [])


def source_files(raw_dir: Path) -> list[Path]:
    """The three QA files and ``article_segment.json``; a LittleHumanError names any missing."""
    return _qa_paths(raw_dir, also_segments=True)


def read_qa_files(raw_dir: Path) -> pd.DataFrame:
    """The QA rows without context: row_id, dataset, split, context_id, question, answer, meta.

    Rows whose ``answers`` list is empty (or whose question / first answer is blank) are dropped.
    """
    rows = []
    for path in _qa_paths(raw_dir):
        try:
            for r in json.loads(path.read_text(encoding="utf-8")):
                rows.append({"row_id": f"qaconv:{r['id']}", "dataset": NAME,
                             "split": QA_FILES[path.name],
                             "context_id": str(r["article_segment_id"]),
                             "question": schema.clean_text(r["question"]),
                             "answer": schema.clean_text(r["answers"][0] if r["answers"] else ""),
                             "meta": str(r["QG"])})
        except (ValueError, RecursionError, KeyError, TypeError) as e:
            raise LittleHumanError(
                f"qaconv: {path} is not a QAConv V1.1 QA file ({type(e).__name__}: {e}): "
                "replace it with the official file"
            ) from e
    df = pd.DataFrame(rows, columns=["row_id", "dataset", "split", "context_id", "question",
                                     "answer", "meta"])
    df = df[(df["question"].str.len() > 0) & (df["answer"].str.len() > 0)]
    return df.reset_index(drop=True)


def _contexts(path: Path, wanted: set[str]) -> dict[str, str]:
    try:
        segments = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(segments, dict):
            raise TypeError(f"the file holds a {type(segments).__name__}, not a mapping of "
                            "segment ids to segments")
        return {
            sid: "".join(f"{t['speaker'].strip()}: {t['text'].strip()}|"
                         for t in segments[sid]["seg_dialog"])
            for sid in wanted if sid in segments
        }
    except (ValueError, RecursionError, KeyError, TypeError, AttributeError) as e:
        raise LittleHumanError(
            f"qaconv: {path} is not QAConv's {SEGMENTS} ({type(e).__name__}: {e}): {_WHERE}"
        ) from e


def load_raw(raw_dir: Path, seed: int = 42) -> pd.DataFrame:
    """All QAConv rows with their dialogue context in the unified QA schema.

    ``seed`` is unused (the release has its own splits). Rows whose segment is absent from
    ``article_segment.json`` are dropped with a warning and a note on the rows
    (``attrs[schema.NOTES]``) that count them.
    """
    files = source_files(raw_dir)
    df = read_qa_files(raw_dir)
    contexts = _contexts(files[-1], set(df["context_id"]))
    absent = ~df["context_id"].isin(list(contexts))
    notes = []
    if absent.any():
        warnings.warn(f"qaconv: dropped {int(absent.sum())} QA rows whose segment is not in "
                      f"{files[-1]}", stacklevel=2)
        notes.append(f"{int(absent.sum())} of {len(df)} QA rows were dropped: their dialogue "
                     f"segment is not in this {SEGMENTS} (a partial copy?)")
    df = df[~absent].assign(context=lambda d: d["context_id"].map(contexts))
    sources = {s: [files[i], files[-1]] for i, s in enumerate(QA_FILES.values())}
    return schema.finalize(df, NAME, TASK, sources=sources, notes=notes)
