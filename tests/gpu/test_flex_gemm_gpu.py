"""flex_gemm's submanifold sparse convolution (neighbour map from the native
flex_gemm.kernels.cuda, GEMM in torch or Triton) equals a dense
torch.nn.functional.conv3d over the same voxels, read back at those voxels."""

import pytest

import native

RES, CI, CO = 16, 16, 24


@pytest.fixture(scope="module")
def flex_gemm():
    native.require("flex_gemm")
    import flex_gemm
    from flex_gemm.ops import spconv

    yield flex_gemm
    spconv.set_algorithm(spconv.Algorithm.MASKED_IMPLICIT_GEMM_SPLITK)  # the package default


def sparse_voxels(device):
    """~30% of a RES^3 grid, batch 0, with random features."""
    import torch

    g = torch.Generator().manual_seed(3)
    occupied = torch.rand(RES, RES, RES, generator=g) < 0.3
    xyz = occupied.nonzero().int()
    coords = torch.cat([torch.zeros_like(xyz[:, :1]), xyz], dim=1).contiguous().to(device)
    feats = torch.randn(coords.shape[0], CI, generator=g).to(device)
    weight = torch.randn(CO, 3, 3, 3, CI, generator=g).to(device) / 10  # [Co, Kw, Kh, Kd, Ci]
    bias = torch.randn(CO, generator=g).to(device)
    return coords, feats, weight, bias


def dense_reference(coords, feats, weight, bias):
    """The same convolution, dense, in float64: zeros where no voxel is."""
    import torch

    dense = torch.zeros(1, CI, RES, RES, RES, dtype=torch.float64, device=feats.device)
    b, x, y, z = coords.long().T
    dense[b, :, x, y, z] = feats.double()
    out = torch.nn.functional.conv3d(dense, weight.double().permute(0, 4, 1, 2, 3), bias.double(), padding=1)
    return out[b, :, x, y, z]


@pytest.mark.parametrize("algorithm", ["EXPLICIT_GEMM", "MASKED_IMPLICIT_GEMM_SPLITK"])
def test_submanifold_conv_equals_dense_conv3d(flex_gemm, stage_on_path, cuda, algorithm):
    import torch
    from flex_gemm.ops import spconv

    spconv.set_algorithm(getattr(spconv.Algorithm, algorithm))
    coords, feats, weight, bias = sparse_voxels(cuda)
    out, _ = spconv.sparse_submanifold_conv3d(feats, coords, torch.Size([1, CI, RES, RES, RES]), weight, bias)
    want = dense_reference(coords, feats, weight, bias)

    assert out.shape == (coords.shape[0], CO)
    # Triton's kernels use TF32 (flex_gemm's allow_tf32): ~1e-3 relative.
    error = float((out.double() - want).abs().max() / want.abs().max())
    assert error < 5e-3, f"{algorithm}: max error {error:.2e} of the output's scale"
