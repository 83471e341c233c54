# JobPool: the caps on concurrent compile jobs of the native build. Every
# compile goes through `jobslot` (tools/jobslot), which holds slots of
# pools while it runs, for what Ninja's own pools do not do
# (docs/ARCHITECTURE.md, "Speed"): weight an nvcc --threads=N unit as N CPU
# slots, size the nvcc pool from the memory free when each build starts
# without touching a build file, start the costliest units first on a cold
# build (what the replayed traces of benchmarks/RESULTS.md, issue 21, show
# pays), and let a build farm's cores stand in for the local ones:
#   nvcc pool  sized at the start of each build from the memory available
#              then, divided by TRELLIS2_NVCC_JOB_MEMORY_MB, so a 2-core 24 GB
#              machine and a 16-core one both finish without swapping
#   jobs pool  TRELLIS2_JOBS slots (MAX_JOBS or CMAKE_BUILD_PARALLEL_LEVEL at
#              build time replace it, torch's and CMake's conventions)
#   dist pool  the build farm's cores while a build compiles on it
#              (Sccache.cmake); such a compile takes it instead of the two above
# The sizes live in files of the pool directories, not on the launcher line:
# the launcher is part of every compile command, so a size there would
# recompile every unit when memory or the job count changes.
# Among waiting compiles, the unit with the highest known cost
# (TRELLIS2_JOBSLOT_COSTS, tools/jobslot/costs/) takes a freed slot first.
#
# jobslot is built at configure time (it must exist before the build's first
# step, the build-tree lock of BuildLock.cmake). Sets TRELLIS2_JOBSLOT,
# TRELLIS2_JOBSLOT_POOLS, TRELLIS2_JOBSLOT_COSTS, TRELLIS2_CXX_LAUNCHER /
# TRELLIS2_CUDA_LAUNCHER (the native build's compiler launchers),
# TRELLIS2_NATIVE_JOBS_ARGS and TRELLIS2_JOBS_SUMMARY.

include_guard(GLOBAL)

cmake_host_system_information(RESULT _cores QUERY NUMBER_OF_LOGICAL_CORES)
cmake_host_system_information(RESULT _available_mb QUERY AVAILABLE_PHYSICAL_MEMORY)
foreach(_var MAX_JOBS CMAKE_BUILD_PARALLEL_LEVEL)
  if("$ENV{${_var}}" STREQUAL "")
    continue()
  elseif(NOT "$ENV{${_var}}" MATCHES "^[1-9][0-9]*$")
    # jobslot refuses it at build time as well: say so now, once.
    message(FATAL_ERROR "${_var}='$ENV{${_var}}' in the environment is not a positive number of compile jobs. "
      "Expected e.g. ${_var}=4; unset it (the default is the number of cores) or pass -DTRELLIS2_JOBS=<n>.")
  elseif(NOT DEFINED _default_jobs)
    set(_default_jobs "$ENV{${_var}}")
  endif()
endforeach()
if(NOT DEFINED _default_jobs)
  set(_default_jobs "${_cores}")
endif()
set(TRELLIS2_JOBS "${_default_jobs}" CACHE STRING
  "Compile jobs of the native build (default: $MAX_JOBS, $CMAKE_BUILD_PARALLEL_LEVEL, else the cores)")
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
  "Memory one nvcc job may take (MB); each build sizes the nvcc pool as available memory divided by it")
if(NOT TRELLIS2_NVCC_JOB_MEMORY_MB MATCHES "^[1-9][0-9]*$")
  message(FATAL_ERROR "TRELLIS2_NVCC_JOB_MEMORY_MB='${TRELLIS2_NVCC_JOB_MEMORY_MB}' is not a positive number of MB. "
    "Pass -DTRELLIS2_NVCC_JOB_MEMORY_MB=4096 (the heaviest unit measured takes 4068 MB).")
endif()
math(EXPR _nvcc_jobs_now "${_available_mb} / ${TRELLIS2_NVCC_JOB_MEMORY_MB}")
if(_nvcc_jobs_now LESS 1)
  set(_nvcc_jobs_now 1)
endif()

# Built here, not as a target: the build's first step runs it.
set(_jobslot_build "${CMAKE_BINARY_DIR}/tools/jobslot")
file(GLOB _jobslot_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tools/jobslot/*")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_jobslot_sources})
foreach(_step configure build)
  if(_step STREQUAL "configure")
    set(_command "${CMAKE_COMMAND}" -G Ninja -S "${PROJECT_SOURCE_DIR}/tools/jobslot" -B "${_jobslot_build}"
      "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release)
  else()
    set(_command "${CMAKE_COMMAND}" --build "${_jobslot_build}")
  endif()
  execute_process(COMMAND ${_command} OUTPUT_VARIABLE _jobslot_out ERROR_VARIABLE _jobslot_out
    RESULT_VARIABLE _jobslot_rc)
  if(NOT _jobslot_rc EQUAL 0)
    message(FATAL_ERROR "Building tools/jobslot (the compile launcher) failed in ${_jobslot_build}:\n"
      "${_jobslot_out}\nExpected a C++17 compiler at ${CMAKE_CXX_COMPILER}; fix the error above and re-run cmake.")
  endif()
endforeach()
set(TRELLIS2_JOBSLOT "${_jobslot_build}/jobslot")

set(TRELLIS2_JOBSLOT_POOLS "${CMAKE_BINARY_DIR}/jobslots")
set(_pools "${TRELLIS2_JOBSLOT_POOLS}")
file(MAKE_DIRECTORY "${_pools}/jobs" "${_pools}/nvcc" "${_pools}/dist")
# jobslot reads these at run time (main.cpp); nothing depends on their time stamps.
file(CONFIGURE OUTPUT "${_pools}/jobs/slots" CONTENT "${TRELLIS2_JOBS}\n")
file(CONFIGURE OUTPUT "${_pools}/nvcc/job-memory-mb" CONTENT "${TRELLIS2_NVCC_JOB_MEMORY_MB}\n")
# Until the first build sizes it (BuildLock.cmake), from the memory now.
file(CONFIGURE OUTPUT "${_pools}/nvcc/slots" CONTENT "${_nvcc_jobs_now}\n")
# The farm's cores while a build compiles on it (SccacheServer.cmake), else 0.
file(CONFIGURE OUTPUT "${_pools}/dist/slots" CONTENT "0\n")

set(TRELLIS2_JOBSLOT_COSTS "${PROJECT_SOURCE_DIR}/tools/jobslot/costs")

# Issue 29's measurement: the same build with Ninja's own scheduler (no
# launcher but sccache; nvcc memory as a Ninja pool of the inner project,
# sized at its configure; TRELLIS2_JOBS as Ninja's -j), beside jobslot's.
set(TRELLIS2_SCHEDULER "jobslot" CACHE STRING
  "Who orders and caps the native build's compiles: jobslot (tools/jobslot) or ninja (its own -j and pools)")
set_property(CACHE TRELLIS2_SCHEDULER PROPERTY STRINGS jobslot ninja)
if(TRELLIS2_SCHEDULER STREQUAL "ninja")
  set(TRELLIS2_CXX_LAUNCHER ${TRELLIS2_SCCACHE_LAUNCHER})
  set(TRELLIS2_CUDA_LAUNCHER ${TRELLIS2_SCCACHE_LAUNCHER})
  set(TRELLIS2_NVCC_POOL_DEPTH "${_nvcc_jobs_now}")
  set(TRELLIS2_NATIVE_JOBS_ARGS --parallel "${TRELLIS2_JOBS}")
  string(CONCAT TRELLIS2_JOBS_SUMMARY "${TRELLIS2_JOBS} compile jobs (Ninja's -j); nvcc pool of Ninja sized at the "
    "native configure as available memory / ${TRELLIS2_NVCC_JOB_MEMORY_MB} MB (now ${_available_mb} MB: ${_nvcc_jobs_now})")
  return()
elseif(NOT TRELLIS2_SCHEDULER STREQUAL "jobslot")
  message(FATAL_ERROR "TRELLIS2_SCHEDULER='${TRELLIS2_SCHEDULER}' is neither jobslot nor ninja. "
    "Pass -DTRELLIS2_SCHEDULER=jobslot (the default) or -DTRELLIS2_SCHEDULER=ninja.")
endif()
set(TRELLIS2_NVCC_POOL_DEPTH "")
set(_slot "${TRELLIS2_JOBSLOT}" --costs "${TRELLIS2_JOBSLOT_COSTS}")
if(TRELLIS2_SCCACHE_LAUNCHER)
  # A compile sccache sends to a build farm holds a slot of the farm's pool
  # instead of the local ones; its preprocessing and host steps run in the
  # local sccache server, which runs at most one process per core itself.
  list(APPEND _slot --remote-pool "${_pools}/dist")
endif()
set(_jobs_pool --env MAX_JOBS --env CMAKE_BUILD_PARALLEL_LEVEL "${_pools}/jobs")
set(TRELLIS2_CXX_LAUNCHER ${_slot} ${_jobs_pool} -- ${TRELLIS2_SCCACHE_LAUNCHER})
# nvcc's memory first, then a CPU slot: a unit waiting for memory holds no
# CPU slot another compile could use.
set(TRELLIS2_CUDA_LAUNCHER ${_slot} "${_pools}/nvcc" ${_jobs_pool} -- ${TRELLIS2_SCCACHE_LAUNCHER})

# Ninja hands jobslot more compiles than there are slots: the waiting
# ones form the queue from which the costliest starts first.
set(_ninja_jobs 16)
foreach(_n IN ITEMS "${_cores}" "${TRELLIS2_JOBS}")
  math(EXPR _n "4 * ${_n}")
  if(_n GREATER _ninja_jobs)
    set(_ninja_jobs "${_n}")
  endif()
endforeach()
set(TRELLIS2_NATIVE_JOBS_ARGS --parallel "${_ninja_jobs}")
string(CONCAT TRELLIS2_JOBS_SUMMARY "${TRELLIS2_JOBS} compile jobs; nvcc jobs sized at each build's start as "
  "available memory / ${TRELLIS2_NVCC_JOB_MEMORY_MB} MB (now ${_available_mb} MB: ${_nvcc_jobs_now})")
