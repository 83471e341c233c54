"""stage-wheel: the wheel's Python and metadata land in the stage unchanged,
its native files do not, and a native file the build does not replace is
reported (warning, or exit 1 with --strict)."""

import json
import os
import shutil
import zipfile

from helpers import EXT_SUFFIX, cli, tree

LEGACY = f"fixturepkg/_legacy{EXT_SUFFIX}"
NATIVE = f"fixturepkg/_C{EXT_SUFFIX}"


def test_stage_keeps_python_drops_natives(built, tmp_path):
    stage = tmp_path / "stage"
    report = tmp_path / "report.json"
    proc = cli("stage-wheel", built["wheel"], "--stage", stage, "--native", "fixturepkg._C",
               "--report", report, check=0)
    with zipfile.ZipFile(built["wheel"]) as wheel:
        for name in wheel.namelist():
            staged = stage / name
            if name.endswith(".so") or name.endswith("/RECORD"):
                continue
            assert staged.read_bytes() == wheel.read(name), name   # nothing else changes
    assert not list(stage.rglob("*.so"))
    assert f"native {NATIVE} -> replaced by the build's fixturepkg._C" in proc.stdout
    # The leftover is loud: on stderr, with the file, the module, and what to do.
    assert "WARNING" in proc.stderr and LEGACY in proc.stderr and "fixturepkg._legacy" in proc.stderr
    data = json.loads(report.read_text())
    assert data["leftover"] == [LEGACY]
    assert {n["path"]: n["replaced"] for n in data["natives"]} == {NATIVE: True, LEGACY: False}
    cli("install", "--stage", stage, "--site-packages", tmp_path, "--dry-run", check=0)


def test_strict_refuses_leftover_and_stages_nothing(built, tmp_path):
    stage = tmp_path / "stage"
    proc = cli("stage-wheel", built["wheel"], "--stage", stage, "--native", "fixturepkg._C",
               "--strict", check=1)
    assert LEGACY in proc.stderr and "expected:" in proc.stderr and "next:" in proc.stderr
    assert not stage.exists()
    cli("stage-wheel", built["wheel"], "--stage", stage, "--strict",
        "--native", "fixturepkg._C", "fixturepkg._legacy", check=0)


def test_delivery_lists_natives_copied_in_later(built, tmp_path):
    """The stage holds no computed RECORD: the install plan lists the module
    the build copied in after staging, with no step in between."""
    stage = tmp_path / "stage"
    cli("stage-wheel", built["wheel"], "--stage", stage, "--native", "fixturepkg._C", check=0)
    plan = cli("install", "--stage", stage, "--site-packages", tmp_path, "--dry-run", check=0).stdout
    assert NATIVE not in plan
    shutil.copytree(built["full"], stage, dirs_exist_ok=True)
    plan = cli("install", "--stage", stage, "--site-packages", tmp_path, "--dry-run", check=0).stdout
    assert f"add     {NATIVE}" in plan.splitlines()[1:] or f"  add     {NATIVE}" in plan, plan


def test_restage_keeps_copied_natives(built, staged):
    """Re-running stage-wheel (a rebuild) must not delete the native files the
    build copied in, nor leave anything stale."""
    before = tree(staged)
    cli("stage-wheel", built["wheel"], "--stage", staged, "--native", "fixturepkg._C", check=0)
    assert tree(staged) == before


def test_bad_wheel_is_not_staged(built, tmp_path):
    broken = tmp_path / os.path.basename(built["wheel"])
    data = open(built["wheel"], "rb").read()
    broken.write_bytes(data[:100])
    stage = tmp_path / "stage"
    assert "corrupt zip" in cli("stage-wheel", broken, "--stage", stage, check=2).stderr
    assert not stage.exists()
