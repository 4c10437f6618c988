"""Throughput of the openai chat backend against the fake server (tests/fake_openai.py).

    python bench/generation.py [--requests 128] [--latency 0.2] [--concurrency 1 64] [--repeats 3]

The server runs in its own process (so it does not share this one's GIL) on 127.0.0.1 and
answers each request after ``--latency`` seconds. For each concurrency the backend sends
``--requests`` invented chats; the ideal rate is concurrency / latency (all requests in
ceil(requests / concurrency) waves), and efficiency is measured / ideal. The last line runs
the highest concurrency through ``generate_synthetic`` with a cache, which fsyncs each reply as
it arrives (its time includes building the few-shot prompts). Rates are the median of
``--repeats`` runs (the concurrency-1 run goes once); the client's CPU per request (SDK
request building, HTTP, event loop) is what caps the rate on a small machine.
No network beyond 127.0.0.1; the key is a made-up value.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
sys.path.insert(0, str(ROOT / "tests" / "helpers"))
FAKE_KEY = "bench-placeholder-not-a-key"


def chats(n: int) -> list[list[dict[str, str]]]:
    system = "Given the context, come up with a True claim. Answer in the format below:"
    return [[{"role": "system", "content": system},
             {"role": "user", "content": f"Context: Invented bench passage number {i}."}]
            for i in range(n)]


def timed(fn) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds (all threads) of ``fn()``."""
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=128)
    ap.add_argument("--latency", type=float, default=0.2, help="server seconds per request")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 64])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    os.environ["OPENAI_API_KEY"] = FAKE_KEY
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_openai.py"),
                               "--latency", str(args.latency)], stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip()
        from littlehuman.generation.backends.openai_chat import OpenAIChatBackend

        OpenAIChatBackend(base_url=base_url).complete(chats(1))  # warm-up: SDK import, connect
        rates = {}
        print(f"{args.requests} requests, server latency {args.latency * 1000:.0f} ms, "
              f"{os.cpu_count()} CPUs")
        print(f"{'concurrency':>11} {'seconds':>8} {'req/s':>8} {'ideal':>8} {'efficiency':>10} "
              f"{'client CPU ms/req':>18}")
        for c in args.concurrency:
            repeats = 1 if c == 1 else args.repeats
            backend = OpenAIChatBackend(base_url=base_url, concurrency=c, timeout_s=60)
            runs = [timed(lambda: list(backend.complete_iter(chats(args.requests))))
                    for _ in range(repeats)]
            seconds, cpu = (statistics.median(r[i] for r in runs) for i in (0, 1))
            ideal_s = math.ceil(args.requests / c) * args.latency
            rates[c] = args.requests / seconds
            print(f"{c:>11} {seconds:>8.3f} {rates[c]:>8.1f} {args.requests / ideal_s:>8.1f} "
                  f"{ideal_s / seconds:>10.1%} {cpu / args.requests * 1000:>18.2f}")
        lo, hi = min(rates), max(rates)
        if lo != hi:
            print(f"speed-up {hi} vs {lo}: {rates[hi] / rates[lo]:.1f}x "
                  f"(ideal {math.ceil(args.requests / lo) / math.ceil(args.requests / hi):.0f}x)")

        import openai_worker
        from littlehuman.generation import GenerationCache, generate_synthetic

        rows = openai_worker.fixture_rows(args.requests)
        runs, reruns = [], []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "gen.jsonl"
                backend = OpenAIChatBackend(base_url=base_url, concurrency=hi, timeout_s=60)
                for out in (runs, reruns):  # the rerun finds every reply in the cache
                    cache = GenerationCache(path)
                    out.append(timed(lambda: generate_synthetic(rows, rows, "fv", backend,
                                                                cache=cache, progress=False))[0])
        ideal_s = math.ceil(args.requests / hi) * args.latency
        seconds, local = statistics.median(runs), statistics.median(reruns)
        print(f"generate_synthetic + cache (fsync per reply), concurrency {hi}: {seconds:.3f} s, "
              f"{args.requests / seconds:.1f} rows/s; of which {local:.3f} s build prompts and "
              f"parse (a rerun, all cached); the rest vs ideal: {ideal_s / (seconds - local):.1%}")
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
