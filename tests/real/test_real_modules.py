"""Every real module imported after `import torch`, as the wheels' Python
imports it, with the native functions that Python calls (measured from the
ComfyUI-Trellis2 wheels: the API check finds the same names in the staged
Python). A module missing a source fails to load with the symbol it lacks
(Python loads extensions with RTLD_NOW); a misnamed one has no PyInit_.

A module that needs the GPU driver (libcuda.so.1) at load cannot be imported
on a machine without one: then the test says so and checks what it can,
its PyInit_ symbol and the names its binding registers."""

import subprocess
import warnings

import pytest

import native

# Native names the Python calls: the ComfyUI-Trellis2 wheels' (cumesh,
# flex_gemm, o_voxel: shared/reference/upstreams.md, 2026-11-26) and the
# pinned sources' (cumesh/bvh.py's create_cuBVH, nvdiffrast/torch/ops.py's whole
# list), written out here, independent of the API check's scanner.
CALLED = {
    "cumesh._C": ["CuMesh", "get_sparse_voxel_grid_active_vertices", "hashmap_insert_3d_idx_as_val_cuda",
                  "hashmap_lookup_3d_cuda", "simple_dual_contour"],
    "cumesh._cubvh": ["cuBVH", "create_cuBVH"],
    "cumesh._xatlas": ["Atlas", "ChartOptions", "PackOptions"],
    "flex_gemm.kernels.cuda": [
        "hashmap_build_grid_sample_3d_nearest_neighbor_map",
        "hashmap_build_grid_sample_3d_trilinear_neighbor_map_weight",
        "hashmap_build_submanifold_conv_neighbour_map_cuda", "hashmap_insert_3d_idx_as_val_cuda",
        "hashmap_lookup_3d_cuda", "neighbor_map_post_process_for_masked_implicit_gemm_1",
        "neighbor_map_post_process_for_masked_implicit_gemm_2"],
    "o_voxel._C": [
        "decode_sparse_voxel_octree_attr_neighbor_cpu", "decode_sparse_voxel_octree_attr_parent_cpu",
        "decode_sparse_voxel_octree_cpu", "encode_sparse_voxel_octree_attr_neighbor_cpu",
        "encode_sparse_voxel_octree_attr_parent_cpu", "encode_sparse_voxel_octree_cpu",
        "hashmap_insert_3d_idx_as_val_cuda", "hashmap_lookup_3d_cuda", "hilbert_encode_cpu",
        "hilbert_decode_cpu", "hilbert_encode_cuda", "hilbert_decode_cuda", "z_order_encode_cpu",
        "z_order_decode_cpu", "z_order_encode_cuda", "z_order_decode_cuda", "mesh_to_flexible_dual_grid_cpu",
        "rasterize_voxels_cuda", "textured_mesh_to_volumetric_attr_cpu"],
    "_nvdiffrast_c": [
        "RasterizeCRStateWrapper", "TextureMipWrapper", "TopologyHashWrapper", "antialias_construct_topology_hash",
        "antialias_fwd", "antialias_grad", "get_log_level", "set_log_level", "interpolate_fwd", "interpolate_fwd_da",
        "interpolate_grad", "interpolate_grad_da", "rasterize_fwd_cuda", "rasterize_grad", "rasterize_grad_db",
        "texture_construct_mip", "texture_fwd", "texture_fwd_mip", "texture_grad_nearest", "texture_grad_linear",
        "texture_grad_linear_mipmap_nearest", "texture_grad_linear_mipmap_linear"],
}
ALL = [name for names in native.MODULES.values() for name in names]


def test_every_module_is_listed():
    assert sorted(CALLED) == sorted(ALL)


def needs_driver(path):
    needed = subprocess.run(["readelf", "-d", str(path)], check=True, stdout=subprocess.PIPE, text=True).stdout
    return "libcuda.so.1" in needed


@pytest.mark.parametrize("name", ALL)
def test_module_imports_after_torch_with_what_its_python_calls(name):
    path = native.module_file(name)
    native.require(next(pkg for pkg, names in native.MODULES.items() if name in names))
    init = "PyInit_" + name.rsplit(".", 1)[-1]
    exported = subprocess.run(["nm", "-D", "--defined-only", str(path)], check=True,
                              stdout=subprocess.PIPE, text=True).stdout.split()
    assert init in exported, f"{path.name} exports no {init}: the module is misnamed"
    if needs_driver(path):
        # Not a skip: what can be checked without loading is checked.
        warnings.warn(f"{name} needs libcuda.so.1 (the GPU driver) at load, which this machine has not: "
                      f"checked {init} and the names its binding registers, without importing it")
        data = path.read_bytes()
        missing = [f for f in CALLED[name] if b"\0" + f.encode() + b"\0" not in data]
        assert not missing, f"{name} registers no {missing}, which its Python calls"
        return
    module = native.load(name)
    missing = [f for f in CALLED[name] if not hasattr(module, f)]
    assert not missing, f"{name} lacks {missing}, which the wheels' Python calls"
