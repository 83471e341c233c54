"""CuMesh on CUDA 13.2 and later (issue 27): the project's first patch,
third_party/patches/cumesh/0001-cub-scan-in-place-calls-out-of-place.patch,
listed by the pin (third_party/cumesh.cmake).

- It applies to the pinned tree, the way the build applies it: to a copy of
  the source cache inside this checkout's build tree, where `git apply` once
  exited 0 having applied nothing (it took the paths as the enclosing
  repository's); the tree then holds it, and applying again changes nothing.
- The failure it fixes is real: the pinned, unpatched src/atlas.cu does not
  compile with PyPI's cuda-toolkit 13.2.2 (CCCL 3.2), with the errors the
  issue measured.
- The patched units compile with PyPI's 13.2.2 and with the newest toolkit
  locked here (13.5.0). This machine's 13.0 compiles them in real.build,
  the whole of cumesh, patch applied. With 13.2.2 a cubvh unit that includes
  ATen/cuda/CUDAContext.h compiles too: the cuBLAS and cuSPARSE headers it
  needs are in no PyPI toolkit, but in torch's own CUDA wheels.

Every compile goes through the project: a cumesh-only tree whose nvcc is the
PyPI toolkit the build installs itself (TRELLIS2_CUDA_TOOLKIT=<version>, into
one toolkit cache shared by the trees), against the CUDA 13 cell's torch
(2.11.0, cu130: $TRELLIS2_CUDA13_CELL_VENV, made by .ci/setup), so the pin
check passes without the mismatch switch; only the patched units' objects
are built (`cmake --build <tree>/native --target <object>`), at 9.0.

Needs $TRELLIS2_REAL_SOURCE_CACHE and PyPI (or pip's PIP_FIND_LINKS) for the
toolkits."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import native
from native import REPO, ctest_env

PATCH = REPO / "third_party" / "patches" / "cumesh" / "0001-cub-scan-in-place-calls-out-of-place.patch"
# The files the patch changes, and the units that compile them: shared.h's
# compress_ids() is instantiated by atlas.cu (the unit the issue measured
# failing), clean_up.cu and connectivity.cu.
PATCHED_FILES = {"src/shared.h", "src/clean_up.cu", "src/connectivity.cu", "src/simplify.cu",
                 "src/remesh/svox2vert.cu"}
UNITS = ["src/atlas.cu", "src/clean_up.cu", "src/connectivity.cu", "src/simplify.cu", "src/remesh/svox2vert.cu"]
# cubvh includes ATen/cuda/CUDAContext.h, whose cuBLAS/cuSPARSE headers no
# PyPI toolkit has: they come from torch's own CUDA wheels (CudaToolkit.cmake).
CONTEXT_UNIT = "third_party/cubvh/src/api_gpu.cu"
CCCL_32_ERRORS = ["NumItemsT must be an integral type, but not bool", "has no member \"value_type\""]
TOOLKIT_13_2 = "13.2.2"
NEWEST_TOOLKIT = "13.5.0"
CUDA13_VENV = Path(os.environ.get("TRELLIS2_CUDA13_CELL_VENV", "/opt/trellis2-ci/torch-2.11.0"))
PIN_COMMIT = re.search(r'PIN_COMMIT "([0-9a-f]{40})"', (REPO / "third_party" / "cumesh.cmake").read_text()).group(1)


def run(args, **kwargs):
    return subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          **kwargs)


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}:\n{result.stdout[-6000:]}"
    return result


@pytest.fixture(scope="module")
def work():
    path = Path(ctest_env("TRELLIS2_WORK_DIR")) / "cumesh-cuda13"
    # The toolkits are kept between runs (pip would fetch them again); the trees are not.
    for entry in path.glob("*") if path.exists() else []:
        if entry.name != "cuda-toolkit":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def cache():
    return native.real_input("TRELLIS2_REAL_SOURCE_CACHE", "a source cache of the pinned upstreams")


@pytest.fixture(scope="module")
def cuda13_python():
    python = CUDA13_VENV / "bin" / "python"
    found = run([python, "-c", "import torch; print(torch.__version__, torch.version.cuda)"]) if python.exists() else None
    if not found or found.returncode != 0 or not found.stdout.split()[-1].startswith("13."):
        native.unavailable(f"no CUDA 13 torch at {python} ({found.stdout[-300:] if found else 'missing'}): "
                           ".ci/setup makes a torch 2.11.0 venv there (or set TRELLIS2_CUDA13_CELL_VENV)")
    return python


def in_place_scans(tree):
    """(file, line) of every cub::DeviceScan sum called with 4 arguments (the in-place form)."""
    found = []
    for path in sorted(Path(tree, "src").rglob("*")):
        if path.suffix not in (".cu", ".h", ".cuh"):
            continue
        text = path.read_text()
        for match in re.finditer(r"cub::DeviceScan::(?:Ex|In)clusiveSum\(", text):
            depth, commas, i = 1, 0, match.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                commas += text[i] == "," and depth == 1
                i += 1
            if commas == 3:
                found.append((str(path.relative_to(tree)), text.count("\n", 0, match.start()) + 1))
    return found


def copy_tree(source, dest):
    shutil.copytree(source, dest)
    for path in [dest, *dest.rglob("*")]:  # the cache is read-only; the copy is ours
        path.chmod(path.stat().st_mode | 0o200)
    return dest


def test_the_patch_applies_to_the_pinned_tree_inside_a_git_checkout(cache, work):
    pristine = cache / f"cumesh-{PIN_COMMIT}"
    before = in_place_scans(pristine)
    assert {f for f, _ in before} == PATCHED_FILES, before
    diffed = set(re.findall(r"^\+\+\+ b/(\S+)", PATCH.read_text(), re.M))
    assert diffed == PATCHED_FILES, diffed
    tree = copy_tree(pristine, work / "apply" / "cumesh")
    # The copy lies inside this checkout (a git work tree), as the build's copy does.
    inside = run(["git", "-C", tree, "rev-parse", "--show-toplevel"])
    assert inside.returncode == 0 and Path(inside.stdout.strip()) != tree, inside.stdout
    script = [f"-DSOURCE_DIR={tree}", f"-DPATCHES={PATCH}", "-DPIN_FILE=third_party/cumesh.cmake",
              f"-DCOMMIT={PIN_COMMIT}", "-P", REPO / "cmake" / "scripts" / "apply_patches.cmake"]
    applied = ok(run(["cmake", *script]))
    assert f"Applied {PATCH}" in applied.stdout, applied.stdout
    assert in_place_scans(tree) == [], in_place_scans(tree)
    changed = {str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file()
               and p.read_bytes() != (pristine / p.relative_to(tree)).read_bytes()}
    assert changed == PATCHED_FILES, changed
    again = ok(run(["cmake", *script]))
    assert "Applied" not in again.stdout, again.stdout


def configure(tree, python, toolkit, *extra, toolkit_cache):
    # No compiler cache: sccache 0.16 runs nvcc's steps itself, and with
    # nvcc 13.5 fatbinary then finds no .cubin ("Could not open input file
    # 'atlas.cubin'", CI of 2026-12-06); 13.0 and 13.2 pass through it.
    compiler_cache = ["-DTRELLIS2_SCCACHE=OFF"]
    return run(["cmake", "-G", "Ninja", "-S", REPO, "-B", tree,
                f"-DCMAKE_CXX_COMPILER={ctest_env('TRELLIS2_CXX')}", f"-DPython3_EXECUTABLE={python}",
                "-DTRELLIS2_TORCH_VERSION=2.11.0", "-DTRELLIS2_TORCH_CUDA_VERSION=13.0",
                "-DTRELLIS2_ALLOW_CUDA_MISMATCH=OFF", f"-DTRELLIS2_CUDA_TOOLKIT={toolkit}",
                f"-DTRELLIS2_CUDA_TOOLKIT_CACHE={toolkit_cache}", "-DTRELLIS2_CUDA_ARCHITECTURES=9.0",
                f"-DTRELLIS2_ABI_POLICY={ctest_env('TRELLIS2_ABI_POLICY_FILE')}",
                "-DTRELLIS2_PACKAGES=cumesh", "-DBUILD_TESTING=OFF", *compiler_cache, *extra])


def unit_objects(tree, units):
    """{unit: the Ninja output of its object} in the native build of `tree`."""
    ninja = (tree / "native" / "build.ninja").read_text()
    objects = {}
    for unit in units:
        match = re.search(rf"^build (\S+\.cu\.o): CUDA_COMPILER__\S+ (\S+/{re.escape(unit)})\b", ninja, re.M)
        assert match, f"no object of {unit} in {tree / 'native' / 'build.ninja'}"
        objects[unit] = match.group(1)
    return objects


def compile_units(tree, python, toolkit, units, *extra, toolkit_cache):
    configured = ok(configure(tree, python, toolkit, *extra, toolkit_cache=toolkit_cache))
    assert f"PyPI cuda-toolkit {toolkit}" in configured.stdout, configured.stdout[-3000:]
    assert "NOT for shipping" not in configured.stdout
    ok(run(["cmake", "--build", tree, "--target", "native-configure"]))
    objects = unit_objects(tree, units)
    return configured, objects, run(["cmake", "--build", tree / "native", "--target", *objects.values()])


def test_the_pinned_atlas_unit_fails_with_cuda_13_2_without_the_patch(cache, work, cuda13_python):
    # A local checkout is built as it is, without the pin's patches.
    unpatched = copy_tree(cache / f"cumesh-{PIN_COMMIT}", work / "unpatched")
    configured, objects, built = compile_units(work / "unpatched-build", cuda13_python, TOOLKIT_13_2, ["src/atlas.cu"],
                                               f"-DTRELLIS2_CUMESH_SOURCE_DIR={unpatched}",
                                               toolkit_cache=work / "cuda-toolkit")
    assert "pin's patches not applied" in configured.stdout, configured.stdout[-3000:]
    assert built.returncode != 0, built.stdout[-3000:]
    for error in CCCL_32_ERRORS:
        assert error in built.stdout, built.stdout[-6000:]


@pytest.mark.parametrize("toolkit", [TOOLKIT_13_2, NEWEST_TOOLKIT])
def test_the_patched_units_compile(cache, work, cuda13_python, toolkit):
    units = UNITS + ([CONTEXT_UNIT] if toolkit == TOOLKIT_13_2 else [])
    configured, objects, built = compile_units(work / f"patched-{toolkit}", cuda13_python, toolkit, units,
                                               f"-DTRELLIS2_SOURCE_CACHE={cache}",
                                               toolkit_cache=work / "cuda-toolkit")
    assert "+ 1 patch(es)" in configured.stdout, configured.stdout[-3000:]
    assert "torch's own CUDA wheels'" in configured.stdout, configured.stdout[-3000:]
    assert built.returncode == 0, built.stdout[-6000:]
    for unit, obj in objects.items():
        assert (work / f"patched-{toolkit}" / "native" / obj).stat().st_size > 0, unit
    # Those objects came from the patched copy the build made, not the cache.
    assert in_place_scans(work / f"patched-{toolkit}" / "_src" / "cumesh") == []
