# BuildLock: one build of a build tree at a time.
#
# Two `cmake --build` of one tree at once would both compile, link, audit and
# stage the same files. The target `build-lock` runs first in every build
# (every other target of the superbuild depends on it) and runs
# `jobslot --build-lock <build>/build.lock` (tools/jobslot/build_lock.h): an
# flock held by a process that lives exactly as long as the build tool that
# ran the step, so a killed or crashed build leaves no stale lock, and a
# second build fails at once with the holder's pid, command and start time.
# The same step sizes the nvcc pool from the memory available at the build's
# start (JobPool.cmake) and writes each pool's cold-start plan
# (tools/jobslot/plan.h): the cost-table rows of the packages this tree
# builds, so the costliest units get slots before cheaper ones that arrive
# first. Only the packages built: a unit that never comes holds its slots
# until the plan's window closes.

include_guard(GLOBAL)

set(_plan_args)
foreach(_pkg IN LISTS TRELLIS2_PACKAGES)
  set(_table "${PROJECT_SOURCE_DIR}/benchmarks/build_speed/costs/${_pkg}.tsv")
  if(EXISTS "${_table}")
    list(APPEND _plan_args --plan-table "${_table}")
  endif()
endforeach()
# The --threads the recipe gives nvcc units (cmake/recipe/TorchExtension.cmake:
# one per distinct virtual architecture): what a critical unit will ask for.
string(REGEX MATCHALL "arch=compute_[0-9]+[a-z]?" _plan_archs "${TRELLIS2_TORCH_CUDA_ARCH_FLAGS}")
list(REMOVE_DUPLICATES _plan_archs)
list(LENGTH _plan_archs _plan_threads)
if(_plan_threads LESS 1)
  set(_plan_threads 1)
endif()

add_custom_target(build-lock ALL
  COMMAND "${TRELLIS2_JOBSLOT}" --build-lock "${CMAKE_BINARY_DIR}/build.lock"
    --size-memory-pool "${TRELLIS2_JOBSLOT_POOLS}/nvcc"
    --plan "${TRELLIS2_JOBSLOT_POOLS}/jobs" --plan "${TRELLIS2_JOBSLOT_POOLS}/nvcc:.cu"
    ${_plan_args} --plan-threads ${_plan_threads}
  COMMENT "Taking the build-tree lock ${CMAKE_BINARY_DIR}/build.lock"
  VERBATIM)

# After the whole tree is read (tests/ and packaging/ add targets later).
function(_trellis2_after_build_lock directory)
  get_property(targets DIRECTORY "${directory}" PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_property(type TARGET ${target} PROPERTY TYPE)
    if(NOT target STREQUAL "build-lock" AND NOT type STREQUAL "INTERFACE_LIBRARY")
      add_dependencies(${target} build-lock)
    endif()
  endforeach()
  get_property(subdirectories DIRECTORY "${directory}" PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    _trellis2_after_build_lock("${subdirectory}")
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _trellis2_after_build_lock "${CMAKE_SOURCE_DIR}")
