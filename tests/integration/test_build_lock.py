"""One build of a build tree at a time: a second `cmake --build` of a tree
being built fails at once, naming the running build, and the first one
succeeds; a killed build leaves no lock behind (BuildLock.cmake)."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from support import build, one_line
from test_override_build import BUILD, SOURCE

LOCK = BUILD / "build.lock"
# sccache would answer the recompile at once (SCCACHE_RECACHE: compile, do
# not read the cache); the first build must still run while the second one starts.
SLOW = {**os.environ, "SCCACHE_RECACHE": "1"}


def start_build(**kwargs):
    os.utime(SOURCE / "src" / "kernels" / "morton.cu")
    return subprocess.Popen(["cmake", "--build", str(BUILD)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=SLOW, **kwargs)


def holder_of(proc, timeout=60):
    """The pid the lock file names once `proc`'s build holds the lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the build ended before its lock was seen: " + proc.stdout.read()
        match = re.search(r"^pid=(\d+)$", LOCK.read_text() if LOCK.exists() else "", re.M)
        if match and Path(f"/proc/{match.group(1)}").exists() and str(proc.pid) in Path(
                f"/proc/{match.group(1)}/stat").read_text().split()[3]:
            return int(match.group(1))
        time.sleep(0.05)
    raise AssertionError(f"no lock taken by build {proc.pid} within {timeout} s")


def session_members(sid):
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # field 6 of proc(5), the session
            members.append(int(stat.parent.name))
    return members


def test_second_build_of_a_tree_fails_fast_and_names_the_first():
    assert BUILD.is_dir(), "needs the override build (fixture.override_build)"
    first = start_build()
    holder = holder_of(first)
    started = time.monotonic()
    second = build(BUILD)
    elapsed = time.monotonic() - started
    assert first.poll() is None, "the first build ended before the second was refused: the test proves nothing"
    out = first.communicate(timeout=900)[0]
    assert first.returncode == 0, out
    assert "morton.cu" in out, "the first build did not recompile the touched unit"

    assert second.returncode != 0, second.stdout
    text = one_line(second.stdout)
    assert f"another build of this build tree is running: pid {holder} (cmake --build {BUILD})" in text, text
    assert "since 20" in text and f"kill {holder}" in text and "another build directory" in text, text
    assert "Performing build step" not in second.stdout, "the second build started building"
    assert elapsed < 20, f"refused only after {elapsed:.1f} s"


def test_killed_build_leaves_no_stale_lock():
    assert BUILD.is_dir(), "needs the override build (fixture.override_build)"
    killed = start_build(start_new_session=True)
    holder_of(killed)
    # Everything the build started (Ninja puts its jobs in their own process
    # groups, but they stay in the session), as a closed terminal would.
    for pid in session_members(killed.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # a short job that ended since it was listed
            pass
    killed.communicate(timeout=60)
    result = build(BUILD)
    assert result.returncode == 0, result.stdout
    assert "another build" not in result.stdout
