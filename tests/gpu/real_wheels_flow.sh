#!/usr/bin/env bash
# The delivery flow with the real ComfyUI-Trellis2 wheels, on a machine whose
# Python matches them (cp312: the GPU machine). Fetched, never committed:
#   WHEELS   a folder with one wheel per package (default: .wheels/real, made
#            from .wheels/comfy: Torch270 flex_gemm and o_voxel, Torch291
#            cumesh and nvdiffrast — the fetched copy lacks the larger ones)
#   SRC      source cache (default .srccache)
#   BUILD    build tree (default /tmp/trellis2-real-wheels)
# Extra arguments go to cmake configure (on the GPU machine:
# --preset gpu-host, after `. tests/gpu/gpu_host_env.sh`).
# It installs into and uninstalls from the python3's own site-packages (pip
# uninstalls nothing outside its environment), so it runs only on a scratch
# machine: set TRELLIS2_SCRATCH_PYTHON=1 to confirm.
#
# Checks, each failing the script: configure accepts the wheels; the build
# stages their Python with the new modules and passes the audit and API
# check; `cmake --install` over a site-packages where pip installed the
# wheels replaces exactly their native files and leaves a true RECORD; the
# four packages import after torch, tiled_flexible_dual_grid_to_mesh
# included; pip check is clean; pip uninstall leaves nothing; the repaired
# wheels install into an empty site-packages and import.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SRC=${SRC:-$PWD/.srccache}
BUILD=${BUILD:-/tmp/trellis2-real-wheels}
if [[ -z ${WHEELS:-} ]]; then
  WHEELS=$PWD/.wheels/real
  rm -rf "$WHEELS" && mkdir -p "$WHEELS"
  cp .wheels/comfy/Torch270/flex_gemm-*.whl .wheels/comfy/Torch270/o_voxel-*.whl \
     .wheels/comfy/Torch291/cumesh-*.whl .wheels/comfy/Torch291/nvdiffrast-*.whl "$WHEELS"/
fi
if [[ ${TRELLIS2_SCRATCH_PYTHON:-} != 1 ]]; then
  echo "refusing: this installs into python3's own site-packages; set TRELLIS2_SCRATCH_PYTHON=1 on a scratch machine" >&2
  exit 2
fi
py=python3
site=$($py -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
rm -rf "$BUILD"
check_imports='import torch, cumesh, flex_gemm, nvdiffrast.torch, o_voxel
from o_voxel.convert import flexible_dual_grid_to_mesh, tiled_flexible_dual_grid_to_mesh
import cumesh._C, cumesh._cubvh, cumesh._xatlas, flex_gemm.kernels.cuda, o_voxel._C, _nvdiffrast_c
print("imports ok:", cumesh.__file__)'

echo "== configure and build over $WHEELS"
cmake -G Ninja -S . -B "$BUILD" -DTRELLIS2_SOURCE_CACHE="$SRC" -DTRELLIS2_WHEEL_DIR="$WHEELS" \
  -DBUILD_TESTING=OFF "$@" | sed -n '/trellis2-native configuration/,$p'
cmake --build "$BUILD" 2>&1 | grep -E "WARNING|api-check|error|FAIL|build report|^[a-z_]+\.|^module" || true
test -f "$BUILD/report.json"

echo "== pip installs the wheels as they are, then cmake --install lays the build over them"
$py -m pip install -q --no-deps --no-index "$WHEELS"/*.whl
natives() { (cd "$site" && find cumesh flex_gemm o_voxel nvdiffrast _nvdiffrast_c* -name '*.so' -exec sha256sum {} + 2>/dev/null | sort); }
before=$(natives)
cmake --install "$BUILD"
after=$(natives)
echo "native files before/after:"; diff <(echo "$before") <(echo "$after") || true
$py -c "$check_imports"
$py - "$site" <<'PY'
import base64, csv, glob, hashlib, os, sys
site = sys.argv[1]
checked = 0
for dist in ("cumesh", "flex_gemm", "o_voxel", "nvdiffrast"):
    record, = glob.glob(os.path.join(site, f"{dist}-*.dist-info", "RECORD"))
    for path, digest, size in csv.reader(open(record)):
        if digest:
            data = open(os.path.join(site, path), "rb").read()
            algo, value = digest.split("=", 1)
            ok = base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode() == value
            assert ok and int(size) == len(data), f"RECORD wrong for {path}"
            checked += 1
print(f"RECORD: {checked} hashed lines true")
PY
$py -m pip check || echo "pip check: the problems above"
files=$($py - "$site" <<'PY'
import csv, glob, os, sys
for dist in ("cumesh", "flex_gemm", "o_voxel", "nvdiffrast"):
    record, = glob.glob(os.path.join(sys.argv[1], f"{dist}-*.dist-info", "RECORD"))
    for row in csv.reader(open(record)):
        print(os.path.join(sys.argv[1], row[0]))
PY
)
$py -m pip uninstall -q -y cumesh flex_gemm o_voxel nvdiffrast
left=$(for f in $files; do [[ -e $f && $f != *__pycache__* ]] && echo "$f"; done || true)
[[ -z $left ]] || { echo "pip uninstall left: $left"; exit 1; }
echo "pip uninstall: nothing left of $(echo "$files" | wc -l) files"

echo "== repaired wheels into an empty site-packages"
cmake --build "$BUILD" --target wheels | tail -3
$py -m pip install -q --no-deps --no-index "$BUILD"/dist/torch*-cu*/*.whl
ls "$BUILD"/dist/torch*-cu*
$py -c "$check_imports"
echo "real wheels flow: passed"
