"""cumesh on the GPU: cleaning and simplifying an icosphere gives the counts
its topology dictates; cubvh's ray and distance queries equal brute force;
uv_unwrap (cumesh._C charts + cumesh._xatlas packing) gives UVs in [0,1]."""

import pytest

import native

LEVEL = 3                               # icosphere: 642 vertices, 1280 faces, 1920 edges
V0, F0, E0 = 10 * 4 ** LEVEL + 2, 20 * 4 ** LEVEL, 30 * 4 ** LEVEL


@pytest.fixture(scope="module")
def cumesh():
    native.require("cumesh")
    import cumesh

    return cumesh


@pytest.fixture
def sphere(cuda):
    vertices, faces = native.icosphere(LEVEL)
    return vertices.to(cuda), faces.to(cuda)


def topology(mesh):
    mesh.clear_cache()  # connectivity from this mesh, not from before an edit
    mesh.cu_mesh.get_edges()
    mesh.cu_mesh.get_boundary_info()
    mesh.cu_mesh.get_connected_components()
    return mesh.num_vertices, mesh.num_faces, mesh.num_edges, mesh.num_boundaries, mesh.num_conneted_components


def test_cleaning_restores_the_icosphere(cumesh, stage_on_path, sphere):
    import torch

    vertices, faces = sphere
    assert (vertices.shape[0], faces.shape[0]) == (V0, F0)
    # 100 duplicated faces and 10 vertices no face uses.
    dirty_vertices = torch.cat([vertices, torch.rand(10, 3, device=vertices.device) + 2]).contiguous()
    dirty_faces = torch.cat([faces, faces[:100]]).contiguous()
    mesh = cumesh.CuMesh()
    mesh.init(dirty_vertices, dirty_faces)
    assert (mesh.num_vertices, mesh.num_faces) == (V0 + 10, F0 + 100)

    mesh.remove_duplicate_faces()
    mesh.remove_unreferenced_vertices()
    # Closed, one piece, genus 0: V - E + F = 2.
    assert topology(mesh) == (V0, F0, E0, 0, 1)

    # The same triangles as before, whatever the new indices.
    def triangles(v, f):
        corners = (v[f.long()].cpu() * 1e4).round().long().tolist()
        return sorted(tuple(sorted(map(tuple, tri))) for tri in corners)

    new_vertices, new_faces = mesh.read()
    assert triangles(new_vertices, new_faces) == triangles(vertices, faces)


def test_simplify_to_a_quarter_keeps_a_closed_sphere(cumesh, stage_on_path, sphere):
    mesh = cumesh.CuMesh()
    mesh.init(*sphere)
    target = F0 // 4
    mesh.simplify(target)
    v, f, e, boundaries, components = topology(mesh)
    assert target // 2 <= f <= target, f"{f} faces after simplify({target})"
    assert (boundaries, components) == (0, 1)
    assert v - e + f == 2, f"Euler characteristic {v - e + f} after simplify: no longer a sphere"
    vertices, _ = mesh.read()
    radius = vertices.norm(dim=1)
    assert float((radius - 1).abs().max()) < 0.1, "simplified vertices left the sphere"


def ray_triangle_depth(origins, dirs, a, b, c):
    """Möller-Trumbore for every ray against every triangle: [N, F] hit
    distance, inf where the ray misses."""
    import torch

    e1, e2 = (b - a)[None], (c - a)[None]
    d = dirs[:, None]
    p = torch.cross(d.expand(-1, e2.shape[1], -1), e2.expand(d.shape[0], -1, -1), dim=-1)
    det = (e1 * p).sum(-1)
    s = origins[:, None] - a[None]
    u = (s * p).sum(-1) / det
    q = torch.cross(s, e1.expand_as(s), dim=-1)
    v = (d * q).sum(-1) / det
    t = (e2 * q).sum(-1) / det
    hit = (det.abs() > 1e-12) & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
    return torch.where(hit, t, torch.full_like(t, float("inf")))


def point_triangle_distance(points, a, b, c):
    """[N, F] distance of each point to each triangle: to the plane where the
    foot lies inside the triangle, else to the nearest of its three edges."""
    import torch

    p = points[:, None]
    a, b, c = a[None], b[None], c[None]

    def to_segment(s0, s1):
        seg = s1 - s0
        t = (((p - s0) * seg).sum(-1) / (seg * seg).sum(-1)).clamp(0, 1)
        return (p - (s0 + t[..., None] * seg)).norm(dim=-1)

    n = torch.cross(b - a, c - a, dim=-1)
    height = ((p - a) * n).sum(-1) / n.norm(dim=-1)
    foot = p - height[..., None] * n / n.norm(dim=-1, keepdim=True)
    v0, v1, v2 = b - a, c - a, foot - a
    d00, d01, d11 = (v0 * v0).sum(-1), (v0 * v1).sum(-1), (v1 * v1).sum(-1)
    d20, d21 = (v2 * v0).sum(-1), (v2 * v1).sum(-1)
    denom = d00 * d11 - d01 * d01
    bv, bw = (d11 * d20 - d01 * d21) / denom, (d00 * d21 - d01 * d20) / denom
    inside = (bv >= 0) & (bw >= 0) & (bv + bw <= 1)
    plane = torch.where(inside, height.abs(), torch.full_like(height, float("inf")))
    return torch.stack([plane, to_segment(a, b), to_segment(b, c), to_segment(c, a)]).min(dim=0).values


def test_cubvh_queries_equal_brute_force(cumesh, stage_on_path, sphere, cuda):
    import torch

    vertices, faces = sphere
    bvh = cumesh.cuBVH(vertices, faces)
    a, b, c = (vertices[faces[:, i].long()].double() for i in range(3))
    g = torch.Generator().manual_seed(5)

    # Rays from inside the sphere: each leaves it through exactly one face.
    origins = ((torch.rand(2000, 3, generator=g) - 0.5) * 0.8).to(cuda)
    dirs = torch.nn.functional.normalize(torch.randn(2000, 3, generator=g), dim=1).to(cuda)
    positions, face_id, depth = bvh.ray_trace(origins, dirs)
    want = ray_triangle_depth(origins.double(), dirs.double(), a, b, c).min(dim=1).values
    assert torch.isfinite(want).all()
    assert torch.allclose(depth.double(), want, atol=1e-4), f"max depth error {float((depth - want).abs().max())}"
    assert torch.allclose(positions, origins + depth[:, None] * dirs, atol=1e-4)
    hit_t = ray_triangle_depth(origins.double(), dirs.double(), a[face_id], b[face_id], c[face_id])
    assert torch.allclose(hit_t.diagonal(), want, atol=1e-4), "face_id is not the face hit first"

    # Unsigned distance from points inside and outside the sphere.
    points = ((torch.rand(2000, 3, generator=g) - 0.5) * 3).to(cuda)
    distance, _, _ = bvh.unsigned_distance(points)
    want = point_triangle_distance(points.double(), a, b, c).min(dim=1).values
    assert torch.allclose(distance.double(), want, atol=1e-4), f"max distance error {float((distance - want).abs().max())}"


def test_uv_unwrap_gives_uvs_in_the_unit_square(cumesh, stage_on_path):
    import torch

    vertices, faces = native.icosphere(2)
    mesh = cumesh.CuMesh()
    mesh.init(vertices.cuda(), faces.cuda())
    new_vertices, new_faces, uvs = mesh.uv_unwrap()
    assert new_faces.shape == faces.shape
    assert uvs.shape == (new_vertices.shape[0], 2)
    assert float(uvs.min()) >= 0.0 and float(uvs.max()) <= 1.0, "UVs outside [0,1]"
    # Seams split vertices, but every output vertex is an input vertex.
    assert new_vertices.shape[0] > vertices.shape[0]
    # (cdist's default matmul form loses ~1e-4 to cancellation: compute it directly)
    nearest = torch.cdist(new_vertices.cpu(), vertices, compute_mode="donot_use_mm_for_euclid_dist").min(dim=1)
    assert float(nearest.values.max()) < 1e-6
