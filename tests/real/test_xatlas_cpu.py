"""cumesh._xatlas (CPU only: xatlas + its torch binding) unwraps a small mesh."""

import pytest

import native


@pytest.fixture(scope="module")
def xatlas():
    return native.load("cumesh._xatlas")


def test_exposes_what_cumesh_xatlas_py_uses(xatlas):
    for name in ("Atlas", "ChartOptions", "PackOptions"):
        assert hasattr(xatlas, name), f"cumesh._xatlas lacks {name}, which cumesh/xatlas.py uses"


def test_unwraps_an_icosphere(xatlas):
    import torch

    vertices, faces = native.icosphere(2)  # 162 vertices, 320 faces
    atlas = xatlas.Atlas()
    atlas.add_mesh(vertices, faces, None, None)
    atlas.compute_charts(xatlas.ChartOptions(), None)
    atlas.pack_charts(xatlas.PackOptions(), None)
    xrefs, new_faces, uvs = atlas.get_mesh(0)

    assert new_faces.shape == faces.shape and new_faces.dtype == torch.int32
    # Seams split vertices: never fewer than before, each new one an old one.
    assert vertices.shape[0] <= xrefs.shape[0] == uvs.shape[0]
    assert int(xrefs.min()) >= 0 and int(xrefs.max()) < vertices.shape[0]
    # xatlas keeps face order: every face is the same triangle as before.
    assert torch.equal(xrefs[new_faces.long()], faces)

    assert float(uvs.min()) >= 0.0 and float(uvs.max()) <= 1.0, "UVs outside [0,1]"
    # A sphere cannot be flattened in one piece: several charts, each face
    # with a UV triangle of non-zero area, the charts not overlapping
    # (their area sums to at most the unit square).
    tri = uvs[new_faces.long()]
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    area = 0.5 * (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]).abs()
    assert bool((area > 1e-7).all()), f"{int((area <= 1e-7).sum())} faces collapsed in UV space"
    assert 0.2 < float(area.sum()) <= 1.0
    assert xrefs.shape[0] > vertices.shape[0], "no seams: a closed sphere cannot unwrap into one chart"


def test_rejects_a_tensor_of_the_wrong_type(xatlas):
    vertices, faces = native.icosphere(0)
    with pytest.raises(RuntimeError, match="faces"):
        xatlas.Atlas().add_mesh(vertices, faces.long(), None, None)
