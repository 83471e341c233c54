"""One compiler for every step, whatever the environment says (issue 19).

The configured CMAKE_CXX_COMPILER is the checked one; CC, CXX, CUDAHOSTCXX,
NVCC_CCBIN, NVCC_PREPEND_FLAGS, NVCC_APPEND_FLAGS and the *FLAGS variables
are set to a wrapper compiler (or flags) that adds -static-libstdc++, as the
GPU image's /opt/gcc wrappers do. The wrapper writes a line to a log each
time it runs, so "it never ran" is read off the log, not inferred. Real
configure and build of the fixture, real nvcc, real ELF files; no compiler
cache (a cache hit would run no compiler at all).
"""

import json
import os
import re
import shutil
import stat
import subprocess

import pytest

from support import CXX, PYTHON, REPO, configure, one_line, run, scratch_dir

CUDA_MODULES = ("fixture_pkg._C", "fixture_pkg.kernels.cuda")  # the fixture's modules with .cu sources


def gcc_pin():
    text = (REPO / "cmake/superbuild/Options.cmake").read_text()
    return re.search(r'set\(TRELLIS2_GCC_VERSION "(\d+)"', text).group(1)


def make_wrapper(directory, name, compiler, *flags):
    """A compiler wrapper script that logs every run to <directory>/<name>.log."""
    log = directory / f"{name}.log"
    path = directory / name
    path.write_text(f'#!/bin/sh\necho "$0 $*" >> "{log}"\nexec {compiler} {" ".join(flags)} "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path, log


def wrapper_runs(log):
    return log.read_text().splitlines() if log.exists() else []


def build_with(work, env):
    """Configure and build the fixture in work/build with `env` added to the
    environment of both steps; returns (build dir, configure output)."""
    build_dir = work / "build"
    configured = configure(build_dir, "-DTRELLIS2_SCCACHE=OFF", env=env)
    assert configured.returncode == 0, configured.stdout[-3000:]
    built = run(["cmake", "--build", build_dir], env=env)
    assert built.returncode == 0, built.stdout[-4000:]
    return build_dir, configured.stdout


def needed(path):
    out = subprocess.run(["readelf", "-d", str(path)], check=True, stdout=subprocess.PIPE, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def nvcc_commands(native):
    """The command of every CUDA compile rule (CMake names them CUDA_COMPILER__<target>_)."""
    rules = (native / "CMakeFiles" / "rules.ninja").read_text()
    return re.findall(r"^rule CUDA_COMPILER__\S+\n(?:  (?!command)[^\n]*\n)*  command = ([^\n]*)", rules, re.M)


def recorded_cuda_detection(native):
    (recorded,) = native.glob("CMakeFiles/*/CMakeCUDACompiler.cmake")
    text = recorded.read_text()
    host = re.search(r'set\(CMAKE_CUDA_HOST_COMPILER "([^"]*)"\)', text)[1]
    libs = re.search(r'set\(CMAKE_CUDA_IMPLICIT_LINK_LIBRARIES "([^"]*)"\)', text)[1]
    return host, libs.split(";")


def assert_the_checked_compiler_did_everything(build_dir, wrapper, log):
    checked = os.path.realpath(CXX)
    native = build_dir / "native"  # the one native build: its Ninja files and its CUDA detection
    assert wrapper_runs(log) == [], f"the wrapper ran: {wrapper_runs(log)[:5]}"
    # The audit passed (the build did), and every module shares libstdc++.so.6.
    modules = sorted((build_dir / "stage").rglob("*.so"))
    assert len(modules) == 3, modules
    for module in modules:
        assert "libstdc++.so.6" in needed(module), f"{module}: DT_NEEDED {needed(module)}"
    # Every nvcc command of the build files compiles with -ccbin=<checked>.
    commands = nvcc_commands(native)
    assert len(commands) == len(CUDA_MODULES), commands
    for command in commands:
        ccbin = re.findall(r"-ccbin[= ](\S+)", command)
        assert [os.path.realpath(c) for c in ccbin] == [checked], command
    for name in ("CMakeFiles/rules.ninja", "build.ninja"):
        assert str(wrapper) not in (native / name).read_text(), f"{name} names {wrapper}"
    # CMake's CUDA detection ran with the checked compiler: its -ccbin, and
    # no libstdc++.a among the libraries every CUDA module links implicitly.
    host, libs = recorded_cuda_detection(native)
    assert os.path.realpath(host) == checked
    assert "stdc++" in libs and not [lib for lib in libs if lib.endswith(".a")], libs
    # report.json says which compilers ran, from the same build files.
    report = json.loads((build_dir / "report.json").read_text())
    assert report["compilers_ran"] == {"checked": CXX, "differences": []}
    ran = {row["module"]: row["compilers"] for row in report["modules"]}
    for module, compilers in ran.items():
        assert os.path.realpath(compilers["linker"]) == checked and os.path.realpath(compilers["cxx"]) == checked
        assert (compilers["nvcc_host"] is not None) == (module in CUDA_MODULES), (module, compilers)
        assert compilers["static_libstdcxx"] is False
    return report


def assert_host_compiler_row(configure_output):
    """The summary's row for nvcc's host compiler: the checked compiler with
    its version, checked against TRELLIS2_GCC_VERSION like CMAKE_CXX_COMPILER."""
    cxx_version = re.search(rf"CMAKE_CXX_COMPILER\s+{re.escape(CXX)} (\S+)\n", configure_output)[1]
    assert re.search(rf"CMAKE_CUDA_HOST_COMPILER\s+{re.escape(CXX)} {re.escape(cxx_version)} "
                     rf"\(nvcc -ccbin, = CMAKE_CXX_COMPILER; TRELLIS2_GCC_VERSION {gcc_pin()}: ok\)\n",
                     configure_output), configure_output[-2500:]


def assert_summary_notes(configure_output, env):
    """Each variable set gets its own summary row, naming it and its value."""
    for var, value in env.items():
        assert re.search(rf"environment {var}\s+{re.escape(value)}: (not used|unset for the packages)",
                         configure_output), f"no summary row for {var}:\n{configure_output[-2500:]}"


@pytest.fixture(scope="module")
def work():
    return scratch_dir("one-compiler")


@pytest.fixture(scope="module")
def static_wrapper(work):
    """g++-<pin> with -static-libstdc++ added: the shape of the GPU image's /opt/gcc/bin/g++."""
    return make_wrapper(work, "static-g++", CXX, "-static-libstdc++")


@pytest.fixture(scope="module")
def wrapper_in_compiler_variables(work, static_wrapper):
    wrapper, log = static_wrapper
    env = {"CC": str(wrapper), "CXX": str(wrapper), "CUDAHOSTCXX": str(wrapper), "NVCC_CCBIN": str(wrapper)}
    build_dir, output = build_with(work / "compiler-variables", env)
    return build_dir, output, env


def test_wrapper_in_cc_cxx_cudahostcxx_is_never_used(wrapper_in_compiler_variables, static_wrapper):
    build_dir, output, env = wrapper_in_compiler_variables
    report = assert_the_checked_compiler_did_everything(build_dir, *static_wrapper)
    assert_host_compiler_row(output)
    assert_summary_notes(output, env)
    assert sorted(note.split("=")[0] for note in report["environment_not_used"]) == sorted(env)


def test_nvcc_and_flag_variables_are_neutralised(work, static_wrapper):
    """nvcc reads NVCC_PREPEND_FLAGS/NVCC_APPEND_FLAGS at every run (set here
    for the build too): a -ccbin there would beat the command line."""
    wrapper, log = static_wrapper
    env = {"NVCC_PREPEND_FLAGS": f"-ccbin {wrapper}", "NVCC_APPEND_FLAGS": "-Xcompiler=-static-libstdc++",
           "CUDAFLAGS": f"-ccbin={wrapper}", "CXXFLAGS": "-static-libstdc++", "LDFLAGS": "-static-libstdc++"}
    build_dir, output = build_with(work / "nvcc-variables", env)
    assert_the_checked_compiler_did_everything(build_dir, wrapper, log)
    assert_summary_notes(output, env)


def test_another_gcc_major_through_cudahostcxx_alone_is_not_used_and_says_so(work):
    other = next((f"g++-{v}" for v in (12, 13, 14, 10) if str(v) != gcc_pin() and shutil.which(f"g++-{v}")), None)
    if other is None:
        pytest.skip(f"no GCC other than g++-{gcc_pin()} is installed (Debian 12 has g++-12): nothing to offer nvcc")
    wrapper, log = make_wrapper(work, "other-major-g++", shutil.which(other))
    version = subprocess.run([str(wrapper), "-dumpversion"], stdout=subprocess.PIPE, text=True).stdout.strip()
    assert version.split(".")[0] != gcc_pin()
    log.unlink()
    build_dir = work / "other-major"
    env = {"CUDAHOSTCXX": str(wrapper)}
    configured = configure(build_dir, "-DTRELLIS2_SCCACHE=OFF", env=env)
    assert configured.returncode == 0, configured.stdout[-3000:]
    assert_host_compiler_row(configured.stdout)  # still the checked compiler, not the GCC offered
    assert_summary_notes(configured.stdout, env)
    # The native build's configure (CMake's CUDA detection) only, no compile.
    detected = run(["cmake", "--build", build_dir, "--target", "native-configure"], env=env)
    assert detected.returncode == 0, detected.stdout[-3000:]
    native = build_dir / "native"
    host, _libs = recorded_cuda_detection(native)
    assert os.path.realpath(host) == os.path.realpath(CXX)
    assert all(f"-ccbin={CXX}" in command for command in nvcc_commands(native))
    assert wrapper_runs(log) == [], wrapper_runs(log)[:5]


def test_a_tree_detected_with_another_host_compiler_stops_its_configure(work, wrapper_in_compiler_variables):
    """A native build tree whose CUDA detection recorded another host
    compiler, or a libstdc++.a (as every tree configured with CUDAHOSTCXX set
    did before), is refused at its next configure, naming what it found."""
    build_dir, _output, _env = wrapper_in_compiler_variables
    tree = build_dir / "native"  # in place: a build tree cannot be copied elsewhere
    (recorded,) = tree.glob("CMakeFiles/*/CMakeCUDACompiler.cmake")
    original = recorded.read_text()
    host, libs = recorded_cuda_detection(tree)
    static = "/usr/lib/gcc/x86_64-linux-gnu/11/libstdc++.a"
    cases = [(original.replace(f'CMAKE_CUDA_HOST_COMPILER "{host}"', 'CMAKE_CUDA_HOST_COMPILER "/opt/gcc/bin/g++"'),
              "nvcc's host compiler is not the checked one: found: /opt/gcc/bin/g++"),
             (original.replace(f'CMAKE_CUDA_IMPLICIT_LINK_LIBRARIES "{";".join(libs)}"',
                               f'CMAKE_CUDA_IMPLICIT_LINK_LIBRARIES "{static};{";".join(libs[1:])}"'),
              f"CUDA's implicit link libraries are not the host compiler's: found: '{static}'")]
    try:
        for text, message in cases:
            assert text != original
            recorded.write_text(text)
            again = run(["cmake", "-E", "env", "--unset=CUDAHOSTCXX", "cmake", tree])
            assert again.returncode != 0 and message in one_line(again.stdout), one_line(again.stdout)[-2000:]
            assert f"rm -rf {tree}" in one_line(again.stdout)
    finally:
        recorded.write_text(original)


def test_the_report_fails_on_a_compiler_the_build_files_run_that_is_not_the_checked_one(
        work, wrapper_in_compiler_variables, static_wrapper):
    """compilers_ran reads the native build's compile database and CMake's
    File API replies: a -ccbin there that is not the checked compiler, or a
    static libstdc++ on a module's link, fails the report, naming the module."""
    build_dir, _output, _env = wrapper_in_compiler_variables
    wrapper, _log = static_wrapper
    native = build_dir / "native"
    (target,) = (native / ".cmake/api/v1/reply").glob("target-fixture_pkg._C-*.json")
    linked = json.loads(target.read_text())
    linked["link"]["commandFragments"].append({"fragment": "-static-libstdc++", "role": "flags"})
    database = native / "compile_commands.json"
    cases = [(database, database.read_text().replace(f"-ccbin={CXX}", f"-ccbin={wrapper}", 1),
              f"fixture_pkg._C: nvcc_host is {wrapper}, not the checked {CXX}"),
             (target, json.dumps(linked), "fixture_pkg._C: its link line adds a static libstdc++")]
    for path, text, message in cases:
        original = path.read_text()
        try:
            path.write_text(text)
            result = run([PYTHON, REPO / "tools/build_report.py", build_dir / "report-config.json",
                          work / "report.json"])
            assert result.returncode != 0, result.stdout[-2000:]
            assert message in result.stdout, result.stdout[-2000:]
            assert json.loads((work / "report.json").read_text())["compilers_ran"]["differences"]
        finally:
            path.write_text(original)


def test_a_static_libstdcxx_wrapper_as_the_compiler_stops_configure(work):
    # A wrapper of its own: configure runs this one (its driver is asked).
    wrapper, _log = make_wrapper(work, "static-g++-as-compiler", CXX, "-static-libstdc++")
    text = one_line(configure(work / "static-compiler", f"-DCMAKE_CXX_COMPILER={wrapper}").stdout)
    assert f"host compiler {wrapper}: found a driver that links libstdc++ statically ('-Bstatic -lstdc++'" in text, \
        text[-2500:]
    assert f"-DCMAKE_CXX_COMPILER=/usr/bin/g++-{gcc_pin()}" in text and "Nothing was compiled" in text


def test_a_cuda_host_compiler_other_than_the_checked_one_stops_configure(work, static_wrapper):
    wrapper, _log = static_wrapper
    text = one_line(configure(work / "host-compiler", f"-DCMAKE_CUDA_HOST_COMPILER={wrapper}").stdout)
    assert f"CMAKE_CUDA_HOST_COMPILER: found {wrapper}, expected CMAKE_CXX_COMPILER ({CXX})" in text, text[-2500:]
    assert "-UCMAKE_CUDA_HOST_COMPILER" in text
