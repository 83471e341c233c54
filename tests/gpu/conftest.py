"""GPU checks of the real packages: each module does a real computation on
the GPU, compared with a reference computed here.

One command, from the repo root of a machine with a CUDA GPU, after building
the four packages into build/ (another build tree: TRELLIS2_BUILD_DIR=<dir>):
    python3 -m pytest -rs tests/real tests/gpu
Without a GPU every test skips, printing why (and pytest exits 77).

On the device tool's GPU machine (torch 2.11 cu130, GCC 13, glibc 2.39), from
the repo root, with .srccache/, .whl/ and .deps/ carried, and the image's
CC/CXX/CUDAHOSTCXX left as they are (tests/gpu/user_env_run.sh runs this):
    . tests/gpu/gpu_host_env.sh
    cmake --preset gpu-host -DTRELLIS2_SOURCE_CACHE=$PWD/.srccache
    cmake --build --preset gpu-host
    TRELLIS2_BUILD_DIR=build-gpu python3 -m pytest -rs tests/real tests/gpu
"""

import sys
from pathlib import Path

import pytest

# The stage lookup and meshes are shared with the CPU tests in tests/real.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "real"))
from native import pytest_sessionfinish  # noqa: E402,F401  (a pytest hook, found by name)


# Session-scoped, so they come before the tests' module-scoped fixtures
# that import the packages.
@pytest.fixture(scope="session", autouse=True)
def cuda():
    import torch

    if not torch.cuda.is_available():
        pytest.skip(f"no CUDA GPU: torch {torch.__version__} (CUDA {torch.version.cuda}) "
                    "reports torch.cuda.is_available() == False")
    return torch.device("cuda")


@pytest.fixture(scope="session", autouse=True)
def stage_on_path(cuda):
    """Whole packages imported from the stage (their Python over the modules)."""
    import native

    stage = str(native.stage_dir())
    sys.path.insert(0, stage)
    yield stage
    sys.path.remove(stage)
