"""Proof of where a module loads beyond the OS (abi-audit, issue 26):

- the fat-binary reader against cuobjdump (PyPI's nvidia-cuda-cuobjdump, the
  oracle) on the fixture's modules, on modules compiled here with compressed
  and architecture-specific entries, and on every native file of the real
  ComfyUI-Trellis2 wheels ($TRELLIS2_REAL_WHEEL_DIR);
- the fixture at two architecture lists: each module's audit states the
  SASS and PTX of its list and the GPU verdict that follows;
- a module lacking a requested architecture, and one calling a c10 function
  torch does not define, refused with the target and the demangled symbol.
"""

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support import ABI_POLICY_FILE, BUILD_DIR, REPO, CUDA_ARCHITECTURES, CXX, PYTHON, STAGE_DIR, build, configure, \
    scratch_dir

sys.path.insert(0, str(REPO / "tests" / "real"))
from native import expected_targets  # noqa: E402  (shared with tests/real)

# The abi-audit the native build built, as its manifest names it.
ABI_AUDIT = json.loads(open(os.environ["TRELLIS2_NATIVE_MANIFEST"]).read())["abi_audit"]
SECOND_LIST = "7.5;8.0+PTX"


def cuobjdump():
    files = importlib.metadata.distribution("nvidia-cuda-cuobjdump").files
    (path,) = [f for f in files if f.name == "cuobjdump"]
    return str(path.locate())


def oracle(path):
    """(kind, target) of every entry cuobjdump lists. It names a
    family-specific cubin by its base architecture (sm_120 for sm_120f)."""
    out = subprocess.run([cuobjdump(), "--list-elf", "--list-ptx", str(path)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True).stdout
    found = []
    for kind, target, ext in re.findall(r"^(ELF|PTX) file\s+\d+: .*\.(sm_\d+[af]?)\.(cubin|ptx)$", out, re.M):
        found.append(("sass", target) if kind == "ELF" else ("ptx", target.replace("sm_", "compute_")))
    return sorted(found)


def audited(*paths, args=()):
    """abi-audit's JSON report of paths (a report-only run: the device code
    is read whatever the other checks say)."""
    result = subprocess.run([ABI_AUDIT, "--report-only", "--policy", ABI_POLICY_FILE, *args, "--format", "json",
                             *map(str, paths)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["files"]


def entries(checked):
    """The reader's entries as cuobjdump names them."""
    return sorted((e["kind"], re.sub(r"^(sm_\d+)f$", r"\1", e["arch"]) if e["kind"] == "sass" else e["arch"])
                  for e in checked["device_code"]["entries"])


def test_reader_agrees_with_cuobjdump_on_the_fixture_modules():
    modules = sorted(STAGE_DIR.rglob("*.so"))
    assert modules, f"no module staged under {STAGE_DIR}"
    with_code = 0
    for module, checked in zip(modules, audited(*modules)):
        assert entries(checked) == oracle(module), module
        with_code += bool(checked["device_code"]["entries"])
    assert with_code, "no fixture module carries device code"


def test_reader_agrees_with_cuobjdump_on_compressed_and_specific_entries(tmp_path):
    source = tmp_path / "k.cu"
    source.write_text("__global__ void k(float* x) { x[threadIdx.x] += 1.0f; }\n"
                      "void launch(float* x) { k<<<1, 32>>>(x); }\n")
    builds = {
        "compressed.so": ["-gencode", "arch=compute_80,code=[sm_80,compute_80]", "-Xfatbin", "-compress-all"],
        "specific.so": ["-gencode", "arch=compute_90a,code=[sm_90a,compute_90a]",
                        "-gencode", "arch=compute_100f,code=[sm_100f,compute_100f]"],
    }
    for name, flags in builds.items():
        subprocess.run(["nvcc", "-shared", "-Xcompiler", "-fPIC", f"-ccbin={CXX}", "-o", tmp_path / name, source,
                        *flags], check=True)
    compressed, specific = audited(tmp_path / "compressed.so", tmp_path / "specific.so")
    assert entries(compressed) == oracle(tmp_path / "compressed.so")
    assert entries(specific) == oracle(tmp_path / "specific.so")
    assert all(e["compressed"] for e in compressed["device_code"]["entries"]), compressed["device_code"]
    assert {e["arch"] for e in specific["device_code"]["entries"]} >= {"sm_90a", "compute_90a", "sm_100f"}
    # sm_90a runs on 9.0 alone; sm_100f on the 10.x family.
    assert [g.split()[0] for g in specific["device_code"]["gpus"]["native"]] == ["9.0", "10.0", "10.3"]


def real_wheels():
    root = os.environ.get("TRELLIS2_REAL_WHEEL_DIR")
    if not root:
        if os.environ.get("TRELLIS2_REAL_REQUIRED") == "1":
            pytest.fail("TRELLIS2_REAL_REQUIRED=1 but TRELLIS2_REAL_WHEEL_DIR is not set")
        pytest.skip("TRELLIS2_REAL_WHEEL_DIR is not set: the ComfyUI-Trellis2 wheels are not in the repository")
    return sorted(Path(root).rglob("*.whl"))


def test_reader_agrees_with_cuobjdump_on_every_real_wheel(tmp_path):
    checked_files = 0
    for wheel in real_wheels():
        by_member = {c["path"].split("!", 1)[1]: c for c in audited(wheel)}
        with zipfile.ZipFile(wheel) as zf:
            for member in by_member:
                extracted = Path(zf.extract(member, tmp_path / wheel.stem))
                assert entries(by_member[member]) == oracle(extracted), f"{wheel.name}!{member}"
                checked_files += 1
    assert checked_files >= 9, checked_files


def stamps(build_dir):
    manifest = json.loads((build_dir / "native" / "manifest.json").read_text())
    return {m["import"]: json.loads(Path(m["audit"]).read_text())["files"][0]
            for pkg in manifest["packages"].values() for m in pkg["modules"]}


@pytest.fixture(scope="module")
def second_list_build():
    work = scratch_dir("device-code-second-list")
    result = configure(work / "build", f"-DTRELLIS2_CUDA_ARCHITECTURES={SECOND_LIST}")
    assert result.returncode == 0, result.stdout[-3000:]
    result = build(work / "build")
    assert result.returncode == 0, result.stdout[-3000:]
    return work / "build"


@pytest.mark.parametrize("which", ["ci build", "second list"])
def test_fixture_at_two_architecture_lists(which, request):
    build_dir, arch_list = (BUILD_DIR, CUDA_ARCHITECTURES) if which == "ci build" else \
        (request.getfixturevalue("second_list_build"), SECOND_LIST)
    sass, ptx = expected_targets(arch_list)
    report = {r["module"]: r for r in json.loads((build_dir / "report.json").read_text())["modules"]}
    with_code = []
    for module, checked in stamps(build_dir).items():
        device = checked["device_code"]
        assert device["requested"] == arch_list.replace(";", " "), device
        assert checked["torch_symbols"]["searched"], checked["torch_symbols"]
        assert report[module]["device_code"]["verdict"] == device["verdict"]
        if not device["entries"]:
            continue
        with_code.append(device)
        assert (sorted(set(device["sass"])), sorted(set(device["ptx"]))) == (sass, ptx), device
    assert with_code, "no fixture module carries device code"
    if which == "second list":
        gpus = {g.split()[0]: kind for kind, names in with_code[0]["gpus"].items() for g in names}
        assert (gpus["7.5"], gpus["8.6"], gpus["9.0"], gpus["7.0"]) == ("native", "native", "jit", "none"), gpus


def test_a_module_lacking_a_requested_architecture_is_refused():
    (module,) = [m for m in STAGE_DIR.rglob("cuda*.so")]
    result = subprocess.run([ABI_AUDIT, "--policy", ABI_POLICY_FILE, "--cuda-archs", f"{CUDA_ARCHITECTURES};6.1",
                             str(module)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 1, result.stdout
    assert "[device-code] lacks device code for requested architectures sm_61 (6.1)" in result.stdout, result.stdout
    assert "no kernel image is available" in result.stdout


def test_an_undefined_torch_symbol_is_refused_demangled(tmp_path):
    torch_lib = subprocess.run([PYTHON, "-c", "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))"],
                               check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    source = tmp_path / "newer_torch.cpp"
    source.write_text("namespace c10 { int trellis2_not_in_this_torch(int); }\n"
                      "extern \"C\" __attribute__((visibility(\"default\"))) void* PyInit_newer_torch() {\n"
                      "  return reinterpret_cast<void*>(c10::trellis2_not_in_this_torch(1)); }\n")
    module = tmp_path / "newer_torch.cpython-311-x86_64-linux-gnu.so"
    subprocess.run([CXX, "-shared", "-fPIC", "-o", module, source, f"-L{torch_lib}", "-Wl,--no-as-needed", "-lc10"],
                   check=True)
    result = subprocess.run([ABI_AUDIT, "--policy", ABI_POLICY_FILE, "--libs", torch_lib, str(module)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 1, result.stdout
    assert "[torch-symbols] 1 undefined symbol(s)" in result.stdout and "libc10.so" in result.stdout, result.stdout
    assert "\n      c10::trellis2_not_in_this_torch(int)\n" in result.stdout, result.stdout
