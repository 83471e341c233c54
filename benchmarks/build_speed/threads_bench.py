"""One compile unit with and without nvcc --threads, alternating.

    python3 benchmarks/build_speed/threads_bench.py <build dir> <source suffix> [--threads N] [--reps 2]

Takes the unit's command from the build's compile_commands.json (the
compiler line, without a launcher), writes the object to a scratch file, and
prints wall and CPU seconds (the compiler's processes) of each run.
"""

import argparse
import json
import os
import resource
import shlex
import subprocess
import tempfile
import time
from pathlib import Path


def run_once(argv, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    result = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"compile failed ({result.returncode}):\n{result.stdout}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", type=Path)
    parser.add_argument("source")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()
    entry = next(e for e in json.loads((args.build / "compile_commands.json").read_text())
                 if e["file"].endswith(args.source))
    base = [a for a in shlex.split(entry["command"]) if not a.startswith("--threads")]
    base[base.index("-o") + 1] = os.path.join(tempfile.mkdtemp(), "unit.o")
    for _ in range(args.reps):
        for threads in (args.threads, None):
            wall, cpu = run_once(base + ([f"--threads={threads}"] if threads else []), entry["directory"])
            load = open("/proc/loadavg").read().split()[0]
            print(f"{args.source} --threads={threads or '-'}: wall {wall:.1f} s, CPU {cpu:.1f} s (load {load})",
                  flush=True)


if __name__ == "__main__":
    main()
