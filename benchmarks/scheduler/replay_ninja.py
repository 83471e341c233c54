"""Replay a measured jobslot trace under Ninja's own scheduler (offline): a
model, to compare start orders and thread policies on the same unit costs,
not a measurement of a build.

    python3 benchmarks/scheduler/replay_ninja.py TRACE ORDER [--cores 16] [--jobs 16]
        [--threads 4] [--host-fraction 0.294] [--nvcc-pool P]

TRACE   jobslot's trace (one unit a line: start ms, end ms, CPU ms, object,
        slots, queued ms), e.g. benchmarks/one_graph/h200_2026-12-04/new_1.trace
ORDER   the objects in the order Ninja starts them, one a line
        (ninja_start_order.txt beside this: PyPI's ninja 1.13.2, `ninja -n -j1`
        in the native tree of the shipping list; Ninja 1.12+ ranks ready edges
        by critical path length, then by their place in build.ninja)

Model (fluid processor sharing, all units ready at t=0):
  * a unit's single-thread work w1 = its wall in the trace if it ran on one
    slot, else its CPU time; a .cu unit runs a serial phase f * w1 (host
    steps) and then a parallel phase (1 - f) * w1 split over its threads;
    a .cpp unit is serial;
  * Ninja runs at most --jobs units; when the runnable threads R exceed the
    cores C, each runs at C / R of a core (the kernel shares the cores);
  * --nvcc-pool P: at most P pooled units at once (Ninja's nvcc pool;
    --pooled module: every unit of a module with CUDA units, CMake < 4.2;
    --pooled cu: the .cu units only, CMake 4.2+); a unit the pool holds back
    lets the next ready one start, as Ninja does;
  * policies: `ninja` (Ninja's order, every .cu unit nvcc --threads=T: what
    torch's flags ask for), `ninja-1thread` (Ninja's order, --threads=1),
    `cost-order` (the trace's costs, highest first, --threads=T).
Prints each policy's makespan and its ratio to the CPU bound (total / cores).
"""

import argparse
import re
from pathlib import Path


def unit_key(path):
    """<package>/<path in its source> or abi-audit/src/<file>, whatever tree it was built in."""
    path = re.sub(r"^.*/(\.srccache|sources)/([a-z_]+)-[0-9a-f]{40}/", r"\2/", path)
    path = re.sub(r"^.*/_src/([^/]+)/", r"\1/", path)
    return re.sub(r"^abi-audit/CMakeFiles/[^/]+/", "abi-audit/", path)


def read_trace(trace):
    units = {}
    for line in Path(trace).read_text().splitlines():
        start, end, cpu, output, slots, _queued = line.split()[:6]
        if output.endswith(".o"):
            wall = int(end) - int(start)
            units[unit_key(output)] = wall if int(slots) == 1 else int(cpu)
    return units


def module_pooled(name):
    return not name.startswith("abi-audit/") and "xatlas" not in name


def cu_pooled(name):
    return name.endswith(".cu.o")


def simulate(order, work, cores, jobs, threads, f, pool=10**6, in_nvcc_pool=module_pooled):
    """Makespan (ms) of the units in `order` under processor sharing."""
    queue = list(order)
    running = []  # [serial ms left, parallel ms left (total over threads), threads, in pool]
    now = 0.0
    while queue or running:
        while len(running) < jobs:
            pooled = sum(u[3] for u in running)
            name = next((n for n in queue if pooled < pool or not in_nvcc_pool(n)), None)
            if name is None:
                break
            queue.remove(name)
            w1 = work[name]
            if name.endswith(".cu.o") and threads > 1:
                running.append([f * w1, (1 - f) * w1, threads, in_nvcc_pool(name)])
            else:
                running.append([w1, 0.0, 1, in_nvcc_pool(name)])
        demand = sum(1 if u[0] > 0 else u[2] for u in running)
        rate = min(1.0, cores / demand)  # per thread
        # Time to the next phase end at the current rates.
        step = min(u[0] / rate if u[0] > 0 else u[1] / (u[2] * rate) for u in running)
        now += step
        for u in running:
            if u[0] > 0:
                u[0] = max(0.0, u[0] - step * rate)
            else:
                u[1] = max(0.0, u[1] - step * rate * u[2])
        running = [u for u in running if u[0] > 1e-6 or u[1] > 1e-6]
    return now


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trace")
    parser.add_argument("order")
    parser.add_argument("--cores", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=16, help="Ninja's -j")
    parser.add_argument("--threads", type=int, default=4, help="nvcc --threads of a .cu unit")
    parser.add_argument("--nvcc-pool", type=int, default=10**6, help="depth of Ninja's nvcc pool")
    parser.add_argument("--pooled", choices=("module", "cu"), default="module",
                        help="which units the nvcc pool holds: a CUDA module's all (CMake < 4.2) or its .cu ones")
    parser.add_argument("--host-fraction", type=float, default=0.294,
                        help="serial share of a .cu unit (simulate_queue.py fits 0.29-0.32 on the H200 traces)")
    args = parser.parse_args()

    work = read_trace(args.trace)
    order = [unit_key(line) for line in Path(args.order).read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    missing = sorted(set(work) - set(order))
    order = [name for name in order if name in work] + missing  # units Ninja's list lacks go last
    bound = sum(work.values()) / args.cores
    print(f"{args.trace}: {len(work)} units ({len(missing)} not in {args.order}, put last); "
          f"{args.cores} cores, -j{args.jobs}, nvcc pool {args.nvcc_pool} ({args.pooled}), f {args.host_fraction}; "
          f"CPU bound {bound / 1000:.1f} s")
    by_cost = sorted(work, key=lambda name: -work[name])
    for policy, units, threads in (("ninja", order, args.threads), ("ninja-1thread", order, 1),
                                   ("cost-order", by_cost, args.threads)):
        span = simulate(units, work, args.cores, args.jobs, threads, args.host_fraction, args.nvcc_pool,
                        cu_pooled if args.pooled == "cu" else module_pooled)
        print(f"{policy:<15}{span / 1000:>8.1f} s {span / 1000 / (bound / 1000):>7.3f} x CPU bound")


if __name__ == "__main__":
    main()
