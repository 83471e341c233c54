"""The fixture upstream built the way its users build it today: setup.py with
torch's BuildExtension, into a wheel. Like the ComfyUI-Trellis2 wheels, the
wheel's Python has a function the upstream source lacks (extra.py), and it
carries a native module under the upstream's own name (_fixture_xatlas).

One stand-in: torch refuses an nvcc whose CUDA major differs from its own
(nvcc 13 with torch's cu126 here). For this build only, that check
(torch.utils.cpp_extension._check_cuda_version) is replaced by a no-op; the
commands torch generates are otherwise untouched.
"""

from support import CUDA_ARCHITECTURES, CXX, FIXTURE_UPSTREAM, PYTHON, WORK_DIR, run

REF_DIR = WORK_DIR / "reference"
SOURCE = REF_DIR / "src"
WHEEL_DIR = REF_DIR / "dist"
LOG = REF_DIR / "build.log"

EXTRA = '''"""Added by the wheel's author: not in the upstream source."""
from . import _C


def tiled_add_one(x, tile=2):
    """add_one over tiles of `tile` elements."""
    return __import__("torch").cat([_C.add_one_cpu(part) for part in x.split(tile)])
'''

BUILD = r"""
import re, subprocess, sys
import torch, torch.utils.cpp_extension as ce
nvcc_major = re.search(r"release (\d+)\.", subprocess.check_output([ce._join_cuda_home("bin", "nvcc"), "--version"], text=True)).group(1)
if nvcc_major != torch.version.cuda.split(".")[0]:
    print("reference: torch's CUDA-major check replaced by a no-op for this reference build", flush=True)
    ce._check_cuda_version = lambda *args: None
sys.argv = ["setup.py", "bdist_wheel", "--dist-dir", sys.argv[1]]
exec(compile(open("setup.py").read(), "setup.py", "exec"))
"""


def build_reference_wheel():
    import shutil
    shutil.rmtree(REF_DIR, ignore_errors=True)
    shutil.copytree(FIXTURE_UPSTREAM, SOURCE)
    (SOURCE / "fixture_pkg" / "extra.py").write_text(EXTRA)
    env = {"CC": CXX, "CXX": CXX, "TORCH_CUDA_ARCH_LIST": CUDA_ARCHITECTURES, "MAX_JOBS": "2"}
    result = run([PYTHON, "-c", BUILD, str(WHEEL_DIR)], cwd=SOURCE, env=env)
    LOG.write_text(result.stdout)
    return result


def wheel_path():
    wheels = sorted(WHEEL_DIR.glob("fixture_pkg-*.whl"))
    assert len(wheels) == 1, f"expected one reference wheel in {WHEEL_DIR} (test fixture.reference_wheel), found {wheels}"
    return wheels[0]
