"""Ninja's caps of the native build stay out of compile command lines and are
sized when each build starts (cmake/scripts/native_build.cmake): a new memory
figure, job count or free memory recompiles nothing, the nvcc pool's new
depth reaches the native tree's Ninja files, and the job count comes from
MAX_JOBS / CMAKE_BUILD_PARALLEL_LEVEL of the build's environment."""

import re

from support import build, configure, one_line, run
from test_override_build import BUILD, SOURCE
from test_touch_one_unit import outputs_of_last_run

NATIVE = BUILD / "native"
LOG = NATIVE / ".ninja_log"  # the one native build's Ninja
SIZED = re.compile(r"Native build: (\d+) jobs \(([^)]+)\), nvcc pool (\d+) ")
# The depth's sum: every nvcc job runs its --threads device compiles at once.
DEPTH_FROM = re.compile(r"nvcc pool (\d+) \((\d+) MB available / \((\d+) MB x (\d+) nvcc threads a job\)\)")


def cached(name):
    return re.search(rf"^{name}:\w+=(.*)$", (BUILD / "CMakeCache.txt").read_text(), re.M).group(1)


def pool_depth():
    """The nvcc pool's depth in the native tree's Ninja files."""
    rules = (NATIVE / "CMakeFiles" / "rules.ninja").read_text()
    return int(re.search(r"^pool nvcc\n  depth = (\d+)$", rules, re.M).group(1))


def plan_nvcc_threads():
    """nvcc --threads of the native plan's compile commands."""
    plan = (BUILD / "native-plan.cmake").read_text()
    return int(re.search(r"^set\(TRELLIS2_TORCH_TARGET_NVCC_THREADS \[==\[(\d+)\]==\]\)$", plan, re.M).group(1))


def build_sized(env=None):
    """Build; returns (objects recompiled, jobs, where the count came from, nvcc pool depth)."""
    before = LOG.read_text()
    # The job count of the test's own environment would stand in for TRELLIS2_JOBS.
    result = run(["cmake", "--build", BUILD], env={"MAX_JOBS": "", "CMAKE_BUILD_PARALLEL_LEVEL": "", **(env or {})})
    assert result.returncode == 0, result.stdout
    sized = SIZED.findall(result.stdout)
    assert len(sized) == 1, f"expected one 'Native build: ...' line, found {sized}: {result.stdout[-3000:]}"
    ran = outputs_of_last_run(LOG) if LOG.read_text() != before else []
    jobs, source, depth = sized[0]
    if source != "the farm's cores":
        depth_from = DEPTH_FROM.search(result.stdout)
        assert depth_from, result.stdout[-3000:]
        shown, available_mb, job_mb, threads = map(int, depth_from.groups())
        assert threads == plan_nvcc_threads() >= 1
        assert shown == int(depth) == max(1, available_mb // (job_mb * threads)), depth_from.group(0)
    return [o for o in ran if o.endswith(".o")], int(jobs), source, int(depth)


def reconfigure(memory_mb, jobs):
    result = configure(BUILD, f"-DTRELLIS2_FIXTURE_SOURCE_DIR={SOURCE}",
                       f"-DTRELLIS2_NVCC_JOB_MEMORY_MB={memory_mb}", f"-DTRELLIS2_JOBS={jobs}")
    assert result.returncode == 0, result.stdout


def test_new_memory_figure_and_job_count_recompile_nothing():
    assert BUILD.is_dir(), "needs the override build (fixture.override_build)"
    memory_mb, jobs = cached("TRELLIS2_NVCC_JOB_MEMORY_MB"), cached("TRELLIS2_JOBS")
    assert build(BUILD).returncode == 0
    try:
        # 1 TB a job: one nvcc job on any machine, a different pool than before.
        reconfigure(1_000_000, 1)
        recompiled, ran_jobs, source, depth = build_sized()
        assert recompiled == [], f"a new pool size recompiled {recompiled}"
        assert (ran_jobs, source, depth) == (1, "TRELLIS2_JOBS", 1)
        assert pool_depth() == 1
    finally:
        reconfigure(memory_mb, jobs)
        recompiled, ran_jobs, source, depth = build_sized()
    assert recompiled == [], f"restoring the pool sizes recompiled {recompiled}"
    assert (ran_jobs, source) == (int(jobs), "TRELLIS2_JOBS")
    assert depth >= 1 and pool_depth() == depth


def test_the_pool_is_sized_at_build_time_not_at_configure():
    """A tree generated when another amount of memory was free (here: a
    depth no machine of this test has) gets the depth of the memory free
    when the build starts, with no configure of the superbuild between."""
    assert BUILD.is_dir(), "needs the override build (fixture.override_build)"
    assert build(BUILD).returncode == 0
    generated = run(["cmake", "-DTRELLIS2_NVCC_POOL_DEPTH=977", NATIVE])
    assert generated.returncode == 0, generated.stdout
    assert pool_depth() == 977
    recompiled, _jobs, _source, depth = build_sized()
    assert recompiled == [], f"a new pool depth recompiled {recompiled}"
    assert depth != 977 and pool_depth() == depth


def test_build_environment_sets_the_job_count():
    assert BUILD.is_dir(), "needs the override build (fixture.override_build)"
    _recompiled, jobs, source, _depth = build_sized({"MAX_JOBS": "3", "CMAKE_BUILD_PARALLEL_LEVEL": "5"})
    assert (jobs, source) == (3, "MAX_JOBS")
    _recompiled, jobs, source, _depth = build_sized({"MAX_JOBS": "", "CMAKE_BUILD_PARALLEL_LEVEL": "5"})
    assert (jobs, source) == (5, "CMAKE_BUILD_PARALLEL_LEVEL")
    result = run(["cmake", "--build", BUILD], env={"MAX_JOBS": "many"})
    assert result.returncode != 0, "MAX_JOBS=many was taken"
    text = one_line(result.stdout)
    assert "MAX_JOBS='many' in the environment is not a positive number of compile jobs" in text, text
    assert "Expected e.g. MAX_JOBS=4; unset it" in text, text
