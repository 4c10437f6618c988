"""``outputs/index.html``: the page a reader opens first. Written by
:func:`littlehuman.report.write_index` (atomically, under the outputs folder's lock) from every
``outputs/<dataset>/<profile>/summary.json``, in three parts:

1. **The findings**: one row per dataset run, the paper's three findings each with a verdict
   (:func:`littlehuman.findings.verdict`: holds / not visible at this power / contradicted /
   not measured), the measured number and its interval beneath (the rule's reason on hover),
   beside the paper's claim and Table 3; the full sentences under "in words"; links to every
   report.
2. **The sweep curves**: small multiples, one panel per run: the main metric against the
   synthetic share (mean over seeds, its 95% bootstrap band, each seed's run, the majority
   baseline), the last 10% shaded, the paper's shape noted. Plotly, plotly.js inlined once
   (nothing fetched from the network); left out when no summary has a ``curve``.
3. **The ledger**: per run, what produced it: finished (UTC), wall time, git commit and
   whether the checkout was dirty, the generator and learner with their ids, the bill, the
   key package versions (``provenance`` of the summary, :mod:`littlehuman.provenance`).

Summaries written before a field existed (no ``curve``, ``contrast``, ``provenance``...)
still render: what they lack is said in words.
"""
from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from littlehuman import findings as fnd
from littlehuman import paths
from littlehuman.curves import counted

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: CSS class of each verdict's badge
VERDICT_CLASS = {fnd.HOLDS: "holds", fnd.NOT_VISIBLE: "unseen", fnd.CONTRADICTED: "against",
                 fnd.NOT_MEASURED: "none"}
#: package versions shown in the ledger's row (the rest under "all versions")
KEY_VERSIONS = ("littlehuman", "torch", "transformers", "python")
#: id of the small-multiples figure's div
FIGURE_ID = "sweep-curves"


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(text: str) -> str:
    return f"<td>{esc(text)}</td>"


# ------------------------------------------------------------------------ sentences (kept)
def _paper_cell(dataset: str) -> str:
    from littlehuman.findings import fmt_points, paper_table3

    row = paper_table3(dataset)
    if row is None:
        return "not in the paper's Table 3"
    return (f"median {fmt_points(row['median'])} (quartiles {fmt_points(row['q25'])} to "
            f"{fmt_points(row['q75'])}; mean {fmt_points(row['mean'])})")


def _base_text(base: dict[str, Any]) -> str:
    """One trade-off base for the index: the equivalent with its interval (an end at minus
    the base read '≤ 0', as the verdict cell beside it reads it), else why not."""
    from littlehuman.families import interval_or_none_needed
    from littlehuman.findings import fmt_points

    eq, (low, high) = base.get("equivalent"), base.get("interval") or (None, None)
    gain, detectable = base.get("gain") or [None] * 3, base.get("gain_detectable")
    power = (f" (the human points added {gain[0]:+.3f} [{gain[1]:+.3f}, {gain[2]:+.3f}] over "
             f"the base; smallest gain this run could detect: {fnd.fmt_detectable(detectable)})"
             if None not in gain else "")
    if base.get("status") == "ok" and eq is not None:
        failed = int(base.get("failed_resamples") or 0)
        note = f"; {failed:,} bootstrap resamples had no equivalent" if failed else ""
        lo, hi = fnd.interval_end(low), fnd.interval_end(high)
        said = (interval_or_none_needed(lo, hi, -float(base["base"]))
                if lo is not None and hi is not None else fnd.fmt_points_interval(low, high))
        return (f"base {fmt_points(base['base'])}: +{fmt_points(eq)} synthetic points "
                f"{said}{note}{power}.")
    return f"base {base.get('base')}: {base.get('message', base.get('status'))}{power}"


def _caution(finding: dict[str, Any] | None) -> str:
    """A finding's warnings (runs trained on much less than n, one output for every test row,
    not beating the majority baseline), as a sentence to append; '' without any."""
    flags = (finding or {}).get("flags") or []
    return f" Caution: {'; '.join(flags)}." if flags else ""


def sentences(s: dict[str, Any]) -> tuple[str, str, str]:
    """The three findings in words, as the summaries say them (with their cautions)."""
    # not the summary's headline: after `advise` alone that is the advisor's, not finding 1's
    sweep = ((s.get("sweep") or {}).get("text") + _caution(s.get("sweep"))
             if (s.get("sweep") or {}).get("text") else "not run (notebook 02)")
    zoom = ("; ".join((s.get("zoom") or {}).get("paired") or []) + _caution(s.get("zoom"))
            or "not run (notebook 03)")
    trade = s.get("tradeoff") or {}
    if trade:
        spans = [_base_text(b) for b in trade.get("bases", [])]
        direct = " ".join(f"Head to head, {h['sentence']}." for h in trade.get("head_to_head") or [])
        third = (f"{trade.get('headline', '')}. " + " ".join(spans)
                 + (f" {direct}" if direct else "") + _caution(trade))
    else:
        third = "not run (notebook 04)"
    return sweep, zoom, third


# ------------------------------------------------------------------------ verdict cells
def _iv(triple: Any, digits: int = 3) -> str:
    """'+0.021 [-0.001, +0.042]' from [est, low, high]; '-' when a part is missing."""
    values = list(triple or []) + [None] * 3
    if any(v is None for v in values[:3]):
        return "-"
    return "{} [{}, {}]".format(*(fnd.fmt_number(v, digits, sign=True) for v in values[:3]))


def _badge(v: dict[str, Any]) -> str:
    tip = v.get("text", "")
    if v.get("how"):
        tip = f"{tip} ({v['how']})"
    return (f'<span class="verdict v-{VERDICT_CLASS.get(v["verdict"], "none")}" '
            f'title="{esc(tip)}" data-verdict="{esc(v["verdict"])}">{esc(v["verdict"])}</span>')


def _detectable(v: dict[str, Any]) -> str:
    det = v.get("detectable")
    return (f"<br><small>smallest effect detectable at 80% power: {esc(fnd.fmt_detectable(det))}</small>"
            if v["verdict"] == fnd.NOT_VISIBLE and (det is not None or v["low"] == v["high"])
            else "")


def _words(text: str) -> str:
    return f"<details><summary>in words</summary>{esc(text)}</details>"


def _room(room: dict[str, Any] | None) -> str:
    """The sweep summary's ``room`` (:func:`littlehuman.experiments.sweep.room_at_90`: little
    left above the floor at 90% synthetic) in words: '' where there is none. A "contradicted"
    resting on runs near the floor read plainly on the index, the floor folded away (a
    reviewer, 2026-12-06)."""
    if not room or room.get("at_90") is None:
        return ""
    name = {"baseline": "the majority baseline", "random span": "a random span of the context"
            }.get(room.get("name"), room.get("name") or "the floor")
    det = room.get("detectable")
    blind = (f", less than the smallest loss the run could detect ({det:.3f}): the last 10% "
             "had no room to show one" if det is not None and room["at_90"] < det else
             f"; the run could detect a loss of {det:.3f}" if det is not None else "")
    return (f'<div class="sub twins">Read with its floor: at 90% synthetic the runs stood only '
            f'{room["at_90"]:+.3f} above {esc(name)} ({room["floor"]:.3f}), all the last 10% '
            f'could lose{esc(blind)}.</div>')


def _last_10_cell(v: dict[str, Any], words: str, twins: str = "",
                  room: dict[str, Any] | None = None) -> str:
    """Finding 1's cell; ``twins``, what the synthetic rows carry (the sweep summary's
    ``twins``: wrong labels, answers not in their context), and ``room``, how little was
    left above the floor at 90% synthetic (:func:`_room`), shown, not folded away."""
    est = [v.get("estimate"), v.get("low"), v.get("high")]
    nums = (f'<div class="num">loss in the last 10% minus loss in the first 90%: {_iv(est)}</div>'
            f'<div class="sub">0&rarr;90%: {fnd.loss_in_words(v.get("first_90"))}<br>'
            f'90&rarr;100%: {fnd.loss_in_words(v.get("last_10"))}</div>'
            if v["verdict"] != fnd.NOT_MEASURED else "")
    said = (f'<div class="sub twins">Read with what the twins carry: {esc(twins)}</div>'
            if twins and nums else "")
    floor = _room(room) if nums else ""
    return f"<td>{_badge(v)}{nums}{said}{floor}{_detectable(v)}{_words(words)}</td>"


def _few_human_cell(v: dict[str, Any], words: str) -> str:
    rows = []
    for size in v.get("sizes", []):
        human = size.get("human")
        who = f"n={size['n']}" + (f", {human} human point{'s' * (human != 1)}"
                                  if human is not None else "")
        rows.append(f"{esc(who)}: {_iv([size['estimate'], size['low'], size['high']])}"
                    + (f" ({esc(size['verdict'])})" if len(v.get("sizes", [])) > 1 else ""))
    nums = ('<div class="num">97.5% minus 100% synthetic</div><div class="sub">'
            + "<br>".join(rows) + "</div>") if rows else ""
    return f"<td>{_badge(v)}{nums}{_detectable(v)}{_words(words)}</td>"


def _times(points: float, human: int) -> str:
    """Synthetic points per human point: '8.2x', '40x', '185x'."""
    ratio = points / human
    return f"{ratio:.1f}x" if abs(ratio) < 10 else f"{ratio:,.0f}x"


def _per_point(base: dict[str, Any], human: Any) -> str:
    """', 8.2x [5.7x, 14x] per human point': an equivalent over the human points added, the
    scale the paper's claim is read on ("" when it says nothing: no positive equivalent)."""
    eq = fnd.interval_end(base.get("equivalent"))
    if not human or eq is None or eq <= 0 or math.isinf(eq):
        return ""
    lo, hi = (fnd.interval_end(v) for v in ((base.get("interval") or []) + [None, None])[:2])
    if lo is None or hi is None:
        return f", {_times(eq, human)} per human point"
    top = "∞)" if math.isinf(hi) else f"{_times(hi, human)}]"
    # an end at or below 0 (none needed): no synthetic point for a human one, not '-5.0x'
    bottom = "[0x" if lo <= 0 else f"[{_times(lo, human)}"
    return f", {_times(eq, human)} {bottom}, {top} per human point"


def _tradeoff_cell(v: dict[str, Any], words: str, dataset: str, buy: str = "",
                   measured: list[dict[str, Any]] | None = None) -> str:
    from littlehuman.families import interval_or_none_needed, points_or_none_needed
    from littlehuman.findings import fmt_points

    rows = []
    for b in v.get("bases", []):
        lo, hi = (fnd.interval_end(e) for e in (b.get("interval") or [None, None])[:2])
        floor = -float(b.get("base") or 0)  # 'none needed' is ranked at minus the base
        eq = (f"worth {points_or_none_needed(b['equivalent'], floor)} synthetic "
              + (interval_or_none_needed(lo, hi, floor) if lo is not None and hi is not None
                 else "(no interval)") + _per_point(b, v.get("human"))
              if b.get("equivalent") is not None else f"no equivalent ({b.get('status')})")
        rows.append(f"base {esc(fmt_points(b.get('base')))}: gain {_iv(b.get('gain'))}; {esc(eq)}"
                    + (f" ({esc(b['verdict'])})" if len(v.get("bases", [])) > 1 else ""))
    human = v.get("human")
    head = f"+{human} human points" if human is not None else ""
    nums = (f'<div class="num">{esc(head)}</div><div class="sub">' + "<br>".join(rows)
            + "</div>") if rows else ""
    paper = f'<div class="paper">paper, Table 3: {esc(_paper_cell(dataset))}</div>'
    advice = (f'<div class="sub"><b>the advice (notebook 06):</b> {esc(buy)}</div>'
              if buy else "")
    return (f"<td>{_badge(v)}{nums}{_detectable(v)}{_own_table3(v)}{_no_curve(measured)}"
            f"{paper}{advice}{_words(words)}</td>")


def _no_curve(measured: list[dict[str, Any]] | None) -> str:
    """Notebook 06's equivalents read off the measured runs, no curve assumed ('' where no
    base's crossing lies within the measured sizes)."""
    from littlehuman.experiments.advisor import measured_phrase
    from littlehuman.families import read_past_reach

    rows = [{**m, **{k: fnd.interval_end(m.get(k)) for k in ("low", "high")}}
            for m in measured or []]
    if not any(m.get("status") == "ok" for m in rows):
        return ""
    each = ", ".join(f"{measured_phrase(m)} on base {m['base']:,.0f}"
                     f"{'*' if read_past_reach(m) else ''}" for m in rows)
    far = next((m for m in rows if read_past_reach(m)), None)
    note = (f" (* read past the trade-off's runs, between {float(far['reach']):,.0f} and the "
            f"sweep's {float(far['largest']):,.0f} synthetic points)" if far else "")
    return (f'<div class="sub">read off the runs, no curve (notebook 06): '
            f'{esc(each)}{esc(note)}</div>')


def _own_table3(v: dict[str, Any]) -> str:
    """This run's Table 3 statistic, beside the paper's ("" where most operating points gave
    no finite equivalent: the reports leave it blank then too)."""
    from littlehuman.curves import BELOW_THE_CURVE, few_values, table3_reading, values_phrase
    from littlehuman.findings import fmt_points

    t3, human = v.get("table3") or {}, v.get("human")
    reading = table3_reading(t3) if t3 else "none"
    if reading in ("none", "unpriced"):
        return ""
    per = (f", {_times(t3['median'], human)} per human point" if human and reading == "priced"
           else "")  # at or below 0 no synthetic point matches a human one: not '-0.6x'
    below = f": {BELOW_THE_CURVE}" if reading == "at_or_below_0" else ""  # what -2 is, as 04 says
    n, undefined = int(t3.get("n") or 0), int(t3.get("n_undefined") or 0)
    points = f"{n} of {n + undefined}" if undefined else f"{n}"
    spread = (f"values {values_phrase(t3, signed=False)}" if few_values(t3) and t3.get("values")
              else f"quartiles {fmt_points(t3.get('p25'))} to {fmt_points(t3.get('p75'))}")
    line = (f'<div class="sub">this run, Table 3: median {fmt_points(t3["median"])} ({spread}; '
            f'{points} operating points{per}){esc(below)}</div>')
    m = v.get("median_equivalent") or {}
    value = fnd.interval_end(m.get("value"))
    if value is None or math.isinf(value) or m.get("bases", 0) < 2:
        return line  # one base: its row above is that number already
    from littlehuman.families import median_phrase

    shown = {"equivalent": value, "interval": [m.get("low"), m.get("high")]}
    floor = fnd.interval_end(m.get("floor"))
    said = median_phrase({"value": value, "low": fnd.interval_end(m.get("low")),
                          "high": fnd.interval_end(m.get("high")), "bases": m["bases"],
                          "floor": -math.inf if floor is None else floor})
    number = said[0].lstrip("+") if said else fmt_points(value)  # '≤ 0' where none is needed
    return line + (f'<div class="sub">over the {m["bases"]} bases (median of the seed-mean '
                   f'fits): {esc(number)}{esc(_per_point(shown, human))}</div>')


def _links(root: Path, folder: Path) -> str:
    return " · ".join(
        f'<a href="{esc(p.relative_to(root).as_posix())}">{esc(p.stem)}</a>'
        for p in sorted(folder.glob("*.html")) if not p.name.startswith("."))


def findings_row(s: dict[str, Any], links: str) -> str:
    """One run's row of the findings table."""
    verdicts = fnd.findings(s)
    first, second, third = sentences(s)
    dataset = str(s.get("dataset", "?"))
    return ("<tr>" + _cell(dataset) + _cell(str(s.get("task", "?")).upper())
            + f"<td>{esc(s.get('profile', '?'))}{_scale(s)}</td>"
            + _last_10_cell(verdicts["last_10"], first, (s.get("sweep") or {}).get("twins") or "",
                            (s.get("sweep") or {}).get("room"))
            + _few_human_cell(verdicts["few_human"], second)
            + _tradeoff_cell(verdicts["tradeoff"], third, dataset,
                             (s.get("advisor") or {}).get("buy") or "",
                             (s.get("advisor") or {}).get("measured") or [])
            + f"<td>{links}</td></tr>")


def _scale(s: dict[str, Any]) -> str:
    """'n = 500, 5 seeds (trade-off 3), 1,666 test rows' under a run's profile: the scale
    every finding of the row stands on ("" where the summary does not say), then the data's
    notes (a partial release such as WANLI's 100-row sample: what those rows are not)."""
    st, used = s.get("settings") or {}, s.get("rows") or {}
    n = used.get("train") or st.get("n_train")
    parts = [f"n = {int(n):,}"] if n else []
    seeds, some = list(st.get("seeds") or []), int(st.get("tradeoff_seeds") or 0)
    if seeds:
        parts.append(f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''}"
                     + (f" (trade-off {some})" if 0 < some < len(seeds) else ""))
    rows = used.get("test") or (s.get("advisor") or {}).get("test_rows")
    if rows:
        parts.append(f"{int(rows):,} test rows")
    notes = "".join(f'<br><small class="partial">partial data: {esc(note)}</small>'
                    for note in s.get("data_notes") or [])
    return (f"<br><small>{esc(', '.join(parts))}</small>" if parts else "") + notes


# ------------------------------------------------------------------------ the ledger
def _duration(seconds: Any) -> str:
    try:
        s = float(seconds)
    except (TypeError, ValueError):
        return "-"
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min" if s < 7200 else f"{s / 3600:.1f} h"


def _wall_time(s: dict[str, Any]) -> str:
    """The report's wall time and what it covered: a rerun that read every run and twin from
    the cache (``--force-notebooks``, a code change) took seconds, not the training's hours."""
    done = [counted(s[k], noun) + after  # '1 run trained', not '1 runs' (a reviewer)
            for k, noun, after in (("runs_trained", "run", " trained"),
                                   ("generation_calls", "generation call", ""))
            if isinstance(s.get(k), int)]
    return esc(_duration(s.get("seconds"))) + (
        f"<br><small>{esc(', '.join(done))}</small>" if done else "")


def _bill(bill: dict[str, Any] | None) -> str:
    if not bill:
        return "not recorded"
    sent = bill.get("sent", bill.get("requests"))
    parts = [f"{bill.get('requests', '?')} requests ({sent} sent)"]
    tokens = (bill.get("input_tokens") or 0, bill.get("output_tokens") or 0)
    if any(tokens):
        parts.append(f"{tokens[0]:,} in + {tokens[1]:,} out tokens")
    if bill.get("dollars") is not None:
        extra = bill.get("dollars_unkept")
        parts.append(f"${bill['dollars']:.2f}" + (" Batch API" if bill.get("batch_pricing") else "")
                     + (f" (+${extra:.2f} estimated for unkept sends)" if extra else ""))
    else:
        parts.append("run locally: no charge" if bill.get("local") else "no price known")
    return "; ".join(parts)


def _commit(prov: dict[str, Any] | None) -> str:
    if prov is None:
        return '<span class="muted">not recorded (summary predates the ledger)</span>'
    commit = prov.get("commit")
    if not commit:
        return '<span class="muted">none: not run from a git checkout</span>'
    dirty = prov.get("dirty")
    flag = ('<span class="dirty" title="tracked files differed from this commit">dirty</span>'
            if dirty else '<span class="clean">clean</span>' if dirty is False else
            '<span class="muted">dirty: unknown</span>')
    runs = prov.get("runs") or {}
    trained = ("<br><small>runs trained at: " + ", ".join(
        f"{esc(name)} ({n})" for name, n in sorted(runs.items(), key=lambda kv: -kv[1]))
        + "</small>" if runs and set(runs) != {str(commit)[:12]} else "")
    return f'<code title="{esc(commit)}">{esc(str(commit)[:12])}</code> {flag}{trained}'


def _component(entry: dict[str, Any] | None, fallback: str) -> str:
    if not entry:
        return esc(fallback) if fallback else '<span class="muted">not recorded</span>'
    what = " / ".join(str(entry[k]) for k in ("backend", "name", "model") if entry.get(k))
    ident = entry.get("id")
    return ((f"<code>{esc(ident)}</code><br>" if ident else "")
            + f'<small title="{esc(json.dumps(entry.get("params") or {}, sort_keys=True))}">'
            f"{esc(what)}</small>")


def _versions(prov: dict[str, Any] | None) -> str:
    found = (prov or {}).get("versions") or {}
    if not found:
        return '<span class="muted">not recorded</span>'
    key = ", ".join(f"{k} {found.get(k) or '-'}" for k in KEY_VERSIONS)
    rest = ", ".join(f"{k} {v or 'not installed'}" for k, v in found.items())
    return f"{esc(key)}<details><summary>all versions</summary>{esc(rest)}</details>"


def ledger_row(s: dict[str, Any]) -> str:
    """One run's row of the ledger: what produced the report."""
    prov = s.get("provenance")
    settings = s.get("settings") or {}
    bill = s.get("bill") or {}
    gen_fallback = " / ".join(str(x) for x in (bill.get("backend") or settings.get("generator"),
                                               bill.get("model")) if x)
    learner_fallback = settings.get("learner") or ""
    return ("<tr>" + _cell(s.get("dataset", "?")) + _cell(s.get("profile", "?"))
            + _cell(s.get("finished") or "-") + f"<td>{_wall_time(s)}</td>"
            + f"<td>{_commit(prov)}</td>"
            + f"<td>{_component((prov or {}).get('generator'), gen_fallback)}</td>"
            + f"<td>{_component((prov or {}).get('learner'), learner_fallback)}</td>"
            + _cell(_bill(s.get("bill"))) + f"<td>{_versions(prov)}</td></tr>")


# ------------------------------------------------------------------------ small multiples
def curves(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs that can be drawn: each summary whose sweep has a ``curve`` with points."""
    return [s for s in summaries if ((s.get("sweep") or {}).get("curve") or {}).get("points")]


def figure(summaries: list[dict[str, Any]]) -> "go.Figure":
    """Small multiples of the sweep curves, one panel per run in ``summaries`` (each with a
    curve: :func:`curves`): mean over seeds with its 95% band, each seed's run, the majority
    baseline, the last 10% shaded; the panel's title carries finding 1's verdict."""
    import plotly.graph_objects as go

    from littlehuman.metrics import METRIC_LABELS
    from littlehuman.plots import style
    from littlehuman.plots.style import Panels

    titles = []
    for s in summaries:
        metric = s["sweep"]["curve"].get("metric") or s["sweep"].get("metric") or ""
        verdict = fnd.finding_last_10(s.get("sweep"))["verdict"]
        titles.append(f"{s.get('dataset', '?')} · {s.get('profile', '?')}: "
                      f"{METRIC_LABELS.get(metric, metric)}<br><sub>finding 1: {verdict}</sub>")
    # three to a row, as in the reports: the page never scrolls sideways
    grid = Panels(len(summaries), titles, panel_width=330, height=420)
    fig = grid.fig
    shaded: list[dict[str, Any]] = []
    for i, s in enumerate(summaries, start=1):
        at = grid.at(i)
        first = i == 1
        shape = s["sweep"]["curve"]
        pts = sorted(shape["points"], key=lambda p: p["fraction"])
        x = [100 * p["fraction"] for p in pts]
        ok = all(p.get("low") is not None and p.get("high") is not None for p in pts)
        # the last 10% shaded, set once after the loop (add_vrect per panel re-checked every
        # shape so far: 22 of 42 s at 100 reports)
        axes = fig.get_subplot(**at)
        x_ref, y_ref = (a.plotly_name.replace("axis", "") for a in (axes.xaxis, axes.yaxis))
        shaded.append(dict(type="rect", xref=x_ref, yref=f"{y_ref} domain", x0=90, x1=100,
                           y0=0, y1=1, fillcolor="rgba(214, 39, 40, 0.10)", line_width=0,
                           layer="below"))
        if ok:
            fig.add_trace(go.Scatter(
                x=x + x[::-1], y=[p["high"] for p in pts] + [p["low"] for p in pts][::-1],
                fill="toself", fillcolor="rgba(31, 119, 180, 0.18)", line=dict(width=0),
                mode="lines", hoverinfo="skip", name="95% interval (seeds x test rows)",
                legendgroup="band", showlegend=first), **at)
        by_seed: dict[Any, list[dict[str, Any]]] = {}
        for run in shape.get("runs") or []:
            by_seed.setdefault(run.get("seed"), []).append(run)
        for k, (seed, runs) in enumerate(sorted(by_seed.items(), key=lambda kv: str(kv[0]))):
            runs = sorted(runs, key=lambda q: q["fraction"])
            fig.add_trace(go.Scatter(
                x=[100 * q["fraction"] for q in runs], y=[q["score"] for q in runs],
                mode="lines+markers", line=dict(color="rgba(120, 120, 120, 0.45)", width=1),
                marker=dict(size=4), name="one seed", legendgroup="seed",
                showlegend=first and k == 0,
                hovertemplate=f"seed {seed}<br>%{{x:.1f}}% synthetic<br>%{{y:.4f}}<extra></extra>"),
                **at)
        fig.add_trace(go.Scatter(
            x=x, y=[p["mean"] for p in pts], mode="lines+markers",
            line=dict(color="#1f77b4", width=3), name="mean over seeds", legendgroup="mean",
            showlegend=first,
            customdata=[[p.get("low"), p.get("high"), p.get("seeds")] for p in pts],
            hovertemplate=("%{x:.1f}% synthetic<br>mean %{y:.4f}<br>95% interval "
                           "[%{customdata[0]:.4f}, %{customdata[1]:.4f}]<br>"
                           "%{customdata[2]} seed(s)<extra></extra>")), **at)
        baseline = s["sweep"].get("baseline")
        if baseline is not None and not style.baseline_off_axis(fig, baseline, **at):
            fig.add_trace(go.Scatter(
                x=[0, 100], y=[baseline, baseline], mode="lines",
                line=dict(color="#7f7f7f", dash="dot", width=1.5), name="majority baseline",
                legendgroup="baseline", showlegend=first,
                hovertemplate=f"majority baseline {baseline:.4f}<extra></extra>"), **at)
        span = s["sweep"].get("random_span") or {}  # QA: sweep.span_json
        if span.get("score") is not None and not style.baseline_off_axis(
                fig, span["score"], **at, name="random span"):
            fig.add_trace(go.Scatter(
                x=[0, 100], y=[span["score"]] * 2, mode="lines",
                line=dict(color="#7f7f7f", dash="dashdot", width=1.5),
                name="random span of the context (QA)", legendgroup="span",
                showlegend=not any(t.legendgroup == "span" for t in fig.data),
                hovertemplate=f"random span {span['score']:.4f} (answers' median "
                              f"{span['words']:g} words)<extra></extra>"), **at)
        fig.update_xaxes(range=[-3, 103], title_text="synthetic %", **at)
    fig.update_layout(shapes=[*fig.layout.shapes, *shaded])
    return grid.layout(None)  # the page's heading and caption title it


def figure_html(drawable: list[dict[str, Any]], plotlyjs: str | None = None) -> str:
    """The small multiples of ``drawable`` (summaries with a curve: :func:`curves`) as an
    HTML fragment, plotly.js inlined (once: the page has one figure) or, with ``plotlyjs``
    (a relative path to the shared copy), loaded from there; '' when none."""
    if not drawable:
        return ""
    return figure(drawable).to_html(full_html=False, include_plotlyjs=plotlyjs or True,
                                    div_id=FIGURE_ID, config={"displaylogo": False})


# ------------------------------------------------------------------------ the page
def read_summaries(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """``(folder, summary)`` for every ``<root>/<dataset>/<profile>/summary.json`` that reads
    as a JSON object (an unreadable one is skipped, not fatal), sorted by path."""
    found = ((path.parent, paths.read_json_object(path))
             for path in sorted(root.glob("*/*/summary.json")))
    return [(folder, s) for folder, s in found if s is not None]


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1500px;color:#222}
table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:4px 8px;
text-align:left;vertical-align:top;font-size:14px}th{background:#f3f3f3}
th small{font-weight:normal;color:#555}.verdict{display:inline-block;padding:1px 8px;
border-radius:10px;font-weight:600;font-size:13px;cursor:help}.v-holds{background:#d7f0d7;
color:#14521a}.v-against{background:#f8d3d3;color:#7a1212}.v-unseen{background:#eee;
color:#444}.v-none{background:#fff;color:#888;border:1px dashed #bbb}.num{margin-top:4px;
font-variant-numeric:tabular-nums}.sub{font-size:12px;color:#555;
font-variant-numeric:tabular-nums}.paper{font-size:12px;color:#555;margin-top:4px;
font-style:italic}details{font-size:12px;color:#444;margin-top:4px}summary{cursor:pointer;
color:#1f5fa0}.dirty{color:#7a1212;font-weight:600}.clean{color:#14521a}.muted{color:#888}
code{font-size:12px}.partial{color:#7a1212}"""


def glossary() -> str:
    """The words the findings use, with the trade-off's statuses as its reports define them."""
    from littlehuman.experiments.tradeoff import STATUS_WORDS

    terms = [
        ("twin", "a synthetic row written by the generator from one human row's context (the "
                 "paper's one synthetic point per real one)"),
        ("synthetic share", "the fraction of a training set of fixed size n whose human rows "
                            "are replaced by their twins"),
        ("majority baseline", "the score of predicting the train pool's most common label or "
                              "answer for every test row: a learner that learned only that"),
        ("random span", "QA: the ROUGE-1 of a span of each test context at a random start, "
                        "as long as the run's own answer there: a run that learned how long "
                        "to answer but not where; runs that together do not beat it learned "
                        "nothing"),
        ("smallest detectable effect", "the effect a run of this many seeds and test rows "
                                       "would have found with 80% probability; 'not estimable' "
                                       "when every resample gave the same difference"),
        ("operating point", "one synthetic base with its human points, per seed or on the "
                            "seed means: one synthetic-only curve fitted there"),
        ("equivalent", "the additional synthetic points the fitted synthetic-only curve needs to "
                       "match the score the human points reached (the paper's Table 3 "
                       "statistic is its median over operating points)"),
        ("break-even price ratio", "the equivalent per human point: human annotation is the "
                                   "cheaper route while a human point costs less than this many "
                                   "synthetic ones"),
    ] + [(f"status {name}", words) for name, words in STATUS_WORDS.items()]
    items = "".join(f"<dt>{esc(t)}</dt><dd>{esc(d)}.</dd>" for t, d in terms)
    return f"<details><summary>what the findings' words mean</summary><dl>{items}</dl></details>"


def page(root: Path, plotlyjs: str | None = None) -> str:
    """The index page from every report folder under ``root`` (its ``summary.json``); its
    figure loads plotly.js from ``plotlyjs`` (a path relative to ``root``) when given."""
    runs = read_summaries(root)
    summaries = [s for _, s in runs]
    rows = [findings_row(s, _links(root, folder)) for folder, s in runs]
    ledger = [ledger_row(s) for s in summaries]
    drawable = curves(summaries)
    fig = figure_html(drawable, plotlyjs)
    drawn = {id(s) for s in drawable}
    no_curve = [f"{s.get('dataset', '?')} · {s.get('profile', '?')}" for s in summaries
                if id(s) not in drawn]
    missing = (f"<p class='muted'>No curve in the summary of {esc(', '.join(no_curve))} "
               "(written before the index drew curves, or the sweep was not run): rerun "
               "<code>run_all.py</code> for it.</p>" if no_curve else "")
    figure_part = (f"{fig}" if fig else "<p class='muted'>No sweep curve to draw yet.</p>")
    paper = fnd.PAPER_FINDINGS
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>littlehuman reports</title>
<style>{STYLE}</style></head><body>
<h1>littlehuman: how far can synthetic data replace human data?</h1>
<p>One row per dataset run: the paper's three findings as this run measured them (means
over seeds on the human test split, with 95% bootstrap intervals over seeds and test
examples), each judged by one rule: it <span class="verdict v-holds">holds</span> when the
measured effect's 95% interval lies wholly on the paper's side, is
<span class="verdict v-against">contradicted</span> when it lies wholly on the other side,
and is <span class="verdict v-unseen">not visible at this power</span> otherwise (the
smallest effect the run could have detected at 80% power is given: a finding smaller than
that may still be there). Hover a verdict for its reason; "in words" has the full sentence.
The paper fine-tuned Llama-3.1-8B on GPT-3.5-Turbo data; our profiles use other generators
and learners, so compare directions, not values.</p>
<h2 id="findings">The findings</h2>
<table class="findings"><tr><th>dataset</th><th>task</th><th>profile</th>
<th>1. the last 10% of human data matters most (sweep)<br><small>paper: {esc(paper['last_10'])}</small></th>
<th>2. a few human points lift a synthetic model (zoom)<br><small>paper: {esc(paper['few_human'])}</small></th>
<th>3. human points are worth many synthetic ones (trade-off)<br><small>paper: {esc(paper['tradeoff'])}</small></th>
<th>reports</th></tr>
{''.join(rows) or '<tr><td colspan="7">no runs yet</td></tr>'}
</table>
<h2 id="curves">The sweep curves</h2>
<p>One panel per run: the main metric on the human test split against the share of the
training set replaced by synthetic twins (the paper's Figure 1). The thick line is the mean
over seeds, the band its 95% bootstrap interval (seeds and test rows), thin grey lines
single seeds, the dotted line the majority baseline (a learner that learned only the
commonest label or answer) and,
for QA, the dash-dotted line a random span of the context (see Terms). The
paper's curves decline slowly up to 90% synthetic, then drop steeply from 90% to 100%
(shaded): that is finding 1's shape.</p>
{figure_part}
{missing}
<h2 id="terms">Terms</h2>
{glossary()}
<h2 id="ledger">The ledger</h2>
<p>What produced each report: when it finished and how long it took (with the training runs
and generation calls that time paid for: none when everything came from the cache), the code (git commit;
<em>dirty</em>: tracked files differed from it), the generator and the learner with the ids
their synthetic files and run keys carry, what generation cost, and the key package
versions.</p>
<table class="ledger"><tr><th>dataset</th><th>profile</th><th>finished (UTC)</th>
<th>wall time</th><th>commit</th><th>generator</th><th>learner</th><th>bill</th>
<th>versions</th></tr>
{''.join(ledger) or '<tr><td colspan="9">no runs yet</td></tr>'}
</table></body></html>
"""
