#!/bin/bash
# One device call of issue 29's scheduler benchmark (bench.py beside this):
#     OUT=<dir> bash benchmarks/scheduler/gpu.sh [--reps N] [--first-rep K] VARIANT...
# with .deps, .whl (PyPI's ninja 1.13.2 among the wheels) and .gpu-src
# (srccache.tar.xz of a source cache) carried, and .gpu-old (the repository
# with jobslot, `git archive bfb7d99`) for the variant `before`. Every variant builds with the
# same Ninja, PyPI's, put first on PATH, as a user's `pip install ninja`
# would; the image's CC/CXX/CUDAHOSTCXX stay as a user has them.
set -o pipefail
. tests/gpu/gpu_host_env.sh || exit 3
: "${OUT:?set OUT to the directory for the results}"
export PATH="/tmp/trellis2-site/bin:$PATH"
mkdir -p .srccache && tar -xJf .gpu-src/srccache.tar.xz -C .srccache --strip-components=1 || exit 3
nvidia-smi --query-gpu=name --format=csv,noheader; nproc; free -g | head -2
echo "ninja $(ninja --version), $(cmake --version | head -1), $(nvcc --version | tail -1)"
PYTHONUNBUFFERED=1 python3 benchmarks/scheduler/bench.py --src "$PWD/.srccache" --out "$OUT" --budget-s 540 \
  --before "$PWD/.gpu-old" "$@" \
  -- --preset gpu-host
