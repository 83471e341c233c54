"""A team's shared compile cache: ccache with a Redis server as remote
storage (TRELLIS2_CCACHE_REMOTE). A cold build fills it; a second, empty
build directory with an empty local ccache directory then compiles nothing
itself: every compile is a remote hit. The Redis server is started here, on
loopback, and stopped at the end."""

import re
import shutil
import socket
import subprocess
import time

import pytest

from support import configure, run, scratch_dir


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if not server or not shutil.which("ccache"):
        pytest.skip("redis-server or ccache is not installed (.ci/setup installs both)")
    port = free_port()
    proc = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def stats(ccache_dir):
    out = run(["ccache", "--print-stats"], env={"CCACHE_DIR": str(ccache_dir)}).stdout
    return {key: int(value) for key, value in re.findall(r"^(\w+)\t(\d+)$", out, re.M)}


def test_second_build_directory_hits_the_remote_cache(redis_url, capsys):
    work = scratch_dir("shared-cache")
    timings = []
    for name in ("first", "second"):
        cache = work / f"ccache-{name}"  # empty local cache: only the remote can hit
        cache.mkdir()
        result = configure(work / name, "-DTRELLIS2_CCACHE=ON", f"-DTRELLIS2_CCACHE_REMOTE={redis_url}")
        assert result.returncode == 0, result.stdout
        start = time.monotonic()
        result = run(["cmake", "--build", work / name], env={"CCACHE_DIR": str(cache)})
        timings.append(time.monotonic() - start)
        assert result.returncode == 0, result.stdout[-4000:]
        with capsys.disabled():  # the hit rate belongs in the CI log
            print(f"\n{name} build: {timings[-1]:.1f} s")
    first, second = stats(work / "ccache-first"), stats(work / "ccache-second")
    compiles = first["direct_cache_miss"] + first.get("direct_cache_hit", 0)
    assert compiles >= 5, first  # every unit of the fixture went through ccache
    assert first.get("remote_storage_hit", 0) == 0
    remote_hits = second.get("remote_storage_hit", 0)
    with capsys.disabled():
        print(f"second build: {remote_hits} remote hits of {compiles} compiles "
              f"(hit rate {100 * remote_hits / compiles:.0f}%)")
    assert remote_hits == compiles, second
    assert second.get("cache_miss", 0) == 0 and second.get("preprocessed_cache_miss", 0) == 0, second
