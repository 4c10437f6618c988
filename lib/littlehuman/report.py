"""Execute the notebooks with papermill, render them to HTML, and write ``outputs/index.html``.

``run_all`` is what ``python run_all.py --dataset ...`` calls: for each dataset it first does
the expensive work in this process (generation and training, with tqdm progress on the
terminal; everything cached), then executes the notebooks, which find every result cached and
only show it. A notebook is executed into a temporary file and moved into place only when it
succeeded, so a failed run never overwrites an earlier report.
"""
from __future__ import annotations

import html
import json
import os
import tempfile
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

from littlehuman import paths
from littlehuman.config import Profile
from littlehuman.errors import LittleHumanError

NOTEBOOKS = {
    "01": "01_generate.ipynb",
    "02": "02_replacement_sweep.ipynb",
    "03": "03_zoom.ipynb",
    "04": "04_tradeoff.ipynb",
    "05": "05_analysis.ipynb",
}


def notebooks_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "notebooks"


def report_dir(dataset: str, profile: Profile) -> Path:
    return paths.outputs_dir() / dataset / profile.name


def resolve_datasets(dataset: str, data_dir: str | None, required: bool = True) -> list[str]:
    """'all' -> every registered dataset whose raw files are found (every registered one when
    not ``required``, e.g. for a plan); else the one given."""
    from littlehuman import data
    from littlehuman.data import custom

    if dataset != "all":
        if not custom.is_custom_path(dataset):
            data.get(dataset)
        return [dataset]
    if not required:
        return data.names()
    root = paths.raw_data_dir(data_dir)
    found = []
    for name in data.names():
        try:
            data.get(name).loader().source_files(root / name)
            found.append(name)
        except LittleHumanError:
            pass
    if not found:
        raise LittleHumanError(f"no dataset's raw files were found under {root}: see --fetch")
    return found


def execute_notebook(name: str, out_dir: Path, parameters: dict[str, Any], html_out: bool) -> Path:
    """Run one notebook with papermill into ``out_dir``; render HTML; atomic replacement."""
    import papermill as pm

    src = notebooks_dir() / name
    if not src.exists():
        raise LittleHumanError(f"notebook {src} is missing from the checkout")
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".ipynb", prefix=".tmp-", dir=out_dir)
    os.close(fd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pm.execute_notebook(str(src), tmp, parameters=parameters, progress_bar=False,
                                cwd=str(notebooks_dir()), kernel_name="python3")
    except pm.PapermillExecutionError as e:
        Path(tmp).unlink(missing_ok=True)
        raise LittleHumanError(
            f"notebook {name} failed in cell {e.exec_count}: {e.ename}: {e.evalue}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    target = out_dir / name
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    if html_out:
        render_html(target)
    return target


# nbconvert's lab template loads require.js and MathJax from a CDN: an offline reader gets
# console errors. Our reports use neither (plotly.js is inlined once, no LaTeX), so drop both.
OFFLINE_TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
)


def render_html(notebook: Path) -> Path:
    """nbconvert's HTML export without the code (the executed .ipynb beside it has it) and
    without scripts fetched from the network (the page works offline)."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="offline.html.j2")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb)
    target = notebook.with_suffix(".html")
    tmp = target.with_name(f".tmp-{target.name}")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, target)
    return target


def write_summary(out_dir: Path, summary: dict[str, Any]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / ".tmp-summary.json"
    tmp.write_text(json.dumps(summary, indent=1, default=str))
    os.replace(tmp, out_dir / "summary.json")


def _cell(text: str) -> str:
    return f"<td>{html.escape(text)}</td>"


def _paper_cell(dataset: str) -> str:
    from littlehuman.findings import fmt_points, paper_table3

    row = paper_table3(dataset)
    if row is None:
        return "not in the paper's Table 3"
    return (f"median {fmt_points(row['median'])} (IQR {fmt_points(row['q25'])} to "
            f"{fmt_points(row['q75'])}; mean {fmt_points(row['mean'])})")


def _base_text(base: dict[str, Any]) -> str:
    """One trade-off base for the index: the equivalent with its interval, else why not."""
    from littlehuman.findings import fmt_points

    eq, (low, high) = base.get("equivalent"), base.get("interval") or (None, None)
    if base.get("status") == "ok" and eq is not None:
        failed = int(base.get("failed_resamples") or 0)
        note = f"; {failed} bootstrap resamples had no equivalent" if failed else ""
        return (f"base {base['base']}: +{fmt_points(eq)} synthetic points "
                f"[{fmt_points(low)}, {fmt_points(high)}]{note}.")
    return f"base {base['base']}: {base['message']}"


def _index_row(s: dict[str, Any], links: str) -> str:
    sweep = (s.get("sweep") or {}).get("text") or s.get("headline", "")
    zoom = "; ".join((s.get("zoom") or {}).get("paired") or []) or "not run (notebook 03)"
    trade = s.get("tradeoff") or {}
    if trade:
        spans = [_base_text(b) for b in trade.get("bases", [])]
        third = f"{trade['headline']}. " + " ".join(spans)
    else:
        third = "not run (notebook 04)"
    return ("<tr>" + _cell(s["dataset"]) + _cell(s["task"].upper()) + _cell(s["profile"])
            + _cell(sweep) + _cell(zoom) + _cell(third) + _cell(_paper_cell(s["dataset"]))
            + f"<td>{links}</td>" + _cell(s.get("finished", "")) + "</tr>")


def write_index() -> Path:
    """``outputs/index.html``: one headline row per dataset and profile (the paper's three
    findings as measured, the paper's Table 3 beside them) linking every report."""
    root = paths.outputs_dir()
    rows = []
    for summary_path in sorted(root.glob("*/*/summary.json")):
        s = json.loads(summary_path.read_text())
        folder = summary_path.parent
        links = " · ".join(
            f'<a href="{html.escape(str(p.relative_to(root)))}">{html.escape(p.stem)}</a>'
            for p in sorted(folder.glob("*.html")))
        rows.append(_index_row(s, links))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>littlehuman reports</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1500px}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;
vertical-align:top;font-size:14px}}th{{background:#f3f3f3}}</style></head><body>
<h1>littlehuman: how far can synthetic data replace human data?</h1>
<p>One row per dataset run, the paper's three findings as this run measured them (means over
seeds on the human test split, with 95% bootstrap intervals over seeds and test examples):
(1) the score lost replacing 0 to 90% of the human data by synthetic, against the last 10%;
(2) 97.5% against 100% synthetic at fixed size (a few human points on a synthetic model), how
many seeds agree and a sign test; (3) how many more synthetic points match 200 human points
(scaled with the profile's sizes), beside the paper's Table 3 (Llama-3.1-8B fine-tuned on
GPT-3.5-Turbo data; our profiles use other generators and learners, so compare directions, not
values).</p>
<table><tr><th>dataset</th><th>task</th><th>profile</th><th>1. the last 10% (sweep)</th>
<th>2. a few human points (zoom)</th><th>3. human vs synthetic points (trade-off)</th>
<th>paper, Table 3: synthetic points = 200 human</th><th>reports</th><th>finished (UTC)</th></tr>
{''.join(rows) or '<tr><td colspan="9">no runs yet</td></tr>'}
</table></body></html>
"""
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / ".tmp-index.html"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, root / "index.html")
    return root / "index.html"


def dry_run(dataset: str, profile: Profile, data_dir: str | None = None,
            custom: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Print what generation would send and cost for each dataset; send nothing."""
    from littlehuman import pipeline

    out = []
    for name in resolve_datasets(dataset, data_dir):
        plan = pipeline.Experiment.create(name, profile, data_dir=data_dir, custom=custom).dry_run()
        money = ("no price known" if plan["dollars_chat"] is None else
                 f"${plan['dollars_chat']:.2f} chat, ${plan['dollars_batch']:.2f} Batch API")
        print(f"[{plan['dataset']}] {plan['requests']} requests to {plan['generator']} "
              f"({plan['model']}): ~{plan['input_tokens']:,} input + <= {plan['output_tokens']:,} "
              f"output tokens, {money}", flush=True)
        out.append(plan)
    print("estimate: prompt tokens = characters / 4, every reply at max_new_tokens; requests "
          "already in the cache are not sent again")
    return out


def _counts(generation: dict[str, Any], runs: dict[str, int], calls: int = 0, ran: int = 0,
            skipped: int = 0) -> tuple[int, int, int]:
    """Running totals of generation calls and runs trained / skipped."""
    return (calls + int(generation.get("calls", 0)), ran + int(runs.get("ran", 0)),
            skipped + int(runs.get("skipped", 0)))


def run_all(dataset: str, profile: Profile, data_dir: str | None = None,
            custom: dict[str, Any] | None = None, notebooks: list[str] | None = None,
            html: bool = True) -> list[Path]:
    """Run the pipeline and the notebooks for ``dataset`` ('all', a name or a file)."""
    from littlehuman import experiments, findings, pipeline

    notebooks = notebooks or list(NOTEBOOKS)
    if data_dir:  # notebooks run with cwd=notebooks/: pass an absolute path
        data_dir = str(Path(data_dir).expanduser().resolve())
    unknown = [n for n in notebooks if n not in NOTEBOOKS]
    if unknown:
        raise LittleHumanError(f"unknown notebook(s) {unknown}: choose from {', '.join(NOTEBOOKS)}")
    written = []
    for name in resolve_datasets(dataset, data_dir):
        started = time.time()
        exp = pipeline.Experiment.create(name, profile, data_dir=data_dir, custom=custom)
        work = exp.prepare(progress=True)
        calls, ran, skipped = _counts(work["generation"], work["sweep"])
        if "03" in notebooks:
            zoom = experiments.prepare_zoom(exp, progress=True)
            calls, ran, skipped = _counts(zoom["generation"], zoom["runs"], calls, ran, skipped)
        if "04" in notebooks:
            trade = experiments.prepare_tradeoff(exp, progress=True)
            calls, ran, skipped = _counts(trade["generation"], trade["runs"], calls, ran, skipped)
        out_dir = report_dir(exp.name, profile)
        params = {"dataset": name, "profile": profile.name, "data_dir": data_dir or "",
                  "overrides": json.dumps(exp.profile_overrides()),
                  "custom": json.dumps(custom or {})}
        for nb in notebooks:
            print(f"[{exp.name}] executing {NOTEBOOKS[nb]}", flush=True)
            written.append(execute_notebook(NOTEBOOKS[nb], out_dir, params, html))
        summary = {"dataset": exp.name, "task": exp.task, "profile": profile.name,
                   "headline": exp.headline(), "sweep": findings.sweep_finding(exp),
                   "zoom": experiments.zoom_summary(exp) if "03" in notebooks else None,
                   "tradeoff": experiments.tradeoff_summary(exp) if "04" in notebooks else None,
                   "bill": exp.bill(),
                   "seconds": round(time.time() - started, 1),
                   "generation_calls": calls, "runs_trained": ran, "runs_skipped": skipped,
                   "finished": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                   "settings": asdict(profile)}
        write_summary(out_dir, summary)
        print(f"[{exp.name}] {summary['headline']}  ({summary['seconds']:.0f} s)", flush=True)
    index = write_index()
    print(f"index: {index}")
    return written
