"""The paper profile in miniature against a server that misbehaves as real ones do (refusals,
non-JSON 200s, 429s), through the command line: every experiment and notebook completes, the
reports say what happened, and a rerun sends nothing. The paper's own generator
(``openai-batch``) runs every notebook; ``openai`` stops after ``01_generate``, since what follows
generation is the same code for both. Two processes started at once on one dataset pay each
request once. The fake server runs in this process; the CLI in subprocesses.
"""
from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from cli import run_all
from fake_openai import KEY, FakeOpenAI

pytestmark = pytest.mark.slow
MINIATURE = [  # the paper profile at a few hundred rows, with the trivial learner
    "--profile", "paper", "--learner", "majority", "--n-train", "200", "--n-valid", "30",
    "--n-test", "100", "--seeds", "0,1", "--zoom-sizes", "200,100",
    "--tradeoff-bases", "50,100,150", "--tradeoff-human", "25", "--tradeoff-step", "25",
    "--tradeoff-steps", "2",
]
#: each generator's own pacing (a flag of the other one is an error: config.check_chosen)
PACING = {"openai": ("--concurrency", "8"), "openai-batch": ("--batch-poll-s", "0.05")}
#: the notebooks each generator's miniature runs: all for the paper's own generator
NOTEBOOKS = {"openai": ("01_generate",),
             "openai-batch": ("01_generate", "02_replacement_sweep", "03_zoom", "04_tradeoff",
                              "05_analysis")}


def cli(home: Path, data_dir: Path, *args: str, wait: bool = True):
    return run_all(home, data_dir, *args, wait=wait, timeout=1500,
                   env={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": None})


def answered_per_request(server: FakeOpenAI) -> collections.Counter:
    """How many times the server answered each distinct request (by its messages hash)."""
    return collections.Counter(e["hash"] for e in server.log
                               if e.get("status") == 200 and "hash" in e)


@pytest.mark.parametrize("generator", ["openai", "openai-batch"])
def test_paper_profile_in_miniature_survives_real_output(tmp_path, shared_data, generator):
    with FakeOpenAI(refusal_rate=0.05, nonjson_rate=0.02, rate_429=0.05, retry_after=0.05,
                    batch_polls_to_complete=1) as server:
        notebooks = NOTEBOOKS[generator]
        args = ["--dataset", "fever", *MINIATURE, "--generator", generator,
                *PACING[generator], "--base-url", server.base_url,
                "--notebooks", ",".join(nb[:2] for nb in notebooks)]
        proc = cli(tmp_path, shared_data, *args)
        assert proc.returncode == 0, proc.stderr[-3000:]
        folder = tmp_path / "outputs" / "fever" / "paper"
        assert sorted(p.stem for p in folder.glob("0*.html")) == list(notebooks)
        summary = json.loads((folder / "summary.json").read_text())
        bill = summary["bill"]
        assert bill["reasked_rows"] > 0  # refusals were asked again and answered
        # this run's sends; the rows' counts are the bill's (not summed over experiments)
        assert set(summary["generation"]) == {"calls", "seconds", "faults"}
        assert summary["generation"]["calls"] == summary["generation_calls"] == bill["requests"]
        assert bill["sent"] >= bill["answered"] == bill["requests"]
        if generator == "openai":  # every HTTP retry of a request is a send, counted by cause
            assert bill["sent"] > bill["answered"]
            assert bill["retried"].get("429", 0) > 0 and bill["retried"].get("bad_json", 0) > 0
        assert "re-asked" in proc.stdout and "rows without one" in proc.stdout
        page = (folder / "01_generate.html").read_text()
        assert "twins that needed a re-ask" in page and "requests sent" in page
        sent_before = len(server.log)
        again = cli(tmp_path, shared_data, *args)
        assert again.returncode == 0, again.stderr[-3000:]
        assert len(server.log) == sent_before  # the rerun sends nothing at all
        # and, nothing having changed, keeps the reports (summary.json as the first run wrote it)
        assert "nothing the notebooks show has changed" in again.stdout
        assert json.loads((folder / "summary.json").read_text()) == summary


def test_two_processes_at_once_pay_each_request_once(tmp_path, shared_data):
    with FakeOpenAI(latency_s=0.05) as server:
        args = ["--dataset", "fever", "--profile", "smoke", "--generator", "openai",
                "--base-url", server.base_url, "--concurrency", "2", "--notebooks", "01,02",
                "--learner", "majority"]
        first = cli(tmp_path, shared_data, *args, wait=False)
        second = cli(tmp_path, shared_data, *args, wait=False)
        outs = [p.communicate(timeout=1500) for p in (first, second)]
        for proc, (_, err) in zip((first, second), outs):
            assert proc.returncode == 0, err[-3000:]
        answered = answered_per_request(server)
        assert answered and max(answered.values()) == 1, answered.most_common(3)
        # they overlapped: one waited for the other's generation, run or report (stderr, stdout)
        assert any("waiting for another process" in out + err for out, err in outs)
