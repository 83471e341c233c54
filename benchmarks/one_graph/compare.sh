#!/bin/bash
# Issue 21's comparison on the GPU machine: the superbuild before the one
# build graph (a checkout of 895502f, carried in the ignored .old/) and after
# it (this checkout), each cold with the shipping list 8.0;8.6;8.9;9.0+PTX,
# 16 jobs, the gpu-host preset, no compiler cache, through
# benchmarks/build_speed/bench.py (the native build's .ninja_log gives the time
# before the first compile and the slowest unit's start), followed by its three no-op builds.
#
#     OUT=<dir> bash benchmarks/one_graph/compare.sh old new     # or: new old
#
# A step is `old` or `new`; each writes $OUT/<step>_<n>.json and .log and
# prints its summary. One device call may run 10 minutes: two steps fit.
# Then `checks` (benchmarks/one_graph/checks.sh) measures the new layout's
# re-configure, no-op and one-.cu loop.
set -o pipefail
. tests/gpu/gpu_host_env.sh || exit 3
: "${OUT:?set OUT to the directory for the results}"
nvidia-smi --query-gpu=name --format=csv,noheader; nproc
declare -A repo=([old]="$PWD/.old" [new]="$PWD")
n=0
for step in "$@"; do
  n=$((n + 1))
  [ -n "${repo[$step]}" ] || { echo "unknown step '$step': expected old or new"; exit 2; }
  [ -f "${repo[$step]}/CMakeLists.txt" ] || { echo "no checkout at ${repo[$step]}"; exit 2; }
  tag="${step}_$n"
  echo "=== $tag (${repo[$step]}) $(date +%T)"
  PYTHONUNBUFFERED=1 timeout 285 python3 benchmarks/build_speed/bench.py --repo "${repo[$step]}" \
    --src "$PWD/.srccache" --jobs 16 --reps 1 --arch default --skip-pip --skip-shared-cache --touch none \
    --work "/tmp/one-graph-$tag" --out "$OUT/$tag.json" -- --preset gpu-host > "$OUT/$tag.log" 2>&1
  rc=$?
  grep -E "^(units|rep|physical|no-op)" "$OUT/$tag.log"
  cp "/tmp/one-graph-$tag/build/native/.ninja_log" "$OUT/$tag.ninja_log" 2>/dev/null
  rm -rf "/tmp/one-graph-$tag"
  [ $rc = 0 ] || { echo "step $tag failed (exit $rc):"; tail -30 "$OUT/$tag.log"; }
done
