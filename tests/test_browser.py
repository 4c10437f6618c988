"""The reports as a reader sees them: opened offline in headless Chromium (see browser.py).

First the checker itself, on small pages written here, so that it is known to fail: an
uncaught exception, console.error, a fetch from the internet and an undrawn figure must all
be caught. Then a real smoke-profile report (FEVER): ``outputs/index.html`` and each
notebook's HTML must load with no console error and with every plotly figure drawn; the
index's sweep curves drawn with their traces, a verdict for each finding, and the ledger.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

from browser import find_chromium, load_page, plotly_figures, plotly_traces

NOTEBOOKS = ("01_generate", "02_replacement_sweep")
pytestmark = pytest.mark.skipif(
    find_chromium() is None,
    reason="no Chromium executable found (apt-get install chromium; .ci/run installs it)")


def page(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}"
                    "</body></html>", encoding="utf-8")
    return path


def test_checker_flags_exceptions_and_console_errors(tmp_path):
    dom, errors = load_page(page(tmp_path, (
        "<p id='ran'></p><script>document.getElementById('ran').textContent = 'script ran';"
        "console.log('just a log'); console.warn('just a warning');"
        "console.error('an error message');</script>"
        "<script>throw new Error('boom')</script>")))
    assert "script ran" in dom  # the DOM is the one after JavaScript
    assert len(errors) == 2, errors
    assert "console.error: an error message" in errors
    assert any(e.startswith("Uncaught Error: boom") for e in errors), errors


def test_checker_flags_anything_fetched_from_the_internet(tmp_path):
    _, errors = load_page(page(tmp_path, '<script src="https://cdn.example.com/lib.js"></script>'))
    assert len(errors) == 1 and "https://cdn.example.com/lib.js" in errors[0], errors


def test_checker_counts_drawn_and_undrawn_figures(tmp_path):
    fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 3, 2]))
    drawn = fig.to_html(full_html=False, include_plotlyjs=True)
    undrawn = '<div class="plotly-graph-div" style="height:100px"></div>'
    dom, errors = load_page(page(tmp_path, drawn + undrawn))
    assert errors == []
    assert plotly_figures(dom) == [True, False]
    assert list(plotly_traces(dom).values()) == [1, 0]


@pytest.fixture(scope="module")
def outputs(fever_smoke) -> Path:
    """outputs/ of the shared cold smoke-profile FEVER run (conftest's ``fever_smoke``)."""
    return fever_smoke[0] / "outputs"


def figures_in_notebook(path: Path) -> int:
    """How many plotly figures the executed notebook displays."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum("".join(out.get("data", {}).get("text/html", "")).count('class="plotly-graph-div"')
               for cell in nb["cells"] for out in cell.get("outputs", []))


@pytest.mark.slow
def test_index_loads_cleanly_and_links_every_report(outputs):
    dom, errors = load_page(outputs / "index.html")
    assert errors == []
    page = re.sub(r"<script\b.*?</script>", "", dom, flags=re.S)  # plotly.js's source
    links = re.findall(r'href="([^"]+)"', page)
    # the drawn figure's own anchors (plotly.com, data: URLs) are not the page's links;
    # that nothing is fetched from the network is checked by the console errors
    links = [link for link in links if not re.match(r"[a-z][a-z0-9+.-]*:", link)]
    assert {f"fever/smoke/{nb}.html" for nb in NOTEBOOKS} <= set(links), links
    for link in links:
        assert (outputs / link).is_file(), link


@pytest.mark.slow
def test_index_draws_the_sweep_curves_and_shows_verdicts_and_ledger(outputs):
    from littlehuman import findings, index

    dom, errors = load_page(outputs / "index.html")
    assert errors == []
    assert plotly_figures(dom) == [True]  # one figure, drawn offline (plotly.js inlined)
    summary = json.loads((outputs / "fever" / "smoke" / "summary.json").read_text())
    curve = summary["sweep"]["curve"]
    # one panel: the band, one seed's line, the mean and the baseline, each drawn
    seeds = len({r["seed"] for r in curve["runs"]})
    assert plotly_traces(dom) == {index.FIGURE_ID: 3 + seeds}
    assert "finding 1:" in dom and "majority baseline" in dom
    verdicts = re.findall(r'data-verdict="([^"]+)"', dom)
    assert len(verdicts) == 3 and set(verdicts) <= set(findings.VERDICTS)
    assert verdicts[0] == findings.finding_last_10(summary["sweep"])["verdict"]
    ledger = dom[dom.index('<table class="ledger">'):]
    assert "fever" in ledger and summary["finished"] in ledger
    prov = summary.get("provenance")
    if prov is None:  # report.run_all does not store provenance yet
        assert "not recorded (summary predates the ledger)" in ledger
    else:
        assert (prov["commit"] or "not run from a git checkout")[:12] in ledger
        assert prov["generator"]["id"] in ledger and prov["learner"]["id"] in ledger
        assert f"torch {prov['versions']['torch']}" in ledger


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_report_draws_every_figure_without_console_errors(outputs, notebook):
    folder = outputs / "fever" / "smoke"
    dom, errors = load_page(folder / f"{notebook}.html")
    assert errors == []
    expected = figures_in_notebook(folder / f"{notebook}.ipynb")
    assert expected > 0
    assert plotly_figures(dom) == [True] * expected


@pytest.mark.slow
def test_a_shared_plotlyjs_report_draws_every_figure_and_one_without_it_draws_none(outputs, tmp_path):
    """``--plotlyjs shared``: the report loads the one copy beside index.html by relative path
    (no inlined copy: a fraction of the size) and draws every figure; the same page without that
    file draws none, so the check can fail."""
    from plotly.offline import get_plotlyjs

    from littlehuman import report

    executed = outputs / "fever" / "smoke" / "02_replacement_sweep.ipynb"
    shared = report.shared_plotlyjs(tmp_path)
    (tmp_path / "fever" / "smoke").mkdir(parents=True)
    page = report.render_html(executed, tmp_path / "fever" / "smoke" / "02.html",
                              plotlyjs=f"../../{shared.name}")
    text = page.read_text(encoding="utf-8")
    assert get_plotlyjs() not in text and f'src="../../{shared.name}"' in text
    assert page.stat().st_size < (outputs / "fever" / "smoke" / "02_replacement_sweep.html").stat().st_size / 5
    dom, errors = load_page(page)
    assert errors == []
    assert plotly_figures(dom) == [True] * figures_in_notebook(executed)
    shared.unlink()
    dom, errors = load_page(page)
    assert errors and not any(plotly_figures(dom))
