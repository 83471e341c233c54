"""Source mode: no input wheel. make-dist-info writes a minimal dist-info for
Python copied from the source tree; api-check, install and repack
then work as in wheel mode. A top-level native module (like nvdiffrast's
_nvdiffrast_c) belongs to the distribution through top_level.txt."""

import os
import shutil

import pytest

from helpers import (EXT_SUFFIX, FIXTURE_SRC, changed, cli, compile_module, make_venv, pip,
                     run_py, tree, verify_record)

DIST_INFO = "fixturepkg-0.1.0.dist-info"


def _source_stage(built, tmp_path):
    stage = tmp_path / "stage"
    shutil.copytree(os.path.join(FIXTURE_SRC, "fixturepkg"), stage / "fixturepkg")
    # The Python first; _legacy, a top-level native module here, is named
    # before the build has made it, as the superbuild does.
    proc = cli("make-dist-info", "--stage", stage, "--name", "fixturepkg", "--version", "0.1.0",
               "--top-level", "fixturepkg", "_legacy", "--summary", "fixture for trellis2-native",
               check=0)
    assert proc.stdout.strip().endswith(DIST_INFO)
    assert "_legacy is not in the stage yet" in proc.stderr
    compile_module(str(stage), "_legacy", os.path.join(FIXTURE_SRC, "native", "_legacy.c"))
    shutil.copytree(built["full"], stage, dirs_exist_ok=True)
    return stage


def test_dist_info_is_minimal_and_valid(built, tmp_path):
    stage = _source_stage(built, tmp_path)
    dist = stage / DIST_INFO
    assert sorted(os.listdir(dist)) == ["METADATA", "WHEEL", "top_level.txt"]
    meta = (dist / "METADATA").read_text()
    assert meta.startswith("Metadata-Version: 2.1\nName: fixturepkg\nVersion: 0.1.0\n")
    assert (dist / "top_level.txt").read_text() == "_legacy\nfixturepkg\n"
    site = tmp_path / "site"
    site.mkdir()
    cli("install", "--stage", stage, "--site-packages", site, check=0)
    listed = verify_record(str(site), DIST_INFO)
    for rel in (f"fixturepkg/_C{EXT_SUFFIX}", f"_legacy{EXT_SUFFIX}", "fixturepkg/ops.py"):
        assert rel in listed
    cli("api-check", "--python", stage, "--native", stage, "--no-preload", check=0)


@pytest.mark.parametrize("version", ["1..2", "v", "0.1-"])
def test_bad_version_is_refused(tmp_path, version):
    stage = tmp_path / "stage"
    shutil.copytree(os.path.join(FIXTURE_SRC, "fixturepkg"), stage / "fixturepkg")
    proc = cli("make-dist-info", "--stage", stage, "--name", "fixturepkg", "--version", version,
               "--top-level", "fixturepkg", check=2)
    assert repr(version) in proc.stderr
    assert not list(stage.glob("*.dist-info"))


def test_requires_lines(tmp_path):
    stage = tmp_path / "stage"
    shutil.copytree(os.path.join(FIXTURE_SRC, "fixturepkg"), stage / "fixturepkg")
    cli("make-dist-info", "--stage", stage, "--name", "fixturepkg", "--version", "0.1.0",
        "--top-level", "fixturepkg", "--requires", "numpy>=1.21", "trimesh", check=0)
    meta = (stage / DIST_INFO / "METADATA").read_text()
    assert "Requires-Dist: numpy>=1.21\nRequires-Dist: trimesh\n" in meta


def test_missing_top_level_is_refused(tmp_path):
    stage = tmp_path / "stage"
    stage.mkdir()
    proc = cli("make-dist-info", "--stage", stage, "--name", "fixturepkg", "--version", "0.1.0",
               "--top-level", "fixturepkg", check=2)
    assert "fixturepkg" in proc.stderr and not list(stage.glob("*.dist-info")), proc.stderr


def test_install_and_uninstall(built, tmp_path):
    stage = _source_stage(built, tmp_path)
    python, site = make_venv(str(tmp_path / "venv"))
    empty = tree(site)
    cli("install", "--stage", stage, "--site-packages", site, check=0)
    verify_record(site, DIST_INFO)
    assert run_py(python, "import fixturepkg, _legacy; print(fixturepkg.which_build())") == "2"
    pip(python, "check")
    pip(python, "uninstall", "-y", "fixturepkg")
    assert tree(site) == empty, changed(empty, tree(site))


def test_repack_installs_in_fresh_venv(built, tmp_path):
    stage = _source_stage(built, tmp_path)
    wheel = cli("repack", "--stage", stage, "--dist", "fixturepkg", "--local-label",
                "torch270.cu126", "--out", tmp_path / "dist", check=0).stdout.strip()
    python, site = make_venv(str(tmp_path / "venv"))
    empty = tree(site)
    pip(python, "install", "--no-deps", "--no-index", wheel)
    assert run_py(python, "import fixturepkg, _legacy; print(fixturepkg.add(1, 2))") == "3"
    pip(python, "check")
    pip(python, "uninstall", "-y", "fixturepkg")
    assert tree(site) == empty, changed(empty, tree(site))
