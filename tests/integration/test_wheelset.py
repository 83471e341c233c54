"""The wheel set of the build under test (the ci preset: the fixture, Python
from the pinned source) installed with plain pip: the wheels target writes
the fixture upstream's requirements (tests/fixture/upstream/pyproject.toml)
with torch pinned to the torch built against, and a PEP 503 index.

pip runs --no-index from the build's cell of build/dist: the fresh venvs see this machine's
packages (--system-site-packages: torch 2.7.0, numpy, filelock), which
satisfy the requirements. The refusal uses a tiny local `torch` 2.6.0
distribution built here, installed in the venv over the system's torch.
A requirement on a second sibling of the set is tested by
tests/delivery/test_wheelset.py (the fixture set has one package).

The platform tag: the ci preset's policy is rocky9, whose modules earn
manylinux_2_34_x86_64 (auditwheel's rules, abi-audit --platform-tag); pip
asked for a manylinux_2_28 machine finds no wheel, for manylinux_2_34 it
finds this one. A wheel that earns no manylinux tag:
test_platform_tag_linux.py."""

import json
import re
import sys
import zipfile

import pytest
from wheel.wheelfile import WheelFile

from support import ABI_POLICY_FILE, BUILD_DIR, DIST_CELL, PYTHON, make_venv, run, scratch_dir

# The wheels target's record of this Python's wheels in the cell.
PLATFORM_TAGS = f"platform-tags-cp{sys.version_info.major}{sys.version_info.minor}.json"

DIST = DIST_CELL
EXPECTED = ["torch==2.7.0", "numpy", "filelock; python_version >= '3.8'"]


@pytest.fixture(scope="module")
def wheel():
    result = run(["cmake", "--build", BUILD_DIR, "--target", "wheels"])
    assert result.returncode == 0, result.stdout[-4000:]
    assert "note: fixture_pkg requires torch==2.7.0 (was torch>=2.4.0" in result.stdout, result.stdout[-4000:]
    (found,) = DIST.glob("fixture_pkg-0.0.1+torch270.cu126-*.whl")
    return found


def _pip(venv, *args):
    return run([venv / "bin/python", "-m", "pip", "--disable-pip-version-check", *args])


def test_metadata_declares_the_upstreams_requirements(wheel):
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read("fixture_pkg-0.0.1+torch270.cu126.dist-info/METADATA").decode()
    head = meta.partition("\n\n")[0]
    assert re.findall(r"(?m)^Requires-Dist: (.*)$", head) == EXPECTED, head
    assert re.findall(r"(?m)^Requires-Python: (.*)$", head) == [">=3.9"], head


def test_report_lists_each_rewrite(wheel):
    report = json.loads((BUILD_DIR / "report.json").read_text())
    reqs = report["requirements"]["fixture_pkg"]
    assert reqs["requires_python"] == ">=3.9"
    assert [(r["from"], r["to"]) for r in reqs["requirements"]] == [
        ("torch>=2.4.0", "torch==2.7.0"), ("numpy", "numpy"),
        ("filelock; python_version >= '3.8'", "filelock; python_version >= '3.8'")]


def test_index_page(wheel):
    page = (DIST / "simple" / "fixture-pkg" / "index.html").read_text()
    assert f'href="../../{wheel.name}#sha256=' in page, page
    assert 'href="fixture-pkg/"' in (DIST / "simple" / "index.html").read_text()


def test_plain_pip_installs_it_and_refuses_another_torch(wheel):
    work = scratch_dir("wheelset")
    venv = work / "venv"
    make_venv(venv)
    result = _pip(venv, "install", "--no-index", "--find-links", DIST, "fixture_pkg")
    assert result.returncode == 0, result.stdout[-4000:]
    check = run([venv / "bin/python", "-c", "import torch, fixture_pkg; print(torch.__version__)"])
    assert check.returncode == 0 and "2.7.0" in check.stdout, check.stdout
    result = _pip(venv, "check")
    assert result.returncode == 0, result.stdout

    # A venv whose torch is 2.6.0 (a tiny distribution shadowing the system's).
    torches = work / "torch-2.6.0"
    torches.mkdir()
    with WheelFile(torches / "torch-2.6.0-py3-none-any.whl", "w") as tiny:
        tiny.writestr("torch/__init__.py", "__version__ = '2.6.0'\n")
        tiny.writestr("torch-2.6.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: torch\nVersion: 2.6.0\n\n")
        tiny.writestr("torch-2.6.0.dist-info/WHEEL",
                      "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n")
    other = work / "venv-torch260"
    make_venv(other)
    # ==2.6.0: a bare `torch` would be satisfied by the system's 2.7.0.
    assert _pip(other, "install", "--no-index", "--find-links", torches, "torch==2.6.0").returncode == 0
    shadow = run([other / "bin/python", "-c", "import importlib.metadata as m; print(m.version('torch'))"])
    assert shadow.stdout.strip() == "2.6.0", shadow.stdout
    result = _pip(other, "install", "--no-index", "--find-links", DIST, "--find-links", torches, "fixture_pkg")
    assert result.returncode != 0 and "torch==2.7.0" in result.stdout, result.stdout[-4000:]


def test_wheel_is_tagged_with_what_the_audit_proved(wheel):
    assert ABI_POLICY_FILE.endswith("/rocky9.policy"), "the ci preset builds for rocky9"
    assert wheel.name.endswith("-manylinux_2_34_x86_64.whl"), wheel.name
    with zipfile.ZipFile(wheel) as zf:
        wheel_file = zf.read("fixture_pkg-0.0.1+torch270.cu126.dist-info/WHEEL").decode()
    assert re.findall(r"(?m)^Tag: (.*)$", wheel_file) == [wheel.name.split("-", 2)[2][:-len(".whl")]], wheel_file
    (entry,) = json.loads((DIST / PLATFORM_TAGS).read_text())["wheels"]
    assert (entry["dist"], entry["wheel"], entry["platform_tag"]) == ("fixture_pkg", wheel.name,
                                                                      "manylinux_2_34_x86_64")
    # Why not manylinux_2_31: a version only 2_34 of auditwheel's policies has.
    assert entry["reason"].startswith("not manylinux_2_31_x86_64: fixture_pkg/"), entry
    report = json.loads((BUILD_DIR / "report.json").read_text())
    assert report["platform_tags"]["wheels"] == [entry]


def _pip_download(platform, dest):
    version = run([PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).stdout.strip()
    return run([PYTHON, "-m", "pip", "--disable-pip-version-check", "download", "--no-index", "--find-links", DIST,
                "--only-binary=:all:", "--platform", platform, "--python-version", version, "--no-deps",
                "--dest", dest, "fixture_pkg"])


def test_pip_refuses_it_where_it_would_not_load(wheel):
    work = scratch_dir("wheelset-platform")
    result = _pip_download("manylinux_2_28_x86_64", work / "on-2_28")
    assert result.returncode != 0 and "No matching distribution found for fixture_pkg" in result.stdout, result.stdout
    result = _pip_download("manylinux_2_34_x86_64", work / "on-2_34")
    assert result.returncode == 0, result.stdout
    assert [p.name for p in (work / "on-2_34").iterdir()] == [wheel.name]
