"""Peak resident memory of single compile units: the figure behind
TRELLIS2_NVCC_JOB_MEMORY_MB (the nvcc job pool is available memory divided
by it).

    python3 benchmarks/build_speed/nvcc_job_memory.py <build dir> <file name>...

Each unit's command is taken from the build's compile_commands.json and
re-run alone under GNU time (-v), output to a scratch object; the maximum
resident set of the process tree's largest member (nvcc's cicc or cudafe++,
or cc1plus) is what one job needs.
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path


def main():
    build, names = Path(sys.argv[1]), sys.argv[2:]
    entries = json.loads((build / "compile_commands.json").read_text())
    for name in names:
        entry = next(e for e in entries if e["file"].endswith("/" + name))
        command = re.sub(r" -o \S+", " -o /tmp/nvcc_job_memory.o", entry["command"])
        start = time.monotonic()
        result = subprocess.run(["/usr/bin/time", "-v", "sh", "-c", command], cwd=entry["directory"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
        print(f"{name}: {time.monotonic() - start:.1f} s, peak RSS {peak_kb / 1024:.0f} MB (exit {result.returncode})",
              flush=True)


if __name__ == "__main__":
    main()
