"""copy_tree.cmake, the download step of a patched package from the source
cache: the copy of a read-only cache entry is the owner's to patch (u+w on
every file and directory, the cache's other mode bits kept), and a complete
copy is left alone by the next build. Runs the script on a small tree; as
root (CI) a read-only file would still be writable, so the modes are
asserted, not a failed patch."""

import os
import stat
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "cmake" / "scripts" / "copy_tree.cmake"


def copy(source, dest):
    result = subprocess.run(["cmake", f"-DFROM={source}", f"-DTO={dest}", "-P", SCRIPT],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def read_only_cache(root):
    entry = root / "pkg-0123"
    (entry / "src").mkdir(parents=True)
    (entry / "src" / "unit.cu").write_text("__global__ void k() {}\n")
    (entry / "build.sh").write_text("#!/bin/sh\n")
    (entry / "build.sh").chmod(0o555)
    (entry / "src" / "unit.cu").chmod(0o444)
    for directory in (entry / "src", entry):
        directory.chmod(0o555)
    return entry


def test_a_read_only_entry_is_copied_writable_with_its_other_modes(tmp_path):
    entry = read_only_cache(tmp_path / "cache")
    tree = tmp_path / "trees" / "pkg-0123-patched"
    copy(entry, tree)
    modes = {p.relative_to(tree).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in tree.rglob("*")}
    assert modes["src"] == 0o755 and modes["src/unit.cu"] == 0o644, modes
    assert modes["build.sh"] == 0o755, "the executable bit is the cache's"
    assert (tree / "src" / "unit.cu").read_text() == "__global__ void k() {}\n"
    assert not list(tree.parent.glob("*.partial-*")), "the scratch copy was renamed into place"


def test_a_complete_copy_is_kept_as_it_is(tmp_path):
    entry = read_only_cache(tmp_path / "cache")
    tree = tmp_path / "trees" / "pkg-0123-patched"
    copy(entry, tree)
    unit = tree / "src" / "unit.cu"
    unit.write_text("patched\n")
    os.utime(unit, (1_000_000_000, 1_000_000_000))
    again = copy(entry, tree)
    assert "copied from" in again.stdout and "kept" in again.stdout, again.stdout
    assert unit.read_text() == "patched\n" and unit.stat().st_mtime == 1_000_000_000
