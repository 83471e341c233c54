#!/bin/bash
# What sccache and the compilers do with one source at two absolute paths
# (issue 29): one cache, SCCACHE_BASEDIRS naming both checkouts, a C++ unit
# and a CUDA unit (a device assert and __FILE__), compiled at /A then /B.
# Prints per case the cache hits of the /B compiles and whether the objects
# of /A and /B are byte-identical.
#     bash benchmarks/path_independence/probe.sh   (sccache, g++-11 and nvcc on PATH)
set -e
work=$(mktemp -d)
trap 'sccache --stop-server >/dev/null 2>&1; rm -rf "$work"' EXIT
mkdir -p "$work/A/src" "$work/B/src"
printf '#include <cstdio>\nvoid f() { std::printf("%%s\\n", __FILE__); }\n' > "$work/A/src/h.cpp"
printf '#include <cassert>\n#include <cstdio>\n__global__ void k(int* x) { assert(x); x[threadIdx.x] += 1; }\nvoid run(int* x) { std::printf("%%s\\n", __FILE__); k<<<1, 32>>>(x); }\n' > "$work/A/src/k.cu"
cp "$work/A/src/"* "$work/B/src/"
export SCCACHE_SERVER_UDS="$work/s.sock" SCCACHE_BASEDIRS="$work/A:$work/B"
one_case() {  # <name> <source form: abs|rel> <prefix map: yes|no>
  export SCCACHE_DIR="$work/cache-$1"
  sccache --stop-server >/dev/null 2>&1 || true
  sccache --start-server >/dev/null
  for d in A B; do
    cd "$work/$d"
    src=$([ "$2" = abs ] && echo "$work/$d/src" || echo src)
    map=$([ "$3" = yes ] && echo "-ffile-prefix-map=$work/$d/=" || true)
    sccache g++-11 $map -O2 -c "$src/h.cpp" -o h.o
    sccache nvcc -ccbin g++-11 ${map:+-Xcompiler=$map} -arch=sm_80 -O2 -c "$src/k.cu" -o k.o
    [ $d = A ] && sccache --zero-stats >/dev/null
  done
  hits=$(sccache --show-stats --stats-format json | python3 -c \
    "import json, sys; s = json.load(sys.stdin)['stats']; print(s['cache_hits']['counts'] or '{}', 'misses', s['cache_misses']['counts'])")
  same() { cmp -s "$work/A/$1" "$work/B/$1" && echo identical || echo differ; }
  echo "$1: /B hits $hits; h.o $(same h.o), k.o $(same k.o)"
  rm -f "$work"/[AB]/*.o
}
sccache --version; nvcc --version | tail -1
one_case "absolute sources" abs no
one_case "relative sources" rel no
one_case "absolute + -ffile-prefix-map" abs yes
