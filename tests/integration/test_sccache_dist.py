"""Distributed compilation on an sccache-dist farm started here on loopback
(sccache_farm.py): the fixture's C++ and CUDA units compile on the build
server (sccache's own statistics, in the build report), the modules pass the
same import, API and audit checks as the local build with the same highest
symbol versions, and the token appears nowhere in the build tree. Then the
faults: a wrong token, a scheduler that is down, and the build server killed
during a build (last: the farm has no server afterwards)."""

import json
import subprocess

import pytest

from sccache_farm import CLIENT_TOKEN, farm_or_skip
from support import BUILD_DIR, FIXTURE_MODULES, PYTHON, build, configure, free_port, one_line, scratch_dir
from test_stage_and_import import CHECK, morton3

ARCHS = "8.9+PTX"  # one cicc and one ptxas step per unit: both kinds go to the farm, the test stays short
WORK = scratch_dir("sccache-dist")


@pytest.fixture(scope="module")
def farm():
    farm = farm_or_skip(WORK / "farm")
    yield farm
    farm.stop()


def configure_dist(name, scheduler, token_file, *extra):
    tree = WORK / name
    # Its own, empty cache (not the scratch trees' shared one): every unit misses and goes to the farm.
    result = configure(tree, "-DTRELLIS2_SCCACHE=ON", f"-DTRELLIS2_SCCACHE_DIR={tree / 'sccache' / 'cache'}", f"-DTRELLIS2_SCCACHE_DIST_SCHEDULER={scheduler}",
                       f"-DTRELLIS2_SCCACHE_DIST_TOKEN_FILE={token_file}", f"-DTRELLIS2_CUDA_ARCHITECTURES={ARCHS}",
                       *extra)
    assert result.returncode == 0, result.stdout
    return tree


def compiler_cache(tree):
    return json.loads((tree / "report.json").read_text())["compiler_cache"]


def assert_modules_work(tree):
    result = subprocess.run([PYTHON, "-c", CHECK], env={"PYTHONPATH": str(tree / "stage"), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["add_one"] == [2.5, -1.0, 1.0]
    assert values["morton"] == [morton3(*p) for p in values["xyz"]]
    local = {row["module"]: row for row in json.loads((BUILD_DIR / "report.json").read_text())["modules"]}
    for row in json.loads((tree / "report.json").read_text())["modules"]:
        assert row["audit"] == "passed" and row["api_check"] == "passed", row
        assert row["highest"] == local[row["module"]]["highest"], (row, local[row["module"]])
    assert {row["module"] for row in local.values()} == set(FIXTURE_MODULES)


def test_units_compile_on_the_build_server(farm):
    # One local job: the farm's cores, more than that, set Ninja's -j.
    tree = configure_dist("dist", farm.url, farm.token_file, "-DTRELLIS2_JOBS=1")
    result = build(tree)
    assert result.returncode == 0, result.stdout[-6000:]
    cache = compiler_cache(tree)
    assert cache["mode"] == "distributed" and cache["servers"] == 1, cache
    assert cache["farm_cores"] > 1, cache
    assert f"Native build: {cache['farm_cores']} jobs (the farm's cores)" in result.stdout, result.stdout[-6000:]
    misses = cache["misses_by_language"]
    # C++ units (and the farm probe) and nvcc's device steps (cicc: PTX, ptxas: CUBIN) all missed ...
    assert misses.get("C/C++", 0) >= 3 and misses.get("PTX", 0) >= 2 and misses.get("CUBIN", 0) >= 2, cache
    # ... and every one of them compiled on the server, none locally.
    assert cache["dist_errors"] == 0 and cache["dist_compiles"] == cache["misses"], cache
    assert "compiled on the farm of " + farm.url in result.stdout
    assert_modules_work(tree)
    leaked = subprocess.run(["grep", "-rl", "--binary-files=text", CLIENT_TOKEN, str(tree)],
                            stdout=subprocess.PIPE, text=True).stdout
    assert not leaked and CLIENT_TOKEN not in result.stdout, f"the token is written in {leaked}"


def test_wrong_token_fails_before_compiling_and_says_what_to_do(farm):
    wrong = WORK / "wrong.token"
    wrong.write_text("not-the-token\n")
    tree = configure_dist("wrong", farm.url, wrong)
    result = build(tree)
    assert result.returncode != 0
    text = one_line(result.stdout)
    assert f"scheduler {farm.url} refused this build's token" in text and "Error 401" in text, text[-3000:]
    assert "[client_auth]" in text and "-DTRELLIS2_SCCACHE_DIST_SCHEDULER=" in text
    assert not (tree / "native" / "build.ninja").exists(), "the native build was configured"
    assert not any((tree / "stage").rglob("*.so")), "nothing may be staged"


def test_scheduler_down_compiles_locally_and_says_so():
    down = f"http://127.0.0.1:{free_port()}"
    token = WORK / "any.token"
    token.write_text("x\n")
    # The first test's cache: this build's units are hits, it stays short.
    tree = configure_dist("down", down, token, f"-DTRELLIS2_SCCACHE_DIR={WORK / 'dist' / 'sccache' / 'cache'}")
    result = build(tree)
    assert result.returncode == 0, result.stdout[-6000:]
    cache = compiler_cache(tree)
    assert cache["mode"] == "local" and f"the scheduler {down} was not reachable" in cache["reason"], cache
    assert "jobs (TRELLIS2_JOBS)" in result.stdout, "no farm: the local job count"
    assert f"compiled locally (the scheduler {down} was not reachable" in one_line(result.stdout)


def test_killed_build_server_leaves_the_build_to_local_compiles(farm):
    tree = configure_dist("killed", farm.url, farm.token_file)
    proc = subprocess.Popen(["cmake", "--build", str(tree)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        # Once the probe proved the farm (state.json), the build's units go
        # to the server: kill it then, before the packages compile.
        for line in proc.stdout:
            if "sccache: compiling on the farm" in line:
                farm.kill_server()
                break
        out = line + proc.stdout.read()
        proc.wait(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out[-6000:]
    cache = compiler_cache(tree)
    assert cache["mode"] == "distributed", cache
    assert cache["dist_errors"] >= 1, cache  # units that went to the dead server, then compiled locally
    assert f"{cache['dist_errors']} fell back to local" in out
    assert_modules_work(tree)
