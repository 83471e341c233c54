# BuildLock: one build of a build tree at a time.
#
# Two `cmake --build` of one tree at once would both compile, link, audit and
# stage the same files. The target `build-lock` runs
# `jobslot --build-lock <build>/build.lock` (tools/jobslot/build_lock.h): an
# flock held by a process that lives exactly as long as the build tool that
# ran the step, so a killed or crashed build leaves no stale lock, and a
# second build fails at once with the holder's pid, command and start time.
# Every step that writes in the tree waits for it: the pulls, the sccache
# server and `recover` name it in their dependencies (CMakeLists.txt); the
# native build, the report and the wheels follow the pulls.
# The same step sizes the nvcc pool from the memory available at the build's
# start (JobPool.cmake) and writes each pool's cold-start plan
# (tools/jobslot/plan.h): the cost-table rows (tools/jobslot/costs/) of the
# packages this tree builds, so the costliest units get slots before cheaper
# ones that arrive first. Only the packages built: a unit that never comes
# holds its slots until the plan's window closes.

include_guard(GLOBAL)
include(Toolchain)  # TRELLIS2_TORCH_NVCC_THREADS

set(_plan_args)
foreach(_pkg IN LISTS TRELLIS2_PACKAGES)
  set(_table "${TRELLIS2_JOBSLOT_COSTS}/${_pkg}.tsv")
  if(EXISTS "${_table}")
    list(APPEND _plan_args --plan-table "${_table}")
  endif()
endforeach()

add_custom_target(build-lock
  COMMAND "${TRELLIS2_JOBSLOT}" --build-lock "${CMAKE_BINARY_DIR}/build.lock"
    --size-memory-pool "${TRELLIS2_JOBSLOT_POOLS}/nvcc"
    --plan "${TRELLIS2_JOBSLOT_POOLS}/jobs" --plan "${TRELLIS2_JOBSLOT_POOLS}/nvcc:.cu"
    ${_plan_args} --plan-threads ${TRELLIS2_TORCH_NVCC_THREADS}
  COMMENT "Taking the build-tree lock ${CMAKE_BINARY_DIR}/build.lock"
  VERBATIM)
