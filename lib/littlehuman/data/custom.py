"""The user's own dataset: a CSV, JSON Lines or parquet file turned into unified rows.

Columns (after the optional ``columns`` mapping; names match case-insensitively):
FV needs ``context, claim, label``; QA needs ``context, question, answer``. Optional:
``split`` (train/valid/test and common aliases), ``id``, ``meta``, ``context_id``.
Other columns are ignored. Every bad row is named by its position as the user sees it:
``line N`` for CSV (the header is line 1) and JSON Lines, ``row N`` (1-based) for parquet.
Blank lines (and CSV records whose fields are all blank) are not rows.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from littlehuman.data import schema
from littlehuman.errors import LittleHumanError

FORMATS: dict[str, str] = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}
REQUIRED: dict[str, tuple[str, ...]] = {
    "fv": ("context", "claim", "label"),
    "qa": ("context", "question", "answer"),
}
OPTIONAL: tuple[str, ...] = ("split", "id", "meta", "context_id")
KNOWN: tuple[str, ...] = ("context", "claim", "label", "question", "answer") + OPTIONAL
SPLIT_ALIASES: dict[str, str] = {
    "train": "train", "trn": "train",
    "valid": "valid", "validation": "valid", "val": "valid", "dev": "valid",
    "test": "test", "tst": "test",
}
SHOWN_PROBLEMS = 3

# (position, values keyed by the user's column names or None, why the record is unreadable)
_Record = tuple[int, "dict[str, object] | None", "str | None"]


@dataclass
class CustomReport:
    """What :func:`load_custom` read, dropped and decided."""

    name: str
    task: str
    path: str
    n_rows_read: int
    n_bad_rows: int
    problems: list[str] = field(default_factory=list)
    split_note: str = ""
    split_counts: dict[str, int] = field(default_factory=dict)


def is_custom_path(value: str) -> bool:
    """True when ``value`` names a data file (by extension, or because the file exists)."""
    text = str(value).strip()
    if text.lower().endswith(tuple(FORMATS)):
        return True
    try:
        return Path(text).expanduser().is_file()
    except (OSError, ValueError):
        return False


def load_custom(
    path: str | Path,
    task: str | None = None,
    columns: dict[str, str] | None = None,
    skip_bad_rows: bool = False,
    seed: int = 42,
    name: str | None = None,
) -> tuple[pd.DataFrame, CustomReport]:
    """Read, validate and split the user's file into a unified FV or QA frame.

    ``columns`` maps the file's column names to ours (``{"evidence": "context"}``). Bad rows
    raise a one-line LittleHumanError naming them, or are dropped (and counted in the report)
    with ``skip_bad_rows``. Without a split column the rows get a seeded 80/10/10 split grouped
    by context; with one but no valid rows, 20% of the train contexts become valid.
    """
    path = Path(path).expanduser()
    fmt = _check_file(path)
    unit = "row" if fmt == "parquet" else "line"
    header, records = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}[fmt](path)
    if not records:
        raise LittleHumanError(f"{path}: the file has no data rows: add some")
    rename = _rename(header, columns or {}, path)
    task = _task(set(rename.values()), task, header, path)
    name = _slug(name if name else path.stem)

    rows, problems = _validate(records, rename, task, name, unit)
    if problems and not skip_bad_rows:
        more = "; ..." if len(problems) > SHOWN_PROBLEMS else ""
        raise LittleHumanError(
            f"{path.name}: {len(problems)} bad row(s) of {len(records)}: "
            f"{'; '.join(problems[:SHOWN_PROBLEMS])}{more}; use --skip-bad-rows to drop them"
        )
    if not rows:
        raise LittleHumanError(f"{path.name}: all {len(records)} rows are bad: {problems[0]}")

    df = pd.DataFrame(rows)
    note = _split(df, "split" in rename.values(), seed, path)
    df = schema.finalize(df, name, task)
    counts = {s: int((df["split"] == s).sum()) for s in schema.SPLITS}
    report = CustomReport(name, task, str(path), len(records), len(problems), problems, note, counts)
    return df, report


# --- reading ---------------------------------------------------------------------------


def _check_file(path: Path) -> str:
    if not path.exists():
        raise LittleHumanError(f"no such file: {path}: check the path")
    if not path.is_file():
        raise LittleHumanError(f"{path} is not a file: give a .csv, .jsonl/.json or .parquet file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LittleHumanError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}: use .csv, .jsonl/.json or .parquet"
        )
    if path.stat().st_size == 0:
        raise LittleHumanError(f"{path}: the file is empty")
    return fmt


def _open_text(path: Path, newline: str | None = None):
    return path.open(encoding="utf-8-sig", newline=newline)


def _read_csv(path: Path) -> tuple[list[str], list[_Record]]:
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # long contexts
    header: list[str] | None = None
    records: list[_Record] = []
    try:
        with _open_text(path, newline="") as f:
            reader = csv.reader(f, strict=True)
            start = 1
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not any(x.strip() for x in fields):
                    continue
                if header is None:
                    header = [x.strip() for x in fields]
                elif len(fields) != len(header):
                    records.append((line, None, f"{len(fields)} fields where the header has "
                                                f"{len(header)} (check the quoting)"))
                else:
                    records.append((line, dict(zip(header, fields)), None))
    except csv.Error as e:
        raise LittleHumanError(f"{path}: unreadable CSV near line {start}: {e}: fix the quoting") from e
    except UnicodeDecodeError as e:
        raise LittleHumanError(f"{path}: not UTF-8 text ({e.reason}): save it as UTF-8") from e
    if header is None:
        raise LittleHumanError(f"{path}: the file is empty")
    return header, records


def _read_jsonl(path: Path) -> tuple[list[str], list[_Record]]:
    header: dict[str, None] = {}
    records: list[_Record] = []
    try:
        with _open_text(path) as f:
            for line_no, line in enumerate(f, 1):
                text = line.strip()
                if not text:
                    continue
                if not records and text.startswith("["):
                    raise LittleHumanError(
                        f"{path}: this is one JSON array, not JSON Lines: write one object per "
                        "line (pandas: df.to_json(path, orient='records', lines=True))"
                    )
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as e:
                    records.append((line_no, None, f"malformed JSON ({e.msg} at char {e.colno})"))
                    continue
                if not isinstance(obj, dict):
                    records.append((line_no, None, f"a JSON {type(obj).__name__}, not an object"))
                    continue
                header.update(dict.fromkeys(obj))
                records.append((line_no, obj, None))
    except UnicodeDecodeError as e:
        raise LittleHumanError(f"{path}: not UTF-8 text ({e.reason}): save it as UTF-8") from e
    if not records:
        raise LittleHumanError(f"{path}: the file is empty")
    return list(header), records


def _read_parquet(path: Path) -> tuple[list[str], list[_Record]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as e:
        raise LittleHumanError(f"{path}: not a readable parquet file ({e})") from e
    return table.column_names, [(i, row, None) for i, row in enumerate(table.to_pylist(), 1)]


# --- columns and task ------------------------------------------------------------------


def _rename(header: list[str], mapping: dict[str, str], path: Path) -> dict[str, str]:
    """The file's columns that we use -> our column names."""
    found = ", ".join(repr(c) for c in header)
    for theirs, ours in mapping.items():
        if theirs not in header:
            raise LittleHumanError(f"{path.name}: no column {theirs!r} to map to {ours!r}; columns found: {found}")
        if ours not in KNOWN:
            raise LittleHumanError(f"cannot map {theirs!r} to {ours!r}: map to one of {', '.join(KNOWN)}")
    rename: dict[str, str] = {}
    for col in header:
        ours = mapping.get(col, col.strip().lower())
        if ours not in KNOWN:
            continue
        if ours in rename.values():
            first = next(c for c, o in rename.items() if o == ours)
            raise LittleHumanError(
                f"{path.name}: columns {first!r} and {col!r} both give {ours!r}: rename or map one of them"
            )
        rename[col] = ours
    return rename


def _task(have: set[str], task: str | None, header: list[str], path: Path) -> str:
    fv, qa = have & {"claim", "label"}, have & {"question", "answer"}
    needs = "FV needs columns context, claim, label; QA needs context, question, answer"
    found = ", ".join(repr(c) for c in header)
    if task is not None:
        task = str(task).strip().lower()
        if task not in REQUIRED:
            raise LittleHumanError(f"unknown task {task!r}: use 'fv' or 'qa'")
    elif len(fv) == 2 and len(qa) == 2:
        raise LittleHumanError(f"{path.name} has both FV and QA columns: say which task ('fv' or 'qa')")
    elif len(fv) == 2 or (fv and not qa):
        task = "fv"
    elif len(qa) == 2 or (qa and not fv):
        task = "qa"
    else:
        raise LittleHumanError(f"{path.name}: cannot tell the task: {needs}; columns found: {found}")
    missing = [c for c in REQUIRED[task] if c not in have]
    if missing:
        raise LittleHumanError(
            f"{path.name}: missing required column(s) {', '.join(map(repr, missing))} for "
            f"{task.upper()}; columns found: {found}; rename yours or map them (e.g. evidence=context)"
        )
    return task


def _slug(text: str) -> str:
    """A folder-safe name; a file named like a registered dataset gets a ``custom_`` prefix."""
    from littlehuman.data.registry import DATASETS

    slug = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "custom"
    return f"custom_{slug}" if slug in DATASETS else slug


# --- rows ------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, (float, np.floating)) and bool(np.isnan(value))


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: object) -> tuple[str, str | None]:
    """(cleaned text, problem or None) of a cell that must hold non-empty text."""
    if _missing(value):
        return "", "missing value"
    if isinstance(value, (dict, list)):
        return "", f"expected text, got a JSON {type(value).__name__}"
    text = schema.clean_text(value)
    return text, None if text else "empty value"


def _label(value: object) -> int | None:
    label = schema.label_from_word(value.item() if isinstance(value, np.generic) else value)
    if label is None and isinstance(value, str):
        try:  # "1.0" / "0.0" from spreadsheets
            number = float(value)
        except ValueError:
            return None
        label = int(number) if number in (0.0, 1.0) else None
    return label


def _meta(value: object) -> str:
    if _missing(value):
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _validate(
    records: list[_Record], rename: dict[str, str], task: str, name: str, unit: str
) -> tuple[list[dict[str, object]], list[str]]:
    """Unified rows of the good records and one problem line per bad record."""
    have = set(rename.values())
    rows: list[dict[str, object]] = []
    problems: list[str] = []
    first_seen: dict[str, int] = {}
    for pos, raw, why in records:
        if raw is None:
            problems.append(f"{unit} {pos}: {why}")
            continue
        cell = {ours: raw.get(theirs) for theirs, ours in rename.items()}
        row: dict[str, object] = {}
        issues: list[str] = []
        for col in REQUIRED[task]:
            if col == "label":
                continue
            row[col], issue = _text(cell[col])
            if issue:
                issues.append(f"column {col!r}: {issue}")
        if task == "fv":
            if _missing(cell["label"]) or not str(cell["label"]).strip():
                issues.append("column 'label': missing value")
            else:
                row["label"] = _label(cell["label"])
                if row["label"] is None:
                    issues.append(f"column 'label': bad label {_show(cell['label'])} "
                                  "(not 0/1, true/false or a FEVER/NLI label word)")
        if "split" in have:
            word, issue = _text(cell["split"])
            row["split"] = SPLIT_ALIASES.get(word.lower())
            if issue:
                issues.append(f"column 'split': {issue}")
            elif row["split"] is None:
                issues.append(f"column 'split': unknown split {_show(cell['split'])} (use train/valid/test)")
        if "id" in have:
            ident, issue = _text(cell["id"])
            if issue:
                issues.append(f"column 'id': {issue}")
            elif ident in first_seen:
                issues.append(f"column 'id': duplicate id {_show(ident)} (first on {unit} {first_seen[ident]})")
            else:
                first_seen[ident] = pos
            row["row_id"] = f"{name}:{ident}"
        else:
            row["row_id"] = f"{name}:{pos}"
        if issues:
            problems.append(f"{unit} {pos}: " + ", ".join(issues))
            continue
        context_id = schema.clean_text(cell.get("context_id"))
        row["context_id"] = context_id or schema.short_hash(str(row["context"]))
        row["meta"] = _meta(cell.get("meta"))
        rows.append(row)
    return rows, problems


# --- splits ----------------------------------------------------------------------------


def _split(df: pd.DataFrame, has_split: bool, seed: int, path: Path) -> str:
    """Fill or complete ``df["split"]`` in place; return what was done, for the report."""
    if not has_split:
        df["split"] = schema.assign_three_way(df["context_id"], seed)
        note = f"no split column: seeded 80/10/10 train/valid/test split by context (seed {seed})"
        if not (df["split"] == "test").any():
            raise LittleHumanError(
                f"{path.name}: {df['context_id'].nunique()} context(s) are too few for an 80/10/10 "
                "split: add a split column (train/valid/test) or more contexts"
            )
        return note
    if not (df["split"] == "test").any():
        raise LittleHumanError(
            f"{path.name}: no test rows: give some rows split=test, or drop the split column "
            "for a seeded 80/10/10 split"
        )
    if (df["split"] == "valid").any():
        return "splits from the file's split column"
    train = (df["split"] == "train").to_numpy()
    df.loc[train, "split"] = schema.assign_train_valid(df.loc[train, "context_id"], seed)
    return f"no valid rows in the split column: 20% of the train contexts became valid (seed {seed})"
