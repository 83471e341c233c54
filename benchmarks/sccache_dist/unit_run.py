"""One compile unit of a build tree, alone, through a fresh sccache server
with an empty cache (so nothing is a hit), on the farm or locally, with or
without nvcc --threads; prints its wall time and where sccache compiled it.

    python3 unit_run.py TREE OBJECT with|without local|dist WORK
        [--scheduler URL --token-file FILE] [--cores 0-1]

TREE is a superbuild tree (its native build's compile_commands.json);
OBJECT the unit's object as the native build's .ninja_log names it. Run by run.sh.
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path


def compile_entry(tree, obj):
    entries = json.loads((tree / "native" / "compile_commands.json").read_text())
    # The object is CMakeFiles/<target>.dir/<absolute source path>.o.
    return next(e for e in entries if obj.endswith(e["file"].lstrip("/") + ".o"))


def config(run_dir, scheduler, token_file, tree_toolchains):
    text = f'[cache.disk]\ndir = "{run_dir / "cache"}"\n'
    if scheduler:
        token = Path(token_file).read_text().strip()
        # The tree's packaged toolchains (its build already made them): the
        # timing is the compile's, not packaging cicc/ptxas/gcc again.
        text += (f'[dist]\nscheduler_url = "{scheduler}"\ncache_dir = "{tree_toolchains}"\n'
                 f'[dist.auth]\ntype = "token"\ntoken = "{token}"\n')
    (run_dir / "sccache.toml").write_text(text)
    (run_dir / "sccache.toml").chmod(0o600)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tree", type=Path)
    parser.add_argument("object")
    parser.add_argument("threads", choices=("with", "without"))
    parser.add_argument("mode", choices=("local", "dist"))
    parser.add_argument("work", type=Path)
    parser.add_argument("--scheduler", default="")
    parser.add_argument("--token-file", default="")
    parser.add_argument("--cores", default="0-1")
    args = parser.parse_args()

    entry = compile_entry(args.tree, args.object)
    argv = shlex.split(entry["command"])
    if args.threads == "without":
        argv = [a for a in argv if not a.startswith("--threads")]
    run_dir = args.work / f"unit-{args.mode}-{args.threads}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    config(run_dir, args.scheduler if args.mode == "dist" else "", args.token_file,
           args.tree / "sccache" / "dist-toolchains")
    sccache = shutil.which("sccache")
    env = {"PATH": os.environ["PATH"], "SCCACHE_SERVER_UDS": str(run_dir / "server.sock"),
           "SCCACHE_CONF": str(run_dir / "sccache.toml")}

    server = subprocess.Popen(["taskset", "-c", args.cores, sccache],
                              env={**env, "SCCACHE_START_SERVER": "1", "SCCACHE_NO_DAEMON": "1"},
                              stdout=subprocess.DEVNULL, stderr=open(run_dir / "server.log", "w"))
    try:
        for _ in range(200):
            if (run_dir / "server.sock").exists():
                break
            time.sleep(0.05)
        start = time.monotonic()
        subprocess.run(["taskset", "-c", args.cores, sccache, *argv], cwd=entry["directory"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        elapsed = time.monotonic() - start
        stats = json.loads(subprocess.run([sccache, "--show-stats", "--stats-format=json"], env=env, check=True,
                                          stdout=subprocess.PIPE, text=True).stdout)["stats"]
        remote = sum(stats.get("dist_compiles", {}).values())
        print(f"{args.mode}: {Path(entry['file']).name} {args.threads} --threads: {elapsed:.1f} s "
              f"({remote} steps on the farm, {stats.get('dist_errors', 0)} fell back, "
              f"{stats.get('cache_hits', {}).get('counts', {}) or 0} hits)", flush=True)
    finally:
        subprocess.run([sccache, "--stop-server"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
