"""How fast this machine hands a process fresh memory: GiB/s of first writes to new pages.

Why it matters here: this project's 2-core CI machine is a Firecracker VM under nested
virtualisation. Its kernel reports free memory back to the host (free page reporting, here in
blocks of order 9, 2 MiB), and a DAMON scheme pages out memory left unaccessed for about a
minute. A page that went back to the host is, as far as we can tell, what makes a first write
slow: writing it again costs a fault in the host, far more than an ordinary page fault. How
much of a process's memory is cold then depends on what ran before, which is likely one reason
timings on this machine move between occasions (README: Benchmarks, "The test suite").

Each trial runs in a fresh process that writes ``--gib`` GiB of new memory once (torch.ones),
with 4 KiB pages and with ``THP_MEM_ALLOC_ENABLE=1`` (torch asks for transparent huge pages),
the two alternated: first back to back (each process reuses the pages the one before just
freed), then each after ``--idle`` seconds of sleep. There is no before/after here: what it
shows is the spread, min and max per series. On 2026-12-03 the huge pages were slow every time
and the 4 KiB pages fast every time, 90 s of idle included: the slow 4 KiB first writes seen in
one-off scripts that day (README) came after heavier use than this bench makes.

    python bench/memory_touch.py [--gib 1] [--trials 2] [--idle 90]
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


def machine_line() -> str:
    """The kernel's page-reporting order and DAMON schemes, and the THP setting, where shown."""
    def read(path: str) -> str | None:
        p = Path(path)
        return p.read_text().strip() if p.exists() else None

    parts = []
    order = read("/sys/module/page_reporting/parameters/page_reporting_order")
    parts.append(f"free page reporting order {order}" if order else "no free page reporting")
    damon = Path("/sys/kernel/mm/damon/admin/kdamonds")
    actions = sorted({a.read_text().strip() for a in damon.glob("*/contexts/*/schemes/*/action")})
    if actions:
        parts.append(f"DAMON schemes: {', '.join(actions)}")
    thp = read("/sys/kernel/mm/transparent_hugepage/enabled")
    if thp:
        parts.append(f"THP: {thp}")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--trials", type=int, default=2, help="trials per series (>= 1)")
    parser.add_argument("--idle", type=float, default=90.0,
                        help="seconds of sleep before each trial of the second series")
    args = parser.parse_args()
    if args.trials < 1 or args.gib <= 0 or args.idle < 0:
        parser.error("--trials must be >= 1, --gib > 0 and --idle >= 0")
    print(machine_line(), flush=True)
    seconds: dict[tuple[str, float], list[float]] = {}
    for idle in (0.0, args.idle):
        for trial in range(args.trials):
            for huge in (False, True):
                if idle:
                    time.sleep(idle)
                took = touch(args.gib, huge)
                pages = "huge pages" if huge else "4 KiB pages"
                seconds.setdefault((pages, idle), []).append(took)
                print(f"{pages}, {idle:g} s idle before, trial {trial + 1}: {took:.2f} s "
                      f"({args.gib / took:.2f} GiB/s)", flush=True)
    for (pages, idle), values in seconds.items():
        print(f"{pages}, {idle:g} s idle before: {min(values):.2f}-{max(values):.2f} s for "
              f"{args.gib:g} GiB ({len(values)} trials)")


if __name__ == "__main__":
    main()
