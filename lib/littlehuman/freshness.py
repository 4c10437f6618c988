"""Whether an executed notebook is still what it would show now (Quarto's ``freeze: auto``,
jupyter-cache): a digest of everything it reads, kept beside the reports in
``notebook_digests.json``. A notebook is re-executed only when its digest changed:

- its own source (the ``.ipynb`` in ``notebooks/``) and its papermill parameters;
- the package's code (every ``.py`` file of ``littlehuman``), the versions of the libraries
  that compute and draw the reports (pandas, plotly, nbconvert...) and whether HTML is rendered;
- the caches of its dataset that the notebooks read: processed splits, synthetic twins, the
  generation cache and the run records (``data/{processed,synthetic,generation,runs}``), by
  path, size and modification time (lock and temporary files left out). Given the report's
  own twins (its generator id) and run folders, only those: another configuration of the
  same dataset, run since, no longer re-executes every page (the generation cache, which
  every generator of the dataset appends to, is then left out: its twins stand for it).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from littlehuman import paths

DIGESTS_FILE = "notebook_digests.json"
_PACKAGE = Path(__file__).resolve().parent


def _sha(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


#: the libraries whose upgrade can change what a report shows (its numbers, tables, figures)
REPORT_LIBRARIES = ("numpy", "pandas", "scipy", "plotly", "nbconvert", "papermill",
                    "scikit-learn", "sacrebleu", "rouge-score", "bert-score")


def library_versions(names: Iterable[str] = REPORT_LIBRARIES) -> dict[str, str]:
    """The installed version of each library (``"-"`` when absent)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "-"
    return out


def code_digest(package: Path = _PACKAGE) -> str:
    """The content of every ``.py`` file of the package, by relative path, and the versions
    of the libraries the reports are computed and drawn with (:data:`REPORT_LIBRARIES`)."""
    files = sorted(package.rglob("*.py"))
    versions = json.dumps(library_versions(), sort_keys=True).encode()
    return _sha([versions, *(b for f in files
                             for b in (str(f.relative_to(package)).encode(), f.read_bytes()))])


def _is_input(path: Path) -> bool:
    name = path.name
    return path.is_file() and not (name.endswith(".lock") or name.startswith(".")
                                   or ".tmp" in name)


def data_fingerprint(dataset: str, data_root: Path | None = None,
                     generator_id: str | None = None,
                     run_folders: Iterable[Path] | None = None) -> str:
    """The caches of ``dataset`` the notebooks read, by path, size and mtime (cheap: no file is
    read, so thousands of run records cost milliseconds): all of them, or, given
    ``generator_id`` and ``run_folders``, one configuration's (its twins' files and its runs'
    folders, finished or not)."""
    root = data_root or paths.cache_dir()
    places = [root / "processed" / dataset]
    if generator_id is None or run_folders is None:
        places += [root / "synthetic" / dataset, root / "generation" / f"{dataset}.jsonl",
                   root / "runs" / dataset]
    else:  # <generator_id>.parquet, .bill.json, .parsed.json
        places += sorted((root / "synthetic" / dataset).glob(f"{generator_id}.*"))
        places += sorted(set(run_folders))
    entries = []
    for place in places:
        files = [place] if place.is_file() else sorted(place.rglob("*")) if place.is_dir() else []
        for f in files:
            if _is_input(f):
                st = f.stat()
                entries.append(f"{f.relative_to(root)}\t{st.st_size}\t{st.st_mtime_ns}".encode())
    return _sha(entries)


#: the profile's settings that name a file whose content a page shows (a price table, the
#: user's synthetic rows, chain-of-thought examples)
NAMED_FILES = ("prices", "synthetic", "cot_examples")


def named_files_digest(profile: Any) -> str:
    """The content of the files the profile's :data:`NAMED_FILES` settings name (a missing
    one as missing): an edited ``--prices`` file at the same path kept page 01's old bill (a
    reviewer's find)."""
    entries = []
    for field in NAMED_FILES:
        name = getattr(profile, field, "") or ""
        if name:
            path = Path(name)
            entries.append(f"{field}\t{name}".encode())
            entries.append(path.read_bytes() if path.is_file() else b"<missing>")
    return _sha(entries)


def notebook_digest(notebook: Path, parameters: dict[str, Any], html: bool | str, code: str,
                    data: str) -> str:
    """One notebook's digest: its source, parameters, HTML or not (and how it gets plotly.js,
    when ``html`` names the mode), the code and data digests."""
    params = json.dumps(parameters, sort_keys=True, default=str).encode()
    how = str(html if isinstance(html, str) else bool(html)).encode()
    return _sha([notebook.read_bytes(), params, how, code.encode(), data.encode()])


def read_digests(out_dir: Path) -> dict[str, str]:
    """The digests the last successful execution wrote (empty when none or unreadable)."""
    return paths.read_json_object(out_dir / DIGESTS_FILE) or {}


def stale(notebooks: dict[str, str], digests: dict[str, str], previous: dict[str, str],
          out_dir: Path, html: bool) -> list[str]:
    """The notebooks (``{key: file name}``) to execute again: digest changed, or its executed
    notebook (or HTML) is missing."""
    def present(name: str) -> bool:
        files = [out_dir / name] + ([(out_dir / name).with_suffix(".html")] if html else [])
        return all(f.exists() for f in files) and (out_dir / "summary.json").exists()

    return [key for key, name in notebooks.items()
            if previous.get(name) != digests[name] or not present(name)]
