#!/bin/bash
# One device call of the issue-11 benchmark on the GPU machine: a sequence of
# bench.py steps on one machine, so both paths of a list share its cards.
#
#     bash benchmarks/build_speed/gpu_sequence.sh "sb 9.0 D_superbuild_9.0" \
#         "pip 9.0 D_pip_9.0_cumesh cumesh" ...
#
# A step is "sb ARCH TAG" (a cold superbuild of the four packages, no touch,
# no compiler cache: bench.py --skip-pip) or "pip ARCH TAG PKG..." (the pip
# path of those packages: bench.py --pip-only). ARCH is 9.0 or default.
# Each step writes $OUT/TAG.json and TAG.log (and TAG.ninja_log, the native
# build's, for a superbuild) and prints its summary; a failing step stops the sequence.
# Sources: the source cache in .srccache (carried in the working tree, as
# tests/gpu/gpu_host_env.sh expects its .deps and .whl). One device call may
# run 10 minutes, so each step is time-boxed to 560 s; split the pip path of
# the default list in two (cumesh alone, then the three others).
set -o pipefail
. tests/gpu/gpu_host_env.sh || exit 3
# The image's CC/CXX/CUDAHOSTCXX (static-libstdc++ wrappers) stay as a user
# has them: the superbuild sets them aside itself (CompilerEnvironment.cmake),
# and the pip path builds with whatever setuptools takes from them.
: "${OUT:?set OUT to the directory for the results}"
nvidia-smi --query-gpu=name --format=csv,noheader; nproc
grep -m1 "model name" /proc/cpuinfo; free -g | head -2
bench=(python3 benchmarks/build_speed/bench.py --src "$PWD/.srccache" --jobs 16 --reps 1)
ninja_log=/tmp/trellis2-speed/build/native/.ninja_log
for step in "$@"; do
  set -- $step
  kind=$1 arch=$2 tag=$3
  shift 3
  echo "=== $kind $arch $tag $* ($(date +%T))"
  case $kind in
    sb)  PYTHONUNBUFFERED=1 timeout 560 "${bench[@]}" --arch "$arch" --skip-pip --skip-shared-cache \
           --touch none --out "$OUT/$tag.json" -- --preset gpu-host > "$OUT/$tag.log" 2>&1
         rc=$?
         cp "$ninja_log" "$OUT/$tag.ninja_log" 2>/dev/null ;;
    pip) PYTHONUNBUFFERED=1 timeout 560 "${bench[@]}" --arch "$arch" --pip-only --packages "$*" \
           --eigen "$TRELLIS2_EIGEN_INCLUDE" --out "$OUT/$tag.json" > "$OUT/$tag.log" 2>&1
         rc=$? ;;
    *)   echo "unknown step kind '$kind': expected sb or pip"; exit 2 ;;
  esac
  grep -E "^(units|rep|physical|no-op|superbuild)" "$OUT/$tag.log"
  if [ $rc != 0 ]; then
    echo "step '$step' failed (exit $rc); the end of its log:"
    tail -30 "$OUT/$tag.log"
    exit $rc
  fi
done
