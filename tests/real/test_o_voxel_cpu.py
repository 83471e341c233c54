"""o_voxel._C's CPU serialization: z-order codes against a bit-interleaving
reference written here, Hilbert codes against the curve's defining
properties, and both round trips."""

import pytest

import native


@pytest.fixture(scope="module")
def C():
    return native.load("o_voxel._C")


def random_coords(n=4096, bits=10, seed=0):
    import torch

    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 1 << bits, (3, n), generator=g, dtype=torch.int32)


def interleave(x, y, z, bits=10):
    """Morton code as o-voxel defines it: bit b of x at 3b+2, of y at 3b+1, of z at 3b."""
    import torch

    code = torch.zeros_like(x)
    for b in range(bits):
        code |= ((x >> b) & 1) << (3 * b + 2) | ((y >> b) & 1) << (3 * b + 1) | ((z >> b) & 1) << (3 * b)
    return code


def test_z_order_matches_bit_interleaving(C):
    x, y, z = random_coords()
    codes = C.z_order_encode_cpu(x, y, z)
    assert codes.equal(interleave(x, y, z))
    dx, dy, dz = C.z_order_decode_cpu(codes)
    assert dx.equal(x) and dy.equal(y) and dz.equal(z)


def test_hilbert_round_trip(C):
    x, y, z = random_coords(seed=1)
    codes = C.hilbert_encode_cpu(x, y, z)
    assert int(codes.min()) >= 0 and int(codes.max()) < 1 << 30
    dx, dy, dz = C.hilbert_decode_cpu(codes)
    assert dx.equal(x) and dy.equal(y) and dz.equal(z)


def test_hilbert_is_a_continuous_space_filling_curve(C):
    import torch

    # The first 8^4 points of a 3-D Hilbert curve fill a 16^3 cube, one unit
    # step at a time; a Morton order would jump.
    codes = torch.arange(16 ** 3, dtype=torch.int32)
    points = torch.stack(C.hilbert_decode_cpu(codes), dim=1)
    steps = (points[1:] - points[:-1]).abs().sum(dim=1)
    assert bool((steps == 1).all()), f"{int((steps != 1).sum())} non-unit steps along the curve"
    extent = points.max(dim=0).values - points.min(dim=0).values
    assert extent.tolist() == [15, 15, 15]
    assert torch.unique(points, dim=0).shape[0] == 16 ** 3
    assert C.hilbert_encode_cpu(*points.T.contiguous()).equal(codes)
