"""The smoke profile end to end on a QA dataset (FairyTaleQA), cold, in a home of its own: a
file apart from test_end_to_end.py, whose FEVER run the smoke readers share on one worker, so
that this run (about 150 CPU-s) takes the other worker."""
from __future__ import annotations

import pytest

from cli import run_all
from smoke_checks import check_smoke_reports

pytestmark = pytest.mark.slow


def test_smoke_reports_of_a_qa_dataset(tmp_path, shared_data):
    proc = run_all(tmp_path, shared_data, "--dataset", "fairytaleqa", "--profile", "smoke")
    assert proc.returncode == 0, proc.stderr[-3000:]
    check_smoke_reports(tmp_path, "fairytaleqa", "qa")
