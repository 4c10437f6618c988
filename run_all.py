#!/usr/bin/env python
"""Rerun the paper on a dataset: `python run_all.py --help`."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))  # works before `pip install -e .`

from littlehuman.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
