"""Wheels that would write outside the target or run code by themselves are
refused by every reader (check-wheel, stage-wheel, api-uses) with exit 2,
the member named, and nothing written anywhere. Each wheel here is
consistent: its RECORD lists the bad member with the right hash, so only
the member's name or kind gives it away."""

import hashlib
import os

import pytest

from helpers import PY_TAG, cli, rewrite_wheel, tree

DIST_INFO = "fixturepkg-0.1.0.dist-info"
SCRIPT_ENTRY = b"[console_scripts]\nfixture-run = fixturepkg.ops:main\n"

UNSAFE = {
    "parent-traversal": ({"../../../../x/pwned.txt": b"pwned\n"}, (), "../../../../x/pwned.txt"),
    "absolute": ({"/x/pwned.txt": b"pwned\n"}, (), "/x/pwned.txt"),
    "data-traversal": ({"fixturepkg-0.1.0.data/purelib/../../x": b"pwned\n"}, (),
                       "fixturepkg-0.1.0.data/purelib/../../x"),
    "backslash": ({"fixturepkg\\..\\..\\x.py": b"x = 1\n"}, (), "fixturepkg\\..\\..\\x.py"),
    "symlink": ({"fixturepkg/link.py": b"/etc/passwd"}, ("fixturepkg/link.py",), "fixturepkg/link.py"),
    "case-twin": ({"fixturepkg/OPS.py": b"x = 1\n"}, (), "fixturepkg/OPS.py"),
}
SELF_RUNNING = {
    "pth": ({"fixturepkg-hook.pth": b"import os\n"}, "fixturepkg-hook.pth"),
    "console-script": ({f"{DIST_INFO}/entry_points.txt": SCRIPT_ENTRY}, "console_scripts"),
    "data-script": ({"fixturepkg-0.1.0.data/scripts/fixture-run": b"#!python\n"},
                    "fixturepkg-0.1.0.data/scripts/fixture-run"),
}


def _wheel(built, tmp_path, add, symlinks=()):
    folder = tmp_path / "wheels"
    folder.mkdir(exist_ok=True)
    return rewrite_wheel(built["wheel"], str(folder / os.path.basename(built["wheel"])),
                         add=add, symlinks=symlinks)


def _refused_everywhere(wheel, tmp_path, member, *named):
    """Every reader exits 2 naming the member (and `named`); nothing lands in
    or around the stage."""
    work = tmp_path / "work"
    stage = work / "a" / "b" / "c" / "stage"
    stage.parent.mkdir(parents=True)
    before = tree(tmp_path)
    runs = {
        "check-wheel": cli("check-wheel", wheel, "--package", "fixturepkg", "--python-tag", PY_TAG),
        "stage-wheel": cli("stage-wheel", wheel, "--stage", stage, "--native", "fixturepkg._C"),
        "api-uses": cli("api-uses", "--python", wheel),
    }
    for command, proc in runs.items():
        assert proc.returncode == 2, f"{command}: exit {proc.returncode}\n{proc.stdout}{proc.stderr}"
        for fact in (member, *named):
            assert fact in proc.stderr, f"{command} does not name {fact!r}:\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, proc.stderr
    assert tree(tmp_path) == before, "a refused wheel wrote files"
    assert not os.path.exists("/x/pwned.txt")


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_member_refused(case, built, tmp_path):
    add, symlinks, member = UNSAFE[case]
    _refused_everywhere(_wheel(built, tmp_path, add, symlinks), tmp_path, member)


def test_other_distribution_in_dist_info(built, tmp_path):
    """The file is fixturepkg's by name, its dist-info claims otherpkg."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    wheel = rewrite_wheel(built["wheel"], str(folder / os.path.basename(built["wheel"])),
                          rename_dist=(DIST_INFO, "otherpkg-0.1.0.dist-info"))
    _refused_everywhere(wheel, tmp_path, "otherpkg")


@pytest.mark.parametrize("case", sorted(SELF_RUNNING))
def test_self_running_code_needs_a_pin(case, built, tmp_path):
    add, member = SELF_RUNNING[case]
    wheel = _wheel(built, tmp_path, add)
    sha256 = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
    _refused_everywhere(wheel, tmp_path, member, sha256)   # the hint names the sha256 to pin
    pins = tmp_path / "pins.cmake"
    pins.write_text(sha256 + "\n")
    proc = cli("check-wheel", wheel, "--package", "fixturepkg", "--python-tag", PY_TAG,
               "--pins", pins, check=0 if case != "data-script" else None)
    if case == "data-script":
        # Pinned, it passes the check; staging still refuses a file outside site-packages.
        assert proc.returncode == 0, proc.stderr
        proc = cli("stage-wheel", wheel, "--stage", tmp_path / "stage", "--pins", pins, check=2)
        assert member in proc.stderr
