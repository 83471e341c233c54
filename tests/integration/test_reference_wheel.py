"""Builds the reference wheel (reference.py) that the flag-parity and
wheel-mode tests read: a CTest fixture (reference_wheel)."""

import zipfile

from reference import build_reference_wheel, wheel_path
from support import EXT_SUFFIX


def test_build_reference_wheel():
    result = build_reference_wheel()
    assert result.returncode == 0, result.stdout[-5000:]
    names = zipfile.ZipFile(wheel_path()).namelist()
    assert "fixture_pkg/extra.py" in names
    assert f"fixture_pkg/_fixture_xatlas{EXT_SUFFIX}" in names
    assert f"fixture_pkg/kernels/cuda{EXT_SUFFIX}" in names
