"""Every repository path cited in the code and the docs exists.

A pure file check (no build tree). It reads the repository's text files
(those git tracks or does not ignore), code (*.cmake, CMakeLists.txt, *.py,
*.sh, *.cpp, *.h, *.json, *.toml, and extensionless scripts that start with
#!) and docs (*.md), and takes as a
cited path every token that starts with a top-level directory (cmake/,
tools/, ...) or is a top-level file (README.md, ...):

- the token starts where no path character precedes it (so the `third_party/`
  of `o-voxel/third_party/eigen` or `${repo}/third_party/...` does not
  start one) and ends at white space, a quote, a backquote, a bracket,
  a comma, a semicolon, a colon, `#`, `|`, `=` or a backslash; trailing full
  stops, closing brackets and the like are stripped;
- placeholders and template pieces are not paths: a token with `<`, `>`, `*`,
  `?`, `{`, `}`, `$`, `%`, `...` or `…` in it, or a string that code
  concatenates (`"cmake/" + name`), is passed over;
- a path at a named commit, in git show's form (`2446dd9:tools/jobslot/pool.h`),
  names a file of the history that records of past measurements cite (it
  may since have gone), not one of this tree, so it is not checked;
- the repository's third_party/ holds pin files only; a path into one of its
  subdirectories names a file of an upstream's source (CuMesh's
  third_party/cubvh, o-voxel's third_party/eigen), which the build fetches,
  so it is not checked, except third_party/patches/, which the build reads
  (cmake/common/PinFile.cmake).

A cited path exists when it is there under the repository root, or under a
directory between the citing file and the root: a project inside the
repository cites its own files from its own root (packaging/abi-audit's
tests/fixtures/, the fixture upstream's third_party/atlas/binding.cpp).
Paths relative to a subdirectory that do not start with a top-level root
(policies/rocky9.policy) are not checked at all.

A bare module name, `X.cmake` with no folder before it (`Upstream.cmake`),
is cited too, and exists when a file of that name is anywhere in the
repository. Passed over: a name that code joins to a folder
(`work / "pin.cmake"`), a placeholder in capitals (`OUTPUT.cmake`) and
CMake's own files (`CMakeCUDACompiler.cmake`).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(os.environ.get("TRELLIS2_REPO") or Path(__file__).resolve().parents[2])

ROOT_DIRS = ("cmake", "tools", "packaging", "tests", "benchmarks", "third_party", "docs", "extensions", ".ci")
ROOT_FILES = ("README.md", "CMakeLists.txt", "CMakePresets.json")
CODE_SUFFIXES = (".cmake", ".py", ".sh", ".cpp", ".h", ".json", ".toml")
DOC_SUFFIXES = (".md",)
SELF = "tests/integration/test_cited_paths.py"
# Without git: what .gitignore keeps out (build trees, fetched sources, caches).
SKIP_DIRS = {"out", "__pycache__"}

# A token starts at a root not preceded by a path character (a word character,
# `.`, `/`, `-`, `~`, `@`, `$`, `}`), and runs to the first character that cannot
# be in a cited path.
_ROOTS = "|".join(re.escape(d + "/") for d in ROOT_DIRS) + "|" + "|".join(re.escape(f) for f in ROOT_FILES)
TOKEN = re.compile(r"(?<![\w./\-~@$}\\])(?:" + _ROOTS + r")[^\s`'\"()\[\],;:#|=\\]*")
PLACEHOLDER = re.compile(r"[<>*?{}$%]|\.\.\.|…")
TRAILING = ".,;:!?)]}>'\"`"
# A string literal that code continues: `"cmake/" + name`, `"tests/%s" % x`, `"x/{}".format(y)`.
CONCATENATED = re.compile(r"""^["']\s*(?:\+|%|\.format\b)""")
# `<commit>:` right before a token: a path of that commit (git show's form).
AT_COMMIT = re.compile(r"(?<![\w./\-~@$}\\])[0-9a-f]{7,40}:$")
# A bare X.cmake, not preceded by a path character, a placeholder's bracket or `*`.
MODULE = re.compile(r"(?<![\w./\-~@$}<>*\\])[\w\-]+\.cmake(?![\w\-/]|\.\w)")
JOINED = re.compile(r"""/\s*["']$""")
NOT_OURS = re.compile(r"^(?:[A-Z_]+|CMake[A-Z]\w*)\.cmake$")
# third_party/<dir>[/...]: a directory (no dot in its name) other than patches/.
UPSTREAM_TREE = re.compile(r"^third_party/(?!patches(?:/|$))[^/.]+(?:/|$)")


def tracked_files(repo):
    """Paths (relative, posix) of the repository's files: those git tracks or
    does not ignore when git and a checkout are there, else every file under
    the root."""
    if shutil.which("git") and (repo / ".git").exists():
        out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if out.returncode == 0:
            return [p for p in out.stdout.decode().split("\0") if p]
    files = []
    for root, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")
                   and (d == ".ci" or not d.startswith("."))]
        files += [Path(root, n).relative_to(repo).as_posix() for n in names]
    return files


def is_scanned(repo, rel):
    name = rel.rsplit("/", 1)[-1]
    if name == "CMakeLists.txt" or name.endswith(CODE_SUFFIXES + DOC_SUFFIXES):
        return True
    if "." in name:
        return False
    try:  # an extensionless script: .ci/setup, packaging/trellis2-wheel
        with open(repo / rel, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def cited_paths(line):
    """The repository paths one line cites (see the module docstring)."""
    for match in TOKEN.finditer(line):
        if CONCATENATED.match(line[match.end():]) or AT_COMMIT.search(line[:match.start()]):
            continue
        token = match.group(0).rstrip(TRAILING)
        if PLACEHOLDER.search(token):
            continue
        if token.endswith("/."):
            token = token[:-1]
        if UPSTREAM_TREE.match(token):
            continue
        yield token


def cited_modules(line):
    """The bare X.cmake names one line cites (see the module docstring)."""
    for match in MODULE.finditer(line):
        if not JOINED.search(line[:match.start()]) and not NOT_OURS.match(match.group(0)):
            yield match.group(0)


def exists(repo, citing_file, path):
    """path is under the root, or under a directory between citing_file and it."""
    base = Path(citing_file).parent
    while True:
        if (repo / base / path).exists():
            return True
        if base == Path("."):
            return False
        base = base.parent


def missing_citations(repo):
    """(file, line number, path) for every cited path that does not exist;
    this file's own examples are not citations."""
    missing = []
    files = tracked_files(repo)
    names = {rel.rsplit("/", 1)[-1] for rel in files if (repo / rel).is_file()}
    for rel in sorted(files):
        if rel == SELF or not is_scanned(repo, rel) or not (repo / rel).is_file():
            continue
        text = (repo / rel).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for path in cited_paths(line):
                if not exists(repo, rel, path):
                    missing.append((rel, number, path))
            missing += [(rel, number, name) for name in cited_modules(line) if name not in names]
    return missing


def test_every_cited_path_exists():
    assert (REPO / "CMakeLists.txt").is_file(), f"TRELLIS2_REPO={REPO} is not the repository root"
    missing = missing_citations(REPO)
    if missing:
        pytest.fail(f"{len(missing)} cited path(s) do not exist in {REPO}:\n"
                    + "\n".join(f"{f}:{n}: {p}" for f, n, p in missing), pytrace=False)


def test_what_counts_as_a_cited_path():
    """The tokenizer on the cases it has to tell apart."""
    def cites(line):
        return list(cited_paths(line))

    assert cites("see `cmake/superbuild/Options.cmake`.") == ["cmake/superbuild/Options.cmake"]
    assert cites("[arch](docs/ARCHITECTURE.md#the-seam), tests/gpu.") == ["docs/ARCHITECTURE.md", "tests/gpu"]
    assert cites("cmake/scripts/audit_module.cmake:12 and README.md") == [
        "cmake/scripts/audit_module.cmake", "README.md"]
    assert cites('-P "${PROJECT_SOURCE_DIR}/cmake/scripts/x.cmake" o-voxel/third_party/eigen') == []
    assert cites("third_party/<pkg>.cmake third_party/${pkg}.cmake extensions/*/ tests/.../x") == []
    assert cites("f'third_party/{pkg}.cmake' 'tests/%s' % name") == []
    assert cites('root / ("cmake/" + name)') == []
    assert cites("third_party/cubvh/src/bvh.cu third_party/eigen third_party/patches/cumesh/a.patch "
                 "third_party/cumesh.cmake") == ["third_party/patches/cumesh/a.patch", "third_party/cumesh.cmake"]
    assert cites("policies/rocky9.policy build/stage/ https://x.org/tests/y") == []
    assert cites("benchmarks/one_compiler/.") == ["benchmarks/one_compiler/"]
    assert cites("(`2446dd9:tools/jobslot/pool.h`) tools/x.h,2446dd9:tools/y.h g2446dd9:tools/z.h") == [
        "tools/x.h", "tools/z.h"]
    assert cites('-DUPSTREAM=<tests/fixture/upstream> "from tests/fixture/upstream.\\n"') == [
        "tests/fixture/upstream", "tests/fixture/upstream"]
    assert list(cited_modules("(`SubBuildCache.cmake`, Upstream.cmake.) cmake/a.cmake x.cmake.in <pkg>.cmake")) == [
        "SubBuildCache.cmake", "Upstream.cmake"]
    assert list(cited_modules('work / "pin.cmake"; probe_torch.py OUTPUT.cmake; CMakeCUDACompiler.cmake')) == []


def test_a_missing_path_is_named_with_its_file_and_line(tmp_path):
    """On a tree without git: a project's own root counts, build trees are
    not read, and each missing path is listed with its file and line."""
    files = {
        "CMakeLists.txt": "include(cmake/a.cmake)\n",
        "cmake/a.cmake": "# see docs/a.md\n",
        "docs/a.md": "`cmake/a.cmake`, then\n`cmake/b.cmake`.\na.cmake and Gone.cmake\n",
        "packaging/sub/README.md": "tests/x and cmake/gone.cmake\n",
        "packaging/sub/tests/x": "",
        "build-ci/notes.md": "cmake/generated.cmake\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert missing_citations(tmp_path) == [("docs/a.md", 2, "cmake/b.cmake"), ("docs/a.md", 3, "Gone.cmake"),
                                           ("packaging/sub/README.md", 1, "cmake/gone.cmake")]
