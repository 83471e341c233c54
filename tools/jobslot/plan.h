// The cold-start plan: slots kept for the costliest units before they arrive.
//
// Why: each package's Ninja starts its compiles as soon as its own configure
// ends, so on a cold build the sub-builds that finish configuring first fill
// every slot with their cheap units, and the costliest units, a moment later,
// wait for a whole compile to end (measured, 16 cores: o_voxel's 140 CPU-s
// units arrived 0.4 s late and started at 125-135 s; the 4-slot critical unit,
// queued at 0 s, found 4 free slots at once only at 122 s). Cost order among
// waiters (pool.h) cannot help a unit that is not waiting yet.
//
// jobslot --build-lock writes <pool>/plan at each build's start:
//   window_ms <W>
//   threads <N>                  nvcc --threads of this build's CUDA units
//   <ms>\t<target>\t<source>     the cost-table rows of the packages built
// and empties <pool>/plan.d/. The first compile of the build opens the window
// (plan.d/open holds its time); a unit marks its row arrived
// (plan.d/<row>) once it is in the pool's queue or holds its slots. Until
// W ms after the window opened, a job takes slots only when the free ones
// also cover every planned unit costlier than itself that has not arrived:
// one slot each, N (capped by the pool) for a .cu unit on the critical path
// (costlier than the plan's total per slot, main.cpp), so that unit can
// start at once instead of waiting for N slots to be free together.
//
// The window bounds what a unit that never comes costs (a package whose units
// are all up to date, a pin the table does not describe): its slots stay
// idle for at most W after the build's first compile.
#pragma once

#include <string>
#include <vector>

#include "costs.h"

namespace jobslot {

// 20 s: the sub-builds configure at the same time, so their compiles arrive
// close together (measured: four packages' units within 0.5 s of the first on
// the 16-core machine; one sub-build's configure takes 3-10 s on 2 loaded
// cores). Long enough for late sub-builds, short enough that a planned unit
// that never comes costs little next to a cold build's minutes.
constexpr long long kPlanWindowMs = 20000;

// Writes <pool_dir>/plan for this build (units whose source ends with
// `suffix`, all if empty) and forgets the previous build's arrivals.
void write_plan(const std::string& pool_dir, const std::vector<Unit>& units, const std::string& suffix, long threads,
                long long window_ms);

// Opens the plan's window if no compile of this build has yet.
void open_window(const std::string& pool_dir);

// Records that the unit writing `object` has arrived in the pool.
void mark_arrived(const std::string& pool_dir, const std::string& object);

// Slots to leave free for planned units costlier than `cost` that have not
// arrived; 0 without a plan or once its window has closed.
long planned_ahead(const std::string& pool_dir, long pool_slots, long smallest_pool, long long cost);

}  // namespace jobslot
