"""Pool sizes stay out of compile command lines: a re-configure with another
memory figure or job count recompiles nothing, and the next build uses the
new sizes (read by jobslot from the pool directories)."""

import re

from support import build, configure
from test_override_build import BUILD, SOURCE
from test_touch_one_unit import outputs_of_last_run

POOLS = BUILD / "jobslots"
LOG = BUILD / "native" / ".ninja_log"  # the one native build's Ninja


def cached(name):
    return re.search(rf"^{name}:\w+=(.*)$", (BUILD / "CMakeCache.txt").read_text(), re.M).group(1)


def reconfigure_and_build(memory_mb, jobs):
    result = configure(BUILD, f"-DTRELLIS2_FIXTURE_SOURCE_DIR={SOURCE}",
                       f"-DTRELLIS2_NVCC_JOB_MEMORY_MB={memory_mb}", f"-DTRELLIS2_JOBS={jobs}")
    assert result.returncode == 0, result.stdout
    before = LOG.read_text()
    result = build(BUILD)
    assert result.returncode == 0, result.stdout
    ran = outputs_of_last_run(LOG) if LOG.read_text() != before else []
    return [o for o in ran if o.endswith(".o")]


def test_new_memory_figure_and_job_count_recompile_nothing():
    assert BUILD.is_dir(), "needs the override build (fixture.override_build)"
    memory_mb, jobs = cached("TRELLIS2_NVCC_JOB_MEMORY_MB"), cached("TRELLIS2_JOBS")
    assert build(BUILD).returncode == 0
    try:
        # 1 TB a job: one nvcc job on any machine, a different pool than before.
        recompiled = reconfigure_and_build(1_000_000, 1)
        assert recompiled == [], f"a new pool size recompiled {recompiled}"
        assert (POOLS / "nvcc" / "slots").read_text().split() == ["1"]
        assert (POOLS / "jobs" / "slots").read_text().split() == ["1"]
    finally:
        recompiled = reconfigure_and_build(memory_mb, jobs)
    assert recompiled == [], f"restoring the pool sizes recompiled {recompiled}"
    assert int((POOLS / "nvcc" / "slots").read_text()) >= 1
