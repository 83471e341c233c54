"""Wheel mode over the real ComfyUI-Trellis2 wheels, as the seed does it by
hand: Torch270 flex_gemm and o_voxel, Torch291 cumesh and nvdiffrast (the
Torch270 ones of those two are too large for the fetched copy), o_voxel
from the fork pin (visualbruno/TRELLIS.2, whose source matches the wheel's
Python). The wheels are judged, their Python kept, their natives rebuilt:

- the real tree of real.build re-configured into wheel mode: only o_voxel,
  whose pin changed, compiles again;
- the wheels installed with `pip install --no-deps` into a venv, then
  `cmake --install` over them: RECORD true, the modules load after torch,
  `pip check` clean, `pip uninstall` leaves nothing;
- the `wheels` target: each repaired wheel's platform tag and SBOM (the real
  commits), and plain pip installing the set from the cell's index.

The wheels are cp312. Where the Python running the tests is another CPython
(CI's 3.11), the build is given re-tagged copies (tests/real/retag.py: WHEEL's
tag and its RECORD line changed, every other byte the published wheel's,
the natives included), listed in a pin list of the test's own; the
judgement of their natives is the judgement of the published files.
"""

import ast
import hashlib
import json
import re
import shutil
import warnings
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

import native
import realbuild
import retag
from realbuild import BUILD, FORK_PIN, PIN_COMMITS, WORK, ok, run

# package -> the ComfyUI-Trellis2 folder its wheel is taken from
FOLDERS = {"flex_gemm": "Torch270", "o_voxel": "Torch270", "cumesh": "Torch291", "nvdiffrast": "Torch291"}
COMMITS = dict(PIN_COMMITS, o_voxel=realbuild.pin_commit(FORK_PIN))
MODULES = [name for names in native.MODULES.values() for name in names]
EXT_SUFFIX = native.ctest_env("TRELLIS2_EXT_SUFFIX")
IMPORT_INSTALLED = Path(__file__).with_name("import_installed.py")


@pytest.fixture(scope="module")
def wheel_mode():
    root = native.real_input("TRELLIS2_REAL_WHEEL_DIR", "ComfyUI-Trellis2's wheels/Linux/ (Torch270/, Torch291/)")
    cache = native.real_input("TRELLIS2_REAL_SOURCE_CACHE", "a source cache of the pinned upstreams")
    if not (BUILD / "report.json").is_file():
        native.unavailable(f"no real build at {BUILD}: real.build makes it (run the real tests through ctest)")
    inputs = WORK / "input-wheels"
    shutil.rmtree(inputs, ignore_errors=True)
    copies = []
    for pkg, folder in FOLDERS.items():
        (published,) = sorted((root / folder).glob(f"{pkg}-*.whl"))
        copies.append((retag.retag(published, inputs), published))
    for copy, published in copies:
        if copy.name != published.name:
            print(f"given to the build: {copy.name}, {published.name} re-tagged for {retag.PYTHON_TAG} "
                  "(WHEEL's tag and its RECORD line; the natives and every other member as published)")
    pins = retag.pin_list(copies, realbuild.REPO / "third_party" / "wheels.cmake", WORK / "wheel-pins.txt")
    configured = ok(realbuild.configure(
        f"-DTRELLIS2_SOURCE_CACHE={cache}", f"-DTRELLIS2_WHEEL_DIR={inputs}", "-DTRELLIS2_PYTHON_FROM=wheel",
        f"-DTRELLIS2_WHEEL_PINS={pins}", f"-DTRELLIS2_O_VOXEL_PIN_FILE={FORK_PIN}"))
    built = ok(realbuild.build())
    return SimpleNamespace(copies=dict(zip(FOLDERS, (c for c, _ in copies))),
                           published=dict(zip(FOLDERS, (p for _, p in copies))),
                           configure=configured.stdout, build=built.stdout)


def test_only_the_package_whose_pin_changed_compiles_again(wheel_mode):
    compiled = realbuild.compiled(wheel_mode.build)
    assert compiled, "the fork's o_voxel was not compiled"
    assert all(obj.startswith("o_voxel/") for obj in compiled), compiled
    assert f"o_voxel-{COMMITS['o_voxel']}" in wheel_mode.configure


def test_stage_has_each_wheels_python_over_the_built_modules(wheel_mode):
    manifest = json.loads((BUILD / "native" / "manifest.json").read_text())["packages"]
    stage = native.stage_dir()
    for pkg, copy in wheel_mode.copies.items():
        for module in manifest[pkg]["modules"]:
            staged = stage / (module["import"].replace(".", "/") + EXT_SUFFIX)
            assert staged.read_bytes() == Path(module["file"]).read_bytes(), module["import"]
        with zipfile.ZipFile(copy) as wheel:
            for name in wheel.namelist():
                if name.endswith(".py"):
                    assert (stage / name).read_bytes() == wheel.read(name), f"{name} of {copy.name} not staged as is"
            assert not [n for n in wheel.namelist() if n.endswith(".so") and (stage / n).exists()], \
                "a native file of the input wheel was staged"
    tree = ast.parse((stage / "o_voxel/convert/flexible_dual_grid.py").read_text())
    assert "tiled_flexible_dual_grid_to_mesh" in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert wheel_mode.build.count("api-check: ok") == len(FOLDERS), wheel_mode.build[-4000:]


def test_input_wheels_are_judged_from_their_natives(wheel_mode):
    """What the build says of each wheel is about its natives, the bytes
    published (a re-tagged copy changes only WHEEL and RECORD)."""
    judged = {row["wheel"]: row for row in realbuild.report()["platform_tags"]["input_wheels"]}
    assert sorted(judged) == sorted(c.name for c in wheel_mode.copies.values()), judged
    glibc_minor = {pkg: int(re.fullmatch(r"manylinux_2_(\d+)_x86_64", judged[copy.name]["platform_tag"])[1])
                   for pkg, copy in wheel_mode.copies.items()}
    # shared/reference/upstreams.md: Torch270 flex_gemm needs GLIBCXX_3.4.32 and
    # Torch291 cumesh (its _xatlas) 3.4.30, past Rocky 9 (manylinux_2_34);
    # Torch270 o_voxel and Torch291 nvdiffrast need 3.4.21 and load there.
    assert "GLIBCXX_3.4.32" in judged[wheel_mode.copies["flex_gemm"].name]["reason"], judged
    assert "GLIBCXX_3.4.30" in judged[wheel_mode.copies["cumesh"].name]["reason"], judged
    assert glibc_minor["flex_gemm"] > 34 and glibc_minor["cumesh"] > 34, glibc_minor
    assert glibc_minor["o_voxel"] <= 34 and glibc_minor["nvdiffrast"] <= 34, glibc_minor


def test_input_wheels_are_judged_for_this_gpu_list_and_this_torch(wheel_mode):
    """What each wheel as published would do here: the Torch291 natives
    carry sm_120 only (no kernel image on the architectures built here) and
    call torch 2.9 functions (c10::SymBool::guard_or_false); the report
    says so per file, before any module compiled."""
    rows = realbuild.report()["input_wheels_load"]
    by_file = {(row["wheel"], row["file"]): row for row in rows}
    cumesh = by_file[(wheel_mode.copies["cumesh"].name, "cumesh/_C.cpython-312-x86_64-linux-gnu.so")]
    assert cumesh["device_code"]["sass"] == ["sm_120"], cumesh
    sass, _ = native.expected_targets(realbuild.ARCHITECTURES)
    assert [m.split()[0] for m in cumesh["device_code"]["missing"]][:len(sass)] == sass, cumesh
    assert "no kernel image on" in cumesh["line"] and "9.0 (H100, H200)" in cumesh["device_code"]["verdict"]
    nvdiffrast = by_file[(wheel_mode.copies["nvdiffrast"].name, "_nvdiffrast_c.cpython-312-x86_64-linux-gnu.so")]
    assert {"c10::SymBool::guard_or_false(char const*, long) const", "c10::cuda::SetDevice(signed char, bool)"} <= \
        set(nvdiffrast["torch_symbols"]["unresolved"]), nvdiffrast
    assert "would not load with torch 2.7.0" in nvdiffrast["line"], nvdiffrast["line"]
    xatlas = by_file[(wheel_mode.copies["cumesh"].name, "cumesh/_xatlas.cpython-312-x86_64-linux-gnu.so")]
    assert xatlas["device_code"]["sass"] == [] and xatlas["device_code"]["missing"] == [], xatlas
    assert f"input wheel, as published, here: {cumesh['line']}" in wheel_mode.build


def make_venv(path):
    """A venv that sees the test Python's packages (torch, the set's
    dependencies) and has its own site-packages; returns (python, site)."""
    shutil.rmtree(path, ignore_errors=True)
    ok(run([native.ctest_env("TRELLIS2_PYTHON"), "-m", "venv", "--system-site-packages", path]))
    python = Path(path) / "bin" / "python"
    site = ok(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])"])).stdout.strip()
    return python, Path(site)


def pip(python, *args):
    return run([python, "-m", "pip", "--disable-pip-version-check", "--no-input", *args])


def record_files(site, dist):
    """The files one distribution's RECORD lists, each hash checked."""
    import base64
    import csv
    import hashlib

    (record,) = site.glob(f"{dist}-*.dist-info/RECORD")
    files = []
    for path, digest, size in csv.reader(record.read_text().splitlines()):
        full = site / path
        files.append(full)
        if digest:
            algo, value = digest.split("=", 1)
            data = full.read_bytes()
            expected = base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode()
            assert (value, int(size)) == (expected, len(data)), f"RECORD of {dist} is wrong for {path}"
    return files


def check_imports(python, site):
    """import_installed.py in that venv; what it could not import here
    (flex_gemm and o_voxel whole, without a GPU driver) becomes a warning in
    the test summary, so the run says so."""
    imported = run([python, IMPORT_INSTALLED, site])
    assert imported.returncode == 0, imported.stdout[-3000:]
    for line in imported.stdout.splitlines():
        if "not imported whole" in line:
            warnings.warn(line)


def test_cmake_install_over_the_pip_installed_wheels(wheel_mode):
    python, site = make_venv(WORK / "venv-overlay")
    ok(pip(python, "install", "--no-deps", "--no-index", *wheel_mode.copies.values()))
    ok(run(["cmake", "--install", BUILD, "--prefix", python.parent.parent]))
    stage = native.stage_dir()
    for name in MODULES:
        rel = name.replace(".", "/") + EXT_SUFFIX
        assert (site / rel).read_bytes() == (stage / rel).read_bytes(), f"{rel} is not the built module"
    files = [f for pkg in FOLDERS for f in record_files(site, pkg)]
    natives = [f for f in files if f.suffix == ".so"]
    assert sorted(f.relative_to(site).as_posix() for f in natives) == \
        sorted(name.replace(".", "/") + EXT_SUFFIX for name in MODULES), natives
    leftover = [p for p in site.rglob("*.so") if p not in natives]
    assert not leftover, f"the wheels' own natives are still there: {leftover}"
    check_imports(python, site)
    ok(pip(python, "check"))
    ok(pip(python, "uninstall", "-y", *FOLDERS))
    left = [f for f in files if f.exists() and "__pycache__" not in f.parts]
    assert not left, f"pip uninstall left {left}"


def test_wheels_target_tags_sboms_and_plain_pip(wheel_mode):
    ok(realbuild.build("--target", "wheels"))
    tags = {row["dist"]: row for row in realbuild.report()["platform_tags"]["wheels"]}
    assert sorted(tags) == sorted(FOLDERS), tags
    cell = next((BUILD / "dist").glob("torch*-cu*"))
    for pkg, row in tags.items():
        (wheel,) = cell.glob(f"{pkg}-*.whl")
        assert wheel.name == row["wheel"] and wheel.name.endswith(f"-{row['platform_tag']}.whl"), row
        assert re.fullmatch(r"manylinux_2_\d+_x86_64", row["platform_tag"]), row
        with zipfile.ZipFile(wheel) as zf:
            (sbom,) = [n for n in zf.namelist() if n.endswith("sboms/trellis2-native.cdx.json")]
            doc = json.loads(zf.read(sbom))
        source = next(c for c in doc["components"] if c["bom-ref"] == f"source:{pkg}")
        assert source["version"] == COMMITS[pkg], source
        modules = [c for c in doc["components"] if c["bom-ref"].startswith("module:")]
        assert sorted(c["bom-ref"][len("module:"):] for c in modules) == sorted(native.MODULES[pkg])
        for component in modules:
            props = {p["name"].split(":", 1)[1]: p["value"] for p in component["properties"]}
            assert props["audit-passed"] == "true" and props["platform-tag"] == row["platform_tag"], props
        refs = [c["bom-ref"] for c in doc["components"]]
        assert f"input-wheel:{wheel_mode.copies[pkg].name}" in refs, refs
        # The pin's patches (cumesh: the CUDA 13.2 fix), each with its sha256, as the source depends on them.
        # Named by their path in this repository.
        patches = {c["name"]: c for c in doc["components"] if c["bom-ref"].startswith("patch:")}
        expected = {str(p.relative_to(native.REPO)): p for p in realbuild.pin_patches(pkg)}
        assert sorted(patches) == sorted(expected), (pkg, sorted(patches))
        assert expected or pkg != "cumesh", "third_party/cumesh.cmake lists CuMesh's CUDA 13.2 patch"
        for name, patch in expected.items():
            (digest,) = [h["content"] for h in patches[name]["hashes"] if h["alg"] == "SHA-256"]
            assert digest == hashlib.sha256(patch.read_bytes()).hexdigest(), patch
            assert any(d["ref"] == f"source:{pkg}" and f"patch:{name}" in d.get("dependsOn", [])
                       for d in doc["dependencies"]), doc["dependencies"]
    python, site = make_venv(WORK / "venv-index")
    ok(pip(python, "install", "--index-url", (cell / "simple").as_uri(), *FOLDERS))
    check_imports(python, site)
