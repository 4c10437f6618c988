"""Throughput of the Gemma 3 270M generation backend on CPU: today's setting vs the new.

Loads FEVER and ROPES with the project's loaders (``LITTLEHUMAN_DATA_DIR`` or
../shared/data), generates one synthetic row for the same N training rows of each with k=3
drawn examples under both settings (today: float32 weights, batch 4; new: ``--dtype``,
default bfloat16, batch ``--batch-size``), and prints rows/min, prompt and new tokens per row,
the parse rate, how many replies are the same under both, and the ratio of twins per minute.

    python bench/gemma_cpu.py [--rows 16] [--batch-size 4] [--dtype bfloat16] [--fresh]
    python bench/gemma_cpu.py --head [--repeats 2]   # today's float32 head vs nn.Linear's
    python bench/gemma_cpu.py --loops 16 [--rows 40]  # loops left to the cap vs cut at 16
    python bench/gemma_cpu.py --unkeyed [--rows 40]   # written on past the field vs stopped

``--head`` compares instead today's backend (float32, batch 4, the output layer transposed:
``hf.transpose_cpu_head``) with the same backend computing its output layer as
``nn.Linear`` does, alternating ``--repeats`` times. ``--loops N`` compares replies left to
loop to ``max_new_tokens`` (``loop_tokens`` 0, as before 2026-12-04) with replies cut once
their last N tokens repeat one stretch (``hf.loop_cut``; the profiles' default is 16), both
float32, batch 4; it also prints how many replies ran to the 120-token cap. ``--unkeyed``
compares the cpu profile's generator (``--dtype``, batch 4, loops cut at 16) with and without
``stop_unkeyed`` (a reply ends at its first line without a key after the claim or question:
``hf.unkeyed_line_end``; on by default since 2026-12-05), and counts the replies that parse
the same under both (their text differs by the cut).

``--fresh`` builds the dequantised model in a temporary folder (measures the first load)
instead of using ``cache_dir()/models/gemma3-270m``. No cache is used for the requests.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

from littlehuman import machine
from littlehuman.generation import GemmaBackend, build_messages, draw_examples, parse_reply

DATA = Path(os.environ.get("LITTLEHUMAN_DATA_DIR")
            or Path(__file__).resolve().parents[2] / "shared" / "data")


def train_rows(name: str) -> pd.DataFrame:
    """The dataset's real training rows, through the project's loader."""
    import warnings

    from littlehuman import data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = data.load(name, DATA)
    return df[df["split"] == "train"].reset_index(drop=True)


def requests_for(name: str, task: str, n: int, context_words: int) -> list:
    """The first-ask requests of ``n`` seeded training rows of ``name`` (k=3 drawn examples)."""
    pool = train_rows(name)
    rows = pool.sample(n=min(n, len(pool)), random_state=0)
    return [build_messages(row, draw_examples(pool, row, k=3, seed=0), task,
                           context_words=context_words)
            for row in rows.to_dict("records")]


def generate(backend: GemmaBackend, requests: list, batch_size: int) -> tuple[list[str], float, dict]:
    """Replies, seconds and summed token counts for ``requests`` in batches of ``batch_size``
    (``usage["at_cap"]``: the replies that ran to ``max_new_tokens``)."""
    replies: list[str] = []
    usage = {"prompt_tokens": 0, "new_tokens": 0, "at_cap": 0}
    cap = backend.params["max_new_tokens"]
    start = time.perf_counter()
    for i in range(0, len(requests), batch_size):
        completions = backend.complete(requests[i: i + batch_size])
        replies += [c.text for c in completions]
        usage["at_cap"] += sum(c.completion_tokens >= cap for c in completions)
        for key in ("prompt_tokens", "new_tokens"):
            usage[key] += backend.last_usage[key]
    return replies, time.perf_counter() - start, usage


def compare(settings: dict[str, tuple[GemmaBackend, int]], name: str, task: str, n: int,
            context_words: int) -> None:
    """Each setting on the same rows of ``name``: rows/min, tokens, parse rate, and how many
    replies equal the first setting's."""
    requests = requests_for(name, task, n, context_words)
    first: list[str] | None = None
    rates = {}
    for label, (backend, batch_size) in settings.items():
        replies, seconds, usage = generate(backend, requests, batch_size)
        parsed = sum(parse_reply(r, task) is not None for r in replies)
        same = "" if first is None else (
            f", same reply as {next(iter(settings))}: {sum(a == b for a, b in zip(first, replies))}"
            f"/{len(replies)}, same parse: "
            f"{sum(parse_reply(a, task) == parse_reply(b, task) for a, b in zip(first, replies))}"
            f"/{len(replies)}")
        first = replies if first is None else first
        rates[label] = 60 * len(requests) / seconds
        print(f"{name} {label}: {len(requests)} rows in {seconds:.1f} s = {rates[label]:.1f} rows/min; "
              f"prompt tokens/row {usage['prompt_tokens'] / len(requests):.0f}, new tokens/row "
              f"{usage['new_tokens'] / len(requests):.1f}, at the cap {usage['at_cap']}, "
              f"parsed {parsed}/{len(requests)}{same}",
              flush=True)
    base = next(iter(rates))
    for label, rate in list(rates.items())[1:]:
        print(f"{name}: {label} / {base} = {rate / rates[base]:.2f}x twins per minute")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=16, help="rows per dataset")
    ap.add_argument("--datasets", default="fever:fv,ropes:qa",
                    help="name:task pairs, comma-separated (default fever:fv,ropes:qa)")
    ap.add_argument("--batch-size", type=int, default=4, help="batch size of the new setting")
    ap.add_argument("--dtype", default="bfloat16", help="weights of the new setting")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores)")
    ap.add_argument("--fresh", action="store_true", help="time the first (dequantising) load")
    ap.add_argument("--head", action="store_true",
                    help="compare the transposed output layer with nn.Linear's (float32, batch 4)")
    ap.add_argument("--loops", type=int, default=0, metavar="N",
                    help="compare replies left to loop with replies cut at N looping tokens")
    ap.add_argument("--unkeyed", action="store_true",
                    help="compare replies written on past the field with replies stopped there")
    ap.add_argument("--repeats", type=int, default=1, help="times to run the settings, alternated")
    ap.add_argument("--context-words", type=int, default=120,
                    help="cut prompt contexts to this many words (the cpu profile's 120)")
    args = ap.parse_args()

    if args.fresh:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            GemmaBackend(threads=args.threads, model_dir=Path(tmp) / "gemma").load()
            print(f"first load (assemble + dequantise + save + load): "
                  f"{time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    if args.unkeyed:
        today = GemmaBackend(threads=args.threads, dtype=args.dtype, loop_tokens=16)
    else:
        today = GemmaBackend(threads=args.threads)
    today.load()
    if args.unkeyed:
        new = GemmaBackend(threads=args.threads, dtype=args.dtype, loop_tokens=16, stop_unkeyed=True)
    elif args.loops:
        new = GemmaBackend(threads=args.threads, loop_tokens=args.loops)
    else:
        new = GemmaBackend(threads=args.threads, dtype="float32" if args.head else args.dtype)
    new.load()
    if args.head:  # back to nn.Linear's own forward: the baseline
        del new._model.get_output_embeddings().forward
    print(f"cached loads (both settings): {time.perf_counter() - start:.1f} s "
          f"[{len(os.sched_getaffinity(0))} cores, {torch.get_num_threads()} threads, "
          f"load average {os.getloadavg()[0]:.1f}, torch {torch.__version__}, "
          f"cpu bfloat16 instructions: {machine.cpu_bf16()}]")
    if args.unkeyed:
        settings = {f"written on ({args.dtype}, batch 4)": (today, 4),
                    f"stopped at the first unkeyed line ({args.dtype}, batch 4)": (new, 4)}
    elif args.loops:
        settings = {"loops to the cap (float32, batch 4)": (today, 4),
                    f"loops cut at {args.loops} tokens (float32, batch 4)": (new, 4)}
    elif args.head:
        settings = {"nn.Linear head (float32, batch 4)": (new, 4),
                    "transposed head (today: float32, batch 4)": (today, 4)}
    else:
        settings = {"today (float32, batch 4)": (today, 4),
                    f"new ({args.dtype}, batch {args.batch_size})": (new, args.batch_size)}
    for _ in range(args.repeats):
        for pair in args.datasets.split(","):
            name, task = pair.split(":")
            compare(settings, name, task, args.rows, args.context_words)


if __name__ == "__main__":
    main()
