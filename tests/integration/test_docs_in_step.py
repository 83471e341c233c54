"""Every user-facing cache variable of the superbuild has a docstring and
appears in the README's table and in the configure summary."""

import re

from support import BUILD_DIR, KNOWN_PACKAGES, REPO, configure, scratch_dir

# Cache entries that are not settings: found programs and results of checks.
NOT_SETTINGS = {"TRELLIS2_SCCACHE_EXECUTABLE", "TRELLIS2_NM"}
PACKAGE_VARIABLE = re.compile(rf"TRELLIS2_({'|'.join(p.upper() for p in KNOWN_PACKAGES)})_(SOURCE_DIR|PIN_FILE)")


def cache_variables():
    """TRELLIS2_* entries of the build's CMakeCache.txt with their docstrings."""
    found, doc = {}, []
    for line in (BUILD_DIR / "CMakeCache.txt").read_text().splitlines():
        if line.startswith("//"):
            doc.append(line[2:])  # CMake wraps long docstrings over several lines
            continue
        match = re.match(r"(TRELLIS2_[A-Z0-9_]+):(\w+)=", line)
        if match and match.group(2) != "INTERNAL" and match.group(1) not in NOT_SETTINGS:
            found[match.group(1)] = " ".join(doc)
        doc = []
    return found


def documented_name(name):
    """TRELLIS2_CUMESH_SOURCE_DIR is documented as TRELLIS2_<PKG>_SOURCE_DIR."""
    match = PACKAGE_VARIABLE.fullmatch(name)
    return f"TRELLIS2_<PKG>_{match.group(2)}" if match else name


def test_every_variable_has_a_docstring():
    variables = cache_variables()
    assert len(variables) > 10
    assert not [name for name, doc in variables.items() if len(doc) < 10]


def test_every_variable_is_in_the_readme_table():
    readme = (REPO / "README.md").read_text()
    missing = sorted({documented_name(n) for n in cache_variables()} - set(re.findall(r"\| `([^`]+)` \|", readme)))
    assert not missing, f"README.md's table lacks {missing}"


def test_every_variable_is_in_the_summary():
    result = configure(scratch_dir("docs-summary"))
    assert result.returncode == 0, result.stdout
    summary = result.stdout[result.stdout.index("trellis2-native configuration"):]
    listed = set(re.findall(r"--\s+(TRELLIS2_[A-Z0-9_]+)\s", summary))
    # Per-package variables are listed under each selected package (a
    # SOURCE_DIR only when set); this configure selects the fixture alone.
    expected = {n for n in cache_variables() if not PACKAGE_VARIABLE.fullmatch(n)} | {"TRELLIS2_FIXTURE_PIN_FILE"}
    missing = sorted(expected - listed)
    assert not missing, f"the configure summary lacks {missing}"


def test_the_package_list_is_written_once():
    """third_party/packages.cmake is the list; the files that need it read
    it (the README's table documents the default)."""
    listed = re.search(r"set\(TRELLIS2_DEFAULT_PACKAGES ([^)]*)\)", (REPO / "third_party/packages.cmake").read_text())
    default = ";".join(listed.group(1).split())
    readers = ["CMakePresets.json", "cmake/superbuild/Options.cmake", "cmake/scripts/fill_source_cache.cmake",
               "tests/integration/test_docs_in_step.py", "tests/real/native.py"]
    spellings = (default, default.replace(";", " "), '", "'.join(default.split(";")))
    repeating = [name for name in readers if any(text in (REPO / name).read_text() for text in spellings)]
    assert not repeating, f"{repeating} repeat the package list of third_party/packages.cmake"
    assert f"| `TRELLIS2_PACKAGES` | `{default}` |" in (REPO / "README.md").read_text()
