"""SciFact (Wadden et al., 2020) as claim/abstract entailment, from the original release files.

Rebuilds HF ``allenai/scifact_entailment`` (the authors' source) from ``claims_train.jsonl``,
``claims_dev.jsonl`` and the corpus: one row per (claim, cited abstract); verdict = that
abstract's evidence label, NEI when it has none; SUPPORT -> 1, CONTRADICT and NEI -> 0.
Context = title + " " + the abstract sentences joined by spaces; context_id = the doc id.
claims_train is split 80/20 into train/valid grouped by abstract; claims_dev is test
(``claims_test.jsonl`` has no labels and is not read). A doc cited twice by one claim gives
one row.

The corpus is the original ``corpus.jsonl`` or, when that is absent, ``corpus_train.csv`` (a
pandas export of HF ``allenai/scifact`` whose ``abstract`` cells are numpy-array reprs such
as ``['first' "it's second"]``).
"""
from __future__ import annotations

import ast
import io
import json
import tokenize
from pathlib import Path

import pandas as pd

from littlehuman.data import schema, sources
from littlehuman.data.release import parse_lines
from littlehuman.errors import LittleHumanError

NAME = "scifact"
TASK = "fv"
CLAIMS: dict[str, str] = {"claims_train.jsonl": "train", "claims_dev.jsonl": "test"}
CORPORA = ("corpus.jsonl", "corpus_train.csv")
REMOTE = sources.REMOTE[NAME]
URL = REMOTE[0].url  # the official data.tar.gz


def source_files(raw_dir: Path) -> list[Path]:
    """The two claims files and the corpus; a LittleHumanError names any that is missing."""
    raw_dir = Path(raw_dir)
    missing = [f for f in CLAIMS if not (raw_dir / f).is_file()]
    corpus = next((raw_dir / c for c in CORPORA if (raw_dir / c).is_file()), None)
    if corpus is None:
        missing.append(f"{CORPORA[0]} (or {CORPORA[1]})")
    if missing:
        raise LittleHumanError(
            f"scifact: missing {', '.join(missing)} in {raw_dir}: run `python run_all.py --fetch "
            f"scifact`, or download {URL}, unpack it and put claims_train.jsonl, "
            f"claims_dev.jsonl and corpus.jsonl in {raw_dir}/"
        )
    return [raw_dir / f for f in CLAIMS] + [corpus]


def parse_array_repr(cell: object) -> list[str]:
    """The strings of a numpy-array repr cell (``['a' 'b']``, no commas, mixed quoting).

    Each STRING token is evaluated on its own: ``ast.literal_eval`` of the whole cell would
    concatenate adjacent literals into one string.
    """
    if not isinstance(cell, str):
        return []
    tokens = tokenize.generate_tokens(io.StringIO(cell).readline)
    return [ast.literal_eval(t.string) for t in tokens if t.type == tokenize.STRING]


def _context(title: object, abstract: object) -> str:
    if not isinstance(abstract, list):
        raise TypeError(f"abstract is {type(abstract).__name__}, not a list of sentences")
    return schema.clean_text(f"{title} {' '.join(abstract)}")


def _read_corpus(path: Path) -> dict[str, str]:
    """doc id -> context (title + " " + abstract sentences)."""
    try:
        if path.suffix == ".csv":
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
            docs = zip(df["doc_id"], df["title"], (parse_array_repr(a) for a in df["abstract"]))
        else:
            with open(path, encoding="utf-8") as f:
                rows = [json.loads(line) for line in f if line.strip()]
            docs = ((r["doc_id"], r["title"], r["abstract"]) for r in rows)
        return {str(d): _context(t, a) for d, t, a in docs}
    except (RecursionError, KeyError, TypeError, ValueError, SyntaxError,
            tokenize.TokenError) as e:
        raise LittleHumanError(
            f"scifact: {path} is not a SciFact corpus ({type(e).__name__}: {e}): replace it "
            f"with corpus.jsonl from {URL}"
        ) from e


def _read_claims(path: Path, split: str, corpus: dict[str, str]) -> list[dict[str, object]]:
    def parse(claim: dict) -> list[dict[str, object]]:
        """One row per distinct cited doc: its evidence label, or NEI when it has none."""
        evidence, out = claim.get("evidence") or {}, []
        for doc in dict.fromkeys(str(d) for d in claim.get("cited_doc_ids") or []):
            verdict = evidence[doc][0]["label"] if evidence.get(doc) else "NEI"
            label = schema.label_from_word(verdict)
            if label is None:
                raise ValueError(f"unknown evidence label {verdict!r}")
            if doc not in corpus:
                raise LittleHumanError(f"scifact: doc {doc} cited by claim {claim['id']} in "
                                       f"{path} is not in the corpus: replace the corpus with "
                                       f"corpus.jsonl from {URL}")
            out.append({"row_id": f"scifact:{claim['id']}:{doc}", "split": split,
                        "context_id": doc, "context": corpus[doc], "claim": claim["claim"],
                        "label": label})
        return out

    lines = parse_lines(path, parse, "scifact", "a SciFact claim",
                        f"replace the file with the official release ({URL})")
    return [row for _, rows in lines for row in rows]


def load_raw(raw_dir: Path, seed: int = 42) -> pd.DataFrame:
    """All SciFact entailment rows (train/valid from claims_train, test from claims_dev)."""
    *claim_files, corpus_file = source_files(raw_dir)
    corpus = _read_corpus(corpus_file)
    rows = [r for p in claim_files for r in _read_claims(p, CLAIMS[p.name], corpus)]
    df = pd.DataFrame(rows, columns=["row_id", "split", "context_id", "context", "claim", "label"])
    train = (df["split"] == "train").to_numpy()
    df.loc[train, "split"] = schema.assign_train_valid(
        df.loc[train, "context_id"], schema.stable_seed(NAME, seed))
    return schema.finalize(df, NAME, TASK, sources={"train": [claim_files[0], corpus_file],
                                                    "test": [claim_files[1], corpus_file]})
