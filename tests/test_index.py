"""``outputs/index.html`` from hand-made summaries: the verdict rule, the three findings read
from summaries old and new, the small multiples, the ledger, and provenance."""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from littlehuman import findings as fnd
from littlehuman import index, provenance
from littlehuman.findings import CONTRADICTED, HOLDS, NOT_MEASURED, NOT_VISIBLE, verdict


# ------------------------------------------------------------------------ the rule
@pytest.mark.parametrize("est, low, high, expected", [
    (0.10, 0.05, 0.15, HOLDS),            # the whole interval on the paper's side
    (-0.10, -0.15, -0.05, CONTRADICTED),  # the whole interval on the other side
    (0.02, -0.01, 0.05, NOT_VISIBLE),     # covers 0
    (0.0, 0.0, 0.0, NOT_VISIBLE),         # touching 0 is not clear of it
    (0.01, 0.0, 0.02, NOT_VISIBLE),
    (None, -0.1, 0.1, NOT_MEASURED),
    (0.1, None, 0.2, NOT_MEASURED),
    (float("nan"), 0.1, 0.2, NOT_MEASURED),
])
def test_verdict_rule(est, low, high, expected):
    assert verdict(est, low, high)["verdict"] == expected


def test_verdict_direction_null_and_detectable():
    # the paper's claim "below 0": direction -1 swaps holds and contradicted
    assert verdict(-0.1, -0.2, -0.05, direction=-1)["verdict"] == HOLDS
    assert verdict(0.1, 0.05, 0.2, direction=-1)["verdict"] == CONTRADICTED
    # against another null (e.g. as many synthetic points as human ones)
    assert verdict(900, 300, 2000, null=200)["verdict"] == HOLDS
    assert verdict(150, 100, 180, null=200)["verdict"] == CONTRADICTED
    assert verdict(300, 150, 900, null=200)["verdict"] == NOT_VISIBLE
    unseen = verdict(0.01, -0.02, 0.04, detectable=0.038)
    assert unseen["detectable"] == 0.038 and "0.038" in unseen["text"]
    # runs that predict alike: a zero-width interval has no power to read, not a power of 0
    flat = verdict(0.0, 0.0, 0.0, detectable=None)
    assert flat["verdict"] == NOT_VISIBLE and "not estimable" in flat["text"]
    from littlehuman.index import _detectable
    assert "not estimable" in _detectable(flat) and ": 0<" not in _detectable(flat)
    swapped = verdict(0.1, 0.2, 0.05)  # bounds given the wrong way round
    assert swapped["verdict"] == HOLDS and (swapped["low"], swapped["high"]) == (0.05, 0.2)


# ------------------------------------------------------------------------ the findings
SWEEP = {  # ROPES, cpu profile (README): most of the loss by 90%, the contrast from the run
    "metric": "rouge1", "status": "ok", "first_90": [0.101, 0.076, 0.131],
    "last_10": [0.021, -0.001, 0.042], "seeds": 5,
    "detectable": {"first_90": 0.039, "last_10": 0.030},
    "contrast": {"estimate": [-0.080, -0.118, -0.043], "seeds": 5, "detectable": 0.053},
    "text": "rouge1 lost 0->90% synthetic: ...", "flags": [], "baseline": 0.05,
    "curve": {"metric": "rouge1",
              "points": [{"fraction": f, "mean": m, "low": m - 0.02, "high": m + 0.02,
                          "seeds": 2} for f, m in ((0.0, 0.21), (0.5, 0.13), (0.9, 0.11),
                                                   (1.0, 0.09))],
              "runs": [{"fraction": f, "seed": s, "score": m + 0.01 * s}
                       for s in (0, 1) for f, m in ((0.0, 0.21), (0.5, 0.13), (0.9, 0.11),
                                                    (1.0, 0.09))]},
}
ZOOM_LINE = ("n=500: 12 more human points (97.5% vs 100.0% synthetic) changed accuracy by "
             "+0.0090 on average [-0.0140, +0.0390]; no side favoured over 5 seeds (sign test "
             "p=1; 5 seed(s) allow at best p=0.0625; the smallest difference this run could "
             "detect at 80% power: 0.0380)")
TRADEOFF = {"human_points": 50, "headline": "+50 human points: ...", "flags": [], "bases": [
    {"base": 250, "status": "ok", "equivalent": 900.0, "interval": [300.0, 2000.0],
     "message": "", "gain": [0.05, 0.02, 0.08], "gain_detectable": 0.04, "failed_resamples": 0},
    {"base": 100, "status": "no_gain", "equivalent": None, "interval": [None, None],
     "message": "the synthetic-only curve does not rise", "gain": [0.01, -0.01, 0.03],
     "gain_detectable": 0.028}]}


def summary(dataset="ropes", profile="cpu", **extra):
    return {"dataset": dataset, "task": "qa", "profile": profile, "headline": "h",
            "sweep": SWEEP, "zoom": {"paired": [ZOOM_LINE], "flags": []},
            "tradeoff": TRADEOFF, "seconds": 2124.0, "finished": "2026-12-01 02:10",
            "bill": {"backend": "gemma", "model": "gemma-3-270m", "requests": 503, "sent": 503,
                     "input_tokens": 0, "output_tokens": 0, "dollars": None, "local": True},
            "settings": {"generator": "gemma", "learner": "encoder"}, **extra}


def test_finding_1_uses_the_paired_contrast_else_the_two_intervals():
    v = fnd.finding_last_10(SWEEP)
    assert v["verdict"] == CONTRADICTED and v["estimate"] == -0.080
    assert "paired contrast" in v["how"] and v["paper"] == fnd.PAPER_FINDINGS["last_10"]
    old = {k: SWEEP[k] for k in ("first_90", "last_10", "text")}  # before "contrast"
    v = fnd.finding_last_10(old)
    # [last low - first high, last high - first low] = [-0.001 - 0.131, 0.042 - 0.076] < 0
    assert v["verdict"] == CONTRADICTED
    assert (v["low"], v["high"]) == pytest.approx((-0.132, -0.034))
    fever = {"first_90": [0.071, -0.002, 0.147], "last_10": [0.007, -0.029, 0.037]}
    assert fnd.finding_last_10(fever)["verdict"] == NOT_VISIBLE
    assert fnd.finding_last_10({"status": "missing"})["verdict"] == NOT_MEASURED
    assert fnd.finding_last_10(None)["verdict"] == NOT_MEASURED


def test_finding_2_reads_structured_comparisons_or_the_sentences():
    v = fnd.finding_few_human({"paired": [ZOOM_LINE]})
    assert v["verdict"] == NOT_VISIBLE and v["n"] == 500 and v["human"] == 12
    assert (v["estimate"], v["low"], v["high"], v["detectable"]) == (0.009, -0.014, 0.039, 0.038)
    # several sizes: the verdict at the largest, every size kept
    small = ZOOM_LINE.replace("n=500: 12 more human points", "n=40: 1 more human point")
    small = small.replace("+0.0090 on average [-0.0140, +0.0390]",
                          "-0.0500 on average [-0.0800, -0.0200]")
    v = fnd.finding_few_human({"paired": [ZOOM_LINE, small]})
    assert v["n"] == 500 and [s["n"] for s in v["sizes"]] == [40, 500]
    assert v["sizes"][0]["verdict"] == CONTRADICTED
    structured = {"comparisons": [{"n": 500, "human": 12, "difference": [0.05, 0.02, 0.08],
                                   "detectable": 0.04}], "paired": [ZOOM_LINE]}
    assert fnd.finding_few_human(structured)["verdict"] == HOLDS
    assert fnd.finding_few_human(None)["verdict"] == NOT_MEASURED
    assert fnd.finding_few_human({"paired": ["something else"]})["verdict"] == NOT_MEASURED


def test_finding_3_gain_first_then_the_price():
    v = fnd.finding_tradeoff(TRADEOFF)
    assert [b["base"] for b in v["bases"]] == [100, 250]
    assert v["base"] == 250 and v["verdict"] == HOLDS  # [300, 2000] lies above 50
    assert v["bases"][0]["verdict"] == NOT_VISIBLE  # base 100: the gain covers 0
    cheap = {**TRADEOFF, "bases": [{**TRADEOFF["bases"][0], "interval": [10.0, 40.0],
                                    "equivalent": 20.0}]}
    assert fnd.finding_tradeoff(cheap)["verdict"] == CONTRADICTED  # worth fewer than 50
    flat = {**TRADEOFF, "bases": [{**TRADEOFF["bases"][1], "gain": [0.05, 0.02, 0.08]}]}
    assert fnd.finding_tradeoff(flat)["verdict"] == HOLDS  # no synthetic amount matches
    worse = {**TRADEOFF, "bases": [{**TRADEOFF["bases"][0], "status": "saturated",
                                    "gain": [-0.05, -0.08, -0.02]}]}
    assert fnd.finding_tradeoff(worse)["verdict"] == CONTRADICTED
    unsure = {**TRADEOFF, "bases": [{**TRADEOFF["bases"][0], "interval": [None, None],
                                     "failed_resamples": 120}]}  # > 5% of 1,000: no interval
    v = fnd.finding_tradeoff(unsure)
    assert v["verdict"] == NOT_VISIBLE and "120 bootstrap resamples had no equivalent" in v["text"]
    assert v["estimate"] == 900.0 and v["interval"] == [None, None]
    # an unbounded end, written 'inf' in summary.json (resamples no synthetic amount matches,
    # ranked above every number): "at least 300" above the 50 human points holds
    at_least = {**TRADEOFF, "bases": [{**TRADEOFF["bases"][0], "interval": [300.0, "inf"],
                                       "failed_resamples": 80}]}
    v = fnd.finding_tradeoff(at_least)
    assert v["verdict"] == HOLDS and v["interval"] == [300.0, math.inf]
    across = {**TRADEOFF, "bases": [{**TRADEOFF["bases"][0], "interval": [30.0, "inf"],
                                     "failed_resamples": 80}]}
    assert fnd.finding_tradeoff(across)["verdict"] == NOT_VISIBLE
    # every resample beyond every number: "inf" at both ends holds
    beyond = {**TRADEOFF, "bases": [{**TRADEOFF["bases"][0], "interval": ["inf", "inf"],
                                     "failed_resamples": 990}]}
    assert fnd.finding_tradeoff(beyond)["verdict"] == HOLDS
    # None is a missing end, not an unbounded one: nothing to resample is not measured
    alone = {**TRADEOFF, "bases": [{**TRADEOFF["bases"][0], "interval": [None, None],
                                    "failed_resamples": 0}]}
    assert fnd.finding_tradeoff(alone)["verdict"] == NOT_MEASURED
    odd = {**TRADEOFF, "bases": [{**TRADEOFF["bases"][0], "status": "incomplete"}]}
    assert fnd.finding_tradeoff(odd)["verdict"] == NOT_MEASURED
    assert fnd.finding_tradeoff(None)["verdict"] == NOT_MEASURED


# ------------------------------------------------------------------------ the page
def write(root: Path, s: dict) -> Path:
    folder = root / s["dataset"] / s["profile"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(s))
    (folder / "02_replacement_sweep.html").write_text("<html></html>")
    return folder


PROV = {"commit": "0123456789abcdef0123456789abcdef01234567", "dirty": True,
        "versions": {"python": "3.11.7", "littlehuman": "0.1.0", "torch": "2.13.0+cpu",
                     "transformers": "5.24.0", "peft": None},
        "generator": {"id": "gemma-0a1b2c3d4e", "backend": "gemma", "model": "gemma-3-270m"},
        "learner": {"id": "encoder-9353de3eff", "name": "encoder",
                    "model": "all-MiniLM-L6-v2 (bundled)", "params": {"lr": 0.0002}}}


def test_page_has_verdicts_figure_and_ledger(tmp_path):
    scale = {"generator": "gemma", "learner": "encoder", "n_train": 500,
             "seeds": [0, 1, 2, 3, 4], "tradeoff_seeds": 3}
    write(tmp_path, summary(provenance=PROV, settings=scale, advisor={"test_rows": 1688}))
    write(tmp_path, summary("fever", "smoke"))  # no provenance: an older summary
    page = index.page(tmp_path)
    # the runs behind a report re-executed at a later commit are named by theirs
    later = dict(PROV, commit="fedcba9876543210fedcba9876543210fedcba98", dirty=False,
                 runs={"0123456789ab": 40, "not recorded": 2})
    write(tmp_path, summary("wanli", "cpu", provenance=later))
    ledger = index.page(tmp_path).split('<table class="ledger">')[1]
    assert "runs trained at: 0123456789ab (40), not recorded (2)" in ledger
    # the words the findings use, the statuses among them
    assert "<dt>operating point</dt>" in page and "<dt>status no_gain</dt>" in page
    # the scale each row's findings stand on, under its profile
    assert "n = 500, 5 seeds (trade-off 3), 1,688 test rows" in page
    verdicts = re.findall(r'data-verdict="([^"]+)"', page)
    assert len(verdicts) == 6 and set(verdicts) <= set(fnd.VERDICTS)
    assert verdicts[:3] == [CONTRADICTED, NOT_VISIBLE, HOLDS]
    # the rows a summary resolved its caps to come first ("n_train: 0" reads as all)
    write(tmp_path, summary("ropes", "cpu", settings={**scale, "n_train": 0},
                            rows={"train": 321, "valid": 60, "test": 1688}))
    assert "n = 321, 5 seeds (trade-off 3), 1,688 test rows" in index.page(tmp_path)
    # finding 3 on the scale the paper's claim is read: per human point, beside the paper's
    assert "worth +900 synthetic [300, 2,000], 18x [6.0x, 40x] per human point" in page
    assert "judged here against 1x" in page and "1.2x to 185x per human point" in page
    t3 = {"n": 9, "n_undefined": 0, "mean": 1554.2, "median": 1518.2, "p25": 1352.3,
          "p75": 1744.6}
    write(tmp_path, summary("ropes", "cpu", tradeoff={**TRADEOFF, "table3": t3}))
    assert ("this run, Table 3: median 1,518 (quartiles 1,352 to 1,745; 9 operating points, 30x per "
            "human point)") in index.page(tmp_path)
    write(tmp_path, summary("ropes", "cpu", tradeoff={**TRADEOFF, "table3": {
        **t3, "median": 9250.0}}))  # 185x, as the paper's FairyTaleQA (not '1.8e+02x')
    assert "9 operating points, 185x per human point" in index.page(tmp_path)
    write(tmp_path, summary("ropes", "cpu", tradeoff={**TRADEOFF, "table3": {
        **t3, "median": -121.0, "p25": -150.0}}))  # no synthetic point per human one
    assert "9 operating points)" in index.page(tmp_path)
    write(tmp_path, summary("ropes", "cpu", tradeoff={**TRADEOFF, "table3": {
        "n": 2, "n_undefined": 1, "mean": -184.0, "median": -184.0, "p25": -199.0,
        "p75": -169.0, "values": [-214.0, -154.0]}}))  # 2 values: no quartiles
    assert "median -184 (values -214 and -154; 2 of 3 operating points)" in index.page(tmp_path)
    assert "x per human point" not in index.page(tmp_path).split("this run, Table 3")[1][:200]
    # beside Table 3's median, the median over the bases with its interval (the headline's)
    write(tmp_path, summary("ropes", "cpu", tradeoff={**TRADEOFF, "table3": t3,
                                                      "median_equivalent": {
        "value": 1590.0, "low": 1500.0, "high": "inf", "bases": 3}}))
    assert ("over the 3 bases (median of the seed-mean fits): 1,590 [1,500, ∞), 32x [30x, ∞) "
            "per human point") in index.page(tmp_path)
    write(tmp_path, summary("ropes", "cpu", tradeoff={**TRADEOFF, "table3": t3,
                                                      "median_equivalent": {
        "value": -2000.0, "low": -2000.0, "high": "inf", "bases": 3, "floor": -1000.0}}))
    assert "over the 3 bases (median of the seed-mean fits): ≤ 0 [≤ 0, ∞)</div>" in \
        index.page(tmp_path)  # none needed, not '-2,000 synthetic points'
    # a low end at minus the base (none needed) is 0 synthetic points per human point, not
    # "-5.0x" (ROPES's cpu profile, a reader, 2026-12-05)
    assert index._per_point({"equivalent": 1556.0, "interval": [-250.0, "inf"]}, 50) == \
        ", 31x [0x, ∞) per human point"
    # notebook 06's buy line stands in the trade-off's cell (a reviewer: the index had none)
    buy = "Buy 3,000 synthetic points (all $150): the exponential saturation's best split"
    write(tmp_path, summary("ropes", "cpu", advisor={"buy": buy}))
    assert f"the advice (notebook 06):</b> {index.esc(buy)}" in index.page(tmp_path)
    assert "read off the runs, no curve" not in index.page(tmp_path)
    # and the equivalents read off the measured runs, no curve assumed (summary.json's form)
    measured = [{"base": 1000, "equivalent": 1346.0, "status": "ok", "at_least": 2800.0,
                 "low": 1298.0, "high": 1441.0, "beyond": 4, "largest": 3800.0},
                {"base": 2000, "equivalent": 1329.0, "status": "ok", "at_least": 1800.0,
                 "low": 1260.0, "high": "inf", "beyond": 300, "largest": 3800.0},
                {"base": 3000, "equivalent": None, "status": "beyond", "at_least": 800.0,
                 "low": "inf", "high": "inf", "beyond": 996, "largest": 3800.0}]
    write(tmp_path, summary("ropes", "cpu", advisor={"buy": buy, "measured": measured}))
    assert ("read off the runs, no curve (notebook 06): +1,346 [1,298, 1,441] on base 1,000, "
            "+1,329 [1,260, &gt; 1,800) on base 2,000, more than 800 on base 3,000") in \
        index.page(tmp_path)
    # a base read past the trade-off's runs, on the sweep's run, is marked (a helper: FEVER's
    # simulated base 3,000 missed the truth there and the index said nothing)
    far = [{**measured[0], "largest": 5000.0, "reach": 3800.0},
           {"base": 3000, "equivalent": 1248.0, "status": "ok", "at_least": 2000.0,
            "low": 1141.0, "high": 1295.0, "beyond": 0, "largest": 5000.0, "reach": 3800.0}]
    write(tmp_path, summary("ropes", "cpu", advisor={"buy": buy, "measured": far}))
    assert ("+1,346 [1,298, 1,441] on base 1,000, +1,248 [1,141, 1,295] on base 3,000* (* read "
            "past the trade-off&#x27;s runs, between 3,800 and the sweep&#x27;s 5,000 synthetic "
            "points)</div>") in index.page(tmp_path)
    write(tmp_path, summary("ropes", "cpu", tradeoff={**TRADEOFF, "table3": {
        **t3, "n": 1, "n_undefined": 2}}))  # mostly undefined: blank, as the reports leave it
    assert "this run, Table 3" not in index.page(tmp_path)
    assert "+0.021 [-0.001, +0.042]" in page and "n=500, 12 human points" in page
    assert "paper, Table 3: median 6,006" in page and "paper, Table 3: median 236" in page
    assert fnd.PAPER_FINDINGS["last_10"] in page
    # one figure, plotly.js inlined once, nothing fetched
    assert page.count('class="plotly-graph-div"') == 1 and f'id="{index.FIGURE_ID}"' in page
    assert page.count("window.PlotlyConfig") == 1 and page.count("* plotly.js v") == 1
    assert "<script src=" not in page  # (the browser test checks that nothing is fetched)
    # the ledger
    assert "0123456789ab" in page and "dirty" in page and "encoder-9353de3eff" in page
    assert "gemma-0a1b2c3d4e" in page and "torch 2.13.0+cpu" in page and "35.4 min" in page
    assert "not recorded (summary predates the ledger)" in page
    assert "run locally: no charge" in page
    assert 'href="ropes/cpu/02_replacement_sweep.html"' in page


def test_a_saturated_base_shows_its_negative_equivalent_with_one_sign(tmp_path):
    # FEVER in the paper: the human points did not beat the synthetic curve at that base, so
    # the equivalent on the seed means is negative (here -10.3 points, as FEVER's cpu seed 0)
    saturated = {"base": 250, "status": "saturated", "equivalent": -10.3,
                 "interval": [-60.0, 40.0], "message": "the human points did not beat the curve",
                 "gain": [0.01, -0.01, 0.03], "gain_detectable": 0.03, "failed_resamples": 0}
    write(tmp_path, summary("fever", tradeoff={**TRADEOFF, "bases": [saturated]}))
    table = index.page(tmp_path).split('<table class="findings">')[1].split("</table>")[0]
    assert "worth -10 synthetic [-60, 40]" in table
    assert "+-" not in table


def test_ledger_says_what_the_wall_time_covered(tmp_path):
    # FEVER's cpu report re-executed with --force-notebooks: 26.6 s, every run and twin read
    # from the cache (the runs themselves took 24.6 min the night before)
    write(tmp_path, summary("fever", seconds=26.6, runs_trained=0, generation_calls=0))
    write(tmp_path, summary("ropes", seconds=2124.0, runs_trained=42, generation_calls=504))
    ledger = index.page(tmp_path).split('<table class="ledger">')[1]
    fever, ropes = (row for row in ledger.split("<tr>")[2:])
    assert "fever" in fever and "27 s" in fever and "0 runs trained, 0 generation calls" in fever
    assert "35.4 min" in ropes and "42 runs trained, 504 generation calls" in ropes
    write(tmp_path, summary("ropes", seconds=60.0, runs_trained=1, generation_calls=1))
    assert "1 run trained, 1 generation call<" in index.page(tmp_path)


def test_old_and_minimal_summaries_still_render(tmp_path):
    # the shape test_robustness writes, and one from before curves, contrasts and provenance
    write(tmp_path, {"dataset": "toy", "task": "fv", "profile": "smoke", "headline": "h"})
    old_sweep = {k: SWEEP[k] for k in ("metric", "status", "first_90", "last_10", "text")}
    write(tmp_path, {"dataset": "fever", "task": "fv", "profile": "cpu", "headline": "h",
                     "sweep": old_sweep, "zoom": None, "tradeoff": None, "finished": "x"})
    (tmp_path / "bad" / "smoke").mkdir(parents=True)
    (tmp_path / "bad" / "smoke" / "summary.json").write_text("{ torn")
    page = index.page(tmp_path)
    assert "toy" in page and "fever" in page
    assert "plotly-graph-div" not in page and "No sweep curve to draw yet" in page
    assert "No curve in the summary of fever · cpu, toy · smoke" in page
    assert page.count(f'data-verdict="{NOT_MEASURED}"') == 5
    assert page.count(f'data-verdict="{CONTRADICTED}"') == 1  # fever's old intervals
    assert "not run (notebook 03)" in page


def test_a_partial_release_is_said_in_its_row(tmp_path):
    """WANLI's row read "smoke, n = 48, 1 seed, 10 test rows" as if those were WANLI's own
    test rows: the summary's data notes (the 100-row sample) are said under the scale."""
    note = "only train_sample.jsonl is here (the release's 100-row sample), split 80/10/10"
    write(tmp_path, summary("wanli", "smoke", rows={"train": 48, "test": 10}, data_notes=[note]))
    write(tmp_path, summary("ropes", rows={"train": 500, "test": 1688}))
    findings = index.page(tmp_path).split('<table class="ledger">')[0]
    [wanli] = [row for row in findings.split("<tr>") if row.startswith("<td>wanli")]
    [ropes] = [row for row in findings.split("<tr>") if row.startswith("<td>ropes")]
    assert "10 test rows" in wanli and f"partial data: {index.esc(note)}" in wanli
    assert "partial data" not in ropes


def test_page_without_runs(tmp_path):
    page = index.page(tmp_path)
    assert "no runs yet" in page and "plotly" not in page.lower()


def test_small_multiples_one_panel_per_run():
    runs = [summary(f"d{i}") for i in range(5)]
    fig = index.figure(runs)
    titles = [a.text for a in fig.layout.annotations if "finding 1" in (a.text or "")]
    assert len(titles) == 5 and "contradicted" in titles[0]
    means = [t for t in fig.data if t.name == "mean over seeds"]
    assert len(means) == 5 and list(means[0].y) == [0.21, 0.13, 0.11, 0.09]
    assert list(means[0].x) == [0.0, 50.0, 90.0, 100.0]
    assert sum(t.name == "majority baseline" for t in fig.data) == 5
    assert sum(t.showlegend is True for t in fig.data) == 4  # band, seed, mean, baseline
    assert fig.layout.width <= 3 * 330  # three to a row, as in the reports: no sideways scroll
    assert [t.xaxis for t in means] == ["x", "x2", "x3", "x4", "x5"]
    # each panel's last 10% shaded once, on its own axes, the panel's whole height
    shaded = [(s.xref, s.yref, s.x0, s.x1, s.y0, s.y1) for s in fig.layout.shapes]
    assert shaded == [(f"x{i}", f"y{i} domain", 90, 100, 0, 1) for i in ("", 2, 3, 4, 5)]
    assert fig.layout.yaxis4.domain[1] < fig.layout.yaxis.domain[0]  # the fourth run: second row


# ------------------------------------------------------------------------ provenance
def test_provenance_in_this_checkout():
    p = provenance.provenance()
    assert set(p) >= {"commit", "dirty", "versions", "generator", "learner"}
    assert p["versions"]["littlehuman"] and p["versions"]["python"]
    if (provenance.package_root() / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", p["commit"]) and isinstance(p["dirty"], bool)
    json.dumps(p)


def test_provenance_outside_a_git_checkout_and_with_a_broken_study(tmp_path, monkeypatch):
    assert provenance.git_state(tmp_path)["commit"] is None
    monkeypatch.setattr(provenance, "package_root", lambda: tmp_path)
    monkeypatch.setattr(provenance, "_pip_commit", lambda: None)
    assert provenance.provenance()["commit"] is None

    class Broken:
        @property
        def profile(self):
            raise RuntimeError("no profile")

    assert provenance.provenance(Broken())["commit"] is None  # never raises
    monkeypatch.setenv("PATH", str(tmp_path))  # no git at all
    monkeypatch.setattr(provenance, "package_root",
                        lambda: Path(__file__).resolve().parents[1])
    assert provenance.git_state()["commit"] is None


def test_provenance_names_the_generator_and_learner():
    from littlehuman import config

    class FakeStudy:
        profile = config.profile("smoke")
        generator_id = "extractive-0123456789"
        learner_params = {"lr": 0.0002, "batch_size": 16}

        @property
        def backend(self):
            from littlehuman.generation import backend_from_profile

            return backend_from_profile(self.profile)

    p = provenance.provenance(FakeStudy())
    assert p["generator"]["id"] == "extractive-0123456789"
    assert p["generator"]["backend"] == "extractive"
    assert p["learner"]["name"] == "encoder"
    assert p["learner"]["id"] == provenance.learner_id("encoder", FakeStudy.learner_params)
    assert p["learner"]["id"] != provenance.learner_id("encoder", {"lr": 0.001})


def test_provenance_of_synthetic_rows_from_a_file_names_the_file(tmp_path):
    """With --synthetic FILE no generator ran: the ledger said "extractive / rules-v1" (the
    profile's generator, never called) beside the file's id; it names the file, as the bill."""
    from littlehuman import config

    class FakeStudy:
        profile = config.profile("smoke", synthetic=str(tmp_path / "twins.jsonl"))
        generator_id = "file-0123456789abcdef"
        learner_params = {"lr": 0.0002, "batch_size": 16}

        @property
        def backend(self):
            from littlehuman.generation import backend_from_profile

            return backend_from_profile(self.profile)

    p = provenance.provenance(FakeStudy())
    assert p["generator"] == {"id": "file-0123456789abcdef", "backend": "file",
                              "model": "twins.jsonl", "base_url": None}


def test_provenance_of_an_installed_copy_has_no_commit(tmp_path):
    """The module copied outside any checkout (as a wheel installs it): commit None."""
    lib = tmp_path / "site" / "pkg" / "littlehuman"
    lib.mkdir(parents=True)
    src = Path(provenance.__file__).read_text()
    (lib / "provenance_copy.py").write_text(src)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import provenance_copy as p; "
            "p._pip_commit = lambda: None; print(p.git_state()['commit'])")
    out = subprocess.run([sys.executable, "-c", code, str(lib)], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None"


def test_a_baseline_far_below_the_curve_is_named_not_drawn():
    """ROPES at the paper's scale: a baseline of 0.047 under scores of 0.7-0.9 drawn as a line
    put the curve in the panel's top fifth."""
    high = {**SWEEP, "baseline": 0.047, "curve": {**SWEEP["curve"], "points": [
        {**p, "mean": p["mean"] + 0.7, "low": p["low"] + 0.7, "high": p["high"] + 0.7}
        for p in SWEEP["curve"]["points"]],
        "runs": [{**r, "score": r["score"] + 0.7} for r in SWEEP["curve"]["runs"]]}}
    fig = index.figure([summary(sweep=high)])
    assert not [t for t in fig.data if t.name == "majority baseline"]
    assert any("majority baseline 0.047, below this axis" in (a.text or "")
               for a in fig.layout.annotations)
    near = index.figure([summary()])  # 0.05 under 0.09-0.21: drawn
    assert [t for t in near.data if t.name == "majority baseline"]


def test_finding_1_in_words_is_not_the_advisors_headline_after_advise_alone():
    """`advise` runs the trade-off and notebook 06 only: the summary's headline is then the
    advisor's, which the index had shown as finding 1's words (a helper's walk)."""
    said = index.sentences({"headline": "+8 human points ~ -14 [-20, 70] synthetic points",
                            "tradeoff": {}})
    assert said[0] == "not run (notebook 02)" and said[1] == "not run (notebook 03)"
    assert index.sentences({"sweep": {"text": "Replacing 90% costs 0.01.",
                                      "flags": ["one output"]}})[0] == \
        "Replacing 90% costs 0.01. Caution: one output."


def test_finding_1_shows_what_the_twins_carry():
    """The twins' wrong labels (FEVER's cpu-profile Gemma twins: 48 of 247 "false" claims copy
    their context) were said on notebook 02 only; the index's finding 1 showed no trace."""
    said = "48 of the 247 twins labelled false copy their context word for word"
    row = index.findings_row(summary(sweep={**SWEEP, "twins": said}), "")
    assert f"Read with what the twins carry: {said}" in row
    assert "what the twins carry" not in index.findings_row(summary(), "")
    # finding 1 not measured: no numbers to read it with, so no note
    missing = {**SWEEP, "status": "missing", "first_90": None, "last_10": None, "contrast": None,
               "twins": said}
    assert "what the twins carry" not in index.findings_row(summary(sweep=missing), "")


def test_a_named_file_enters_a_reports_digest_by_its_content(tmp_path):
    """A reviewer: an edited --prices file at the same path kept page 01's old bill ($57.60
    where $0.0576 was due): the digest held the path, not the content."""
    from littlehuman import config, freshness

    prices = tmp_path / "prices.json"
    prices.write_text('{"gpt-x": [1000, 2000]}')
    profile = config.profile("smoke", prices=str(prices))
    before = freshness.named_files_digest(profile)
    assert freshness.named_files_digest(profile) == before  # the same content: kept
    prices.write_text('{"gpt-x": [1, 2]}')
    assert freshness.named_files_digest(profile) != before
    prices.unlink()
    assert freshness.named_files_digest(profile) != before
    assert freshness.named_files_digest(config.profile("smoke")) == freshness._sha([])


def test_a_suggested_command_leaves_out_how_runs_happen():
    """A reviewer: a kept page 04 suggested `--jobs 2`, a setting that changes no page (and
    so kept it) and that the reader's machine may not have."""
    from littlehuman.experiments.advisor import _with_prices

    line, _ = _with_prices(["--dataset", "fever", "--profile", "smoke"],
                           {"price_human": 0.5, "price_synthetic": 0.05},
                           {"jobs": 2, "learner": "majority", "concurrency": 8}, {}, "")
    assert "--learner majority" in line and "--jobs" not in line and "--concurrency" not in line


def test_a_suggested_command_leaves_out_what_the_run_would_not_read():
    """A reviewer on a CPU without bfloat16: fit_to_machine sets float32 for the generator and
    the learner whatever they are, and pages 04 and 06 suggested `--generator openai
    --gen-dtype float32`, which run_all.py refuses (--gen-dtype is no setting of openai)."""
    from littlehuman import config
    from littlehuman.cli import build_parser
    from littlehuman.experiments.advisor import _with_prices
    from littlehuman.notebook import first_command

    fitted = {"generator": "openai", "gen_dtype": "float32", "train_bf16": False}
    line, cell = _with_prices(["--dataset", "fever", "--profile", "cpu"],
                              {"price_human": 0.5, "price_synthetic": 0.05}, fitted, {}, "")
    assert "--generator openai" in line and "--train-bf16 false" in line
    assert "--gen-dtype" not in line and "gen_dtype" not in cell
    first = first_command("fever", "cpu", "", {"learner": "majority", **fitted})
    assert "--gen-dtype" not in first and "--train-bf16" not in first
    # and what is left passes run_all.py's own check of unread flags
    args = build_parser().parse_args(line.split()[2:])
    chosen = {k[4:]: v for k, v in vars(args).items() if k.startswith("set_") and v is not None}
    config.check_chosen(config.profile("cpu", **chosen), chosen)


def test_the_kernels_get_a_relative_data_dir_as_an_absolute_one(tmp_path, monkeypatch):
    """A reviewer set LITTLEHUMAN_DATA_DIR=../shared/data (the README's layout): run_all read
    it from the checkout, the kernels (in notebooks/) from elsewhere, and every notebook
    failed after the expensive work, naming the command just run."""
    import os

    from littlehuman.report import kernel_environment

    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "main").mkdir()
    monkeypatch.chdir(tmp_path / "main")
    monkeypatch.setenv("LITTLEHUMAN_DATA_DIR", "../shared/data")
    with kernel_environment():
        assert os.environ["LITTLEHUMAN_DATA_DIR"] == str(tmp_path / "shared" / "data")
    assert os.environ["LITTLEHUMAN_DATA_DIR"] == "../shared/data"  # restored after


def test_a_qa_sweeps_random_span_is_drawn_and_named_in_the_terms():
    """QA's chance line (grid.span_baseline) on the index, as on notebook 02's figure; an old
    summary without it draws none."""
    fig = index.figure([summary(sweep={**SWEEP, "random_span": {"words": 12.0, "score": 0.111}}), summary()])
    drawn = [t for t in fig.data if t.legendgroup == "span"]
    assert len(drawn) == 1 and list(drawn[0].y) == [0.111, 0.111]
    assert drawn[0].line.dash == "dashdot" and "median 12 words" in drawn[0].hovertemplate
    assert "random span" in index.glossary()


def test_finding_1s_cell_says_gained_where_a_score_rose():
    """The index read 'lost 0→90%: -0.003' where the score rose (a reviewer)."""
    risen = {**SWEEP, "first_90": [-0.003, -0.017, 0.011]}
    cell = index._last_10_cell(fnd.finding_last_10(risen), "")
    assert "0&rarr;90%: gained +0.003 [-0.011, +0.017]" in cell
    assert "90&rarr;100%: lost +0.021 [-0.001, +0.042]" in cell


def test_finding_1_near_its_floor_says_so_beside_the_badge():
    """A "contradicted" resting on runs at 90% synthetic only +0.016 above the best single
    label read plainly on the index, the floor folded away under "in words" (a reviewer)."""
    room = {"floor": 0.510, "name": "the best single label predicted for every test row",
            "at_0": 0.128, "at_90": 0.016, "little": True, "detectable": 0.017, "seen": 0.0004}
    said = index._room(room)
    assert "stood only +0.016 above the best single label predicted for every test row (0.510)" in said
    assert "less than the smallest loss the run could detect (0.017): the last 10% had no room" in said
    assert "no room" not in index._room({**room, "detectable": 0.010})
    assert index._room(None) == ""


@pytest.mark.parametrize("notebooks,kept,headline", [
    (["03"], None, "the sweep's runs"),           # a first run: no page 02 to contradict
    (["01", "05"], None, "the sweep's runs"),     # not "nothing trained yet" after training
    (["03"], "page 02's", "page 02's"),            # page 02 kept: its numbers, not the runs'
    (["02", "03"], "page 02's", "the sweep's runs"),
    (["06"], None, "the advice"),
    (["01"], None, "the twins alone (notebook 01): nothing trained yet"),
])
def test_the_headline_is_the_pages_or_else_the_runs(monkeypatch, notebooks, kept, headline):
    """summary.json summarizes only what a page run now shows, so a kept page 02 and the index
    agree (a reviewer); the headline of a run that trained the sweep for another page is still
    its runs' (a second reviewer: a first --notebooks 03 had printed an empty headline)."""
    from types import SimpleNamespace

    from littlehuman import experiments, report
    from littlehuman.experiments import advisor, sweep, tradeoff, twins, zoom

    for module, name in ((sweep, "sweep"), (zoom, "zoom"), (tradeoff, "tradeoff")):
        monkeypatch.setattr(module, "summary", lambda study, name=name: {"status": "ok", "of": name})
    monkeypatch.setattr(sweep, "twin_defects", lambda study: "")
    monkeypatch.setattr(sweep, "headline", lambda study: "the sweep's runs")
    monkeypatch.setattr(advisor, "summary", lambda study: {"headline": "the advice"})
    monkeypatch.setattr(twins, "bill", lambda study: None)
    monkeypatch.setattr(report, "rows_used", lambda study: {})
    monkeypatch.setattr(report, "for_task", lambda settings, task, generator=None: {})
    monkeypatch.setattr(report, "public_settings", lambda settings: {})
    monkeypatch.setattr(report, "asdict", lambda profile: {})
    monkeypatch.setattr(provenance, "provenance", lambda study: {})
    monkeypatch.setattr(experiments, "run_commits", lambda study: {})
    study = SimpleNamespace(name="fever", task="fv", notes=[],
                            profile=SimpleNamespace(name="smoke", generator="extractive"))
    before = {"sweep": {"status": "ok", "of": "page 02"}, "headline": kept} if kept else None
    summary = report.build_summary(study, notebooks, experiments.for_notebooks(notebooks), {},
                                   {"ran": 13}, 1.0, before)
    assert summary["headline"] == headline
    shown = "02" in notebooks
    assert summary["sweep"] == ({"status": "ok", "of": "sweep", "twins": ""} if shown
                                else (before or {}).get("sweep"))


@pytest.mark.parametrize("kept,recomputed", [(set(), True), ({"04"}, False)])
def test_page_06_alone_keeps_finding_3_beside_a_kept_page_04(monkeypatch, kept, recomputed):
    """The trade-off is shown by pages 04 and 06: `--notebooks 06` had rewritten finding 3 on
    the index beside a kept page 04 showing other numbers (a reviewer); it does so only where
    no page 04 is kept (a first `advise`)."""
    from types import SimpleNamespace

    from littlehuman import experiments, report
    from littlehuman.experiments import advisor, tradeoff, twins

    monkeypatch.setattr(tradeoff, "summary", lambda study: {"status": "ok", "of": "runs now"})
    monkeypatch.setattr(advisor, "summary", lambda study: {"headline": "the advice"})
    monkeypatch.setattr(twins, "bill", lambda study: None)
    for name, value in (("rows_used", {}), ("for_task", {}), ("public_settings", {}),
                        ("asdict", {})):
        monkeypatch.setattr(report, name, lambda *args, value=value: value)
    monkeypatch.setattr(provenance, "provenance", lambda study: {})
    monkeypatch.setattr(experiments, "run_commits", lambda study: {})
    study = SimpleNamespace(name="fever", task="fv", notes=[],
                            profile=SimpleNamespace(name="smoke", generator="extractive"))
    before = {"tradeoff": {"status": "ok", "of": "page 04"}, "headline": "h"}
    summary = report.build_summary(study, ["06"], experiments.for_notebooks(["06"]), {},
                                   {"ran": 1}, 1.0, before, kept)
    assert summary["tradeoff"]["of"] == ("runs now" if recomputed else "page 04")
