#!/usr/bin/env bash
# A 2-core client with and without a build farm, on one 16-core host: the
# client's builds run on cores 0-1 (taskset, TRELLIS2_JOBS=2), an
# sccache-dist scheduler and one build server on cores 2-15, over loopback.
# Both builds are cold (new build tree, empty cache) over the same sources,
# four packages, architectures $ARCH. Then the slowest unit of the local
# build (from its native build's .ninja_log) compiled alone through each tree's sccache
# server, with and without nvcc --threads, forced past the cache; each
# figure is printed as it is measured (a time-boxed call keeps what ran).
#
# usage: benchmarks/sccache_dist/run.sh [-- <extra cmake args>]
# environment:
#   SRC    source cache with <pkg>-<commit> trees (default: <repo>/.srccache)
#   WORK   scratch directory, wiped              (default: /tmp/trellis2-sccache-dist)
#   ARCH   TRELLIS2_CUDA_ARCHITECTURES           (default: 8.0;8.6;8.9;9.0+PTX)
#   PACKAGES (default: cumesh;flex_gemm;o_voxel;nvdiffrast)
#   UNIT_RUNS  which slowest-unit runs, in this order (default: all four,
#              "dist:with dist:without local:with local:without")
# Needs root and bubblewrap (the build server's overlay builder), sccache and
# sccache-dist 0.16 (.ci/setup). On the GPU machine: . tests/gpu/gpu_host_env.sh
# first, put its unpacked bwrap and sccache on PATH, and pass -- --preset gpu-host.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
[[ ${1:-} == -- ]] && shift
SRC=${SRC:-$repo/.srccache}
WORK=${WORK:-/tmp/trellis2-sccache-dist}
ARCH=${ARCH:-8.0;8.6;8.9;9.0+PTX}
PACKAGES=${PACKAGES:-cumesh;flex_gemm;o_voxel;nvdiffrast}
CLIENT_CORES=${CLIENT_CORES:-0-1}
FARM_CORES=${FARM_CORES:-2-$(( $(nproc) - 1 ))}
rm -rf "$WORK" && mkdir -p "$WORK"
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" >"$WORK/client.token"
export TRELLIS2_SCCACHE_DIST_TOKEN=   # the file, not a stray variable

# The farm, in its own process group, stopped on any exit.
cat >"$WORK/scheduler.conf" <<EOF
public_addr = "127.0.0.1:10600"
[client_auth]
type = "token"
token = "$token"
[server_auth]
type = "token"
token = "server-$token"
EOF
cat >"$WORK/server.conf" <<EOF
cache_dir = "$WORK/server-toolchains"
public_addr = "127.0.0.1:10501"
scheduler_url = "http://127.0.0.1:10600"
[builder]
type = "overlay"
build_dir = "$WORK/server-builds"
bwrap_path = "$(command -v bwrap)"
[scheduler_auth]
type = "token"
token = "server-$token"
EOF
export SCCACHE_NO_DAEMON=1 SCCACHE_LOG=info
setsid taskset -c "$FARM_CORES" sccache-dist scheduler --config "$WORK/scheduler.conf" >"$WORK/scheduler.log" 2>&1 &
scheduler=$!
setsid taskset -c "$FARM_CORES" sccache-dist server --config "$WORK/server.conf" >"$WORK/server.log" 2>&1 &
server=$!
unset SCCACHE_NO_DAEMON SCCACHE_LOG
trap 'kill -- -$server -$scheduler 2>/dev/null || true' EXIT
for _ in $(seq 300); do grep -q "Registered new server" "$WORK/scheduler.log" && break; sleep 0.1; done
grep -q "Registered new server" "$WORK/scheduler.log" || { cat "$WORK"/*.log; echo "farm did not start"; exit 1; }

echo "host: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1048576)}' /proc/meminfo) GB; client cores $CLIENT_CORES," \
  "farm cores $FARM_CORES; $(sccache --version); nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
echo "architectures $ARCH; packages $PACKAGES; $(date -u +%F)"

# build <name> <cmake args...>: configure and build a new tree on the client cores.
build() {
  local name=$1 tree=$WORK/$1; shift
  cmake -G Ninja -S "$repo" -B "$tree" -DBUILD_TESTING=OFF -DTRELLIS2_SOURCE_CACHE="$SRC" \
    "-DTRELLIS2_PACKAGES=$PACKAGES" "-DTRELLIS2_CUDA_ARCHITECTURES=$ARCH" -DTRELLIS2_JOBS=2 \
    -DTRELLIS2_SCCACHE=ON "$@" >"$tree.configure.log" 2>&1 || { tail -30 "$tree.configure.log"; exit 1; }
  local start=$SECONDS
  taskset -c "$CLIENT_CORES" cmake --build "$tree" >"$tree.build.log" 2>&1 \
    || { tail -50 "$tree.build.log"; exit 1; }
  echo "$name: cold build $(( SECONDS - start )) s; $(grep '^sccache:' "$tree.build.log")"
}
build local "$@"
build dist "-DTRELLIS2_SCCACHE_DIST_SCHEDULER=http://127.0.0.1:10600" \
  "-DTRELLIS2_SCCACHE_DIST_TOKEN_FILE=$WORK/client.token" "$@"

# The slowest unit of the local build: the longest compile of its native Ninja's log.
read -r slowest_ms object < <(awk -F'\t' '$4 ~ /\.o$/ {print $2 - $1, $4}' "$WORK/local/native/.ninja_log" | sort -n | tail -1)
echo "slowest unit of the local build: $object, ${slowest_ms} ms in the build"
UNIT_RUNS=${UNIT_RUNS:-dist:with dist:without local:with local:without}
for run in $UNIT_RUNS; do
  python3 "$repo/benchmarks/sccache_dist/unit_run.py" "$WORK/${run%%:*}" "$object" "${run#*:}" "${run%%:*}" "$WORK" \
    --scheduler http://127.0.0.1:10600 --token-file "$WORK/client.token" --cores "$CLIENT_CORES"
done
