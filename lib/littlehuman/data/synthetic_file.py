"""The user's own synthetic rows (``--synthetic FILE``): twins made elsewhere (the authors'
GPT data, another model, a hand-written set) used instead of generating them.

The file is a CSV, JSON Lines or parquet file with the columns of ``--dataset FILE`` (FV:
``context, claim, label``; QA: ``context, question, answer``; optional ``id``, ``meta``,
``context_id``, ``split``), read and validated by the same code as the user's own dataset
(:mod:`littlehuman.data.custom`: every bad row is named), plus an optional ``source_id``
naming the human row a synthetic row was made from: that row's ``id`` in the user's file, or
its ``row_id`` (``fever:validation:12``).

Each synthetic row is matched to a human row:

- by ``source_id`` when it has one (an id that names no human row is a bad row);
- else by context: among the human train rows with the same context (its ``context_id``
  when the file gives one that a human row has, else the context's words, lower-cased,
  without punctuation or FEVER's ``-LRB-`` tokens), one not yet taken; FV pairs equal labels
  first.

A row matched to a train row is a *twin* of it (one per human row: a second row for the same
source becomes a row without a source). A row whose source, or context, is a valid or test
row is *left out*: training on it would train on an evaluation context. A row whose context
no human row has is a synthetic row *without a source*: the trade-off and the advisor use it
(after the twins), the sweep and zoom only as a spare (see :mod:`littlehuman.experiments.twins`).
Rows whose ``split`` column says valid or test are not training rows and are left out.

Identity: :func:`generator_id` is ``file-`` and 16 hex digits of the sha256 of the file's
bytes (and this module's matching version), so it names the twins' parquet file and enters
every run key: two files, or one file edited under the same path, never share a run.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from littlehuman.data import custom, files, schema
from littlehuman.errors import LittleHumanError
from littlehuman.paths import atomic_write, read_json_object

SOURCE = "source_id"
#: bump when the matching changes: it is part of every file's generator id
MATCH_VERSION = 1
#: the record of which file (by path) had which generator id, per dataset
FILES_RECORD = "synthetic_files.json"
PREFIX = "file-"


def digest(path: str | Path) -> str:
    """The sha256 of the file's bytes and the matching version (64 hex digits)."""
    return files.sha256(path, f"littlehuman synthetic file, matching v{MATCH_VERSION}\n".encode())


def generator_id(path: str | Path) -> str:
    """``file-<16 hex digits of digest>``: the id twins from this file are stored and run under
    (a missing, empty or unsupported file is a one-line LittleHumanError)."""
    return _id_of(checked(path))


def checked(path: str | Path) -> Path:
    """The absolute path of the synthetic file ``path``, after checking that it is a data
    file the loaders read (a missing, empty or unsupported file is a one-line
    LittleHumanError): the check ``--synthetic FILE`` gets before anything runs."""
    path = Path(path).expanduser().resolve()
    files.check_file(path, folders=False)
    return path


def _id_of(path: Path) -> str:
    """:func:`generator_id` of a file already checked."""
    return PREFIX + digest(path)[:16]


@dataclass
class SyntheticReport:
    """What :func:`load_synthetic` read and matched (counts of synthetic rows, except
    ``train_rows``/``train_without``: human train rows, and those without a twin)."""

    dataset: str
    path: str
    generator_id: str
    read: int
    twins_by_source_id: int = 0
    twins_by_context: int = 0
    without_source: int = 0
    second_for_a_source: int = 0
    left_out_eval: int = 0
    left_out_split: int = 0
    train_rows: int = 0
    train_without: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def twins(self) -> int:
        return self.twins_by_source_id + self.twins_by_context

    def describe(self) -> str:
        """One line: what was read, how it was matched, what is left out and why."""
        parts = [f"{self.twins} twin(s) of train rows ({self.twins_by_source_id} by source_id, "
                 f"{self.twins_by_context} by context)"]
        if self.without_source:
            extra = (f", {self.second_for_a_source} of them a second row for one source"
                     if self.second_for_a_source else "")
            parts.append(f"{self.without_source} without a source of their own{extra} "
                         "(trade-off rows after the twins; spares in the sweep)")
        if self.left_out_eval:
            parts.append(f"{self.left_out_eval} left out: their source or context is a valid "
                         "or test row")
        if self.left_out_split:
            parts.append(f"{self.left_out_split} left out: their split column says valid/test")
        line = (f"[{self.dataset}] your own synthetic rows: {self.read} read from {self.path} "
                f"(generator id {self.generator_id}, no generation call): " + "; ".join(parts))
        if self.train_without:
            line += (f"; {self.train_without} of {self.train_rows} train rows have no twin: the "
                     "sweep draws its rows from the twinned ones first, and a replaced row "
                     "without a twin takes a spare (the twin of a train row outside the pool, "
                     "then a row without a source), counted in notebook 01")
        return line


@dataclass
class SyntheticFile:
    """The usable synthetic rows of a file, matched to a dataset's human rows.

    ``rows``: the unified columns plus ``source_row_id`` (the human row a twin is of; "" for
    a row without a source), ``attempt`` (0) and ``matched_by`` ("source_id", "context" or
    ""), twins first in file order, then the rows without a source in file order."""

    path: Path
    generator_id: str
    rows: pd.DataFrame
    report: SyntheticReport
    said: bool = False  # whether this process printed the report

    @property
    def twins(self) -> pd.DataFrame:
        """The rows with a source (one per human train row)."""
        return self.rows[self.rows["source_row_id"] != ""]

    @property
    def without_source(self) -> pd.DataFrame:
        return self.rows[self.rows["source_row_id"] == ""]

    def twins_of(self, rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The twins of ``rows`` (in the order of ``rows``) and generation-like stats: nothing
        generated or sent; ``from_file`` twins found; ``missing`` rows without one."""
        from littlehuman.generation.generate import twins_in_order

        found = twins_in_order(self.twins, rows)
        stats = {"requested": 0, "generated": 0, "missing": len(rows) - len(found),
                 "unparseable": 0, "reasked": 0, "unusable_replies": 0, "cache_hits": 0,
                 "calls": 0, "label_mismatch": 0, "from_file": len(found),
                 "synthetic_file": str(self.path)}
        return found, stats


def load_synthetic(path: str | Path, human: pd.DataFrame, task: str,
                   dataset: str) -> SyntheticFile:
    """Read, validate and match the synthetic file ``path`` against ``human`` (a dataset's
    unified rows, every split). A LittleHumanError in one line names every bad row (the first
    three, and how many): the custom loader's problems (missing column, bad label, empty
    text, duplicate id...) and source_ids that name no human row."""
    path = Path(path).expanduser()
    read = files.read_rows(path, folders=False)  # no such file, empty, unreadable
    unit, header, records = read.unit, read.header, read.records
    gen_id = _id_of(path)  # the file was checked just now
    rename = custom._rename(header, {}, path, known=custom.KNOWN + (SOURCE,))
    custom._task(set(rename.values()), task, header, path,  # the dataset's task: its columns
                 advice="rename them in the file (--columns does not apply to a --synthetic file)")
    where: list[str] = []
    rows, problems = custom._validate(records, rename, task, f"syn:{gen_id}", unit,
                                      extra=(SOURCE,), positions=where)
    known = set(human["row_id"].astype(str))
    for row, pos in zip(rows, where):
        source = str(row[SOURCE])
        if source and source not in known and f"{dataset}:{source}" not in known:
            example = str(human["row_id"].iloc[0]) if len(human) else ""
            problems.append(f"{pos}: column 'source_id': no human row {custom._show(source)} "
                            f"(give a row's id, or its row_id, e.g. {example!r})")
    if problems:
        problems.sort(key=_position)
        more = "; ..." if len(problems) > custom.SHOWN_PROBLEMS else ""
        raise LittleHumanError(
            f"{path.name}: {len(problems)} bad synthetic row(s) of {len(records)}: "
            f"{'; '.join(problems[:custom.SHOWN_PROBLEMS])}{more}: fix them (the columns of "
            f"--dataset FILE for {task.upper()}, plus an optional source_id naming the human "
            "row each was made from; --skip-bad-rows applies to the human rows only)")
    report = SyntheticReport(dataset, str(path), gen_id, len(records))
    matched = _match(rows, human, task, dataset, report)
    return SyntheticFile(path, gen_id, matched, report)


def _position(problem: str) -> int:
    found = re.match(r"\D*(\d+)", problem)
    return int(found.group(1)) if found else 0


_PTB = re.compile(r"-[lr][rsc]b-", re.IGNORECASE)  # FEVER's -LRB- / -RSB- ... tokens
_WORD = re.compile(r"\w+")


def _context_key(text: object) -> str:
    """A context as matching sees it: its words, lower-cased, without punctuation, spacing or
    FEVER's bracket tokens (another copy of a release may restore or keep them)."""
    return " ".join(_WORD.findall(_PTB.sub(" ", str(text)).lower()))


def _match(rows: list[dict[str, Any]], human: pd.DataFrame, task: str, dataset: str,
           report: SyntheticReport) -> pd.DataFrame:
    """Each synthetic row's source (see the module docstring), counted in ``report``."""
    split = dict(zip(human["row_id"].astype(str), human["split"].astype(str)))
    ctx_id = dict(zip(human["row_id"].astype(str), human["context_id"].astype(str)))
    train = human[human["split"] == "train"].sort_values("row_id", kind="stable")
    report.train_rows = len(train)
    by_text: dict[str, list[str]] = {}
    by_id: dict[str, list[str]] = {}
    for row_id, cid, text in zip(train["row_id"].astype(str), train["context_id"].astype(str),
                                 train["context"]):
        by_text.setdefault(_context_key(text), []).append(row_id)
        by_id.setdefault(cid, []).append(row_id)
    labels = (dict(zip(train["row_id"].astype(str), train["label"].astype(int)))
              if task == "fv" else {})
    evaluation = human[human["split"] != "train"]
    eval_text = {_context_key(t) for t in evaluation["context"]}
    eval_ids = set(evaluation["context_id"].astype(str))

    taken: set[str] = set()
    sources: list[str] = [""] * len(rows)
    how: list[str] = [""] * len(rows)
    keep = [True] * len(rows)
    pending: list[int] = []  # rows to match by context
    for i, row in enumerate(rows):
        if row.get("split", "train") != "train":
            keep[i] = False
            report.left_out_split += 1
            continue
        source = str(row[SOURCE])
        if not source:
            pending.append(i)
            continue
        source = source if source in split else f"{dataset}:{source}"
        if split[source] != "train":
            keep[i] = False
            report.left_out_eval += 1
        elif source in taken:
            report.second_for_a_source += 1
        else:
            taken.add(source)
            sources[i], how[i] = source, "source_id"
    # by context: FV pairs equal labels first, then any free row of the context
    for same_label in ((True, False) if task == "fv" else (False,)):
        for i in pending:
            if sources[i] or not keep[i]:
                continue
            row = rows[i]
            given = str(row["context_id"])
            candidates = by_id.get(given) or by_text.get(_context_key(row["context"]), [])
            if not candidates:
                if given in eval_ids or _context_key(row["context"]) in eval_text:
                    keep[i] = False
                    report.left_out_eval += 1
                continue
            free = [c for c in candidates if c not in taken
                    and (not same_label or labels.get(c) == int(row["label"]))]
            if free:
                taken.add(free[0])
                sources[i], how[i] = free[0], "context"
    out = []
    for i, row in enumerate(rows):
        if not keep[i]:
            continue
        record = {c: row[c] for c in schema.columns(task) if c in row}
        record.update(dataset=dataset, split="train", source_row_id=sources[i], attempt=0,
                      matched_by=how[i])
        if sources[i]:
            record["context_id"] = ctx_id[sources[i]]  # a twin shares its source's context
        out.append(record)
    frame = pd.DataFrame(out, columns=schema.columns(task) + ["source_row_id", "attempt",
                                                              "matched_by"])
    frame = frame.astype({"attempt": "int64", "source_row_id": str, "row_id": str,
                          "context_id": str, "meta": str})
    if task == "fv":
        frame = frame.astype({"label": "int64"})
    frame = pd.concat([frame[frame["source_row_id"] != ""], frame[frame["source_row_id"] == ""]],
                      ignore_index=True)
    report.twins_by_source_id = int((frame["matched_by"] == "source_id").sum())
    report.twins_by_context = int((frame["matched_by"] == "context").sum())
    report.without_source = int((frame["source_row_id"] == "").sum())
    report.train_without = report.train_rows - report.twins
    return frame


# --------------------------------------------------------------------------- on disk
def store(found: SyntheticFile, target: Path) -> str | None:
    """Write the matched rows to ``target`` (the twins' parquet file, named by the generator
    id, which the notebooks and the report freshness look for) when its content differs, and
    record the file's generator id by path beside it (:data:`FILES_RECORD`). Returns a note
    when the same path had another generator id before (the file was edited since), else
    None."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        same = pd.read_parquet(target).equals(found.rows)
    except Exception:  # noqa: BLE001 - absent, torn or foreign: (re)written
        same = False
    if not same:
        atomic_write(target, lambda handle: found.rows.to_parquet(handle, index=False))
    record = target.parent / FILES_RECORD
    seen = read_json_object(record) or {}
    key = str(found.path.resolve())
    before = seen.get(key)
    if before != found.generator_id:
        seen[key] = found.generator_id
        text = json.dumps(seen, indent=1) + "\n"
        atomic_write(record, lambda handle: handle.write(text.encode("utf-8")))
    if before and before != found.generator_id:
        return (f"[{found.report.dataset}] {key} changed since it was last used (generator id "
                f"{before} -> {found.generator_id}): this run's twins and runs are new, under "
                f"{found.generator_id}; those of the old content stay stored under {before} "
                "and are not mixed in")
    return None
