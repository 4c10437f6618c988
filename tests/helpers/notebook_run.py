"""Test helper: a notebook run as JupyterLab's "Run All" would run it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def execute_directly(name: str, home: Path, data_dir: Path) -> tuple[Any, Exception | None]:
    """Run notebook ``name`` as JupyterLab's "Run All" would: from notebooks/, its default
    parameters, a kernel of this environment: (the executed notebook, the failed cell's error
    or None)."""
    import nbclient
    import nbformat

    nb = nbformat.read(REPO / "notebooks" / name, as_version=4)
    env = {"LITTLEHUMAN_HOME": str(home), "LITTLEHUMAN_DATA_DIR": str(data_dir)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                         resources={"metadata": {"path": str(REPO / "notebooks")}})
        try:
            client.execute()
            return nb, None
        except nbclient.exceptions.CellExecutionError as exc:
            return nb, exc
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
