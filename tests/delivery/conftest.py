"""Fixtures: the fixture wheel and native builds, made once per session for
the Python running the tests (the configured Python under CTest)."""

import importlib.util
import os
import shutil
import sys

import pytest

import helpers


def _require(module):
    # find_spec, not import: importing setuptools here would fight pytest over distutils.
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed for {sys.executable}: the fixture wheel is built "
                    f"with it (pip install {module})")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Everything built once: the wheel, and the 'build output' directories."""
    for module in ("pip", "setuptools", "wheel"):
        _require(module)
    if not (shutil.which("gcc") or shutil.which("cc")):
        pytest.skip("no C compiler on PATH: the fixture's native modules cannot be built")
    work = str(tmp_path_factory.mktemp("fixture"))
    wheel = helpers.build_fixture_wheel(work)
    source = os.path.join(helpers.FIXTURE_SRC, "native", "_C.c")
    full = os.path.join(work, "native-full")          # what a correct build makes
    helpers.compile_module(full, "fixturepkg._C", source, "FIXTURE_BUILD=2")
    missing = os.path.join(work, "native-missing")    # a build that lost scale()
    helpers.compile_module(missing, "fixturepkg._C", source, "FIXTURE_BUILD=3", "FIXTURE_OMIT_SCALE")
    return {"wheel": wheel, "full": full, "missing": missing, "work": work}


@pytest.fixture
def staged(built, tmp_path):
    """A stage made the way the superbuild makes it: stage-wheel, then copy
    the built module in."""
    stage = str(tmp_path / "stage")
    helpers.cli("stage-wheel", built["wheel"], "--stage", stage, "--native", "fixturepkg._C", check=0)
    shutil.copytree(built["full"], stage, dirs_exist_ok=True)
    return stage


@pytest.fixture
def venv(tmp_path):
    return helpers.make_venv(str(tmp_path / "venv"))


def pytest_report_header(config):
    return f"delivery tests with {sys.executable} ({helpers.PY_TAG}, suffix {helpers.EXT_SUFFIX})"
