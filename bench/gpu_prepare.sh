#!/usr/bin/env bash
# Prepares this checkout for the GPU session's one call of bench/gpu_check.py (README, "GPU check"):
#   1. the raw files of fever and fairytaleqa into the ignored data/raw (the data does not travel
#      otherwise: ../shared stays behind), from $LITTLEHUMAN_DATA_DIR or ../shared/data;
#   2. wheels of what the check imports and the lent GPU machine lacks (bench/gpu_machine.py's
#      --print-carry: the versions installed here, and liger-kernel pinned; 28 MB, most of it
#      step 4's notebooks), for its Python 3.12, into .whl/ (ignored through .git/info/exclude).
#      Run it in the repo's venv (or set PYTHON). rouge-score publishes only a source archive:
#      built here (pure Python, so the wheel runs on 3.12 too).
# Then it prints the carry list and the command for the device tool's `run`.
set -euo pipefail
cd "$(dirname "$0")/.."
src="${LITTLEHUMAN_DATA_DIR:-../shared/data}"
mkdir -p data/raw
for name in fever fairytaleqa; do
    [ -d "$src/$name" ] || { echo "error: no $src/$name: set LITTLEHUMAN_DATA_DIR to the raw data folder" >&2; exit 2; }
    rm -rf "data/raw/$name" && cp -r "$src/$name" data/raw/
done
mkdir -p .git/info .whl
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
rm -f .whl/*.whl
python="${PYTHON:-python3}"  # the environment the repo is installed in: the versions come from it
carry=$("$python" bench/gpu_machine.py --print-carry)
"$python" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_26_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform any -d .whl $(echo "$carry" | grep -v '^rouge-score==')
"$python" -m pip wheel -q --no-deps -w .whl $(echo "$carry" | grep '^rouge-score==') 2>/dev/null
echo "data/raw: $(du -sh data/raw | cut -f1); .whl: $(ls .whl | wc -l) wheels, $(du -sh .whl | cut -f1)"
echo 'carry: [".whl", "data/raw"]   timeout_s: 600   command:'
echo 'set -o pipefail; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > $OUT/nvidia_smi.txt; python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 && python3 bench/gpu_check.py --out $OUT 2>&1 | tee $OUT/log.txt'
echo 'then keep what comes back in bench/gpu_results/<date>-<card>/ (its README says how)'
