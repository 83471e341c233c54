#!/bin/bash
# Issue 21's must-not-regress checks of the one build graph on the GPU
# machine, with the image's environment untouched (as a user runs it):
#   - the gpu-host build (9.0) of the four packages, cold, and the time
#     before its first compile (the native build's .ninja_log: a unit's
#     start is its object's mtime less its time);
#   - a re-configure recompiles nothing: `cmake <build>` alone, then with
#     another TRELLIS2_NVCC_JOB_MEMORY_MB (what a change of free memory
#     changes), each followed by a build whose compile steps are counted;
#   - the no-op build, three times;
#   - the dev preset's kernel loop: TRELLIS2_API_CHECK=deliver, touch one
#     .cu of flex_gemm, rebuild, against the unit's own time (.ninja_log);
#   - `cmake --build <build> --target flex_gemm` builds that package alone.
#     OUT=<dir> bash benchmarks/one_graph/checks.sh
set -o pipefail
. tests/gpu/gpu_host_env.sh || exit 3
: "${OUT:?set OUT to the directory for the results}"
build=build-gpu
rm -rf $build
log=$build/native/.ninja_log
begin=$(date +%s%3N)
cmake --preset gpu-host -DTRELLIS2_SOURCE_CACHE="$PWD/.srccache" > "$OUT/checks_configure.log" 2>&1 || { tail -30 "$OUT/checks_configure.log"; exit 4; }
cmake --build $build > "$OUT/checks_build.log" 2>&1 || { grep -E "FAILED|rror" "$OUT/checks_build.log" | head; exit 5; }
end=$(date +%s%3N)
first=$(python3 -c "import sys; print(min(int(int(r[2]) / 1e6) - (int(r[1]) - int(r[0])) for r in (l.split() for l in open(sys.argv[1]) if l[0].isdigit()) if r[3].endswith('.o')))" $log)
echo "cold 9.0 build: $(( (end - begin) )) ms; first compile $(( first - begin )) ms after configure began"
compiles() { grep -c -E "Building (CXX|CUDA) object" "$1"; }
cmake $build > "$OUT/checks_reconfigure.log" 2>&1
cmake --build $build > "$OUT/checks_after_reconfigure.log" 2>&1
echo "re-configure, then build: $(compiles "$OUT/checks_after_reconfigure.log") compiles"
cmake -DTRELLIS2_NVCC_JOB_MEMORY_MB=2048 $build > "$OUT/checks_reconfigure_memory.log" 2>&1
cmake --build $build > "$OUT/checks_after_memory.log" 2>&1
echo "re-configure with another nvcc job memory, then build: $(compiles "$OUT/checks_after_memory.log") compiles"
for i in 1 2 3; do /usr/bin/time -f "no-op build: %e s" cmake --build $build > /dev/null; done 2>&1
cmake -DTRELLIS2_API_CHECK=deliver $build > /dev/null 2>&1 && cmake --build $build > /dev/null 2>&1
unit=flex_gemm/kernels/cuda/spconv/neighbor_map.cu
touch $(ls -d .srccache/flex_gemm-*/$unit)
logged=$(wc -l < $log)
/usr/bin/time -f "touch $unit (TRELLIS2_API_CHECK=deliver): rebuild %e s" cmake --build $build > "$OUT/checks_touch.log" 2>&1
tail -1 "$OUT/checks_touch.log"
tail -n +$((logged + 1)) $log | python3 -c "import sys; rows=[l.split() for l in sys.stdin if l[0].isdigit()]; print('the unit itself: %.2f s' % max((int(r[1]) - int(r[0])) / 1000 for r in rows if r[3].endswith('.o')))"
touch $(ls -d .srccache/flex_gemm-*/$unit)
cmake --build $build --target flex_gemm > "$OUT/checks_one_package.log" 2>&1
echo "--target flex_gemm: rc=$? compiles=$(compiles "$OUT/checks_one_package.log"), names: $(grep -o -E 'Building (CXX|CUDA) object [a-z_]+/' "$OUT/checks_one_package.log" | sort -u | tr '\n' ' ')"
cmake -DTRELLIS2_API_CHECK=build $build > /dev/null 2>&1 && cmake --build $build > /dev/null 2>&1
cp $build/report.json "$OUT/checks_report.json"
