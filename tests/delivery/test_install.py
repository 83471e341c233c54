"""install: overlay onto a venv where the wheel was pip-installed (only the
native file and its RECORD line change), or a whole install where it was
not; RECORD verified by hashing every file; pip check clean; pip uninstall
leaves nothing behind."""

import os

from helpers import EXT_SUFFIX, changed, cli, pip, run_py, tree, verify_record

NATIVE = f"fixturepkg/_C{EXT_SUFFIX}"
LEGACY = f"fixturepkg/_legacy{EXT_SUFFIX}"
DIST_INFO = "fixturepkg-0.1.0.dist-info"


def test_overlay_replaces_only_the_native_file(built, staged, venv):
    python, site = venv
    empty = tree(site)
    pip(python, "install", "--no-deps", "--no-index", built["wheel"])
    assert run_py(python, "import fixturepkg; print(fixturepkg.which_build())") == "1"
    before = tree(site)

    proc = cli("install", "--stage", staged, "--site-packages", site, check=0)
    assert "replaced 1 native file(s) of the installed 0.1.0" in proc.stdout
    # The leftover native the stage does not carry is named, not silently kept.
    assert LEGACY in proc.stderr
    after = tree(site)
    assert changed(before, after) == sorted([NATIVE, f"{DIST_INFO}/RECORD"])
    listed = verify_record(site, DIST_INFO)
    assert NATIVE in listed
    assert (f"{DIST_INFO}/INSTALLER") in listed   # pip's own lines are kept
    assert open(os.path.join(site, DIST_INFO, "INSTALLER")).read().strip() == "pip"

    assert run_py(python, "import fixturepkg; print(fixturepkg.which_build(), fixturepkg.add(2, 3), "
                          "fixturepkg.scale(2, 1.5))") == "2 5 3.0"
    pip(python, "check")
    pip(python, "uninstall", "-y", "fixturepkg")
    assert tree(site) == empty, changed(empty, tree(site))


def test_whole_install_where_not_installed(staged, venv):
    python, site = venv
    empty = tree(site)
    proc = cli("install", "--stage", staged, "--site-packages", site, check=0)
    assert "(new, INSTALLER trellis2-native)" in proc.stdout
    listed = verify_record(site, DIST_INFO)
    assert set(listed) == {NATIVE, "fixturepkg/__init__.py", "fixturepkg/ops.py",
                           f"{DIST_INFO}/METADATA", f"{DIST_INFO}/WHEEL", f"{DIST_INFO}/top_level.txt",
                           f"{DIST_INFO}/INSTALLER", f"{DIST_INFO}/RECORD"}
    assert open(os.path.join(site, DIST_INFO, "INSTALLER")).read() == "trellis2-native\n"
    # Importing writes __pycache__, which pip uninstall must still remove.
    assert run_py(python, "import fixturepkg; print(fixturepkg.which_build())") == "2"
    pip(python, "check")
    assert "Version: 0.1.0" in pip(python, "show", "fixturepkg").stdout
    pip(python, "uninstall", "-y", "fixturepkg")
    assert tree(site) == empty, changed(empty, tree(site))


def test_overlay_twice_is_stable(built, staged, venv):
    python, site = venv
    pip(python, "install", "--no-deps", "--no-index", built["wheel"])
    cli("install", "--stage", staged, "--site-packages", site, check=0)
    once = tree(site)
    cli("install", "--stage", staged, "--site-packages", site, check=0)
    assert tree(site) == once
    verify_record(site, DIST_INFO)


def test_dry_run_changes_nothing(built, staged, venv):
    python, site = venv
    pip(python, "install", "--no-deps", "--no-index", built["wheel"])
    before = tree(site)
    proc = cli("install", "--stage", staged, "--site-packages", site, "--dry-run", check=0)
    assert f"replace {NATIVE}" in proc.stdout and f"rewrite {DIST_INFO}/RECORD" in proc.stdout
    assert tree(site) == before


def test_refuses_files_no_distribution_owns(staged, venv):
    """The seed's `cp *.so` left files pip does not know; never overwrite them."""
    _, site = venv
    os.makedirs(os.path.join(site, "fixturepkg"))
    with open(os.path.join(site, NATIVE), "wb") as handle:
        handle.write(b"copied by hand")
    before = tree(site)
    proc = cli("install", "--stage", staged, "--site-packages", site, check=2)
    assert os.path.join(site, NATIVE) in proc.stderr and "next:" in proc.stderr, proc.stderr
    assert tree(site) == before


def test_failure_rolls_back(built, staged, venv):
    """A real failure (not an injected one): a read-only directory midway."""
    python, site = venv
    pip(python, "install", "--no-deps", "--no-index", built["wheel"])
    before = tree(site)
    if os.geteuid() == 0:
        # root ignores directory permissions: fail through the fault hook instead.
        cli("install", "--stage", staged, "--site-packages", site, check=3,
            TRELLIS2_INSTALL_FAULT="4:raise")
    else:
        os.chmod(os.path.join(site, DIST_INFO), 0o555)
        try:
            cli("install", "--stage", staged, "--site-packages", site, check=3)
        finally:
            os.chmod(os.path.join(site, DIST_INFO), 0o755)
    assert tree(site) == before


def test_overlay_corrects_stale_record_lines(built, staged, venv, tmp_path):
    """pip copies a wheel's RECORD hashes; a wheel whose .py was edited after
    the build (as ComfyUI-Trellis2's o_voxel and cumesh were) leaves a RECORD
    that lies. The overlay's RECORD tells the truth about every file."""
    from helpers import rewrite_wheel
    edited = rewrite_wheel(built["wheel"], str(tmp_path / os.path.basename(built["wheel"])),
                           change={"fixturepkg/ops.py": open(os.path.join(
                               staged, "fixturepkg", "ops.py"), "rb").read() + b"# edited\n"},
                           keep_record=True)
    python, site = venv
    pip(python, "install", "--no-deps", "--no-index", edited)
    before = tree(site)
    proc = cli("install", "--stage", staged, "--site-packages", site, check=0)
    assert "fixturepkg/ops.py" in proc.stderr, proc.stderr   # the corrected line is named
    assert changed(before, tree(site)) == sorted([NATIVE, f"{DIST_INFO}/RECORD"])
    verify_record(site, DIST_INFO)
    # The installed, edited Python is kept: only native files are replaced.
    assert open(os.path.join(site, "fixturepkg", "ops.py")).read().endswith("# edited\n")
