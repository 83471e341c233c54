"""Peak resident memory of single compile units: the figure behind
TRELLIS2_NVCC_JOB_MEMORY_MB (the nvcc job pool is available memory divided
by it).

    python3 benchmarks/build_speed/nvcc_job_memory.py <build dir> <file name>...
        [--extra "<nvcc flags>"]

Each unit's command is taken from the build's compile_commands.json and
re-run alone under GNU time (-v), output to a scratch object; the maximum
resident set of the process tree's largest member (nvcc's cicc or cudafe++,
or cc1plus) is what one job needs at one architecture. With several
architectures and nvcc --threads (--extra adds flags, e.g. the shipping
list's -gencode flags and --threads=4) the device compiles run at once:
the tree's total resident set, sampled every 0.1 s, is printed too.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path


def tree_rss_kb(root):
    """Resident set of root and every descendant, in kB (from /proc)."""
    children, rss = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            status = (stat.parent / "status").read_text()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        found = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        rss[pid] = int(found.group(1)) if found else 0
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def main():
    args = sys.argv[1:]
    extra = ""
    if "--extra" in args:
        extra = args.pop(args.index("--extra") + 1)
        args.remove("--extra")
    build, names = Path(args[0]), args[1:]
    entries = json.loads((build / "compile_commands.json").read_text())
    for name in names:
        entry = next(e for e in entries if e["file"].endswith("/" + name))
        command = re.sub(r" -o \S+", " -o /tmp/nvcc_job_memory.o", entry["command"]) + " " + extra
        start, tree_peak_kb = time.monotonic(), 0
        proc = subprocess.Popen(["/usr/bin/time", "-v", "sh", "-c", command], cwd=entry["directory"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while proc.poll() is None:
            tree_peak_kb = max(tree_peak_kb, tree_rss_kb(proc.pid))
            time.sleep(0.1)
        stderr = proc.stderr.read()
        peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr).group(1))
        print(f"{name}: {time.monotonic() - start:.1f} s, peak RSS {peak_kb / 1024:.0f} MB, "
              f"the whole job at once {tree_peak_kb / 1024:.0f} MB (exit {proc.returncode})", flush=True)


if __name__ == "__main__":
    main()
