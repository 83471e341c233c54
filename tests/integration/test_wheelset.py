"""The wheel set of the build under test (the ci preset: the fixture, Python
from the pinned source) installed with plain pip: the wheels target writes
the fixture upstream's requirements (tests/fixture/upstream/pyproject.toml)
with torch pinned to the torch built against, and a PEP 503 index.

pip runs --no-index from the build's cell of build/dist: the fresh venvs see this machine's
packages (--system-site-packages: torch 2.7.0, numpy, filelock), which
satisfy the requirements. The refusal uses a tiny local `torch` 2.6.0
distribution built here, installed in the venv over the system's torch.
A requirement on a second sibling of the set is tested by
tests/delivery/test_wheelset.py (the fixture set has one package)."""

import json
import re
import zipfile

import pytest
from wheel.wheelfile import WheelFile

from support import BUILD_DIR, DIST_CELL, WORK_DIR, make_venv, run, scratch_dir

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
