#!/usr/bin/env bash
# Cold build of cumesh, flex_gemm, o_voxel and nvdiffrast at their pins:
# through the superbuild, and through each upstream's own setup.py
# (pip install --no-build-isolation), with the same sources, architectures
# and job count. Prints one result line per step and a machine header.
#
# usage: benchmarks/build_time/run.sh superbuild|pip [-- <extra cmake args>]
# environment:
#   SRC    source cache with <pkg>-<commit> trees   (default: <repo>/.srccache)
#   WORK   scratch directory, wiped per mode        (default: /tmp/trellis2-bench)
#   JOBS   compile jobs, MAX_JOBS of both paths     (default: 16)
#   ARCH   TORCH_CUDA_ARCH_LIST / TRELLIS2_CUDA_ARCHITECTURES (default: 9.0)
#   PACKAGES  which, space-separated (default: cumesh flex_gemm o_voxel nvdiffrast)
#   TRELLIS2_EIGEN_INCLUDE  Eigen headers for the setuptools path (default:
#          /usr/include/eigen3); the superbuild finds Eigen itself
#          (cmake/recipe/Eigen.cmake), the setup.py files only in the submodule.
#
# On the GPU machine: . tests/gpu/gpu_host_env.sh first, and pass
#   -- --preset gpu-host   to the superbuild mode.
# Every build tree is new, and with it its sccache cache: cold builds.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:?usage: run.sh superbuild|pip [-- cmake args]}
shift
[[ ${1:-} == -- ]] && shift
SRC=${SRC:-$repo/.srccache}
WORK=${WORK:-/tmp/trellis2-bench}
JOBS=${JOBS:-16}
ARCH=${ARCH:-9.0}
export CCACHE_DISABLE=1
read -r -a packages <<<"${PACKAGES:-cumesh flex_gemm o_voxel nvdiffrast}"
TIMEFORMAT='%R %U %S'  # bash's `time`: wall, user and system seconds of the children

# The pinned commit of <pkg>, read from its pin file (the one place it is kept).
commit_of() { sed -n 's/^set(PIN_COMMIT "\([0-9a-f]*\)").*/\1/p' "$repo/third_party/$1.cmake"; }

# step <label> <command...>: runs it, output to $WORK/<label>.log, prints
# "<mode> <label> <wall s> <cpu s>" (cpu = user + system of all children).
step() {
  local label=$1 t
  shift
  t=$( { time "$@" >"$WORK/$label.log" 2>&1; } 2>&1 ) || { echo "FAILED: $label (log: $WORK/$label.log)"; tail -40 "$WORK/$label.log"; exit 1; }
  read -r wall user sys <<<"$t"
  printf '%-10s %-12s %8.1f %8.1f\n' "$mode" "$label" "$wall" "$(awk "BEGIN { print $user + $sys }")"
}

header() {
  echo "# $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1))  $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)"
  echo "# $(python3 -c 'import torch, sys; print("torch", torch.__version__, "python", sys.version.split()[0])' 2>/dev/null)  $(nvcc --version | grep -o 'release [0-9.]*')  CXX=${CXX:-c++} ($(${CXX:-c++} -dumpfullversion))"
  echo "# JOBS=$JOBS ARCH=$ARCH SRC=$SRC"
  printf '%-10s %-12s %8s %8s\n' mode step wall_s cpu_s
}

superbuild() {
  local build=$WORK/build
  step configure cmake -G Ninja -S "$repo" -B "$build" "$@" \
    -DTRELLIS2_SOURCE_CACHE="$SRC" -DTRELLIS2_PACKAGES="$(IFS=';'; echo "${packages[*]}")" \
    -DTRELLIS2_CUDA_ARCHITECTURES="$ARCH" -DTRELLIS2_JOBS="$JOBS" -DBUILD_TESTING=OFF
  step abi-audit cmake --build "$build" --target abi-audit
  for pkg in "${packages[@]}"; do
    step "$pkg" cmake --build "$build" --target "$pkg"
  done
  step rest cmake --build "$build"   # nothing left but the aggregate targets
}

# Each upstream's setup.py as users run it, in a fresh copy of the same tree.
pip_path() {
  local eigen=${TRELLIS2_EIGEN_INCLUDE:-/usr/include/eigen3} pkg tree
  for pkg in "${packages[@]}"; do
    tree=$WORK/src/$pkg
    mkdir -p "$WORK/src"
    cp -r "$SRC/$pkg-$(commit_of "$pkg")" "$tree"
    [[ $pkg == o_voxel ]] && tree=$tree/o-voxel
    # The gitlab Eigen submodules are empty in the cache: the same headers
    # the superbuild's fallback takes stand in for them.
    for sub in "$tree/third_party/eigen" "$tree/third_party/cubvh/third_party/eigen"; do
      if [[ -d $sub ]]; then rmdir "$sub" && ln -s "$eigen" "$sub"; fi
    done
    step "$pkg" env TORCH_CUDA_ARCH_LIST="$ARCH" MAX_JOBS="$JOBS" \
      python3 -m pip install -v --no-build-isolation --no-deps --no-cache-dir --target "$WORK/site" "$tree"
  done
}

rm -rf "$WORK" && mkdir -p "$WORK"
header
start=$SECONDS
case $mode in
  superbuild) superbuild "$@" ;;
  pip) pip_path ;;
  *) echo "unknown mode '$mode': expected superbuild or pip" >&2; exit 2 ;;
esac
printf '%-10s %-12s %8d\n' "$mode" total $((SECONDS - start))
