"""The README's and docs/'s commands, paths and links against the code: a renamed flag, a bad
value, a moved file or a broken link in the documentation fails here instead of in a user's
terminal."""
from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import shlex
from pathlib import Path

import pytest

from littlehuman import config
from littlehuman.cli import advise_argv, build_parser, check_modes

ROOT = Path(__file__).resolve().parents[1]
#: the README and the pages of docs/ it links to, read as one text
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README = "\n".join(page.read_text() for page in PAGES)
FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
#: a command of ours: environment settings, srun and python before run_all.py, or littlehuman
COMMAND = re.compile(r"^(?:\w+=\S*\s+)*(?:srun\s.*?)?(?:\S*python\S*\s+)?"
                     r"(?:run_all\.py|littlehuman)\s+(.*)")
#: flags of other programs that the README names (pip, pytest, SLURM, Chromium)
#: flags of other programs that the README names: pip, pytest, SLURM (srun, scancel),
#: Chromium, ``transformers serve``
FOREIGN_FLAGS = {"--extra-index-url", "--no-compile", "--target", "--dist", "--gres",
                 "--gpus-per-node", "--mem", "--signal", "--allow-root", "--head", "--host",
                 "--port", "--device"}
#: a benchmark that hands what follows `` -- `` to another one
FORWARDS = {"gpu_machine.py": "gpu_check.py"}


def _code_lines() -> list[str]:
    """Each command of the README's fenced blocks (continuation lines joined, comments and
    prompts dropped) and each inline code span (line breaks inside it read as spaces)."""
    lines = []
    for block in FENCED.findall(README):
        lines += block.replace("\\\n", " ").splitlines()
    prose = FENCED.sub("", README)
    lines += [span.replace("\n", " ") for span in re.findall(r"`([^`]+)`", prose)]
    return [line.split(" #")[0].strip().lstrip("$ ") for line in lines]


def _run_all_commands() -> list[list[str]]:
    """The arguments of every ``run_all.py`` / ``littlehuman`` command with flags in the
    README (a command's own words only: what follows ``run_all.py`` up to a pipe or ``&&``)."""
    out = []
    for line in _code_lines():
        m = COMMAND.match(line)
        if not m or "--" not in m.group(1) and not m.group(1).startswith("advise"):
            continue
        words = shlex.split(re.split(r"\s(?:\||&&|;|>)\s?", m.group(1))[0])
        if words and not words[0].startswith(("-", "advise")):
            continue  # prose such as "run_all.py reads it"
        out.append(words)
    return out


COMMANDS = _run_all_commands()


def test_the_readme_has_run_all_commands_to_check():
    assert len(COMMANDS) > 30, COMMANDS  # the reader found them: a broken regex finds none


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a)[:60] for a in COMMANDS])
def test_every_run_all_command_in_the_readme_parses_and_its_settings_are_valid(
        argv, tmp_path, monkeypatch):
    """The command line as written: its flags exist, its values are accepted by the profile
    (choices, types, ranges) and its flags may go together (the files it names are made
    empty, so that a path reads as the user's own dataset)."""
    monkeypatch.chdir(tmp_path)
    if argv[:1] == ["advise"]:
        argv = advise_argv(argv)
    if "--help" in argv:
        return  # prints and exits 0: nothing else to check
    if "--dataset" in argv:
        for part in argv[argv.index("--dataset") + 1].split(","):
            path = tmp_path / part.split("=")[-1]
            if "/" in part or "." in part:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.mkdir() if part.endswith("/") else path.touch()
    args = build_parser().parse_args(argv)
    overrides = {k[4:]: v for k, v in vars(args).items()
                 if k.startswith("set_") and v is not None and k != "set_synthetic"}
    config.check_chosen(config.profile(args.profile, **overrides), overrides)
    check_modes(args)


def _bench_flags() -> dict[str, set[str]]:
    """Per ``bench/*.py``, the option strings its parser declares (read from its source)."""
    flags: dict[str, set[str]] = {}
    for path in sorted((ROOT / "bench").glob("*.py")):
        found = flags.setdefault(path.name, set())
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "add_argument"):
                found |= {a.value for a in node.args if isinstance(a, ast.Constant)
                          and str(a.value).startswith("--")}
    return flags


def test_every_flag_the_readme_gives_a_benchmark_is_the_benchmarks_own():
    bench = _bench_flags()
    wrong = []
    for line in _code_lines():
        for m in re.finditer(r"bench/(\w+\.py)((?:\s+[^\s/]+)*)", line):
            name, words = m.group(1), f"{m.group(2)} ".split(" -- ")
            for script, part in zip((name, FORWARDS.get(name)), words):
                given = set(re.findall(r"(?<!\S)(--[a-z][a-z0-9-]*)", part))
                wrong += [f"{script} {f}" for f in given - bench.get(script or "", set())]
    assert not wrong, wrong


def test_every_flag_in_the_readme_exists_somewhere():
    """A flag in prose is run_all.py's, a benchmark's or another program's (pip, pytest,
    SLURM): none is left over from a rename."""
    ours = {o for a in build_parser()._actions for o in a.option_strings}
    known = ours | set().union(*_bench_flags().values()) | FOREIGN_FLAGS
    unknown = sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", README)) - known)
    assert not unknown, unknown


def test_every_repository_path_the_readme_names_exists():
    paths = set(re.findall(r"(?<![\w./-])((?:lib|bench|tests|notebooks|docs|\.ci)/[\w./-]*\w)",
                           README))
    missing = sorted(p for p in paths if "<" not in p and not (ROOT / p).exists()
                     and not any(ROOT.glob(p.replace("VERSION", "*"))))
    assert len(paths) > 20 and not missing, missing


#: dotted names the README gives that are not code: old names it maps to new ones (Layout)
#: and keys of ``summary.json``
NOT_CODE = {"pipeline.Experiment", "littlehuman.tradeoff", "runs.run_sweep", "advisor.buy"}


def _resolves(dotted: str, modules: dict[str, list[str]]) -> bool | None:
    """Whether ``module.name...`` (a littlehuman module by its full or last name) names
    something; None when it does not start with one of ours."""
    parts = dotted.split(".")
    if parts[0] == "littlehuman":
        for i in range(len(parts), 1, -1):
            if ".".join(parts[:i]) in modules.get(parts[i - 1], []):
                starts, rest = [".".join(parts[:i])], parts[i:]
                break
        else:
            return False
    elif parts[0] in modules:
        starts, rest = modules[parts[0]], parts[1:]
    else:
        return None
    for start in starts:
        obj = importlib.import_module(start)
        try:
            for name in rest:
                obj = getattr(obj, name)
            return True
        except AttributeError:
            continue
    return False


def test_every_function_and_constant_the_readme_names_exists():
    """``curves.EQUIVALENT_RESAMPLES``, ``littlehuman.learners.syncs.CUDA_SYNC_WARNING``...:
    each name in code that starts with one of our modules is there."""
    import littlehuman

    modules: dict[str, list[str]] = {"littlehuman": ["littlehuman"]}
    for info in pkgutil.walk_packages(littlehuman.__path__, "littlehuman."):
        modules.setdefault(info.name.rsplit(".", 1)[-1], []).append(info.name)
    prose = FENCED.sub("", README)
    spans = {s.strip().removesuffix("()") for s in re.findall(r"`([^`]+)`", prose)}
    names = {s for s in spans if re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+", s)
             and not re.search(r"\.(py|json|jsonl|csv|md|yml|sh)$", s)} - NOT_CODE
    checked = {n: _resolves(n, modules) for n in names}
    missing = sorted(n for n, ok in checked.items() if ok is False)
    assert sum(ok is True for ok in checked.values()) > 30 and not missing, missing


#: a markdown link: [text](target), the target without spaces or a title
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and underscores
    kept), spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    """The anchors of a page's headings (outside fenced blocks), numbered as GitHub numbers
    repeated ones."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in FENCED.sub("", page.read_text()).splitlines():
        m = re.match(r"#{1,6}\s+(.*)", line)
        if m:
            slug = _slug(m.group(1))
            anchors.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
            seen[slug] = seen.get(slug, 0) + 1
    return anchors


def test_the_slug_is_githubs():
    assert _slug("The advisor: which curve, and what to buy (notebook `06_advise`)") == \
        "the-advisor-which-curve-and-what-to-buy-notebook-06_advise"
    assert _slug("What the cpu profile showed (measured)") == "what-the-cpu-profile-showed-measured"


def test_every_link_in_the_readme_and_docs_leads_somewhere():
    """Each relative link names a file of the repository and, after ``#``, a heading of it."""
    broken = []
    for page in PAGES:
        for target in LINK.findall(FENCED.sub("", page.read_text())):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and (dest.is_dir() or anchor not in _anchors(dest)):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, broken


def test_every_docs_page_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text()
    linked = {Path(t.partition("#")[0]).name for t in LINK.findall(readme)
              if t.startswith("docs/")}
    pages = {p.name for p in PAGES[1:]}
    assert len(pages) >= 10 and pages <= linked, sorted(pages - linked)
