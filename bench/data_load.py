"""Seconds to load every dataset from raw files and from the parquet cache.

    python bench/data_load.py [--data-dir ../shared/data]

Targets on 2 cores: <= 10 s raw, <= 1 s cached. Uses a temporary LITTLEHUMAN_HOME so the
cache is cold for the raw measurement.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default=os.environ.get("LITTLEHUMAN_DATA_DIR",
                                                         str(Path(__file__).resolve().parents[2] / "shared" / "data")))
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="lh-bench-")
    os.environ["LITTLEHUMAN_HOME"] = home
    try:
        measure(args.data_dir)
    finally:
        shutil.rmtree(home, ignore_errors=True)  # its processed caches, about 9 MB


def measure(data_dir: str) -> None:
    """Load every dataset found twice (from the raw files, then from the cache) and print."""
    from littlehuman import data
    from littlehuman.errors import LittleHumanError

    print(f"cpus={os.cpu_count()}  data_dir={data_dir}")
    print(f"{'dataset':<12} {'rows':>7} {'raw s':>7} {'cached s':>9} {'speed-up':>9}")
    for name in data.names():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                df = data.load(name, data_dir)
                raw = time.perf_counter() - t0
                t0 = time.perf_counter()
                again = data.load(name, data_dir)
                cached = time.perf_counter() - t0
        except LittleHumanError as e:
            print(f"{name:<12} not found ({str(e)[:60]}...)")
            continue
        assert again.attrs["from_cache"], name
        flag = "" if raw <= 10 and cached <= 1 else "  (over target)"
        print(f"{name:<12} {len(df):>7} {raw:>7.2f} {cached:>9.3f} {raw / cached:>8.1f}x{flag}")


if __name__ == "__main__":
    main()
