"""A team's shared compile cache: sccache with a Redis server as remote
storage (TRELLIS2_SCCACHE_REMOTE). A cold build fills it; the build tree is
then deleted and a new, empty one made at the same path (another CI runner
or machine with the same workspace path): it compiles nothing itself, every
compile is a hit, as its report says from its server's statistics.

At another path, sccache 0.16 hits only the host-side steps: cudafe++ and
cicc get the absolute source path as an argument (--orig_src_path_name),
which sccache hashes as it is (basedirs strips paths from preprocessed
output only). The third build checks that this is all that misses.
The Redis server is started here, on loopback, and stopped at the end."""

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
    for name, tree in (("first", "tree"), ("second", "tree"), ("other path", "other")):
        shutil.rmtree(work / tree, ignore_errors=True)
        result = configure(work / tree, "-DTRELLIS2_SCCACHE=ON", f"-DTRELLIS2_SCCACHE_REMOTE={redis_url}")
        assert result.returncode == 0, result.stdout
        start = time.monotonic()
        result = run(["cmake", "--build", work / tree])
        elapsed = time.monotonic() - start
        assert result.returncode == 0, result.stdout[-4000:]
        caches[name] = json.loads((work / tree / "report.json").read_text())["compiler_cache"]
        assert f"remote cache {redis_url}" in result.stdout
        with capsys.disabled():  # the hit rate belongs in the CI log
            print(f"\n{name} build: {elapsed:.1f} s, {caches[name]['hits']} hits, {caches[name]['misses']} misses")
    first, second = caches["first"], caches["second"]
    assert first["compile_requests"] >= 5, first  # every unit of the fixture went through sccache
    assert first["hits"] == 0 and first["misses"] >= first["compile_requests"], first
    assert second["misses"] == 0 and second["hits"] == first["misses"], second
    assert second["hit_rate"] == 1.0
    other = caches["other path"]
    assert set(other["misses_by_language"]) == {"CUDA (Device code)", "PTX"}, other  # cudafe++ and cicc
    assert other["hits_by_language"].get("C/C++") == first["misses_by_language"]["C/C++"], other
