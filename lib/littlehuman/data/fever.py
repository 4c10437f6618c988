"""FEVER with gold evidence, from either of two release formats.

- ``copenlu/fever_gold_evidence`` (the authors' source): ``train.jsonl``,
  ``validation.jsonl`` (or ``valid.jsonl``, its name on the hub) and ``test.jsonl``; each
  ``evidence`` item is a ``[page_title, sent_id, sentence_text]`` triple. As the authors:
  train sampled to 30%, validation -> valid and test -> test each sampled to 25%.
- FEVER-lite (J. Thorne; as in ``shared/data/fever``): ``validation.jsonl`` + ``test.jsonl``,
  ``evidence`` a list of sentence strings, no train file. ``validation.jsonl`` is the training
  pool, split 80/20 into train/valid grouped by context; ``test.jsonl`` sampled to 25% is test.

A ``train.jsonl`` selects the first layout; each evidence item is read by its own type.
Context = the evidence sentences one per line, ``-LRB-``/``-RRB-`` -> ``(``/``)`` (only those
two, as the authors). SUPPORTS -> 1; REFUTES and NOT ENOUGH INFO -> 0. context_id = a short
hash of the context; row_id = ``fever:<file stem>:<line index>``. Rows with no evidence text
are dropped before sampling.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from littlehuman.data import schema, sources
from littlehuman.data.release import parse_lines
from littlehuman.errors import LittleHumanError

NAME = "fever"
TASK = "fv"
COPENLU_URL = "https://huggingface.co/datasets/copenlu/fever_gold_evidence"
REMOTE = sources.REMOTE[NAME]  # FEVER-lite; copenlu has no file release to fetch
LITE_URL = REMOTE[0].url.rsplit("/", 1)[0] + "/"
VALID_NAMES = ("validation.jsonl", "valid.jsonl")


def _layout(raw_dir: Path) -> list[Path]:
    """The files of the layout present in ``raw_dir`` (copenlu when train.jsonl exists)."""
    if (raw_dir / "train.jsonl").is_file():
        valid = next((raw_dir / n for n in VALID_NAMES if (raw_dir / n).is_file()),
                     raw_dir / VALID_NAMES[0])
        return [raw_dir / "train.jsonl", valid, raw_dir / "test.jsonl"]
    return [raw_dir / "validation.jsonl", raw_dir / "test.jsonl"]


def source_files(raw_dir: Path) -> list[Path]:
    """The release files a load reads; a LittleHumanError names any that is missing."""
    raw_dir = Path(raw_dir)
    files = _layout(raw_dir)
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise LittleHumanError(
            f"fever: missing {', '.join(missing)} in {raw_dir}: run `python run_all.py --fetch "
            f"fever` (FEVER-lite validation.jsonl + test.jsonl, from {LITE_URL}), or download "
            f"train.jsonl, valid.jsonl and test.jsonl of {COPENLU_URL}, and put them in {raw_dir}/"
        )
    return files


def _sentence(item: object) -> str:
    """The text of one evidence item: a sentence string, or a [title, sent_id, text] triple."""
    if isinstance(item, str):
        return item
    if isinstance(item, (list, tuple)) and len(item) >= 3:
        return "" if item[2] is None else str(item[2])
    raise ValueError(f"evidence item {item!r} is neither a string nor a [title, id, text] triple")


def _context(evidence: object) -> str:
    if not isinstance(evidence, list):
        raise ValueError(f"evidence is {type(evidence).__name__}, not a list")
    text = "\n".join(_sentence(e) for e in evidence)
    return schema.clean_text(text.replace("-LRB-", "(").replace("-RRB-", ")"))


def _parse(r: dict) -> tuple[str, str, int]:
    context, claim = _context(r["evidence"]), schema.clean_text(r["claim"])
    label = schema.label_from_word(r["label"])
    if label is None:
        raise ValueError(f"unknown label {r['label']!r}")
    return context, claim, label


def _read(path: Path) -> pd.DataFrame:
    """One release file as rows (split not yet set); rows without evidence text dropped."""
    rows = []
    for i, (context, claim, label) in parse_lines(
            path, _parse, "fever", "a FEVER row",
            "replace the file with the FEVER-lite or copenlu/fever_gold_evidence release"):
        if context and claim:
            rows.append({"row_id": f"fever:{path.stem}:{i}",
                         "context_id": f"fever:{schema.short_hash(context)}",
                         "context": context, "claim": claim, "label": label})
    return pd.DataFrame(rows, columns=["row_id", "context_id", "context", "claim", "label"])


def load_raw(
    raw_dir: Path,
    seed: int = 42,
    *,
    train_frac: float = 0.3,
    valid_frac: float = 0.25,
    test_frac: float = 0.25,
) -> pd.DataFrame:
    """All FEVER rows in the unified FV schema.

    The fractions sample each release split (seeded): copenlu train/validation/test by
    ``train_frac``/``valid_frac``/``test_frac``; FEVER-lite keeps its whole training pool
    (split 80/20) and samples test by ``test_frac``.
    """
    files = source_files(raw_dir)
    parts = []
    if len(files) == 3:
        for path, split, frac in zip(files, schema.SPLITS, (train_frac, valid_frac, test_frac)):
            part = schema.subsample(_read(path), frac, schema.stable_seed(NAME, split, seed))
            parts.append(part.assign(split=split))
    else:
        pool = _read(files[0])
        parts.append(pool.assign(split=schema.assign_train_valid(
            pool["context_id"], schema.stable_seed(NAME, "train_valid", seed))))
        test = schema.subsample(_read(files[1]), test_frac, schema.stable_seed(NAME, "test", seed))
        parts.append(test.assign(split="test"))
    return schema.finalize(pd.concat(parts, ignore_index=True), NAME, TASK,
                           sources={"train": files[0], "test": files[-1]})
