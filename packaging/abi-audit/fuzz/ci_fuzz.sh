#!/usr/bin/env bash
# CI entry of one abi-audit fuzz test: builds abi-audit's fuzz targets with
# clang (a build tree of its own), then runs TARGET for SECONDS through
# run_fuzzer.sh. Without clang++ or libFuzzer it says so and exits 77,
# which the CTest test maps to "skipped" (SKIP_RETURN_CODE).
#   ci_fuzz.sh ABI_AUDIT_SOURCE_DIR BUILD_DIR TARGET SECONDS GENERATOR
set -euo pipefail
source_dir=$1 build_dir=$2 target=$3 seconds=$4 generator=$5

skip() {
  echo "SKIPPED abi-audit fuzz ${target}: $1. Install clang and libclang-rt-14-dev (Debian 12; .ci/setup does)," \
    "or set CLANGXX to a clang++ with libFuzzer."
  exit 77
}
clangxx=${CLANGXX:-$(command -v clang++ || true)}
[ -n "$clangxx" ] || skip "no clang++ on PATH"
mkdir -p "$build_dir"
probe="$build_dir/libfuzzer_probe"
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$probe.cpp"
"$clangxx" -fsanitize=fuzzer,address,undefined "$probe.cpp" -o "$probe" >"$probe.log" 2>&1 ||
  skip "$clangxx cannot link -fsanitize=fuzzer,address,undefined ($(head -c 300 "$probe.log"))"

if ! { cmake -S "$source_dir" -B "$build_dir" -G "$generator" -DCMAKE_CXX_COMPILER="$clangxx" \
         -DABI_AUDIT_FUZZ=ON -DABI_AUDIT_BUILD_TESTS=OFF -DABI_AUDIT_INSTALL=OFF &&
       cmake --build "$build_dir" -j2 --target "abi_audit_fuzz_${target}"; } >"$build_dir/build.log" 2>&1; then
  cat "$build_dir/build.log"
  echo "abi-audit fuzz ${target}: building the fuzz target with $clangxx failed (log above)."
  exit 1
fi
exec bash "$source_dir/fuzz/run_fuzzer.sh" "$build_dir/fuzz/abi_audit_fuzz_${target}" \
  "$source_dir/fuzz/corpus/${target}" "$build_dir/fuzz/work/${target}" "$seconds"
