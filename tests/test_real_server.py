"""The openai backend against a real server we did not write: ``transformers serve`` (the
``serving`` extra) on 127.0.0.1, serving the bundled Gemma 3 270M base model as a
transformers folder (``gemma.prepare_model_dir``, built once in the project cache).

A base model has no chat template, so ``transformers serve`` answers 500 on
``/v1/chat/completions``: ``run_all.py --endpoint completions`` must get twins through
``/v1/completions``, and ``--endpoint chat`` must stop with one ``error:`` line that points
at ``--endpoint completions``.

Slow: the server loads in ~10 s, then each 48-token request takes ~4-5 s on 2 idle CPU
cores (4-6 times that on a busy machine); the whole file took 2.5 min on a loaded 2-core box.
Marked ``slow``; ``LITTLEHUMAN_SKIP_REAL_SERVER=1`` skips it, and it is skipped without the
serving extra (``pip install -e ".[serving]"``).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
import cli  # noqa: E402
from real_server import RealServer  # noqa: E402



def _why_skip() -> str | None:
    if os.environ.get("LITTLEHUMAN_SKIP_REAL_SERVER"):
        return "LITTLEHUMAN_SKIP_REAL_SERVER is set"
    from transformers.utils.import_utils import is_serve_available

    if not is_serve_available():
        return 'transformers serve needs the serving extra: pip install -e ".[serving]"'
    # the module's file, not find_spec of it, which imports transformers.cli.serving (fastapi,
    # uvicorn, pydantic...): 2.2 s of CPU in every worker at collection, for a check
    folders = importlib.util.find_spec("transformers").submodule_search_locations
    if not any((Path(d) / "cli" / "serving" / "completion.py").is_file() for d in folders):
        return "this transformers serve has no /v1/completions: pip install 'transformers>=5.8'"
    return None


pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(_why_skip() is not None, reason=_why_skip() or "")]

# Small enough for CPU: short prompts and replies, one re-ask, requests one at a time (the
# server generates one request at a time anyway; queued ones would eat their timeout).
GEN_ARGS = ("--dataset", "fever", "--profile", "smoke", "--generator", "openai",
            "--n-train", "4", "--notebooks", "01", "--no-html",
            "--prompt-context-words", "60", "--max-new-tokens", "48", "--reask", "1",
            "--concurrency", "1", "--request-timeout", "120", "--temperature", "0",
            # the training after generation is incidental here: keep it to two small runs
            "--sweep-fractions", "0,1", "--n-valid", "8", "--n-test", "16")


@pytest.fixture(scope="module")
def gemma_dir() -> Path:
    """The dequantised Gemma folder (config, weights, tokenizer), made by the project's own
    ``prepare_model_dir`` in the project cache (~40 s the first time, then reused)."""
    from littlehuman.generation.backends.gemma import prepare_model_dir

    return prepare_model_dir()


@pytest.fixture(scope="module")
def server(gemma_dir, tmp_path_factory):
    srv = RealServer(gemma_dir, log_path=tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


def run_all(home: Path, data_dir: Path, server: RealServer, *args: str
            ) -> subprocess.CompletedProcess:
    return cli.run_all(home, data_dir, *GEN_ARGS, "--base-url", server.base_url,
                       "--gen-model", server.model, *args, timeout=600,
                       env={"OPENAI_API_KEY": "anything", "OPENAI_BASE_URL": None})


def test_completions_endpoint_makes_twins(server, shared_data, tmp_path):
    start = time.monotonic()
    proc = run_all(tmp_path, shared_data, server, "--endpoint", "completions")
    took = time.monotonic() - start
    assert proc.returncode == 0, (proc.stderr[-4000:], server.log_tail())

    synthetic = list((tmp_path / "data" / "synthetic" / "fever").glob("openai-*.parquet"))
    assert len(synthetic) == 1, synthetic
    twins = pd.read_parquet(synthetic[0])
    assert len(twins) >= 1, proc.stderr[-4000:]
    assert twins["claim"].str.strip().str.len().gt(0).all()
    assert twins["source_row_id"].str.startswith("fever:").all()

    # every answer came from the server: its replies are cached under the openai backend
    # and the served model, and the bill holds the server's token counts
    records = [json.loads(line)["record"] for line in
               (tmp_path / "data" / "generation" / "fever.jsonl").read_text().splitlines()
               if line.strip()]
    assert records and all(r["backend"] == "openai" for r in records)
    assert {r["model"] for r in records} == {server.model}
    assert any(r["reply"].strip() for r in records)
    bill = json.loads(synthetic[0].with_suffix(".bill.json").read_text())
    assert bill["backend"] == "openai" and bill["answered"] >= 4 and bill["failed"] == {}
    assert bill["input_tokens"] > 0 and bill["output_tokens"] > 0
    print(f"\n{len(twins)} twins from {bill['answered']} answered requests "
          f"({bill['input_tokens']} in / {bill['output_tokens']} out tokens) in {took:.0f} s; "
          f"server ready in {server.startup_s:.1f} s")


def test_chat_endpoint_on_a_base_model_says_use_completions(server, shared_data, tmp_path):
    proc = run_all(tmp_path, shared_data, server, "--endpoint", "chat", "--reask", "0")
    assert proc.returncode == 2, (proc.stderr[-4000:], server.log_tail())
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    # the progress bar is still open when the error is printed: it may share the bar's line
    errors = [line[line.index("error: "):] for line in re.split(r"[\r\n]", proc.stderr)
              if "error: " in line]
    assert len(errors) == 1, proc.stderr[-4000:]
    assert "--endpoint completions" in errors[0], errors[0]
    assert not list((tmp_path / "data" / "synthetic" / "fever").glob("openai-*.parquet"))
