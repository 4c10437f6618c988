"""The user's own dataset: a CSV, JSON Lines or parquet file, or one file per split, turned
into unified rows.

Three ways to give it (``--dataset``):

- one file, ``my_data.csv``: an optional ``split`` column, else a seeded 80/10/10 split;
- a folder, ``my_data/``, holding ``train.*`` and ``test.*`` and optionally ``valid.*`` (the
  Hugging Face ``data_files`` naming: a file's name, without its extension, is its split:
  ``train``/``training``/``trn``, ``valid``/``validation``/``val``/``dev``, ``test``/``testing``/
  ``tst``, any case; shards named ``train-00000-of-00002.parquet`` are read together). Other
  files are ignored and listed in the report;
- ``train=a.csv,test=b.jsonl[,valid=c.parquet]``: each split's file named (a split named
  twice gets both files);
- a Hugging Face dataset saved with ``save_to_disk``: a ``DatasetDict`` folder (its splits
  named as above; others ignored and listed) or one ``Dataset`` folder (read like one file).

Hugging Face class labels are read by name: a ``ClassLabel`` column (in a saved dataset, or in
a parquet file that ``datasets`` wrote, whose schema records its features) gives its class
names, so an NLI label 0 reads as "entailment" (1), not as 0; -1 (no label) is a missing value.

A split file's rows get the split of its name; a ``split`` column inside it must agree (a row
that says otherwise is an error). Without a valid file, 20% of the train contexts become
valid. Formats may differ between files; the columns (and ``--columns``) apply to each.

Columns (after the optional ``columns`` mapping; names match case-insensitively):
FV needs ``context, claim, label``; QA needs ``context, question, answer``. Optional:
``split`` (train/valid/test and common aliases), ``id``, ``meta``, ``context_id``.
Other columns are ignored. Every bad row is named by its position as the user sees it:
``line N`` for CSV (the header is line 1) and JSON Lines, ``row N`` (1-based) for parquet,
after its file's name when there are several files (``test.csv line 4``). Blank lines (and
CSV records whose fields are all blank) are not rows.

Beyond each row's own cells: FV labels that are the numbers 0, 1 and 2 (3-class NLI ids) and
train rows that all have one label stop the load in one line, whatever ``skip_bad_rows`` says;
a test row of the user's own split (split files, or a split column) that repeats a train row's
context and claim (FV) or question (QA) stops it too, or is dropped with ``skip_bad_rows``.

Identity: the run store and the synthetic twins are keyed by the dataset's name (the file's or
folder's), not its content, so :func:`check_identity` (called by the command line before a
run) records a digest of the rows in ``data/processed/<name>/own_dataset.json`` and stops a
run whose rows differ from the ones stored results were made from.
"""
from __future__ import annotations

import decimal
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from littlehuman.data import schema
from littlehuman.data.files import (
    FORMATS,
    HF_DICT,
    HF_SAVED,
    Record,
    is_saved_dataset,
    other_separator,
    read_rows,
    separator_advice,
    sha256,
)
from littlehuman.errors import LittleHumanError
from littlehuman.paths import atomic_write

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
# a split file's name (without extension, any case) -> its split
SPLIT_FILE_NAMES: dict[str, str] = {**SPLIT_ALIASES, "training": "train", "testing": "test"}
_SPLIT_WORDS = "|".join(sorted(SPLIT_FILE_NAMES, key=len, reverse=True))
_EXPLICIT = re.compile(rf"^\s*(?:{_SPLIT_WORDS})\s*=", re.IGNORECASE)
_EXPLICIT_SEP = re.compile(rf",\s*(?=(?:{_SPLIT_WORDS})\s*=)", re.IGNORECASE)
# a split file's stem: train, or a shard train-00000-of-00002 (pushed to the hub by older
# datasets versions with a fingerprint: train-00000-of-00002-5f6c2f0fa2d4b1a7)
_SHARD = re.compile(r"^(?P<word>[a-z]+)(?:-(?P<index>\d{5})-of-(?P<count>\d{5})(?:-[0-9a-f]{16})?)?$")
IDENTITY = "own_dataset.json"



#: a test split smaller than this gets a word in the load line: its intervals are wide
SMALL_TEST_SPLIT = 100


def _unused(headers: list[list[str]], renames: list[dict[str, str]]) -> list[str]:
    """The columns of the files that no field of ours reads (said once, in file order)."""
    return list(dict.fromkeys(c for header, rename in zip(headers, renames)
                              for c in header if c not in rename and str(c).strip()))


@dataclass
class CustomReport:
    """What :func:`load_custom` read, dropped and decided.

    ``files`` lists ``(split, path, records read)`` per file when the dataset is several files
    (empty for one file: ``path`` is that file); ``ignored`` the data files of a folder that
    are named after no split; ``class_names`` our columns that held Hugging Face class ids, read
    by these names; ``first_answers`` the rows whose answer was a list of answers (the first
    was kept); ``test_copies`` the test rows dropped (``--skip-bad-rows``) because they
    repeat a train row's context and claim or question; ``test_label`` the label of every
    test row of an FV dataset where they all have one; ``sources`` the sha256 of every file
    read; ``fingerprint`` a
    digest of the unified rows (:func:`fingerprint`).
    """

    name: str
    task: str
    path: str
    n_rows_read: int
    n_bad_rows: int
    problems: list[str] = field(default_factory=list)
    split_note: str = ""
    split_counts: dict[str, int] = field(default_factory=dict)
    files: list[tuple[str, str, int]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    class_names: dict[str, list[str]] = field(default_factory=dict)
    first_answers: int = 0
    unused: list[str] = field(default_factory=list)
    test_copies: int = 0
    test_label: int | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    fingerprint: str = field(default="", compare=False)

    def describe(self) -> str:
        """One line: what was read from where, the splits, and what was dropped or ignored."""
        where = self.path
        if self.files:
            where += " (" + ", ".join(f"{self._shown(f)} {n}" for _, f, n in self.files) + ")"
        counts = ", ".join(f"{s} {self.split_counts.get(s, 0)}" for s in schema.SPLITS)
        line = (f"[{self.name}] your own {self.task.upper()} dataset: {self.n_rows_read} rows "
                f"read from {where}; {counts}; {self.split_note}")
        if self.n_bad_rows:
            line += (f"; {self.n_bad_rows} bad row(s) dropped (--skip-bad-rows), the first: "
                     f"{self.problems[0]}")
        if self.test_copies:
            target = schema.target_column(self.task)
            line += (f"; {self.test_copies} test row(s) dropped that repeat a train row's context "
                     f"and {target} (--skip-bad-rows)")
        if self.ignored:
            line += f"; ignored (named after no split): {', '.join(self.ignored)}"
        if self.first_answers:
            line += (f"; answer: the first of several answers in {self.first_answers} row(s) "
                     "(a list or SQuAD-style dict)")
        if self.unused:
            line += f"; columns not used: {', '.join(self.unused)}"
        test = self.split_counts.get("test", 0)
        if 0 < test < SMALL_TEST_SPLIT:
            line += (f"; only {test} test rows: every score and interval rests on them (a larger "
                     "test split narrows the intervals)")
        if self.test_label is not None:
            line += (f"; every test row has label {self.test_label} "
                     f"({LABEL_NAMES[self.test_label].split(':')[0]}): always saying it scores "
                     "1.000 (test rows of both labels tell learners apart)")
        for col, names in self.class_names.items():
            line += f"; {col} read by its class names: " + ", ".join(
                f"{i} {n}" + (f" -> {schema.label_from_word(n)}" if col == "label" and
                              schema.label_from_word(n) is not None else "")
                for i, n in enumerate(names))
        return line

    def _shown(self, file: str) -> str:
        """A file as the line shows it: relative to the dataset's folder, else its name."""
        inside = file.startswith(self.path) and self.path.endswith(os.sep)
        return Path(file[len(self.path):]).as_posix() if inside else Path(file).name


def is_custom_path(value: str) -> bool:
    """True when ``value`` names the user's own data: a data file (by extension, or because
    the file exists), an existing folder, or ``train=FILE,test=FILE``. A registered dataset
    name (or 'all') never does, even where a folder of that name exists (write ``./fever``)."""
    from littlehuman.data.registry import find

    text = str(value).strip()
    if not text or text.lower() == "all" or find(text):
        return False
    if _EXPLICIT.match(text) or text.lower().endswith(tuple(FORMATS)):
        return True
    try:
        path = Path(text).expanduser()
        return path.is_file() or path.is_dir()
    except (OSError, ValueError):
        return False


def load_options(dataset: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """The keyword arguments of :func:`load_custom` among ``options`` (``task``, ``columns``,
    ``skip_bad_rows``; unset ones left out) when ``dataset`` is the user's own file; none for
    a registered name."""
    if not is_custom_path(dataset):
        return {}
    return {k: v for k, v in (options or {}).items() if v not in (None, False, {})}


def absolute_spec(value: str | Path) -> str:
    """``value`` (a file, a folder or ``train=...,test=...``) with absolute paths."""
    text = str(value).strip()
    if _EXPLICIT.match(text) and not Path(text).expanduser().exists():
        return ",".join(f"{split}={Path(p).expanduser().resolve()}"
                        for split, p in _explicit_parts(text))
    return str(Path(text).expanduser().resolve())


@dataclass
class _Layout:
    """Where a dataset's rows are: ``files`` [(split or None, path)] in split order."""

    kind: str  # "file" | "folder" | "explicit" (a saved DatasetDict is a "folder")
    files: list[tuple[str | None, Path]]
    display: str
    name: str
    ignored: list[str] = field(default_factory=list)
    root: Path | None = None  # a folder dataset's folder: its files are named relative to it


def layout(value: str | Path) -> _Layout:
    """Resolve ``--dataset`` into its files (see the module docstring); a LittleHumanError
    says what is wrong with a folder or a ``train=...`` list."""
    text = str(value).strip()
    path = Path(text).expanduser()
    if (path / HF_DICT).is_file():
        return _hf_dict_layout(path)
    if is_saved_dataset(path):
        return _Layout("file", [(None, path)], str(path), path.name)
    if path.is_dir():
        return _folder_layout(path)
    if _EXPLICIT.match(text) and not path.exists():
        return _explicit_layout(text)
    return _Layout("file", [(None, path)], str(path), path.stem)


def _explicit_parts(text: str) -> list[tuple[str, str]]:
    parts = []
    for item in _EXPLICIT_SEP.split(text.strip()):
        word, _, file = item.partition("=")
        if re.search(r",\s*[\w-]+\s*=", file):
            bad = re.search(r",\s*([\w-]+)\s*=", file).group(1)  # type: ignore[union-attr]
            raise LittleHumanError(
                f"--dataset {text!r}: unknown split {bad!r}: name each file as train=FILE, "
                "test=FILE and optionally valid=FILE, separated by commas")
        if not file.strip():
            raise LittleHumanError(f"--dataset {text!r}: no file after {word.strip()}=: give "
                                   "train=FILE,test=FILE")
        parts.append((SPLIT_FILE_NAMES[word.strip().lower()], file.strip()))
    return parts


def _explicit_layout(text: str) -> _Layout:
    files = [(split, Path(f).expanduser()) for split, f in _explicit_parts(text)]
    files.sort(key=lambda sf: schema.SPLITS.index(sf[0]))  # type: ignore[arg-type]
    have = {s for s, _ in files}
    missing = [s for s in ("train", "test") if s not in have]
    if missing:
        raise LittleHumanError(
            f"--dataset {text!r}: no {' and no '.join(missing)} file: give train=FILE,test=FILE "
            "(and optionally valid=FILE)")
    train = files[0][1]
    stem = re.sub(rf"(^({_SPLIT_WORDS})[-_. ]+|[-_. ]+({_SPLIT_WORDS})$)", "", train.stem,
                  flags=re.IGNORECASE)
    if stem.lower() in SPLIT_FILE_NAMES or not stem:
        stem = train.resolve().parent.name
    return _Layout("explicit", files, ",".join(f"{s}={f}" for s, f in files), stem)


def _folder_layout(folder: Path) -> _Layout:
    found: dict[str, list[tuple[Path, re.Match]]] = {}
    ignored: list[str] = []
    entries = sorted(folder.iterdir())
    for f in entries:
        if not _is_data_file(f):
            continue
        match = _SHARD.match(f.stem.lower())
        split = SPLIT_FILE_NAMES.get(match.group("word")) if match else None
        if split is None:
            ignored.append(f.name)
        else:
            found.setdefault(split, []).append((f, match))  # type: ignore[arg-type]
    where = f"{folder}{os.sep}"
    if "train" not in found or "test" not in found:
        nested = _split_folders_layout(folder, entries, where)
        if nested is not None:
            return nested
        seen = ", ".join(f.name + ("/" if f.is_dir() else "") for f in entries
                         if not f.name.startswith("."))[:300] or "nothing"
        lacks = " and ".join(f"{s}.*" for s in ("train", "test") if s not in found)
        data = folder / "data"
        hint = f"; the data may be in {data}{os.sep}: give that folder" if data.is_dir() else ""
        raise LittleHumanError(
            f"{where}: no {lacks} file: a folder dataset holds train.csv and test.csv (or "
            f".jsonl/.json/.parquet; valid.* optional), named after their split, or a train/ "
            f"and a test/ folder of such files; found: {seen}{hint}; "
            "or give one file, or --dataset train=FILE,test=FILE")
    files: list[tuple[str | None, Path]] = []
    for split in schema.SPLITS:
        group = found.get(split, [])
        if len(group) > 1 or any(m.group("count") for _, m in group):  # one shard of several too
            _check_shards(split, group, where)
        files += [(split, f) for f, _ in group]
    return _Layout("folder", files, where, folder.resolve().name, ignored, root=folder)


def _is_data_file(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and path.suffix.lower() in FORMATS


def _refuse_doubled_splits(names: dict[str, list[str]], where: str, what: str) -> None:
    """One source per split: ``names`` maps each of our splits to the folders or split names
    that would be read as it."""
    doubled = next((s for s in schema.SPLITS if len(names.get(s, [])) > 1), None)
    if doubled:
        raise LittleHumanError(f"{where}: {what} {', '.join(names[doubled])} all hold the "
                               f"{doubled} split: keep one of them")


def _split_folders_layout(folder: Path, entries: list[Path], where: str) -> _Layout | None:
    """A folder holding one subfolder per split (``train/``, ``test/``, ``validation/``: the
    layout of the hub's parquet conversion), every data file in each read as that split;
    None when there is no train and test subfolder with data files."""
    found: dict[str, list[Path]] = {}
    names: dict[str, list[str]] = {}
    for sub in entries:
        split = SPLIT_FILE_NAMES.get(sub.name.lower()) if sub.is_dir() else None
        files = sorted(f for f in sub.iterdir() if _is_data_file(f)) if split else []
        if files:
            found.setdefault(split, []).extend(files)  # type: ignore[arg-type]
            names.setdefault(split, []).append(sub.name + "/")  # type: ignore[arg-type]
    if "train" not in found or "test" not in found:
        return None
    _refuse_doubled_splits(names, where, "folders")
    ignored = [f.name for f in entries if _is_data_file(f)]
    files = [(split, f) for split in schema.SPLITS for f in found.get(split, [])]
    return _Layout("folder", files, where, folder.resolve().name, ignored, root=folder)


def _hf_dict_layout(folder: Path) -> _Layout:
    """A ``DatasetDict.save_to_disk`` folder: one saved dataset per split, named in
    ``dataset_dict.json``; splits named after none of ours are ignored (and listed)."""
    where = f"{folder}{os.sep}"
    try:
        names = json.loads((folder / HF_DICT).read_text(encoding="utf-8"))["splits"]
        names = [str(n) for n in names]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise LittleHumanError(f"{folder / HF_DICT}: not a readable DatasetDict index ({e}): save "
                               "the dataset again with save_to_disk") from e
    ours = {n: SPLIT_FILE_NAMES.get(n.lower()) for n in names}
    ignored = [n for n, split in ours.items() if split is None]
    missing = [s for s in ("train", "test") if s not in ours.values()]
    if missing:
        raise LittleHumanError(
            f"{where}: a saved DatasetDict with splits {', '.join(names) or 'none'} has no "
            f"{' and no '.join(missing)} split: name them train and test (and optionally "
            "validation), e.g. DatasetDict(train=..., test=...).save_to_disk(...)")
    by_split: dict[str, list[str]] = {}
    for n, split in ours.items():
        if split is not None:
            by_split.setdefault(split, []).append(n)
    _refuse_doubled_splits(by_split, where, "splits")
    files = sorted(((split, folder / n) for n, split in ours.items() if split is not None),
                   key=lambda sf: schema.SPLITS.index(sf[0]))
    return _Layout("folder", files, where, folder.resolve().name, ignored,  # type: ignore[arg-type]
                   root=folder)


def _check_shards(split: str, group: list[tuple[Path, re.Match]], where: str) -> None:
    """Several files for one split must be the shards of one set, all present."""
    names = ", ".join(f.name for f, _ in group)
    counts = {m.group("count") for _, m in group}
    if any(m.group("index") is None for _, m in group) or len(counts) != 1:
        raise LittleHumanError(
            f"{where}: several files for the {split} split ({names}): keep one, or name shards "
            f"{split}-00000-of-00002.parquet, {split}-00001-of-00002.parquet")
    count = int(counts.pop())
    have = {int(m.group("index")) for _, m in group}
    lost = sorted(set(range(count)) - have)
    if lost or len(group) != count:
        raise LittleHumanError(
            f"{where}: the {split} split is sharded in {count} files but "
            + (f"shard(s) {', '.join(f'{i:05d}' for i in lost)} are missing" if lost
               else f"{len(group)} files are there ({names})") + ": add them or remove the others")


def load_custom(
    path: str | Path,
    task: str | None = None,
    columns: dict[str, str] | None = None,
    skip_bad_rows: bool = False,
    seed: int = 42,
    name: str | None = None,
) -> tuple[pd.DataFrame, CustomReport]:
    """Read, validate and split the user's file (or files) into a unified FV or QA frame.

    ``path`` is one file, a folder of split files or ``train=FILE,test=FILE[,valid=FILE]``
    (:func:`layout`). ``columns`` maps the file's column names to ours
    (``{"evidence": "context"}``). Bad rows raise a one-line LittleHumanError naming them, or
    are dropped (and counted in the report) with ``skip_bad_rows``. One file without a split
    column gets a seeded 80/10/10 split grouped by context; with one but no valid rows, or
    split files without a valid file, 20% of the train contexts become valid.
    """
    where = layout(path)
    if where.kind == "file":
        df, report = _load_one(where.files[0][1], task, columns, skip_bad_rows, seed, name)
    else:
        df, report = _load_split_files(where, task, columns, skip_bad_rows, seed, name)
    report.fingerprint = fingerprint(df)
    return df, report


def _load_one(path: Path, task: str | None, columns: dict[str, str] | None, skip_bad_rows: bool,
              seed: int, name: str | None) -> tuple[pd.DataFrame, CustomReport]:
    read = read_rows(path)
    records = read.records
    rename = _rename(read.header, columns or {}, path)
    task = _task(set(rename.values()), task, read.header, path, used=set(rename))
    name = _slug(name if name else (path.name if read.fmt == HF_SAVED else path.stem))
    if task == "fv":
        _refuse_nli_ids([("", records, rename, read.unit)], path.name)

    positions: list[str] = []
    rows, problems = _validate(records, rename, task, name, read.unit, positions=positions)
    if problems and not skip_bad_rows:
        more = "; ..." if len(problems) > SHOWN_PROBLEMS else ""
        raise LittleHumanError(
            f"{path.name}: {len(problems)} bad row(s) of {len(records)}: "
            f"{'; '.join(problems[:SHOWN_PROBLEMS])}{more}; fix them in the file, or use "
            "--skip-bad-rows to drop them"
        )
    if not rows:
        raise LittleHumanError(f"{path.name}: all {len(records)} rows are bad: {problems[0]}")
    good = len(rows)
    if "split" in rename.values():  # the user's split: no test row may copy a train row
        rows = _drop_copies(rows, positions, task, path.name, skip_bad_rows, "id" in rename.values(),
                            "drop those rows or give them another split")

    df = pd.DataFrame(rows)
    note = _split(df, "split" in rename.values(), seed, path)
    _refuse_one_label(df, task, path.name, len(problems))
    df = schema.finalize(df, name, task, sources={s: path for s in schema.SPLITS})
    counts = {s: int((df["split"] == s).sum()) for s in schema.SPLITS}
    report = CustomReport(name, task, str(path), len(records), len(problems), problems, note, counts,
                          sources={str(path): sha256(path)},
                          class_names=_named(read.class_names, rename),
                          first_answers=_several_answers(records, rename),
                          unused=_unused([read.header], [rename]), test_copies=good - len(rows),
                          test_label=_one_test_label(df, task))
    return df, report


def _load_split_files(where: _Layout, task: str | None, columns: dict[str, str] | None,
                      skip_bad_rows: bool, seed: int, name: str | None
                      ) -> tuple[pd.DataFrame, CustomReport]:
    """One file per split (a folder, or train=...,test=...): each file's rows get its split."""
    paths = [f for _, f in where.files]
    dup = {f.name for f in paths if sum(g.name == f.name for g in paths) > 1}
    label = {f: (f.relative_to(where.root).as_posix() if where.root is not None
                 else str(f) if f.name in dup else f.name) for f in paths}
    reads = [(split, f, read_rows(f)) for split, f in where.files]
    renames = [_rename(read.header, columns or {}, f) for _, f, read in reads]
    asked = task is not None
    for (_, f, read), rename in zip(reads, renames):  # the train file decides the task
        task = _task(set(rename.values()), task, read.header, f, used=set(rename), asked=asked)
    name = _slug(name if name else where.name)
    if task == "fv":
        _refuse_nli_ids([(label[f], read.records, rename, read.unit)
                         for (_, f, read), rename in zip(reads, renames)], where.display)

    rows: list[dict[str, object]] = []
    problems: list[str] = []
    disagree: list[str] = []
    seen: dict[str, str] = {}
    positions: list[str] = []
    total = 0
    for (split, f, read), rename in zip(reads, renames):
        got, bad = _validate(read.records, rename, task, name, read.unit, label=label[f],
                             split=split, seen=seen, disagree=disagree, positions=positions)
        rows += got
        problems += bad
        total += len(read.records)
    if disagree:
        more = "; ..." if len(disagree) > SHOWN_PROBLEMS else ""
        raise LittleHumanError(
            f"{where.display}: {len(disagree)} row(s) whose split column disagrees with their "
            f"file's name: {'; '.join(disagree[:SHOWN_PROBLEMS])}{more}: a split file's name sets "
            "its rows' split: move those rows to the right file or drop the split column"
        )
    if problems and not skip_bad_rows:
        more = "; ..." if len(problems) > SHOWN_PROBLEMS else ""
        raise LittleHumanError(
            f"{where.display}: {len(problems)} bad row(s) of {total}: "
            f"{'; '.join(problems[:SHOWN_PROBLEMS])}{more}; fix them in the file, or use "
            "--skip-bad-rows to drop them"
        )
    good = len(rows)
    if rows:
        rows = _drop_copies(rows, positions, task, where.display, skip_bad_rows,
                            all("id" in rename.values() for rename in renames),
                            "remove them from the test file (or from the train file)")
    df = pd.DataFrame(rows)
    for split in ("train", "test"):
        if not len(df) or not (df["split"] == split).any():
            files = [label[f] for s, f in where.files if s == split]
            first = next((p for p in problems if any(p.startswith(f + " ") for f in files)),
                         problems[0])
            raise LittleHumanError(f"{where.display}: no good {split} rows left ({', '.join(files)}: "
                                   f"every row is bad): {first}")
    if (df["split"] == "valid").any():
        note = "splits from the file names"
    else:
        train = (df["split"] == "train").to_numpy()
        df.loc[train, "split"] = schema.assign_train_valid(df.loc[train, "context_id"], seed)
        lack = "no good valid rows" if any(s == "valid" for s, _ in where.files) else "no valid file"
        note = (f"splits from the file names; {lack}: 20% of the train contexts became valid "
                f"(seed {seed})")
    _refuse_one_label(df, task, where.display, len(problems))
    df = schema.finalize(df, name, task, sources={
        s: [f for split, f in where.files if split == s] for s in schema.REQUIRED_SPLITS})
    counts = {s: int((df["split"] == s).sum()) for s in schema.SPLITS}
    files = [(str(split), str(f), len(read.records)) for split, f, read in reads]
    named: dict[str, list[str]] = {}
    for (_, _, read), rename in zip(reads, renames):
        named.update(_named(read.class_names, rename))
    report = CustomReport(name, task, where.display, total, len(problems), problems, note, counts,
                          files=files, ignored=where.ignored,
                          sources={str(f): sha256(f) for f in paths}, class_names=named,
                          first_answers=sum(_several_answers(read.records, rename)
                                            for (_, _, read), rename in zip(reads, renames)),
                          unused=_unused([read.header for _, _, read in reads], renames),
                          test_copies=good - len(rows), test_label=_one_test_label(df, task))
    return df, report


def _named(class_names: dict[str, list[str]], rename: dict[str, str]) -> dict[str, list[str]]:
    """``class_names`` of the columns we use, under our column names."""
    return {rename[col]: names for col, names in class_names.items() if col in rename}


def fingerprint(df: pd.DataFrame) -> str:
    """16 hex digits of the sha256 of the unified rows (every column, in row_id order): what
    changes when the data a run would train and score on changes, whatever the file format."""
    rows = df.sort_values("row_id", kind="stable")
    payload = json.dumps([list(rows.columns)] + rows.astype(object).values.tolist(),
                         ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def check_identity(df: pd.DataFrame, report: CustomReport, record: bool = True) -> None:
    """Stop a run whose rows differ from those the stored results of this name were made from.

    The run store (``data/runs/<name>``) and the synthetic twins (``data/synthetic/<name>``)
    are keyed by the dataset's name, not its content: after an edit of the file(s) (or another
    ``--columns``, ``--skip-bad-rows`` or ``--data-seed``) a rerun would reuse runs trained on
    the old rows. ``data/processed/<name>/own_dataset.json`` records the rows' fingerprint and
    the files' sha256; when it differs and stored results exist this raises a one-line
    LittleHumanError saying what changed and what to do. With ``record`` the current
    fingerprint is written (stored results without a record are adopted as they are).
    """
    from littlehuman import paths

    cache = paths.cache_dir()
    record_path = cache / "processed" / report.name / IDENTITY
    try:
        old = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    old = old if isinstance(old, dict) else {}  # an unreadable record counts as none
    stored = [str(d) for d in (cache / "runs" / report.name, cache / "synthetic" / report.name)
              if d.is_dir() and any(d.iterdir())]
    if old.get("fingerprint") not in (None, report.fingerprint) and stored:
        raise LittleHumanError(
            f"{report.name}: the rows differ from those the results in {' and '.join(stored)} "
            f"were made from ({_what_changed(old.get('files') or {}, report.sources)}); they "
            f"are keyed by the name {report.name!r}, so this run would mix old runs with new rows: "
            "give the changed data a new name (rename the file or folder) to start afresh, or "
            f"delete {' and '.join(stored)} to redo them under this name"
        )
    if record and old.get("fingerprint") != report.fingerprint:
        record_path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"fingerprint": report.fingerprint, "path": report.path,
                           "files": report.sources, "rows": report.split_counts}, indent=1)
        atomic_write(record_path, lambda handle: handle.write((text + "\n").encode("utf-8")))


def _what_changed(old: dict[str, str], new: dict[str, str]) -> str:
    names = [Path(f).name for f in {**old, **new}]

    def name(f: str) -> str:  # the whole path where two files share a name (a moved file)
        return Path(f).name if names.count(Path(f).name) == 1 else f

    changed = [name(f) for f in new if f in old and old[f] != new[f]]
    added = [name(f) for f in new if f not in old]
    gone = [name(f) for f in old if f not in new]
    parts = ([f"{', '.join(changed)} changed"] if changed else []) \
        + ([f"now read: {', '.join(added)}"] if added else []) \
        + ([f"no longer read: {', '.join(gone)}"] if gone else [])
    return "; ".join(parts) or "same files: --columns, --skip-bad-rows or --data-seed changed"


# --- columns and task ------------------------------------------------------------------


def _rename(header: list[str], mapping: dict[str, str], path: Path,
            known: tuple[str, ...] = KNOWN) -> dict[str, str]:
    """The file's columns that we use (``known``: ours) -> our column names."""
    found = ", ".join(repr(c) for c in header)
    mapping = {_header_name(theirs, header): ours for theirs, ours in mapping.items()}
    for theirs, ours in mapping.items():
        if theirs not in header:
            _refuse_other_separator(header, path)
            raise LittleHumanError(f"{path.name}: no column {theirs!r} to map to {ours!r}; columns found: {found}")
        if ours not in known:
            raise LittleHumanError(f"cannot map {theirs!r} to {ours!r}: map to one of {', '.join(known)}")
    rename: dict[str, str] = {}
    for col in header:
        ours = mapping.get(col, col.strip().lower())
        if ours not in known:
            continue
        if ours in rename.values():
            first = next(c for c, o in rename.items() if o == ours)
            raise LittleHumanError(
                f"{path.name}: columns {first!r} and {col!r} both give {ours!r}: rename or map one of them"
            )
        rename[col] = ours
    return rename


def _header_name(theirs: str, header: list[str]) -> str:
    """The header's own spelling of a ``--columns`` name: as given where it is there, else
    the one column equal to it but for case and spaces (``evidence`` for ``Evidence``, as
    our own names are matched)."""
    if theirs in header:
        return theirs
    alike = [c for c in header if c.strip().lower() == theirs.strip().lower()]
    return alike[0] if len(alike) == 1 else theirs


#: what a missing column's line advises for your own dataset file (``--columns`` maps it)
MAP_ADVICE = "rename yours or map them (e.g. evidence=context)"
#: column names that hold ids, splits or metadata: never the example a missing column's
#: advice maps (``--columns qid=claim`` would be wrong advice)
_NOT_DATA = re.compile(r"(?:id|ids|qid|uid|guid|key|idx|index|split|fold|subset|partition|"
                       r"meta|metadata)|.*[_\s-]id|id[_\s-].*")


def _refuse_other_separator(header: list[str], path: Path) -> None:
    """A CSV file read as one column whose name holds ';' or a tab (Excel's ';'-separated
    CSV): one line saying to save it comma-separated, before a missing column is reported."""
    if len(header) == 1 and path.suffix.lower() == ".csv":
        separator = other_separator(header[0])
        if separator is not None:
            raise LittleHumanError(separator_advice(path.name, separator))


def _could_map(column: str, used: set[str]) -> bool:
    """Whether a missing column's advice may give the file's ``column`` as its example: not
    one that is used already, named like ours, or named like an id, split or meta column."""
    name = column.strip().lower()
    return bool(name) and column not in used and name not in KNOWN \
        and not _NOT_DATA.fullmatch(name)


def _task(have: set[str], task: str | None, header: list[str], path: Path,
          advice: str = MAP_ADVICE, used: set[str] | frozenset[str] = frozenset(),
          asked: bool = True) -> str:
    """The task of a file with the columns ``have`` (ours, after mapping) and ``header`` (its
    own; ``used``: those mapped to ours); ``task`` as given (``asked``: by --task, not by an
    earlier file of the dataset). A file without a task's columns is a one-line error."""
    _refuse_other_separator(header, path)
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
        raise LittleHumanError(f"{path.name}: cannot tell the task: {needs}; columns found: {found}; "
                               "rename yours or map them with --columns (e.g. evidence=context) "
                               "and say the task with --task fv|qa")
    missing = [c for c in REQUIRED[task] if c not in have]
    if missing:
        if advice == MAP_ADVICE:  # the example maps one of the file's own unknown columns
            other = next(t for t in REQUIRED if t != task)
            spare = next((c for c in header if _could_map(c, used)), None)
            if set(REQUIRED[other]) <= have:
                article = "an" if other == "fv" else "a"
                advice = (f"it looks like {article} {other.upper()} dataset: drop --task {task} or pass "
                          f"--task {other}" if asked else
                          f"it has {other.upper()} columns but an earlier file of the dataset is "
                          f"{task.upper()}: give every file one task's columns")
            elif spare is not None:
                advice = f"rename yours or map them (e.g. --columns {spare}={missing[0]})"
            else:
                advice = (f"{task.upper()} needs columns {', '.join(REQUIRED[task])}: rename "
                          "yours or map them with --columns")
        raise LittleHumanError(
            f"{path.name}: missing required column(s) {', '.join(map(repr, missing))} for "
            f"{task.upper()}; columns found: {found}; {advice}"
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
    """(cleaned text, problem or None) of a cell that must hold non-empty text; a NUL byte is a
    problem (no text holds one: it comes of a binary or UTF-16 export, and C-string consumers,
    a local generator's server say, would cut the text at it)."""
    if _missing(value):
        return "", "missing value"
    if isinstance(value, (dict, list)):
        return "", f"expected text, got a JSON {type(value).__name__}"
    at = value.find("\x00") if isinstance(value, str) else -1
    if at >= 0:
        return "", (f"a NUL byte (\\x00) at character {at + 1}: remove it (re-export the file "
                    "as UTF-8 text)")
    text = schema.clean_text(value)
    return text, None if text else "empty value"


def _first_answer(value: object) -> object:
    """The first non-empty answer of several (PROTOCOL: "first answer text"): a list of
    answers, or a SQuAD-style ``{"text": [...], "answer_start": [...]}``; anything else as is."""
    if isinstance(value, dict) and "text" in value:
        value = value["text"]
    if isinstance(value, (list, tuple, np.ndarray)):
        texts = [v for v in value if isinstance(v, str) and v.strip()]
        return texts[0] if texts else None
    return value


def _several_answers(records: list[Record], rename: dict[str, str]) -> int:
    """How many records give two or more answers (a list or SQuAD-style dict), of which
    :func:`_first_answer` keeps the first."""
    column = next((theirs for theirs, ours in rename.items() if ours == "answer"), None)
    if column is None:
        return 0

    def several(value: object) -> bool:
        if isinstance(value, dict):
            value = value.get("text")
        return isinstance(value, (list, tuple, np.ndarray)) and \
            sum(isinstance(v, str) and bool(v.strip()) for v in value) > 1

    return sum(raw is not None and several(raw.get(column)) for _, raw, _ in records)


def _label(value: object) -> int | None:
    label = schema.label_from_word(value.item() if isinstance(value, np.generic) else value)
    if label is None and isinstance(value, str):
        try:  # "1.0" / "0.0" from spreadsheets
            number = float(value)
        except ValueError:
            return None
        label = int(number) if number in (0.0, 1.0) else None
    return label


#: what each of our FV labels means, as the load line and its errors say it
LABEL_NAMES = {1: "supported", 0: "not supported: refuted or not enough info"}


def _number(value: object) -> float | None:
    """A label cell's number (an int, a float or numeric text), None for anything else."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, decimal.Decimal)):  # Decimal: a parquet decimal column
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _refuse_nli_ids(files: list[tuple[str, list[Record], dict[str, str], str]], where: str) -> None:
    """A label column whose numbers are 0, 1 and 2 (with -1, no label, at most): 3-class NLI
    ids (SNLI/MultiNLI: 0 entailment, 1 neutral, 2 contradiction) kept as numbers, which read as
    0/1 would turn entailment into "not supported" and drop the contradictions as bad rows. One
    line, whatever --skip-bad-rows says: the mapping is the user's to apply. ``files`` holds
    (label, records, rename, unit) per file, as :func:`_validate` takes them."""
    numbers: set[float] = set()
    twos: list[str] = []
    column = "label"
    for label, records, rename, unit in files:
        theirs = next((t for t, ours in rename.items() if ours == "label"), None)
        if theirs is None:
            continue
        column = theirs
        for pos, raw, _ in records:
            number = None if raw is None else _number(raw.get(theirs))
            if number is None or number != number:  # nan: a missing value
                continue
            numbers.add(number)
            if number == 2:
                twos.append(f"{label} {unit} {pos}" if label else f"{unit} {pos}")
    if not {0.0, 1.0, 2.0} <= numbers <= {-1.0, 0.0, 1.0, 2.0}:
        return
    named = f"column {column!r}" + ("" if column == "label" else " (label)")
    raise LittleHumanError(
        f"{where}: {named} holds 0, 1 and 2 ({len(twos)} row(s) of 2, the first on {twos[0]}): "
        "these look like 3-class NLI ids (SNLI/MultiNLI: 0 entailment, 1 neutral, "
        "2 contradiction), which cannot be read as 0/1 labels (--skip-bad-rows would drop the 2s "
        "and read entailment as 'not supported'): map them yourself, after checking your "
        "dataset's order, e.g. df['label'] = df['label'].map({0: 1, 1: 0, 2: 0}) for SNLI's "
        "order, or write the words (entailment, neutral, contradiction)")


def _meta(value: object) -> str:
    if _missing(value):
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _validate(
    records: list[Record], rename: dict[str, str], task: str, name: str, unit: str,
    label: str = "", split: str | None = None, seen: dict[str, str] | None = None,
    disagree: list[str] | None = None, extra: tuple[str, ...] = (),
    positions: list[str] | None = None,
) -> tuple[list[dict[str, object]], list[str]]:
    """Unified rows of the good records and one problem line per bad record.

    For one of several files: ``label`` (its name) starts each position and the row ids of a
    file without ids; ``split`` is its split (a split column must agree: each row that does
    not is added to ``disagree``); ``seen`` holds the ids of the files before it. ``extra``:
    further optional text columns copied into the rows as they are ("" when absent; the
    synthetic file's ``source_id``); ``positions`` receives each good row's position
    ("line 4"), in order.
    """
    have = set(rename.values())
    rows: list[dict[str, object]] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {} if seen is None else seen
    for pos, raw, why in records:
        where = f"{label} {unit} {pos}" if label else f"{unit} {pos}"
        if raw is None:
            problems.append(f"{where}: {why}")
            continue
        cell = {ours: raw.get(theirs) for theirs, ours in rename.items()}
        row: dict[str, object] = {}
        issues: list[str] = []
        for col in REQUIRED[task]:
            if col == "label":
                continue
            row[col], issue = _text(_first_answer(cell[col]) if col == "answer" else cell[col])
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
        if split is not None:
            row["split"] = split
            word, issue = _text(cell["split"]) if "split" in have else ("", "missing value")
            said = SPLIT_ALIASES.get(word.lower())
            if not issue and said is None:
                issues.append(f"column 'split': unknown split {_show(cell['split'])} (use train/valid/test)")
            elif said is not None and said != split and disagree is not None:
                disagree.append(f"{where} says {_show(cell['split'])}, the file is {split}")
        elif "split" in have:
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
                issues.append(f"column 'id': duplicate id {_show(ident)} (first on {first_seen[ident]})")
            else:
                first_seen[ident] = where
            row["row_id"] = f"{name}:{ident}"
        else:
            row["row_id"] = f"{name}:{label}:{pos}" if label else f"{name}:{pos}"
        if issues:
            problems.append(f"{where}: " + ", ".join(issues))
            continue
        context_id = schema.clean_text(cell.get("context_id"))
        row["context_id"] = context_id or schema.short_hash(str(row["context"]))
        row["meta"] = _meta(cell.get("meta"))
        for col in extra:
            row[col] = "" if _missing(cell.get(col)) else schema.clean_text(cell.get(col))
        rows.append(row)
        if positions is not None:
            positions.append(where)
    return rows, problems


# --- splits ----------------------------------------------------------------------------


def _copies_of_train(rows: list[dict[str, object]], task: str) -> list[tuple[int, int]]:
    """(test row, train row) indices of the test rows whose context and claim (FV) or question
    (QA) are a train row's, the text as cleaned: a split the user gave that puts rows the
    learner trains on into the test split (this project's own splits group rows by context)."""
    target = schema.target_column(task)
    train: dict[tuple[object, object], int] = {}
    for i, row in enumerate(rows):
        if row.get("split") == "train":
            train.setdefault((row["context"], row[target]), i)
    return [(i, train[(row["context"], row[target])]) for i, row in enumerate(rows)
            if row.get("split") == "test" and (row["context"], row[target]) in train]


def _drop_copies(rows: list[dict[str, object]], positions: list[str], task: str, where: str,
                 skip_bad_rows: bool, ids: bool, fix: str) -> list[dict[str, object]]:
    """``rows`` without the test rows that copy a train row (:func:`_copies_of_train`), which
    stop the load in one line unless ``skip_bad_rows`` (then they are dropped, and counted in
    the report); ``ids``: the rows carry the user's ids, shown beside their positions; ``fix``:
    how to mend the file(s)."""
    copies = _copies_of_train(rows, task)
    if not copies:
        return rows
    target = schema.target_column(task)

    def shown(i: int) -> str:
        ident = str(rows[i]["row_id"]).split(":", 1)[1]
        return positions[i] + (f" (id {_show(ident)})" if ids else "")

    n_test = sum(row.get("split") == "test" for row in rows)
    test, train = copies[0]
    if not skip_bad_rows:
        raise LittleHumanError(
            f"{where}: {len(copies)} test row(s) of {n_test} repeat a train row (the same "
            f"context and {target}), e.g. {shown(test)} is {shown(train)}: a learner tested on "
            f"rows it trained on scores too high: {fix}, or use --skip-bad-rows to drop them "
            "from the test split")
    if len(copies) == n_test:
        raise LittleHumanError(
            f"{where}: all {n_test} test rows repeat a train row (the same context and "
            f"{target}), e.g. {shown(test)} is {shown(train)}: the test split needs rows the "
            f"learner does not train on: {fix}")
    drop = {i for i, _ in copies}
    return [row for i, row in enumerate(rows) if i not in drop]


def _refuse_one_label(df: pd.DataFrame, task: str, where: str, dropped: int) -> None:
    """An FV dataset whose train rows all have one label: a learner has nothing to learn, and
    every run would score what always saying that label scores (a whole pipeline of 1.000s,
    advising to make the learner learn first). Test rows of one label are said in the load
    line (:meth:`CustomReport.describe`): their scores are defined, if weak."""
    if task != "fv":
        return
    labels = set(df.loc[df["split"] == "train", "label"].astype(int))
    if len(labels) != 1:
        return
    (only,) = labels
    after = f" (after dropping {dropped} bad row(s))" if dropped else ""
    raise LittleHumanError(
        f"{where}: every train row{after} has label {only} ({LABEL_NAMES[only]}): a learner "
        f"has nothing to learn from them: the train rows need both labels: add train rows of "
        f"label {1 - only} ({LABEL_NAMES[1 - only]}), or check that the label column reads as "
        "you meant (0/1, true/false or FEVER/NLI words)")


def _one_test_label(df: pd.DataFrame, task: str) -> int | None:
    """The label of every test row of an FV frame, where they all have one; else None."""
    if task != "fv":
        return None
    labels = set(df.loc[df["split"] == "test", "label"].astype(int))
    return labels.pop() if len(labels) == 1 else None


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
