"""Test helper: what a cold smoke-profile run of one dataset must have written (the FV
run of test_end_to_end.py and the QA run of test_end_to_end_qa.py)."""
from __future__ import annotations

import json
from pathlib import Path


def check_smoke_reports(home: Path, name: str, task: str) -> None:
    """The summary, pages and index row of ``name``'s cold smoke run in ``home``."""
    folder = home / "outputs" / name / "smoke"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["task"] == task
    # the rows the settings resolve to: smoke's caps (n_train 48, 32 valid, 48 test)
    assert summary["rows"] == {"train": 48, "valid": 32, "test": 48}
    # 3 sweep runs, 2 more zoom runs (100% at n=48 is the sweep's), 6 trade-off runs
    assert summary["generation_calls"] > 0 and summary["runs_trained"] == 3 + 2 + 6
    # cold: nothing reused (the zoom's 100% run at n = 48 is the sweep's, counted once)
    assert summary["runs_skipped"] == 0
    # the ledger names the commit each run was trained at (every one of the 11 here)
    assert sum(summary["provenance"]["runs"].values()) == 11
    for nb in ("01_generate", "02_replacement_sweep", "03_zoom", "04_tradeoff", "05_analysis"):
        page = (folder / f"{nb}.html").read_text()
        assert "plotly" in page.lower() and "Plotly.newPlot" in page, nb
    assert summary["sweep"]["status"] == "ok" and "90->100%" in summary["sweep"]["text"]
    assert summary["zoom"]["paired"] and summary["tradeoff"]["headline"]
    sweep = (folder / "02_replacement_sweep.html").read_text()
    assert "test score vs synthetic fraction" in sweep
    if task == "qa":
        for label in ("Exact match", "ROUGE-1", "BERTScore F1"):
            assert label in sweep
        assert "Kendall tau" in sweep  # Table 1: do the QA metrics rank the fractions alike?
        assert "Kendall tau" in (folder / "03_zoom.html").read_text()  # Table 2
    index = (home / "outputs" / "index.html").read_text()
    assert f"{name}/smoke/02_replacement_sweep.html" in index
