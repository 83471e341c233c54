# JobPool: how many compiles of the native build run at once. Ninja's own
# scheduler decides, under two caps:
#   -j         TRELLIS2_JOBS; MAX_JOBS or CMAKE_BUILD_PARALLEL_LEVEL at build
#              time replace it (torch's and CMake's conventions), and an
#              sccache-dist farm's cores when it has more (Sccache.cmake)
#   pool nvcc  the Ninja pool every module with CUDA units compiles in
#              (TorchExtension.cmake), as deep as the memory available divided
#              by TRELLIS2_NVCC_JOB_MEMORY_MB, so a 2-core 24 GB machine and a
#              16-core one both finish without swapping
# Both are decided when each build starts (cmake/scripts/native_build.cmake,
# the native build step): the free memory and the environment of the build
# are what count, not those of the configure. Neither is part of a compile
# command, so a new value recompiles nothing; a new pool depth re-generates
# the native tree's build.ninja only.
#
# Sets TRELLIS2_JOBS and TRELLIS2_NVCC_JOB_MEMORY_MB (cache),
# TRELLIS2_NVCC_POOL_DEPTH (the depth from the memory free now: the native
# tree's first generate, until a build sizes it) and TRELLIS2_JOBS_SUMMARY.

include_guard(GLOBAL)
include("${CMAKE_CURRENT_LIST_DIR}/../common/JobCount.cmake")

cmake_host_system_information(RESULT _cores QUERY NUMBER_OF_LOGICAL_CORES)
# The native build step refuses a bad value at build time as well: say so now, once.
trellis2_jobs_from_environment(_default_jobs _from "(the default is the number of cores) or pass -DTRELLIS2_JOBS=<n>")
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
trellis2_nvcc_pool_depth(TRELLIS2_NVCC_POOL_DEPTH _available_mb "${TRELLIS2_NVCC_JOB_MEMORY_MB}"
  "${TRELLIS2_TORCH_NVCC_THREADS}")

string(CONCAT TRELLIS2_JOBS_SUMMARY "${TRELLIS2_JOBS} compile jobs (Ninja's -j; $MAX_JOBS or $CMAKE_BUILD_PARALLEL_LEVEL "
  "at build time win); "
  "nvcc jobs sized at each build's start as available memory / (${TRELLIS2_NVCC_JOB_MEMORY_MB} MB "
  "x ${TRELLIS2_TORCH_NVCC_THREADS} threads a job) "
  "(now ${_available_mb} MB: ${TRELLIS2_NVCC_POOL_DEPTH})")
