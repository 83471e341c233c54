#!/bin/bash
# The GPU machine's build as the README tells a user, with the image's
# CC/CXX/CUDAHOSTCXX (static-libstdc++ wrappers) left as they are: configure,
# a cold build of the four packages, the audit, the build report's
# compilers_ran, then tests/real and tests/gpu. From the repo root there,
# with .srccache/, .deps/ and .whl/ carried (tests/gpu/gpu_host_env.sh):
#     OUT=<dir for logs> bash tests/gpu/user_env_run.sh [-D<configure argument>...]
# e.g. -DTRELLIS2_CUDA_TOOLKIT=13.0.2: the cell built entirely from PyPI's
# toolkit (offline there: PIP_NO_INDEX=1 PIP_FIND_LINKS=<folder of the lock's wheels>).
# Results of 2026-12-03: benchmarks/one_compiler/.
set -o pipefail
cd "$(dirname "$0")/../.." || exit 2
: "${OUT:?set OUT to a directory for the logs}"
nvidia-smi --query-gpu=name --format=csv,noheader; nproc
echo "image environment: CC=$CC CXX=$CXX CUDAHOSTCXX=$CUDAHOSTCXX"
. tests/gpu/gpu_host_env.sh || exit 3
rm -rf build-gpu
start=$(date +%s)
cmake --preset gpu-host -DTRELLIS2_SOURCE_CACHE="$PWD/.srccache" "$@" > "$OUT/configure.log" 2>&1 \
  || { tail -40 "$OUT/configure.log"; exit 4; }
grep -E "CMAKE_CXX_COMPILER|CMAKE_CUDA_HOST|CMAKE_CUDA_COMPILER|TRELLIS2_CUDA_TOOLKIT |TRELLIS2_ALLOW|environment|TRELLIS2_GCC|TRELLIS2_TORCH" "$OUT/configure.log"
cmake --build --preset gpu-host > "$OUT/build.log" 2>&1; rc=$?
echo "build rc=$rc in $(( $(date +%s) - start )) s (configure included)"
grep -E -A30 "^build report" "$OUT/build.log" | head -40
[ $rc = 0 ] || { grep -E "FAILED|rror" "$OUT/build.log" | head -30; exit $rc; }
cp build-gpu/report.json "$OUT/"
# The native build: one CUDA detection, one rules.ninja for every package.
grep -H -E "HOST_COMPILER \"|CUDA_IMPLICIT_LINK_LIBRARIES" build-gpu/native/CMakeFiles/*/CMakeCUDACompiler.cmake
grep -o -h -E "ccbin=[^ ]+" build-gpu/native/CMakeFiles/rules.ninja | sort | uniq -c
for so in $(find build-gpu/stage -name '*.so'); do echo "$so: $(readelf -d "$so" | grep -o 'libstdc++.so.6')"; done
TRELLIS2_BUILD_DIR=build-gpu PYTHONUNBUFFERED=1 timeout 300 python3 -m pytest -q -rs tests/real tests/gpu 2>&1 \
  | tee "$OUT/pytest.log" | tail -25
