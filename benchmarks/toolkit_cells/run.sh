#!/bin/bash
# The matrix command on a cell list, timed, its table kept:
#     bash benchmarks/toolkit_cells/run.sh <cells file> <work dir> [preset]
# Writes <work dir>/matrix.log; the per-cell times and the table are its last lines.
set -euo pipefail
cd "$(dirname "$0")/../.."
cells=$(realpath "$1"); work=$(realpath -m "$2"); preset=${3:-ci}
mkdir -p "$work"
start=$(date +%s)
cmake -DCELLS_FILE="$cells" -DPRESET="$preset" -DDIST="$work/dist" -DBUILD_ROOT="$work/trees" \
  -DVENV_ROOT="$work/venvs" -DEXTRA="-DBUILD_TESTING=OFF" -P cmake/scripts/build_matrix.cmake 2>&1 | tee "$work/matrix.log" \
  | grep -E "^-- cell |^cell |^torch|Error" || true
echo "matrix: $(( $(date +%s) - start )) s on $(nproc) cores, $(date -u +%F)"
