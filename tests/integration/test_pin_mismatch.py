"""Each pin mismatch stops configure with one message: what was found, what
was expected, and the -D that accepts it; nothing is compiled."""

import re
import shutil
import stat

from support import CXX, PYTHON, configure, one_line, run, scratch_dir


def torch_version():
    out = run([PYTHON, "-c", "import torch; print(torch.__version__)"]).stdout
    return out.strip().splitlines()[-1]


def gcc_major():
    return int(run([CXX, "-dumpversion"]).stdout.strip().split(".")[0])


def assert_stopped(result, build_dir):
    assert result.returncode != 0, result.stdout
    assert "The toolchain does not match its pins" in result.stdout
    assert "Nothing was compiled" in one_line(result.stdout)
    assert not list(build_dir.rglob("*.o")), "configure compiled something"


def test_torch_version_mismatch():
    build_dir = scratch_dir("pin-torch")
    result = configure(build_dir, "-DTRELLIS2_TORCH_VERSION=2.6.0")
    assert_stopped(result, build_dir)
    text = one_line(result.stdout)
    found = torch_version()
    assert f"found {found}, expected 2.6.0 (TRELLIS2_TORCH_VERSION)" in text
    assert f"-DTRELLIS2_TORCH_VERSION={found.split('+')[0]}" in text


def test_torch_cuda_version_mismatch():
    build_dir = scratch_dir("pin-torch-cuda")
    result = configure(build_dir, "-DTRELLIS2_TORCH_CUDA_VERSION=11.8")
    assert_stopped(result, build_dir)
    text = one_line(result.stdout)
    assert "expected 11.8 (TRELLIS2_TORCH_CUDA_VERSION)" in text
    assert re.search(r"-DTRELLIS2_TORCH_CUDA_VERSION=\d+\.\d+", text)


def test_gcc_version_mismatch():
    build_dir = scratch_dir("pin-gcc")
    wrong = gcc_major() + 1
    result = configure(build_dir, f"-DTRELLIS2_GCC_VERSION={wrong}")
    assert_stopped(result, build_dir)
    text = one_line(result.stdout)
    assert f"expected GCC {wrong} (TRELLIS2_GCC_VERSION)" in text
    assert f"-DTRELLIS2_GCC_VERSION={gcc_major()}" in text


def fake_nvcc(directory, release):
    """An nvcc that reports another CUDA release. A stand-in, used only when
    the real nvcc has torch's CUDA major (then no real mismatch exists here)."""
    script = directory / "nvcc"
    script.write_text(f"#!/bin/sh\necho 'Cuda compilation tools, release {release}, V{release}.0'\n"
                      "[ \"$1\" = --list-gpu-code ] && echo sm_80 sm_86 sm_89 sm_90\nexit 0\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_cuda_major_mismatch_needs_opt_in():
    build_dir = scratch_dir("pin-cuda-major")
    torch_cuda = run([PYTHON, "-c", "import torch; print(torch.version.cuda)"]).stdout.strip().splitlines()[-1]
    nvcc = shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc"
    nvcc_release = re.search(r"release (\d+)\.", run([nvcc, "--version"]).stdout).group(1)
    extra = []
    if nvcc_release == torch_cuda.split(".")[0]:
        print("nvcc has torch's CUDA major: using a stand-in nvcc that reports another release")
        extra = [f"-DCMAKE_CUDA_COMPILER={fake_nvcc(build_dir, '99.0')}"]
    result = configure(build_dir, "-DTRELLIS2_ALLOW_CUDA_MISMATCH=OFF", *extra)
    assert_stopped(result, build_dir)
    text = one_line(result.stdout)
    assert f"the major torch was built with ({torch_cuda})" in text
    assert "-DTRELLIS2_ALLOW_CUDA_MISMATCH=ON" in text


def test_architecture_the_toolkit_cannot_target():
    build_dir = scratch_dir("pin-arch")
    # torch knows 3.5; no CUDA 12 or 13 nvcc can generate sm_35.
    result = configure(build_dir, "-DTRELLIS2_CUDA_ARCHITECTURES=3.5;9.0")
    assert_stopped(result, build_dir)
    text = one_line(result.stdout)
    assert "CUDA architecture sm_35" in text
    assert "-DTRELLIS2_CUDA_ARCHITECTURES=" in text


def test_unknown_architecture_is_torchs_error():
    build_dir = scratch_dir("pin-arch-unknown")
    result = configure(build_dir, "-DTRELLIS2_CUDA_ARCHITECTURES=7.7")
    assert result.returncode != 0
    assert "Unknown CUDA arch (7.7)" in one_line(result.stdout)


def test_all_mismatches_in_one_message():
    build_dir = scratch_dir("pin-several")
    result = configure(build_dir, "-DTRELLIS2_TORCH_VERSION=2.6.0", f"-DTRELLIS2_GCC_VERSION={gcc_major() + 1}")
    assert_stopped(result, build_dir)
    assert result.stdout.count("To accept it:") == 2
