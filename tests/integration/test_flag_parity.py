"""Flag parity with torch's own extension build.

The fixture upstream is built once with its setup.py through torch's
BuildExtension (reference.py: Ninja runs verbosely, so every compile
command is in its log) and once by the superbuild (compile_commands.json and
`ninja -t commands`). For every source file and every module link the two
argument sets must be equal, except for the differences listed in INTENDED,
each with its reason. A listed difference that no longer occurs fails too,
so the list stays true.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from reference import LOG, SOURCE as REF_DIR
from support import BUILD_DIR

# (kind, side, token regex) -> why. kind: cxx, cuda or link; side: the build
# that has the token.
INTENDED = {
    ("cxx", "torch", r"-g"):
        "debug info: setuptools passes Python's sysconfig -g; dropped, modules shrink from 12-62 MB to a few",
    ("cuda", "ours", r"-forward-unknown-to-host-compiler"):
        "CMake's nvcc driver flag; every flag here is an nvcc flag, so nothing is forwarded",
    ("link", "torch", r"rpath:/.*"):
        "Python's LDSHARED adds an absolute RUNPATH to its libdir; the audit forbids absolute RUNPATHs",
    ("cxx", "torch", r"-DTORCH_EXTENSION_NAME=_fixture_xatlas"):
        "the rename under test: setup.py's module name, which the package's Python does not import",
    ("cxx", "ours", r"-DTORCH_EXTENSION_NAME=_xatlas"):
        "the rename under test: the name the package's Python imports (PyInit__xatlas)",
    ("cuda", "ours", r"--threads=\d+"):
        "nvcc compiles a unit's device architectures in parallel (torch adds --threads only when "
        "NVCC_THREADS is set)",
    ("link", "ours", r"-fPIC"):
        "CMake repeats the compile flag on the link line; no effect when linking",
}

NATIVE = BUILD_DIR / "native"  # the one native build: every package's modules and abi-audit
# The two source trees, shown as <SRC> so their paths compare equal.
ROOTS = [os.path.realpath(REF_DIR), os.path.realpath(BUILD_DIR / "_src" / "fixture")]


def split_command(line):
    return shlex.split(line)


def resolve(path):
    found = shutil.which(path) or path
    return os.path.realpath(found)


def normalize(argv, roots, kind, cwd):
    """The set of arguments that change what is compiled or linked."""
    tokens = set()
    args = iter(argv[1:])
    for tok in args:
        if tok in ("-o", "-MF", "-MT", "-MQ", "--dependency-output", "-x"):
            next(args, None)
        elif tok in ("-c", "-MMD", "-MD", "--generate-dependencies-with-compile", "-shared") and kind != "link":
            continue
        elif tok in ("-I", "-isystem"):
            tokens.add("I:" + rel(next(args), roots, cwd))
        elif tok.startswith("-I"):
            tokens.add("I:" + rel(tok[2:], roots, cwd))
        elif tok == "-ccbin":
            tokens.add("ccbin:" + resolve(next(args)))
        elif tok.startswith("-ccbin="):
            tokens.add("ccbin:" + resolve(tok.split("=", 1)[1]))
        elif tok in ("--compiler-options", "-Xcompiler"):
            tokens.add("host:" + next(args).strip("'\""))
        elif tok.startswith("-Xcompiler="):
            tokens.add("host:" + tok.split("=", 1)[1])
        elif kind == "link" and tok.startswith("-Wl,-rpath,"):
            tokens.add("rpath:" + tok[len("-Wl,-rpath,"):])
        elif kind == "link" and tok.startswith("-L"):
            continue  # directories only: the libraries are compared by name
        elif kind == "link" and tok.startswith("-l"):
            tokens.add("lib:" + tok[2:])
        elif kind == "link" and re.search(r"/lib[^/]+\.so(\.\d+)*$", tok):
            tokens.add("lib:" + re.sub(r"\.so(\.\d+)*$", "", os.path.basename(tok))[3:])
        elif tok.endswith((".o", ".cu", ".cpp")):
            continue  # inputs and outputs differ by construction
        else:
            tokens.add(tok)
    return tokens


def rel(path, roots, cwd="/"):
    real = os.path.realpath(os.path.join(cwd, path))
    for root in roots:
        if real == root or real.startswith(root + os.sep):
            return "<SRC>" + real[len(root):]
    return real


@pytest.fixture(scope="module")
def reference_log():
    assert LOG.is_file(), f"{LOG} missing: the test fixture.reference_wheel builds it"
    return LOG.read_text()


def reference_commands(log, roots):
    compiles, links = {}, {}
    for line in log.splitlines():
        line = re.sub(r"^\[\d+/\d+\] ", "", line.strip())
        if not line or line.startswith(("running", "copying", "creating", "flag-parity", "Emitting", "building")):
            continue
        try:
            argv = split_command(line)
        except ValueError:
            continue
        if "-c" in argv:
            source = [a for a in argv if a.endswith((".cu", ".cpp"))][-1]
            compiles[rel(source, roots)] = argv
        elif "-shared" in argv and "-o" in argv:
            links[module_of(argv[argv.index("-o") + 1])] = argv
    return compiles, links


def module_of(output):
    """fixture_pkg/kernels/cuda.cpython-311-x86_64-linux-gnu.so -> fixture_pkg.kernels.cuda"""
    parts = Path(output).parts
    start = parts.index("fixture_pkg")
    return ".".join(parts[start:-1] + (parts[-1].split(".")[0],))


def our_commands(roots):
    entries = json.loads((NATIVE / "compile_commands.json").read_text())
    compiles = {}
    for entry in entries:
        argv = split_command(entry["command"])
        # The fixture package's units: objects under its directory fixture/ (not abi-audit's).
        if argv[argv.index("-o") + 1].startswith("fixture/"):
            compiles[rel(entry["file"], roots)] = argv
    links = {}
    for target in ("fixture_pkg._C", "fixture_pkg._xatlas", "fixture_pkg.kernels.cuda"):
        out = subprocess.run(["ninja", "-C", str(NATIVE), "-t", "commands", target],
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        line = [l for l in out.splitlines() if " -shared " in l][-1]
        # Ninja wraps the link as ": && <link> && :".
        links[target] = split_command([part for part in line.split("&&") if " -shared " in part][0])
    return compiles, links


def intended(kind, side, token):
    """The INTENDED entry that explains this difference, or None."""
    return next(((k, s, pattern) for (k, s, pattern) in INTENDED
                 if k == kind and s == side and re.fullmatch(pattern, token)), None)


def compare(kind, ref_argv, our_argv, roots, seen):
    ref = normalize(ref_argv, roots, kind, str(REF_DIR))
    ours = normalize(our_argv, roots, kind, str(NATIVE))
    problems = []
    for side, extra in (("torch", ref - ours), ("ours", ours - ref)):
        for token in sorted(extra):
            entry = intended(kind, side, token)
            if entry:
                seen.add(entry)
            else:
                problems.append(f"{side} only: {token}")
    return problems


def test_compile_and_link_flags_match_torch(reference_log):
    roots = ROOTS
    ref_compiles, ref_links = reference_commands(reference_log, roots)
    our_compiles, our_links = our_commands(roots)
    assert set(ref_compiles) == set(our_compiles), (sorted(ref_compiles), sorted(our_compiles))
    assert set(ref_links) == {"fixture_pkg._C", "fixture_pkg._fixture_xatlas", "fixture_pkg.kernels.cuda"}
    seen, report = set(), []
    for source, ref_argv in sorted(ref_compiles.items()):
        kind = "cuda" if source.endswith(".cu") else "cxx"
        # Same compiler binary (for .cu: the same nvcc).
        assert resolve(ref_argv[0]) == resolve(our_compiles[source][0]), (ref_argv[0], our_compiles[source][0])
        report += [f"{source}: {p}" for p in compare(kind, ref_argv, our_compiles[source], roots, seen)]
    # The recipe's rename: setup.py's _fixture_xatlas is our _xatlas.
    renamed = {"fixture_pkg._fixture_xatlas": "fixture_pkg._xatlas"}
    for module, ref_argv in sorted(ref_links.items()):
        ours = our_links[renamed.get(module, module)]
        assert resolve(ref_argv[0]) == resolve(ours[0])
        report += [f"link {module}: {p}" for p in compare("link", ref_argv, ours, roots, seen)]
    stale = [f"{k}/{s}/{p}" for (k, s, p) in INTENDED if (k, s, p) not in seen]
    assert not report, "differences from torch's BuildExtension not listed in INTENDED:\n" + "\n".join(report)
    assert not stale, "INTENDED lists differences that no longer occur: " + ", ".join(stale)


def test_torch_defines_reach_the_compiler(reference_log):
    """The defines that make a module share torch's pybind11 and C++ ABI are
    present in ours with the same values (compared as the compiler sees them)."""
    our_compiles, _ = our_commands(ROOTS)
    argv = our_compiles["<SRC>/src/ext.cpp"]
    for define in ("-DTORCH_API_INCLUDE_EXTENSION_H", "-DTORCH_EXTENSION_NAME=_C", "-D_GLIBCXX_USE_CXX11_ABI="):
        assert any(a.startswith(define) for a in argv), define
    assert any(a.startswith('-DPYBIND11_BUILD_ABI="') for a in argv)
