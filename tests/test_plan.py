"""--plan: run and token counts of the experiment grid, worked out by hand; SciFact's tenth;
the totals table; measuring real rows (words and a real tokenizer); missing raw data."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from littlehuman import config, data
from littlehuman.errors import LittleHumanError
from littlehuman.experiments.grid import Shape
from littlehuman.plan import (AUTHORS_POINTS, AUTHORS_STEP, NO_DATA, OURS_POINTS, OURS_STEP, StepTime,
                              format_plan, plan, row_tokens, runs_per_experiment, training_texts)

TOY = dict(n_train=60, sweep_fractions=(0.0, 0.5, 1.0), seeds=(0, 1), zoom_sizes=(60, 40, 20),
           zoom_fractions=(0.5, 0.9, 1.0), tradeoff_bases=(10, 20), tradeoff_human=4, tradeoff_step=2,
           tradeoff_steps=3, epochs=2, max_length=0, learner="encoder")


@pytest.fixture()
def no_data(tmp_path, home):
    folder = tmp_path / "raw"
    folder.mkdir()
    return str(folder)


def _row(df: pd.DataFrame, dataset: str, experiment: str) -> pd.Series:
    return df[(df["dataset"] == dataset) & (df["experiment"] == experiment)].iloc[0]


def test_toy_profile_counts_by_hand(no_data):
    df = plan(["fever"], config.profile("smoke", **TOY), no_data)
    assert list(df["experiment"]) == ["sweep", "zoom", "tradeoff"]
    # sweep: 3 fractions x 2 seeds at n=60. zoom: 3 sizes x 3 fractions x 2 seeds = 18, less
    # the 4 at n=60 that are sweep runs (fractions 0.5 and 1.0): 2 x 60 + 2 x 3 x (40 + 20)
    # rows. Trade-off per seed and base b: b, b+2, b+4, b+6 synthetic and b+4 human.
    expected = {"sweep": (6, 360), "zoom": (14, 120 + 360),
                "tradeoff": (20, 2 * ((4 * 10 + 12 + 14) + (4 * 20 + 12 + 24)))}
    for experiment, (runs, rows) in expected.items():
        r = _row(df, "fever", experiment)
        assert (r["runs"], r["train_rows"], r["epochs"]) == (runs, rows, 2)
        assert r["tokens_per_row"] == 100.0  # no rows: FEVER's max length, an upper bound
        assert r["train_tokens"] == rows * 2 * 100
        ours, authors = OURS_STEP["fv"].tokens_per_s(16 * 100), AUTHORS_STEP["fv"].tokens_per_s(100)
        assert (r["tokens_per_s"], r["authors_tokens_per_s"]) == (ours, authors)  # batch 16 of 100 tokens; 1
        assert r["gpu_hours"] == pytest.approx(rows * 200 / ours / 3600)
        assert r["authors_gpu_hours"] == pytest.approx(rows * 200 / authors / 3600)
        assert r["data"] == NO_DATA and "missing" in r["note"] and pd.isna(r["eval_rows"])
        assert "4 zoom runs at n=60 are sweep runs" in r["note"]
    majority = plan(["fever"], config.profile("smoke", **{**TOY, "learner": "majority"}), no_data)
    assert (majority["train_tokens"] == 0).all() and list(majority["runs"]) == [6, 14, 20]
    # nested trade-off sets count once: bases 10 and 12 with steps of 2 share 12, 14 and 16
    sizes = runs_per_experiment(config.profile("smoke", **{**TOY, "tradeoff_bases": (10, 12)}),
                                Shape("fever", "fv", 60, None))
    assert sizes["tradeoff"] == sorted([10, 12, 14, 16, 18, 14, 16] * 2)


def test_plan_counts_only_what_the_chosen_notebooks_run(no_data):
    """`--plan --notebooks 06` (what `advise --plan` passes) plans the trade-off alone, as the
    runner prepares it; 02 the sweep alone; 03 the sweep (its twins) and the zoom; all six
    the whole grid."""
    prof = config.profile("smoke", **TOY)
    whole = plan(["fever"], prof, no_data)
    advice = plan(["fever"], prof, no_data, notebooks=["06"])
    assert list(advice["experiment"]) == ["tradeoff"]
    assert advice.iloc[0].to_dict() == _row(whole, "fever", "tradeoff").to_dict() | {
        "note": advice.iloc[0]["note"]}
    assert "are sweep runs" not in advice.iloc[0]["note"]
    assert list(plan(["fever"], prof, no_data, notebooks=["02"])["experiment"]) == ["sweep"]
    zoom = plan(["fever"], prof, no_data, notebooks=["01", "03"])
    assert list(zoom["experiment"]) == ["sweep", "zoom"]
    alone = runs_per_experiment(prof, Shape("fever", "fv", 60, None), ["03"])
    assert list(alone) == ["sweep", "zoom"]  # 03 needs the sweep's twins: the sweep runs too
    assert plan(["fever"], prof, no_data, notebooks=["01", "02", "03", "04", "05", "06"]).equals(whole)


def test_plan_of_an_own_file_reads_it_with_its_options(tmp_path, home, capsys):
    """`--plan` on your own file reads it as the run would: with --columns, --task and
    --skip-bad-rows (it ignored them: "missing required column(s) 'context', 'claim'", or
    "use --skip-bad-rows" right after the line that said the bad row was dropped)."""
    from littlehuman.cli import main

    lines = ["evidence,statement,label"]
    lines += [f"Town {i} has a {'red' if i % 2 else 'blue'} door.,Town {i}'s door is red.,"
              f"{'true' if i % 2 else 'false'}" for i in range(40)]
    lines.append("Town x has a door.,Town x's door is red.,maybe")  # a bad row, dropped
    own = tmp_path / "doors.csv"
    own.write_text("\n".join(lines) + "\n")
    args = ["--dataset", str(own), "--columns", "evidence=context,statement=claim",
            "--skip-bad-rows", "--profile", "smoke", "--plan"]
    assert main(args) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert re.search(r"doors\s+sweep\s+3\s", out) and "real rows" in out
    direct = plan([str(own)], config.profile("smoke"), custom={
        "columns": {"evidence": "context", "statement": "claim"}, "skip_bad_rows": True})
    assert list(direct["experiment"]) == ["sweep", "zoom", "tradeoff"]
    assert (direct["data"] == "real rows").all()


def test_scifact_takes_a_tenth_of_zoom_and_tradeoff(no_data):
    df = plan(["fever", "scifact"], config.profile("paper"), no_data)
    # paper: 13 fractions x 3 seeds; zoom 3 sizes x 3 fractions x 3 seeds less the 9 at the
    # sweep's n (its fractions 0.95, 0.975 and 1 are sweep fractions); trade-off 3 bases x
    # (1 + 1 + 4) x 3 seeds: the 6 runs of base b hold 6b + human + (1+2+3+4) x step rows
    assert list(df["runs"]) == [39, 18, 54] * 2
    assert _row(df, "fever", "sweep")["train_rows"] == 39 * 5000
    assert _row(df, "scifact", "sweep")["train_rows"] == 39 * 500
    assert _row(df, "fever", "zoom")["train_rows"] == 9 * (3000 + 1000)
    assert _row(df, "scifact", "zoom")["train_rows"] == 9 * (300 + 100)
    assert _row(df, "fever", "tradeoff")["train_rows"] == 3 * (6 * 6000 + 3 * (200 + 200 * 10))
    assert _row(df, "scifact", "tradeoff")["train_rows"] == 3 * (6 * 600 + 3 * (20 + 20 * 10))
    assert list(df["epochs"]) == [2] * 6  # LoRA's FV default
    assert _row(df, "scifact", "zoom")["train_tokens"] == 3600 * 2 * 512
    assert "/ 10" in _row(df, "scifact", "zoom")["note"] and "/ 10" not in _row(df, "fever", "zoom")["note"]


def test_real_rows_are_measured(shared_data, home):
    df = plan(["scifact", "wanli", "factify"], config.profile("paper"), str(shared_data))
    rows = data.load("scifact", shared_data)
    train, test = rows[rows["split"] == "train"], rows[rows["split"] == "test"]
    words = np.array([len(f"{c} | {q}".split()) for c, q in zip(train["context"], train["claim"])])
    expected = np.minimum(words * 1.3, 512).mean()
    sweep = _row(df, "scifact", "sweep")
    assert sweep["data"] == "real rows" and sweep["tokens_by"] == "words x 1.3"
    assert sweep["tokens_per_row"] == pytest.approx(expected, abs=0.05)
    assert sweep["train_rows"] == 39 * 500 and sweep["eval_rows"] == 39 * len(test)
    assert sweep["train_tokens"] == pytest.approx(39 * 500 * 2 * expected, rel=1e-3)

    wanli = _row(df, "wanli", "sweep")  # only the official 100-row sample is here
    assert wanli["data"] == "sample rows" and wanli["train_rows"] == 39 * 80
    assert "80 rows < 5000: n capped" in wanli["note"] and "scaled" in wanli["note"]
    assert "only the release's 100-row sample is here" in wanli["note"]  # not the dataset's hours
    zoom = _row(df, "wanli", "zoom")  # sizes scaled to fit 80 rows: 80 (the sweep's), 48, 16
    assert (zoom["runs"], zoom["train_rows"]) == (18, 9 * (48 + 16))

    factify = _row(df, "factify", "sweep")  # password-protected: not in shared/data
    assert factify["data"] == NO_DATA and factify["tokens_per_row"] == 800.0
    assert factify["train_rows"] == 39 * 5000 and "missing" in factify["note"]


def test_real_tokenizer_counts(shared_data, home, tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(vocab={"<unk>": 0, "<s>": 1, "</s>": 2}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                            unk_token="<unk>").save_pretrained(tmp_path / "model")
    df = plan(["scifact"], config.profile("paper", model_dir=str(tmp_path / "model")), str(shared_data))
    rows = data.load("scifact", shared_data)
    texts = training_texts(rows[rows["split"] == "train"], "fv")
    counts = np.array([len(re.findall(r"\w+|[^\w\s]+", t)) + 1 for t in texts])  # + <s>
    r = _row(df, "scifact", "sweep")
    assert r["tokens_by"] == "tokenizer of model"
    assert r["tokens_per_row"] == pytest.approx(np.minimum(counts, 512).mean(), abs=0.05)
    with pytest.raises(LittleHumanError, match="no tokenizer"):
        plan(["scifact"], config.profile("paper", model_dir=str(tmp_path / "nothing")), str(shared_data))


def test_qa_training_text():
    rows = pd.DataFrame({"context": ["A b."], "question": ["Who?"], "answer": ["b"]})
    assert training_texts(rows, "qa") == ["A b. | Who? ANSWER: b |"]


def test_totals_rates_and_table(no_data):
    prof = config.profile("paper")
    df = plan(["fever", "coqa"], prof, no_data, tokens_per_s=1000, authors_tokens_per_s=100)
    assert list(df["epochs"]) == [2, 2, 2, 5, 5, 5]  # LoRA: FV 2, QA 5
    assert df["gpu_hours"].to_numpy() == pytest.approx(df["train_tokens"].to_numpy() / 1000 / 3600)
    assert df["authors_gpu_hours"].to_numpy() == pytest.approx(df["train_tokens"].to_numpy() / 100 / 3600)
    text = format_plan(df)
    total = next(line for line in text.splitlines() if line.strip().startswith("TOTAL"))
    assert f"{df['runs'].sum():,}" in total and f"{df['train_tokens'].sum():,}" in total
    assert f"{df['gpu_hours'].sum():,.2f}" in total and f"{df['authors_gpu_hours'].sum():,.2f}" in total
    assert "0+" in total  # evaluation rows unknown without data
    for phrase in ("1,000 tokens/s", "100 tokens/s", "not in the hours", NO_DATA,
                   "coqa: estimated without data; tokens per row by max length 512"):
        assert phrase in text
    default = format_plan(plan(["fever"], prof, no_data))
    assert "FV 0.355 s + 0.111 ms/token" in default and "0.342 s + 0.285 ms/token" in default
    assert "gradient checkpointing" in default and "H200" in default
    both = plan(["fever", "coqa"], prof, no_data)  # modelled per task and dataset length
    for task, rows in both.groupby("task"):
        per_row = rows["tokens_per_row"].iloc[0]
        assert rows["tokens_per_s"].to_numpy() == pytest.approx(OURS_STEP[task].tokens_per_s(8 * per_row))
        assert rows["gpu_hours"].to_numpy() == pytest.approx(
            rows["train_tokens"].to_numpy() / OURS_STEP[task].tokens_per_s(8 * per_row) / 3600, rel=1e-3)
    assert "QA 0.092 s + 0.096 ms/token" in format_plan(both)
    half = plan(["fever"], prof, no_data, tokens_per_s=1000)  # one rate given: the other modelled
    assert (half["tokens_per_s"] == 1000).all() and "GPU-h at the 1,000 tokens/s given" in format_plan(half)
    assert half["authors_tokens_per_s"].iloc[0] == AUTHORS_STEP["fv"].tokens_per_s(100)
    with pytest.raises(LittleHumanError, match="> 0"):
        plan(["fever"], prof, no_data, tokens_per_s=-5)
    with pytest.raises(LittleHumanError, match="unknown dataset"):
        plan(["nope"], prof, no_data)
    # a CPU user's plan (the encoder) is told the GPU rates are not theirs, and how to measure
    cpu = format_plan(plan(["fever"], config.profile("cpu"), no_data))
    assert "Those rates are the LoRA 8B learner's on a GPU, not encoder's" in cpu
    assert "--plan-tokens-per-s (or add --plan-measure to time the encoder on this machine" in cpu
    measured = format_plan(plan(["fever"], config.profile("cpu"), no_data, tokens_per_s=2700))
    assert "Those rates" not in measured


@pytest.mark.parametrize("rate", [0, 0.0, float("nan"), float("inf"), -1])
def test_a_rate_that_is_no_measured_rate_is_one_line(no_data, rate):
    # 0 was taken as "the default" and NaN printed '?' hours: neither is a measured rate;
    # inf was told "must be > 0", which it is: the line says finite, and what it got
    said = rf"tokens per second must be a finite number > 0 \(got {rate:g}\)"
    with pytest.raises(LittleHumanError, match=said):
        plan(["fever"], config.profile("paper"), no_data, tokens_per_s=rate)
    with pytest.raises(LittleHumanError, match=said):
        plan(["fever"], config.profile("paper"), no_data, authors_tokens_per_s=rate)


def test_encoder_qa_windows_count_the_windows_read(shared_data, home):
    """--qa-windows N: a long QA row is read as up to N overlapping windows of max_length, so
    it costs more tokens than the one cut window (the plan counted one)."""
    from littlehuman.plan import read_tokens

    assert read_tokens(np.array([50.0, 97.0, 1000.0]), 96, 1).tolist() == [50, 96, 96]
    # 97 context tokens: two windows sharing 24; 1000: the 6 windows' cap, 6 x 96
    assert read_tokens(np.array([50.0, 97.0, 1000.0]), 96, 6).tolist() == [50, 121, 576]
    # each window repeats a question of 13 tokens (10 + [CLS] [SEP] [SEP]): 83 context tokens
    # a window, so 97 take two (the plan had counted 121, 13 short)
    assert read_tokens(np.array([97.0]), 96, 6, np.array([13.0])).tolist() == [2 * 13 + 97 + 24]
    one = _row(plan(["fairytaleqa"], config.profile("cpu"), str(shared_data)),
               "fairytaleqa", "sweep")
    six = _row(plan(["fairytaleqa"], config.profile("cpu", qa_windows=6), str(shared_data)),
               "fairytaleqa", "sweep")
    assert "windows" not in one["tokens_by"] and "up to 6 windows of" in six["tokens_by"]
    assert six["tokens_per_row"] > 1.5 * one["tokens_per_row"]
    assert six["train_tokens"] / one["train_tokens"] == pytest.approx(
        six["tokens_per_row"] / one["tokens_per_row"], rel=1e-2)


def test_qa_windows_are_counted_as_the_encoder_tokenizes_them(shared_data, home):
    """With the encoder's own tokenizer as --model-dir, the plan's tokens per row are the
    tokens of the windows the encoder builds (the question and [CLS]/[SEP] in every window,
    at most N windows a row), within 1%: the plan had modelled one text of context, question
    and answer cut into windows, 1-11% short (a reviewer's count)."""
    from littlehuman.learners.defaults import default_model_dir
    from littlehuman.learners.encoder import WINDOW_OVERLAP_DIVISOR
    from transformers import AutoTokenizer

    folder = str(default_model_dir())
    tok = AutoTokenizer.from_pretrained(folder)
    for name, windows, max_len in (("ropes", 4, 96), ("fairytaleqa", 6, 128)):
        rows = data.load(name, str(shared_data))
        train = rows[rows["split"] == "train"].sample(n=300, random_state=0)
        planned, how = row_tokens([], max_len, folder, windows, (
            train["question"].astype(str).tolist(), train["context"].astype(str).tolist()))
        questions = [tok.decode(tok(q, add_special_tokens=False)["input_ids"][:max_len // 2])
                     for q in train["question"].astype(str)]
        enc = tok(questions, train["context"].astype(str).tolist(), truncation="only_second",
                  max_length=max_len, return_overflowing_tokens=True,
                  stride=max_len // WINDOW_OVERLAP_DIVISOR)
        per_row: dict[int, list[int]] = {}
        for ids, owner in zip(enc["input_ids"], enc["overflow_to_sample_mapping"]):
            per_row.setdefault(owner, []).append(len(ids))
        read = np.mean([sum(lengths[:windows]) for lengths in per_row.values()])
        assert planned == pytest.approx(read, rel=0.01), name
        assert how == f"tokenizer of {Path(folder).name}, up to {windows} windows of {max_len} each repeating the question"


def test_step_time_lines_hold_their_measured_points():
    """Each configuration's line (a fixed overhead per micro-batch plus a time per token) gives
    back the tokens/s measured at both its points, and rows as long as FACTIFY's (800 tokens,
    unmeasured) train faster per token than FEVER's short ones, as the GPU profile says."""
    for task, points in OURS_POINTS.items():
        for tokens, rate in points:
            assert OURS_STEP[task].tokens_per_s(tokens) == pytest.approx(rate)
        assert OURS_STEP[task].overhead_s > 0 and OURS_STEP[task].s_per_token > 0
    for tokens, rate in AUTHORS_POINTS:
        assert AUTHORS_STEP["qa"].tokens_per_s(tokens) == pytest.approx(rate)
    assert OURS_STEP["fv"].tokens_per_s(8 * 800) > 4 * OURS_STEP["fv"].tokens_per_s(8 * 60)
    line = StepTime.through((100, 50.0), (300, 100.0))  # 2 s and 3 s a micro-batch
    assert (line.overhead_s, line.s_per_token) == pytest.approx((1.5, 0.005))


def test_rates_far_outside_the_measured_sizes_are_marked(no_data):
    df = plan(["fever", "factify"], config.profile("paper"), no_data)  # no files: max lengths
    notes = {name: "; ".join(n) for name, n in df.attrs["notes"].items()}
    assert "ours and authors rate extrapolated" in notes["factify"]  # 8 x 800 tokens, 800 alone
    assert "extrapolated" not in notes["fever"]  # 8 x 100 and 100: within the measured range


def _plan_points():
    from benches import load

    return load("plan_points")


def test_the_plans_points_are_what_plan_points_makes_of_the_stored_gpu_results():
    """lib/littlehuman/gpu_rates.json is bench/plan_points.py's reading of the GPU session's
    unedited tables (bench/gpu_results/2026-12-04-h200): no number typed by hand."""
    import json

    from littlehuman import plan as plan_module

    pp = _plan_points()
    folder = pp.ROOT / "bench" / "gpu_results" / "2026-12-04-h200"
    made = pp.points([folder / "2_lora_llama_batch8.md", folder / "1_full_check.json"])
    assert made == json.loads(pp.RATES.read_text()) == plan_module.GPU_RATES
    assert made["ours"]["fv"][0] == [5232 / 12, 1082.0] and made["authors"][1] == [6263 / 24, 627.0]
    assert made["ours_batches"] == {"fv": [8, 64], "qa": [8, 64]}
    assert "ours bf16 at batch 8 and 64," in plan_module.MEASURED_ON


def test_plan_points_prefer_the_current_learners_batch_8_rows_and_say_what_is_missing(tmp_path, capsys):
    import json

    pp = _plan_points()

    def row(step, item, rate, batch, micro=None, accum=1, tokens=1200, steps=12):
        return {"step": step, "item": item, "status": "ok", "figures": {
            "tokens_per_s": rate, "batch": batch, "micro_batch": micro or batch, "grad_accum": accum,
            "steps": steps, "train_tokens": tokens}}

    rows = [row("lora_llama", f"llama-3.1-8b {t} ours", 5000, 64, micro=32, tokens=76800) for t in ("fv", "qa")]
    rows += [row("lora_llama", f"llama-3.1-8b {t} authors", 100, 1, accum=2 if t == "qa" else 1, tokens=600)
             for t in ("fv", "qa")]
    rows += [row("overheads", f"{t} batch 8 defaults", 2000, 8) for t in ("fv", "qa")]
    table = tmp_path / "gpu_check.json"
    table.write_text(json.dumps({"environment": {"device": "NVIDIA H100"}, "rows": rows}))
    got = pp.points([table])
    assert got["ours"]["fv"] == [[100.0, 2000.0], [3200.0, 5000.0]]  # 76,800 / (12 x 2 micro-batches)
    assert got["authors"] == [[50.0, 100.0], [25.0, 100.0]] and got["device"] == "NVIDIA H100"
    assert got["ours_batches"] == {"fv": [8, 64], "qa": [8, 64]}
    from littlehuman import plan as plan_module

    assert plan_module._batches_measured({"fv": [8, 32], "qa": [8, 64]}) == "batch 8 and 32 (FV); 8 and 64 (QA)"
    table.write_text(json.dumps({"environment": {"device": "x"}, "rows": rows[:4]}))
    assert pp.main([str(table)]) == 2
    assert "no ok row for ours8 fv, ours8 qa" in capsys.readouterr().err


def test_the_authors_qa_micro_batch_is_one_packed_sequence_of_the_max_length(shared_data, home):
    """PROTOCOL: the authors' QA scripts train at batch 1 with packing, so a micro-batch is one
    sequence of the max length, not one row of the mean (a reviewer: their QA hours were
    overstated by about a third)."""
    from littlehuman import learners
    from littlehuman.plan import AUTHORS_STEP, authors_micro_batch

    profile = config.profile("paper")
    df = plan(["ropes", "fever"], profile, str(shared_data))
    ropes, fever = _row(df, "ropes", "sweep"), _row(df, "fever", "sweep")
    max_len = learners.max_length(profile, data.DATASETS["ropes"])
    assert authors_micro_batch("qa", ropes["tokens_per_row"], max_len) == max_len == 400
    assert ropes["authors_tokens_per_s"] == pytest.approx(AUTHORS_STEP["qa"].tokens_per_s(400))
    assert fever["authors_tokens_per_s"] == pytest.approx(  # FV: one row, as before
        AUTHORS_STEP["fv"].tokens_per_s(fever["tokens_per_row"]), rel=1e-3)


@pytest.fixture()
def small_timing(monkeypatch):
    """--plan-measure on a few rows: what is timed, not how fast, is under test."""
    from littlehuman import plan as plan_module

    monkeypatch.setattr(plan_module, "MEASURE_TRAIN_ROWS", 24)
    monkeypatch.setattr(plan_module, "MEASURE_TEST_ROWS", 12)


@pytest.mark.parametrize("dataset", ["fever", "ropes"])
def test_plan_measure_times_the_encoder_here_and_gives_cpu_hours(dataset, shared_data, home,
                                                                  small_timing):
    """The encoder, built as the profile builds it, timed on this machine: its rate, a fit's
    overhead, the share of rows it trains (QA drops rows whose answer it cannot find) and
    its test rows a second make the CPU-hours of every row of the plan."""
    prof = config.profile("smoke")
    df = plan([dataset], prof, str(shared_data), measure=True)
    timing = df.attrs["measured"][dataset]
    assert timing["tokens_per_s"] > 0 and timing["rows_per_s"] > 0
    assert timing["train_rows"] == 24 and timing["test_rows"] == 12
    assert 0 < timing["kept_share"] <= 1 and (timing["kept_share"] == 1) == (dataset == "fever")
    assert timing["threads"] >= 1 and timing["bf16"] == prof.train_bf16
    for _, row in df.iterrows():
        assert row["tokens_per_s"] == timing["tokens_per_s"]
        # the rows at the timed seconds per row, not the plan's tokens (words x 1.3 of the
        # LoRA text) over the encoder's own tokens/s
        train_s = (row["train_rows"] * row["epochs"] * timing["seconds_per_row"]
                   + row["runs"] * timing["fit_overhead_s"])
        assert row["gpu_hours"] * 3600 == pytest.approx(train_s, rel=1e-3, abs=1e-6)
        assert row["eval_hours"] * 3600 == pytest.approx(row["eval_rows"] / timing["rows_per_s"])
    text = format_plan(df)
    assert "timed on this machine" in text and "hours train" in text and "hours test" in text
    assert "GPU-h" not in text and "authors" not in text
    train_min = df["gpu_hours"].sum() * 60
    assert f"In all, about {train_min:,.1f} min of training" in text
    assert f"{dataset} timed: one epoch on 24 train rows" in text
    assert ("trains" in text.split(f"{dataset} timed:")[1].split("\n")[0]) == (dataset == "ropes")


def test_plan_measure_on_a_dataset_without_rows_says_so(shared_data, home, small_timing):
    df = plan(["fever", "coqa"], config.profile("smoke"), str(shared_data), measure=True)
    assert list(df.attrs["measured"]) == ["fever"]  # shared/data has no CoQA release
    assert df[df["dataset"] == "coqa"]["gpu_hours"].isna().all()
    assert df[df["dataset"] == "fever"]["gpu_hours"].notna().all()
    assert "not timed: no rows to time the encoder on" in df.attrs["notes"]["coqa"]
    text = format_plan(df)
    total = text.splitlines()[2 + len(df)]
    assert total.startswith("  TOTAL") and "+?" in total
    assert "on this machine, and more for the datasets not timed." in text
    none = plan(["coqa"], config.profile("smoke"), str(shared_data), measure=True)
    assert "In all" not in format_plan(none)
    assert total.split()[-1].endswith("+?") and "+ " in total  # CoQA's test rows unknown too


def test_plan_measure_goes_on_past_a_dataset_it_cannot_time(tmp_path, home, small_timing):
    """A QA file none of whose sampled answers the encoder finds in the tokens it reads is
    a note, not the end of the plan (a review: it had stopped every other dataset)."""
    rows = [{"context": "Filler words. " * 80 + f"The answer is gold{i}.",
             "question": f"What is it {i}?", "answer": f"gold{i}",
             "split": "test" if i % 5 == 0 else "train"} for i in range(60)]
    path = tmp_path / "far.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    prof = config.profile("smoke", max_length=32)
    df = plan([str(path)], prof, None, measure=True)
    assert df["gpu_hours"].isna().all() and df.attrs["measured"] == {}
    (notes,) = df.attrs["notes"].values()
    assert any(n.startswith("not timed: ") and "usable" in n for n in notes), notes
    assert "not timed: " in format_plan(df)


@pytest.mark.parametrize("learner", ["majority", "lora"])
def test_plan_measure_times_the_encoder_only(no_data, learner):
    prof = config.profile("smoke", learner=learner, model_dir="/nowhere" if learner == "lora" else "")
    with pytest.raises(LittleHumanError, match=f"times the encoder learner on this CPU, not {learner}"):
        plan(["fever"], prof, no_data, measure=True)
    with pytest.raises(LittleHumanError, match="two rates"):
        plan(["fever"], config.profile("smoke"), no_data, measure=True, tokens_per_s=3000)
