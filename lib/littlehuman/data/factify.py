"""FACTIFY 1.0 (Mishra et al., 2022), text-only rows, from the original release CSVs.

Reads ``public_folder/train.csv`` and ``public_folder/val.csv`` (columns ``Id``, ``claim``,
``document``, ``Category``). Support_Text -> 1; Insufficient_Text and Refute -> 0; the
``*_Multimodal`` rows are dropped. train is split 80/20 into train/valid grouped by document;
val is test. context_id = a short hash of the document (the authors used ``Id``, one per
row); row_id = ``factify:<file stem>:<Id>``. The release is password-protected, so there is
no download: the user supplies the files.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from littlehuman.data import schema, sources
from littlehuman.errors import LittleHumanError

NAME = "factify"
TASK = "fv"
FOLDER = "public_folder"
FILES: dict[str, str] = {"train.csv": "train", "val.csv": "test"}
COLUMNS = ("Id", "claim", "document", "Category")
CATEGORIES: dict[str, int] = {"Support_Text": 1, "Insufficient_Text": 0, "Refute": 0}
REMOTE = sources.REMOTE[NAME]  # empty: the release is password-protected (sources.MANUAL)


def source_files(raw_dir: Path) -> list[Path]:
    """public_folder/train.csv and val.csv; a LittleHumanError says how to obtain them."""
    folder = Path(raw_dir) / FOLDER
    missing = [str(folder / f) for f in FILES if not (folder / f).is_file()]
    if missing:
        how = sources.MANUAL[NAME][1].format(folder=Path(raw_dir))
        raise LittleHumanError(f"factify: missing {', '.join(missing)}: {how}")
    return [folder / f for f in FILES]


def _read(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise LittleHumanError(f"factify: cannot read {path} as CSV ({e}): replace it with the "
                               "release's file") from e
    absent = [c for c in COLUMNS if c not in df.columns]
    if absent:
        raise LittleHumanError(f"factify: {path} has no column(s) {absent} (it has "
                               f"{list(df.columns)}): replace it with the release's file")
    category = df["Category"].str.strip()
    df = df[~category.str.endswith("_Multimodal")]
    category = category[df.index]
    unknown = sorted(set(category) - set(CATEGORIES))
    if unknown:
        raise LittleHumanError(f"factify: unknown Category {unknown} in {path}: expected "
                               f"{sorted(CATEGORIES)} or *_Multimodal")
    return pd.DataFrame({
        "row_id": [f"factify:{path.stem}:{i}" for i in df["Id"]],
        "context_id": [f"factify:{schema.short_hash(schema.clean_text(d))}" for d in df["document"]],
        "context": df["document"].to_numpy(),
        "claim": df["claim"].to_numpy(),
        "label": category.map(CATEGORIES).to_numpy(),
    })


def load_raw(raw_dir: Path, seed: int = 42) -> pd.DataFrame:
    """All text-only FACTIFY rows (train/valid from train.csv, test from val.csv)."""
    files = source_files(raw_dir)
    train, test = (_read(p) for p in files)
    train["split"] = schema.assign_train_valid(train["context_id"], schema.stable_seed(NAME, seed))
    df = pd.concat([train, test.assign(split="test")], ignore_index=True)
    return schema.finalize(df, NAME, TASK, sources={"train": files[0], "test": files[1]})
