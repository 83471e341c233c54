"""A team's shared compile cache: sccache with a Redis server as remote
storage (TRELLIS2_SCCACHE_REMOTE). A cold build fills it; a second, empty
build directory (its own sccache server and local cache) then compiles
nothing itself: every compile is a hit, as the second build's report says
from its server's statistics. The Redis server is started here, on loopback,
and stopped at the end."""

import json
import shutil
import subprocess
import time

import pytest

from support import configure, free_port, run, scratch_dir, stop_group, wait_for_port


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if not server or not shutil.which("sccache"):
        pytest.skip("redis-server or sccache is not installed (.ci/setup installs both)")
    port = free_port()
    proc = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_for_port(port), "redis-server did not listen within 10 s"
        yield f"redis://127.0.0.1:{port}"
    finally:
        stop_group(proc)


def test_second_build_directory_hits_the_remote_cache(redis_url, capsys):
    work = scratch_dir("shared-cache")
    caches = {}
    for name in ("first", "second"):
        result = configure(work / name, "-DTRELLIS2_SCCACHE=ON", f"-DTRELLIS2_SCCACHE_REMOTE={redis_url}")
        assert result.returncode == 0, result.stdout
        start = time.monotonic()
        result = run(["cmake", "--build", work / name])
        elapsed = time.monotonic() - start
        assert result.returncode == 0, result.stdout[-4000:]
        caches[name] = json.loads((work / name / "report.json").read_text())["compiler_cache"]
        assert f"remote cache {redis_url}" in result.stdout
        with capsys.disabled():  # the hit rate belongs in the CI log
            print(f"\n{name} build: {elapsed:.1f} s, {caches[name]['hits']} hits, {caches[name]['misses']} misses")
    first, second = caches["first"], caches["second"]
    assert first["compile_requests"] >= 5, first  # every unit of the fixture went through sccache
    assert first["hits"] == 0 and first["misses"] >= first["compile_requests"], first
    assert second["misses"] == 0 and second["hits"] == first["misses"], second
    assert second["hit_rate"] == 1.0
