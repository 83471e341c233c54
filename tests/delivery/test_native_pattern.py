"""One definition of a native file name: `native-pattern` prints the regex
names.is_native uses, and CMake (cmake/recipe/Stage.cmake filters a source
checkout's files with it) must classify every name the same way."""

import shutil
import subprocess
import sys

import pytest

import helpers

sys.path.insert(0, helpers.PACKAGING)
from trellis2_wheel.spec import names  # noqa: E402

NAMES = ["pkg/_C.so", "pkg/libfoo.so.1", "pkg/libfoo.so.1.2", "pkg/_C.cpython-311-x86_64-linux-gnu.so",
         "pkg/_C.abi3.so", "pkg/_C.pyd", "pkg/ops.py", "pkg/data.sox", "pkg/so.py", "pkg/libfoo.so.x",
         "pkg/readme.so.txt", "pkg/_C.so.bak"]


def test_cmake_and_python_agree(tmp_path):
    if not shutil.which("cmake"):
        pytest.skip("cmake is not on PATH: the CMake side of the pattern cannot be run")
    pattern = helpers.cli("native-pattern", check=0).stdout.strip()
    script = tmp_path / "filter.cmake"
    script.write_text(f'set(names "{";".join(NAMES)}")\n'
                      f'list(FILTER names INCLUDE REGEX [==[{pattern}]==])\n'
                      'message("${names}")\n')
    proc = subprocess.run(["cmake", "-P", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    native = [n for n in NAMES if names.is_native(n)]
    assert proc.stderr.strip().split(";") == native
    assert {"pkg/libfoo.so.1", "pkg/libfoo.so.1.2", "pkg/_C.so", "pkg/_C.pyd"} <= set(native)
    assert not {"pkg/ops.py", "pkg/libfoo.so.x", "pkg/_C.so.bak", "pkg/data.sox"} & set(native)
