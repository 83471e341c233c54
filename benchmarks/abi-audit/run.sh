#!/usr/bin/env bash
# Times abi-audit on a ~100 MB shared object shaped like a real extension
# module: a large read-only blob (kernels, tables), tens of thousands of
# exported functions, and thousands of undefined symbols bound to versioned
# libstdc++/libc definitions (so the symbol-version check has real work,
# including demangling every symbol above the rocky9 ceiling).
#
# usage: benchmarks/abi-audit/run.sh ABI_AUDIT [WORK_DIR] [BLOB_MIB]
#   ABI_AUDIT  the built tool, e.g. build/abi-audit/abi-audit
#   WORK_DIR   where the generated files go (default: a fresh mktemp dir)
#   BLOB_MIB   size of the data blob (default 96, for a ~100 MB file)
# Not a timed test: the target (under 1 s) is recorded in RESULTS.md.
set -euo pipefail

abi_audit=${1:?usage: run.sh ABI_AUDIT [WORK_DIR] [BLOB_MIB]}
work=${2:-$(mktemp -d /tmp/abi-audit-bench.XXXXXX)}
blob_mib=${3:-96}
exports=50000
runs=7
cxx=${CXX:-g++}

[[ -x $abi_audit ]] || { echo "run.sh: $abi_audit is not an executable; build abi-audit first" >&2; exit 2; }
mkdir -p "$work"
cd "$work"

# Default-version (@@) definitions of the C and C++ runtimes: taking their
# addresses makes the linker bind each reference to its version. Functions
# only: a TLS object cannot be referenced by a plain address.
runtime_symbols() {
  for lib in "$@"; do
    objdump -T "$lib" | awk '/ DF \.text/ && $(NF-1) ~ /^(GLIBCXX|CXXABI|GLIBC)_[0-9.]+$/ { print $NF }'
  done | sort -u
}
libstdcxx=$($cxx -print-file-name=libstdc++.so.6)
libc=$($cxx -print-file-name=libc.so.6)

echo "generating in $work: ${blob_mib} MiB blob, $exports exports, runtime references from $libstdcxx $libc"
head -c "$((blob_mib * 1024 * 1024))" /dev/urandom > blob.bin
{
  echo '  .section .note.GNU-stack,"",@progbits'
  echo '  .section .rodata'
  echo '  .balign 64'
  echo 'bench_blob: .incbin "blob.bin"'
  echo '  .section .data.rel.ro,"aw"'
  echo '  .balign 8'
  runtime_symbols "$libstdcxx" "$libc" | awk '{ print "  .quad " $0 }'
  echo '  .text'
  echo '  .globl PyInit__bench'
  echo '  .type PyInit__bench, @function'
  echo 'PyInit__bench: xor %eax, %eax; ret'
  awk -v n="$exports" 'BEGIN { for (i = 0; i < n; ++i) printf "  .globl bench_fn_%d\n  .type bench_fn_%d, @function\nbench_fn_%d: ret\n", i, i, i }'
} > bench.s
module=_bench.cpython-312-x86_64-linux-gnu.so
# The linker warns about obsolete libc functions we reference; keep its log.
$cxx -shared -o "$module" bench.s -Wl,--no-as-needed -lstdc++ -lm 2> link.log

size=$(stat -c %s "$module")
undefined=$(readelf --dyn-syms -W "$module" | awk '$7 == "UND" && $8 != ""' | wc -l)
echo "module: $work/$module, $size bytes, $undefined undefined dynamic symbols"

# The same module as a deflated wheel member: read through libzip into memory.
wheel=bench-0.0.1-cp312-cp312-linux_x86_64.whl
python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z: z.write(sys.argv[2], "bench/" + sys.argv[2])' \
  "$wheel" "$module"

# Each run's wall time in ms; the exit code is 1 (the module needs versions
# above rocky9's ceilings, as intended), so it is ignored.
time_runs() {
  local label=$1 times=() start
  shift
  "$abi_audit" "$@" > /dev/null || true  # warms the page cache
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$abi_audit" "$@" > /dev/null || true
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
  done
  local sorted median
  sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  echo "$label: median ${median} ms over $runs runs (sorted ms: $sorted)"
}
time_runs "abi-audit --format text $module" --format text "$module"
time_runs "abi-audit --format json $module" --format json "$module"
time_runs "abi-audit $wheel ($(stat -c %s "$wheel") bytes, deflated)" "$wheel"

"$abi_audit" "$module" > report.txt || true
echo "violations reported: $(grep -c '^  \[' report.txt), symbols listed: $(grep -c '^      ' report.txt)"
