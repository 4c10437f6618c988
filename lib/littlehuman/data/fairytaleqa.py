"""FairytaleQA (Xu et al., 2022) from the original ``split_for_training`` CSV release.

Each ``<split>/<story>-questions.csv`` row becomes one QA row: context = the text of its
``cor_section`` sections (``"3"``, ``"3, 4"``, ``"22,23,24"``...) joined with a space in the
listed order (a section number that appears on several story rows contributes all of them, in
file order), question, answer = ``answer1``, meta = ``attribute1``. train/val/test ->
train/valid/test. This rebuilds what HF ``GEM/FairytaleQA`` (the authors' source) flattens.
"""
from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pandas as pd

from littlehuman.data import schema, sources
from littlehuman.errors import LittleHumanError

NAME = "fairytaleqa"
TASK = "qa"
ROOT = "FairytaleQA_Dataset/split_for_training"
SPLITS: dict[str, str] = {"train": "train", "val": "valid", "test": "test"}
QUESTIONS, STORY = "-questions.csv", "-story.csv"
REPO = "github.com/uclanlp/FairytaleQA_Dataset"
REMOTE = sources.REMOTE[NAME]


def source_files(raw_dir: Path) -> list[Path]:
    """Every story and questions CSV; a LittleHumanError names what is missing."""
    root = Path(raw_dir) / ROOT
    files, missing = [], []
    for folder in SPLITS:
        questions = sorted((root / folder).glob(f"*{QUESTIONS}"))
        if not questions:
            missing.append(f"{ROOT}/{folder}/*{QUESTIONS}")
        for q in questions:
            story = q.with_name(q.name[: -len(QUESTIONS)] + STORY)
            if not story.is_file():
                missing.append(f"{ROOT}/{folder}/{story.name}")
            files += [story, q]
    if missing:
        raise LittleHumanError(
            f"fairytaleqa: missing {', '.join(missing)}: get the {ROOT}/ folder of {REPO} "
            f"(or run `python run_all.py --fetch fairytaleqa`) and put it in {raw_dir}/ so that "
            f"{root}/train/ holds the <story>{STORY} and <story>{QUESTIONS} files"
        )
    return files


def _csv(path: Path, columns: list[str]) -> list[dict[str, str]]:
    """The rows of one release CSV; a file that is not UTF-8 CSV, or a row with more or fewer
    fields than the header, is a LittleHumanError naming the file (and the line)."""
    fix = "replace it with the official file"
    rows = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f, strict=True)
            for row in reader:
                if None in row or None in row.values():
                    raise LittleHumanError(
                        f"fairytaleqa: {path} line {reader.line_num} has "
                        f"{'more' if None in row else 'fewer'} fields than its header: {fix}")
                rows.append(row)
    except (UnicodeDecodeError, csv.Error) as e:
        raise LittleHumanError(f"fairytaleqa: {path} is not a UTF-8 CSV file "
                               f"({type(e).__name__}: {e}): {fix}") from e
    absent = [c for c in columns if rows and c not in rows[0]]
    if absent:
        raise LittleHumanError(f"fairytaleqa: {path} has no column(s) {absent}: {fix}")
    return rows


def _story_rows(questions: Path, split: str) -> tuple[list[dict[str, str]], int]:
    """One row per question of a story, and the number dropped for unknown sections."""
    story = questions.name[: -len(QUESTIONS)]
    sections: dict[str, list[str]] = {}
    for r in _csv(questions.with_name(story + STORY), ["section", "text"]):
        sections.setdefault(r["section"].strip(), []).append(r["text"])
    rows, seen, dropped = [], {}, 0
    for r in _csv(questions, ["question_id", "cor_section", "question", "answer1", "attribute1"]):
        parts = [p.strip() for p in r["cor_section"].split(",") if p.strip()]
        if not parts or any(p not in sections for p in parts):
            dropped += 1
            continue
        qid = r["question_id"].strip()
        seen[qid] = seen.get(qid, 0) + 1
        if seen[qid] > 1:  # a few train files repeat a question_id
            qid = f"{qid}-{seen[qid]}"
        rows.append({
            "row_id": f"{NAME}:{split}:{story}:{qid}",
            "split": split,
            "context_id": f"{NAME}:{story}:{','.join(parts)}",
            "context": " ".join(t for p in parts for t in sections[p]),
            "question": r["question"],
            "answer": r["answer1"],
            "meta": r["attribute1"],
        })
    return rows, dropped


def load_raw(raw_dir: Path, seed: int = 42) -> pd.DataFrame:
    """All FairytaleQA questions in the unified QA schema (``seed`` unused: fixed splits)."""
    rows, dropped = [], 0
    files = source_files(raw_dir)
    for path in files:
        if path.name.endswith(QUESTIONS):
            story_rows, n = _story_rows(path, SPLITS[path.parent.name])
            rows += story_rows
            dropped += n
    notes = []
    if dropped:
        warnings.warn(f"fairytaleqa: dropped {dropped} questions whose cor_section names no "
                      "section of their story", stacklevel=2)
        notes.append(f"{dropped} of {dropped + len(rows)} questions were dropped: their "
                     "cor_section names no section of their story's file (a partial or altered copy?)")
    df = pd.DataFrame(rows, columns=["row_id", "split", "context_id", "context", "question",
                                     "answer", "meta"])
    root = Path(raw_dir) / ROOT
    sources = {split: root / folder for folder, split in SPLITS.items()}
    return schema.finalize(df, NAME, TASK, sources=sources, notes=notes)
