"""The native build's compilers are detected during the superbuild's
configure, beside the torch probe, and a fresh native tree starts from that
answer: its configure identifies no compiler, and generates the same compile
commands as a tree that detected on its own. A seeded answer that names
another compiler than the plan is dropped, and CMake detects again. A fresh
tree takes the answer kept in TRELLIS2_CONFIGURE_CACHE_DIR for the same CMake
and compilers instead of detecting."""

import json
import re

from support import base_configure_args, run, scratch_dir

IDENTIFYING = "compiler identification is"


NO_KEPT_ANSWERS = "-DTRELLIS2_CONFIGURE_CACHE_DIR="


def configure_and_native_configure(build_dir, before_native=None, cache=NO_KEPT_ANSWERS):
    result = run([*base_configure_args(build_dir), cache])
    assert result.returncode == 0, result.stdout[-3000:]
    if before_native:
        before_native(build_dir)
    native = run(["cmake", "--build", str(build_dir), "--target", "native-configure"])
    assert native.returncode == 0, native.stdout[-3000:]
    return result.stdout, native.stdout


def compile_commands(build_dir):
    """The native tree's compile commands, with the tree's own path taken out."""
    entries = json.loads((build_dir / "native" / "compile_commands.json").read_text())
    return sorted(e["command"].replace(str(build_dir), "<build>") for e in entries)


def platform_dir(build_dir):
    (found,) = (build_dir / "native" / "CMakeFiles").glob("[0-9]*.[0-9]*")
    return found


def test_a_fresh_native_tree_starts_from_the_detection_beside_the_probe():
    seeded = scratch_dir("detection-seeded")
    configure_out, native_out = configure_and_native_configure(seeded)
    assert "its compilers detected beside the torch probe" in configure_out
    assert IDENTIFYING not in native_out, native_out[-2000:]
    detected = seeded / "compiler-detection" / "CMakeFiles" / platform_dir(seeded).name
    for name in ("CMakeSystem.cmake", "CMakeCXXCompiler.cmake", "CMakeCUDACompiler.cmake"):
        assert (platform_dir(seeded) / name).read_text() == (detected / name).read_text(), name

    # The same tree detecting on its own (the seed removed before its configure).
    def unseed(build_dir):
        for path in (platform_dir(build_dir)).iterdir():
            path.unlink()
        (build_dir / "native" / "CMakeCache.txt").unlink()

    alone = scratch_dir("detection-alone")
    _, alone_out = configure_and_native_configure(alone, before_native=unseed)
    assert IDENTIFYING in alone_out, "the control tree must detect on its own"
    assert compile_commands(seeded) == compile_commands(alone)
    for name in ("CMakeCXXCompiler.cmake", "CMakeCUDACompiler.cmake"):
        assert (platform_dir(seeded) / name).read_text() == \
            (platform_dir(alone) / name).read_text().replace(str(alone), str(seeded)), name


def test_a_seed_naming_another_compiler_is_detected_again():
    build_dir = scratch_dir("detection-wrong-seed")

    def name_another_compiler(tree):
        cxx_file = platform_dir(tree) / "CMakeCXXCompiler.cmake"
        text = cxx_file.read_text()
        assert re.search(r'^set\(CMAKE_CXX_COMPILER "', text, re.M)
        cxx_file.write_text(re.sub(r'^set\(CMAKE_CXX_COMPILER "[^"]*"\)',
                                   'set(CMAKE_CXX_COMPILER "/nonexistent/g++")', text, flags=re.M))

    _, native_out = configure_and_native_configure(build_dir, before_native=name_another_compiler)
    assert "The CXX compiler identification is" in native_out, native_out[-2000:]
    assert "/nonexistent/g++" not in (platform_dir(build_dir) / "CMakeCXXCompiler.cmake").read_text()


def test_a_fresh_tree_takes_the_detection_kept_for_the_same_compilers():
    work = scratch_dir("detection-kept")
    cache = f"-DTRELLIS2_CONFIGURE_CACHE_DIR={work / 'cache'}"
    first_out, _ = configure_and_native_configure(work / "first", cache=cache)
    assert "its compilers detected beside the torch probe" in first_out
    kept = [d for d in (work / "cache" / "compilers").iterdir()]
    assert len(kept) == 1 and kept[0].is_dir(), kept

    second_out, native_out = configure_and_native_configure(work / "second", cache=cache)
    assert f"its compilers' detection kept for the same CMake and compilers ({kept[0]})" in second_out, \
        second_out[-2000:]
    assert not (work / "second" / "compiler-detection.log").exists(), "the second tree ran no detection"
    assert IDENTIFYING not in native_out, native_out[-2000:]
    assert compile_commands(work / "second") == compile_commands(work / "first")
    for name in ("CMakeSystem.cmake", "CMakeCXXCompiler.cmake", "CMakeCUDACompiler.cmake"):
        assert (platform_dir(work / "second") / name).read_text() == \
            (platform_dir(work / "first") / name).read_text(), name

    # An incomplete kept answer is detected again, and replaced.
    (kept[0] / "CMakeCXXCompiler.cmake").unlink()
    third_out, _ = configure_and_native_configure(work / "third", cache=cache)
    assert "its compilers detected beside the torch probe" in third_out, "an incomplete answer is detected again"
    assert (kept[0] / "CMakeCXXCompiler.cmake").is_file(), "and kept whole"
