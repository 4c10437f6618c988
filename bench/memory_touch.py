"""How fast this machine hands a process fresh memory: GiB/s of first writes to new pages.

Why it matters here: this project's 2-core CI machine is a Firecracker VM under nested
virtualisation whose kernel reports free memory back to the host (``page_reporting`` on the
kernel command line). A page the host took back costs a host fault when a process next writes
it, much more than an ordinary page fault. How much of a process's memory is "cold" then
depends on what ran before, which is one reason timings on this machine move between
occasions, and why training fewer weights (less gradient and optimizer memory) helped the smoke
profile more than its arithmetic alone explains (README: Benchmarks).

Each trial runs in a fresh process that writes ``--gib`` GiB of new memory once (torch.ones).
Back-to-back trials reuse the pages the previous process just freed. Trials after ``--idle``
seconds of sleep show whether freed pages went cold in between. The same trials with
``THP_MEM_ALLOC_ENABLE=1`` (torch asks for transparent huge pages) follow. No baseline is
faster or slower by design: the figure is the spread, printed as the slowest trial's time
over the fastest one's.

    python bench/memory_touch.py [--gib 1] [--trials 3] [--idle 10]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

CHILD = "import time, torch; t = time.perf_counter(); torch.ones({n}); print(time.perf_counter() - t)"


def touch(gib: float, huge: bool) -> float:
    """Seconds a fresh process takes to write ``gib`` GiB of new float32 memory."""
    env = {**os.environ, "THP_MEM_ALLOC_ENABLE": "1" if huge else "0"}
    code = CHILD.format(n=int(gib * 2**30 / 4))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of sleep between the "
                        "second series' trials")
    args = parser.parse_args()
    cmdline = Path("/proc/cmdline").read_text() if Path("/proc/cmdline").exists() else ""
    reporting = [w for w in cmdline.split() if w.startswith("page_reporting")]
    print(f"kernel: {' '.join(reporting) or 'no page_reporting setting on its command line'}; "
          f"THP: {Path('/sys/kernel/mm/transparent_hugepage/enabled').read_text().strip()}"
          if Path("/sys/kernel/mm/transparent_hugepage/enabled").exists() else "")
    seconds: list[float] = []
    for huge in (False, True):
        for idle in (0.0, args.idle):
            for trial in range(args.trials):
                if idle:
                    time.sleep(idle)
                took = touch(args.gib, huge)
                seconds.append(took)
                print(f"{'huge pages' if huge else '4 KiB pages'}, {idle:g} s idle before, "
                      f"trial {trial + 1}: {took:.2f} s ({args.gib / took:.2f} GiB/s)", flush=True)
    print(f"slowest / fastest first write of {args.gib:g} GiB: {max(seconds) / min(seconds):.1f}x")


if __name__ == "__main__":
    main()
