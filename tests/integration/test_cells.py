"""One index per torch x CUDA cell (issue 20): the fixture built for two
real cells, this machine's torch 2.7.0 (cu126) and torch 2.9.1 (PyPI's
default build, cu128: the version of ComfyUI-Trellis2's Torch291 wheels) in
the venv .ci/setup makes ($TRELLIS2_SECOND_CELL_VENV, default
/opt/trellis2-ci/torch-2.9.1), by the matrix script
(cmake/scripts/build_matrix.cmake), one cell after the other, into one dist
directory. pip, pointed at a cell's index, installs the set only where that
cell's torch is installed, and never downloads torch (--no-index)."""

import hashlib
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from support import CXX, PYTHON, REPO, make_venv, run, scratch_dir

SECOND_VENV = Path(os.environ.get("TRELLIS2_SECOND_CELL_VENV", "/opt/trellis2-ci/torch-2.9.1"))


def torch_of(python):
    out = subprocess.run([str(python), "-c", "import torch; print(torch.__version__.split('+')[0], torch.version.cuda)"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return tuple(out.stdout.split()) if out.returncode == 0 else None


def cell_of(python):
    version, cuda = torch_of(python)
    return f"torch{version}-cu{cuda.replace('.', '')}"


@pytest.fixture(scope="module")
def second_python():
    python = SECOND_VENV / "bin" / "python"
    found = torch_of(python) if python.exists() else None
    if not found or found[0] == torch_of(PYTHON)[0]:
        why = (f"no second torch at {python} (found {found}): .ci/setup makes a torch 2.9.1 venv there "
               "(or set TRELLIS2_SECOND_CELL_VENV)")
        if os.environ.get("CI"):
            pytest.fail(why)  # CI's own setup must provide the second cell
        pytest.skip(why)
    return python


def matrix(pythons, work):
    return run(["cmake", f"-DPYTHONS={'|'.join(map(str, pythons))}", f"-DDIST={work / 'dist'}", "-DPRESET=ci",
                f"-DBUILD_ROOT={work / 'trees'}", f"-DEXTRA=-DBUILD_TESTING=OFF|-DCMAKE_CXX_COMPILER={CXX}",
                "-P", REPO / "cmake/scripts/build_matrix.cmake"])


def digests(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cells(second_python):
    """Cell 1 built, its files hashed, then cell 2 built into the same dist."""
    work = scratch_dir("cells")
    first = matrix([PYTHON], work)
    assert first.returncode == 0, first.stdout[-5000:]
    one, two = cell_of(PYTHON), cell_of(second_python)
    before = digests(work / "dist" / one)
    second = matrix([second_python], work)
    assert second.returncode == 0, second.stdout[-5000:]
    return {"dist": work / "dist", "one": one, "two": two, "before": before, "table": second.stdout,
            "pythons": {one: PYTHON, two: second_python}}


def test_each_cell_has_its_wheels_index_and_find_links_page(cells):
    assert (cells["one"], cells["two"]) == ("torch2.7.0-cu126", "torch2.9.1-cu128")
    for cell, label in ((cells["one"], "torch270.cu126"), (cells["two"], "torch291.cu128")):
        folder = cells["dist"] / cell
        (wheel,) = folder.glob("fixture_pkg-*.whl")
        assert wheel.name.startswith(f"fixture_pkg-0.0.1+{label}-"), wheel.name
        assert f'href="../../{wheel.name}#sha256=' in (folder / "simple/fixture-pkg/index.html").read_text()
        assert f'href="{wheel.name}#sha256=' in (folder / "index.html").read_text()


def test_the_second_cell_touched_nothing_of_the_first(cells):
    assert digests(cells["dist"] / cells["one"]) == cells["before"]


def test_the_root_page_lists_the_cells(cells):
    page = (cells["dist"] / "index.html").read_text()
    for cell in (cells["one"], cells["two"]):
        assert f'href="{cell}/simple/"' in page and f'href="{cell}/index.html"' in page, page


def test_the_matrix_prints_cells_by_packages_with_tags_and_sizes(cells):
    for cell in (cells["one"], cells["two"]):
        # Under rocky9 the fixture earns manylinux_2_34 with either torch.
        assert re.search(rf"^{cell}\s+fixture[-_]pkg\s+0\.0\.1\+\S+\s+manylinux_2_34_x86_64\s+\d+\.\d\d MB$",
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


@pytest.mark.parametrize("which", ["one", "two"])
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
    for cell, torch in ((cells["one"], "2.7.0"), (cells["two"], "2.9.1")):
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
