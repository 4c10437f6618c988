"""littlehuman.plots: every figure, table and caption the notebooks show, on small hand-made
frames (traces, values, titles, captions), with the empty and edge cases.

Every row below is invented for the test.
"""
from __future__ import annotations

import ast
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from littlehuman import analysis, plots
from littlehuman.plots import style

PLOTS_DIR = Path(plots.__file__).parent


def names(fig) -> list[str]:
    return [t.name for t in fig.data]


def on_panel(fig, i: int) -> list:
    """The traces drawn on the ``i``-th x axis (1-based)."""
    axis = "x" if i == 1 else f"x{i}"
    return [t for t in fig.data if t.xaxis == axis]


# --------------------------------------------------------------------------- the package
def test_package_exposes_one_module_per_notebook_and_the_shared_helpers():
    for module in ("generate", "sweep", "zoom", "tradeoff", "analysis", "style"):
        assert getattr(plots, module).__name__ == f"littlehuman.plots.{module}"
    assert plots.show is style.show and plots.caption is style.caption
    assert plots.METRIC_LABELS["rouge1"] == "ROUGE-1 F" and plots.metric_label("f1") == "f1"


def test_plots_read_no_store_and_take_no_experiment():
    """Pure functions of frames: no module of the package imports the experiments, the study
    or the pipeline."""
    banned = ("littlehuman.experiments", "littlehuman.study", "littlehuman.pipeline",
              "littlehuman.runs")
    for path in PLOTS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                continue
            assert not [m for m in mods if m.startswith(banned)], (path.name, mods)


def test_no_two_figure_functions_share_a_name_across_modules_but_the_generic_ones():
    generic = {"figure", "figure_caption", "figure_title", "table", "table_caption",
               "agreement_table", "agreement_caption"}
    seen: dict[str, str] = {}
    for module in ("generate", "sweep", "zoom", "tradeoff", "analysis"):
        mod = getattr(plots, module)
        for name in dir(mod):
            fn = getattr(mod, name)
            if name.startswith("_") or not callable(fn) or getattr(fn, "__module__", "") != mod.__name__:
                continue
            if name not in generic:
                assert name not in seen, f"{name} in both {seen.get(name)} and {module}"
                seen[name] = module
    assert "length_box_figure" in seen and "length_histogram_figure" in seen


# --------------------------------------------------------------------------- style
def test_show_inlines_plotly_js_once_per_kernel(monkeypatch):
    import IPython.display

    monkeypatch.setenv(style.REPORT_KERNEL_ENV, "1")  # a kernel run_all.py started for a report
    bundles = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: bundles.append(obj))
    monkeypatch.setattr(style, "_PLOTLYJS_SENT", False)
    fig = plots.sweep.figure(sweep_records(), ["accuracy"], "t")
    plots.show(fig)
    plots.show(fig)
    shown = [b["text/html"] for b in bundles]
    assert len(shown) == 2 and all("Plotly.newPlot" in html for html in shown)
    # the same figure as JSON, for JupyterLab's and VS Code's plotly renderer (no script)
    data = bundles[1][style.PLOTLY_MIMETYPE]
    assert data["layout"]["title"]["text"] == "t" and data["config"] == {"displaylogo": False}
    assert [t["name"] for t in data["data"]] == [t.name for t in fig.data]
    assert len(shown[0]) > 1_000_000 > len(shown[1])  # plotly.js itself, then only the figure
    assert "<script src=" not in shown[0] + shown[1] and "<html>" not in shown[0]  # no CDN
    assert '"displaylogo": false' in shown[1]


def test_show_in_a_users_kernel_leaves_plotly_js_out(monkeypatch):
    """In JupyterLab "Restart Kernel and Run All" then a save (Ctrl-S, or Lab's autosave two
    minutes later) wrote 5.06 MB into the committed notebooks/02_replacement_sweep.ipynb
    (2026-12-03, JupyterLab 4.6): plotly.js inlined in an HTML alternative Lab never draws
    (it draws the plotly JSON). Only a report's kernel (run_all.py) inlines it."""
    import IPython.display

    from littlehuman import report

    monkeypatch.delenv(style.REPORT_KERNEL_ENV, raising=False)
    bundles = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: bundles.append(obj))
    monkeypatch.setattr(style, "_PLOTLYJS_SENT", False)
    fig = plots.sweep.figure(sweep_records(), ["accuracy"], "t")
    plots.show(fig)
    assert len(bundles[0]["text/html"]) < 100_000
    assert 'src="https://cdn.plot.ly/' in bundles[0]["text/html"]  # an exported HTML draws online
    assert bundles[0][style.PLOTLY_MIMETYPE]["layout"]["title"]["text"] == "t"
    with report.kernel_environment():  # what run_all.py's kernels inherit
        assert os.environ.get(style.REPORT_KERNEL_ENV) == "1"
    assert style.REPORT_KERNEL_ENV not in os.environ


def test_caption_is_an_italic_markdown_paragraph():
    assert plots.caption("One run.").data == "*One run.*"


def test_error_bars_are_the_distances_to_the_interval():
    ci = pd.DataFrame({"mean": [0.5, 0.6], "low": [0.4, 0.58], "high": [0.7, 0.6]})
    bars = style.error_bars(ci)
    assert bars["array"].tolist() == pytest.approx([0.2, 0.0])
    assert bars["arrayminus"].tolist() == pytest.approx([0.1, 0.02])
    assert bars["symmetric"] is False


# --------------------------------------------------------------------------- 01 generate
def fv_real() -> pd.DataFrame:
    return pd.DataFrame({"row_id": ["r0", "r1", "r2", "r3"],
                         "context": ["x" * 310, "short context", "ctx", "ctx"],
                         "claim": ["the kite nests", "barley grows", "a bridge", "bread"],
                         "label": [1, 0, 1, 1]})


def fv_synthetic() -> pd.DataFrame:
    # r0 and r1 twinned (r1 after a re-ask, with the other label), r2 and r3 without a twin,
    # one spare twin of a row outside the pool
    return pd.DataFrame({"row_id": ["s0", "s1", "s9"], "source_row_id": ["r0", "r1", "r9"],
                         "context": ["x" * 310, "short context", "other"],
                         "claim": ["kites nest in oak trees", "rye", "spare claim here"],
                         "label": [1, 1, 0], "requested_label": [1, 0, 0],
                         "attempt": [0, 1, 0]})


def test_counts_table_counts_twins_reasks_spares_and_the_pass():
    table = plots.generate.counts_table(fv_real(), fv_synthetic(),
                                        {"calls": 3, "cache_hits": 1})["count"]
    assert table["real rows to twin"] == 4 and table["synthetic twins kept"] == 2
    assert table["twins that needed a re-ask (an unusable reply first)"] == 1
    assert table["rows without a twin (every ask unusable)"] == 2
    assert table["spare twins standing in for them (of rows outside the pool)"] == 1
    assert table["twins whose label differs from the one asked"] == 1
    assert table["prompt-model calls (this pass)"] == 3
    assert table["twins read from disk (this pass)"] == 0
    qa = plots.generate.counts_table(fv_real(), fv_synthetic().drop(columns=["requested_label",
                                                                            "attempt"]), {})
    assert "twins whose label differs from the one asked" not in qa.index
    # --label-conditioned false asks for no label: the count is against the real row's
    free = plots.generate.counts_table(fv_real(), fv_synthetic(), {}, conditioned=False)
    assert "twins whose label differs from the one asked" not in free.index
    assert "twins whose label differs from their real row's (no label was asked)" in free.index
    assert qa.loc["twins that needed a re-ask (an unusable reply first)", "count"] == 0
    # a reply that stated no label took the one asked for: counted, so "differs: 0" is read
    # with it (a reviewer: FEVER's cpu twins, 55-63 of 500); twins from before read "of the N"
    stated = fv_synthetic().assign(label_stated=[False, True, True])
    table = plots.generate.counts_table(fv_real(), stated, {})["count"]
    assert table["twins whose reply stated no label (the one asked for is taken)"] == 1
    older = fv_synthetic().assign(label_stated=[False, None, True])
    table = plots.generate.counts_table(fv_real(), older, {})["count"]
    assert table["twins whose reply stated no label (the one asked for is taken), of the 1 made "
                 "since this was counted"] == 1
    assert "1 of the 3 twins stated no label and take the one asked for" in (
        plots.generate.label_balance_caption(fv_real(), stated, True))
    assert "stated no label" not in plots.generate.label_balance_caption(
        fv_real(), fv_synthetic(), True)


def test_counts_caption():
    assert plots.generate.counts_caption("FEVER", fv_real(), fv_synthetic()) == (
        "Generation counts for FEVER: 4 real training rows of the sweep, 2 with a twin of their "
        "own, 1 spare twin. For comparison, 0 of the 1 human rows labelled false have their "
        "claim word for word in their context. Generation is deterministic given its seed and "
        "cache; 'this pass' counts are of this notebook's own read.")


def test_twins_labelled_false_that_copy_their_context_are_counted():
    """Gemma's FEVER twins: 48 of the 247 asked to be false copied a sentence of their
    evidence, a supported claim under the wrong label, and the counts said 0 label problems
    (a reader of the reports, 2026-12-05)."""
    real = fv_real().assign(label=[0, 0, 1, 1])
    twins = pd.DataFrame({"row_id": ["s0", "s1"], "source_row_id": ["r0", "r1"],
                          "context": ["The kite nests in oak trees .  It is red.", "Rye grows."],
                          "claim": ["the kite  nests in OAK trees.", "Barley grows."],
                          "label": [0, 0], "requested_label": [0, 0], "attempt": [0, 0]})
    table = plots.generate.counts_table(real, twins, {})["count"]
    key = ("twins labelled false whose claim stands word for word in their context "
           "(supported by it: a wrong label), of 2")
    assert table[key] == 1
    assert "0 of the 2 human rows labelled false" in plots.generate.counts_caption("F", real, twins)


def test_a_synthetic_file_gets_its_own_wording():
    """--synthetic FILE: no asks, calls or re-asks in the counts; the bill says what was matched."""
    table = plots.generate.counts_table(fv_real(), fv_synthetic(), {"from_file": 3}, from_file=True)["count"]
    assert table.to_dict() == {"real rows to twin": 4, "twins from your file": 2,
                               "rows your file has no twin for": 2,
                               "spare twins standing in for them (other rows of your file)": 1,
                               "twins read from disk (this pass)": 3}
    assert plots.generate.counts_caption("FEVER", fv_real(), fv_synthetic(), from_file=True).startswith(
        "Twin counts for FEVER")
    matched = {"path": "/home/me/twins.csv", "read": 60, "twins_by_source_id": 40, "twins_by_context": 10,
               "without_source": 10, "left_out_eval": 0, "left_out_split": 0, "train_rows": 48,
               "train_without": 0}
    bill = {"backend": "file", "local": True, "rows": 60, "matched": matched}
    value = plots.generate.bill_table(bill)["value"]
    assert value["your file"] == "twins.csv" and value["twins matched by context"] == "10"
    assert value["requests, tokens, dollars"] == "none: no prompt model was asked"
    assert plots.generate.bill_caption("FEVER", "file-abc", bill, fv_real()).startswith(
        "No bill for FEVER: the twins are the 60 rows of your file")
    head = plots.generate.header("FEVER", "fv", "smoke", "your file twins.csv", "file-abc", 3, True, True)
    assert "no prompt model was asked" in head and "few-shot" not in head
    rules = plots.generate.header("FEVER", "fv", "smoke", "extractive", "x", 3, True, False)
    assert "k = 3 few-shot examples" in rules and "rule-made text" in rules  # not an LLM's
    assert "rule" not in plots.generate.header("FEVER", "fv", "cpu", "gemma", "g", 3, True, False)


def test_the_rule_made_note_says_how_the_task_s_twins_are_made():
    """A QA page said its rule-made twins were 'perturbed by rules for a false claim'."""
    qa = plots.generate.header("ROPES", "qa", "smoke", "extractive", "x", 3, True, False)
    assert "cloze question over a name or number span of its row's own context, that span " \
           "the answer" in qa
    assert "claim" not in qa and "perturbed" not in qa
    fv = plots.generate.header("FEVER", "fv", "smoke", "extractive", "x", 3, True, False)
    assert "claim is a sentence of its row's own context, or for a false claim one negated " \
           "or perturbed by rules" in fv and "cloze" not in fv
    assert plots.generate.rule_made_note("extractive", "qa") in qa
    both = plots.generate.rule_made_note("extractive")  # a caller that does not say the task
    assert "an FV twin's claim" in both and "a QA twin is a cloze question" in both
    assert plots.generate.rule_made_note("gemma", "qa") == ""


def test_header_says_label_conditioning_only_for_fv():
    # PROTOCOL: label conditioning is FV's correction for label shift; a QA prompt asks for
    # no label, so ROPES's report read "label-conditioned: True" of nothing
    assert "label-conditioned: True" in plots.generate.header("fever", "fv", "cpu", "gemma", "g",
                                                               3, True, False)
    assert "label-conditioned: False" in plots.generate.header("fever", "fv", "cpu", "gemma", "g",
                                                                3, False, False)
    qa = plots.generate.header("ropes", "qa", "cpu", "gemma", "g", 3, True, False)
    assert "k = 3 few-shot examples" in qa and "label" not in qa


BILL = {"local": False, "dollars": 1.23456, "batch_pricing": True, "model": "gpt-x",
        "backend": "openai_batch", "requests": 1200, "answered": 1199, "input_tokens": 123456,
        "output_tokens": 7890, "missing_usage": 0, "rows": 48}


def test_bill_table_prices_and_send_log():
    value = plots.generate.bill_table(BILL)["value"]
    assert value["dollars (answered requests, exact tokens)"] == "$1.2346 (Batch API: 50%)"
    assert value["input tokens"] == "123,456" and "requests sent (retries and re-sends included)" not in value
    unpriced = plots.generate.bill_table({**BILL, "dollars": None})["value"]
    assert unpriced["dollars (answered requests, exact tokens)"].startswith("unknown: no price for gpt-x")
    sent = {**BILL, "local": True, "sent": 1300, "retried": {"429": 3, "timeout": 1}, "failed": {},
            "resent_after_kill": 2, "unkept_sends": 5, "dollars_unkept": 0.5}
    value = plots.generate.bill_table(sent)["value"]
    assert value["dollars (answered requests, exact tokens)"] == "0 (a local model: no per-token price)"
    assert value["retried, by cause"] == "429 x3, timeout x1" and value["given up, by cause"] == "none"
    assert value["their estimated dollars (prompt chars / 4, full max_new_tokens)"] == "0 (local)"
    assert value["rows without a twin"] == "0"
    assert plots.generate.bill_table(None).index.tolist() == ["no generation yet"]
    # the unusable replies' causes add up (FairyTaleQA's page: 56 copies + 2 cut of 60 re-asks)
    causes = plots.generate.bill_table({**sent, "copied_examples": 56, "cut_short": 2,
                                        "unusable_replies": 60})["value"]
    assert causes["other unusable replies: unparseable, refused by the model, placeholders"] == "2"
    assert "other unusable replies: unparseable, refused by the model, placeholders" not in value  # older bills
    # requests the server refused (too long) are their own row, not among the model's replies
    refused = plots.generate.bill_table({**sent, "copied_examples": 56, "cut_short": 2,
                                         "unusable_replies": 60, "server_refused": 1})["value"]
    assert refused["requests the server refused or answered with no text (asked again)"] == "1"
    assert refused["other unusable replies: unparseable, refused by the model, placeholders"] == "1"


def test_bill_caption_uses_the_bills_rows_or_the_pool():
    assert plots.generate.bill_caption("FEVER", "gen1", BILL, fv_real()) == (
        "Generation cost of the 48 rows that asked gen1 for a twin (FEVER). Token counts are "
        "the server's own where it reports them.")
    assert "the 4 rows" in plots.generate.bill_caption("FEVER", "gen1", None, fv_real())


def test_label_balance_table_and_figure():
    balance = plots.generate.label_balance_table(fv_real(), fv_synthetic())
    assert balance.loc["True (1)", "real"] == 0.75 and balance.loc["Untrue (0)", "synthetic"] == pytest.approx(1 / 3)
    fig = plots.generate.label_balance_figure(balance, "FEVER: label balance")
    assert names(fig) == ["real", "synthetic"] and fig.layout.barmode == "group"
    assert list(fig.data[0].y) == balance["real"].tolist()
    assert fig.layout.title.text == "FEVER: label balance"
    # one label missing on one side: a share of 0, not NaN
    only_true = plots.generate.label_balance_table(fv_real(), fv_synthetic().assign(label=1))
    assert only_true.loc["Untrue (0)", "synthetic"] == 0.0
    assert plots.generate.label_balance_caption(fv_real(), fv_synthetic(), False) == (
        "Share of True/Untrue labels among the 4 real rows and their 2 synthetic twins and 1 "
        "spare twin of other rows (label-conditioned generation: False). One generation pass.")
    # (it had said "their 3 synthetic twins": a spare is no twin of these rows; a reviewer's
    # read of SciFact's cpu-profile pages, 488 twins and 12 spares read as 500 twins)
    assert plots.generate.twins_phrase(fv_real(), fv_synthetic().iloc[:2]) == \
        "their 2 synthetic twins"


def test_length_box_figure_has_a_box_per_field_and_origin():
    real = pd.DataFrame({"question": ["who is it", "why"], "answer": ["a b", "c"]})
    syn = pd.DataFrame({"question": ["which one is it now"], "answer": ["d e f"]})
    fig = plots.generate.length_box_figure(real, syn, ["question", "answer"], "t")
    assert names(fig) == ["question (real)", "question (synthetic)", "answer (real)",
                          "answer (synthetic)"]
    assert [list(t.y) for t in fig.data] == [[3, 1], [5], [2, 1], [3]]
    assert all(t.boxmean is True for t in fig.data) and fig.layout.yaxis.title.text == "words"
    assert plots.generate.length_box_caption(real, syn, ["question", "answer"]) == (
        "Word counts of each row's question, answer for 2 real rows and 1 synthetic twins (box: quartiles, "
        "line: median, dashed: mean). One generation pass.")
    # spares are named as page 01's counts name them (ROPES: 498 twins and 2 spares, where
    # the caption said "500 synthetic twins", a reviewer)
    real_ids, syn_ids = real.assign(row_id=["r0", "r1"]), pd.concat([syn, syn]).assign(
        source_row_id=["r0", "other"])
    assert "for 2 real rows and 1 synthetic twins and 1 spare twin of other rows (box" in \
        plots.generate.length_box_caption(real_ids, syn_ids, ["question"])


def test_samples_table_pairs_rows_with_their_twins():
    table = plots.generate.samples_table(fv_real(), fv_synthetic(), "fv", k=5)
    assert len(table) == 2  # only two rows have a twin
    assert list(table.columns) == ["context", "real claim", "real label", "synthetic claim",
                                   "synthetic label"]
    first = table.set_index("real claim").loc["the kite nests"]
    assert first["synthetic claim"] == "kites nest in oak trees"
    assert first["context"] == "x" * 300 + "..."
    assert table.set_index("real claim").loc["barley grows", "context"] == "short context"
    assert len(plots.generate.samples_table(fv_real(), fv_synthetic(), "fv", k=1)) == 1
    assert plots.generate.samples_table(fv_real(), fv_synthetic().head(0), "fv").empty
    assert plots.generate.samples_caption("FEVER") == (
        "Five seeded random pairs of a real row and its synthetic twin (FEVER); contexts cut "
        "to 300 characters.")
    assert plots.generate.samples_caption("X", k=12).startswith("12 seeded")


# --------------------------------------------------------------------------- 02 sweep
def sweep_records() -> pd.DataFrame:
    rows = []
    for seed in (1, 2):
        for f, acc in ((0.0, 0.8), (0.5, 0.7), (1.0, 0.4)):
            rows.append({"fraction": f, "seed": seed, "accuracy": acc + seed / 100,
                         "rouge1": 1 - acc})
    return pd.DataFrame(rows)


def sweep_intervals() -> pd.DataFrame:
    return pd.DataFrame([{"fraction": f, "metric": m, "mean": 0.5, "low": 0.4 + f / 10,
                          "high": 0.9, "seeds": 2}
                         for f in (0.0, 0.5, 1.0) for m in ("accuracy", "rouge1")])


def test_sweep_figure_seed_lines_band_and_mean_per_metric():
    fig = plots.sweep.figure(sweep_records(), ["accuracy", "rouge1"], "FEVER: sweep")
    assert names(fig) == ["seed 1", "seed 2", "min-max over seeds", "mean over seeds"] * 2
    assert [a.text for a in fig.layout.annotations] == ["Accuracy", "ROUGE-1 F"]
    seed1, band, mean = fig.data[0], fig.data[2], fig.data[3]
    assert list(seed1.x) == [0.0, 50.0, 100.0] and list(seed1.y) == pytest.approx([0.81, 0.71, 0.41])
    assert list(mean.y) == pytest.approx([0.815, 0.715, 0.415])
    assert list(band.y) == pytest.approx([0.82, 0.72, 0.42, 0.41, 0.71, 0.81])  # max, then min reversed
    assert [t.showlegend for t in fig.data] == [True] * 4 + [False] * 4
    assert fig.layout.width == 660 and fig.layout.title.text == "FEVER: sweep"
    with_ci = plots.sweep.figure(sweep_records(), ["accuracy"], "t", sweep_intervals())
    assert with_ci.data[2].name == "95% CI (seeds x test rows)"
    assert list(with_ci.data[2].y) == pytest.approx([0.9, 0.9, 0.9, 0.5, 0.45, 0.4])
    assert with_ci.layout.width == 520


def test_sweep_table_per_fraction():
    table = plots.sweep.table(sweep_records(), ["accuracy"], sweep_intervals())
    assert list(table.columns) == ["synthetic %", "metric", "seeds", "mean", "95% CI", "std",
                                   "min", "max"]
    row = table.set_index("synthetic %").loc[50.0]
    assert row["metric"] == "accuracy" and row["seeds"] == 2
    assert row["95% CI"] == "[0.450, 0.900]"
    assert row["max"] - row["min"] == pytest.approx(0.01)
    assert "95% CI" not in plots.sweep.table(sweep_records(), ["accuracy"]).columns


def test_sweep_table_is_long_one_row_per_fraction_and_metric():
    records = sweep_records().assign(rouge1=lambda r: r["accuracy"] / 2)
    table = plots.sweep.table(records, ["accuracy", "rouge1"])
    fractions = records["fraction"].nunique()
    assert len(table) == 2 * fractions
    # each metric's fractions together, in order: its curve reads down the rows (13 fractions
    # x 6 QA metrics interleaved at the paper's scale did not read)
    assert list(table["metric"]) == ["accuracy"] * fractions + ["rouge1"] * fractions
    assert list(table["synthetic %"]) == sorted(records["fraction"].unique() * 100) * 2
    half = table[table["metric"] == "rouge1"].set_index("synthetic %")["mean"]
    full = table[table["metric"] == "accuracy"].set_index("synthetic %")["mean"]
    assert (half * 2).to_dict() == pytest.approx(full.to_dict())


def test_sweep_agreement_table_and_captions():
    table = plots.sweep.agreement_table(sweep_records(), ["accuracy", "rouge1"]).set_index("metric")
    assert table.loc["accuracy", "ranking (best first)"] == "0% > 50% > 100%"  # as the tables
    assert table.loc["rouge1", "Kendall tau vs accuracy"] == -1.0
    assert not table.loc["rouge1", "same best"]
    one = sweep_records()[sweep_records()["fraction"] == 0.0]
    assert plots.sweep.agreement_table(one, ["accuracy", "rouge1"]).empty
    assert plots.sweep.agreement_caption(sweep_records(), ["accuracy", "rouge1"], 2, 50) == (
        "Each metric's ranking of the 3 synthetic fractions by its mean over 2 seeds (50 test "
        "rows), Kendall's tau against accuracy's ranking, and whether it picks the same best "
        "and worst fraction. " + plots.sweep.TAU_UNDEFINED)
    assert plots.sweep.figure_caption("FEVER", 48, 5, 50) == (
        "FEVER, n = 48: each grey line is one seed, the blue line the mean over 5 seeds, the "
        "band its 95% bootstrap interval (resampling the 5 seeds and the 50 human test "
        "rows). Every point is one fine-tuning run.")
    assert plots.sweep.table_caption(5, 50) == (
        "The numbers behind the figure: per synthetic fraction, the mean over 5 seeds, its 95% "
        "bootstrap interval (resampling the 5 seeds and the 50 human test rows), and the "
        "standard deviation, min and max over seeds.")
    # three seeds (the paper's): their spread is itself uncertain, and the captions say so
    assert "seeds that agree by chance make an interval too narrow" in \
        plots.sweep.table_caption(3, 50)
    # one seed: the interval sees test rows only, and every caption of one says so
    for one_seed in (plots.sweep.figure_caption("FEVER", 48, 1, 50),
                     plots.sweep.table_caption(1, 50), plots.zoom.figure_caption("F", 1, 50, 9),
                     plots.zoom.size_figure_caption(1, 50),
                     plots.tradeoff.figure_caption(1, 50, 200)):
        assert "the spread between seeds is unseen" in one_seed and "run more seeds" in one_seed


# --------------------------------------------------------------------------- 03 zoom
def zoom_records() -> pd.DataFrame:
    return pd.DataFrame([{"n": n, "fraction": f, "seed": s, "accuracy": 0.5 + s / 10 - f / 10,
                          "rouge1": f}
                         for n in (100, 400) for f in (0.95, 0.975, 1.0) for s in (0, 1)])


def zoom_intervals() -> pd.DataFrame:
    return pd.DataFrame([{"n": n, "fraction": f, "metric": m, "mean": 0.5, "low": 0.45,
                          "high": 0.6, "seeds": 2}
                         for n in (100, 400) for f in (1.0, 0.95, 0.975)
                         for m in ("accuracy", "rouge1")])


def test_zoom_figure_one_panel_per_size_largest_first():
    fig = plots.zoom.figure(zoom_records(), zoom_intervals(), "accuracy", "t")
    # ticks at the measured fractions (plotly's own read 96, 98, 100 at the paper's scale)
    assert [float(t) for t in fig.layout.xaxis.ticktext] == sorted(
        zoom_records()["fraction"].unique() * 100)
    assert [a.text for a in fig.layout.annotations] == ["n = 400", "n = 100"]
    assert names(fig) == ["seed 0", "seed 1", "mean over seeds (95% CI)"] * 2
    mean = fig.data[2]
    assert list(mean.x) == [95.0, 97.5, 100.0]  # sorted by fraction
    assert list(mean.error_y.array) == pytest.approx([0.1] * 3)
    assert list(mean.error_y.arrayminus) == pytest.approx([0.05] * 3)
    assert fig.layout.yaxis.title.text == "Accuracy"
    assert plots.zoom.figure_title("FEVER", "rouge1") == "FEVER: ROUGE-1 F from 95% to 100% synthetic"


def test_zoom_figure_without_runs_says_so():
    fig = plots.zoom.figure(zoom_records().head(0), zoom_intervals().head(0), "accuracy", "t")
    assert len(fig.data) == 0 and fig.layout.annotations[0].text == "no rows to show"


def test_zoom_size_figure_one_line_per_fraction():
    fig = plots.zoom.size_figure(zoom_intervals(), ["accuracy", "rouge1"], "t")
    assert names(fig) == ["95.0% synthetic", "97.5% synthetic", "100.0% synthetic"] * 2
    # each fraction set a little to the side (error bars at one n do not hide each other),
    # its true n in the hover and the ticks at the sizes
    assert list(fig.data[0].x) == pytest.approx([100 - 3.6, 400 - 3.6])
    assert list(fig.data[1].x) == [100, 400] and list(fig.data[0].customdata) == [100, 400]
    assert list(fig.layout.xaxis.tickvals) == [100, 400]
    assert len(on_panel(fig, 2)) == 3 and fig.data[3].showlegend is False
    assert fig.data[0].line.color != fig.data[1].line.color
    empty = plots.zoom.size_figure(zoom_intervals().head(0), ["accuracy"], "t")
    assert len(empty.data) == 0 and empty.layout.annotations[-1].text == "no rows to show"


def test_zoom_tables_and_captions():
    table = plots.zoom.intervals_table(zoom_intervals())
    assert list(table.columns) == ["n", "synthetic %", "metric", "mean", "95% CI", "seeds"]
    assert table["95% CI"].iloc[0] == "[0.4500, 0.6000]" and table["synthetic %"].iloc[2] == 95.0
    assert plots.zoom.intervals_table(zoom_intervals().head(0)).empty
    agree = plots.zoom.agreement_table(zoom_records(), ["accuracy", "rouge1"]).set_index("metric")
    assert agree.loc["rouge1", "ranking (best first)"] == "100% > 97.5% > 95%"
    assert agree.loc["rouge1", "Kendall tau vs accuracy"] == -1.0
    assert plots.zoom.agreement_caption(zoom_records(), ["accuracy"], 2, 30) == (
        "n = 400: each metric's ranking of the 3 synthetic fractions by its mean over 2 seeds "
        "(30 test rows), Kendall's tau against accuracy's ranking, and whether it picks the "
        "same best and worst. " + plots.sweep.TAU_UNDEFINED)
    assert plots.zoom.figure_caption("FEVER", 2, 30, 12).endswith("(12 runs in all).")
    assert "30 human test rows" in plots.zoom.figure_caption("FEVER", 2, 30, 12)
    assert "over 2 seeds" in plots.zoom.size_figure_caption(2, 30)
    assert plots.zoom.paired_caption(3).startswith("Per n and metric: the mean over 3 seeds "
                                                   "at 97.5% and 100% synthetic")
    assert plots.zoom.intervals_caption(30).endswith("(seeds and 30 test rows).")


# --------------------------------------------------------------------------- 04 trade-off
def tradeoff_inputs(equivalents=(30.0, 900.0), a1=(0.1, 0.1), sizes=(50, 100)):
    rec, ci, bases = [], [], []
    for b, base in enumerate(sizes):
        for added in (0, 50, 100):
            for seed in (0, 1):
                rec.append({"base": base, "kind": "synthetic", "added": added,
                            "n": base + added, "seed": seed, "accuracy": 0.5 + added / 1000})
            ci.append({"base": base, "kind": "synthetic", "added": added, "metric": "accuracy",
                       "mean": 0.5 + added / 1000, "low": 0.45, "high": 0.7, "seeds": 2})
        for seed in (0, 1):
            rec.append({"base": base, "kind": "human", "added": 20, "n": base + 20,
                        "seed": seed, "accuracy": 0.58})
        ci.append({"base": base, "kind": "human", "added": 20, "metric": "accuracy",
                   "mean": 0.58, "low": 0.55, "high": 0.6, "seeds": 2})
        bases.append({"base": base, "y_star": 0.58, "a0": 0.1, "a1": a1[b], "r2": 0.9,
                      "fit_at_base": 0.5, "equivalent": equivalents[b], "low": 10.0,
                      "high": 50.0, "failed_resamples": 3 * b, "status": "ok",
                      "breakeven_ratio": 1.5, "message": "m"})
    analysis_ = {"metric": "accuracy", "human": 20, "bases": pd.DataFrame(bases)}
    return pd.DataFrame(rec), analysis_, pd.DataFrame(ci)


def test_tradeoff_figure_points_fit_human_and_equivalent():
    rec, an, ci = tradeoff_inputs()
    fig = plots.tradeoff.figure(rec, an, ci, "t")
    assert [a.text for a in fig.layout.annotations[:2]] == ["synthetic base 50", "synthetic base 100"]
    assert [t.name for t in on_panel(fig, 1)] == [
        "synthetic only, one seed", "synthetic only, mean (95% CI)", "log fit",
        "+20 human (95% CI)", "equivalent synthetic"]
    seeds, mean, fit, human, eq = on_panel(fig, 1)
    assert list(seeds.x) == [50, 50, 100, 100, 150, 150]  # synthetic runs only, at their size
    assert list(mean.x) == [50, 100, 150]
    assert fit.x[0] == 50 and fit.x[-1] == 150  # the fitted range (the equivalent lies inside)
    assert fit.y[0] == pytest.approx(0.1 + 0.1 * np.log(50))
    # the +human point a little right of the base's (2% of the fitted range), its base in hover
    assert list(human.x) == [52] and list(human.customdata) == [50]
    assert list(eq.x) == [50, 80] and list(eq.y) == [0.58, 0.58]
    labels = [a.text for a in fig.layout.annotations[2:]]
    assert labels == ["+30", "+900 (beyond the plot)"]
    far = on_panel(fig, 2)[-1]
    assert list(far.x) == [100, 400]  # cut at three times the fitted range
    assert fig.layout.yaxis.title.text == "Accuracy" and fig.layout.width == 720


def test_tradeoff_figure_without_fit_or_with_no_gain():
    rec, an, ci = tradeoff_inputs(equivalents=(np.nan, -5.0), a1=(np.nan, 0.1))
    fig = plots.tradeoff.figure(rec, an, ci, "t")
    assert "log fit" not in [t.name for t in on_panel(fig, 1)]
    assert "equivalent synthetic" not in names(fig)  # no finite, positive equivalent
    assert [a.text for a in fig.layout.annotations] == ["synthetic base 50", "synthetic base 100"]
    no_human = plots.tradeoff.figure(rec, an, ci[ci["kind"] == "synthetic"], "t")
    assert not [n for n in names(no_human) if n.startswith("+20 human")]


def test_tradeoff_figure_without_bases_says_so():
    rec, an, ci = tradeoff_inputs()
    an = {**an, "bases": an["bases"].head(0)}
    fig = plots.tradeoff.figure(rec, an, ci, "t")
    assert len(fig.data) == 0 and fig.layout.annotations[0].text == "no rows to show"


def test_tradeoff_tables():
    _, an, _ = tradeoff_inputs()
    table = plots.tradeoff.bases_table(an["bases"], 20)
    assert list(table.columns) == ["base", "score +20 human", "a0", "a1", "r2", "fit at base",
                                   "equivalent synthetic points", "95% CI low", "95% CI high",
                                   "resamples without an equivalent", "status",
                                   "break-even price ratio"]
    assert table["equivalent synthetic points"].tolist() == [30.0, 900.0]
    assert table["resamples without an equivalent"].tolist() == [0, 3]
    t3 = {"mean": 465.0, "median": 465.0, "p25": 247.5, "p75": 682.5, "n": 4, "n_undefined": 1,
          "values": [30.0, 400.0, 530.0, 900.0]}
    row = plots.tradeoff.table3_table("fever", t3).iloc[0]
    assert row["dataset"] == "fever" and row["75th percentile"] == 682.5 and row["without one"] == 1
    # quartiles of 2 numbers are no quartiles (FairyTaleQA's cpu profile, 2026-12-06: -214 to
    # -154 of 2 values): blank, and the caption gives the values
    two = {**t3, "n": 2, "p25": 244.5, "p75": 682.5, "values": [30.0, 900.0]}
    row = plots.tradeoff.table3_table("fever", two).iloc[0]
    assert pd.isna(row["25th percentile"]) and pd.isna(row["75th percentile"])
    assert (row["median"], row["mean"]) == (465.0, 465.0)
    assert "The quartiles are left blank: 2 equivalents, +30 and +900." in (
        plots.tradeoff.table3_caption(50, 1, 3, two))
    assert "quartiles are left blank" not in plots.tradeoff.table3_caption(50, 1, 3, t3)
    points = pd.DataFrame({"level": ["seed", "seed", "mean"], "base": [50, 50, 50],
                           "seed": [0, 1, None], "equivalent": [1.0, 2.0, 1.5],
                           "message": ["a", "b", "c"]})
    seeds = plots.tradeoff.operating_points_table(points)
    assert list(seeds.columns) == ["base", "seed", "equivalent"] and len(seeds) == 2
    sized = plots.tradeoff.operating_points_table(points.assign(synthetic_size=182.3505,
                                                                y_star=0.6, n_fit=5))
    assert ">182<" in plots.styled(sized, precision=4).to_html()
    # headers a reader can read (they were the code's: y_star, n_fit, synthetic_size)
    assert {"score +human", "sizes fitted", "synthetic size matching"} <= set(sized.columns)
    # points are whole beside 4-decimal scores, an unbounded end as ∞ (notebook 04's precision)
    bases = an["bases"].assign(equivalent=[30.4, 1043.5051], high=[math.inf, 2500.25])
    html = plots.styled(plots.tradeoff.bases_table(bases, 20), precision=4).to_html()
    assert ">1,044<" in html and ">30<" in html and ">∞<" in html and ">2,500<" in html
    assert "1,043.5051" not in html and "inf" not in html
    html = plots.styled(plots.tradeoff.operating_points_table(points), precision=4).to_html()
    assert ">2<" in html and "2.0000" not in html


def test_tradeoff_captions_and_the_papers_table3():
    assert plots.tradeoff.table3_caption(200, 3, 3) == (
        "Summary of the additional synthetic points matching 200 human points over the operating "
        "points (each base and seed: 3 x 3); undefined equivalents (no finite match) are left out "
        "and counted ('with an equivalent', 'without one'). Paper Table 3 (synthetic bases of 1000, 2000 and 3000 points, "
        "200 human points each, Llama-3.1-8B on GPT-3.5 twins; an equivalent grows with "
        "its base and the human points: compare orders of magnitude): WANLI mean 17,671.7 / "
        "median 16,905.4; ROPES 17,332.7 / 6,006.5; FairyTaleQA 281,951.0 / 36,901.5; FEVER "
        "1,155.1 / 236.4.")
    # one operating point of three is no experiment's Table 3: blank, said in the caption
    # (both cpu-profile reports printed 90.3 four times beside the paper's row, 2026-12-05)
    one = {"mean": 90.3, "median": 90.3, "p25": 90.3, "p75": 90.3, "n": 1, "n_undefined": 2}
    row = plots.tradeoff.table3_table("fever", one).iloc[0]
    assert pd.isna(row["median"]) and pd.isna(row["mean"]) and row["without one"] == 2
    assert ("left blank: 2 of 3 operating points gave no finite synthetic equivalent (the 1 "
            "that did: 90)") in plots.tradeoff.table3_caption(50, 1, 3, one)
    # what leaving the undefined points out does to the rest (ROPES at the paper's scale: a
    # score above two families' ceilings, left out, pulled their medians down)
    assert "ranked above every number" in plots.tradeoff.table3_caption(50, 1, 3, one)
    assert "ranked above every number" not in plots.tradeoff.table3_caption(
        50, 1, 3, {**one, "n": 3, "n_undefined": 0})
    assert plots.tradeoff.figure_title("FEVER", 200) == "FEVER: +200 human points against more synthetic points"
    assert "mean over 3 seeds" in plots.tradeoff.figure_caption(3, 40, 200)
    assert "the base plus 200 human points" in plots.tradeoff.figure_caption(3, 40, 200)
    assert plots.tradeoff.bases_caption(200).startswith("Per base, on the seed means: the score with 200 human points")
    assert "(10,000 resamples, the draw notebook 06" in plots.tradeoff.bases_caption(200, 10_000)
    assert plots.tradeoff.operating_points_caption().endswith("the numbers Table 3 summarises.")


# --------------------------------------------------------------------------- 05 analysis
CONTEXT = "The kite nests in oaks. The bridge is old and made of wood. Bread is sold here."


def test_analysis_histograms_one_panel_per_field():
    human = pd.DataFrame({"row_id": ["h0", "h1"], "context": CONTEXT,
                          "question": ["Where does it nest?", "Is it old?"],
                          "answer": ["oaks", "the bridge is old and made of wood"]})
    synthetic = pd.DataFrame({"row_id": ["s0"], "context": CONTEXT,
                              "question": ["Which bird nests in the oaks by the river?"],
                              "answer": [" "]})
    words = analysis.lengths(human, synthetic, "qa")
    fig = plots.analysis.length_histogram_figure(words, "t")
    assert names(fig) == ["human question (n=2)", "synthetic question (n=1)",
                          "human answer (n=2)", "synthetic answer (n=0)"]
    assert [a.text for a in fig.layout.annotations] == ["question", "answer"]
    assert list(fig.data[1].x) == [9] and fig.data[0].marker.color != fig.data[1].marker.color
    assert fig.data[0].xbins.size == 1 and fig.layout.barmode == "overlay"
    assert fig.layout.width == style.MAX_WIDTH  # two panels of 420 px asked for, 840 px
    # bins per field: 1-2 word answers stay whole words beside 90-word questions
    long = pd.concat([words, pd.DataFrame({"source": "human", "field": "question",
                                           "row_id": "h9", "words": [90]})], ignore_index=True)
    wide = plots.analysis.length_histogram_figure(long, "t")
    assert wide.data[0].xbins.size == 3 and wide.data[2].xbins.size == 1
    note = plots.analysis.rows_note(words)
    assert note == ("human question: 2 rows, synthetic question: 1 rows, human answer: 2 rows, "
                    "synthetic answer: 0 rows; dropped synthetic answer: 1 (empty text)")
    assert plots.analysis.length_histogram_caption(words, ["question", "answer"]) == (
        f"Word counts of question, answer per source, each histogram normalised to its own rows "
        f"({note}).")
    pd.testing.assert_frame_equal(plots.analysis.length_table(words), analysis.summary(words, "words"))
    extractive = analysis.extractiveness(human, synthetic, "qa")
    bleu = plots.analysis.bleu_figure(extractive, "t")
    assert bleu.data[0].xbins.size == 5 and bleu.layout.xaxis.title.text == "max sentence BLEU (0-100)"
    assert plots.analysis.bleu_caption(extractive).endswith(f"({plots.analysis.rows_note(extractive)}).")
    where = analysis.positions(extractive)
    pos = plots.analysis.position_figure(where, "t")
    assert [a.text for a in pos.layout.annotations] == ["answer"]  # questions are not positioned
    assert pos.data[0].xbins.size == 0.1
    assert "highest BLEU" in plots.analysis.position_caption(where)
    pd.testing.assert_frame_equal(plots.analysis.position_table(where), analysis.summary(where, "position"))
    pd.testing.assert_frame_equal(plots.analysis.bleu_table(extractive), analysis.summary(extractive, "bleu"))
    assert "signed-rank" in plots.analysis.length_table_caption()
    assert "Mann-Whitney U" in plots.analysis.bleu_table_caption()
    assert "– where a source has fewer than 10 rows" in plots.analysis.position_table_caption()


def test_baseline_line_and_training_table():
    fig = plots.sweep.figure(sweep_records(), ["accuracy", "rouge1"], "t",
                             baseline={"accuracy": 0.5})
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1 and lines[0].y0 == lines[0].y1 == 0.5
    assert [a.text for a in fig.layout.annotations][-1] == "majority baseline"
    assert not [s for s in plots.sweep.figure(sweep_records(), ["accuracy"], "t").layout.shapes]
    # a baseline far below the panel's data (a QA one near 0 under scores of 0.7-0.9 at the
    # paper's scale) is named at the panel's foot: a line would squash the data to a strip
    high = sweep_records().assign(accuracy=lambda d: 0.8 + 0.01 * d["seed"])
    far = plots.sweep.figure(high, ["accuracy"], "t", baseline={"accuracy": 0.02})
    assert not [s for s in far.layout.shapes if s.type == "line"]
    assert "majority baseline 0.020, below this axis" in [a.text for a in far.layout.annotations]
    # panels on one y range are judged together (FEVER's zoom at the paper's scale: the note
    # "below this axis" on one panel, the line on the others, on the same axis)
    zrec = zoom_records().assign(accuracy=lambda d: np.where(d["n"] == 400, 0.9, 0.52))
    zci = zoom_intervals().assign(mean=lambda d: np.where(d["n"] == 400, 0.9, 0.52),
                                  low=lambda d: d["mean"] - 0.01, high=lambda d: d["mean"] + 0.01)
    zfig = plots.zoom.figure(zrec, zci, "accuracy", "t", baseline=0.49)
    assert len([s for s in zfig.layout.shapes if s.type == "line"]) == 2  # both panels
    assert not [a for a in zfig.layout.annotations if "this axis" in (a.text or "")]
    rec = pd.DataFrame({"fraction": [0.0, 0.0, 1.0], "n": [48, 48, 48],
                        "trained_rows": [48, 40, 30], "single_output": [False, True, False],
                        "dropped": ["", "no answer span in the context: 8",
                                    "no answer span in the context: 18"],
                        "rouge1": [0.3, 0.1, 0.2]})
    table = plots.style.training_table(rec, ["fraction"], "rouge1", 0.2).set_index("synthetic %")
    assert table.loc[0.0, "trained rows"] == "40-48" and table.loc[100.0, "trained rows"] == "30"
    assert table.loc[0.0, "one output for every test row"] == 1
    assert list(table["at or below the majority baseline"]) == [1, 1]
    assert table.loc[100.0, "left out (why)"] == "no answer span in the context: 18"
    # per reason, min-max over the runs (one run without a drop counts 0)
    assert table.loc[0.0, "left out (why)"] == "no answer span in the context: 0-8"
    two = plots.style._left_out(pd.Series([
        "no answer span in the context: 252; the answer span lies past the max length: 129",
        "no answer span in the context: 256; the answer span lies past the max length: 126"]))
    assert two == ("no answer span in the context: 252-256; the answer span lies past the max "
                   "length: 126-129")
    assert "0.200" in plots.style.training_caption("rouge1", 0.2)


def test_styled_table_reads_as_a_report_should():
    frame = pd.DataFrame({"synthetic %": [90.0, 100.0], "runs": [1234, 5],
                          "mean": [0.123456, float("nan")], "tau": [None, 0.5],
                          "same best": [True, False], "note": ["a", None]})
    html = plots.styled(frame).to_html()
    for shown in ("90.0", "100.0", "1,234", "0.123", "0.500", "yes", "no", plots.style.MISSING):
        assert shown in html, shown
    for hidden in ("90.000000", "0.123456", "nan", "None", "True"):
        assert hidden not in html, hidden
    assert "row_heading" not in html  # the default index is hidden
    named = plots.styled(pd.DataFrame({"count": [3]}, index=pd.Index(["rows"], name="what")))
    assert ">what<" in named.to_html() and ">rows<" in named.to_html()
    assert "0.12346" in plots.styled(frame, precision=5).to_html()
    bounds = plots.styled(pd.DataFrame({"95% CI low": [300.0, -math.inf],
                                        "95% CI high": [math.inf, 40.0]})).to_html()
    assert ">∞<" in bounds and ">-∞<" in bounds and "inf" not in bounds
    p_values = pd.DataFrame({"sign p": [0.25, 1e-9], "p": [float("nan"), 0.0004],
                             "top": [1e-9, 0.5]})
    html = plots.styled(p_values, precision=2).to_html()
    assert ">0.250<" in html and html.count("&lt;0.001") == 2 and ">0.00<" in html  # 'top' is no p
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in plots.styled(pd.DataFrame({"text": ["<b>bold</b> & co"]})).to_html()


def test_panels_wrap_three_to_a_row():
    metrics = ["exact_match", "inclusion", "reverse_inclusion", "bleu", "rouge1", "bertscore_f1"]
    records = sweep_records().assign(**{m: 0.5 for m in metrics})
    one_row = plots.sweep.figure(records, metrics[:3], "t")
    two_rows = plots.sweep.figure(records, metrics, "t")
    assert two_rows.layout.width == one_row.layout.width == style.MAX_WIDTH  # three panels' width
    assert two_rows.layout.height > one_row.layout.height
    top, bottom = two_rows.layout.yaxis.domain, two_rows.layout.yaxis4.domain
    assert bottom[1] < top[0]  # the fourth panel sits below the first
    panel = (top[1] - top[0]) * (two_rows.layout.height - 180)
    assert panel == pytest.approx((one_row.layout.yaxis.domain[1] - one_row.layout.yaxis.domain[0])
                                  * (one_row.layout.height - 180), rel=0.05)  # as tall as before
    assert [t.xaxis for t in two_rows.data if t.name == "mean over seeds"] == [
        "x", "x2", "x3", "x4", "x5", "x6"]


#: the width of a notebook cell's output area in JupyterLab 4.6's default layout, the file
#: browser open, at a 1280-px window (the window less 447 px: 919 at 1366, 993 at 1440)
LAB_OUTPUT_AT_1280 = 833


def panel_px(fig, axis: str = "xaxis") -> float:
    """The plotting width of one panel in pixels: its share of the figure less its margins."""
    lo, hi = fig.layout[axis].domain
    return (hi - lo) * (fig.layout.width - fig.layout.margin.l - fig.layout.margin.r)


def test_multi_panel_figures_fit_jupyterlab_beside_the_file_browser():
    """ROPES's sweep (six metrics, three panels of 330 px to a row) was 990 px wide: in
    JupyterLab with the file browser open at a 1366-px window the output area is 919 px, and
    the figure scrolled sideways, its third column cut (bench/jupyterlab_walk.py, 2026-12-06).
    The trade-off's and the advisor's three bases (the cpu and paper profiles' zoom and
    trade-off sizes) would have been 1,080 and 1,140 px, notebook 05's three fields 1,260.
    Every panel figure is now at most style.MAX_WIDTH, which fits down to a 1280-px window,
    and its panels keep room for a baseline's note at their foot ('majority baseline 0.000,
    below this axis', 11-point text: 219 px in Chromium)."""
    metrics = ["exact_match", "inclusion", "reverse_inclusion", "bleu", "rouge1", "bertscore_f1"]
    records = sweep_records().assign(**{m: 0.5 for m in metrics})
    ropes = plots.sweep.figure(records, metrics, "t", baseline={m: 0.0 for m in metrics})
    assert ropes.layout.width <= LAB_OUTPUT_AT_1280  # was 990
    assert style.MAX_WIDTH <= LAB_OUTPUT_AT_1280
    assert [ropes.layout[f"xaxis{i}"].anchor for i in range(1, 7)] == [
        "y", "y2", "y3", "y4", "y5", "y6"]  # six panels, each its own axes
    three_bases = plots.tradeoff.figure(*tradeoff_inputs((30.0,) * 3, (0.1,) * 3,
                                                         (50, 100, 150)), "t")
    four_sizes = plots.zoom.figure(
        pd.concat([zoom_records().assign(n=lambda f, k=k: f["n"] * k) for k in (1, 10)]),
        pd.concat([zoom_intervals().assign(n=lambda f, k=k: f["n"] * k) for k in (1, 10)]),
        "accuracy", "t")
    words = pd.DataFrame({"source": "human", "field": ["context", "question", "answer"],
                          "row_id": "h0", "words": [90, 9, 2]})
    figures = {"sweep, six metrics": ropes,
               "score against n, six metrics": plots.zoom.size_figure(
                   pd.concat([zoom_intervals().assign(metric=m) for m in metrics]), metrics, "t"),
               "zoom, four sizes": four_sizes, "trade-off, three bases": three_bases,
               "word lengths, three fields": plots.analysis.length_histogram_figure(words, "t")}
    for name, fig in figures.items():
        assert fig.layout.width <= style.MAX_WIDTH, name
        for axis in [k for k in fig.layout if k.startswith("xaxis")]:
            assert panel_px(fig, axis) >= 219, (name, axis)
    assert [a.text for a in three_bases.layout.annotations[:3]] == [
        "synthetic base 50", "synthetic base 100", "synthetic base 150"]
    assert three_bases.layout.xaxis3.domain[0] > three_bases.layout.xaxis2.domain[1]  # one row
    # the advisor's panels (380 px asked for) are drawn by the same Panels
    for width in (330, 360, 380, 420):
        for count in range(1, 10):
            fig = style.Panels(count, panel_width=width).layout("t")
            assert fig.layout.width <= style.MAX_WIDTH and panel_px(fig) >= 219, (width, count)


#: the room a table has there: the output area less its 20-px right padding (tables 813 px
#: wide at most at a 1280-px window, 899 at 1366: bench/jupyterlab_walk.py)
LAB_TABLE_ROOM_AT_1280 = LAB_OUTPUT_AT_1280 - 20


def table_px(table) -> int:
    """The narrowest a styled table lays out in JupyterLab's output area, estimated: per
    column, its longest unbreakable piece of text (header or cell; Lab wraps at spaces and
    after a hyphen before a letter) at 7.8 px a character (13-px text) plus 13 px of padding.
    Against bench/jupyterlab_walk.py in Chromium (2026-12-06), FEVER's smoke run and ROPES's:
    03's paired table 980 and 1,058 (978 and 1,037 measured), 04's bases table 972 and 1,035
    (981 and 1,011), 06's fits table 827 and 936 (818 and 866: a long formula's pieces are
    narrower than 7.8 px a character)."""
    import re
    from html.parser import HTMLParser

    widest: dict[int, int] = {}

    class Cells(HTMLParser):
        row, text = -1, None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.row, self.col = self.row + 1, 0
            elif tag in ("td", "th"):
                self.text = ""

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.text is not None:
                longest = max(len(w) for w in re.split(r"\s+|(?<=-)(?=[A-Za-z])",
                                                         self.text.strip()))
                widest[self.col] = max(widest.get(self.col, 0), longest)
                self.col, self.text = self.col + 1, None

        def handle_data(self, data):
            if self.text is not None:
                self.text += data

    Cells().feed(table.to_html())
    return round(sum(7.8 * chars + 13 for chars in widest.values()))


def ropes_paired() -> pd.DataFrame:
    """experiments.zoom.paired's frame as a ROPES smoke run gives it (two sizes, six metrics)."""
    metrics = ["exact_match", "inclusion", "reverse_inclusion", "bleu", "rouge1", "bertscore_f1"]
    return pd.DataFrame([{
        "n": n, "metric": m, "seeds": 1, "mean 97.5%": 0.0417, "mean 100.0%": 0.0625,
        "mean difference": -0.0208, "95% CI low": -0.0625, "95% CI high": 0.0208,
        "smallest detectable": 0.0581, "97.5% better": 0, "100.0% better": 1, "ties": 0,
        "sign p": 1.0, "sign-flip p": 1.0, "min p": 1.0,
        "seeds favouring": "1/1 seeds favour 100.0% synthetic"} for n in (40, 48) for m in metrics])


def test_zoom_paired_table_fits_jupyterlab_beside_the_file_browser():
    """Notebook 03's paired table (16 columns) was 978 px wide on FEVER's smoke run and 1,037
    on ROPES's, so at a 1280- or 1366-px window (813 or 899 px for a table) it scrolled
    sideways (bench/jupyterlab_walk.py, 2026-12-06). It is now two tables keyed by n and
    metric, every column in one of them, each at most LAB_TABLE_ROOM_AT_1280."""
    paired = ropes_paired()
    assert table_px(plots.styled(paired, precision=4)) > LAB_TABLE_ROOM_AT_1280  # as it was
    difference, seed_tests = plots.zoom.paired_tables(paired)
    for half in (difference, seed_tests):
        assert list(half.columns[:2]) == ["n", "metric"] and len(half) == len(paired)
        assert table_px(plots.styled(half, precision=4)) <= LAB_TABLE_ROOM_AT_1280
    assert set(difference.columns) | set(seed_tests.columns) == set(paired.columns)
    assert set(difference.columns) & set(seed_tests.columns) == {"n", "metric"}
    assert "95% CI high" in difference and "seeds favouring" in seed_tests
    assert plots.zoom.paired_tests_caption(3).startswith(
        "The same pairs, seed by seed: the seeds favouring each side and the ties (of 3 seeds)")
    assert "(of 1 seed)" in plots.zoom.paired_tests_caption(1)
    assert list(plots.zoom.paired_tables(pd.DataFrame())[1].columns) == []  # no pairs


def test_tradeoff_bases_table_fits_jupyterlab_beside_the_file_browser():
    """Notebook 04's bases table (16 columns: the fit, the equivalent and the gain) was 981 px
    wide on FEVER's smoke run and 1,011 on ROPES's, so at a 1280- or 1366-px window it
    scrolled sideways (bench/jupyterlab_walk.py, 2026-12-06). The gain is now a table of its
    own, keyed by base and the score with the human points."""
    _, an, _ = tradeoff_inputs()
    bases = an["bases"].assign(y_star=[0.0434, 0.0471], gain=[-0.0024, 0.0088],
                               gain_low=[-0.0169, 0.0], gain_high=[0.0162, 0.0245],
                               gain_detectable=[0.0236, 0.0175], failed_resamples=[1549, 0],
                               breakeven_ratio=[math.nan, 2.5], status=["unreachable", "ok"])
    fit, gains = plots.tradeoff.bases_table(bases, 8), plots.tradeoff.gains_table(bases, 8)
    both = pd.concat([fit, gains.drop(columns=["base", "score +8 human"])], axis=1)
    assert table_px(plots.styled(both, precision=4)) > LAB_TABLE_ROOM_AT_1280  # as it was
    for half in (fit, gains):
        assert table_px(plots.styled(half, precision=4)) <= LAB_TABLE_ROOM_AT_1280
    assert list(gains.columns) == ["base", "score +8 human", "gain +8 human over base",
                                   "gain 95% CI low", "gain 95% CI high",
                                   "smallest detectable gain"]
    assert not [c for c in fit.columns if "gain" in c]
    assert plots.tradeoff.gains_caption(8).startswith("Per base: what the 8 human points added")


def test_advice_fits_table_fits_jupyterlab_beside_the_file_browser():
    """Notebook 06's fits table (12 columns) was 818 px wide on FEVER's smoke run and 866 on
    ROPES's, so at a 1280-px window (813 px for a table) it scrolled sideways
    (bench/jupyterlab_walk.py, 2026-12-06). The equivalents are now a table of their own,
    keyed by base and curve."""
    from littlehuman.plots import advice as advice_plots

    formulas = ["y = 0.01527 + 0.009777 ln(x)", "y = 1 - 0.9509 (x/32)^-0.0102",
                "y = 0.04745 - 3.942e+13 exp(-60 x/40) (b at the edge of its search range, 60: "
                "the data do not pin the curve's bend)"]
    report = {"level": 0.95, "fits": pd.DataFrame({  # ROPES's smoke run, one base
        "base": 24, "family": ["log", "power", "exp"], "label": ["log (paper)", "power law",
                                                                 "exponential saturation"],
        "formula": formulas, "rmse": 0.0057, "fit_status": ["ok", "ok", "saturated"],
        "asymptote": [math.inf, 1.0, 0.047], "holdout_error": [-0.0208, math.nan, math.nan],
        "equivalent": [20.34, 12.44, 2.11], "low": [-24.0, -1.54, 0.0], "high": math.inf,
        "eq_status": ["ok", "extrapolated", "unreachable"], "undefined": [1549, 4301, 4461]})}
    fits, equivalents = (advice_plots.fits_table(report),
                         advice_plots.equivalents_table(report))
    both = pd.concat([fits, equivalents.drop(columns=["base", "curve"])], axis=1)
    assert table_px(plots.styled(both, precision=4)) > LAB_TABLE_ROOM_AT_1280  # as it was
    for half in (fits, equivalents):
        assert list(half.columns[:2]) == ["base", "curve"]
        assert table_px(plots.styled(half, precision=4)) <= LAB_TABLE_ROOM_AT_1280
    assert list(equivalents.columns[2:]) == ["equivalent synthetic points", "95% CI low",
                                             "95% CI high", "equivalent status",
                                             "resamples without one"]
    assert advice_plots.fits_caption_table(report).startswith(
        "Per base and curve family, on the seed means: the fit and its hold-out error")


def test_panels_choose_their_columns_by_count_and_keep_shared_axes_shared():
    import plotly.graph_objects as go

    assert [style.columns(n) for n in range(1, 10)] == [1, 2, 3, 2, 3, 3, 3, 3, 3]
    grid = style.Panels(4, list("abcd"), shared_yaxes=True)
    assert (grid.rows, grid.cols) == (2, 2)  # two rows of two, not three and one
    assert [grid.at(i) for i in (3, 4)] == [dict(row=2, col=1), dict(row=2, col=2)]
    for i in range(1, 5):
        grid.fig.add_trace(go.Scatter(x=[1, 2], y=[i / 10, i / 5]), **grid.at(i))
    fig = grid.layout("t", "Accuracy")
    ys = {i: fig.layout["yaxis" if i == 1 else f"yaxis{i}"] for i in range(1, 5)}
    assert {y.matches or f"y{i}" for i, y in ys.items()} == {"y3"}  # one y range (plotly's
    # reference: the bottom-left panel), its ticks on each row's first panel
    assert [ys[i].showticklabels for i in range(1, 5)] == [None, False, None, False]
    assert fig.layout.xaxis2.matches is None  # each its own x
    assert fig.layout.yaxis.title.text == fig.layout.yaxis3.title.text == "Accuracy"  # per row
    assert fig.layout.yaxis2.title.text is None
    assert fig.layout.width == 2 * 330 and fig.layout.margin.r < 80
    zoom = plots.zoom.figure(
        pd.concat([zoom_records().assign(n=lambda f, k=k: f["n"] * k) for k in (1, 10)]),
        pd.concat([zoom_intervals().assign(n=lambda f, k=k: f["n"] * k) for k in (1, 10)]),
        "accuracy", "t")
    assert zoom.layout.yaxis.matches == zoom.layout.yaxis4.matches == "y3"  # the zoom's sizes:
    # two rows of two, one y range


def test_a_flat_panel_gets_a_y_range_of_its_own_in_every_row():
    """The rule of :meth:`style.Panels._pin_flat_y` on each panel of a wrapped figure (six
    panels, two rows of three), shared or not."""
    import plotly.graph_objects as go

    flat = 0.4791666666666667
    for shared in (True, False):
        grid = style.Panels(6, list("abcdef"), shared_yaxes=shared)
        for i in range(1, 7):
            grid.fig.add_trace(go.Scatter(x=[16, 24, 32], y=[flat, flat + 1e-17, flat]),
                               **grid.at(i))
        fig = grid.layout("t")
        for i in range(1, 7):
            axis = fig.layout["yaxis" if i == 1 else f"yaxis{i}"]
            assert axis.range == pytest.approx((flat - 0.05, flat + 0.05)), (shared, i)


def test_a_flat_panel_gets_a_y_range_of_its_own():
    """Notebook 06 on FEVER's smoke runs (JupyterLab, 2026-12-06): every run scored
    0.4791666666666667 or 0.47916666666666674, and plotly drew a y axis 6e-17 tall, its tick
    labels ('0.4791666666666667' and the like) printed over each other, the points pinned to
    its top. A flat panel now gets 0.05 either side; one with a spread, and bars, are left to
    plotly."""
    import plotly.graph_objects as go

    flat = [0.4791666666666667, 0.47916666666666674, 0.4791666666666667]
    for shared in (True, False):
        grid = style.Panels(2, ["a", "b"], shared_yaxes=shared)
        for i in (1, 2):
            grid.fig.add_trace(go.Scatter(x=[16, 24, 32], y=flat), **grid.at(i))
        fig = grid.layout("t")
        for axis in (fig.layout.yaxis, fig.layout.yaxis2):
            assert axis.range == pytest.approx((flat[0] - 0.05, flat[0] + 0.05))
    grid = style.Panels(2, ["a", "b"])
    grid.fig.add_trace(go.Scatter(x=[16, 24], y=[0.4, 0.6]), **grid.at(1))
    grid.fig.add_trace(go.Scatter(x=[16, 24], y=[0.5, 0.5]), **grid.at(2))
    fig = grid.layout("t")
    assert fig.layout.yaxis.range is None and fig.layout.yaxis2.range is not None
    spread = style.Panels(1)  # error bars give a flat line its height
    spread.fig.add_trace(go.Scatter(x=[1, 2], y=[0.5, 0.5],
                                    error_y=dict(type="data", array=[0.1, 0.1])))
    assert spread.layout("t").layout.yaxis.range is None
    bars = style.Panels(1)
    bars.fig.add_trace(go.Bar(x=["real", "synthetic"], y=[0.5, 0.5]))
    assert bars.layout("t").layout.yaxis.range is None
    # a figure of the reports: notebook 02's, on runs that all score alike
    records = sweep_records().assign(accuracy=flat[0])
    fig = plots.sweep.figure(records, ["accuracy"], "t")
    assert fig.layout.yaxis.range == pytest.approx((flat[0] - 0.05, flat[0] + 0.05))
    # a baseline inside that range is drawn as a line, not named 'above this axis' (a
    # reviewer: the note beside an axis pinned to 0.43-0.53 said 0.500 lay above it)
    near = plots.sweep.figure(records, ["accuracy"], "t", baseline={"accuracy": 0.50})
    assert near.layout.yaxis.range == pytest.approx((flat[0] - 0.05, flat[0] + 0.05))
    assert not [a.text for a in near.layout.annotations if "this axis" in (a.text or "")]
    assert any(sh.y0 == 0.50 for sh in near.layout.shapes)
    far = plots.sweep.figure(records, ["accuracy"], "t", baseline={"accuracy": 0.60})
    assert [a.text for a in far.layout.annotations if "this axis" in (a.text or "")] == [
        "majority baseline 0.600, above this axis"]


def test_a_line_label_does_not_write_over_a_note_at_the_panels_foot():
    """ROPES's smoke runs in notebook 06 (JupyterLab, 2026-12-06): the majority baseline (0)
    lay far below the panel, so its note sat at the panel's foot, and the random span's line
    (0.024) just above an axis starting at 0.02 had its label beneath it, on that note:
    'majority baseline 0.000, berandom span'. Its label now goes above the line there."""
    import plotly.graph_objects as go

    def panel(baseline):
        grid = style.Panels(1)
        grid.fig.add_trace(go.Scatter(x=[16, 24, 32], y=[0.038, 0.046, 0.054]))
        style.baseline_line(grid.fig, baseline, 1, 1, label=True)
        style.span_line(grid.fig, (4, 0.024), 1, 1, label=True)
        return {a.text: a for a in grid.fig.layout.annotations}

    notes = panel(0.0)
    assert notes["majority baseline 0.000, below this axis"].y == 0
    assert notes["random span"].yanchor == "bottom"  # above its line, clear of the note
    assert notes["random span"].yshift >= 15
    notes = panel(0.03)  # both lines drawn: each named beneath itself, as before
    assert notes["majority baseline"].yanchor == notes["random span"].yanchor == "top"


def test_dollar_amounts_are_not_read_as_latex(tmp_path):
    """Notebook 04's advice at your prices (JupyterLab 4.6, 2026-12-06) read 'At
    0.5perhumanpointand0.002 per synthetic point' in math italics, and notebook 06's budget
    caption 'A budget of 1,000at0.5 per human': two dollar signs in one paragraph are LaTeX
    there, and Markdown's own escape (a backslash) does not stop it (the same walk, on a page
    of variants: only a doubled backslash reached MathJax as its escape). The notebooks'
    Markdown and captions double it; the HTML reports, with no MathJax, read it back as '$'."""
    import nbformat

    from littlehuman.report import html_body

    said = plots.markdown("At $0.5 per human point and $0.002 per synthetic point")
    assert said.data == "At \\\\$0.5 per human point and \\\\$0.002 per synthetic point"
    assert plots.caption("A budget of $1,000 at $0.5", ["$2 each"]).data == \
        "*A budget of \\\\$1,000 at \\\\$0.5* **Caution: \\\\$2 each.**"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/markdown": said.data, "text/plain": "<Markdown>"})])]
    path = tmp_path / "dollars.ipynb"
    nbformat.write(nb, path)
    body = html_body(path)
    assert "<p>At $0.5 per human point and $0.002 per synthetic point</p>" in body
    assert "\\$" not in body.split("jp-RenderedMarkdown", 1)[1].split("</div>", 1)[0]
    # a command in a code span keeps its dollar sign: no MathJax reads code, and a backslash
    # there would be copied with it (a reviewer: --data-dir '/data/$USER/lh')
    command = plots.markdown("run `python run_all.py --data-dir '/data/$USER/lh'` at $2 a run")
    assert command.data == "run `python run_all.py --data-dir '/data/$USER/lh'` at \\\\$2 a run"
    nb.cells[0].outputs[0]["data"]["text/markdown"] = command.data
    nbformat.write(nb, path)
    assert "<code>python run_all.py --data-dir '/data/$USER/lh'</code> at $2 a run" in \
        html_body(path).replace("&#x27;", "'")


def test_styled_table_keeps_its_alignment_without_its_style_sheet():
    """JupyterLab drops an untrusted output's <style> (papermill leaves the executed notebooks
    in outputs/ untrusted), keeping inline style attributes: seen 2026-12-03 in JupyterLab 4.6,
    text columns right-aligned there. So the text cells carry their alignment inline too."""
    import re

    frame = pd.DataFrame({"synthetic %": [90.0], "metric": ["accuracy"], "runs": [3],
                          "left out (why)": ["none"]})
    page = plots.styled(frame)._repr_html_()
    without_sheet = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    inline = {text: attrs for attrs, text in re.findall(r"<t[dh]([^>]*)>([^<]*)</t[dh]>", without_sheet)}
    for text in ("metric", "accuracy", "left out (why)", "none"):
        assert "text-align: left" in inline[text], (text, without_sheet)
    for number in ("synthetic %", "90.0", "runs", "3"):
        assert "text-align: left" not in inline[number], (number, without_sheet)


def test_real_and_synthetic_keep_their_colours_from_notebook_01_to_05():
    """Notebook 05 draws human rows blue and synthetic ones orange (SOURCE_COLORS); notebook
    01 drew them in plotly's default indigo and red (seen in JupyterLab screenshots,
    2026-12-03): the same two sources in two colour schemes."""
    real, synthetic = fv_real(), fv_real().assign(claim=["a b c d", "e f", "g", "h i"])
    balance = plots.generate.label_balance_table(real, synthetic)
    bars = plots.generate.label_balance_figure(balance, "t")
    assert {t.name: t.marker.color for t in bars.data} == {
        "real": style.SOURCE_COLORS["human"], "synthetic": style.SOURCE_COLORS["synthetic"]}
    boxes = plots.generate.length_box_figure(real, synthetic, ["claim"], "t")
    assert {t.name: t.marker.color for t in boxes.data} == {
        "claim (real)": style.SOURCE_COLORS["human"],
        "claim (synthetic)": style.SOURCE_COLORS["synthetic"]}


def test_metric_agreement_is_set_beside_the_papers():
    """ROPES's cpu profile: inclusion's tau 0.33 in Table 1 and -0.33 in Table 2, with no
    sentence beside the paper's "overwhelming agreement" (a reader of the reports, 2026-12-05)."""
    means = pd.DataFrame({"fraction": [0, 0.5, 1.0], "rouge1": [0.3, 0.2, 0.1],
                          "em": [0.2, 0.1, 0.15], "bleu": [0.3, 0.25, 0.1]})
    text = plots.sweep.agreement_sentence(plots.sweep.metric_agreement(means, ["rouge1", "em", "bleu"]))
    assert "lowest Kendall tau is +0.33 (em)" in text
    assert "they agree on the best but order the rest differently" in text  # all pick 0%
    other = means.assign(bleu=[0.1, 0.2, 0.3])
    assert "they do not all agree" in plots.sweep.agreement_sentence(
        plots.sweep.metric_agreement(other, ["rouge1", "em", "bleu"]))
    same = means.assign(em=means["rouge1"] / 2, bleu=means["rouge1"] * 3)
    assert ": they agree" in plots.sweep.agreement_sentence(
        plots.sweep.metric_agreement(same, ["rouge1", "em", "bleu"]))
    assert plots.sweep.agreement_sentence(pd.DataFrame()) == ""


def test_the_zoom_caption_says_which_runs_are_the_sweeps():
    """The cpu profile's zoom reuses all 15 of its runs from the sweep, and drew their
    intervals afresh: "15 runs in all" read as new runs (a reader of the reports, 2026-12-05)."""
    text = plots.zoom.figure_caption("FEVER", 5, 1666, 15, shared=15)
    assert "(15 runs in all; all of them are the sweep's own runs (notebook 02), reused" in text
    assert "sweep's own" not in plots.zoom.figure_caption("FEVER", 5, 1666, 15)
    # the smoke profile reuses one ('1 of them are', seen in JupyterLab 2026-12-06)
    assert "(3 runs in all; 1 of them is the sweep's own run (notebook 02), reused" in \
        plots.zoom.figure_caption("fever", 1, 48, 3, shared=1)


def test_qa_twins_without_their_answer_in_the_context_are_counted():
    real = pd.DataFrame({"row_id": ["r0", "r1"], "context": ["Ann has a red kite.", "Bo runs."],
                         "question": ["What?", "Who?"], "answer": ["a red kite", "Cy"]})
    twins = pd.DataFrame({"row_id": ["s0", "s1"], "source_row_id": ["r0", "r1"],
                          "context": real["context"], "question": ["q", "q"],
                          "answer": ["RED  kite", "a blue kite"], "attempt": [0, 0]})
    table = plots.generate.counts_table(real, twins, {})["count"]
    assert table["twins whose answer does not stand word for word in their context (an extractive learner has at best an approximate span), of 2"] == 1
    assert "1 of the 2 human rows have an answer that does not stand" in \
        plots.generate.counts_caption("R", real, twins)


def test_one_zoom_size_is_said_not_drawn():
    """A helper: the cpu profile's 'score against n' figure had one n and showed nothing."""
    one = pd.DataFrame({"n": [500, 500], "fraction": [0.975, 1.0]})
    assert plots.zoom.one_size_sentence(one).startswith(
        "*Score against n: the zoom ran at one training-set size only (n = 500)")


def test_captions_say_the_dotted_baseline_and_draw_no_dashed_line_that_is_not_there():
    """A reviewer's read: the figures of 02-04 drew the majority baseline dotted and no caption
    said what it was; 04's caption described a dashed equivalent line on pages with none."""
    import pandas as pd

    from littlehuman import plots

    said = plots.tradeoff.figure_caption(3, 100, 50, pd.DataFrame({"equivalent": [None, -10.0]}),
                                         0.49)
    assert "no dashed line" in said and "the dashed line to" not in said
    assert "The dotted line is the majority baseline" in said
    drawn = plots.tradeoff.figure_caption(3, 100, 50, pd.DataFrame({"equivalent": [900.0]}))
    assert "the dashed line to the synthetic size" in drawn and "dotted" not in drawn
    assert "dotted line is the majority baseline" in plots.sweep.figure_caption("d", 50, 3, 100, 0.5)
    assert "dotted" not in plots.sweep.figure_caption("d", 50, 3, 100)
    assert "dotted line is the majority baseline" in plots.zoom.figure_caption("d", 3, 100, 9, 0, 0.5)
