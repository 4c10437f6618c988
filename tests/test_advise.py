"""``run_all.py advise FILE``: only what the advice needs (the trade-off's runs and notebook
06), on a user's own dataset with the user's own synthetic file (smoke profile)."""
from __future__ import annotations

import json

import pytest

from cli import run_all
from littlehuman.cli import advise_argv
from littlehuman.errors import LittleHumanError
from test_synthetic_file import boxes, twins_of, write



def test_advise_argv_runs_only_notebook_06():
    assert advise_argv(["advise", "my.csv", "--budget", "100"]) == [
        "--dataset", "my.csv", "--notebooks", "06", "--budget", "100"]
    for bad in (["advise"], ["advise", "--budget", "1"], ["advise", "a.csv", "--notebooks", "02"],
                # the --flag=value form had passed the guard and planned the sweep, or ropes
                ["advise", "a.csv", "--notebooks=02"], ["advise", "fever", "--dataset=ropes"]):
        with pytest.raises(LittleHumanError, match="advise"):
            advise_argv(bad)


def test_advise_help_says_what_advise_does_then_the_flags(tmp_path):
    proc = run_all(tmp_path, tmp_path, "advise", "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("advise: how much human data to buy.")
    assert "run_all.py advise FILE|NAME" in proc.stdout and "--price-human" in proc.stdout
    assert "--plotlyjs" in proc.stdout and proc.stderr == ""  # the flags, and no error


@pytest.mark.slow
def test_advise_end_to_end_on_an_own_file_with_its_own_synthetic_file(tmp_path):
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    write(work / "boxes.csv", boxes())
    write(work / "twins.jsonl", twins_of(boxes()))
    proc = run_all(home, None, "advise", "boxes.csv", "--synthetic", "twins.jsonl", "--profile",
                   "smoke", "--learner", "majority", "--price-human", "0.5", "--price-synthetic",
                   "0.002", "--budget", "20", cwd=work, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    folder = home / "outputs" / "boxes" / "smoke"
    assert f"the advice: {folder / '06_advise.html'}" in proc.stdout
    assert sorted(p.name for p in folder.glob("*.html")) == ["06_advise.html"]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["generation_calls"] == 0 and summary["sweep"] is None
    assert summary["advisor"]["headline"] and summary["tradeoff"]["bases"]
    # the answer is printed, not only the page's path (the sweep's headline was all it said)
    assert f"[boxes] {summary['advisor']['headline']}" in proc.stdout
    # the majority learner learns nothing: no budget answer, robust split or purchases (the
    # checks of them here had been guarded by ifs that never ran: test_advice_lines has them)
    assert summary["advisor"]["budget"]["status"] == "learned_nothing"
    assert summary["advisor"]["budget_robust"] is None
    assert summary["advisor"]["budget"]["sentence"] not in proc.stdout
    runs = home / "data" / "runs" / "boxes"
    assert (runs / "tradeoff@pool48").is_dir() or any(runs.glob("tradeoff*"))
    assert not (runs / "sweep").exists()  # the advice does not train the sweep
    page = (folder / "06_advise.html").read_text()
    assert "Plotly.newPlot" in page and "budget" in page.lower()
    assert "What the measured runs bought, no curve" in page
    assert summary["advisor"]["purchases"] is None  # (nothing learned: see above)
    again = run_all(home, None, "advise", cwd=work, timeout=120)
    assert again.returncode == 2 and again.stderr.count("\n") == 1


def test_no_budget_answer_says_how_to_give_the_prices_both_ways():
    """Notebook 06 without prices told the reader "(papermill: overrides='...')": neither the
    run_all.py flags a report reader would use nor the parameters cell a JupyterLab reader
    edits (seen in JupyterLab, 2026-12-03)."""
    from pathlib import Path

    import nbformat

    from littlehuman.experiments.advisor import no_budget_sentence

    text = no_budget_sentence("fever", "smoke")
    assert ("`python run_all.py advise fever --profile smoke --price-human 0.5 "
            "--price-synthetic 0.002 --budget 1000`") in text
    assert """overrides = '{"price_human": 0.5, "price_synthetic": 0.002, "budget": 1000}'""" in text
    assert "papermill" not in text and "\n" not in text
    # the command keeps what the report was made with: pasted, it reads the same file the
    # same way (it dropped --columns and --learner: "missing required column(s) 'context'")
    own = no_budget_sentence("/tmp/my boxes.csv", "smoke",
                             '{"learner": "majority", "seeds": [0, 1], "price_human": 2.0}',
                             '{"task": null, "columns": {"passage": "context"}, '
                             '"skip_bad_rows": true}', "/data/raw")
    assert ("`python run_all.py advise '/tmp/my boxes.csv' --profile smoke --data-dir /data/raw "
            "--learner majority --seeds 0,1 --columns passage=context --skip-bad-rows "
            "--price-human 0.5 --price-synthetic 0.002 --budget 1000`") in own
    assert """overrides = '{"learner": "majority", "seeds": [0, 1], "price_human": 0.5""" in own
    # notebook 04 without prices: the same, for the trade-off's advice (it said "papermill:")
    from littlehuman.experiments.advisor import no_prices_sentence

    four = no_prices_sentence("boxes.csv", "smoke", '{"learner": "majority"}',
                              '{"columns": {"passage": "context"}}', price="no ratio")
    assert ("`python run_all.py --dataset boxes.csv --profile smoke --notebooks 04 --learner "
            "majority --columns passage=context --price-human 0.5 --price-synthetic 0.002`") in four
    assert four.endswith("Without prices: no ratio.") and "papermill" not in four
    nb4 = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "04_tradeoff.ipynb", 4)
    code4 = "\n".join(c.source for c in nb4.cells if c.cell_type == "code")
    assert "no_prices_sentence(dataset, profile, overrides, custom, data_dir" in code4
    assert "papermill:" not in code4
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "06_advise.ipynb", 4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "no_budget_sentence(dataset, profile, overrides, custom, data_dir, report)" in code and "papermill:" not in code


def test_advice_lines_say_the_budget_and_robust_split_once():
    """What `advise` prints after its page: the end-to-end run above learns nothing, so only
    this test sees the budget's and robust split's sentences printed (a reviewer removed
    them from the print and every test passed)."""
    from littlehuman.report import advice_lines

    summary = {"headline": "H", "advisor": {
        "headline": "A", "buy": "Buy 10 human points", "budget": {"status": "ok",
                                                                  "sentence": "B"},
        "budget_robust": {"sentence": "R"}}}
    assert advice_lines(summary) == ["A", "B", "R", "Buy 10 human points"]
    summary["advisor"]["budget"]["status"] = "learned_nothing"
    summary["advisor"]["headline"] = "H"  # the run's own headline is not said twice
    summary["advisor"]["budget_robust"] = None
    assert advice_lines(summary) == ["Buy 10 human points"]
    assert advice_lines({"headline": "H"}) == []
