"""littlehuman.lazy_imports: jsonschema's IRI parsers (``rfc3987_syntax``, 1.2-1.5 s of CPU at
import) are built only when an IRI is checked, not in every process that executes or renders
a notebook; an IRI is checked exactly as before. Each check runs in a fresh interpreter."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILT = "rfc3987_syntax.syntax_helpers"  # the module that builds the parsers when imported
IRIS = ["http://example.com/ä?q=1#frag", "not an iri", "//host/relative", "http://[::1]/",
        "", "urn:isbn:0451450523", "http://exa mple.com/", "mailto:alice@example.com",
        "https://例え.テスト/パス", "http://example.com/%zz", "#only-a-fragment", "a:b:c"]
ANSWERS = """
from jsonschema import Draft7Validator
checker = Draft7Validator.FORMAT_CHECKER
answers = [[checker.conforms(v, f) for f in ("iri", "iri-reference")] for v in {iris!r}]
"""


def python(code: str) -> dict:
    """Run ``code`` in a fresh interpreter that imports this checkout's littlehuman; the
    JSON it prints last."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "lib"), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def plain() -> dict:
    """jsonschema imported as nbformat imports it, without littlehuman's deferral, then the
    deferral asked for too late."""
    return python(f"""
import json, sys
import nbformat
built_at_import = {BUILT!r} in sys.modules
{ANSWERS.format(iris=IRIS)}
real = sys.modules["rfc3987_syntax"]
from littlehuman.lazy_imports import defer_iri_parsers
defer_iri_parsers()
print(json.dumps({{"built_at_import": built_at_import, "answers": answers,
                  "left_alone": sys.modules["rfc3987_syntax"] is real}}))
""")


def test_executing_a_notebook_imports_papermill_without_the_iri_parsers(tmp_path):
    """stage_notebook defers them before papermill imports nbformat, and so jsonschema."""
    got = python(f"""
import json, sys
from pathlib import Path
from littlehuman import report
from littlehuman.errors import LittleHumanError
try:  # imports papermill, then finds no such notebook
    report.stage_notebook("no-such-notebook.ipynb", Path({str(tmp_path)!r}), {{}}, False)
except LittleHumanError:
    pass
print(json.dumps([m in sys.modules for m in ("papermill", "jsonschema", {BUILT!r})]))
""")
    assert got == [True, True, False]


def test_rendering_html_builds_no_iri_parser_and_iris_are_checked_as_before(tmp_path, plain):
    """html_body imports nbformat and nbconvert without the parsers; the first IRI checked
    builds them and gets jsonschema's own answer."""
    import nbformat

    page = tmp_path / "page.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hi")]), page)
    got = python(f"""
import json, sys
from pathlib import Path
from littlehuman import report
html = report.html_body(Path({str(page)!r}))
after_html = [m in sys.modules for m in ("nbconvert", "jsonschema", {BUILT!r})]
{ANSWERS.format(iris=IRIS)}
print(json.dumps({{"html": after_html, "page": "hi" in html, "answers": answers,
                  "built_after_checks": {BUILT!r} in sys.modules}}))
""")
    assert got["html"] == [True, True, False] and got["page"]
    assert plain["built_at_import"]  # what is saved: without the deferral they are built
    assert got["answers"] == plain["answers"] and got["built_after_checks"]
    assert [True, True] in got["answers"] and [False, False] in got["answers"]
    assert [False, True] in got["answers"]  # a reference that is no IRI: both checkers ran


def test_the_deferral_leaves_an_imported_parser_module_alone(plain):
    assert plain["left_alone"]


def test_without_lark_nothing_is_deferred():
    """rfc3987_syntax cannot be imported without lark: jsonschema then goes without the IRI
    checks, and a stand-in that failed on first use would not be the same."""
    got = python("""
import json, sys
sys.modules["lark"] = None  # as if it were not installed
from littlehuman.lazy_imports import defer_iri_parsers
defer_iri_parsers()
print(json.dumps("rfc3987_syntax" in sys.modules))
""")
    assert got is False
