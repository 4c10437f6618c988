"""``outputs/index.html``: the page a reader opens first, one row per dataset run with the paper's
three findings as measured, beside the paper's numbers, linking every report. Written by
:func:`littlehuman.report.write_index` (atomically, under the outputs folder's lock)."""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any


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
    gain, detectable = base.get("gain") or [None] * 3, base.get("gain_detectable")
    power = (f" (the human points added {gain[0]:+.3f} [{gain[1]:+.3f}, {gain[2]:+.3f}] over "
             f"the base; smallest gain this run could detect: {detectable:.3f})"
             if None not in gain and detectable is not None else "")
    if base.get("status") == "ok" and eq is not None:
        failed = int(base.get("failed_resamples") or 0)
        note = f"; {failed} bootstrap resamples had no equivalent" if failed else ""
        return (f"base {base['base']}: +{fmt_points(eq)} synthetic points "
                f"[{fmt_points(low)}, {fmt_points(high)}]{note}{power}.")
    return f"base {base['base']}: {base['message']}{power}"


def _caution(finding: dict[str, Any] | None) -> str:
    """A finding's warnings (runs trained on much less than n, one output for every test row,
    not beating the majority baseline), as a sentence to append; '' without any."""
    flags = (finding or {}).get("flags") or []
    return f" Caution: {'; '.join(flags)}." if flags else ""


def _index_row(s: dict[str, Any], links: str) -> str:
    sweep = ((s.get("sweep") or {}).get("text") or s.get("headline", "")) + _caution(s.get("sweep"))
    zoom = ("; ".join((s.get("zoom") or {}).get("paired") or []) + _caution(s.get("zoom"))
            or "not run (notebook 03)")
    trade = s.get("tradeoff") or {}
    if trade:
        spans = [_base_text(b) for b in trade.get("bases", [])]
        third = f"{trade['headline']}. " + " ".join(spans) + _caution(trade)
    else:
        third = "not run (notebook 04)"
    return ("<tr>" + _cell(s["dataset"]) + _cell(s["task"].upper()) + _cell(s["profile"])
            + _cell(sweep) + _cell(zoom) + _cell(third) + _cell(_paper_cell(s["dataset"]))
            + f"<td>{links}</td>" + _cell(s.get("finished", "")) + "</tr>")


def page(root: Path) -> str:
    """The index page: one row per report folder under ``root`` (its ``summary.json``)."""
    rows = []
    for summary_path in sorted(root.glob("*/*/summary.json")):
        s = json.loads(summary_path.read_text())
        folder = summary_path.parent
        links = " · ".join(
            f'<a href="{html.escape(str(p.relative_to(root)))}">{html.escape(p.stem)}</a>'
            for p in sorted(folder.glob("*.html")) if not p.name.startswith("."))
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
    return page
