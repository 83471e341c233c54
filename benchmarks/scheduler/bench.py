"""Issue 29's scheduler benchmark: cold builds of one architecture list with
Ninja's own scheduler (the only one since jobslot went), with or without nvcc
--split-compile, interleaved, on one machine.

    python3 benchmarks/scheduler/bench.py [--src SRC] --out DIR [--reps 1] [--budget-s 560]
        VARIANT... [-- <cmake arguments, e.g. --preset gpu-host>]

VARIANT is ninja (or default, the same build), optionally +split=N (N
threads, 0 = nvcc's maximum), e.g. `ninja ninja+split=4`; or before[+split=N]:
the same build from --before DIR, a copy of this repository as it was with
jobslot (`git archive bfb7d99 | tar -x -C DIR`, its default scheduler), so
both run on one machine in one lease. Each run: a fresh build tree,
no compiler cache, the shipping list 8.0;8.6;8.9;9.0+PTX unless the cmake
arguments say otherwise. A run that would not fit the remaining --budget-s
(judged by the longest run so far) is not started, and says so.

What each run records (DIR/<variant>-<rep>.json and one line on stdout;
ninja+split=4 is written ninja-split4, a name the device tool brings back):
  configure_s, build_s   the top project's configure and `cmake --build`
  cpu_s                  CPU time of every process both ran (getrusage of
                         the children: compiles, links, audits, the native
                         configure), and cpu_s / cores, the physical limit
  first_compile_s        from the configure's start to the first module
                         compile (a process polled for every 50 ms), and the
                         ExternalProject steps before it (their stamp times):
                         the pre-compile breakdown
  slowest unit           from the native build's .ninja_log: its wall time and
                         when it started after the first compile
  peak_memory_gb         how far available memory fell during the build
  DIR/<variant>-<rep>.timeline.tsv   every compile's start and end (ms from
                         the first) and available memory every 2 s: where the
                         tail and the memory peak were

Every run asks torch and detects its compilers afresh (--configure-cache
cold: an empty TRELLIS2_CONFIGURE_CACHE_DIR) unless --configure-cache kept
gives all runs one (the first run asks, the others read its answers: a
machine that configured the same torch and compilers before).

--precompile-only stops each build as its first module compile starts (the
process group is killed): the pre-compile breakdown in seconds, not minutes,
with the top configure's slowest commands (cmake --profiling-output).
"""

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPING = "8.0;8.6;8.9;9.0+PTX"
# nvcc itself: its children (gcc -E, cudafe++, cicc) name only temporary
# files, never the object under <target>.dir/.
COMPILERS = {"nvcc", "cc1plus", "cicc", "cudafe++", "ptxas"}


def variant_args(variant):
    match = re.fullmatch(r"(default|ninja|before)(?:\+split=(\d+))?", variant)
    if not match:
        sys.exit(f"variant '{variant}' is not ninja, default or before, optionally +split=N (e.g. ninja+split=4)")
    return [f"-DTRELLIS2_NVCC_SPLIT_COMPILE={match.group(2) or ''}"]


def variant_repo(variant, before):
    if not variant.startswith("before"):
        return REPO
    if not before or not (Path(before) / "CMakeLists.txt").is_file():
        sys.exit(f"variant '{variant}' builds from --before DIR: found '{before}', expected a copy of the "
                 "repository with jobslot (git archive bfb7d99 | tar -x -C DIR)")
    return Path(before).resolve()


class FirstCompile(threading.Thread):
    """The wall time at which the first module compile ran: a compiler
    process run by the native build's Ninja (its working directory), not a
    CMake try-compile (cmTC_) nor abi-audit's own compile."""

    def __init__(self, native):
        super().__init__(daemon=True)
        self.native = str(native)
        self.at = None
        self.what = None
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set() and self.at is None:
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    comm = Path(f"/proc/{pid}/comm").read_text().strip()
                    if comm not in COMPILERS:
                        continue
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                    cwd = os.readlink(f"/proc/{pid}/cwd")
                except OSError:
                    continue
                if (cwd == self.native and ".dir/" in cmdline and "cmTC_" not in cmdline
                        and "abi-audit" not in cmdline):
                    self.at = time.time()
                    self.what = cmdline.replace("\0", " ")[-160:]
                    break
            self.stop.wait(0.05)


class MemoryPeak(threading.Thread):
    """How far the machine's available memory fell below where it was at the
    start (MemAvailable of /proc/meminfo, every 0.5 s): the build's peak, on a
    machine that runs nothing else. The nvcc pool must keep it under the
    memory there was (an H100 host's build lost a unit to the OOM killer)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.start_kb = self.lowest_kb = self.available_kb()
        self.stop = threading.Event()
        self.samples = []  # (seconds since start, GB below the start), every 2 s

    @staticmethod
    def available_kb():
        return int(re.search(r"^MemAvailable:\s+(\d+)", Path("/proc/meminfo").read_text(), re.M).group(1))

    def run(self):
        began = time.time()
        while not self.stop.wait(0.5):
            now_kb = self.available_kb()
            self.lowest_kb = min(self.lowest_kb, now_kb)
            at = time.time() - began
            if not self.samples or at - self.samples[-1][0] >= 2:
                self.samples.append((round(at, 1), round((self.start_kb - now_kb) / 1024 / 1024, 1)))

    def peak_gb(self):
        return round((self.start_kb - self.lowest_kb) / 1024 / 1024, 1)


def timed(cmd, log):
    start = time.time()
    with open(log, "w") as out:
        rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        sys.exit(f"FAILED ({rc}): {' '.join(map(str, cmd))}\n" + "".join(Path(log).read_text().splitlines(True)[-40:]))
    return time.time() - start


def kill_session(sid):
    """Kill every process of the session sid (the build's): Ninja gives each
    command a process group of its own, so killing the build's group would
    leave the compiles running into the next run's timing."""
    for _ in range(20):
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid:  # fields after the name: state ppid pgrp session
                found.append(int(stat.parent.name))
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        time.sleep(0.05)


def until_first_compile(cmd, log, watcher):
    """Run the build until the watcher sees the first module compile, then
    kill its process group; the seconds it ran."""
    start = time.time()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        while proc.poll() is None and watcher.at is None:
            time.sleep(0.05)
        kill_session(proc.pid)
        proc.wait()
    if watcher.at is None:
        sys.exit(f"the build ended ({proc.returncode}) before any module compile: see {log}")
    return time.time() - start


def slow_commands(trace, at_least=0.15):
    """(start s, seconds, command, file:line) of the configure's commands
    that took at_least seconds, outermost first, from a google-trace."""
    events, stack, rows = json.loads(Path(trace).read_text()), [], []
    origin = events[0]["ts"] if events else 0
    for event in events:
        if event["ph"] == "B":
            stack.append(event)
        elif event["ph"] == "E":
            begin = stack.pop()
            seconds = (event["ts"] - begin["ts"]) / 1e6
            if seconds >= at_least:
                args = begin.get("args", {})
                where = args.get("location", "").replace(str(REPO) + "/", "")
                rows.append((round((begin["ts"] - origin) / 1e6, 2), round(seconds, 2),
                             "  " * len(stack) + f"{begin['name']}({args.get('functionArgs', '')[:60]})", where))
    return sorted(rows)


def stamps(build, since):
    """ExternalProject steps (name -> seconds after `since`), in order."""
    times = {}
    for stamp in build.glob("_ep/*/src/*-stamp/*"):
        if stamp.is_file() and "-" in stamp.name and "." not in stamp.name:
            times[stamp.name] = round(stamp.stat().st_mtime - since, 2)
    return dict(sorted(times.items(), key=lambda item: item[1]))


def ninja_units(native):
    """(output, start ms, end ms) of each edge of the native build's last run."""
    rows = {}
    for line in (native / ".ninja_log").read_text().splitlines():
        if line.startswith("#"):
            continue
        start, end, _mtime, output, _hash = line.split("\t")
        rows[output] = (output, int(start), int(end))
    return [r for r in rows.values() if r[0].endswith(".o")]


def one_run(args, variant, rep):
    build = Path(args.work) / "build"
    shutil.rmtree(build, ignore_errors=True)
    configure_cache = Path(args.work) / "configure-cache"
    if args.configure_cache == "cold":
        shutil.rmtree(configure_cache, ignore_errors=True)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    watcher = FirstCompile(build / "native")
    watcher.start()
    began = time.time()
    configure = ["cmake", "-G", "Ninja", "-S", variant_repo(variant, args.before), "-B", build,
                 # jobslot's tree (`before`) predates the kept answers: it always asks.
                 *([] if variant.startswith("before") else [f"-DTRELLIS2_CONFIGURE_CACHE_DIR={configure_cache}"]),
                 *([f"-DTRELLIS2_SOURCE_CACHE={args.src}"] if args.src else []), f"-DTRELLIS2_CUDA_ARCHITECTURES={SHIPPING}", f"-DTRELLIS2_JOBS={args.jobs}",
                 "-DTRELLIS2_SCCACHE=OFF", "-DBUILD_TESTING=OFF", *variant_args(variant), *args.cmake_args]
    # Names the device tool brings back ('+' and '=' it refuses): ninja-split4-1.
    stem = Path(args.out) / f"{variant.replace('+split=', '-split')}-{rep}"
    # 10 MB of CMake's profile stay in the work directory: its slow commands
    # go into the record.
    trace = Path(args.work) / "configure-trace.json"
    if args.precompile_only:
        configure += ["--profiling-format=google-trace", f"--profiling-output={trace}"]
    configure_s = timed(configure, f"{stem}.configure.log")
    build_log = f"{stem}.build.log"
    if args.precompile_only:
        build_s = until_first_compile(["cmake", "--build", build], build_log, watcher)
        watcher.stop.set()
        result = {"variant": variant, "rep": rep, "configure_s": round(configure_s, 2),
                  "first_compile_s": round(watcher.at - began, 2), "first_compile": watcher.what,
                  "steps_s": stamps(build, began), "configure_commands": slow_commands(trace)}
        print(f"{variant} rep {rep}: first compile {result['first_compile_s']} s "
              f"(configure {configure_s:.1f} s); steps {result['steps_s']}", flush=True)
        Path(f"{stem}.precompile.json").write_text(json.dumps(result, indent=1) + "\n")
        return configure_s + build_s
    memory = MemoryPeak()
    memory.start()
    build_s = timed(["cmake", "--build", build], build_log)
    watcher.stop.set()
    memory.stop.set()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    units = ninja_units(build / "native")
    first_rel = min(u[1] for u in units)
    slowest = max(units, key=lambda u: u[2] - u[1])
    cores = os.cpu_count()
    total = configure_s + build_s
    result = {
        "variant": variant, "rep": rep, "configure_s": round(configure_s, 2), "build_s": round(build_s, 2),
        "total_s": round(total, 2), "cpu_s": round(cpu_s, 1), "cores": cores,
        "cpu_s_per_core": round(cpu_s / cores, 1), "ratio": round(total / (cpu_s / cores), 3),
        "first_compile_s": round(watcher.at - began, 2) if watcher.at else None,
        "first_compile": watcher.what,
        "steps_s": stamps(build, began), "units": len(units),
        "slowest_unit": slowest[0], "slowest_unit_s": round((slowest[2] - slowest[1]) / 1000, 1),
        "slowest_started_after_first_s": round((slowest[1] - first_rel) / 1000, 1),
        "peak_memory_gb": memory.peak_gb(), "memory_available_at_start_gb": round(memory.start_kb / 1024 / 1024, 1),
    }
    print(f"{variant} rep {rep}: total {total:.1f} s (configure {configure_s:.1f}, build {build_s:.1f}); "
          f"{cpu_s:.0f} CPU-s / {cores} = {cpu_s / cores:.1f} s, ratio {result['ratio']}; "
          f"first compile {result['first_compile_s']} s; slowest {result['slowest_unit_s']} s "
          f"({slowest[0].split('/')[-1]}) started {result['slowest_started_after_first_s']} s after the first; "
          f"peak memory {result['peak_memory_gb']} of {result['memory_available_at_start_gb']} GB",
          flush=True)
    Path(f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n")
    write_timeline(f"{stem}.timeline.tsv", units, first_rel, memory.samples)
    return total


def write_timeline(path, units, first_ms, memory_samples):
    lines = ["# unit\tstart_ms\tend_ms (from the first compile)"]
    lines += [f"{out}\t{start - first_ms}\t{end - first_ms}" for out, start, end in sorted(units, key=lambda u: u[1])]
    lines += ["# memory\tseconds since the build began\tGB below the start"]
    lines += [f"memory\t{at}\t{gb}" for at, gb in memory_samples]
    path.write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", default="", help="a source cache (TRELLIS2_SOURCE_CACHE layout)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--work", default="/tmp/trellis2-scheduler")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--first-rep", type=int, default=1, help="number of the first repetition (a later call)")
    parser.add_argument("--budget-s", type=float, default=560)
    parser.add_argument("--before", default="", help="the repository before jobslot's removal (variant before)")
    parser.add_argument("--precompile-only", action="store_true", help="stop each build at its first module compile")
    parser.add_argument("--configure-cache", choices=("cold", "kept"), default="cold",
                        help="cold: every run asks torch and detects (an empty TRELLIS2_CONFIGURE_CACHE_DIR); "
                             "kept: one directory for all runs, so the first asks and the others read its answers")
    parser.add_argument("variants", nargs="+")
    argv = sys.argv[1:]
    cmake_args = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    args.cmake_args = cmake_args
    for variant in args.variants:
        variant_args(variant)
        variant_repo(variant, args.before)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    start, longest = time.time(), 0.0
    for rep in range(args.first_rep, args.first_rep + args.reps):
        for variant in args.variants:
            left = args.budget_s - (time.time() - start)
            if longest and longest * 1.1 > left:
                print(f"not started: {variant} rep {rep} ({left:.0f} s left, the longest run took {longest:.0f} s)")
                return
            longest = max(longest, one_run(args, variant, rep))


if __name__ == "__main__":
    main()
