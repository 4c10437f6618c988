"""Reading the user's data files: CSV, JSON Lines, parquet and Hugging Face datasets saved
with ``save_to_disk``, into numbered records (see :class:`FileRows`).

Each reader keeps every record with its position as the user sees it (``line N`` of a CSV or
JSON Lines file, ``row N`` of a table) and says why a record is unreadable instead of raising,
so that the caller can name every bad row at once. Hugging Face ``ClassLabel`` columns (in a
saved dataset, or in a parquet file whose schema records ``datasets``' features) are read by
their class names; class id -1 (no label) is a missing value.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from littlehuman.errors import LittleHumanError

#: column names a dataset row has (ours, and the usual others --columns maps): an object with
#: none of them that holds a list of objects is a wrapper of the rows, not a row
ROW_WORDS = frozenset({"context", "claim", "label", "question", "answer", "evidence", "premise",
                       "hypothesis", "id", "split", "text", "story", "passage", "statement"})
FORMATS: dict[str, str] = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}
HF_DICT = "dataset_dict.json"  # what DatasetDict.save_to_disk writes beside its split folders
HF_SAVED = "hf_disk"  # the format of a folder that Dataset.save_to_disk wrote
# (position, values keyed by the user's column names or None, why the record is unreadable)
Record = tuple[int, "dict[str, object] | None", "str | None"]


def sha256(path: str | Path, prefix: bytes = b"") -> str:
    """The sha256 of ``prefix`` and a file's bytes, or a folder's files (their relative names
    and bytes)."""
    path = Path(path)
    h = hashlib.sha256(prefix)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            h.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
        with file.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def is_saved_dataset(path: Path) -> bool:
    """True for a folder written by ``Dataset.save_to_disk``."""
    return path.is_dir() and (path / "state.json").is_file() and (path / "dataset_info.json").is_file()


@dataclass
class FileRows:
    """One data file (or saved dataset) read: its format, what a position is called ("line",
    "row"), its columns, its records, and the columns read by their class names."""

    fmt: str
    unit: str
    header: list[str]
    records: list[Record]
    class_names: dict[str, list[str]] = field(default_factory=dict)


def read_rows(path: Path, folders: bool = True) -> FileRows:
    """One data file (or, with ``folders``, a saved Hugging Face dataset) with at least one row."""
    fmt = check_file(path, folders)
    readers = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet,
               HF_SAVED: _read_saved_dataset}
    read = readers[fmt](path)
    if not read.records:
        raise LittleHumanError(f"{path}: the file has no data rows: add some")
    return read


def check_file(path: Path, folders: bool = True) -> str:
    """The format of the data file ``path`` (a saved Hugging Face dataset too, with ``folders``)."""
    if not path.exists():
        raise LittleHumanError(f"no such file: {path}: check the path")
    if folders and is_saved_dataset(path):
        return HF_SAVED
    if not path.is_file():
        raise LittleHumanError(f"{path} is not a file: give a .csv, .jsonl/.json or .parquet file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LittleHumanError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}: use .csv, .jsonl/.json or .parquet"
        )
    if path.stat().st_size == 0:
        raise LittleHumanError(f"{path}: the file is empty: write its rows in it")
    return fmt


def _open_text(path: Path, newline: str | None = None):
    return path.open(encoding="utf-8-sig", newline=newline)


#: the separators other than ',' that spreadsheets write into a .csv (Excel's ';' in many
#: locales), as a message names them
OTHER_SEPARATORS = {";": "';'", "\t": "tab"}


def other_separator(header: str) -> str | None:
    """How a CSV header line that seems separated by ';' or a tab, not ',', names its
    separator (``"';'"``, ``"tab"``): the one of those it holds more of than commas; else None."""
    counts = {sep: header.count(sep) for sep in OTHER_SEPARATORS}
    sep = max(counts, key=counts.__getitem__)
    return OTHER_SEPARATORS[sep] if counts[sep] > header.count(",") else None


def separator_advice(path: str | Path, separator: str) -> str:
    """The one line for a CSV file separated by ``separator`` (as :func:`other_separator`
    names it) instead of commas."""
    return (f"{path} looks {separator}-separated: save it as comma-separated CSV "
            "(or as JSON Lines / parquet)")


def _not_utf8(path: Path, error: UnicodeDecodeError) -> LittleHumanError:
    """The one line for a file that is not UTF-8, naming its first bad byte by its offset in
    the file and its line (``error``'s offset is within the reader's buffer: the file is
    decoded again, in chunks, to find it)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0  # bytes and line breaks before the chunk
    at = None
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                pending = len(decoder.getstate()[0])  # an unfinished character's bytes
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as e:  # e.object: the pending bytes, then the chunk
                    error, at = e, offset - pending + e.start
                    lines += e.object.count(b"\n", 0, e.start)
                    break
                offset += len(chunk)
                lines += chunk.count(b"\n")
            else:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError as e:  # the file ends inside a character
                    error, at = e, offset - len(e.object) + e.start
    except OSError:
        pass
    if at is None:
        where = f" ({error.reason})"
    else:
        where = f": byte 0x{error.object[error.start]:02x} at offset {at} (line {lines + 1}): {error.reason}"
    utf16 = error.object[:2] in (b"\xff\xfe", b"\xfe\xff") and at == 0
    return LittleHumanError(
        f"{path}: not UTF-8 text{where}"
        + ("; it starts with a UTF-16 byte order mark" if utf16 else "")
        + ": re-save it as UTF-8" + (" (in Excel: Save As 'CSV UTF-8')"
                                     if path.suffix.lower() == ".csv" else ""))


def _first_line(path: Path) -> str:
    """The file's first non-blank line (without a BOM), or "" where it cannot be read."""
    try:
        with _open_text(path) as f:
            return next((line for line in f if line.strip()), "")
    except (OSError, UnicodeDecodeError):
        return ""


def _read_csv(path: Path) -> FileRows:
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # long contexts
    header: list[str] | None = None
    records: list[Record] = []
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
        separator = other_separator(_first_line(path))
        if separator is not None:
            raise LittleHumanError(separator_advice(path, separator)) from e
        raise LittleHumanError(f"{path}: unreadable CSV near line {start}: {e}: fix the quoting") from e
    except UnicodeDecodeError as e:
        raise _not_utf8(path, e) from e
    if header is None:
        raise LittleHumanError(f"{path}: the file is empty: write a header line and one row per point in it")
    return FileRows("csv", "line", header, records)


def _read_jsonl(path: Path) -> FileRows:
    header: dict[str, None] = {}
    records: list[Record] = []
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
                except RecursionError:
                    records.append((line_no, None, "malformed JSON (nested too deeply)"))
                    continue
                except ValueError as e:  # a 5,001-digit number
                    records.append((line_no, None, f"malformed JSON ({str(e).split(':')[0]})"))
                    continue
                if not isinstance(obj, dict):
                    records.append((line_no, None, f"a JSON {type(obj).__name__}, not an object"))
                    continue
                header.update(dict.fromkeys(obj))
                records.append((line_no, obj, None))
    except UnicodeDecodeError as e:
        raise _not_utf8(path, e) from e
    if not records:
        raise LittleHumanError(f"{path}: the file is empty: write one JSON object per line in it")
    objects = [obj for _, obj, _ in records if obj is not None]
    # one object holding the rows ({"data": [...]}): it has no column a row has, and a list of
    # objects (a one-row file whose row holds such a list, say its meta, is a row)
    nested = (len(objects) == 1 and not {str(k).strip().lower() for k in objects[0]} & ROW_WORDS
              and [k for k, v in objects[0].items()
                   if isinstance(v, list) and v and isinstance(v[0], dict)])
    # one object written over many lines (json.dump(..., indent=2)): "{" alone on line 1 (lines
    # that each fail to parse otherwise, a comma after each, are bad rows, named as such)
    pretty = not objects and _first_line(path).strip() == "{"
    if pretty or nested:
        held = f" (its rows are under {nested[0]!r})" if nested else ""
        raise LittleHumanError(
            f"{path}: not JSON Lines: one JSON object{held} over the file, not one per line: "
            "write one object per line (pandas: df.to_json(path, orient='records', "
            "lines=True))")
    if not objects:  # every line bad (a comma after each object, say): say so, not "no columns"
        line_no, _, why = records[0]
        raise LittleHumanError(f"{path}: no line is a JSON object (line {line_no}: {why}): write "
                               "one JSON object per line, nothing after it")
    return FileRows("jsonl", "line", list(header), records)


def _read_parquet(path: Path) -> FileRows:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as e:
        try:  # a column named twice: say which, not arrow's "Multiple matches for FieldRef"
            names = pq.read_schema(path).names
        except (pa.ArrowException, OSError):
            names = []
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise LittleHumanError(f"{path}: column(s) {', '.join(map(repr, twice))} appear more "
                                   "than once: rename one and write the file again") from e
        raise LittleHumanError(f"{path}: not a readable parquet file ({e})") from e
    names = {}
    if b"huggingface" in (table.schema.metadata or {}):  # written by datasets: its features
        from datasets import Features

        try:
            names = _class_names(Features.from_arrow_schema(table.schema))
        except (ValueError, TypeError, KeyError):  # features it cannot read: plain values
            names = {}
    try:
        rows = table.to_pylist()
    except (ValueError, OverflowError, pa.ArrowException) as e:  # a date past 9999, ...
        bad = next((c for c in table.column_names if not _readable(table.column(c))), None)
        which = f"column {bad!r}" if bad else "a column"
        raise LittleHumanError(f"{path}: {which} holds values Python cannot read ({e}): drop "
                               "or convert it and write the file again") from e
    return FileRows("parquet", "row", table.column_names, _numbered(rows, names), names)


def _readable(column: Any) -> bool:
    """Whether a parquet column converts to Python values."""
    import pyarrow as pa

    try:
        column.to_pylist()
    except (ValueError, OverflowError, pa.ArrowException):
        return False
    return True


def _read_saved_dataset(path: Path) -> FileRows:
    """A folder written by ``Dataset.save_to_disk`` (read with ``datasets.load_from_disk``)."""
    import datasets

    try:
        data = datasets.load_from_disk(str(path))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise LittleHumanError(f"{path}: not a readable saved Hugging Face dataset ({e}): save "
                               "it again with save_to_disk") from e
    if not isinstance(data, datasets.Dataset):
        raise LittleHumanError(f"{path}: a saved {type(data).__name__}, not one Dataset: give "
                               "its folder (with dataset_dict.json)")
    names = _class_names(data.features)
    return FileRows(HF_SAVED, "row", list(data.column_names), _numbered(data.to_list(), names), names)


def _class_names(features: object) -> dict[str, list[str]]:
    """The class names of each top-level ``ClassLabel`` column of Hugging Face ``features``."""
    from datasets import ClassLabel

    return {str(col): list(feature.names) for col, feature in dict(features).items()
            if isinstance(feature, ClassLabel) and feature.names}


def _numbered(rows: list[dict[str, object]], class_names: dict[str, list[str]]) -> list[Record]:
    """Records numbered from 1, class ids replaced by their names (-1, no label, by None; an id
    out of range stays, to be reported as a bad value)."""
    for row in rows:
        for col, names in class_names.items():
            value = row.get(col)
            if isinstance(value, int) and not isinstance(value, bool):
                if 0 <= value < len(names):
                    row[col] = names[value]
                elif value == -1:
                    row[col] = None
    return [(i, row, None) for i, row in enumerate(rows, 1)]
