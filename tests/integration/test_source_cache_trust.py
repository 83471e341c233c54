"""A source-cache entry is trusted by its content, not its name: the cache is
filled with a manifest (sha256 of every file), configure refuses a tree that
differs from it and names the first differing file, and a refill that fails
(offline) leaves the existing entry as it was."""

import pytest

from support import REPO, configure, make_fixture_repo, one_line, run, scratch_dir


def fill(cache, pin):
    return run(["cmake", f"-DTRELLIS2_SOURCE_CACHE={cache}", "-DTRELLIS2_PACKAGES=fixture",
                f"-DTRELLIS2_FIXTURE_PIN_FILE={pin}", "-P", REPO / "cmake/scripts/fill_source_cache.cmake"])


@pytest.fixture
def filled(request):
    """A cache filled with the fixture at its commit: (work dir, cache, entry, pin file)."""
    work = scratch_dir(f"cache-trust-{request.node.name}")
    _, commit, pin = make_fixture_repo(work)
    cache = work / "cache"
    result = fill(cache, pin)
    assert result.returncode == 0, result.stdout
    entry = cache / f"fixture-{commit}"
    assert (cache / f"fixture-{commit}.manifest").is_file()
    return work, cache, entry, pin


def offline_pin(work, pin):
    """The same pin, its repository out of reach (as GitHub is offline)."""
    text = pin.read_text()
    unreachable = work / "offline.cmake"
    unreachable.write_text(text.replace("file://", f"file://{work}/unreachable"))
    return unreachable


def test_a_filled_entry_is_built_from(filled):
    work, cache, entry, pin = filled
    result = configure(work / "build", f"-DTRELLIS2_SOURCE_CACHE={cache}", f"-DTRELLIS2_FIXTURE_PIN_FILE={pin}")
    assert result.returncode == 0, result.stdout
    assert f"cache {entry}" in result.stdout


def test_a_changed_file_is_refused_and_named(filled):
    work, cache, entry, pin = filled
    with open(entry / "src" / "add_one.cu", "a") as source:
        source.write("// not what the pinned commit has\n")
    result = configure(work / "build", f"-DTRELLIS2_SOURCE_CACHE={cache}", f"-DTRELLIS2_FIXTURE_PIN_FILE={pin}")
    assert result.returncode != 0
    text = one_line(result.stdout)
    assert f"{entry} is not the tree of fixture" in text
    assert "src/add_one.cu: found sha256" in text and ", expected " in text
    assert f"-DTRELLIS2_FIXTURE_PIN_FILE={pin} -P {REPO}/cmake/scripts/fill_source_cache.cmake" in text
    assert not (work / "build" / "native").exists() and not (work / "build" / "native-plan.cmake").exists(), \
        "a refused tree reached the native build"


def test_an_added_file_is_refused_and_named(filled):
    work, cache, entry, pin = filled
    (entry / "fixture_pkg" / "injected.py").write_text("import os\n")
    result = configure(work / "build", f"-DTRELLIS2_SOURCE_CACHE={cache}", f"-DTRELLIS2_FIXTURE_PIN_FILE={pin}")
    assert result.returncode != 0
    assert "fixture_pkg/injected.py: found a file the manifest does not list" in one_line(result.stdout)


def test_a_refill_replaces_a_changed_entry(filled):
    work, cache, entry, pin = filled
    (entry / "src" / "add_one.cu").write_text("tampered\n")
    result = fill(cache, pin)
    assert result.returncode == 0, result.stdout
    assert "differs from its manifest (src/add_one.cu: found sha256" in one_line(result.stdout)
    assert "tampered" not in (entry / "src" / "add_one.cu").read_text()
    assert sorted(p.name for p in cache.iterdir()) == sorted([entry.name, entry.name + ".manifest"])


def test_a_failed_refill_keeps_the_entry(filled):
    work, cache, entry, pin = filled
    # An entry without .git or manifest: the old script deleted it before a
    # clone, which then failed offline.
    run(["rm", "-rf", entry / ".git", cache / f"{entry.name}.manifest"])
    before = sorted(str(p.relative_to(entry)) for p in entry.rglob("*"))
    result = fill(cache, offline_pin(work, pin))
    assert result.returncode != 0
    assert f"{entry} is kept as it was" in one_line(result.stdout)
    assert sorted(str(p.relative_to(entry)) for p in entry.rglob("*")) == before
    assert sorted(p.name for p in cache.iterdir()) == [entry.name], "a temporary clone was left behind"


def test_a_clean_checkout_gets_its_manifest_offline(filled):
    work, cache, entry, pin = filled
    (cache / f"{entry.name}.manifest").unlink()
    result = fill(cache, offline_pin(work, pin))
    assert result.returncode == 0, result.stdout
    assert "a clean checkout of" in result.stdout
    result = configure(work / "build", f"-DTRELLIS2_SOURCE_CACHE={cache}", f"-DTRELLIS2_FIXTURE_PIN_FILE={pin}")
    assert result.returncode == 0, result.stdout


def test_an_exported_tree_is_adopted_only_when_asked(filled):
    work, cache, entry, pin = filled
    # A tree exported without .git on a machine that reached the upstream.
    run(["rm", "-rf", entry / ".git", cache / f"{entry.name}.manifest"])
    offline = offline_pin(work, pin)
    refused = configure(work / "build", f"-DTRELLIS2_SOURCE_CACHE={cache}", f"-DTRELLIS2_FIXTURE_PIN_FILE={offline}")
    assert refused.returncode != 0, "a tree without manifest was built from"
    assert "found no manifest" in one_line(refused.stdout)
    adopted = run(["cmake", f"-DTRELLIS2_SOURCE_CACHE={cache}", "-DTRELLIS2_PACKAGES=fixture",
                   f"-DTRELLIS2_FIXTURE_PIN_FILE={offline}", "-DTRELLIS2_ADOPT_TREES=ON",
                   "-P", REPO / "cmake/scripts/fill_source_cache.cmake"])
    assert adopted.returncode == 0, adopted.stdout
    assert "adopted as fixture at" in one_line(adopted.stdout)
    result = configure(work / "build", f"-DTRELLIS2_SOURCE_CACHE={cache}", f"-DTRELLIS2_FIXTURE_PIN_FILE={offline}")
    assert result.returncode == 0, result.stdout
    (entry / "src" / "add_one.cu").write_text("changed after adoption\n")
    changed = configure(work / "build2", f"-DTRELLIS2_SOURCE_CACHE={cache}", f"-DTRELLIS2_FIXTURE_PIN_FILE={offline}")
    assert changed.returncode != 0 and "src/add_one.cu: found sha256" in one_line(changed.stdout)


def test_adopting_a_tree_without_its_marker_is_refused(filled):
    work, cache, entry, pin = filled
    run(["rm", "-rf", entry / ".git", cache / f"{entry.name}.manifest", entry / "fixture_pkg" / "__init__.py"])
    result = run(["cmake", f"-DTRELLIS2_SOURCE_CACHE={cache}", "-DTRELLIS2_PACKAGES=fixture",
                  f"-DTRELLIS2_FIXTURE_PIN_FILE={offline_pin(work, pin)}", "-DTRELLIS2_ADOPT_TREES=ON",
                  "-P", REPO / "cmake/scripts/fill_source_cache.cmake"])
    assert result.returncode != 0
    assert "has no fixture_pkg/__init__.py" in one_line(result.stdout)
    assert not (cache / f"{entry.name}.manifest").exists()
