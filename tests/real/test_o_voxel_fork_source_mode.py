"""Source mode with the o_voxel fork: TRELLIS2_O_VOXEL_PIN_FILE selects
visualbruno/TRELLIS.2 5573eea, whose source has the function the
ComfyUI-Trellis2 node imports (tiled_flexible_dual_grid_to_mesh). The real
tree (real.build, then real.wheel_mode, which compiled the fork's o_voxel) is
re-configured from wheel mode back to source mode with the fork pin kept:
nothing compiles, and the stage gets the fork's own Python (and every other
package its source's, nothing of the wheels left), a dist-info written for
it, and a module that passes the audit and the API check.

`import o_voxel` itself pulls in flex_gemm's triton kernels, so the
function is found in the staged code with ast."""

import ast

import native
import realbuild
from realbuild import BUILD, FORK_PIN, ok


def test_fork_pin_stages_tiled_flexible_dual_grid_to_mesh():
    cache = native.real_input("TRELLIS2_REAL_SOURCE_CACHE", "a source cache of the pinned upstreams")
    commit = realbuild.pin_commit(FORK_PIN)
    if not (cache / f"o_voxel-{commit}").is_dir():
        native.unavailable(f"{cache} has no o_voxel-{commit} (the fork's tree)")
    if not (BUILD / "report.json").is_file():
        native.unavailable(f"no real build at {BUILD}: real.build makes it (run the real tests through ctest)")
    result = ok(realbuild.configure(f"-DTRELLIS2_SOURCE_CACHE={cache}", "-DTRELLIS2_WHEEL_DIR=",
                                    "-DTRELLIS2_PYTHON_FROM=source", f"-DTRELLIS2_O_VOXEL_PIN_FILE={FORK_PIN}"))
    assert f"o_voxel-{commit}" in result.stdout
    result = ok(realbuild.build())
    assert realbuild.compiled(result.stdout) == [], "switching where the Python comes from compiled again"
    assert "api-check: ok" in result.stdout
    stage = native.stage_dir()
    tree = ast.parse((stage / "o_voxel/convert/flexible_dual_grid.py").read_text())
    functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert "tiled_flexible_dual_grid_to_mesh" in functions
    assert "Name: o_voxel" in (stage / "o_voxel-0.0.1.dist-info" / "METADATA").read_text()
    assert list(stage.glob("o_voxel/_C.*.so"))
    # Nothing of wheel mode stays: each package's staged Python is its
    # source's, file for file (the Torch291 wheel's own cumesh/remeshing.py
    # differs from the pin's).
    trees = {pkg: cache / f"{pkg}-{commit}" for pkg, commit in realbuild.PIN_COMMITS.items()}
    trees["o_voxel"] = cache / f"o_voxel-{commit}" / "o-voxel"
    for pkg, source in trees.items():
        staged = sorted(p.relative_to(stage) for p in (stage / pkg).rglob("*.py"))
        expected = sorted(p.relative_to(source) for p in (source / pkg).rglob("*.py"))
        assert staged == expected, (pkg, sorted(set(staged) ^ set(expected)))
        for rel in staged:
            assert (stage / rel).read_bytes() == (source / rel).read_bytes(), f"{rel} is not the source's"
