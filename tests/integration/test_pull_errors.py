"""A pinned commit the repository lacks, a short commit, and a patch that no
longer applies each fail with the pin file's name and the commit, before
anything compiles."""

from support import build, configure, make_fixture_repo, one_line, run, scratch_dir


def write_pin(path, repo, commit, patches=""):
    path.write_text(f'set(PIN_REPOSITORY "file://{repo}")\nset(PIN_COMMIT "{commit}")\n'
                    f'set(PIN_SUBDIR "")\nset(PIN_MARKER "fixture_pkg/__init__.py")\nset(PIN_PATCHES "{patches}")\n')


def test_commit_missing_from_repository():
    work = scratch_dir("pull-bad-commit")
    repo, _, _ = make_fixture_repo(work)
    missing = "0123456789abcdef0123456789abcdef01234567"
    pin = work / "bad-commit.cmake"
    write_pin(pin, repo, missing)
    build_dir = work / "build"
    assert configure(build_dir, f"-DTRELLIS2_FIXTURE_PIN_FILE={pin}").returncode == 0
    result = build(build_dir, "--target", "fixture")
    assert result.returncode != 0
    text = one_line(result.stdout)
    assert f"Commit {missing}, pinned in {pin}, is not in file://{repo}" in text
    assert not list((build_dir / "native").rglob("*.o"))


def test_short_commit_is_refused_at_configure():
    work = scratch_dir("pull-short-commit")
    repo, commit, _ = make_fixture_repo(work)
    pin = work / "short.cmake"
    write_pin(pin, repo, commit[:7])
    result = configure(work / "build", f"-DTRELLIS2_FIXTURE_PIN_FILE={pin}")
    assert result.returncode != 0
    assert f"{pin}: PIN_COMMIT '{commit[:7]}' is not a full 40-character commit SHA" in one_line(result.stdout)


def test_patch_that_no_longer_applies():
    work = scratch_dir("pull-bad-patch")
    repo, commit, _ = make_fixture_repo(work)
    patch = work / "stale.patch"
    patch.write_text("--- a/src/add_one.cu\n+++ b/src/add_one.cu\n@@ -1,3 +1,3 @@\n"
                     "-// a line that is not in the file\n+// its replacement\n"
                     " #include <cstdint>\n #include <cuda_runtime.h>\n")
    pin = work / "patched.cmake"
    write_pin(pin, repo, commit, patches=str(patch))
    build_dir = work / "build"
    assert configure(build_dir, f"-DTRELLIS2_FIXTURE_PIN_FILE={pin}").returncode == 0
    result = build(build_dir, "--target", "fixture")
    assert result.returncode != 0
    text = one_line(result.stdout)
    assert f"Patch {patch} does not apply" in text
    assert f"at {commit} (pinned in {pin})" in text
    # Checked before anything is applied: the tree is untouched.
    assert run(["git", "-C", build_dir / "_src/fixture", "status", "--porcelain"]).stdout.strip() == ""


def test_patch_that_applies_is_in_the_built_tree():
    work = scratch_dir("pull-good-patch")
    repo, commit, _ = make_fixture_repo(work)
    patch = work / "good.patch"
    patch.write_text("--- a/fixture_pkg/kernels/__init__.py\n+++ b/fixture_pkg/kernels/__init__.py\n"
                     "@@ -1 +1,2 @@\n from . import cuda  # noqa: F401\n+PATCHED = True\n")
    pin = work / "patched.cmake"
    write_pin(pin, repo, commit, patches=str(patch))
    build_dir = work / "build"
    result = configure(build_dir, f"-DTRELLIS2_FIXTURE_PIN_FILE={pin}")
    assert result.returncode == 0, result.stdout
    assert "+ 1 patch(es)" in result.stdout
    result = build(build_dir, "--target", "fixture-source")
    assert result.returncode == 0, result.stdout
    assert "PATCHED = True" in (build_dir / "_src/fixture/fixture_pkg/kernels/__init__.py").read_text()
