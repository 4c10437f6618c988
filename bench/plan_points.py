"""`--plan`'s measured points from what bench/gpu_check.py wrote on a GPU.

    python bench/plan_points.py bench/gpu_results/2026-12-04-h200/2_lora_llama_batch8.md \
        bench/gpu_results/2026-12-04-h200/1_full_check.json            # print them
    python bench/plan_points.py FILE [FILE...] --write                  # and write the plan's file

`--plan` prices each dataset on a line per task (``littlehuman.plan.StepTime``): a
micro-batch's time = a fixed overhead + a time per token, through two measured points
``(tokens per micro-batch, tokens/s)``. This reads them from gpu_check's tables (its .json,
or the .md of a run that kept no .json) so that nobody does the arithmetic by hand:

- ours at batch 8: step 5's ``{task} batch 8 defaults`` rows (the learner as it is), else step
  1's ``llama-3.1-8b {task} ours`` rows run at ``--lora-batch 8``;
- ours at the larger batch: step 1's ``llama-3.1-8b {task} ours`` rows above batch 8;
- the authors' configuration: step 1's ``llama-3.1-8b {task} authors`` rows (fp32, batch 1),
  FV's and QA's one point each, which make one line for both tasks.

Tokens per micro-batch = the reported window's (``window_tokens_per_micro_batch``), else a
row's ``train_tokens`` / (``steps`` x micro-batches a step: batch / micro-batch x grad-accum). The first file that has a row wins. ``--write`` puts the points,
the batches they were measured at, the device and the files they came from in
``lib/littlehuman/gpu_rates.json``, which ``littlehuman.plan`` reads (and names in ``--plan``'s
note).
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RATES = ROOT / "lib" / "littlehuman" / "gpu_rates.json"
TASKS = ("fv", "qa")


def read_rows(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A gpu_check table's environment (device at least) and its rows with their figures."""
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        return data["environment"], data["rows"]
    lines = path.read_text().splitlines()
    device = re.search(r"device (.+?), torch", lines[0])
    rows = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[2] != "ok":
            continue
        figures = {}
        for pair in cells[4].split(", "):
            key, _, value = pair.partition("=")
            figures[key] = value
        rows.append({"step": cells[0], "item": cells[1], "status": "ok", "figures": {
            "tokens_per_s": _number(figures.get("tok/s")), "batch": _number(figures.get("batch")),
            "micro_batch": _number(figures.get("micro")), "grad_accum": _number(figures.get("grad_accum")),
            "steps": _number(figures.get("steps")), "train_tokens": _number(figures.get("train_tokens")),
            "window_tokens_per_micro_batch": _number(figures.get("window_tokens_per_micro_batch"))}})
    return {"device": device.group(1) if device else "?"}, rows


def _number(text: str | None) -> float | None:
    return None if text is None else float(text.replace(",", ""))


def point(figures: dict[str, Any]) -> tuple[float, float]:
    """(tokens per micro-batch, tokens/s) of one row: the tokens per micro-batch of the window
    whose tokens/s is reported where the row has them (since 2026-12-05), else the whole fit's
    mean (a reviewer: the authors' FV fit averaged 44.7 tokens, the window 40.0)."""
    window = figures.get("window_tokens_per_micro_batch")
    if window:
        return float(window), float(figures["tokens_per_s"])
    batch, micro = figures["batch"], figures["micro_batch"] or figures["batch"]
    micro_batches = math.ceil(batch / micro) * (figures.get("grad_accum") or 1)
    return figures["train_tokens"] / (figures["steps"] * micro_batches), float(figures["tokens_per_s"])


def points(files: list[Path]) -> dict[str, Any]:
    """The plan's points from ``files`` (the first file with a row wins); raises ValueError
    naming what is missing."""
    found: dict[str, tuple[float, float]] = {}
    batch_of: dict[str, int] = {}
    device, sources = None, []
    for path in files:
        env, rows = read_rows(path)
        used = False
        for row in rows:
            if row.get("status") != "ok":
                continue
            f, item = row["figures"], row["item"]
            for task in TASKS:
                keys = {f"{task} batch 8 defaults": f"ours8 {task}",
                        f"llama-3.1-8b {task} authors": f"authors {task}"}
                if item == f"llama-3.1-8b {task} ours":
                    keys[item] = f"ours8 {task}" if f["batch"] == 8 else f"ours_large {task}"
                key = keys.get(item)
                if key and key not in found:
                    found[key] = point(f)
                    batch_of[key] = int(f["batch"])
                    used = True
        if used:
            device = device or env.get("device")
            sources.append(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path))
    need = [f"{k} {t}" for k in ("ours8", "ours_large", "authors") for t in TASKS]
    missing = [k for k in need if k not in found]
    if missing:
        raise ValueError(f"no ok row for {', '.join(missing)} in {', '.join(map(str, files))}")
    return {"device": device, "sources": sources,
            "ours": {t: [list(found[f"ours8 {t}"]), list(found[f"ours_large {t}"])] for t in TASKS},
            "ours_batches": {t: [batch_of[f"ours8 {t}"], batch_of[f"ours_large {t}"]] for t in TASKS},
            "authors": [list(found["authors fv"]), list(found["authors qa"])]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path, help="gpu_check.json (or .md) files, first wins")
    ap.add_argument("--write", action="store_true", help=f"write {RATES.relative_to(ROOT)}")
    args = ap.parse_args(argv)
    try:
        got = points([f.resolve() for f in args.files])
    except (ValueError, OSError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(got, indent=1)
    print(text)
    if args.write:
        RATES.write_text(text + "\n")
        print(f"wrote {RATES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
