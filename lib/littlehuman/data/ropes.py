"""ROPES (Lin et al., 2019) from the official ``ropes-train-dev-v1.0`` release files.

Context = background + "\\n" + situation; answer = the first non-empty answer text (questions
with none are dropped). ``train-v1.0.json`` is split 80/20 into train/valid, grouped by
paragraph so that no paragraph is in both; ``dev-v1.0.json`` is the test split (the official
test answers are hidden). The authors split by question, so their valid shared paragraphs
with train.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from littlehuman.data import schema, sources
from littlehuman.data.release import require_files
from littlehuman.errors import LittleHumanError

NAME = "ropes"
TASK = "qa"
URL = "https://ropes-dataset.s3-us-west-2.amazonaws.com/train_and_dev/ropes-train-dev-v1.0.tar.gz"
FILES: dict[str, str] = {"train-v1.0.json": "train", "dev-v1.0.json": "test"}
REMOTE = sources.REMOTE[NAME]


def source_files(raw_dir: Path) -> list[Path]:
    """The two release files; a LittleHumanError names any that is missing."""
    return require_files(raw_dir, FILES, NAME, "run `python run_all.py --fetch ropes`, or "
                         f"download {URL}, unpack it and put {{missing}} in {{raw_dir}}/")


def _read(path: Path, split: str) -> list[dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = []
        for article in data["data"]:
            for para in article["paragraphs"]:
                context = f"{para['background']}\n{para['situation']}"
                context_id = f"ropes:{schema.short_hash(context)}"
                for qa in para["qas"]:
                    answer = next((a["text"] for a in qa["answers"] if str(a["text"]).strip()), "")
                    if answer:
                        rows.append({"row_id": f"ropes:{qa['id']}", "split": split,
                                     "context_id": context_id, "context": context,
                                     "question": qa["question"], "answer": answer})
    except (ValueError, RecursionError, KeyError, TypeError) as e:
        raise LittleHumanError(
            f"ropes: {path} is not in the ROPES v1.0 format ({type(e).__name__}: {e}): "
            "replace it with the official file"
        ) from e
    return rows


def load_raw(raw_dir: Path, seed: int = 42) -> pd.DataFrame:
    """All ROPES rows (train/valid from the train file, test from dev) in the unified QA schema."""
    files = source_files(raw_dir)
    rows = [r for path in files for r in _read(path, FILES[path.name])]
    df = pd.DataFrame(rows, columns=["row_id", "split", "context_id", "context", "question", "answer"])
    train = (df["split"] == "train").to_numpy()
    df.loc[train, "split"] = schema.assign_train_valid(
        df.loc[train, "context_id"], schema.stable_seed(NAME, seed))
    return schema.finalize(df, NAME, TASK, sources={"train": files[0], "test": files[1]})
