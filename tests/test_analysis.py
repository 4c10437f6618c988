"""Synthetic-vs-human analysis (littlehuman.analysis) on hand-checked invented rows, and
notebook 05 executed with papermill on the smoke profile (FEVER, rule-based generator).

Every text below is an invented fixture, not dataset text.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from littlehuman import analysis
from littlehuman.plots import analysis as aplots
from littlehuman.errors import LittleHumanError

CONTEXT = ("The red kite nests in old oak trees near the river. "
           "Farmers in the valley grow barley and rye every spring. "
           "A wooden bridge built in 1872 crosses the narrow gorge below the mill. "
           "The village bakery sells bread made from local grain.")
THIRD = "A wooden bridge built in 1872 crosses the narrow gorge below the mill."


def fv_rows(prefix: str, claims: list[str], contexts: list[str] | None = None) -> pd.DataFrame:
    contexts = contexts or [CONTEXT] * len(claims)
    return pd.DataFrame({"row_id": [f"{prefix}{i}" for i in range(len(claims))],
                         "context": contexts, "claim": claims, "label": 1})


def qa_rows(prefix: str, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"row_id": [f"{prefix}{i}" for i in range(len(pairs))],
                         "context": CONTEXT, "question": [q for q, _ in pairs],
                         "answer": [a for _, a in pairs]})


def test_split_sentences():
    assert analysis.split_sentences(CONTEXT)[2] == THIRD
    assert len(analysis.split_sentences(CONTEXT)) == 4
    text = 'She said "Go home." Then he left!\nIs it 3.5 kg? Yes|anna: fine|bob: ok|'
    assert analysis.split_sentences(text) == ['She said "Go home."', "Then he left!",
                                              "Is it 3.5 kg?", "Yes", "anna: fine", "bob: ok"]
    assert analysis.split_sentences("  \n ") == [] and analysis.split_sentences(None) == []
    assert analysis.split_sentences(" . ! ") == []


def test_lengths_qa():
    human = qa_rows("h", [("Who built the bridge?", "the miller"), ("When?", "1872")])
    synthetic = qa_rows("s", [("In which year was the wooden bridge built?", "in the year 1872"),
                              ("What do farmers grow?", "  ")])
    words = analysis.lengths(human, synthetic, "qa")
    got = {(r.source, r.field, r.row_id): r.words for r in words.itertuples()}
    assert got == {("human", "question", "h0"): 4, ("human", "question", "h1"): 1,
                   ("synthetic", "question", "s0"): 8, ("synthetic", "question", "s1"): 4,
                   ("human", "answer", "h0"): 2, ("human", "answer", "h1"): 1,
                   ("synthetic", "answer", "s0"): 4}
    assert analysis.dropped(words).to_dict("records") == [
        {"source": "synthetic", "field": "answer", "reason": "empty text", "rows": 1}]
    table = analysis.summary(words, "words").set_index(["field", "source"])
    assert table.loc[("question", "human"), "rows"] == 2
    assert table.loc[("question", "human"), "median"] == 2.5
    assert table.loc[("question", "synthetic"), "mean"] == 6.0
    assert table.loc[("answer", "synthetic"), "IQR"] == 0.0
    # two rows a side are too few for a p-value (ROPES's 4 human answer positions gave 0.002)
    assert pd.isna(table.loc[("question", "human"), "p"])
    many = pd.DataFrame({"field": "question", "source": ["human"] * 10 + ["synthetic"] * 10,
                         "words": list(range(10)) + list(range(5, 15))})
    table = analysis.summary(many, "words").set_index(["field", "source"])
    p = table.loc[("question", "human"), "p"]
    assert 0.0 < p < 1.0 and p == table.loc[("question", "synthetic"), "p"]
    assert table.loc[("question", "human"), "test"] == "Mann-Whitney U"  # no pairs to match


def test_twins_are_tested_against_their_own_human_rows():
    """Each twin shares its human row's context: a paired (signed-rank) test, not two
    independent samples (a reader at the paper's scale). Here every twin is its row plus one
    word, over rows of very different lengths: unpaired, the shift hides in the spread."""
    human = pd.DataFrame({"row_id": [f"h{i}" for i in range(12)], "context": "A context.",
                          "question": [" ".join(["w"] * (3 * i + 1)) for i in range(12)],
                          "answer": "a"})
    synthetic = human.assign(row_id=[f"s{i}" for i in range(12)], source_row_id=human["row_id"],
                             question=human["question"] + " w")
    words = analysis.lengths(human, synthetic, "qa")
    table = analysis.summary(words, "words").set_index(["field", "source"])
    assert table.loc[("question", "human"), "test"] == "signed-rank, 12 pairs"
    assert table.loc[("question", "human"), "p"] < 0.001
    unpaired = analysis.summary(words.drop(columns="pair"), "words").set_index(["field", "source"])
    assert unpaired.loc[("question", "human"), "test"] == "Mann-Whitney U"
    assert unpaired.loc[("question", "human"), "p"] > 0.5


def test_verbatim_copy_of_sentence_three_of_four():
    human = fv_rows("h", ["Kites like oaks."])
    synthetic = fv_rows("s", [THIRD])
    ext = analysis.extractiveness(human, synthetic, "fv")
    syn = ext[ext["source"] == "synthetic"].iloc[0]
    assert syn["bleu"] == pytest.approx(100.0)
    assert (syn["sentence"], syn["n_sentences"]) == (2, 4)
    hum = ext[ext["source"] == "human"].iloc[0]
    assert hum["bleu"] == 0.0 and hum["sentence"] == 0  # no 4-gram shared: first sentence
    pos = analysis.positions(ext)
    assert pos["source"].tolist() == ["synthetic"]
    assert pos["position"].iloc[0] == pytest.approx(2 / 3)  # index 2 of 0..3
    assert analysis.dropped(pos).to_dict("records") == [
        {"source": "human", "field": "claim", "reason": "max BLEU 0", "rows": 1}]
    kept = analysis.positions(ext, drop_zero_bleu=False)  # the authors' convention
    assert kept.set_index("source")["position"].to_dict() == pytest.approx(
        {"human": 0.0, "synthetic": 2 / 3})


def test_short_sentence_uses_the_short_reference_rule():
    # "Yes." is a 2-token reference: BLEU = bp * geometric mean of the 1- and 2-gram precisions.
    synthetic = fv_rows("s", ["yes ."], ["The gate was open all night. Yes."])
    ext = analysis.extractiveness(fv_rows("h", []), synthetic, "fv")
    assert ext["bleu"].tolist() == [pytest.approx(100.0)] and ext["sentence"].tolist() == [1]


def test_empty_context_and_text_are_counted_not_crashed():
    human = fv_rows("h", ["A claim about nothing.", "The red kite nests in old oak trees."],
                    contexts=["", CONTEXT])
    synthetic = fv_rows("s", ["", "The bakery sells bread made from local grain."],
                        contexts=[CONTEXT, "One sentence only, about the bakery bread."])
    ext = analysis.extractiveness(human, synthetic, "fv")
    assert sorted(ext["row_id"]) == ["h1", "s1"]
    assert not ext.isna().any().any()
    assert analysis.dropped(ext).to_dict("records") == [
        {"source": "human", "field": "claim", "reason": "no context sentences", "rows": 1},
        {"source": "synthetic", "field": "claim", "reason": "empty text", "rows": 1}]
    pos = analysis.positions(ext)
    assert pos["row_id"].tolist() == ["h1"] and pos["position"].iloc[0] == 0.0
    assert {"source": "synthetic", "field": "claim", "reason": "one-sentence context",
            "rows": 1} in analysis.dropped(pos).to_dict("records")
    assert "dropped" in aplots.rows_note(pos) and "human claim: 1 rows" in aplots.rows_note(pos)


def test_empty_inputs_give_empty_frames_and_figures():
    empty = fv_rows("h", [])
    for frame in (analysis.lengths(empty, empty, "fv"),
                  analysis.extractiveness(empty, empty, "fv")):
        assert frame.empty and analysis.dropped(frame).empty
    ext = analysis.extractiveness(empty, empty, "fv")
    pos = analysis.positions(ext)
    assert pos.empty and "position" in pos.columns
    assert analysis.summary(pos, "position").empty
    for fig in (aplots.length_histogram_figure(analysis.lengths(empty, empty, "fv"), "t"),
                aplots.bleu_figure(ext, "t"), aplots.position_figure(pos, "t")):
        assert fig.layout.annotations[0].text == "no rows to show"
    assert aplots.rows_note(pos) == "no rows; none dropped"


def test_one_empty_source_has_no_p_value():
    ext = analysis.extractiveness(fv_rows("h", [THIRD]), fv_rows("s", []), "fv")
    table = analysis.summary(ext, "bleu").set_index("source")
    assert table.loc["synthetic", "rows"] == 0 and pd.isna(table.loc["human", "p"])
    fig = aplots.bleu_figure(ext, "t")
    assert [t.name for t in fig.data] == ["human claim (n=1)", "synthetic claim (n=0)"]


def test_wrong_columns_are_a_clear_error():
    with pytest.raises(LittleHumanError, match="question"):
        analysis.lengths(fv_rows("h", ["x"]), fv_rows("s", ["y"]), "qa")
    with pytest.raises(LittleHumanError, match="unknown task"):
        analysis.extractiveness(fv_rows("h", ["x"]), fv_rows("s", ["y"]), "nli")


def test_notebook_05_on_the_smoke_profile(home, shared_data, tmp_path):
    """About 10 s here (kernel start, FEVER load, 48 rule-based twins): not marked slow. The
    twins are made first, as run_all.py does: a notebook never generates them itself."""
    from littlehuman import config
    from littlehuman.experiments import twins
    from littlehuman.report import execute_notebook
    from littlehuman.study import Study

    twins.sweep_twins(Study.create("fever", config.profile("smoke"), data_dir=str(shared_data)))
    params = {"dataset": "fever", "profile": "smoke", "data_dir": str(shared_data),
              "overrides": "{}", "custom": "{}"}
    out = execute_notebook("05_analysis.ipynb", tmp_path / "out", params, html_out=True)
    executed = json.loads(out.read_text())
    assert executed["metadata"]["papermill"]["output_path"] == str(out)  # not its temp file
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".tmp-")]
    cells = executed["cells"]
    assert cells[0]["metadata"]["tags"] == ["parameters"]
    text = json.dumps([c.get("outputs", []) for c in cells])
    assert text.count("Plotly.newPlot") == 3
    for phrase in ("word lengths, human vs synthetic", "max sentence BLEU against the context",
                   "relative position of the best-matching sentence", "human claim: 48 rows",
                   "signed-rank", "rule-made text"):  # smoke's twins are the extractive rules
        assert phrase in text, phrase
    assert "Plotly.newPlot" in out.with_suffix(".html").read_text()


def test_each_measure_is_read_against_the_paper():
    """Notebook 05 ended without a conclusion, though FEVER's synthetic claims are twice as
    long (the paper: alike) and ROPES's synthetic questions shorter and less extractive (the
    paper: longer, more extractive): a reader of the reports, 2026-12-05."""
    words = pd.DataFrame({"field": "claim", "source": ["human"] * 12 + ["synthetic"] * 12,
                          "row_id": [f"r{i}" for i in range(24)],
                          "words": [8] * 12 + [16] * 12})
    [line] = analysis.against_paper(words, "words", "fv")
    assert line.startswith("claim length: synthetic longer (p ") and "unlike the paper (alike in length)" in line
    same = words.assign(words=[8, 9] * 12)
    assert "no difference this sample can show" in analysis.against_paper(same, "words", "fv")[0]
    assert "as the paper" in analysis.against_paper(same, "words", "fv")[0]
    few = words.iloc[[0, 1, 12, 13]]
    assert "too few rows to test" in analysis.against_paper(few, "words", "fv")[0]
    assert set(analysis.summary(few, "words")["test"]) == {"none (under 10 rows a side)"}  # not "-"
    qa = words.assign(field="question")
    assert "as the paper (synthetic longer)" in analysis.against_paper(qa, "words", "qa")[0]
    # both means to the same decimals (page 05 read "means 5.67 synthetic vs 13.6 human")
    mixed = words.assign(words=[13.6] * 12 + [5.67] * 12)
    assert "means 5.67 synthetic vs 13.60 human, 0.42x" in (
        analysis.against_paper(mixed, "words", "fv")[0])


def test_a_paired_reading_gives_the_means_of_the_pairs_it_tested():
    """Page 05 set means over 30 human and 84 synthetic rows beside a signed-rank test of 18
    pairs (FEVER's positions, a reviewer): the sentence's means are the pairs' now."""
    pairs = [f"c{i}" for i in range(12)]
    frame = pd.DataFrame({
        "field": "claim", "source": ["human"] * 12 + ["synthetic"] * 12 + ["synthetic"] * 6,
        "row_id": [f"r{i}" for i in range(30)],
        "pair": pairs + pairs + [f"x{i}" for i in range(6)],  # 6 twins without their human row
        "words": [8.0] * 12 + [16.0] * 12 + [40.0] * 6})
    [line] = analysis.against_paper(frame, "words", "fv")
    assert "means over the 12 pairs tested 16.00 synthetic vs 8.00 human, 2x" in line, line


def test_the_direction_of_a_paired_reading_is_that_of_the_means_it_gives():
    """Twins 2 words longer than their 12 human rows, beside 28 longer human rows without
    one: the sentence had said 'synthetic shorter' (all rows' means) beside the pairs' means
    12 vs 10 (a reviewer)."""
    pairs = [f"c{i}" for i in range(12)]
    frame = pd.DataFrame({
        "field": "question", "source": ["human"] * 40 + ["synthetic"] * 12,
        "row_id": [f"r{i}" for i in range(52)],
        "pair": pairs + [f"h{i}" for i in range(28)] + pairs,
        "words": [10.0] * 12 + [20.0] * 28 + [12.0] * 12})
    [line] = analysis.against_paper(frame, "words", "qa")
    assert line.startswith("question length: synthetic longer (p") and "as the paper" in line, line


def test_positions_are_read_for_their_spread_too():
    """The paper: humans favour the start of the text, synthetic sources are more spread out.
    Page 05 read only the means ("synthetic later in the context"), not the spread (a user)."""
    rng = np.random.default_rng(0)
    human = np.clip(rng.normal(0.1, 0.05, 200), 0, 1)
    spread = pd.DataFrame({"field": "question", "source": ["human"] * 200 + ["synthetic"] * 200,
                           "row_id": [f"r{i}" for i in range(400)],
                           "position": np.r_[human, rng.uniform(0, 1, 200)]})
    mean_line, spread_line = analysis.against_paper(spread, "position", "qa")
    assert mean_line.startswith("question position: synthetic later in the context")
    assert spread_line.startswith("question position spread: synthetic more spread out "
                                  "(Brown-Forsythe, p < 0.001), interquartile ranges 0.")
    assert spread_line.endswith(": as the paper (synthetic more spread out).")
    # later but as narrow: the means agree with the paper, the spread does not
    later = spread.assign(position=np.r_[human, np.clip(human + 0.5, 0, 1)])
    _, line = analysis.against_paper(later, "position", "qa")
    assert "no difference this sample can show (Brown-Forsythe, p = " in line
    narrower = spread.assign(position=np.r_[rng.uniform(0, 1, 200), np.full(200, 0.6)])
    _, line = analysis.against_paper(narrower, "position", "qa")
    assert "synthetic less spread out" in line and "unlike the paper" in line
    constant = spread.assign(position=[0.1] * 200 + [0.9] * 200)  # neither varies
    assert "no difference this sample can show (Brown-Forsythe, p = 1)" in \
        analysis.against_paper(constant, "position", "qa")[1]
    assert len(analysis.against_paper(spread.assign(position=0.5).iloc[[0, 1, 200, 201]],
                                      "position", "qa")) == 1  # too few rows: one line


def test_numbers_side_by_side_have_the_same_decimals():
    assert analysis.same_decimals(5.67, 13.6) == ["5.67", "13.60"]
    assert analysis.same_decimals(0.319, 0.444) == ["0.319", "0.444"]
    assert analysis.same_decimals(1.8, 4.05) == ["1.80", "4.05"]
    assert analysis.same_decimals(1250.0, 2333.3) == ["1250", "2333"]
    assert analysis.same_decimals(0.0, 2.5) == ["0.00", "2.50"]  # 0 sets no size
    assert analysis.same_decimals(pd.NA, 2.5) == ["nan", "2.50"]  # a source without rows


def test_the_reading_at_the_papers_scale_says_what_a_measure_cannot_show():
    """At the paper's scale (bench/report_scale.py, ROPES, 5,000 rows a source) notebook 05
    printed "p = 0", read answer positions kept for 14 of 5,000 human rows against the
    paper, and compared BLEU-4 of one-word answers, which is 0 for every one of them."""
    big = pd.DataFrame({"field": "answer", "source": ["human"] * 3000 + ["synthetic"] * 3000,
                        "row_id": [f"r{i}" for i in range(6000)],
                        "words": [1] * 3000 + [3] * 3000})
    assert "synthetic longer (p < 0.001)" in analysis.against_paper(big, "words", "qa")[0]
    where = pd.DataFrame({"field": "answer", "source": ["human"] * 14 + ["synthetic"] * 23,
                          "row_id": [f"r{i}" for i in range(37)],
                          "position": [0.1] * 14 + [0.9] * 23})
    where.attrs["dropped"] = [
        {"source": "human", "field": "answer", "reason": "max BLEU 0", "rows": 4986},
        {"source": "synthetic", "field": "answer", "reason": "max BLEU 0", "rows": 4977}]
    [line] = analysis.against_paper(where, "position", "qa")
    assert "measured on only 14 of 5,000 human and 23 of 5,000 synthetic rows" in line
    assert "not read against the paper" in line and "as the paper" not in line
    # a one-sentence context has no position to lose: FEVER's twins kept 1,583 of the 1,589
    # rows that could have one, not "1,583 of 5,000" (68% of its contexts are one sentence)
    kept = pd.DataFrame({"field": "claim", "source": ["human"] * 420 + ["synthetic"] * 1583,
                         "row_id": [f"r{i}" for i in range(2003)],
                         "position": [0.2] * 420 + [0.5] * 1583})
    kept.attrs["dropped"] = [
        {"source": s, "field": "claim", "reason": "one-sentence context", "rows": 3411}
        for s in ("human", "synthetic")] + [
        {"source": "human", "field": "claim", "reason": "max BLEU 0", "rows": 1169},
        {"source": "synthetic", "field": "claim", "reason": "max BLEU 0", "rows": 6}]
    [line] = analysis.against_paper(kept, "position", "fv")
    assert "only 420 of 1,589 human rows" in line and "synthetic rows" not in line
    bleu = big.assign(bleu=[0.0] * 5000 + [30.0] * 1000)  # answers of 1 and 3 words
    [line] = analysis.against_paper(bleu, "bleu", "qa")
    assert "100% of human and 100% of synthetic answers are under 4 words" in line
    almost = bleu.assign(words=[1] * 2990 + [5] * 10 + [3] * 3000)  # 99.7%: not "100%"
    assert "over 99% of human" in analysis.against_paper(almost, "bleu", "qa")[0]
    assert "cannot measure their extractiveness" in line
    # an 8-word claim sharing no 4-gram with its context is a real 0 (FEVER's human claims:
    # 75% of them), read as it is
    claims = bleu.assign(field="claim", words=8)
    [line] = analysis.against_paper(claims, "bleu", "fv")
    assert "synthetic more extractive (p < 0.001)" in line and "as the paper" in line


def test_twin_defects_are_said_under_finding_1():
    """A helper: notebook 01 counted 48 of 247 FEVER twins labelled false that copy their
    context (a wrong label), and nothing beside finding 1 on notebook 02 said so."""
    from littlehuman.analysis import twin_defects

    real = pd.DataFrame({"row_id": ["a", "b", "c", "d"], "label": [0, 0, 1, 1],
                         "claim": ["x is y", "p", "q", "r"],
                         "context": ["x is z.", "no", "q here", "r here"]})
    twins = pd.DataFrame({"source_row_id": ["a", "b", "c", "d", "spare"], "label": [0, 0, 1, 1, 0],
                          "claim": ["the sky is blue", "grass", "q", "r", "s"],
                          "context": ["The sky is blue.", "trees", "q", "r", "s"]})
    said = twin_defects(real, twins)
    assert said == ("1 of the 2 twins "
                    "labelled false copy their context word for word, a supported claim under "
                    "the label false: at least 25% of the twins carry a wrong label (the human rows: 0 "
                    "of 2), noise that every synthetic fraction inherits.")
    assert twin_defects(real, twins.assign(claim=["a", "b", "q", "r", "s"])) == ""
    qa_real = pd.DataFrame({"row_id": ["a", "b"], "answer": ["cat", "dog"],
                            "context": ["a cat sat", "a dog ran"]})
    qa_twins = pd.DataFrame({"source_row_id": ["a", "b"], "answer": ["cow", "dog"],
                             "context": ["a cat sat", "a dog ran"]})
    assert "1 of the 2 twins have an answer that does not stand word for word in their context" in \
        twin_defects(qa_real, qa_twins)


def test_the_twins_wrong_label_share_is_a_floor_not_rounded_up():
    """A reviewer: 48 of 500 twins (9.6%) read 'at least 10%'."""
    from littlehuman.analysis import twin_defects

    n = 500
    real = pd.DataFrame({"row_id": [f"r{i}" for i in range(n)], "label": [0] * 247 + [1] * 253,
                         "claim": [f"c{i}" for i in range(n)],
                         "context": [f"other {i}" for i in range(n)]})
    twins = real.assign(source_row_id=real["row_id"],
                        claim=[f"copied {i}" if i < 48 else f"c{i}" for i in range(n)],
                        context=[f"copied {i} here" if i < 48 else f"x {i}" for i in range(n)])
    assert "at least 9.6% of the twins carry a wrong label" in twin_defects(real, twins)


def test_fevers_evidence_sentences_are_its_lines():
    """A reviewer: FEVER's context is its evidence sentences, one a line; the sentence rule cut
    them at 'U.S.' and 'Alan J. Pakula' (46 of 500 cpu-profile contexts)."""
    from littlehuman import data
    from littlehuman.analysis import sentences_by_line, split_sentences

    context = "The film was directed by Alan J. Pakula .\nIt was shot in the U.S. in 1976 ."
    assert split_sentences(context, by_line=True) == [
        "The film was directed by Alan J. Pakula .", "It was shot in the U.S. in 1976 ."]
    assert len(split_sentences(context)) > 2  # the rule for running text cuts at the initials
    assert sentences_by_line(type("S", (), {"dataset_spec": data.DATASETS["fever"]})())
    assert not sentences_by_line(type("S", (), {"dataset_spec": data.DATASETS["ropes"]})())
    assert not sentences_by_line(object())  # a user's own file: the rule for running text
