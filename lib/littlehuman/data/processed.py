"""The cache of processed splits: ``data/processed/<dataset>/rows.parquet`` + ``manifest.json``.

The manifest records the sha256 of every source file the loader read, the loader's version
(a digest of the source code of the loader and of the data modules it uses, so editing a
loader, the schema or a shared reader rebuilds), the rows per split, the loader's notes
(``attrs[schema.NOTES]``: a partial release...) and the parquet's own digest. A load whose sources and loader match the manifest reads the parquet; anything else
rebuilds. Writes go to a temporary folder and are moved into place, so a crash never leaves
a half-written cache that looks valid.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from littlehuman import paths
from littlehuman.data import schema
from littlehuman.data.files import sha256

MANIFEST = "manifest.json"
ROWS = "rows.parquet"


def loader_version(module: ModuleType) -> str:
    """A digest of the source code of the loader module, the schema and every other
    ``littlehuman.data`` module the loader uses (``release``'s readers...)."""
    used = {module.__name__: module, schema.__name__: schema}
    for value in vars(module).values():
        dep = value if inspect.ismodule(value) else inspect.getmodule(value)
        if dep is not None and dep.__name__.startswith(f"{schema.__package__}."):
            used[dep.__name__] = dep
    text = "".join(inspect.getsource(used[name]) for name in sorted(used))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def source_digests(files: list[Path], raw_dir: Path) -> dict[str, str]:
    """The sha256 of each raw file, by its path under ``raw_dir`` (as given when outside it):
    a processed split is rebuilt when one of them changes."""
    out = {}
    for f in sorted(files):
        try:
            rel = str(Path(f).resolve().relative_to(raw_dir.resolve()))
        except ValueError:
            rel = str(f)
        out[rel] = sha256(Path(f))
    return out


def read_if_fresh(folder: Path, expected: dict[str, Any]) -> pd.DataFrame | None:
    """The cached frame when its manifest matches ``expected`` (sources, loader, seed)."""
    manifest_path, rows_path = folder / MANIFEST, folder / ROWS
    if not (manifest_path.exists() and rows_path.exists()):
        return None
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    for key, value in expected.items():
        if manifest.get(key) != value:
            return None
    if manifest.get("rows_sha256") != sha256(rows_path):
        return None
    df = pd.read_parquet(rows_path)
    notes = manifest.get("notes")
    df.attrs = {schema.NOTES: [str(n) for n in notes]} if isinstance(notes, list) and notes else {}
    return df


def write(folder: Path, df: pd.DataFrame, manifest: dict[str, Any]) -> None:
    """Atomically replace the cached frame and manifest in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths.remove_stale(folder, ".tmp-*")  # a killed writer's copy of the rows
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
    try:
        df.to_parquet(tmp / ROWS, index=False)
        counts = df["split"].value_counts()
        manifest = {
            **manifest,
            "rows": {s: int(counts.get(s, 0)) for s in schema.SPLITS},
            "notes": list(df.attrs.get(schema.NOTES, [])),
            "columns": list(df.columns),
            "rows_sha256": sha256(tmp / ROWS),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        for name in (ROWS, MANIFEST):  # rows first: a manifest never points at old rows
            with open(tmp / name, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp / name, folder / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
