"""A wheel set plain pip installs: requirements from the upstream's
pyproject (source mode) or the input wheel's METADATA (wheel mode), a
requirement on a distribution of the set pinned to the version delivered
beside it, torch pinned to the torch built against, a PEP 503 index over
the wheels, and the same requirements in site-packages after an overlay.

The set has two distributions: fixturepkg (the delivery fixture, a native
module) and fixture_sibling, a minimal pure-Python second sibling made here
(the way o_voxel requires cumesh). torch is a tiny local distribution built
here (a `torch` package with only a version), 2.7.0 as "built against" and
2.6.0 as the other torch the resolver must refuse; every pip run is
--no-index, so no network."""

import hashlib
import os
import re
import shutil
import zipfile

import pytest
from wheel.wheelfile import WheelFile

from helpers import cli, make_venv, pip, rewrite_wheel, run_py, verify_record

LABEL = "torch270.cu126"
SIBLING_URL = "fixture-sibling @ git+https://github.com/example/fixture-sibling.git"
FIXTURE_DEPS = '["torch>=2.4.0", "%s", "tomli; python_version < \'3.0\'"]' % SIBLING_URL


def tiny_wheel(out_dir, name, version):
    """A real, installable wheel of `name` holding only its version."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{name}-{version}-py3-none-any.whl")
    with WheelFile(path, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", f"__version__ = {version!r}\n")
        wheel.writestr(f"{name}-{version}.dist-info/METADATA",
                       f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")
        wheel.writestr(f"{name}-{version}.dist-info/WHEEL",
                       "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n")
    return path


@pytest.fixture(scope="module")
def torches(tmp_path_factory):
    root = tmp_path_factory.mktemp("torches")
    return {v: os.path.dirname(tiny_wheel(str(root / v), "torch", v)) for v in ("2.7.0", "2.6.0")}


def _source(tmp_path, name, pyproject, setup_py=None):
    """An upstream source root with its pyproject.toml (and setup.py)."""
    src = tmp_path / f"src-{name}"
    src.mkdir()
    (src / "pyproject.toml").write_text(pyproject)
    if setup_py:
        (src / "setup.py").write_text(setup_py)
    return src


def _add_sibling(tmp_path, stage):
    """fixture_sibling 0.2.0 staged from a source whose dependencies are
    dynamic: its setup.py's literal install_requires is read (not run)."""
    src = _source(tmp_path, "sibling", '[project]\nname = "fixture_sibling"\nversion = "0.2.0"\n'
                  'dynamic = ["dependencies"]\n',
                  "from setuptools import setup\nsetup(install_requires=['torch'])\n")
    (stage / "fixture_sibling").mkdir()
    (stage / "fixture_sibling" / "__init__.py").write_text("VALUE = 42\n")
    proc = cli("make-dist-info", "--stage", stage, "--name", "fixture_sibling", "--version", "0.2.0",
               "--top-level", "fixture_sibling", "--source", src, check=0)
    assert "literal install_requires" in proc.stderr, proc.stderr


def _source_stage(built, tmp_path):
    stage = tmp_path / "stage"
    shutil.copytree(os.path.join(os.path.dirname(__file__), "fixturepkg_src", "fixturepkg"),
                    stage / "fixturepkg")
    src = _source(tmp_path, "fixturepkg", '[project]\nname = "fixturepkg"\nversion = "0.1.0"\n'
                  f'requires-python = ">=3.9"\ndependencies = {FIXTURE_DEPS}\n')
    cli("make-dist-info", "--stage", stage, "--name", "fixturepkg", "--version", "0.1.0",
        "--top-level", "fixturepkg", "--source", src, check=0)
    shutil.copytree(built["full"], stage, dirs_exist_ok=True)
    _add_sibling(tmp_path, stage)
    return stage


def _wheel_stage(built, tmp_path):
    """Wheel mode: the input wheel's METADATA carries the direct reference,
    as the ComfyUI-Trellis2 o_voxel wheel carries `cumesh @ git+...`."""
    with zipfile.ZipFile(built["wheel"]) as wheel:
        meta_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        meta = wheel.read(meta_name).decode()
    head, _, body = meta.partition("\n\n")
    head += f"\nRequires-Dist: torch>=2.4.0\nRequires-Dist: {SIBLING_URL}"
    wheel_in = rewrite_wheel(built["wheel"], str(tmp_path / os.path.basename(built["wheel"])),
                             change={meta_name: (head + "\n\n" + body).encode()})
    stage = tmp_path / "stage"
    cli("stage-wheel", wheel_in, "--stage", stage, "--native", "fixturepkg._C", check=0)
    shutil.copytree(built["full"], stage, dirs_exist_ok=True)
    _add_sibling(tmp_path, stage)
    return stage, wheel_in


def _repack_set(stage, out):
    wheels = {}
    for dist in ("fixturepkg", "fixture_sibling"):
        proc = cli("repack", "--stage", stage, "--dist", dist, "--local-label", LABEL, "--out", out,
                   "--set", "fixturepkg", "fixture_sibling", "--torch-version", "2.7.0", check=0)
        wheels[dist] = proc.stdout.strip()
    cli("index", "--dist", out, check=0)
    return wheels


def _requires(wheel):
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    head = meta.partition("\n\n")[0]
    return (re.findall(r"(?m)^Requires-Dist: (.*)$", head),
            re.findall(r"(?m)^Requires-Python: (.*)$", head))


@pytest.mark.parametrize("mode", ["source", "wheel"])
def test_metadata_pins_torch_and_the_sibling(built, tmp_path, mode):
    stage = _source_stage(built, tmp_path) if mode == "source" else _wheel_stage(built, tmp_path)[0]
    wheels = _repack_set(stage, tmp_path / "dist")
    reqs, requires_python = _requires(wheels["fixturepkg"])
    expected = ["torch==2.7.0", "fixture-sibling==0.2.0+torch270.cu126"]
    if mode == "source":   # the marker is kept as the upstream wrote it
        expected.append("tomli; python_version < '3.0'")
    assert reqs == expected
    assert requires_python == ([">=3.9"] if mode == "source" else [])
    assert _requires(wheels["fixture_sibling"])[0] == ["torch==2.7.0"]


def test_index_links_every_wheel_with_its_hash(built, tmp_path):
    stage = _source_stage(built, tmp_path)
    dist = tmp_path / "dist"
    wheels = _repack_set(stage, dist)
    top = (dist / "simple" / "index.html").read_text()
    assert 'href="fixturepkg/"' in top and 'href="fixture-sibling/"' in top
    page = (dist / "simple" / "fixturepkg" / "index.html").read_text()
    name = os.path.basename(wheels["fixturepkg"])
    digest = hashlib.sha256(open(wheels["fixturepkg"], "rb").read()).hexdigest()
    assert f'href="../../{name}#sha256={digest}"' in page, page
    assert 'data-requires-python="&gt;=3.9"' in page


@pytest.mark.parametrize("how", ["find-links", "index"])
def test_pip_installs_the_set_and_refuses_another_torch(built, tmp_path, torches, how):
    stage = _source_stage(built, tmp_path)
    dist = tmp_path / "dist"
    _repack_set(stage, dist)
    where = (["--no-index", "--find-links", str(dist)] if how == "find-links"
             else ["--index-url", (dist / "simple").as_uri()])
    python, _ = make_venv(str(tmp_path / "venv"))
    pip(python, "install", *where, "--find-links", torches["2.7.0"], "fixturepkg")
    assert run_py(python, "import fixturepkg, fixture_sibling, torch; "
                          "print(fixturepkg.add(1, 2), fixture_sibling.VALUE, torch.__version__)") == "3 42 2.7.0"
    pip(python, "check")

    other, _ = make_venv(str(tmp_path / "venv-torch260"))
    pip(other, "install", "--no-index", "--find-links", torches["2.6.0"], "torch")
    proc = pip(other, "install", *where, "--find-links", torches["2.6.0"], "fixturepkg", check=False)
    assert proc.returncode != 0, proc.stdout
    assert "torch==2.7.0" in proc.stderr, proc.stderr
    assert pip(other, "show", "fixturepkg", check=False).returncode != 0


def test_overlay_pins_the_installed_requirements(built, tmp_path, torches):
    """cmake --install's path: the input wheel pip-installed with --no-deps
    (its `fixture-sibling @ git+...` unresolved), then the overlay: its
    METADATA is pinned to the sibling installed beside it and the torch,
    RECORD stays true, and pip check is clean."""
    stage, wheel_in = _wheel_stage(built, tmp_path)
    python, site = make_venv(str(tmp_path / "venv"))
    pip(python, "install", "--no-index", "--find-links", torches["2.7.0"], "torch")
    pip(python, "install", "--no-deps", "--no-index", wheel_in)
    assert pip(python, "check", check=False).returncode != 0   # the sibling is missing
    proc = cli("install", "--stage", stage, "--site-packages", site, "--torch-version", "2.7.0", check=0)
    assert "fixturepkg requires fixture-sibling==0.2.0 (was " + SIBLING_URL in proc.stderr, proc.stderr
    meta = open(os.path.join(site, "fixturepkg-0.1.0.dist-info", "METADATA")).read()
    assert re.findall(r"(?m)^Requires-Dist: (.*)$", meta) == ["torch==2.7.0", "fixture-sibling==0.2.0"]
    verify_record(site, "fixturepkg-0.1.0.dist-info")
    verify_record(site, "fixture_sibling-0.2.0.dist-info")
    pip(python, "check")


def test_requirement_excluding_the_built_torch_is_refused(built, tmp_path):
    stage = tmp_path / "stage"
    shutil.copytree(os.path.join(os.path.dirname(__file__), "fixturepkg_src", "fixturepkg"),
                    stage / "fixturepkg")
    cli("make-dist-info", "--stage", stage, "--name", "fixturepkg", "--version", "0.1.0",
        "--top-level", "fixturepkg", "--requires", "torch<2.5", check=0)
    shutil.copytree(built["full"], stage, dirs_exist_ok=True)
    proc = cli("repack", "--stage", stage, "--dist", "fixturepkg", "--local-label", LABEL,
               "--out", tmp_path / "dist", "--torch-version", "2.7.0", check=2)
    assert "torch<2.5: excludes the torch 2.7.0" in proc.stderr, proc.stderr
    assert not list(tmp_path.glob("dist/*.whl"))


def test_direct_reference_outside_the_set_is_kept_with_a_warning(built, tmp_path):
    stage = _source_stage(built, tmp_path)
    proc = cli("repack", "--stage", stage, "--dist", "fixturepkg", "--local-label", LABEL,
               "--out", tmp_path / "dist", "--set", "fixturepkg", "--torch-version", "2.7.0", check=0)
    assert "WARNING: kept a direct reference to fixture-sibling" in proc.stderr, proc.stderr
    assert SIBLING_URL in _requires(proc.stdout.strip())[0]
