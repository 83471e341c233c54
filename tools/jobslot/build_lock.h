// jobslot --build-lock: one build of a build tree at a time.
//
// Two `cmake --build` of one tree would compile, link, audit and stage the
// same files at once. The superbuild's first step (every other target
// depends on it, cmake/superbuild/BuildLock.cmake) runs this: it takes an
// flock on <build>/build.lock, writes who holds it, and leaves a small
// process behind that keeps the lock until the build tool that ran the step
// (ninja or make, found among its ancestors) has exited. The kernel drops the
// lock with that process, so a crashed or killed build leaves no stale lock.
// A second build finds the lock taken and fails at once, naming the holder.
//
// It also sizes each memory pool given for this build: <pool>/slots =
// MemAvailable now / <pool>/job-memory-mb (at least 1), and writes the cold-
// start plan (plan.h) into each pool given: the rows of the cost tables of
// the packages this build compiles.
#pragma once

#include <string>
#include <vector>

namespace jobslot {

struct PlanOptions {
  std::vector<std::string> tables;  // one *.tsv per package built
  std::vector<std::string> pools;   // <pool-dir>[:<source suffix>], e.g. the nvcc pool with :.cu
  long threads = 1;                 // nvcc --threads of the CUDA units
};

int take_build_lock(const std::string& lock_path, const std::vector<std::string>& memory_pools,
                    const PlanOptions& plan);

}  // namespace jobslot
