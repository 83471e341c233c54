#!/bin/bash
# Does abi-audit's GPU verdict match what the GPU does? The fixture built at
# three architecture lists with the gpu-host preset (the image's CC/CXX/
# CUDAHOSTCXX left set), then its CUDA kernel (fixture_pkg._C.add_one_cuda)
# run on this machine's GPU: the verdict the audit stamp gives for the GPU's
# compute capability (native / jit / none) must match the run (it runs, or
# fails with "no kernel image is available"). On an sm_90 card: 8.0 -> none,
# 8.0+PTX -> jit, 9.0 -> native. From the repo root on the GPU machine, with
# .deps/ and .whl/ carried (tests/gpu/gpu_host_env.sh):
#     OUT=<dir for logs> bash tests/gpu/arch_verdicts.sh
set -o pipefail
cd "$(dirname "$0")/../.." || exit 2
: "${OUT:?set OUT to a directory for the logs}"
. tests/gpu/gpu_host_env.sh || exit 3
capability=$(python3 -c 'import torch; print("%d.%d" % torch.cuda.get_device_capability())') || exit 4
echo "GPU: $(nvidia-smi --query-gpu=name --format=csv,noheader), compute capability $capability"
status=0
for list in "8.0" "8.0+PTX" "9.0"; do
  tree=build-arch-${list//[.+]/}
  rm -rf "$tree"
  cmake --preset gpu-host -B "$tree" -DTRELLIS2_PACKAGES=fixture "-DTRELLIS2_CUDA_ARCHITECTURES=$list" \
    > "$OUT/configure-$tree.log" 2>&1 || { tail -30 "$OUT/configure-$tree.log"; exit 5; }
  cmake --build "$tree" > "$OUT/build-$tree.log" 2>&1 || { grep -E "error|FAIL" "$OUT/build-$tree.log" | head; exit 6; }
  python3 - "$tree" "$list" "$capability" <<'PY' || status=1
import importlib.util, json, pathlib, sys
import torch
tree, arch_list, capability = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
manifest = json.loads((tree / "native" / "manifest.json").read_text())
(module,) = [m for m in manifest["packages"]["fixture"]["modules"] if m["import"] == "fixture_pkg._C"]
device = json.loads(pathlib.Path(module["audit"]).read_text())["files"][0]["device_code"]
verdict = next(kind for kind, gpus in device["gpus"].items() if any(g.split()[0] == capability for g in gpus))
spec = importlib.util.spec_from_file_location("fixture_pkg._C", tree / "stage" / module["path"])
C = importlib.util.module_from_spec(spec)
spec.loader.exec_module(C)
x = torch.arange(4, dtype=torch.float32, device="cuda")
try:
    y = C.add_one_cuda(x)
    torch.cuda.synchronize()
    ran = "ran" if y.tolist() == [1.0, 2.0, 3.0, 4.0] else f"wrong result {y.tolist()}"
except Exception as error:  # the CUDA error, as a user sees it
    ran = f"failed: {error}".splitlines()[0]
print(f"list {arch_list}: SASS {device['sass']} PTX {device['ptx']}; verdict for {capability}: {verdict}; kernel {ran}")
expected = {"native": "ran", "jit": "ran", "none": "no kernel image is available"}[verdict]
sys.exit(0 if expected in ran else 1)
PY
done
echo "arch verdicts: $([ $status = 0 ] && echo all match || echo MISMATCH)"
exit $status
