#!/usr/bin/env bash
# A rehearsal of the GPU session's one call, on this CPU, with the GPU machine's software: a venv
# of its Python (3.12), torch (2.11.0, the CUDA build, which runs on the CPU too), transformers
# (5.17.0) and the other distributions of bench/gpu_machine_packages.txt (less the JAX, CUDA and
# torch-family ones the check never imports), the wheels of bench/gpu_prepare.sh installed as
# the GPU command installs them (pip --target, no index), then bench/gpu_check.py --cpu-tiny.
#
#     bash bench/gpu_twin.sh [OUT_DIR]        # about 3 GB of downloads the first time; then ~1 min
#
# What CI's `bench/gpu_machine.py` cannot see, this does: the machine's own torch/transformers
# versions and `pip --target`'s layout (it found that nbconvert's templates land in
# DIR/share/jupyter, off Jupyter's path: gpu_check.py now adds it). Not in CI (the downloads).
# TWIN (default /tmp/littlehuman-gpu-twin) keeps the venv between runs; PY312 names Python 3.12.
set -euo pipefail
cd "$(dirname "$0")/.."
twin="${TWIN:-/tmp/littlehuman-gpu-twin}"
out="${1:-$twin/out}"
py=""  # the first Python 3.12 that runs: $PY312, python3.12 on PATH, pyenv's
for candidate in ${PY312:-} python3.12 $(ls -d "$(pyenv root 2>/dev/null || echo ~/.pyenv)"/versions/3.12*/bin/python 2>/dev/null); do
    if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then py="$candidate"; break; fi
done
[ -n "$py" ] || { echo "error: no Python 3.12 found: set PY312 to a Python 3.12 interpreter" >&2; exit 2; }
[ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1 || { echo "error: no wheels in .whl/: run 'bash bench/gpu_prepare.sh' first" >&2; exit 2; }
if [ ! -x "$twin/venv/bin/python" ]; then
    "$py" -m venv "$twin/venv"
    skip='^(jax|cupy|cuda|torch|flax|mpi4py|nvidia|triton|transformers$|botorch|gpytorch|e3nn|diffrax|equinox|lineax|chex|optax|orbax|tensorstore|pytorch-lightning|lightning|sentence-transformers)'
    "$twin/venv/bin/python" -m pip install -q "torch==2.11.0" "transformers==5.17.0" \
        $(grep -v '^#' bench/gpu_machine_packages.txt | grep -Eiv "$skip")
fi
rm -rf "$twin/site" "$out" && mkdir -p "$out"
"$twin/venv/bin/python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$twin/site" .whl/*.whl
PYTHONPATH="$twin/site" PYTHONUNBUFFERED=1 "$twin/venv/bin/python" bench/gpu_check.py --cpu-tiny --out "$out"
