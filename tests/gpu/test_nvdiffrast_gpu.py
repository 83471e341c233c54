"""_nvdiffrast_c rasterizes a known triangle: which pixels it covers and the
barycentrics it reports, against the triangle's own geometry."""

import pytest

import native

H, W = 64, 96
# Clip-space vertices (w = 1, so screen barycentrics are the perspective-correct ones).
TRIANGLE = [(-0.8, -0.7, 0.25, 1.0), (0.9, -0.5, 0.25, 1.0), (-0.2, 0.85, 0.25, 1.0)]


@pytest.fixture(scope="module")
def dr():
    native.require("nvdiffrast")
    import nvdiffrast.torch as dr

    return dr


def pixel_centres(device):
    """NDC of each pixel centre; row 0 is y = -1 (nvdiffrast follows OpenGL)."""
    import torch

    y = (torch.arange(H, device=device) + 0.5) / H * 2 - 1
    x = (torch.arange(W, device=device) + 0.5) / W * 2 - 1
    return torch.meshgrid(y, x, indexing="ij")


def reference_barycentrics(device):
    import torch

    (x0, y0, *_), (x1, y1, *_), (x2, y2, *_) = TRIANGLE
    py, px = pixel_centres(device)
    det = (y1 - y2) * (x0 - x2) + (x2 - x1) * (y0 - y2)
    b0 = ((y1 - y2) * (px - x2) + (x2 - x1) * (py - y2)) / det
    b1 = ((y2 - y0) * (px - x2) + (x0 - x2) * (py - y2)) / det
    return torch.stack([b0, b1, 1 - b0 - b1], dim=-1)


def edge_distance_px(bary):
    """Distance in pixels from each pixel centre to the edge opposite each
    vertex: barycentric weight times the triangle's height over that edge."""
    import math

    pix = [((x + 1) / 2 * W, (y + 1) / 2 * H) for x, y, *_ in TRIANGLE]
    (ax, ay), (bx, by), (cx, cy) = pix
    area2 = abs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax))
    opposite = [math.dist(pix[1], pix[2]), math.dist(pix[2], pix[0]), math.dist(pix[0], pix[1])]
    return bary * bary.new_tensor([area2 / length for length in opposite])


def test_rasterizes_a_triangle(dr, stage_on_path, cuda):
    import torch

    pos = torch.tensor([TRIANGLE], dtype=torch.float32, device=cuda)
    tri = torch.tensor([[0, 1, 2]], dtype=torch.int32, device=cuda)
    rast, _ = dr.rasterize(dr.RasterizeCudaContext(device=cuda), pos, tri, resolution=[H, W])
    assert rast.shape == (1, H, W, 4)
    rast = rast[0]

    bary = reference_barycentrics(cuda)
    inside = (bary > 0).all(dim=-1)
    # Coverage is decided on vertices snapped to 1/16 pixel (CR_SUBPIXEL_LOG2),
    # so pixels whose centre is within 0.1 pixel of an edge may go either way.
    clear = (edge_distance_px(bary).abs() > 0.1).all(dim=-1)
    covered = rast[..., 3] > 0
    assert covered[clear].equal(inside[clear]), \
        f"coverage differs at {int((covered != inside)[clear].sum())} pixels"
    assert 0.25 * H * W < int(inside.sum()) < 0.6 * H * W  # the test sees a real triangle
    assert bool((rast[..., 3][covered] == 1).all()), "triangle id + 1 should be 1"

    # (u, v) weigh vertices 0 and 1; z/w is the constant depth. Near an edge
    # a covered centre may lie just outside, where nvdiffrast clamps (u, v)
    # into the triangle: compare away from the edges.
    sure = covered & clear
    got = rast[..., :2][sure]
    want = bary[..., :2][sure]
    assert torch.allclose(got, want, atol=1e-4), f"max barycentric error {float((got - want).abs().max())}"
    assert torch.allclose(rast[..., 2][covered], torch.full_like(rast[..., 2][covered], 0.25), atol=1e-6)

    # Interpolating the vertices' own x, y gives back each pixel centre.
    attr = pos[0, :, :2].contiguous()
    xy, _ = dr.interpolate(attr, rast[None], tri)
    py, px = pixel_centres(cuda)
    centres = torch.stack([px, py], dim=-1)
    assert torch.allclose(xy[0][sure], centres[sure], atol=1e-4)
