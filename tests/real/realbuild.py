"""The real build tree of the CTest run: the four upstreams from a source
cache ($TRELLIS2_REAL_SOURCE_CACHE), built by real.build in source mode and
switched to wheel mode over the real wheels by real.wheel_mode
(tests/real/CMakeLists.txt orders them). Same toolchain, policy and Python as
the build under test (CTest's environment, TRELLIS2_TEST_ENV); one
architecture, $TRELLIS2_REAL_CUDA_ARCHITECTURES (default 9.0): what is
proven here does not depend on the list, and one architecture keeps the
cold build inside CI's time.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from native import MODULES, REPO, ctest_env

if not os.environ.get("TRELLIS2_REAL_BUILD_DIR"):
    # Imported by a test module: the whole module is skipped (or failed, where required).
    why = ("TRELLIS2_REAL_BUILD_DIR is not set: these tests make and read the real tree of a CTest run "
           "(tests/real/CMakeLists.txt); run them through ctest")
    if os.environ.get("TRELLIS2_REAL_REQUIRED") == "1":
        pytest.fail(f"TRELLIS2_REAL_REQUIRED=1 but {why}", pytrace=False)
    pytest.skip(why, allow_module_level=True)
BUILD = Path(os.environ["TRELLIS2_REAL_BUILD_DIR"])
WORK = BUILD.parent
ARCHITECTURES = os.environ.get("TRELLIS2_REAL_CUDA_ARCHITECTURES") or "9.0"
PACKAGES = list(MODULES)  # cumesh, flex_gemm, o_voxel, nvdiffrast
FORK_PIN = REPO / "third_party" / "o_voxel-visualbruno.cmake"


def pin_commit(pin_file):
    return re.search(r'PIN_COMMIT "([0-9a-f]{40})"', Path(pin_file).read_text()).group(1)


PIN_COMMITS = {pkg: pin_commit(REPO / "third_party" / f"{pkg}.cmake") for pkg in PACKAGES}


def pin_patches(pkg, pin_file=None):
    """The patch files a pin lists (PIN_PATCHES, relative to third_party/patches/<pkg>/)."""
    text = Path(pin_file or REPO / "third_party" / f"{pkg}.cmake").read_text()
    match = re.search(r'^set\(PIN_PATCHES "([^"]*)"\)', text, re.M)
    names = [n for n in (match.group(1).split(";") if match else []) if n]
    return [REPO / "third_party" / "patches" / pkg / n for n in names]


def run(args, **kwargs):
    """A command with its output captured (stdout and stderr together)."""
    env = dict(os.environ, **kwargs.pop("env", {}))
    return subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, env=env, **kwargs)


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}:\n{(result.stdout or '')[-6000:]}"
    return result


def compiler_cache_args():
    """sccache with a cache that outlives the tree where
    $TRELLIS2_REAL_SCCACHE_DIR names one (.ci/run: a later CI run on the same
    machine, at the same paths, hits), else none: a cold build gains nothing
    from a cache deleted with its tree."""
    cache = os.environ.get("TRELLIS2_REAL_SCCACHE_DIR")
    return ["-DTRELLIS2_SCCACHE=ON", f"-DTRELLIS2_SCCACHE_DIR={cache}"] if cache else ["-DTRELLIS2_SCCACHE=OFF"]


def configure(*extra):
    """Configure (or re-configure) the real tree with the toolchain under test."""
    return run(["cmake", "-G", "Ninja", "-S", REPO, "-B", BUILD,
                f"-DCMAKE_CXX_COMPILER={ctest_env('TRELLIS2_CXX')}",
                f"-DPython3_EXECUTABLE={ctest_env('TRELLIS2_PYTHON')}",
                f"-DTRELLIS2_ABI_POLICY={ctest_env('TRELLIS2_ABI_POLICY_FILE')}",
                "-DTRELLIS2_ALLOW_CUDA_MISMATCH=ON", f"-DTRELLIS2_CUDA_ARCHITECTURES={ARCHITECTURES}",
                f"-DTRELLIS2_PACKAGES={';'.join(PACKAGES)}", "-DBUILD_TESTING=OFF", *compiler_cache_args(), *extra])


def build(*extra):
    return run(["cmake", "--build", BUILD, *extra])


def report():
    return json.loads((BUILD / "report.json").read_text())


def compiled(build_output):
    """The objects a build compiled, read from its output (the native
    build's Ninja prints one "Building <lang> object <path>" line each)."""
    return re.findall(r"Building (?:CXX|CUDA) object (\S+)", build_output)
