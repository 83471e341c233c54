"""jobslot on synthetic pools with fake commands (no compiler, no CUDA):
the cap, multi-slot --threads jobs, the highest-cost waiter first, sizes
read from the pool directory at run time, and its messages."""

import os
import subprocess
import time
from pathlib import Path

from support import scratch_dir

JOBSLOT = os.environ["TRELLIS2_JOBSLOT"]


def jobslot(*args, env=None, **kwargs):
    return subprocess.Popen([JOBSLOT, *map(str, args)], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def finish(procs, timeout=30):
    for proc in procs:
        out, _ = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, out


def wait_for(path, timeout=10):
    deadline = time.monotonic() + timeout
    while not Path(path).exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def trace_lines(trace):
    """(start ms, end ms, slots) per job of a TRELLIS2_JOBSLOT_TRACE file."""
    rows = [line.split() for line in Path(trace).read_text().splitlines()]
    return [(int(r[0]), int(r[1]), int(r[4])) for r in rows]


def busy(pool, seconds, started):
    """A job holding one slot of pool until `seconds` pass; returns once it runs."""
    proc = jobslot(f"{pool}:1", "--cost", 0, "--", "sh", "-c", f"touch {started}; sleep {seconds}")
    wait_for(started)
    return proc


def test_highest_cost_waiter_goes_first():
    work = scratch_dir("jobslot-order")
    order = work / "order"
    holder = busy(work / "pool", 1.0, work / "started")
    waiters = []
    for cost in (10, 30, 20, 5, 40):  # arrival order differs from cost order
        waiters.append(jobslot(f"{work / 'pool'}:1", "--cost", cost, "--", "sh", "-c", f"echo {cost} >> {order}"))
        time.sleep(0.1)
    finish([holder, *waiters])
    assert order.read_text().split() == ["40", "30", "20", "10", "5"]


def test_cost_table_orders_units_by_their_object():
    work = scratch_dir("jobslot-costs")
    costs = work / "costs"
    costs.mkdir()
    (costs / "pkg.tsv").write_text("# measured: test table\n"
                                   "500\tpkg._C\tsrc/big.cu\n"
                                   "100\tpkg._C\tsrc/small.cu\n")
    order = work / "order"
    holder = busy(work / "pool", 1.0, work / "started")
    waiters = []
    for source in ("src/small.cu", "src/unknown.cu", "src/big.cu"):
        obj = f"CMakeFiles/pkg._C.dir/somewhere/tree/{source}.o"
        waiters.append(jobslot("--costs", costs, f"{work / 'pool'}:1", "--",
                               "sh", "-c", f'echo "$2" >> {order}', "sh", "-o", obj))
        time.sleep(0.1)
    finish([holder, *waiters])
    assert [Path(line).name for line in order.read_text().split()] == ["big.cu.o", "small.cu.o", "unknown.cu.o"]


def test_threads_take_as_many_slots_capped_by_the_pool():
    work = scratch_dir("jobslot-threads")
    pool = f"{work / 'pool'}:3"
    wide = jobslot(pool, "--", "sh", "-c", f'echo "$@" > {work / "args"}; sleep 1', "sh", "--threads", 8)
    wait_for(work / "args")
    start = time.monotonic()
    narrow = jobslot(pool, "--", "true")
    finish([narrow])
    waited = time.monotonic() - start
    finish([wide])
    assert (work / "args").read_text().split() == ["--threads", "3"], "the flag says what was granted"
    assert waited > 0.5, f"a 1-slot job ran beside a job holding all 3 slots (waited {waited:.2f} s)"


def test_with_a_cost_table_only_the_critical_path_keeps_its_threads():
    # Fair share: 1000 ms of table / 2 slots = 500 ms. The 800 ms unit is the
    # build's critical path and keeps --threads; the others get one thread
    # and one slot, leaving the second slot to another unit (here a 2-slot
    # job waiting behind them: alone on an idle pool they would take both).
    work = scratch_dir("jobslot-critical")
    costs = work / "costs"
    costs.mkdir()
    (costs / "pkg.tsv").write_text("800\tpkg._C\tsrc/long.cu\n100\tpkg._C\tsrc/short.cu\n100\tpkg._C\tsrc/other.cu\n")
    pool = f"{work / 'pool'}:2"
    holder = jobslot(pool, "--", "sh", "-c", f"touch {work / 'started'}; sleep 1", "sh", "--threads=2")
    wait_for(work / "started")
    procs = []
    for name in ("unknown", "waiter", "long", "short"):  # the unknown unit ranks above the waiter: it came first
        obj = f"CMakeFiles/pkg._C.dir/tree/src/{name}.cu.o"
        table = [] if name == "waiter" else ["--costs", costs]  # no table: the waiter needs both slots
        procs.append(jobslot(*table, pool, "--", "sh", "-c", f'echo "$@" > {work / name}.args', "sh",
                             "--threads=4", "-o", obj))
        time.sleep(0.1)
    finish([holder, *procs])
    granted = {name: (work / f"{name}.args").read_text().split()[0] for name in ("long", "short", "unknown")}
    assert granted == {"long": "--threads=2", "short": "--threads=1", "unknown": "--threads=1"}, granted


def test_multi_slot_jobs_keep_the_cap_and_do_not_deadlock():
    work = scratch_dir("jobslot-cap")
    trace = work / "trace"
    # Two-slot and one-slot jobs started together on a two-slot pool: taking
    # slots one by one, two jobs holding one each would wait for ever.
    procs = [jobslot(f"{work / 'pool'}:2", "--", "sh", "-c", "sleep 0.2", "sh", *(["--threads=2"] if i % 2 else []),
                     env={"TRELLIS2_JOBSLOT_TRACE": str(trace)}) for i in range(8)]
    finish(procs, timeout=60)
    jobs = trace_lines(trace)
    assert sorted(slots for _, _, slots in jobs) == [1] * 4 + [2] * 4
    for t in sorted({start for start, _, _ in jobs}):
        in_use = sum(slots for start, end, slots in jobs if start <= t < end)
        assert in_use <= 2, f"{in_use} slots in use at {t}: {jobs}"


def test_pool_size_is_read_from_the_pool_directory():
    work = scratch_dir("jobslot-size")
    pool = work / "pool"
    pool.mkdir()
    (pool / "slots").write_text("1\n")
    trace = work / "trace"
    procs = [jobslot(pool, "--", "sleep", "0.3", env={"TRELLIS2_JOBSLOT_TRACE": str(trace)}) for _ in range(3)]
    finish(procs)
    jobs = sorted(trace_lines(trace))
    assert all(a_end <= b_start for (_, a_end, _), (b_start, _, _) in zip(jobs, jobs[1:])), jobs


def test_pool_without_size_says_what_to_run():
    work = scratch_dir("jobslot-nosize")
    (work / "pool").mkdir()
    proc = jobslot(work / "pool", "--", "true")
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 2
    assert f"{work / 'pool'}/slots" in out and "expected a positive number" in out and "cmake --build" in out


def test_bad_job_counts_are_refused_with_their_name():
    work = scratch_dir("jobslot-env")
    for value in ("0", "abc", "-3"):
        proc = jobslot("--env", "MAX_JOBS", f"{work / 'pool'}:2", "--", "true", env={"MAX_JOBS": value})
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 2, f"MAX_JOBS={value} was ignored"
        assert f"MAX_JOBS='{value}' is not a positive number" in out and "unset it" in out
    proc = jobslot(f"{work / 'pool'}:0", "--", "true")
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 2 and "is not <dir> or <dir>:<positive count>" in out


def test_remote_pool_replaces_the_local_pools_while_the_farm_is_up():
    """A distributed compile is bounded by the farm's cores, not the local
    cap: with remote/slots = 3, three jobs run at once though the local pool
    has one slot; with 0 (no farm this build) they queue on the local slot."""
    work = scratch_dir("jobslot-remote")
    local, remote = work / "local", work / "remote"
    for pool, size in ((local, 1), (remote, 3)):
        pool.mkdir()
        (pool / "slots").write_text(f"{size}\n")
    for farm, most in (("3", 3), ("0", 1)):
        (remote / "slots").write_text(f"{farm}\n")
        trace = work / f"trace-{farm}"
        procs = [jobslot("--remote-pool", remote, local, "--", "sleep", "0.5",
                         env={"TRELLIS2_JOBSLOT_TRACE": str(trace)}) for _ in range(3)]
        finish(procs)
        jobs = trace_lines(trace)
        at_once = max(sum(1 for s, e, _ in jobs if s <= t < e) for t, _, _ in jobs)
        assert at_once == most, f"farm slots {farm}: {at_once} jobs at once, expected {most}: {jobs}"
    (remote / "slots").write_text("many\n")
    proc = jobslot("--remote-pool", remote, local, "--", "true")
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 2 and "expected the build farm's cores or 0" in out, out


# Cold-start plan (tools/jobslot/plan.h) and work-conserving --threads.

def unit_object(name):
    """The object path a unit of target pkg._C writes (not on disk: a cold build)."""
    return f"CMakeFiles/pkg._C.dir/tree/src/{name}.o"


def cost_table(work, rows):
    """A one-package cost table {source: ms}; returns its file."""
    (work / "costs").mkdir(exist_ok=True)
    table = work / "costs" / "pkg.tsv"
    table.write_text("".join(f"{ms}\tpkg._C\tsrc/{source}\n" for source, ms in rows.items()))
    return table


def write_plan(pool, table, threads=4):
    """The plan the build's first step writes, through jobslot --build-lock
    (run under sh, so its lock ends with that sh)."""
    proc = subprocess.run(["sh", "-c", '"$@"', "sh", JOBSLOT, "--build-lock", pool.parent / f"{pool.name}.lock",
                           "--plan", pool, "--plan-table", table, "--plan-threads", str(threads)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert (pool / "plan").exists() and (pool / "plan.d").is_dir()


def unit(work, pool, name, seconds, *extra, trace):
    """A compile of src/<name> that sleeps; traced to `trace`."""
    return jobslot("--costs", work / "costs", pool, "--", "sh", "-c", f"sleep {seconds}", "sh", *extra,
                   "-o", unit_object(name), env={"TRELLIS2_JOBSLOT_TRACE": str(trace)})


def traced_units(trace):
    """{source name: (start ms, end ms, slots, queued ms)} of a trace file."""
    rows = [line.split() for line in Path(trace).read_text().splitlines()]
    return {Path(r[3]).name[:-2]: (int(r[0]), int(r[1]), int(r[4]), int(r[5])) for r in rows}


def test_late_costly_units_start_before_early_cheap_ones_on_a_cold_start():
    # Two slots; the cheap units' sub-build "configured" first and asks at
    # once, the costly ones come 0.5 s later. Without the plan the cheap ones
    # take both slots and the costly ones wait for them.
    work = scratch_dir("jobslot-plan-order")
    pool, trace = work / "pool", work / "trace"
    table = cost_table(work, {"high1.cu": 900, "high2.cu": 800, "a.cu": 100, "b.cu": 100, "c.cu": 100})
    write_plan(pool, table, threads=1)
    cheap = [unit(work, f"{pool}:2", f"{name}.cu", 0.4, trace=trace) for name in "abc"]
    time.sleep(0.5)
    costly = [unit(work, f"{pool}:2", f"high{i}.cu", 0.3, trace=trace) for i in (1, 2)]
    finish(cheap + costly)
    jobs = traced_units(trace)
    last_costly = max(jobs[f"high{i}.cu"][0] for i in (1, 2))
    first_cheap = min(jobs[f"{name}.cu"][0] for name in "abc")
    assert last_costly < first_cheap, jobs


def test_a_planned_unit_that_never_comes_delays_others_at_most_the_window():
    work = scratch_dir("jobslot-plan-window")
    pool, trace = work / "pool", work / "trace"
    table = cost_table(work, {"ghost.cu": 900, "real.cu": 100})
    write_plan(pool, table)
    plan = pool / "plan"
    plan.write_text(plan.read_text().replace("window_ms 20000", "window_ms 1500"))
    finish([unit(work, f"{pool}:1", "real.cu", 0, trace=trace)])
    start, _, _, queued = traced_units(trace)["real.cu"]
    assert 1.0 <= (start - queued) / 1000 <= 2.5, f"waited {(start - queued) / 1000:.2f} s for a 1.5 s window"
    # A rebuild (its object exists, the kernel loop) does not wait for the plan at all.
    write_plan(pool, table)
    trace.unlink()
    obj = work / unit_object("real.cu")
    obj.parent.mkdir(parents=True)
    obj.touch()
    finish([jobslot("--costs", work / "costs", f"{pool}:1", "--", "true", "-o", obj,
                    env={"TRELLIS2_JOBSLOT_TRACE": str(trace)})])
    start, _, _, queued = traced_units(trace)["real.cu"]
    assert start - queued < 500, f"an incremental unit waited {start - queued} ms for the plan"


def test_the_critical_unit_gets_its_slots_first_on_a_cold_start():
    # 1200 ms of table / 4 slots = 300 ms: crit.cu (800) is the critical path
    # and keeps --threads=4. It asks 0.3 s after four one-slot units; the plan
    # keeps its 4 slots, so it starts first instead of after them.
    work = scratch_dir("jobslot-plan-critical")
    pool, trace = work / "pool", work / "trace"
    table = cost_table(work, {"crit.cu": 800, **{f"{name}.cu": 100 for name in "abcd"}})
    write_plan(pool, table, threads=4)
    cheap = [unit(work, f"{pool}:4", f"{name}.cu", 0.4, "--threads=4", trace=trace) for name in "abcd"]
    time.sleep(0.3)
    crit = unit(work, f"{pool}:4", "crit.cu", 0.3, "--threads=4", trace=trace)
    finish([*cheap, crit])
    jobs = traced_units(trace)
    assert jobs["crit.cu"][2] == 4, jobs
    assert all(jobs["crit.cu"][0] < jobs[f"{name}.cu"][0] for name in "abcd"), jobs
    for t, _, _, _ in jobs.values():
        in_use = sum(slots for start, end, slots, _ in jobs.values() if start <= t < end)
        assert in_use <= 4, f"{in_use} slots in use at {t}: {jobs}"


def test_a_lone_threads_unit_takes_the_idle_slots_but_not_while_others_wait():
    # mid.cu (100 ms of 1000 / 4 slots) is not the critical path: alone on an
    # idle pool it still gets its 4 threads (nvcc runs the 4 device passes at
    # once); queued with another job waiting, one.
    work = scratch_dir("jobslot-widen")
    cost_table(work, {"long.cu": 800, "mid.cu": 100, "short.cu": 100})
    pool = f"{work / 'pool'}:4"
    args = work / "args"

    def mid():
        return jobslot("--costs", work / "costs", pool, "--", "sh", "-c", f'echo "$@" > {args}', "sh",
                       "--threads=4", "-o", unit_object("mid.cu"))

    finish([mid()])
    assert args.read_text().split()[0] == "--threads=4", "alone on an idle pool"
    holder = jobslot(pool, "--", "sh", "-c", f"touch {work / 'started'}; sleep 1", "sh", "--threads=4")
    wait_for(work / "started")
    other = jobslot(pool, "--cost", 0, "--", "sh", "-c", "sleep 0.2", "sh", "--threads=4")  # waits for all 4 slots
    time.sleep(0.2)
    finish([holder, other, mid()])
    assert args.read_text().split()[0] == "--threads=1", "another job was waiting"
