#!/usr/bin/env bash
# Wheels of what bench/gpu_check.py needs and the lent GPU machine lacks (bench/gpu_machine.py's
# CARRIED), for its Python 3.12, into .whl/ (git-ignored through .git/info/exclude), to carry:
#   bash bench/gpu_wheels.sh        # here, before the GPU session's one call
# then on the device: carry [".whl", "data/raw"] and begin the command with
#   python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
# Versions are this repo's environment's. rouge-score publishes only a source archive: built here
# (pure Python, so the wheel runs on 3.12 too).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .git/info .whl
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
rm -f .whl/*.whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform any -d .whl \
    submitit==1.5.4 tenacity==9.2.1 nltk==3.10.4 bert-score==0.3.13
python3 -m pip wheel -q --no-deps -w .whl rouge-score==0.1.2
ls -1 .whl
du -sh .whl
