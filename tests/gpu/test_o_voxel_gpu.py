"""o_voxel._C's CUDA serialization equals its CPU serialization, and the
staged o_voxel package imports whole (its Python over all four packages)."""

import pytest

import native


@pytest.fixture(scope="module")
def C():
    return native.load("o_voxel._C")


@pytest.mark.parametrize("curve", ["z_order", "hilbert"])
def test_cuda_codes_equal_cpu_codes(C, cuda, curve):
    import torch

    g = torch.Generator().manual_seed(7)
    x, y, z = torch.randint(0, 1024, (3, 100_000), generator=g, dtype=torch.int32)
    encode_cpu, encode_cuda = getattr(C, f"{curve}_encode_cpu"), getattr(C, f"{curve}_encode_cuda")
    decode_cpu, decode_cuda = getattr(C, f"{curve}_decode_cpu"), getattr(C, f"{curve}_decode_cuda")

    codes = encode_cpu(x, y, z)
    codes_gpu = encode_cuda(x.to(cuda), y.to(cuda), z.to(cuda))
    assert codes_gpu.is_cuda and codes_gpu.cpu().equal(codes)
    for got, want in zip(decode_cuda(codes.to(cuda)), decode_cpu(codes)):
        assert got.cpu().equal(want)
    assert decode_cuda(codes_gpu)[0].cpu().equal(x)


def test_package_imports_and_serializes(stage_on_path, cuda):
    for dep in ("trimesh", "plyfile", "zstandard", "easydict"):
        pytest.importorskip(dep, reason=f"`import o_voxel` needs {dep} (carry it as a wheel)")
    import torch
    import o_voxel

    coords = torch.randint(0, 1024, (1000, 3), dtype=torch.int32, device=cuda)
    for mode in ("z_order", "hilbert"):
        codes = o_voxel.serialize.encode_seq(coords, mode=mode)
        assert o_voxel.serialize.decode_seq(codes, mode=mode).equal(coords)
