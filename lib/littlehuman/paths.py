"""Where littlehuman reads raw files and writes caches and outputs.

- Project root: ``LITTLEHUMAN_HOME`` if set, else the checkout that holds this package
  (the folder with ``run_all.py``), else the current directory.
- Raw data: an explicit ``data_dir`` argument, else ``LITTLEHUMAN_DATA_DIR``, else
  ``<root>/data/raw``. It is laid out like ``shared/data``: one folder per dataset.
- Caches: ``<root>/data/{processed,synthetic,runs}``; reports: ``<root>/outputs``.
"""
from __future__ import annotations

import glob
import json
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, TypeVar

from littlehuman.errors import LittleHumanError

R = TypeVar("R")


def project_root() -> Path:
    """The folder that holds ``data/`` and ``outputs/``."""
    env = os.environ.get("LITTLEHUMAN_HOME")
    if env:
        return Path(env).expanduser().resolve()
    here = Path(__file__).resolve().parents[2]
    if (here / "run_all.py").exists():
        return here
    return Path.cwd().resolve()


def read_json_object(path: Path) -> dict | None:
    """A JSON object this package wrote (a summary, digests, a record of files), or None when
    the file is missing, unreadable, torn or holds something other than an object."""
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def cache_dir() -> Path:
    """``<root>/data``: processed splits, synthetic data, generation cache, run records."""
    return project_root() / "data"


def outputs_dir() -> Path:
    return project_root() / "outputs"


def raw_data_dir(data_dir: str | os.PathLike | None = None, must_exist: bool = True) -> Path:
    """Resolve the folder of raw release files (one sub-folder per dataset). A folder the
    user named (``data_dir``, ``LITTLEHUMAN_DATA_DIR``) must exist with ``must_exist`` (a typo
    is said at once); the default ``data/raw`` is where downloads go, and before the first one
    it is merely empty: each dataset then says which files it lacks and how to get them."""
    if data_dir is not None:
        path, origin = Path(data_dir), "--data-dir"
    elif os.environ.get("LITTLEHUMAN_DATA_DIR"):
        path, origin = Path(os.environ["LITTLEHUMAN_DATA_DIR"]), "LITTLEHUMAN_DATA_DIR"
    else:
        path, origin = cache_dir() / "raw", "the default data/raw"
    path = path.expanduser().resolve()
    if must_exist and not path.is_dir() and (origin != "the default data/raw" or path.exists()):
        raise LittleHumanError(
            f"data directory {path} (from {origin}) "
            f"{'is not a folder' if path.exists() else 'does not exist'}: point --data-dir or "
            "LITTLEHUMAN_DATA_DIR at the folder holding the raw releases, one folder per "
            "dataset (docs/datasets.md), or run "
            "`python run_all.py --fetch DATASET` to download the raw files"
        )
    return path


def new_file_mode() -> int:
    """The mode ``open`` gives a new file here: 0666 less this process's umask (read from
    /proc where it can be, since setting the umask to read it races with other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


#: a temp file or folder older than this is a killed writer's, not a live one's
STALE_TEMP_S = 3600.0


def remove_stale(folder: Path, pattern: str, older_than_s: float = STALE_TEMP_S) -> None:
    """Remove what matches ``pattern`` in ``folder`` and was last changed more than
    ``older_than_s`` ago: the temp files and folders a writer killed mid-write left (a
    reviewer found 1.2 MB copies of a dataset's rows that no later run removed). A live
    writer's are younger; anything that cannot be removed is left."""
    import shutil
    import time

    limit = time.time() - older_than_s
    for stale in folder.glob(pattern):
        try:
            if stale.lstat().st_mtime >= limit:
                continue
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink()
        except OSError:
            continue


def atomic_write(path: Path, write: Callable[[BinaryIO], R], *, suffix: str = ".tmp",
                 mode: int | None = None, exclusive: bool = False) -> R:
    """Write ``path`` through a temp file in its folder, fsync, then rename over it; return
    what ``write`` returned. The temp file (``.<name>.<random><suffix>``) is deleted when
    ``write`` or the rename fails, so ``path`` is either untouched or whole. ``mode``, when
    given, is set on the file before the rename; by default it gets what ``open`` would give
    a new file (0666 less the umask: readable by a shared store's group), not ``mkstemp``'s
    owner-only 0600. ``exclusive``: create ``path`` only if it does not exist (a hard link,
    atomic on local and NFS filesystems alike), else raise ``FileExistsError``; of several
    processes writing the same new path at once, exactly one succeeds."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, new_file_mode() if mode is None else mode)
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:  # NFS may answer a retried link that did succeed so
                if os.stat(tmp).st_nlink != 2:  # (open(2)): the link count tells
                    raise
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # a killed writer's temps
    remove_stale(path.parent, f".{glob.escape(path.name)}.*{glob.escape(suffix)}")
    try:  # make the rename itself durable (not possible on every platform)
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return result
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return result
