"""Messages of the job settings and of a recipe whose sources the tree lacks:
each says what was found, what was expected and what to run, once."""

import shutil

from support import FIXTURE_UPSTREAM, REPO, build, configure, one_line, run, scratch_dir


def test_bad_max_jobs_in_the_environment_is_an_error():
    for value in ("0", "abc"):
        result = configure(scratch_dir("max-jobs"), env={"MAX_JOBS": value})
        assert result.returncode != 0, f"MAX_JOBS={value} was ignored"
        text = one_line(result.stdout)
        assert text.count(f"MAX_JOBS='{value}' in the environment is not a positive number") == 1, text
        assert "Expected e.g. MAX_JOBS=4; unset it" in text and "-DTRELLIS2_JOBS=<n>" in text


def test_bad_trellis2_jobs_is_reported_once():
    result = configure(scratch_dir("jobs-zero"), "-DTRELLIS2_JOBS=0")
    assert result.returncode != 0
    assert one_line(result.stdout).count("TRELLIS2_JOBS='0' is not a positive number") == 1, result.stdout


def test_recipe_source_missing_from_the_tree_names_file_pin_and_fix():
    """A checkout at another commit (kernel work on a newer upstream) where a
    file the recipe lists has moved: the native build's configure (run by
    `cmake --build`) stops at the recipe, naming the file, the pin and the fix."""
    work = scratch_dir("recipe-moved-source")
    tree = work / "checkout"
    shutil.copytree(FIXTURE_UPSTREAM, tree)
    (tree / "src/kernels/morton.cu").rename(tree / "src/kernels/morton_moved.cu")
    build_dir = work / "build"
    configured = configure(build_dir, f"-DTRELLIS2_FIXTURE_SOURCE_DIR={tree}")
    assert configured.returncode == 0, configured.stdout[-3000:]
    result = build(build_dir)
    assert result.returncode != 0
    text = one_line(result.stdout)
    assert "Cannot find source file" not in text and "No SOURCES given" not in text, text
    assert (f"fixture_pkg.kernels.cuda: the recipe extensions/fixture/CMakeLists.txt lists sources that the "
            f"fixture tree {tree} does not have: src/kernels/morton.cu Expected:") in text, text
    # The pin this build uses: the generated fixture pin in the build tree,
    # named relative to the repository (absolute when outside it).
    pin = build_dir / "fixture-upstream" / "fixture.cmake"
    commit = run(["git", "-C", build_dir / "fixture-upstream" / "repo", "rev-parse", "HEAD"]).stdout.strip()
    assert len(commit) == 40, commit
    named = str(pin.relative_to(REPO)) if pin.is_relative_to(REPO) else str(pin)
    assert f"pinned in {named} ({commit}; TRELLIS2_<PKG>_PIN_FILE chooses another pin)" in text, text
    assert f"git -C {tree} checkout {commit}" in text and f"{tree}/setup.py" in text
