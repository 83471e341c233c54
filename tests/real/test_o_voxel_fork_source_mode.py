"""Source mode with the o_voxel fork: TRELLIS2_O_VOXEL_PIN_FILE selects
visualbruno/TRELLIS.2 5573eea, whose source has the function the
ComfyUI-Trellis2 node imports (tiled_flexible_dual_grid_to_mesh). Built from
the source cache, the stage gets the fork's Python, a dist-info written for
it, and a module that passes the audit and the API check. (Wheel mode has
the same function from the Torch270 wheel: tests/gpu/real_wheels_flow.sh.)

Needs a source cache holding the fork's tree (o_voxel-5573eea…); otherwise
it skips and says why. `import o_voxel` itself needs flex_gemm, whose triton
needs a GPU driver, so the function is found in the staged code with ast."""

import ast
import os
import re
import subprocess
from pathlib import Path

import pytest

from native import REPO, ctest_env

PIN = REPO / "third_party" / "o_voxel-visualbruno.cmake"


def test_fork_pin_stages_tiled_flexible_dual_grid_to_mesh():
    cache = os.environ.get("TRELLIS2_SOURCE_CACHE", "")
    commit = re.search(r'PIN_COMMIT "([0-9a-f]{40})"', PIN.read_text()).group(1)
    if not cache or not Path(cache, f"o_voxel-{commit}").is_dir():
        pytest.skip(f"needs TRELLIS2_SOURCE_CACHE with o_voxel-{commit} (the fork's tree); got '{cache}'")
    build = Path(ctest_env("TRELLIS2_WORK_DIR")) / "o-voxel-fork"
    configure = ["cmake", "-G", "Ninja", "-S", REPO, "-B", build, f"-DCMAKE_CXX_COMPILER={ctest_env('TRELLIS2_CXX')}",
                 f"-DPython3_EXECUTABLE={ctest_env('TRELLIS2_PYTHON')}", "-DTRELLIS2_ALLOW_CUDA_MISMATCH=ON",
                 f"-DTRELLIS2_ABI_POLICY={ctest_env('TRELLIS2_ABI_POLICY_FILE')}", "-DTRELLIS2_CUDA_ARCHITECTURES=9.0",
                 "-DTRELLIS2_PACKAGES=o_voxel", "-DTRELLIS2_PYTHON_FROM=source", f"-DTRELLIS2_SOURCE_CACHE={cache}",
                 "-DTRELLIS2_O_VOXEL_PIN_FILE=third_party/o_voxel-visualbruno.cmake", "-DBUILD_TESTING=OFF"]
    result = subprocess.run([str(a) for a in configure], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"o_voxel-{commit}" in result.stdout
    result = subprocess.run(["cmake", "--build", str(build)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "api-check: ok" in result.stdout
    stage = build / "stage"
    tree = ast.parse((stage / "o_voxel/convert/flexible_dual_grid.py").read_text())
    functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert "tiled_flexible_dual_grid_to_mesh" in functions
    assert list(stage.glob("o_voxel-*.dist-info/RECORD")), "no dist-info written in source mode"
    assert list(stage.glob("o_voxel/_C.*.so"))
