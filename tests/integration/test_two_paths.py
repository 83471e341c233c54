"""Builds that do not depend on where they run (issue 29): two checkouts of
this project at different absolute paths, one compiler cache
(TRELLIS2_SCCACHE_DIR) and one trees directory (TRELLIS2_TREES_DIR) shared.
The second build hits the cache on every unit, nvcc's device steps
(cudafe++, cicc, ptxas) and host step included, and both build
byte-identical wheels under one SOURCE_DATE_EPOCH, SBOM included.

Each checkout is a copy of this working tree's files (tracked, and untracked
ones git does not ignore), as a second clone or CI workspace would have."""

import json
import shutil
import subprocess

import pytest

from support import REPO, WORK_DIR, base_configure_args, run

EPOCH = "1700000000"


def copy_checkout(dest):
    files = subprocess.run(["git", "-C", REPO, "ls-files", "-co", "--exclude-standard", "-z"], check=True,
                           stdout=subprocess.PIPE).stdout.decode().split("\0")
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def build_checkout(checkout, shared):
    build = checkout / "build"
    args = base_configure_args(build)
    args[args.index("-S") + 1] = str(checkout)
    result = run(args + ["-DTRELLIS2_SCCACHE=ON", f"-DTRELLIS2_SCCACHE_DIR={shared / 'sccache'}",
                         f"-DTRELLIS2_TREES_DIR={shared / 'trees'}"])
    assert result.returncode == 0, result.stdout[-3000:]
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    result = run(["cmake", "--build", build], env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    stats = json.loads((build / "sccache" / "stats.json").read_text())["sccache"]["stats"]
    result = run(["cmake", "--build", build, "--target", "wheels"], env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    return build, stats


@pytest.fixture(scope="module")
def two_builds():
    root = WORK_DIR / "two-paths"
    shutil.rmtree(root, ignore_errors=True)
    first, second = root / "first-checkout", root / "elsewhere" / "second"
    for checkout in (first, second):
        checkout.mkdir(parents=True)
        copy_checkout(checkout)
    return build_checkout(first, root), build_checkout(second, root)


def test_the_second_checkout_hits_the_cache_on_every_unit(two_builds):
    _, (_, stats) = two_builds
    hits, misses = stats["cache_hits"]["counts"], stats["cache_misses"]["counts"]
    assert misses == {}, f"misses at the second path: {misses} (hits {hits})"
    # nvcc's steps are cached one by one: each must have hit, not been skipped.
    for step in ("C/C++", "CUDA (Device code)", "PTX", "CUBIN"):
        assert hits.get(step, 0) > 0, f"no {step} hit at the second path: {hits}"


def test_both_checkouts_build_byte_identical_wheels(two_builds):
    (first, _), (second, _) = two_builds
    wheels = sorted(p.relative_to(first / "dist") for p in (first / "dist").rglob("*.whl"))
    assert wheels, f"no wheels under {first / 'dist'}"
    assert wheels == sorted(p.relative_to(second / "dist") for p in (second / "dist").rglob("*.whl"))
    for wheel in wheels:
        a, b = (first / "dist" / wheel).read_bytes(), (second / "dist" / wheel).read_bytes()
        assert a == b, f"{wheel} differs between {first} and {second}"
        assert str(first).encode() not in a, f"{wheel} names its build path {first}"
