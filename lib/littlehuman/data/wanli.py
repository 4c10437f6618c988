"""WANLI (Liu et al., 2022) from the original release files.

Full release: ``train.jsonl`` (split 80/20 into train/valid) and ``test.jsonl`` (test).
premise -> context, hypothesis -> claim, gold entailment -> 1 (neutral, contradiction -> 0),
meta = genre, context_id = ``id`` (``pairID`` when there is no id). Rows whose gold is none
of the three labels are dropped. When only the official 100-row ``train_sample.jsonl`` is
present it is loaded with a seeded 80/10/10 split, with a warning and a note on the rows
(``attrs[schema.NOTES]``, which the run prints and the reports show).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from littlehuman.data import schema, sources
from littlehuman.data.release import parse_lines
from littlehuman.errors import LittleHumanError

NAME = "wanli"
TASK = "fv"
FILES: dict[str, str] = {"train.jsonl": "train", "test.jsonl": "test"}
SAMPLE = "train_sample.jsonl"
GOLD: dict[str, int] = {"entailment": 1, "neutral": 0, "contradiction": 0}
REMOTE = sources.REMOTE[NAME]


def source_files(raw_dir: Path) -> list[Path]:
    """train.jsonl + test.jsonl, else the 100-row sample; a LittleHumanError names what is missing."""
    raw_dir = Path(raw_dir)
    missing = [f for f in FILES if not (raw_dir / f).is_file()]
    if not missing:
        return [raw_dir / f for f in FILES]
    if len(missing) == len(FILES) and (raw_dir / SAMPLE).is_file():
        return [raw_dir / SAMPLE]
    no_sample = f" (and no {SAMPLE})" if len(missing) == len(FILES) else ""
    urls = " and ".join(r.url for r in REMOTE if r.dest in missing)
    raise LittleHumanError(
        f"wanli: missing {', '.join(missing)} in {raw_dir}{no_sample}: run `python run_all.py "
        f"--fetch wanli`, or download {urls} (or the authors' Google Drive copy, see "
        f"github.com/alisawuffles/wanli) into {raw_dir}/"
    )


def _read(path: Path) -> pd.DataFrame:
    def parse(r: dict) -> dict:
        key = r["id"] if r.get("id") is not None else r["pairID"]
        return {"row_id": f"wanli:{path.stem}:{key}", "context_id": str(key),
                "context": r["premise"], "claim": r["hypothesis"],
                "label": GOLD.get(str(r["gold"]).strip().lower()), "meta": r.get("genre") or ""}

    rows = [row for _, row in parse_lines(path, parse, "wanli", "a WANLI row",
                                          "replace the file with the official release")
            if row["label"] is not None]
    return pd.DataFrame(rows, columns=["row_id", "context_id", "context", "claim", "label", "meta"])


def from_sample(rows: pd.DataFrame) -> bool:
    """Whether loaded WANLI rows come from the 100-row sample (their ids name its file; the
    warning is given once, when the processed cache is built; the frame's
    ``attrs[schema.NOTES]`` says it on every load)."""
    return bool(rows["row_id"].astype(str).str.startswith(f"wanli:{Path(SAMPLE).stem}:").any())


def load_raw(raw_dir: Path, seed: int = 42) -> pd.DataFrame:
    """All WANLI rows in the unified FV schema."""
    files = source_files(raw_dir)
    notes: list[str] = []
    if files[0].name == SAMPLE:
        warnings.warn(
            f"wanli: only {files[0]} (the official 100-row sample) is present; it is split "
            "80/10/10 at random. Put the full train.jsonl and test.jsonl there for real results",
            UserWarning, stacklevel=2)
        df = _read(files[0])
        df["split"] = schema.assign_three_way(df["context_id"], schema.stable_seed(NAME, seed))
        notes.append(f"only {SAMPLE} is here (the release's {len(df)}-row sample, not the full "
                     "train.jsonl and test.jsonl), split 80/10/10 at random: train, valid and "
                     "test are all sample rows, not WANLI's own test set")
        sources: dict[str, Path | list[Path]] = {"train": files[0], "test": files[0]}
    else:
        train, test = (_read(p) for p in files)
        train["split"] = schema.assign_train_valid(train["context_id"], schema.stable_seed(NAME, seed))
        df = pd.concat([train, test.assign(split="test")], ignore_index=True)
        sources = {"train": files[0], "test": files[1]}
    return schema.finalize(df, NAME, TASK, sources=sources, notes=notes)
