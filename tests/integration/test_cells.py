"""One index per torch x CUDA cell (issues 20, 27): the fixture built for
three real cells by the matrix command (cmake/scripts/build_matrix.cmake),
into one dist directory:
- this machine's torch 2.7.0 (cu126) with the system's nvcc 13.0
  (mismatch=allow: a build for compiling);
- torch 2.9.1 (PyPI's default build, cu128: the version of ComfyUI-Trellis2's
  Torch291 wheels) in the venv .ci/setup makes ($TRELLIS2_SECOND_CELL_VENV,
  default /opt/trellis2-ci/torch-2.9.1), also with mismatch=allow;
- the shipping-grade CUDA 13 cell: torch 2.11.0 (PyPI's build is cu130) in
  the venv .ci/setup makes ($TRELLIS2_CUDA13_CELL_VENV, default
  /opt/trellis2-ci/torch-2.11.0) with cuda-toolkit 13.0.2 from PyPI, which
  the build installs from its lock: no mismatch switch.
pip, pointed at a cell's index, installs the set only where that cell's
torch is installed, and never downloads torch (--no-index). A cell the
index's torch cannot serve is refused before any download, naming what the
index has."""

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support import CXX, PYTHON, REPO, make_venv, run, scratch_dir

sys.path.insert(0, str(REPO / "tests" / "real"))
from retag import retag  # noqa: E402  (a wheel re-tagged for another CPython)

SECOND_VENV = Path(os.environ.get("TRELLIS2_SECOND_CELL_VENV", "/opt/trellis2-ci/torch-2.9.1"))
CUDA13_VENV = Path(os.environ.get("TRELLIS2_CUDA13_CELL_VENV", "/opt/trellis2-ci/torch-2.11.0"))
CUDA13_TOOLKIT = "13.0.2"  # torch 2.11.0's own: Requires-Dist cuda-toolkit[...]==13.0.2


def torch_of(python):
    out = subprocess.run([str(python), "-c", "import torch; print(torch.__version__.split('+')[0], torch.version.cuda)"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return tuple(out.stdout.split()) if out.returncode == 0 else None


def cell_of(python):
    version, cuda = torch_of(python)
    return f"torch{version}-cu{cuda.replace('.', '')}"


def venv_python(venv, torch, variable):
    python = venv / "bin" / "python"
    found = torch_of(python) if python.exists() else None
    if not found or found[0] != torch:
        why = (f"no torch {torch} at {python} (found {found}): .ci/setup makes that venv (or set {variable})")
        if os.environ.get("CI"):
            pytest.fail(why)  # CI's own setup must provide every cell
        pytest.skip(why)
    return python


@pytest.fixture(scope="module")
def second_python():
    return venv_python(SECOND_VENV, "2.9.1", "TRELLIS2_SECOND_CELL_VENV")


@pytest.fixture(scope="module")
def cuda13_python():
    return venv_python(CUDA13_VENV, "2.11.0", "TRELLIS2_CUDA13_CELL_VENV")


def matrix(cells, work):
    """The matrix command on cells (each a string of cell words)."""
    return run(["cmake", f"-DCELLS={'|'.join(cells)}", f"-DDIST={work / 'dist'}", "-DPRESET=ci",
                f"-DBUILD_ROOT={work / 'trees'}", f"-DVENV_ROOT={work / 'venvs'}",
                f"-DEXTRA=-DBUILD_TESTING=OFF|-DCMAKE_CXX_COMPILER={CXX}",
                "-P", REPO / "cmake/scripts/build_matrix.cmake"])


def python_tag(python):
    return run([python, "-c", "import sys; print('cp%d%d' % sys.version_info[:2])"]).stdout.strip()


def digests(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cells(second_python, cuda13_python):
    """Cell 1 built, its files hashed, then cells 2 and 3 in one matrix run into the same dist."""
    work = scratch_dir("cells")
    first = matrix([f"python={PYTHON} mismatch=allow"], work)
    assert first.returncode == 0, first.stdout[-5000:]
    one, two, three = cell_of(PYTHON), cell_of(second_python), cell_of(cuda13_python)
    before = digests(work / "dist" / one)
    second = matrix([f"python={second_python} mismatch=allow",
                     f"python={cuda13_python} torch=2.11.0 cuda={CUDA13_TOOLKIT}"], work)
    assert second.returncode == 0, second.stdout[-5000:]
    return {"work": work, "dist": work / "dist", "one": one, "two": two, "three": three, "before": before,
            "table": second.stdout, "pythons": {one: PYTHON, two: second_python, three: cuda13_python}}


def tree_of(cells, which, toolkit="system"):
    cell = cells[which]
    return cells["work"] / "trees" / f"{cell}-{python_tag(cells['pythons'][cell])}-{toolkit}"


def test_each_cell_has_its_wheels_index_and_find_links_page(cells):
    assert (cells["one"], cells["two"], cells["three"]) == ("torch2.7.0-cu126", "torch2.9.1-cu128", "torch2.11.0-cu130")
    for cell, label in ((cells["one"], "torch270.cu126"), (cells["two"], "torch291.cu128"),
                        (cells["three"], "torch2110.cu130")):
        folder = cells["dist"] / cell
        (wheel,) = folder.glob("fixture_pkg-*.whl")
        assert wheel.name.startswith(f"fixture_pkg-0.0.1+{label}-"), wheel.name
        assert f'href="../../{wheel.name}#sha256=' in (folder / "simple/fixture-pkg/index.html").read_text()
        assert f'href="{wheel.name}#sha256=' in (folder / "index.html").read_text()


def test_the_second_cell_touched_nothing_of_the_first(cells):
    assert digests(cells["dist"] / cells["one"]) == cells["before"]


def test_the_root_page_lists_the_cells(cells):
    page = (cells["dist"] / "index.html").read_text()
    for cell in (cells["one"], cells["two"], cells["three"]):
        assert f'href="{cell}/simple/"' in page and f'href="{cell}/index.html"' in page, page


def test_the_matrix_prints_cells_by_packages_with_tags_and_sizes(cells):
    tag = python_tag(PYTHON)
    for cell in (cells["one"], cells["two"], cells["three"]):
        # Under rocky9 the fixture earns manylinux_2_34 with each torch.
        assert re.search(rf"^{cell}\s+fixture[-_]pkg\s+0\.0\.1\+\S+\s+{tag}\s+manylinux_2_34_x86_64\s+\d+\.\d\d MB$",
                         cells["table"], re.M), cells["table"][-2000:]


def venv_with_torch_of(python, path):
    """A venv whose only torch is `python`'s: this machine's Python sees its
    own site-packages (--system-site-packages); the second cell's venv is
    itself a venv, so a .pth file puts its site-packages on the new one's path."""
    if python == PYTHON:
        make_venv(path)
        return path / "bin/python"
    subprocess.run([str(python), "-m", "venv", str(path)], check=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    own = subprocess.run([str(path / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    Path(own, "second-cell-torch.pth").write_text(site + "\n")
    return path / "bin/python"


def pip(python, *args):
    return run([python, "-m", "pip", "--disable-pip-version-check", *args])


@pytest.mark.parametrize("which", ["one", "two", "three"])
def test_pip_installs_a_cell_only_where_its_torch_is(cells, which):
    cell = cells[which]
    other = cells["two" if which == "one" else "one"]
    work = scratch_dir(f"cells-pip-{which}")
    python = venv_with_torch_of(cells["pythons"][cell], work / "venv")
    assert cell.startswith("torch" + torch_of(python)[0] + "-"), torch_of(python)
    # --index-url replaces PyPI: the cell's index is all pip sees, so it can
    # take torch only from what is installed (the cell's index has none).
    index = (cells["dist"] / cell / "simple").as_uri()
    installed = pip(python, "install", "--index-url", index, "fixture_pkg")
    assert installed.returncode == 0, installed.stdout[-3000:]
    check = pip(python, "check")
    assert check.returncode == 0, check.stdout[-3000:]
    # The other cell's index, with no torch to download: pip's resolver refuses.
    refused_in = venv_with_torch_of(cells["pythons"][cell], work / "venv-other")
    wanted = torch_of(cells["pythons"][other])[0]
    refused = pip(refused_in, "install", "--index-url", (cells["dist"] / other / "simple").as_uri(), "fixture_pkg")
    assert refused.returncode != 0, refused.stdout[-3000:]
    assert f"torch=={wanted}" in refused.stdout, refused.stdout[-3000:]
    # The same with no index at all, only the other cell's find-links page.
    refused = pip(refused_in, "install", "--no-index", "--find-links", (cells["dist"] / other / "index.html").as_uri(),
                  "fixture_pkg")
    assert refused.returncode != 0 and f"torch=={wanted}" in refused.stdout, refused.stdout[-3000:]
    assert "ResolutionImpossible" in refused.stdout or "No matching distribution found for torch" in refused.stdout


def test_each_cells_wheel_carries_a_valid_sbom_naming_the_commit_and_the_audit(cells):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    commits = set()
    for cell, torch in ((cells["one"], "2.7.0"), (cells["two"], "2.9.1"), (cells["three"], "2.11.0")):
        (wheel,) = (cells["dist"] / cell).glob("fixture_pkg-*.whl")
        with zipfile.ZipFile(wheel) as zf:
            (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/sboms/trellis2-native.cdx.json")]
            text = zf.read(name).decode()
        assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None, cell
        doc = json.loads(text)
        refs = {c["bom-ref"]: c for c in doc["components"]}
        commits.add(refs["source:fixture"]["version"])
        assert any(ref.startswith(f"pkg:pypi/torch@{torch}") for ref in refs), sorted(refs)
        for module in ("fixture_pkg._C", "fixture_pkg._xatlas", "fixture_pkg.kernels.cuda"):
            props = {p["name"]: p["value"] for p in refs[f"module:{module}"]["properties"]}
            assert props["trellis2-native:audit-passed"] == "true", (cell, module, props)
            assert props["trellis2-native:platform-tag"] == "manylinux_2_34_x86_64", (cell, module, props)
    assert len(commits) == 1 and re.fullmatch(r"[0-9a-f]{40}", commits.pop())


def test_the_cuda13_cell_is_shipping_grade_with_its_toolkit_from_pypi(cells):
    """No mismatch switch: torch 2.11.0 is cu130 and nvcc the PyPI toolkit's
    13.0, installed by the build into the matrix's toolkit cache."""
    tree = tree_of(cells, "three", f"cuda{CUDA13_TOOLKIT}")
    report = json.loads((tree / "report.json").read_text())
    toolchain = report["toolchain"]
    assert toolchain["cuda_mismatch_accepted"] is False, toolchain
    assert toolchain["torch_cuda"] == "13.0" and toolchain["nvcc"] == "13.0", toolchain
    assert toolchain["cuda_toolkit"]["from"] == "pypi" and toolchain["cuda_toolkit"]["version"] == CUDA13_TOOLKIT
    lock = REPO / "third_party" / "cuda-toolkit" / f"{CUDA13_TOOLKIT}.txt"
    assert toolchain["cuda_toolkit"]["lock_sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    toolkits = cells["work"] / "trees" / "cuda-toolkit"
    assert Path(toolchain["nvcc_path"]).is_relative_to(toolkits), toolchain["nvcc_path"]
    assert re.fullmatch(r"V13\.0\.\d+", toolchain["nvcc_build"]), toolchain
    cache = (tree / "CMakeCache.txt").read_text()
    assert re.search(r"^TRELLIS2_ALLOW_CUDA_MISMATCH:BOOL=OFF$", cache, re.M)
    # Every CUDA include directory is the PyPI toolkit's: torch was asked
    # with CUDA_HOME at it, and nothing of the system's /usr/local/cuda is left.
    ninja = (tree / "native" / "build.ninja").read_text()
    assert "/usr/local/cuda" not in ninja
    assert f"-I{toolchain['cuda_toolkit']['root']}/include" in ninja
    # Every library directory nvcc links from is in the prefix and exists
    # (13.0.88's profile says lib64, the wheels lay out lib: CudaToolkit.cmake
    # links one to the other). Here a system toolkit's libcudadevrt.a in
    # /usr/local/lib hid that; a machine without one could not link.
    source = scratch_dir("cells-dryrun") / "k.cu"
    source.write_text("__global__ void k() {}\nint main() { k<<<1, 1>>>(); }\n")
    dry = run([toolchain["nvcc_path"], "--dryrun", "-ccbin", CXX, "-arch=sm_90", source, "-o", source.with_suffix("")])
    assert dry.returncode == 0, dry.stdout[-2000:]
    dirs = set(re.findall(r'-L"?([^" ]+)"?', dry.stdout))
    assert dirs, dry.stdout[-2000:]
    for path in dirs:
        assert Path(path).resolve().is_relative_to(Path(toolchain["cuda_toolkit"]["root"]).resolve()), path
        if not path.endswith("/stubs"):  # libcuda's stub: no wheel carries one, nothing here links it
            assert Path(path).is_dir(), f"nvcc links from {path}, which does not exist"


def test_a_cell_keeps_the_wheels_of_other_pythons(cells):
    """Two Pythons of one torch x CUDA share a cell folder and its index: a
    build replaces only its own Python's wheels. Stand-in for another
    Python's build: cell one's wheel re-tagged for another CPython
    (tests/real/retag.py), then cell one's wheels target run again."""
    folder = cells["dist"] / cells["one"]
    (own,) = folder.glob("fixture_pkg-*.whl")
    other_tag = "cp399"
    other = Path(retag(own, folder, other_tag))
    assert other.exists() and other != own
    rebuilt = run(["cmake", "--build", tree_of(cells, "one"), "--target", "wheels"])
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]
    assert other.exists(), sorted(p.name for p in folder.iterdir())
    assert sorted(p.name for p in folder.glob("fixture_pkg-*.whl")) == sorted([own.name, other.name])
    page = (folder / "simple" / "fixture-pkg" / "index.html").read_text()
    assert own.name in page and other.name in page, page
    other.unlink()


def test_a_cell_whose_torch_has_no_build_for_its_cuda_is_refused_naming_what_the_index_has(cells):
    """torch 2.9.1 on PyPI is cu128: a CUDA 13 cell of it is refused from the
    index's METADATA alone, before any venv or download."""
    work = scratch_dir("cells-refused")
    refused = matrix([f"python={PYTHON} torch=2.9.1 cuda={CUDA13_TOOLKIT}"], work)
    if "cannot read the package index" in refused.stdout:
        why = "the package index is not reachable: " + refused.stdout[-500:]
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    assert refused.returncode != 0
    text = " ".join(refused.stdout.split())
    assert "refused: torch 2.9.1" in text and "is built for CUDA 12.8, not CUDA 13" in text, text[-2000:]
    assert "2.11.0 (CUDA 13.0)" in text, text[-2000:]
    assert not (work / "venvs").exists() and not (work / "trees").exists()


def test_a_cell_word_the_matrix_does_not_know_is_an_error(cells):
    work = scratch_dir("cells-bad-word")
    bad = matrix([f"python={PYTHON} cuda=13.0"], work)
    assert bad.returncode != 0
    assert "'cuda=13.0' is not a cell word" in " ".join(bad.stdout.split()), bad.stdout[-2000:]
