"""Which compiles wait for a place in Ninja's nvcc pool (native build): every
CUDA unit, since each holds nvcc --threads device compiles at once; the C++
units of the same modules only where CMake cannot set a pool per source
(before 4.2: the pool is then the target's); abi-audit's never."""

import re
import subprocess

from support import base_configure_args, run, scratch_dir

EDGE = re.compile(r"^build (\S+\.o): (CUDA|CXX)_COMPILER__\S+ [^\n]*\n((?:  [^\n]*\n)*)", re.M)


def cmake_version():
    text = subprocess.run(["cmake", "--version"], capture_output=True, text=True, check=True).stdout
    return tuple(int(part) for part in re.search(r"version (\d+)\.(\d+)", text).groups())


def compile_edges(native):
    """(object, language, in the nvcc pool) of every compile of the native build."""
    text = (native / "build.ninja").read_text()
    return [(obj, lang, "  pool = nvcc\n" in body) for obj, lang, body in EDGE.findall(text)]


def target_of(obj):
    return re.search(r"CMakeFiles/([^/]+)\.dir/", obj).group(1)


def test_cuda_units_wait_for_the_pool_and_cpp_units_only_without_per_source_pools():
    build_dir = scratch_dir("nvcc-pool-units")
    configured = run(base_configure_args(build_dir))
    assert configured.returncode == 0, configured.stdout[-3000:]
    native = run(["cmake", "--build", str(build_dir), "--target", "native-configure"])
    assert native.returncode == 0, native.stdout[-3000:]
    edges = compile_edges(build_dir / "native")
    cuda_targets = {target_of(obj) for obj, lang, _ in edges if lang == "CUDA"}
    assert cuda_targets, "the fixture has CUDA units"
    per_source = cmake_version() >= (4, 2)
    print(f"CMake {'.'.join(map(str, cmake_version()))}: "
          f"{'a pool per source' if per_source else 'the pool is the target property'}")
    for obj, lang, pooled in edges:
        if lang == "CUDA":
            assert pooled, f"{obj}: a CUDA unit outside the nvcc pool"
        elif target_of(obj) in cuda_targets:
            assert pooled == (not per_source), f"{obj}: pooled={pooled} with CMake {cmake_version()}"
        else:
            assert not pooled, f"{obj}: a module without CUDA units in the nvcc pool"
