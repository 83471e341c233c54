# JobPool: one cap on concurrent compile jobs across all package sub-builds.
# Packages build at the same time (so the tail of one overlaps the next),
# each with its own Ninja; every compile goes through `jobslot`
# (tools/jobslot), which holds one slot of a shared pool while it runs:
#   jobs pool  TRELLIS2_JOBS slots (MAX_JOBS or CMAKE_BUILD_PARALLEL_LEVEL at
#              build time replace it, torch's and CMake's conventions)
#   nvcc pool  sized from the memory available at configure time divided by
#              TRELLIS2_NVCC_JOB_MEMORY_MB, so a 2-core 24 GB machine and a
#              16-core one both finish without swapping
# Sets TRELLIS2_CXX_LAUNCHER / TRELLIS2_CUDA_LAUNCHER (the sub-builds'
# compiler launchers), TRELLIS2_SUBBUILD_JOBS_ARGS and TRELLIS2_JOBS_SUMMARY.

include_guard(GLOBAL)

cmake_host_system_information(RESULT _cores QUERY NUMBER_OF_LOGICAL_CORES)
cmake_host_system_information(RESULT _available_mb QUERY AVAILABLE_PHYSICAL_MEMORY)
foreach(_var MAX_JOBS CMAKE_BUILD_PARALLEL_LEVEL)
  if(NOT DEFINED _default_jobs AND "$ENV{${_var}}" MATCHES "^[1-9][0-9]*$")
    set(_default_jobs "$ENV{${_var}}")
  endif()
endforeach()
if(NOT DEFINED _default_jobs)
  set(_default_jobs "${_cores}")
endif()
set(TRELLIS2_JOBS "${_default_jobs}" CACHE STRING
  "Compile jobs of all sub-builds together (default: $MAX_JOBS, $CMAKE_BUILD_PARALLEL_LEVEL, else the cores)")
if(TRELLIS2_JOBS STREQUAL "")
  # Empty (a build tree from before this default existed): take the default.
  set_property(CACHE TRELLIS2_JOBS PROPERTY VALUE "${_default_jobs}")
elseif(NOT TRELLIS2_JOBS MATCHES "^[1-9][0-9]*$")
  message(FATAL_ERROR "TRELLIS2_JOBS='${TRELLIS2_JOBS}' is not a positive number of compile jobs. "
    "Pass -DTRELLIS2_JOBS=<n>, or leave it empty for $MAX_JOBS / the number of cores.")
endif()
# Peak resident memory of the heaviest nvcc unit measured, cubvh's
# api_gpu.cu: 4068 MB (typical torch units: ~2.9 GB; benchmarks/RESULTS.md).
set(TRELLIS2_NVCC_JOB_MEMORY_MB "4096" CACHE STRING
  "Memory one nvcc job may take (MB); the nvcc pool is available memory divided by it")
math(EXPR TRELLIS2_NVCC_JOBS "${_available_mb} / ${TRELLIS2_NVCC_JOB_MEMORY_MB}")
if(TRELLIS2_NVCC_JOBS LESS 1)
  set(TRELLIS2_NVCC_JOBS 1)
endif()

add_subdirectory(tools/jobslot)
set(_pools "${CMAKE_BINARY_DIR}/jobslots")
file(MAKE_DIRECTORY "${_pools}/jobs" "${_pools}/nvcc")
set(_slot "$<TARGET_FILE:jobslot>" --env MAX_JOBS --env CMAKE_BUILD_PARALLEL_LEVEL "${_pools}/jobs:${TRELLIS2_JOBS}")
set(TRELLIS2_CXX_LAUNCHER ${_slot} -- ${TRELLIS2_CCACHE_LAUNCHER})
set(TRELLIS2_CUDA_LAUNCHER ${_slot} "${_pools}/nvcc:${TRELLIS2_NVCC_JOBS}" -- ${TRELLIS2_CCACHE_LAUNCHER})
list(APPEND TRELLIS2_SUBBUILD_DEPENDS jobslot)

# Each Ninja may start as many jobs as there are slots; the pool decides.
set(_ninja_jobs "${_cores}")
if(TRELLIS2_JOBS GREATER _cores)
  set(_ninja_jobs "${TRELLIS2_JOBS}")
endif()
set(TRELLIS2_SUBBUILD_JOBS_ARGS --parallel "${_ninja_jobs}")
set(TRELLIS2_JOBS_SUMMARY "${TRELLIS2_JOBS} compile jobs, of which nvcc ${TRELLIS2_NVCC_JOBS} (${_available_mb} MB available / ${TRELLIS2_NVCC_JOB_MEMORY_MB} MB a job)")
