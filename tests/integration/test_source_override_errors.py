"""A source directory or cache that is not the package is a configure error
naming the variable, the directory and what was expected."""

from support import REPO, configure_error, scratch_dir


def test_missing_source_dir():
    build_dir = scratch_dir("override-missing")
    text = configure_error(build_dir, f"-DTRELLIS2_FIXTURE_SOURCE_DIR={build_dir}/does-not-exist")
    assert f"TRELLIS2_FIXTURE_SOURCE_DIR: '{build_dir}/does-not-exist' is not a directory" in text


def test_source_dir_of_another_package():
    build_dir = scratch_dir("override-wrong")
    wrong = REPO / "packaging"
    text = configure_error(build_dir, f"-DTRELLIS2_FIXTURE_SOURCE_DIR={wrong}")
    assert f"'{wrong}' is not fixture: it has no fixture_pkg/__init__.py" in text


def test_source_cache_without_the_pinned_commit():
    build_dir = scratch_dir("cache-empty")
    cache = build_dir / "cache"
    cache.mkdir()
    text = configure_error(build_dir, f"-DTRELLIS2_SOURCE_CACHE={cache}")
    assert f"TRELLIS2_SOURCE_CACHE={cache} has no fixture-" in text
    assert "fill_source_cache.cmake" in text
    # The hint names the pin the build uses, so the fill takes the same commit.
    assert f"-DTRELLIS2_FIXTURE_PIN_FILE={build_dir}/fixture-upstream/fixture.cmake" in text


def test_unknown_package():
    build_dir = scratch_dir("unknown-package")
    assert "TRELLIS2_PACKAGES names 'cumsh'" in configure_error(build_dir, "-DTRELLIS2_PACKAGES=fixture;cumsh")


def test_unknown_abi_policy():
    build_dir = scratch_dir("unknown-policy")
    text = configure_error(build_dir, "-DTRELLIS2_ABI_POLICY=rocky8")
    assert "TRELLIS2_ABI_POLICY='rocky8' is neither a file nor a known policy" in text
    assert "rocky9" in text
