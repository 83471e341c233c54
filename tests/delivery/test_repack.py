"""repack: the repaired wheel installs into a fresh venv and imports, has a
version that cannot pass for the original, and is byte-identical when built
twice from the same inputs."""

import os
import sys
import time
import zipfile

import pytest

from helpers import EXT_SUFFIX, PACKAGING, PY_TAG, changed, cli, make_venv, pip, run_py, tree

sys.path.insert(0, PACKAGING)
from trellis2_wheel.deliver import repack  # noqa: E402

LABEL = "torch270.cu126"


def _repack(stage, out, **env):
    proc = cli("repack", "--stage", stage, "--dist", "fixturepkg", "--local-label", LABEL,
               "--out", out, check=0, **env)
    return proc.stdout.strip()


def test_repaired_wheel_installs_and_imports(staged, tmp_path):
    wheel = _repack(staged, tmp_path / "dist")
    assert os.path.basename(wheel) == f"fixturepkg-0.1.0+{LABEL}-{PY_TAG}-{PY_TAG}-linux_x86_64.whl"
    cli("check-wheel", wheel, "--package", "fixturepkg", "--python-tag", PY_TAG, check=0)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = archive.read(f"fixturepkg-0.1.0+{LABEL}.dist-info/METADATA").decode()
        wheel_file = archive.read(f"fixturepkg-0.1.0+{LABEL}.dist-info/WHEEL").decode()
    assert f"Version: 0.1.0+{LABEL}\n" in meta
    assert f"Tag: {PY_TAG}-{PY_TAG}-linux_x86_64" in wheel_file
    assert f"fixturepkg/_C{EXT_SUFFIX}" in names
    assert f"fixturepkg/_legacy{EXT_SUFFIX}" not in names   # never the old binary
    assert names[-1] == f"fixturepkg-0.1.0+{LABEL}.dist-info/RECORD"

    python, site = make_venv(str(tmp_path / "fresh"))
    empty = tree(site)
    pip(python, "install", "--no-deps", "--no-index", wheel)
    assert run_py(python, "import fixturepkg, importlib.metadata as m; "
                          "print(fixturepkg.which_build(), fixturepkg.scale(2, 2), m.version('fixturepkg'))"
                  ) == f"2 4.0 0.1.0+{LABEL}"
    pip(python, "check")
    pip(python, "uninstall", "-y", "fixturepkg")
    assert tree(site) == empty, changed(empty, tree(site))


def test_byte_identical_when_built_twice(staged, tmp_path):
    first = _repack(staged, tmp_path / "a")
    # New mtimes and another output directory must not change a byte.
    time.sleep(1.1)
    for root, _, files in os.walk(staged):
        for name in files:
            os.utime(os.path.join(root, name))
    second = _repack(staged, tmp_path / "b")
    assert open(first, "rb").read() == open(second, "rb").read()
    # SOURCE_DATE_EPOCH is honoured (and stays reproducible).
    third = _repack(staged, tmp_path / "c", SOURCE_DATE_EPOCH="1700000000")
    fourth = _repack(staged, tmp_path / "d", SOURCE_DATE_EPOCH="1700000000")
    assert open(third, "rb").read() == open(fourth, "rb").read() != open(first, "rb").read()
    with zipfile.ZipFile(third) as archive:
        assert {i.date_time for i in archive.infolist()} == {time.gmtime(1700000000)[:6]}


def test_record_is_computed_from_the_stage_as_it_is(staged, tmp_path):
    """An edit after staging is what the wheel carries, and its RECORD says so."""
    edited = open(os.path.join(staged, "fixturepkg", "ops.py"), "rb").read() + b"# edited\n"
    with open(os.path.join(staged, "fixturepkg", "ops.py"), "wb") as handle:
        handle.write(edited)
    wheel = cli("repack", "--stage", staged, "--dist", "fixturepkg", "--local-label", LABEL,
                "--out", tmp_path, check=0).stdout.strip()
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("fixturepkg/ops.py") == edited
    from installer.sources import WheelFile
    with WheelFile.open(wheel) as source:
        source.validate_record(validate_contents=True)


@pytest.mark.parametrize("version, label, expected", [
    ("0.0.1", "torch270.cu126", "0.0.1+torch270.cu126"),
    ("0.0.1+cu130torch29", "torch270.cu126", "0.0.1+torch270.cu126"),  # replaced, not appended
    ("1.2", "Torch270_CU126", "1.2+torch270.cu126"),
])
def test_local_label(version, label, expected):
    assert repack.labelled(version, label) == expected


def test_bad_label_is_refused(staged, tmp_path):
    proc = cli("repack", "--stage", staged, "--dist", "fixturepkg", "--local-label", "torch 2.7",
               "--out", tmp_path, check=2)
    assert "torch 2.7" in proc.stderr and not list(tmp_path.glob("*.whl")), proc.stderr


def test_python_tag_must_match_the_modules(staged, tmp_path):
    other = "cp312" if PY_TAG != "cp312" else "cp311"
    proc = cli("repack", "--stage", staged, "--dist", "fixturepkg", "--local-label", LABEL,
               "--out", tmp_path, "--python-tag", other, check=2)
    assert f"native modules are for {PY_TAG}, not the requested {other}" in proc.stderr
