"""Build-speed benchmark of issue 6: the superbuild against the four
upstreams' own `pip install --no-build-isolation`, same sources, same
architectures, same job count, same machine, alternating, several
repetitions; then the no-op build, a one-.cu edit, and the shared ccache.

    python3 benchmarks/build_speed/bench.py --src SRC [--jobs N] [--arch 9.0|default] [--reps 2]
        [--packages "cumesh flex_gemm o_voxel nvdiffrast"] [--touch flex_gemm:<file.cu>|none]
        [--touch-api-check build|deliver] [--skip-pip | --pip-only] [--skip-shared-cache]
        [--out results.json] [-- <extra cmake -D arguments>]

The timed superbuilds run without a compiler cache (-DTRELLIS2_SCCACHE=OFF:
the pip path has none, and a touched file would be a hit); --touch-api-check
deliver times the one-.cu edit as the dev preset's kernel loop does (the API
check moved to install/wheels). --pip-only with --packages splits the pip
path over several time-boxed device calls.

--arch default is the project's default list, 8.0;8.6;8.9;9.0+PTX (both
paths get it: TRELLIS2_CUDA_ARCHITECTURES and TORCH_CUDA_ARCH_LIST).
After each cold superbuild the units' summary is printed: the slowest unit and
when it started after the build began, the build's CPU-seconds / cores, peak
memory.

SRC is a source cache (<pkg>-<commit> trees, TRELLIS2_SOURCE_CACHE layout).
Every figure is printed as it is measured and all of them go to --out.
The physical limit is max(slowest unit, build CPU-seconds / jobs): each
unit's wall time from the native build's .ninja_log (Ninja starts a unit only
when its -j and nvcc pool let it run, so that is the unit's own time), the CPU
time of every process of the build (getrusage: the compiles, and the links
and audits, a little above the compiles alone). ccache is disabled except in
the shared-cache measurement, which starts redis-server on loopback.

On a machine whose nvcc major differs from torch's CUDA (this project's
2-core dev machines: nvcc 13, torch cu126), torch's setup.py path refuses to
build; --allow-cuda-mismatch replaces that one check by a no-op in the pip
processes (a sitecustomize on PYTHONPATH), as the reference build of
tests/integration/reference.py does.
"""

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_ARCHS = "8.0;8.6;8.9;9.0+PTX"
EIGEN_SUBMODULES = {"cumesh": ("third_party/cubvh/third_party/eigen",), "o_voxel": ("third_party/eigen",)}
SITECUSTOMIZE = "import torch.utils.cpp_extension as ce\nce._check_cuda_version = lambda *a: None\n"


def log(*args):
    print(*args, flush=True)


def commit_of(pkg):
    text = (REPO / "third_party" / f"{pkg}.cmake").read_text()
    return re.search(r'PIN_COMMIT "([0-9a-f]{40})"', text).group(1)


class MemoryWatch:
    """Lowest MemAvailable seen while a build runs: its peak memory use."""

    def __init__(self):
        self.low = self.available()
        self.start = self.low
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def available():
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
        return 0

    def _run(self):
        while not self._stop.wait(0.5):
            self.low = min(self.low, self.available())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_used_mb(self):
        return self.start - self.low


def timed(cmd, env=None, cwd=None, logfile=None):
    start = time.monotonic()
    base = {k: v for k, v in os.environ.items() if k != "CCACHE_DISABLE"}
    with open(logfile or os.devnull, "w") as out:
        result = subprocess.run([str(c) for c in cmd], env={**base, **(env or {})}, cwd=cwd,
                                stdout=out, stderr=subprocess.STDOUT)
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        tail = "".join(Path(logfile).read_text(errors="replace").splitlines(True)[-40:]) if logfile else ""
        sys.exit(f"{tail}FAILED ({result.returncode}): {' '.join(map(str, cmd))}\nlog: {logfile}")
    return elapsed


def superbuild_cold(args, build, ccache_dir=None, extra_args=()):
    shutil.rmtree(build, ignore_errors=True)
    configure = ["cmake", "-G", "Ninja", "-S", REPO, "-B", build, f"-DTRELLIS2_SOURCE_CACHE={args.src}",
                 f"-DTRELLIS2_PACKAGES={';'.join(args.packages)}", f"-DTRELLIS2_CUDA_ARCHITECTURES={args.arch}",
                 f"-DTRELLIS2_JOBS={args.jobs}", "-DBUILD_TESTING=OFF",
                 # No compiler cache (the pip path has none; a touched file would hit it), unless
                 # the shared-cache measurement turns it on in extra_args.
                 "-DTRELLIS2_SCCACHE=OFF", *extra_args, *args.cmake_args]
    env = {}
    if ccache_dir:
        env["CCACHE_DIR"] = str(ccache_dir)
    else:
        env["CCACHE_DISABLE"] = "1"  # ccache reads any value, even empty, as "disabled"
    begin_ms = time.time() * 1000
    with MemoryWatch() as memory:
        t_configure = timed(configure, env, logfile=f"{build}.configure.log")
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t_build = timed(["cmake", "--build", build], env, logfile=f"{build}.build.log")
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    result = {"configure_s": t_configure, "build_s": t_build, "total_s": t_configure + t_build,
              "build_cpu_s": cpu, "peak_memory_mb": memory.peak_used_mb}
    result["units"] = units_summary(build, begin_ms, cpu, memory.peak_used_mb)
    return result


def units_summary(build, begin_ms, cpu, peak_mb):
    """What the native build's log says about a cold build: when the slowest
    unit started, and the build's CPU-seconds / cores."""
    units = native_units(build)
    if not units:
        return None
    slowest = max(units, key=lambda u: u[1])
    cores = os.cpu_count()
    first = min(u[2] for u in units)
    summary = {"units": len(units), "slowest_unit": slowest[0], "slowest_unit_s": slowest[1],
               "first_compile_after_s": (first - begin_ms) / 1000,
               "slowest_started_after_s": (slowest[2] - begin_ms) / 1000, "build_cpu_s": cpu,
               "cpu_s_per_core": cpu / cores, "peak_memory_mb": peak_mb}
    log(f"units: {len(units)}; first compile {summary['first_compile_after_s']:.1f} s after the cold build began; "
        f"slowest {slowest[1]:.1f} s ({slowest[0]}), started "
        f"{summary['slowest_started_after_s']:.1f} s after the cold build began (configure included); {cpu:.0f} CPU-s / {cores} cores = "
        f"{cpu / cores:.1f} s; peak memory {peak_mb} MB")
    return summary


def pip_cold(args, work):
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {"TORCH_CUDA_ARCH_LIST": args.arch, "MAX_JOBS": str(args.jobs), "CCACHE_DISABLE": "1"}
    if args.allow_cuda_mismatch:
        (work / "shim").mkdir()
        (work / "shim" / "sitecustomize.py").write_text(SITECUSTOMIZE)
        env["PYTHONPATH"] = str(work / "shim")
    total, per_package = 0.0, {}
    with MemoryWatch() as memory:
        for pkg in args.packages:
            tree = work / "src" / pkg
            shutil.copytree(Path(args.src) / f"{pkg}-{commit_of(pkg)}", tree, symlinks=True)
            root = tree / "o-voxel" if pkg == "o_voxel" else tree
            # The gitlab Eigen submodules (empty, or absent from a trimmed cache): the
            # headers the superbuild's fallback uses, where each setup.py looks for them.
            for rel in EIGEN_SUBMODULES.get(pkg, ()):
                sub = root / rel
                if sub.is_dir() and any(sub.iterdir()):
                    continue
                if sub.is_dir():
                    sub.rmdir()
                sub.parent.mkdir(parents=True, exist_ok=True)
                sub.symlink_to(args.eigen)
            t = timed([args.python, "-m", "pip", "install", "-v", "--no-build-isolation", "--no-deps",
                       "--no-cache-dir", "--target", work / "site", root], env, logfile=work / f"{pkg}.log")
            per_package[pkg] = t
            total += t
    return {"total_s": total, "per_package_s": per_package, "peak_memory_mb": memory.peak_used_mb}


def ninja_log_lines(build):
    log = Path(build) / "native" / ".ninja_log"
    return log.read_text().splitlines() if log.exists() else []


def native_units(build, skip=0):
    """(output, wall s, start ms from the epoch) of every unit the native
    build's Ninja compiled, from its .ninja_log past its first `skip` lines.
    The log counts from Ninja's start; the object's mtime (ns), written as
    the unit ended, places it in time."""
    units = []
    for line in ninja_log_lines(build)[skip:]:
        fields = line.split("\t")
        if line.startswith("#") or len(fields) != 5 or not fields[3].endswith(".o"):
            continue
        start, end, mtime = (int(f) for f in fields[:3])
        units.append((fields[3], (end - start) / 1000, mtime / 1e6 - (end - start)))
    return units


def median(values):
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", required=True)
    parser.add_argument("--repo", default=None,
                        help="the superbuild checkout to measure (default: this one); another layout's, to compare")
    parser.add_argument("--work", default="/tmp/trellis2-speed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--arch", default="9.0")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--packages", default="cumesh flex_gemm o_voxel nvdiffrast")
    parser.add_argument("--touch", default="flex_gemm:flex_gemm/kernels/cuda/spconv/neighbor_map.cu",
                        help="<pkg>:<path in its tree> of the .cu to edit, or none")
    parser.add_argument("--touch-api-check", default="build", choices=("build", "deliver"),
                        help="TRELLIS2_API_CHECK for the edit: deliver is the dev preset's kernel loop")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--eigen", default="/usr/include/eigen3")
    parser.add_argument("--allow-cuda-mismatch", action="store_true")
    parser.add_argument("--skip-pip", action="store_true", help="superbuild figures only")
    parser.add_argument("--pip-only", action="store_true",
                        help="the pip path alone (its figures, then exit): for a machine whose calls are time-boxed")
    parser.add_argument("--skip-shared-cache", action="store_true", help="no Redis-backed ccache measurement")
    parser.add_argument("--shared-cache-only", action="store_true",
                        help="only the Redis-backed ccache measurement (fill, then hit from a second directory)")
    parser.add_argument("--out", default=None)
    parser.add_argument("cmake_args", nargs="*")
    args = parser.parse_args()
    if args.repo:
        global REPO
        REPO = Path(args.repo).resolve()
    if args.arch == "default":
        args.arch = DEFAULT_ARCHS
    args.packages = args.packages.split()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "jobs": args.jobs, "arch": args.arch, "packages": args.packages,
               "superbuild": [], "pip": []}

    if args.shared_cache_only:
        results["shared_cache"] = shared_cache(args, work)
        if args.out:
            Path(args.out).write_text(json.dumps(results, indent=1))
        return
    for rep in range(args.reps):  # alternate, so drift hits both paths alike
        if args.pip_only:
            pp = pip_cold(args, work / "pip")
            results["pip"].append(pp)
            log(f"rep {rep}: pip path {pp['total_s']:.1f} s {pp['per_package_s']}, peak memory {pp['peak_memory_mb']} MB")
            continue
        sb = superbuild_cold(args, work / "build")
        results["superbuild"].append(sb)
        log(f"rep {rep}: superbuild cold {sb['total_s']:.1f} s (configure {sb['configure_s']:.1f}), "
            f"peak memory {sb['peak_memory_mb']} MB")
        if not args.skip_pip:
            pp = pip_cold(args, work / "pip")
            results["pip"].append(pp)
            log(f"rep {rep}: pip path {pp['total_s']:.1f} s {pp['per_package_s']}, peak memory {pp['peak_memory_mb']} MB")

    if args.pip_only:
        if args.out:
            Path(args.out).write_text(json.dumps(results, indent=1))
        return
    build = work / "build"
    units = native_units(build)
    cpu = results["superbuild"][-1]["build_cpu_s"]
    slowest = max(units, key=lambda u: u[1])
    limit = max(slowest[1], cpu / args.jobs)
    results["limit"] = {"slowest_unit": slowest[0], "slowest_unit_s": slowest[1], "build_cpu_s": cpu,
                        "limit_s": limit}
    log(f"physical limit {limit:.1f} s: slowest unit {slowest[1]:.1f} s ({slowest[0]}), "
        f"{cpu:.0f} build CPU-s / {args.jobs} jobs = {cpu / args.jobs:.1f} s")

    noop = [timed(["cmake", "--build", build]) for _ in range(3)]
    results["noop_s"] = noop
    log(f"no-op build: {', '.join(f'{t:.2f}' for t in noop)} s")

    results["touch"] = None if args.touch == "none" else touch_one_unit(args, build)
    results["shared_cache"] = None if args.skip_shared_cache else shared_cache(args, work)
    summarize(results)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1))


def touch_one_unit(args, build):
    """Touch one .cu of the built tree, rebuild: the rebuild's time against the unit's own."""
    if args.touch_api_check != "build":
        # The dev preset's kernel loop: the API check moves to install/wheels.
        timed(["cmake", f"-DTRELLIS2_API_CHECK={args.touch_api_check}", build], logfile=f"{build}.reconfigure.log")
        timed(["cmake", "--build", build], logfile=f"{build}.settle.log")
    pkg, rel = args.touch.split(":", 1)
    source = next(Path(build, "_src").glob(f"{pkg}/{rel}"), None) or next(Path(args.src).glob(f"{pkg}-*/{rel}"))
    os.utime(source)
    logged = len(ninja_log_lines(build))
    t_touch = timed(["cmake", "--build", build], {"CCACHE_DISABLE": "1"}, logfile=f"{build}.touch.log")
    unit = [u for u in native_units(build, logged) if u[0].endswith(Path(rel).name + ".o")]
    touch = {"file": str(source), "rebuild_s": t_touch, "unit_s": unit[-1][1] if unit else None,
             "api_check": args.touch_api_check}
    log(f"touch {rel} (TRELLIS2_API_CHECK={args.touch_api_check}): rebuild + restage {t_touch:.1f} s, "
        f"the unit itself {touch['unit_s']} s")
    return touch


def shared_cache(args, work):
    server = shutil.which("redis-server")
    if not server or not shutil.which("sccache"):
        log("shared cache: skipped (redis-server or sccache missing)")
        return None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    redis = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        remote = ["-DTRELLIS2_SCCACHE=ON", f"-DTRELLIS2_SCCACHE_REMOTE=redis://127.0.0.1:{port}"]
        runs = {}
        for name in ("fill", "hit"):
            # The same path for both (sccache 0.16 misses nvcc's cudafe++/cicc steps at another path).
            build = work / "build-shared"
            runs[name] = superbuild_cold(args, build, None, remote)
            cache = json.loads((build / "report.json").read_text())["compiler_cache"]
            runs[name]["ccache"] = {k: cache[k] for k in ("hits", "misses", "hit_rate")}
            log(f"shared cache, {name}: {runs[name]['total_s']:.1f} s, {runs[name]['ccache']}")
        return runs
    finally:
        redis.terminate()


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    gpu = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout.strip() if shutil.which("nvidia-smi") else "none"
    nvcc = re.search(r"release [\d.]+", subprocess.run(["nvcc", "--version"], stdout=subprocess.PIPE, text=True).stdout)
    return {"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(), "cpu": cpu, "gpu": gpu,
            "nvcc": nvcc.group(0) if nvcc else "?", "python": sys.version.split()[0]}


def summarize(r):
    sb = median([x["total_s"] for x in r["superbuild"]])
    lines = [f"machine: {r['machine']}", f"jobs {r['jobs']}, arch {r['arch']}, packages {' '.join(r['packages'])}",
             f"superbuild cold: median {sb:.1f} s of {[round(x['total_s'], 1) for x in r['superbuild']]}"]
    if r["pip"]:
        pp = median([x["total_s"] for x in r["pip"]])
        lines.append(f"pip path: median {pp:.1f} s of {[round(x['total_s'], 1) for x in r['pip']]}; "
                     f"ratio {sb / pp:.2f} (target <= 0.40)")
    lim = r["limit"]["limit_s"]
    lines.append(f"physical limit {lim:.1f} s; superbuild / limit = {sb / lim:.2f} (target <= 1.5)")
    lines.append(f"no-op median {median(r['noop_s']):.2f} s (target <= 1)")
    if r["touch"]:
        t = r["touch"]
        lines.append(f"touch one .cu: {t['rebuild_s']:.1f} s vs unit {t['unit_s']} s (target <= unit + 2)")
    if r["shared_cache"]:
        hit = r["shared_cache"]["hit"]
        lines.append(f"shared cache second dir: {hit['total_s']:.1f} s = {hit['total_s'] / sb:.2f} x cold "
                     f"(target <= 0.1); ccache {hit['ccache']}")
    log("\n".join(lines))


if __name__ == "__main__":
    main()
