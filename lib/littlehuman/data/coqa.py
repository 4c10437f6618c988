"""CoQA (Reddy et al., 2019) from the original ``coqa-{train,dev}-v1.0.json`` release files.

As in the paper, only the FIRST turn of each story is used: its question and its answer's
``input_text`` (free-form answer); context = the story, context_id = the story id, meta = the
story's source domain. The authors had no valid split (train -> train, dev -> test); we hold out
20% of the training stories as valid for model selection, so train here is 80% of theirs.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from littlehuman.data import schema, sources
from littlehuman.data.release import require_files
from littlehuman.errors import LittleHumanError

NAME = "coqa"
TASK = "qa"
FILES: dict[str, str] = {"coqa-train-v1.0.json": "train", "coqa-dev-v1.0.json": "test"}
REMOTE = sources.REMOTE[NAME]


def source_files(raw_dir: Path) -> list[Path]:
    """The two release files; a LittleHumanError names any that is missing."""
    urls = {r.dest: r.url for r in REMOTE}
    missing_urls = " and ".join(urls[f] for f in FILES if not (Path(raw_dir) / f).is_file())
    return require_files(raw_dir, FILES, NAME, "run `python run_all.py --fetch coqa`, or "
                         f"download {missing_urls} into {{raw_dir}}/")


def _first_turn(story: dict) -> tuple[str, str]:
    """(question, answer input_text) of the story's first turn; "" when absent."""
    if not story.get("questions"):
        return "", ""
    question = min(story["questions"], key=lambda q: q.get("turn_id", float("inf")))
    turn = question.get("turn_id")
    answers = story.get("answers") or []
    answer = next((a for a in answers if a.get("turn_id") == turn), answers[0] if answers else {})
    return question.get("input_text", ""), answer.get("input_text", "")


def _read(path: Path, split: str) -> list[dict[str, str]]:
    try:
        rows = []
        for story in json.loads(path.read_text(encoding="utf-8"))["data"]:
            question, answer = _first_turn(story)
            rows.append({"row_id": f"coqa:{story['id']}", "split": split,
                         "context_id": str(story["id"]), "context": story["story"],
                         "question": question, "answer": answer, "meta": story.get("source", "")})
    except (ValueError, RecursionError, KeyError, TypeError, AttributeError) as e:
        raise LittleHumanError(
            f"coqa: {path} is not in the CoQA v1.0 format ({type(e).__name__}: {e}): "
            "replace it with the official file"
        ) from e
    return rows


def load_raw(raw_dir: Path, seed: int = 42) -> pd.DataFrame:
    """First-turn CoQA rows (train/valid from the train file, test from dev), unified QA schema."""
    files = source_files(raw_dir)
    rows = [r for path in files for r in _read(path, FILES[path.name])]
    df = pd.DataFrame(rows, columns=["row_id", "split", "context_id", "context", "question",
                                     "answer", "meta"])
    train = (df["split"] == "train").to_numpy()
    df.loc[train, "split"] = schema.assign_train_valid(
        df.loc[train, "context_id"], schema.stable_seed(NAME, seed))
    return schema.finalize(df, NAME, TASK, sources={"train": files[0], "test": files[1]})
