"""The same flow on the real ComfyUI-Trellis2 wheels (issue 5, item 7).

They are fetched, never committed, so these tests run only where
TRELLIS2_REAL_WHEEL_DIR names a copy of ComfyUI-Trellis2's wheels/Linux/
(with Torch270/ and Torch291/ inside); otherwise they skip and say so.
The overlay part installs the wheels with pip (under a CPython other than
3.12, copies re-tagged for it) and uses the wheels' own modules, with bytes
appended, as stand-ins for rebuilt ones: it proves the RECORD handling on
pip's real output, not the modules (tests/real builds and installs those).
With TRELLIS2_REAL_REQUIRED=1 (.ci/run) a missing folder fails them."""

import os
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import changed, cli, make_venv, pip, tree, verify_record

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "real"))
import retag  # noqa: E402  (tests/real: copies of the real wheels for this Python)

ROOT = os.environ.get("TRELLIS2_REAL_WHEEL_DIR")
pytestmark = pytest.mark.skipif(
    not ROOT and os.environ.get("TRELLIS2_REAL_REQUIRED") != "1",
    reason="TRELLIS2_REAL_WHEEL_DIR is not set: the ComfyUI-Trellis2 wheels are "
           "fetched, never committed (see shared/reference/upstreams.md)")

# The wheels the fetched copy keeps (< 4 MB), their sha256 as measured in
# shared/reference/upstreams.md, the modules the build makes, and the native
# names their Python calls according to the same notes.
WHEELS = {
    "flex_gemm": ("Torch270", "63ebe410b623f24d718358feb64c90413dba2ec2d30ff3d4803413146965c96d",
                  ["flex_gemm.kernels.cuda"],
                  {"flex_gemm.kernels.cuda." + n for n in (
                      "hashmap_build_grid_sample_3d_nearest_neighbor_map",
                      "hashmap_build_grid_sample_3d_trilinear_neighbor_map_weight",
                      "hashmap_build_submanifold_conv_neighbour_map_cuda",
                      "hashmap_insert_3d_idx_as_val_cuda", "hashmap_lookup_3d_cuda",
                      "neighbor_map_post_process_for_masked_implicit_gemm_1",
                      "neighbor_map_post_process_for_masked_implicit_gemm_2")}),
    "o_voxel": ("Torch270", "952f053c03c5828508658155b042fe7710951813e006d2d73facbd0412cbba68",
                ["o_voxel._C"],
                {"o_voxel._C." + n for n in (
                    "mesh_to_flexible_dual_grid_cpu", "rasterize_voxels_cuda",
                    "textured_mesh_to_volumetric_attr_cpu", "hashmap_lookup_3d_cuda")}),
    "cumesh": ("Torch291", "15a26824208818434e2fb0bbbe53f1860811fefbd2f2090d811c8bd3f74a066a",
               ["cumesh._C", "cumesh._cubvh", "cumesh._xatlas"],
               {"cumesh._C.CuMesh", "cumesh._C.simple_dual_contour", "cumesh._xatlas.Atlas",
                "cumesh._xatlas.ChartOptions", "cumesh._xatlas.PackOptions"}),
    "nvdiffrast": ("Torch291", "a7324115048057d0fe2e16a19cfa7da5eea9619ffb23e3b856f08a8268feded2",
                   ["_nvdiffrast_c"], {"_nvdiffrast_c.rasterize_fwd_cuda"}),
}


def _wheel(package):
    assert ROOT, "TRELLIS2_REAL_REQUIRED=1 but TRELLIS2_REAL_WHEEL_DIR is not set"
    folder = os.path.join(ROOT, WHEELS[package][0])
    return cli("find-wheel", folder, "--package", package, check=0).stdout.strip()


@pytest.mark.parametrize("package", sorted(WHEELS))
def test_check_stage_and_uses(package, tmp_path):
    _, pin, modules, used = WHEELS[package]
    wheel = _wheel(package)
    # Pinned by third_party/wheels.cmake, the pin list the tool reads by default.
    proc = cli("check-wheel", wheel, "--package", package, "--python-tag", "cp312", check=0)
    assert f"sha256 {pin} is pinned" in proc.stdout, proc.stdout
    stage = tmp_path / "stage"
    cli("stage-wheel", wheel, "--stage", stage, "--strict", "--native", *modules, check=0)
    assert not list(stage.rglob("*.so"))
    found = {line.split(" -> ")[1] for line in
             cli("api-uses", "--python", wheel, check=0).stdout.splitlines()}
    assert used <= found, sorted(used - found)
    assert not any(f.endswith("unresolved") for f in found)


@pytest.mark.parametrize("package", sorted(WHEELS))
def test_overlay_on_pip_installed_wheel(package, tmp_path):
    _, _, modules, _ = WHEELS[package]
    # The wheels are cp312; under another CPython pip installs a copy
    # re-tagged for it (tests/real/retag.py: WHEEL's tag and its RECORD line
    # changed, every other member as published).
    published = Path(_wheel(package))
    wheel = retag.retag(published, tmp_path / "input")
    pins = retag.pin_list([(wheel, published)], Path(retag.__file__).parents[2] / "third_party" / "wheels.cmake",
                          tmp_path / "pins.txt")
    python, site = make_venv(str(tmp_path / "venv"))
    empty = tree(site)
    pip(python, "install", "--no-deps", "--no-index", wheel)
    check_before = pip(python, "check", check=False).stdout
    before = tree(site)

    stage = tmp_path / "stage"
    cli("stage-wheel", wheel, "--stage", stage, "--native", *modules, "--pins", pins, check=0)
    with zipfile.ZipFile(wheel) as archive:
        natives = [n for n in archive.namelist() if n.endswith(".so")]
        for name in natives:   # stand-ins for rebuilt modules: other bytes, same names
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            (stage / name).write_bytes(archive.read(name) + b"\0" * 16)
    cli("install", "--stage", stage, "--site-packages", site, check=0)

    dist_info = next(d for d in os.listdir(site) if d.endswith(".dist-info") and
                     d.lower().startswith(package.lower()))
    assert changed(before, tree(site)) == sorted(natives + [f"{dist_info}/RECORD"])
    verify_record(site, dist_info)
    assert pip(python, "check", check=False).stdout == check_before
    pip(python, "uninstall", "-y", package)
    assert tree(site) == empty, changed(empty, tree(site))
