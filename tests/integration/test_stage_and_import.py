"""The fixture pulled, built and staged: module files named as the package
imports them, each exporting PyInit_<name>; after `import torch` the modules
import from the stage and their CPU functions return the right values."""

import json
import subprocess

import pytest

from support import FIXTURE_MODULES, PYTHON, STAGE_DIR, exported_symbols


@pytest.mark.parametrize("import_name", sorted(FIXTURE_MODULES))
def test_module_file_and_init_symbol(import_name):
    path = STAGE_DIR / FIXTURE_MODULES[import_name]
    assert path.is_file(), f"{path} was not staged"
    name = import_name.rsplit(".", 1)[-1]
    symbols = exported_symbols(path)
    assert f"PyInit_{name}" in symbols
    # The upstream's own name for the xatlas-like module must not survive.
    assert "PyInit__fixture_xatlas" not in symbols


def test_python_code_is_staged():
    for rel in ("fixture_pkg/__init__.py", "fixture_pkg/ops.py", "fixture_pkg/xatlas.py",
                "fixture_pkg/grid.py", "fixture_pkg/kernels/__init__.py"):
        assert (STAGE_DIR / rel).is_file(), rel


def morton3(x, y, z):
    code = 0
    for bit in range(10):
        code |= ((x >> bit) & 1) << (3 * bit)
        code |= ((y >> bit) & 1) << (3 * bit + 1)
        code |= ((z >> bit) & 1) << (3 * bit + 2)
    return code


CHECK = r"""
import json, torch, fixture_pkg
from fixture_pkg import ops, xatlas, grid
xyz = [[1, 0, 0], [0, 1, 0], [5, 9, 1023], [0, 0, 0]]
print(json.dumps({
    "add_one": ops.add_one(torch.tensor([1.5, -2.0, 0.0])).tolist(),
    "rows": xatlas.count_rows([3, 3, 3, 4], 6),
    "xatlas_name": xatlas._xatlas.module_name,
    "morton": grid.morton3(torch.tensor(xyz, dtype=torch.int32)).tolist(),
    "xyz": xyz,
}))
"""


def test_modules_import_after_torch_and_compute():
    result = subprocess.run([PYTHON, "-c", CHECK], env={"PYTHONPATH": str(STAGE_DIR), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["add_one"] == [2.5, -1.0, 1.0]
    assert values["rows"] == 3  # [3,3] [3] [4] with rows of 6
    assert values["xatlas_name"] == "_xatlas"
    assert values["morton"] == [morton3(*p) for p in values["xyz"]]


def test_build_report_lists_every_module():
    from support import BUILD_DIR
    report = json.loads((BUILD_DIR / "report.json").read_text())
    rows = {row["module"]: row for row in report["modules"]}
    assert set(rows) == set(FIXTURE_MODULES)
    for name, row in rows.items():
        assert row["audit"] == "passed" and row["api_check"] == "passed", row
        assert row["size_bytes"] == (STAGE_DIR / FIXTURE_MODULES[name]).stat().st_size
        assert "GLIBCXX" in row["highest"]
    torch_version = subprocess.run([PYTHON, "-c", "import torch; print(torch.__version__)"],
                                   capture_output=True, text=True)
    assert torch_version.returncode == 0, torch_version.stderr
    assert report["toolchain"]["torch"] == torch_version.stdout.strip(), report["toolchain"]
    assert report["architectures"]


def test_compile_commands_cover_the_upstream_sources():
    from support import BUILD_DIR
    entries = json.loads((BUILD_DIR / "compile_commands.json").read_text())
    files = {entry["file"].split("/fixture/", 1)[-1] for entry in entries}
    assert {"src/add_one.cu", "src/ext.cpp", "src/kernels/morton.cu", "src/kernels/ext.cpp",
            "third_party/atlas/binding.cpp"} <= files
