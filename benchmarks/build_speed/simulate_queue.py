"""Replay a jobslot trace under several slot-scheduling policies (offline).

    python3 benchmarks/build_speed/simulate_queue.py TRACE [--slots 16] [--threads 4]
        [--host-fraction F] [--arrivals]

TRACE is what TRELLIS2_JOBSLOT_TRACE writes, one compile unit a line:
    <start ms> <end ms> <cpu ms> <object> <slots granted> <queued ms>
Prints, per policy, the simulated makespan, its ratio to the CPU lower bound
(total CPU / slots) and how many units ran wide (4 slots; 2-3 only under
remaining-cap), then the lower bounds and the measured span of the trace.

Model of a unit
  * w1, its single-thread wall: the measured wall if it ran with 1 slot, else
    its CPU ms (a 1-slot compile has wall ~= cpu, ratios 1.00-1.04 here).
  * with k > 1 threads (only .cu.o units; .cpp.o always take 1 slot):
        wall_k = w1 * (f + (1 - f) / k)
    f, the host (serial) fraction, is fitted by least squares to the trace's
    multi-slot units (wall ~= cpu * (f + (1-f)/k)); --host-fraction overrides.
  * all units arrive at t=0 (a cold build: the traces' `queued` lie within
    0.5 s of the first); --arrivals replays the measured queued times instead.
  * the scheduler knows each unit's cost = its CPU ms (jobslot's cost table).

Policies (S slots, T = --threads; a wide unit takes T slots at once)
  Waiters are ranked by cost (highest first). Walking the ranking, a waiter
  starts if the free slots cover its demand plus the demand of every waiter
  ranked above that is still waiting; otherwise it blocks, and its demand is
  kept free for it. All but `none` also widen: a .cu unit that starts while
  no other unit waits takes up to T free slots.
  static         a .cu unit is critical (demand T) iff cost > total/S.
  elapsed        also critical once now >= total/S - cost, re-checked while
                 it waits (measured on the GPU machine 2026-11-26 and taken
                 out of jobslot: benchmarks/RESULTS.md, issue 11).
  remaining      also critical once cost > remaining/S, where remaining =
                 cost of all units not yet started + for each running unit
                 max(0, its expected end - now) * slots it holds, expected
                 end = start + cost * (f + (1-f)/k) (k = its slots; the
                 scheduler's own estimate from costs, not the true w1).
  remaining-cap  as remaining, but a critical waiter needs only 2 free slots
                 and takes min(T, free) of them (never holds slots idle for T).
  none           every unit 1 slot, cost order (LPT list scheduling).

The loop is event driven: fill free slots by policy, advance time to the next
completion (or arrival), free its slots, repeat. Criticality only grows
between events (the clock and the remaining work move one way), so checking
it at events is enough: a waiter turning critical never starts anything.

Validation (f fitted per trace: 0.317, 0.292, 0.293)
  sb_default.trace (elapsed rule, measured 293.3 s): elapsed 287.3 s (-2%),
    14 wide units as measured.
  h200_default_2026-11-26.trace (static, no reservations, 283.5 s): static
    258.0 s at t=0 but 274.9 s (-3%) with --arrivals. There the first 16
    units to arrive took every slot before api_gpu.cu.o (the costliest) was
    queued, which a cost-ordered queue at t=0 cannot reproduce.
  h200_2026-11-26_session3/D_superbuild_default.trace (static, jobslot as
    now, measured 225.8 s): static 225.4 s (f 0.295, from its one 4-slot unit).
  Not modelled: other load on the machine (the same unit's single-thread
  wall differs by 10-15% between the three traces), so compare policies on
  one trace, not makespans across traces.
"""

import argparse
from dataclasses import dataclass

from bench import trace_rows  # the trace's reader, beside this script

POLICIES = ("static", "elapsed", "remaining", "remaining-cap", "none")


@dataclass
class Unit:
    name: str
    cost: float      # ms, what the scheduler knows (CPU ms)
    w1: float        # ms, single-thread wall
    most: int        # slots it can use (T for .cu.o, else 1)
    arrival: float   # ms from the first arrival (0 unless --arrivals)
    idx: int


def fit_host_fraction(rows):
    """Least squares f in wall = cpu * (f + (1-f)/k) over units run with k > 1 slots."""
    num = den = 0.0
    for start, end, cpu, _, k, _ in rows:
        if k > 1:
            x = cpu * (1 - 1 / k)        # wall - cpu/k = f * cpu * (1 - 1/k)
            num += x * (end - start - cpu / k)
            den += x * x
    return num / den if den else 0.3


def make_units(rows, threads, slots, arrivals):
    first = min(r[5] for r in rows)
    units = []
    for i, (start, end, cpu, obj, k, queued) in enumerate(rows):
        w1 = (end - start) if k == 1 else cpu
        most = min(threads, slots) if obj.endswith(".cu.o") else 1
        units.append(Unit(obj.rsplit("/", 1)[-1], cpu, w1, most, (queued - first) if arrivals else 0, i))
    return units


def wall(w1, k, f):
    return w1 if k == 1 else w1 * (f + (1 - f) / k)


def simulate(units, policy, slots, f):
    """Returns (makespan ms, {unit idx: slots granted})."""
    share = sum(u.cost for u in units) / slots
    pending = sorted(units, key=lambda u: u.arrival)   # not yet arrived
    waiting, running, granted = [], [], {}              # running: (end, start, unit, k)
    now, free = 0.0, slots

    def remaining_work():
        rem = sum(u.cost for u in pending) + sum(u.cost for u in waiting)
        for _, start, u, k in running:
            rem += max(0.0, start + wall(u.cost, k, f) - now) * k
        return rem

    def critical(u, rem):
        if policy == "none" or u.most == 1:
            return False
        if u.cost > share:
            return True
        if policy == "elapsed":
            return now >= share - u.cost
        if policy in ("remaining", "remaining-cap"):
            return u.cost > rem / slots
        return False

    def fill():
        nonlocal free
        waiting.sort(key=lambda u: (-u.cost, u.arrival, u.idx))
        rem = remaining_work() if policy.startswith("remaining") else 0.0
        reserved = 0
        for u in list(waiting):
            crit = critical(u, rem)
            need = (min(2, u.most) if policy == "remaining-cap" else u.most) if crit else 1
            avail = free - reserved
            if avail < need:
                reserved += need          # blocks: lower-ranked waiters leave it these slots
                continue
            take = need
            if crit and policy == "remaining-cap":
                take = min(u.most, avail)
            if len(waiting) == 1 and policy != "none":
                take = max(take, min(u.most, free))   # widen: no one else waits
            waiting.remove(u)
            free -= take
            granted[u.idx] = take
            running.append((now + wall(u.w1, take, f), now, u, take))

    while pending or waiting or running:
        while pending and pending[0].arrival <= now:
            waiting.append(pending.pop(0))
        fill()
        if not running and not pending:
            raise RuntimeError(f"{policy}: deadlock, {len(waiting)} waiting with {free} free")
        nxt = min([r[0] for r in running] + [p.arrival for p in pending[:1]])
        now = nxt
        for r in [r for r in running if r[0] <= now]:
            running.remove(r)
            free += r[3]
    return now, granted


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace")
    ap.add_argument("--slots", type=int, default=16)
    ap.add_argument("--threads", type=int, default=4, help="nvcc --threads of a wide .cu unit")
    ap.add_argument("--host-fraction", type=float, help="override the fitted f")
    ap.add_argument("--arrivals", action="store_true", help="replay the trace's queued times")
    args = ap.parse_args()

    rows = trace_rows(args.trace)
    f_fit = fit_host_fraction(rows)
    f = f_fit if args.host_fraction is None else args.host_fraction
    units = make_units(rows, args.threads, args.slots, args.arrivals)
    total = sum(u.cost for u in units)
    bound = total / args.slots
    multi = [(r[1] - r[0]) / r[2] for r in rows if r[4] > 1]

    print(f"{args.trace}: {len(units)} units, {args.slots} slots, threads {args.threads}, "
          f"arrivals {'replayed' if args.arrivals else 'all at t=0'}")
    print(f"host fraction f: fitted {f_fit:.3f} from {len(multi)} multi-slot units "
          f"(wall/cpu {min(multi, default=0):.2f}-{max(multi, default=0):.2f}); using {f:.3f}")
    print(f"{'policy':<15}{'makespan s':>11}{'/ (CPU/S)':>11}{'wide':>6}{'(2-3)':>7}")
    for policy in POLICIES:
        span, granted = simulate(units, policy, args.slots, f)
        n_full = sum(1 for k in granted.values() if k == args.threads)
        n_part = sum(1 for k in granted.values() if 1 < k < args.threads)
        print(f"{policy:<15}{span / 1000:>11.1f}{span / bound:>11.3f}{n_full:>6}{n_part:>7}")

    first_queued = min(r[5] for r in rows)
    first_start, last_end = min(r[0] for r in rows), max(r[1] for r in rows)
    measured = (last_end - first_queued) / 1000
    print(f"{'measured':<15}{measured:>11.1f}{measured * 1000 / bound:>11.3f}"
          f"{sum(1 for r in rows if r[4] == args.threads):>6}{sum(1 for r in rows if 1 < r[4] < args.threads):>7}"
          f"   (first start to last end {(last_end - first_start) / 1000:.1f} s)")
    longest = max(units, key=lambda u: u.w1)
    print(f"lower bounds: CPU/S {bound / 1000:.1f} s; longest unit single-thread {longest.w1 / 1000:.1f} s "
          f"({longest.name}; {wall(longest.w1, longest.most, f) / 1000:.1f} s with {longest.most} threads)")


if __name__ == "__main__":
    main()
