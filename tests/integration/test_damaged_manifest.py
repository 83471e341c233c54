"""A damaged results file heals or speaks (issue 28): the native build's
manifest.json, the one way facts come back from the native build, cut short
(as a full disk or a killed editor leaves it) or removed. The next build
rewrites it, byte for byte what the native build wrote, and says so; the
report, given a damaged one directly, names the file, what is wrong and the
command that fixes it, with no traceback. Runs on the override_build tree
(tests/CMakeLists.txt)."""

import json
import subprocess
import sys

import pytest

from support import REPO, WORK_DIR, build

BUILD = WORK_DIR / "override" / "build"
MANIFEST = BUILD / "native" / "manifest.json"


@pytest.fixture()
def good():
    if not MANIFEST.is_file():
        pytest.skip(f"no {MANIFEST}: fixture.override_build makes that tree")
    text = MANIFEST.read_bytes()
    yield text
    MANIFEST.write_bytes(text)  # whatever a test left, the tree's own manifest


@pytest.mark.parametrize("damage", ["cut short", "removed", "not an object"])
def test_the_next_build_rewrites_a_damaged_manifest(good, damage):
    if damage == "cut short":
        MANIFEST.write_bytes(good[:len(good) // 3])
    elif damage == "removed":
        MANIFEST.unlink()
    else:
        MANIFEST.write_text('{"packages": []}\n')
    result = build(BUILD)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "configuring the native build again to rewrite it" in result.stdout, result.stdout[-3000:]
    assert MANIFEST.read_bytes() == good
    again = build(BUILD)
    assert again.returncode == 0 and "rewrite it" not in again.stdout, again.stdout[-2000:]


def test_the_report_names_a_damaged_manifest_and_the_fix(good):
    MANIFEST.write_bytes(good[:40])
    report = subprocess.run([sys.executable, REPO / "tools" / "build_report.py", BUILD / "report-config.json",
                             BUILD / "report-damaged.json"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    assert report.returncode != 0
    assert "Traceback" not in report.stdout, report.stdout
    assert f"{MANIFEST} is not the manifest the native build wrote" in report.stdout, report.stdout
    assert f"rm {MANIFEST} && cmake {BUILD / 'native'}" in report.stdout, report.stdout
    assert json.loads(good)["packages"]
