"""The real packages' native modules, taken from the superbuild's stage, and
small meshes to feed them. Shared by tests/real (CPU) and tests/gpu.

Where things are: the repository is this file's; the stage is
$TRELLIS2_STAGE_DIR, else $TRELLIS2_BUILD_DIR/stage, else <repo>/build/stage
(CTest sets both variables: TRELLIS2_TEST_ENV in tests/CMakeLists.txt). The
packages are third_party/packages.cmake's, or $TRELLIS2_PACKAGES when set.

A package that was not configured (not in TRELLIS2_PACKAGES, as in the ci
preset, which builds only the fixture) or not built yet is a skip that says
why, never a failure: these tests need the upstream sources, which CI has not.
"""

import importlib.util
import math
import os
import re
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# package -> its native modules (import names), as the wheels lay them out.
MODULES = {
    "cumesh": ["cumesh._C", "cumesh._cubvh", "cumesh._xatlas"],
    "flex_gemm": ["flex_gemm.kernels.cuda"],
    "o_voxel": ["o_voxel._C"],
    "nvdiffrast": ["_nvdiffrast_c"],
}


def package_list(name):
    """A list set in third_party/packages.cmake, e.g. TRELLIS2_DEFAULT_PACKAGES."""
    text = (REPO / "third_party" / "packages.cmake").read_text()
    return re.search(rf"^set\({name}\s+([^)]*)\)", text, re.M).group(1).split()


HOW_TO_BUILD = ("configure with -DTRELLIS2_SOURCE_CACHE=<dir of <pkg>-<commit> trees> "
                f"-DTRELLIS2_PACKAGES='{';'.join(package_list('TRELLIS2_DEFAULT_PACKAGES'))}' and build")


def real_input(variable, what):
    """The folder $<variable> names: a real input the repository cannot carry
    (a source cache of the upstreams, the ComfyUI-Trellis2 wheels). Unset or
    missing: a skip that says how to provide it, or a failure where
    TRELLIS2_REAL_REQUIRED=1 (.ci/run sets it when it has the inputs: CI
    must not pass by skipping)."""
    value = os.environ.get(variable, "")
    if value and Path(value).is_dir():
        return Path(value)
    unavailable(f"{variable}='{value}' is not a directory: it names {what} "
                "(.ci/run points it at the shared/ folder CI has beside the clone)")


def unavailable(why):
    """What a test needs is not here: a skip saying why, or, where
    TRELLIS2_REAL_REQUIRED=1, a failure saying the same."""
    if os.environ.get("TRELLIS2_REAL_REQUIRED") == "1":
        pytest.fail(f"TRELLIS2_REAL_REQUIRED=1 but {why}", pytrace=False)
    pytest.skip(why)


def ctest_env(name):
    """A value CTest passes (TRELLIS2_TEST_ENV); run by hand without it, a skip."""
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set: run this test through ctest (tests/CMakeLists.txt sets it), or export it")
    return value


def stage_dir():
    if os.environ.get("TRELLIS2_STAGE_DIR"):
        return Path(os.environ["TRELLIS2_STAGE_DIR"])
    build = Path(os.environ.get("TRELLIS2_BUILD_DIR") or REPO / "build")
    if not (build / "stage").is_dir():
        unavailable(f"no stage at {build / 'stage'}: build first, or export TRELLIS2_BUILD_DIR=<build dir> "
                    "(or TRELLIS2_STAGE_DIR=<build>/stage)")
    return build / "stage"


def module_file(import_name):
    suffix = os.environ.get("TRELLIS2_EXT_SUFFIX") or sysconfig.get_config_var("EXT_SUFFIX")
    return stage_dir() / (import_name.replace(".", "/") + suffix)


def require(package):
    """Skip unless <package> was configured and its modules are staged."""
    configured = os.environ.get("TRELLIS2_PACKAGES")
    if configured is not None and package not in configured.split(";"):
        unavailable(f"{package} is not in TRELLIS2_PACKAGES ('{configured}'): {HOW_TO_BUILD}")
    for name in MODULES[package]:
        path = module_file(name)
        if not path.is_file():
            unavailable(f"{name} is not in the stage ({path} missing): "
                        + ("build first (cmake --build <build>)" if configured else HOW_TO_BUILD))


def load(import_name):
    """Import one native module straight from its staged file, without its
    package's __init__.py (which pulls in the other packages and their
    Python dependencies). torch comes first: the modules find libtorch,
    libc10 and libcudart only once torch has loaded them."""
    import torch  # noqa: F401

    require(next(pkg for pkg, names in MODULES.items() if import_name in names))
    if import_name in sys.modules:  # imported already, through its package
        return sys.modules[import_name]
    path = module_file(import_name)
    spec = importlib.util.spec_from_file_location(import_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Registered, so a later `import <package>` reuses it instead of
    # running the module's init a second time.
    sys.modules[import_name] = module
    return module


def expected_targets(arch_list):
    """(SASS, PTX) a TORCH_CUDA_ARCH_LIST asks for, sorted:
    8.0;9.0+PTX -> ([sm_80, sm_90], [compute_90])."""
    sass, ptx = [], []
    for item in arch_list.split(";"):
        number = item.replace("+PTX", "").replace(".", "")
        sass.append(f"sm_{number}")
        if item.endswith("+PTX"):
            ptx.append(f"compute_{number}")
    return sorted(sass), sorted(ptx)


def icosphere(subdivisions):
    """Unit icosphere: 10*4^n+2 vertices, 20*4^n faces, 30*4^n edges, closed,
    outward-facing. Returns (vertices float32 [V,3], faces int32 [F,3])."""
    import torch

    t = (1 + math.sqrt(5)) / 2
    verts = [(-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t),
             (0, -1, -t), (0, 1, -t), (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1)]
    verts = [tuple(c / math.sqrt(1 + t * t) for c in v) for v in verts]
    faces = [(0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4),
             (11, 10, 2), (10, 7, 6), (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8),
             (3, 8, 9), (4, 9, 5), (2, 4, 11), (6, 2, 10), (8, 6, 7), (9, 8, 1)]
    for _ in range(subdivisions):
        midpoint = {}

        def mid(a, b):
            key = (min(a, b), max(a, b))
            if key not in midpoint:
                m = [(p + q) / 2 for p, q in zip(verts[a], verts[b])]
                norm = math.sqrt(sum(c * c for c in m))
                verts.append(tuple(c / norm for c in m))
                midpoint[key] = len(verts) - 1
            return midpoint[key]

        new_faces = []
        for a, b, c in faces:
            ab, bc, ca = mid(a, b), mid(b, c), mid(c, a)
            new_faces += [(a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca)]
        faces = new_faces
    return (torch.tensor(verts, dtype=torch.float32), torch.tensor(faces, dtype=torch.int32))


def pytest_sessionfinish(session, exitstatus):
    """Every test skipped -> exit 77, CTest's SKIP_RETURN_CODE (trellis2_pytest),
    so ctest reports 'Skipped' with pytest's -rs reasons above it instead of
    a pass that tested nothing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or exitstatus != 0:
        return
    if reporter.stats.get("skipped") and not reporter.stats.get("passed"):
        session.exitstatus = 77
