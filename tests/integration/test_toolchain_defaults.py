"""What configure chooses when it is not told: the pinned g++ before the
machine's default c++, torch's own libcudart (CUDA 12 and 13 wheel layouts)
with the reason in the summary, and the gpu-host preset's settings."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import CXX, PYTHON, REPO, base_configure_args, one_line, scratch_dir

PROBE_DIR = REPO / "cmake" / "superbuild"


def gcc_pin():
    text = (REPO / "cmake/superbuild/Options.cmake").read_text()
    return re.search(r'set\(TRELLIS2_GCC_VERSION "(\d+)"', text).group(1)


def run_without_compiler(args):
    """Runs cmake as a fresh machine would: no $CXX, no -DCMAKE_CXX_COMPILER."""
    env = {k: v for k, v in os.environ.items() if k not in ("CXX", "CC")}
    args = [a for a in args if not str(a).startswith("-DCMAKE_CXX_COMPILER=")]
    return subprocess.run([str(a) for a in args], cwd=REPO, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.fixture
def pinned_gxx():
    found = shutil.which(f"g++-{gcc_pin()}")
    if not found:
        pytest.skip(f"g++-{gcc_pin()} is not installed (.ci/setup installs it): nothing to prefer")
    return found


def test_the_pinned_gxx_is_taken_when_no_compiler_is_given(pinned_gxx):
    result = run_without_compiler(base_configure_args(scratch_dir("cxx-default")))
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"No C++ compiler given: taking {pinned_gxx}" in result.stdout
    assert re.search(rf"CMAKE_CXX_COMPILER\s+{re.escape(pinned_gxx)} {gcc_pin()}\.", result.stdout)


def test_readme_command_stops_only_on_the_cuda_major(pinned_gxx):
    """`cmake --workflow --preset default` on this machine: its configure step."""
    build_dir = scratch_dir("readme-default")
    result = run_without_compiler(["cmake", "--preset", "default", "-B", build_dir, f"-DPython3_EXECUTABLE={PYTHON}"])
    text = one_line(result.stdout)
    assert "host compiler" not in text and "TRELLIS2_TORCH_VERSION)" not in text, text[-3000:]
    if result.returncode == 0:
        return  # nvcc has torch's CUDA major here: nothing to stop on
    assert result.stdout.count("To accept it:") == 1, result.stdout[-3000:]
    assert "the major torch was built with" in text and "-DTRELLIS2_ALLOW_CUDA_MISMATCH=ON" in text


def test_the_summary_says_which_cudart_and_why():
    result = subprocess.run([str(a) for a in base_configure_args(scratch_dir("cudart-summary"))],
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert result.returncode == 0, result.stdout[-3000:]
    path, reason = re.search(r"TRELLIS2_CUDART_LIBRARY\s+(\S+) \((.*)\)\n", result.stdout).groups()
    loaded = subprocess.run([PYTHON, "-c", "import torch\nfor line in open('/proc/self/maps'):\n"
                             "    if 'libcudart.so' in line: print(line.split()[-1]); break"],
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.strip()
    if loaded:
        assert (path, reason) == (loaded, "torch's own: loaded by import torch")
    else:
        assert reason.startswith("the toolkit's, as torch loaded no libcudart.so.")


def torch_cudart(cuda_version, search_dirs, maps="/dev/null"):
    code = ("import sys, probe_torch\n"
            "print(*probe_torch.torch_cudart(sys.argv[1], sys.argv[3:], maps=sys.argv[2]), sep='\\n')")
    out = subprocess.run([PYTHON, "-c", code, cuda_version, maps, *map(str, search_dirs)], check=True, text=True,
                         stdout=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(PROBE_DIR))).stdout
    return tuple(out.splitlines())


def fake_site_packages(root, layout):
    """A site-packages holding only pip's CUDA runtime file at <layout>. The
    real cu13 wheel (nvidia-cuda-runtime 13.x, for torch 2.11+cu130) is not
    installed here: this machine's torch is 2.7.0+cu126 and the tests take
    nothing from the network, so its layout is rebuilt by hand."""
    lib = Path(root) / layout
    lib.parent.mkdir(parents=True)
    lib.write_bytes(b"\x7fELF")
    return Path(root)


def test_cuda13_wheel_layout_is_found(tmp_path):
    site = fake_site_packages(tmp_path / "site", "nvidia/cu13/lib/libcudart.so.13")
    path, reason = torch_cudart("13.0", [tmp_path / "empty", site])
    assert path == str(site / "nvidia/cu13/lib/libcudart.so.13")
    assert "torch's CUDA 13" in reason


def test_cuda12_wheel_layout_is_found(tmp_path):
    site = fake_site_packages(tmp_path / "site", "nvidia/cuda_runtime/lib/libcudart.so.12")
    fake_site_packages(tmp_path / "site13", "nvidia/cu13/lib/libcudart.so.13")
    assert torch_cudart("12.6", [tmp_path / "site13", site])[0] == str(site / "nvidia/cuda_runtime/lib/libcudart.so.12")


def test_what_torch_loaded_wins(tmp_path):
    site = fake_site_packages(tmp_path / "site", "nvidia/cu13/lib/libcudart.so.13")
    maps = tmp_path / "maps"
    maps.write_text("7f00-7f01 r-xp 00000000 08:01 42 /opt/other/lib/libcudart.so.13\n")
    assert torch_cudart("13.0", [site], maps=maps) == ("/opt/other/lib/libcudart.so.13", "loaded by import torch")


def test_no_runtime_of_torchs_own(tmp_path):
    path, reason = torch_cudart("13.0", [fake_site_packages(tmp_path / "s", "nvidia/cuda_runtime/lib/libcudart.so.12")])
    assert path == "" and "torch loaded no libcudart.so.13" in reason


def test_gpu_host_preset_relaxes_only_symbol_version_ceilings():
    presets = {p["name"]: p for p in json.loads((REPO / "CMakePresets.json").read_text())["configurePresets"]}
    cache = presets["gpu-host"]["cacheVariables"]
    # The image's CC/CXX wrappers link libstdc++ statically; such modules crash.
    assert cache["CMAKE_CXX_COMPILER"] == "/usr/bin/g++"
    assert (cache["TRELLIS2_TORCH_VERSION"], cache["TRELLIS2_TORCH_CUDA_VERSION"], cache["TRELLIS2_GCC_VERSION"]) \
        == ("2.11.0", "13.0", "13")
    policy = Path(cache["TRELLIS2_ABI_POLICY"].replace("${sourceDir}", str(REPO)))
    rules = [line.split("#")[0].strip() for line in policy.read_text().splitlines()]
    rules = [rule for rule in rules if rule and not rule.startswith(("name", "description"))]
    # rocky9's checks all stay (PyInit_, RUNPATH, DT_NEEDED, the C++ runtime
    # check that refuses a static libstdc++); only the host's glibc and its
    # GCC 13.3 raise the version ceilings.
    assert rules == ["include = rocky9", "max GLIBC = 2.39", "max GLIBCXX = 3.4.32", "max CXXABI = 1.3.14",
                     "max GCC = 13.0.0"]


def test_the_dev_preset_sets_only_variables_the_project_reads():
    """A preset variable CMake ignores is a promise the preset does not keep
    (and a warning on every kernel-work configure): CMAKE_EXPORT_COMPILE_COMMANDS
    was one, while the native build writes compile_commands.json anyway."""
    build_dir = scratch_dir("preset-dev")
    result = subprocess.run(["cmake", "--preset", "dev", "-B", str(build_dir), f"-DCMAKE_CXX_COMPILER={CXX}",
                             f"-DPython3_EXECUTABLE={PYTHON}", "-DTRELLIS2_ALLOW_CUDA_MISMATCH=ON"],
                            cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "not used by the project" not in result.stdout, result.stdout[-1500:]
    assert re.search(r"TRELLIS2_API_CHECK\s+deliver", result.stdout), result.stdout[-3000:]
