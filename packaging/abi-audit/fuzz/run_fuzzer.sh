#!/usr/bin/env bash
# Runs one abi-audit fuzz target for a bounded time, starting from its
# checked-in seed corpus, and prints how many inputs it executed. Any crash,
# leak or sanitizer report fails (exit 1) and leaves the input in WORK/artifacts.
#   run_fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
set -uo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
name=$(basename "$fuzzer")

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
# New inputs go to the first directory, so the checked-in seeds stay as they are.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
  "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$work/log" 2>&1
rc=$?

executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
echo "abi-audit fuzz ${name}: ${executions:-?} executions in ${seconds}s;" \
  "seed corpus $(find "$seeds" -type f | wc -l) files, $(find "$work/corpus" -type f | wc -l) new inputs kept; exit $rc"
if [ "$rc" -ne 0 ]; then
  tail -n 80 "$work/log"
  echo "abi-audit fuzz ${name}: FAILED. Reproduce with: $fuzzer $work/artifacts/<file>;" \
    "fix the reader, and add the input to $seeds once it passes."
  ls -l "$work/artifacts"
  exit 1
fi
